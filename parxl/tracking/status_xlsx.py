"""The status workbook ``output/tien-do.xlsx`` (XlsxWriter, written atomically): sheets «Đơn vị» (per unit:
received, on time or days late, state, its explanation of every appraisal round), «Thẩm định» (per appraisal round and workbook: office, returned) and
«Nhiệm vụ» (per task of the schedule: deadline, done, overdue)."""
from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

from ..appraisal.layout import round_number
from ..campaign.folder import Campaign
from ..core.files import write_atomic
from ..workbook.styles import cell_format, text_format
from .status import STATE_TITLES, CampaignStatus, local_day

STATUS_FILE = "tien-do.xlsx"


def _day(d) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _when(utc_text: str | None) -> str:
    if not utc_text:
        return ""
    from datetime import datetime

    when = datetime.fromisoformat(utc_text.replace("Z", "+00:00")).astimezone()
    return f"{when:%H:%M} {local_day(utc_text):%d/%m/%Y}"


def _yes(value: bool | None) -> str:
    return "" if value is None else ("Có" if value else "Không")


EXPLANATION_TO_FIX = "Đã nhận, còn lỗi — cần gửi lại"  # a giải trình workbook whose latest version has errors


def _explanation(u, status: CampaignStatus) -> str:
    """«Đã nhận lúc …», «Đã nhận, còn lỗi — cần gửi lại», «Chưa nhận (hạn …)» or «Chưa nhận, quá hạn» for a unit
    asked to explain; "" otherwise.
    With several appraisal rounds recorded, one line per round that asked it or whose giải trình it sent
    («Lần 1: Đã nhận lúc …»; an earlier round it never answered: «Không gửi»)."""
    if len(status.appraisal_rounds) > 1:
        latest = status.appraisal_rounds[-1]
        return "\n".join(f"Lần {round_number(e.round)}: "
                         + (_one(e.state, e.received_at, status) if e.round == latest or e.state != "requested"
                            else "Không gửi") for e in u.explanations)
    return _one(u.explanation, u.explanation_received_at, status)


def _one(state: str, received_at: str | None, status: CampaignStatus) -> str:
    if state == "received":
        return f"Đã nhận lúc {_when(received_at)}"
    if state == "must-fix":
        return EXPLANATION_TO_FIX
    if state != "requested":
        return ""
    by = status.explanation_deadline
    if by is None:
        return "Chưa nhận"
    return "Chưa nhận, quá hạn" if status.today > by else f"Chưa nhận (hạn {_day(by)})"


def status_workbook(campaign: Campaign, status: CampaignStatus) -> bytes:
    """``output/tien-do.xlsx`` as bytes (see the module doc); texts in Vietnamese, days as dd/mm/yyyy text."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    title, head, cell = (wb.add_format(text_format(bold=True, font_size=14)),
                         wb.add_format(cell_format(bold=True, align="center", bg_color="#D9E1F2")),
                         wb.add_format(cell_format()))

    def sheet(name: str, heading: str, heads: tuple[str, ...], widths: tuple[int, ...], rows: list[list]) -> None:
        ws = wb.add_worksheet(name)
        ws.write_string(0, 0, heading, title)
        for c, (h, w) in enumerate(zip(heads, widths)):
            ws.write_string(2, c, h, head)
            ws.set_column(c, c, w)
        for r, row in enumerate(rows, start=3):
            for c, value in enumerate(row):
                if isinstance(value, int) and not isinstance(value, bool):
                    ws.write_number(r, c, value, cell)
                else:
                    ws.write_string(r, c, "" if value is None else str(value), cell)
        ws.autofilter(2, 0, max(2 + len(rows), 2), len(heads) - 1)
        ws.freeze_panes(3, 0)

    deadline = f" (hạn {_day(status.deadline)})" if status.deadline else ""
    sheet("Đơn vị", f"TIẾN ĐỘ TỰ ĐÁNH GIÁ CHỈ SỐ CCHC NĂM {campaign.year}{deadline}, tính đến ngày {_day(status.today)}",
          ("Mã", "Đơn vị", "Nhận lúc", "Đúng hạn", "Số ngày chậm", "Tình trạng", "Giải trình", "Ghi chú"),
          (9, 30, 18, 10, 13, 34, 30, 40),
          [[u.code, u.name, _when(u.received_at), _yes(u.on_time), u.days_late if u.days_late is not None else "",
            STATE_TITLES[u.state], _explanation(u, status),
            ("Thời gian nhận do văn thư ghi" + (f": {u.note}" if u.note else "")) if u.corrected
            else ""] for u in status.units])
    sheet("Thẩm định", "BIỂU MẪU THẨM ĐỊNH ĐÃ GỬI VỀ", ("Vòng", "Lĩnh vực", "Cơ quan thẩm định", "Đã gửi về"),
          (16, 50, 30, 11),
          [[a.round, (f"{a.group}. {a.title}" if a.group[:1].isdigit() else a.title) + (f" ({a.block})" if a.block else ""),
            a.office, _yes(a.returned)]
           for a in status.appraisals])
    sheet("Nhiệm vụ", "TIẾN ĐỘ THEO KẾ HOẠCH", ("STT", "Nhiệm vụ", "Thời gian", "Cơ quan chủ trì", "Đã xong", "Quá hạn"),
          (7, 60, 20, 28, 9, 9),
          [[t.no, t.task, t.due_text, t.lead, _yes(t.done) if t.due or t.stage else "",
            _yes(t.overdue) if t.due else ""] for t in status.tasks])
    wb.close()
    return out.getvalue()


def write_status_workbook(campaign: Campaign, status: CampaignStatus) -> Path:
    """Write ``output/tien-do.xlsx`` atomically (replacing an earlier one) and return its path; raises
    ``OutputWriteError`` when it cannot be written (Excel holding it open)."""
    path = campaign.output_dir / STATUS_FILE
    write_atomic(path, status_workbook(campaign, status))
    return path
