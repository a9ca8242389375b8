"""``checklist``: lines the unit ticks, each worth points (negative lines deduct), clamped to [floor, max].

Real sets score «mỗi nội dung đạt 0,25 điểm» and «… trừ 0,25 điểm» inside one item. Each line has its
own row below the item's row, with a dropdown (``TICK_YES``/``TICK_NO``) in the first input column.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...core.numbers import ZERO, excel_number, quantize, vi_number
from . import register
from .base import InputSpec, RuleType, points_problems, points_words, same_text, str_literal, text_of, to_dec

TICK_YES = "Có"
TICK_NO = "Không"
MAX_LINES = 40


class ChecklistLine(BaseModel):
    """One line of a ``checklist``: what the unit did (the official text) and its points (negative: a deduction)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str = Field(min_length=1, description="Nội dung, nguyên văn bộ chỉ số")
    points: Decimal = Field(description="Điểm của nội dung (âm nếu là trừ điểm), ví dụ \"0,25\" hoặc \"-0,25\"")

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, v):
        return to_dec(v)


def line_key(index: int) -> str:
    """The input key of the checklist's line ``index`` (0-based): ``line1``, ``line2``…"""
    return f"line{index + 1}"


@register
class ChecklistRule(RuleType):
    """Lines the unit ticks; the ticked lines' points summed and kept within [``floor``, max]."""

    title = "Theo nội dung"
    meaning = "cộng điểm các nội dung đã thực hiện (nội dung âm là trừ điểm), trong [`floor`, tối đa]"
    example = "mỗi nội dung đạt 0,25 điểm; «chậm báo cáo» −0,25; tối thiểu 0"
    guide = (f"Tiêu chí chấm theo nội dung: ở từng dòng nội dung bên dưới tiêu chí, chọn «{TICK_YES}» nếu đơn vị "
             f"đã thực hiện (hoặc có vi phạm, với nội dung trừ điểm), «{TICK_NO}» nếu không.")
    order = 45

    type: Literal["checklist"]
    lines: list[ChecklistLine] = Field(min_length=1, max_length=MAX_LINES)
    floor: Decimal = Field(ZERO, description="Điểm thấp nhất của tiêu chí (mặc định 0)")

    @field_validator("floor", mode="before")
    @classmethod
    def _floor(cls, v):
        return to_dec(v)

    def inputs(self, max_points):
        """One dropdown per line (``line1``…), each on its own row below the item (``row`` 1…)."""
        return [InputSpec(line_key(i), line.label, "choice", (TICK_YES, TICK_NO), row=i + 1)
                for i, line in enumerate(self.lines)]

    def score(self, values, max_points, decimals=2):
        """The points of the lines ticked «Có» (ignoring case) summed, kept within [``floor``, max] and
        rounded half-up to ``decimals``; a blank or other text is not ticked."""
        total = ZERO
        for i, line in enumerate(self.lines):
            chosen = text_of(values.get(line_key(i)))
            if chosen is not None and same_text(chosen, TICK_YES):
                total += line.points
        return quantize(min(max_points, max(self.floor, total)), decimals)

    def formula(self, refs, max_points, decimals=2):
        """``=ROUND(MIN(max,MAX(floor,IF(line1="Có",p1,0)+…)),decimals)``."""
        yes = str_literal(TICK_YES)
        terms = "+".join(f"IF({refs[line_key(i)]}={yes},{excel_number(line.points)},0)"
                         for i, line in enumerate(self.lines))
        return f"=ROUND(MIN({excel_number(max_points)},MAX({excel_number(self.floor)},{terms})),{decimals})"

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: chọn «Có» ở từng nội dung bên dưới mà đơn vị đã thực hiện; cộng điểm các nội dung đạt,
        trừ điểm các nội dung vi phạm; điểm của tiêu chí từ 0 đến 1 điểm.» (each line's points on its row)."""
        deducts = any(line.points < 0 for line in self.lines)
        what = "cộng điểm các nội dung đạt, trừ điểm các nội dung vi phạm" if deducts else "cộng điểm các nội dung đạt"
        return (f"Cách chấm: chọn «{TICK_YES}» ở từng nội dung bên dưới mà đơn vị đã thực hiện (hoặc có vi phạm); "
                f"{what}; điểm của tiêu chí từ {points_words(self.floor)} đến {points_words(max_points)}.")

    def problems(self, max_points, decimals):
        """A line of 0 points, or with more than ``decimals`` places or above the max; ``floor`` negative or
        above the max; positive lines that cannot reach the max together."""
        out: list[tuple[str, str]] = []
        for i, line in enumerate(self.lines):
            if line.points == 0:
                out.append((f"lines[{i}].points", "nội dung có 0 điểm: ghi số điểm cộng (ví dụ \"0,25\") "
                                                   "hoặc trừ (ví dụ \"-0,25\")"))
            else:
                out += [p for p in points_problems(line.points.copy_abs(), max_points, decimals, f"lines[{i}].points")]
        if self.floor < 0:
            out.append(("floor", f"điểm sàn {vi_number(self.floor)} âm; ghi floor: 0"))
        elif self.floor > max_points:
            out.append(("floor", f"điểm sàn {vi_number(self.floor)} lớn hơn điểm tối đa {vi_number(max_points)}"))
        best = sum((line.points for line in self.lines if line.points > 0), ZERO)
        if best < max_points:
            out.append(("lines", f"các nội dung cộng điểm cộng lại chỉ được {vi_number(best)} điểm, chưa bằng điểm "
                                 f"tối đa {vi_number(max_points)} của tiêu chí"))
        return out

    def example_answers(self, rng, max_points, good, diligence):
        """Every positive line ticked and no deduction when ``good``; else each line at random."""
        out = {}
        for i, line in enumerate(self.lines):
            if good:
                out[line_key(i)] = TICK_YES if line.points > 0 else TICK_NO
            else:
                out[line_key(i)] = TICK_YES if rng.random() < (diligence if line.points > 0 else 0.3) else TICK_NO
        return out
