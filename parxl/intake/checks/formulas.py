"""Formulas and locked cells: what the unit may not change.

Each score formula is compared with what the rule emits *for the row where
the item actually is* (``Item.formula`` with ``layout.input_refs``), each
subtotal and the total with ``scoring.subtotal_formula``/``total_formula``
over the actual rows. Codes, titles, max points and the option lists behind
the dropdowns are compared with the criteria set.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from ...core.numbers import vi_number
from ...criteria.scoring import subtotal_formula, total_formula
from ...workbook import layout
from ..submission import text_of
from . import Context, shown
from .expected import Expected, Label, formula_kind, expected, expected_labels, head_and_lines_match
from .structure import name_target

_STRING = re.compile(r'("(?:[^"]|"")*")')
_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"_xl(?:fn|ws)\.", re.IGNORECASE)


def canonical(formula: str) -> str:
    """A formula for comparison: no '=', '$', spaces, _xlfn. prefixes; upper case outside strings."""
    text = formula.strip().lstrip("=")
    parts = _STRING.split(text)
    return "".join(p if i % 2 else _PREFIX.sub("", _SPACE.sub("", p)).replace("$", "").upper()
                   for i, p in enumerate(parts))


@lru_cache(maxsize=4096)
def canonical_cached(formula: str) -> str:
    """``canonical(formula)``, memoised (the same formulas recur across rows and files)."""
    return canonical(formula)


@lru_cache(maxsize=65536)
def item_formula(framework, code: str, row: int) -> str:
    """The formula the rule emits for ``code`` on ``row`` (cached: rules parse their bands each time)."""
    item = framework.item(code)
    return item.formula(layout.input_refs(item, row), framework.decimals)


def check(ctx: Context) -> None:
    """Every score, subtotal and total formula as parxl writes it for its actual row; labels, max points and
    option lists as the criteria set says. Adds ``formula-altered`` and ``locked-cell-changed`` findings."""
    fw = ctx.framework
    plan = expected(fw)
    get = ctx.sub.assess.get if ctx.sub.assess is not None else (lambda row, col: None)
    rows = ctx.rows
    title_col, max_col, score_col = layout.COLUMNS["title"], layout.COLUMNS["max"], layout.COLUMNS["score"]
    same = len(ctx.specs) == len(plan.specs) and all(a is b for a, b in zip(ctx.specs, plan.specs))
    labels = plan.labels if same else expected_labels(fw, ctx.specs)
    kinds = plan.formulas if same else [formula_kind(spec) for spec in ctx.specs]
    for spec, label, kind in zip(ctx.specs, labels, kinds):
        row = rows.get(spec.code or "")
        if row is None:
            continue
        if label is not None:
            _check_label(ctx, label, spec, row, get(row, title_col), get(row, max_col))
        if kind == "item":
            expected_formula = item_formula(fw, spec.item.code, row)
        elif kind == "sum":
            children = [rows.get(c) for c in spec.child_codes]
            if None in children:
                continue  # a child row is missing: already reported
            expected_formula = _subtotal(score_col, tuple(children), fw.decimals)
        else:
            continue
        _compare(ctx, row, expected_formula, spec.code)
    _check_total(ctx)
    _check_options(ctx, plan)


@lru_cache(maxsize=4096)
def _subtotal(column: str, rows: tuple[int, ...], decimals: int) -> str:
    """``subtotal_formula`` over the score cells of ``rows`` (cached: the same rows recur across files)."""
    return subtotal_formula([f"{column}{r}" for r in rows], decimals)


def _compare(ctx: Context, row: int, expected: str, code: str | None) -> None:
    cell = ctx.cell(row, "score")
    found = cell.formula if cell is not None else None
    if found is not None and (_as_written(found, expected) or canonical_cached(found) == canonical_cached(expected)):
        return
    if found is not None:
        what = f"đang là «={found}»"
    elif cell is not None and cell.value is not None:
        what = f"đã bị ghi đè bằng giá trị «{shown(cell)}»"
    else:
        what = "đang trống"
    ref = layout.cell_ref("score", row)
    ctx.tampered_cells.add(ref)
    ctx.add("formula-altered", sheet=ctx.sheet, cell=ref, item=code, expected=expected, found=what)


def _as_written(found: str, expected: str) -> bool:
    """Whether ``found`` (without «=») is ``expected`` exactly as parxl writes it: then their ``canonical``
    forms are equal too (no leading space or «=» that ``canonical`` would treat apart)."""
    return (found == expected[1:] and expected[:1] == "=" and found[:1] != "=" and not found[:1].isspace())


def _check_total(ctx: Context) -> None:
    if ctx.total_row is None:
        ctx.add("row-missing", sheet=ctx.sheet, item=layout.WORDING["total"])
        return
    rows = {kind: [ctx.rows.get(s.code or "") for s in ctx.specs if s.kind == kind]
            for kind in ("field", "bonus", "penalty")}
    if any(None in r for r in rows.values()):
        return
    cells = {k: [layout.cell_ref("score", r) for r in v] for k, v in rows.items()}
    fw = ctx.framework
    expected = total_formula(cells["field"], cells["bonus"], cells["penalty"], fw.decimals,
                             fw.model.bonus_cap, fw.model.penalty_cap)
    _compare(ctx, ctx.total_row, expected, None)


def _check_label(ctx: Context, label: Label, spec, row: int, title_cell, max_cell) -> None:
    title = text_of(title_cell).strip()
    accepted = label.accepted
    if title not in accepted and label.scored:  # the title, then how the item is scored
        if title in label.whole or head_and_lines_match(title, accepted, label.expected, label.earlier):
            title = label.wanted
    if title not in accepted:
        ctx.add("locked-cell-changed", sheet=ctx.sheet, cell=layout.cell_ref("title", row), item=spec.code,
                what=f"tên tiêu chí {spec.code}", expected=label.wanted, found=title or "(trống)")
    value = max_cell.value if max_cell is not None else None
    if not isinstance(value, Decimal) or value != label.max:
        ctx.add("locked-cell-changed", sheet=ctx.sheet, cell=layout.cell_ref("max", row), item=spec.code,
                what=f"điểm tối đa của {spec.code}", expected=vi_number(label.max),
                found=shown(max_cell) or "(trống)")


def _check_options(ctx: Context, plan: Expected) -> None:
    """The option lists on the metadata sheet feed the dropdowns: they must be the criteria set's."""
    meta = ctx.sub.meta_sheet
    if meta is None:
        return
    for item, spec in plan.choices:  # one list per item: its choice inputs (a checklist's lines) share it
        name = layout.name_options(item.code)
        target = name_target(ctx.sub.names, name)
        ref = ctx.sub.names.get(name, "")
        m = _RANGE.search(ref)
        if target is None and not m:
            ctx.add("locked-cell-changed", sheet=layout.SHEET_META, item=item.code,
                    what=f"danh sách lựa chọn của {item.code}", expected="; ".join(spec.options), found="(mất)")
            continue
        col, first = (m.group(1), int(m.group(2))) if m else (target[1], target[2])
        for i, option in enumerate(spec.options):
            found = text_of(meta.get(first + i, col))
            if found != option:
                ctx.add("locked-cell-changed", sheet=layout.SHEET_META, cell=f"{col}{first + i}", item=item.code,
                        what=f"lựa chọn của {item.code}", expected=option, found=found or "(trống)")


_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+):\$?([A-Z]{1,3})\$?([0-9]+)$")
