"""What each unit may explain after an appraisal round, and its results stage by stage, from the ledger.

``stage_results(campaign, upto)`` is every unit's result counting the appraisal
rounds 1 … ``upto`` only (0: the self-assessment alone); ``contested(campaign,
round)`` lists, per unit appraised in ``round``, the items it may explain:
appraised below the self-assessed score, marked «Không phát sinh» by the unit
but scored by the appraisers (the claim overturned), or flagged «Cần giải
trình» by the appraiser. Both are pure reads of the ledger.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal

from ..appraisal import layout as AL
from ..campaign.folder import Campaign
from ..core.times import local_iso
from ..criteria.framework import Item
from ..ledger.store import Ledger, LedgerSubmission
from ..master.consolidation import unit_input, unit_inputs
from ..results.compute import Results, consolidate
from . import layout as L


@dataclass
class ContestedItem:
    """One item a unit may explain: its scores (points) and why it is open."""

    item: Item
    self_score: Decimal | None
    appraised: Decimal
    remark: str
    reasons: tuple[str, ...]  # layout.REASON_LOWER and/or REASON_NA_OVERTURNED and/or REASON_FLAGGED

    @property
    def bounds(self) -> tuple[Decimal, Decimal]:
        """The range of a score the unit may propose: [appraised, max]; for a penalty item [0, appraised]."""
        if self.item.kind == "penalty":
            return Decimal(0), self.appraised
        return self.appraised, self.item.max


@dataclass
class UnitOpen:
    """A unit appraised in a round: its contested items in criteria-set order."""

    code: str
    name: str
    items: list[ContestedItem] = field(default_factory=list)


def _appraised_upto(sub: LedgerSubmission, upto: int) -> dict[str, Decimal] | None:
    merged: dict[str, Decimal] = {}
    for name in sorted((r for r in sub.scores if 0 < AL.round_number(r) <= upto), key=AL.round_number):
        merged.update(sub.scores[name])
    return merged or None


def stage_results(campaign: Campaign, upto: int, made_at: str | None = None) -> Results:
    """Every listed unit's result counting appraisal rounds 1 … ``upto`` (0: self-assessment only).

    The survey points and everything else are as ``parxl consolidate`` takes them. Raises
    ``LedgerError`` when the ledger cannot be opened and ``SurveyError`` when the survey table does not read.
    """
    with Ledger.open(campaign) as ledger:
        subs = ledger.latest_submissions()
    by_code = {s.unit_code: s for s in subs}
    inputs = [dataclasses.replace(i, appraised_scores=_appraised_upto(by_code[i.unit.code], upto))
              for i in unit_inputs(campaign, subs) if i.unit.code in by_code]
    return consolidate(campaign, inputs, made_at or local_iso())


def _standing_remarks(ledger: Ledger, unit: str, upto: int, last: dict) -> dict[str, str]:
    """Item → the appraiser's remark on the score that stands after round ``upto``: a later round that gives the
    same score without a remark of its own (a score carried over) keeps the earlier round's remark."""
    remarks: dict[str, str] = {}
    standing: dict[str, Decimal] = {}
    for name in sorted((r for r in ledger.rounds() if 0 < AL.round_number(r) <= upto), key=AL.round_number):
        details = last if AL.round_number(name) == upto else ledger.round_details(unit, name)
        for code, d in details.items():
            if d.explanation or standing.get(code) != d.score:
                remarks[code] = d.explanation
            standing[code] = d.score
    return remarks


def contested(campaign: Campaign, round: str) -> list[UnitOpen]:
    """Per unit appraised in ``round`` (units-list order), the items it may explain.

    Once some unit's result of ``round`` is recorded, every unit with a readable self-assessment counts as
    appraised (a blank appraisal score keeps the self-assessed one). An item is open when the score after
    ``round`` is below the self-assessed score, when the unit marked it not applicable and rounds 1 … ``round``
    gave it an appraised score (the claim overturned: the item is back in the unit's maximum), or when the
    appraiser flagged it in ``round``. Raises ``ParxlError`` for a bad round name, ``LedgerError``
    when the ledger cannot be opened.
    """
    AL.check_round(round)
    n = AL.round_number(round)
    fw = campaign.framework
    appraised_items = [i for g in AL.groups(fw) for i in g.items]
    out = []
    with Ledger.open(campaign) as ledger:
        subs = {s.unit_code: s for s in ledger.latest_submissions()}
        if round not in ledger.rounds():
            return []
        for unit in campaign.units:
            sub = subs.get(unit.code)
            details = ledger.round_details(unit.code, round)
            if sub is None:
                continue
            appraised = _appraised_upto(sub, n) or {}
            after = dict(sub.self_scores)
            after.update(appraised)
            claimed = unit_input(campaign, sub)
            claimed_na = claimed.not_applicable if claimed is not None else frozenset()
            remarks = _standing_remarks(ledger, unit.code, n, details)
            entry = UnitOpen(unit.code, unit.name)
            for item in appraised_items:
                own = sub.self_scores.get(item.code)
                score = after.get(item.code)
                d = details.get(item.code)
                reasons = []
                lower = False
                if own is not None and score is not None:  # a penalty counts against the unit: higher is worse
                    lower = score > own if item.kind == "penalty" else score < own
                if lower:
                    reasons.append(L.REASON_LOWER)
                if item.code in claimed_na and item.code in appraised:  # 0 = 0 in points, yet the max grew
                    reasons.append(L.REASON_NA_OVERTURNED)
                if d is not None and d.inputs.get("explain"):
                    reasons.append(L.REASON_FLAGGED)
                if reasons and score is not None:
                    entry.items.append(ContestedItem(item, own, score, remarks.get(item.code, ""), tuple(reasons)))
            out.append(entry)
    return out
