"""The generated workbook read back with openpyxl: layout, names, validation, protection, metadata."""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from parxl import __version__
from parxl.campaign.units import Unit
from parxl.criteria.scoring import score_answers
from parxl.workbook import layout
from parxl.workbook.build import Fill, Identity, build_bytes, build_workbook, generated_at
from parxl.workbook.stamping import Template, TOKENS, escape_sst_text

from conftest import REPO, make_campaign
from support.workbooks import cell_of, load_both

COMMUNE_SET = REPO / "templates" / "criteria" / "xa-mau-2025.yaml"


@pytest.fixture
def wb(campaign):
    return openpyxl.load_workbook(io.BytesIO(build_workbook(campaign, campaign.units[0])))


def test_sheets_in_order_with_metadata_very_hidden(wb):
    assert wb.sheetnames == [layout.SHEET_GUIDE, layout.SHEET_ASSESS, layout.SHEET_SUMMARY, layout.SHEET_META]
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible", "visible", "visible", "veryHidden"]
    assert wb.active.title == layout.SHEET_GUIDE


def test_metadata_reads_back(campaign, wb):
    meta = wb[layout.SHEET_META]
    got = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, len(layout.META_KEYS) + 1)}
    assert list(got) == list(layout.META_KEYS)
    assert got == {
        "campaign_id": campaign.id,
        "campaign_year": 2025,
        "unit_code": "X01",
        "unit_name": "Phường An Lưu",
        "unit_kind": "Phường",
        "criteria_id": "mini-test",
        "criteria_fingerprint": campaign.framework.fingerprint,
        "layout_version": layout.LAYOUT_VERSION,
        "generated_at": generated_at(campaign).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "parxl_version": __version__,
    }
    assert cell_of(wb, layout.NAME_UNIT) == (layout.SHEET_META, "B3")
    assert cell_of(wb, layout.NAME_CAMPAIGN) == (layout.SHEET_META, "B1")


def test_every_item_has_its_defined_names(campaign, wb):
    fw = campaign.framework
    rows = {s.code: s.row for s in layout.plan_rows(fw) if s.kind != "adjust_header" and s.code}
    sheet = layout.SHEET_ASSESS
    for item in fw.items:
        r = rows[item.code]
        assert cell_of(wb, layout.name_score(item.code)) == (sheet, f"F{r}")
        if not item.self_scored:
            assert layout.name_explanation(item.code) not in wb.defined_names
            continue
        for key, col in layout.input_columns(item).items():
            assert cell_of(wb, layout.name_input(item.code, key)) == (sheet, f"{col}{r}")
        assert cell_of(wb, layout.name_explanation(item.code)) == (sheet, f"G{r}")
        assert cell_of(wb, layout.name_evidence(item.code)) == (sheet, f"H{r}")
        assert cell_of(wb, layout.name_appraised(item.code)) == (sheet, f"I{r}")
        assert cell_of(wb, layout.name_appraisal_note(item.code)) == (sheet, f"J{r}")
    for code in ("1", "2"):
        assert cell_of(wb, layout.name_subtotal(code)) == (sheet, f"F{rows[code]}")
    total_row = layout.plan_rows(fw)[-1].row
    assert cell_of(wb, layout.NAME_TOTAL) == (sheet, f"F{total_row}")


def test_rows_show_code_title_max_and_the_rules_formulas(campaign, wb):
    fw = campaign.framework
    ws = wb[layout.SHEET_ASSESS]
    assert ws["A1"].value == "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025"
    assert ws["A2"].value == "Đơn vị: Phường An Lưu"
    assert fw.model.legal_basis in ws["A3"].value and fw.title in ws["A3"].value
    assert [ws.cell(layout.HEADING_ROW, c).value for c in range(1, 11)] == list(layout.COLUMN_TITLES.values())
    for spec in layout.plan_rows(fw):
        if spec.kind in ("item", "bonus", "penalty"):
            item = spec.item
            assert ws[f"A{spec.row}"].value == item.code
            assert str(ws[f"B{spec.row}"].value).split("\n")[0] == item.title  # then how it is scored
            assert Decimal(str(ws[f"C{spec.row}"].value)) == item.max
            expected = item.formula(layout.input_refs(item, spec.row), fw.decimals)
            assert ws[f"F{spec.row}"].value == expected
    assert ws["B7"].value == ("Ban hành kế hoạch CCHC năm\nCách chấm: «Ban hành kịp thời»: 1 điểm; "
                              "«Ban hành không kịp thời»: 0,5 điểm; «Không ban hành»: 0 điểm.")
    assert ws["B10"].value == "Số văn bản ban hành trái quy định\nCách chấm: 2 điểm, trừ 0,5 điểm cho mỗi «Số văn bản», thấp nhất 0 điểm."
    assert ws["F6"].value == "=ROUND(SUM(F7,F8,F9,F10,F11),2)"  # field 1 = its five items
    total = layout.plan_rows(fw)[-1].row
    assert ws[f"F{total}"].value == "=ROUND(SUM(F6,F12)+SUM(F15)-SUM(F17),2)"


