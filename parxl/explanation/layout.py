"""The giải trình workbook's layout contract: sheet names, columns and headings, hidden identity, file names.

The builder (``build``) and the reader (``read``) both place and find every column by ``COLUMNS``; rows
are found by the item code in the ``item`` column, never by row number. The layout version written into
the identity is derived from this contract (``workbook.layout.version_of``).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from ..appraisal import layout as appraisal_layout
from ..core.files import safe_file_stem
from ..intake.kinds import EXPLANATION_META_SHEET
from ..workbook.build import clean_text
from ..workbook.layout import version_of, version_read

LAYOUT_SERIES = 1
KIND = "parxl-explanation"
SHEET_DATA = "Giải trình"
SHEET_META = EXPLANATION_META_SHEET
META_KEYS = ("kind", "campaign_id", "criteria_fingerprint", "unit_code", "unit_name", "round", "layout_version",
             "generated_at", "parxl_version")
META_COLUMNS = {"key": "A", "value": "B"}
HEADER_ROW = 6  # rows 1-4: title, unit, instructions, deadline
OUTPUT_DIR = ("output", "so-bo")

COLUMNS = {
    "item": ("A", "Mã tiêu chí"),
    "title": ("B", "Tiêu chí"),
    "max": ("C", "Điểm tối đa"),
    "self": ("D", "Điểm tự chấm"),
    "appraised": ("E", "Điểm thẩm định"),
    "remark": ("F", "Ý kiến thẩm định"),
    "reason": ("G", "Lý do cần giải trình"),
    "explanation": ("H", "Giải trình của đơn vị"),
    "evidence": ("I", "Tài liệu kiểm chứng bổ sung"),
    "proposed": ("J", "Điểm đề nghị"),
}
CHECKED_HEADINGS = ("item", "explanation", "evidence", "proposed")
INPUT_COLUMNS = ("explanation", "evidence", "proposed")  # the only unlocked cells

REASON_LOWER = "Điểm thẩm định thấp hơn điểm tự chấm"
REASON_FLAGGED = "Cơ quan thẩm định đề nghị giải trình"
REASON_NA_OVERTURNED = "Cơ quan thẩm định không chấp nhận «Không phát sinh»"  # appended (issue 12 keys)


class _Letters(Mapping):
    def __getitem__(self, key: str) -> str:
        return COLUMNS[key][0]

    def __iter__(self) -> Iterator[str]:
        return iter(COLUMNS)

    def __len__(self) -> int:
        return len(COLUMNS)


COL: Mapping[str, str] = _Letters()


def contract() -> dict:
    """Every datum builder and reader share, as JSON-able data: ``{"kind", "sheets", "meta_keys", "meta_columns",
    "header_row", "columns": {key: [letter, heading]}, "checked_headings", "inputs"}``."""
    return {"kind": KIND, "sheets": {"data": SHEET_DATA, "meta": SHEET_META}, "meta_keys": list(META_KEYS),
            "meta_columns": META_COLUMNS, "header_row": HEADER_ROW,
            "columns": {k: list(v) for k, v in COLUMNS.items()}, "checked_headings": list(CHECKED_HEADINGS),
            "inputs": list(INPUT_COLUMNS)}


def layout_version() -> str:
    """The layout version written into the identity sheet (``workbook.layout.version_of`` this contract)."""
    return version_of(LAYOUT_SERIES, contract())


def reads_version(version: str) -> bool:
    """Whether a workbook whose identity says ``version`` was made under this contract."""
    return version_read(version, LAYOUT_SERIES, contract(), {})


def cell_ref(key: str, row: int) -> str:
    """A1 reference of column ``key`` on 1-based ``row`` of the data sheet (``KeyError`` for an unknown key)."""
    return f"{COLUMNS[key][0]}{row}"


def output_dir(campaign_root: Path) -> Path:
    """``<campaign>/output/so-bo``: the preliminary notices and giải trình workbooks."""
    return campaign_root.joinpath(*OUTPUT_DIR)


def workbook_name(unit_code: str, unit_name: str, round: str) -> str:
    """«Giải trình lần N - <code> - <name>.xlsx», made safe by ``core.files.safe_file_stem``."""
    n = appraisal_layout.round_number(round)
    return safe_file_stem(clean_text(f"Giải trình lần {n} - {unit_code} - {unit_name}")) + ".xlsx"


def explanation_round(round: str) -> str:
    """The ledger round of the explanations of appraisal ``round`` (``appraisal-1`` → ``explanation-1``)."""
    return appraisal_layout.explanation_round(round)
