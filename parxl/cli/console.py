"""Shared rich consoles and printers for the CLI."""
from __future__ import annotations

from rich.console import Console

from ..framework import FrameworkError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def print_framework_error(exc: FrameworkError) -> None:
    err_console.print(f"[bold red]Bộ chỉ số «{exc.source}» có {len(exc.problems)} lỗi:[/]")
    for problem in exc.problems:
        err_console.print(f"  • [bold]{problem.path}[/]: {problem.message}")
