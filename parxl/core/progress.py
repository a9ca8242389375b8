"""The one progress callback every long step reports to.

A long step (generating the workbooks, reading the inbox, writing the master, the demo)
takes an optional ``progress: Progress`` and calls it as ``progress(done, total, label)``:

- ``done``: how many of its units of work are finished (0 … ``total``);
- ``total``: how many there are, or ``None`` when the step cannot count them;
- ``label``: what is being done, in Vietnamese for a person to read (a file name, a sheet,
  a stage of the demo); may be ``""``.

Callers adapt it to what they show: the CLI to rich progress bars, the demo to one bar per
stage (``labelled``), the Excel adapter to nothing (``silent``). A callback must not raise;
what it raises goes up through the step.
"""
from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """``(done: int, total: int | None, label: str) -> None``: see the module doc."""

    def __call__(self, done: int, total: int | None, label: str) -> None: ...


def silent(done: int, total: int | None, label: str) -> None:
    """A ``Progress`` that shows nothing: what a step uses when its caller passed none."""


def labelled(progress: Progress | None, label: str) -> Progress:
    """A ``Progress`` that reports to ``progress`` under a fixed ``label`` (a stage's title), whatever
    label the step gives; ``silent`` when ``progress`` is None."""
    if progress is None:
        return silent

    def report(done: int, total: int | None, _label: str) -> None:
        progress(done, total, label)
    return report
