"""The workbooks ``parxl check`` writes into ``output/`` (XlsxWriter, atomic writes).

- ``output/ket-qua-kiem-tra.xlsx``: a summary sheet (one row per unit and per
  unreadable file: a unit whose file arrived but did not read is «bị trả lại /
  không đọc được» with the reason, or «parxl lỗi khi đọc», never «chưa gửi»), a
  findings sheet (one row per finding, with a link to the file received,
  autofilter, frozen heading) and, when parxl failed on some file, a sheet «Lỗi
  của parxl» listing those files as parxl's own errors, not the units';
- ``output/phan-hoi/<Mã - Tên> - phản hồi.xlsx``: per unit, the errors and
  notes to send back to that unit (warnings are for the appraisers and stay
  out of it).
Existing outputs are replaced only by complete new files (temp file, then
rename); nothing in ``inbox/`` is touched. The cells are rendered straight into
a package XlsxWriter built once (``sheet_xml``): what a reader sees is what
XlsxWriter would write.
"""
from __future__ import annotations

import hashlib
import os
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
import json
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

from ..campaign.folder import Campaign
from ..core.files import safe_file_stem, spread_subfolders, write_atomic, write_in_turn, writing
from ..core.findings import FINDING_TYPES, SEVERITY_TITLES, Finding
from ..core.numbers import vi_number
from ..core.progress import Progress
from ..core.workers import FORK, Forked
from .check_report import UnitLine, stale_unreadable
from .inbox import InboxFile
from .receive import IntakeResult
from . import sheet_xml
from .sheet_xml import Book, formats

FINDINGS_FILE = "ket-qua-kiem-tra.xlsx"
FEEDBACK_DIR = "phan-hoi"
STATUS_TITLES = {"ok": "Đạt yêu cầu", "errors": "Có lỗi, cần gửi lại", "unreadable": "Không đọc được"}
RETURNED_TITLE = "Bị trả lại / không đọc được"
INTERNAL_TITLE = "parxl lỗi khi đọc (không phải lỗi của đơn vị)"
MISSING_TITLE = "Chưa gửi"
INTERNAL_SHEET = "Lỗi của parxl"
EXPLANATION_SHEET = "Phiếu giải trình"
FEEDBACK_EXPLANATION_SHEET = "Giải trình"
EXPLANATION_STATES = {"ok": "hợp lệ", "errors": "còn lỗi", "not-recorded": "không ghi nhận"}


@dataclass(frozen=True)
class ExplanationLine:
    """One giải trình workbook received, as plain data for the check outputs: ``path`` as received, the unit
    it is of (``unit_code``/``unit_name``, None when unknown), ``state`` (a key of ``EXPLANATION_STATES``:
    ``ok``, ``errors``, ``not-recorded``), ``items`` (how many criteria it explains), its ``findings`` and
    ``sender``, the unit whose feedback lists it (the unit its folder or name points at, else ``unit_code``)."""

    path: str
    unit_code: str | None
    unit_name: str | None
    state: str
    items: int
    findings: tuple[Finding, ...] = ()
    sender: str | None = None

    @property
    def state_title(self) -> str:
        """The Vietnamese state: «hợp lệ», «còn lỗi» or «không ghi nhận»."""
        return EXPLANATION_STATES[self.state]


@lru_cache(maxsize=4096)  # the same received file is linked once per finding
def _link(path: str) -> str:
    """A relative link from output/ to the received file (a zip member links to its zip).

    The path is percent-escaped here as XlsxWriter escapes a link (``Url._escape_url``), and «#» too:
    XlsxWriter would take what follows a «#» for a place inside the file, and leaves a path that already
    holds a «%XX» unescaped (a file named «KM01 #1.xlsx» or «KM01 %20.xlsx» got a link to another file)."""
    outer = path.split("!/", 1)[0]
    return "external:" + str(PurePosixPath("..", outer)).replace("/", "\\").translate(_URL_ESCAPES)


_URL_ESCAPES = str.maketrans({"%": "%25", '"': "%22", " ": "%20", "<": "%3c", ">": "%3e", "[": "%5b", "]": "%5d",
                              "^": "%5e", "`": "%60", "{": "%7b", "}": "%7d", "#": "%23"})


def _unit_of(rec) -> str:
    return rec.report.named_unit or "" if rec.report else ""


