"""Scoring rule types: one definition each, evaluated in Python and emitted as Excel.

Every rule type knows three things about a scored item:
- ``inputs(max)``: what the unit types (a choice, whole numbers, a score);
- ``score(values, max, decimals)``: the points, in exact Decimal arithmetic;
- ``formula(refs, max, decimals)``: the Excel formula computing the same points
  from the cells named in ``refs``.

Both sides share the same semantics, which a LibreOffice test proves cell by
cell: a blank input scores 0; text is compared case-insensitively (as Excel's
``=`` does); ratios are compared in integer arithmetic (``n*100*s >= L*d``) so
neither side meets a floating-point boundary; results are rounded half-up.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from decimal import Decimal
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.numbers import EXCEL_MAX, HUNDRED, ZERO, excel_number, quantize, to_decimal
from .intervals import Interval, IntervalWords, coverage_problems, parse_interval

InputKind = Literal["choice", "whole", "decimal"]


@dataclass(frozen=True)
class InputSpec:
    """One cell the unit fills for an item."""

    key: str
    label: str
    kind: InputKind
    options: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    step: Decimal | None = None


Value = Union[str, Decimal, None]


def _dec(v: object) -> Decimal:
    return to_decimal(v)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def inputs(self, max_points: Decimal) -> list[InputSpec]:
        raise NotImplementedError

    def score(self, values: Mapping[str, Value], max_points: Decimal, decimals: int = 2) -> Decimal:
        raise NotImplementedError

    def formula(self, refs: Mapping[str, str], max_points: Decimal, decimals: int = 2) -> str | None:
        raise NotImplementedError

    def problems(self, max_points: Decimal, decimals: int) -> list[tuple[str, str]]:
        """(sub-path, Vietnamese message) for parameters inconsistent with the item."""
        return []

    @property
    def self_scored(self) -> bool:
        return True


def _text(value: Value) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else excel_number(value)
    return None if text == "" else text


def _number(value: Value) -> Decimal | None:
    """A value as a number, None when blank, not a number, or beyond what Excel stores (no Overflow later)."""
    if value is None or value == "":
        return None
    if not isinstance(value, Decimal):
        try:
            value = to_decimal(value)
        except ValueError:
            return None
    return value if value.is_finite() and value.copy_abs() <= EXCEL_MAX else None


def _same_text(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _str_literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _points_problems(points: Decimal, max_points: Decimal, decimals: int, where: str) -> list[tuple[str, str]]:
    out = []
    if points > max_points:
        out.append((where, f"số điểm {excel_number(points)} lớn hơn điểm tối đa {excel_number(max_points)} của tiêu chí"))
    if points < 0:
        out.append((where, f"số điểm {excel_number(points)} âm"))
    if quantize(points, decimals) != points:
        out.append((where, f"số điểm {excel_number(points)} có nhiều hơn {decimals} chữ số thập phân"))
    return out


class BinaryRule(_Rule):
    """Đạt / Không đạt: the item's max, or nothing."""

    type: Literal["binary"]
    pass_label: str = "Đạt"
    fail_label: str = "Không đạt"

    def inputs(self, max_points):
        return [InputSpec("choice", "Kết quả", "choice", (self.pass_label, self.fail_label))]

    def score(self, values, max_points, decimals=2):
        chosen = _text(values.get("choice"))
        return max_points if chosen is not None and _same_text(chosen, self.pass_label) else ZERO

    def formula(self, refs, max_points, decimals=2):
        c = refs["choice"]
        return f"=IF({c}={_str_literal(self.pass_label)},{excel_number(max_points)},0)"

    def problems(self, max_points, decimals):
        if _same_text(self.pass_label, self.fail_label):
            return [("pass_label", "hai lựa chọn Đạt/Không đạt trùng nhau")]
        return []


class LevelOption(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str = Field(min_length=1)
    points: Decimal

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, v):
        return _dec(v)


class LevelsRule(_Rule):
    """Named options, each worth a fixed number of points."""

    type: Literal["levels"]
    options: list[LevelOption] = Field(min_length=2)

    def inputs(self, max_points):
        return [InputSpec("choice", "Mức độ", "choice", tuple(o.label for o in self.options))]

    def score(self, values, max_points, decimals=2):
        chosen = _text(values.get("choice"))
        if chosen is None:
            return ZERO
        for option in self.options:
            if _same_text(chosen, option.label):
                return option.points
        return ZERO

    def formula(self, refs, max_points, decimals=2):
        c = refs["choice"]
        expr = "0"
        for option in reversed(self.options):
            expr = f"IF({c}={_str_literal(option.label)},{excel_number(option.points)},{expr})"
        return "=" + expr

    def problems(self, max_points, decimals):
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, option in enumerate(self.options):
            key = option.label.lower()
            if key in seen:
                out.append((f"options[{i}].label", f"lựa chọn «{option.label}» bị trùng"))
            seen.add(key)
            out += _points_problems(option.points, max_points, decimals, f"options[{i}].points")
        if self.options and max(o.points for o in self.options) != max_points:
            out.append(("options", "không có lựa chọn nào đạt điểm tối đa của tiêu chí"))
        return out


