"""``proportional``: points in proportion to a ratio, full marks from ``full_at`` percent.

points = max × min(ratio ÷ full_at, 1), ratio = numerator × 100 ÷ denominator (%), rounded half-up
to the set's decimals: 93,7 % of an item of 2 points (full_at 100) gives 1,87. A denominator of 0
gives ``zero_denominator`` points (the max by default). Both sides divide once, a whole number by a
whole number (the max and ``full_at`` scaled to integers), so Python's exact quotient and Excel's
correctly rounded one round alike.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from ...core.numbers import HUNDRED, ZERO, excel_number, quantize, vi_number
from . import register
from .base import FigureRule, points_problems, points_words, to_dec


def _whole(value: Decimal) -> tuple[int, int]:
    """(m, 10^k) with value = m / 10^k and m whole."""
    exponent = value.normalize().as_tuple().exponent
    k = max(0, -exponent) if isinstance(exponent, int) else 0
    return int(value.scaleb(k)), 10**k


@register
class ProportionalRule(FigureRule):
    """Points in proportion to numerator ÷ denominator, the max from ``full_at`` percent on."""

    title = "Tỷ lệ nhân điểm tối đa"
    meaning = "điểm tối đa × min(tỷ lệ ÷ `full_at`, 1), làm tròn"
    example = "93,7% của tiêu chí 2 điểm → 1,87; mẫu số 0 → `zero_denominator`"
    guide = ("Tiêu chí chấm theo tỷ lệ nhân điểm tối đa: nhập tử số ở cột «Lựa chọn / Số liệu» và mẫu số ở "
             "cột «Số liệu (mẫu số)»; điểm = điểm tối đa × tỷ lệ đạt được (đủ điểm khi đạt mức quy định). "
             "Nếu trong năm không phát sinh (mẫu số bằng 0) thì nhập 0 ở cả hai ô.")
    order = 35

    type: Literal["proportional"]
    numerator: str = Field(description="Nhãn của tử số, ví dụ «Số hồ sơ giải quyết đúng hạn»")
    denominator: str = Field(description="Nhãn của mẫu số, ví dụ «Tổng số hồ sơ tiếp nhận»")
    full_at: Decimal = Field(HUNDRED, description="Tỷ lệ (%) từ đó đạt điểm tối đa, mặc định 100")

    @field_validator("full_at", mode="before")
    @classmethod
    def _full_at(cls, v):
        return to_dec(v)

    def inputs(self, max_points):
        """Two figures ≥ 0 (whole, or decimal with ``inputs: decimal``): ``numerator`` then ``denominator``."""
        return [self.figure_spec("numerator", self.numerator), self.figure_spec("denominator", self.denominator)]

    def score(self, values, max_points, decimals=2):
        """max × min(n × 100 ÷ (d × full_at), 1), at least 0, rounded half-up to ``decimals`` places;
        ``zero_denominator`` points when d is 0; 0 when an input is blank or not a number."""
        n, d = self.figure(values.get("numerator")), self.figure(values.get("denominator"))
        if n is None or d is None:
            return ZERO
        if d == 0:
            return self._zero_points(max_points)
        raw = max_points * n * HUNDRED / (d * self.full_at)
        return quantize(max(ZERO, min(max_points, raw)), decimals)

    def formula(self, refs, max_points, decimals=2):
        """``=IF(OR(n="",d=""),0,IF(d=0,zero,ROUND(MAX(0,MIN(max,M*n*100*F'/(d*F*M'))),decimals)))`` with
        max = M/M' and full_at = F/F' in whole numbers (decimal figures as ``ROUND(x*10^k,0)``)."""
        n_ref, d_ref = refs["numerator"], refs["denominator"]
        n, _ = self.figure_ref(n_ref)
        d, _ = self.figure_ref(d_ref)
        m, m_scale = _whole(max_points)
        f, f_scale = _whole(self.full_at)
        top = f"{n}*{m * 100 * f_scale}"
        bottom = f"{d}*{f * m_scale}" if f * m_scale != 1 else d
        zero = excel_number(self._zero_points(max_points))
        return (f'=IF(OR({n_ref}="",{d_ref}=""),0,IF({d_ref}=0,{zero},'
                f"ROUND(MAX(0,MIN({excel_number(max_points)},{top}/({bottom}))),{decimals})))")

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: điểm = tỷ lệ «tử số» ÷ «mẫu số» × 2 điểm; đạt từ 100% trở lên: 2 điểm; làm tròn 2 chữ
        số thập phân; không phát sinh (mẫu số bằng 0): 2 điểm.» (with ``full_at``: «… ÷ 95,5% × …»)."""
        scale = "" if self.full_at == HUNDRED else f" ÷ {vi_number(self.full_at)}%"
        return (f"Cách chấm: điểm = tỷ lệ «{self.numerator}» ÷ «{self.denominator}»{scale} × {points_words(max_points)}; "
                f"đạt từ {vi_number(self.full_at)}% trở lên: {points_words(max_points)}; làm tròn {decimals} chữ số "
                f"thập phân; không phát sinh (mẫu số bằng 0): {points_words(self._zero_points(max_points))}.")

    def problems(self, max_points, decimals):
        """``full_at`` not in (0, 100]; ``zero_denominator`` outside [0, max] or with too many decimals."""
        out: list[tuple[str, str]] = []
        if not ZERO < self.full_at <= HUNDRED:
            out.append(("full_at", f"tỷ lệ đạt điểm tối đa {vi_number(self.full_at)}% phải lớn hơn 0% và "
                                   "không quá 100%, ví dụ full_at: 100"))
        if self.zero_denominator != "max":
            out += points_problems(self.zero_denominator, max_points, decimals, "zero_denominator")  # type: ignore[arg-type]
        return out

    def example_answers(self, rng, max_points, good, diligence):
        """A denominator of 12–400 (0 about one time in 25) and a numerator making 95–100 % of it when
        ``good``, else (``diligence`` − 0.05…0.35) × 100 %, at least 0."""
        denominator = 0 if rng.random() < 0.04 else rng.randint(12, 400)
        share = rng.uniform(0.95, 1.0) if good else max(0.0, diligence - rng.uniform(0.05, 0.35))
        numerator = Decimal(round(denominator * share))
        if self.figures == "decimal":
            return {"numerator": numerator + Decimal("0.5") if numerator < denominator else numerator,
                    "denominator": Decimal(denominator)}
        return {"numerator": numerator, "denominator": Decimal(denominator)}
