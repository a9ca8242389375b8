"""The one pool starter (core.workers.worker_pool, used by the intake's readers, the appraisal workbook
builders and the documents' renderers) and the start guard ``Forked`` shares with it.

Oracles: ``multiprocessing.active_children`` (the processes started), what a job sees in its worker (its
SIGINT handler, what the initializer set, its process id), ``os.waitpid`` (a child reaped is no longer ours:
no zombie, nothing left running), the exception raised and its type. Ctrl+C is SIGINT sent to this process
while the pool starts (a hook on ``multiprocessing``'s ``Process.start``), with Python's own handler.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.process as P
import os
import signal
import time

import pytest

from parxl.core import workers
from parxl.core.workers import Forked, stop_pool, worker_pool
from test_forked import _reaped

pytestmark = pytest.mark.skipif(not workers.FORK, reason="fork: Linux")

_SET: list[str] = []  # in a worker: what the initializer was given


def _initializer(word: str) -> None:
    _SET.append(word)


def _what_the_worker_sees(delay: float = 0.0) -> tuple[bool, list[str], int]:
    time.sleep(delay)
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN, list(_SET), os.getpid()


def _hang() -> None:
    time.sleep(3600)


def test_every_worker_is_started_and_ignores_ctrl_c_before_the_block_and_ends_after_it():
    with worker_pool(2, _initializer, ("sẵn sàng",)) as pool:
        started = sorted(p.pid for p in multiprocessing.active_children())
        assert len(started) == 2
        seen = [f.result() for f in [pool.submit(_what_the_worker_sees, 0.2) for _ in range(4)]]
        last = pool.submit(_what_the_worker_sees, 0.3)
    assert last.done() and last.result()[0]  # leaving the block waited for the job submitted
    assert all(ignored and words == ["sẵn sàng"] for ignored, words, _ in seen)
    assert {pid for _, _, pid in seen} <= set(started)
    assert all(_reaped(pid) for pid in started) and multiprocessing.active_children() == []


def test_an_error_in_the_block_stops_the_workers_and_drops_their_jobs():
    with pytest.raises(ValueError, match="hỏng"):
        with worker_pool(2) as pool:
            started = [p.pid for p in multiprocessing.active_children()]
            jobs = [pool.submit(_hang) for _ in range(5)]
            raise ValueError("hỏng")
    assert len(started) == 2 and all(_reaped(pid) for pid in started)
    assert all(job.done() for job in jobs)  # failed or cancelled once the pool is stopped


def test_a_generator_closed_early_stops_its_workers_and_no_thread_fails(monkeypatch):
    """As ``documents.render.render_each`` does: jobs submitted by ``map``, whose iterator, dropped after the
    pool is stopped, cancels what is left; the pool's own thread marks its jobs failed meanwhile (repeated:
    a race, which CPython 3.11's thread loses with an ``InvalidStateError`` when a job is cancelled first)."""
    failed: list[str] = []
    monkeypatch.setattr("threading.excepthook", lambda args: failed.append(args.exc_type.__name__))

    def documents():
        with worker_pool(2) as pool:
            rendered = pool.map(abs, range(-2000, 0), chunksize=16)
            for n in rendered:
                yield n

    for _ in range(40):
        made = documents()
        assert next(made) == 2000
        started = [p.pid for p in multiprocessing.active_children()]
        made.close()
        assert len(started) == 2 and all(_reaped(pid) for pid in started)
    assert failed == []


def test_the_block_may_stop_its_pool_itself():
    with worker_pool(2) as pool:
        started = [p.pid for p in multiprocessing.active_children()]
        stuck = pool.submit(_hang)
        with pytest.raises(TimeoutError):
            stuck.result(timeout=0.2)
        stop_pool(pool)
    assert all(_reaped(pid) for pid in started) and stuck.done()


@pytest.fixture
def ctrl_c_after_start(monkeypatch):
    """SIGINT to this process right after the n-th process is started (Python's own handler: it raises
    ``KeyboardInterrupt``); yields the list of the process ids started and ``at``, whose ``at[0]`` is n."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    pids: list[int] = []
    at = [1]
    start = P.BaseProcess.start

    def start_then_ctrl_c(self):
        start(self)
        pids.append(self.pid)
        if len(pids) == at[0]:
            os.kill(os.getpid(), signal.SIGINT)
    monkeypatch.setattr(P.BaseProcess, "start", start_then_ctrl_c)
    yield pids, at
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("n", [1, 2])
def test_ctrl_c_while_the_workers_start_stops_them_before_the_block_runs(ctrl_c_after_start, n):
    pids, at = ctrl_c_after_start
    at[0] = n
    ran = []
    with pytest.raises(KeyboardInterrupt):
        with worker_pool(2):
            ran.append(True)
    assert ran == [] and len(pids) == 2 and all(_reaped(pid) for pid in pids)


def test_ctrl_c_while_a_forked_child_starts_kills_and_reaps_it(ctrl_c_after_start):
    pids, _ = ctrl_c_after_start
    with pytest.raises(KeyboardInterrupt):
        Forked(_hang)
    assert len(pids) == 1 and _reaped(pids[0])