def _first_error(rec: InboxFile) -> str:
    errors = [x for x in rec.report.findings if x.severity == "error"] if rec.report else []
    return FINDING_TYPES[errors[0].code].title if errors and errors[0].code in FINDING_TYPES else ""


def findings_workbook(campaign: Campaign, result: IntakeResult, lines: list[UnitLine],
                      explanations: list[ExplanationLine] | None = None) -> bytes:
    """``output/ket-qua-kiem-tra.xlsx`` as bytes: sheets «Tổng hợp», «Các lỗi» (with the findings of the
    giải trình workbooks ``explanations``), «Phiếu giải trình» when some came, and, when parxl failed on
    some file (``result.internal``), «Lỗi của parxl»."""
    wb = Book()
    f = formats()
    summary = wb.add_worksheet("Tổng hợp")
    summary.write_string(0, 0, f"KẾT QUẢ KIỂM TRA TỆP TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {campaign.year}", f.title)
    heads = ("Mã", "Đơn vị", "Tệp", "Tình trạng", "Điểm tự chấm", "Lỗi", "Cảnh báo", "Ghi chú")
    widths = (9, 30, 45, 22, 13, 8, 10, 45)
    for c, (h, w) in enumerate(zip(heads, widths)):
        summary.write_string(2, c, h, f.head)
        summary.set_column(c, c, w)
    r = 3
    names = {u.code: u.name for u in campaign.units}
    for line in lines:
        s = line.submission
        summary.write_string(r, 0, s.unit_code, f.text)
        summary.write_string(r, 1, s.unit_name, f.text)
        summary.write_url(r, 2, _link(s.original_path), f.link, string=s.original_path)
        summary.write_string(r, 3, STATUS_TITLES[s.status], f.text)
        summary.write_number(r, 4, float(s.total_self or 0), f.num)
        summary.write_number(r, 5, s.errors, f.text)
        summary.write_number(r, 6, s.warnings, f.text)
        r += 1
    shown: set[tuple[str, str]] = set()  # (unit, path) of the rows written for unreadable files
    for rec in stale_unreadable(result):
        code = _unit_of(rec)
        summary.write_string(r, 0, code, f.text)
        summary.write_string(r, 1, names.get(code, "(không rõ)"), f.text)
        summary.write_url(r, 2, _link(rec.path), f.link, string=rec.path)
        summary.write_string(r, 3, RETURNED_TITLE if code else STATUS_TITLES["unreadable"], f.text)
        summary.write_blank(r, 4, None, f.num)
        summary.write_number(r, 5, rec.report.errors if rec.report else 0, f.text)
        summary.write_number(r, 6, rec.report.warnings if rec.report else 0, f.text)
        note = _first_error(rec) + ("; nhận theo tên tệp" if code and not rec.report.unit_code else "")  # type: ignore[union-attr]
        summary.write_string(r, 7, note.lstrip("; "), f.text)
        shown.add((code, rec.path))
        r += 1
    for ret in result.returned:
        if (ret.unit_code, ret.path) in shown:
            continue
        summary.write_string(r, 0, ret.unit_code, f.text)
        summary.write_string(r, 1, names.get(ret.unit_code, ""), f.text)
        summary.write_url(r, 2, _link(ret.path), f.link, string=ret.path)
        summary.write_string(r, 3, RETURNED_TITLE if ret.state == "unreadable" else INTERNAL_TITLE, f.text)
        summary.write_blank(r, 4, None, f.num)
        summary.write_blank(r, 5, None, f.text)
        summary.write_blank(r, 6, None, f.text)
        summary.write_string(r, 7, "; ".join(t for t in (ret.reason, ret.how_matched) if t), f.text)
        r += 1
    for code in result.missing:
        summary.write_string(r, 0, code, f.text)
        summary.write_string(r, 1, names.get(code, ""), f.text)
        summary.write_string(r, 2, "", f.text)
        summary.write_string(r, 3, MISSING_TITLE, f.text)
        r += 1
    summary.autofilter(2, 0, max(r - 1, 2), len(heads) - 1)
    summary.freeze_panes(3, 0)

    ws = wb.add_worksheet("Các lỗi")
    heads = ("Mã", "Đơn vị", "Mức độ", "Mã lỗi", "Trang", "Ô", "Tiêu chí", "Nội dung", "Tệp")
    widths = (9, 26, 11, 24, 14, 7, 9, 90, 40)
    for c, (h, w) in enumerate(zip(heads, widths)):
        ws.write_string(0, c, h, f.head)
        ws.set_column(c, c, w)
    rows: list[tuple[str, str, Finding, str]] = []
    for line in lines:
        s = line.submission
        rows += [(s.unit_code, s.unit_name, x, s.original_path) for x in line.findings]
    for rec in stale_unreadable(result):
        code = _unit_of(rec)
        rows += [(code, names.get(code, ""), x, rec.path) for x in rec.report.findings]  # type: ignore[union-attr]
    for e in explanations or []:
        rows += [(e.unit_code or "", e.unit_name or "(không rõ)", x, e.path) for x in e.findings]
    for i, (code, name, x, path) in enumerate(rows, start=1):
        ws.write_string(i, 0, code, f.text)
        ws.write_string(i, 1, name, f.text)
        ws.write_string(i, 2, SEVERITY_TITLES[x.severity], f.sev[x.severity])
        ws.write_string(i, 3, x.code, f.text)
        ws.write_string(i, 4, x.sheet or "", f.text)
        ws.write_string(i, 5, x.cell or "", f.text)
        ws.write_string(i, 6, x.item or "", f.text)
        ws.write_string(i, 7, x.message, f.text)
        ws.write_url(i, 8, _link(path), f.link, string=path)
    ws.autofilter(0, 0, max(len(rows), 1), len(heads) - 1)
    ws.freeze_panes(1, 0)
    if explanations:
        _explanation_sheet(wb, f, explanations)
    if result.internal:
        _internal_sheet(wb, f, campaign, result)
    return wb.close()


