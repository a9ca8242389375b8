"""The master workbook («bảng tổng hợp»): ranking, fields, detail, statistics, missing units, sources.

``write_master(results, output_dir)`` writes a new file in ``output_dir`` and
returns its path; earlier masters are never overwritten (each carries its
creation time in its name) and the file appears only when complete (written to
a temporary name, then given its name by ``core.files.link_new``).

May import: parxl.core … parxl.survey. Never a later stage (see parxl/__init__.py for the order).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import xlsxwriter

from ..core.files import link_new, numbered_names, ordinary_mode, temp_path
from ..core.numbers import vi_number
from ..core.progress import Progress, silent
from ..results.compute import Results
from .detail import DetailRows, detail_rows, detail_size, write_detail
from .fastrows import PARALLEL_FROM_ROWS, RowsAside, quick_formulas, splice_rows
from .fields import write_fields
from .missing import GROUP_TITLES, left_out, left_out_by_state, situation, write_missing
from .names import SHEET_DETAIL, SHEET_FIELDS, SHEET_MISSING, SHEET_RANKING, SHEET_SOURCES, SHEET_STATS
from .previous import MASTER_PREFIX, PreviousEntry, PreviousError, latest_master, read_previous
from .ranking import write_ranking
from .sources import write_sources
from .stats import write_stats
from .survey_sheet import SHEET_SURVEY, survey_sheet_wanted, write_survey_sheet
from .styles import MasterFormats
from .view import View, make_view

__all__ = ["write_master", "master_name", "read_previous", "latest_master", "PreviousEntry", "PreviousError",
           "left_out", "left_out_by_state", "GROUP_TITLES", "situation", "MASTER_PREFIX"]

STEPS = 5  # what ``write_master`` reports to its progress: (done, STEPS, sheet)


def _first_name(output_dir: Path, results: Results) -> Path:
    """«tong-hop-chi-so-cchc-<year>-<yyyymmdd-hhmmss>.xlsx» in ``output_dir``, from ``results.made_at``."""
    stamp = results.made_at.replace("-", "").replace(":", "").replace("T", "-")[:15]
    return output_dir / f"{MASTER_PREFIX}{results.campaign.year}-{stamp}.xlsx"


def master_name(output_dir: Path, results: Results) -> Path:
    """A path in ``output_dir`` that no file has: …-<year>-<yyyymmdd-hhmmss>[-n].xlsx (n from 2)."""
    return next(p for p in numbered_names(_first_name(output_dir, results)) if not p.exists())


def write_master(results: Results, output_dir: str | Path, previous: Mapping[str, PreviousEntry] | None = None,
                 progress: Progress | None = None, meanwhile: Callable[[], object] | None = None) -> Path:
    """Write the master workbook of ``results`` into ``output_dir`` (created); returns its path.

    ``previous`` (unit code → entry) adds the change against an earlier campaign; ``progress``
    (``core.progress.Progress``) gets ``(done, STEPS, sheet being written)`` per step. The file gets the first free name of ``master_name`` through
    ``core.files.link_new``: an earlier master, or one a concurrent run just wrote, is never
    overwritten, and the name appears only when the file is complete. ``meanwhile``, when given, is
    called once XlsxWriter is done, while the detail rows may still be made in another process (the
    caller's own work, overlapped). Raises ``OSError`` when ``output_dir`` cannot be written, and what
    ``meanwhile`` raises; no temp file is left.
    """
    output_dir = Path(output_dir)
    step = progress or silent
    view = make_view(results)
    last_row, _ = detail_size(view)
    with temp_path(output_dir) as draft, temp_path(output_dir) as temp, temp_path(output_dir) as rows_file, \
            RowsAside(lambda: detail_rows(view), rows_file, parallel=last_row >= PARALLEL_FROM_ROWS) as aside:
        # The detail sheet's rows are made and compressed (in another process where it can) while
        # XlsxWriter writes the other sheets, then joined to the sheet's head.
        detail = _build(results, draft, previous, step, view)
        if meanwhile is not None:
            meanwhile()
        step(4, STEPS, f"Trang «{SHEET_DETAIL}»: {vi_number(len(results.units))} đơn vị")
        splice_rows(draft, temp, detail.sheet_index, aside.result(), detail.last_row, detail.last_col)
        os.chmod(temp, ordinary_mode())
        return link_new(temp, _first_name(output_dir, results))


def _build(results: Results, path: Path, previous: Mapping[str, PreviousEntry] | None,
           step: Progress, view: View | None = None) -> DetailRows:
    view = view or make_view(results)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False,
                                         "use_zip64": True})
    wb.set_properties({"title": view.heading, "subject": "Chỉ số cải cách hành chính", "author": "parxl",
                       "created": view.made_at})
    fmt = MasterFormats(wb)
    sheets = {name: wb.add_worksheet(name) for name in (SHEET_RANKING, SHEET_FIELDS, SHEET_DETAIL, SHEET_STATS,
                                                         SHEET_MISSING, SHEET_SOURCES)}
    for ws in sheets.values():
        quick_formulas(ws)
    step(0, STEPS, f"Trang «{SHEET_RANKING}»")
    ranking = write_ranking(sheets[SHEET_RANKING], fmt, view, previous)
    step(1, STEPS, f"Trang «{SHEET_FIELDS}»")
    fields_avg_row = write_fields(sheets[SHEET_FIELDS], fmt, view)
    detail = write_detail(sheets[SHEET_DETAIL], fmt, view)
    step(2, STEPS, f"Trang «{SHEET_STATS}»")
    write_stats(wb, sheets[SHEET_STATS], fmt, view, ranking, fields_avg_row)
    step(3, STEPS, f"Trang «{SHEET_MISSING}», «{SHEET_SOURCES}»")
    write_missing(sheets[SHEET_MISSING], fmt, view)
    write_sources(sheets[SHEET_SOURCES], fmt, view)
    if survey_sheet_wanted(view):
        write_survey_sheet(wb.add_worksheet(SHEET_SURVEY), fmt, view)
    sheets[SHEET_RANKING].activate()
    wb.close()
    return detail
