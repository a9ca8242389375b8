"""The third bundled sample set (xa-mau-mo-rong-2025) and its sample campaign (samples/tinh-mau-2025):
units of three types, every new key, from `parxl generate` to the master recomputed in LibreOffice.

Oracle by hand: a Xã is scored over 100 points, a Phường or an Đặc khu over 99,5 (6.1.3 is the Xã's only,
6.5 the Xã's and Phường's, 6.6 the Đặc khu's); 1.5 (2 points) is the appraisers' to score, so a unit that
scores everything else in full holds its type's appraised maximum less 2 before appraisal; T1 + T2 = 2
bonus points are capped at 1,5; no survey result yet.
"""
from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner

from parxl.campaign.folder import load_campaign
from parxl.cli import main
from parxl.criteria.framework import NA_KEY, load_framework
from parxl.criteria.rules import InputSpec
from parxl.workbook.build import Fill, build_workbook
from parxl.workbook.stamping import workbook_filename

from conftest import REPO

SET = REPO / "templates" / "criteria" / "xa-mau-mo-rong-2025.yaml"
SAMPLE = REPO / "samples" / "tinh-mau-2025"


def test_the_set_is_a_sample_using_every_new_key():
    fw = load_framework(SET)
    m = fw.model
    assert m.sample and "MẪU" in m.title and fw.total == 100
    assert m.bonus_cap == D("1.5") and m.penalty_cap == 2 and m.block_title
    items = fw.regular_items
    assert {i.code for i in items if i.not_applicable} == {"1.4.2", "6.4"}
    assert {i.code: i.applies_to for i in items if i.applies_to} == {
        "6.1.3": ("Xã",), "6.5": ("Xã", "Phường"), "6.6": ("Đặc khu",)}
    assert [(i.code, i.appraiser) for i in items if i.scored_by == "appraisers"] == [("1.5", "Văn phòng UBND tỉnh")]
    assert {k: fw.for_kind(k).total for k in ("Xã", "Phường", "Đặc khu")} == {"Xã": 100, "Phường": D("99.5"), "Đặc khu": D("99.5")}
    assert {i.code: i.rule.type for i in items if i.rule.type in ("proportional", "checklist")} == {
        "1.6": "checklist", "3.3.2": "proportional"}
    assert fw.item("6.1.1").rule.figures == "decimal"
    assert (SAMPLE / "criteria.yaml").read_text(encoding="utf-8") == SET.read_text(encoding="utf-8")


def test_framework_check_prints_totals_per_unit_type():
    out = CliRunner().invoke(main, ["framework", "check", "xa-mau-mo-rong-2025"])
    assert out.exit_code == 0, out.output
    rows = {m.group(1): [c for c in m.group(2).split() if c != "│"]
            for m in re.finditer(r"│ (Xã|Phường|Đặc khu|Loại khác)\s*│(.*)│", out.output)}
    assert {k: v[:3] for k, v in rows.items()} == {"Xã": ["70", "30", "100"], "Phường": ["69,5", "30", "99,5"],
                                                   "Đặc khu": ["69,5", "30", "99,5"], "Loại khác": ["68,5", "30", "98,5"]}


def _full(spec: InputSpec, item) -> object:
    """The input that earns the item's full points, by hand from the rule's words."""
    if spec.kind == "choice" and item.rule.type == "checklist":  # tick the lines that add, not the deduction
        line = item.rule.lines[spec.row - 1]
        return spec.options[0] if line.points > 0 else spec.options[1]
    if spec.kind == "choice":
        return spec.options[0]  # every sample's first option or Đạt is its best
    if spec.key == "numerator":
        return D(100)
    if spec.key == "denominator":
        return D(100)
    if spec.kind == "whole":
        return D(0)  # counts of violations
    return item.max  # a manual score


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample") / "tinh-mau-2025"
    shutil.copytree(SAMPLE, root)
    c = load_campaign(root)
    runner = CliRunner()
    assert runner.invoke(main, ["generate", str(root)]).exit_code == 0
    (root / "inbox").mkdir(exist_ok=True)
    for unit in c.units[:-1]:  # TM09 sends nothing
        fw = c.framework.for_kind(unit.kind)
        answers = {i.code: {s.key: _full(s, i) for s in i.rule.inputs(i.max)} for i in fw.items if i.self_scored}
        answers["T1"], answers["D1"], answers["D2"] = {"score": D(1)}, {"count": D(0)}, {"count": D(0)}
        explanations = {}
        if unit.code == "TM05":  # a Xã with no audit conclusion this year
            answers["6.4"] = {NA_KEY: "Không phát sinh"}
            explanations["6.4"] = "Trong năm không có kết luận thanh tra, kiểm toán nào"
        evidence = {i.code: [f"https://tinhmau.gov.vn/tlkc/{unit.code}/{i.code}.pdf"] for i in fw.items}
        (root / "inbox" / workbook_filename(unit)).write_bytes(
            build_workbook(c, unit, Fill(answers=answers, explanations=explanations, evidence=evidence)))
    out = runner.invoke(main, ["consolidate", str(root), "--json"])
    assert out.exit_code == 0, out.output
    return c, json.loads(out.stdout)