def _explanation_sheet(wb: Book, f: SimpleNamespace, explanations: list[ExplanationLine]) -> None:
    """«Phiếu giải trình»: one line per giải trình workbook received, with its state and its findings' count."""
    ws = wb.add_worksheet(EXPLANATION_SHEET)
    ws.write_string(0, 0, f"PHIẾU GIẢI TRÌNH NHẬN ĐƯỢC ({vi_number(len(explanations))})", f.title)
    heads = ("Mã", "Đơn vị", "Tệp", "Tình trạng", "Tiêu chí giải trình", "Lỗi", "Cảnh báo")
    widths = (9, 30, 45, 18, 12, 8, 10)
    for c, (h, w) in enumerate(zip(heads, widths)):
        ws.write_string(2, c, h, f.head)
        ws.set_column(c, c, w)
    for r, e in enumerate(explanations, start=3):
        ws.write_string(r, 0, e.unit_code or "", f.text)
        ws.write_string(r, 1, e.unit_name or "(không rõ)", f.text)
        ws.write_url(r, 2, _link(e.path), f.link, string=e.path)
        ws.write_string(r, 3, e.state_title, f.text)
        ws.write_number(r, 4, e.items, f.text)
        ws.write_number(r, 5, sum(1 for x in e.findings if x.severity == "error"), f.text)
        ws.write_number(r, 6, sum(1 for x in e.findings if x.severity == "warning"), f.text)
    ws.autofilter(2, 0, 2 + len(explanations), len(heads) - 1)
    ws.freeze_panes(3, 0)


def _internal_sheet(wb: Book, f: SimpleNamespace, campaign: Campaign, result: IntakeResult) -> None:
    """«Lỗi của parxl»: the files parxl itself failed on; kept, and no unit has to resend them."""
    ws = wb.add_worksheet(INTERNAL_SHEET)
    ws.write_string(0, 0, "CÁC TỆP PARXL GẶP LỖI KHI ĐỌC (lỗi của chương trình, không phải lỗi của đơn vị; tệp "
                          "đã được lưu, đơn vị không cần gửi lại; gửi tệp nhật ký lỗi cho nhóm phát triển)", f.title)
    heads = ("Mã", "Đơn vị", "Tệp", "Nội dung", "Nhật ký lỗi")
    widths = (9, 26, 45, 80, 45)
    for c, (h, w) in enumerate(zip(heads, widths)):
        ws.write_string(2, c, h, f.head)
        ws.set_column(c, c, w)
    names = {u.code: u.name for u in campaign.units}
    for r, rec in enumerate(result.internal, start=3):
        report = rec.report
        code = (report.unit_code or report.named_unit or "") if report else ""
        ws.write_string(r, 0, code, f.text)
        ws.write_string(r, 1, names.get(code, "(không rõ)") if code else "(không rõ)", f.text)
        ws.write_url(r, 2, _link(rec.path), f.link, string=rec.path)
        ws.write_string(r, 3, getattr(report, "message", "") or INTERNAL_TITLE, f.text)
        ws.write_string(r, 4, getattr(report, "log", None) or "", f.text)
    ws.freeze_panes(3, 0)


