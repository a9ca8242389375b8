"""Appraisal workbooks: one per field (and one for bonus/penalty), every unit side by side.

``write_appraisal_workbooks(campaign, round)`` reads the ledger (each unit's
latest self-assessment and the earlier appraisal rounds) and writes one
workbook per ``layout.Group`` into ``output/tham-dinh/<round>/``, atomically.
Rows go item by item, then unit by unit, so an appraiser compares units on the
same item one under another. Units without a readable file are listed too,
greyed and locked, with a note. Only «Điểm thẩm định» and «Ý kiến thẩm định»
are unlocked; the score column is pre-filled with the previous round's score.

XlsxWriter writes each workbook but its data rows, which ``_Rows`` renders straight into sheet XML (one
template per row shape) and puts into the package: every part reads byte for byte as XlsxWriter writing
the cells one by one made it (tests/test_appraisal_fast.py), at about a third of the cost.
"""
from __future__ import annotations

import gc
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from .. import __version__
from ..campaign.folder import Campaign
from ..core.files import write_atomic
from ..core.numbers import vi_number
from ..core.progress import Progress
from ..core.times import utc_iso
from ..core.workers import worker_pool
from ..criteria.framework import Item
from ..criteria.rules import Value
from ..intake.evidence_text import parse_entry
from ..ledger.sheet_xml import _url, _utf16_cut, hyperlinks_xml
from ..ledger.store import SELF, LedgerItem, Ledger, LedgerSubmission
from ..master.consolidation import SURVEY_ROUND
from ..workbook.build import clean_text, generated_at
from ..workbook.stamping import Package
from ..workbook.styles import CELL, FORMULA_FILL, PROTECT, WorkbookFormats, col_index, print_setup, text_height
from ..workbook.texts import item_text
from . import layout as L

WIDTHS = {"unit": 9, "unit_name": 20, "item": 8, "title": 30, "max": 8, "inputs": 24, "self": 9,
          "evidence": 30, "explanation": 24, "previous": 10, "score": 11, "note": 30, "remark": 18,
          "flag": 10, "prev_note": 24, "reply": 30, "extra_evidence": 30, "proposed": 10}
EXPLAINED_FILL = "#DDEBF7"  # rows the unit explained after the previous round
GREY_TEXT = "#7F7F7F"


@dataclass
class UnitRows:
    """What the ledger holds of one unit for the workbooks."""

    code: str
    name: str
    submission: LedgerSubmission | None
    details: dict[str, LedgerItem] = field(default_factory=dict)
    previous: dict[str, Decimal] = field(default_factory=dict)  # earlier rounds' appraised scores, merged
    kind: str | None = None  # the unit's type («Loại»): items whose applies_to leaves it out get no row
    previous_notes: dict[str, str] = field(default_factory=dict)  # the previous round's opinions
    reply: dict[str, LedgerItem] = field(default_factory=dict)  # the unit's explanation of the previous round


def gather(campaign: Campaign, round: str) -> list[UnitRows]:
    """Every listed unit, in list order, with its latest self-assessment and earlier appraised scores."""
    with Ledger.open(campaign) as ledger:
        subs = {s.unit_code: s for s in ledger.latest_submissions()}
        details = ledger.item_details_many(s.sha256 for s in subs.values())
        out = []
        for unit in campaign.units:
            sub = subs.get(unit.code)
            rows = UnitRows(unit.code, unit.name, sub, kind=unit.kind)
            if sub is not None:
                rows.details = details.get(sub.sha256, {})
                for name in sorted(r for r in sub.scores if r not in (SELF, SURVEY_ROUND) and r < round):
                    rows.previous.update(sub.scores[name])
                before = L.round_number(round) - 1
                if before >= 1:
                    earlier = f"{L.ROUND_PREFIX}{before}"
                    rows.previous_notes = {k: d.explanation for k, d in ledger.round_details(unit.code, earlier).items()
                                           if d.explanation}
                    rows.reply = ledger.round_details(unit.code, L.explanation_round(earlier), ("ok",))
            out.append(rows)
    return out


