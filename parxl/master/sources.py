"""«Nguồn dữ liệu»: the campaign, the criteria set's fingerprint and the file each unit's figures came from."""
from __future__ import annotations

import hashlib

from xlsxwriter.worksheet import Worksheet

from .. import __version__

from ..survey.table import survey_file, units_without_survey
from .names import H_CODE, H_NAME
from .styles import MasterFormats
from .view import View

TIE_TITLES = {"competition": "đồng hạng thì hạng sau nhảy bậc (1, 2, 2, 4)",
              "dense": "đồng hạng thì hạng sau liền kề (1, 2, 2, 3)"}


def _survey_source(campaign) -> str:
    path = survey_file(campaign)
    if path is None:
        return "(chưa nhập: điểm điều tra tính 0)"
    return f"{path.name} (SHA-256 {hashlib.sha256(path.read_bytes()).hexdigest()})"


def _survey_gaps(results) -> list[tuple[str, str]]:
    """The «ranked units missing from the survey table» fact, only when some are ([] otherwise)."""
    codes = units_without_survey(results.campaign, [u.unit.code for u in results.ranked])
    if not codes:
        return []
    return [("Đơn vị xếp hạng không có trong bảng điều tra",
             f"{len(codes)} đơn vị, tính 0 điểm điều tra: {', '.join(codes)}")]


def write_sources(ws: Worksheet, fmt: MasterFormats, view: View) -> None:
    """Write the «Nguồn dữ liệu» sheet into ``ws``: the campaign's settings, the criteria set (with its
    legal basis and SHA-256 fingerprint), the survey table used (SHA-256) and the ranked units it has
    no row of (if any), the tie rule, when the master was made, and per unit the file its figures came from (path, SHA-256, time received).

    Raises OSError when the imported survey table cannot be read, SurveyError when it no longer reads.
    """
    results = view.results
    c, fw = results.campaign, results.framework
    facts = [
        ("Đợt đánh giá", c.title),
        ("Năm đánh giá", str(c.year)),
        ("Khối", c.blocks[0].title if c.block_id else c.framework.block_title),
        ("Cơ quan tổ chức", c.config.issuer.name),
        ("Thư mục đợt đánh giá", str(c.root)),
        ("Bộ chỉ số", f"{fw.title} (mã «{fw.id}»)"),
        ("Căn cứ", fw.model.legal_basis),
        ("Dấu vân tay bộ chỉ số (SHA-256)", fw.fingerprint),
        ("Điều tra xã hội học", "có tổ chức" if c.config.survey_held else "không tổ chức"),
        ("Bảng kết quả điều tra đã nhập", _survey_source(c)),
        *_survey_gaps(results),
        ("Cách xếp đồng hạng", TIE_TITLES[c.config.tie_rule]),
        ("Thời điểm lập bảng tổng hợp", f"{view.made_at:%d/%m/%Y %H:%M:%S}"),
        ("Phần mềm", f"parxl {__version__}"),
    ]
    ws.set_column(0, 0, 32)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 3, 66)
    ws.set_column(4, 4, 20)
    ws.write_string(0, 0, "NGUỒN DỮ LIỆU CỦA BẢNG TỔNG HỢP", fmt.title)
    for k, (label, value) in enumerate(facts):
        ws.write_string(2 + k, 0, label, fmt.label)
        ws.write_string(2 + k, 1, value, fmt.text)
    top = 2 + len(facts) + 1
    ws.write_row(top, 0, [H_CODE, H_NAME, "Tệp đã dùng", "Mã băm SHA-256 của tệp", "Thời điểm nhận"], fmt.header)
    for n, u in enumerate(results.units):
        r = top + 1 + n
        src = u.source
        ws.write_row(r, 0, [u.unit.code, u.unit.name, src.path if src else "(chưa nộp)",
                            src.sha256 if src else "", src.received_at if src else ""], fmt.cell)
    ws.autofilter(top, 0, top + max(1, len(results.units)), 4)
