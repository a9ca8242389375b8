"""``survey``: points from the sociological survey, never from the unit."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer

from ...core.numbers import HUNDRED, ZERO, quantize, vi_number
from . import register
from .base import RuleType, to_dec


class SurveyOption(BaseModel):
    """One answer option of a survey question: its letter (A, B…), the text printed on the form, and
    its weight in % of the item's max (None: the item's ``weights`` for that letter)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    letter: str = Field(min_length=1, description="Chữ cái của phương án: A, B, C…")
    text: str = Field("", description="Nội dung phương án in trên phiếu")
    weight: Decimal | None = Field(None, description="Trọng số (%) của phương án; mặc định theo weights của tiêu chí")

    @field_validator("letter", mode="before")
    @classmethod
    def _letter(cls, v):
        return str(v).strip().upper() if isinstance(v, (str, int)) else v

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, v):
        return None if v is None else to_dec(v)


class SurveyQuestion(BaseModel):
    """A question of the survey's form that scores a survey item: its code (unique in the criteria
    set, e.g. «8.1.1a»), its text, and its options (None: one option per letter of the item's
    ``weights``, without text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, description="Mã câu hỏi, ví dụ «8.1.1a»")
    text: str = Field(min_length=1, description="Nội dung câu hỏi in trên phiếu")
    options: list[SurveyOption] | None = Field(None, description="Các phương án; mặc định theo weights của tiêu chí")

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, v):
        return str(v).strip() if isinstance(v, (int, float, str)) else v


@register
class SurveyRule(RuleType):
    """Points come from the sociological survey, never from the unit.

    ``weights`` gives each answer's share of the max (A/B/C/D = 100/60/20/0 %);
    the item's points are the max times the answers' weighted average.
    """

    title = "Điều tra XHH"
    meaning = "điểm từ điều tra xã hội học, đơn vị không tự chấm"
    example = "A/B/C/D = 100/60/20/0 %"
    guide = "Tiêu chí chấm qua điều tra xã hội học: đơn vị không tự chấm."
    order = 60

    type: Literal["survey"]
    weights: dict[str, Decimal] = Field(default_factory=lambda: {
        "A": Decimal(100), "B": Decimal(60), "C": Decimal(20), "D": Decimal(0)})

    questions: list[SurveyQuestion] = Field(default_factory=list, description="Các câu hỏi trên phiếu khảo sát chấm tiêu chí này")

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, v):
        return {str(k): to_dec(w) for k, w in (v or {}).items()}

    @property
    def self_scored(self) -> bool:
        """False: the survey's results table scores the item, not the unit."""
        return False

    def inputs(self, max_points):
        """No cell: the unit fills nothing for a survey item."""
        return []

    def score(self, values, max_points, decimals=2):
        """0: a unit's answers never score a survey item (see ``score_answers``)."""
        return ZERO

    def formula(self, refs, max_points, decimals=2):
        """None: the workbook has no score formula for a survey item."""
        return None

    @model_serializer(mode="wrap")
    def _without_empty_questions(self, handler):
        # A set without questions dumps as before they existed: its fingerprint, which the
        # workbooks already sent carry, does not change.
        data = handler(self)
        if not self.questions and isinstance(data, dict):
            data.pop("questions", None)
        return data

    def options_of(self, question: SurveyQuestion | None = None) -> dict[str, Decimal]:
        """{letter: weight in %} of ``question``'s options (an option without weight takes the
        item's ``weights``; a letter in neither weighs 0), or of the item's ``weights`` when
        ``question`` is None or lists no options."""
        if question is None or not question.options:
            return dict(self.weights)
        return {o.letter: (o.weight if o.weight is not None else self.weights.get(o.letter, ZERO))
                for o in question.options}

    def score_answers(self, counts: Mapping[str, int], max_points: Decimal, decimals: int = 2) -> Decimal:
        """Points from the count of each answer given in the survey ({answer: number of people})."""
        total = sum(counts.values())
        if total == 0:
            return ZERO
        weighted = sum(Decimal(n) * self.weights.get(answer, ZERO) for answer, n in counts.items())
        return quantize(max_points * weighted / (Decimal(total) * HUNDRED), decimals)

    def scoring_text(self, max_points, decimals=2):
        """«Cách chấm: điều tra xã hội học; mỗi phương án được tỷ lệ điểm tối đa: A 100%; B 60%; …»"""
        shares = "; ".join(f"{a} {vi_number(w)}%" for a, w in self.weights.items())
        return f"Cách chấm: điều tra xã hội học, đơn vị không tự chấm; tỷ lệ điểm tối đa theo phương án trả lời: {shares}."

    def problems(self, max_points, decimals):
        """A weight outside 0–100 (%), or no answer at all in ``weights``."""
        out = []
        for answer, weight in self.weights.items():
            if not ZERO <= weight <= HUNDRED:
                out.append((f"weights.{answer}", "trọng số phải trong khoảng 0–100 (%)"))
        if not self.weights:
            out.append(("weights", "cần ít nhất một phương án trả lời"))
        seen: set[str] = set()
        for n, q in enumerate(self.questions):
            if q.code in seen:
                out.append((f"questions.{n}.code", f"mã câu hỏi «{q.code}» bị trùng"))
            seen.add(q.code)
            letters = [o.letter for o in q.options or []]
            if len(set(letters)) != len(letters):
                out.append((f"questions.{n}.options", f"câu hỏi «{q.code}» có phương án trùng chữ cái"))
            for o in q.options or []:
                if o.weight is None and o.letter not in self.weights:
                    out.append((f"questions.{n}.options", f"phương án «{o.letter}» của câu hỏi «{q.code}» chưa có "
                                "trọng số (weight), và weights của tiêu chí cũng không có chữ cái này"))
                elif o.weight is not None and not ZERO <= o.weight <= HUNDRED:
                    out.append((f"questions.{n}.options", f"trọng số phương án «{o.letter}» của câu hỏi «{q.code}» "
                                "phải trong khoảng 0–100 (%)"))
        return out
