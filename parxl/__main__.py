"""``python -m parxl`` and the ``parxl`` console script: the ``parxl`` command (``python -m parxl`` is for
where the console script is not on PATH: the ``.cmd`` launchers of ``parxl control`` run it with the Python
that installed parxl).

The command's modules are imported inside ``run``, so that Ctrl+C while they load (the first half second)
ends with the same Vietnamese line and exit code 130 as Ctrl+C during a command, not a Python traceback."""
import sys

from .core.errors import EXIT_STOPPED, STOPPED


def run(prog_name: str | None = None) -> None:
    """Import and run the ``parxl`` command; exits with its code (130 for Ctrl+C while it loads)."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write(STOPPED + "\n")
        sys.exit(EXIT_STOPPED)
    sys.exit(main.main(prog_name=prog_name))


if __name__ == "__main__":
    run("parxl")