def test_survey_item_has_a_note_and_no_inputs(wb):
    ws = wb[layout.SHEET_ASSESS]
    assert ws["A13"].value == "2.1"
    assert "điều tra xã hội học" in ws["D13"].value
    assert ws["F13"].value is None and ws["D13"].protection.locked


def test_validations_match_the_rules(campaign, wb):
    ws = wb[layout.SHEET_ASSESS]
    by_cell = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    levels = by_cell["D7"]
    assert levels.type == "list" and levels.formula1 == layout.name_options("1.1")
    sheet, ref = cell_of(wb, layout.name_options("1.1"))
    meta = wb[sheet]
    assert [c.value for row in meta[ref] for c in row] == ["Ban hành kịp thời", "Ban hành không kịp thời", "Không ban hành"]
    _, ref = cell_of(wb, layout.name_options("1.2"))
    assert [c.value for row in meta[ref] for c in row] == ["Đạt", "Không đạt"]
    for cell, label in (("D9", "Số hồ sơ giải quyết đúng hạn"), ("E9", "Tổng số hồ sơ đã giải quyết"),
                        ("D10", "Số văn bản")):
        dv = by_cell[cell]
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert label in dv.prompt and dv.showInputMessage
    manual = by_cell["D11"]
    assert (manual.type, manual.operator or "between", manual.formula1, manual.formula2) == ("decimal", "between", "0", "1")
    assert "0,25" in manual.prompt  # decimal comma in user text
    assert "H7" in by_cell and by_cell["H7"].prompt.startswith("Dán đường liên kết")


def test_only_input_cells_are_unlocked_and_every_sheet_is_protected(campaign, wb):
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    ws = wb[layout.SHEET_ASSESS]
    unlocked = {c.coordinate for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=10) for c in row
                if not c.protection.locked}
    expected = set()
    for spec in layout.plan_rows(campaign.framework):
        if spec.item is not None and spec.item.self_scored:
            expected |= set(layout.input_refs(spec.item, spec.row).values()) | {f"G{spec.row}", f"H{spec.row}"}
    assert unlocked == expected
    assert ws["I7"].protection.locked and ws["J7"].protection.locked  # appraisal columns
    assert ws["D7"].fill.fgColor.rgb.endswith("FFF2CC")  # input cells coloured


def test_guidance_freeze_print_and_conditional_formats(wb):
    ws = wb[layout.SHEET_ASSESS]
    assert ws.freeze_panes == f"C{layout.FIRST_ROW}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (1, None)
    assert str(ws.page_setup.fitToHeight) == "0"
    assert ws.print_title_rows == f"${layout.HEADING_ROW}:${layout.HEADING_ROW}"
    rules = {str(rng.sqref): [r.formula[0] for r in rng.rules] for rng in ws.conditional_formatting}
    assert rules["G8:H8"] == ['AND(N($F8)>0,LEN(TRIM($G8))=0,LEN(TRIM($H8))=0)']
    assert rules["D7"] == ['AND($D7<>"",$D7<>"Ban hành kịp thời",$D7<>"Ban hành không kịp thời",$D7<>"Không ban hành")']
    assert any("$D9>$E9" in f for f in rules["D9:E9"])
    assert "$D11>1" in rules["D11"][0] and "ROUND($D11/0.25,9)" in rules["D11"][0]


def test_guide_speaks_of_deadline_sending_evidence_and_contact(tmp_path):
    campaign = make_campaign(tmp_path / "c")
    text = (tmp_path / "c" / "campaign.yaml").read_text(encoding="utf-8")
    text = text.replace("deadline: null", "deadline: 2026-01-15").replace("submit_to: null", "submit_to: cchc@kinhmon.gov.vn")
    text = text.replace("person: null", "person: Trần Thị Bình").replace("phone: null", "phone: 0220 3821 234")
    (tmp_path / "c" / "campaign.yaml").write_text(text, encoding="utf-8")
    from parxl.campaign.folder import load_campaign
    campaign = load_campaign(tmp_path / "c")
    guide = openpyxl.load_workbook(io.BytesIO(build_workbook(campaign, campaign.units[1])))[layout.SHEET_GUIDE]
    text = "\n".join(str(c.value) for c in guide["A"] if c.value)
    for needle in ("Xã Lê Ninh", "15/01/2026", "cchc@kinhmon.gov.vn", "Trần Thị Bình", "0220 3821 234",
                   "tài liệu kiểm chứng", "danh sách thả xuống", "Quyết định số 1/QĐ-UBND"):
        assert needle in text, needle