def test_each_type_is_indexed_over_its_own_maximum(consolidated):
    c, doc = consolidated
    got = {u["code"]: (D(u["total"]), D(u["index"])) for u in doc["ranking"] if u["total"] is not None}
    # Xã 68 + 1,5 bonus = 69,5 of 100; Phường, Đặc khu 67,5 + 1,5 = 69 of 99,5 = 69,35 %;
    # TM05 (Xã, 6.4 not applicable) 67 + 1,5 = 68,5 of 99 = 69,19 %.
    assert got == {"TM01": (69, D("69.35")), "TM02": (69, D("69.35")), "TM03": (69, D("69.35")),
                   "TM04": (D("69.5"), D("69.50")), "TM05": (D("68.5"), D("69.19")), "TM06": (D("69.5"), D("69.50")),
                   "TM07": (D("69.5"), D("69.50")), "TM08": (69, D("69.35"))}
    ranks = {u["code"]: u["rank"] for u in doc["ranking"]}
    assert ranks["TM04"] == 1 and ranks["TM01"] == 4 and ranks["TM05"] == 8 and ranks["TM09"] is None


@pytest.mark.libreoffice
def test_the_samples_master_recomputes_the_same_in_libreoffice(consolidated, soffice, tmp_path):
    from parxl.master.consolidation import results_from_ledger
    from test_master import close, poison_cached_values, ranking_rows, recalculated

    c, doc = consolidated
    master = Path(doc["master"])
    poisoned = tmp_path / "poisoned" / master.name
    poisoned.parent.mkdir()
    poison_cached_values(master, poisoned)
    cols, rows = ranking_rows(recalculated(poisoned, tmp_path, soffice))
    for u in results_from_ledger(c).ranked:
        row = rows[u.unit.code]
        assert close(row[cols["Chỉ số (%)"]], u.index) and row[cols["Xếp hạng"]] == u.rank, u.unit.code


def test_revenue_above_the_estimate_is_scored_not_rejected(tmp_path):
    """6.1.1 «Từ 100% trở lên» = 1 point: 1250,5 ÷ 1000 = 125,05 % is the top band (by hand), no error.
    A ratio whose bands stop at 100 % still rejects a numerator above its denominator."""
    from parxl.intake.submission import expected_max_row, read_submission
    from parxl.intake.validation import validate
    root = tmp_path / "tinh-mau-2025"
    shutil.copytree(SAMPLE, root)
    c = load_campaign(root)
    unit = c.units[0]
    fw = c.framework.for_kind(unit.kind)
    answers = {i.code: {s.key: _full(s, i) for s in i.rule.inputs(i.max)} for i in fw.items if i.self_scored}
    answers["6.1.1"] = {"numerator": D("1250.5"), "denominator": D(1000)}
    evidence = {i.code: [f"https://tinhmau.gov.vn/tlkc/{unit.code}/{i.code}.pdf"] for i in fw.items}
    data = build_workbook(c, unit, Fill(answers=answers, explanations={}, evidence=evidence))
    sub = read_submission(data, name=f"inbox/{workbook_filename(unit)}", max_row=expected_max_row(c.framework))
    report = validate(c, sub)
    assert [f for f in report.findings if f.severity == "error"] == []
    assert report.items["6.1.1"].score == 1
    # «Từ 100% trở lên» in 4.2.2 and 6.1.1 only; «Đạt 100%» (1.1.2) still refuses 120 of 100
    assert {i.code for i in fw.items if i.rule.type == "ratio" and i.rule.reaches_above_hundred} == {"4.2.2", "6.1.1"}
    answers["1.1.2"] = {"numerator": D(120), "denominator": D(100)}
    data = build_workbook(c, unit, Fill(answers=answers, explanations={}, evidence=evidence))
    sub = read_submission(data, name=f"inbox/{workbook_filename(unit)}", max_row=expected_max_row(c.framework))
    assert [(f.code, f.item) for f in validate(c, sub).findings if f.severity == "error"] == [
        ("ratio-numerator-exceeds", "1.1.2")]