def write_appraisal_workbooks(campaign: Campaign, round: str, folder: Path | None = None,
                              progress: Progress | None = None) -> list[Path]:
    """Write the round's workbooks; returns their paths, in field order.

    ``folder``: where to write them (default ``L.round_dir``; a block of a campaign with ``blocks:`` writes
    into its own sub-folder, named after the block). ``progress``: called ``(done, total, file name)`` as
    workbooks are written. From ``PARALLEL_FROM_ROWS`` rows, two worker processes build them (the same bytes).
    """
    L.check_round(round)
    folder = folder or L.round_dir(campaign.root, round)
    groups = L.groups(campaign.framework)
    report = progress or (lambda done, total, label: None)
    report(0, len(groups), "")
    if len(campaign.units) * len(campaign.framework.items) < PARALLEL_FROM_ROWS or len(groups) < 2:
        units = gather(campaign, round)
        paths = []
        for g in groups:
            paths.append(write_atomic(folder / g.file_name, build_group(campaign, round, g, units)))
            report(len(paths), len(groups), g.file_name)
        return paths
    # Two worker processes building whole workbooks, the largest first. Where processes are forked (Linux)
    # they inherit what the ledger said, read once here; where they are spawned, each reads it once.
    import multiprocessing
    from concurrent.futures import as_completed
    key = (str(campaign.root), campaign.block_id, round)
    forked = multiprocessing.get_start_method() == "fork"
    if forked:
        _WORKER_UNITS[key] = gather(campaign, round)
    paths: list[Path | None] = [None] * len(groups)
    order = sorted(range(len(groups)), key=lambda i: -len(groups[i].items))
    # Ctrl+C (SIGINT to the whole process group) is ignored in the workers (``worker_pool``): the parent alone
    # stops, and stops them (no worker's English traceback, no pool left waiting).
    try:
        with worker_pool(2, _worker_gather, (campaign, round, key)) as pool:
            jobs = {pool.submit(_worker_build, i): i for i in order}  # a job is a number: it never fills the pipe
            for done, job in enumerate(as_completed(jobs), start=1):
                i = jobs[job]
                paths[i] = write_atomic(folder / groups[i].file_name, job.result())
                report(done, len(groups), groups[i].file_name)
    finally:
        _WORKER_UNITS.pop(key, None)
    return [p for p in paths if p is not None]


PARALLEL_FROM_ROWS = 20_000  # appraisal rows (units × items): from this many, workbooks built in two processes
_WORKER_UNITS: dict[tuple, list[UnitRows]] = {}  # what ``gather`` read, by (campaign folder, block, round)


def _worker_gather(campaign: Campaign, round: str, key: tuple) -> None:
    if key not in _WORKER_UNITS:  # not inherited from the parent (a spawned process)
        _WORKER_UNITS.clear()
        _WORKER_UNITS[key] = gather(campaign, round)
    _WORKER_TASK[:] = [campaign, round, L.groups(campaign.framework), _WORKER_UNITS[key]]


_WORKER_TASK: list = []  # in a worker process: [campaign, round, its groups, what ``gather`` read]


def _worker_build(index: int) -> bytes:
    campaign, round, groups, units = _WORKER_TASK
    return build_group(campaign, round, groups[index], units)


def inputs_text(item: Item, values: dict[str, Value], specs: list | None = None) -> str:
    """The unit's inputs for an item, as a Vietnamese reader reads them ("Số hồ sơ: 95; …"); an item the unit
    marked not applicable says so first, with how the appraiser overturns the claim. ``specs``: the item's
    ``rule.inputs(item.max)`` when the caller has them already (one item's rows, unit after unit)."""
    if item.scored_by == "appraisers":
        return "Cơ quan thẩm định chấm (đơn vị chỉ cung cấp tài liệu kiểm chứng, giải trình)."
    if item.marked_not_applicable(values):
        return (f"Đơn vị chọn «{item.not_applicable}» (không tính vào điểm tối đa). Chấp nhận: để trống điểm "
                "thẩm định; không chấp nhận: nhập điểm thẩm định (có thể là 0).")
    parts = []
    for spec in specs if specs is not None else item.rule.inputs(item.max):
        value = values.get(spec.key)
        shown = "(trống)" if value is None or value == "" else (
            vi_number(value) if isinstance(value, Decimal) else str(value))
        parts.append(shown if spec.kind == "choice" else f"{spec.label}: {shown}")
    return "; ".join(parts)


