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
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator

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

    def describe(self) -> str:
        """Back to Vietnamese words, for messages and the workbook."""
        from ..core.numbers import vi_number

        lo = None if self.lo is None else vi_number(self.lo) + "%"
        hi = None if self.hi is None else vi_number(self.hi) + "%"
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


_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    (re.compile(rf"^(từ|trên)\s+{_NUM}\s+(đến dưới|đến|tới dưới|tới)\s+{_NUM}$"),
     lambda m: Interval(_num(m[2]), m[1] == "từ", _num(m[4]), m[3] in ("đến", "tới"))),
    (re.compile(rf"^(từ|trên)\s+{_NUM}\s+trở lên$"),
     lambda m: Interval(_num(m[2]), m[1] == "từ", None, False)),
    (re.compile(rf"^(?:từ\s+)?{_NUM}\s+trở lên$"),
     lambda m: Interval(_num(m[1]), True, None, False)),
    (re.compile(rf"^trên\s+{_NUM}$"), lambda m: Interval(_num(m[1]), False, None, False)),
    (re.compile(rf"^(?:từ|>=|≥)\s*{_NUM}$"), lambda m: Interval(_num(m[1]), True, None, False)),
    (re.compile(rf"^(?:dưới|<)\s*{_NUM}$"), lambda m: Interval(None, False, _num(m[1]), False)),
    (re.compile(rf"^(?:từ\s+)?{_NUM}\s+trở xuống$"), lambda m: Interval(None, False, _num(m[1]), True)),
    (re.compile(rf"^(?:đến|<=|≤)\s*{_NUM}$"), lambda m: Interval(None, False, _num(m[1]), True)),
    (re.compile(rf"^(?:bằng|đạt)?\s*{_NUM}$"), lambda m: Interval(_num(m[1]), True, _num(m[1]), True)),
]


def parse_interval(text: str) -> Interval:
    """Parse a band's words; raises ValueError with the words when unreadable."""
    s = unicodedata.normalize("NFC", text).strip().lower()
    s = re.sub(r"\s+", " ", s).replace(" %", "%")
    for pattern, build in _PATTERNS:
        m = pattern.match(s)
        if m:
            return build(m)  # type: ignore[operator]
    raise ValueError(text)


def checked_words(text: str) -> str:
    """Pydantic validator: the words must parse; the message quotes them back to the user."""
    try:
        parse_interval(text)
    except ValueError:
        raise ValueError(f"không đọc được khoảng «{text}»") from None
    return text


# A band's words in a criteria set or campaign: checked when the YAML is loaded.
IntervalWords = Annotated[str, AfterValidator(checked_words)]


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
