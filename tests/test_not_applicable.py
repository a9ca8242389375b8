"""Items the unit marks not applicable («không phát sinh»): out of the unit's maximum everywhere.

The oracle of every figure is arithmetic by hand on the mini set with 1.2 (binary, 1 point) and 1.3
(ratio, 2 points) allowed to be marked «Không phát sinh»: field 1 is worth 7 points, survey field 2 is 3.
"""
from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

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
    # the mark with a trailing space or in NFD («Unicode tổ hợp»): the workbook's «=» takes it for no mark
    # (the item stays in the maximum: 7 of 7 applicable in field 1 with 1.2's 0, by hand), so parxl does too,
    # with an error telling the unit to choose the mark from the list
    import unicodedata
    for variant in (NA + " ", unicodedata.normalize("NFD", NA)):
        report = check(na_campaign, set_text(data, f"K{rows['1.2']}", variant))
        assert ("input-option-variant", f"K{rows['1.2']}") in codes(report, "error")
        assert NA_KEY not in report.items["1.2"].inputs


# --- LibreOffice: the workbook's formulas -------------------------------------------------------------
_SCENARIOS = [  # (answers on top of FULL, by hand: field 1 points, field 1 applicable max)
    ({}, 6, 6),                                                          # 1.2 not applicable: 6 of 6
    ({"1.2": {"choice": "Đạt"}}, 7, 7),                                  # no mark: 7 of 7
    ({"1.2": {"choice": "Không đạt"}}, 6, 7),                            # no mark, 0 points: 6 of 7
    ({"1.3": {NA_KEY: NA, "numerator": Decimal(95), "denominator": Decimal(100)}}, 4, 4),  # both marked: 4 of 4
    ({"1.3": {NA_KEY: "không phát sinh", "numerator": Decimal(1), "denominator": Decimal(2)}}, 4, 4),  # any case
    ({"1.3": {NA_KEY: "Khác", "numerator": Decimal(1), "denominator": Decimal(2)}}, 4, 6),  # other text: no mark
    ({"1.1": {"choice": "Ban hành không kịp thời"}}, Decimal("5.5"), 6),  # 5,5 of 6 = 91,67 %
]