class AppraisalFormats:
    """The XlsxWriter cell formats of an appraisal workbook, beside the shared ``WorkbookFormats`` (``st``)."""

    def __init__(self, wb, st: WorkbookFormats):
        base = CELL
        self.st = st
        self.text = wb.add_format(base)
        self.code = wb.add_format({**base, "align": "center"})
        self.num = wb.add_format({**base, "num_format": "0.00"})
        self.link = wb.add_format({**base, "font_color": "blue", "underline": 1})
        self.score = wb.add_format({**base, "num_format": "0.00", "locked": False, "bg_color": "#FFF2CC"})
        self.note = wb.add_format({**base, "locked": False, "bg_color": "#FFF2CC"})
        grey = {**base, "font_color": GREY_TEXT, "bg_color": FORMULA_FILL}
        self.grey = wb.add_format(grey)
        self.grey_num = wb.add_format({**grey, "num_format": "0.00"})
        shown = {**base, "bg_color": EXPLAINED_FILL}
        self.shown = wb.add_format(shown)
        self.shown_num = wb.add_format({**shown, "num_format": "0.00"})
        self.shown_link = wb.add_format({**shown, "font_color": "blue", "underline": 1})
        self.title = st.title
        self.legend = st.legend
        self.heading = st.heading


def build_group(campaign: Campaign, round: str, group: L.Group, units: list[UnitRows]) -> bytes:
    """The appraisal workbook of ``group`` for ``round`` as ``.xlsx`` bytes: one row per item and unit.

    Every column is written at its letter in ``layout.COLUMNS`` (whatever their order there);
    the metadata carries ``layout.layout_version()``.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of cell tuples, no cycles: the collector would only walk them again and again
    try:
        return _build_group(campaign, round, group, units)
    finally:
        if collecting:
            gc.enable()


def _build_group(campaign: Campaign, round: str, group: L.Group, units: list[UnitRows]) -> bytes:
    fw = campaign.framework
    when = generated_at(campaign)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": f"{L.round_title(round)} Chỉ số CCHC năm {campaign.year} — {group.title}",
                       "subject": fw.title, "author": "parxl", "company": campaign.config.issuer.name,
                       "created": when})
    fm = AppraisalFormats(wb, WorkbookFormats(wb))
    ws = wb.add_worksheet(L.SHEET_DATA)
    meta = wb.add_worksheet(L.SHEET_META)
    c = {k: col_index(letter) for k, letter in L.COL.items()}
    first_col, last_col = min(c.values()), max(c.values())
    for key, width in WIDTHS.items():
        ws.set_column(c[key], c[key], width)

    ws.merge_range(0, first_col, 0, last_col, f"{L.round_title(round).upper()} CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM "
                   f"{campaign.year} — {group.heading}", fm.title)
    ws.merge_range(1, first_col, 1, last_col, f"Cơ quan thẩm định: {group.appraiser or '(chưa phân công)'} · "
                   f"Vòng: {L.round_title(round).lower()} ({round}) · Bộ chỉ số: {fw.title}", fm.legend)
    ws.merge_range(2, first_col, 2, last_col,
                   "Nhập điểm vào cột «Điểm thẩm định» (từ 0 đến điểm tối đa, tối đa "
                   f"{fw.decimals} chữ số thập phân, ví dụ 0,5) và ý kiến vào cột «Ý kiến thẩm định». "
                   "Để trống ô điểm nghĩa là giữ nguyên điểm tự chấm của đơn vị. Chọn «Có» ở cột «Cần giải trình» "
                   "để yêu cầu đơn vị giải trình. Không sửa các cột khác; có thể lọc, sắp xếp dòng. Dòng màu xám: "
                   "đơn vị chưa gửi tệp đọc được; dòng màu xanh: đơn vị đã giải trình sau vòng trước.", fm.legend)
    ws.set_row(2, 48)
    hr = L.HEADER_ROW - 1
    ws.set_row(hr, 36)
    for key, (_, heading) in L.COLUMNS.items():
        ws.write_string(hr, c[key], heading, fm.heading)

    # The data rows: rendered here as sheet XML (``_Rows``), XlsxWriter writing the rest of the package.
    rows = _Rows(wb, fm, c, first_col, last_col)
    r = hr + 1
    names = [(clean_text(u.code), clean_text(u.name)) for u in units]  # the same on every item's rows
    for item in group.items:
        first = r
        shared = _ItemCells(item, fw.decimals)
        for u, (code, name) in zip(units, names):
            if not item.applies(u.kind):
                continue
            rows.row(r, shared, u, code, name)
            r += 1
        if r > first:
            ws.data_validation(first, c["score"], r - 1, c["score"], {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(item.max),
                "ignore_blank": True,
                "input_title": "Điểm thẩm định",
                "input_message": f"Tiêu chí {item.code}: từ 0 đến {vi_number(item.max)} điểm. "
                                 "Để trống = giữ điểm tự chấm của đơn vị.",
                "error_title": "Điểm không hợp lệ",
                "error_message": f"Điểm thẩm định tiêu chí {item.code} phải là số từ 0 đến {vi_number(item.max)}."})
            ws.data_validation(first, c["flag"], r - 1, c["flag"], {
                "validate": "list", "source": [L.FLAG_WORD, "Không"], "ignore_blank": True,
                "input_title": "Cần giải trình",
                "input_message": f"Chọn «{L.FLAG_WORD}» nếu đơn vị cần giải trình tiêu chí này (kể cả khi không hạ điểm)."})
    rows.close()
    ws.autofilter(hr, first_col, max(r - 1, hr + 1), last_col)
    ws.freeze_panes(L.HEADER_ROW, 0)
    print_setup(ws, landscape=True, repeat_row=hr)
    ws.protect("", {**PROTECT, "autofilter": True, "sort": True})

    values = {"kind": L.KIND, "campaign_id": campaign.id, "criteria_fingerprint": fw.fingerprint, "round": round,
              "field_code": group.code, "layout_version": L.layout_version(),
              "generated_at": utc_iso(when, micro=False), "parxl_version": __version__}
    if tuple(values) != L.META_KEYS:  # parxl's own bug, never the user's: it must hold under python -O too
        raise RuntimeError(f"Lỗi nội bộ của parxl: các khóa siêu dữ liệu {tuple(values)} khác bố cục {L.META_KEYS}.")
    key_col, value_col = col_index(L.META_COLUMNS["key"]), col_index(L.META_COLUMNS["value"])
    for i, (key, value) in enumerate(values.items()):
        meta.write_string(i, key_col, key)
        meta.write_string(i, value_col, value)
    meta.protect("", PROTECT)
    meta.very_hidden()
    ws.activate()
    wb.close()
    return rows.package(out.getvalue(), f"xl/worksheets/sheet{ws.index + 1}.xml")


class _ItemCells:
    """What every unit's row of one item shows alike: its code, its title with how it is scored (as the unit
    saw it) and that title's row height, its maximum; computed once per item, not once per row."""

    def __init__(self, item: Item, decimals: int):
        self.item = item
        self.code = item.code
        self.shown = item_text(item, decimals, lines=True)
        self.title_height = max(15.0, text_height([(self.shown, 12)], WIDTHS["title"]))
        self.max = float(item.max)
        self.clean_code = clean_text(item.code)
        self.clean_title = clean_text(item.title)
        self.specs = item.rule.inputs(item.max) if item.scored_by != "appraisers" else []


