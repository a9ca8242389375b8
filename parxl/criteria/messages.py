"""What can be wrong in a criteria set, in Vietnamese: ``Problem``, ``FrameworkError``, pydantic's
errors translated (``loc_path``, ``vi_error``) and the semantic checks (``check_model``)."""
from __future__ import annotations

import re
from decimal import Decimal

from pydantic import BaseModel

from ..core.numbers import HUNDRED, ZERO, excel_number, quantize
from .intervals import coverage_problems
from .model import CriteriaSet, Node, leaf_items, walk_rows
from .rules import rule_types


class Problem(BaseModel):
    """One problem of a criteria set: where (a YAML path such as ``fields[2].items[0].max``, or a
    line and column) and what, in Vietnamese."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class FrameworkError(Exception):
    """A criteria set that cannot be used: ``source`` (a file path or a label) and every problem found
    (``problems``, a list of ``Problem``)."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} lỗi trong bộ chỉ số")


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


def loc_path(loc: tuple) -> str:
    """A pydantic error location as a YAML path: ``('fields', 2, 'rule', 'ratio', 'bands')`` →
    ``fields[2].rule.bands``; "(gốc)" for the document itself."""
    out = ""
    previous = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif (previous == "rule" and part in rule_types()) or str(part).startswith("function-"):
            pass  # pydantic's union tags (a rule's type, a validator) are not YAML keys
        else:
            out += ("." if out else "") + str(part)
        previous = part
    return out or "(gốc)"


def vi_error(err: dict) -> str:
    """A pydantic error (one of ``ValidationError.errors()``) as a Vietnamese message."""
    kind = err["type"]
    names = ", ".join(rule_types())
    if kind == "union_tag_invalid":
        return f"loại cách chấm «{err['input'].get('type')}» không có; dùng: {names}"
    if kind == "union_tag_not_found":
        return f"thiếu «type» của cách chấm ({names})"
    if kind == "literal_error":
        return f"giá trị «{err.get('input')}» không hợp lệ; phải là {err['ctx']['expected']}"
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return _PYDANTIC_VI.get(kind, err["msg"])


_CODE = re.compile(r"^\d+$")
# A bonus or penalty code becomes part of the workbook's defined names (parxl_score_<code>, with
# "." as "_", see layout.py), which Excel restricts: ASCII letters and digits, optionally in groups
# joined by dots, compared without regard to case.
_ADJUSTMENT_CODE = re.compile(r"^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$")
ADJUSTMENT_CODE_MAX = 30  # characters; keeps every defined name far below Excel's 255


def check_model(m: CriteriaSet) -> list[Problem]:
    """Every semantic problem of a structurally valid criteria set (codes, points, parts, rule
    parameters, bands), in document order; [] when it can be used."""
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
    for item in leaf_items(list(walk_rows(m.fields))):
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
