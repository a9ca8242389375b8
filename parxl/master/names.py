"""Sheet names and the headers other code finds columns by (the previous-year reader, tests)."""
from __future__ import annotations

SHEET_RANKING = "Xếp hạng"
SHEET_FIELDS = "Theo lĩnh vực"
SHEET_DETAIL = "Chi tiết"
SHEET_STATS = "Thống kê"
SHEET_MISSING = "Chưa nộp, bị trả lại"
SHEET_SOURCES = "Nguồn dữ liệu"

HEADING_ROW = 3  # 0-based row of the column headings on the ranking, field and detail sheets
FIRST_ROW = HEADING_ROW + 1

H_CODE = "Mã"
H_NAME = "Đơn vị"
H_TOTAL = "Tổng điểm"
H_INDEX = "Chỉ số (%)"
H_RANK = "Xếp hạng"
H_BAND = "Xếp loại"