class RatioBand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    when: IntervalWords = Field(description='Khoảng tỷ lệ, ví dụ "từ 70% đến dưới 90%", "trên 90%", "dưới 70%"')
    points: Decimal

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, v):
        return _dec(v)

    @cached_property  # scored for every unit: parse the words once
    def interval(self) -> Interval:
        return parse_interval(self.when)


class RatioRule(_Rule):
    """Numerator and denominator typed by the unit; the percentage picks a band."""

    type: Literal["ratio"]
    numerator: str = Field(description="Nhãn của tử số, ví dụ «Số hồ sơ giải quyết đúng hạn»")
    denominator: str = Field(description="Nhãn của mẫu số, ví dụ «Tổng số hồ sơ tiếp nhận»")
    bands: list[RatioBand] = Field(min_length=1)
    zero_denominator: Decimal | Literal["max"] = Field(
        "max", description="Điểm khi mẫu số bằng 0 (không phát sinh): «max» hoặc một số")

    @field_validator("zero_denominator", mode="before")
    @classmethod
    def _zero(cls, v):
        return v if v == "max" else _dec(v)

    def _zero_points(self, max_points: Decimal) -> Decimal:
        return max_points if self.zero_denominator == "max" else self.zero_denominator  # type: ignore[return-value]

    @cached_property
    def _scale(self) -> int:
        """10**k making every band boundary an integer, for exact comparisons."""
        exponents = [p.as_tuple().exponent for b in self.bands for p in (b.interval.lo, b.interval.hi) if p is not None]
        k = max([0] + [-e for e in exponents if isinstance(e, int)])
        return 10**k

    def inputs(self, max_points):
        return [
            InputSpec("numerator", self.numerator, "whole", minimum=ZERO),
            InputSpec("denominator", self.denominator, "whole", minimum=ZERO),
        ]

    def score(self, values, max_points, decimals=2):
        n, d = _number(values.get("numerator")), _number(values.get("denominator"))
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
        n, d, s = refs["numerator"], refs["denominator"], self._scale
        lhs = f"{n}*{100 * s}"
        expr = "0"
        for band in reversed(self.bands):
            iv = band.interval
            conds = []
            if iv.lo is not None:
                conds.append(f"{lhs}{'>=' if iv.lo_closed else '>'}{excel_number(iv.lo * s)}*{d}")
            if iv.hi is not None:
                conds.append(f"{lhs}{'<=' if iv.hi_closed else '<'}{excel_number(iv.hi * s)}*{d}")
            cond = conds[0] if len(conds) == 1 else f"AND({','.join(conds)})" if conds else "TRUE"
            expr = f"IF({cond},{excel_number(band.points)},{expr})"
        zero = excel_number(self._zero_points(max_points))
        return f'=IF(OR({n}="",{d}=""),0,IF({d}=0,{zero},{expr}))'

    def percentage(self, values: Mapping[str, Value]) -> Decimal | None:
        n, d = _number(values.get("numerator")), _number(values.get("denominator"))
        if n is None or d is None or d == 0:
            return None
        return n * HUNDRED / d

    def problems(self, max_points, decimals):
        out: list[tuple[str, str]] = []
        for i, band in enumerate(self.bands):
            out += _points_problems(band.points, max_points, decimals, f"bands[{i}].points")
        for msg in coverage_problems([b.interval for b in self.bands], ZERO, HUNDRED):
            out.append(("bands", msg))
        if self.zero_denominator != "max":
            out += _points_problems(self.zero_denominator, max_points, decimals, "zero_denominator")  # type: ignore[arg-type]
        if self.bands and max(b.points for b in self.bands) != max_points:
            out.append(("bands", "không có khoảng nào đạt điểm tối đa của tiêu chí"))
        return out


