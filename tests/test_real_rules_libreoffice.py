"""LibreOffice proof of the rules real criteria sets need (issue 12, part A): ``proportional`` at 0, just
below, at and above ``full_at``, with a zero denominator and decimal figures; ``ratio`` on decimal figures
at its bands' ends; ``checklist`` at its floor and its max, negative lines included.

Every expected item score is worked out by hand (the comment beside each case) and must equal both
LibreOffice's recalculation of the generated workbook and parxl's own scoring (options whose text holds
«*», «?», «~» or starts with «>=» or «=» included); the reader and validation
then read the LibreOffice file back with no finding about the decimal figures.
"""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from parxl.core.numbers import to_decimal
from parxl.criteria.scoring import score_answers
from parxl.intake.submission import read_submission
from parxl.intake.validation import validate
from parxl.workbook import layout
from parxl.workbook.build import build_workbook

from conftest import FIXTURES, make_campaign
from support.libreoffice import recalculate
from support.workbooks import cell_of

REAL_RULES = FIXTURES / "real-rules.yaml"
D = Decimal


def _r(n, d):
    return {"numerator": n, "denominator": d}


def _ticks(*marks):
    """A checklist answer: «Có», «Không» or None (blank) per line, in order."""
    return {f"line{i + 1}": m for i, m in enumerate(marks)}


Y, N = "Có", "Không"
# (inputs, expected points), by hand.
CASES: dict[str, list[tuple[dict, Decimal]]] = {
    # max 2, full at 100 %: points = 2 × min(ratio, 100 %) / 100 %
    "1.1": [(_r(0, 100), D(0)),                  # at 0
            (_r(937, 1000), D("1.87")),          # 1,874
            (_r(9974, 10000), D("1.99")),        # just below full_at: 1,9948
            (_r(9975, 10000), D("2.00")),        # 1,995 rounds half up
            (_r(100, 100), D(2)),                # at full_at
            (_r(120, 100), D(2)),                # above: capped at the max
            (_r(0, 0), D(2)),                    # zero denominator: max
            (_r(None, 5), D(0)),                 # blank
            (_r(1, 3), D("0.67")),               # 0,666…
            (_r(13, 16), D("1.63"))],            # 1,625 rounds half up
    # max 1,5, full at 95,5 %, decimals: points = 1,5 × min(n/d ÷ 0,955, 1); zero denominator 0
    "1.2": [(_r(0, D("12.5")), D(0)),                # at 0
            (_r(D("95.49"), 100), D("1.50")),        # just below: 1,49984…
            (_r(D(90), 100), D("1.41")),             # 1,41361…
            (_r(D("95.5"), 100), D("1.5")),          # at full_at
            (_r(D("95.51"), 100), D("1.5")),         # just above
            (_r(D(0), D(0)), D(0)),                  # zero denominator: 0 points
            (_r(D("0.005"), 1), D("0.02")),          # figure rounded to 0,01 first: 1,5 × 0,01 ÷ 0,955 = 0,0157
            (_r(D("1234567.89"), D(1300000)), D("1.49")),  # 1,5 × 0,94966761 ÷ 0,955 = 1,49162…
            (_r(D("47.75"), 100), D("0.75"))],       # exactly half of full_at
    # max 2; «Thực hiện trên 90% kế hoạch» 2, «Từ 70% - 90%» 1, «Dưới 70% kế hoạch» 0; three decimals
    "1.3": [(_r(D("90.001"), 100), D(2)),
            (_r(D("0.9"), 1), D(1)),                 # exactly 90 %: «từ 70% - 90%» includes it
            (_r(D("63"), D("70")), D(1)),            # 90 %
            (_r(D("0.7"), 1), D(1)),                 # exactly 70 %
            (_r(D("0.699"), 1), D(0)),
            (_r(D("12.345"), D("13.716")), D(2)),    # 90,0044 %
            (_r(D("1.1"), D("1.222")), D(2)),        # 90,016 %
            (_r(D(0), D(0)), D(2))],                 # zero denominator: max
    # max 1, floor 0: +0,25 × 5 lines, −0,25 and −0,5
    "1.4": [(_ticks(Y, Y, Y, Y, N, N, N), D(1)),     # max
            (_ticks(Y, Y, Y, Y, Y, N, N), D(1)),     # 1,25 capped at the max
            (_ticks(Y, Y, Y, Y, Y, Y, N), D(1)),     # 1,25 − 0,25 = 1
            (_ticks(Y, Y, Y, Y, N, Y, N), D("0.75")),
            (_ticks(N, N, N, N, N, N, N), D(0)),     # floor
            (_ticks(Y, N, N, N, N, Y, Y), D(0)),     # 0,25 − 0,75 → floor 0
            (_ticks(None, None, None, None, None, None, None), D(0)),
            (_ticks(Y, Y, None, "có", N, N, Y), D("0.25")),  # «có» ticks as Excel's = ignores case
            (_ticks(Y, Y, N, N, N, N, Y), D(0))],    # 0,5 − 0,5
    # options whose text holds wildcards or starts with a comparison: each scores exactly its own points
    "1.5": [({"choice": ">=90% *"}, D(1)), ({"choice": ">=90% x"}, D("0.75")), ({"choice": "Đạt?"}, D("0.5")),
            ({"choice": "=A~"}, D("0.25")), ({"choice": "Không *"}, D(0)), ({"choice": ">=90% xyz"}, D(0)),
            ({"choice": "Đạt!"}, D(0)), ({"choice": "=A"}, D(0)), ({"choice": None}, D(0))],
}
N_SCENARIOS = max(len(v) for v in CASES.values())
SCENARIOS = [{code: cases[i % len(cases)][0] for code, cases in CASES.items()} for i in range(N_SCENARIOS)]
EXPECTED = [{code: cases[i % len(cases)][1] for code, cases in CASES.items()} for i in range(N_SCENARIOS)]


