"""What every rule type shares: the input cells (``InputSpec``), input values (``Value``), the base
class ``RuleType`` and the helpers rule modules use to read values and write Excel text.

A rule type is a frozen pydantic model with a ``type: Literal["…"]`` field (the YAML ``rule.type``)
that knows, for one scored item of ``max_points`` points:
- ``inputs(max_points)``: the cells the unit fills (a choice, whole numbers, a score);
- ``score(values, max_points, decimals)``: the points, in exact Decimal arithmetic;
- ``formula(refs, max_points, decimals)``: the Excel formula computing the same points from the
  cells named in ``refs``;
- ``problems(max_points, decimals)``: its parameters that contradict the item;
- ``example_answers(rng, max_points, good, diligence)``: plausible inputs, for the demo;
and carries, as class attributes, its Vietnamese ``title``, the README table's ``meaning`` and
``example``, and the workbook instructions' ``guide`` line. See ``parxl.criteria.rules`` for the
registry that every other part of parxl reads.

Both sides share the same semantics, which a LibreOffice test proves cell by cell: a blank input
scores 0; text is compared case-insensitively (as Excel's ``=`` does); results are rounded half-up.
"""
from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...core.numbers import EXCEL_MAX, excel_number, quantize, to_decimal, vi_number

InputKind = Literal["choice", "whole", "decimal"]


@dataclass(frozen=True)
class InputSpec:
    """One cell the unit fills for an item.

    ``key`` names the input in answers and formulas (``choice``, ``numerator``…); ``label`` is the
    Vietnamese prompt; ``kind`` is a dropdown of ``options`` (choice), a whole number, or a decimal
    number, within [``minimum``, ``maximum``] (points or counts; None = no bound) in ``step``s.
    """

    key: str
    label: str
    kind: InputKind
    options: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    step: Decimal | None = None
    row: int = 0
    """Where the cell is: 0 on the item's own row (the input columns in order), n > 0 on the n-th line
    row below it (a checklist's lines, in the first input column)."""


Value = Union[str, Decimal, None]
"""One input as read from a workbook: text, an exact number, or None for a blank cell."""


def to_dec(v: object) -> Decimal:
    """A YAML number or Vietnamese number text ("0,25") as an exact Decimal.

    Raises ValueError with a Vietnamese message (the loader shows it as is) for anything else.
    """
    if v is None:
        raise ValueError("đang để trống; ghi một số, ví dụ 2 hoặc \"0,25\"")
    try:
        return to_decimal(v)
    except ValueError as exc:
        raise ValueError(f"«{v}» không phải là số (viết số như 2 hoặc \"0,25\")") from exc


class RuleType(BaseModel):
    """Base class of the rule types. Subclasses declare ``type: Literal["name"]`` and register with
    ``parxl.criteria.rules.register``; the class attributes below feed the CLI, README, workbook
    instructions and the registry's order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: ClassVar[str] = ""
    """Short Vietnamese name («Đạt/Không đạt»), printed by ``parxl framework check``."""
    meaning: ClassVar[str] = ""
    """README table: how the points are computed, in Vietnamese (Markdown)."""
    example: ClassVar[str] = ""
    """README table: an example, in Vietnamese (Markdown)."""
    guide: ClassVar[str | None] = None
    """The workbook instructions' line for items of this type (without the bullet), or None."""
    order: ClassVar[int] = 1000
    """Position in every list of rule types (README, instructions, error messages); ties by name."""

    @classmethod
    def type_name(cls) -> str:
        """The YAML ``rule.type`` this class handles, read from its ``type`` Literal field.

        Raises TypeError when the class does not declare ``type: Literal["…"]`` with one value.
        """
        field = cls.model_fields.get("type")
        args = get_args(field.annotation) if field is not None else ()
        if len(args) != 1 or not isinstance(args[0], str):
            raise TypeError(f"{cls.__name__} must declare type: Literal['name'] with exactly one name")
        return args[0]

    def inputs(self, max_points: Decimal) -> list[InputSpec]:
        """The cells the unit fills for an item worth ``max_points``, in column order (at most as many
        as the workbook has input columns, see ``parxl.workbook.layout.INPUT_COLUMNS``)."""
        raise NotImplementedError

    def score(self, values: Mapping[str, Value], max_points: Decimal, decimals: int = 2) -> Decimal:
        """The item's points from ``values`` ({input key: value}; a missing key is a blank cell),
        rounded half-up to ``decimals`` places, exactly as ``formula`` computes them in Excel."""
        raise NotImplementedError

    def formula(self, refs: Mapping[str, str], max_points: Decimal, decimals: int = 2) -> str | None:
        """The Excel formula (with ``=``) of the item's score, reading the input cells ``refs``
        ({input key: cell reference such as "D12"}); None for an item the unit does not score."""
        raise NotImplementedError

    def problems(self, max_points: Decimal, decimals: int) -> list[tuple[str, str]]:
        """(sub-path under ``rule``, Vietnamese message) for parameters inconsistent with the item."""
        return []

    def scoring_text(self, max_points: Decimal, decimals: int = 2) -> str:
        """How the item is scored, in the official words a commune official reads in the workbook
        («Cách chấm: «Đạt»: 1 điểm; «Không đạt»: 0 điểm.»): options, bands, deductions and their points,
        numbers with a decimal comma. "" when the rule type has nothing to say (the default)."""
        return ""

    def example_answers(self, rng: random.Random, max_points: Decimal, good: bool,
                        diligence: float) -> dict[str, Value]:
        """Plausible inputs for the demo's simulated units: a full-marks answer when ``good``, else a
        weaker one; ``diligence`` (0–1) is the unit's overall care. Only ``rng`` supplies chance, so the
        demo is reproducible. Rules that take no input return {}."""
        if not self.inputs(max_points):
            return {}
        raise NotImplementedError(f"{type(self).__name__} has no example_answers")

    @property
    def self_scored(self) -> bool:
        """Whether the unit scores the item itself (False for the survey's items)."""
        return True


