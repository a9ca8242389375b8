"""Inputs: each typed value within its rule's domain; the answers parxl then scores.

A choice must be one of the options exactly as the workbook's formula compares
(Excel's ``=`` forgives case only; extra spaces or NFD text are ``input-option-variant``); figures must be numbers, whole and not negative; a
ratio's numerator not above its denominator; a manual score within [0, max]
and on its step. A number typed as text ("1,5", "1.234,5") is read as a
number and reported as info. Survey items take no input.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ...core.numbers import MAX_FIGURE, parse_text_number, vi_number
from ...core.texts import normalize_text
from ...criteria.framework import NA_KEY
from ...criteria.rules import InputSpec, ManualRule, Value
from ...criteria.rules.base import same_text
from ...criteria.scoring import score_answers
from ...workbook import layout
from . import Context, is_blank, shown
from .expected import expected

def check(ctx: Context) -> None:
    """Each self-scored item's inputs read and checked against its rule's domain; fills ``ctx.answers``
    ({code: {input key: value}}) and ``ctx.scores`` (points) from them."""
    for entry in expected(ctx.framework).inputs:
        item = entry.item
        row = ctx.rows.get(item.code)
        if row is None:
            continue
        values: dict[str, Value] = {}
        marked = _read_not_applicable(ctx, item, row)
        for spec, role, below in entry.reads:
            values[spec.key] = _read(ctx, item, spec, row + below, role, blank_ok=marked is not None)
        if marked is not None:
            values[NA_KEY] = marked
        ctx.answers[item.code] = values
        _check_item(ctx, item, values, row, entry.columns)
    ctx.scores = score_answers(ctx.framework, ctx.answers)


def _read_not_applicable(ctx: Context, item, row: int) -> str | None:
    """The item's not-applicable mark (its ``not_applicable`` text), or None when not marked; a mark needs an
    explanation (``not-applicable-unexplained``), other text is ``input-not-option``."""
    if item.not_applicable is None:
        return None
    cell = ctx.cell(row, "not_applicable")
    if is_blank(cell):
        return None
    raw = cell.value if isinstance(cell.value, str) else shown(cell)
    if not _same_as_formula(raw, item.not_applicable):
        if _near(raw, item.not_applicable):
            ctx.add("input-option-variant", role="not_applicable", row=row, item=item.code, found=normalize_text(raw),
                    option=item.not_applicable)
        else:
            ctx.add("input-not-option", role="not_applicable", row=row, item=item.code, found=_clean(raw),
                    options=f"«{item.not_applicable}» hoặc để trống")
        return None  # the workbook's formula does not take the item out of the maximum either
    if is_blank(ctx.cell(row, "explanation")):
        ctx.add("input-not-applicable-unexplained", role="explanation", row=row, item=item.code, mark=item.not_applicable)
    return item.not_applicable


def _same_as_formula(text: str, option: str) -> bool:
    """True when the workbook's formula takes ``text`` for ``option``: Excel's ``=`` on text ignores case
    only (not spaces, not NFD «Unicode tổ hợp»)."""
    return same_text(text, option)


def _near(text: str, option: str) -> bool:
    """True when ``text`` is ``option`` but for spaces or Unicode composition (what the formula refuses)."""
    return " ".join(normalize_text(text).split()).casefold() == option.casefold()


def _clean(text: str) -> str:
    """``text`` as shown in a message: NFC, trimmed."""
    return normalize_text(text.strip())


def _read(ctx: Context, item, spec: InputSpec, row: int, role: str, blank_ok: bool = False) -> Value:
    cell = ctx.cell(row, role)
    where = {"role": role, "row": row, "item": item.code}
    if is_blank(cell):
        if item.kind == "regular" and not blank_ok:  # a not-applicable item needs no figure  # a blank bonus or penalty is the normal "none claimed, none incurred"
            line = item.rule.type == "checklist" and spec.kind == "choice"  # one line: the others still count
            ctx.add("input-blank-line" if line else "input-blank", label=spec.label, **where)
        return None
    value = cell.value
    if spec.kind == "choice":
        raw = value if isinstance(value, str) else shown(cell)
        for option in spec.options:
            if _same_as_formula(raw, option):
                return option
        for option in spec.options:
            if _near(raw, option):  # scored as the formula scores it (no option), and the unit told
                ctx.add("input-option-variant", found=normalize_text(raw), option=option, **where)
                return raw
        ctx.add("input-not-option", found=_clean(raw), options="; ".join(f"«{o}»" for o in spec.options), **where)
        return raw
    if cell.is_error or isinstance(value, bool):
        ctx.add("input-not-number", label=spec.label, found=shown(cell), **where)
        return None
    if isinstance(value, str):
        number = parse_text_number(value)
        if number is None:
            ctx.add("input-not-number", label=spec.label, found=value.strip(), **where)
            return None
        ctx.add("number-as-text", found=value.strip(), value=vi_number(number), **where)
        value = number
    return _domain(ctx, item, spec, value, where)


def _domain(ctx: Context, item, spec: InputSpec, number: Decimal, where: dict) -> Decimal:
    figure = spec.kind == "whole" or (spec.kind == "decimal" and spec.maximum is None)  # a raw figure, not a score
    if number < 0:
        ctx.add("input-negative" if figure else "score-out-of-range",
                label=spec.label, found=vi_number(number), max=vi_number(item.max), **where)
    elif figure and number > MAX_FIGURE:
        ctx.add("input-too-large", label=spec.label, found=vi_number(number), max=vi_number(MAX_FIGURE), **where)
    elif spec.kind == "whole" and number != number.to_integral_value():
        ctx.add("input-not-whole", label=spec.label, found=vi_number(number), **where)
    elif figure and spec.step is not None and _shown(number) != _shown(number).quantize(spec.step, rounding=ROUND_HALF_UP):
        # more decimals than the rule rounds to: Excel's ROUND on a binary float and parxl's may differ
        ctx.add("input-too-many-decimals", label=spec.label, found=vi_number(_shown(number)),
                decimals=-spec.step.as_tuple().exponent,
                rounded=vi_number(_shown(number).quantize(spec.step, rounding=ROUND_HALF_UP)), **where)
    elif spec.kind == "decimal" and not figure:
        top = spec.maximum if spec.maximum is not None else item.max
        if number > top:
            ctx.add("score-out-of-range", found=vi_number(number), max=vi_number(top), **where)
        elif isinstance(item.rule, ManualRule) and not item.rule.on_step(number):
            ctx.add("score-off-step", found=vi_number(number), step=vi_number(item.rule.step), **where)
    return number


def _shown(number: Decimal) -> Decimal:
    """``number`` at Excel's 15 significant digits (a typed 95,49 is stored as 95,48999999999999…)."""
    return Decimal(format(float(number), ".15g"))


def _check_item(ctx: Context, item, values: dict[str, Value], row: int, columns: dict[str, str]) -> None:
    if item.rule.type != "ratio" or item.rule.reaches_above_hundred:  # above 100 % is legitimate by the bands
        return
    n, d = values.get("numerator"), values.get("denominator")
    if isinstance(n, Decimal) and isinstance(d, Decimal) and n >= 0 and d >= 0 and n > d:
        ctx.add("ratio-numerator-exceeds", sheet=ctx.sheet, cell=f"{columns['numerator']}{row}", item=item.code,
                numerator=item.rule.numerator, denominator=item.rule.denominator, n=vi_number(n), d=vi_number(d))