def _answers(scenario: dict) -> dict:
    return {code: {k: (v if v is None or isinstance(v, str) else to_decimal(v)) for k, v in inputs.items()}
            for code, inputs in scenario.items()}


def _cell_value(v):
    return float(v) if isinstance(v, Decimal) else v


@pytest.fixture(scope="module")
def real_campaign(tmp_path_factory):
    return make_campaign(tmp_path_factory.mktemp("real") / "bo-that", criteria=REAL_RULES)


def test_parxl_scores_the_hand_worked_cases(real_campaign):
    fw = real_campaign.framework
    for code, cases in CASES.items():
        for inputs, expected in cases:
            assert fw.item(code).score(_answers({code: inputs})[code], 2) == expected, (code, inputs)


@pytest.fixture(scope="module")
def recalculated(real_campaign, soffice, tmp_path_factory):
    work = tmp_path_factory.mktemp("filled")
    blank = build_workbook(real_campaign, real_campaign.units[0])
    paths = []
    for i, scenario in enumerate(SCENARIOS):
        wb = openpyxl.load_workbook(io.BytesIO(blank))
        for code, inputs in scenario.items():
            for key, value in inputs.items():
                sheet, ref = cell_of(wb, layout.name_input(code, key))
                wb[sheet][ref].value = _cell_value(value)
                if isinstance(value, str):
                    wb[sheet][ref].data_type = "s"  # text as picked from the dropdown, even «=A~»
            sheet, ref = cell_of(wb, layout.name_evidence(code))
            wb[sheet][ref].value = f"https://xa-mau.gov.vn/tlkc/{code}-{i}.pdf"
        paths.append(work / f"scenario-{i:02d}.xlsx")
        wb.save(paths[-1])
    return recalculate(paths, tmp_path_factory.mktemp("recalculated"), soffice=soffice)


@pytest.mark.libreoffice
@pytest.mark.parametrize("index", range(N_SCENARIOS))
def test_libreoffice_computes_the_hand_worked_scores(real_campaign, recalculated, index):
    fw = real_campaign.framework
    wb = openpyxl.load_workbook(recalculated[index], data_only=True)

    def value(name: str) -> Decimal:
        sheet, ref = cell_of(wb, name)
        v = wb[sheet][ref].value
        return D(0) if v is None else to_decimal(v)

    expected = EXPECTED[index]
    got = {code: value(layout.name_score(code)) for code in CASES}
    assert got == expected, SCENARIOS[index]
    parxl = score_answers(fw, _answers(SCENARIOS[index]))
    assert value(layout.name_subtotal("1")) == parxl.subtotals["1"] == sum(expected.values())
    assert value(layout.NAME_TOTAL) == parxl.total

    # the reader and validation read LibreOffice's file: decimal figures accepted, the same scores
    report = validate(real_campaign, read_submission(recalculated[index]))
    for code in CASES:
        assert report.items[code].score == expected[code], code
    codes = {f.code for f in report.findings}
    assert not codes & {"input-not-whole", "input-not-number", "formula-altered", "locked-cell-changed",
                        "cached-value-differs"}, codes
    off_list = SCENARIOS[index]["1.5"]["choice"] in (">=90% xyz", "Đạt!", "=A")
    assert ("input-not-option" in codes) == off_list, codes


