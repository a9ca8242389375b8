"""The second half of the year: preliminary results, giải trình workbooks, round 2 (issue 13).

Self scores of the mini set (tests/support/tamper.py): X01 1.1 = 1, 1.2 = 1, 1.3 = 2, 1.4 = 1,5, 1.5 = 0,75,
T1 = 1, D1 = 0 (7,25 of 10: 72,50 %); X02 the same but 1.1 = 0 (6,25: 62,50 %); X03 sends nothing; no survey.
Round 1 below lowers X01 1.3 to 0 and 1.5 to 0,25 (4,75: 47,50 %, rank 2) and X02 1.2 to 0 (5,25: 52,50 %,
rank 1), and flags X02 1.5 without changing it. X01 explains 1.3 and round 2 gives it back its 2 points
(6,75: 67,50 %, rank 1: up one place); X02 explains 1.2, round 2 keeps 0 (still contested, rank 2).
"""
from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from parxl.appraisal import layout as AL
from parxl.cli import main
from parxl.explanation import layout as EL
from parxl.ledger.receive import run_intake
from parxl.workbook.stamping import workbook_filename
from support.tamper import filled

from conftest import make_campaign


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def rows_of(ws, first: int, unit_col: int = 1, item_col: int = 3) -> dict:
    return {(ws.cell(r, unit_col).value, ws.cell(r, item_col).value): r for r in range(first, ws.max_row + 1)
            if ws.cell(r, item_col).value}


def fill_appraisal(src: Path, dest: Path, scores: dict, notes: dict | None = None, flags=()) -> Path:
    """The appraiser's round: scores (col «Điểm thẩm định»), notes, flags («Cần giải trình»)."""
    wb = openpyxl.load_workbook(src)
    ws = wb[AL.SHEET_DATA]
    at = rows_of(ws, AL.HEADER_ROW + 1)
    col = {k: openpyxl.utils.column_index_from_string(AL.COL[k]) for k in ("score", "note", "flag")}
    for key, value in scores.items():
        ws.cell(at[key], col["score"]).value = value
    for key, note in (notes or {}).items():
        ws.cell(at[key], col["note"]).value = note
    for key in flags:
        ws.cell(at[key], col["flag"]).value = AL.FLAG_WORD
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


FIELD1 = "Thẩm định lĩnh vực 1 - Công tác chỉ đạo, điều hành CCHC.xlsx"


@pytest.fixture
def round1(tmp_path):
    """X01 and X02 self-assessed, round 1 appraised (X01 1.3 → 1; X02 1.2 → 0, X02 1.5 flagged)."""
    c = make_campaign(tmp_path / "c")
    text = (c.root / "campaign.yaml").read_text(encoding="utf-8")
    (c.root / "campaign.yaml").write_text(text + "explanation_deadline: 2026-03-15\n", encoding="utf-8")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / workbook_filename(c.unit("X01"))).write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / workbook_filename(c.unit("X02"))).write_bytes(
        filled(c, c.unit("X02"), answers={"1.1": {"choice": "Không ban hành"}}))
    run_intake(c, workers=1)
    assert cli("appraise", str(c.root)).exit_code == 0
    src = c.root / "output" / "tham-dinh" / "appraisal-1" / FIELD1
    done = fill_appraisal(src, tmp_path / "done" / FIELD1, {("X01", "1.3"): 0, ("X01", "1.5"): 0.25, ("X02", "1.2"): 0},
                          {("X01", "1.3"): "Tỷ lệ đúng hạn chỉ 65%", ("X02", "1.2"): "Báo cáo quý III chậm"},
                          flags=[("X02", "1.5")])
    out = cli("appraise", str(c.root), "--import", str(done), "--json")
    assert out.exit_code == 0, out.output
    return c


