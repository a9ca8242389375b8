"""The appraisal workbooks as XlsxWriter built them, cell by cell, before issue 18's fourth session (frozen
copy of ``parxl.appraisal.build.build_group`` and its helpers): the oracle the fast writer is compared with,
part by part (every zip member's bytes but the order of the members)."""
from __future__ import annotations

import gc
import io
from decimal import Decimal
from functools import lru_cache

import xlsxwriter

from parxl import __version__
from parxl.appraisal import layout as L
from parxl.appraisal.build import EXPLAINED_FILL, GREY_TEXT, WIDTHS, UnitRows, inputs_text
from parxl.campaign.folder import Campaign
from parxl.core.numbers import vi_number
from parxl.core.times import utc_iso
from parxl.criteria.framework import Item
from parxl.intake.evidence_text import parse_entry
from parxl.workbook.build import clean_text, generated_at
from parxl.workbook.styles import CELL, FORMULA_FILL, PROTECT, WorkbookFormats, col_index, print_setup, text_height
from parxl.workbook.texts import item_text


class AppraisalFormats:
    """The XlsxWriter cell formats of an appraisal workbook, beside the shared ``WorkbookFormats`` (``st``)."""

    def __init__(self, wb, st: WorkbookFormats):
        base = CELL
        self.st = st
        self.text = wb.add_format(base)
        self.code = wb.add_format({**base, "align": "center"})
        self.num = wb.add_format({**base, "num_format": "0.00"})
        self.link = wb.add_format({**base, "font_color": "blue", "underline": 1})
        self.score = wb.add_format({**base, "num_format": "0.00", "locked": False, "bg_color": "#FFF2CC"})
        self.note = wb.add_format({**base, "locked": False, "bg_color": "#FFF2CC"})
        grey = {**base, "font_color": GREY_TEXT, "bg_color": FORMULA_FILL}
        self.grey = wb.add_format(grey)
        self.grey_num = wb.add_format({**grey, "num_format": "0.00"})
        shown = {**base, "bg_color": EXPLAINED_FILL}
        self.shown = wb.add_format(shown)
        self.shown_num = wb.add_format({**shown, "num_format": "0.00"})
        self.shown_link = wb.add_format({**shown, "font_color": "blue", "underline": 1})
        self.title = st.title
        self.legend = st.legend
        self.heading = st.heading


