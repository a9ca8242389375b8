"""What can be wrong in a criteria set, in Vietnamese: ``Problem``, ``FrameworkError``, pydantic's
errors translated (``loc_path``, ``vi_error``; the one table, which ``parxl.campaign`` reuses), YAML
syntax errors (``yaml_problem``) and the semantic checks (``check_model``)."""
from __future__ import annotations

import difflib
import re
from decimal import Decimal

import yaml
from pydantic import BaseModel

from ..core.numbers import HUNDRED, ZERO, quantize, vi_number
from .intervals import coverage_problems
from .model import BLOCK_TITLES, CriteriaSet, Node, kind_key, leaf_items, named_kinds, node_kind_max, walk_rows
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


# pydantic's error types in Vietnamese, each with what to write instead. The one table: the criteria
# loader and campaign.yaml (parxl.campaign.folder) both read it through ``vi_error``. A value
# ``None`` means the message needs the error's context and is built in ``vi_error``.
_PYDANTIC_VI: dict[str, str | None] = {
    "missing": None,
    "extra_forbidden": None,
    "decimal_parsing": "không phải là số; viết số với dấu chấm thập phân, ví dụ 7.5",
    "decimal_type": "không phải là số; viết số với dấu chấm thập phân, ví dụ 7.5",
    "float_parsing": "không phải là số; viết số với dấu chấm thập phân, ví dụ 7.5",
    "float_type": "không phải là số; viết số với dấu chấm thập phân, ví dụ 7.5",
    "finite_number": "phải là một số hữu hạn, ví dụ 7.5",
    "int_parsing": "không phải là số nguyên; viết một số nguyên, ví dụ 2025",
    "int_type": "không phải là số nguyên; viết một số nguyên, ví dụ 2025",
    "int_from_float": "phải là số nguyên (không có phần thập phân), ví dụ 2025",
    "bool_parsing": "phải là true (có) hoặc false (không)",
    "bool_type": "phải là true (có) hoặc false (không)",
    "date_parsing": None,
    "date_from_datetime_parsing": None,
    "date_from_datetime_inexact": "phải là một ngày, không kèm giờ; viết theo dạng YYYY-MM-DD, ví dụ «2025-12-15»",
    "date_type": None,
    "datetime_parsing": None,
    "datetime_from_date_parsing": None,
    "datetime_type": None,
    "string_type": "phải là chữ (văn bản); nếu là số hoặc ngày, đặt trong dấu ngoặc kép, ví dụ \"184/KH-UBND\"",
    "list_type": "phải là một danh sách: mỗi phần tử một dòng, bắt đầu bằng «- »",
    "dict_type": "phải là một nhóm mục «tên: giá trị», các mục con viết thụt vào ở các dòng bên dưới",
    "model_type": "phải là một nhóm mục «tên: giá trị», các mục con viết thụt vào ở các dòng bên dưới",
    "model_attributes_type": "phải là một nhóm mục «tên: giá trị», các mục con viết thụt vào ở các dòng bên dưới",
    "too_short": "quá ngắn (hoặc danh sách trống)",
    "too_long": "quá dài (hoặc danh sách quá nhiều phần tử)",
    "string_too_short": "không được để trống",
    "string_too_long": "quá dài",
    "string_pattern_mismatch": "chỉ dùng chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới",
    "greater_than_equal": None,
    "greater_than": None,
    "less_than_equal": None,
    "less_than": None,
    "literal_error": None,
    "enum": None,
    "none_required": "phải để trống",
}

_DATE_HOW = "viết ngày theo dạng YYYY-MM-DD (năm-tháng-ngày), ví dụ «2025-12-15»"
_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def loc_path(loc: tuple) -> str:
    """A pydantic error location as a YAML path: ``('fields', 2, 'rule', 'ratio', 'bands')`` →
    ``fields[2].rule.bands``; "(gốc)" for the document itself."""
    out = ""
    previous = None
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif (previous == "rule" and part in rule_types()) or str(part).startswith("function-") or part == "[key]":
            pass  # pydantic's union tags (a rule's type, a validator) are not YAML keys
        else:
            out += ("." if out else "") + str(part)
        previous = part
    return out or "(gốc)"


