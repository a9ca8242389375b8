"""The layout contract of the self-assessment workbook: the only module that knows where cells are.

The builder (``parxl.workbook.build``, ``assess``) writes by it and the reader
(``parxl.intake.submission`` and ``parxl.intake.checks``) reads by it: sheet
names, column letters, header rows, the metadata sheet, defined names, the
summary sheet's layout **and the wording the reader matches** (column titles,
the «Đơn vị: …» header, the total row's title, the penalty prefix, the survey
note). Readers locate cells by the defined names below (and by item codes in
column A), never by fixed row numbers alone, so a workbook whose rows were
shifted can still be read.

The layout version written into every workbook is derived from this contract
(``layout_version()``: ``LAYOUT_SERIES`` and a short hash of ``contract()``),
so any change the reader would notice changes the version, and a workbook
made under another contract gets the ``identity-layout-version`` finding
instead of a cascade of wrong ones. Every value here is read at call time, so
a change (or a test's monkeypatch) reaches writer, reader and version alike.
"""
from __future__ import annotations

import copy
import hashlib
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..criteria.framework import NA_KEY, Framework, Item

# The human part of the layout version: raise it for a deliberate break (it also
# changes the version when the contract's data happen to hash the same).
LAYOUT_SERIES = 2

SHEETS = {
    "guide": "Hướng dẫn",
    "assess": "Tự đánh giá",
    "summary": "Tổng hợp",
    "meta": "parxl_meta",  # very hidden
}
SHEET_GUIDE = SHEETS["guide"]
SHEET_ASSESS = SHEETS["assess"]
SHEET_SUMMARY = SHEETS["summary"]
SHEET_META = SHEETS["meta"]

# Column letters of the self-assessment sheet, by role.
COLUMNS = {
    "code": "A",         # Mã (1, 1.1, 1.1.2)
    "title": "B",        # Nội dung
    "max": "C",          # Điểm tối đa
    "input1": "D",       # Lựa chọn / số liệu (tử số, số lần, điểm tự chấm)
    "input2": "E",       # Số liệu 2 (mẫu số)
    "score": "F",        # Điểm tự chấm (công thức)
    "explanation": "G",  # Giải trình
    "evidence": "H",     # Tài liệu kiểm chứng (liên kết)
    "appraised": "I",    # Điểm thẩm định (khóa với đơn vị)
    "appraisal_note": "J",  # Ý kiến thẩm định (khóa với đơn vị)
}
# Column titles on the heading row; the reader finds the heading row by the code
# column's title and checks every title.
COLUMN_TITLES = {
    "code": "Mã",
    "title": "Lĩnh vực / Tiêu chí / Tiêu chí thành phần",
    "max": "Điểm tối đa",
    "input1": "Lựa chọn / Số liệu",
    "input2": "Số liệu (mẫu số)",
    "score": "Điểm tự chấm",
    "explanation": "Giải trình",
    "evidence": "Tài liệu kiểm chứng (liên kết)",
    "appraised": "Điểm thẩm định",
    "appraisal_note": "Ý kiến thẩm định",
}
INPUT_COLUMNS = ("input1", "input2")  # the rule's inputs, in the rule's order

# Columns written only when the criteria set lets items be marked not applicable
# (``Framework.has_not_applicable``): the unit's mark (a dropdown of the item's
# ``not_applicable`` text) and the max points counted in its index (a formula).
NA_COLUMNS = {"not_applicable": "K", "applicable_max": "L"}
NA_COLUMN_TITLES = {"not_applicable": "Không phát sinh (chọn nếu có)", "applicable_max": "Điểm tối đa tính chỉ số"}
NA_NAME_PREFIXES = {"not_applicable": "parxl_na_", "applicable_max": "parxl_amax_"}
NAME_APPLICABLE_TOTAL = "parxl_amax_total"  # the maximum the unit's index is computed over (fields only)
# The input cells of an item the appraisers score (``scored_by: appraisers``); the reader accepts it there.
APPRAISERS_NOTE = "Điểm do cơ quan thẩm định chấm; đơn vị chỉ cung cấp tài liệu kiểm chứng và giải trình."

# Wording the reader matches (texts.py re-exports it for the builder).
WORDING = {
    "unit": "Đơn vị: {name}",            # header row of both visible sheets; identity compares it
    "total": "TỔNG ĐIỂM TỰ CHẤM (gồm điểm thưởng, trừ điểm trừ)",  # the total row's title (column B)
    "penalty_prefix": "(Trừ điểm) ",      # accepted before a penalty item's title (column B)
    "survey_note": "Điểm do điều tra xã hội học chấm; đơn vị không tự chấm.",  # input cells of survey items
}