def test_preliminary_writes_a_notice_and_a_protected_workbook_per_appraised_unit(round1):
    out = cli("preliminary", str(round1.root), "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["round"] == "appraisal-1"
    assert {u["unit"]: u["contested"] for u in doc["units"]} == {"X01": ["1.3", "1.5"], "X02": ["1.2", "1.5"]}
    folder = round1.root / "output" / "so-bo"
    wb = openpyxl.load_workbook(folder / EL.workbook_name("X02", "Xã Lê Ninh", "appraisal-1"))
    assert wb[EL.SHEET_META].sheet_state in ("veryHidden", "hidden")
    meta = {r[0].value: r[1].value for r in wb[EL.SHEET_META].iter_rows()}
    assert (meta["kind"], meta["unit_code"], meta["round"]) == (EL.KIND, "X02", "appraisal-1")
    ws = wb[EL.SHEET_DATA]
    assert ws.protection.sheet
    assert [ws.cell(EL.HEADER_ROW, c).value for c in range(1, len(EL.COLUMNS) + 1)] == \
        [h for _, h in EL.COLUMNS.values()]
    rows = [[ws.cell(r, c).value for c in range(1, 8)] for r in range(EL.HEADER_ROW + 1, EL.HEADER_ROW + 3)]
    assert rows == [["1.2", "Báo cáo CCHC định kỳ", 1, 1, 0, "Báo cáo quý III chậm", EL.REASON_LOWER],
                    ["1.5", "Sáng kiến CCHC", 1, 0.75, 0.75, None, EL.REASON_FLAGGED]]
    col = {k: openpyxl.utils.column_index_from_string(EL.COL[k]) for k in EL.COLUMNS}
    for r in (EL.HEADER_ROW + 1, EL.HEADER_ROW + 2):
        unlocked = {k for k in EL.COLUMNS if ws.cell(r, col[k]).protection.locked is False}
        assert unlocked == set(EL.INPUT_COLUMNS)
    notice = Document(str(folder / "so-bo-lan-1-x02-xa-le-ninh.docx"))
    text = "\n".join(p.text for p in notice.paragraphs)
    tables = ["\n".join("|".join(c.text for c in row.cells) for row in t.rows) for t in notice.tables]
    assert "THÔNG BÁO" in text and "Kết quả thẩm định sơ bộ Chỉ số cải cách hành chính năm 2025 của Xã Lê Ninh" in text
    assert "15/03/2026" in text
    # field 1: self 1.1 0 + 1.2 1 + 1.3 2 + 1.4 1,5 + 1.5 0,75 = 5,25; after round 1: 1.2 → 0: 4,25
    assert any("Công tác chỉ đạo, điều hành CCHC|7,00|5,25|4,25|-1,00" in t for t in tables), tables
    # all points: 5,25 + bonus 1 − penalty 0 = 6,25 → 5,25
    assert "tổng điểm tự đánh giá: 6,25 điểm; tổng điểm sau thẩm định: 5,25 điểm (chênh lệch -1,00 điểm)" in text.lower()
    assert any("1.2|Báo cáo CCHC định kỳ|1,00|0,00|Báo cáo quý III chậm" in t for t in tables)
    assert "DỰ THẢO" in "\n".join(c.text for t in notice.tables for row in t.rows for c in row.cells)


def fill_explanation(src: Path, dest: Path, rows: dict) -> Path:
    """The unit's answers: item → (explanation, evidence, proposed score); None leaves a cell blank."""
    wb = openpyxl.load_workbook(src)
    ws = wb[EL.SHEET_DATA]
    at = {ws.cell(r, 1).value: r for r in range(EL.HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    col = {k: openpyxl.utils.column_index_from_string(EL.COL[k]) for k in EL.INPUT_COLUMNS}
    for code, values in rows.items():
        for key, value in zip(EL.INPUT_COLUMNS, values):
            if value is not None:
                ws.cell(at[code], col[key]).value = value
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def explanation_src(c, code: str) -> Path:
    return c.root / "output" / "so-bo" / EL.workbook_name(code, c.unit(code).name, "appraisal-1")


@pytest.fixture
def sent(round1):
    assert cli("preliminary", str(round1.root)).exit_code == 0
    return round1


def check(c) -> tuple[int, dict]:
    out = cli("check", str(c.root), "--json")
    return out.exit_code, json.loads(out.stdout)


def test_returned_explanations_are_recognised_checked_and_recorded(sent):
    c = sent
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "giai-trinh-X01.xlsx",
                     {"1.3": ("Tỷ lệ đúng hạn 95%: số liệu quý IV đã cập nhật", "https://kinhmon.haiduong.gov.vn/bc",
                              2)})
    # X02 proposes a higher score for 1.2 without a word of explanation
    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X02 giai trinh.xlsx", {"1.2": (None, None, 1)})
    code, doc = check(c)
    assert code == 1
    by_unit = {e["unit"]: e for e in doc["explanations"]}
    assert by_unit["X01"]["explained"] == ["1.3"] and by_unit["X01"]["findings"] == []
    assert [(f["code"], f["cell"]) for f in by_unit["X02"]["findings"]] == [("explanation-missing", f"H{EL.HEADER_ROW + 1}")]
    assert all(e["recorded"] for e in doc["explanations"])
    # the self-assessments are untouched: two units sent, X03 did not, nothing unreadable
    assert sorted(u["code"] for u in doc["units"]) == ["X01", "X02"]
    from parxl.ledger.store import Ledger
    with Ledger.open(c) as ledger:
        x01 = ledger.round_details("X01", "explanation-1")
        assert (x01["1.3"].inputs, x01["1.3"].score, x01["1.3"].evidence) == \
            ({"proposed": D("2")}, D("2"), ["https://kinhmon.haiduong.gov.vn/bc"])
        assert ledger.versions("X02", "explanation-1")[-1][2] == "errors"
        # explanations never count as scores
        subs = {s.unit_code: s for s in ledger.latest_submissions()}
        assert "explanation-1" not in subs["X01"].scores
    # X02 sends again, with its explanation: the new version supersedes the first
    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X02 giai trinh (2).xlsx",
                     {"1.2": ("Đã gửi báo cáo quý III đúng hạn qua hệ thống", None, 1)})
    code, doc = check(c)
    with Ledger.open(c) as ledger:
        versions = ledger.versions("X02", "explanation-1")
        assert [v[2] for v in versions] == ["errors", "ok"]
        assert ledger.round_details("X02", "explanation-1")["1.2"].explanation.startswith("Đã gửi báo cáo")


def test_explanation_from_the_wrong_unit_or_round_is_a_finding(sent):
    c = sent
    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X01 - Phường An Lưu" / "giai-trinh.xlsx",
                     {"1.2": ("Nhầm phiếu", None, None)})
    code, doc = check(c)
    assert code == 1
    (entry,) = doc["explanations"]
    assert [f["code"] for f in entry["findings"]] == ["explanation-wrong-unit"]
    assert "X02 Xã Lê Ninh" in entry["findings"][0]["message"] and "X01 Phường An Lưu" in entry["findings"][0]["message"]
    # a round-2 appraisal recorded: an explanation of round 1 arriving now is of another round
    assert cli("appraise", str(c.root), "--round", "appraisal-2").exit_code == 0
    src = c.root / "output" / "tham-dinh" / "appraisal-2" / FIELD1
    done = fill_appraisal(src, c.root.parent / "r2" / FIELD1, {("X01", "1.1"): 1})
    assert cli("appraise", str(c.root), "--import", str(done)).exit_code == 0
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "X01-late.xlsx", {"1.3": ("Muộn", None, None)})
    code, doc = check(c)
    late = next(e for e in doc["explanations"] if e["file"].endswith("X01-late.xlsx"))
    assert [f["code"] for f in late["findings"]] == ["explanation-other-round"]