def _shown(value: object) -> str:
    """A user's value as quoted in a message: «…», cut at 60 characters; "" for a table or list."""
    if isinstance(value, (dict, list)):
        return ""
    if value is None:
        return "«» (để trống)"
    text = str(value)
    return f"«{text[:57] + '…' if len(text) > 60 else text}»"


def _number(value: object) -> str:
    if isinstance(value, int):
        return str(value)  # a bound such as a year: 2000, not 2.000
    try:
        return vi_number(value)
    except (TypeError, ValueError, ArithmeticError):
        return str(value)


def allowed_values(expected: str) -> list[str]:
    """The values pydantic lists in a ``literal_error``/``enum`` context (``"'a', 'b' or 'c'"``)."""
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    return quoted or [v.strip() for v in re.split(r",| or ", expected) if v.strip()]


def _date_message(value: object) -> str:
    shown = _shown(value)
    m = _DMY.match(str(value)) if isinstance(value, str) else None
    if m:
        day, month, year = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return (f"{shown} không phải là ngày theo dạng parxl đọc được; viết ngày theo dạng YYYY-MM-DD "
                    f"(năm-tháng-ngày): «{year:04d}-{month:02d}-{day:02d}»")
    return f"{shown or 'giá trị này'} không phải là ngày hợp lệ; {_DATE_HOW}"


def vi_error(err: dict, allowed_keys: "list[str] | tuple[str, ...]" = ()) -> str:
    """A pydantic error (one of ``ValidationError.errors()``) as a Vietnamese message that says what
    to write instead; never pydantic's English. ``allowed_keys``: the keys accepted where an unknown
    key was found, to suggest the nearest one (``difflib``) for «extra_forbidden».
    """
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    key = str(err["loc"][-1]) if err.get("loc") else ""
    if kind == "union_tag_invalid":
        names = ", ".join(rule_types())
        return f"loại cách chấm «{value.get('type') if isinstance(value, dict) else value}» không có; dùng: {names}"
    if kind == "union_tag_not_found":
        return f"thiếu «type» của cách chấm ({', '.join(rule_types())})"
    if kind == "value_error":
        return str(ctx.get("error", "giá trị không hợp lệ"))
    if kind == "missing":
        return f"thiếu mục bắt buộc «{key}»"
    if kind == "extra_forbidden":
        text = f"không có mục nào tên «{key}» ở đây (mục không được phép)"
        close = difflib.get_close_matches(key, list(allowed_keys), n=1, cutoff=0.6)
        if close:
            return f"{text}; có phải ý bạn là «{close[0]}»?"
        if allowed_keys:
            return f"{text}; các mục được dùng: " + ", ".join(f"«{k}»" for k in allowed_keys)
        return text + "; hãy xóa hoặc sửa tên mục"
    if kind in ("literal_error", "enum"):
        choices = ", ".join(f"«{v}»" for v in allowed_values(str(ctx.get("expected", ""))))
        return f"giá trị {_shown(value) or 'này'} không hợp lệ; phải là một trong: {choices}"
    if kind.startswith(("date_", "datetime_")) and _PYDANTIC_VI.get(kind) is None:
        return _date_message(value)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": ("ge", "phải từ {} trở lên"), "greater_than": ("gt", "phải lớn hơn {}"),
                 "less_than_equal": ("le", "phải từ {} trở xuống"), "less_than": ("lt", "phải nhỏ hơn {}")}[kind]
        limit = ctx.get(bound[0])
        rule = bound[1].format(_number(limit)) if limit is not None else "nằm ngoài khoảng cho phép"
        return f"giá trị {_shown(value) or 'này'} không hợp lệ: {rule}"
    text = _PYDANTIC_VI.get(kind)
    if text is not None:
        shown = _shown(value)
        return f"{shown} {text}" if shown and kind.endswith(("_parsing", "_type")) and kind not in (
            "dict_type", "model_type", "list_type", "model_attributes_type") else text
    return f"giá trị {_shown(value) or 'này'} không hợp lệ ở mục này"


