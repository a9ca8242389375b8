"""Appraisal workbooks rendered as sheet XML (issue 18, fourth session): every part of the package is, byte for
byte, what XlsxWriter writing the cells one by one made (the frozen copy of that writer in
``support/appraisal_xlsxwriter.py`` is the oracle), and openpyxl reads the result.

States covered: round 1 (X01 and X02 self-assessed with evidence links, X03 without a file: grey rows) and
round 2 (explanations beside contested items: the blue rows, a proposed score, a link in the extra evidence),
plus a unit whose evidence and explanation hold control characters, «_x0041_», «&<>» and outer spaces.
"""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
import xlsxwriter.worksheet

from parxl.appraisal import build as fast
from parxl.appraisal import layout as L
from parxl.ledger.receive import run_intake
from parxl.workbook.stamping import workbook_filename
from support import appraisal_xlsxwriter as slow
from support.tamper import filled
from test_explanation import explained, round1, sent  # noqa: F401  (fixtures)

from conftest import make_campaign


def parts(xlsx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def same_as_xlsxwriter(c, round: str) -> int:
    """Every group's workbook built both ways: the same parts; returns how many rows were compared."""
    units = fast.gather(c, round)
    rows = 0
    for group in L.groups(c.framework):
        new = fast.build_group(c, round, group, units)
        old = slow.build_group(c, round, group, units)
        assert parts(new) == parts(old), group.code
        ws = openpyxl.load_workbook(io.BytesIO(new))[L.SHEET_DATA]
        rows += ws.max_row - L.HEADER_ROW
    return rows


def test_round_one_with_a_unit_without_file_and_odd_texts(tmp_path):
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / workbook_filename(c.unit("X01"))).write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / workbook_filename(c.unit("X02"))).write_bytes(filled(
        c, c.unit("X02"), answers={"1.1": {"choice": "Không ban hành"}},
        evidence={"1.2": ["QĐ _x0041_ & <b> số 1\x07/QĐ", "  https://a.example.gov.vn/x?a=1&b=<2>  "],
                  "1.3": ["https://a.example.gov.vn/one#part", "https://a.example.gov.vn/two"]},
        explanations={"1.2": "  Giải trình có ký tự \x01 lạ & <thẻ>  "}))
    run_intake(c, workers=1)
    n_items = sum(len(g.items) for g in L.groups(c.framework))
    assert same_as_xlsxwriter(c, "appraisal-1") == 3 * n_items  # X03's rows (grey) included


def test_round_two_with_explanations(explained):  # noqa: F811
    assert same_as_xlsxwriter(explained, "appraisal-2") > 0


@pytest.mark.filterwarnings("ignore:Ignoring URL")
def test_rows_past_the_link_limit_are_plain_text(monkeypatch, tmp_path):
    """Past Excel's 65,530 links of a sheet XlsxWriter writes the cell without its link: so does the fast
    writer (the limit lowered to 1 on both sides)."""
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    for code in ("X01", "X02"):
        (c.inbox_dir / workbook_filename(c.unit(code))).write_bytes(filled(c, c.unit(code)))
    run_intake(c, workers=1)
    monkeypatch.setattr(fast, "_LINKS_MAX", 1)
    units = fast.gather(c, "appraisal-1")
    group = next(g for g in L.groups(c.framework)
                 if sum(bool(fast._evidence_cell(tuple(u.details[i.code].evidence))[1])
                        for u in units if u.details for i in g.items if i.code in u.details) >= 2)
    original = xlsxwriter.worksheet.Worksheet.write_url  # its counter starts one link short of the limit
    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "write_url",
                        lambda self, *a, **k: (setattr(self, "hlink_count", max(self.hlink_count, 65_529)),
                                               original(self, *a, **k))[1])
    new, old = fast.build_group(c, "appraisal-1", group, units), slow.build_group(c, "appraisal-1", group, units)
    assert parts(new) == parts(old)
    ws = openpyxl.load_workbook(io.BytesIO(new))[L.SHEET_DATA]
    assert len([cell for row in ws.iter_rows() for cell in row if cell.hyperlink]) == 1