def test_a_figure_with_more_decimals_than_the_set_allows_is_an_error_and_refused_by_the_workbook(tmp_path):
    """6.1.1 takes figures with 1 decimal (input_decimals: 1): 1250,55 has 2, an error naming its cell and
    the rounded figure to type (1250,6, by hand); the cell's data validation refuses it (ROUND(x,1)=x)."""
    import io
    import openpyxl
    from parxl.intake.submission import expected_max_row, read_submission
    from parxl.intake.validation import validate
    from parxl.workbook import layout
    root = tmp_path / "tinh-mau-2025"
    shutil.copytree(SAMPLE, root)
    c = load_campaign(root)
    unit = c.units[0]
    fw = c.framework.for_kind(unit.kind)
    answers = {i.code: {s.key: _full(s, i) for s in i.rule.inputs(i.max)} for i in fw.items if i.self_scored}
    answers["6.1.1"] = {"numerator": D("1250.55"), "denominator": D(1000)}
    evidence = {i.code: [f"https://tinhmau.gov.vn/tlkc/{unit.code}/{i.code}.pdf"] for i in fw.items}
    data = build_workbook(c, unit, Fill(answers=answers, explanations={}, evidence=evidence))
    sub = read_submission(data, name=f"inbox/{workbook_filename(unit)}", max_row=expected_max_row(c.framework))
    errors = [f for f in validate(c, sub).findings if f.severity == "error"]
    assert [(f.code, f.item) for f in errors] == [("input-too-many-decimals", "6.1.1")]
    assert "1.250,55" in errors[0].message and "1.250,6" in errors[0].message and errors[0].cell in errors[0].message
    ws = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEETS["assess"]]
    rules = [dv for dv in ws.data_validations.dataValidation if errors[0].cell in str(dv.sqref)]
    assert rules and rules[0].type == "custom" and f"ROUND({errors[0].cell},1)={errors[0].cell}" in rules[0].formula1


def test_a_blank_checklist_line_counts_as_not_done_not_as_a_zeroed_item(tmp_path):
    """1.6: lines 1–4 add 0,25 each, line 5 takes off 0,25. Line 2 left blank: 3 × 0,25 = 0,75 (by hand),
    and the warning says the line counts as «Không», not that the item scores 0."""
    from parxl.intake.submission import expected_max_row, read_submission
    from parxl.intake.validation import validate
    root = tmp_path / "tinh-mau-2025"
    shutil.copytree(SAMPLE, root)
    c = load_campaign(root)
    unit = c.units[0]
    fw = c.framework.for_kind(unit.kind)
    answers = {i.code: {s.key: _full(s, i) for s in i.rule.inputs(i.max)} for i in fw.items if i.self_scored}
    del answers["1.6"]["line2"]
    evidence = {i.code: [f"https://tinhmau.gov.vn/tlkc/{unit.code}/{i.code}.pdf"] for i in fw.items}
    data = build_workbook(c, unit, Fill(answers=answers, explanations={}, evidence=evidence))
    sub = read_submission(data, name=f"inbox/{workbook_filename(unit)}", max_row=expected_max_row(c.framework))
    report = validate(c, sub)
    assert report.items["1.6"].score == D("0.75")
    [f] = [f for f in report.findings if f.item == "1.6"]
    assert f.code == "input-blank-line" and f.severity == "warning"
    assert "«Không»" in f.message and "0 điểm" not in f.message and f.cell in f.message
