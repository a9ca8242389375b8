"""«Chưa nộp, bị trả lại»: units that sent nothing, whose file did not read or still has errors, and how
they were treated.

A unit whose file arrived is never «chưa nộp»: a file that cannot be read or
identified is «bị trả lại, không đọc được» (with the file and the reason, and «nhận
theo tên tệp» when it was matched by its name), and a file parxl itself failed on
is «parxl lỗi khi đọc tệp», parxl's error and not the unit's.
"""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ..results.compute import Results, UnitResult
from .names import H_CODE, H_NAME
from .styles import MasterFormats
from .view import View

POLICY_TITLES = {
    "exclude": "không xếp hạng đơn vị có tệp còn lỗi",
    "score_readable": "vẫn xếp hạng đơn vị có tệp còn lỗi, chấm trên phần đọc được",
}


# What happened to each unit left out, by status, in the order the sheet groups them.
GROUP_TITLES = {
    "missing": "Chưa gửi",
    "unreadable": "Bị trả lại / không đọc được",
    "internal": "parxl lỗi khi đọc (không phải lỗi của đơn vị)",
    "rejected": "Bị trả lại: tệp còn lỗi",
    "ranked": "Xếp hạng trên phần đọc được",
}


def situation(u: UnitResult) -> tuple[str, str]:
    """(what happened, how it was treated) in Vietnamese, for a unit of any status."""
    if u.status == "missing":
        return "Chưa nộp tệp tự đánh giá", "Không xếp hạng"
    if u.status == "unreadable":
        how = " (nhận theo tên tệp)" if u.by_name else ""
        return f"Bị trả lại, tệp không đọc được{how}: {u.reason}", "Không xếp hạng; đơn vị gửi lại tệp đọc được"
    if u.status == "internal":
        return ("parxl lỗi khi đọc tệp (lỗi của chương trình, không phải của đơn vị)"
                + (" (nhận theo tên tệp)" if u.by_name else ""),
                "Tạm chưa xếp hạng; đơn vị không cần gửi lại, báo nhóm phát triển parxl")
    if u.status == "rejected":
        return f"Bị trả lại: tệp còn {u.error_count} lỗi", "Không xếp hạng"
    return f"Tệp còn {u.error_count} lỗi", "Xếp hạng trên phần đọc được"


def left_out(results: Results) -> list[UnitResult]:
    """Units that sent nothing, whose file did not read, or whose file still has errors (ranked or not,
    by the missing policy), in units-list order."""
    return [u for u in results.units if u.status not in ("ranked", "evaluated") or (u.status == "ranked" and u.error_count > 0)]


def left_out_by_state(results: Results) -> dict[str, list[UnitResult]]:
    """``left_out`` grouped by status, keys in ``GROUP_TITLES`` order (empty groups omitted):
    ``missing`` (sent nothing), ``unreadable``, ``internal``, ``rejected``, ``ranked`` (ranked with errors)."""
    out: dict[str, list[UnitResult]] = {}
    units = left_out(results)
    for status in GROUP_TITLES:
        group = [u for u in units if u.status == status]
        if group:
            out[status] = group
    return out


def write_missing(ws: Worksheet, fmt: MasterFormats, view: View) -> None:
    """Fill the «Chưa nộp, bị trả lại» sheet: one row per unit of ``left_out``, grouped by ``GROUP_TITLES``
    (column «Nhóm»), with the file last received and when."""
    policy = view.results.campaign.config.missing_policy
    headers = [("STT", 5), (H_CODE, 9), (H_NAME, 28), ("Loại", 9), ("Nhóm", 22), ("Tình trạng", 34),
               ("Cách xử lý", 28), ("Tệp gần nhất", 40), ("Thời điểm nhận", 20)]
    ws.merge_range(0, 0, 0, len(headers) - 1, "ĐƠN VỊ CHƯA NỘP HOẶC CÓ TỆP BỊ TRẢ LẠI", fmt.title)
    ws.merge_range(1, 0, 1, len(headers) - 1, view.subheading, fmt.subtitle)
    ws.write_string(2, 0, f"Cách xử lý đơn vị còn lỗi theo cấu hình đợt đánh giá (missing_policy = {policy}): "
                    f"{POLICY_TITLES[policy]}.", fmt.note)
    for col, (header, width) in enumerate(headers):
        ws.set_column(col, col, width)
        ws.write_string(3, col, header, fmt.header)
    rows = [u for group in left_out_by_state(view.results).values() for u in group]
    for n, u in enumerate(rows):
        r = 4 + n
        what, treatment = situation(u)
        ws.write_number(r, 0, n + 1, fmt.integer)
        for col, text in enumerate((u.unit.code, u.unit.name, u.unit.kind, GROUP_TITLES[u.status], what, treatment,
                                    u.source.path if u.source else "",
                                    u.source.received_at if u.source else ""), start=1):
            ws.write_string(r, col, text, fmt.wrap)
    if not rows:
        ws.write_string(4, 0, "Tất cả đơn vị đã nộp tệp hợp lệ.", fmt.note)
    ws.freeze_panes(4, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(3)
    ws.fit_to_pages(1, 0)
