"""Items by unit type (``applies_to``): absent from the workbook and the maximum of the other types.

The oracle is arithmetic by hand on tests/fixtures/mini-kinds.yaml: the mini set (appraised 7, survey 3)
plus 1.6 (1 point, Xã and Đặc khu), 1.7 (1 point, Phường) and 1.8 (0,5 point, Xã): a Xã is scored over
11,5 points, a Phường or Đặc khu over 11, any other type over 10. The units: X01 Phường, X02 Xã, X03 Phường.
"""
from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from parxl.cli import main
from parxl.criteria.framework import FrameworkError, parse_framework
from parxl.criteria.scoring import score_answers
from parxl.workbook import layout
from parxl.workbook.build import Fill, build_workbook
from parxl.workbook.stamping import generate

from conftest import FIXTURES, make_campaign
from support.workbooks import cell_of
from test_validation import check, codes

KINDS_SET = FIXTURES / "mini-kinds.yaml"
D = Decimal
ANSWERS = {"1.1": {"choice": "Ban hành kịp thời"}, "1.2": {"choice": "Đạt"},
           "1.3": {"numerator": D(95), "denominator": D(100)}, "1.4": {"count": D(0)}, "1.5": {"score": D(1)},
           "1.6": {"choice": "Đạt"}, "1.7": {"choice": "Đạt"}, "1.8": {"choice": "Đạt"},
           "T1": {"choice": "Không đạt"}, "D1": {"count": D(0)}}


@pytest.fixture
def kinds_campaign(tmp_path):
    return make_campaign(tmp_path / "k", criteria=KINDS_SET)


def _data() -> dict:
    return yaml.safe_load(KINDS_SET.read_text(encoding="utf-8"))


def test_each_type_sees_its_own_items_and_totals(kinds_campaign):
    fw = kinds_campaign.framework
    assert fw.kinds == ["Xã", "Đặc khu", "Phường"]  # «xã» in 1.8 is the same type as «Xã»
    seen = {kind: ([i.code for i in fw.for_kind(kind).regular_items if i.field_code == "1"],
                   fw.for_kind(kind).total, fw.for_kind(kind).part_max("appraised"))
            for kind in ("Xã", "XÃ", "Đặc khu", "Phường", "Thị trấn")}
    base = ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert seen == {"Xã": (base + ["1.6", "1.8"], D("11.5"), D("8.5")), "XÃ": (base + ["1.6", "1.8"], D("11.5"), D("8.5")),
                    "Đặc khu": (base + ["1.6"], 11, 8), "Phường": (base + ["1.7"], 11, 8), "Thị trấn": (base, 10, 7)}
    assert fw.for_kind("Phường").fingerprint == fw.fingerprint
    assert load_mini().for_kind("Phường") is load_mini()  # a set without applies_to: the same object


_MINI = []


def load_mini():
    from parxl.criteria.framework import load_framework
    if not _MINI:
        _MINI.append(load_framework(FIXTURES / "mini.yaml"))
    return _MINI[0]


@pytest.mark.parametrize("change, path", [
    (lambda d: d["fields"][0].__setitem__("max", 9), "fields[0].max"),            # 8,5 is the largest type's sum
    (lambda d: d["fields"][0].__setitem__("max", "9,5"), "fields[0].max"),        # the sum of every item is not it
    (lambda d: d.__setitem__("total", 12), "total"),
    (lambda d: d["parts"]["appraised"].__setitem__("max", "9,5"), "parts.appraised.max"),
])
def test_sums_are_checked_per_unit_type(change, path):
    data = _data()
    change(data)
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    assert path in [p.path for p in exc.value.problems]


def test_framework_check_prints_each_types_totals():
    out = CliRunner().invoke(main, ["framework", "check", str(KINDS_SET)])
    assert out.exit_code == 0, out.output
    rows = {m.group(1): m.group(2).split() for m in re.finditer(r"│ (Xã|Đặc khu|Phường|Loại khác)\s*│(.*)│", out.output)}
    clean = {k: [c for c in v if c != "│"] for k, v in rows.items()}
    assert clean == {"Xã": ["8,5", "3", "11,5", "8"], "Đặc khu": ["8", "3", "11", "7"],
                     "Phường": ["8", "3", "11", "7"], "Loại khác": ["7", "3", "10", "6"]}


