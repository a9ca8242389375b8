"""read_submission and the xlsx reader: formulas, cached values, hyperlinks, names, bounded reading."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl

from parxl.intake.submission import expected_max_row, read_submission
from parxl.workbook import layout
from parxl.xlsx.container import SheetRequest, XlsxFile, shift_formula
from support.tamper import ROW, edit_part, filled, part_of, set_cell_xml, set_text


def test_reads_what_the_file_says(campaign):
    data = filled(campaign, campaign.units[0])
    sub = read_submission(data, name="inbox/X01.xlsx", max_row=expected_max_row(campaign.framework))
    assert sub.readable and sub.size == len(data) and len(sub.sha256) == 64
    assert sub.meta["unit_code"] == "X01" and sub.meta["campaign_id"] == campaign.id
    assert sub.meta["layout_version"] == str(layout.LAYOUT_VERSION)
    assert [s.name for s in sub.sheets][:2] == [layout.SHEET_GUIDE, layout.SHEET_ASSESS]
    assert next(s for s in sub.sheets if s.name == layout.SHEET_META).state == "veryHidden"
    r = ROW["1.3"]
    assert sub.cell(r, "A").value == "1.3"
    assert sub.cell(r, "D").value == Decimal(95) and sub.cell(r, "D").formula is None
    score = sub.cell(r, "F")
    assert score.formula.startswith("IF(OR(D9=") and score.value == Decimal(2)
    assert sub.assess.hyperlinks[f"H{r}"] == "https://kinhmon.haiduong.gov.vn/van-ban/1.3.pdf"
    assert sub.names[layout.name_score("1.3")] == f"'{layout.SHEET_ASSESS}'!$F${r}"


def test_agrees_with_openpyxl_loaded_twice(campaign):
    data = filled(campaign, campaign.units[1])
    sub = read_submission(data, max_row=200)
    formulas = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_ASSESS]
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[layout.SHEET_ASSESS]
    compared = 0
    for row in formulas.iter_rows(min_row=1, max_row=ROW["total"], max_col=10):
        for cell in row:
            if not hasattr(cell, "column_letter"):
                continue  # inside a merged range
            mine = sub.cell(cell.row, cell.column_letter)
            if isinstance(cell.value, str) and cell.value.startswith("="):
                assert mine is not None and "=" + mine.formula == cell.value
                cached = values[cell.coordinate].value
                assert mine.value == (Decimal(repr(cached)) if isinstance(cached, float) else Decimal(cached))
                compared += 1
            elif cell.value not in (None, ""):
                got = mine.value if mine is not None else None
                assert (float(got) if isinstance(got, Decimal) else got) == cell.value
                compared += 1
    assert compared > 60


def test_shared_formulas_are_expanded(campaign):
    data = filled(campaign, campaign.units[0])
    assert shift_formula("SUM(F7:F9)+$C$1+'Tự đánh giá'!D7+\"D7\"", 2, 1) == "SUM(G9:G11)+$C$1+'Tự đánh giá'!E9+\"D7\""
    assert shift_formula("LOG10(A1)+A$1+$A2", 1, 1) == "LOG10(B2)+B$1+$A3"
    data = set_cell_xml(data, "M7", '<f t="shared" ref="M7:M9" si="0">D7*2</f><v>0</v>')
    data = set_cell_xml(data, "M8", '<f t="shared" si="0"/><v>0</v>')
    sub = read_submission(data, max_row=200)
    assert sub.cell(8, "M") is None  # M is not a column parxl reads (K and L are, for not-applicable items)
    sheet = XlsxFile(data).read_sheets({layout.SHEET_ASSESS: SheetRequest(200)})[layout.SHEET_ASSESS]
    assert sheet.get(7, "M").formula == "D7*2" and sheet.get(8, "M").formula == "D8*2"


def test_numbers_typed_as_text_stay_text(campaign):
    data = set_text(filled(campaign, campaign.units[0]), "D9", "1.234,5")
    sub = read_submission(data, max_row=200)
    assert sub.cell(9, "D").value == "1.234,5" and sub.cell(9, "D").kind == "inlineStr"


def test_rows_past_the_limit_are_not_read(campaign):
    data = filled(campaign, campaign.units[0])
    part = part_of(data, layout.SHEET_ASSESS)
    extra = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(5000, 5100))
    data = edit_part(data, part, lambda xml: xml.replace("</sheetData>", extra + "</sheetData>"))
    sub = read_submission(data, max_row=100)
    assert sub.assess.stopped_after == 100
    assert max(r for r, _ in sub.assess.cells) <= 100
    assert sub.cell(ROW["1.3"], "D").value == Decimal(95)


def test_reading_twice_gives_the_same_submission(campaign):
    """Reading keeps no state between files (speed: benchmarks/bench_reader.py)."""
    data = filled(campaign, campaign.units[0])
    first, second = read_submission(data, max_row=200), read_submission(data, max_row=200)
    assert first.assess.cells == second.assess.cells and first.meta == second.meta
