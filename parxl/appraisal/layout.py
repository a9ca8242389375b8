"""The appraisal workbook's contract: sheet names, columns, metadata, rounds and file names.

The builder and the reader both import this module. Rows are located by the
unit code and item code written in columns A and C (locked), never by row
number, so a sorted or filtered sheet still reads back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ParxlError
from ..core.files import safe_file_stem
from ..criteria.framework import Framework, Item
from ..workbook.build import clean_text

LAYOUT_VERSION = 1
KIND = "parxl-appraisal"
SHEET_DATA = "Thẩm định"
SHEET_META = "parxl-thamdinh"
META_KEYS = ("kind", "campaign_id", "criteria_fingerprint", "round", "field_code", "layout_version",
             "generated_at", "parxl_version")
HEADER_ROW = 5  # 1-based; data rows follow
ADJUSTMENTS = "thuong-tru"  # the "field" of bonus and penalty items
OUTPUT_DIR = ("output", "tham-dinh")

# key -> (column letter, heading)
COLUMNS = {
    "unit": ("A", "Mã đơn vị"),
    "unit_name": ("B", "Tên đơn vị"),
    "item": ("C", "Mã tiêu chí"),
    "title": ("D", "Tiêu chí"),
    "max": ("E", "Điểm tối đa"),
    "inputs": ("F", "Số liệu đơn vị nhập"),
    "self": ("G", "Điểm tự chấm"),
    "evidence": ("H", "Tài liệu kiểm chứng"),
    "explanation": ("I", "Giải trình của đơn vị"),
    "previous": ("J", "Điểm thẩm định vòng trước"),
    "score": ("K", "Điểm thẩm định"),
    "note": ("L", "Ý kiến thẩm định"),
    "remark": ("M", "Ghi chú"),
}
CHECKED_HEADINGS = ("unit", "item", "score", "note")  # the columns the reader relies on
COL = {k: v[0] for k, v in COLUMNS.items()}

ROUND_PREFIX = "appraisal-"
_ROUND = re.compile(r"^appraisal-([1-9])$")


@dataclass(frozen=True)
class Group:
    """What one appraisal workbook covers: a field's appraised items, or the bonus and penalty items."""

    code: str           # field code, or ADJUSTMENTS
    title: str
    appraiser: str | None
    items: tuple[Item, ...]

    @property
    def file_name(self) -> str:
        """«Thẩm định lĩnh vực <code> - <title>.xlsx» (or the bonus/penalty name), made safe by
        ``core.files.safe_file_stem``: at most 120 characters and 200 UTF-8 bytes before «.xlsx».
        """
        if self.code == ADJUSTMENTS:
            stem = "Thẩm định điểm thưởng, điểm trừ"
        else:
            stem = f"Thẩm định lĩnh vực {self.code} - {self.title}"
        return safe_file_stem(clean_text(stem)) + ".xlsx"

    @property
    def heading(self) -> str:
        if self.code == ADJUSTMENTS:
            return "ĐIỂM THƯỞNG, ĐIỂM TRỪ"
        return f"LĨNH VỰC {self.code}: {self.title.upper()}"


def appraised(item: Item) -> bool:
    """Items an appraiser scores: everything but the survey items."""
    return item.part != "survey" and item.rule.type != "survey"


def groups(fw: Framework) -> list[Group]:
    """One group per field that has appraised items, then one for bonus and penalty items (if any)."""
    out = []
    for f in fw.fields:
        items = tuple(i for i in fw.items_of_field(f.code) if i.kind == "regular" and appraised(i))
        if items:
            out.append(Group(f.code, f.title, items[0].appraiser or f.appraiser, items))
    adjustments = tuple(i for i in fw.items if i.kind in ("bonus", "penalty"))
    if adjustments:
        appraisers = sorted({i.appraiser for i in adjustments if i.appraiser})
        out.append(Group(ADJUSTMENTS, "Điểm thưởng, điểm trừ", ", ".join(appraisers) or None, adjustments))
    return out


def check_round(name: str) -> str:
    if not _ROUND.match(name):
        raise ParxlError(f"Tên vòng thẩm định «{name}» không hợp lệ: dùng «appraisal-1», «appraisal-2» … "
                         "(đến «appraisal-9»).")
    return name


def round_number(name: str) -> int:
    m = _ROUND.match(name)
    return int(m.group(1)) if m else 0


def round_title(name: str) -> str:
    return f"Thẩm định lần {round_number(name)}"


def next_round(recorded: list[str]) -> str:
    """The round after the latest appraisal round recorded (``appraisal-1`` when none)."""
    n = max((round_number(r) for r in recorded), default=0)
    return check_round(f"{ROUND_PREFIX}{n + 1}")


def round_dir(campaign_root: Path, name: str) -> Path:
    return campaign_root.joinpath(*OUTPUT_DIR, name)


def generated_rounds(campaign_root: Path) -> list[str]:
    """Rounds whose workbooks were generated (folders under output/tham-dinh/), in order."""
    base = campaign_root.joinpath(*OUTPUT_DIR)
    if not base.is_dir():
        return []
    return sorted((p.name for p in base.iterdir() if p.is_dir() and _ROUND.match(p.name)), key=round_number)