# Header block of the self-assessment sheet (1-based rows).
ROWS = {
    "title": 1,      # "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CCHC NĂM N"
    "unit": 2,       # "Đơn vị: <tên đơn vị>"  (the unit's name also in the metadata)
    "criteria": 3,   # the criteria set and its legal basis
    "heading": 5,    # column titles
    "first": 6,      # first field row
}
TITLE_ROW = ROWS["title"]
UNIT_ROW = ROWS["unit"]
CRITERIA_ROW = ROWS["criteria"]
HEADING_ROW = ROWS["heading"]
FIRST_ROW = ROWS["first"]

# Metadata sheet: key in META_COLUMNS["key"], value in META_COLUMNS["value"], one row
# each, in META_KEYS order; dropdown option lists from META_COLUMNS["options"] on,
# one column per choice item, from row 1.
META_KEYS = (
    "campaign_id", "campaign_year", "unit_code", "unit_name", "unit_kind",
    "criteria_id", "criteria_fingerprint", "layout_version", "generated_at", "parxl_version",
)
META_COLUMNS = {"key": "A", "value": "B", "options": "D"}

# The summary sheet (built, never read back): columns by role, 1-based rows.
SUMMARY = {
    "columns": {"code": "A", "title": "B", "max": "C", "score": "D", "percent": "E"},
    "title_row": 1,     # "TỔNG HỢP KẾT QUẢ TỰ CHẤM THEO LĨNH VỰC NĂM N", across every column
    "unit_row": 2,      # WORDING["unit"]
    "heading_row": 4,   # texts.SUMMARY_HEADINGS, one per column in "columns" order
    "first_row": 5,     # fields, then bonus and penalty, then the total
}

# Defined names: a prefix per role, then the item code with "." as "_".
NAME_PREFIXES = {
    "input": "parxl_in_", "score": "parxl_score_", "explanation": "parxl_ex_", "evidence": "parxl_ev_",
    "appraised": "parxl_ap_", "appraisal_note": "parxl_apn_", "options": "parxl_opts_", "subtotal": "parxl_sum_",
}
NAME_TOTAL = "parxl_total"          # total self-assessed score (regular items + bonus - penalty)
NAME_UNIT = "parxl_unit_code"       # the unit code cell on the metadata sheet
NAME_CAMPAIGN = "parxl_campaign"    # the campaign id cell on the metadata sheet

# Layout versions of workbooks made before the version was derived from the
# contract, with the hash of the contract they were made under: such a workbook
# is read as long as the contract still hashes the same.
LEGACY_VERSIONS = {"1": "1f940a01"}


def contract() -> dict:
    """Every datum the writer and the reader share, as plain JSON-able data (read at call time).

    Shape: ``{"sheets": {role: name}, "columns": {role: letter}, "column_titles": {role: text},
    "input_columns": [role…], "wording": {key: text}, "rows": {key: row}, "meta_keys": [key…],
    "meta_columns": {key: letter}, "summary": {…}, "names": {…}}``.
    """
    return {
        "sheets": SHEETS, "columns": COLUMNS, "column_titles": COLUMN_TITLES, "input_columns": list(INPUT_COLUMNS),
        "wording": WORDING, "rows": ROWS, "meta_keys": list(META_KEYS), "meta_columns": META_COLUMNS,
        "summary": SUMMARY,
        "names": {"prefixes": NAME_PREFIXES, "total": NAME_TOTAL, "unit": NAME_UNIT, "campaign": NAME_CAMPAIGN},
        "optional": {"columns": NA_COLUMNS, "column_titles": NA_COLUMN_TITLES, "names": NA_NAME_PREFIXES,
                     "applicable_total": NAME_APPLICABLE_TOTAL, "appraisers_note": APPRAISERS_NOTE},
    }


def _base_contract() -> dict:
    """The contract without its ``optional`` part: what workbooks made before the optional columns share with it
    (such a workbook is for a criteria set without those columns, whose sheet is laid out the same)."""
    return {k: v for k, v in contract().items() if k != "optional"}


def hash_of(data: dict) -> str:
    """The first 8 hex digits of the SHA-256 of the canonical JSON dump of ``data`` (a layout contract).

    Every workbook kind's layout version is derived with it (this module's and ``appraisal.layout``'s).
    """
    for known, digest in _HASHES:  # every returned file's version is checked: dump the contract once
        if known == data:
            return digest
    dump = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(dump.encode("utf-8")).hexdigest()[:8]
    _HASHES.insert(0, (copy.deepcopy(data), digest))  # a copy: the contract's dicts may change later (tests)
    del _HASHES[8:]
    return digest


# The last contracts hashed (deep copies, compared by value: the contract is text and whole numbers), with their hash.
_HASHES: list[tuple[dict, str]] = []


