"""``python -m parxl``: the ``parxl`` command, for where the console script is not on PATH
(the ``.cmd`` launchers of ``parxl control`` run it with the Python that installed parxl)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main.main(prog_name="parxl"))
