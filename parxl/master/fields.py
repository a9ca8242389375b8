"""«Theo lĩnh vực»: each ranked unit's sub-index per field as a heat map, with field averages."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ..core.numbers import vi_number
from ..results.summary import mean_index
from .formulas import column_range
from .names import FIRST_ROW, H_CODE, H_NAME, HEADING_ROW
from .styles import MasterFormats, number
from .view import View

FIRST_FIELD_COL = 3


def write_fields(ws: Worksheet, fmt: MasterFormats, view: View) -> int:
    """Write the sheet; return the 0-based row of the averages."""
    ranked = view.results.ranked
    last_col = FIRST_FIELD_COL + len(view.fields) - 1
    ws.merge_range(0, 0, 0, last_col, "CHỈ SỐ THÀNH PHẦN THEO LĨNH VỰC (%)", fmt.title)
    ws.merge_range(1, 0, 1, last_col, view.subheading, fmt.subtitle)
    ws.merge_range(2, 0, 2, last_col, "Chỉ số thành phần = điểm đạt được của lĩnh vực ÷ điểm tối đa của lĩnh vực × 100.",
                   fmt.note)
    ws.set_row(HEADING_ROW, 100)
    for col, (header, width) in enumerate([("STT", 5), (H_CODE, 9), (H_NAME, 28)]):
        ws.set_column(col, col, width)
        ws.write_string(HEADING_ROW, col, header, fmt.header)
    for k, f in enumerate(view.fields):
        ws.set_column(FIRST_FIELD_COL + k, FIRST_FIELD_COL + k, 14)
        ws.write_string(HEADING_ROW, FIRST_FIELD_COL + k, f"{f.code}. {f.title}\n(tối đa {vi_number(f.max)} điểm)",
                        fmt.header)
    for n, u in enumerate(ranked):
        r = FIRST_ROW + n
        ws.write_number(r, 0, n + 1, fmt.integer)
        ws.write_string(r, 1, u.unit.code, fmt.cell)
        ws.write_string(r, 2, u.unit.name, fmt.cell)
        for k, f in enumerate(view.fields):
            ws.write_number(r, FIRST_FIELD_COL + k, number(u.field_index[f.code]), fmt.index_plain)
    last = FIRST_ROW + len(ranked) - 1
    avg_row = last + 1
    ws.merge_range(avg_row, 0, avg_row, 2, "Bình quân", fmt.total_label)
    for k, f in enumerate(view.fields):
        col = FIRST_FIELD_COL + k
        rng = column_range(FIRST_ROW, last, col)
        value = mean_index([u.field_index[f.code] for u in ranked])
        ws.write_formula(avg_row, col, f'=IF(COUNT({rng})=0,"",ROUND(AVERAGE({rng}),2))', fmt.index,
                         number(value))
    if ranked:
        ws.conditional_format(FIRST_ROW, FIRST_FIELD_COL, last, last_col,
                              {"type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84",
                               "max_color": "#63BE7B"})
    ws.freeze_panes(FIRST_ROW, FIRST_FIELD_COL)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(HEADING_ROW)
    ws.fit_to_pages(1, 0)
    return avg_row
