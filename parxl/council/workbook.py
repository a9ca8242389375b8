"""The council's workbook: «Tổng hợp» (one row per unit, the three stages side by side) and a sheet per field
(every item that changed or was explained, unit by unit). Written into ``output/hoi-dong/``, atomically.

A campaign with ``blocks:`` gets one workbook with each block's group of sheets, in campaign.yaml order,
named as the master names them: «Tổng hợp (so)», «Lĩnh vực 1 (so)», «Thưởng, trừ (so)», then the next
block's; each block's units ranked among themselves against its own criteria set (``council_views``).
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from ..appraisal import layout as AL
from ..core.files import write_atomic
from ..workbook.build import clean_text, generated_at
from ..workbook.styles import CELL, PROTECT, WorkbookFormats, print_setup
from .view import CouncilView, unit_points

OUTPUT_DIR = ("output", "hoi-dong")
WORKBOOK_NAME = "Tổng hợp kết quả cho Hội đồng thẩm định.xlsx"
SUMMARY_SHEET = "Tổng hợp"
SUMMARY_COLUMNS = (  # heading, width
    ("STT", 6), ("Mã đơn vị", 9), ("Đơn vị", 24),
    ("Tổng điểm tự đánh giá", 11), ("Chỉ số tự đánh giá (%)", 11),
    ("Tổng điểm thẩm định lần 1", 11), ("Chỉ số thẩm định lần 1 (%)", 11), ("Xếp hạng lần 1", 9),
    ("Tổng điểm sau giải trình", 11), ("Chỉ số sau giải trình (%)", 11), ("Xếp hạng sau giải trình", 9),
    ("Thay đổi hạng", 9), ("Số tiêu chí còn ý kiến khác nhau", 12), ("Tiêu chí còn ý kiến khác nhau", 30),
)
FIELD_COLUMNS = (
    ("Mã đơn vị", 9), ("Đơn vị", 22), ("Mã tiêu chí", 9), ("Tiêu chí", 30), ("Điểm tối đa", 8),
    ("Điểm tự chấm", 9), ("Điểm thẩm định lần 1", 10), ("Giải trình của đơn vị", 34),
    ("Tài liệu kiểm chứng bổ sung", 28), ("Điểm đơn vị đề nghị", 10), ("Điểm sau giải trình", 10),
    ("Còn ý kiến khác nhau", 10),
)


# Short names of the summary and bonus/penalty sheets when «<name> (<block>)» is too long: «TH (<block>)»
SUMMARY_SHORT, ADJUSTMENTS_SHORT = "TH", "TT"

def output_dir(campaign_root: Path) -> Path:
    """``<campaign>/output/hoi-dong``."""
    return campaign_root.joinpath(*OUTPUT_DIR)


def field_sheet_name(code: str, block: str | None = None) -> str:
    """«Lĩnh vực <code>» (at most 31 characters, as Excel allows), «Thưởng, trừ» for bonus and penalty;
    with ``block`` (a campaign with blocks) followed by « (<block>)», shortened to «<code> (<block>)» or
    «TT (<block>)» when that would be longer than 31 characters."""
    name = "Thưởng, trừ" if code == AL.ADJUSTMENTS else f"Lĩnh vực {code}"
    if block is None:
        return name[:31]
    return block_sheet_name(name, block, ADJUSTMENTS_SHORT if code == AL.ADJUSTMENTS else code)


def block_sheet_name(name: str, block: str, short: str) -> str:
    """«<name> (<block>)», or «<short> (<block>)» when longer than Excel's 31 characters."""
    full = f"{name} ({block})"
    return full if len(full) <= 31 else f"{short} ({block})"[-31:]


def _num(ws, r: int, c: int, value: Decimal | None, fmt) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, float(value), fmt)


def write_council_workbook(views: CouncilView | Sequence[CouncilView]) -> Path:
    """Write the council's workbook of ``views`` (one ``CouncilView``, or one per block from
    ``council_views``); its path. Raises ``OSError`` when it cannot be written."""
    views = [views] if isinstance(views, CouncilView) else list(views)
    return write_atomic(output_dir(views[0].campaign.root) / WORKBOOK_NAME, build_council_workbook(views))


def build_council_workbook(views: CouncilView | Sequence[CouncilView]) -> bytes:
    """The council's workbook as ``.xlsx`` bytes (see the module doc); protected, nothing to type in it.

    ``views``: one ``CouncilView``, or one per block (a block's view has ``campaign.block_id`` set: its
    sheets are named with the block id and its summary title names the block)."""
    views = [views] if isinstance(views, CouncilView) else list(views)
    campaign = views[0].campaign
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": f"Tổng hợp kết quả thẩm định Chỉ số CCHC năm {campaign.year}", "author": "parxl",
                       "company": campaign.config.issuer.name, "created": generated_at(campaign)})
    st = WorkbookFormats(wb)
    text = wb.add_format(CELL)
    num = wb.add_format({**CELL, "num_format": "0.00"})
    mark = wb.add_format({**CELL, "bg_color": "#FCE4D6"})
    mark_num = wb.add_format({**CELL, "bg_color": "#FCE4D6", "num_format": "0.00"})
    formats = (st, text, num, mark, mark_num)
    first = None
    for view in views:
        ws = _write_block(wb, view, formats)
        first = first or ws
    first.activate()  # type: ignore[union-attr]
    wb.close()
    return out.getvalue()