def feedback_workbook(campaign: Campaign, code: str, name: str, path: str, received_at: str, status: str,
                      total: str | None, findings: list[Finding],
                      explanations: tuple[ExplanationLine, ...] = ()) -> bytes:
    """The sheet a clerk sends back to one unit: what to fix (errors) and what was tolerated (notes); with
    ``explanations`` (the unit's giải trình workbooks), a sheet «Giải trình» with their states and findings."""
    wb = Book()
    f = formats()
    ws = wb.add_worksheet("Phản hồi")
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 11)
    ws.set_column(2, 3, 9)
    ws.set_column(4, 4, 95)
    lines = [
        (f"PHẢN HỒI KẾT QUẢ KIỂM TRA TỆP TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {campaign.year}", f.title),
        (f"Đơn vị: {name} (mã {code})", f.plain),
        (f"Tệp đã nhận: {PurePosixPath(path.split('!/')[-1]).name}, lúc {received_at[:16].replace('T', ' ')} (UTC)", f.plain),
        (f"Kết quả: {STATUS_TITLES.get(status, status)}"
         + (f"; tổng điểm tự chấm theo số liệu đã nhập: {total}" if total else ""), f.plain),
    ]
    for r, (text, fmt) in enumerate(lines):
        ws.write_string(r, 0, text, fmt)
    shown = [x for x in findings if x.severity != "warning"]
    r = len(lines) + 1
    if not shown:
        ws.write_string(r, 0, "Tệp không có lỗi cần sửa. Cảm ơn đơn vị.", f.plain)
    else:
        if any(x.severity == "error" for x in shown):
            ws.write_string(r, 0, "Đề nghị đơn vị sửa các lỗi dưới đây trên chính tệp đã gửi rồi gửi lại.", f.plain)
            r += 1
        for c, h in enumerate(("STT", "Mức độ", "Ô", "Tiêu chí", "Nội dung cần sửa")):
            ws.write_string(r, c, h, f.head)
        for i, x in enumerate(shown, start=1):
            ws.write_number(r + i, 0, i, f.text)
            ws.write_string(r + i, 1, SEVERITY_TITLES[x.severity], f.sev[x.severity])
            ws.write_string(r + i, 2, x.cell or "", f.text)
            ws.write_string(r + i, 3, x.item or "", f.text)
            ws.write_string(r + i, 4, x.message, f.text)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    if explanations:
        _feedback_explanations(wb, f, campaign, code, name, explanations)
    return wb.close()


def _feedback_explanations(wb: Book, f: SimpleNamespace, campaign: Campaign, code: str, name: str,
                           explanations: tuple[ExplanationLine, ...]) -> None:
    """«Giải trình» of a unit's feedback: per giải trình workbook, its state, then every finding on it."""
    ws = wb.add_worksheet(FEEDBACK_EXPLANATION_SHEET)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 11)
    ws.set_column(2, 3, 9)
    ws.set_column(4, 4, 95)
    ws.write_string(0, 0, f"PHẢN HỒI KẾT QUẢ KIỂM TRA PHIẾU GIẢI TRÌNH CHỈ SỐ CCHC NĂM {campaign.year}", f.title)
    ws.write_string(1, 0, f"Đơn vị: {name} (mã {code})", f.plain)
    r = 3
    for e in explanations:
        ws.write_string(r, 0, f"Phiếu giải trình: {PurePosixPath(e.path.split('!/')[-1]).name}; "
                              f"{vi_number(e.items)} tiêu chí giải trình; kết quả: {e.state_title}", f.plain)
        r += 1
        if not e.findings:
            ws.write_string(r, 0, "Phiếu không có lỗi cần sửa. Cảm ơn đơn vị.", f.plain)
            r += 2
            continue
        if any(x.severity == "error" for x in e.findings):
            ws.write_string(r, 0, "Đề nghị đơn vị sửa các lỗi dưới đây trên chính phiếu giải trình rồi gửi lại.",
                            f.plain)
            r += 1
        for c, h in enumerate(("STT", "Mức độ", "Ô", "Tiêu chí", "Nội dung")):
            ws.write_string(r, c, h, f.head)
        for i, x in enumerate(e.findings, start=1):
            ws.write_number(r + i, 0, i, f.text)
            ws.write_string(r + i, 1, SEVERITY_TITLES[x.severity], f.sev[x.severity])
            ws.write_string(r + i, 2, x.cell or "", f.text)
            ws.write_string(r + i, 3, x.item or "", f.text)
            ws.write_string(r + i, 4, x.message, f.text)
        r += len(e.findings) + 2
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def feedback_name(code: str, name: str) -> str:
    """«CODE - Name - phản hồi.xlsx», the stem made safe by ``core.files.safe_file_stem``."""
    return f"{safe_file_stem(f'{code} - {name}')} - phản hồi.xlsx"


