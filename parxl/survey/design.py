"""The survey's design: its questions (from the criteria set's survey items), its respondent groups
(from ``campaign.yaml``) and the planned sample per unit and group.

A survey item (``rule: {type: survey}``) may list ``questions``, each with a code, a text and answer
options (letter, text, weight in % of the item's max; a weight left out is the item's ``weights``
for that letter). An item without questions is one question itself: its code, its title, the
letters of its ``weights``. The campaign's ``survey_groups`` list the respondent groups, each with a
fixed sample ``n`` per unit or a ``population`` column of the units list and a margin e, from which
n = N / (1 + N·e²), rounded up (Yamane's formula).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..campaign.folder import Campaign, SurveyGroup
from ..campaign.units import Unit, read_rows
from ..core.errors import ParxlError
from ..core.numbers import parse_text_number, vi_number
from ..core.texts import fold, normalize_text

FORMULA = "n = N / (1 + N·e²), làm tròn lên"


class SurveyDesignError(ParxlError):
    """The survey's design (groups in campaign.yaml, the population column, the questions) cannot be
    used; ``problems`` lists every problem (Vietnamese)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  • {p}" for p in problems)
        super().__init__(f"Thiết kế điều tra xã hội học có {len(problems)} lỗi:\n{shown}")


@dataclass(frozen=True)
class Question:
    """A question answered in the survey: its ``code`` (a question code, or the item's code when the
    item lists no questions), ``text``, the survey item's code and max (points) it scores, and its
    options ({letter: weight in %}, {letter: text printed on the form})."""

    code: str
    text: str
    item_code: str
    item_max: Decimal
    weights: dict[str, Decimal]
    option_texts: dict[str, str]

    @property
    def letters(self) -> list[str]:
        """The option letters, in the order the form prints them."""
        return list(self.weights)


def code_key(text: str) -> str:
    """How a question or item code is matched in a table header or cell: no spaces, lower case."""
    return re.sub(r"\s+", "", normalize_text(str(text))).lower()


def survey_items(campaign: Campaign) -> list:
    """The criteria set's survey items (``Item``, rule type ``survey``), in tree order."""
    return [i for i in campaign.framework.regular_items if i.rule.type == "survey"]


def questions(campaign: Campaign) -> list[Question]:
    """Every question of the survey, item by item in tree order (an item without ``questions`` is one
    question of its own code and title); raises SurveyDesignError when two codes collide."""
    out: list[Question] = []
    for item in survey_items(campaign):
        rule = item.rule
        if not rule.questions:
            out.append(Question(item.code, item.title, item.code, item.max, rule.options_of(None), {}))
            continue
        for q in rule.questions:
            texts = {o.letter: o.text for o in q.options or []}
            out.append(Question(q.code, q.text, item.code, item.max, rule.options_of(q), texts))
    seen: dict[str, str] = {}
    problems = []
    item_codes = {code_key(i.code) for i in survey_items(campaign)}
    for q in out:
        key = code_key(q.code)
        if key in seen:
            problems.append(f"mã câu hỏi «{q.code}» trùng giữa tiêu chí «{seen[key]}» và «{q.item_code}»")
        elif key in item_codes and q.code != q.item_code:
            problems.append(f"mã câu hỏi «{q.code}» (tiêu chí «{q.item_code}») trùng mã một tiêu chí điều tra")
        seen[key] = q.item_code
    if problems:
        raise SurveyDesignError(problems)
    return out


def question_index(campaign: Campaign) -> dict[str, Question]:
    """{code_key: Question} for every code a survey table may name: each question's code, and each
    survey item's own code (answered with the item's ``weights``) when the item lists questions."""
    index = {code_key(q.code): q for q in questions(campaign)}
    for item in survey_items(campaign):
        index.setdefault(code_key(item.code), Question(item.code, item.title, item.code, item.max,
                                                      item.rule.options_of(None), {}))
    return index


def groups(campaign: Campaign) -> list[SurveyGroup]:
    """The respondent groups of ``campaign.yaml`` (``survey_groups``; [] when none is listed)."""
    return list(campaign.config.survey_groups)


def weighted_groups(campaign: Campaign) -> bool:
    """Whether the groups carry weights in the items' points (all of them do; raises
    SurveyDesignError when only some do)."""
    gs = groups(campaign)
    weighted = [g for g in gs if g.weight is not None]
    if weighted and len(weighted) != len(gs):
        raise SurveyDesignError(["campaign.yaml › survey_groups: hoặc mọi nhóm có «weight», hoặc không nhóm nào có; "
                                 "thiếu ở: " + ", ".join(f"«{g.code}»" for g in gs if g.weight is None)])
    if weighted and sum(g.weight for g in weighted) == 0:
        raise SurveyDesignError(["campaign.yaml › survey_groups: tổng trọng số các nhóm phải lớn hơn 0"])
    return bool(weighted)


