"""The CLI's progress display: one rich bar per step, with the count, the rate and the time.

``steps(console, enabled)`` is a context manager giving a ``Steps`` object; ``steps.step(title, unit)``
gives the ``core.progress.Progress`` callback of one step: its bar shows the title, the bar,
``done/total``, the rate («152,3 tệp/giây», Vietnamese decimal comma) and the elapsed time, and the
callback's label (a file name, a sheet) after it; ``steps.phase(title)`` shows a step that cannot count its
work (one long document) for as long as a ``with`` block runs. A step's bar appears with its first report, and the
previous step's bar is hidden then, so one line shows what is being done now. Bars are drawn only on
a terminal (``enabled``): on a pipe or in a log nothing is written.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, ProgressColumn, TaskID, \
    TextColumn, TimeElapsedColumn
from rich.text import Text

from ..core.numbers import vi_number
from ..core.progress import Progress

__all__ = ["steps", "Steps"]


class _Rate(ProgressColumn):
    """«152,3 tệp/giây»: the task's speed with a Vietnamese decimal comma, in the step's unit."""

    def render(self, task) -> Text:
        """The rate of ``task`` (a rich Task: ``speed``, ``fields["unit"]``) as rich Text."""
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", "")
        if speed is None:
            return Text(f"– {unit}/giây", style="progress.data.speed")
        return Text(f"{vi_number(round(speed, 1), 1)} {unit}/giây", style="progress.data.speed")


class Steps:
    """The bars of one command (see the module doc)."""

    def __init__(self, bar: RichProgress):
        self._bar = bar
        self._current: TaskID | None = None

    def step(self, title: str, unit: str = "tệp") -> Progress:
        """The progress callback of a step called ``title`` counting ``unit``s (Vietnamese)."""
        task: TaskID | None = None

        def report(done: int, total: int | None, label: str) -> None:
            nonlocal task
            if task is None:
                if self._current is not None:
                    self._bar.update(self._current, visible=False)
                task = self._current = self._bar.add_task(title, total=total, unit=unit, label="")
            shown = PurePath(label.split("!/")[-1]).name[:40] if label else ""
            self._bar.update(task, completed=done, total=total, label=shown)
            if total is not None and done >= total:
                self._bar.refresh()  # the finished count is drawn before the next step hides it
        return report


    @contextmanager
    def phase(self, title: str) -> Iterator[None]:
        """A step that cannot count its work (one document, one workbook): a bar with no total while the
        ``with`` block runs (the elapsed time moves), drawn full when it ends."""
        report = self.step(title, "bước")
        report(0, None, "")
        yield
        report(1, 1, "")


@contextmanager
def steps(console: Console, enabled: bool) -> Iterator[Steps]:
    """The bars of one command on ``console`` (stderr), drawn only when ``enabled`` (a terminal)."""
    with RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(),
                      TimeElapsedColumn(), TextColumn("{task.fields[label]}"), console=console, transient=True,
                      disable=not enabled) as bar:
        yield Steps(bar)
