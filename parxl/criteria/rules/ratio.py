"""``ratio``: numerator and denominator typed by the unit; the percentage picks a band.

Ratios are compared in integer arithmetic (``n*100*s >= L*d``) on both sides, so neither Python nor
Excel meets a floating-point boundary.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cached_property
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from ...core.numbers import HUNDRED, ZERO, excel_number
from ..intervals import BandBounds, Interval, coverage_problems
from . import register
from .base import FigureRule, Value, points_problems, points_words, to_dec


class RatioBand(BandBounds):
    """One band of a ``ratio`` rule: an interval of percentages (``when`` in words, or explicit
    ``from``/``to`` with the official text in ``label``) and its points."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str | None = Field(None, description="Nguyên văn của bộ chỉ số, hiện cho đơn vị (khi ghi khoảng tường minh)")
    points: Decimal

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, v):
        return to_dec(v)

    @cached_property  # scored for every unit: parse the words once
    def interval(self) -> Interval:
        """The band's interval of percentages (0–100)."""
        return self.bounds

    @property
    def text(self) -> str:
        """The band as the set words it: ``label``, else ``when``, else the interval described."""
        return self.label or self.when or self.interval.describe()


@register
class RatioRule(FigureRule):
    """Numerator and denominator typed by the unit; the percentage picks a band."""

    title = "Theo tỷ lệ"
    meaning = "tử số / mẫu số → tỷ lệ → điểm theo khoảng"
    example = "«Trên 90%» 2 · «Từ 70% đến 90%» 1 · «Dưới 70%» 0; mẫu số 0 → `zero_denominator`"
    guide = ("Tiêu chí chấm theo tỷ lệ: nhập tử số ở cột «Lựa chọn / Số liệu» và mẫu số ở cột "
             "«Số liệu (mẫu số)», là số nguyên không âm; bấm vào ô để xem tên số liệu cần nhập. "
             "Nếu trong năm không phát sinh (mẫu số bằng 0) thì nhập 0 ở cả hai ô.")
    order = 30

    type: Literal["ratio"]
    numerator: str = Field(description="Nhãn của tử số, ví dụ «Số hồ sơ giải quyết đúng hạn»")
    denominator: str = Field(description="Nhãn của mẫu số, ví dụ «Tổng số hồ sơ tiếp nhận»")
    bands: list[RatioBand] = Field(min_length=1)

    @cached_property
    def _scale(self) -> int:
        """10**k making every band boundary an integer, for exact comparisons."""
        exponents = [p.as_tuple().exponent for b in self.bands for p in (b.interval.lo, b.interval.hi) if p is not None]
        k = max([0] + [-e for e in exponents if isinstance(e, int)])
        return 10**k

    def inputs(self, max_points):
        """Two figures ≥ 0 (whole, or decimal with ``inputs: decimal``): ``numerator`` then
        ``denominator``, labelled by the set."""
        return [self.figure_spec("numerator", self.numerator), self.figure_spec("denominator", self.denominator)]

    def score(self, values, max_points, decimals=2):
        """The points of the first band whose interval holds numerator × 100 / denominator (%), compared
        exactly in integers; ``zero_denominator`` points (default the max) when the denominator is 0;
        0 when an input is blank or no band holds the ratio.
        """
        n, d = self.figure(values.get("numerator")), self.figure(values.get("denominator"))
        if n is None or d is None:
            return ZERO
        if d == 0:
            return self._zero_points(max_points)
        s = self._scale
        for band in self.bands:
            if self._holds(band.interval, n, d, s):
                return band.points
        return ZERO

    @staticmethod
    def _holds(iv: Interval, n: Decimal, d: Decimal, s: int) -> bool:
        lhs = n * 100 * s
        if iv.lo is not None:
            bound = iv.lo * s * d
            if lhs < bound or (lhs == bound and not iv.lo_closed):
                return False
        if iv.hi is not None:
            bound = iv.hi * s * d
            if lhs > bound or (lhs == bound and not iv.hi_closed):
                return False
        return True

    def formula(self, refs, max_points, decimals=2):
        """Nested ``IF``s over the bands comparing ``n*100*s`` with ``bound*s*d`` (``s`` = 10**k making
        every bound whole), inside ``IF(OR(n="",d=""),0,IF(d=0,zero_points,…))``.
        """
        n, d, s = refs["numerator"], refs["denominator"], self._scale
        n_fig, _ = self.figure_ref(n)
        d_fig, _ = self.figure_ref(d)
        lhs = f"{n_fig}*{100 * s}"
        expr = "0"
        for band in reversed(self.bands):
            iv = band.interval
            conds = []
            if iv.lo is not None:
                conds.append(f"{lhs}{'>=' if iv.lo_closed else '>'}{excel_number(iv.lo * s)}*{d_fig}")
            if iv.hi is not None:
                conds.append(f"{lhs}{'<=' if iv.hi_closed else '<'}{excel_number(iv.hi * s)}*{d_fig}")
            cond = conds[0] if len(conds) == 1 else f"AND({','.join(conds)})" if conds else "TRUE"
            expr = f"IF({cond},{excel_number(band.points)},{expr})"
        zero = excel_number(self._zero_points(max_points))
        return f'=IF(OR({n}="",{d}=""),0,IF({d}=0,{zero},{expr}))'

    @cached_property
    def reaches_above_hundred(self) -> bool:
        """True when a band holds percentages above 100 % by its own words (e.g. «Từ 100% trở lên», «Trên
        110%»): the numerator may then exceed the denominator (revenue against the estimate). A band open
        upwards from below 100 («Trên 90%») does not count: it speaks of a share that cannot pass 100 %."""
        for band in self.bands:
            iv = band.interval
            if iv.hi is not None and iv.hi > HUNDRED:
                return True
            if iv.hi is None and iv.lo is not None and iv.lo >= HUNDRED:
                return True
        return False

    def percentage(self, values: Mapping[str, Value]) -> Decimal | None:
        """The ratio in percent (unrounded), None when an input is blank or the denominator is 0."""
        n, d = self.figure(values.get("numerator")), self.figure(values.get("denominator"))
        if n is None or d is None or d == 0:
            return None
        return n * HUNDRED / d

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: tỷ lệ = «tử số» ÷ «mẫu số» × 100%; «Trên 90%»: 2 điểm; …; không phát sinh (mẫu số
        bằng 0): 2 điểm.», each band in the set's own words."""
        bands = "; ".join(f"«{b.text}»: {points_words(b.points)}" for b in self.bands)
        return (f"Cách chấm: tỷ lệ = «{self.numerator}» ÷ «{self.denominator}» × 100%; {bands}; "
                f"không phát sinh (mẫu số bằng 0): {points_words(self._zero_points(max_points))}.")

    def problems(self, max_points, decimals):
        """A band's or ``zero_denominator``'s points outside [0, max] or with more than ``decimals``
        places, bands that leave a gap in or overlap on 0–100 %, or no band worth the item's max.
        """
        out: list[tuple[str, str]] = []
        for i, band in enumerate(self.bands):
            out += points_problems(band.points, max_points, decimals, f"bands[{i}].points")
        for msg in coverage_problems([b.interval for b in self.bands], ZERO, HUNDRED):
            out.append(("bands", msg))
        if self.zero_denominator != "max":
            out += points_problems(self.zero_denominator, max_points, decimals, "zero_denominator")  # type: ignore[arg-type]
        if self.bands and max(b.points for b in self.bands) != max_points:
            out.append(("bands", "không có khoảng nào đạt điểm tối đa của tiêu chí"))
        return out

    def example_answers(self, rng, max_points, good, diligence):
        """A denominator of 12–400 (0 about one time in 25) and a numerator making 90–100 % of it when
        ``good``, else (``diligence`` − 0.05…0.35) × 100 %, at least 0.
        """
        denominator = 0 if rng.random() < 0.04 else rng.randint(12, 400)
        share = rng.uniform(0.9, 1.0) if good else max(0.0, diligence - rng.uniform(0.05, 0.35))
        return {"numerator": Decimal(round(denominator * share)), "denominator": Decimal(denominator)}
