"""Cached values: what the file shows against what parxl computes from its inputs.

A difference is a warning for the appraiser (the file was not recalculated,
or a value was typed as text that Excel reads differently); parxl's own
computation is what counts. A cell without a cached value (never opened in a
spreadsheet) is not compared: an absent value is never trusted.
"""
from __future__ import annotations

from decimal import Decimal

from ...core.numbers import quantize, vi_number
from ...workbook import layout
from . import Context, shown
from .expected import expected


def check(ctx: Context) -> None:
    """Cached score and total values against parxl's scores of the read inputs (``cached-value-differs``
    warnings, compared at the criteria set's decimals); formula cells already reported as tampered are skipped."""
    if ctx.scores is None:
        return
    d = ctx.framework.decimals
    for item in expected(ctx.framework).scored_items:
        row = ctx.rows.get(item.code)
        if row is not None:
            _compare(ctx, row, ctx.scores.items[item.code], item.code, d)
    if ctx.total_row is not None and all(s.code in ctx.rows for s in ctx.specs if s.code and s.kind != "adjust_header"):
        _compare(ctx, ctx.total_row, ctx.scores.total, None, d)


def _compare(ctx: Context, row: int, computed: Decimal, code: str | None, d: int) -> None:
    ref = layout.cell_ref("score", row)
    if ref in ctx.tampered_cells:
        return
    cell = ctx.cell(row, "score")
    if cell is None or cell.value is None or cell.formula is None:
        return
    value = cell.value
    if isinstance(value, Decimal) and (value == computed or quantize(value, d) == quantize(computed, d)):
        return
    ctx.add("cached-value-differs", sheet=ctx.sheet, cell=ref, item=code, what=code or "tổng điểm",
            found=shown(cell), expected=vi_number(computed))
