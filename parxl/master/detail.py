"""«Chi tiết»: one row per unit × item, with an autofilter — the table pivot tables are built from."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from .names import FIRST_ROW, H_CODE, H_NAME, HEADING_ROW
from .styles import Formats, number
from .view import View

KIND_TITLES = {"bonus": "Điểm thưởng", "penalty": "Điểm trừ"}
COLUMNS = (
    (f"{H_CODE} đơn vị", 9), (H_NAME, 26), ("Loại", 9), ("Lĩnh vực", 9), ("Mã tiêu chí", 9),
    ("Tiêu chí thành phần", 50), ("Phần điểm", 14), ("Điểm tối đa", 8), ("Điểm tự chấm", 8),
    ("Điểm thẩm định", 8), ("Điểm cuối cùng", 8), ("Số tài liệu kiểm chứng", 9), ("Số lỗi, vấn đề phát hiện", 9),
)


def write_detail(ws: Worksheet, fmt: Formats, view: View) -> None:
    results = view.results
    fw = results.framework
    units = [u for u in results.ranked + results.unranked if u.status != "missing"]
    last_col = len(COLUMNS) - 1
    ws.merge_range(0, 0, 0, last_col, "ĐIỂM CHI TIẾT THEO TIÊU CHÍ THÀNH PHẦN", fmt.title)
    ws.merge_range(1, 0, 1, last_col, view.subheading, fmt.subtitle)
    ws.merge_range(2, 0, 2, last_col, "Dùng bộ lọc ở dòng tiêu đề, hoặc Insert › PivotTable để lập bảng tổng hợp riêng.",
                   fmt.note)
    ws.set_row(HEADING_ROW, 45)
    for col, (header, width) in enumerate(COLUMNS):
        ws.set_column(col, col, width)
        ws.write_string(HEADING_ROW, col, header, fmt.header)
    part_titles = {p: fw.part_title(p) for p in ("appraised", "survey")}
    items = fw.items
    r = FIRST_ROW
    for u in units:
        code, name, kind = u.unit.code, u.unit.name, u.unit.kind
        for item in items:
            res = u.items[item.code]
            ws.write_string(r, 0, code)
            ws.write_string(r, 1, name)
            ws.write_string(r, 2, kind)
            ws.write_string(r, 3, item.field_code or "")
            ws.write_string(r, 4, item.code)
            ws.write_string(r, 5, item.title)
            ws.write_string(r, 6, KIND_TITLES.get(item.kind) or part_titles.get(item.part or "", ""))
            ws.write_number(r, 7, number(item.max))
            ws.write(r, 8, number(res.self_score))
            ws.write(r, 9, number(res.appraised))
            ws.write_number(r, 10, number(res.final))
            ws.write_number(r, 11, res.evidence_count)
            ws.write_number(r, 12, res.findings)
            r += 1
    ws.autofilter(HEADING_ROW, 0, max(HEADING_ROW, r - 1), last_col)
    ws.freeze_panes(FIRST_ROW, 0)
