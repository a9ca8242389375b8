"""Results of a campaign: per unit points by field and part, total, index, rank and band.

``consolidate(campaign, inputs)`` is a pure function: it takes what the ledger
knows of each unit (``UnitInput``) and returns ``Results``, which the master
workbook and the Word documents render. No file is touched here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ..campaign.folder import Campaign
from ..campaign.units import Unit
from ..core.keyed import KeyedRow
from ..core.numbers import HUNDRED, ZERO, quantize
from ..core.times import local_iso
from ..criteria.framework import Band, Framework

InputStatus = Literal["ok", "errors", "missing", "unreadable", "internal"]
ResultStatus = Literal["ranked", "evaluated", "missing", "rejected", "unreadable", "internal"]
# "evaluated": index and band, but no rank (the units list says «Xếp hạng: Không»).
# Statuses of a unit of which no file was read: "missing" (sent nothing), "unreadable" (its file arrived
# but cannot be read or identified: «bị trả lại / không đọc được»), "internal" (parxl failed on its file).
NO_FILE_READ = ("missing", "unreadable", "internal")


@dataclass(frozen=True)
class Source:
    """Where a unit's figures came from."""

    sha256: str
    path: str
    received_at: str  # ISO 8601


@dataclass
class UnitInput:
    """What is known of one unit when consolidating."""

    unit: Unit
    status: InputStatus
    self_scores: Mapping[str, Decimal] = field(default_factory=dict)       # item code -> self-assessed
    appraised_scores: Mapping[str, Decimal] | None = None                  # latest appraisal round, if any
    survey_scores: Mapping[str, Decimal] | None = None                     # survey items, if held
    evidence_counts: Mapping[str, int] = field(default_factory=dict)
    finding_counts: Mapping[str, int] = field(default_factory=dict)        # item code -> findings
    error_count: int = 0
    source: Source | None = None
    reason: str = ""       # unreadable/internal: what is wrong with the file, in Vietnamese («Tệp có mật khẩu»)
    by_name: bool = False  # unreadable/internal: the file was matched to the unit by its name
    not_applicable: frozenset[str] = frozenset()  # items the unit marked not applicable («không phát sinh»)


@dataclass(slots=True)  # one per unit × item (670,000 at 10,000 units): no per-instance __dict__
class UnitItem:
    """One item of a unit after consolidation: self-assessed, appraised and final points (Decimal).

    Named apart from ``parxl.intake.validation.FileItem`` (one item as read from one file): a
    ``UnitItem`` merges every round recorded for the unit; ``final`` is what the ranking counts,
    ``evidence_count`` and ``findings`` come from the unit's latest file.
    """

    code: str
    self_score: Decimal | None
    appraised: Decimal | None
    final: Decimal
    evidence_count: int = 0
    findings: int = 0
    not_applicable: bool = False  # marked so by the unit and not overturned by an appraised score: out of the max
    max: Decimal | None = None    # the max points it counts in the unit's maximum (0 when not applicable)
    applies: bool = True          # False: not for the unit's type (applies_to), absent from its workbook and maximum


