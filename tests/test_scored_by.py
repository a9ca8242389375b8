"""scored_by: appraisers (the unit gives evidence and explanation only) and an item's own appraising office.

The mini set with 1.5 (manual, 1 point) scored by the appraisers and 1.3 (ratio, 2 points) appraised by
«Sở Tư pháp» instead of its field's «Phòng Nội vụ». Oracle: the figures by hand.
"""
from __future__ import annotations

import io
from decimal import Decimal as D

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from parxl.appraisal import layout as L
from parxl.cli import main
from parxl.ledger.receive import run_intake
from parxl.master.consolidation import results_from_ledger
from parxl.workbook import layout
from parxl.workbook.stamping import workbook_filename

from conftest import FIXTURES, make_campaign
from support.tamper import filled, set_text
from test_appraisal import fill, rows_of
from test_validation import check, codes


@pytest.fixture
def c(tmp_path):
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    items = data["fields"][0]["items"]
    items[4]["scored_by"] = "appraisers"
    items[2]["appraiser"] = "Sở Tư pháp"
    path = tmp_path / "set.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return make_campaign(tmp_path / "c", criteria=path)


def test_the_items_say_who_scores_and_who_appraises(c):
    fw = c.framework
    assert (fw.item("1.5").scored_by, fw.item("1.5").self_scored, fw.item("1.5").unit_evidence) == ("appraisers", False, True)
    assert fw.item("1.3").appraiser == "Sở Tư pháp" and fw.item("1.1").appraiser == "Phòng Nội vụ"
    groups = [(g.code, g.appraiser, [i.code for i in g.items]) for g in L.groups(fw)]
    assert groups[:2] == [("1", "Phòng Nội vụ", ["1.1", "1.2", "1.4", "1.5"]), ("1-2", "Sở Tư pháp", ["1.3"])]


def test_the_unit_gives_evidence_only_and_scores_nothing(c):
    data = filled(c, c.units[0], explanations={"1.5": "Sáng kiến «Một cửa số» được công nhận"})
    ws = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_ASSESS]
    row = next(r for r in range(1, 30) if ws.cell(r, 1).value == "1.5")
    assert ws.cell(row, 4).value == layout.APPRAISERS_NOTE and ws.cell(row, 6).value is None
    assert not ws.cell(row, 8).protection.locked  # evidence is the unit's
    report = check(c, data)
    assert report.errors == 0, codes(report)
    assert report.items["1.5"].score == 0 and report.items["1.5"].evidence  # 1.5's link was read
    assert report.total_self == D("6.5")  # 7,25 with 0,75 for 1.5 before: the unit scores it no more
    typed = check(c, set_text(data, f"D{row}", "1"))
    assert ("input-scored-by-appraisers", f"D{row}") in codes(typed, "error")


def test_the_appraisers_score_it_in_the_offices_workbook(c, tmp_path):
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / workbook_filename(c.unit("X01"))).write_bytes(filled(c, c.unit("X01")))
    run_intake(c, workers=1)
    out = CliRunner().invoke(main, ["appraise", str(c.root), "--json"])
    assert out.exit_code == 0, out.output
    folder = c.root / "output" / "tham-dinh" / "appraisal-1"
    names = sorted(p.name for p in folder.iterdir())
    justice = next(n for n in names if n.startswith("Thẩm định lĩnh vực 1-2"))
    assert "Sở Tư pháp" in justice
    main_book = next(n for n in names if n.startswith("Thẩm định lĩnh vực 1 -"))
    ws = openpyxl.load_workbook(folder / main_book)[L.SHEET_DATA]
    assert {i for _, i in rows_of(ws)} == {"1.1", "1.2", "1.4", "1.5"}
    assert ws.cell(rows_of(ws)[("X01", "1.5")], 6).value.startswith("Cơ quan thẩm định chấm")
    path = fill(folder / main_book, tmp_path / "filled" / main_book, {("X01", "1.5"): "0,75"})
    out = CliRunner().invoke(main, ["appraise", str(c.root), "--import", str(path), "--json"])
    assert out.exit_code == 0, out.output
    x01 = results_from_ledger(c).by_code("X01")
    assert x01.items["1.5"].final == D("0.75") and x01.total == D("7.25")  # 6,5 + 0,75


