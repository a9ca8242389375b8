"""``python -m parxl`` and the ``parxl`` console script: the ``parxl`` command (``python -m parxl`` is for
where the console script is not on PATH: the ``.cmd`` launchers of ``parxl control`` run it with the Python
that installed parxl).

The command's modules are imported inside ``run``, so that Ctrl+C while they load (the first half second)
ends with the same Vietnamese line and exit code 130 as Ctrl+C during a command, not a Python traceback."""
import os
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
        if exc.code == EXIT_STOPPED:
            _end_stopped()
        raise


def _end_stopped() -> None:
    """After Ctrl+C (exit 130, every ``finally`` of the command has run and the message is printed): end the
    process at once when threads are still alive, without the interpreter's exit steps. There the standard
    library joins the threads of a process pool whose workers were killed (``core.workers.stop_pool``); one
    left reading a result a killed worker had half sent, or writing jobs nobody reads, would keep the
    process alive for ever, or print an English traceback (``concurrent.futures.process._python_exit``)."""
    if threading.active_count() > 1:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(EXIT_STOPPED)


if __name__ == "__main__":
    run("parxl")
