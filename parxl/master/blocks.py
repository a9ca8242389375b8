"""The master workbook of a campaign with several blocks: one overview sheet, then each block's own sheets.

``write_blocks_master(blocks, output_dir)`` takes each block's ``Results`` (computed on the block's view of
the campaign, so ranks never cross blocks) and writes, in one new file named as ``write_master`` names
it: «Tổng quan» (per block: units, units with an index, mean, highest and lowest index as formulas over
that block's ranking sheet, and units per band), then per block «Xếp hạng (id)», «Lĩnh vực (id)»,
«Thống kê (id)», «Chi tiết (id)», «Chưa nộp (id)», «Nguồn (id)», and «Điều tra XHH (id)» when the block
holds a survey, each written by the same function as the single-block master's sheet. A block that is not ranked (``ranked: false``) gets «Kết quả (id)» instead of
a ranking sheet: index, field sub-indices and band, no rank, and no statistics sheet of its own.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..core.files import link_new, ordinary_mode, temp_path
from ..core.progress import Progress, silent
from ..results.compute import Results, UnitResult
from . import _first_name
from .detail import DetailRows, write_detail
from .fastrows import append_rows
from .fields import write_fields
from .formulas import text_literal
from .missing import write_missing
from .previous import PreviousEntry
from .ranking import RankingLayout, write_ranking
from .sources import write_sources
from .stats import write_index_summary, write_stats
from .survey_sheet import SHEET_SURVEY, survey_sheet_wanted, write_survey_sheet
from .styles import MasterFormats, number
from .view import View, make_view

SHEET_OVERVIEW = "Tổng quan"
BLOCK_SHEETS = {"ranking": "Xếp hạng", "results": "Kết quả", "fields": "Lĩnh vực", "stats": "Thống kê",
                "detail": "Chi tiết", "missing": "Chưa nộp", "sources": "Nguồn", "survey": SHEET_SURVEY}


def block_sheet(kind: str, block_id: str) -> str:
    """The name of a block's sheet: «Xếp hạng (so)» (at most 31 characters, as Excel allows)."""
    return f"{BLOCK_SHEETS[kind]} ({block_id})"[:31]


def scored(results: Results) -> list[UnitResult]:
    """Units of a block with an index: by rank when ranked, else by index (highest first) then code."""
    if results.ranked:
        return results.ranked
    return sorted((u for u in results.units if u.status == "ranked" and u.index is not None),
                  key=lambda u: (-u.index, u.unit.code))  # type: ignore[operator]


def band_counts(results: Results) -> dict[str, int]:
    """Band label → units of ``scored`` in it, every band listed (0 included), best first."""
    counts = {b.label: 0 for b in results.bands}
    for u in scored(results):
        if u.band is not None:
            counts[u.band] = counts.get(u.band, 0) + 1
    return counts


def is_ranked(results: Results) -> bool:
    """Whether the block of ``results`` is ranked (``ranked: true``, the default)."""
    return results.campaign.blocks[0].ranked


def write_blocks_master(blocks: list[Results], output_dir: str | Path,
                        previous: Mapping[str, PreviousEntry] | None = None,
                        progress: Progress | None = None) -> Path:
    """Write the master of a campaign with several blocks (see the module doc); returns its path.

    ``blocks``: each block's results, in campaign.yaml order, all made at the same time; ``previous``
    and ``progress`` as for ``write_master`` (progress gets ``(done, blocks + 1, sheet)``). The name is
    the first free one of ``master_name``; the file appears only when complete. Raises ``OSError``
    when ``output_dir`` cannot be written; no temp file is left.
    """
    output_dir = Path(output_dir)
    step = progress or silent
    with temp_path(output_dir) as draft:
        details = _build(blocks, draft, previous, step)
        current = draft
        with temp_path(output_dir) as a, temp_path(output_dir) as b:
            spare = [a, b]
            for detail in details:
                target = spare.pop(0)
                append_rows(current, target, detail.sheet_index, detail.rows, detail.last_row, detail.last_col)
                if current != draft:
                    spare.append(current)
                current = target
            os.chmod(current, ordinary_mode())
            return link_new(current, _first_name(output_dir, blocks[0]))


def _build(blocks: list[Results], path: Path, previous: Mapping[str, PreviousEntry] | None,
           step: Progress) -> list[DetailRows]:
    views = [make_view(r) for r in blocks]
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False,
                                         "use_zip64": True})
    campaign = blocks[0].campaign
    wb.set_properties({"title": f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {campaign.year}",
                       "subject": "Chỉ số cải cách hành chính", "author": "parxl", "created": views[0].made_at})
    fmt = MasterFormats(wb)
    overview = wb.add_worksheet(SHEET_OVERVIEW)
    layouts: list[tuple[str, RankingLayout]] = []
    details: list[DetailRows] = []
    for n, view in enumerate(views):
        block = view.results.campaign.blocks[0]
        step(n, len(views) + 1, f"{block.title}")
        names = {kind: block_sheet(kind, block.id) for kind in BLOCK_SHEETS}
        if is_ranked(view.results):
            ranking_ws = wb.add_worksheet(names["ranking"])
            fields_ws = wb.add_worksheet(names["fields"])
            stats_ws = wb.add_worksheet(names["stats"])
            ranking = write_ranking(ranking_ws, fmt, view, previous)
            fields_avg_row = write_fields(fields_ws, fmt, view)
            write_stats(wb, stats_ws, fmt, view, ranking, fields_avg_row,
                        (names["ranking"], names["fields"], names["stats"]))
            layouts.append((names["ranking"], ranking))
        else:
            results_ws = wb.add_worksheet(names["results"])
            layouts.append((names["results"], _write_unranked(results_ws, fmt, view)))
        details.append(write_detail(wb.add_worksheet(names["detail"]), fmt, view))
        write_missing(wb.add_worksheet(names["missing"]), fmt, view)
        write_sources(wb.add_worksheet(names["sources"]), fmt, view)
        if survey_sheet_wanted(view):
            write_survey_sheet(wb.add_worksheet(names["survey"]), fmt, view)
    step(len(views), len(views) + 1, SHEET_OVERVIEW)
    _write_overview(overview, fmt, views, layouts)
    overview.activate()
    wb.close()
    return details


