"""Proof that the workbook's formulas compute parxl's scores, in a real engine (LibreOffice).

Each scenario fills every item of a boundary criteria set with one case of
its list (ratio bands exactly at and around 70 % / 90 % / 95,5 %, zero and
blank denominators; counts down to the floor and up to the cap; every level,
blank and wrong text; binary; manual 0, max, over max, steps of 0,25 and
sums like 0,1 + 0,2). LibreOffice recalculates everything (forced) and saves;
item scores, subtotals, total and the summary's sub-indexes must equal
``scoring.score_answers`` exactly.
"""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from parxl.core.numbers import quantize, to_decimal
from parxl.criteria.scoring import score_answers
from parxl.workbook import layout
from parxl.workbook.build import build_workbook

from conftest import make_campaign
from support.libreoffice import recalculate, uno_fill_and_save_many
from support.workbooks import cell_of

pytestmark = pytest.mark.libreoffice

BOUNDARY = Path(__file__).parent / "support" / "boundary.yaml"


def _r(n, d):
    return {"numerator": n, "denominator": d}


CASES: dict[str, list[dict]] = {
    "1.1.1": [_r(90, 100), _r(91, 100), _r(9001, 10000), _r(8999, 10000), _r(70, 100), _r(6999, 10000),
              _r(7001, 10000), _r(0, 0), _r(None, 100), _r(5, None), _r(None, None), _r(120, 100), _r(0, 5),
              _r(2, 3), _r(9, 10), _r(1, 1), _r(0, 1)],
    "1.1.2": [_r(955, 1000), _r(954, 1000), _r(9551, 10000), _r(191, 200), _r(1, 2), _r(4999, 10000),
              _r(0, 0), _r(None, 0), _r(19099, 20000), _r(5, 10)],
    "1.2": [{"choice": c} for c in ("Ban hành kịp thời", "Ban hành không kịp thời", "Ban hành, nhưng thiếu nội dung",
                                    "Không ban hành", None, "abc", "ban hành kịp thời", " Ban hành kịp thời")],
    "1.3": [{"choice": c} for c in ("Đạt", "Không đạt", None, "đạt", "Dat")],
    "1.4": [{"count": c} for c in (0, 1, 3, 4, 5, None, 2)],
    "1.5": [{"count": c} for c in (0, 2, 4, 7, None, 1)],
    "1.6.1": [{"score": s} for s in (0, 1, 1.5, 0.25, 0.75, -1, None, 0.5)],
    "1.6.2": [{"score": s} for s in (0.1, 0.2, 0.3, 0.7, 0.9, 0.6)],
    "1.6.3": [{"score": s} for s in (0.2, 0.1, 0.6, 0.4, 0.1, 0.3, 0.7)],
    "1.6.4": [{"score": s} for s in (0.125, 1.005, 2.675, 0.005, 3.999, 0.33, 4, 4.2, 0.015)],
    "T1": [{"choice": c} for c in ("Đạt", None, "Không đạt")],
    "T2": [{"score": s} for s in (0.1, 0.2, None, 1)],
    "D1": [{"count": c} for c in (0, 1, 2, 5, None)],
}
N_SCENARIOS = max(len(v) for v in CASES.values())
SCENARIOS = [{code: cases[i % len(cases)] for code, cases in CASES.items()} for i in range(N_SCENARIOS)]


def _answers(scenario: dict) -> dict:
    """The scenario as parxl reads it: numbers exact (from their decimal spelling)."""
    return {code: {k: (v if v is None or isinstance(v, str) else to_decimal(v)) for k, v in inputs.items()}
            for code, inputs in scenario.items()}


