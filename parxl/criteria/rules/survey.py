"""``survey``: points from the sociological survey, never from the unit."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from ...core.numbers import HUNDRED, ZERO, quantize, vi_number
from . import register
from .base import RuleType, to_dec


@register
class SurveyRule(RuleType):
    """Points come from the sociological survey, never from the unit.

    ``weights`` gives each answer's share of the max (A/B/C/D = 100/60/20/0 %);
    the item's points are the max times the answers' weighted average.
    """

    title = "Điều tra XHH"
    meaning = "điểm từ điều tra xã hội học, đơn vị không tự chấm"
    example = "A/B/C/D = 100/60/20/0 %"
    guide = "Tiêu chí chấm qua điều tra xã hội học: đơn vị không tự chấm."
    order = 60

    type: Literal["survey"]
    weights: dict[str, Decimal] = Field(default_factory=lambda: {
        "A": Decimal(100), "B": Decimal(60), "C": Decimal(20), "D": Decimal(0)})

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, v):
        return {str(k): to_dec(w) for k, w in (v or {}).items()}

    @property
    def self_scored(self) -> bool:
        """False: the survey's results table scores the item, not the unit."""
        return False

    def inputs(self, max_points):
        """No cell: the unit fills nothing for a survey item."""
        return []

    def score(self, values, max_points, decimals=2):
        """0: a unit's answers never score a survey item (see ``score_answers``)."""
        return ZERO

    def formula(self, refs, max_points, decimals=2):
        """None: the workbook has no score formula for a survey item."""
        return None

    def score_answers(self, counts: Mapping[str, int], max_points: Decimal, decimals: int = 2) -> Decimal:
        """Points from the count of each answer given in the survey ({answer: number of people})."""
        total = sum(counts.values())
        if total == 0:
            return ZERO
        weighted = sum(Decimal(n) * self.weights.get(answer, ZERO) for answer, n in counts.items())
        return quantize(max_points * weighted / (Decimal(total) * HUNDRED), decimals)

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: điều tra xã hội học; mỗi phương án được tỷ lệ điểm tối đa: A 100%; B 60%; …»"""
        shares = "; ".join(f"{a} {vi_number(w)}%" for a, w in self.weights.items())
        return f"Cách chấm: điều tra xã hội học, đơn vị không tự chấm; tỷ lệ điểm tối đa theo phương án trả lời: {shares}."

    def problems(self, max_points, decimals):
        """A weight outside 0–100 (%), or no answer at all in ``weights``."""
        out = []
        for answer, weight in self.weights.items():
            if not ZERO <= weight <= HUNDRED:
                out.append((f"weights.{answer}", "trọng số phải trong khoảng 0–100 (%)"))
        if not self.weights:
            out.append(("weights", "cần ít nhất một phương án trả lời"))
        return out
