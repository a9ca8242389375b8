"""The appraisal workbook's layout contract: sheet names, columns and their headings, metadata, rounds, file names.

The builder (``parxl.appraisal.build``) and the reader (``parxl.appraisal.read``)
both place and find every column by ``COLUMNS`` (its letters, not its order),
and the reader checks the headings of ``CHECKED_HEADINGS``. Rows are located by
the unit code and item code written in the ``unit`` and ``item`` columns
(locked), never by row number, so a sorted or filtered sheet still reads back.

The layout version in the metadata is derived from this contract
(``layout_version()``: ``LAYOUT_SERIES`` and a short hash of ``contract()``), so
any change the reader would notice changes it; values are read at call time.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ParxlError
from ..core.files import safe_file_stem
from ..criteria.framework import Framework, Item
from ..ledger.rows import EXPLANATION_PREFIX
from ..workbook.build import clean_text
from ..workbook.layout import version_of, version_read

LAYOUT_SERIES = 2  # the human part of the layout version; raise it for a deliberate break
KIND = "parxl-appraisal"
SHEET_DATA = "Thẩm định"
SHEET_META = "parxl-thamdinh"
META_KEYS = ("kind", "campaign_id", "criteria_fingerprint", "round", "field_code", "layout_version",
             "generated_at", "parxl_version")
META_COLUMNS = {"key": "A", "value": "B"}  # metadata: key and value, one row each from row 1, in META_KEYS order
HEADER_ROW = 5  # 1-based; data rows follow (rows 1-3: title, round line, instructions)
ADJUSTMENTS = "thuong-tru"  # the "field" of bonus and penalty items
OUTPUT_DIR = ("output", "tham-dinh")

# key -> (column letter, heading). The builder writes each column at its letter, whatever the order here.
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
    # The second half (issue 13): the appraiser's flag, and what the unit explained after round N-1.
    "flag": ("N", "Cần giải trình"),
    "prev_note": ("O", "Ý kiến thẩm định vòng trước"),
    "reply": ("P", "Giải trình kết quả sơ bộ"),
    "extra_evidence": ("Q", "Tài liệu kiểm chứng bổ sung"),
    "proposed": ("R", "Điểm đơn vị đề nghị"),
}
FLAG_WORD = "Có"  # the option of the «Cần giải trình» column; any other non-blank text but «Không» counts too
CHECKED_HEADINGS = ("unit", "item", "score", "note")  # the columns the reader relies on


def is_flag(text: str) -> bool:
    """Whether a «Cần giải trình» cell's text marks the row: any non-blank text but «Không», «0», «FALSE»."""
    word = text.strip().lower()
    return bool(word) and word not in ("không", "khong", "0", "false", "no")


def explanation_round(round: str) -> str:
    """The ledger round of the units' explanations of appraisal ``round`` (``appraisal-1`` → ``explanation-1``)."""
    return f"{EXPLANATION_PREFIX}{round_number(round)}"


class _Letters(Mapping):
    """{column key: letter}, read from ``COLUMNS`` at each lookup (so it follows any change to it)."""

    def __getitem__(self, key: str) -> str:
        return COLUMNS[key][0]

    def __iter__(self) -> Iterator[str]:
        return iter(COLUMNS)

    def __len__(self) -> int:
        return len(COLUMNS)


COL: Mapping[str, str] = _Letters()

# Layout versions of workbooks made before the version was derived from the
# contract, with the hash of the contract they were made under.
LEGACY_VERSIONS = {"1": "85b681be"}


def contract() -> dict:
    """Every datum builder and reader share, as plain JSON-able data (read at call time).

    Shape: ``{"kind", "sheets": {"data", "meta"}, "meta_keys": [...], "meta_columns": {...},
    "header_row": int, "columns": {key: [letter, heading]}, "checked_headings": [...]}``.
    """
    return {"kind": KIND, "sheets": {"data": SHEET_DATA, "meta": SHEET_META}, "meta_keys": list(META_KEYS),
            "meta_columns": META_COLUMNS, "header_row": HEADER_ROW,
            "columns": {k: list(v) for k, v in COLUMNS.items()}, "checked_headings": list(CHECKED_HEADINGS)}


def layout_version() -> str:
    """The layout version written into the metadata (``workbook.layout.version_of`` this contract)."""
    return version_of(LAYOUT_SERIES, contract())


