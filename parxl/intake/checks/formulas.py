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
from ...core.texts import normalize_text
from ...criteria.scoring import subtotal_formula, total_formula
from ...workbook import layout
from ...workbook.texts import scoring_lines
from ..submission import text_of
from . import Context, shown
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
    nodes = _nodes(fw)
    for spec in ctx.specs:
        row = ctx.rows.get(spec.code or "")
        if row is None:
            continue
        _check_label(ctx, nodes.get(spec.code), spec, row)
        if spec.kind in ("item", "bonus", "penalty"):
            item = spec.item
            if item is None or not item.self_scored:
                continue
            expected = item_formula(fw, item.code, row)
        elif spec.kind in ("field", "criterion"):
            children = [ctx.rows.get(c) for c in spec.child_codes]
            if None in children:
                continue  # a child row is missing: already reported
            expected = subtotal_formula([layout.cell_ref("score", r) for r in children], fw.decimals)
        else:
            continue
        _compare(ctx, row, expected, spec.code)
    _check_total(ctx)
    _check_options(ctx)


def _compare(ctx: Context, row: int, expected: str, code: str | None) -> None:
    cell = ctx.cell(row, "score")
    found = cell.formula if cell is not None else None
    if found is not None and canonical_cached(found) == canonical_cached(expected):
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


def _nodes(fw) -> dict:
    out = {row.node.code: row.node for row in fw.rows}
    out.update({i.code: i for i in fw.items if i.kind != "regular"})
    return out


def _check_label(ctx: Context, node, spec, row: int) -> None:
    if node is None:
        return
    title = text_of(ctx.cell(row, "title")).strip()
    wanted = normalize_text(node.title).strip()
    accepted = (wanted, layout.WORDING["penalty_prefix"] + wanted)
    if title not in accepted and spec.item is not None:  # the title, then how the item is scored
        head, _, rest = title.replace("\r\n", "\n").partition("\n")
        lines = [normalize_text(line).strip() for line in rest.split("\n")]
        expected = [normalize_text(line).strip() for line in scoring_lines(spec.item, ctx.framework.decimals)]
        earlier = [normalize_text(line).strip()  # a workbook made before the scoring text said who scores
                   for line in scoring_lines(spec.item, ctx.framework.decimals, rule_text=True)]
        if head.strip() in accepted and lines in (expected, earlier):
            title = wanted
    if title not in accepted:
        ctx.add("locked-cell-changed", sheet=ctx.sheet, cell=layout.cell_ref("title", row), item=spec.code,
                what=f"tên tiêu chí {spec.code}", expected=wanted, found=title or "(trống)")
    cell = ctx.cell(row, "max")
    value = cell.value if cell is not None else None
    if not isinstance(value, Decimal) or value != node.max:
        ctx.add("locked-cell-changed", sheet=ctx.sheet, cell=layout.cell_ref("max", row), item=spec.code,
                what=f"điểm tối đa của {spec.code}", expected=vi_number(node.max),
                found=shown(cell) or "(trống)")


def _check_options(ctx: Context) -> None:
    """The option lists on the metadata sheet feed the dropdowns: they must be the criteria set's."""
    meta = ctx.sub.meta_sheet
    if meta is None:
        return
    for item in ctx.framework.items:
        for spec in item.rule.inputs(item.max):
            if spec.kind != "choice":
                continue
            target = name_target(ctx.sub.names, layout.name_options(item.code))
            ref = ctx.sub.names.get(layout.name_options(item.code), "")
            m = re.search(r"\$?([A-Z]{1,3})\$?([0-9]+):\$?([A-Z]{1,3})\$?([0-9]+)$", ref)
            if target is None and not m:
                ctx.add("locked-cell-changed", sheet=layout.SHEET_META, item=item.code,
                        what=f"danh sách lựa chọn của {item.code}", expected="; ".join(spec.options), found="(mất)")
                break
            col, first = (m.group(1), int(m.group(2))) if m else (target[1], target[2])
            for i, option in enumerate(spec.options):
                found = text_of(meta.get(first + i, col))
                if found != option:
                    ctx.add("locked-cell-changed", sheet=layout.SHEET_META, cell=f"{col}{first + i}", item=item.code,
                            what=f"lựa chọn của {item.code}", expected=option, found=found or "(trống)")
            break  # one list per item: its choice inputs (a checklist's lines) share it