def _write_block(wb, view: CouncilView, formats) -> object:
    """One view's «Tổng hợp» and field sheets (named with its block id when it is a block's view); the
    summary sheet."""
    st, text, num, mark, mark_num = formats
    campaign = view.campaign
    block = campaign.block_id
    ws = wb.add_worksheet(SUMMARY_SHEET if block is None else block_sheet_name(SUMMARY_SHEET, block, SUMMARY_SHORT))
    last = len(SUMMARY_COLUMNS) - 1
    part = "" if block is None else f"{campaign.blocks[0].title.upper()} — "
    ws.merge_range(0, 0, 0, last, f"TỔNG HỢP KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {campaign.year} — "
                   f"{part}TRÌNH HỘI ĐỒNG THẨM ĐỊNH", st.title)
    ws.merge_range(1, 0, 1, last, f"Sau giải trình: kết quả {AL.round_title(view.last_round).lower()}. "
                   "Thay đổi hạng: số bậc tăng (+) hoặc giảm (-) so với thẩm định lần 1. Dòng tô màu: đơn vị còn "
                   "tiêu chí có ý kiến khác nhau.", st.legend)
    for c, (heading, width) in enumerate(SUMMARY_COLUMNS):
        ws.set_column(c, c, width)
        ws.write_string(3, c, heading, st.heading)
    ws.set_row(3, 48)
    for n, u in enumerate(view.units, start=1):
        r = 3 + n
        t, f = (mark, mark_num) if u.open_items else (text, num)
        ws.write_number(r, 0, n, t)
        ws.write_string(r, 1, clean_text(u.code), t)
        ws.write_string(r, 2, clean_text(u.name), t)
        for c, (res, stage) in zip((3, 5, 8), ((view.before, u.before), (view.first, u.first),
                                               (view.final, u.final))):
            _num(ws, r, c, unit_points(res, stage), f)
            _num(ws, r, c + 1, stage.index if stage else None, f)
        _num(ws, r, 7, Decimal(u.first.rank) if u.first and u.first.rank else None, t)
        _num(ws, r, 10, Decimal(u.final.rank) if u.final and u.final.rank else None, t)
        change = u.rank_change
        ws.write_string(r, 11, "" if change is None else (f"+{change}" if change > 0 else str(change)), t)
        ws.write_number(r, 12, len(u.open_items), t)
        ws.write_string(r, 13, ", ".join(i.item.code for i in u.open_items), t)
    ws.freeze_panes(4, 3)
    print_setup(ws, landscape=True, repeat_row=3)
    ws.protect("", PROTECT)
    for group in AL.groups(campaign.framework):
        codes = {i.code for i in group.items}
        rows = [ch for ch in view.items if ch.item.code in codes]
        fs = wb.add_worksheet(field_sheet_name(group.code, block))
        fl = len(FIELD_COLUMNS) - 1
        fs.merge_range(0, 0, 0, fl, f"{group.heading}: CÁC TIÊU CHÍ THAY ĐỔI ĐIỂM HOẶC ĐƯỢC GIẢI TRÌNH", st.title)
        for c, (heading, width) in enumerate(FIELD_COLUMNS):
            fs.set_column(c, c, width)
            fs.write_string(2, c, heading, st.heading)
        fs.set_row(2, 36)
        for r, ch in enumerate(sorted(rows, key=lambda x: ([u.code for u in view.units].index(x.unit_code),
                                                          [i.code for i in group.items].index(x.item.code))),
                               start=3):
            t, f = (mark, mark_num) if ch.still_contested else (text, num)
            fs.write_string(r, 0, clean_text(ch.unit_code), t)
            fs.write_string(r, 1, clean_text(ch.unit_name), t)
            fs.write_string(r, 2, ch.item.code, t)
            fs.write_string(r, 3, clean_text(ch.item.title), t)
            _num(fs, r, 4, ch.item.max, f)
            _num(fs, r, 5, ch.self_score, f)
            _num(fs, r, 6, ch.first, f)
            fs.write_string(r, 7, clean_text(ch.explanation), t)
            fs.write_string(r, 8, clean_text("\n".join(ch.evidence)), t)
            _num(fs, r, 9, ch.proposed, f)
            _num(fs, r, 10, ch.final, f)
            fs.write_string(r, 11, "Còn" if ch.still_contested else "", t)
        if not rows:
            fs.merge_range(3, 0, 3, fl, "Không có tiêu chí nào thay đổi điểm hoặc được giải trình.", text)
        fs.freeze_panes(3, 0)
        print_setup(fs, landscape=True, repeat_row=2)
        fs.protect("", PROTECT)
    return ws
