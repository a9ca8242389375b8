"""``parxl check`` writing its outputs on both cores (``ledger.check_report_xlsx.write_outputs``): a forked child
builds the findings workbook, then builds and writes feedback workbooks taken from the end while the command
takes them from the front, until they meet.

Oracles: the same campaign's outputs written in one process (``FORK_FROM`` above the campaign), compared byte
for byte (the two runs share one process, so the packages' clock is the same); which process wrote each file
(a spy on the writer, in the child too, through a file); the Vietnamese error of the one-process run when a
file cannot be written; the output folder's listing (no temp file); /proc for the child after Ctrl+C. The
command is held before its first workbook until the child has taken one, so that both processes write.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import UNITS_CSV, make_campaign
from parxl.cli import check_cmd, main
from parxl.ledger import check_report_xlsx as fast
from support.tamper import filled
from test_appraisal_interrupt import _alive

pytestmark = pytest.mark.skipif(not fast.FORK, reason="forked processes: Linux")

UNITS = UNITS_CSV + "X04,Xã Hiến Thành,Xã\nX05,Xã Minh Tân,Xã\nX06,Phường Thất Hùng,Phường\n"


@pytest.fixture
def received(tmp_path):
    """Six units' files in the inbox: good ones, one with an error, one cut in half (unreadable)."""
    c = make_campaign(tmp_path / "dot", units_csv=UNITS)
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    for unit in c.units:
        answers = {"1.1": {"choice": "Không có"}} if unit.code == "X02" else None
        data = filled(c, unit, answers=answers)
        (c.inbox_dir / f"{unit.code} - {unit.name}.xlsx").write_bytes(data[: len(data) // 2] if unit.code == "X05"
                                                                      else data)
    return c


def run(c):
    return CliRunner().invoke(main, ["check", str(c.root)])


def outputs(c) -> dict[str, bytes]:
    return {str(p.relative_to(c.output_dir)): p.read_bytes() for p in sorted(c.output_dir.rglob("*")) if p.is_file()}


def clear(c) -> None:
    shutil.rmtree(c.output_dir, ignore_errors=True)
    (c.state_dir / fast.WRITTEN_FILE).unlink(missing_ok=True)


def spy_writers(monkeypatch, log: Path) -> None:
    """Every feedback file written is logged as «pid path» (the forked child appends to the same file)."""
    real = fast.write_in_turn

    def spy(path, data):
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {Path(path).name}\n")
        return real(path, data)
    monkeypatch.setattr(fast, "write_in_turn", spy)


def hold_until_the_child_takes_one(monkeypatch) -> None:
    """The command's first ``front()`` waits until the child has taken a workbook from the end, and the child's
    second ``back()`` until the command has taken one: both write."""
    real, real_back = fast._Ends.front, fast._Ends.back
    held = []

    def back(self):
        if self.end() < len(self):
            give_up = time.monotonic() + 60
            while self._state[0] == 0 and time.monotonic() < give_up:
                time.sleep(0.002)
        return real_back(self)
    monkeypatch.setattr(fast._Ends, "back", back)

    def front(self):
        if not held:
            held.append(1)
            give_up = time.monotonic() + 60  # not an assertion: the test checks who wrote what
            while self.end() == len(self) and time.monotonic() < give_up:
                time.sleep(0.002)
        return real(self)
    monkeypatch.setattr(fast._Ends, "front", front)


def logged(log: Path) -> list[tuple[int, str]]:
    return [(int(pid), name) for pid, name in (line.split(" ", 1) for line in log.read_text("utf-8").splitlines())]


def test_outputs_written_by_both_processes_are_byte_for_byte_the_ones_written_in_one(received, monkeypatch,
                                                                                       tmp_path):
    c = received
    monkeypatch.setattr(fast, "FORK_FROM", 10 ** 9)
    assert run(c).exit_code == 1
    one = outputs(c)
    one_written = json.loads((c.state_dir / fast.WRITTEN_FILE).read_text("utf-8"))
    assert len([n for n in one if n.startswith(fast.FEEDBACK_DIR)]) == 6

    clear(c)
    log = tmp_path / "writers.txt"
    spy_writers(monkeypatch, log)
    hold_until_the_child_takes_one(monkeypatch)
    counts = []
    real_write_outputs = check_cmd.write_outputs

    def counted(campaign, result, lines, progress=None, explanations=None):
        return real_write_outputs(campaign, result, lines, lambda done, total, label: counts.append((done, total)),
                                  explanations)
    monkeypatch.setattr(check_cmd, "write_outputs", counted)
    monkeypatch.setattr(fast, "FORK_FROM", 0)
    assert run(c).exit_code == 1
    assert outputs(c) == one
    writers = logged(log)
    assert sorted(name for _, name in writers) == sorted(n.split("/", 1)[1] for n in one if "/" in n)
    assert {pid for pid, _ in writers} - {os.getpid()} and os.getpid() in {pid for pid, _ in writers}
    assert counts[-1] == (6, 6) and [d for d, _ in counts] == sorted(d for d, _ in counts)
    two_written = json.loads((c.state_dir / fast.WRITTEN_FILE).read_text("utf-8"))
    assert {k: v[:2] for k, v in two_written.items()} == {k: v[:2] for k, v in one_written.items()}  # digest, size

    log.unlink()
    before = {n: (c.output_dir / n).stat().st_mtime_ns for n in one}
    assert run(c).exit_code == 1  # nothing new: nothing written again
    assert not log.exists() and {n: (c.output_dir / n).stat().st_mtime_ns for n in one} == before


@pytest.mark.parametrize("why", ["below the threshold", "no fork"])
def test_below_the_threshold_or_without_fork_everything_is_written_in_this_process(received, monkeypatch, tmp_path,
                                                                                  why):
    from parxl.core import workers
    c = received
    monkeypatch.setattr(fast, "FORK_FROM", 10 ** 9)
    assert run(c).exit_code == 1
    one = outputs(c)
    clear(c)
    log = tmp_path / "writers.txt"
    spy_writers(monkeypatch, log)
    if why == "no fork":  # as on a platform without fork: the child's share is built in this process
        monkeypatch.setattr(fast, "FORK_FROM", 0)
        monkeypatch.setattr(fast, "FORK", False)
        monkeypatch.setattr(workers, "FORK", False)
    started = []
    monkeypatch.setattr(workers.multiprocessing.context.ForkProcess, "start", lambda self: started.append(self))
    assert run(c).exit_code == 1
    assert outputs(c) == one and not started
    assert {pid for pid, _ in logged(log)} == {os.getpid()} and len(logged(log)) == 6


def _last_feedback(c, monkeypatch, tmp_path) -> Path:
    """The feedback file written last in one process (the child's first)."""
    log = tmp_path / "order.txt"
    spy_writers(monkeypatch, log)
    monkeypatch.setattr(fast, "FORK_FROM", 10 ** 9)
    assert run(c).exit_code == 1
    name = logged(log)[-1][1]
    log.unlink()
    clear(c)
    return c.output_dir / fast.FEEDBACK_DIR / name


def test_a_feedback_file_the_child_cannot_write_stops_the_check_with_the_one_process_error(received, monkeypatch,
                                                                                          tmp_path):
    c = received
    target = _last_feedback(c, monkeypatch, tmp_path)
    target.mkdir(parents=True)  # a folder of that name
    one = run(c)
    assert one.exit_code == 1 and target.name in one.output and "thư mục cùng tên" in one.output

    shutil.rmtree(c.output_dir)
    target.mkdir(parents=True)
    (c.state_dir / fast.WRITTEN_FILE).unlink(missing_ok=True)
    log = tmp_path / "writers.txt"
    spy_writers(monkeypatch, log)
    hold_until_the_child_takes_one(monkeypatch)
    monkeypatch.setattr(fast, "FORK_FROM", 0)
    two = run(c)
    assert (two.exit_code, two.output) == (one.exit_code, one.output)
    assert (logged(log)[0][0], logged(log)[0][1]) != (os.getpid(), target.name)  # the child hit it first
    assert any(pid != os.getpid() and name == target.name for pid, name in logged(log))
    left = [p.name for p in c.output_dir.rglob("*")]
    assert not [n for n in left if n.startswith(".parxl-") or n.endswith(".tmp")], left
    assert target.is_dir() and not (c.output_dir / fast.FINDINGS_FILE).exists()  # with a child: written last


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_feedback_folder_gives_the_one_process_error(received, monkeypatch):
    c = received
    folder = c.output_dir / fast.FEEDBACK_DIR
    runs = []
    for threshold in (10 ** 9, 0):
        clear(c)
        folder.mkdir(parents=True)
        folder.chmod(0o555)
        monkeypatch.setattr(fast, "FORK_FROM", threshold)
        try:
            runs.append(run(c))
        finally:
            folder.chmod(0o755)
        assert not list(folder.iterdir())
    assert runs[0].exit_code == runs[1].exit_code == 1 and runs[0].output == runs[1].output
    assert "phản hồi.xlsx" in runs[0].output


DRIVER = textwrap.dedent("""
    import os, signal, sys, time
    import multiprocessing.process as P
    from parxl.core import files
    from parxl.ledger import check_report_xlsx as fast
    fast.FORK_FROM = 0
    parent, pids = os.getpid(), open(sys.argv[2], "a")

    start = P.BaseProcess.start
    def start_and_note(self):
        start(self)
        print(self.pid, file=pids, flush=True)
    P.BaseProcess.start = start_and_note

    front = fast._Ends.front
    def held_front(self):  # the command waits until the child has taken a workbook
        while self.end() == len(self):
            time.sleep(0.002)
        return front(self)
    fast._Ends.front = held_front

    flag = sys.argv[2] + ".waiting"
    if os.environ["CTRL_C_AT"] == "waiting":  # the command has taken its last workbook: it waits for the child
        halt = fast._Ends.halt
        def halt_and_flag(self):
            open(flag, "w").close()
            return halt(self)
        fast._Ends.halt = halt_and_flag

    replace = files.os.replace
    def ctrl_c_while_writing(source, target):  # in the child, its temp file written, not yet renamed
        if os.getpid() != parent and not os.environ.get("SENT"):
            os.environ["SENT"] = "1"
            give_up = time.monotonic() + 30
            while os.environ["CTRL_C_AT"] == "waiting" and not os.path.exists(flag) and time.monotonic() < give_up:
                time.sleep(0.002)
            os.killpg(0, signal.SIGINT)  # a terminal's Ctrl+C: every process of the group
            time.sleep(0.5)
        return replace(source, target)
    files.os.replace = ctrl_c_while_writing

    from parxl.cli import main
    main(["check", sys.argv[1]], prog_name="parxl")
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc: Linux")
@pytest.mark.parametrize("at", ["working", "waiting"])
def test_ctrl_c_while_the_child_writes_stops_both_and_leaves_no_temp_file(received, tmp_path, at):
    """Ctrl+C (to the whole group, as a terminal sends it) from the child, its temp file written, while the
    command builds its own workbooks or waits for the child's."""
    c = received
    pids = tmp_path / "pids.txt"
    env = {**os.environ, "CTRL_C_AT": at, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    env.pop("SENT", None)
    done = subprocess.run([sys.executable, "-c", DRIVER, str(c.root), str(pids)], env=env, capture_output=True,
                          text=True, timeout=120, start_new_session=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert "Đã dừng theo yêu cầu" in done.stderr
    for english in ("Traceback", "KeyboardInterrupt", "Error", "Exception", "Process"):
        assert english not in done.stderr, done.stderr
    left = [p.name for p in c.output_dir.rglob("*")] if c.output_dir.exists() else []
    assert not [n for n in left if n.startswith(".parxl-") or n.endswith(".tmp")], left
    children = [int(line) for line in pids.read_text().split()]
    assert children and not any(_alive(pid) for pid in children)


def test_write_in_turn_writes_the_bytes_with_ordinary_permissions_and_leaves_no_temp_file(tmp_path):
    """``core.files.write_in_turn``: oracles are the file's bytes, ``ordinary_mode()``, the folder's listing and
    the Vietnamese error of ``write_atomic`` for the same folder in the way."""
    from parxl.core.errors import OutputWriteError
    from parxl.core.files import ordinary_mode, write_atomic, write_in_turn
    target = tmp_path / "X01 - Phường An Lưu - phản hồi.xlsx"
    st = write_in_turn(target, b"first")
    assert target.read_bytes() == b"first" and (st.st_size, st.st_mtime_ns) == (5, target.stat().st_mtime_ns)
    assert target.stat().st_mode & 0o777 == ordinary_mode()
    write_in_turn(target, memoryview(b"second, longer"))
    assert target.read_bytes() == b"second, longer"
    folder = tmp_path / "Thư mục - phản hồi.xlsx"
    folder.mkdir()
    with pytest.raises(OutputWriteError) as turn:
        write_in_turn(folder, b"x")
    with pytest.raises(OutputWriteError) as atomic:
        write_atomic(folder, b"x")
    assert str(turn.value) == str(atomic.value) and folder.name in str(turn.value)
    with pytest.raises(TypeError):
        write_in_turn(target, "text")  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, folder.name])
