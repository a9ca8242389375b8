"""Scores of one unit's answers: items, subtotals per criterion and field, and the total.

The same arithmetic is emitted as the workbook's formulas (item formulas by
``parxl.criteria.rules``, sums by ``subtotal_formula``/``total_formula`` below), so the
workbook and parxl agree to the last decimal.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.numbers import ZERO, excel_number
from .framework import Framework
from .rules import Value

Answers = Mapping[str, Mapping[str, Value]]  # item code -> input key -> value


@dataclass
class UnitScore:
    """One unit's self-assessed points (Decimal, rounded to the set's decimals) by item code and by
    field/criterion code, its bonus and penalty sums, and its total."""

    items: dict[str, Decimal] = field(default_factory=dict)      # every item (regular, bonus, penalty)
    subtotals: dict[str, Decimal] = field(default_factory=dict)  # every field and criterion code
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    total: Decimal = ZERO  # regular items + bonus - penalty, as the workbook's parxl_total
    # Max points counted in the unit's maximum (items marked not applicable count 0), by item, field and
    # criterion code, and over the fields (the set's total less the not-applicable items).
    applicable: dict[str, Decimal] = field(default_factory=dict)
    applicable_total: Decimal = ZERO
    not_applicable: set[str] = field(default_factory=set)  # codes of the items marked not applicable


def score_answers(framework: Framework, answers: Answers) -> UnitScore:
    """Self-assessed scores from a unit's inputs ({item code: {input key: value}}; a missing item or
    key is a blank cell). Survey items score 0 here."""
    d = framework.decimals
    result = UnitScore()
    for item in framework.items:
        values = answers.get(item.code, {})
        result.items[item.code] = item.score(values, d)
        result.applicable[item.code] = item.applicable_max(values)
        if item.marked_not_applicable(values):
            result.not_applicable.add(item.code)

    def subtotal(node) -> Decimal:
        if not node.items:
            return result.items[node.code]
        value = framework.quantize(sum((subtotal(c) for c in node.items), ZERO))
        result.subtotals[node.code] = value
        result.applicable[node.code] = sum((result.applicable[c.code] for c in node.items), ZERO)
        return value

    regular = sum((subtotal(f) for f in framework.fields), ZERO)
    result.applicable_total = sum((result.applicable[f.code] for f in framework.fields), ZERO)
    result.bonus = framework.capped("bonus", sum((result.items[i.code] for i in framework.items if i.kind == "bonus"), ZERO))
    result.penalty = framework.capped("penalty",
                                      sum((result.items[i.code] for i in framework.items if i.kind == "penalty"), ZERO))
    result.total = framework.quantize(regular + result.bonus - result.penalty)
    return result


def subtotal_formula(child_cells: list[str], decimals: int) -> str:
    """The Excel formula of a field or criterion row: its children's cells summed and rounded."""
    return f"=ROUND(SUM({','.join(child_cells)}),{decimals})"


def applicable_formula(child_cells: list[str]) -> str:
    """The Excel formula of a field's, criterion's or the total's applicable max: its children's applicable
    maxima summed (whole points of the set's decimals: no rounding needed)."""
    return f"=SUM({','.join(child_cells)})"


def total_formula(field_cells: list[str], bonus_cells: list[str], penalty_cells: list[str], decimals: int,
                  bonus_cap: Decimal | None = None, penalty_cap: Decimal | None = None) -> str:
    """The Excel formula of the total: fields + bonus − penalty, rounded to ``decimals``; the bonus and the
    penalty each within its cap (points) when given."""
    expr = f"SUM({','.join(field_cells)})"
    if bonus_cells:
        expr += f"+{adjustment_sum(bonus_cells, bonus_cap)}"
    if penalty_cells:
        expr += f"-{adjustment_sum(penalty_cells, penalty_cap)}"
    return f"=ROUND({expr},{decimals})"


def adjustment_sum(cells: list[str], cap: Decimal | None) -> str:
    """The Excel expression (no ``=``) of the bonus or penalty points of ``cells``: their sum, at most ``cap``."""
    expr = f"SUM({','.join(cells)})"
    return expr if cap is None else f"MIN({excel_number(cap)},{expr})"
