"""Proof with a real engine: workbooks filled and saved by LibreOffice through UNO are read right.

For several units with different answers (every rule type, boundaries, a zero
denominator), the total parxl computes equals the total LibreOffice computed
and saved; no formula LibreOffice rewrote counts as altered. Rows inserted or
deleted in LibreOffice are found by code and defined name.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from parxl.criteria.scoring import score_answers
from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import validate
from parxl.ledger.receive import run_intake
from parxl.workbook import layout
from support.tamper import MINI_TOTAL, ROW, filled
from support.libreoffice import uno_edit_many, uno_fill_and_save_many

pytestmark = pytest.mark.libreoffice

CASES = {  # unit index -> answers typed in LibreOffice
    0: {"1.1": {"choice": "Ban hành không kịp thời"}, "1.2": {"choice": "Không đạt"},
        "1.3": {"numerator": 90, "denominator": 100}, "1.4": {"count": 5}, "1.5": {"score": 1},
        "T1": {"choice": "Đạt"}, "D1": {"count": 3}},
    1: {"1.1": {"choice": "Ban hành kịp thời"}, "1.2": {"choice": "Đạt"},
        "1.3": {"numerator": 0, "denominator": 0}, "1.4": {"count": 0}, "1.5": {"score": 0.25},
        "T1": {"choice": "Không đạt"}, "D1": {"count": 1}},
    2: {"1.1": {"choice": "Không ban hành"}, "1.2": {"choice": "Đạt"},
        "1.3": {"numerator": 69, "denominator": 100}, "1.4": {"count": 2}, "1.5": {"score": 0.5},
        "T1": {"choice": "Đạt"}, "D1": {"count": 0}},
}


def _values(answers) -> dict:
    out = {}
    for code, inputs in answers.items():
        for key, value in inputs.items():
            out[layout.name_input(code, key)] = value
        out[layout.name_evidence(code)] = f"https://kinhmon.haiduong.gov.vn/van-ban/{code}.pdf"
    return out


def _decimal_answers(answers):
    return {code: {k: v if isinstance(v, str) else Decimal(str(v)) for k, v in inputs.items()}
            for code, inputs in answers.items()}


def test_totals_equal_what_libreoffice_computed(tmp_path, campaign, soffice):
    jobs = []
    for i, answers in CASES.items():
        unit = campaign.units[i]
        src = tmp_path / f"blank-{unit.code}.xlsx"
        src.write_bytes(filled(campaign, unit, answers={c: {} for c in answers}, evidence={}))
        jobs.append((src, campaign.inbox_dir / f"{unit.code} - {unit.name}.xlsx", _values(answers)))
    uno_fill_and_save_many(jobs, soffice=soffice)
    result = run_intake(campaign, workers=2)
    assert result.missing == []
    for (i, answers), sub in zip(CASES.items(), result.latest):
        report = result.reports[sub.sha256]
        assert report.unit_code == campaign.units[i].code
        assert [(f.code, f.cell) for f in report.findings if f.severity != "info"] == []
        saved = read_submission(sub.stored_path, max_row=expected_max_row(campaign.framework))
        libreoffice_total = saved.cell(ROW["total"], "F").value
        expected = score_answers(campaign.framework, _decimal_answers(answers)).total
        assert report.total_self == libreoffice_total == expected, (i, report.total_self, libreoffice_total)
        for code in answers:
            assert saved.cell(ROW[code], "F").value == report.items[code].score


def test_rows_inserted_and_deleted_in_libreoffice(tmp_path, campaign, soffice):
    src = tmp_path / "src.xlsx"
    src.write_bytes(filled(campaign, campaign.units[0]))
    inserted, deleted = tmp_path / "X01 - Phường An Lưu.xlsx", tmp_path / "X01 xoa dong.xlsx"
    uno_edit_many([
        {"src": src, "dest": inserted, "ops": [("insert_rows", layout.SHEET_ASSESS, ROW["1.3"], 2)]},
        {"src": src, "dest": deleted, "ops": [("delete_rows", layout.SHEET_ASSESS, ROW["1.4"], 1)]},
    ], soffice=soffice)
    max_row = expected_max_row(campaign.framework)
    report = validate(campaign, read_submission(inserted, max_row=max_row))
    assert [(f.code, f.severity) for f in report.findings] == [("rows-shifted", "warning")]
    assert "«1.3» ở dòng 11 thay vì dòng 9" in report.findings[0].message
    assert report.total_self == MINI_TOTAL and report.items["1.3"].score == Decimal(2)

    report = validate(campaign, read_submission(deleted, max_row=max_row))
    found = [(f.code, f.item) for f in report.findings if f.severity == "error"]
    assert ("row-missing", "1.4") in found
    assert report.status == "errors" and "1.4" not in report.items