@dataclass
class UnitResult:
    """One unit's result: points per item and field, total and index (%), rank and band when ranked.

    ``status``: ``ranked``; ``missing`` (sent nothing); ``unreadable`` (its file arrived but cannot be
    read or identified; ``reason``, ``by_name``); ``internal`` (parxl failed on its file); ``rejected``
    (its file still has errors and the missing policy excludes it). ``total``/``index`` are None unless ranked."""
    unit: Unit
    status: ResultStatus
    note: str
    items: Mapping[str, UnitItem]  # in set order (a ``KeyedRow`` when consolidated: read-only)
    field_points: dict[str, Decimal]
    field_index: dict[str, Decimal]
    self_total: Decimal | None
    appraised_total: Decimal | None  # points of the appraised part (final scores)
    survey_points: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal | None
    index: Decimal | None
    rank: int | None = None
    band: str | None = None
    source: Source | None = None
    error_count: int = 0
    reason: str = ""       # as UnitInput.reason
    by_name: bool = False  # as UnitInput.by_name
    # The maximum the index is over: the set's (or the appraised part's, without survey) less the items not
    # applicable; the same per node of the tree (field, criterion, sub-criterion) and its sub-index (%), whose
    # ``criterion_index`` gives the criterion level (tiêu chí).
    max_points: Decimal | None = None
    node_max: Mapping[str, Decimal] = field(default_factory=dict)  # node maps: ``KeyedRow``s when consolidated
    node_points: Mapping[str, Decimal] = field(default_factory=dict)
    node_index: Mapping[str, Decimal] = field(default_factory=dict)

    def criterion_index(self, code: str) -> Decimal | None:
        """The sub-index (%) of the node ``code`` (a criterion, tiêu chí) over its applicable max; None when the
        unit has no figures or nothing of it counts (every item not applicable or not for the unit's type)."""
        if self.total is None or not self.node_max.get(code):
            return None
        return self.node_index.get(code)

    @property
    def not_applicable(self) -> list[str]:
        """Codes of the items out of the unit's maximum (marked not applicable, not overturned), in set order."""
        return [code for code, item in self.items.items() if item.not_applicable]

    @property
    def adjustment(self) -> Decimal:
        """Bonus minus penalty, in points."""
        return self.bonus - self.penalty


@dataclass
class Results:
    """Every unit's ``UnitResult`` (units-list order) with the campaign and when they were made (ISO 8601).

    ``unappraised``: ``summary.unappraised_counts`` of these results when it was counted before (a master's
    snapshot keeps it, so that reading the snapshot back does not need every unit's items); None: counted
    from the items when asked."""
    campaign: Campaign
    units: list[UnitResult]
    made_at: str
    has_appraisal: bool
    has_survey: bool
    unappraised: dict[str, int] | None = field(default=None, compare=False, repr=False)

    @property
    def framework(self) -> Framework:
        """The campaign's criteria set."""
        return self.campaign.framework

    @property
    def bands(self) -> list[Band]:
        """The bands in force (the campaign's, else the criteria set's), best first."""
        return self.campaign.bands

    @property
    def ranked(self) -> list[UnitResult]:
        """Ranked units, by rank then unit code."""
        return sorted((u for u in self.units if u.rank is not None), key=lambda u: (u.rank, u.unit.code))

    @property
    def unranked(self) -> list[UnitResult]:
        """Units without a rank (missing or rejected), in the units list's order; not the ``evaluated`` ones."""
        return [u for u in self.units if u.rank is None and u.status != "evaluated"]

    @property
    def evaluated(self) -> list[UnitResult]:
        """Units evaluated but not ranked (index and band, no rank: «Xếp hạng: Không»), by index then code."""
        return sorted((u for u in self.units if u.status == "evaluated"), key=lambda u: (-(u.index or 0), u.unit.code))

    def band_counts(self) -> dict[str, int]:
        """Band label → number of ranked units in it, every band listed (0 included), best first."""
        counts = {b.label: 0 for b in self.bands}
        for u in self.ranked:
            if u.band is not None:
                counts[u.band] += 1
        return counts

    def by_code(self, code: str) -> UnitResult | None:
        """The unit with ``code``, or None."""
        return next((u for u in self.units if u.unit.code == code), None)


_INDEXES: dict[tuple[Decimal, Decimal], Decimal] = {}  # (points, max) -> index: a few thousand pairs recur
_INDEXES_KEPT = 100_000  # pairs kept before the memo starts again


def index_of(points: Decimal, max_points: Decimal) -> Decimal:
    """Achieved ÷ max × 100, to two decimals (half-up)."""
    if max_points == 0:
        return ZERO
    if not isinstance(points, Decimal) or points.is_signed():  # -0 equals 0 but rounds to -0.00: not memoised
        return quantize(points * HUNDRED / max_points, 2)
    key = (points, max_points)  # numerically equal figures give the same rounded index, whatever their digits
    index = _INDEXES.get(key)
    if index is None:
        if len(_INDEXES) >= _INDEXES_KEPT:
            _INDEXES.clear()
        index = _INDEXES[key] = quantize(points * HUNDRED / max_points, 2)
    return index