def text_of(value: Value) -> str | None:
    """An input as text (numbers spelled as Excel would), None when blank."""
    if value is None:
        return None
    text = value if isinstance(value, str) else excel_number(value)
    return None if text == "" else text


def number_of(value: Value) -> Decimal | None:
    """A value as a number, None when blank, not a number, or beyond what Excel stores (no Overflow later)."""
    if value is None or value == "":
        return None
    if not isinstance(value, Decimal):
        try:
            value = to_decimal(value)
        except ValueError:
            return None
    return value if value.is_finite() and value.copy_abs() <= EXCEL_MAX else None


def same_text(a: str, b: str) -> bool:
    """Text equality as Excel's ``=`` sees it (case-insensitive)."""
    return a.lower() == b.lower()


def points_words(points: Decimal) -> str:
    """Points as the workbook states them: «1 điểm», «0,25 điểm» (decimal comma, no trailing zeros)."""
    return f"{vi_number(points.normalize() if points == points.to_integral_value() else points)} điểm"


def str_literal(text: str) -> str:
    """``text`` as an Excel string literal, quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def points_problems(points: Decimal, max_points: Decimal, decimals: int, where: str) -> list[tuple[str, str]]:
    """Problems of a number of points given in a rule: above the item's max, negative, too many decimals."""
    out = []
    if points > max_points:
        out.append((where, f"số điểm {vi_number(points)} lớn hơn điểm tối đa {vi_number(max_points)} của tiêu chí"))
    if points < 0:
        out.append((where, f"số điểm {vi_number(points)} âm"))
    if quantize(points, decimals) != points:
        out.append((where, f"số điểm {vi_number(points)} có nhiều hơn {decimals} chữ số thập phân"))
    return out


FigureKind = Literal["whole", "decimal"]


class FigureRule(RuleType):
    """Base of the rule types whose unit types raw figures (``ratio``, ``proportional``): the points when
    the denominator is 0 (``zero_denominator``: «max» or a number of points); the YAML key ``inputs``
    says whole numbers (the default) or decimals (money, hectares), ``input_decimals`` how many places
    (0–4, default 2). Not registered itself.

    Decimal figures are rounded half-up to ``input_decimals`` places on both sides (Python and the
    workbook's ``ROUND(x*10^k,0)``), so what the unit typed beyond them cannot split the two.
    """

    figures: FigureKind = Field("whole", alias="inputs",
                                description="Số liệu nhập: «whole» (số nguyên, mặc định) hoặc «decimal» (số thập phân)")
    input_decimals: int = Field(2, ge=0, le=4, description="Số chữ số thập phân của số liệu khi inputs: decimal")
    zero_denominator: Decimal | Literal["max"] = Field(
        "max", description="Điểm khi mẫu số bằng 0 (không phát sinh): «max» hoặc một số")

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("zero_denominator", mode="before")
    @classmethod
    def _zero(cls, v):
        if v == "max":
            return v
        try:
            return to_dec(v)
        except ValueError:
            raise ValueError(f"«{v}» không hợp lệ; ghi «max» (được điểm tối đa) hoặc một số điểm, ví dụ 0") from None

    def _zero_points(self, max_points: Decimal) -> Decimal:
        return max_points if self.zero_denominator == "max" else self.zero_denominator  # type: ignore[return-value]

    def figure_spec(self, key: str, label: str) -> InputSpec:
        """The input cell of one raw figure ≥ 0: whole, or decimal in steps of 10^-``input_decimals``."""
        if self.figures == "decimal":
            return InputSpec(key, label, "decimal", minimum=Decimal(0),
                             step=Decimal(1).scaleb(-self.input_decimals))
        return InputSpec(key, label, "whole", minimum=Decimal(0))

    def figure(self, value: Value) -> Decimal | None:
        """A figure as scored: None when blank or not a number; decimals rounded to ``input_decimals``."""
        number = number_of(value)
        if number is None or self.figures == "whole":
            return number
        return quantize(number, self.input_decimals)

    def figure_ref(self, ref: str) -> tuple[str, int]:
        """(Excel expression, scale) of a figure cell: the cell itself and 1 for whole figures; for
        decimals ``ROUND(ref*10^k,0)``, the figure times the scale 10^k as an exact whole number."""
        if self.figures == "whole":
            return ref, 1
        scale = 10 ** self.input_decimals
        return f"ROUND({ref}*{scale},0)", scale
