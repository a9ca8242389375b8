"""Percentage intervals written the way Vietnamese criteria sets write them.

"từ 70% đến dưới 90%" is 70 <= v < 90, "trên 90%" is v > 90, "dưới 70%" is
v < 70, "từ 90% trở lên" is v >= 90, "từ 70% đến 90%" is 70 <= v <= 90,
"100%" (or "bằng 100%", "đạt 100%") is exactly 100. The same parser serves
ratio-band rules and classification bands, so both read the words alike.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ..core.numbers import parse_text_number

_NUM = r"(\d+(?:[.,]\d+)?)\s*%?"


@dataclass(frozen=True)
class Interval:
    """A set of percentages: lo..hi with open or closed ends; None is unbounded."""

    lo: Decimal | None
    lo_closed: bool
    hi: Decimal | None
    hi_closed: bool

    def contains(self, v: Decimal) -> bool:
        """Whether the percentage ``v`` lies in the interval, ends included or not as declared."""
        if self.lo is not None and (v < self.lo or (v == self.lo and not self.lo_closed)):
            return False
        if self.hi is not None and (v > self.hi or (v == self.hi and not self.hi_closed)):
            return False
        return True

    def is_empty(self) -> bool:
        """Whether no percentage lies in the interval (lo above hi, or one open point)."""
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def describe(self, unit: str = "%") -> str:
        """Back to Vietnamese words, for messages and the workbook; ``unit`` follows each number («%», or
        « điểm» for bands on points)."""
        from ..core.numbers import vi_number

        lo = None if self.lo is None else vi_number(self.lo) + unit
        hi = None if self.hi is None else vi_number(self.hi) + unit
        if lo is not None and hi is not None and self.lo == self.hi:
            return lo
        if lo is None:
            return ("đến " if self.hi_closed else "dưới ") + str(hi)
        if hi is None:
            return f"từ {lo} trở lên" if self.lo_closed else f"trên {lo}"
        start = "từ" if self.lo_closed else "trên"
        end = "đến" if self.hi_closed else "đến dưới"
        return f"{start} {lo} {end} {hi}"


def _num(text: str) -> Decimal:
    value = parse_text_number(text)
    if value is None:  # pragma: no cover - guarded by the regex
        raise ValueError(text)
    return value


# The forms understood, as the error for unreadable words lists them (each one example of a family).
UNDERSTOOD_FORMS = (
    "«từ 70% đến dưới 90%»", "«từ 70% đến 90%»", "«Từ 70% - 90%»", "«Từ 80% - dưới 100%»", "«80 – < 90 %»",
    "«trên 90%»", "«từ 90% trở lên»", "«đạt từ 90% trở lên»", "«Thực hiện trên 90% kế hoạch»",
    "«dưới 70%»", "«Dưới 70% kế hoạch»", "«từ 50% trở xuống»", "«100%»", "«Đạt 100% kế hoạch»",
    "«Hoàn thành 100%»", "«>= 90%»", "«< 70%»",
)

_LEADING = re.compile(r"^(?:(?:đạt|thực hiện|hoàn thành|tỷ lệ|tỉ lệ|kết quả|giải quyết|được)\s+)+")
_TRAILING = re.compile(r"\s*(?:(?:so với\s+)?(?:kế hoạch|chỉ tiêu|nhiệm vụ|yêu cầu)"
                       r"(?:\s+(?:được giao|đề ra|giao|năm))*)$")
_DASH = re.compile(r"\s*[-–—]\s*")

_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(rf"^(từ|trên)\s+{_NUM}\s+(đến dưới|đến|tới dưới|tới)\s+{_NUM}$"),
     lambda m: Interval(_num(m[2]), m[1] == "từ", _num(m[4]), m[3] in ("đến", "tới"))),
    # «80 – < 90 %», «80 - <= 90%», «từ 80 - < 90»: the lower end included
    (re.compile(rf"^(?:từ\s+)?{_NUM}\s+(?:đến\s+)?(<=|≤|<)\s*{_NUM}$"),
     lambda m: Interval(_num(m[1]), True, _num(m[3]), m[2] != "<")),
    (re.compile(rf"^(từ|trên)\s+{_NUM}\s+trở lên$"),
     lambda m: Interval(_num(m[2]), m[1] == "từ", None, False)),
    (re.compile(rf"^(?:từ\s+)?{_NUM}\s+trở lên$"),
     lambda m: Interval(_num(m[1]), True, None, False)),
    (re.compile(rf"^(?:trên|>)\s*{_NUM}$"), lambda m: Interval(_num(m[1]), False, None, False)),
    (re.compile(rf"^(?:từ|>=|≥)\s*{_NUM}$"), lambda m: Interval(_num(m[1]), True, None, False)),
    (re.compile(rf"^(?:dưới|<)\s*{_NUM}$"), lambda m: Interval(None, False, _num(m[1]), False)),
    (re.compile(rf"^(?:từ\s+)?{_NUM}\s+trở xuống$"), lambda m: Interval(None, False, _num(m[1]), True)),
    (re.compile(rf"^(?:đến|<=|≤)\s*{_NUM}$"), lambda m: Interval(None, False, _num(m[1]), True)),
    (re.compile(rf"^(?:bằng\s*)?{_NUM}$"), lambda m: Interval(_num(m[1]), True, _num(m[1]), True)),
]


def _normalized(text: str) -> str:
    """The words lower-cased and NFC, spaces collapsed, «%»/«điểm» glued to their number, dashes read
    as «đến» after «từ»/«trên», leading verbs («đạt», «thực hiện», «hoàn thành») and a trailing «kế
    hoạch» dropped: «Thực hiện trên 90% kế hoạch» → «trên 90%»."""
    s = unicodedata.normalize("NFC", text).strip().lower()
    s = re.sub(r"\s+", " ", s).replace(" %", "%")
    s = re.sub(r"(\d)\s*điểm\b", r"\1", s)
    s = re.sub(r"[.;:]+$", "", s).strip()
    s = _LEADING.sub("", s)
    s = _TRAILING.sub("", s).strip()
    # «từ 70% - 90%», «từ 80% - dưới 100%», «80 – < 90%»
    m = re.match(rf"^(từ|trên)?\s*{_NUM}{_DASH.pattern}(.+)$", s)
    if m and m[1]:
        rest = m[3].strip()
        if re.match(r"^(dưới|<)\s*", rest):
            rest = re.sub(r"^(dưới|<)\s*", "", rest)
            return f"{m[1]} {m[2]}% đến dưới {rest}"
        rest = re.sub(r"^(đến|<=|≤)\s*", "", rest)
        return f"{m[1]} {m[2]}% đến {rest}"
    if m and re.match(r"^(<=|≤|<)", m[3].strip()):
        return f"{m[2]}% {m[3].strip()}"
    return s


@lru_cache(maxsize=4096)  # a band's words are parsed once, not once per unit classified
def parse_interval(text: str) -> Interval:
    """Parse a band's words as officials write them (see ``UNDERSTOOD_FORMS``) into an ``Interval``;
    raises ValueError with the words when unreadable. Numbers may carry «%» or «điểm» (bands on points)."""
    s = _normalized(text)
    for pattern, build in _PATTERNS:
        m = pattern.match(s)
        if m:
            return build(m)  # type: ignore[operator]
    raise ValueError(text)


def unreadable_message(text: str) -> str:
    """The Vietnamese message for band words parxl cannot read: the understood forms and the explicit
    interval to write instead."""
    return (f"không đọc được khoảng «{text}»; parxl hiểu các cách viết: " + ", ".join(UNDERSTOOD_FORMS)
            + "; nếu vẫn chưa rõ, ghi khoảng tường minh và giữ nguyên văn làm nhãn, ví dụ "
              "{label: \"" + text.replace('"', "'") + "\", from: 70, to: 90, include_to: true}")


def checked_words(text: str) -> str:
    """Pydantic validator: the words must parse; the message quotes them back and lists the forms understood."""
    try:
        parse_interval(text)
    except ValueError:
        raise ValueError(unreadable_message(text)) from None
    return text


# A band's words in a criteria set or campaign: checked when the YAML is loaded.
IntervalWords = Annotated[str, AfterValidator(checked_words)]


def explicit_interval(lo: Decimal | None, hi: Decimal | None, include_from: bool = True,
                      include_to: bool = False) -> Interval:
    """An interval written explicitly (``from``, ``to``, ``include_from``, ``include_to``); None is unbounded."""
    return Interval(lo, include_from and lo is not None, hi, include_to and hi is not None)


def coverage_problems(intervals: list[Interval], lo: Decimal, hi: Decimal) -> list[str]:
    """Gaps and overlaps of ``intervals`` over [lo, hi], as Vietnamese sentences."""
    problems: list[str] = []
    for i, a in enumerate(intervals):
        for j in range(i + 1, len(intervals)):
            b = intervals[j]
            if _overlap(a, b):
                problems.append(f"khoảng «{a.describe()}» và «{b.describe()}» chồng lấn nhau")
    # Walk the points that matter: every end point and the midpoints between them.
    points = sorted({lo, hi, *[p for iv in intervals for p in (iv.lo, iv.hi) if p is not None and lo <= p <= hi]})
    probes = list(points) + [(a + b) / 2 for a, b in zip(points, points[1:])]
    gaps = sorted({p for p in probes if not any(iv.contains(p) for iv in intervals)})
    if gaps:
        shown = ", ".join(f"{g.normalize():f}%".replace(".", ",") for g in gaps[:5])
        problems.append(f"các khoảng không phủ kín từ {lo.normalize():f}% đến {hi.normalize():f}% (bỏ sót: {shown})")
    return problems


def _overlap(a: Interval, b: Interval) -> bool:
    lo, lo_closed = _max_lo(a, b)
    hi, hi_closed = _min_hi(a, b)
    return not Interval(lo, lo_closed, hi, hi_closed).is_empty()


def _max_lo(a: Interval, b: Interval) -> tuple[Decimal | None, bool]:
    if a.lo is None:
        return b.lo, b.lo_closed
    if b.lo is None or a.lo > b.lo:
        return a.lo, a.lo_closed
    if b.lo > a.lo:
        return b.lo, b.lo_closed
    return a.lo, a.lo_closed and b.lo_closed


def _min_hi(a: Interval, b: Interval) -> tuple[Decimal | None, bool]:
    if a.hi is None:
        return b.hi, b.hi_closed
    if b.hi is None or a.hi < b.hi:
        return a.hi, a.hi_closed
    if b.hi < a.hi:
        return b.hi, b.hi_closed
    return a.hi, a.hi_closed and b.hi_closed


def _bound(v):
    if v is None or isinstance(v, Decimal):
        return v
    if isinstance(v, bool):
        raise ValueError(f"«{v}» không phải là số; viết số như 70 hoặc \"95,5\"")
    if isinstance(v, (int, float)):
        return Decimal(str(v))
    value = parse_text_number(str(v).strip().rstrip("%").strip())
    if value is None:
        raise ValueError(f"«{v}» không phải là số; viết số như 70 hoặc \"95,5\" (không kèm chữ)")
    return value


class BandBounds(BaseModel):
    """The interval of a band: ``when`` in words, or explicit ``from``/``to`` (``include_from`` default
    true, ``include_to`` default false), with the official text kept in ``label``. Mixed into the
    ratio rule's bands and the classification bands."""

    model_config = ConfigDict(extra="forbid")

    when: IntervalWords | None = Field(None, description="Khoảng bằng lời, ví dụ «từ 70% đến dưới 90%», «Từ 70% - 90%»")
    lo: Decimal | None = Field(None, alias="from", description="Khoảng tường minh: cận dưới (%)")
    hi: Decimal | None = Field(None, alias="to", description="Khoảng tường minh: cận trên (%)")
    include_from: bool = Field(True, description="Có tính cận dưới không (mặc định: có)")
    include_to: bool = Field(False, description="Có tính cận trên không (mặc định: không)")

    @field_validator("lo", "hi", mode="before")
    @classmethod
    def _bounds(cls, v):
        return _bound(v)

    @model_validator(mode="after")
    def _one_way(self):
        if self.when is None and self.lo is None and self.hi is None:
            raise ValueError("thiếu khoảng: ghi «when» bằng lời (ví dụ «từ 70% đến dưới 90%») hoặc khoảng "
                             "tường minh «from»/«to» (ví dụ from: 70, to: 90, include_to: true)")
        if self.when is not None and (self.lo is not None or self.hi is not None):
            raise ValueError("ghi khoảng bằng «when» hoặc bằng «from»/«to», không ghi cả hai")
        return self

    @property
    def bounds(self) -> Interval:
        """The band's interval: ``when`` parsed, else the explicit bounds."""
        if self.when is not None:
            return parse_interval(self.when)
        return explicit_interval(self.lo, self.hi, self.include_from, self.include_to)
