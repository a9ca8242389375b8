"""Items the unit marks not applicable («không phát sinh»): out of the unit's maximum everywhere.

The oracle of every figure is arithmetic by hand on the mini set with 1.2 (binary, 1 point) and 1.3
(ratio, 2 points) allowed to be marked «Không phát sinh»: field 1 is worth 7 points, survey field 2 is 3.
"""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from parxl.criteria.framework import NA_KEY, FrameworkError, parse_framework
from parxl.criteria.scoring import score_answers
from parxl.workbook import layout
from parxl.workbook.build import build_workbook

from conftest import FIXTURES, make_campaign
from support.tamper import mini_fill, set_text
from support.workbooks import cell_of
from test_validation import check, codes

NA_SET = FIXTURES / "mini-na.yaml"
NA = "Không phát sinh"
# 1.1 = 1, 1.2 not applicable, 1.3 = 2 (95 %), 1.4 = 2 (no violation), 1.5 = 1: 6 of the 6 applicable points.
FULL = {"1.1": {"choice": "Ban hành kịp thời"}, "1.2": {NA_KEY: NA}, "1.3": {"numerator": Decimal(95), "denominator": Decimal(100)},
        "1.4": {"count": Decimal(0)}, "1.5": {"score": Decimal(1)}, "T1": {"choice": "Không đạt"}, "D1": {"count": Decimal(0)}}


@pytest.fixture
def na_campaign(tmp_path):
    return make_campaign(tmp_path / "na", criteria=NA_SET)


def test_a_not_applicable_item_leaves_the_maximum(na_campaign):
    fw = na_campaign.framework
    s = score_answers(fw, FULL)
    assert s.items["1.2"] == 0 and s.subtotals["1"] == 6
    assert s.applicable["1"] == 6 and s.applicable["1.2"] == 0 and s.applicable_total == 9  # 10 - 1
    assert s.not_applicable == {"1.2"}
    # the mark is compared as Excel's «=» does: case-insensitively; anything else is no mark
    assert score_answers(fw, {"1.2": {NA_KEY: "KHÔNG PHÁT SINH"}}).applicable["1"] == 6
    assert score_answers(fw, {"1.2": {NA_KEY: "Không", "choice": "Đạt"}}).applicable["1"] == 7
    # marked, the inputs no longer count: 1.3 at 95 % would be 2 points
    marked = score_answers(fw, {"1.3": {NA_KEY: NA, "numerator": Decimal(95), "denominator": Decimal(100)}})
    assert marked.items["1.3"] == 0 and marked.applicable["1"] == 5


def test_only_leaves_scored_by_the_unit_may_be_not_applicable(mini_criteria):
    import yaml
    data = yaml.safe_load(NA_SET.read_text(encoding="utf-8"))
    data["fields"][0]["not_applicable"] = NA
    data["fields"][1]["items"][0]["not_applicable"] = NA
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    paths = [p.path for p in exc.value.problems]
    assert paths == ["fields[0].not_applicable", "fields[1].items[0].not_applicable"]


def test_the_workbook_has_the_mark_and_the_applicable_max(na_campaign):
    data = build_workbook(na_campaign, na_campaign.units[0], mini_fill(FULL, explanations={"1.2": "Không có báo cáo"}))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[layout.SHEET_ASSESS]
    assert ws[f"K{layout.HEADING_ROW}"].value == layout.NA_COLUMN_TITLES["not_applicable"]
    assert ws[f"L{layout.HEADING_ROW}"].value == layout.NA_COLUMN_TITLES["applicable_max"]
    sheet, ref = cell_of(wb, layout.name_not_applicable("1.2"))
    assert ws[ref].value == NA and ws[ref].protection.locked is False
    _, score = cell_of(wb, layout.name_score("1.2"))
    assert ws[score].value.startswith(f'=IF(K{ws[ref].row}="Không phát sinh",0,')
    _, amax = cell_of(wb, layout.name_applicable_max("1.2"))
    assert ws[amax].value == f'=IF(K{ws[ref].row}="Không phát sinh",0,C{ws[ref].row})'
    assert layout.NAME_APPLICABLE_TOTAL in wb.defined_names
    assert layout.name_not_applicable("1.1") not in wb.defined_names  # 1.1 may not be marked
    # the mini set without the key: no such columns
    plain = make_campaign(na_campaign.root.parent / "plain")
    ws2 = openpyxl.load_workbook(io.BytesIO(build_workbook(plain, plain.units[0])))[layout.SHEET_ASSESS]
    assert ws2[f"K{layout.HEADING_ROW}"].value is None


def test_the_reader_takes_the_mark_and_wants_an_explanation(na_campaign):
    fill = mini_fill(FULL, explanations={"1.2": "Trong năm không có kỳ báo cáo nào"})
    fill.evidence.pop("1.2", None)
    data = build_workbook(na_campaign, na_campaign.units[0], fill)
    report = check(na_campaign, data)
    assert report.errors == 0, codes(report)
    assert report.items["1.2"].inputs[NA_KEY] == NA and report.items["1.2"].score == 0
    assert report.total_self == 6
    assert not [c for c in codes(report) if c[0] == "input-blank"]  # a marked item needs no figure
    # without the explanation: one error at the explanation cell
    bare = build_workbook(na_campaign, na_campaign.units[0], mini_fill(FULL))
    rows = {s.code: s.row for s in layout.plan_rows(na_campaign.framework)}
    assert ("input-not-applicable-unexplained", f"G{rows['1.2']}") in codes(check(na_campaign, bare), "error")
    # another text in the mark's cell is no mark, and said so
    other = set_text(data, f"K{rows['1.3']}", "Không có")
    report = check(na_campaign, other)
    assert ("input-not-option", f"K{rows['1.3']}") in codes(report)
    assert NA_KEY not in report.items["1.3"].inputs
