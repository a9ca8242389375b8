"""Ctrl+C while ``parxl check`` reads the returned workbooks in two worker processes
(``ledger.receive.check_files``) stops it cleanly, whenever it comes.

The Ctrl+C is sent as a terminal sends it: SIGINT to the whole process group (the command and its workers),
at one of these moments: right after the first or the second worker process is started (a hook on
``multiprocessing``'s ``Process.start``), while the workers read (a worker sends it from its first file, the
parent waiting for reports), and while the parent records a report that came in (from the ``arrived``
callback ``check_files`` is given), every other file then hanging in the workers: the command must not wait
for them. The command runs in a new session with SIGINT at its default (a test runner started in the
background would have it ignored). Oracles: the exit code (130), stderr (the Vietnamese line, no Python
traceback, no English), the campaign folder (no temp file), no worker process left behind, and the command
ending at all (the timeout is a guard against a hang, not a measure).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import make_campaign
from parxl.workbook.stamping import workbook_filename
from support.tamper import filled
from support.ctrl_c import START_HOOK
from test_appraisal_interrupt import _alive

DRIVER = textwrap.dedent("""
    import os, signal, sys, time
    import multiprocessing.process as P
    from parxl.ledger import receive
    at = os.environ["CTRL_C_AT"]
    pids = open(sys.argv[2], "a")
""") + START_HOOK + textwrap.dedent("""

    checking = receive._check_one
    def check_one(job):  # in a forked worker: this module's function
        if at == "read" and not os.environ.get("SENT"):
            os.environ["SENT"] = "1"
            ctrl_c()
        if at == "arrived" and "X01" not in job[1]:
            time.sleep(3600)  # every file but the first hangs: the parent must stop the workers
        return checking(job)
    receive._check_one = check_one

    check_files = receive.check_files
    def two_workers(campaign, jobs, progress=None, workers=2, arrived=None, known=frozenset()):
        def arrived_then_ctrl_c(i, report):
            if at == "arrived":
                ctrl_c()
            if arrived:
                arrived(i, report)
        return check_files(campaign, jobs, progress, 2, arrived_then_ctrl_c, known)
    receive.check_files = two_workers

    from parxl.cli import main
    main(["check", sys.argv[1]], prog_name="parxl")
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc: Linux")
@pytest.mark.parametrize("at", ["start-1", "start-2", "read", "arrived"])
def test_ctrl_c_while_check_reads_stops_in_vietnamese_and_leaves_no_worker(tmp_path, at):
    c = make_campaign(tmp_path / "c", units_csv="Mã,Tên đơn vị,Loại\n" + "".join(
        f"X{i:02d},Xã Thử {i},Xã\n" for i in range(1, 9)))
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    for unit in c.units:
        (c.inbox_dir / workbook_filename(unit)).write_bytes(filled(c, unit))
    before = {p.name for p in c.root.rglob("*")}
    pids = tmp_path / "pids.txt"
    env = {**os.environ, "CTRL_C_AT": at, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    env.pop("SENT", None)
    command = subprocess.Popen([sys.executable, "-c", DRIVER, str(c.root), str(pids)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        _, stderr = command.communicate(timeout=120)  # a guard against a hang, not a measure
    except subprocess.TimeoutExpired:
        os.killpg(command.pid, signal.SIGKILL)
        command.communicate()
        pytest.fail("parxl check did not stop after Ctrl+C")
    assert command.returncode == 130, (command.returncode, stderr)
    assert "Đã dừng theo yêu cầu" in stderr
    for english in ("Traceback", "KeyboardInterrupt", "Error", "Exception", "Process"):
        assert english not in stderr, stderr
    names = {p.name for p in c.root.rglob("*")} - before
    assert not [n for n in names if n.startswith(".parxl-") or n.endswith(".tmp")], names
    workers = [int(line) for line in pids.read_text().split()]
    assert len(workers) == 2 and not any(_alive(pid) for pid in workers)
