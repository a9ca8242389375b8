"""«Chi tiết»: one row per unit × item, with an autofilter — the table pivot tables are built from.

XlsxWriter writes the sheet's headings; the rows themselves (a few hundred
thousand for a province) are spliced in afterwards by ``fastrows``.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from ..results.compute import NO_FILE_READ
from .fastrows import RowWriter
from .names import FIRST_ROW, H_CODE, H_NAME, HEADING_ROW
from .styles import MasterFormats
from .view import View

KIND_TITLES = {"bonus": "Điểm thưởng", "penalty": "Điểm trừ"}
COLUMNS = (
    (f"{H_CODE} đơn vị", 9), (H_NAME, 26), ("Loại", 9), ("Lĩnh vực", 9), ("Mã tiêu chí", 9),
    ("Tiêu chí thành phần", 50), ("Phần điểm", 14), ("Điểm tối đa", 8), ("Điểm tự chấm", 8),
    ("Điểm thẩm định", 8), ("Điểm cuối cùng", 8), ("Số tài liệu kiểm chứng", 9), ("Số lỗi, vấn đề phát hiện", 9),
    ("Tiêu chí", 9), ("Chỉ số tiêu chí (%)", 9), ("Không phát sinh", 9),
)


def criterion_of(fw) -> dict[str, str]:
    """Item code → the code of its criterion (tiêu chí: the node right under the field; the item itself when
    it sits there); bonus and penalty items have none."""
    out: dict[str, str] = {}
    current = ""
    for row in fw.rows:
        if row.depth == 1:
            current = row.node.code
        if not row.node.items and row.depth >= 1:
            out[row.node.code] = current
    return out


@dataclass
class DetailRows:
    """The rows still to be written into the detail sheet."""

    sheet_index: int
    rows: Iterator[str]
    last_row: int  # 0-based
    last_col: int


def detail_size(view: View) -> tuple[int, int]:
    """(last row, last column) of the «Chi tiết» sheet, 0-based: the headings' row when no unit has rows."""
    units = [u for u in view.results.ranked + view.results.unranked if u.status not in NO_FILE_READ]
    last_row = FIRST_ROW + sum(sum(1 for i in u.items.values() if i.applies) for u in units) - 1
    return max(HEADING_ROW, last_row), len(COLUMNS) - 1


def write_detail(ws: Worksheet, fmt: MasterFormats, view: View) -> DetailRows:
    """Write the «Chi tiết» sheet's title, headings, autofilter and frozen panes into ``ws``, and return
    its rows (one per unit × item, units without a file read left out) for ``fastrows.append_rows``
    to splice in once XlsxWriter has closed the file.
    """
    last_row, last_col = detail_size(view)
    ws.merge_range(0, 0, 0, last_col, "ĐIỂM CHI TIẾT THEO TIÊU CHÍ THÀNH PHẦN", fmt.title)
    ws.merge_range(1, 0, 1, last_col, view.subheading, fmt.subtitle)
    ws.merge_range(2, 0, 2, last_col, "Dùng bộ lọc ở dòng tiêu đề, hoặc Insert › PivotTable để lập bảng tổng hợp riêng.",
                   fmt.note)
    ws.set_row(HEADING_ROW, 45)
    for col, (header, width) in enumerate(COLUMNS):
        ws.set_column(col, col, width)
        ws.write_string(HEADING_ROW, col, header, fmt.header)
    ws.autofilter(HEADING_ROW, 0, last_row, last_col)
    ws.freeze_panes(FIRST_ROW, 0)
    return DetailRows(ws.index, detail_rows(view), last_row, last_col)


def detail_rows(view: View) -> Iterator[str]:
    """The «Chi tiết» sheet's rows as XML (``fastrows.RowWriter``), one per unit × item that applies to the
    unit, units without a file read left out, from row ``FIRST_ROW`` + 1 (1-based) on. Reads only ``view``."""
    results = view.results
    fw = results.framework
    units = [u for u in results.ranked + results.unranked if u.status not in NO_FILE_READ]
    writer = RowWriter(len(COLUMNS))
    part_titles = {p: fw.part_title(p) for p in ("appraised", "survey")}
    fixed = [(item.code, writer.cells(3, (item.field_code or "", item.code, item.title,
                                          KIND_TITLES.get(item.kind) or part_titles.get(item.part or "", ""),
                                          item.max)))
             for item in fw.items]
    criterion = criterion_of(fw)
    # The same figures recur across units (and a unit's criterion cells across its items): each
    # combination's cell XML is made once.
    scores_xml: dict[tuple, str] = {}
    sub_xml: dict[tuple, str] = {}
    n = FIRST_ROW + 1  # 1-based
    for u in units:
        unit = writer.cells(0, (u.unit.code, u.unit.name, u.unit.kind))
        items = u.items
        for code, about in fixed:
            res = items[code]
            if not res.applies:
                continue  # not for the unit's type: absent from its workbook
            key = (res.self_score, res.appraised, res.final, res.evidence_count, res.findings)
            scores = scores_xml.get(key)
            if scores is None:
                scores = scores_xml[key] = writer.cells(8, key)
            crit = criterion.get(code, "")
            key = (crit, u.criterion_index(crit) if crit else None, "x" if res.not_applicable else None)
            sub = sub_xml.get(key)
            if sub is None:
                sub = sub_xml[key] = writer.cells(13, key)
            yield writer.row(n, unit + about + scores + sub)
            n += 1
