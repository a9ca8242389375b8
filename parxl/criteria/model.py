"""Criteria sets (Bộ chỉ số) as data: the pydantic models of the YAML document (``CriteriaSet``,
``Node``, ``Adjustment``, ``Part``, ``Band``) and the loaded view parxl works with (``Framework``, its
``Item``s and ``Row``s).

The models embed ``parxl.criteria.rules.Rule``, whose schema comes from the rule registry; they are
rebuilt whenever a rule type is registered or removed. Loading is in ``loader.py``, the checks and
Vietnamese messages in ``messages.py``; ``parxl.criteria.framework`` gathers all three.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.numbers import ZERO, quantize
from ..core.texts import fold, normalize_text
from .intervals import BandBounds, Interval
from .rules import Rule, Value, on_change
from .rules.base import to_dec

PartId = Literal["appraised", "survey"]
NA_KEY = "not_applicable"  # the answers' key of the unit's not-applicable mark (beside the rule's input keys)
BlockId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
# A block: «xa», «so», «huyen» (titles below), or the set's own id (lower case, digits and «-», e.g.
# «co-quan-tw») whose title the set gives in ``block_title``.

BLOCK_TITLES = {"xa": "cấp xã", "so": "cấp sở", "huyen": "cấp huyện"}
PART_TITLES = {"appraised": "Điểm thẩm định", "survey": "Điểm điều tra xã hội học"}


def _decimal(v):
    return to_dec(v)


class _CriteriaModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, v):
        return normalize_text(v) if isinstance(v, str) else v


class Node(_CriteriaModel):
    """A field, criterion or sub-criterion. A node with ``items`` sums them; a leaf has a ``rule``."""

    code: str = Field(description="Mã: 1, 1.1, 1.1.2")
    title: str = Field(min_length=1, description="Tên lĩnh vực / tiêu chí / tiêu chí thành phần")
    max: Decimal = Field(description="Điểm tối đa")
    rule: Rule | None = Field(None, description="Cách chấm (chỉ ở tiêu chí lá)")
    part: PartId | None = Field(None, description="Phần điểm: appraised (thẩm định) hoặc survey (điều tra XHH); kế thừa từ cấp trên")
    evidence: bool | None = Field(None, description="Có bắt buộc tài liệu kiểm chứng không (mặc định: có, trừ điều tra XHH)")
    appraiser: str | None = Field(None, description="Cơ quan thẩm định lĩnh vực; kế thừa từ cấp trên")
    guidance: str | None = Field(None, description="Hướng dẫn chấm / tài liệu kiểm chứng cần có")
    items: list[Node] = Field(default_factory=list)
    not_applicable: str | None = Field(
        None, min_length=1, description="Đơn vị được chọn «Không phát sinh» (ghi đúng chữ sẽ hiện trong ô chọn); "
        "tiêu chí không phát sinh được bỏ khỏi điểm tối đa của đơn vị")
    scored_by: Literal["unit", "appraisers"] | None = Field(
        None, description="appraisers: cơ quan thẩm định chấm điểm, đơn vị chỉ cung cấp tài liệu kiểm chứng và giải "
        "trình; mặc định unit (đơn vị tự chấm); kế thừa từ cấp trên")
    applies_to: list[str] | None = Field(
        None, min_length=1, description="Chỉ áp dụng cho các loại đơn vị này (cột «Loại» của danh sách đơn vị, ví dụ "
        "[Xã, Đặc khu]); loại khác không có tiêu chí này trong biểu mẫu và trong điểm tối đa; kế thừa từ cấp trên")

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, v):
        return str(v).strip() if isinstance(v, (int, float, str)) else v

    @field_validator("max", mode="before")
    @classmethod
    def _max(cls, v):
        return _decimal(v)


class Adjustment(_CriteriaModel):
    """A bonus (điểm thưởng) or penalty (điểm trừ) item, outside the 100 points."""

    code: str = Field(description="Mã: chữ cái không dấu và chữ số, có thể ngăn bằng dấu chấm (T1, D2, T1.2)")
    title: str = Field(min_length=1)
    max: Decimal
    rule: Rule
    evidence: bool = True
    appraiser: str | None = None
    guidance: str | None = None

    @field_validator("max", mode="before")
    @classmethod
    def _max(cls, v):
        return _decimal(v)


class Part(_CriteriaModel):
    """A part of the points (thẩm định or điều tra XHH): its title and its max (points)."""

    title: str | None = None
    max: Decimal

    @field_validator("max", mode="before")
    @classmethod
    def _max(cls, v):
        return _decimal(v)


class Band(_CriteriaModel, BandBounds):
    """A classification band of the index: its label and its interval of percentages (0–100), or of
    points (0–total) when the set says ``bands_on: points``: ``when`` in words, or explicit ``from``/``to``."""

    label: str = Field(min_length=1, description="Xếp loại, ví dụ «Tốt» hoặc «Từ 90% trở lên»")

    @property
    def interval(self) -> Interval:
        """The band's interval, parsed from ``when`` or given by ``from``/``to``."""
        return self.bounds