def write_outputs(campaign: Campaign, result: IntakeResult, lines: list[UnitLine],
                  progress: Progress | None = None, explanations: list[ExplanationLine] | None = None) -> list[Path]:
    """Write the findings workbook and one feedback workbook per unit that sent something.

    ``explanations`` (the giải trình workbooks received, as plain data) go into the findings workbook and
    into the feedback workbook of the unit that sent each (``ExplanationLine.sender``), when that unit has one.

    A workbook (the findings workbook or a feedback workbook) whose content cannot have changed since
    this command wrote it (same inputs, the file as it was left: size and modification time, noted in
    ``.parxl/feedback-written.json``) is not built again. ``progress`` is told each unit's feedback.
    With ``FORK_FROM`` findings and units or more, and the findings workbook to build, a forked process
    (Linux) builds it, then builds and writes feedback workbooks taken from the end while this one takes
    them from the front, until they meet (``_Ends``: both end together); the findings workbook is written
    last, here. A file the child could not write is written again here (the error is this process's, as
    in one process); Ctrl+C stops the child between two files. Raises ``OutputWriteError`` when a file
    cannot be written (``core.files``).
    """
    out = campaign.output_dir
    written = _Written(campaign)
    summary, summary_digest = out / FINDINGS_FILE, written.digest(_findings_inputs(campaign, result, lines, explanations))
    build_summary = not written.unchanged(summary, summary_digest)
    fork = build_summary and sum(len(line.findings) for line in lines) + len(lines) >= FORK_FROM
    if build_summary and not fork:
        write_atomic(summary, findings_workbook(campaign, result, lines, explanations))
        written.note(summary, summary_digest)
    names = {u.code: u.name for u in campaign.units}
    by_unit: dict[str, tuple[ExplanationLine, ...]] = {}
    for e in explanations or []:
        if e.sender and e.sender in names:
            by_unit[e.sender] = (*by_unit.get(e.sender, ()), e)
    done: set[str] = set()
    jobs: list[tuple[Path, tuple]] = []  # (feedback file, feedback_workbook's arguments)
    folder = out / FEEDBACK_DIR
    if not folder.is_dir():  # a new folder of thousands of files: placed apart on ext4 (best effort; an error
        try:                 # making it is met, naming the file, at the first feedback file)
            out.mkdir(parents=True, exist_ok=True)
            spread_subfolders(out)
        except OSError:
            pass
    for line in lines:
        s = line.submission
        total = vi_number(s.total_self, campaign.framework.decimals) if s.total_self is not None else None
        jobs.append((folder / feedback_name(s.unit_code, s.unit_name),
                     (campaign, s.unit_code, s.unit_name, s.original_path, s.received_at, s.status, total,
                      line.findings, by_unit.get(s.unit_code, ()))))
        done.add(s.unit_code)
    for rec in stale_unreadable(result):
        code = _unit_of(rec)
        if not code or code in done or rec.report is None:
            continue
        jobs.append((folder / feedback_name(code, names.get(code, code)),
                     (campaign, code, names.get(code, code), rec.path, rec.received_at, "unreadable", None,
                      rec.report.findings, by_unit.get(code, ()))))
        done.add(code)
    ends = _Ends(len(jobs), shared=fork)
    pending: Forked[tuple] | None = None
    if fork:
        _warm_skeletons(jobs)  # the child's feedback shares this process's packages (their clock too)
        parent = os.getpid()
        pending = Forked(lambda: (findings_workbook(campaign, result, lines, explanations),
                                  _feedback_from_the_end(jobs, written, ends, parent)))
    try:
        _write_feedback(jobs, ends, pending, written, progress)
        data = pending.result()[0] if pending is not None else None
    finally:  # on an error or Ctrl+C: a child still building is stopped, never in the middle of a write
        if pending is not None:
            held = ends.halt()
            try:
                pending.close()
            finally:
                ends.resume(held)
    if pending is not None:
        write_atomic(summary, data)
        written.note(summary, summary_digest)
    written.save()
    return [summary, *(path for path, _ in jobs)]


