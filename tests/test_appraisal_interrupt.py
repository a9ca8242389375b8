"""Ctrl+C while ``parxl appraise`` starts its two worker processes stops it cleanly.

The Ctrl+C is sent as a terminal sends it: SIGINT to the whole process group (the command and its workers),
right after the first worker process is started (a hook on ``multiprocessing``'s ``Process.start``), the
moment a worker is still starting up. Oracles: the exit code (130), stderr (the Vietnamese line, no Python
traceback, no English), the round's folder (no workbook under its final name, no temp file), and no
worker process left behind.
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

DRIVER = textwrap.dedent("""
    import os, signal, sys
    import multiprocessing.process as P
    from parxl.appraisal import build
    build.PARALLEL_FROM_ROWS = 0  # the small campaign's workbooks built in two worker processes
    start = P.BaseProcess.start
    pids = open(sys.argv[2], "a")
    def start_then_ctrl_c(self):
        start(self)
        print(self.pid, file=pids, flush=True)
        if os.environ.get("CTRL_C_AT") == str(len(P._children)):
            os.killpg(0, signal.SIGINT)  # a terminal's Ctrl+C: every process of the group
    P.BaseProcess.start = start_then_ctrl_c
    from parxl.cli import main
    main(["appraise", sys.argv[1]], prog_name="parxl")
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is gone for good (its parent has not reaped it yet)
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc: Linux")
@pytest.mark.parametrize("at", ["1", "2"])
def test_ctrl_c_while_the_workers_start_stops_in_vietnamese_and_writes_nothing(tmp_path, at):
    c = make_campaign(tmp_path / "c")
    pids = tmp_path / "pids.txt"
    env = {**os.environ, "CTRL_C_AT": at, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", DRIVER, str(c.root), str(pids)], env=env, capture_output=True,
                          text=True, timeout=300, start_new_session=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # not ignored
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert "Đã dừng theo yêu cầu" in done.stderr
    for english in ("Traceback", "KeyboardInterrupt", "Error", "Exception", "Process"):
        assert english not in done.stderr, done.stderr
    round_dir = c.root / "output" / "tham-dinh" / "appraisal-1"
    assert not round_dir.exists() or list(round_dir.iterdir()) == []
    workers = [int(line) for line in pids.read_text().split()]
    assert workers and not any(_alive(pid) for pid in workers)
