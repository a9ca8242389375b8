"""``levels``: named options, each worth a fixed number of points."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ...core.numbers import ZERO, excel_number
from . import register
from .base import InputSpec, RuleType, points_problems, points_words, same_text, str_literal, text_of, to_dec


class LevelOption(BaseModel):
    """One option of a ``levels`` rule: its label (the dropdown text) and its points."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str = Field(min_length=1)
    points: Decimal

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, v):
        return to_dec(v)


@register
class LevelsRule(RuleType):
    """Named options, each worth a fixed number of points."""

    title = "Theo mức"
    meaning = "các mức có điểm"
    example = "«Ban hành kịp thời» 1 · «Ban hành không kịp thời» 0,5 · «Không ban hành» 0"
    guide = ("Tiêu chí chấm theo mức: bấm vào ô ở cột «Lựa chọn / Số liệu» và chọn mức trong danh sách "
             "thả xuống, không gõ tay.")
    order = 20

    type: Literal["levels"]
    options: list[LevelOption] = Field(min_length=2)

    def inputs(self, max_points):
        """One dropdown ``choice`` offering the options' labels, in the set's order."""
        return [InputSpec("choice", "Mức độ", "choice", tuple(o.label for o in self.options))]

    def score(self, values, max_points, decimals=2):
        """The points of the option whose label equals ``choice`` (ignoring case); 0 for a blank or unknown choice."""
        chosen = text_of(values.get("choice"))
        if chosen is None:
            return ZERO
        for option in self.options:
            if same_text(chosen, option.label):
                return option.points
        return ZERO

    def formula(self, refs, max_points, decimals=2):
        """Nested ``IF(choice="label",points,…)`` over the options, 0 when none matches."""
        c = refs["choice"]
        expr = "0"
        for option in reversed(self.options):
            expr = f"IF({c}={str_literal(option.label)},{excel_number(option.points)},{expr})"
        return "=" + expr

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: «Ban hành kịp thời»: 1 điểm; «Không ban hành»: 0 điểm.», options in the set's order."""
        return "Cách chấm: " + "; ".join(f"«{o.label}»: {points_words(o.points)}" for o in self.options) + "."

    def problems(self, max_points, decimals):
        """A label given twice (ignoring case), an option's points outside [0, max] or with more than
        ``decimals`` places, or no option worth the item's max.
        """
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, option in enumerate(self.options):
            key = option.label.lower()
            if key in seen:
                out.append((f"options[{i}].label", f"lựa chọn «{option.label}» bị trùng"))
            seen.add(key)
            out += points_problems(option.points, max_points, decimals, f"options[{i}].points")
        if self.options and max(o.points for o in self.options) != max_points:
            out.append(("options", "không có lựa chọn nào đạt điểm tối đa của tiêu chí"))
        return out

    def example_answers(self, rng, max_points, good, diligence):
        """The best option when ``good``, else one of the others at random."""
        ordered = sorted(self.options, key=lambda o: -o.points)
        return {"choice": ordered[0].label if good else rng.choice(ordered[1:]).label}