def find_group(campaign: Campaign, text: str) -> SurveyGroup | None:
    """The group whose code or name is ``text`` (ignoring case, diacritics, spaces and punctuation), or None."""
    def key(t: str) -> str:
        return re.sub(r"\W+", "", fold(t))
    return next((g for g in groups(campaign) if key(text) in (key(g.code), key(g.name))), None)


def sample_size(population: int, margin: Decimal) -> int:
    """n = N / (1 + N·e²) rounded up, for a population of N people (whole, ≥ 0) and margin e (a
    fraction, 0,05 for 5 %). Exact (fractions), so N = 400, e = 5 % gives 200, not 201."""
    e = Fraction(margin)
    return math.ceil(Fraction(population) / (1 + population * e * e))


@dataclass(frozen=True)
class PlannedSample:
    """The planned sample of one unit and group: the population N (None for a fixed n) and n."""

    unit: Unit
    group: SurveyGroup
    population: int | None
    n: int


def sample_plan(campaign: Campaign) -> list[PlannedSample]:
    """The planned sample per unit (units list order) and group (campaign.yaml order).

    Raises SurveyDesignError listing every problem: no group listed, a ``population`` column the
    units list does not have, a unit whose population is not a whole number ≥ 0.
    """
    gs = groups(campaign)
    if not gs:
        raise SurveyDesignError([f"campaign.yaml chưa có «survey_groups» (các nhóm đối tượng điều tra) trong "
                                 f"«{campaign.root}»; ví dụ:\n    survey_groups:\n"
                                 "      - {code: CD, name: Người dân, tổ chức, population: Dân số, margin: 5%}\n"
                                 "      - {code: DB, name: Đại biểu HĐND, n: 5}"])
    populations, problems = _populations(campaign, [g.population for g in gs if g.population])
    plan = []
    for unit in campaign.units:
        for g in gs:
            if g.n is not None:
                plan.append(PlannedSample(unit, g, None, g.n))
                continue
            big_n = populations.get((unit.code, g.population))
            if big_n is not None:
                plan.append(PlannedSample(unit, g, big_n, sample_size(big_n, g.margin)))
    if problems:
        raise SurveyDesignError(problems)
    return plan


def _populations(campaign: Campaign, columns: list[str]) -> tuple[dict[tuple[str, str], int], list[str]]:
    if not columns:
        return {}, []
    rows = read_rows(campaign.units_file)
    header_at = next((n for n, r in enumerate(rows) if any(str(c).strip() for c in r)), 0)
    folded = [fold(str(c)) for c in rows[header_at]] if rows else []
    problems: list[str] = []
    out: dict[tuple[str, str], int] = {}
    code_col = folded.index("ma") if "ma" in folded else 0
    for column in dict.fromkeys(columns):
        if fold(column) not in folded:
            problems.append(f"danh sách đơn vị «{campaign.units_file.name}» không có cột «{column}» (số lượng N "
                            "để tính cỡ mẫu); hãy thêm cột này hoặc sửa «population» trong campaign.yaml")
            continue
        col = folded.index(fold(column))
        for n, row in enumerate(rows[header_at + 1:], start=header_at + 2):
            code = normalize_text(str(row[code_col])).strip() if code_col < len(row) else ""
            if campaign.unit(code) is None:
                continue
            text = normalize_text(str(row[col])).strip() if col < len(row) else ""
            value = _whole(text)
            if value is None:
                problems.append(f"danh sách đơn vị, dòng {n}, cột «{column}»: «{text}» không phải số nguyên ≥ 0 "
                                f"(đơn vị {code}); hãy ghi số lượng, ví dụ «12.500»")
            else:
                out[(code, column)] = value
    return out, problems


def _whole(text: str) -> int | None:
    if not text:
        return None
    value = parse_text_number(text)
    if value is None or value < 0 or value != value.to_integral_value():
        return None
    return int(value)


def plan_text(sample: PlannedSample) -> str:
    """How ``sample.n`` was found, in Vietnamese: «cố định» or «N = 12.500; e = 5%: n = 12.500 / (1 +
    12.500 × 0,05²) = 387,6 → 388»."""
    if sample.population is None:
        return "cố định theo kế hoạch"
    big_n, e = sample.population, sample.group.margin
    exact = Fraction(big_n) / (1 + big_n * Fraction(e) ** 2)
    shown = vi_number(Decimal(exact.numerator) / Decimal(exact.denominator), 1)
    return (f"N = {vi_number(big_n)}; e = {vi_number(e * 100)}%: n = {vi_number(big_n)} / (1 + {vi_number(big_n)} × "
            f"{vi_number(e)}²) = {shown} → {vi_number(sample.n)}")
