"""What the council reads: every unit's result after self-assessment, after round 1 and after explanation.

``council_view(campaign)`` compares three stages computed from the ledger with
the same consolidation as ``parxl consolidate`` (``explanation.contested.stage_results``):
the self-assessment alone, appraisal round 1, and all appraisal rounds (the last
one is the round after explanation). A campaign with ``blocks:`` has one view per block
(``council_views``): each block's units against its own criteria set, ranked among themselves. An item is still contested when its final
appraised score differs from the self-assessed one, or when the unit explained it
after some round and the final score stays below what the unit proposed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..appraisal import layout as AL
from ..campaign.blocks import Block
from ..campaign.folder import Campaign
from ..core.errors import ParxlError
from ..core.numbers import ZERO
from ..criteria.framework import Item
from ..explanation.contested import stage_results
from ..ledger.store import Ledger, LedgerItem
from ..master.consolidation import unrank
from ..results.compute import Results, UnitResult


@dataclass
class ItemChange:
    """One item of one unit across the stages (points): self-assessed, round 1, final, and the explanation."""

    unit_code: str
    unit_name: str
    item: Item
    self_score: Decimal | None
    first: Decimal | None
    final: Decimal | None
    explanation: str = ""
    evidence: list[str] = field(default_factory=list)
    proposed: Decimal | None = None
    still_contested: bool = False

    @property
    def changed(self) -> bool:
        """Whether the score moved between stages or the unit explained the item."""
        return len({self.self_score, self.first, self.final}) > 1 or bool(self.explanation or self.evidence) \
            or self.proposed is not None


@dataclass
class UnitStages:
    """One unit: its result at each stage (None when it has none) and its items still contested."""

    code: str
    name: str
    before: UnitResult | None
    first: UnitResult | None
    final: UnitResult | None
    open_items: list[ItemChange] = field(default_factory=list)

    @property
    def rank_change(self) -> int | None:
        """Places gained from round 1 to the final stage (positive: moved up); None unless ranked at both."""
        if self.first is None or self.final is None or self.first.rank is None or self.final.rank is None:
            return None
        return self.first.rank - self.final.rank


@dataclass
class CouncilView:
    """The three stages of every unit, and every item that changed or was explained, in units-list order."""

    campaign: Campaign
    last_round: str
    before: Results
    first: Results
    final: Results
    units: list[UnitStages]
    items: list[ItemChange]
    explained_units: int


def unit_points(results: Results, u: UnitResult | None) -> Decimal | None:
    """All of a unit's points at a stage (fields plus bonus minus penalty); None without a readable file."""
    if u is None or u.status in ("missing", "unreadable", "internal"):
        return None
    if u.total is not None:
        return u.total
    return sum((u.field_points.get(f.code, ZERO) for f in results.framework.fields), ZERO) + u.adjustment


def _explanations(ledger: Ledger, unit: str, rounds: list[str]) -> dict[str, LedgerItem]:
    """The unit's explanations (latest version without errors) of every round, a later round's replacing."""
    out: dict[str, LedgerItem] = {}
    for r in rounds:
        out.update(ledger.round_details(unit, AL.explanation_round(r), ("ok",)))
    return out


class NoAppraisalError(ParxlError):
    """No appraisal round is recorded for any unit of the campaign (or of the block's view)."""