def build_group(campaign: Campaign, round: str, group: L.Group, units: list[UnitRows]) -> bytes:
    """The appraisal workbook of ``group`` for ``round`` as ``.xlsx`` bytes: one row per item and unit.

    Every column is written at its letter in ``layout.COLUMNS`` (whatever their order there);
    the metadata carries ``layout.layout_version()``.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of cell tuples, no cycles: the collector would only walk them again and again
    try:
        return _build_group(campaign, round, group, units)
    finally:
        if collecting:
            gc.enable()


def _build_group(campaign: Campaign, round: str, group: L.Group, units: list[UnitRows]) -> bytes:
    fw = campaign.framework
    when = generated_at(campaign)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": f"{L.round_title(round)} Chỉ số CCHC năm {campaign.year} — {group.title}",
                       "subject": fw.title, "author": "parxl", "company": campaign.config.issuer.name,
                       "created": when})
    fm = AppraisalFormats(wb, WorkbookFormats(wb))
    ws = wb.add_worksheet(L.SHEET_DATA)
    meta = wb.add_worksheet(L.SHEET_META)
    c = {k: col_index(letter) for k, letter in L.COL.items()}
    first_col, last_col = min(c.values()), max(c.values())
    for key, width in WIDTHS.items():
        ws.set_column(c[key], c[key], width)

    ws.merge_range(0, first_col, 0, last_col, f"{L.round_title(round).upper()} CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM "
                   f"{campaign.year} — {group.heading}", fm.title)
    ws.merge_range(1, first_col, 1, last_col, f"Cơ quan thẩm định: {group.appraiser or '(chưa phân công)'} · "
                   f"Vòng: {L.round_title(round).lower()} ({round}) · Bộ chỉ số: {fw.title}", fm.legend)
    ws.merge_range(2, first_col, 2, last_col,
                   "Nhập điểm vào cột «Điểm thẩm định» (từ 0 đến điểm tối đa, tối đa "
                   f"{fw.decimals} chữ số thập phân, ví dụ 0,5) và ý kiến vào cột «Ý kiến thẩm định». "
                   "Để trống ô điểm nghĩa là giữ nguyên điểm tự chấm của đơn vị. Chọn «Có» ở cột «Cần giải trình» "
                   "để yêu cầu đơn vị giải trình. Không sửa các cột khác; có thể lọc, sắp xếp dòng. Dòng màu xám: "
                   "đơn vị chưa gửi tệp đọc được; dòng màu xanh: đơn vị đã giải trình sau vòng trước.", fm.legend)
    ws.set_row(2, 48)
    hr = L.HEADER_ROW - 1
    ws.set_row(hr, 36)
    for key, (_, heading) in L.COLUMNS.items():
        ws.write_string(hr, c[key], heading, fm.heading)

    r = hr + 1
    names = [(clean_text(u.code), clean_text(u.name)) for u in units]  # the same on every item's rows
    for item in group.items:
        first = r
        shared = _ItemCells(item, fw.decimals)
        for u, (code, name) in zip(units, names):
            if not item.applies(u.kind):
                continue
            _row(ws, fm, c, r, shared, u, code, name)
            r += 1
        if r > first:
            ws.data_validation(first, c["score"], r - 1, c["score"], {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(item.max),
                "ignore_blank": True,
                "input_title": "Điểm thẩm định",
                "input_message": f"Tiêu chí {item.code}: từ 0 đến {vi_number(item.max)} điểm. "
                                 "Để trống = giữ điểm tự chấm của đơn vị.",
                "error_title": "Điểm không hợp lệ",
                "error_message": f"Điểm thẩm định tiêu chí {item.code} phải là số từ 0 đến {vi_number(item.max)}."})
            ws.data_validation(first, c["flag"], r - 1, c["flag"], {
                "validate": "list", "source": [L.FLAG_WORD, "Không"], "ignore_blank": True,
                "input_title": "Cần giải trình",
                "input_message": f"Chọn «{L.FLAG_WORD}» nếu đơn vị cần giải trình tiêu chí này (kể cả khi không hạ điểm)."})
    ws.autofilter(hr, first_col, max(r - 1, hr + 1), last_col)
    ws.freeze_panes(L.HEADER_ROW, 0)
    print_setup(ws, landscape=True, repeat_row=hr)
    ws.protect("", {**PROTECT, "autofilter": True, "sort": True})

    values = {"kind": L.KIND, "campaign_id": campaign.id, "criteria_fingerprint": fw.fingerprint, "round": round,
              "field_code": group.code, "layout_version": L.layout_version(),
              "generated_at": utc_iso(when, micro=False), "parxl_version": __version__}
    if tuple(values) != L.META_KEYS:  # parxl's own bug, never the user's: it must hold under python -O too
        raise RuntimeError(f"Lỗi nội bộ của parxl: các khóa siêu dữ liệu {tuple(values)} khác bố cục {L.META_KEYS}.")
    key_col, value_col = col_index(L.META_COLUMNS["key"]), col_index(L.META_COLUMNS["value"])
    for i, (key, value) in enumerate(values.items()):
        meta.write_string(i, key_col, key)
        meta.write_string(i, value_col, value)
    meta.protect("", PROTECT)
    meta.very_hidden()
    ws.activate()
    wb.close()
    return out.getvalue()


class _ItemCells:
    """What every unit's row of one item shows alike: its code, its title with how it is scored (as the unit
    saw it) and that title's row height, its maximum; computed once per item, not once per row."""

    def __init__(self, item: Item, decimals: int):
        self.item = item
        self.code = item.code
        self.shown = item_text(item, decimals, lines=True)
        self.title_height = max(15.0, text_height([(self.shown, 12)], WIDTHS["title"]))
        self.max = float(item.max)
        self.clean_code = clean_text(item.code)
        self.clean_title = clean_text(item.title)


_BLANK_WHEN_MISSING = ("inputs", "self", "evidence", "explanation", "previous", "score", "note", "flag", "prev_note",
                       "reply", "extra_evidence", "proposed")
_MISSING_REMARK = "Đơn vị chưa gửi tệp đọc được: chưa có số liệu để thẩm định."


