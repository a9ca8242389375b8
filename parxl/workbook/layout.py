"""The layout contract of the self-assessment workbook: the only module that knows where cells are.

The builder (``parxl.workbook.build``) writes by it and the reader
(``parxl.intake.submission``) reads by it. Readers locate cells by the defined names
below (and by item codes in column A), never by fixed row numbers alone, so a
workbook whose rows were shifted can still be read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..criteria.framework import Framework, Item

LAYOUT_VERSION = 1

SHEET_GUIDE = "Hướng dẫn"
SHEET_ASSESS = "Tự đánh giá"
SHEET_SUMMARY = "Tổng hợp"
SHEET_META = "parxl_meta"  # very hidden

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

# Header block of the self-assessment sheet.
TITLE_ROW = 1        # "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CCHC NĂM N"
UNIT_ROW = 2         # "Đơn vị: <tên đơn vị>"  (the unit's name also in the metadata)
CRITERIA_ROW = 3     # the criteria set and its legal basis
HEADING_ROW = 5      # column titles
FIRST_ROW = 6        # first field row

# Metadata sheet: key in column A, value in column B, one row each, in this order.
META_KEYS = (
    "campaign_id", "campaign_year", "unit_code", "unit_name", "unit_kind",
    "criteria_id", "criteria_fingerprint", "layout_version", "generated_at", "parxl_version",
)

RowKind = Literal["field", "criterion", "item", "adjust_header", "bonus", "penalty", "total"]


@dataclass(frozen=True)
class RowSpec:
    row: int  # 1-based sheet row
    kind: RowKind
    code: str | None
    depth: int  # 0 field, 1 criterion, 2 sub-criterion; bonus/penalty 1
    item: Item | None = None
    child_codes: tuple[str, ...] = ()  # for subtotal rows


def plan_rows(framework: Framework) -> list[RowSpec]:
    """Every row of the self-assessment sheet below the heading, in order."""
    rows: list[RowSpec] = []
    r = FIRST_ROW
    for row in framework.rows:
        node = row.node
        if node.items:
            kind: RowKind = "field" if row.depth == 0 else "criterion"
            rows.append(RowSpec(r, kind, node.code, row.depth, None, tuple(c.code for c in node.items)))
        else:
            rows.append(RowSpec(r, "item", node.code, row.depth, framework.item(node.code)))
        r += 1
    for kind in ("bonus", "penalty"):
        items = [i for i in framework.items if i.kind == kind]
        if items:
            rows.append(RowSpec(r, "adjust_header", kind, 0))
            r += 1
            for item in items:
                rows.append(RowSpec(r, kind, item.code, 1, item))  # type: ignore[arg-type]
                r += 1
    rows.append(RowSpec(r, "total", None, 0))
    return rows


def _safe(code: str) -> str:
    return code.replace(".", "_")


# Workbook-level defined names. A reader resolves these first; the code in
# column A is the fallback when a name was lost.
def name_input(code: str, key: str) -> str:
    return f"parxl_in_{_safe(code)}_{key}"


def name_score(code: str) -> str:
    return f"parxl_score_{_safe(code)}"


def name_explanation(code: str) -> str:
    return f"parxl_ex_{_safe(code)}"


def name_evidence(code: str) -> str:
    return f"parxl_ev_{_safe(code)}"


def name_appraised(code: str) -> str:
    return f"parxl_ap_{_safe(code)}"


def name_appraisal_note(code: str) -> str:
    """Ý kiến thẩm định cell of an item (column J)."""
    return f"parxl_apn_{_safe(code)}"


def name_options(code: str) -> str:
    """The range listing a choice item's options (the dropdown's source)."""
    return f"parxl_opts_{_safe(code)}"


def name_subtotal(code: str) -> str:
    """Subtotal of a field or criterion row."""
    return f"parxl_sum_{_safe(code)}"


NAME_TOTAL = "parxl_total"          # total self-assessed score (regular items + bonus - penalty)
NAME_UNIT = "parxl_unit_code"       # the unit code cell on the metadata sheet
NAME_CAMPAIGN = "parxl_campaign"    # the campaign id cell on the metadata sheet


def input_columns(item: Item) -> dict[str, str]:
    """Which column holds each of the item's inputs: {input key: column letter}.

    Raises ValueError when the item's rule asks for more inputs than the sheet has input columns
    (``INPUT_COLUMNS``), rather than dropping the extra ones.
    """
    specs = item.rule.inputs(item.max)
    if len(specs) > len(INPUT_COLUMNS):
        raise ValueError(f"item {item.code}: rule type {item.rule.type!r} has {len(specs)} inputs, "
                         f"but the self-assessment sheet has only {len(INPUT_COLUMNS)} input columns")
    return {spec.key: COLUMNS[col] for spec, col in zip(specs, INPUT_COLUMNS)}


def input_refs(item: Item, row: int) -> dict[str, str]:
    """Cell references of the item's inputs on its row, for the rule's formula."""
    return {key: f"{col}{row}" for key, col in input_columns(item).items()}
