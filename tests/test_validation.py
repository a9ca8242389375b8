"""validate(): every finding of a returned workbook, by code and cell."""
from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from conftest import make_campaign
from parxl.core.findings import FINDING_TYPES
from parxl.core.texts import normalize_text
from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import mark_swapped, validate
from parxl.workbook import layout
from support.tamper import (MINI_TOTAL, ROW, filled, remove_sheet, set_cached, set_formula, set_meta, set_number,
                            set_text)


def check(campaign, data: bytes, name: str | None = None, siblings=()):
    unit = campaign.units[0]
    name = name or f"inbox/{unit.code} - {unit.name}.xlsx"
    sub = read_submission(data, name=name, max_row=expected_max_row(campaign.framework), siblings=set(siblings))
    return validate(campaign, sub)


def codes(report, severity=None):
    return [(f.code, f.cell) for f in report.findings if severity is None or f.severity == severity]


@pytest.fixture
def wb(campaign):
    return filled(campaign, campaign.units[0])


def test_clean_workbook_has_no_finding_and_parxl_total(campaign, wb):
    report = check(campaign, wb)
    assert report.findings == []
    assert report.status == "ok"
    assert (report.unit_code, report.unit_name) == ("X01", "Phường An Lưu")
    assert report.total_self == MINI_TOTAL
    assert report.items["1.3"].inputs == {"numerator": Decimal(95), "denominator": Decimal(100)}
    assert report.items["1.3"].score == Decimal(2)
    assert report.items["1.1"].evidence == ["https://kinhmon.haiduong.gov.vn/van-ban/1.1.pdf"]


def test_every_message_is_vietnamese_nfc_and_names_the_cell(campaign, wb):
    data = set_text(wb, "D7", "Ban hành sớm")
    data = set_number(data, f"D{ROW['1.3']}", -3)
    report = check(campaign, data)
    assert report.findings
    for f in report.findings:
        assert f.message == normalize_text(f.message)
        assert f.cell and f.cell in f.message
        assert f.code in FINDING_TYPES


# Identity ---------------------------------------------------------------------

def test_workbook_of_another_campaign(tmp_path, campaign):
    other = make_campaign(tmp_path / "nam-truoc", year=2026)
    report = check(campaign, filled(other, other.units[0]))
    assert codes(report) == [("identity-other-campaign", "B1")]
    assert report.status == "unreadable"
    assert "2026" in report.findings[0].message


def test_other_version_of_the_criteria_set(campaign, wb):
    report = check(campaign, set_meta(wb, "criteria_fingerprint", "0" * 64))
    assert [f.code for f in report.findings] == ["identity-other-criteria"]
    assert report.status == "errors" and report.unit_code == "X01"


def test_unknown_unit_and_missing_metadata(campaign, wb):
    assert [f.code for f in check(campaign, set_meta(wb, "unit_code", "Z99")).findings] == ["identity-unknown-unit"]
    assert [f.code for f in check(campaign, remove_sheet(wb, layout.SHEET_META)).findings] == ["identity-missing"]


def test_header_unit_name_changed(campaign, wb):
    report = check(campaign, set_text(wb, "A2", "Đơn vị: Xã Lê Ninh"))
    assert codes(report) == [("identity-header-mismatch", "A2")]


def test_file_named_after_another_unit(campaign, wb):
    report = check(campaign, wb, name="inbox/X02 - Xã Lê Ninh.xlsx")
    assert [f.code for f in report.findings] == ["identity-filename-mismatch"]
    assert report.named_unit == "X02"
    # A name without the kind prefix or the code still points at the unit.
    assert check(campaign, wb, name="inbox/an luu ban cuoi.xlsx").findings == []


def test_two_units_swapped_files(campaign):
    a = check(campaign, filled(campaign, campaign.units[0]), name="inbox/X02 - Xã Lê Ninh.xlsx")
    b = check(campaign, filled(campaign, campaign.units[1]), name="inbox/X01 - Phường An Lưu.xlsx")
    mark_swapped([a, b])
    assert [f.code for f in a.findings] == ["identity-filename-mismatch", "identity-swapped"]
    assert [f.code for f in b.findings] == ["identity-filename-mismatch", "identity-swapped"]
    assert "X02 - Xã Lê Ninh.xlsx" in b.findings[1].message


# Structure and integrity ------------------------------------------------------------

def test_self_assessment_sheet_deleted(campaign, wb):
    report = check(campaign, remove_sheet(wb, layout.SHEET_ASSESS))
    assert ("sheet-missing", None) in codes(report)
    assert report.status == "errors"