class CriteriaSet(_CriteriaModel):
    """The YAML document of a criteria set."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Mã bộ chỉ số, không dấu, không khoảng trắng")
    title: str = Field(min_length=1)
    sample: bool = Field(False, description="Bộ chỉ số MẪU, cần thay bằng bộ chỉ số chính thức của tỉnh")
    legal_basis: str = Field(min_length=1, description="Văn bản ban hành, ví dụ «Quyết định số 3395/QĐ-UBND ngày 15/12/2022 của UBND tỉnh Hải Dương»")
    block: BlockId = Field(description="Khối: xa, so, huyen, hoặc mã khối riêng của bộ chỉ số (chữ thường không dấu, "
                           "chữ số, dấu gạch ngang), ví dụ co-quan-tw, kèm block_title")
    block_title: str | None = Field(None, min_length=1, description="Tên khối, ví dụ «Cơ quan Trung ương đóng trên "
                                    "địa bàn» (bắt buộc với mã khối riêng)")
    valid_from: int = Field(ge=2000, le=2100)
    valid_to: int = Field(ge=2000, le=2100)
    decimals: int = Field(2, ge=0, le=4)
    rounding: Literal["half_up"] = "half_up"
    total: Decimal
    parts: dict[PartId, Part]
    bands: list[Band] = Field(min_length=1)
    bands_on: Literal["percent", "points"] = Field(
        "percent", description="Xếp loại theo chỉ số (percent, mặc định) hay theo tổng điểm (points)")
    fields: list[Node] = Field(min_length=1)
    bonus: list[Adjustment] = Field(default_factory=list)
    penalty: list[Adjustment] = Field(default_factory=list)
    bonus_cap: Decimal | None = Field(None, description="Tổng điểm thưởng tối đa (ví dụ 2): phần vượt không được tính")
    penalty_cap: Decimal | None = Field(None, description="Tổng điểm trừ tối đa: phần vượt không bị trừ")

    @field_validator("bonus_cap", "penalty_cap", mode="before")
    @classmethod
    def _cap(cls, v):
        return None if v is None else _decimal(v)

    @field_validator("total", mode="before")
    @classmethod
    def _total(cls, v):
        return _decimal(v)


@dataclass(frozen=True)
class Item:
    """A scored leaf (or a bonus/penalty item) with everything inherited resolved."""

    code: str
    title: str
    max: Decimal
    rule: Rule
    kind: Literal["regular", "bonus", "penalty"]
    part: PartId | None
    field_code: str | None
    evidence_required: bool
    appraiser: str | None
    guidance: str | None
    path: str
    not_applicable: str | None = None  # the text the unit chooses to mark the item not applicable, if allowed
    applies_to: tuple[str, ...] | None = None  # the unit types («Loại») it applies to; None: every type
    scored_by: Literal["unit", "appraisers"] = "unit"  # appraisers: the unit gives evidence and explanation only

    @property
    def self_scored(self) -> bool:
        """Whether the unit scores this item itself (not a survey item, not one the appraisers score)."""
        return self.rule.self_scored and self.scored_by != "appraisers"

    @property
    def unit_evidence(self) -> bool:
        """Whether the unit gives evidence and explanation for this item (every item but the survey's)."""
        return self.rule.self_scored

    def applies(self, kind: str | None) -> bool:
        """Whether the item applies to units of type ``kind`` («Loại», matched as ``kind_key`` does; None: any)."""
        return self.applies_to is None or kind is None or kind_key(kind) in {kind_key(k) for k in self.applies_to}

    def marked_not_applicable(self, values: Mapping[str, Value]) -> bool:
        """Whether ``values`` ({input key: value}) mark the item not applicable: its ``NA_KEY`` value equals
        the item's ``not_applicable`` text, case-insensitively as Excel's ``=`` compares (False when the item
        allows no such mark)."""
        mark = values.get(NA_KEY)
        return (self.not_applicable is not None and isinstance(mark, str)
                and mark.lower() == self.not_applicable.lower())

    def applicable_max(self, values: Mapping[str, Value]) -> Decimal:
        """The item's max points counted in the unit's maximum: 0 when marked not applicable, else ``max``."""
        return ZERO if self.marked_not_applicable(values) else self.max

    def score(self, values: Mapping[str, Value], decimals: int = 2) -> Decimal:
        """The item's points from its inputs ({input key: value}), see ``RuleType.score``; 0 when marked
        not applicable or scored by the appraisers (the unit scores nothing)."""
        if self.marked_not_applicable(values) or self.scored_by == "appraisers":
            return ZERO
        return self.rule.score(values, self.max, decimals)

    def formula(self, refs: Mapping[str, str], decimals: int = 2) -> str | None:
        """The item's Excel score formula over the input cells ``refs``, see ``RuleType.formula``; for an
        item that may be marked not applicable and whose ``refs`` hold ``NA_KEY``, 0 when so marked."""
        formula = self.rule.formula(refs, self.max, decimals)
        if formula is None or self.not_applicable is None or NA_KEY not in refs:
            return formula
        return f"=IF({self.na_test(refs[NA_KEY])},0,{formula.removeprefix('=')})"

    def na_test(self, ref: str) -> str:
        """The Excel condition, true when the cell ``ref`` holds the item's not-applicable text."""
        return f'{ref}="{(self.not_applicable or "").replace(chr(34), chr(34) * 2)}"'

    def applicable_max_formula(self, refs: Mapping[str, str], max_ref: str) -> str:
        """The Excel formula of the item's applicable max: 0 when marked not applicable, else the cell ``max_ref``."""
        if self.not_applicable is None or NA_KEY not in refs:
            return f"={max_ref}"
        return f"=IF({self.na_test(refs[NA_KEY])},0,{max_ref})"


@dataclass(frozen=True)
class Row:
    """A node in tree order with its depth (0 = field), for printing and layout."""

    node: Node
    depth: int
    field_code: str
    path: str


class Framework:
    """A loaded, checked criteria set: the model, its ``rows`` in tree order, its scored ``items``
    (leaves, then bonus and penalty) and a ``fingerprint`` (SHA-256 hex of the model's JSON)."""

    def __init__(self, model: CriteriaSet, source: Path | None = None):
        self.model = model
        self.source = source
        self.rows: list[Row] = list(walk_rows(model.fields))
        self.items: list[Item] = [*leaf_items(self.rows), *adjustment_items(model)]
        self._by_code = {i.code: i for i in self.items}
        self._kinds: dict[str, Framework] = {}  # for_kind's views, by kind_key
        self._typed = any(i.applies_to is not None for i in self.items)
        self._na = any(i.not_applicable is not None for i in self.items)
        self.fingerprint = hashlib.sha256(
            json.dumps(fingerprint_data(model), ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest()

    # Convenience views -------------------------------------------------
    id = property(lambda self: self.model.id)
    title = property(lambda self: self.model.title)
    decimals = property(lambda self: self.model.decimals)
    total = property(lambda self: self.model.total)
    fields = property(lambda self: self.model.fields)

    def item(self, code: str) -> Item:
        """The item of that code; KeyError if none."""
        return self._by_code[code]

    @property
    def regular_items(self) -> list[Item]:
        """The scored leaves of the fields (no bonus or penalty), in tree order."""
        return [i for i in self.items if i.kind == "regular"]

    @property
    def band_unit(self) -> str:
        """What follows a band boundary in words: «%» (bands on the index) or « điểm» (``bands_on: points``)."""
        return " điểm" if self.model.bands_on == "points" else "%"

    @property
    def has_applies_to(self) -> bool:
        """Whether some item applies only to some unit types (``applies_to``)."""
        return self._typed

    @property
    def kinds(self) -> list[str]:
        """The unit types named by the set's ``applies_to`` (``named_kinds``)."""
        return named_kinds(self.model.fields)

    def for_kind(self, kind: str | None) -> Framework:
        """The set as units of type ``kind`` («Loại») see it: items whose ``applies_to`` leaves that type out are
        absent, parents, parts and the total summed again over what is left; the same fingerprint. ``self``
        when nothing depends on the type (or ``kind`` is None)."""
        if kind is None or not self.has_applies_to:
            return self
        key = kind_key(kind)
        if key not in self._kinds:
            fields = [f for f in (_for_kind(f, key, None) for f in self.model.fields) if f is not None]
            leaves = list(leaf_items(list(walk_rows(fields))))
            parts = {pid: p.model_copy(update={"max": sum((i.max for i in leaves if i.part == pid), ZERO)})
                     for pid, p in self.model.parts.items()}
            model = self.model.model_copy(update={
                "fields": fields, "parts": parts, "total": sum((f.max for f in fields), ZERO)})
            view = Framework(model, self.source)
            view.fingerprint = self.fingerprint
            self._kinds[key] = view
        return self._kinds[key]

    @property
    def has_not_applicable(self) -> bool:
        """Whether some item may be marked not applicable (the workbook then has the not-applicable columns)."""
        return self._na

    def items_of_field(self, field_code: str) -> list[Item]:
        """The scored leaves under the field ``field_code``."""
        return [i for i in self.items if i.field_code == field_code]

    def quantize(self, value: Decimal) -> Decimal:
        """``value`` rounded half-up to the set's decimals."""
        return quantize(value, self.decimals)

    def classify(self, index: Decimal, bands: list[Band] | None = None, total: Decimal | None = None) -> str | None:
        """The label of the band (of ``bands``, else the set's) holding ``index`` (%), None if none.

        With ``bands_on: points`` the bands hold points: ``total`` (points) is classified, or, when not
        given, ``index`` × the set's total ÷ 100.
        """
        value = index
        if self.model.bands_on == "points":
            value = total if total is not None else index * self.model.total / 100
        for band in bands or self.model.bands:
            if band.interval.contains(value):
                return band.label
        return None

    @property
    def block_title(self) -> str:
        """The block's title: the set's ``block_title``, else «cấp xã», «cấp sở», «cấp huyện»."""
        return self.model.block_title or BLOCK_TITLES.get(self.model.block, self.model.block)

    def capped(self, kind: Literal["bonus", "penalty"], points: Decimal) -> Decimal:
        """The bonus or penalty points ``points`` (their items' sum) within the set's ``bonus_cap``/``penalty_cap``."""
        cap = self.model.bonus_cap if kind == "bonus" else self.model.penalty_cap
        return points if cap is None else min(points, cap)

    def part_max(self, part: PartId) -> Decimal:
        """The max points of a part, 0 when the set has no such part."""
        p = self.model.parts.get(part)
        return p.max if p else ZERO

    def part_title(self, part: PartId) -> str:
        """The part's title as the set names it, else the default Vietnamese title."""
        p = self.model.parts.get(part)
        return (p.title if p and p.title else None) or PART_TITLES[part]


# Keys added to the YAML model after workbooks were first made, with the value that means "as before":
# left out of the fingerprint at that value, so a set that does not use them keeps its fingerprint and
# the workbooks already sent out stay valid. Append a key with its default when adding one.
FINGERPRINT_DEFAULTS: dict[str, object] = {
    "bands_on": "percent", "lo": None, "hi": None, "include_from": True, "include_to": False,
    "label": None, "figures": "whole", "input_decimals": 2,
    # not applicable, unit types, appraiser-scored items, caps, the set's own block title (issue 12)
    "not_applicable": None, "applies_to": None, "scored_by": None, "bonus_cap": None, "penalty_cap": None,
    "block_title": None,
}


def fingerprint_data(model: CriteriaSet) -> object:
    """The model as JSON-able data for the fingerprint: ``model_dump(mode="json")`` without the keys of
    ``FINGERPRINT_DEFAULTS`` left at their default (at any depth)."""
    def clean(value: object) -> object:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()
                    if not (k in FINGERPRINT_DEFAULTS and v == FINGERPRINT_DEFAULTS[k] and type(v) is type(FINGERPRINT_DEFAULTS[k]))}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(model.model_dump(mode="json"))


def kind_key(kind: str) -> str:
    """A unit type («Loại») as it is matched: lower case, without diacritics or spaces («Đặc khu» → «dackhu»)."""
    return fold(normalize_text(kind))


def node_kind_max(node: Node, kind: str | None, inherited: tuple[str, ...] | None = None) -> Decimal:
    """The max points of ``node`` for units of type ``kind`` (None: a type no ``applies_to`` names): a leaf's
    ``max`` when it applies, else 0; a parent's is the sum of its children's."""
    applies = tuple(node.applies_to) if node.applies_to else inherited
    if not node.items:
        if applies is None or (kind is not None and kind_key(kind) in {kind_key(k) for k in applies}):
            return node.max
        return ZERO
    return sum((node_kind_max(c, kind, applies) for c in node.items), ZERO)


def named_kinds(fields: list[Node]) -> list[str]:
    """The unit types named by some ``applies_to`` of the set, once each (first spelling), in document order."""
    seen: dict[str, str] = {}

    def visit(node: Node) -> None:
        for k in node.applies_to or ():
            seen.setdefault(kind_key(k), k)
        for c in node.items:
            visit(c)

    for f in fields:
        visit(f)
    return list(seen.values())


def _for_kind(node: Node, key: str, inherited: tuple[str, ...] | None) -> Node | None:
    """``node`` as units of type ``key`` (a ``kind_key``) see it: without what does not apply to them and with
    the parents' max summed again; None when nothing of it applies."""
    applies = tuple(node.applies_to) if node.applies_to else inherited
    if not node.items:
        return node if applies is None or key in {kind_key(k) for k in applies} else None
    kept = [k for k in (_for_kind(c, key, applies) for c in node.items) if k is not None]
    if not kept:
        return None
    if len(kept) == len(node.items) and all(a is b for a, b in zip(kept, node.items)):
        return node
    return node.model_copy(update={"items": kept, "max": sum((k.max for k in kept), ZERO)})


def walk_rows(fields: list[Node]) -> Iterator[Row]:
    """Every field, criterion and sub-criterion in tree order, with depth and YAML path."""
    def visit(node: Node, depth: int, field_code: str, path: str) -> Iterator[Row]:
        yield Row(node, depth, field_code, path)
        for i, child in enumerate(node.items):
            yield from visit(child, depth + 1, field_code, f"{path}.items[{i}]")

    for i, field in enumerate(fields):
        yield from visit(field, 0, field.code, f"fields[{i}]")


def leaf_items(rows: list[Row]) -> Iterator[Item]:
    """The scored leaves under the fields of ``rows`` (from ``walk_rows``), with part, appraiser and
    evidence inherited from the levels above."""
    # Walk again to carry inherited attributes down the tree.
    def visit(node: Node, field: Node, part, appraiser, applies, scored_by, path: str) -> Iterator[Item]:
        part = node.part or part
        appraiser = node.appraiser or appraiser
        applies = tuple(node.applies_to) if node.applies_to else applies
        scored_by = node.scored_by or scored_by
        if not node.items and node.rule is not None:
            evidence = node.evidence if node.evidence is not None else node.rule.self_scored
            yield Item(node.code, node.title, node.max, node.rule, "regular", part, field.code,
                       evidence, appraiser, node.guidance, path, node.not_applicable, applies, scored_by or "unit")
        for i, child in enumerate(node.items):
            yield from visit(child, field, part, appraiser, applies, scored_by, f"{path}.items[{i}]")

    for row in rows:
        if row.depth == 0:
            yield from visit(row.node, row.node, None, None, None, None, row.path)


def adjustment_items(model: CriteriaSet) -> Iterator[Item]:
    """The bonus items, then the penalty items, as ``Item``s."""
    for kind in ("bonus", "penalty"):
        for i, adj in enumerate(getattr(model, kind)):
            yield Item(adj.code, adj.title, adj.max, adj.rule, kind, None, None,
                       adj.evidence and adj.rule.self_scored, adj.appraiser, adj.guidance, f"{kind}[{i}]")


def _rebuild_models() -> None:
    """Rebuild the models embedding ``Rule`` after the rule registry changed (inner models first)."""
    for model in (Node, Adjustment, CriteriaSet):
        model.model_rebuild(force=True)


on_change(_rebuild_models)
