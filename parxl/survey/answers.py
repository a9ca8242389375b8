"""Points of the survey items from the answers: counts per unit, respondent group, question and
option letter, however they came (a table of answer counts, or one row per respondent).

An item's points = its max × the weighted mean of the answers to its questions (each answer weighs
its option's weight, in % of the max), rounded half up to the criteria set's decimals. When the
respondent groups carry weights (``survey_groups[].weight``), the mean is first taken per group, then
the groups' means are averaged with those weights (over the groups that answered, so a group
without answers does not pull the item down); otherwise every answer counts the same. Exact
(fractions) until the one rounding.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ..campaign.folder import Campaign
from ..core.numbers import HUNDRED
from .design import Question, groups

# (unit code, group code or None, question code) -> {option letter: number of answers}
Counts = dict[tuple[str, str | None, str], dict[str, int]]


@dataclass
class Tally:
    """What a survey table of answers holds: ``counts`` (see ``Counts``; question codes as the
    criteria set spells them) and ``responses`` ({(unit code, group code or None): forms received})."""

    counts: Counts = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    responses: dict[tuple[str, str | None], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, unit: str, group: str | None, question: str, letter: str, n: int = 1) -> None:
        """Count ``n`` answers ``letter`` to ``question`` from ``unit``'s ``group``."""
        self.counts[(unit, group, question)][letter] += n


def round_half_up(value: Fraction, decimals: int) -> Decimal:
    """``value`` (≥ 0) rounded half up to ``decimals``, exactly (1,245 → 1,25 at 2 decimals)."""
    scale = 10 ** decimals
    scaled = value * scale + Fraction(1, 2)
    whole = scaled.numerator // scaled.denominator
    return (Decimal(whole) / Decimal(scale)).quantize(Decimal(1).scaleb(-decimals))


def item_points(campaign: Campaign, tally: Tally, index: dict[str, Question]) -> dict[str, dict[str, Decimal]]:
    """{unit code: {survey item code: points}} from ``tally``; ``index`` maps each question code of
    the tally (as ``design.code_key`` of it) to its ``Question``. An item nobody answered for a unit is
    left out (it scores 0). Group weights apply when the campaign's groups carry them."""
    from .design import code_key

    weights = {g.code: Fraction(g.weight) for g in groups(campaign) if g.weight is not None}
    use_weights = bool(weights) and len(weights) == len(groups(campaign))
    # (unit, item) -> group -> [weighted sum in %, answers]
    sums: dict[tuple[str, str], dict[str | None, list]] = defaultdict(lambda: defaultdict(lambda: [Fraction(0), 0]))
    maxes: dict[str, Decimal] = {}
    for (unit, group, qcode), letters in tally.counts.items():
        q = index[code_key(qcode)]
        maxes[q.item_code] = q.item_max
        acc = sums[(unit, q.item_code)][group]
        for letter, n in letters.items():
            acc[0] += n * Fraction(q.weights.get(letter, 0))
            acc[1] += n
    out: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for (unit, item_code), per_group in sums.items():
        answered = {g: (s, n) for g, (s, n) in per_group.items() if n}
        if not answered:
            continue
        if use_weights and all(g in weights for g in answered) and sum(weights[g] for g in answered):
            total_w = sum(weights[g] for g in answered)
            share = sum(weights[g] * s / n for g, (s, n) in answered.items()) / total_w
        else:
            share = sum(s for s, _ in answered.values()) / sum(n for _, n in answered.values())
        points = Fraction(maxes[item_code]) * share / Fraction(HUNDRED)
        out[unit][item_code] = round_half_up(points, campaign.framework.decimals)
    return dict(out)


def distribution(tally: Tally) -> dict[str, dict[str, dict[str, int]]]:
    """{unit code: {question code: {letter: answers}}} over all groups."""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for (unit, _group, qcode), letters in tally.counts.items():
        for letter, n in letters.items():
            out[unit][qcode][letter] += n
    return out
