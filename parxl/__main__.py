"""``python -m parxl`` and the ``parxl`` console script: the ``parxl`` command (``python -m parxl`` is for
where the console script is not on PATH: the ``.cmd`` launchers of ``parxl control`` run it with the Python
that installed parxl).

The command's modules are imported inside ``run``, so that Ctrl+C while they load (the first half second)
ends with the same Vietnamese line and exit code 130 as Ctrl+C during a command, not a Python traceback."""
import os
import signal
import sys
import threading

from .core.errors import EXIT_STOPPED, STOPPED


def run(prog_name: str | None = None) -> None:
    """Import and run the ``parxl`` command; exits with its code (130 for Ctrl+C while it loads)."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write(STOPPED + "\n")
        sys.exit(EXIT_STOPPED)
    try:
        main.main(prog_name=prog_name)
    except SystemExit as exc:
        _end(exc.code)
        raise


THREADS_GRACE = 2.0  # seconds a thread still running when a command has succeeded is waited for


def _end(code: object) -> None:
    """End the process at once with ``code`` when threads are still running once the command has ended (every
    ``finally`` of it has run and its messages are printed): after an error or Ctrl+C (exit code not 0), when
    any thread is left; after success, when a thread the interpreter's exit would wait for (not a daemon) is
    still running ``THREADS_GRACE`` seconds later. The interpreter's exit joins the threads of a process pool
    whose workers were killed (``core.workers.stop_pool``, after Ctrl+C or an error such as an output file that
    cannot be written): multiprocessing's exit joins a queue's feeder thread (a daemon) still writing jobs nobody
    reads, ``concurrent.futures`` its manager thread left reading a result a killed worker had half sent; either
    would keep the process alive for ever, or print an English traceback.

    Ctrl+C is ignored from here on: the command's work is done and said; one pressed while the interpreter
    ends (joining its threads) would only print an English «Exception ignored … KeyboardInterrupt»."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (parxl run from another program's thread): nothing to ignore
        pass
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if not others:
        return
    if code in (0, None):
        import time
        waiting = [t for t in others if not t.daemon]
        until = time.monotonic() + THREADS_GRACE
        for thread in waiting:
            thread.join(max(0.0, until - time.monotonic()))
        if not any(thread.is_alive() for thread in waiting):
            return
    elif not any(thread.is_alive() for thread in others):
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0 if code is None else code if isinstance(code, int) else 1)


if __name__ == "__main__":
    run("parxl")
