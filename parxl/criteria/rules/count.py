"""``count``: points per occurrence from a base, kept within [floor, cap]."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from ...core.numbers import ZERO, excel_number, quantize
from . import register
from .base import InputSpec, RuleType, number_of, points_problems, points_words, to_dec


@register
class CountRule(RuleType):
    """Points per occurrence from a base, kept within [floor, cap].

    A deduction ("trừ 0,5 điểm mỗi văn bản chậm, tối thiểu 0") has a negative
    ``per`` and starts from the item's max; an award per occurrence has a
    positive ``per`` and starts from 0.
    """

    title = "Theo số lần"
    meaning = "điểm mỗi lần, có sàn và trần"
    example = "trừ 0,5 điểm mỗi báo cáo chậm, tối thiểu 0"
    guide = ("Tiêu chí chấm theo số lần (ví dụ số văn bản chậm, số lần bị phê bình): nhập số lần; "
             "không có thì nhập 0.")
    order = 40

    type: Literal["count"]
    label: str = Field(description="Nhãn của số lượng, ví dụ «Số báo cáo gửi chậm»")
    per: Decimal = Field(description="Điểm cho mỗi lần (âm nếu là trừ điểm)")
    base: Decimal | Literal["max"] | None = Field(None, description="Điểm xuất phát; mặc định: tối đa nếu trừ điểm, 0 nếu cộng")
    floor: Decimal = Decimal(0)
    cap: Decimal | Literal["max"] = "max"

    @field_validator("per", "floor", mode="before")
    @classmethod
    def _decimals(cls, v):
        return to_dec(v)

    @field_validator("base", "cap", mode="before")
    @classmethod
    def _max_or_decimal(cls, v):
        return v if v in ("max", None) else to_dec(v)

    def _base(self, max_points: Decimal) -> Decimal:
        if self.base is None:
            return max_points if self.per < 0 else ZERO
        return max_points if self.base == "max" else self.base  # type: ignore[return-value]

    def _cap(self, max_points: Decimal) -> Decimal:
        return max_points if self.cap == "max" else self.cap  # type: ignore[return-value]

    def inputs(self, max_points):
        """One whole number ``count`` ≥ 0, labelled ``label``."""
        return [InputSpec("count", self.label, "whole", minimum=ZERO)]

    def score(self, values, max_points, decimals=2):
        """``base + per × count`` kept within [``floor``, ``cap``] and rounded half-up to ``decimals``
        places; 0 for a blank or non-numeric count.
        """
        c = number_of(values.get("count"))
        if c is None:
            return ZERO
        raw = self._base(max_points) + self.per * c
        return quantize(min(self._cap(max_points), max(self.floor, raw)), decimals)

    def formula(self, refs, max_points, decimals=2):
        """``=IF(count="",0,ROUND(MIN(cap,MAX(floor,base+(per)*count)),decimals))``."""
        c = refs["count"]
        base, per = excel_number(self._base(max_points)), excel_number(self.per)
        cap, floor = excel_number(self._cap(max_points)), excel_number(self.floor)
        return f'=IF({c}="",0,ROUND(MIN({cap},MAX({floor},{base}+({per})*{c})),{decimals}))'

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: 2 điểm, trừ 0,5 điểm cho mỗi «Số văn bản chậm», thấp nhất 0 điểm.» (an award:
        «0,25 điểm cho mỗi «Số sáng kiến», tối đa 1 điểm.»)."""
        base, cap = self._base(max_points), self._cap(max_points)
        if self.per < 0:
            return (f"Cách chấm: {points_words(base)}, trừ {points_words(-self.per)} cho mỗi «{self.label}», "
                    f"thấp nhất {points_words(self.floor)}.")
        start = f", cộng thêm vào {points_words(base)}" if base else ""
        return f"Cách chấm: {points_words(self.per)} cho mỗi «{self.label}»{start}, tối đa {points_words(cap)}."

    def problems(self, max_points, decimals):
        """``per`` of 0; ``cap`` or ``base`` outside [0, max] or with more than ``decimals`` places;
        ``floor`` above ``cap`` or negative.
        """
        out: list[tuple[str, str]] = []
        if self.per == 0:
            out.append(("per", "điểm mỗi lần bằng 0"))
        cap = self._cap(max_points)
        out += points_problems(cap, max_points, decimals, "cap")
        out += points_problems(self._base(max_points), max_points, decimals, "base")
        if self.floor > cap:
            out.append(("floor", "điểm sàn lớn hơn điểm trần"))
        if self.floor < 0:
            out.append(("floor", "điểm sàn âm"))
        return out

    def example_answers(self, rng, max_points, good, diligence):
        """A count of 0 when ``good``, else 1 to 4."""
        return {"count": Decimal(0 if good else rng.randint(1, 4))}