def _fill_cells(data: bytes, answers: dict, dest) -> None:
    """The answers typed into the generated file by defined name (test inputs only)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for code, inputs in answers.items():
        for key, value in inputs.items():
            name = layout.name_not_applicable(code) if key == NA_KEY else layout.name_input(code, key)
            sheet, ref = cell_of(wb, name)
            wb[sheet][ref].value = value
    wb.save(dest)


@pytest.mark.libreoffice
def test_libreoffice_computes_scores_and_the_applicable_maximum(na_campaign, soffice, tmp_path):
    from support.libreoffice import recalculate

    fw = na_campaign.framework
    blank = build_workbook(na_campaign, na_campaign.units[0])
    (tmp_path / "in").mkdir()
    paths, answers = [], []
    for n, (change, _, _) in enumerate(_SCENARIOS):
        answers.append({**FULL, **change})
        paths.append(tmp_path / "in" / f"s{n}.xlsx")
        _fill_cells(blank, answers[-1], paths[-1])
    outs = recalculate(paths, tmp_path / "out", soffice=soffice)
    for out, given, (_, points, top) in zip(outs, answers, _SCENARIOS):
        wb = openpyxl.load_workbook(out, data_only=True)

        def value(name):
            sheet, ref = cell_of(wb, name)
            v = wb[sheet][ref].value
            return Decimal(0) if v is None else Decimal(str(v))

        expected = score_answers(fw, given)
        assert (expected.subtotals["1"], expected.applicable["1"]) == (points, top)  # parxl as by hand
        assert {i.code: value(layout.name_score(i.code)) for i in fw.items} == expected.items, given
        assert value(layout.name_subtotal("1")) == points
        assert value(layout.name_applicable_max("1")) == top
        assert value(layout.NAME_APPLICABLE_TOTAL) == top + 3
        assert value(layout.NAME_TOTAL) == expected.total
        summary = wb[layout.SHEET_SUMMARY]
        row = layout.SUMMARY["first_row"]
        assert Decimal(str(summary[f"C{row}"].value)) == top
        assert Decimal(str(summary[f"E{row}"].value)) == (Decimal(points) * 100 / top).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- results and the master -----------------------------------------------------------------------------
def _results(campaign):
    from parxl.results.compute import UnitInput, consolidate

    D = Decimal
    full = {"1.1": D(1), "1.2": D(0), "1.3": D(2), "1.4": D(2), "1.5": D(1)}
    u = campaign.units
    inputs = [  # by hand, survey 2.1 gets 3 of 3 points everywhere
        UnitInput(u[0], "ok", full, survey_scores={"2.1": D(3)}, not_applicable=frozenset({"1.2"})),   # 9 of 9
        UnitInput(u[1], "ok", full, survey_scores={"2.1": D(3)}),                                       # 9 of 10
        UnitInput(u[2], "ok", full, survey_scores={"2.1": D(3)}, not_applicable=frozenset({"1.2"}),
                  appraised_scores={"1.2": D(0)}),                                                      # overturned
    ]
    return consolidate(campaign, inputs, made_at="2025-12-20T08:15:00")


def test_a_unit_ranks_by_its_index_over_its_applicable_maximum(na_campaign):
    results = _results(na_campaign)
    got = {u.unit.code: (u.total, u.max_points, u.index, u.rank, u.not_applicable) for u in results.units}
    assert got == {"X01": (9, 9, Decimal("100.00"), 1, ["1.2"]), "X02": (9, 10, Decimal("90.00"), 2, []),
                   "X03": (9, 10, Decimal("90.00"), 2, [])}
    x01 = results.by_code("X01")
    assert x01.field_index["1"] == 100 and x01.node_max["1"] == 6  # 6 of 7 with the 1-point item out: 100 %
    assert results.by_code("X02").field_index["1"] == Decimal("85.71")


@pytest.mark.libreoffice
def test_the_master_recomputes_the_same_in_libreoffice(na_campaign, soffice, tmp_path):
    from parxl.master import write_master
    from test_master import close, poison_cached_values, ranking_rows, recalculated

    results = _results(na_campaign)
    master = write_master(results, tmp_path / "out")
    poisoned = tmp_path / "poisoned" / master.name
    poisoned.parent.mkdir()
    poison_cached_values(master, poisoned)
    for path in (master, recalculated(poisoned, tmp_path, soffice)):
        cols, rows = ranking_rows(path)
        assert list(rows) == ["X01", "X02", "X03"]
        for u in results.ranked:
            row = rows[u.unit.code]
            assert close(row[cols["Điểm tối đa tính chỉ số (trừ tiêu chí không phát sinh)"]], u.max_points)
            assert close(row[cols["Tổng điểm"]], u.total) and close(row[cols["Chỉ số (%)"]], u.index)
            assert row[cols["Xếp hạng"]] == u.rank


def test_the_mark_travels_from_the_file_through_the_ledger(tmp_path):
    from parxl.ledger.receive import run_intake
    from parxl.master.consolidation import results_from_ledger
    from parxl.workbook.stamping import workbook_filename

    c = make_campaign(tmp_path / "c", criteria=NA_SET)
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    for unit, marked in zip(c.units[:2], (True, False)):
        answers = dict(FULL) if marked else {**FULL, "1.2": {"choice": "Đạt"}}
        fill = mini_fill(answers, explanations={"1.2": "Trong năm không có kỳ báo cáo nào"} if marked else None)
        (c.inbox_dir / workbook_filename(unit)).write_bytes(build_workbook(c, unit, fill))
    run_intake(c)
    results = results_from_ledger(c)
    x01, x02 = results.by_code("X01"), results.by_code("X02")
    assert (x01.total, x01.max_points, x01.index, x01.not_applicable) == (6, 9, Decimal("66.67"), ["1.2"])
    assert (x02.total, x02.max_points, x02.index) == (7, 10, Decimal("70.00"))  # survey not in yet


def test_the_appraisers_see_the_claim_and_how_to_overturn_it(na_campaign):
    from parxl.appraisal.build import inputs_text

    item = na_campaign.framework.item("1.2")
    assert inputs_text(item, {NA_KEY: NA}).startswith("Đơn vị chọn «Không phát sinh»")
    assert "nhập điểm thẩm định" in inputs_text(item, {NA_KEY: NA})
    assert inputs_text(item, {"choice": "Đạt"}) == "Đạt"


def test_the_instructions_explain_the_mark(na_campaign):
    data = build_workbook(na_campaign, na_campaign.units[0])
    guide = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_GUIDE]
    assert any("Cột «Không phát sinh»" in str(c.value) for c in guide["A"])
    plain = make_campaign(na_campaign.root.parent / "plain2")
    guide2 = openpyxl.load_workbook(io.BytesIO(build_workbook(plain, plain.units[0])))[layout.SHEET_GUIDE]
    assert not any("Không phát sinh" in str(c.value) for c in guide2["A"])


def test_not_applicable_with_appraisers_or_bands_on_points_is_refused():
    """An item the appraisers score cannot be marked not applicable by the unit (the workbook and parxl
    would count its maximum differently); bands on points need one maximum for every unit."""
    import yaml
    data = yaml.safe_load(NA_SET.read_text(encoding="utf-8"))
    data["fields"][0]["items"][1]["scored_by"] = "appraisers"  # 1.2, not_applicable in the fixture
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    assert [(p.path, "cơ quan thẩm định" in p.message) for p in exc.value.problems] == [
        ("fields[0].items[1].not_applicable", True)]
    data = yaml.safe_load(NA_SET.read_text(encoding="utf-8"))
    data["fields"][0]["scored_by"] = "appraisers"  # inherited by 1.2
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    assert "fields[0].items[1].not_applicable" in [p.path for p in exc.value.problems]
    data = yaml.safe_load(NA_SET.read_text(encoding="utf-8"))
    data["bands_on"] = "points"
    data["bands"] = [{"label": "Tốt", "when": "Từ 5 điểm trở lên"}, {"label": "Khá", "when": "Dưới 5 điểm"}]
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    found = [p for p in exc.value.problems if "bands_on: percent" in p.message]
    assert [p.path for p in found] == ["fields[0].items[1].not_applicable", "fields[0].items[2].not_applicable"]
    assert all("cùng điểm tối đa" in p.message for p in found)


def test_a_mark_with_a_comma_or_a_quote_is_one_dropdown_option(tmp_path, soffice):
    """The mark's dropdown reads a one-cell range, not an inline list (which splits at the comma and breaks
    on a quote); LibreOffice opens the file and recomputes 1.2's applicable max to 0 when it is marked."""
    import yaml
    from support.libreoffice import recalculate
    mark = 'Không phát sinh, "không có kỳ báo cáo"'
    data = yaml.safe_load(NA_SET.read_text(encoding="utf-8"))
    for item in data["fields"][0]["items"]:
        if item.get("not_applicable"):
            item["not_applicable"] = mark
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    c = make_campaign(tmp_path / "q", criteria=path)
    answers = {**FULL, "1.2": {NA_KEY: mark}}
    xlsx = tmp_path / "in" / "q.xlsx"
    xlsx.parent.mkdir()
    xlsx.write_bytes(build_workbook(c, c.units[0], mini_fill(answers, explanations={"1.2": "Không có"})))
    wb = openpyxl.load_workbook(xlsx)
    ws = wb[layout.SHEET_ASSESS]
    _, ref = cell_of(wb, layout.name_not_applicable("1.2"))
    [dv] = [dv for dv in ws.data_validations.dataValidation if ref in str(dv.sqref)]
    sheet, cell = dv.formula1.split("!")
    assert wb[sheet.strip("'")][cell.replace("$", "")].value == mark
    out = openpyxl.load_workbook(recalculate([xlsx], tmp_path / "out", soffice=soffice)[0], data_only=True)
    _, amax = cell_of(wb, layout.name_applicable_max("1.2"))
    assert out[layout.SHEET_ASSESS][amax].value == 0  # marked: out of the maximum (by hand)
    assert out[layout.SHEET_ASSESS][ref].value == mark