def test_summary_refers_to_the_subtotals(campaign, wb):
    ws = wb[layout.SHEET_SUMMARY]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=9, max_col=5)]
    assert rows[0] == ["1", "Công tác chỉ đạo, điều hành CCHC", 7, "=parxl_sum_1", "=IF(C5>0,ROUND(D5/C5*100,2),0)"]
    assert rows[1][3] == "=parxl_sum_2"
    assert rows[2][3] == "=SUM(parxl_score_T1)" and rows[3][3] == "=SUM(parxl_score_D1)"
    assert rows[4][1:4] == ["Tổng cộng", 10, "=parxl_total"]


def test_fill_writes_answers_hyperlink_and_cached_scores(campaign):
    answers = {"1.1": {"choice": "Ban hành kịp thời"}, "1.3": {"numerator": Decimal(95), "denominator": Decimal(100)}}
    fill = Fill(answers, {"1.3": "Đã giải trình"},
                {"1.1": ["https://vb.example.vn/kh-01"], "1.3": ["https://a.vn/1", "https://a.vn/2"]})
    data = build_workbook(campaign, campaign.units[0], fill)
    ws, values = load_both(data, layout.SHEET_ASSESS)
    assert ws["D7"].value == "Ban hành kịp thời" and ws["D9"].value == 95 and ws["G9"].value == "Đã giải trình"
    assert ws["H7"].hyperlink.target == "https://vb.example.vn/kh-01"
    assert ws["H9"].value == "https://a.vn/1\nhttps://a.vn/2" and ws["H9"].hyperlink is None
    expected = score_answers(campaign.framework, answers)
    assert values["F7"].value == 1 and values["F9"].value == 2  # cached values are parxl's scores
    assert Decimal(str(values["F18"].value)) == expected.total == Decimal(3)


def test_plain_build_is_deterministic_and_has_no_clock(campaign):
    a = build_workbook(campaign, campaign.units[0])
    b = build_workbook(campaign, campaign.units[0])
    assert a == b
    core = zipfile.ZipFile(io.BytesIO(a)).read("docProps/core.xml").decode()
    assert generated_at(campaign).strftime("%Y-%m-%dT%H:%M:%SZ") in core


def test_stamped_parts_equal_the_plain_build(campaign):
    template = Template.for_campaign(campaign)
    for unit in campaign.units:
        plain = zipfile.ZipFile(io.BytesIO(build_workbook(campaign, unit)))
        stamped = zipfile.ZipFile(io.BytesIO(template.stamp(Identity.of(unit))))
        assert stamped.testzip() is None
        assert sorted(plain.namelist()) == sorted(stamped.namelist())
        for name in plain.namelist():
            assert plain.read(name) == stamped.read(name), name


def test_commune_set_builds_and_stamps_like_the_plain_build(tmp_path):
    if not COMMUNE_SET.exists():
        pytest.fail("templates/criteria/xa-mau-2025.yaml is missing")
    campaign = make_campaign(tmp_path / "c", criteria=COMMUNE_SET)
    unit = campaign.units[2]
    plain = zipfile.ZipFile(io.BytesIO(build_workbook(campaign, unit)))
    stamped = zipfile.ZipFile(io.BytesIO(Template.for_campaign(campaign).stamp(Identity.of(unit))))
    assert all(plain.read(n) == stamped.read(n) for n in plain.namelist())
    wb = openpyxl.load_workbook(io.BytesIO(stamped.fp.getvalue()))
    for item in campaign.framework.items:
        assert layout.name_score(item.code) in wb.defined_names


def test_escape_sst_text():
    assert escape_sst_text('A & <B> "C"') == 'A &amp; &lt;B&gt; "C"'
    assert escape_sst_text("_x0041_") == "_x005F_x0041_"


def test_tokens_are_distinct_and_not_prefixes():
    tokens = [TOKENS.code, TOKENS.name, TOKENS.kind]
    assert all(a == b or not b.startswith(a) for a in tokens for b in tokens)


def test_identity_text_is_cleaned(campaign):
    identity = Identity.of(Unit("X9", " Xa\u0300 Bi\u0300nh\tAn ", "Xã"))  # NFD with a tab
    assert identity.name == "Xà Bình An"
    data = build_bytes(campaign, identity)
    assert openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_META]["B4"].value == "Xà Bình An"


def test_generated_at_follows_the_newest_campaign_file(campaign):
    import os
    before = generated_at(campaign)
    files = [campaign.root / "campaign.yaml", campaign.root / "criteria.yaml", campaign.units_file]
    later = max(p.stat().st_mtime for p in files) + 3600
    os.utime(campaign.units_file, (later, later))
    assert (generated_at(campaign) - before).total_seconds() == 3600


def test_long_option_lists_are_checked_against_the_named_range(campaign):
    from parxl.criteria.rules import InputSpec
    from parxl.workbook.assess import _out_of_range
    item = campaign.framework.item("1.1")
    spec = InputSpec("choice", "Mức độ", "choice", tuple(f"Lựa chọn dài số {i} " + "x" * 60 for i in range(5)))
    assert _out_of_range(spec, "$D7", item) == '=AND($D7<>"",SUMPRODUCT(--(parxl_opts_1_1=$D7))=0)'
