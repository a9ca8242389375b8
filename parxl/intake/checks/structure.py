"""Where is each row? Sheets present, column headings in place, rows found by code and defined name.

Each row of ``layout.plan_rows`` is looked for by the code in column A and by
its defined name (the score or subtotal cell). The code wins: when rows were
sorted, data moved with their codes. Rows that moved are still read and said
so once; rows found nowhere are reported one by one.
"""
from __future__ import annotations

import re

from ...core.texts import normalize_text
from ...workbook import layout
from ..submission import text_of
from . import Context
from .expected import expected

_NAME_REF = re.compile(r"^'?(?P<sheet>(?:[^']|'')+?)'?!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>[0-9]+)$")


def name_target(names: dict[str, str], name: str) -> tuple[str, str, int] | None:
    """(sheet, column, row) a defined name points at, or None when lost or broken (#REF!)."""
    ref = names.get(name)
    if not ref:
        return None
    m = _NAME_REF.match(ref.lstrip("="))
    if not m:
        return None
    return m.group("sheet").replace("''", "'"), m.group("col"), int(m.group("row"))


def _name_row(ctx: Context, name: str) -> int | None:
    target = name_target(ctx.sub.names, name)
    return target[2] if target and target[0] == layout.SHEET_ASSESS else None


def check(ctx: Context) -> None:
    """Sheets present, column titles as the layout contract says, and each planned row located.

    Fills ``ctx.specs``, ``ctx.rows`` (code -> actual 1-based row) and ``ctx.total_row``; sets
    ``ctx.stop`` when a sheet is missing.
    """
    sub = ctx.sub
    for sheet in (layout.SHEET_ASSESS, layout.SHEET_META):
        if sub.sheet_info(sheet) is None:
            ctx.add("sheet-missing", sheet=sheet)
            ctx.stop = True
    if ctx.stop or sub.assess is None:
        ctx.stop = True
        return
    if sub.assess.stopped_after is not None:
        ctx.add("sheet-oversized", sheet=ctx.sheet, limit=sub.assess.stopped_after,
                expected=layout.plan_rows(ctx.framework)[-1].row)
    heading = _heading_row(ctx)
    _check_columns(ctx, heading)
    _locate_rows(ctx, heading)


def _heading_row(ctx: Context) -> int:
    title = layout.COLUMN_TITLES["code"]
    for r in range(1, layout.FIRST_ROW + 40):
        cell = ctx.sub.cell(r, layout.COLUMNS["code"])
        if cell is not None and text_of(cell).strip() == title:
            return r
    return layout.HEADING_ROW


def _check_columns(ctx: Context, heading: int) -> None:
    for role, title in layout.COLUMN_TITLES.items():
        found = text_of(ctx.sub.cell(heading, layout.COLUMNS[role])).strip()
        if normalize_text(found) != title:
            ctx.add("columns-changed", sheet=ctx.sheet, cell=layout.cell_ref(role, heading),
                    found=found or "(trống)", expected=title)
            return


def _locate_rows(ctx: Context, heading: int) -> None:
    plan = expected(ctx.framework)
    ctx.specs = list(plan.specs)
    code_col = layout.COLUMNS["code"]
    by_code: dict[str, int] = {}
    for (r, col), cell in ctx.sub.assess.cells.items():
        if col == code_col and r > heading:
            code = text_of(cell).strip()
            if code and code not in by_code:
                by_code[code] = r
    names = ctx.sub.names
    moved = []
    for spec, name, planned_ref, planned_row in plan.located:
        code_row = by_code.get(spec.code)
        ref = names.get(name)
        name_row = None if ref is None else planned_row if ref == planned_ref else _name_row(ctx, name)
        if code_row is not None:
            row = code_row
            if name_row is not None and name_row != code_row:
                ctx.add("rows-reordered", sheet=ctx.sheet, cell=layout.cell_ref("code", code_row), item=spec.code,
                        found=code_row, expected=name_row)
        elif name_row is not None:
            row = name_row
            found = text_of(ctx.sub.cell(row, layout.COLUMNS["code"])) or "(trống)"
            ctx.add("locked-cell-changed", sheet=ctx.sheet, cell=layout.cell_ref("code", row), item=spec.code,
                    what=f"mã của {_label(spec)}", expected=spec.code, found=found)
        else:
            ctx.add("row-missing", sheet=ctx.sheet, item=spec.code)
            continue
        ctx.rows[spec.code] = row
        if row != spec.row:
            moved.append((spec, row))
    ctx.total_row = _name_row(ctx, layout.NAME_TOTAL) or _find_total(ctx, heading)
    if moved:
        spec, row = moved[0]
        ctx.add("rows-shifted", sheet=ctx.sheet, cell=layout.cell_ref("code", row), example=spec.code, count=len(moved),
                found=row, expected=spec.row)


def _find_total(ctx: Context, heading: int) -> int | None:
    for (r, col), cell in sorted(ctx.sub.assess.cells.items()):
        if col == layout.COLUMNS["title"] and r > heading and text_of(cell).strip() == layout.WORDING["total"]:
            return r
    return None


def _label(spec) -> str:
    return f"tiêu chí {spec.code}" if spec.kind in ("item", "bonus", "penalty") else f"mục {spec.code}"