def assign_ranks(values: list[tuple[str, Decimal | tuple[Decimal, ...]]], rule: str = "competition") -> dict[str, int]:
    """Rank keys by value, highest first. competition: 1, 2, 2, 4; dense: 1, 2, 2, 3. A value may be a tuple
    (the index, then the tie-break figures): compared element by element, so equal indexes are told apart first."""
    ordered = sorted(values, key=lambda kv: kv[1], reverse=True)
    ranks: dict[str, int] = {}
    previous: Decimal | tuple[Decimal, ...] | None = None
    rank = 0
    for position, (key, value) in enumerate(ordered, start=1):
        if value != previous:
            rank = position if rule == "competition" else rank + 1
            previous = value
        ranks[key] = rank
    return ranks


@dataclass(frozen=True)
class _Plan:
    """What ``_unit_result`` needs of the criteria set, worked out once per consolidation, not per unit:
    the items by kind and part, and the field tree in the order ``_node_sums`` visits it."""

    regular_appraised: tuple[str, ...]
    regular_survey: tuple[str, ...]
    regular: tuple[tuple[str, str | None, Decimal], ...]  # (code, part, max) of the leaves of the fields
    bonus: tuple[str, ...]
    penalty: tuple[str, ...]
    tree: tuple[tuple[str, Decimal, tuple[str, ...]], ...]  # (code, node max, children) in post-order
    fields: tuple[str, ...]
    items: tuple[tuple, ...]  # (item, code, is a survey item, may be marked not applicable, max) in set order
    # The same by position, for ``_unit_result``'s lists: item code → position in set order (the index of every
    # unit's ``items``), node code → position in post-order (of ``node_points``/``node_max``/``node_index``),
    # each node as (its item's position for a leaf else -1, its children's node positions, its max).
    item_index: dict[str, int]
    node_index: dict[str, int]
    nodes: tuple[tuple[int, tuple[int, ...], Decimal], ...]
    regular_at: tuple[tuple[int, str | None, Decimal], ...]  # (item position, part, max) of ``regular``
    appraised_at: tuple[int, ...]
    survey_at: tuple[int, ...]
    bonus_at: tuple[int, ...]
    penalty_at: tuple[int, ...]
    fields_at: tuple[tuple[str, int], ...]  # (field code, node position)
    maxima: dict = field(default_factory=dict, compare=False)  # the items' maxima → (node maxima, their row)


def _plan(fw: Framework) -> _Plan:
    tree: list[tuple[str, Decimal, tuple[str, ...]]] = []

    def visit(node) -> None:
        for child in node.items:
            visit(child)
        tree.append((node.code, node.max, tuple(child.code for child in node.items)))

    for f in fw.fields:
        visit(f)
    regular = [i for i in fw.items if i.kind == "regular"]
    at = {i.code: k for k, i in enumerate(fw.items)}
    node_at = {code: k for k, (code, _, _) in enumerate(tree)}
    return _Plan(tuple(i.code for i in regular if i.part == "appraised"),
                 tuple(i.code for i in regular if i.part == "survey"),
                 tuple((i.code, i.part, i.max) for i in regular),
                 tuple(i.code for i in fw.items if i.kind == "bonus"),
                 tuple(i.code for i in fw.items if i.kind == "penalty"),
                 tuple(tree), tuple(f.code for f in fw.fields),
                 tuple((i, i.code, i.rule.type == "survey", i.not_applicable is not None, i.max) for i in fw.items),
                 at, node_at,
                 tuple((at[code] if not children else -1, tuple(node_at[c] for c in children), node_max)
                       for code, node_max, children in tree),
                 tuple((at[i.code], i.part, i.max) for i in regular),
                 tuple(at[i.code] for i in regular if i.part == "appraised"),
                 tuple(at[i.code] for i in regular if i.part == "survey"),
                 tuple(at[i.code] for i in fw.items if i.kind == "bonus"),
                 tuple(at[i.code] for i in fw.items if i.kind == "penalty"),
                 tuple((f.code, node_at[f.code]) for f in fw.fields))