_BLANK_WHEN_MISSING = ("inputs", "self", "evidence", "explanation", "previous", "score", "note", "flag", "prev_note",
                       "reply", "extra_evidence", "proposed")
_MISSING_REMARK = "Đơn vị chưa gửi tệp đọc được: chưa có số liệu để thẩm định."
_DEFAULT_ROW_PX = 20  # XlsxWriter's default (and original) row height in pixels: no «ht» on such a row
_STR_MAX = 32_767  # UTF-16 units in a cell: XlsxWriter cuts a longer string there
_LINKS_MAX = 65_530  # hyperlinks per sheet: XlsxWriter leaves the next ones out
_SHEET_RELS = "xl/worksheets/_rels/{}.rels"
_MISSING = (True,)  # the shape of a row of a unit without a readable file


class _Rows:
    """The data rows of an appraisal sheet rendered straight into sheet XML, as XlsxWriter would write them.

    Every text goes through the workbook's own shared-string table (the same order and count as XlsxWriter's
    ``write_string`` calls), and every cell's format gets its style index the way XlsxWriter gives it, at its
    first use in row order (the header rows' formats first), so the package's parts read, byte for byte, as
    XlsxWriter writing the cells one by one made them. ``package()`` puts the rows, their hyperlinks and the
    links' relationships into the package XlsxWriter wrote without them (``workbook.stamping.Package``).
    """

    def __init__(self, wb, fm: AppraisalFormats, c: dict[str, int], first_col: int, last_col: int):
        self._table = wb.str_table.string_table  # XlsxWriter's: text -> index, in order of first use
        self._str_table = wb.str_table
        self._count = 0
        self._fm = fm
        self._wb_cols = {k: xl_col_to_name(v) for k, v in c.items()}
        self._order = sorted(c, key=c.get)  # column keys in column order
        self._spans = f"{first_col + 1}:{last_col + 1}"  # every row fills every column
        self._last_col = last_col
        self._styles: dict[int, int] = {}
        for fmt in (fm.title, fm.legend, fm.heading):  # the header rows', met first in row order
            self._style(fmt)
        self._parts: list[str] = []
        self._last_row = -1
        self._heights: dict[float, str] = {}
        self._templates: dict[tuple, str] = {}
        self.links: list[tuple[str, tuple[str, str]]] = []

    def _style(self, fmt) -> int:
        i = self._styles.get(id(fmt))
        if i is None:
            i = self._styles[id(fmt)] = fmt._get_xf_index()  # XlsxWriter's numbering: at first use
        return i

    def _string(self, text: str) -> int:
        if len(text) > _STR_MAX // 2 and len(text.encode("utf-16-le", "surrogatepass")) // 2 > _STR_MAX:
            text = _utf16_cut(text)
        table = self._table
        i = table.get(text)
        if i is None:
            i = table[text] = len(table)
        self._count += 1
        return i

    def row(self, r: int, shared: _ItemCells, u: UnitRows, code: str, name: str) -> None:
        """Unit ``u``'s row ``r`` (0-based) on the item of ``shared``; ``code``, ``name``: the unit's, as cell
        text. Texts are met in the order the earlier cell-by-cell writer wrote them; the row's XML comes from
        the template of its shape (which cells are blank, which formats), made at the shape's first row."""
        s = self._string
        item = shared.item
        detail = u.details.get(shared.code)
        v = {"unit": s(code), "unit_name": s(name), "item": s(shared.code), "title": s(shared.shown),
             "max": shared.max}
        inputs = inputs_text(item, detail.inputs, shared.specs) if detail else ""
        height = max(shared.title_height, text_height([(inputs, 12)], WIDTHS["inputs"]))
        if u.submission is None:
            v["remark"] = s(_MISSING_REMARK)
            self._emit(r, height, _MISSING, v)
            return
        v["inputs"] = s(inputs)
        self_score = u.submission.self_scores.get(shared.code)
        previous = u.previous.get(shared.code)
        ev_link = self._evidence(r, "evidence", detail.evidence if detail else [], v)
        v["explanation"] = s(_clean(detail.explanation) if detail else "")
        reply = u.reply.get(shared.code)
        shown = reply is not None and bool(reply.explanation.strip() or reply.evidence or reply.inputs.get("proposed"))
        v["prev_note"] = s(_clean(u.previous_notes.get(shared.code, "")))
        v["reply"] = s(_clean(reply.explanation) if reply else "")
        extra_link = self._evidence(r, "extra_evidence", reply.evidence if reply else [], v)
        proposed = reply.inputs.get("proposed") if reply else None
        if not isinstance(proposed, Decimal):
            proposed = None
        if shown:
            v["unit"] = s(code)
            v["item"] = s(shared.clean_code)
            v["title"] = s(shared.clean_title)
        remark = []
        if u.submission.status == "errors" or u.submission.errors:
            remark.append(f"Tệp của đơn vị còn {vi_number(u.submission.errors)} lỗi (xem kết quả kiểm tra).")
        if detail is None:
            remark.append("Tệp không có dòng tiêu chí này.")
        v["remark"] = s(" ".join(remark))
        if self_score is not None:
            v["self"] = float(self_score)
        if previous is not None:
            v["previous"] = v["score"] = float(previous)
        if proposed is not None:
            v["proposed"] = float(proposed)
        self._emit(r, height, (False, self_score is None, previous is None, proposed is None, shown, ev_link,
                               extra_link), v)

    def _evidence(self, r: int, key: str, entries: list[str], v: dict) -> bool:
        """The evidence cell's text index into ``v[key]``, one entry a line as ``Entry.display()`` shows it
        (each stored entry parsed again: «QĐ số 120/QĐ-UBND ngày 05/03/2025 — mục II, trang 3»); True when
        the cell links to the one http(s) link cited (left out, as XlsxWriter leaves it, past Excel's limits)."""
        if not entries:
            v[key] = self._string("")
            return False
        text, link = _evidence_cell(tuple(entries))
        if link is not None:
            url = _url(link)
            if url is not None and len(self.links) < _LINKS_MAX:
                self.links.append((f"{self._wb_cols[key]}{r + 1}", url))
                v[key] = self._string(text or link)
                return True
        v[key] = self._string(text[:32_767])
        return False

    def _shape(self, shape: tuple) -> str:
        """The XML template of a row of ``shape`` (``_MISSING``, or (False, self blank, previous blank,
        proposed blank, shown, evidence linked, extra evidence linked)): fields {r} (row), {ht} (height
        attributes) and one per column key holding a value; the formats' style indices given in column order."""
        fm = self._fm
        if shape == _MISSING:
            cells = {k: ("b", fm.grey) for k in _BLANK_WHEN_MISSING}
            cells.update(unit=("s", fm.grey), unit_name=("s", fm.grey), item=("s", fm.grey), title=("s", fm.grey),
                         max=("n", fm.grey_num), remark=("s", fm.grey))
        else:
            _, self_blank, previous_blank, proposed_blank, shown, ev_link, extra_link = shape
            text, num = fm.text, fm.num
            text_fmt, num_fmt, link_fmt = (fm.shown, fm.shown_num, fm.shown_link) if shown else (text, num, fm.link)
            cells = {"unit": ("s", fm.shown if shown else fm.code), "unit_name": ("s", text),
                     "item": ("s", fm.shown if shown else fm.code), "title": ("s", fm.shown if shown else text),
                     "max": ("n", num), "inputs": ("s", text), "self": ("b" if self_blank else "n", num),
                     "evidence": ("s", fm.link if ev_link else fm.text), "explanation": ("s", text),
                     "previous": ("b" if previous_blank else "n", num),
                     "score": ("b" if previous_blank else "n", fm.score), "note": ("b", fm.note),
                     "flag": ("b", fm.note), "prev_note": ("s", text_fmt), "reply": ("s", text_fmt),
                     "extra_evidence": ("s", link_fmt if extra_link else text_fmt),
                     "proposed": ("b" if proposed_blank else "n", num_fmt), "remark": ("s", text)}
        parts = [f'<row r="{{r}}" spans="{self._spans}"{{ht}}>']
        for key in self._order:
            kind, fmt = cells[key]
            ref, style = f"{self._wb_cols[key]}{{r}}", self._style(fmt)
            if kind == "s":
                parts.append(f'<c r="{ref}" s="{style}" t="s"><v>{{{key}}}</v></c>')
            elif kind == "n":
                parts.append(f'<c r="{ref}" s="{style}"><v>{{{key}:.16G}}</v></c>')
            else:
                parts.append(f'<c r="{ref}" s="{style}"/>')
        parts.append("</row>")
        template = self._templates[shape] = "".join(parts)
        return template

    def _emit(self, r: int, height: float, shape: tuple, v: dict) -> None:
        template = self._templates.get(shape) or self._shape(shape)
        attrs = self._heights.get(height)
        if attrs is None:
            px = int(height * 4.0 / 3.0 + 0.5)  # as XlsxWriter's set_row
            attrs = self._heights[height] = "" if px == _DEFAULT_ROW_PX else \
                f' ht="{px * 0.75:.16g}" customHeight="1"'
        v["r"], v["ht"] = r + 1, attrs
        self._parts.append(template.format_map(v))
        self._last_row = r

    def close(self) -> None:
        """Count the rows' texts into the shared-string table (before the other sheets add theirs)."""
        self._str_table.count += self._count
        self._str_table.unique_count = len(self._table)
        self._count = 0

    def package(self, xlsx: bytes, sheet: str) -> bytes:
        """The workbook XlsxWriter wrote (``xlsx``) with the rows, their hyperlinks and the links'
        relationships put into its part ``sheet``."""
        with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
            parts = {info.filename: z.read(info) for info in z.infolist()}
        xml = parts.pop(sheet).decode("utf-8")
        rels = _SHEET_RELS.format(sheet.rsplit("/", 1)[1])
        if not self._parts:
            return xlsx
        if rels in parts:  # never: XlsxWriter gives the sheet no relationship of its own
            raise RuntimeError(f"Lỗi nội bộ của parxl: trang tính thẩm định đã có quan hệ {rels}.")
        end = f"{xl_col_to_name(self._last_col)}{self._last_row + 1}"
        xml = re.sub(r'<dimension ref="([A-Z]+[0-9]+)(:[A-Z]+[0-9]+)?"/>',
                     lambda m: f'<dimension ref="{m.group(1)}:{end}"/>', xml, count=1)
        at = xml.index("</sheetData>")
        xml = xml[:at] + "".join(self._parts) + xml[at:]
        own = []
        links, links_rels = hyperlinks_xml(self.links)
        if links_rels is not None:
            at = min(i for i in (xml.find("<printOptions"), xml.find("<pageMargins"), xml.find("</worksheet>"))
                     if i >= 0)
            xml = xml[:at] + links + xml[at:]
            own.append((rels, links_rels))
        return Package(parts).assemble([(sheet, xml.encode("utf-8")), *own])


def _clean(text: str) -> str:
    """``clean_text``, at once for an empty text (most explanations and opinions are)."""
    return clean_text(text) if text else ""


@lru_cache(maxsize=4096)
def _evidence_cell(entries: tuple[str, ...]) -> tuple[str, str | None]:
    """The evidence cell's text and its one http(s) link (None unless exactly one, short enough, is cited)."""
    parsed = [parse_entry(e) for e in entries if e and e.strip()]
    text = "\n".join(clean_text(e.display()) for e in parsed)
    links = list(dict.fromkeys(u for e in parsed for u in e.links if u.lower().startswith(("https://", "http://"))))
    if len(links) == 1 and len(links[0]) < 2000 and len(text) < 32_000:
        return text, links[0]
    return text, None
