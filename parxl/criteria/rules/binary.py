"""``binary``: Đạt / Không đạt, the item's max or nothing."""
from __future__ import annotations

from typing import Literal

from ...core.numbers import ZERO, excel_number
from . import register
from .base import InputSpec, RuleType, points_words, same_text, str_literal, text_of


@register
class BinaryRule(RuleType):
    """Đạt / Không đạt: the item's max, or nothing."""

    title = "Đạt/Không đạt"
    meaning = "chọn Đạt hoặc Không đạt"
    example = "Đạt → tối đa, Không đạt → 0"
    guide = ("Tiêu chí chấm Đạt/Không đạt: bấm vào ô ở cột «Lựa chọn / Số liệu» và chọn trong danh sách "
             "thả xuống, không gõ tay.")
    order = 10

    type: Literal["binary"]
    pass_label: str = "Đạt"
    fail_label: str = "Không đạt"

    def inputs(self, max_points):
        """One dropdown ``choice`` offering ``pass_label`` and ``fail_label``."""
        return [InputSpec("choice", "Kết quả", "choice", (self.pass_label, self.fail_label))]

    def score(self, values, max_points, decimals=2):
        """``max_points`` when ``choice`` equals ``pass_label`` (ignoring case), else 0 (blank included)."""
        chosen = text_of(values.get("choice"))
        return max_points if chosen is not None and same_text(chosen, self.pass_label) else ZERO

    def formula(self, refs, max_points, decimals=2):
        """``=IF(choice="Đạt",max,0)``; Excel's ``=`` ignores case as ``score`` does."""
        c = refs["choice"]
        return f"=IF({c}={str_literal(self.pass_label)},{excel_number(max_points)},0)"

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: «Đạt»: 1 điểm; «Không đạt»: 0 điểm.»"""
        return (f"Cách chấm: «{self.pass_label}»: {points_words(max_points)}; "
                f"«{self.fail_label}»: {points_words(ZERO)}.")

    def problems(self, max_points, decimals):
        """The two labels equal (ignoring case): no answer could tell them apart."""
        if same_text(self.pass_label, self.fail_label):
            return [("pass_label", "hai lựa chọn Đạt/Không đạt trùng nhau")]
        return []

    def example_answers(self, rng, max_points, good, diligence):
        """``pass_label`` when ``good``, else ``fail_label``."""
        return {"choice": self.pass_label if good else self.fail_label}
