"""«Thống kê»: average, minimum, maximum, units per band, field averages, and charts."""
from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..results.summary import mean_index, share_percent
from .fields import FIRST_FIELD_COL
from .formulas import cell, countif_criterion, quote_sheet
from .names import SHEET_FIELDS, SHEET_RANKING, SHEET_STATS
from .ranking import RankingLayout
from .styles import MasterFormats, number
from .view import View

NAMED_BARS = 60  # up to this many units, the index chart names every bar


def write_stats(wb: Workbook, ws: Worksheet, fmt: MasterFormats, view: View, ranking: RankingLayout,
                fields_avg_row: int, sheets: tuple[str, str, str] = (SHEET_RANKING, SHEET_FIELDS, SHEET_STATS)) -> None:
    """The «Thống kê» sheet: counts, highest, lowest and mean index (as formulas with their values),
    units per band, field averages, and charts.

    ``sheets``: the names of the ranking, field and statistics sheets the formulas and charts refer to
    (a master of several blocks has one of each per block).
    """
    SHEET_RANKING, SHEET_FIELDS, SHEET_STATS = sheets  # noqa: N806
    results = view.results
    ranked = results.ranked
    indexes = [u.index for u in ranked if u.index is not None]
    idx = ranking.range("index", SHEET_RANKING)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 3, 12)
    ws.merge_range(0, 0, 0, 3, "THỐNG KÊ KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH", fmt.title)
    ws.merge_range(1, 0, 1, 3, view.subheading, fmt.subtitle)

    ws.write_row(3, 0, ["Chỉ tiêu", "Giá trị"], fmt.header)
    after = write_index_summary(ws, fmt, 4, len(results.units), indexes, idx)
    ranked_count_ref = cell(5, 1, absolute=True)

    # Units per band
    top = after + 1
    ws.write_row(top, 0, ["Xếp loại", "Khoảng chỉ số", "Số đơn vị", "Tỷ lệ (%)"], fmt.header)
    counts = results.band_counts()
    band_range = ranking.range("band", SHEET_RANKING)
    for k, band in enumerate(results.bands):
        r = top + 1 + k
        n = counts.get(band.label, 0)
        ws.write_string(r, 0, band.label, fmt.band_cell(k, len(results.bands)))
        ws.write_string(r, 1, band.interval.describe(results.framework.band_unit), fmt.cell)
        ws.write_formula(r, 2, f"=COUNTIF({band_range},{countif_criterion(band.label)})", fmt.integer, n)
        share = number(share_percent(n, len(indexes)))
        ws.write_formula(r, 3, f'=IF({ranked_count_ref}=0,"",ROUND({cell(r, 2)}*100/{ranked_count_ref},2))',
                         fmt.index_plain, share)
    band_first, band_last = top + 1, top + len(results.bands)

    # Field averages (from the field sheet's averages row)
    ftop = band_last + 2
    ws.write_row(ftop, 0, ["Lĩnh vực", "Tên lĩnh vực", "Chỉ số bình quân (%)"], fmt.header)
    for k, f in enumerate(view.fields):
        r = ftop + 1 + k
        ws.write_string(r, 0, f"Lĩnh vực {f.code}", fmt.cell)
        ws.write_string(r, 1, f.title, fmt.wrap)
        source = f"{quote_sheet(SHEET_FIELDS)}!{cell(fields_avg_row, FIRST_FIELD_COL + k)}"
        ws.write_formula(r, 2, f"={source}", fmt.index_plain,
                         number(mean_index([u.field_index[f.code] for u in ranked])))
    field_first, field_last = ftop + 1, ftop + len(view.fields)

    _charts(wb, ws, ranking, (band_first, band_last), (field_first, field_last), len(ranked), sheets)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def _charts(wb: Workbook, ws: Worksheet, ranking: RankingLayout, bands: tuple[int, int],
            fields: tuple[int, int], ranked: int,
            sheets: tuple[str, str, str] = (SHEET_RANKING, SHEET_FIELDS, SHEET_STATS)) -> None:
    SHEET_RANKING, _, stats = sheets  # noqa: N806
    band_chart = wb.add_chart({"type": "column"})
    band_chart.add_series({"name": "Số đơn vị", "categories": [stats, bands[0], 0, bands[1], 0],
                           "values": [stats, bands[0], 2, bands[1], 2], "data_labels": {"value": True}})
    band_chart.set_title({"name": "Số đơn vị theo xếp loại"})
    band_chart.set_legend({"none": True})
    ws.insert_chart(3, 5, band_chart, {"x_scale": 1.1, "y_scale": 1.0})

    field_chart = wb.add_chart({"type": "bar"})
    field_chart.add_series({"name": "Chỉ số bình quân (%)", "categories": [stats, fields[0], 0, fields[1], 0],
                            "values": [stats, fields[0], 2, fields[1], 2], "data_labels": {"value": True}})
    field_chart.set_title({"name": "Chỉ số bình quân theo lĩnh vực (%)"})
    field_chart.set_legend({"none": True})
    field_chart.set_x_axis({"min": 0, "max": 100})
    field_chart.set_y_axis({"reverse": True})
    ws.insert_chart(fields[1] + 2, 0, field_chart, {"x_scale": 1.6, "y_scale": 1.2})

    if ranked:
        first, last = ranking.first_row, ranking.last_row
        unit_chart = wb.add_chart({"type": "column"})
        unit_chart.add_series({
            "name": "Chỉ số CCHC (%)",
            "categories": [SHEET_RANKING, first, ranking.cols["name"], last, ranking.cols["name"]],
            "values": [SHEET_RANKING, first, ranking.cols["index"], last, ranking.cols["index"]],
            "gap": 50,
        })
        unit_chart.set_title({"name": "Chỉ số CCHC theo đơn vị (%)"})
        unit_chart.set_legend({"none": True})
        unit_chart.set_y_axis({"min": 0, "max": 100})
        if ranked > NAMED_BARS:  # too many names to read: the chart shows the spread, names are on the ranking
            unit_chart.set_x_axis({"label_position": "none", "major_tick_mark": "none"})
        width = max(1.5, min(3.0, ranked * 0.05))
        ws.insert_chart(19, 5, unit_chart, {"x_scale": width, "y_scale": 1.4})


def write_index_summary(ws: Worksheet, fmt: MasterFormats, first: int, unit_count: int, indexes: list,
                        idx: str, counted: str = "Số đơn vị được xếp hạng") -> int:
    """The five summary rows from row ``first`` (0-based): units listed, ``counted`` (COUNT of the index range
    ``idx``), mean, highest and lowest index, as formulas over ``idx`` with parxl's figures cached (``indexes``:
    the same indexes, %). Returns the row after the last."""
    guard = f'IF(COUNT({idx})=0,""'
    rows = [
        ("Số đơn vị trong danh sách", None, unit_count),
        (counted, f"=COUNT({idx})", len(indexes)),
        ("Chỉ số bình quân (%)", f"={guard},ROUND(AVERAGE({idx}),2))", mean_index(indexes)),
        ("Chỉ số cao nhất (%)", f"={guard},MAX({idx}))", max(indexes, default=None)),
        ("Chỉ số thấp nhất (%)", f"={guard},MIN({idx}))", min(indexes, default=None)),
    ]
    for k, (label, formula, value) in enumerate(rows):
        r = first + k
        ws.write_string(r, 0, label, fmt.cell)
        target = fmt.integer if k < 2 else fmt.index_plain
        if formula is None:
            ws.write_number(r, 1, number(value), target)
        else:
            ws.write_formula(r, 1, formula, target, number(value))
    return first + len(rows)
