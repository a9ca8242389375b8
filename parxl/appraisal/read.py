"""Reading a filled appraisal workbook back, with parxl's safe reader, and checking it.

``read_appraisal(campaign, source, round, name=None) -> AppraisalFile`` never
raises for a file: every problem with the file is a ``Finding`` (same registry
and style as the unit workbooks'), and parxl's own failure on it is logged in
the campaign's ``.parxl/errors/`` (``AppraisalFile.internal_log``, with no
finding: the appraiser is not asked to resend). Rows are found by the unit code
and item code in columns A and C, in any order. A blank score means no
appraisal of that item.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..campaign.folder import Campaign
from ..core.errors import log_internal_error
from ..core.report import FileVerdict
from ..core.findings import Finding, FindingList
from ..core.numbers import parse_text_number, quantize, vi_number
from ..intake.submission import file_sha256, open_workbook, text_of
from ..workbook import layout as unit_layout
from ..xlsx.container import Cell, SheetData, SheetRequest, XlsxFile
from ..xlsx.safety import MAX_FILE_BYTES, HostileFile, human_size
from . import layout as L

META_ROWS = 20
ROW_MARGIN = 500  # rows read past the expected last row (a few inserted rows stay readable)


@dataclass
class AppraisalFile(FileVerdict):
    """One appraisal workbook read back: its findings and the scores (points) and notes it holds per unit and item."""

    name: str
    sha256: str
    data: bytes | None  # None when the file was too large to load (keep it from its path)
    findings: list[Finding] = field(default_factory=list)
    internal_log: str | None = None  # parxl's own failure on this file: where its traceback was logged
    internal: bool = False
    round: str | None = None
    field_code: str | None = None
    scores: dict[str, dict[str, Decimal]] = field(default_factory=dict)   # unit -> item -> appraised score
    notes: dict[str, dict[str, str]] = field(default_factory=dict)        # unit -> item -> opinion
    covered: dict[str, set[str]] = field(default_factory=dict)            # unit -> items with a row in the file
    flags: dict[str, set[str]] = field(default_factory=dict)              # unit -> items marked «Cần giải trình»


    @property
    def score_count(self) -> int:
        """How many appraised scores the file holds, over all units."""
        return sum(len(s) for s in self.scores.values())


def read_appraisal(campaign: Campaign, source: Path | bytes, round: str, name: str | None = None) -> AppraisalFile:
    """Read and check one filled appraisal workbook (a path or its bytes) for ``round``; never raises for it.

    A file over ``MAX_FILE_BYTES`` is not loaded (``data`` is None). What is
    wrong with the file is in ``findings``; parxl's own failure sets
    ``internal`` and ``internal_log``.
    """
    name = name or (str(source) if isinstance(source, Path) else "(không tên)")
    found = FindingList(file=name)
    if isinstance(source, Path) and source.stat().st_size > MAX_FILE_BYTES:
        out = AppraisalFile(name, file_sha256(source), None)
        found.add("file-too-large", detail=human_size(source.stat().st_size), limit=human_size(MAX_FILE_BYTES))
        out.findings = found.items
        return out
    data = source.read_bytes() if isinstance(source, Path) else source
    out = AppraisalFile(name, hashlib.sha256(data).hexdigest(), data)
    try:
        book = _open(data, found)
        _read(campaign, book, round, out, found)
    except HostileFile as exc:  # the reader's verdict on the file
        found.add(exc.code, **exc.params)
    except Exception as exc:  # parxl's own failure: logged, the file is not blamed, the batch goes on
        out.scores, out.notes, out.covered, out.flags = {}, {}, {}, {}
        out.internal = True
        log = log_internal_error(campaign.state_dir, exc, context=f"reading appraisal workbook {name}",
                                 key=out.sha256)
        out.internal_log = None if log is None else str(log)
    out.findings = found.items
    return out


def _open(data: bytes, found: FindingList) -> XlsxFile:
    book, converted = open_workbook(data)
    if converted:
        found.add("file-ods-converted")
    return book


def _read(campaign: Campaign, book: XlsxFile, round: str, out: AppraisalFile, found: FindingList) -> None:
    fw = campaign.framework
    if book.sheet(L.SHEET_META) is None:
        if book.sheet(unit_layout.SHEET_META) is not None:
            unit = book.read_sheets({unit_layout.SHEET_META: SheetRequest(20)}).get(unit_layout.SHEET_META)
            key_col, value_col = unit_layout.META_COLUMNS["key"], unit_layout.META_COLUMNS["value"]
            code = next((text_of(unit.get(r, value_col)) for r in range(1, 20)
                         if unit and text_of(unit.get(r, key_col)) == "unit_code"), "?")
            found.add("appraisal-unit-workbook", unit=code)
        else:
            found.add("appraisal-not-appraisal-file", detail=f"không có trang ẩn «{L.SHEET_META}»")
        return
    key_col, value_col = L.META_COLUMNS["key"], L.META_COLUMNS["value"]
    meta_sheet = _sheet(book, L.SHEET_META, SheetRequest(META_ROWS, frozenset((key_col, value_col))), found)
    if meta_sheet is None:
        return
    meta = {text_of(meta_sheet.get(r, key_col)): text_of(meta_sheet.get(r, value_col)) for r in range(1, META_ROWS)}
    if meta.get("kind") != L.KIND:
        found.add("appraisal-not-appraisal-file", detail="thông tin nhận dạng bị mất")
        return
    if not L.reads_version(meta.get("layout_version", "")):  # its columns may not be where this contract says
        found.add("appraisal-other-layout", sheet=L.SHEET_META,
                  cell=L.meta_ref("value", L.META_KEYS.index("layout_version") + 1),
                  found=meta.get("layout_version") or "?", expected=L.layout_version())
        return
    if meta.get("campaign_id") != campaign.id:
        found.add("appraisal-other-campaign", found=meta.get("campaign_id", ""), expected=campaign.id)
    if meta.get("criteria_fingerprint") != fw.fingerprint:
        found.add("appraisal-other-criteria", found=meta.get("criteria_fingerprint", "")[:12],
                  expected=fw.fingerprint[:12])
    if meta.get("round") != round:
        found.add("appraisal-other-round", found=meta.get("round", ""), expected=round)
    group = next((g for g in L.groups(fw) if g.code == meta.get("field_code")), None)
    if group is None:
        found.add("appraisal-not-appraisal-file", detail=f"lĩnh vực «{meta.get('field_code', '')}» không có trong bộ chỉ số")
    if group is None or found.items and any(f.severity == "error" for f in found.items):
        return
    out.round, out.field_code = round, group.code
    _read_rows(campaign, book, group, out, found)


def _read_rows(campaign: Campaign, book: XlsxFile, group: L.Group, out: AppraisalFile, found: FindingList) -> None:
    fw = campaign.framework
    units = {u.code for u in campaign.units}
    items = {i.code: i for i in group.items}
    max_row = L.HEADER_ROW + len(units) * len(items) + ROW_MARGIN
    sheet = _sheet(book, L.SHEET_DATA, SheetRequest(max_row, frozenset(L.COL.values())), found)
    if sheet is None:
        return
    header = next((r for r in range(1, L.HEADER_ROW + 10)
                   if text_of(sheet.get(r, L.COL["unit"])) == L.COLUMNS["unit"][1]), None)
    for key in L.CHECKED_HEADINGS:
        col, expected = L.COLUMNS[key]
        text = text_of(sheet.get(header or L.HEADER_ROW, col))
        if text != expected:
            found.add("columns-changed", sheet=L.SHEET_DATA, cell=L.cell_ref(key, header or L.HEADER_ROW),
                      found=text, expected=expected)
    if header is None or found.items and any(f.code == "columns-changed" for f in found.items):
        return
    if sheet.stopped_after:
        found.add("sheet-oversized", sheet=L.SHEET_DATA, limit=max_row, expected=max_row - ROW_MARGIN)
    seen: dict[tuple[str, str], int] = {}
    for r in range(header + 1, sheet.last_row + 1):
        unit, code = text_of(sheet.get(r, L.COL["unit"])), text_of(sheet.get(r, L.COL["item"]))
        if not unit and not code:
            continue
        if unit not in units or code not in items:
            detail = ("mã đơn vị không có trong danh sách" if unit not in units
                      else "tiêu chí không thuộc biểu mẫu này")
            found.add("appraisal-unknown-row", sheet=L.SHEET_DATA, cell=L.cell_ref("unit", r), row=r, unit=unit, found=code,
                      detail=detail)
            continue
        if (unit, code) in seen:
            found.add("appraisal-duplicate-row", sheet=L.SHEET_DATA, cell=L.cell_ref("unit", r), item=code, row=r, unit=unit,
                      first=seen[(unit, code)])
            continue
        seen[(unit, code)] = r
        out.covered.setdefault(unit, set()).add(code)
        score_ref, note_ref = L.cell_ref("score", r), L.cell_ref("note", r)
        score_cell = sheet.get(r, L.COL["score"])
        score = _score(score_cell, score_ref, unit, items[code], fw.decimals, found)
        note = text_of(sheet.get(r, L.COL["note"])).strip()
        flagged = L.is_flag(text_of(sheet.get(r, L.COL["flag"])))
        if flagged:
            out.flags.setdefault(unit, set()).add(code)
        if score is not None:
            out.scores.setdefault(unit, {})[code] = score
            if note:
                out.notes.setdefault(unit, {})[code] = note
        elif note and flagged and _blank(score_cell):  # the standing score is kept with this remark
            out.notes.setdefault(unit, {})[code] = note
        elif note and _blank(score_cell):  # a refused score has its own finding: it is not a blank cell
            found.add("appraisal-note-without-score", sheet=L.SHEET_DATA, cell=note_ref, item=code, unit=unit)


def _sheet(book: XlsxFile, name: str, request: SheetRequest, found: FindingList) -> SheetData | None:
    """A sheet's cells, or None with a finding: the sheet is not in the workbook, or its part is missing."""
    if book.sheet(name) is None:
        found.add("sheet-missing", sheet=name)
        return None
    sheet = book.read_sheets({name: request}).get(name)
    if sheet is None:  # listed in the workbook, but its part is not in the package
        found.add("file-corrupt", detail=f"trang «{name}» có tên trong sổ làm việc nhưng thiếu nội dung")
    return sheet