def _lookup(values: Mapping | None) -> Mapping:
    """``values`` as a dict to look many keys up in (a ``KeyedRow`` copied in C; a dict as it is)."""
    if values is None:
        return {}
    return values.as_dict() if isinstance(values, KeyedRow) else values


def _unit_result(campaign: Campaign, data: UnitInput, plan: _Plan | None = None) -> UnitResult:
    fw = campaign.framework
    plan = plan or _plan(fw)
    own_set = fw.for_kind(data.unit.kind)  # what applies to the unit's type
    survey_held = campaign.config.survey_held
    self_scores = _lookup(data.self_scores)
    appraised_scores = _lookup(data.appraised_scores) if data.appraised_scores else None
    survey_scores, evidence_counts = _lookup(data.survey_scores), _lookup(data.evidence_counts)
    finding_counts = data.finding_counts
    not_applicable, typed, kind = data.not_applicable, own_set is not fw, data.unit.kind
    unit_items: list[UnitItem] = []
    finals: list[Decimal] = []   # per item, in set order
    maxes: list = []             # per item: the max it counts in the unit's maximum
    owns: list[Decimal] = []     # per item: self-assessed points, 0 when none
    marked: list[bool] = []      # per item: not applicable
    for item, code, is_survey, na_possible, item_max in plan.items:
        if typed and not item.applies(kind):
            unit_items.append(UnitItem(code, None, None, ZERO, max=ZERO, applies=False))
            finals.append(ZERO)
            maxes.append(ZERO)
            owns.append(ZERO)
            marked.append(False)
            continue
        own = self_scores.get(code)
        appraised = appraised_scores.get(code) if appraised_scores else None
        if is_survey:
            final = survey_scores.get(code, ZERO) if survey_held else ZERO
        else:
            final = appraised if appraised is not None else (own if own is not None else ZERO)
        # A claim of «không phát sinh» stands unless the appraisers score the item (they overturn it so).
        na = na_possible and code in not_applicable and appraised is None
        if na:
            final = item_max = ZERO
        unit_items.append(UnitItem(code, own, appraised, final, evidence_counts.get(code, 0),
                                   finding_counts.get(code, 0) if finding_counts else 0, na, item_max))
        finals.append(final)
        maxes.append(item_max)
        owns.append(own or ZERO)
        marked.append(na)
    items = KeyedRow(plan.item_index, tuple(unit_items))
    points = _node_points(fw, plan, finals)
    maxima, node_max = _node_maxima(plan, maxes)
    node_index = KeyedRow(plan.node_index, tuple(_indexes(points, maxima)))
    node_points = KeyedRow(plan.node_index, tuple(points))
    field_points = {code: points[k] for code, k in plan.fields_at}
    field_index = {code: node_index._values[k] for code, k in plan.fields_at}
    appraised_part = fw.quantize(sum([finals[k] for k in plan.appraised_at], ZERO))
    survey = fw.quantize(sum([finals[k] for k in plan.survey_at], ZERO))
    bonus = fw.quantize(fw.capped("bonus", sum([finals[k] for k in plan.bonus_at], ZERO)))
    penalty = fw.quantize(fw.capped("penalty", sum([finals[k] for k in plan.penalty_at], ZERO)))
    self_total = None
    if data.status not in NO_FILE_READ:  # as the workbook's parxl_total: items + bonus - penalty
        own = lambda at: sum([owns[k] for k in at], ZERO)  # noqa: E731
        self_total = fw.quantize(own([k for k, _, _ in plan.regular_at]) + fw.capped("bonus", own(plan.bonus_at))
                                 - fw.capped("penalty", own(plan.penalty_at)))

    left_out = {part: sum([m for k, p, m in plan.regular_at if p == part and marked[k]], ZERO)
                for part in ("appraised", "survey")}
    if survey_held:
        max_points = own_set.total - left_out["appraised"] - left_out["survey"]
        total = appraised_part + survey + bonus - penalty
    else:  # some provinces hold no survey: scale the appraised part to 100
        max_points = own_set.part_max("appraised") - left_out["appraised"]
        total = appraised_part + bonus - penalty
    total = fw.quantize(min(max(total, ZERO), max_points))
    index = index_of(total, max_points)

    if data.status == "missing":
        status, note = "missing", "Không gửi tệp tự đánh giá: không xếp hạng."
        total = index = None
    elif data.status == "unreadable":
        how = " (nhận theo tên tệp)" if data.by_name else ""
        status, note = "unreadable", f"Tệp gửi về không đọc được{how}: {data.reason}; không xếp hạng."
        total = index = None
    elif data.status == "internal":
        status, note = "internal", ("parxl lỗi khi đọc tệp gửi về (lỗi của chương trình, không phải của đơn vị): "
                                    "tạm chưa xếp hạng.")
        total = index = None
    elif data.status == "errors" and campaign.config.missing_policy == "exclude":
        status, note = "rejected", f"Tệp còn {data.error_count} lỗi chưa khắc phục: không xếp hạng."
        total = index = None
    elif data.status == "errors":
        status, note = "ranked", f"Tệp còn {data.error_count} lỗi: chấm trên phần đọc được."
    else:
        status, note = "ranked", ""
    if status == "ranked" and not data.unit.ranked:
        status, note = "evaluated", " ".join(filter(None, ["Đánh giá, không xếp hạng (theo danh sách đơn vị).", note]))
    return UnitResult(
        unit=data.unit, status=status, note=note, items=items, field_points=field_points,
        field_index=field_index, self_total=self_total,
        appraised_total=appraised_part if status not in NO_FILE_READ else None,
        survey_points=survey, bonus=bonus, penalty=penalty, total=total, index=index,
        source=data.source, error_count=data.error_count, reason=data.reason, by_name=data.by_name,
        max_points=max_points, node_max=node_max, node_points=node_points, node_index=node_index)