def _row(ws, fm: AppraisalFormats, c: dict[str, int], r: int, shared: _ItemCells, u: UnitRows, code: str,
         name: str) -> None:
    """Unit ``u``'s row ``r`` on the item of ``shared``; ``code``, ``name``: the unit's, as cell text."""
    item = shared.item
    missing = u.submission is None
    detail = u.details.get(shared.code)
    text, num = (fm.grey, fm.grey_num) if missing else (fm.text, fm.num)
    ws.write_string(r, c["unit"], code, fm.grey if missing else fm.code)
    ws.write_string(r, c["unit_name"], name, text)
    ws.write_string(r, c["item"], shared.code, fm.grey if missing else fm.code)
    ws.write_string(r, c["title"], shared.shown, text)
    inputs = inputs_text(item, detail.inputs) if detail else ""
    ws.set_row(r, max(shared.title_height, text_height([(inputs, 12)], WIDTHS["inputs"])))
    ws.write_number(r, c["max"], shared.max, num)
    if missing:
        for key in _BLANK_WHEN_MISSING:
            ws.write_blank(r, c[key], None, fm.grey)
        ws.write_string(r, c["remark"], _MISSING_REMARK, fm.grey)
        return
    self_score = u.submission.self_scores.get(shared.code)
    previous = u.previous.get(shared.code)
    ws.write_string(r, c["inputs"], inputs, text)
    _number_or_blank(ws, r, c["self"], self_score, num)
    _evidence(ws, fm, r, c["evidence"], detail.evidence if detail else [])
    ws.write_string(r, c["explanation"], clean_text(detail.explanation) if detail else "", text)
    _number_or_blank(ws, r, c["previous"], previous, num)
    _number_or_blank(ws, r, c["score"], previous, fm.score)
    ws.write_blank(r, c["note"], None, fm.note)
    ws.write_blank(r, c["flag"], None, fm.note)
    reply = u.reply.get(shared.code)
    shown = reply is not None and bool(reply.explanation.strip() or reply.evidence or reply.inputs.get("proposed"))
    text_fmt, num_fmt, link_fmt = (fm.shown, fm.shown_num, fm.shown_link) if shown else (text, num, fm.link)
    ws.write_string(r, c["prev_note"], clean_text(u.previous_notes.get(shared.code, "")), text_fmt)
    ws.write_string(r, c["reply"], clean_text(reply.explanation) if reply else "", text_fmt)
    _evidence(ws, fm, r, c["extra_evidence"], reply.evidence if reply else [], text_fmt, link_fmt)
    proposed = reply.inputs.get("proposed") if reply else None
    _number_or_blank(ws, r, c["proposed"], proposed if isinstance(proposed, Decimal) else None, num_fmt)
    if shown:
        ws.write_string(r, c["unit"], code, fm.shown)
        ws.write_string(r, c["item"], shared.clean_code, fm.shown)
        ws.write_string(r, c["title"], shared.clean_title, fm.shown)
    remark = []
    if u.submission.status == "errors" or u.submission.errors:
        remark.append(f"Tệp của đơn vị còn {vi_number(u.submission.errors)} lỗi (xem kết quả kiểm tra).")
    if detail is None:
        remark.append("Tệp không có dòng tiêu chí này.")
    ws.write_string(r, c["remark"], " ".join(remark), text)


def _number_or_blank(ws, r: int, col: int, value: Decimal | None, fmt) -> None:
    if value is None:
        ws.write_blank(r, col, None, fmt)
    else:
        ws.write_number(r, col, float(value), fmt)


def _evidence(ws, fm: AppraisalFormats, r: int, col: int, entries: list[str], text_fmt=None, link_fmt=None) -> None:
    """The evidence cell, one entry a line as ``Entry.display()`` shows it (each stored entry parsed again:
    «QĐ số 120/QĐ-UBND ngày 05/03/2025 — mục II, trang 3»); a hyperlink on the cell when exactly one http(s)
    link is cited."""
    if not entries:
        ws.write_string(r, col, "", text_fmt or fm.text)
        return
    text, link = _evidence_cell(tuple(entries))
    if link is not None:
        if ws.write_url(r, col, link, link_fmt or fm.link, string=text or link) == 0:
            return
    ws.write_string(r, col, text[:32_767], text_fmt or fm.text)


@lru_cache(maxsize=4096)
def _evidence_cell(entries: tuple[str, ...]) -> tuple[str, str | None]:
    """The evidence cell's text and its one http(s) link (None unless exactly one, short enough, is cited)."""
    parsed = [parse_entry(e) for e in entries if e and e.strip()]
    text = "\n".join(clean_text(e.display()) for e in parsed)
    links = list(dict.fromkeys(u for e in parsed for u in e.links if u.lower().startswith(("https://", "http://"))))
    if len(links) == 1 and len(links[0]) < 2000 and len(text) < 32_000:
        return text, links[0]
    return text, None