def _blank(cell: Cell | None) -> bool:
    """Whether a score cell shows nothing: no value and no formula, only spaces, or a formula whose cached
    result is empty text (``=IF(…;"";…)``). A formula without a cached result is not blank."""
    if cell is None:
        return True
    if cell.value is None:
        return cell.formula is None or cell.kind == "str"
    return isinstance(cell.value, str) and not cell.is_error and not cell.value.strip()


def _score(cell: Cell | None, ref: str, unit: str, item, decimals: int, found: FindingList) -> Decimal | None:
    """The appraised score of a cell (its cached value when it holds a formula), or None when blank (or
    wrong: a finding is added; ``_blank`` tells the two apart)."""
    where = {"sheet": L.SHEET_DATA, "cell": ref, "item": item.code, "unit": unit, "max": vi_number(item.max)}
    if cell is None or _blank(cell):
        return None
    if cell.formula is not None and (cell.value is None or cell.is_error):
        detail = ("chưa có giá trị (tệp được lưu mà công thức chưa được tính)" if cell.value is None
                  else f"bị lỗi «{text_of(cell)[:20]}»")
        found.add("appraisal-score-formula", found=cell.formula[:60], detail=detail, **where)
        return None
    value = cell.value
    as_text = None
    if isinstance(value, str) and not cell.is_error:
        number = parse_text_number(value)
        if number is None:
            found.add("appraisal-score-not-number", found=value.strip()[:60], **where)
            return None
        as_text, value = value.strip()[:60], number
    if not isinstance(value, Decimal) or cell.is_error:
        found.add("appraisal-score-not-number", found=text_of(cell)[:60], **where)
        return None
    if value < 0:
        found.add("appraisal-score-negative", found=vi_number(value), **where)
        return None
    if value > item.max:
        found.add("appraisal-score-above-max", found=vi_number(value), **where)
        return None
    if quantize(value, decimals) != value:
        found.add("appraisal-score-off-grid", found=vi_number(value), decimals=decimals,
                  example=vi_number(quantize(value, decimals)), **where)
        return None
    if as_text is not None:  # said only of a score taken: a refused one has its own finding
        found.add("appraisal-number-as-text", found=as_text, value=vi_number(value), **where)
    return value