FORK_FROM = 5000  # findings + units from which a forked process builds the findings workbook and some feedback (Linux)
HALT_WAIT = 10  # seconds to wait for the child's write in progress before it is stopped


def _findings_inputs(campaign: Campaign, result: IntakeResult, lines: list[UnitLine],
                     explanations: list[ExplanationLine] | None) -> tuple:
    """Everything ``findings_workbook`` writes, as plain data (what its digest is made of)."""
    def report(rec: InboxFile) -> tuple:
        r = rec.report
        return (rec.path, None if r is None else (r.status, r.unit_code, r.named_unit, r.findings,
                                                   getattr(r, "message", None), getattr(r, "log", None)))
    return ([(u.code, u.name) for u in campaign.units],
            [(s.unit_code, s.unit_name, s.original_path, s.status, s.total_self, s.errors, s.warnings, line.findings)
             for line in lines for s in (line.submission,)],
            [report(rec) for rec in stale_unreadable(result)], result.returned, result.missing, explanations,
            [report(rec) for rec in result.internal])


class _Ends:
    """Which feedback workbooks are taken: this process takes them from the front, a forked child from the
    end, until they meet (both end together whatever each one costs). Shared with the child (``shared``:
    memory and locks made before the fork) or plain (no child). ``writing``: a lock the child holds while it
    writes a file, so that it is never stopped in the middle of one."""

    def __init__(self, total: int, shared: bool):
        if shared and FORK:
            import multiprocessing
            context = multiprocessing.get_context("fork")
            self._state = context.RawArray("q", [0, total, 0])  # front, end, stopped
            self._lock, self.writing = context.Lock(), context.Lock()
        else:
            self._state = [0, total, 0]
            self._lock = self.writing = nullcontext()
        self._total = total

    def front(self) -> int | None:
        """The next workbook's index from the front (this process), None when the two ends met."""
        with self._lock:
            state = self._state
            if state[0] >= state[1]:
                return None
            state[0] += 1
            return state[0] - 1

    def back(self) -> int | None:
        """The next workbook's index from the end (the child), None when the two ends met or on ``stop()``."""
        with self._lock:
            state = self._state
            if state[0] >= state[1] or state[2]:
                return None
            state[1] -= 1
            return state[1]

    def taken(self) -> int:
        """How many were taken from either end."""
        with self._lock:
            return self._state[0] + len(self) - self._state[1]

    def end(self) -> int:
        """The first index taken from the end (the length when none was)."""
        with self._lock:
            return self._state[1]

    def stop(self) -> None:
        """The child takes no more."""
        with self._lock:
            self._state[2] = 1

    def __len__(self) -> int:
        return self._total

    def halt(self) -> bool:
        """Stop the child taking more and wait (up to ``HALT_WAIT`` s, in case it died holding it) until it
        is not writing: it may then be killed (``resume`` after). Returns whether the lock was taken."""
        self.stop()
        if isinstance(self.writing, nullcontext):
            return False
        return self.writing.acquire(timeout=HALT_WAIT)

    def resume(self, held: bool) -> None:
        """Release what ``halt`` took."""
        if held:
            self.writing.release()


def _warm_skeletons(jobs: list[tuple[Path, tuple]]) -> None:
    """Build here one feedback workbook of each shape among ``jobs`` (with and without «Giải trình»), so that a
    forked child builds the rest from this process's packages (``sheet_xml``'s cache: the same clock)."""
    shapes: set[bool] = set()
    for _, args in jobs:
        if bool(args[8]) not in shapes:
            shapes.add(bool(args[8]))
            feedback_workbook(*args)