def test_the_workbook_holds_only_the_units_types_items(kinds_campaign, tmp_path):
    x01, x02 = kinds_campaign.units[0], kinds_campaign.units[1]  # Phường, Xã
    paths = generate(kinds_campaign)
    for unit, path, present, absent in ((x01, paths[0], "1.7", ("1.6", "1.8")), (x02, paths[1], "1.6", ("1.7",))):
        wb = openpyxl.load_workbook(path)
        codes_in = [c.value for c in wb[layout.SHEET_ASSESS]["A"] if c.value]
        assert present in codes_in and not set(absent) & set(codes_in), unit.kind
        assert layout.name_score(present) in wb.defined_names
        # the stamped file shows what the plain build shows
        plain = openpyxl.load_workbook(io.BytesIO(build_workbook(kinds_campaign, unit)))
        assert [c.value for c in plain[layout.SHEET_ASSESS]["A"]] == [c.value for c in wb[layout.SHEET_ASSESS]["A"]]


def test_a_filled_workbook_reads_without_findings_and_scores_over_its_types_maximum(kinds_campaign):
    x01 = kinds_campaign.units[0]  # Phường
    ev = {code: [f"https://ubnd.gov.vn/{code}.pdf"] for code in ANSWERS}
    data = build_workbook(kinds_campaign, x01, Fill(answers=ANSWERS, evidence=ev))
    report = check(kinds_campaign, data)
    assert report.errors == 0, codes(report)
    assert set(report.items) == {"1.1", "1.2", "1.3", "1.4", "1.5", "1.7", "2.1", "T1", "D1"}
    assert report.total_self == 8  # 1 + 1 + 2 + 2 + 1 + 1 (1.7)