_YAML_VI = (
    ("expected the node content", "giá trị viết sai: thiếu giá trị sau «tên:», hoặc giá trị bắt đầu bằng một "
                                  "dấu như «]», «}», «,»; nếu đó là chữ, đặt cả giá trị trong dấu ngoặc kép"),
    ("but found another document", "có dòng «---» hoặc «...» giữa tệp, YAML coi phần sau là tài liệu khác; "
                                   "hãy xóa dòng đó"),
    ("could not determine a constructor", "giá trị bắt đầu bằng dấu «!»: đặt cả giá trị trong dấu ngoặc kép"),
    ("expected alphabetic or numeric character", "sau dấu «&», «*» hoặc «!» phải có tên; nếu đó là chữ, "
                                                 "đặt cả giá trị trong dấu ngoặc kép"),
    ("expected <block end>", "thụt lề không đúng: các mục cùng cấp phải thẳng cột, mục con thụt vào đều nhau"),
    ("mapping values are not allowed", "dấu hai chấm «:» không đúng chỗ: nếu giá trị có dấu hai chấm, "
                                       "đặt cả giá trị trong dấu ngoặc kép; kiểm tra thụt lề"),
    ("could not find expected ':'", "thiếu dấu hai chấm «:» sau tên mục"),
    ("cannot start any token", "có ký tự không được dùng ở đầu giá trị (thường là phím Tab): chỉ thụt lề bằng "
                               "dấu cách; giá trị bắt đầu bằng @ hoặc ` phải đặt trong dấu ngoặc kép"),
    ("found unexpected end of stream", "dấu ngoặc kép chưa được đóng"),
    ("found unknown escape character", "trong dấu ngoặc kép, dấu «\\» phải viết thành «\\\\» "
                                       "(hoặc dùng dấu ngoặc đơn)"),
    ("expected ',' or ']'", "danh sách trong ngoặc vuông «[ ]» chưa đúng: thiếu dấu phẩy hoặc dấu «]»"),
    ("expected ',' or '}'", "nhóm trong ngoặc nhọn «{ }» chưa đúng: thiếu dấu phẩy hoặc dấu «}»"),
    ("found undefined alias", "có dấu «*» ở đầu giá trị: đặt cả giá trị trong dấu ngoặc kép"),
    ("found duplicate anchor", "có dấu «&» ở đầu giá trị: đặt cả giá trị trong dấu ngoặc kép"),
)


def yaml_problem(exc: Exception) -> Problem:
    """A YAML syntax error (``yaml.YAMLError``) as a ``Problem``: where is «dòng L, cột C» (1-based)
    when PyYAML knows it, else «(tệp)»; the message is Vietnamese and says what to check."""
    if not isinstance(exc, yaml.YAMLError):  # PyYAML builds dates itself: 2025-02-30 raises ValueError
        return Problem(path="(tệp)", message="YAML có một ngày không có thật (ví dụ 2025-02-30 hoặc tháng 13): "
                                             "kiểm tra các ngày, viết theo dạng YYYY-MM-DD, ví dụ «2025-12-15»")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "(tệp)"
    problem = str(getattr(exc, "problem", "") or "")
    what = next((vi for en, vi in _YAML_VI if en in problem),
                "sai cú pháp: kiểm tra thụt lề (chỉ dùng dấu cách), dấu hai chấm sau tên mục "
                "và dấu ngoặc kép đóng mở đủ")
    return Problem(path=where, message=f"YAML không hợp lệ: {what}")


class DuplicateKeys:
    """Mixin for a PyYAML loader (``yaml.SafeLoader`` or libyaml's ``CSafeLoader``): notes each key given
    twice in one mapping in ``duplicates`` (PyYAML keeps the last silently)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[Problem] = []

    def construct_mapping(self, node, deep=False):
        """The mapping as PyYAML builds it; each key met again in it added to ``duplicates``."""
        seen: set = set()
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except Exception:  # noqa: BLE001 - an unhashable key: the base class reports it
                continue
            if key in seen:
                mark = key_node.start_mark
                self.duplicates.append(Problem(
                    path=f"dòng {mark.line + 1}, cột {mark.column + 1}",
                    message=f"mục «{key}» được ghi hai lần trong cùng một nhóm; chỉ giữ một lần (xóa dòng thừa "
                            "hoặc gộp nội dung), vì parxl không biết lấy giá trị nào"))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _DuplicateKeyLoader(DuplicateKeys, yaml.SafeLoader):
    """PyYAML's safe loader noting a key given twice in one mapping."""