def _write_unranked(ws: Worksheet, fmt: MasterFormats, view: View) -> RankingLayout:
    """«Kết quả (id)» of a block that is not ranked: per unit its field sub-indices, total, index and band."""
    results = view.results
    units = scored(results)
    cols = ["stt", "code", "name"] + [f"field:{f.code}" for f in view.fields] + ["total", "index", "band", "note"]
    layout = RankingLayout(4, 4 + len(units) - 1, {key: i for i, key in enumerate(cols)})
    last = len(cols) - 1
    ws.merge_range(0, 0, 0, last, view.heading, fmt.title)
    ws.merge_range(1, 0, 1, last, view.subheading, fmt.subtitle)
    ws.merge_range(2, 0, 2, last, "Khối đánh giá, không xếp hạng: chỉ số, chỉ số thành phần theo lĩnh vực và xếp loại.",
                   fmt.note)
    headers = ["STT", "Mã", "Đơn vị"] + [f"Chỉ số lĩnh vực {f.code} (%)" for f in view.fields] + \
        ["Tổng điểm", "Chỉ số (%)", "Xếp loại", "Ghi chú"]
    ws.set_row(3, 60)
    for i, title in enumerate(headers):
        ws.set_column(i, i, 28 if cols[i] == "name" else 11)
        ws.write_string(3, i, title, fmt.header)
    for n, u in enumerate(units):
        r = 4 + n
        ws.write_number(r, 0, n + 1, fmt.integer)
        ws.write_string(r, 1, u.unit.code, fmt.cell)
        ws.write_string(r, 2, u.unit.name, fmt.cell)
        for k, f in enumerate(view.fields):
            ws.write_number(r, 3 + k, number(u.field_index[f.code]), fmt.index)
        ws.write_number(r, layout.cols["total"], number(u.total), fmt.points_bold)
        ws.write_number(r, layout.cols["index"], number(u.index), fmt.index)
        ws.write_string(r, layout.cols["band"], u.band or "", fmt.center)
        ws.write_string(r, layout.cols["note"], u.note, fmt.wrap)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    return layout


def _write_overview(ws: Worksheet, fmt: MasterFormats, views: list[View],
                    layouts: list[tuple[str, RankingLayout]]) -> None:
    """«Tổng quan»: one table of figures per block, formulas over the block's ranking (or results) sheet."""
    campaign = views[0].results.campaign
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 3, 14)
    ws.merge_range(0, 0, 0, 3, f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {campaign.year} – TỔNG QUAN CÁC KHỐI",
                   fmt.title)
    ws.merge_range(1, 0, 1, 3, "Mỗi khối được xếp hạng riêng theo bộ chỉ số của khối; thứ hạng không so sánh "
                   "giữa các khối.", fmt.subtitle)
    r = 3
    for view, (sheet, layout) in zip(views, layouts):
        results = view.results
        block = results.campaign.blocks[0]
        units = scored(results)
        indexes = [u.index for u in units if u.index is not None]
        idx = layout_range(layout, "index", sheet)
        band = layout_range(layout, "band", sheet)
        ws.merge_range(r, 0, r, 3, f"{block.title} (bộ chỉ số «{results.framework.id}»)"
                       + ("" if block.ranked else " – không xếp hạng"), fmt.header)
        r = write_index_summary(ws, fmt, r + 1, len(results.units), indexes, idx,
                                "Số đơn vị được xếp hạng" if block.ranked else "Số đơn vị có chỉ số")
        counts = band_counts(results)
        ws.write_row(r, 0, ["Xếp loại", "Khoảng chỉ số", "Số đơn vị"], fmt.header)
        for k, b in enumerate(results.bands):
            row = r + 1 + k
            ws.write_string(row, 0, b.label, fmt.band_cell(k, len(results.bands)))
            ws.write_string(row, 1, b.interval.describe(results.framework.band_unit), fmt.cell)
            ws.write_formula(row, 2, f"=COUNTIF({band},{text_literal(b.label)})", fmt.integer, counts.get(b.label, 0))
        r += 1 + len(results.bands) + 1
    ws.write_string(r, 0, f"Chi tiết từng khối: các trang «{BLOCK_SHEETS['ranking']} (mã khối)», "
                    f"«{BLOCK_SHEETS['fields']} (mã khối)», «{BLOCK_SHEETS['stats']} (mã khối)»…", fmt.note)


def layout_range(layout: RankingLayout, key: str, sheet: str) -> str:
    """The A1 range of ``key``'s column over the block sheet's unit rows, on ``sheet``."""
    return layout.range(key, sheet)