def version_of(series: int, data: dict) -> str:
    """A layout version: ``"<series>-<hash_of(data)>"``, e.g. ``"2-1a2b3c4d"`` (every workbook kind's)."""
    return f"{series}-{hash_of(data)}"


def version_read(version: str, series: int, data: dict, legacy: Mapping[str, str]) -> bool:
    """Whether a workbook whose metadata says ``version`` was made under the contract ``data`` of
    ``series``: its own version, or a legacy number (``legacy``: number → contract hash) of the same contract."""
    return version == version_of(series, data) or legacy.get(version) == hash_of(data)


def layout_version() -> str:
    """The layout version written into the metadata sheet (``version_of`` this contract)."""
    return version_of(LAYOUT_SERIES, contract())


def reads_version(version: str) -> bool:
    """Whether a workbook whose metadata says ``version`` was made under this contract (legacy numbers included)."""
    return (version_read(version, LAYOUT_SERIES, contract(), LEGACY_VERSIONS)
            or LEGACY_VERSIONS.get(version) == hash_of(_base_contract()))


LAYOUT_VERSION = layout_version()  # the version at import; code calls layout_version(), which follows changes


def unit_header(name: str) -> str:
    """The «Đơn vị: …» header line of the visible sheets for a unit named ``name``."""
    return WORDING["unit"].format(name=name)


def cell_ref(role: str, row: int) -> str:
    """A1 reference of the self-assessment sheet's ``role`` column on 1-based ``row`` (``KeyError`` for an unknown role)."""
    return f"{column_of(role)}{row}"


def column_of(role: str) -> str:
    """The column letter of ``role`` on the self-assessment sheet (``COLUMNS``, then ``NA_COLUMNS``); KeyError if none."""
    return COLUMNS[role] if role in COLUMNS else NA_COLUMNS[role]


def not_applicable_sources(framework: Framework) -> dict[str, tuple[int, str]]:
    """Where each not-applicable item's mark text sits on the metadata sheet, as a one-cell dropdown source
    (so a mark holding a comma or a quote stays one option): {item code: (0-based column, absolute reference
    «'Sheet'!$X$1»)}, in the columns after the choice items' option lists."""
    first = 0
    for ch in META_COLUMNS["options"]:
        first = first * 26 + ord(ch) - 64
    first -= 1
    col = first + sum(1 for item in framework.items if any(s.kind == "choice" for s in item.rule.inputs(item.max)))
    out: dict[str, tuple[int, str]] = {}
    sheet = SHEET_META.replace("'", "''")
    for item in framework.items:
        if item.not_applicable is not None:
            letter = _col_letter(col)
            out[item.code] = (col, f"'{sheet}'!${letter}$1")
            col += 1
    return out


def _col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def meta_ref(key: str) -> str:
    """A1 reference of the metadata value cell of ``key`` (``ValueError`` for a key not in ``META_KEYS``)."""
    return f"{META_COLUMNS['value']}{META_KEYS.index(key) + 1}"


def summary_ref(role: str, row: int) -> str:
    """A1 reference of the summary sheet's ``role`` column on 1-based ``row``."""
    return f"{SUMMARY['columns'][role]}{row}"


RowKind = Literal["field", "criterion", "item", "adjust_header", "bonus", "penalty", "total", "line"]


@dataclass(frozen=True)
class RowSpec:
    """One planned row of the self-assessment sheet: where it is, what it holds, and (subtotals) its children."""

    row: int  # 1-based sheet row
    kind: RowKind
    code: str | None
    depth: int  # 0 field, 1 criterion, 2 sub-criterion; bonus/penalty 1
    item: Item | None = None
    child_codes: tuple[str, ...] = ()  # for subtotal rows
    key: str | None = None  # a line row: the input key of its item it holds (``code`` is None)


def plan_rows(framework: Framework) -> list[RowSpec]:
    """Every row of the self-assessment sheet below the heading, in order (a new list each call).

    Planned once per criteria set (and ``FIRST_ROW``, read at call time): the intake's workers ask
    for it twice per returned file."""
    known = _PLANS.get(framework)
    if known is None or known[0] != FIRST_ROW:
        known = _PLANS[framework] = (FIRST_ROW, tuple(_plan_rows(framework)))
    return list(known[1])


_PLANS: weakref.WeakKeyDictionary[Framework, tuple[int, tuple[RowSpec, ...]]] = weakref.WeakKeyDictionary()


