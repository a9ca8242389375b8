"""The master workbook («bảng tổng hợp»): ranking, fields, detail, statistics, missing units, sources.

``write_master(results, output_dir)`` writes a new file in ``output_dir`` and
returns its path; earlier masters are never overwritten (each carries its
creation time in its name) and the file appears only when complete (written to
a temporary name, then renamed).

May import: parxl.core … parxl.survey. Never a later stage (see parxl/__init__.py for the order).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import xlsxwriter

from ..core.numbers import vi_number
from ..results.compute import Results
from .detail import DetailRows, write_detail
from .fastrows import append_rows
from .fields import write_fields
from .missing import GROUP_TITLES, left_out, left_out_by_state, situation, write_missing
from .names import SHEET_DETAIL, SHEET_FIELDS, SHEET_MISSING, SHEET_RANKING, SHEET_SOURCES, SHEET_STATS
from .previous import MASTER_PREFIX, PreviousEntry, PreviousError, latest_master, read_previous
from .ranking import write_ranking
from .sources import write_sources
from .stats import write_stats
from .styles import Formats
from .view import make_view

__all__ = ["write_master", "master_name", "read_previous", "latest_master", "PreviousEntry", "PreviousError",
           "left_out", "left_out_by_state", "GROUP_TITLES", "situation", "MASTER_PREFIX"]

Progress = Callable[[str], None]


def master_name(output_dir: Path, results: Results) -> Path:
    """A path in ``output_dir`` that no file has: …-<year>-<yyyymmdd-hhmmss>[-n].xlsx."""
    stamp = results.made_at.replace("-", "").replace(":", "").replace("T", "-")[:15]
    base = f"{MASTER_PREFIX}{results.campaign.year}-{stamp}"
    candidate, n = output_dir / f"{base}.xlsx", 1
    while candidate.exists():
        n += 1
        candidate = output_dir / f"{base}-{n}.xlsx"
    return candidate


def write_master(results: Results, output_dir: str | Path, previous: Mapping[str, PreviousEntry] | None = None,
                 progress: Progress | None = None) -> Path:
    """Write the master workbook of ``results``; ``previous`` adds the change against an earlier campaign."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    target = master_name(output_dir, results)
    draft = output_dir / f".{target.stem}.{os.getpid()}.draft.xlsx"
    temp = output_dir / f".{target.stem}.{os.getpid()}.tmp.xlsx"
    step = progress or (lambda _message: None)
    try:
        detail = _build(results, draft, previous, step)
        step(f"Trang «{SHEET_DETAIL}»: {vi_number(len(results.units))} đơn vị")
        append_rows(draft, temp, detail.sheet_index, detail.rows, detail.last_row, detail.last_col)
        if target.exists():  # a concurrent run took the name meanwhile
            target = master_name(output_dir, results)
        os.replace(temp, target)
    finally:
        draft.unlink(missing_ok=True)
        temp.unlink(missing_ok=True)
    return target


def _build(results: Results, path: Path, previous: Mapping[str, PreviousEntry] | None,
           step: Progress) -> DetailRows:
    view = make_view(results)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False,
                                         "use_zip64": True})
    wb.set_properties({"title": view.heading, "subject": "Chỉ số cải cách hành chính", "author": "parxl",
                       "created": view.made_at})
    fmt = Formats(wb)
    sheets = {name: wb.add_worksheet(name) for name in (SHEET_RANKING, SHEET_FIELDS, SHEET_DETAIL, SHEET_STATS,
                                                         SHEET_MISSING, SHEET_SOURCES)}
    step(f"Trang «{SHEET_RANKING}»")
    ranking = write_ranking(sheets[SHEET_RANKING], fmt, view, previous)
    step(f"Trang «{SHEET_FIELDS}»")
    fields_avg_row = write_fields(sheets[SHEET_FIELDS], fmt, view)
    detail = write_detail(sheets[SHEET_DETAIL], fmt, view)
    step(f"Trang «{SHEET_STATS}»")
    write_stats(wb, sheets[SHEET_STATS], fmt, view, ranking, fields_avg_row)
    step(f"Trang «{SHEET_MISSING}», «{SHEET_SOURCES}»")
    write_missing(sheets[SHEET_MISSING], fmt, view)
    write_sources(sheets[SHEET_SOURCES], fmt, view)
    sheets[SHEET_RANKING].activate()
    wb.close()
    return detail
