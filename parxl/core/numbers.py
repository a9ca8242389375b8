"""Exact decimal arithmetic and the Vietnamese way of writing numbers.

Every score in parxl is a Decimal rounded half-up; floats never touch a score.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# The largest number Excel stores (a double shown with 15 digits); beyond it a value is not a spreadsheet number.
EXCEL_MAX = Decimal("9.99999999999999E+307")
# The largest count or ratio figure (a numerator, a denominator, a number of times) taken as plausible for one
# unit: a province has a few million people and records; 10^9 leaves three orders of magnitude of margin.
MAX_FIGURE = Decimal(10) ** 9

# "1.234,5" / "1234,5" / "0,25" (Vietnamese) and "1234.5" (machine) forms.
_VI_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DOT_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def to_decimal(value: object) -> Decimal:
    """Convert an int, float, Decimal or numeric string to an exact Decimal.

    Floats go through ``repr`` so that 0.1 becomes Decimal("0.1"), not its
    binary expansion. Raises ValueError for anything that is not a number.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {value!r}")
        return Decimal(repr(value))
    if isinstance(value, str):
        parsed = parse_text_number(value)
        if parsed is None:
            raise ValueError(f"not a number: {value!r}")
        return parsed
    raise ValueError(f"not a number: {value!r}")


def parse_text_number(text: str) -> Decimal | None:
    """Read a number typed as text: "1,5", "1.234,5", "12", "12.5" or "12%".

    A single dot followed by exactly three digits ("1.234") is read as a
    thousands separator, as a Vietnamese user means it. Returns None when the
    text is not a number.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if s.endswith("%"):
        s = s[:-1]
    if not s:
        return None
    try:
        if _VI_NUMBER.match(s):
            d = Decimal(s.replace(".", "").replace(",", "."))
        elif _DOT_NUMBER.match(s):
            d = Decimal(s)
        else:
            return None
    except InvalidOperation:  # pragma: no cover - the patterns exclude it
        return None
    return d if d.copy_abs() <= EXCEL_MAX else None


def quantize(value: Decimal, decimals: int = 2) -> Decimal:
    """Round half-up (away from zero for .5, like Excel's ROUND) to ``decimals``.

    Exact for any finite value (the precision grows with the value: 1E+28 to
    two decimals needs 31 digits, more than the default context's 28).
    Raises decimal.InvalidOperation for NaN or infinity.
    """
    digits = max(28, value.adjusted() + decimals + 2)
    context = _CONTEXTS.get(digits)
    if context is None:  # made once per precision: building a Context costs more than the rounding
        context = _CONTEXTS[digits] = Context(prec=digits, Emax=max(999_999, digits), Emin=-999_999)
    step = _STEPS.get(decimals)
    if step is None:
        step = _STEPS[decimals] = Decimal(1).scaleb(-decimals)
    return value.quantize(step, rounding=ROUND_HALF_UP, context=context)


_CONTEXTS: dict[int, Context] = {}  # precision -> the context ``quantize`` rounds in
_STEPS: dict[int, Decimal] = {}     # decimals -> 1E-decimals


def excel_number(value: Decimal) -> str:
    """A Decimal as a formula literal: '.' decimal point, no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def vi_number(value: Decimal | int | float, decimals: int | None = None) -> str:
    """Format for a Vietnamese reader: decimal comma, dot for thousands ("1.234,5")."""
    d = to_decimal(value)
    if not d.is_finite():
        return str(d)
    if decimals is not None:
        d = quantize(d, decimals)
        text = f"{d:,.{decimals}f}"
    else:
        text = f"{d.normalize():,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