def _write_job(job: tuple[Path, tuple], written: _Written) -> tuple[str, list[int]] | None:
    """Build and write one feedback workbook ((path, arguments)) unless unchanged: (inputs digest,
    [size, mtime_ns] as written), or None when unchanged. Raises ``OutputWriteError``."""
    path, args = job
    digest = written.digest(args[1:])
    if written.unchanged(path, digest):
        return None
    data = feedback_workbook(*args)
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    st = write_in_turn(path, data)
    return digest, [st.st_size, st.st_mtime_ns]


def _feedback_from_the_end(jobs: list[tuple[Path, tuple]], written: _Written, ends: _Ends,
                           parent: int) -> list[tuple[int, str, list[int]]]:
    """In the forked child: build and write feedback workbooks taken from the end of ``jobs`` until the ends
    meet; [(index, digest, [size, mtime_ns])] of those written. Run again in this process (``parent``, when
    the child failed or none was forked): the workbooks the child took, written here in order (what fails
    raises here)."""
    done = []
    if os.getpid() == parent:
        for i in range(ends.end(), len(jobs)):
            wrote = _write_job(jobs[i], written)
            if wrote is not None:
                done.append((i, *wrote))
        return done
    while True:
        with ends.writing:
            i = ends.back()
            if i is None:
                return done
            wrote = _write_job(jobs[i], written)
        if wrote is not None:
            done.append((i, *wrote))


def _write_feedback(jobs: list[tuple[Path, tuple]], ends: _Ends, pending: Forked[tuple] | None,
                    written: _Written, progress: Progress | None) -> None:
    """Build and write the feedback workbooks of ``jobs`` ((path, arguments)) taken from the front of ``ends``
    (all of them without a child), then note those ``pending`` wrote from the end: each written file noted in
    ``written`` and counted in ``progress`` (the unchanged ones are counted, not written again). Raises
    ``OutputWriteError`` at the first file that cannot be written (the files before it written)."""
    total = len(jobs)
    reported = 0
    while (i := ends.front()) is not None:
        wrote = _write_job(jobs[i], written)
        if wrote is not None:
            written.note(jobs[i][0], *wrote)
            if progress:
                reported = ends.taken()
                progress(reported, total, jobs[i][0].name)
    if pending is not None:
        ends.resume(ends.halt())  # the child writes no more: a Ctrl+C while waiting for it cuts no write
        for i, digest, stat in pending.result()[1]:
            written.note(jobs[i][0], digest, stat)
    if progress and total and reported != total:
        progress(total, total, "")


WRITTEN_FILE = "feedback-written.json"


class _Written:
    """What the feedback workbooks were written from: file -> [inputs digest, size, mtime_ns] (a cache)."""

    def __init__(self, campaign: Campaign):
        self.path = path = campaign.state_dir / WRITTEN_FILE
        try:
            self.entries = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(self.entries, dict):
                self.entries = {}
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False
        self.code = hashlib.sha256(Path(__file__).read_bytes() + Path(sheet_xml.__file__).read_bytes()
                                   + campaign.config.model_dump_json().encode()
                                   + campaign.framework.fingerprint.encode()).hexdigest()

    def digest(self, args) -> str:
        """sha256 (hex) of what a feedback workbook is built from (with this module's code and the campaign)."""
        return hashlib.sha256((self.code + repr(args)).encode()).hexdigest()

    def unchanged(self, path: Path, digest: str) -> bool:
        """Whether ``path`` is the file written from ``digest``, untouched since (size, modification time)."""
        entry = self.entries.get(str(path))
        if not entry or entry[0] != digest:
            return False
        try:
            st = path.stat()
        except OSError:
            return False
        return [st.st_size, st.st_mtime_ns] == entry[1:]

    def note(self, path: Path, digest: str, stat: list[int] | None = None) -> None:
        """Remember that ``path`` was just written from ``digest``; ``stat``: its [size, mtime_ns] when known.
        Raises OSError when it is gone."""
        if stat is None:
            st = path.stat()
            stat = [st.st_size, st.st_mtime_ns]
        self.entries[str(path)] = [digest, *stat]
        self.changed = True

    def save(self) -> None:
        """Write the record (atomically) when it changed; a failure only costs a rewrite next time."""
        if self.changed:
            try:
                write_atomic(self.path, json.dumps(self.entries, ensure_ascii=False).encode("utf-8"))
            except OSError:
                pass  # only a cache: the next run writes the feedback again
