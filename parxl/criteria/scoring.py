"""Scores of one unit's answers: items, subtotals per criterion and field, and the total.

The same arithmetic is emitted as the workbook's formulas (item formulas by
``parxl.criteria.rules``, sums by ``subtotal_formula``/``total_formula`` below), so the
workbook and parxl agree to the last decimal.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.numbers import ZERO
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


def score_answers(framework: Framework, answers: Answers) -> UnitScore:
    """Self-assessed scores from a unit's inputs ({item code: {input key: value}}; a missing item or
    key is a blank cell). Survey items score 0 here."""
    d = framework.decimals
    result = UnitScore()
    for item in framework.items:
        result.items[item.code] = item.score(answers.get(item.code, {}), d)

    def subtotal(node) -> Decimal:
        if not node.items:
            return result.items[node.code]
        value = framework.quantize(sum((subtotal(c) for c in node.items), ZERO))
        result.subtotals[node.code] = value
        return value

    regular = sum((subtotal(f) for f in framework.fields), ZERO)
    result.bonus = sum((result.items[i.code] for i in framework.items if i.kind == "bonus"), ZERO)
    result.penalty = sum((result.items[i.code] for i in framework.items if i.kind == "penalty"), ZERO)
    result.total = framework.quantize(regular + result.bonus - result.penalty)
    return result


def subtotal_formula(child_cells: list[str], decimals: int) -> str:
    """The Excel formula of a field or criterion row: its children's cells summed and rounded."""
    return f"=ROUND(SUM({','.join(child_cells)}),{decimals})"


def total_formula(field_cells: list[str], bonus_cells: list[str], penalty_cells: list[str], decimals: int) -> str:
    """The Excel formula of the total: fields + bonus − penalty, rounded to ``decimals``."""
    expr = f"SUM({','.join(field_cells)})"
    if bonus_cells:
        expr += f"+SUM({','.join(bonus_cells)})"
    if penalty_cells:
        expr += f"-SUM({','.join(penalty_cells)})"
    return f"=ROUND({expr},{decimals})"
