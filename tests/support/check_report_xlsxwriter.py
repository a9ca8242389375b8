"""The check outputs as XlsxWriter built them before issue 18's third session (frozen copy of
``findings_workbook`` and ``feedback_workbook``): the oracle the fast writer (``parxl.ledger.sheet_xml``)
is compared with, cell by cell, as openpyxl reads both."""
from __future__ import annotations

import io
from pathlib import PurePosixPath

import xlsxwriter

from parxl.campaign.folder import Campaign
from parxl.core.findings import FINDING_TYPES, SEVERITY_TITLES, Finding
from parxl.core.numbers import vi_number
from parxl.ledger.check_report import UnitLine, stale_unreadable
from parxl.ledger.check_report_xlsx import (EXPLANATION_SHEET, FEEDBACK_EXPLANATION_SHEET, INTERNAL_SHEET,
                                            INTERNAL_TITLE, MISSING_TITLE, RETURNED_TITLE, STATUS_TITLES,
                                            ExplanationLine)
from parxl.ledger.check_report_xlsx import _link  # the link text both render (escaped by parxl since this session)
from parxl.ledger.inbox import InboxFile
from parxl.ledger.receive import IntakeResult
from parxl.workbook.styles import TEXT




class CheckReportFormats:
    """The XlsxWriter cell formats of the check report workbook (Times New Roman), made once per workbook."""

    def __init__(self, wb):
        base = TEXT
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.text = wb.add_format({**base, "text_wrap": True, "border": 1})
        self.plain = wb.add_format(base)
        self.head = wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        self.num = wb.add_format({**base, "border": 1, "num_format": "#,##0.00"})
        self.link = wb.add_format({**base, "border": 1, "font_color": "#0563C1", "underline": 1, "text_wrap": True})
        self.sev = {"error": wb.add_format({**base, "border": 1, "bg_color": "#F8CBAD"}),
                    "warning": wb.add_format({**base, "border": 1, "bg_color": "#FFE699"}),
                    "info": wb.add_format({**base, "border": 1, "bg_color": "#DDEBF7"})}


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
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    f = CheckReportFormats(wb)
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
    wb.close()
    return out.getvalue()


def _explanation_sheet(wb, f: CheckReportFormats, explanations: list[ExplanationLine]) -> None:
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


def _internal_sheet(wb, f: CheckReportFormats, campaign: Campaign, result: IntakeResult) -> None:
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
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    f = CheckReportFormats(wb)
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
    wb.close()
    return out.getvalue()


def _feedback_explanations(wb, f: CheckReportFormats, campaign: Campaign, code: str, name: str,
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