def test_formula_typed_over_and_formula_altered(campaign, wb):
    data = set_number(wb, f"F{ROW['1.2']}", 1)                    # a value over the formula
    data = set_formula(data, f"F{ROW['1.1']}", "=1", 1)            # a formula replaced
    data = set_formula(data, f"F{ROW['1']}", "=SUM(F7:F10)", 5)    # a subtotal missing an item
    report = check(campaign, data)
    assert codes(report, "error") == [("formula-altered", "F6"), ("formula-altered", "F7"), ("formula-altered", "F8")]
    assert "=IF(D7=" in report.findings[1].message
    assert "giá trị «1»" in report.findings[2].message


def test_formula_written_differently_is_accepted(campaign, wb):
    data = set_formula(wb, f"F{ROW['1.2']}", '=if( $D$8 = "Đạt" , 1 , 0 )', 1)
    assert check(campaign, data).findings == []


def test_locked_cells_changed(campaign, wb):
    data = set_text(wb, f"B{ROW['1.2']}", "Báo cáo CCHC (đã sửa)")
    data = set_number(data, f"C{ROW['1.3']}", 5)
    data = set_text(data, "D1", "Đạt rồi", sheet=layout.SHEET_META)  # first option list: 1.1's
    report = check(campaign, data)
    assert ("locked-cell-changed", "B8") in codes(report)
    assert ("locked-cell-changed", "C9") in codes(report)
    assert ("locked-cell-changed", "D1") in codes(report)


# Inputs ---------------------------------------------------------------------------

def test_inputs_outside_their_domain(campaign, wb):
    data = set_text(wb, "D7", "Ban hành sớm")                      # not an option
    data = set_number(data, f"D{ROW['1.4']}", -2)                  # negative count
    data = set_number(data, f"D{ROW['1.3']}", 120)                 # numerator above denominator
    data = set_number(data, f"D{ROW['1.5']}", "1.1")               # manual above max (1)
    data = set_text(data, f"D{ROW['D1']}", "hai lần")               # not a number
    report = check(campaign, data)
    assert codes(report, "error") == [
        ("input-not-option", "D7"), ("ratio-numerator-exceeds", "D9"), ("input-negative", "D10"),
        ("score-out-of-range", "D11"), ("input-not-number", "D17")]
    assert report.status == "errors"


def test_whole_numbers_and_steps(campaign, wb):
    data = set_number(wb, f"D{ROW['1.4']}", "1.5")
    data = set_number(data, f"D{ROW['1.5']}", "0.3")
    assert codes(check(campaign, data), "error") == [("input-not-whole", "D10"), ("score-off-step", "D11")]


def test_vietnamese_number_typed_as_text_is_read_as_info(campaign, wb):
    data = set_text(wb, f"D{ROW['1.3']}", "1.234,0")
    data = set_text(data, f"E{ROW['1.3']}", "1.300")
    data = set_text(data, f"D{ROW['1.5']}", "0,5")
    report = check(campaign, data)
    assert codes(report, "info") == [("number-as-text", "D9"), ("number-as-text", "E9"), ("number-as-text", "D11")]
    assert report.items["1.3"].inputs == {"numerator": Decimal("1234.0"), "denominator": Decimal(1300)}
    assert report.items["1.5"].score == Decimal("0.50")
    assert report.total_self == MINI_TOTAL - Decimal("0.25")  # 1234/1300 = 94,9 % still earns 2
    assert "«1.234,0»" in report.findings[-3].message and "1.234" in report.findings[-3].message


def test_choice_forgives_case_only_as_the_workbook_formula_does(campaign, wb):
    """Excel's ``=`` ignores case but not spaces or NFD text: «đạt» earns 1.2's point; «  đạt » and NFD «Đạt»
    earn 0 as the formula gives them, with an error naming the cell and the option to choose."""
    report = check(campaign, set_text(wb, "D8", "đạt"))
    assert codes(report, "error") == []
    assert report.items["1.2"].score == Decimal(1)
    for variant in ("  đạt ", unicodedata.normalize("NFD", "Đạt")):
        report = check(campaign, set_text(wb, "D8", variant))
        assert codes(report, "error") == [("input-option-variant", "D8")]
        assert "«Đạt»" in report.findings[0].message
        assert report.items["1.2"].score == 0


@pytest.mark.libreoffice
def test_choice_variants_score_as_libreoffice_computes_them(campaign, wb, soffice, tmp_path):
    """Oracle: LibreOffice recomputes each workbook; parxl's score of 1.2 equals the recomputed cell."""
    from support.libreoffice import recalculate
    import openpyxl
    variants = {"case": "đạt", "space": "Đạt ", "nfd": unicodedata.normalize("NFD", "Đạt")}
    (tmp_path / "in").mkdir()
    paths = []
    for name, text in variants.items():
        path = tmp_path / "in" / f"{name}.xlsx"
        path.write_bytes(set_text(wb, "D8", text))
        paths.append(path)
    ref = layout.cell_ref("score", ROW["1.2"])
    for name, out in zip(variants, recalculate(paths, tmp_path / "out", soffice=soffice)):
        lo = openpyxl.load_workbook(out, data_only=True)[layout.SHEET_ASSESS][ref].value
        report = check(campaign, set_text(wb, "D8", variants[name]))
        assert Decimal(str(lo)) == report.items["1.2"].score, name
    assert [Decimal(str(openpyxl.load_workbook(o, data_only=True)[layout.SHEET_ASSESS][ref].value))
            for o in sorted((tmp_path / "out").iterdir())] == [1, 0, 0]  # case, nfd, space


