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
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.numbers import ZERO, quantize
from ..core.texts import normalize_text
from .intervals import BandBounds, Interval
from .rules import Rule, Value, on_change
from .rules.base import to_dec

PartId = Literal["appraised", "survey"]
BlockId = Literal["xa", "so", "huyen"]

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
    block: BlockId
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

    @property
    def self_scored(self) -> bool:
        """Whether the unit scores this item itself (not a survey item)."""
        return self.rule.self_scored

    def score(self, values: Mapping[str, Value], decimals: int = 2) -> Decimal:
        """The item's points from its inputs ({input key: value}), see ``RuleType.score``."""
        return self.rule.score(values, self.max, decimals)

    def formula(self, refs: Mapping[str, str], decimals: int = 2) -> str | None:
        """The item's Excel score formula over the input cells ``refs``, see ``RuleType.formula``."""
        return self.rule.formula(refs, self.max, decimals)


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
    def visit(node: Node, field: Node, part, appraiser, path: str) -> Iterator[Item]:
        part = node.part or part
        appraiser = node.appraiser or appraiser
        if not node.items and node.rule is not None:
            evidence = node.evidence if node.evidence is not None else node.rule.self_scored
            yield Item(node.code, node.title, node.max, node.rule, "regular", part, field.code,
                       evidence, appraiser, node.guidance, path)
        for i, child in enumerate(node.items):
            yield from visit(child, field, part, appraiser, f"{path}.items[{i}]")

    for row in rows:
        if row.depth == 0:
            yield from visit(row.node, row.node, None, None, row.path)


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