@pytest.fixture
def explained(sent):
    """X01 explains 1.3 (proposes 2, with a link); X02 explains 1.2 (no proposal) and leaves 1.5."""
    c = sent
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "giai-trinh-X01.xlsx",
                     {"1.3": ("Tỷ lệ đúng hạn 95%", "https://kinhmon.haiduong.gov.vn/bc", 2)})
    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "giai-trinh-X02.xlsx",
                     {"1.2": ("Báo cáo quý III gửi ngày 30/9", None, None)})
    assert check(c)[0] == 0
    return c


def test_round_two_shows_explanations_beside_contested_items(explained):
    c = explained
    out = cli("appraise", str(c.root), "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["round"] == "appraisal-2"
    wb = openpyxl.load_workbook(c.root / "output" / "tham-dinh" / "appraisal-2" / FIELD1)
    ws = wb[AL.SHEET_DATA]
    at = rows_of(ws, AL.HEADER_ROW + 1)
    col = {k: openpyxl.utils.column_index_from_string(AL.COL[k]) for k in AL.COLUMNS}

    def row(unit, item):
        return {k: ws.cell(at[(unit, item)], col[k]).value for k in
                ("previous", "score", "prev_note", "reply", "extra_evidence", "proposed")}

    assert row("X01", "1.3") == {"previous": 0, "score": 0, "prev_note": "Tỷ lệ đúng hạn chỉ 65%",
                                 "reply": "Tỷ lệ đúng hạn 95%", "extra_evidence": "https://kinhmon.haiduong.gov.vn/bc",
                                 "proposed": 2}
    assert row("X02", "1.2") == {"previous": 0, "score": 0, "prev_note": "Báo cáo quý III chậm",
                                 "reply": "Báo cáo quý III gửi ngày 30/9", "extra_evidence": "", "proposed": None}
    # an uncontested row: pre-filled with the score that stands (X01 1.1 self 1, not appraised in round 1)
    assert row("X01", "1.1")["reply"] in (None, "") and row("X01", "1.1")["score"] is None
    assert row("X01", "1.5")["score"] == 0.25
    fills = {key: ws.cell(r, col["item"]).fill.fgColor.rgb for key, r in at.items()}
    assert fills[("X01", "1.3")].endswith("DDEBF7") and fills[("X02", "1.2")].endswith("DDEBF7")
    assert not fills[("X01", "1.1")].endswith("DDEBF7") and not fills[("X02", "1.5")].endswith("DDEBF7")
    # round 2 accepts X01's explanation: 1.3 back to 2; the ledger keeps both rounds side by side
    done = fill_appraisal(c.root / "output" / "tham-dinh" / "appraisal-2" / FIELD1, c.root.parent / "r2" / FIELD1,
                          {("X01", "1.3"): 2}, {("X01", "1.3"): "Chấp nhận giải trình"})
    assert cli("appraise", str(c.root), "--import", str(done)).exit_code == 0
    from parxl.ledger.store import Ledger
    with Ledger.open(c) as ledger:
        assert ledger.round_details("X01", "appraisal-1")["1.3"].score == D("0")
        assert ledger.round_details("X01", "appraisal-2")["1.3"].score == D("2")
        assert ledger.round_details("X02", "appraisal-2")["1.2"].score == D("0")


@pytest.fixture
def round2(explained):
    """Round 2 appraised: X01 1.3 back to 2 (explanation accepted); everything else as in round 1."""
    c = explained
    assert cli("appraise", str(c.root)).exit_code == 0
    done = fill_appraisal(c.root / "output" / "tham-dinh" / "appraisal-2" / FIELD1, c.root.parent / "r2" / FIELD1,
                          {("X01", "1.3"): 2}, {("X01", "1.3"): "Chấp nhận giải trình"})
    assert cli("appraise", str(c.root), "--import", str(done)).exit_code == 0
    return c


# Computed by hand from the module doc: (total, index %, rank) after self-assessment, round 1, round 2.
STAGES = {"X01": (("7.25", "72.50", 1), ("4.75", "47.50", 2), ("6.75", "67.50", 1)),
          "X02": (("6.25", "62.50", 2), ("5.25", "52.50", 1), ("5.25", "52.50", 2))}


def test_council_shows_the_three_stages_rank_changes_and_open_items(round2):
    c = round2
    out = cli("council", str(c.root), "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    units = {u["code"]: u for u in doc["units"]}
    for code, stages in STAGES.items():
        got = tuple((D(units[code][s]["total"]), D(units[code][s]["index"]), units[code][s]["rank"])
                    for s in ("self", "first", "final"))
        assert got == tuple((D(t), D(i), r) for t, i, r in stages), code
    assert (units["X01"]["rank_change"], units["X02"]["rank_change"]) == (1, -1)
    # still contested: final score differs from the self score (X01 1.5: 0,75 → 0,25, never explained; X02 1.2)
    assert (units["X01"]["still_contested"], units["X02"]["still_contested"]) == (["1.5"], ["1.2"])
    assert units["X03"]["self"] == {"total": None, "index": None, "rank": None}  # sent nothing
    wb = openpyxl.load_workbook(doc["workbook"])
    ws = wb["Tổng hợp"]
    head = [ws.cell(4, col).value for col in range(1, 15)]
    rows = {ws.cell(r, 2).value: [ws.cell(r, col).value for col in range(1, 15)] for r in range(5, 8)}
    at = {h: i for i, h in enumerate(head)}
    x01 = rows["X01"]
    assert (x01[at["Tổng điểm tự đánh giá"]], x01[at["Tổng điểm thẩm định lần 1"]],
            x01[at["Tổng điểm sau giải trình"]]) == (7.25, 4.75, 6.75)
    assert (x01[at["Xếp hạng lần 1"]], x01[at["Xếp hạng sau giải trình"]], x01[at["Thay đổi hạng"]]) == (2, 1, "+1")
    assert rows["X02"][at["Tiêu chí còn ý kiến khác nhau"]] == "1.2"
    fs = wb["Lĩnh vực 1"]
    changes = {(fs.cell(r, 1).value, fs.cell(r, 3).value): [fs.cell(r, col).value for col in range(6, 13)]
               for r in range(4, fs.max_row + 1) if fs.cell(r, 3).value}
    assert changes[("X01", "1.3")] == [2, 0, "Tỷ lệ đúng hạn 95%", "https://kinhmon.haiduong.gov.vn/bc", 2, 2, ""]
    assert changes[("X02", "1.2")] == [1, 0, "Báo cáo quý III gửi ngày 30/9", "", None, 0, "Còn"]
    assert ("X02", "1.4") not in changes  # unchanged, not explained
    brief = Document(doc["brief"])
    cells = ["|".join(c.text for c in row.cells) for t in brief.tables for row in t.rows]
    assert "1|Phường An Lưu|72,50|47,50|67,50|1|+1" in cells and "2|Xã Lê Ninh|62,50|52,50|52,50|2|-1" in cells
    text = "\n".join(p.text for p in brief.paragraphs)
    assert "TỜ TRÌNH" in text and "Xã Lê Ninh, tiêu chí 1.2" in text


def all_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_finalize_freezes_the_results_documents_follow_them_and_reopen_is_recorded(round2, tmp_path):
    c = round2
    assert cli("consolidate", str(c.root)).exit_code == 0
    out = cli("decision", str(c.root))
    assert out.exit_code == 0, out.output
    (draft,) = sorted((c.root / "output").glob("quyet-dinh*.docx"))
    assert "DỰ THẢO" in all_text(draft)
    out = cli("finalize", str(c.root), "--by", "Nguyễn Văn Bình", "--reason", "Biên bản họp Hội đồng ngày 20/01/2026",
              "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["who"] == "Nguyễn Văn Bình"
    # the council's task of the schedule is done once the results are finalised
    tasks = json.loads(cli("status", str(c.root), "--json").stdout)["tasks"]
    assert [t["done"] for t in tasks if t["stage"] == "council"] == [True]
    # a later survey import and consolidation run, but the documents keep the frozen figures
    table = tmp_path / "dt.csv"
    table.write_text("Mã,2.1\nX01,3\nX02,3\n", encoding="utf-8")
    out = cli("survey", str(c.root), str(table))
    assert out.exit_code == 0 and "không làm thay đổi kết quả đã chốt" in " ".join(out.output.split())
    out = cli("consolidate", str(c.root))
    assert out.exit_code == 0 and "không làm thay đổi kết quả đã chốt" in " ".join(out.output.split())
    for old in (c.root / "output").glob("quyet-dinh*.docx"):
        old.unlink()
    out = cli("decision", str(c.root))
    assert out.exit_code == 0, out.output
    (final,) = sorted((c.root / "output").glob("quyet-dinh*.docx"))
    text = all_text(final)
    assert "DỰ THẢO" not in text
    # frozen: X01 6,75 (67,50 %), X02 5,25 (52,50 %), no survey points; the survey would have added 3 each
    assert "67,50" in text and "52,50" in text and "97,50" not in text
    # a frozen copy damaged: consolidating again would not help; the clerk restores it or reopens
    from parxl.council.final import final_state
    frozen = final_state(c).snapshot
    kept = frozen.read_bytes()
    frozen.write_bytes(kept[: len(kept) // 2])
    out = cli("decision", str(c.root))
    said = " ".join(out.output.split())
    assert out.exit_code == 1 and "Không đọc được kết quả đã chốt" in said and "--reopen" in said, out.output
    frozen.write_bytes(kept)
    # reopening needs a reason, and is recorded with who and why
    assert cli("finalize", str(c.root), "--reopen").exit_code == 1
    out = cli("finalize", str(c.root), "--reopen", "--by", "Trần Thị Hoa", "--reason", "Hội đồng họp lại")
    assert out.exit_code == 0, out.output
    from parxl.ledger.store import Ledger
    with Ledger.open(c) as ledger:
        events = [(k, who, why) for k, _, who, why, _ in ledger.events() if k in ("finalize", "reopen")]
    assert events == [("finalize", "Nguyễn Văn Bình", "Biên bản họp Hội đồng ngày 20/01/2026"),
                      ("reopen", "Trần Thị Hoa", "Hội đồng họp lại")]
    for old in (c.root / "output").glob("quyet-dinh*.docx"):
        old.unlink()
    out = cli("decision", str(c.root))  # follows the newest master again: the one with the survey, a draft
    assert out.exit_code == 0, out.output
    text = all_text(sorted((c.root / "output").glob("quyet-dinh*.docx"))[0])
    assert "DỰ THẢO" in text and "97,50" in text


def test_a_later_check_keeps_an_explanation_s_verdict(round2):
    """X01's explanation, checked when round 1 was open, is still valid once round 2 is recorded."""
    code, doc = check(round2)
    assert code == 0
    assert {e["unit"]: (e["recorded"], e["findings"]) for e in doc["explanations"]} == \
        {"X01": (True, []), "X02": (True, [])}
    from parxl.ledger.store import Ledger
    with Ledger.open(round2) as ledger:
        assert [v[2] for v in ledger.versions("X01", "explanation-1")] == ["ok"]


def test_consolidate_records_returned_explanations_too(sent):
    c = sent
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "giai-trinh-X01.xlsx", {"1.3": ("Giải trình", None, None)})
    out = cli("consolidate", str(c.root), "--json")
    assert out.exit_code == 0, out.output
    assert [(e["unit"], e["recorded"]) for e in json.loads(out.stdout)["explanations"]] == [("X01", True)]
    from parxl.ledger.store import Ledger
    with Ledger.open(c) as ledger:
        assert ledger.round_details("X01", "explanation-1")["1.3"].explanation == "Giải trình"


def test_status_shows_who_was_asked_to_explain_who_did_and_reminds_the_late(sent):
    # Round 1 leaves X01 (1.3 lowered) and X02 (1.2 lowered, 1.5 flagged) contested; X03 sent nothing, so it
    # has nothing to explain. X01 sends its giải trình workbook, X02 does not; the deadline is 15/03/2026.
    from docx import Document

    c = sent
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "giai-trinh-X01.xlsx",
                     {"1.3": ("Tỷ lệ đúng hạn 95%", "https://kinhmon.haiduong.gov.vn/bc", 2)})
    assert check(c)[0] == 0
    out = cli("status", str(c.root), "--json", "--today", "20/03/2026")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    units = {u["code"]: u for u in doc["units"]}
    assert (units["X01"]["explanation"], units["X02"]["explanation"], units["X03"]["explanation"]) == \
        ("received", "requested", "")
    assert units["X01"]["explanation_received_at"] and units["X02"]["explanation_received_at"] is None
    assert doc["explanation_deadline"] == "2026-03-15"
    reminders = next((c.root / "output").glob("danh-sach-don-doc-20260320*.docx"))
    rows = [[cell.text for cell in row.cells] for t in Document(str(reminders)).tables for row in t.rows]
    owed = [r for r in rows if "phiếu giải trình" in " ".join(r)]
    assert [r[1] for r in owed] == [c.unit("X02").name]   # 20/03 is 5 days after 15/03
    assert owed[0][3] == "15/03/2026" and owed[0][4] == "5"
    assert "DỰ THẢO" not in all_text(reminders)  # a list to sign and send now, not a draft of the results


def test_a_units_proposed_score_never_counts_in_the_results(sent):
    # Round 1 scored X02's 1.2 at 0 and X01's 1.3 at 0. Both units propose their self score again (X02 with no
    # explanation: a finding; X01 with one). Until an appraisal round says otherwise, the results keep 0.
    from parxl.master.consolidation import run_consolidation

    c = sent
    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X02 giai trinh.xlsx", {"1.2": (None, None, 1)})
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "X01 giai trinh.xlsx",
                     {"1.3": ("Số liệu quý IV đã cập nhật", None, 2)})
    check(c)
    units = {u.unit.code: u for u in run_consolidation(c).results.units}
    assert units["X02"].items["1.2"].final == 0 and units["X01"].items["1.3"].final == 0


def test_an_appraisal_workbook_sent_back_with_every_score_blank_counts_as_returned(round1, tmp_path):
    # Round 1's field-1 workbook came back with scores; the others come back untouched (the appraisers agree
    # with every self score): status must not ask their offices for them again.
    import shutil

    c = round1
    generated = c.root / "output" / "tham-dinh" / "appraisal-1"
    others = [p for p in generated.iterdir() if p.name != FIELD1]
    assert others
    back = tmp_path / "back"
    back.mkdir()
    for p in others:
        shutil.copy(p, back / p.name)
    assert cli("appraise", str(c.root), "--import", str(back)).exit_code == 0
    doc = json.loads(cli("status", str(c.root), "--json").stdout)
    assert [a for a in doc["appraisals"] if not a["returned"]] == []


def test_an_overturned_not_applicable_claim_is_an_item_to_explain(tmp_path):
    """X01 marks 1.2 «Không phát sinh» (self 0, out of its maximum); round 1 enters 0 for it: points unchanged
    (0 = 0) but the claim is overturned (1.2 back in its maximum), so X01 may explain 1.2; X02, which answered
    1.2 «Đạt» and was not appraised on it, has nothing to explain."""
    from conftest import FIXTURES
    from parxl.criteria.framework import NA_KEY
    from parxl.explanation.contested import contested
    from support.tamper import mini_fill
    from parxl.workbook.build import build_workbook

    c = make_campaign(tmp_path / "c", criteria=FIXTURES / "mini-na.yaml")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    na = mini_fill({"1.2": {NA_KEY: "Không phát sinh"}}, explanations={"1.2": "Trong năm không có kỳ báo cáo nào"})
    (c.inbox_dir / workbook_filename(c.unit("X01"))).write_bytes(build_workbook(c, c.unit("X01"), na))
    (c.inbox_dir / workbook_filename(c.unit("X02"))).write_bytes(filled(c, c.unit("X02")))
    run_intake(c, workers=1)
    assert cli("appraise", str(c.root)).exit_code == 0
    src = c.root / "output" / "tham-dinh" / "appraisal-1" / FIELD1
    done = fill_appraisal(src, tmp_path / "done" / FIELD1, {("X01", "1.2"): 0})
    out = cli("appraise", str(c.root), "--import", str(done), "--json")
    assert out.exit_code == 0, out.output
    opened = {u.code: [(it.item.code, it.reasons) for it in u.items] for u in contested(c, "appraisal-1")}
    assert opened == {"X01": [("1.2", (EL.REASON_NA_OVERTURNED,))], "X02": []}


def test_a_flagged_items_remark_is_kept_and_a_carried_score_keeps_its_remark(round1, tmp_path):
    # Round 1 again (a second workbook of the same field replaces the first): X02 1.5 flagged with a remark and
    # no score (its self score 0,75 stands), X02 1.2 → 0 «Báo cáo quý III chậm», X01 1.3 → 0.
    c = round1
    src = c.root / "output" / "tham-dinh" / "appraisal-1" / FIELD1
    done = fill_appraisal(src, tmp_path / "again" / FIELD1, {("X01", "1.3"): 0, ("X02", "1.2"): 0},
                          {("X01", "1.3"): "Tỷ lệ đúng hạn chỉ 65%", ("X02", "1.2"): "Báo cáo quý III chậm",
                           ("X02", "1.5"): "Đề nghị bổ sung văn bản"}, flags=[("X02", "1.5")])
    out = cli("appraise", str(c.root), "--import", str(done), "--json")
    assert out.exit_code == 0, out.output
    assert [f["code"] for f in json.loads(out.stdout)["files"][0]["findings"]] == []
    assert cli("preliminary", str(c.root)).exit_code == 0
    ws = openpyxl.load_workbook(c.root / "output" / "so-bo" / EL.workbook_name("X02", "Xã Lê Ninh", "appraisal-1"))[
        EL.SHEET_DATA]
    rows = [[ws.cell(r, c_).value for c_ in range(1, 8)] for r in range(EL.HEADER_ROW + 1, EL.HEADER_ROW + 3)]
    assert rows == [["1.2", "Báo cáo CCHC định kỳ", 1, 1, 0, "Báo cáo quý III chậm", EL.REASON_LOWER],
                    ["1.5", "Sáng kiến CCHC", 1, 0.75, 0.75, "Đề nghị bổ sung văn bản", EL.REASON_FLAGGED]]
    notice = Document(str(c.root / "output" / "so-bo" / "so-bo-lan-1-x02-xa-le-ninh.docx"))
    tables = ["\n".join("|".join(x.text for x in row.cells) for row in t.rows) for t in notice.tables]
    assert any("1.5|Sáng kiến CCHC|0,75|0,75|Đề nghị bổ sung văn bản" in t for t in tables), tables
    # Round 2: the workbook comes pre-filled with the scores that stand; the appraiser keeps X02 1.2 at 0
    # without writing a new remark, and flags X01 1.3 again leaving its score blank: both keep round 1's remark.
    assert cli("appraise", str(c.root)).exit_code == 0
    src2 = c.root / "output" / "tham-dinh" / "appraisal-2" / FIELD1
    wb = openpyxl.load_workbook(src2)
    ws2 = wb[AL.SHEET_DATA]
    at = rows_of(ws2, AL.HEADER_ROW + 1)
    ws2.cell(at[("X01", "1.3")], openpyxl.utils.column_index_from_string(AL.COL["score"])).value = None
    wb.save(src2)
    done2 = fill_appraisal(src2, tmp_path / "r2" / FIELD1, {}, flags=[("X01", "1.3")])
    out = cli("appraise", str(c.root), "--import", str(done2), "--json")
    assert out.exit_code == 0, out.output
    out = cli("preliminary", str(c.root), "--round", "appraisal-2")
    assert out.exit_code == 0, out.output
    for code, name, item, remark in (("X01", "phuong-an-luu", "1.3", "Tỷ lệ đúng hạn chỉ 65%"),
                                     ("X02", "xa-le-ninh", "1.2", "Báo cáo quý III chậm")):
        notice = Document(str(c.root / "output" / "so-bo" / f"so-bo-lan-2-{code.lower()}-{name}.docx"))
        tables = ["\n".join("|".join(x.text for x in row.cells) for row in t.rows) for t in notice.tables]
        assert any(f"|{remark}" in t for t in tables), tables
        assert not any(EL.REASON_LOWER in t for t in tables), tables


def test_council_counts_items_whose_final_score_differs_and_units_that_sent_a_file(round2):
    # By hand (module doc): after round 2, X01 1.5 stays 0,25 against its self 0,75 and X02 1.2 stays 0 against
    # 1: two items still contested. X01 and X02 sent a file (X03 nothing): 2 units appraised, both ranked.
    c = round2
    out = CliRunner().invoke(main, ["council", str(c.root)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "2 tiêu chí còn ý kiến khác nhau" in " ".join(out.output.split())
    brief = Document(str(c.root / "output" / "hoi-dong" / "to-trinh-hoi-dong.docx"))
    text = "\n".join(p.text for p in brief.paragraphs)
    assert "thẩm định kết quả tự đánh giá của 2 đơn vị" in text
    assert "2 đơn vị được xếp hạng" in text
    assert "Phường An Lưu, tiêu chí 1.5 (Sáng kiến CCHC): đơn vị tự chấm 0,75 điểm, điểm sau giải trình 0,25 điểm" \
        in text
    assert "Xã Lê Ninh, tiêu chí 1.2" in text


def test_a_unit_with_nothing_contested_gets_no_workbook_and_survey_points_are_not_self_assessed(tmp_path):
    # By hand (module doc): X01 self 1.x = 1, 1, 2, 1,5, 0,75 (field 1: 6,25), T1 1, D1 0: 7,25 points; round 1
    # lowers 1.3 to 0: 5,25. X02 is appraised with nothing changed or flagged. The survey gives X01 3 points
    # on 2.1, which the unit never self-assessed: the notice's «Điểm tự đánh giá» leaves them out.
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / workbook_filename(c.unit("X01"))).write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / workbook_filename(c.unit("X02"))).write_bytes(
        filled(c, c.unit("X02"), answers={"1.1": {"choice": "Không ban hành"}}))
    run_intake(c, workers=1)
    table = tmp_path / "dt.csv"
    table.write_text("Mã,2.1\nX01,3\nX02,2\n", encoding="utf-8")
    assert cli("survey", str(c.root), str(table)).exit_code == 0
    assert cli("appraise", str(c.root)).exit_code == 0
    src = c.root / "output" / "tham-dinh" / "appraisal-1" / FIELD1
    done = fill_appraisal(src, tmp_path / "done" / FIELD1, {("X01", "1.3"): 0}, {("X01", "1.3"): "Thiếu"})
    assert cli("appraise", str(c.root), "--import", str(done)).exit_code == 0
    out = cli("preliminary", str(c.root), "--json")
    assert out.exit_code == 0, out.output
    units = {u["unit"]: u for u in json.loads(out.stdout)["units"]}
    assert (units["X01"]["contested"], units["X02"]["contested"]) == (["1.3"], [])
    assert units["X02"]["workbook"] is None and units["X01"]["workbook"]
    folder = c.root / "output" / "so-bo"
    assert not (folder / EL.workbook_name("X02", "Xã Lê Ninh", "appraisal-1")).exists()
    x02 = Document(str(folder / "so-bo-lan-1-x02-xa-le-ninh.docx"))
    text = " ".join(" ".join(p.text for p in x02.paragraphs).split())
    assert "Lê Ninh không có tiêu chí cần giải trình; kết quả thẩm định sơ bộ nêu trên được sử dụng" in text
    assert "phiếu giải trình" not in text
    x01 = Document(str(folder / "so-bo-lan-1-x01-phuong-an-luu.docx"))
    text = " ".join(" ".join(p.text for p in x01.paragraphs).split()).lower()
    assert "tổng điểm tự đánh giá: 7,25 điểm; tổng điểm sau thẩm định: 5,25 điểm (chênh lệch -2,00 điểm)" in text
    rows = ["|".join(x.text for x in row.cells) for t in x01.tables for row in t.rows]
    assert "2|Sự hài lòng của người dân|3,00|—|—|—" in rows, rows


def test_the_excel_button_records_returned_explanations_like_the_cli(sent):
    # The «Kiểm tra tệp gửi về» button runs the same check as «parxl check»: X01's giải trình workbook is
    # recorded as round explanation-1 and the status area names it.
    from parxl.excel import xl
    from parxl.ledger.store import Ledger

    c = sent
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "giai-trinh-X01.xlsx",
                     {"1.3": ("Tỷ lệ đúng hạn 95%", "https://kinhmon.haiduong.gov.vn/bc", 2)})
    outcome = xl.do_check(c.root)
    assert "Phiếu giải trình nhận được (1):" in outcome.lines
    assert any(line.startswith("• X01 Phường An Lưu:") and line.endswith("hợp lệ") for line in outcome.lines)
    with Ledger.open(c) as ledger:
        assert ledger.round_details("X01", "explanation-1")["1.3"].explanation == "Tỷ lệ đúng hạn 95%"


def test_explanation_findings_reach_the_check_report_and_the_units_feedback(sent):
    # X01 returns a valid giải trình workbook; X02 proposes 1 point for 1.2 without explaining (explanation-missing
    # at H of the first data row); X02's workbook also arrives in X01's folder (explanation-wrong-unit, sent by X01).
    from parxl.ledger.check_report_xlsx import feedback_name

    c = sent
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "giai-trinh-X01.xlsx",
                     {"1.3": ("Tỷ lệ đúng hạn 95%", "https://kinhmon.haiduong.gov.vn/bc", 2)})
    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X02 giai trinh.xlsx", {"1.2": (None, None, 1)})
    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X01 - Phường An Lưu" / "giai-trinh.xlsx",
                     {"1.2": ("Nhầm phiếu", None, None)})
    # and a copy of X01's whose identity was edited (another campaign): not recorded, listed for X01 by its name
    odd = fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "X01 sua.xlsx", {"1.3": ("Sửa", None, None)})
    wb = openpyxl.load_workbook(odd)
    meta = wb[EL.SHEET_META]
    (at,) = [r for r in range(1, meta.max_row + 1) if meta.cell(r, 1).value == "campaign_id"]
    meta.cell(at, 2).value = "dot-khac"
    wb.save(odd)
    out = cli("check", str(c.root))
    assert out.exit_code == 1, out.output
    cell = f"H{EL.HEADER_ROW + 1}"
    wb = openpyxl.load_workbook(c.root / "output" / "ket-qua-kiem-tra.xlsx")
    rows = [[x.value for x in r] for r in wb["Các lỗi"].iter_rows(min_row=2)]
    got = {(r[0], r[3], r[5], r[6], r[8]) for r in rows if str(r[3]).startswith("explanation-")}
    assert got == {("X02", "explanation-missing", cell, "1.2", "inbox/X02 giai trinh.xlsx"),
                   ("", "explanation-identity", "", "", "inbox/X01 sua.xlsx"),
                   ("X02", "explanation-wrong-unit", "", "", "inbox/X01 - Phường An Lưu/giai-trinh.xlsx")}
    missing = next(r for r in rows if r[3] == "explanation-missing")
    assert missing[1] == "Xã Lê Ninh" and missing[2] == "Lỗi"
    assert f"1.2: đơn vị đề nghị 1,00 điểm (điểm thẩm định 0,00) nhưng ô {cell} chưa có giải trình" in missing[7]
    listed = [[x.value for x in r] for r in wb["Phiếu giải trình"].iter_rows(min_row=4)]
    assert sorted((r[0], r[2], r[3], r[4], r[5]) for r in listed) == [
        ("", "inbox/X01 sua.xlsx", "không ghi nhận", 0, 1),
        ("X01", "inbox/giai-trinh-X01.xlsx", "hợp lệ", 1, 0),
        ("X02", "inbox/X01 - Phường An Lưu/giai-trinh.xlsx", "còn lỗi", 1, 1),
        ("X02", "inbox/X02 giai trinh.xlsx", "còn lỗi", 1, 1)]

    def feedback(code):
        wb = openpyxl.load_workbook(c.root / "output" / "phan-hoi" / feedback_name(code, c.unit(code).name))
        return [[x.value for x in r] for r in wb["Giải trình"].iter_rows()]

    x02 = feedback("X02")
    assert "Phiếu giải trình: X02 giai trinh.xlsx; 1 tiêu chí giải trình; kết quả: còn lỗi" in [r[0] for r in x02]
    (row,) = [r for r in x02 if r[2] == cell]
    assert (row[0], row[1], row[3]) == (1, "Lỗi", "1.2") and "chưa có giải trình" in row[4]
    x01 = [r[0] for r in feedback("X01")]
    assert "Phiếu giải trình: giai-trinh-X01.xlsx; 1 tiêu chí giải trình; kết quả: hợp lệ" in x01
    assert "Phiếu giải trình: giai-trinh.xlsx; 1 tiêu chí giải trình; kết quả: còn lỗi" in x01
    assert "Phiếu giải trình: X01 sua.xlsx; 0 tiêu chí giải trình; kết quả: không ghi nhận" in x01
    assert any("là phiếu giải trình của X02 Xã Lê Ninh" in (r[4] or "") for r in feedback("X01") if len(r) > 4)
