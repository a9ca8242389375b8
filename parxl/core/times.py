"""Time stamps as parxl writes them: UTC for what the machine records, local for what the clerk reads.

- ``utc_iso``: the ledger's times (received, checked, kept), a file's modification time, and the
  ``generated_at`` written into a workbook's hidden metadata. ISO 8601 with a ``Z``.
- ``local_iso``: the moment results are made (``Results.made_at``). It is shown as the date and
  time on the master workbook and the documents and is part of the master's file name, so it is
  the clerk's wall-clock time, without a zone.
"""
from __future__ import annotations

import datetime as dt


def utc_iso(when: dt.datetime | float | None = None, *, micro: bool = True) -> str:
    """``when`` in UTC as ISO 8601: «2026-01-09T08:15:00.123456Z», or «…T08:15:00Z» with ``micro=False``.

    ``when``: None for now, a POSIX timestamp in seconds (``st_mtime``), or a datetime (an aware
    one is converted to UTC; a naive one is taken to be UTC already). Raises ``OverflowError`` or
    ``OSError`` for a timestamp outside what the platform can represent.
    """
    if when is None:
        when = dt.datetime.now(dt.timezone.utc)
    elif isinstance(when, (int, float)):
        when = dt.datetime.fromtimestamp(when, dt.timezone.utc)
    elif when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def local_iso(when: dt.datetime | None = None) -> str:
    """``when`` (default now) in local time to the second, without a zone: «2026-01-09T15:15:00»."""
    return (when or dt.datetime.now()).isoformat(timespec="seconds")
