"""bonus_cap and penalty_cap: the bonus and the penalty each at most their cap, in Python and in the workbook.

Oracle by hand: the mini set with bonus T1 (binary, 1) + T2 (manual, 2) capped at 1,5 and penalty D1 (1 per
time, at most 1) + D2 (0,5 per time, at most 1) capped at 1.
"""
from __future__ import annotations

import io
from decimal import Decimal as D

import openpyxl
import pytest
import yaml

from parxl.criteria.framework import FrameworkError, parse_framework
from parxl.criteria.scoring import score_answers
from parxl.results.compute import UnitInput, consolidate
from parxl.workbook import layout
from parxl.workbook.build import Fill, build_workbook

from conftest import FIXTURES, make_campaign
from support.workbooks import cell_of
from test_validation import check, codes

BASE = {"1.1": {"choice": "Ban hành kịp thời"}, "1.2": {"choice": "Đạt"},
        "1.3": {"numerator": D(95), "denominator": D(100)}, "1.4": {"count": D(1)}, "1.5": {"score": D(1)}}  # 6,5
# (T1, T2, D1, D2) -> (bonus, penalty) by hand
CASES = [(("Đạt", D("0.25"), 0, 0), (D("1.25"), 0)), (("Đạt", D("0.5"), 1, 0), (D("1.5"), 1)),
         (("Đạt", D(2), 1, 2), (D("1.5"), 1)), ((None, D("1.5"), 0, 1), (D("1.5"), D("0.5")))]


def _data() -> dict:
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    data["bonus"].append({"code": "T2", "title": "Sáng kiến được công nhận", "max": 2,
                          "rule": {"type": "manual", "step": "0,25"}})
    data["penalty"].append({"code": "D2", "title": "Chậm báo cáo", "max": 1,
                            "rule": {"type": "count", "label": "Số lần", "per": "0,5", "cap": 1}})
    data["bonus_cap"], data["penalty_cap"] = "1,5", 1
    return data


@pytest.fixture
def capped(tmp_path):
    path = tmp_path / "capped.yaml"
    path.write_text(yaml.safe_dump(_data(), allow_unicode=True), encoding="utf-8")
    return make_campaign(tmp_path / "c", criteria=path)


def _answers(case):
    t1, t2, d1, d2 = case
    return {**BASE, "T1": {"choice": t1}, "T2": {"score": t2}, "D1": {"count": D(d1)}, "D2": {"count": D(d2)}}


def test_python_caps_bonus_and_penalty(capped):
    for case, (bonus, penalty) in CASES:
        s = score_answers(capped.framework, _answers(case))
        assert (s.bonus, s.penalty, s.total) == (bonus, penalty, D("6.5") + bonus - penalty), case


def test_a_cap_must_be_positive():
    data = _data()
    data["bonus_cap"] = 0
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    assert [p.path for p in exc.value.problems] == ["bonus_cap"]


def test_the_reader_accepts_the_capped_total_formula_and_results_cap(capped):
    case = CASES[2][0]
    ev = {code: ["https://ubnd.gov.vn/a.pdf"] for code in ("1.1", "1.2", "1.3", "1.4", "1.5", "T1", "T2", "D1", "D2")}
    report = check(capped, build_workbook(capped, capped.units[0], Fill(answers=_answers(case), evidence=ev)))
    assert report.errors == 0, codes(report)
    assert report.total_self == D("7.00")  # 6,5 + 1,5 − 1
    items = {"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D("1.5"), "1.5": D(1), "T1": D(1), "T2": D(2),
             "D1": D(1), "D2": D(1)}
    u = consolidate(capped, [UnitInput(capped.units[0], "ok", items, survey_scores={"2.1": D(3)})]).units[0]
    assert (u.bonus, u.penalty, u.total, u.self_total) == (D("1.5"), 1, D("10.00"), D("7.00"))  # 6,5+3+1,5−1 = 10


@pytest.mark.libreoffice
def test_libreoffice_caps_as_parxl(capped, soffice, tmp_path):
    from support.libreoffice import recalculate

    blank = build_workbook(capped, capped.units[0])
    (tmp_path / "in").mkdir()
    paths = []
    for n, (case, _) in enumerate(CASES):
        wb = openpyxl.load_workbook(io.BytesIO(blank))
        for code, inputs in _answers(case).items():
            for key, value in inputs.items():
                sheet, ref = cell_of(wb, layout.name_input(code, key))
                wb[sheet][ref].value = value
        paths.append(tmp_path / "in" / f"c{n}.xlsx")
        wb.save(paths[-1])
    for out, (case, (bonus, penalty)) in zip(recalculate(paths, tmp_path / "out", soffice=soffice), CASES):
        wb = openpyxl.load_workbook(out, data_only=True)
        sheet, ref = cell_of(wb, layout.NAME_TOTAL)
        assert D(str(wb[sheet][ref].value)) == D("6.5") + bonus - penalty, case
        summary = {r[1]: r[3] for r in wb[layout.SHEET_SUMMARY].iter_rows(values_only=True)}
        assert D(str(summary["Điểm thưởng"])) == bonus and D(str(summary["Điểm trừ"])) == penalty
