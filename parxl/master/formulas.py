"""Excel formulas of the master workbook, built from the campaign's configuration.

Only functions that compute alike in Excel and LibreOffice 7.4 are used (IF,
AND, ROUND, MIN, MAX, SUM, RANK, COUNT, COUNTIF, AVERAGE); numbers are written
with '.' decimals whatever the user's locale.
"""
from __future__ import annotations

from decimal import Decimal

from xlsxwriter.utility import xl_rowcol_to_cell

from ..core.numbers import excel_number
from ..criteria.framework import Band
from ..criteria.intervals import Interval


def cell(row: int, col: int, absolute: bool = False) -> str:
    """An A1 reference of (``row``, ``col``), 0-based («C5»), with ``$``s when ``absolute``."""
    return xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)


def column_range(first_row: int, last_row: int, col: int, sheet: str | None = None) -> str:
    """An absolute one-column range ($M$5:$M$20), optionally on another sheet."""
    ref = f"{cell(first_row, col, True)}:{cell(max(first_row, last_row), col, True)}"
    return f"{quote_sheet(sheet)}!{ref}" if sheet else ref


def quote_sheet(name: str) -> str:
    """A sheet name quoted for a formula reference («'Xếp hạng'», inner quotes doubled)."""
    return "'" + name.replace("'", "''") + "'"


def text_literal(text: str) -> str:
    """A text as an Excel string literal, inner double quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def countif_criterion(text: str) -> str:
    """A COUNTIF/SUMIF criterion (an Excel string literal) matching cells equal to ``text`` and nothing
    else: «=» first, so a leading «=», «<» or «>» of the text is not read as a comparison, and the
    wildcards «*», «?» and the escape «~» escaped with «~». Like COUNTIF itself, case is ignored."""
    escaped = text.replace("~", "~~").replace("*", "~*").replace("?", "~?")
    return text_literal("=" + escaped)


def interval_test(ref: str, interval: Interval) -> str:
    """A condition true when the value in ``ref`` lies in ``interval``."""
    tests = []
    if interval.lo is not None:
        tests.append(f"{ref}{'>=' if interval.lo_closed else '>'}{excel_number(interval.lo)}")
    if interval.hi is not None:
        tests.append(f"{ref}{'<=' if interval.hi_closed else '<'}{excel_number(interval.hi)}")
    if not tests:
        return "TRUE"
    return tests[0] if len(tests) == 1 else f"AND({','.join(tests)})"


def band_formula(index_ref: str, bands: list[Band]) -> str:
    """=IF(index="","",IF(test1,"Tốt",IF(test2,"Khá",…,""))): the classification of an index."""
    expr = '""'
    for band in reversed(bands):
        expr = f"IF({interval_test(index_ref, band.interval)},{text_literal(band.label)},{expr})"
    return f'=IF({index_ref}="","",{expr})'


def total_formula(part_refs: list[str], bonus_ref: str, penalty_ref: str, max_points: Decimal | str,
                  decimals: int) -> str:
    """Total = parts + bonus − penalty, kept within [0, max] as parxl does; ``max_points`` is a number of
    points or the reference of the cell holding the unit's own maximum."""
    parts = "+".join(part_refs) or "0"
    top = max_points if isinstance(max_points, str) else excel_number(max_points)
    return f"=ROUND(MIN({top},MAX(0,{parts}+{bonus_ref}-{penalty_ref})),{decimals})"


def index_formula(total_ref: str, max_points: Decimal | str) -> str:
    """Index (%) from the total. total*100/max rather than total/max*100: one rounding step fewer.
    ``max_points`` is a number of points or the reference of the cell holding the unit's own maximum (0 → 0 %)."""
    if isinstance(max_points, str):
        return f"=IF({max_points}>0,ROUND({total_ref}*100/{max_points},2),0)"
    if max_points == 0:
        return "=0"
    return f"=ROUND({total_ref}*100/{excel_number(max_points)},2)"


def sum_formula(refs: list[str], decimals: int) -> str:
    """``=ROUND(SUM(refs),decimals)``, or ``=0`` for no reference."""
    return f"=ROUND(SUM({','.join(refs)}),{decimals})" if refs else "=0"
