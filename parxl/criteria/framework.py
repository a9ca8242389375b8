"""Criteria sets (Bộ chỉ số) as data: the YAML model, its loader and its checks.

``load_framework(path)`` returns a ``Framework`` or raises ``FrameworkError``
carrying *every* problem found, each with its YAML path
(``fields[2].items[0].max``) and a Vietnamese message.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..core.numbers import HUNDRED, ZERO, excel_number, quantize, to_decimal
from ..core.texts import normalize_text
from .intervals import Interval, IntervalWords, coverage_problems, parse_interval
from .rules import Rule, Value

PartId = Literal["appraised", "survey"]
BlockId = Literal["xa", "so", "huyen"]

BLOCK_TITLES = {"xa": "cấp xã", "so": "cấp sở", "huyen": "cấp huyện"}
PART_TITLES = {"appraised": "Điểm thẩm định", "survey": "Điểm điều tra xã hội học"}


def _decimal(v):
    return to_decimal(v)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, v):
        return normalize_text(v) if isinstance(v, str) else v


class Node(_Model):
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


class Adjustment(_Model):
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


class Part(_Model):
    title: str | None = None
    max: Decimal

    @field_validator("max", mode="before")
    @classmethod
    def _max(cls, v):
        return _decimal(v)


class Band(_Model):
    label: str = Field(min_length=1, description="Xếp loại, ví dụ «Tốt» hoặc «Từ 90% trở lên»")
    when: IntervalWords = Field(description="Khoảng chỉ số, ví dụ «từ 80% đến dưới 90%»")

    @property
    def interval(self) -> Interval:
        return parse_interval(self.when)


class CriteriaSet(_Model):
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
        return self.rule.self_scored

    def score(self, values: Mapping[str, Value], decimals: int = 2) -> Decimal:
        return self.rule.score(values, self.max, decimals)

    def formula(self, refs: Mapping[str, str], decimals: int = 2) -> str | None:
        return self.rule.formula(refs, self.max, decimals)


@dataclass(frozen=True)
class Row:
    """A node in tree order with its depth (0 = field), for printing and layout."""

    node: Node
    depth: int
    field_code: str
    path: str


class Problem(BaseModel):
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class FrameworkError(Exception):
    """A criteria set that cannot be used, with every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} lỗi trong bộ chỉ số")


class Framework:
    """A loaded, checked criteria set."""

    def __init__(self, model: CriteriaSet, source: Path | None = None):
        self.model = model
        self.source = source
        self.rows: list[Row] = list(_walk(model.fields))
        self.items: list[Item] = [*_leaves(self.rows), *_adjustments(model)]
        self._by_code = {i.code: i for i in self.items}
        self.fingerprint = hashlib.sha256(
            json.dumps(model.model_dump(mode="json"), ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest()

    # Convenience views -------------------------------------------------
    id = property(lambda self: self.model.id)
    title = property(lambda self: self.model.title)
    decimals = property(lambda self: self.model.decimals)
    total = property(lambda self: self.model.total)
    fields = property(lambda self: self.model.fields)

    def item(self, code: str) -> Item:
        return self._by_code[code]

    @property
    def regular_items(self) -> list[Item]:
        return [i for i in self.items if i.kind == "regular"]

    def items_of_field(self, field_code: str) -> list[Item]:
        return [i for i in self.items if i.field_code == field_code]

    def quantize(self, value: Decimal) -> Decimal:
        return quantize(value, self.decimals)

    def classify(self, index: Decimal, bands: list[Band] | None = None) -> str | None:
        for band in bands or self.model.bands:
            if band.interval.contains(index):
                return band.label
        return None

    def part_max(self, part: PartId) -> Decimal:
        p = self.model.parts.get(part)
        return p.max if p else ZERO

    def part_title(self, part: PartId) -> str:
        p = self.model.parts.get(part)
        return (p.title if p and p.title else None) or PART_TITLES[part]


def _walk(fields: list[Node]) -> Iterator[Row]:
    def visit(node: Node, depth: int, field_code: str, path: str) -> Iterator[Row]:
        yield Row(node, depth, field_code, path)
        for i, child in enumerate(node.items):
            yield from visit(child, depth + 1, field_code, f"{path}.items[{i}]")

    for i, field in enumerate(fields):
        yield from visit(field, 0, field.code, f"fields[{i}]")


def _leaves(rows: list[Row]) -> Iterator[Item]:
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


def _adjustments(model: CriteriaSet) -> Iterator[Item]:
    for kind in ("bonus", "penalty"):
        for i, adj in enumerate(getattr(model, kind)):
            yield Item(adj.code, adj.title, adj.max, adj.rule, kind, None, None,
                       adj.evidence and adj.rule.self_scored, adj.appraiser, adj.guidance, f"{kind}[{i}]")


# Loading and checking -------------------------------------------------------

_PYDANTIC_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (có gõ sai tên không?)",
    "decimal_parsing": "không phải là số",
    "decimal_type": "không phải là số",
    "int_parsing": "không phải là số nguyên",
    "int_type": "không phải là số nguyên",
    "bool_parsing": "phải là true hoặc false",
    "string_type": "phải là chuỗi ký tự",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị",
    "too_short": "quá ngắn (hoặc danh sách trống)",
    "string_too_short": "không được để trống",
    "string_pattern_mismatch": "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
}


def _loc_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("binary", "levels", "ratio", "count", "manual", "survey", "function-after[_when(), str]") or str(part).startswith("function-"):
            continue  # pydantic's union tags are not YAML keys
        else:
            out += ("." if out else "") + str(part)
    return out or "(gốc)"


def _vi_error(err: dict) -> str:
    kind = err["type"]
    if kind == "union_tag_invalid":
        return f"loại cách chấm «{err['input'].get('type')}» không có; dùng: binary, levels, ratio, count, manual, survey"
    if kind == "union_tag_not_found":
        return "thiếu «type» của cách chấm (binary, levels, ratio, count, manual, survey)"
    if kind == "literal_error":
        return f"giá trị «{err.get('input')}» không hợp lệ; phải là {err['ctx']['expected']}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return _PYDANTIC_VI.get(kind, err["msg"])


def parse_framework(data: object, source: str = "<bộ chỉ số>") -> Framework:
    """Build and check a framework from parsed YAML; raise FrameworkError with every problem."""
    try:
        model = CriteriaSet.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(path=_loc_path(e["loc"]), message=_vi_error(e)) for e in exc.errors()]
        raise FrameworkError(source, problems) from exc
    problems = check_model(model)
    if problems:
        raise FrameworkError(source, problems)
    return Framework(model)