def test_decimal_figures_and_tick_cells_are_guided_in_the_workbook(real_campaign):
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(real_campaign, real_campaign.units[0])))
    ws = wb[layout.SHEET_ASSESS]

    def validation(code: str, key: str):
        _, ref = cell_of(wb, layout.name_input(code, key))
        (dv,) = [v for v in ws.data_validations.dataValidation if ref in v.sqref]
        return ref, dv

    ref, dv = validation("1.2", "numerator")  # decimal figure: any number ≥ 0 with at most its 2 decimals
    assert (dv.type, dv.formula1) == ("custom", f"AND(ISNUMBER({ref}),{ref}>=0,ROUND({ref},2)={ref})")
    assert "tối đa 2 chữ số thập phân" in dv.prompt
    ref, dv = validation("1.3", "denominator")
    assert dv.type == "custom" and f"ROUND({ref},3)={ref}" in dv.formula1 and "tối đa 3 chữ số thập phân" in dv.prompt
    ref, dv = validation("1.1", "numerator")  # whole figures stay whole
    assert dv.type == "whole"
    item_row = next(s.row for s in layout.plan_rows(real_campaign.framework) if s.code == "1.4")
    for i in range(7):  # a checklist's lines: one tick dropdown each, on its own row below the item
        ref, dv = validation("1.4", f"line{i + 1}")
        assert ref == f"D{item_row + 1 + i}"
        assert dv.type == "list" and dv.formula1 == layout.name_options("1.4")
    assert ws[f"B{item_row + 6}"].value == "f) Báo cáo chậm so với quy định (−0,25 điểm)"
    assert ws[f"B{item_row + 1}"].value == "a) Tuyên truyền trên cổng thông tin điện tử (+0,25 điểm)"


def test_check_and_consolidate_carry_the_new_rules_through_the_ledger(tmp_path):
    """Two units answer every new rule; ``parxl check`` and ``consolidate`` keep parxl's points, worked out by
    hand: 1,87 + 1,50 + 1 + (0,75 − 0,25) + 0,5 + 2,25 = 7,62 of 10 (no survey part: index 76,20 %)."""
    from click.testing import CliRunner

    from parxl.cli import main
    from parxl.master.consolidation import results_from_ledger
    from parxl.workbook.build import Fill
    from parxl.workbook.stamping import workbook_filename

    campaign = make_campaign(tmp_path / "dot", criteria=REAL_RULES)
    answers = {"1.1": _r(D(937), D(1000)), "1.2": _r(D("95.49"), D(100)), "1.3": _r(D("0.9"), D(1)),
               "1.4": _ticks(Y, Y, Y, N, N, Y, N), "1.5": {"choice": "Đạt?"}, "1.6": {"score": D("2.25")}}
    fill = Fill(answers=answers, evidence={code: [f"https://xa-mau.gov.vn/tlkc/{code}.pdf"] for code in answers})
    campaign.inbox_dir.mkdir(parents=True, exist_ok=True)
    for unit in campaign.units[:2]:
        (campaign.inbox_dir / workbook_filename(unit)).write_bytes(build_workbook(campaign, unit, fill))
    assert CliRunner().invoke(main, ["check", str(campaign.root)]).exit_code == 0
    assert CliRunner().invoke(main, ["consolidate", str(campaign.root)]).exit_code == 0
    ranked = {u.unit.code: u for u in results_from_ledger(campaign).ranked}
    assert sorted(ranked) == ["X01", "X02"]
    for u in ranked.values():
        assert u.total == D("7.62") and u.index == D("76.20") and u.band == "Chưa tốt"
