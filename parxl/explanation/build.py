"""The giải trình workbook of one unit after an appraisal round: its contested items, protected.

``write_explanation_workbooks(campaign, round)`` writes one workbook per unit
appraised in ``round`` into ``output/so-bo/`` (atomically), built like the
self-assessment workbook: only the explanation, the additional evidence and the
proposed score are unlocked; a very hidden identity sheet says which campaign,
unit and round the file answers.
"""
from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

from .. import __version__
from ..appraisal import layout as AL
from ..campaign.folder import Campaign
from ..core.files import write_atomic
from ..core.numbers import vi_number
from ..core.times import utc_iso
from ..workbook.build import clean_text, generated_at
from ..workbook.styles import CELL, PROTECT, WorkbookFormats, col_index, print_setup
from . import layout as L
from .contested import UnitOpen, contested

WIDTHS = {"item": 9, "title": 36, "max": 9, "self": 9, "appraised": 10, "remark": 30, "reason": 20,
          "explanation": 40, "evidence": 34, "proposed": 10}
INPUT_FILL = "#FFF2CC"


def deadline_text(campaign: Campaign) -> str:
    """«Hạn gửi giải trình: dd/mm/yyyy[, gửi về …]», or a line saying the deadline is not set yet."""
    cfg = campaign.config
    when = cfg.explanation_deadline.strftime("%d/%m/%Y") if cfg.explanation_deadline else "…"
    where = cfg.submit_to or cfg.contact.office
    return f"Hạn gửi giải trình: {when}; gửi về: {where}."


def write_explanation_workbooks(campaign: Campaign, round: str, units: list[UnitOpen] | None = None) -> list[Path]:
    """One giải trình workbook per unit appraised in ``round``; their paths, in units-list order.

    A unit with nothing contested still gets its workbook (no rows): it may still add evidence nowhere,
    so the workbook says there is nothing to explain. Raises ``ParxlError`` for a bad round name and
    ``OSError`` when the folder cannot be written.
    """
    units = contested(campaign, round) if units is None else units
    folder = L.output_dir(campaign.root)
    return [write_atomic(folder / L.workbook_name(u.code, u.name, round), build_workbook(campaign, round, u))
            for u in units]


def build_workbook(campaign: Campaign, round: str, unit: UnitOpen) -> bytes:
    """The giải trình workbook of ``unit`` for ``round`` as ``.xlsx`` bytes (see the module doc)."""
    fw = campaign.framework
    when = generated_at(campaign)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    n = AL.round_number(round)
    wb.set_properties({"title": f"Giải trình kết quả thẩm định lần {n} — {unit.name}", "subject": fw.title,
                       "author": "parxl", "company": campaign.config.issuer.name, "created": when})
    st = WorkbookFormats(wb)
    text = wb.add_format(CELL)
    code = wb.add_format({**CELL, "align": "center"})
    num = wb.add_format({**CELL, "num_format": "0.00"})
    entry = wb.add_format({**CELL, "locked": False, "bg_color": INPUT_FILL})
    entry_num = wb.add_format({**CELL, "locked": False, "bg_color": INPUT_FILL, "num_format": "0.00"})
    ws = wb.add_worksheet(L.SHEET_DATA)
    meta = wb.add_worksheet(L.SHEET_META)
    c = {k: col_index(letter) for k, letter in L.COL.items()}
    first, last = min(c.values()), max(c.values())
    for key, width in WIDTHS.items():
        ws.set_column(c[key], c[key], width)
    ws.merge_range(0, first, 0, last, f"PHIẾU GIẢI TRÌNH KẾT QUẢ THẨM ĐỊNH LẦN {n} CHỈ SỐ CẢI CÁCH HÀNH CHÍNH "
                   f"NĂM {campaign.year}", st.title)
    ws.merge_range(1, first, 1, last, f"Đơn vị: {clean_text(unit.name)} (mã {clean_text(unit.code)}) · "
                   f"Bộ chỉ số: {fw.title}", st.legend)
    ws.merge_range(2, first, 2, last,
                   "Mỗi dòng là một tiêu chí có điểm thẩm định thấp hơn điểm tự chấm hoặc được đề nghị giải trình. "
                   "Ghi giải trình vào cột «Giải trình của đơn vị», dán liên kết hoặc ghi tên tệp gửi kèm vào cột "
                   "«Tài liệu kiểm chứng bổ sung»; nếu đề nghị điểm cao hơn điểm thẩm định thì bắt buộc có giải "
                   "trình. Không sửa các cột khác.", st.legend)
    ws.set_row(2, 48)
    ws.merge_range(3, first, 3, last, deadline_text(campaign), st.legend)
    hr = L.HEADER_ROW - 1
    ws.set_row(hr, 36)
    for key, (_, heading) in L.COLUMNS.items():
        ws.write_string(hr, c[key], heading, st.heading)
    r = hr + 1
    for it in unit.items:
        lo, hi = it.bounds
        ws.write_string(r, c["item"], it.item.code, code)
        ws.write_string(r, c["title"], clean_text(it.item.title), text)
        ws.write_number(r, c["max"], float(it.item.max), num)
        if it.self_score is None:
            ws.write_blank(r, c["self"], None, num)
        else:
            ws.write_number(r, c["self"], float(it.self_score), num)
        ws.write_number(r, c["appraised"], float(it.appraised), num)
        if it.remark.strip():
            ws.write_string(r, c["remark"], clean_text(it.remark), text)
        else:
            ws.write_blank(r, c["remark"], None, text)
        ws.write_string(r, c["reason"], "; ".join(it.reasons), text)
        ws.write_blank(r, c["explanation"], None, entry)
        ws.write_blank(r, c["evidence"], None, entry)
        ws.write_blank(r, c["proposed"], None, entry_num)
        ws.data_validation(r, c["proposed"], r, c["proposed"], {
            "validate": "decimal", "criteria": "between", "minimum": float(lo), "maximum": float(hi),
            "ignore_blank": True, "input_title": "Điểm đề nghị",
            "input_message": f"Không bắt buộc: từ {vi_number(lo)} đến {vi_number(hi)} điểm; có điểm đề nghị thì "
                             "phải có giải trình.",
            "error_title": "Điểm không hợp lệ",
            "error_message": f"Điểm đề nghị tiêu chí {it.item.code} phải từ {vi_number(lo)} đến {vi_number(hi)}."})
        r += 1
    if not unit.items:
        ws.merge_range(r, first, r, last, "Không có tiêu chí nào cần giải trình.", text)
    ws.freeze_panes(L.HEADER_ROW, 0)
    print_setup(ws, landscape=True, repeat_row=hr)
    ws.protect("", PROTECT)
    values = {"kind": L.KIND, "campaign_id": campaign.id, "criteria_fingerprint": fw.fingerprint,
              "unit_code": unit.code, "unit_name": unit.name, "round": round, "layout_version": L.layout_version(),
              "generated_at": utc_iso(when, micro=False), "parxl_version": __version__}
    if tuple(values) != L.META_KEYS:  # parxl's own bug, never the user's
        raise RuntimeError(f"Lỗi nội bộ của parxl: các khóa nhận dạng {tuple(values)} khác bố cục {L.META_KEYS}.")
    kc, vc = col_index(L.META_COLUMNS["key"]), col_index(L.META_COLUMNS["value"])
    for i, (key, value) in enumerate(values.items()):
        meta.write_string(i, kc, key)
        meta.write_string(i, vc, clean_text(value))
    meta.protect("", PROTECT)
    meta.very_hidden()
    ws.activate()
    wb.close()
    return out.getvalue()
