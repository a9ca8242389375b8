"""Shared rich consoles and printers for the CLI.

Every line the CLI prints goes through ``console`` (stdout) or ``err_console`` (stderr). In a
terminal rich wraps text and tables to the terminal's width as usual. Written to a pipe, a log or
a test runner, nothing is hard-wrapped or cut: a message stays on one line whatever ``COLUMNS``
says, and a table takes the width its contents need, so that logs can be searched and scripts can
match on messages. Progress bars are shown only in a terminal (pass
``disable=not console.writes_to_terminal()``): rich ends a bar on a pipe with a blank line.
"""
from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleDimensions

from ..criteria.framework import FrameworkError

# Columns given to tables and text when the output is not a terminal: wide enough for any line
# parxl prints, so nothing is wrapped or cut; tables never stretch to it (they do not expand).
UNBOUNDED_WIDTH = 10_000


class CliConsole(Console):
    """A rich ``Console`` that wraps only for a terminal.

    Whether the output is a terminal is asked of the stream itself (``isatty``) at each print, so
    a console made at import time follows a stream swapped later (pytest, click's CliRunner), and
    ``FORCE_COLOR`` / ``TTY_COMPATIBLE`` may turn on colours in a CI log without turning on wrapping.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("width") is None:
            # rich fixes the width from COLUMNS once, here; ``size`` reads COLUMNS itself, and only
            # for a terminal.
            self._width = None

    def writes_to_terminal(self) -> bool:
        """True when the stream the console writes to is a terminal device."""
        isatty = getattr(self.file, "isatty", None)
        try:
            return bool(isatty and isatty())
        except ValueError:  # a closed stream
            return False

    @property
    def size(self) -> ConsoleDimensions:
        """The terminal's size; for a pipe or a file, :data:`UNBOUNDED_WIDTH` columns."""
        size = Console.size.fget(self)  # type: ignore[attr-defined]
        if self._width is None and not self.writes_to_terminal():
            return ConsoleDimensions(UNBOUNDED_WIDTH, size.height)
        return size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]

    def print(self, *objects: Any, soft_wrap: bool | None = None, **kwargs: Any) -> None:
        """``Console.print``; text is soft-wrapped (never broken by rich) when not in a terminal."""
        if soft_wrap is None and not self.writes_to_terminal():
            soft_wrap = True
        super().print(*objects, soft_wrap=soft_wrap, **kwargs)


console = CliConsole(highlight=False)
err_console = CliConsole(stderr=True, highlight=False)


def print_framework_error(exc: FrameworkError) -> None:
    """The problems of a criteria set on stderr: a count line naming the file, then one line per
    problem («path: message»).
    """
    err_console.print(f"[bold red]Bộ chỉ số «{exc.source}» có {len(exc.problems)} lỗi:[/]")
    for problem in exc.problems:
        err_console.print(f"  • [bold]{problem.path}[/]: {problem.message}")