def _fill_with_openpyxl(data: bytes, scenario: dict, dest: Path) -> None:
    """Write the inputs into the generated file (test inputs only: openpyxl round trips are not for users)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for code, inputs in scenario.items():
        for key, value in inputs.items():
            sheet, ref = cell_of(wb, layout.name_input(code, key))
            wb[sheet][ref].value = value
    wb.save(dest)


def _number(value) -> Decimal:
    return Decimal(0) if value is None else to_decimal(value)


def _assert_engine_agrees(campaign, path: Path, scenario: dict) -> None:
    fw = campaign.framework
    expected = score_answers(fw, _answers(scenario))
    wb = openpyxl.load_workbook(path, data_only=True)

    def value(name: str):
        sheet, ref = cell_of(wb, name)
        return wb[sheet][ref].value

    got_items = {i.code: _number(value(layout.name_score(i.code))) for i in fw.items}
    assert got_items == expected.items, scenario
    got_subtotals = {code: _number(value(layout.name_subtotal(code))) for code in expected.subtotals}
    assert got_subtotals == expected.subtotals, scenario
    assert _number(value(layout.NAME_TOTAL)) == expected.total, scenario
    summary = wb[layout.SHEET_SUMMARY]
    for r, field in enumerate(fw.fields, start=5):
        assert _number(summary.cell(r, 4).value) == expected.subtotals[field.code]
        assert _number(summary.cell(r, 5).value) == quantize(expected.subtotals[field.code] / field.max * 100, 2)


@pytest.fixture(scope="module")
def boundary_campaign(tmp_path_factory):
    return make_campaign(tmp_path_factory.mktemp("lo") / "bien", criteria=BOUNDARY)


@pytest.fixture(scope="module")
def recalculated(boundary_campaign, soffice, tmp_path_factory):
    """Every scenario filled with openpyxl, then recalculated by LibreOffice in one call."""
    work = tmp_path_factory.mktemp("filled")
    blank = build_workbook(boundary_campaign, boundary_campaign.units[0])
    paths = []
    for i, scenario in enumerate(SCENARIOS):
        paths.append(work / f"scenario-{i:02d}.xlsx")
        _fill_with_openpyxl(blank, scenario, paths[-1])
    return recalculate(paths, tmp_path_factory.mktemp("recalculated"), soffice=soffice)


def test_every_case_is_used():
    assert all(any(s[code] == case for s in SCENARIOS) for code, cases in CASES.items() for case in cases)


@pytest.mark.parametrize("index", range(N_SCENARIOS))
def test_libreoffice_computes_parxl_scores(boundary_campaign, recalculated, index):
    _assert_engine_agrees(boundary_campaign, recalculated[index], SCENARIOS[index])


def test_scenarios_probe_the_boundaries(boundary_campaign):
    """The cases are the intended ones: the Python side lands on each side of every boundary."""
    fw = boundary_campaign.framework
    score = lambda code, inputs: fw.item(code).score(_answers({code: inputs})[code], 2)  # noqa: E731
    assert [score("1.1.1", c) for c in CASES["1.1.1"][:8]] == [1, 2, 2, 1, 1, 0, 1, 2]
    assert [score("1.1.2", c) for c in CASES["1.1.2"][:8]] == [3, Decimal("1.5"), 3, 3, Decimal("1.5"), 0, 0, 0]
    assert [score("1.4", c) for c in CASES["1.4"]] == [2, Decimal("1.5"), Decimal("0.5"), 0, 0, 0, 1]
    assert [score("1.6.4", c) for c in CASES["1.6.4"][:3]] == [Decimal("0.13"), Decimal("1.01"), Decimal("2.68")]


def test_blank_generated_workbook_computes_zero(boundary_campaign, soffice, tmp_path):
    src = tmp_path / "in" / "blank.xlsx"
    src.parent.mkdir()
    src.write_bytes(build_workbook(boundary_campaign, boundary_campaign.units[0]))
    (out,) = recalculate([src], tmp_path / "out", soffice=soffice)
    _assert_engine_agrees(boundary_campaign, out, {})
    wb = openpyxl.load_workbook(out)  # a LibreOffice round trip keeps names, validations, protection
    assert layout.NAME_TOTAL in wb.defined_names
    assert wb[layout.SHEET_ASSESS].protection.sheet and wb[layout.SHEET_ASSESS].data_validations.dataValidation


def test_uno_fill_like_a_user_then_calculate(boundary_campaign, soffice, tmp_path):
    """The UNO helper: cells set by defined name or by Sheet!ref, calculateAll(), saved as xlsx."""
    src = tmp_path / "blank.xlsx"
    src.write_bytes(build_workbook(boundary_campaign, boundary_campaign.units[0]))
    jobs = []
    for i in (0, 3):
        values = {layout.name_input(code, key): v for code, inputs in SCENARIOS[i].items() for key, v in inputs.items()}
        jobs.append((src, tmp_path / f"uno-{i}.xlsx", values))
    rows = {s.code: s.row for s in layout.plan_rows(boundary_campaign.framework) if s.item}
    jobs[1][2].pop(layout.name_input("1.3", "choice"))
    jobs[1][2][f"{layout.SHEET_ASSESS}!D{rows['1.3']}"] = "Đạt"  # the same cell, addressed by sheet and ref
    outs = uno_fill_and_save_many(jobs, soffice=soffice)
    _assert_engine_agrees(boundary_campaign, outs[0], SCENARIOS[0])
    _assert_engine_agrees(boundary_campaign, outs[1], {**SCENARIOS[3], "1.3": {"choice": "Đạt"}})


def test_recalculate_ignores_wrong_cached_values(soffice, tmp_path):
    src = tmp_path / "in" / "cached.xlsx"
    src.parent.mkdir()
    wb = xlsxwriter.Workbook(src)
    wb.add_worksheet().write_formula("A1", "=1+1", None, 5)  # a stale cached value
    wb.close()
    (out,) = recalculate([src], tmp_path / "out", soffice=soffice)
    assert openpyxl.load_workbook(out, data_only=True).active["A1"].value == 2


def test_recalculate_refuses_to_overwrite_its_inputs(tmp_path):
    with pytest.raises(ValueError):
        recalculate([tmp_path / "a.xlsx"], tmp_path)
    with pytest.raises(ValueError):
        recalculate([tmp_path / "x" / "a.xlsx", tmp_path / "y" / "a.xlsx"], tmp_path / "out")