def load_yaml(text: str) -> tuple[object, list[Problem]]:
    """YAML text parsed safely, with a ``Problem`` (line and column) for every key written twice in one
    mapping. Raises ``yaml.YAMLError`` (syntax) or ValueError (a date that does not exist) as
    ``yaml.safe_load`` does."""
    loader = _DuplicateKeyLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


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
    kinds: list[str | None] = [*named_kinds(m.fields), None]  # None: a unit type no applies_to names

    def kinds_max(node: Node) -> Decimal:
        def typed(n: Node) -> bool:
            return bool(n.applies_to) or any(typed(c) for c in n.items)
        if not any(typed(c) for c in node.items):
            return sum((c.max for c in node.items), ZERO)
        return max(node_kind_max(node, k) for k in kinds)

    def kinds_words(sum_for, total: Decimal, node: Node | None = None) -> str:
        """« (loại đơn vị «Xã», «Phường»)»: the unit types whose sum is ``total``, when applies_to splits them."""
        if len(kinds) < 2 or (node is not None and not typed_below(node)):
            return ""
        names = [f"«{k}»" if k is not None else "đơn vị loại khác" for k in kinds if sum_for(k) == total]
        return f" (với {', '.join(names)})" if names else ""

    def typed_below(node: Node) -> bool:
        return bool(node.applies_to) or any(typed_below(c) for c in node.items)

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
            add(path, f"điểm tối đa {vi_number(value)} có nhiều hơn {d} chữ số thập phân")

    def visit(node: Node, path: str, parent_code: str | None, part: str | None, scored_by: str | None = None,
              applies: tuple[str, ...] | None = None) -> None:
        check_code(node.code, path)
        if node.applies_to and applies is not None and not (
                {kind_key(k) for k in node.applies_to} & {kind_key(k) for k in applies}):
            add(f"{path}.applies_to", f"«{node.code}» áp dụng cho {', '.join(f'«{k}»' for k in node.applies_to)} nhưng "
                                      f"mục chứa nó chỉ áp dụng cho {', '.join(f'«{k}»' for k in applies)}, nên không "
                                      "áp dụng cho đơn vị nào; hãy sửa applies_to cho khớp")
        applies = tuple(node.applies_to) if node.applies_to else applies
        scored_by = node.scored_by or scored_by  # inherited as the items inherit it
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
            if node.not_applicable is not None:
                add(f"{path}.not_applicable", f"«{node.code}» có tiêu chí con: chỉ tiêu chí lá mới được đánh dấu «không phát sinh»")
            total = kinds_max(node)  # with applies_to: the largest sum any unit type gets
            if total != node.max:
                add(f"{path}.max", f"điểm tối đa của «{node.code}» là {vi_number(node.max)} nhưng tổng các tiêu chí con là "
                                   f"{vi_number(total)}{kinds_words(lambda k: node_kind_max(node, k), total, node)}")
            for i, child in enumerate(node.items):
                visit(child, f"{path}.items[{i}]", node.code, part, scored_by, applies)
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
            if node.scored_by == "appraisers" and not node.rule.self_scored:
                add(f"{path}.scored_by", f"tiêu chí «{node.code}» do điều tra XHH chấm, không do cơ quan thẩm định chấm")
            if node.not_applicable is not None and not node.rule.self_scored:
                add(f"{path}.not_applicable", f"tiêu chí «{node.code}» do điều tra XHH chấm: đơn vị không đánh dấu «không phát sinh» được")
            elif node.not_applicable is not None and scored_by == "appraisers":
                add(f"{path}.not_applicable", f"tiêu chí «{node.code}» do cơ quan thẩm định chấm (scored_by: appraisers): "
                                              "đơn vị không tự đánh dấu «không phát sinh» được; hãy bỏ một trong hai khóa")
            if node.not_applicable is not None and m.bands_on == "points":
                add(f"{path}.not_applicable", f"tiêu chí «{node.code}» có thể «không phát sinh» nhưng bộ chỉ số xếp loại "
                                              "theo điểm (bands_on: points): xếp loại theo điểm cần mọi đơn vị có cùng "
                                              "điểm tối đa; hãy xếp loại theo tỷ lệ (bands_on: percent)")

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

    for kind in ("bonus", "penalty"):
        cap = getattr(m, f"{kind}_cap")
        if cap is not None and (cap <= 0 or quantize(cap, d) != cap):
            add(f"{kind}_cap", f"mức trần {vi_number(cap)} phải lớn hơn 0 và có tối đa {d} chữ số thập phân")

    if m.block not in BLOCK_TITLES and not m.block_title:
        add("block_title", f"khối «{m.block}» là khối riêng của bộ chỉ số: hãy ghi tên khối ở block_title, ví dụ "
                           "«Cơ quan Trung ương đóng trên địa bàn»")

    fields_total = (max(sum((node_kind_max(f, k) for f in m.fields), ZERO) for k in kinds) if len(kinds) > 1
                    else sum((f.max for f in m.fields), ZERO))
    if fields_total != m.total:
        add("total", f"tổng điểm là {vi_number(m.total)} nhưng tổng điểm các lĩnh vực là {vi_number(fields_total)}"
                     + (kinds_words(lambda k: sum((node_kind_max(f, k) for f in m.fields), ZERO), fields_total)
                        if len(kinds) > 1 else ""))
    parts_total = sum((p.max for p in m.parts.values()), ZERO)
    if parts_total != m.total:
        add("parts", f"tổng các phần điểm là {vi_number(parts_total)}, khác tổng điểm {vi_number(m.total)}")
    per_part: dict[str, Decimal] = {}
    leaves = list(leaf_items(list(walk_rows(m.fields))))

    def part_sum(pid: str, k: str | None) -> Decimal:
        return (sum((i.max for i in leaves if i.part == pid and i.applies(k)), ZERO) if k is not None
                else sum((i.max for i in leaves if i.part == pid and i.applies_to is None), ZERO))

    for pid in m.parts:  # with applies_to: the largest sum any unit type gets
        per_part[pid] = max(part_sum(pid, k) for k in kinds)
    for pid, part in m.parts.items():
        got = per_part.get(pid, ZERO)
        if got != part.max:
            add(f"parts.{pid}.max", f"phần «{pid}» khai báo {vi_number(part.max)} điểm nhưng các tiêu chí thuộc phần này cộng lại "
                                    f"{vi_number(got)}" + (kinds_words(lambda k, pid=pid: part_sum(pid, k), got)
                                                           if len(kinds) > 1 else ""))

    out += band_problems(m.bands, m, "bands")
    return out


