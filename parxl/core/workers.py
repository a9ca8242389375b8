"""Worker process pools that Ctrl+C stops cleanly: the workers ignore SIGINT (the terminal sends it to the
whole process group) and the parent, which alone gets ``KeyboardInterrupt``, kills them (``stop_pool``).
``worker_pool`` is the one way a pool is started (the intake's readers, the appraisal workbook builders, the
documents' renderers). ``Forked``: one build run in a forked child process while the caller goes on (the
master's detail rows, the check's findings workbook)."""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Generic, TypeVar

Built = TypeVar("Built")  # what a forked build returns


def hold_ctrl_c(hold: bool, held: bool = True) -> bool:
    """Block (``hold``) or unblock SIGINT in this thread, where the platform can (POSIX); returns whether it
    could. Hold it while a pool starts its processes: a process started while it is blocked starts with it
    blocked, until its initializer calls ``ignore_ctrl_c``. ``held=False`` makes the call do nothing."""
    if not held or not hasattr(signal, "pthread_sigmask"):
        return False
    signal.pthread_sigmask(signal.SIG_BLOCK if hold else signal.SIG_UNBLOCK, {signal.SIGINT})
    return True


def ignore_ctrl_c() -> None:
    """In a worker process (its pool's initializer): ignore SIGINT from now on, including one held since
    its start. Ctrl+C is for the parent, which stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop the worker processes of ``pool`` at once (a stuck one would never return; they ignore Ctrl+C)
    and drop what is queued; waits up to 5 s for each to end, and up to 2 s for the pool's own thread to mark
    its jobs failed (a job cancelled meanwhile by this thread, as ``map``'s iterator does when dropped, would make that
    thread fail with an English traceback)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API kills a worker
    manager = getattr(pool, "_executor_manager_thread", None)
    for process in processes:
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
    if manager is not None:
        manager.join(timeout=2)  # stuck on a result a killed worker half sent: the CLI ends anyway (__main__)


@contextmanager
def worker_pool(workers: int, initializer: Callable[..., object] | None = None,
                initargs: tuple = ()) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` processes (an int >= 1) for a ``with`` block, which submits its jobs to the
    executor it yields; Ctrl+C stops the pool cleanly whenever it comes.

    Ctrl+C is held while the pool starts every one of its processes (one job that does nothing each); each
    worker ignores Ctrl+C from its start (``ignore_ctrl_c``), then runs ``initializer(*initargs)`` (where
    processes are spawned rather than forked, both are pickled). Ctrl+C is released once they are started: one
    pressed meanwhile raises ``KeyboardInterrupt`` there. Whatever leaves the block by an exception (an error,
    ``KeyboardInterrupt``, ``GeneratorExit`` when a generator stops early) stops the workers at once
    (``stop_pool``: the jobs not yet done are dropped) and is raised on; leaving it normally waits for the
    jobs submitted and ends the workers (``shutdown``). The block may stop the pool itself (``stop_pool``, a
    worker stuck): leaving it then does nothing more. Raises what the executor raises when it cannot start
    (``OSError``), after stopping what was started.
    """
    pool: ProcessPoolExecutor | None = None

    def stop() -> None:
        if pool is not None:
            stop_pool(pool)

    with _starting(stop):
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(initializer, initargs))
        for _ in range(workers):
            pool.submit(_started)
    try:
        yield pool
    except BaseException:  # an error, Ctrl+C or an early stop: no worker is left behind
        stop_pool(pool)
        raise
    try:
        pool.shutdown()
    except BaseException:  # Ctrl+C while the last jobs end
        stop_pool(pool)
        raise


@contextmanager
def _starting(stop: Callable[[], None]) -> Iterator[None]:
    """Hold Ctrl+C while the ``with`` block starts processes (a process started meanwhile starts with it
    held, until it ignores it), release it at the end: a Ctrl+C pressed meanwhile raises ``KeyboardInterrupt``
    there. Whatever leaves the block or the release by an exception calls ``stop()`` (end what was started)
    first."""
    held = hold_ctrl_c(True)
    try:
        yield
        hold_ctrl_c(False, held)  # a Ctrl+C pressed meanwhile raises KeyboardInterrupt here
    except BaseException:
        hold_ctrl_c(False, held)
        stop()
        raise


def _start_worker(initializer: Callable[..., object] | None, initargs: tuple) -> None:
    """A pool worker's initializer: Ctrl+C is for the parent, which stops the workers; then the caller's."""
    ignore_ctrl_c()
    if initializer is not None:
        initializer(*initargs)


def _started() -> None:
    """A job that does nothing: one per worker makes the pool start all its processes while Ctrl+C is held."""


# --- One build in a forked process (the master's detail rows, the check's findings workbook) ---

FORK = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()  # fork is safe: Linux


class Forked(Generic[Built]):
    """``build()`` run in a forked child process while the caller goes on; ``result()`` is what it returned.

    The child inherits ``build`` and what it reads (nothing is pickled but the value it returns, through a
    pipe). Where processes cannot be forked (``FORK`` false: not Linux), with ``parallel`` false, or when the
    fork fails, ``result()`` runs ``build()`` in this process. When the child fails (``build`` raised, the
    child died, its value could not be pickled) ``result()`` runs ``build()`` again here, so what it raises
    is raised in the caller's process as it would be without a child (parxl's own error, never lost).
    The child ignores Ctrl+C (SIGINT held while it starts): the parent alone gets ``KeyboardInterrupt`` and,
    leaving the ``with`` block (``close``), kills a child still running and reaps it (no zombie); a Ctrl+C
    pressed while the child starts kills and reaps it before ``KeyboardInterrupt`` is raised.
    """

    def __init__(self, build: Callable[[], Built], parallel: bool = True):
        self._build = build
        self._proc = self._recv = None
        self._done = False
        self._value: Built | None = None
        if not (parallel and FORK):
            return
        context = multiprocessing.get_context("fork")
        with _starting(self.close):  # a Ctrl+C while the child starts: killed and reaped, then raised
            try:
                self._recv, send = context.Pipe(duplex=False)
                self._proc = context.Process(target=_run_forked, args=(build, send), daemon=True)
                self._proc.start()
                send.close()
            except (OSError, ValueError):  # no fork here (resources): built by ``result()``
                self._proc = None
                self.close()

    @property
    def pid(self) -> int | None:
        """The child's process id (None when there is none)."""
        return self._proc.pid if self._proc is not None else None

    def result(self) -> Built:
        """``build()``'s value (made in the child, else here; see the class); waits for the child. Raises what
        ``build()`` raises here."""
        if self._done:
            return self._value  # type: ignore[return-value]
        data = None
        if self._proc is not None:
            try:
                data = self._recv.recv_bytes()  # type: ignore[union-attr]
            except (EOFError, OSError):  # the child failed before sending
                data = None
            finally:
                self.close()
        value = pickle.loads(data) if data is not None else self._build()
        self._done, self._value = True, value
        return value

    def close(self) -> None:
        """Kill the child if it still runs and reap it; idempotent. ``result()`` then builds here."""
        if self._recv is not None:
            self._recv.close()
            self._recv = None
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join()
            self._proc = None

    def __enter__(self) -> "Forked[Built]":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _run_forked(build: Callable[[], object], send) -> None:
    ignore_ctrl_c()
    try:
        send.send_bytes(pickle.dumps(build(), pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - the parent builds it again and raises what fails
        os._exit(1)