# Layouts made before the second-half columns (N-R) were added: the same columns A-M, nothing after them, so
# they read under this contract (no flags, no explanations). Remove them when a change moves a column A-M.
READABLE_EARLIER = frozenset({"1", "2-85b681be"})


def reads_version(version: str) -> bool:
    """Whether a workbook whose metadata says ``version`` was made under this contract (legacy numbers included),
    or under an earlier one this contract still reads (``READABLE_EARLIER``)."""
    return version_read(version, LAYOUT_SERIES, contract(), LEGACY_VERSIONS) or version in READABLE_EARLIER


LAYOUT_VERSION = layout_version()  # the version at import; code calls layout_version(), which follows changes


def cell_ref(key: str, row: int) -> str:
    """A1 reference of column ``key`` on 1-based ``row`` of the data sheet (``KeyError`` for an unknown key)."""
    return f"{COLUMNS[key][0]}{row}"


def meta_ref(key: str, row: int) -> str:
    """A1 reference of metadata column ``key`` (``"key"`` or ``"value"``) on 1-based ``row``."""
    return f"{META_COLUMNS[key]}{row}"

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
        """The group's part of the sheet title, upper case."""
        if self.code == ADJUSTMENTS:
            return "ĐIỂM THƯỞNG, ĐIỂM TRỪ"
        return f"LĨNH VỰC {self.code}: {self.title.upper()}"


def appraised(item: Item) -> bool:
    """Items an appraiser scores: everything but the survey items."""
    return item.part != "survey" and item.rule.type != "survey"


def groups(fw: Framework) -> list[Group]:
    """One group per field that has appraised items (per appraising office of its items when they differ: the
    first office's keeps the field's code, the others get «<field>-2», «<field>-3»…), then one for bonus and
    penalty items (if any)."""
    out = []
    for f in fw.fields:
        items = tuple(i for i in fw.items_of_field(f.code) if i.kind == "regular" and appraised(i))
        offices = list(dict.fromkeys(i.appraiser for i in items))  # an item may name its own appraising office
        for n, office in enumerate(offices):
            mine = tuple(i for i in items if i.appraiser == office)
            if n == 0:
                out.append(Group(f.code, f.title, office or f.appraiser, mine))
            else:  # the field's items another office appraises: a workbook of their own
                out.append(Group(f"{f.code}-{n + 1}", f"{f.title} (phần do {office or 'cơ quan khác'} thẩm định)",
                                 office, mine))
    adjustments = tuple(i for i in fw.items if i.kind in ("bonus", "penalty"))
    if adjustments:
        appraisers = sorted({i.appraiser for i in adjustments if i.appraiser})
        out.append(Group(ADJUSTMENTS, "Điểm thưởng, điểm trừ", ", ".join(appraisers) or None, adjustments))
    return out


def check_round(name: str) -> str:
    """``name`` when it is a round name (``appraisal-1`` … ``appraisal-9``); raises ``ParxlError`` otherwise."""
    if not _ROUND.match(name):
        raise ParxlError(f"Tên vòng thẩm định «{name}» không hợp lệ: dùng «appraisal-1», «appraisal-2» … "
                         "(đến «appraisal-9»).")
    return name


def round_number(name: str) -> int:
    """The round's number (``appraisal-2`` → 2), 0 for a name that is not a round."""
    m = _ROUND.match(name)
    return int(m.group(1)) if m else 0


def round_title(name: str) -> str:
    """«Thẩm định lần N» for round ``name``."""
    return f"Thẩm định lần {round_number(name)}"


def next_round(recorded: list[str]) -> str:
    """The round after the latest appraisal round recorded (``appraisal-1`` when none)."""
    n = max((round_number(r) for r in recorded), default=0)
    return check_round(f"{ROUND_PREFIX}{n + 1}")


def round_dir(campaign_root: Path, name: str) -> Path:
    """The folder of round ``name``'s workbooks: ``<campaign>/output/tham-dinh/<name>``."""
    return campaign_root.joinpath(*OUTPUT_DIR, name)


def generated_rounds(campaign_root: Path) -> list[str]:
    """Rounds whose workbooks were generated (folders under output/tham-dinh/), in order."""
    base = campaign_root.joinpath(*OUTPUT_DIR)
    if not base.is_dir():
        return []
    return sorted((p.name for p in base.iterdir() if p.is_dir() and _ROUND.match(p.name)), key=round_number)