def test_blank_input_is_a_warning(campaign, wb):
    data = set_cell_blank(wb, "D8")
    report = check(campaign, data)
    assert ("input-blank", "D8") in codes(report, "warning")
    assert report.total_self == MINI_TOTAL - 1


def test_blank_bonus_and_penalty_are_not_findings(campaign, wb):
    data = set_cell_blank(set_cell_blank(wb, f"D{ROW['T1']}"), f"D{ROW['D1']}")
    report = check(campaign, data)
    assert [f for f in report.findings if f.item in ("T1", "D1") and f.code == "input-blank"] == []
    assert ("input-blank", "D8") not in codes(report, "warning")


def set_cell_blank(data, ref):
    from support.tamper import set_cell_xml
    return set_cell_xml(data, ref, "")


# Evidence -----------------------------------------------------------------------------

def test_scored_item_without_evidence_or_explanation(campaign):
    data = filled(campaign, campaign.units[0], evidence={"1.2": [], "1.4": []}, explanations={"1.4": "Chờ bản ký số"})
    report = check(campaign, data)
    assert codes(report) == [("evidence-missing", "H8"), ("evidence-explanation-only", "H10")]
    assert report.findings[0].severity == "error" and report.findings[1].severity == "warning"
    assert report.items["1.2"].evidence == []


def test_evidence_links_and_files(campaign):
    data = filled(campaign, campaign.units[0], evidence={
        "1.1": ["www.kinhmon.gov.vn/kh.pdf"],                     # no scheme
        "1.2": ["ftp://kinhmon.gov.vn/bc.pdf"],                   # not http(s)
        "1.3": ["https://bit.ly/3xYz", "Bao cao 1.3.pdf"],        # unusual host; a file sent along
        "1.4": ["Thieu tep.pdf"],                                 # a file not sent
        "1.5": ["Bản giấy lưu tại Văn phòng"],                   # a description only (a reference is accepted:
                                                                  # tests/test_evidence.py)
    })
    report = check(campaign, data, siblings={"Bao cao 1.3.pdf"})
    assert codes(report) == [
        ("evidence-bad-link", "H7"), ("evidence-bad-link", "H8"), ("evidence-file-missing", "H10"),
        ("evidence-unusual-host", "H9"), ("evidence-text-only", "H11")]
    assert report.items["1.3"].evidence == ["https://bit.ly/3xYz", "Bao cao 1.3.pdf"]


# Cached values and reserved cells ----------------------------------------------------------

def test_cached_value_different_from_parxl(campaign, wb):
    data = set_cached(wb, f"F{ROW['1.3']}", 1)
    data = set_cached(data, f"F{ROW['total']}", 99)
    report = check(campaign, data)
    assert codes(report) == [("cached-value-differs", "F9"), ("cached-value-differs", "F18")]
    assert all(f.severity == "warning" for f in report.findings)
    assert "7,25" in report.findings[1].message and "99" in report.findings[1].message
    assert report.total_self == MINI_TOTAL


def test_survey_and_appraisal_cells_filled_by_the_unit(campaign, wb):
    data = set_number(wb, f"I{ROW['1.2']}", 1)
    data = set_text(data, f"J{ROW['1.2']}", "Đạt")
    data = set_number(data, f"F{ROW['2.1']}", 3)
    report = check(campaign, data)
    assert codes(report, "error") == [("appraisal-filled", "I8"), ("appraisal-filled", "J8"), ("survey-filled", "F13")]


def test_other_layout_version(campaign, wb):
    assert [f.code for f in check(campaign, set_meta(wb, "layout_version", "99")).findings] == ["identity-layout-version"]


def test_column_inserted_or_renamed(campaign, wb):
    report = check(campaign, set_text(wb, "E5", "Ghi chú"))
    assert ("columns-changed", "E5") in codes(report)


def test_rows_sorted_are_read_by_code(campaign, wb):
    data = set_text(wb, f"A{ROW['1.1']}", "1.2")
    data = set_text(data, f"A{ROW['1.2']}", "1.1")
    report = check(campaign, data)
    assert ("rows-reordered", "A7") in codes(report) and ("rows-reordered", "A8") in codes(report)
    assert report.status == "errors"