class CountRule(_Rule):
    """Points per occurrence from a base, kept within [floor, cap].

    A deduction ("trừ 0,5 điểm mỗi văn bản chậm, tối thiểu 0") has a negative
    ``per`` and starts from the item's max; an award per occurrence has a
    positive ``per`` and starts from 0.
    """

    type: Literal["count"]
    label: str = Field(description="Nhãn của số lượng, ví dụ «Số báo cáo gửi chậm»")
    per: Decimal = Field(description="Điểm cho mỗi lần (âm nếu là trừ điểm)")
    base: Decimal | Literal["max"] | None = Field(None, description="Điểm xuất phát; mặc định: tối đa nếu trừ điểm, 0 nếu cộng")
    floor: Decimal = Decimal(0)
    cap: Decimal | Literal["max"] = "max"

    @field_validator("per", "floor", mode="before")
    @classmethod
    def _decimals(cls, v):
        return _dec(v)

    @field_validator("base", "cap", mode="before")
    @classmethod
    def _max_or_decimal(cls, v):
        return v if v in ("max", None) else _dec(v)

    def _base(self, max_points: Decimal) -> Decimal:
        if self.base is None:
            return max_points if self.per < 0 else ZERO
        return max_points if self.base == "max" else self.base  # type: ignore[return-value]

    def _cap(self, max_points: Decimal) -> Decimal:
        return max_points if self.cap == "max" else self.cap  # type: ignore[return-value]

    def inputs(self, max_points):
        return [InputSpec("count", self.label, "whole", minimum=ZERO)]

    def score(self, values, max_points, decimals=2):
        c = _number(values.get("count"))
        if c is None:
            return ZERO
        raw = self._base(max_points) + self.per * c
        return quantize(min(self._cap(max_points), max(self.floor, raw)), decimals)

    def formula(self, refs, max_points, decimals=2):
        c = refs["count"]
        base, per = excel_number(self._base(max_points)), excel_number(self.per)
        cap, floor = excel_number(self._cap(max_points)), excel_number(self.floor)
        return f'=IF({c}="",0,ROUND(MIN({cap},MAX({floor},{base}+({per})*{c})),{decimals}))'

    def problems(self, max_points, decimals):
        out: list[tuple[str, str]] = []
        if self.per == 0:
            out.append(("per", "điểm mỗi lần bằng 0"))
        cap = self._cap(max_points)
        out += _points_problems(cap, max_points, decimals, "cap")
        out += _points_problems(self._base(max_points), max_points, decimals, "base")
        if self.floor > cap:
            out.append(("floor", "điểm sàn lớn hơn điểm trần"))
        if self.floor < 0:
            out.append(("floor", "điểm sàn âm"))
        return out


class ManualRule(_Rule):
    """A score typed directly, within [0, max], in steps (e.g. 0,25)."""

    type: Literal["manual"]
    step: Decimal = Decimal("0.25")

    @field_validator("step", mode="before")
    @classmethod
    def _step(cls, v):
        return _dec(v)

    def inputs(self, max_points):
        return [InputSpec("score", "Điểm tự chấm", "decimal", minimum=ZERO, maximum=max_points, step=self.step)]

    def score(self, values, max_points, decimals=2):
        s = _number(values.get("score"))
        if s is None:
            return ZERO
        return quantize(min(max_points, max(ZERO, s)), decimals)

    def formula(self, refs, max_points, decimals=2):
        s = refs["score"]
        return f'=IF({s}="",0,ROUND(MIN({excel_number(max_points)},MAX(0,{s})),{decimals}))'

    def on_step(self, value: Decimal) -> bool:
        return (value / self.step) == (value / self.step).to_integral_value()

    def problems(self, max_points, decimals):
        out = []
        if self.step <= 0:
            out.append(("step", "bước điểm phải lớn hơn 0"))
        elif not self.on_step(max_points):
            out.append(("step", f"điểm tối đa {excel_number(max_points)} không chia hết cho bước {excel_number(self.step)}"))
        if self.step > 0 and quantize(self.step, decimals) != self.step:
            out.append(("step", f"bước điểm có nhiều hơn {decimals} chữ số thập phân"))
        return out


class SurveyRule(_Rule):
    """Points come from the sociological survey, never from the unit.

    ``weights`` gives each answer's share of the max (A/B/C/D = 100/60/20/0 %);
    the item's points are the max times the answers' weighted average.
    """

    type: Literal["survey"]
    weights: dict[str, Decimal] = Field(default_factory=lambda: {
        "A": Decimal(100), "B": Decimal(60), "C": Decimal(20), "D": Decimal(0)})

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, v):
        return {str(k): _dec(w) for k, w in (v or {}).items()}

    @property
    def self_scored(self) -> bool:
        return False

    def inputs(self, max_points):
        return []

    def score(self, values, max_points, decimals=2):
        return ZERO

    def formula(self, refs, max_points, decimals=2):
        return None

    def score_answers(self, counts: Mapping[str, int], max_points: Decimal, decimals: int = 2) -> Decimal:
        """Points from the count of each answer given in the survey."""
        total = sum(counts.values())
        if total == 0:
            return ZERO
        weighted = sum(Decimal(n) * self.weights.get(answer, ZERO) for answer, n in counts.items())
        return quantize(max_points * weighted / (Decimal(total) * HUNDRED), decimals)

    def problems(self, max_points, decimals):
        out = []
        for answer, weight in self.weights.items():
            if not ZERO <= weight <= HUNDRED:
                out.append((f"weights.{answer}", "trọng số phải trong khoảng 0–100 (%)"))
        if not self.weights:
            out.append(("weights", "cần ít nhất một phương án trả lời"))
        return out


Rule = Annotated[
    Union[BinaryRule, LevelsRule, RatioRule, CountRule, ManualRule, SurveyRule],
    Field(discriminator="type"),
]

RULE_TYPES = ("binary", "levels", "ratio", "count", "manual", "survey")