def test_consolidate_warns_of_items_the_appraisers_have_not_scored_yet(c, tmp_path, monkeypatch):
    from parxl.master.snapshot import _details_from as details_from, load_snapshot
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    for code in ("X01", "X02"):
        (c.inbox_dir / workbook_filename(c.unit(code))).write_bytes(filled(c, c.unit(code)))

    def warned() -> list[str]:
        out = CliRunner().invoke(main, ["consolidate", str(c.root), "--json"])
        assert out.exit_code == 0, out.output
        import json
        return [w for w in json.loads(out.output)["warnings"] if "do cơ quan thẩm định chấm" in w]

    # By hand: X01 and X02 both ranked, neither appraised on 1.5 yet; then round 1 scores X01's only.
    first = warned()
    assert len(first) == 1 and "1.5 (2 đơn vị)" in first[0] and "--import" in first[0] and "0 điểm" in first[0]
    # Nothing new: the results are the master's snapshot read back without the units' items, the same warning.
    from parxl.master import consolidation, snapshot
    read, loaded = [], []
    monkeypatch.setattr(snapshot, "_details_from", lambda *a: read.append(1) or details_from(*a))
    monkeypatch.setattr(consolidation, "load_snapshot", lambda *a, **k: loaded.append(k) or load_snapshot(*a, **k))
    assert warned() == first and loaded == [{"details": False}] and read == []
    monkeypatch.undo()
    assert CliRunner().invoke(main, ["appraise", str(c.root), "--json"]).exit_code == 0
    folder = c.root / "output" / "tham-dinh" / "appraisal-1"
    book = next(p for p in folder.iterdir() if p.name.startswith("Thẩm định lĩnh vực 1 -"))
    path = fill(book, tmp_path / "filled" / book.name, {("X01", "1.5"): "0,75"})
    assert CliRunner().invoke(main, ["appraise", str(c.root), "--import", str(path), "--json"]).exit_code == 0
    second = warned()
    assert len(second) == 1 and "1.5 (1 đơn vị)" in second[0]
    fill(book, tmp_path / "filled" / book.name, {("X01", "1.5"): "0,75", ("X02", "1.5"): "1"})
    assert CliRunner().invoke(main, ["appraise", str(c.root), "--import", str(path), "--json"]).exit_code == 0
    assert warned() == []
    out = CliRunner().invoke(main, ["consolidate", str(c.root)], env={"COLUMNS": "40"})
    assert out.exit_code == 0 and "do cơ quan thẩm định chấm" not in out.output


def test_the_scoring_text_says_the_appraisers_score_it_and_a_penalty_deducts(c):
    data = filled(c, c.units[0])
    ws = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_ASSESS]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
    title = lambda code: ws.cell(rows[code], 2).value.split("\n")  # noqa: E731
    # By hand from tests/fixtures/mini.yaml: 1.5 manual step 0,25 of 1 point; D1 count per 1, cap 1 (a penalty)
    assert title("1.5")[1] == "Cách chấm: cơ quan thẩm định chấm từ 0 đến 1 điểm, theo bước 0,25 điểm."
    assert title("D1")[1] == "Cách chấm: trừ 1 điểm cho mỗi «Số lần bị phê bình», tối đa 1 điểm."
    assert title("1.4")[1] == "Cách chấm: 2 điểm, trừ 0,5 điểm cho mỗi «Số văn bản», thấp nhất 0 điểm."  # unchanged
    # a workbook sent out before this wording (the rule's own text) is still read without a finding
    old = set_text(data, f"B{rows['1.5']}", "\n".join([title("1.5")[0], "Cách chấm: đơn vị tự chấm từ 0 đến 1 điểm, "
                                                                     "theo bước 0,25 điểm.", *title("1.5")[2:]]))
    old = set_text(old, f"B{rows['D1']}", "\n".join([title("D1")[0], "Cách chấm: 1 điểm cho mỗi «Số lần bị phê bình», "
                                                                    "tối đa 1 điểm.", *title("D1")[2:]]))
    assert "locked-cell-changed" not in [code for code, _ in codes(check(c, old))]
    edited = set_text(data, f"B{rows['D1']}", "\n".join([title("D1")[0], "Cách chấm: 5 điểm cho mỗi lần."]))
    assert ("locked-cell-changed", f"B{rows['D1']}") in codes(check(c, edited))