def _plan_rows(framework: Framework) -> list[RowSpec]:
    rows: list[RowSpec] = []
    r = FIRST_ROW
    for row in framework.rows:
        node = row.node
        if node.items:
            kind: RowKind = "field" if row.depth == 0 else "criterion"
            rows.append(RowSpec(r, kind, node.code, row.depth, None, tuple(c.code for c in node.items)))
        else:
            item = framework.item(node.code)
            rows.append(RowSpec(r, "item", node.code, row.depth, item))
            r = _line_rows(rows, item, r, row.depth)
        r += 1
    for kind in ("bonus", "penalty"):
        items = [i for i in framework.items if i.kind == kind]
        if items:
            rows.append(RowSpec(r, "adjust_header", kind, 0))
            r += 1
            for item in items:
                rows.append(RowSpec(r, kind, item.code, 1, item))  # type: ignore[arg-type]
                r = _line_rows(rows, item, r, 1) + 1
    rows.append(RowSpec(r, "total", None, 0))
    return rows


def _line_rows(rows: list[RowSpec], item: Item, r: int, depth: int) -> int:
    """Append the line rows of ``item`` (inputs with ``row`` > 0, a checklist's lines) below its row ``r``;
    returns the last row used."""
    for spec in item.rule.inputs(item.max) if item.self_scored else ():
        if spec.row > 0:
            rows.append(RowSpec(r + spec.row, "line", None, depth, item, key=spec.key))
    return r + max((s.row for s in item.rule.inputs(item.max)), default=0) if item.self_scored else r


def _safe(code: str) -> str:
    return code.replace(".", "_")


def _name(role: str, code: str) -> str:
    return NAME_PREFIXES[role] + _safe(code)


# Workbook-level defined names. A reader resolves these first; the code in
# column A is the fallback when a name was lost.
def name_input(code: str, key: str) -> str:
    """Defined name of input ``key`` of item ``code``."""
    return f"{_name('input', code)}_{key}"


def name_score(code: str) -> str:
    """Score cell of an item (column F)."""
    return _name("score", code)


def name_explanation(code: str) -> str:
    """Giải trình cell of an item."""
    return _name("explanation", code)


def name_evidence(code: str) -> str:
    """Evidence cell of an item."""
    return _name("evidence", code)


def name_appraised(code: str) -> str:
    """Điểm thẩm định cell of an item (locked for the unit)."""
    return _name("appraised", code)


def name_appraisal_note(code: str) -> str:
    """Ý kiến thẩm định cell of an item (column J)."""
    return _name("appraisal_note", code)


def name_options(code: str) -> str:
    """The range listing a choice item's options (the dropdown's source)."""
    return _name("options", code)


def name_subtotal(code: str) -> str:
    """Subtotal of a field or criterion row."""
    return _name("subtotal", code)


def name_not_applicable(code: str) -> str:
    """The unit's not-applicable mark of an item (column ``NA_COLUMNS["not_applicable"]``)."""
    return NA_NAME_PREFIXES["not_applicable"] + _safe(code)


def name_applicable_max(code: str) -> str:
    """The applicable max of an item, criterion or field row (column ``NA_COLUMNS["applicable_max"]``)."""
    return NA_NAME_PREFIXES["applicable_max"] + _safe(code)


def input_columns(item: Item) -> dict[str, str]:
    """Which column holds each of the item's inputs: {input key: column letter}.

    Raises ValueError when the item's rule asks for more inputs than the sheet has input columns
    (``INPUT_COLUMNS``), rather than dropping the extra ones.
    """
    all_specs = item.rule.inputs(item.max)
    specs = [s for s in all_specs if s.row == 0]
    if len(specs) > len(INPUT_COLUMNS):
        raise ValueError(f"item {item.code}: rule type {item.rule.type!r} has {len(specs)} inputs, "
                         f"but the self-assessment sheet has only {len(INPUT_COLUMNS)} input columns")
    out = {spec.key: COLUMNS[col] for spec, col in zip(specs, INPUT_COLUMNS)}
    out.update({spec.key: COLUMNS[INPUT_COLUMNS[0]] for spec in all_specs if spec.row > 0})
    return out


def input_rows(item: Item) -> dict[str, int]:
    """How many rows below the item's row each input is: {input key: 0 on its row, n on its n-th line row}."""
    return {spec.key: spec.row for spec in item.rule.inputs(item.max)}


def input_refs(item: Item, row: int) -> dict[str, str]:
    """Cell references of the item's inputs for the item on ``row`` (an input may sit on a row below it), for
    the rule's formula; with ``NA_KEY`` → its not-applicable cell when the item may be marked so."""
    offsets = input_rows(item)
    refs = {key: f"{col}{row + offsets[key]}" for key, col in input_columns(item).items()}
    if item.not_applicable is not None:
        refs[NA_KEY] = f"{NA_COLUMNS['not_applicable']}{row}"
    return refs