def load_framework(path: str | Path) -> Framework:
    """Load a criteria set from a YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise FrameworkError(str(path), [Problem(path="(tệp)", message=f"không đọc được tệp: {exc.strerror}")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "(tệp)"
        raise FrameworkError(str(path), [Problem(path=where, message=f"YAML không hợp lệ: {getattr(exc, 'problem', exc)}")]) from exc
    framework = parse_framework(data, str(path))
    framework.source = path
    return framework


_CODE = re.compile(r"^\d+$")
# A bonus or penalty code becomes part of the workbook's defined names (parxl_score_<code>, with
# "." as "_", see layout.py), which Excel restricts: ASCII letters and digits, optionally in groups
# joined by dots, compared without regard to case.
_ADJUSTMENT_CODE = re.compile(r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$")
ADJUSTMENT_CODE_MAX = 30  # characters; keeps every defined name far below Excel's 255


def check_model(m: CriteriaSet) -> list[Problem]:
    """Every semantic problem of a structurally valid criteria set."""
    out: list[Problem] = []
    add = lambda path, msg: out.append(Problem(path=path, message=msg))  # noqa: E731
    d = m.decimals

    if m.valid_from > m.valid_to:
        add("valid_to", f"năm hết hiệu lực {m.valid_to} trước năm bắt đầu {m.valid_from}")

    seen: dict[str, str] = {}

    def check_code(code: str, path: str) -> None:
        if code in seen:
            add(f"{path}.code", f"mã «{code}» bị trùng với {seen[code]}")
        else:
            seen[code] = path

    excel_names: dict[str, str] = {}

    def check_adjustment_code(code: str, path: str) -> None:
        if not _ADJUSTMENT_CODE.match(code):
            add(f"{path}.code", f"mã «{code}» chỉ được gồm chữ cái không dấu và chữ số, có thể ngăn bằng dấu chấm "
                                "(ví dụ T1, D2, T1.2), không có dấu cách hay ký tự khác, vì mã được dùng "
                                "để đặt tên ô trong biểu mẫu Excel")
        elif len(code) > ADJUSTMENT_CODE_MAX:
            add(f"{path}.code", f"mã «{code}» dài {len(code)} ký tự, quá {ADJUSTMENT_CODE_MAX} ký tự")
        else:
            key = code.casefold()
            other = excel_names.get(key)
            if other is not None and seen.get(code) != other:
                add(f"{path}.code", f"mã «{code}» trùng với mã ở {other} khi đặt tên ô Excel "
                                    "(Excel không phân biệt chữ hoa, chữ thường)")
            excel_names.setdefault(key, path)

    def check_points(value: Decimal, path: str) -> None:
        if value <= 0:
            add(path, "điểm tối đa phải lớn hơn 0")
        elif quantize(value, d) != value:
            add(path, f"điểm tối đa {excel_number(value)} có nhiều hơn {d} chữ số thập phân")

    def visit(node: Node, path: str, parent_code: str | None, part: str | None) -> None:
        check_code(node.code, path)
        if parent_code is None:
            if not _CODE.match(node.code):
                add(f"{path}.code", f"mã lĩnh vực «{node.code}» phải là một số (1, 2, 3…)")
        else:
            prefix = parent_code + "."
            if not (node.code.startswith(prefix) and _CODE.match(node.code[len(prefix):])):
                add(f"{path}.code", f"mã «{node.code}» phải có dạng {parent_code}.N vì nằm trong {parent_code}")
        check_points(node.max, f"{path}.max")
        part = node.part or part
        if node.items:
            if node.rule is not None:
                add(f"{path}.rule", f"«{node.code}» có tiêu chí con nên không được có cách chấm riêng")
            total = sum((c.max for c in node.items), ZERO)
            if total != node.max:
                add(f"{path}.max", f"điểm tối đa của «{node.code}» là {excel_number(node.max)} nhưng tổng các tiêu chí con là {excel_number(total)}")
            for i, child in enumerate(node.items):
                visit(child, f"{path}.items[{i}]", node.code, part)
        else:
            if node.rule is None:
                add(f"{path}.rule", f"tiêu chí «{node.code}» không có tiêu chí con nên cần cách chấm (rule)")
                return
            if part is None:
                add(f"{path}.part", f"tiêu chí «{node.code}» chưa thuộc phần điểm nào (appraised hoặc survey)")
            elif part not in m.parts:
                add(f"{path}.part", f"phần điểm «{part}» chưa khai báo trong «parts»")
            if node.rule.type == "survey" and part != "survey":
                add(f"{path}.rule", f"tiêu chí «{node.code}» chấm bằng điều tra XHH nhưng thuộc phần «{part}»")
            if part == "survey" and node.rule.type != "survey":
                add(f"{path}.rule", f"tiêu chí «{node.code}» thuộc phần điều tra XHH nên cách chấm phải là survey")
            for sub, msg in node.rule.problems(node.max, d):
                add(f"{path}.rule.{sub}", msg)

    for i, field in enumerate(m.fields):
        visit(field, f"fields[{i}]", None, None)

    for kind in ("bonus", "penalty"):
        for i, adj in enumerate(getattr(m, kind)):
            path = f"{kind}[{i}]"
            check_code(adj.code, path)
            check_adjustment_code(adj.code, path)
            check_points(adj.max, f"{path}.max")
            if adj.rule.type == "survey":
                add(f"{path}.rule", "điểm thưởng/điểm trừ không chấm bằng điều tra XHH")
            for sub, msg in adj.rule.problems(adj.max, d):
                add(f"{path}.rule.{sub}", msg)

    fields_total = sum((f.max for f in m.fields), ZERO)
    if fields_total != m.total:
        add("total", f"tổng điểm là {excel_number(m.total)} nhưng tổng điểm các lĩnh vực là {excel_number(fields_total)}")
    parts_total = sum((p.max for p in m.parts.values()), ZERO)
    if parts_total != m.total:
        add("parts", f"tổng các phần điểm là {excel_number(parts_total)}, khác tổng điểm {excel_number(m.total)}")
    per_part: dict[str, Decimal] = {}
    for item in _leaves(list(_walk(m.fields))):
        if item.part:
            per_part[item.part] = per_part.get(item.part, ZERO) + item.max
    for pid, part in m.parts.items():
        got = per_part.get(pid, ZERO)
        if got != part.max:
            add(f"parts.{pid}.max", f"phần «{pid}» khai báo {excel_number(part.max)} điểm nhưng các tiêu chí thuộc phần này cộng lại {excel_number(got)}")

    labels = [b.label for b in m.bands]
    for i, label in enumerate(labels):
        if labels.index(label) != i:
            add(f"bands[{i}].label", f"xếp loại «{label}» bị trùng")
    for msg in coverage_problems([b.interval for b in m.bands], ZERO, HUNDRED):
        add("bands", msg)
    return out