_ROUNDED: dict[tuple[Decimal, int], Decimal] = {}  # (sum, decimals) -> rounded: node sums recur across units


def _rounded(fw: Framework, value: Decimal) -> Decimal:
    """``fw.quantize(value)``, each (value, decimals) rounded once (not a signed value: -0 equals 0)."""
    if not isinstance(value, Decimal) or value.is_signed():
        return fw.quantize(value)
    key = (value, fw.decimals)
    out = _ROUNDED.get(key)
    if out is None:
        if len(_ROUNDED) >= _INDEXES_KEPT:
            _ROUNDED.clear()
        out = _ROUNDED[key] = fw.quantize(value)
    return out


_SHARED: dict[str, Decimal] = {}  # one Decimal per text: units' node maxima recur


def _shared(value: Decimal) -> Decimal:
    """``value``, as the one Decimal kept for its text (same digits and exponent: the same in every use)."""
    if not isinstance(value, Decimal):
        return value
    text = str(value)
    out = _SHARED.get(text)
    if out is None:
        if len(_SHARED) >= _INDEXES_KEPT:
            _SHARED.clear()
        out = _SHARED[text] = value
    return out


def _node_sums(fw: Framework, items: Mapping[str, UnitItem],
               plan: _Plan | None = None) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Final points (rounded to the set's decimals) and applicable max of every node of the tree (fields,
    criteria, sub-criteria), by code, in post-order (a node after its children)."""
    plan = plan or _plan(fw)
    finals = [items[code].final for code in plan.item_index]
    maxes = [items[code].max for code in plan.item_index]
    points = _node_points(fw, plan, finals)
    maxima = _node_maxima(plan, maxes)[0]
    codes = list(plan.node_index)
    return dict(zip(codes, points)), dict(zip(codes, maxima))


def _node_points(fw: Framework, plan: _Plan, finals: list[Decimal]) -> list[Decimal]:
    """Final points of every node (``plan.nodes`` order): a leaf its item's ``finals`` entry (by item position),
    any other node the sum of its children's, rounded to the set's decimals."""
    points: list[Decimal] = []
    decimals = fw.decimals
    append = points.append
    for leaf, children, _ in plan.nodes:
        if leaf >= 0:
            append(finals[leaf])
            continue
        value = sum([points[c] for c in children], ZERO)  # ZERO + …: never -0, so the memo by value holds
        out = _ROUNDED.get((value, decimals))
        append(out if out is not None else _rounded(fw, value))
    return points


def _node_maxima(plan: _Plan, maxes: list) -> tuple[tuple[Decimal, ...], KeyedRow]:
    """Applicable max of every node (``plan.nodes`` order) from the items' ``maxes`` (item positions; None: the
    node's own max), and the same as one ``KeyedRow``: both made once per distinct ``maxes`` and shared by
    every unit with those (most units have the same)."""
    key = tuple(map(id, maxes))  # the plan's own max objects or ZERO: by identity, "2" and "2.0" kept apart
    known = plan.maxima.get(key)
    if known is not None:
        return known
    maxima: list[Decimal] = []
    for leaf, children, node_max in plan.nodes:
        if leaf >= 0:
            m = maxes[leaf]
            maxima.append(m if m is not None else node_max)
        else:
            maxima.append(_shared(sum([maxima[c] for c in children], ZERO)))
    if len(plan.maxima) >= _INDEXES_KEPT:
        plan.maxima.clear()
    out = plan.maxima[key] = (tuple(maxima), KeyedRow(plan.node_index, tuple(maxima)))
    return out


def _indexes(points: list[Decimal], maxima: tuple[Decimal, ...]) -> list[Decimal]:
    """``index_of`` of each (points, max) pair, looked up in its memo first."""
    memo = _INDEXES
    out = []
    for p, m in zip(points, maxima):
        index = memo.get((p, m))
        # the memo holds no signed figure, so only a zero may be one that must not be taken from it (-0 rounds
        # to -0.00); a zero that is not a Decimal goes through index_of too
        if index is None or (not p and (type(p) is not Decimal or p.is_signed())):
            index = index_of(p, m)
        out.append(index)
    return out


def rank_key(campaign: Campaign, u: UnitResult) -> tuple[Decimal, ...]:
    """What a unit is ranked by: its index, then the figures ``campaign.yaml``'s ``tie_break`` names
    (``appraised``: the appraised part's points; ``survey``: the survey's, when a survey is held)."""
    key = [u.index or ZERO]
    for name in campaign.config.tie_break:
        if name == "appraised":
            key.append(u.appraised_total or ZERO)
        elif campaign.config.survey_held:
            key.append(u.survey_points)
    return tuple(key)


def consolidate(campaign: Campaign, inputs: Iterable[UnitInput], made_at: str | None = None) -> Results:
    """Score, rank and classify every unit of the campaign.

    Units of the campaign without an input count as missing. Ranks are within
    the campaign's block (one block per campaign), by index, then the ``tie_break`` figures
    (``rank_key``), remaining ties per ``campaign.config.tie_rule``; units the units list does not
    rank get status ``evaluated`` (index and band, no rank).
    """
    given = {i.unit.code: i for i in inputs}
    all_inputs = [given.get(u.code) or UnitInput(u, "missing") for u in campaign.units]
    plan = _plan(campaign.framework)
    units = [_unit_result(campaign, data, plan) for data in all_inputs]
    ranks = assign_ranks([(u.unit.code, rank_key(campaign, u)) for u in units if u.status == "ranked"],
                         campaign.config.tie_rule)
    fw = campaign.framework
    for u in units:
        if u.unit.code in ranks:
            u.rank = ranks[u.unit.code]
        if u.unit.code in ranks or u.status == "evaluated":
            u.band = fw.classify(u.index, campaign.bands, u.total)  # type: ignore[arg-type]
    has_appraisal = any(i.appraised_scores for i in all_inputs)
    has_survey = campaign.config.survey_held and any(i.survey_scores for i in all_inputs)
    return Results(campaign, units, made_at or local_iso(),
                   has_appraisal, has_survey)