def council_view(campaign: Campaign) -> CouncilView:
    """The council's view of ``campaign`` as the ledger holds it now (see the module doc).

    Raises ``NoAppraisalError`` (a ``ParxlError``) when no appraisal round is recorded for its units, ``LedgerError`` when the ledger cannot be
    opened, ``SurveyError`` when the survey table does not read.
    """
    with Ledger.open(campaign) as ledger:
        codes = {u.code for u in campaign.units}  # a block's view: the rounds that appraised one of its units
        rounds = sorted((r for r in ledger.rounds() if AL.round_number(r) and ledger.units_with_files(r) & codes),
                        key=AL.round_number)
        if not rounds:
            raise NoAppraisalError("Chưa có kết quả thẩm định nào trong sổ theo dõi: chạy «parxl appraise … --import …» "
                             "trước khi lập tài liệu cho Hội đồng thẩm định.")
        subs = {s.unit_code: s for s in ledger.latest_submissions()}
        explained = {u.code: _explanations(ledger, u.code, rounds[:-1] or rounds) for u in campaign.units}
    last = rounds[-1]
    before, first, final = stage_results(campaign, 0), stage_results(campaign, 1), \
        stage_results(campaign, AL.round_number(last))
    if not campaign.blocks[0].ranked:  # a block with ``ranked: false``: no rank, no change of rank, as the master
        before, first, final = unrank(before), unrank(first), unrank(final)
    items_of = [i for g in AL.groups(campaign.framework) for i in g.items]
    units, changes = [], []
    for unit in campaign.units:
        sub = subs.get(unit.code)
        stages = UnitStages(unit.code, unit.name, before.by_code(unit.code), first.by_code(unit.code),
                            final.by_code(unit.code))
        units.append(stages)
        if sub is None:
            continue
        for item in items_of:
            score = {s: (r.by_code(unit.code).items.get(item.code) if r.by_code(unit.code) else None)
                     for s, r in (("before", before), ("first", first), ("final", final))}
            finals = {s: (v.final if v is not None else None) for s, v in score.items()}
            reply = explained[unit.code].get(item.code)
            proposed = reply.inputs.get("proposed") if reply else None
            change = ItemChange(unit.code, unit.name, item, sub.self_scores.get(item.code), finals["first"],
                                finals["final"], reply.explanation if reply else "", reply.evidence if reply else [],
                                proposed if isinstance(proposed, Decimal) else None)
            if change.final is not None:
                differs = change.self_score is not None and change.final != change.self_score
                refused = False  # explained, and the final score stays short of what the unit proposed
                if reply is not None and change.proposed is not None:
                    refused = (change.final > change.proposed) if item.kind == "penalty" \
                        else (change.final < change.proposed)
                change.still_contested = differs or refused
            if change.changed:
                changes.append(change)
                if change.still_contested:
                    stages.open_items.append(change)
    explained_units = sum(1 for code, e in explained.items() if e)
    return CouncilView(campaign, last, before, first, final, units, changes, explained_units)


def council_views(campaign: Campaign) -> list[CouncilView]:
    """``council_view`` of every block's view of ``campaign`` with an appraisal recorded (``Campaign.views``,
    campaign.yaml order): one view for a campaign without ``blocks:``. Each view's ``campaign.blocks[0]`` is its
    block. Raises what ``council_view`` raises (``NoAppraisalError`` when no block has an appraisal)."""
    return appraised_views(campaign)[0]


def appraised_views(campaign: Campaign) -> tuple[list[CouncilView], list[Block]]:
    """(``council_view`` of every block with an appraisal recorded, the blocks without one), both in
    campaign.yaml order: a block not yet appraised is left out of the council's documents. Raises
    ``NoAppraisalError`` when no block (or the campaign without ``blocks:``) has an appraisal recorded, and
    what ``council_view`` raises."""
    views: list[CouncilView] = []
    missing: list[Block] = []
    first_error: NoAppraisalError | None = None
    for view in campaign.views():
        try:
            views.append(council_view(view))
        except NoAppraisalError as e:
            missing.append(view.blocks[0])
            first_error = first_error or e
    if first_error is not None and not views:
        raise first_error
    return views, missing


def not_appraised_line(block: Block) -> str:
    """The Vietnamese line saying ``block`` has no appraisal recorded and is left out of the council's documents
    (console, control workbook and Tờ trình say the same)."""
    return f"{block.title} chưa có kết quả thẩm định: chưa trình Hội đồng."
