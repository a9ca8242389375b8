"""One build in a forked process (core.workers.Forked, used by the master's detail rows and the check's
findings workbook): its value, the fallback to this process, an error in the child, Ctrl+C.

Oracles: the process ids the build records (a list the child's writes do not reach), ``os.waitpid`` (a
child reaped is no longer ours: no zombie), the exception raised and its type.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from parxl.core import workers
from parxl.core.errors import ParxlError
from parxl.core.workers import Forked

pytestmark = pytest.mark.skipif(not workers.FORK, reason="fork: Linux")


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def _wait_for(path: Path) -> None:
    for _ in range(6000):  # a guard against a hang, not a measure
        if path.exists():
            return
        time.sleep(0.01)
    raise AssertionError(f"{path} never appeared")


def test_the_value_is_built_in_the_child_and_the_child_is_reaped():
    here: list[int] = []

    def build():
        here.append(os.getpid())
        return {"pid": os.getpid(), "data": b"x" * 300_000}

    with Forked(build) as forked:
        pid = forked.pid
        value = forked.result()
    assert here == [] and value["pid"] == pid != os.getpid() and value["data"] == b"x" * 300_000
    assert forked.result() is value and _reaped(pid)


@pytest.mark.parametrize("how", ["parallel off", "no fork"])
def test_without_a_child_the_value_is_built_here(monkeypatch, how):
    if how == "no fork":
        monkeypatch.setattr(workers, "FORK", False)
    here: list[int] = []
    with Forked(lambda: here.append(os.getpid()) or 7, parallel=how == "no fork") as forked:
        assert forked.pid is None and here == []  # nothing built before it is asked for
        assert forked.result() == 7
    assert here == [os.getpid()]


@pytest.mark.parametrize("failure", ["raises", "dies", "unpicklable"])
def test_an_error_in_the_child_is_raised_here_as_parxls_own(failure):
    parent = os.getpid()
    here: list[int] = []

    def build():
        if os.getpid() != parent:
            if failure == "dies":
                os._exit(3)
            if failure == "unpicklable":
                return lambda: None
        here.append(os.getpid())
        raise ParxlError("Không tạo được bảng tổng hợp.")

    with Forked(build) as forked:
        pid = forked.pid
        with pytest.raises(ParxlError, match="Không tạo được bảng tổng hợp."):
            forked.result()
    assert here == [parent] and _reaped(pid)  # built again here: the error with its traceback, not lost


def test_ctrl_c_is_the_parents_the_child_is_stopped_and_reaped(tmp_path):
    parent = os.getpid()
    started, go = tmp_path / "started", tmp_path / "go"
    here: list[int] = []

    def build():
        if os.getpid() == parent:
            here.append(parent)
            return "here"
        started.touch()
        while not go.exists():
            time.sleep(0.01)
        return "child"

    # SIGINT to the child (as the terminal sends it to the whole group): ignored, it goes on
    with Forked(build) as forked:
        _wait_for(started)
        os.kill(forked.pid, signal.SIGINT)
        go.touch()
        assert forked.result() == "child" and here == []
    started.unlink()
    go.unlink()
    # Ctrl+C in the parent while the child builds: KeyboardInterrupt here, the child killed and reaped
    with pytest.raises(KeyboardInterrupt):
        with Forked(build) as forked:
            pid = forked.pid
            _wait_for(started)
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(6000):
                time.sleep(0.01)
    assert _reaped(pid) and here == [] and not go.exists()


def test_the_master_rows_aside_raise_here_what_deflate_rows_raises(tmp_path):
    """RowsAside (master/fastrows) on Forked: rows that fail to be made fail here, as parxl's error."""
    from parxl.master.fastrows import RowsAside
    parent = os.getpid()

    def rows():
        yield "<row/>"
        raise ParxlError("Dòng lỗi" if os.getpid() == parent else "child")

    with RowsAside(rows, tmp_path / "rows.bin", parallel=True) as aside:
        with pytest.raises(ParxlError, match="Dòng lỗi"):
            aside.result()
