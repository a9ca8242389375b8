"""The ranking sheet («Xếp hạng»): one row per ranked unit, sorted by rank, ready to print.

Sums, the index, the rank and the classification are formulas with parxl's
figures as cached values, so a clerk who corrects a figure sees the rest follow.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..core.numbers import quantize, vi_number
from ..results.compute import UnitResult
from .formulas import band_formula, cell, column_range, index_formula, sum_formula, total_formula
from .names import FIRST_ROW, H_BAND, H_CODE, H_INDEX, H_NAME, H_RANK, H_TOTAL, HEADING_ROW
from .previous import PreviousEntry
from .styles import FONT, MasterFormats, number
from .view import View


@dataclass
class RankingLayout:
    """Where the ranking sheet put things, for the sheets that refer to it."""

    first_row: int
    last_row: int  # last ranked row (== first_row - 1 when nobody is ranked)
    cols: dict[str, int] = field(default_factory=dict)

    def range(self, key: str, sheet: str | None = None) -> str:
        """The A1 range of column ``key`` over the ranked rows (on ``sheet`` when given)."""
        return column_range(self.first_row, self.last_row, self.cols[key], sheet)


def _columns(view: View, with_previous: bool) -> list[tuple[str, str, float]]:
    """(key, header, width) in sheet order."""
    results = view.results
    fw = results.framework
    cols: list[tuple[str, str, float]] = [("stt", "STT", 5), ("code", H_CODE, 9), ("name", H_NAME, 28),
                                          ("kind", "Loại", 9)]
    for f in view.fields:
        cols.append((f"field:{f.code}", f"{f.code}. {f.title}\n(tối đa {vi_number(f.max)})", 12))
    appraised_title = "Điểm thẩm định" if results.has_appraisal else "Điểm phần thẩm định (theo tự chấm)"
    cols += [("self", "Điểm tự chấm", 10),
             ("appraised", f"{appraised_title}\n(tối đa {vi_number(fw.part_max('appraised'))})", 11)]
    if view.survey_held:
        cols.append(("survey", f"Điểm điều tra XHH\n(tối đa {vi_number(fw.part_max('survey'))})", 11))
    cols += [("bonus", "Điểm thưởng", 9), ("penalty", "Điểm trừ", 9)]
    if view.per_unit_max:
        cols.append(("max", "Điểm tối đa tính chỉ số (trừ tiêu chí không phát sinh)", 11))
    cols += [("total", f"{H_TOTAL}\n(tối đa {vi_number(view.max_points)})", 10),
             ("index", H_INDEX, 9), ("rank", H_RANK, 8), ("band", H_BAND, 12)]
    if with_previous:
        cols += [("prev_rank", "Xếp hạng năm trước", 9), ("rank_change", "Tăng (+) / giảm (−) bậc", 9),
                 ("prev_index", "Chỉ số năm trước (%)", 9), ("index_change", "Chỉ số tăng (+) / giảm (−)", 9)]
    cols.append(("note", "Ghi chú", 22))
    return cols


def write_ranking(ws: Worksheet, fmt: MasterFormats, view: View,
                  previous: Mapping[str, PreviousEntry] | None) -> RankingLayout:
    """The «Xếp hạng» sheet: one row a unit, ranked first, with formulas for rank and band; returns
    where its columns and rows are, for the statistics sheet.
    """
    results = view.results
    columns = _columns(view, previous is not None)
    layout = RankingLayout(FIRST_ROW, FIRST_ROW + len(results.ranked) - 1,
                           {key: i for i, (key, _, _) in enumerate(columns)})
    last_col = len(columns) - 1

    ws.merge_range(0, 0, 0, last_col, view.heading, fmt.title)
    ws.merge_range(1, 0, 1, last_col, view.subheading, fmt.subtitle)
    ws.merge_range(2, 0, 2, last_col, view.survey_note, fmt.note)
    ws.set_row(HEADING_ROW, 96)
    for i, (_, header, width) in enumerate(columns):
        ws.set_column(i, i, width)
        ws.write_string(HEADING_ROW, i, header, fmt.header)

    for n, u in enumerate(results.ranked):
        _write_unit(ws, fmt, view, layout, FIRST_ROW + n, n + 1, u, previous)

    foot = layout.last_row + 2
    evaluated = results.evaluated
    if evaluated:  # listed apart: index and band, no rank
        ws.merge_range(foot, 0, foot, last_col, f"ĐƠN VỊ ĐƯỢC ĐÁNH GIÁ, KHÔNG XẾP HẠNG ({len(evaluated)} đơn vị)",
                       fmt.subtitle)
        for n, u in enumerate(evaluated):
            _write_unit(ws, fmt, view, layout, foot + 1 + n, n + 1, u, previous)
        foot += len(evaluated) + 2
    _foot(ws, fmt, view, layout, foot, last_col)
    return layout


def _write_unit(ws: Worksheet, fmt: MasterFormats, view: View, layout: RankingLayout, r: int, stt: int,
                u: UnitResult, previous: Mapping[str, PreviousEntry] | None) -> None:
    """One unit's row at ``r``: its figures, the total, index and band as formulas; the rank formula only
    for a ranked unit."""
    results = view.results
    c = layout.cols
    d = results.framework.decimals
    part_cols = ["appraised"] + (["survey"] if view.survey_held else [])
    ref = lambda key: cell(r, c[key])  # noqa: E731
    ws.write_number(r, c["stt"], stt, fmt.integer)
    ws.write_string(r, c["code"], u.unit.code, fmt.cell)
    ws.write_string(r, c["name"], u.unit.name, fmt.cell)
    ws.write_string(r, c["kind"], u.unit.kind, fmt.cell)
    for f in view.fields:
        ws.write_number(r, c[f"field:{f.code}"], number(u.field_points[f.code]), fmt.points)
    ws.write(r, c["self"], number(u.self_total), fmt.points)
    for part in part_cols:
        value = u.appraised_total if part == "appraised" else u.survey_points
        sources = view.part_fields.get(part)
        if sources is None:  # a field mixes parts: the part total is parxl's figure
            ws.write_number(r, c[part], number(value), fmt.points)
        else:
            refs = [ref(f"field:{code}") for code in sources]
            ws.write_formula(r, c[part], sum_formula(refs, d), fmt.points, number(value))
    ws.write_number(r, c["bonus"], number(u.bonus), fmt.points)
    ws.write_number(r, c["penalty"], number(u.penalty), fmt.points)
    top = view.max_points
    if view.per_unit_max:
        ws.write_number(r, c["max"], number(u.max_points), fmt.points)
        top = ref("max")
    ws.write_formula(r, c["total"], total_formula([ref(p) for p in part_cols], ref("bonus"), ref("penalty"),
                                                  top, d), fmt.points_bold, number(u.total))
    ws.write_formula(r, c["index"], index_formula(ref("total"), top), fmt.index, number(u.index))
    if u.rank is not None:
        ws.write_formula(r, c["rank"], _rank_formula(view, layout, r), fmt.integer, u.rank)
    else:
        ws.write_string(r, c["rank"], "", fmt.integer)
    on_points = results.campaign.framework.model.bands_on == "points"
    ws.write_formula(r, c["band"], band_formula(ref("total" if on_points else "index"), results.bands), fmt.center,
                     u.band or "")
    if previous is not None:
        _write_previous(ws, fmt, c, r, u, previous.get(u.unit.code))
    ws.write_string(r, c["note"], u.note, fmt.wrap)


def _foot(ws: Worksheet, fmt: MasterFormats, view: View, layout: RankingLayout, foot: int, last_col: int) -> None:
    """The notes under the table, the band colours, frozen panes and printing."""
    results = view.results
    c = layout.cols
    unranked = results.unranked
    if unranked:
        ws.write_string(foot, 0, f"Không xếp hạng {len(unranked)} đơn vị (xem trang «Chưa nộp, bị trả lại»).", fmt.note)
        foot += 1
    over = ("điểm tối đa tính chỉ số của đơn vị (tổng điểm tối đa trừ các tiêu chí không phát sinh)"
            if view.per_unit_max else vi_number(view.max_points))
    ws.write_string(foot, 0, "Tổng điểm = các phần điểm + điểm thưởng − điểm trừ; Chỉ số (%) = Tổng điểm ÷ "
                    f"{over} × 100, làm tròn 2 chữ số thập phân.", fmt.note)

    _colour_bands(ws, fmt, view, layout, last_col)
    ws.freeze_panes(FIRST_ROW, c["name"] + 1)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(HEADING_ROW)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer(f'&C&"{FONT}"Trang &P/&N')


def tie_keys(view: View) -> list[str]:
    """The ranking sheet's columns a rank is decided by: the index, then ``tie_break``'s (``results.rank_key``)."""
    cfg = view.results.campaign.config
    return ["index"] + [k for k in cfg.tie_break if k == "appraised" or cfg.survey_held]


def _rank_formula(view: View, layout: RankingLayout, r: int) -> str:
    keys = tie_keys(view)
    here = {k: cell(r, layout.cols[k]) for k in keys}
    if view.results.campaign.config.tie_rule == "competition":
        if len(keys) == 1:
            return f"=RANK({here['index']},{layout.range('index')},0)"
        # 1 + the units ahead: a higher index, or an equal one and a higher first tie-break figure, …
        terms = []
        for j, k in enumerate(keys):
            equal = "".join(f"({layout.range(m)}={here[m]})*" for m in keys[:j])
            terms.append(f"{equal}({layout.range(k)}>{here[k]})")
        return f"=1+SUMPRODUCT({'+'.join(terms)})"
    # dense: rows are sorted by index (then the tie-break figures), so a new value starts the next rank
    if r == layout.first_row:
        return "=1"
    rank_above = cell(r - 1, layout.cols["rank"])
    same = ",".join(f"{here[k]}={cell(r - 1, layout.cols[k])}" for k in keys)
    return f"=IF(AND({same}),{rank_above},{rank_above}+1)"


def _write_previous(ws: Worksheet, fmt: MasterFormats, c: dict[str, int], r: int, u: UnitResult,
                    prev: PreviousEntry | None) -> None:
    prev_rank = prev.rank if prev else None
    prev_index = prev.index if prev else None
    ws.write(r, c["prev_rank"], "" if prev_rank is None else prev_rank, fmt.integer)
    ws.write(r, c["prev_index"], number(prev_index), fmt.index_plain)
    pr, rk = cell(r, c["prev_rank"]), cell(r, c["rank"])
    rank_change = "" if prev_rank is None or u.rank is None else prev_rank - u.rank
    ws.write_formula(r, c["rank_change"], f'=IF({pr}="","",{pr}-{rk})', fmt.signed_rank, rank_change)
    pi, ix = cell(r, c["prev_index"]), cell(r, c["index"])
    index_change = "" if prev_index is None or u.index is None else number(quantize(u.index - prev_index, 2))
    ws.write_formula(r, c["index_change"], f'=IF({pi}="","",ROUND({ix}-{pi},2))', fmt.signed_index, index_change)


def _colour_bands(ws: Worksheet, fmt: MasterFormats, view: View, layout: RankingLayout, last_col: int) -> None:
    if layout.last_row < layout.first_row:
        return
    band_cell = xl_rowcol_to_cell(layout.first_row, layout.cols["band"], col_abs=True)  # $N5: each row its own
    bands = view.results.bands
    for position, band in enumerate(bands):
        label = band.label.replace('"', '""')
        ws.conditional_format(layout.first_row, 0, layout.last_row, last_col,
                              {"type": "formula", "criteria": f'={band_cell}="{label}"',
                               "format": fmt.band(position, len(bands))})