def band_problems(bands: list, m: CriteriaSet, path: str = "bands") -> list[Problem]:
    """Problems of classification bands (the set's, or a campaign's override at ``path``): a label
    given twice, a bound written in % when the set classifies points (``bands_on: points``) or in
    points when it classifies the index, gaps and overlaps over 0–100 % (or 0–total points)."""
    out: list[Problem] = []
    labels = [b.label for b in bands]
    for i, label in enumerate(labels):
        if labels.index(label) != i:
            out.append(Problem(path=f"{path}[{i}].label", message=f"xếp loại «{label}» bị trùng"))
    for i, band in enumerate(bands):  # a bound in the other unit is read as this one's: say so, never guess
        words = (band.when or "").lower()
        if m.bands_on == "points" and "%" in words:
            out.append(Problem(path=f"{path}[{i}].when", message=(
                f"bộ chỉ số xếp loại theo điểm (bands_on: points) nhưng khoảng «{band.when}» ghi theo %: ghi theo "
                "điểm (ví dụ «Từ 90 điểm trở lên»), hoặc bỏ «bands_on: points» để xếp loại theo tỷ lệ %")))
        elif m.bands_on != "points" and "điểm" in words:
            out.append(Problem(path=f"{path}[{i}].when", message=(
                f"bộ chỉ số xếp loại theo tỷ lệ % nhưng khoảng «{band.when}» ghi theo điểm: ghi theo % (ví dụ "
                "«Từ 90% trở lên»), hoặc thêm «bands_on: points» để xếp loại theo tổng điểm")))
    top = m.total if m.bands_on == "points" else HUNDRED
    for msg in coverage_problems([b.interval for b in bands], ZERO, top):
        if m.bands_on == "points":
            msg = msg.replace("%", " điểm")
        out.append(Problem(path=path, message=msg))
    return out