def test_results_index_over_the_types_maximum(kinds_campaign):
    from parxl.results.compute import UnitInput, consolidate

    full = {"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D(2), "1.5": D(1), "1.6": D(1), "1.7": D(1), "1.8": D("0.5")}
    u = kinds_campaign.units
    results = consolidate(kinds_campaign, [UnitInput(unit, "ok", full, survey_scores={"2.1": D(3)}) for unit in u])
    got = {r.unit.code: (r.total, r.max_points, r.index) for r in results.units}
    # Phường: 7 + 1 (1.7) + 3 = 11 of 11; Xã: 7 + 1 + 0,5 + 3 = 11,5 of 11,5 (1.7 not counted although sent)
    assert got == {"X01": (11, 11, 100), "X02": (D("11.5"), D("11.5"), 100), "X03": (11, 11, 100)}
    x01 = results.by_code("X01")
    assert not x01.items["1.6"].applies and x01.node_max["1"] == 8 and x01.field_index["1"] == 100


@pytest.mark.libreoffice
def test_libreoffice_computes_each_types_workbook_as_parxl(kinds_campaign, soffice, tmp_path):
    from support.libreoffice import recalculate

    (tmp_path / "in").mkdir()
    paths, sets = [], []
    for unit in kinds_campaign.units[:2]:
        fw = kinds_campaign.framework.for_kind(unit.kind)
        wb = openpyxl.load_workbook(io.BytesIO(build_workbook(kinds_campaign, unit)))
        given = {code: v for code, v in ANSWERS.items() if code in {i.code for i in fw.items}}
        for code, inputs in given.items():
            for key, value in inputs.items():
                sheet, ref = cell_of(wb, layout.name_input(code, key))
                wb[sheet][ref].value = value
        paths.append(tmp_path / "in" / f"{unit.code}.xlsx")
        wb.save(paths[-1])
        sets.append((fw, given))
    for out, (fw, given) in zip(recalculate(paths, tmp_path / "out", soffice=soffice), sets):
        wb = openpyxl.load_workbook(out, data_only=True)

        def value(name):
            sheet, ref = cell_of(wb, name)
            v = wb[sheet][ref].value
            return D(0) if v is None else D(str(v))

        expected = score_answers(fw, given)
        assert {i.code: value(layout.name_score(i.code)) for i in fw.items} == expected.items
        assert value(layout.name_subtotal("1")) == expected.subtotals["1"]
        assert value(layout.NAME_TOTAL) == expected.total
        summary = wb[layout.SHEET_SUMMARY]
        row = layout.SUMMARY["first_row"]
        assert D(str(summary[f"C{row}"].value)) == fw.fields[0].max  # the type's own field maximum
    assert [fw.fields[0].max for fw, _ in sets] == [8, D("8.5")]  # Phường, Xã by hand


def test_a_notice_lists_no_lost_points_on_items_outside_the_units_type(kinds_campaign):
    from parxl.documents.notices import lost_items, notice_context
    from parxl.results.compute import UnitInput, consolidate

    nothing = {code: D(0) for code in ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8")}
    results = consolidate(kinds_campaign, [UnitInput(unit, "ok", nothing, survey_scores={"2.1": D(0)})
                                           for unit in kinds_campaign.units])
    # By hand: a Phường loses 1.1-1.5 and 1.7 (1 + 1 + 2 + 2 + 1 + 1 = 8) and 2.1 (3); 1.6 (Xã, Đặc khu) and
    # 1.8 (Xã) are not its items; a Xã loses 1.6 and 1.8 instead of 1.7 (1 + 0,5 more); appraised max 8 / 8,5.
    want = {"X01": ({"1.1", "1.2", "1.3", "1.4", "1.5", "1.7", "2.1"}, "11,00", "8,00"),
            "X02": ({"1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.8", "2.1"}, "11,50", "8,50")}
    for code, (items, lost, max_appraised) in want.items():
        u = results.by_code(code)
        assert {row["code"] for _, row in lost_items(results, u)} == items
        ctx = notice_context(results, u)
        assert (ctx["lost_total"], ctx["max_appraised"]) == (lost, max_appraised)


def test_per_type_sum_messages_name_the_type_and_use_a_decimal_comma():
    """By hand on mini-kinds: field 1's largest sum is 8,5 (a Xã: 7 + 1 + 0,5) and the set's 11,5 (a Xã)."""
    data = _data()
    data["fields"][0]["max"] = 9
    data["total"] = "12,5"
    data["parts"]["appraised"]["max"] = "9,5"
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    messages = {p.path: p.message for p in exc.value.problems}
    assert messages["fields[0].max"].endswith("là 9 nhưng tổng các tiêu chí con là 8,5 (với «Xã»)")
    assert "tổng điểm các lĩnh vực là 11,5 (với «Xã»)" in messages["total"]
    assert "cộng lại 8,5 (với «Xã»)" in messages["parts.appraised.max"]
    assert not any(re.search(r"\d\.\d", m) for m in messages.values())


def test_an_item_whose_types_are_none_of_its_fields_is_a_problem():
    data = _data()
    data["fields"][0]["applies_to"] = ["Xã"]
    item = next(i for i in data["fields"][0]["items"] if i["code"] == "1.7")  # Phường only
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    found = [p for p in exc.value.problems if p.path.endswith(".applies_to")]
    assert len(found) == 1 and "«1.7»" in found[0].message and "không áp dụng cho đơn vị nào" in found[0].message
    assert item["applies_to"] == ["Phường"]


def test_generate_warns_of_units_whose_type_the_set_does_not_name(tmp_path):
    # mini-kinds names Xã, Đặc khu, Phường; «Thị trấn» and a blank «Loại» get workbooks without the typed items.
    from click.testing import CliRunner

    from parxl.cli import main

    units = "Mã,Tên đơn vị,Loại\nX01,Phường An Lưu,Phường\nX02,Thị trấn Minh Tân,Thị trấn\nX03,Xã Lê Ninh,\n"
    c = make_campaign(tmp_path / "k", criteria=KINDS_SET, units_csv=units)
    out = CliRunner().invoke(main, ["generate", str(c.root)])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert "2 đơn vị có cột «Loại» trống hoặc không phải loại nào bộ chỉ số nêu" in said
    assert "X02 (Thị trấn), X03 (trống)" in said and "X01" not in said.split("bộ chỉ số nêu")[1]


def test_a_workbook_made_for_another_type_is_said_to_be_so_not_blamed_on_the_unit(tmp_path):
    # X01's workbook is made while it is a Phường; the clerk then changes its «Loại» to Xã (which has 1.6 and
    # 1.8 more): its file is not read against the Xã items, and the finding says the type changed.
    from parxl.campaign.folder import load_campaign
    from parxl.intake.submission import read_submission
    from parxl.intake.validation import validate
    from parxl.workbook.build import build_workbook

    units = "Mã,Tên đơn vị,Loại\nX01,Phường An Lưu,Phường\n"
    c = make_campaign(tmp_path / "k", criteria=KINDS_SET, units_csv=units)
    path = tmp_path / "X01.xlsx"
    path.write_bytes(build_workbook(c, c.unit("X01")))
    (c.root / "units.csv").write_text(units.replace(",Phường\n", ",Xã\n"), encoding="utf-8")
    report = validate(load_campaign(c.root), read_submission(path))
    codes = [f.code for f in report.findings]
    assert codes == ["identity-kind-changed"], codes
    assert "«Phường»" in report.findings[0].message and "«Xã»" in report.findings[0].message
