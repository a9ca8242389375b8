"""``manual``: a score typed directly, within [0, max], in steps."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import field_validator

from ...core.numbers import ZERO, excel_number, quantize, vi_number
from . import register
from .base import InputSpec, RuleType, number_of, points_words, to_dec


@register
class ManualRule(RuleType):
    """A score typed directly, within [0, max], in steps (e.g. 0,25)."""

    title = "Chấm trực tiếp"
    meaning = "chấm trực tiếp trong [0, tối đa] theo bước"
    example = "bước 0,25"
    guide = "Tiêu chí tự chấm điểm trực tiếp: nhập điểm từ 0 đến điểm tối đa của tiêu chí."
    order = 50

    type: Literal["manual"]
    step: Decimal = Decimal("0.25")

    @field_validator("step", mode="before")
    @classmethod
    def _step(cls, v):
        return to_dec(v)

    def inputs(self, max_points):
        """One decimal ``score`` in [0, ``max_points``], in steps of ``step`` points."""
        return [InputSpec("score", "Điểm tự chấm", "decimal", minimum=ZERO, maximum=max_points, step=self.step)]

    def score(self, values, max_points, decimals=2):
        """The typed score kept within [0, ``max_points``] and rounded half-up to ``decimals`` places; 0 for
        a blank or non-numeric cell. A score off the step is not corrected here (validation reports it).
        """
        s = number_of(values.get("score"))
        if s is None:
            return ZERO
        return quantize(min(max_points, max(ZERO, s)), decimals)

    def formula(self, refs, max_points, decimals=2):
        """``=IF(score="",0,ROUND(MIN(max,MAX(0,score)),decimals))``."""
        s = refs["score"]
        return f'=IF({s}="",0,ROUND(MIN({excel_number(max_points)},MAX(0,{s})),{decimals}))'

    def on_step(self, value: Decimal) -> bool:
        """Whether ``value`` (points) is a whole number of steps."""
        return (value / self.step) == (value / self.step).to_integral_value()

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: đơn vị tự chấm từ 0 đến 1 điểm, theo bước 0,25 điểm.»"""
        return (f"Cách chấm: đơn vị tự chấm từ 0 đến {points_words(max_points)}, "
                f"theo bước {points_words(self.step)}.")

    def problems(self, max_points, decimals):
        """``step`` not positive, max not a whole number of steps, or ``step`` with more than ``decimals`` places."""
        out = []
        if self.step <= 0:
            out.append(("step", "bước điểm phải lớn hơn 0"))
        elif not self.on_step(max_points):
            out.append(("step", f"điểm tối đa {vi_number(max_points)} không chia hết cho bước {vi_number(self.step)}"))
        if self.step > 0 and quantize(self.step, decimals) != self.step:
            out.append(("step", f"bước điểm có nhiều hơn {decimals} chữ số thập phân"))
        return out

    def example_answers(self, rng, max_points, good, diligence):
        """The max when ``good``, else a random whole number of steps in [0, max]."""
        steps = int(max_points / self.step)
        return {"score": self.step * (steps if good else rng.randint(0, steps))}
