"""Worker process pools that Ctrl+C stops cleanly: the workers ignore SIGINT (the terminal sends it to the
whole process group) and the parent, which alone gets ``KeyboardInterrupt``, kills them (``stop_pool``).
Used by the intake's readers and the appraisal workbook builders."""
from __future__ import annotations

import signal
from concurrent.futures import ProcessPoolExecutor


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
    and drop what is queued; waits up to 5 s for each to end."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API kills a worker
    for process in processes:
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
