"""`parxl appraise`: appraisal workbooks per field, filled, imported, and applied by the consolidation.

Self scores of the mini set (tests/support/tamper.py): 1.1 = 1, 1.2 = 1, 1.3 = 2, 1.4 = 1,5,
1.5 = 0,75, T1 = 1, D1 = 0, total 7,25 of 10 (no survey yet). X02 answers 1.1 «Không ban hành»:
6,25. X03 sends nothing.
"""
from __future__ import annotations

import json
import os
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from parxl.appraisal import layout as L
from parxl.cli import main
from parxl.ledger.receive import run_intake
from parxl.ledger.store import Ledger
from parxl.master.consolidation import results_from_ledger
from parxl.workbook.stamping import workbook_filename
from support.libreoffice import uno_fill_and_save
from support.tamper import filled, set_meta

from conftest import make_campaign

FIELD1 = "Thẩm định lĩnh vực 1 - Công tác chỉ đạo, điều hành CCHC.xlsx"
ADJUST = "Thẩm định điểm thưởng, điểm trừ.xlsx"


@pytest.fixture
def ready(tmp_path):
    """A campaign whose X01 and X02 files went through intake, and its appraisal-1 workbooks."""
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / workbook_filename(c.unit("X01"))).write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / workbook_filename(c.unit("X02"))).write_bytes(
        filled(c, c.unit("X02"), answers={"1.1": {"choice": "Không ban hành"}}))
    run_intake(c, workers=1)
    out = CliRunner().invoke(main, ["appraise", str(c.root), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["round"] == "appraisal-1"
    return c


def folder(c, round="appraisal-1") -> Path:
    return c.root / "output" / "tham-dinh" / round


def rows_of(ws) -> dict[tuple[str, str], int]:
    return {(ws.cell(r, 1).value, ws.cell(r, 3).value): r for r in range(L.HEADER_ROW + 1, ws.max_row + 1)
            if ws.cell(r, 1).value}


def fill(src: Path, dest: Path, values: dict[tuple[str, str], object], notes=None) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb[L.SHEET_DATA]
    at = rows_of(ws)
    for key, value in values.items():
        ws.cell(at[key], 11).value = value
    for key, note in (notes or {}).items():
        ws.cell(at[key], 12).value = note
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def run(*args: str):
    return CliRunner().invoke(main, ["appraise", *args])


def imported(c, path: Path, *extra: str) -> tuple[int, dict]:
    out = run(str(c.root), "--import", str(path), "--json", *extra)
    return out.exit_code, json.loads(out.stdout)


def ranking(c) -> dict[str, tuple[D, D, int]]:
    return {u.unit.code: (u.total, u.index, u.rank) for u in results_from_ledger(c).ranked}


def recorded_rounds(c) -> list[str]:
    with Ledger.open(c) as ledger:
        return ledger.rounds()


def test_one_workbook_per_field_rows_per_unit_and_item_protected(ready):
    files = sorted(p.name for p in folder(ready).iterdir())
    assert files == sorted([FIELD1, ADJUST])  # field 2 is survey-only: nothing to appraise
    wb = openpyxl.load_workbook(folder(ready) / FIELD1)
    ws = wb[L.SHEET_DATA]
    assert [ws.cell(L.HEADER_ROW, c).value for c in range(1, len(L.COLUMNS) + 1)] == [h for _, h in L.COLUMNS.values()]
    at = rows_of(ws)
    assert sorted(at) == sorted((u, i) for u in ("X01", "X02", "X03") for i in ("1.1", "1.2", "1.3", "1.4", "1.5"))
    r = at[("X01", "1.3")]
    assert ws.cell(r, 5).value == 2 and ws.cell(r, 7).value == 2
    assert ws.cell(r, 4).value == ("Tỷ lệ hồ sơ giải quyết đúng hạn\nCách chấm: tỷ lệ = «Số hồ sơ giải quyết đúng hạn» ÷ "
                                   "«Tổng số hồ sơ đã giải quyết» × 100%; «trên 90%»: 2 điểm; «từ 70% đến 90%»: 1 điểm; "
                                   "«dưới 70%»: 0 điểm; không phát sinh (mẫu số bằng 0): 2 điểm.")  # as the unit saw it
    assert ws.row_dimensions[r].height >= 5 * 12  # five wrapped lines at least in a 30-wide column
    assert ws.cell(r, 6).value == "Số hồ sơ giải quyết đúng hạn: 95; Tổng số hồ sơ đã giải quyết: 100"
    assert ws.cell(r, 8).hyperlink.target == "https://kinhmon.haiduong.gov.vn/van-ban/1.3.pdf"
    assert ws.cell(at[("X01", "1.4")], 7).value == 1.5 and ws.cell(r, 11).value is None
    assert "chưa gửi tệp" in ws.cell(at[("X03", "1.3")], 13).value
    assert ws.cell(at[("X03", "1.3")], 11).protection.locked  # nothing to appraise for a unit without a file
    assert ws.protection.sheet and ws.auto_filter.ref and ws.freeze_panes == "A6"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$5:$5"
    unlocked = {c for c in range(1, 14) if not ws.cell(r, c).protection.locked}
    assert unlocked == {11, 12}
    (dv,) = [v for v in ws.data_validations.dataValidation if f"K{r}" in v.sqref]
    assert (dv.type, dv.operator or "between", float(dv.formula1), float(dv.formula2)) == ("decimal", "between", 0, 2)
    assert "giữ điểm tự chấm" in dv.prompt
    meta = wb[L.SHEET_META]
    assert meta.sheet_state == "veryHidden"
    assert {meta.cell(i, 1).value: meta.cell(i, 2).value for i in range(1, 9)}["round"] == "appraisal-1"
    adjust = openpyxl.load_workbook(folder(ready) / ADJUST)[L.SHEET_DATA]
    assert sorted(rows_of(adjust)) == sorted((u, i) for u in ("X01", "X02", "X03") for i in ("T1", "D1"))


def test_import_records_the_round_and_the_ranking_follows(ready, tmp_path):
    assert ranking(ready) == {"X01": (D("7.25"), D("72.50"), 1), "X02": (D("6.25"), D("62.50"), 2)}
    path = fill(folder(ready) / FIELD1, tmp_path / "filled" / FIELD1,
                {("X01", "1.3"): 0, ("X01", "1.5"): "0,25", ("X02", "1.2"): 1},
                notes={("X01", "1.3"): "Thiếu báo cáo quý IV", ("X02", "1.4"): "Đề nghị bổ sung"})
    code, doc = imported(ready, path)
    assert code == 0, doc
    (f,) = doc["files"]
    assert (f["recorded"], f["scores"], f["units"], f["field"]) == (True, 3, 2, "1")
    assert sorted((d["code"], d["cell"]) for d in f["findings"]) == sorted([
        ("appraisal-number-as-text", f"K{rows_of(openpyxl.load_workbook(path)[L.SHEET_DATA])[('X01', '1.5')]}"),
        ("appraisal-note-without-score", f"L{rows_of(openpyxl.load_workbook(path)[L.SHEET_DATA])[('X02', '1.4')]}")])
    assert recorded_rounds(ready) == ["appraisal-1", "self"]
    results = results_from_ledger(ready)
    x01 = results.by_code("X01")
    assert (x01.items["1.3"].appraised, x01.items["1.3"].final) == (D(0), D(0))
    assert (x01.items["1.1"].appraised, x01.items["1.1"].final) == (None, D(1))  # blank: the self score stands
    assert ranking(ready) == {"X02": (D("6.25"), D("62.50"), 1), "X01": (D("4.75"), D("47.50"), 2)}
    # the consolidation command uses the round by itself
    out = CliRunner().invoke(main, ["consolidate", str(ready.root), "--json"])
    assert out.exit_code == 0, out.output
    assert [(u["code"], u["index"], u["rank"]) for u in json.loads(out.stdout)["ranking"]][:2] == [
        ("X02", "62.50", 1), ("X01", "47.50", 2)]


def test_second_round_replaces_the_first_item_by_item_and_fields_add_up(ready, tmp_path):
    fill(folder(ready) / FIELD1, tmp_path / "r1" / FIELD1, {("X01", "1.3"): 0, ("X01", "1.5"): 0})
    fill(folder(ready) / ADJUST, tmp_path / "r1" / ADJUST, {("X01", "T1"): 0})
    code, doc = imported(ready, tmp_path / "r1")  # a folder: both fields of the round
    assert code == 0 and all(f["recorded"] for f in doc["files"])
    assert ranking(ready)["X01"] == (D("3.50"), D("35.00"), 2)  # 7,25 − 2 − 0,75 − 1
    out = run(str(ready.root))  # the next round by default, pre-filled with round 1
    assert out.exit_code == 0, out.output
    second = openpyxl.load_workbook(folder(ready, "appraisal-2") / FIELD1)[L.SHEET_DATA]
    at = rows_of(second)
    assert (second.cell(at[("X01", "1.3")], 10).value, second.cell(at[("X01", "1.3")], 11).value) == (0, 0)
    filled2 = fill(folder(ready, "appraisal-2") / FIELD1, tmp_path / "r2" / FIELD1, {("X01", "1.3"): 1})
    code, doc = imported(ready, filled2)  # default round: the latest generated, appraisal-2
    assert code == 0 and doc["round"] == "appraisal-2"
    x01 = results_from_ledger(ready).by_code("X01")
    assert {k: x01.items[k].final for k in ("1.3", "1.5", "T1")} == {"1.3": D(1), "1.5": D(0), "T1": D(0)}
    assert x01.total == D("4.50")
    # round 2 re-recorded 1.5 (pre-filled with round 1's 0); T1 was appraised in round 1 only.
    # Re-importing round 1's bonus/penalty file with T1 cleared removes that item's round-1 score.
    fill(folder(ready) / ADJUST, tmp_path / "r1b" / ADJUST, {("X01", "T1"): None})
    code, _ = imported(ready, tmp_path / "r1b", "--round", "appraisal-1")
    assert code == 0
    x01 = results_from_ledger(ready).by_code("X01")
    assert {k: x01.items[k].final for k in ("1.3", "1.5", "T1")} == {"1.3": D(1), "1.5": D(0), "T1": D(1)}
    assert x01.items["1.1"].appraised is None and x01.total == D("5.50")


def test_bad_files_are_refused_with_findings_and_the_batch_goes_on(ready, tmp_path):
    src = folder(ready) / FIELD1
    bad = tmp_path / "bad"
    at = rows_of(openpyxl.load_workbook(src)[L.SHEET_DATA])
    fill(src, bad / "1 vượt tối đa.xlsx", {("X01", "1.3"): 2.5, ("X02", "1.1"): "một điểm", ("X01", "1.1"): -1,
                                          ("X02", "1.3"): 1.234})
    wrong_round = set_meta_value(src, "round", "appraisal-2")
    (bad / "2 sai vòng.xlsx").write_bytes(wrong_round)
    (bad / "3 sai bộ chỉ số.xlsx").write_bytes(set_meta_value(src, "criteria_fingerprint", "0" * 64))
    (bad / "4 ngẫu nhiên.xlsx").write_bytes(os.urandom(3000))
    (bad / "5 tệp đơn vị.xlsx").write_bytes(filled(ready, ready.unit("X01")))
    fill(src, bad / "6 tốt.xlsx", {("X02", "1.2"): 0})
    code, doc = imported(ready, bad)
    assert code == 1
    by = {Path(f["file"]).name: f for f in doc["files"]}
    assert sorted((d["code"], d["cell"]) for d in by["1 vượt tối đa.xlsx"]["findings"]) == sorted([
        ("appraisal-score-above-max", f"K{at[('X01', '1.3')]}"),
        ("appraisal-score-not-number", f"K{at[('X02', '1.1')]}"),
        ("appraisal-score-negative", f"K{at[('X01', '1.1')]}"),
        ("appraisal-score-off-grid", f"K{at[('X02', '1.3')]}")])
    above = next(d for d in by["1 vượt tối đa.xlsx"]["findings"] if d["code"] == "appraisal-score-above-max")
    assert above["message"].startswith(f"Ô K{at[('X01', '1.3')]} (đơn vị X01, tiêu chí 1.3) là 2,5, vượt điểm tối đa 2.")
    assert [d["code"] for d in by["2 sai vòng.xlsx"]["findings"]] == ["appraisal-other-round"]
    assert [d["code"] for d in by["3 sai bộ chỉ số.xlsx"]["findings"]] == ["appraisal-other-criteria"]
    assert [d["code"] for d in by["4 ngẫu nhiên.xlsx"]["findings"]] == ["file-not-workbook"]
    (unit_file,) = by["5 tệp đơn vị.xlsx"]["findings"]
    assert unit_file["code"] == "appraisal-unit-workbook" and "biểu mẫu tự đánh giá của đơn vị X01" in unit_file["message"]
    assert [name for name, f in by.items() if f["recorded"]] == ["6 tốt.xlsx"]  # the batch went on
    x02 = results_from_ledger(ready).by_code("X02")
    assert x02.items["1.2"].final == D(0) and x02.items["1.3"].appraised is None
    assert results_from_ledger(ready).by_code("X01").items["1.3"].appraised is None
    # the Vietnamese table and the exit code without --json
    out = run(str(ready.root), "--import", str(bad / "1 vượt tối đa.xlsx"))
    assert out.exit_code == 1 and "vượt điểm tối đa" in out.output and "Không ghi" in out.output


def test_round_names_and_import_without_workbooks(tmp_path):
    c = make_campaign(tmp_path / "c")
    out = run(str(c.root), "--round", "vong-2")
    assert out.exit_code == 1 and "appraisal-1" in out.output
    other = tmp_path / "x.xlsx"
    other.write_bytes(b"")
    out = run(str(c.root), "--import", str(other))
    assert out.exit_code == 1 and "Chưa tạo biểu mẫu thẩm định" in out.output


def test_a_workbook_saved_by_libreoffice_reads_back(ready, tmp_path, soffice):
    at = rows_of(openpyxl.load_workbook(folder(ready) / FIELD1)[L.SHEET_DATA])
    dest = uno_fill_and_save(folder(ready) / FIELD1, tmp_path / "lo" / FIELD1, {
        f"K{at[('X01', '1.3')]}": 1, f"K{at[('X02', '1.5')]}": "0,5",
        f"L{at[('X01', '1.3')]}": "Tỷ lệ tính sai mẫu số"}, sheet=L.SHEET_DATA, soffice=soffice)
    code, doc = imported(ready, dest)
    assert code == 0, doc
    assert [d["code"] for d in doc["files"][0]["findings"]] == ["appraisal-number-as-text"]
    results = results_from_ledger(ready)
    assert results.by_code("X01").items["1.3"].final == D(1)
    assert results.by_code("X02").items["1.5"].final == D("0.5")
    assert ranking(ready) == {"X01": (D("6.25"), D("62.50"), 1), "X02": (D("6.00"), D("60.00"), 2)}


def set_meta_value(src: Path, key: str, value: str) -> bytes:
    wb = openpyxl.load_workbook(src)
    meta = wb[L.SHEET_META]
    row = next(r for r in range(1, 10) if meta.cell(r, 1).value == key)
    meta.cell(row, 2).value = value
    tmp = src.parent.parent / f".tmp-{key}.xlsx"
    wb.save(tmp)
    data = tmp.read_bytes()
    tmp.unlink()
    return data


def without_part(data: bytes, part: str) -> bytes:
    """The package without the zip entry ``part`` (what the workbook and its relationships still name)."""
    import io
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info, src.read(info))
    return out.getvalue()


@pytest.mark.parametrize("missing_sheet", [L.SHEET_META, L.SHEET_DATA])
def test_a_batch_with_broken_appraisal_workbooks_imports_the_good_ones_and_names_the_bad(ready, tmp_path,
                                                                                         missing_sheet):
    from support.tamper import part_of
    src = folder(ready) / FIELD1
    batch = tmp_path / "batch"
    good = fill(src, batch / "1 tốt.xlsx", {("X01", "1.3"): 1})
    data = good.read_bytes()
    (batch / "2 thiếu trang.xlsx").write_bytes(without_part(data, part_of(data, missing_sheet)))
    (batch / "3 cụt.xlsx").write_bytes(data[: len(data) // 2])
    (batch / "4 không phải excel.xlsx").write_bytes(b"%PDF-1.4\n% a scanned appraisal\n")
    fill(folder(ready) / ADJUST, batch / "5 tốt.xlsx", {("X02", "T1"): 0})
    code, doc = imported(ready, batch)
    assert code == 1, doc  # the appraisers' files have errors; parxl had none
    by = {Path(f["file"]).name: f for f in doc["files"]}
    assert [name for name, f in by.items() if f["recorded"]] == ["1 tốt.xlsx", "5 tốt.xlsx"]
    assert [d["code"] for d in by["2 thiếu trang.xlsx"]["findings"]] == ["file-part-missing"]
    assert f"trang «{missing_sheet}»" in by["2 thiếu trang.xlsx"]["findings"][0]["message"]
    assert [d["code"] for d in by["3 cụt.xlsx"]["findings"]] == ["file-corrupt"]
    assert [d["code"] for d in by["4 không phải excel.xlsx"]["findings"]] == ["file-pdf"]
    for name in ("2 thiếu trang.xlsx", "3 cụt.xlsx", "4 không phải excel.xlsx"):
        assert name in by[name]["findings"][0]["message"] and by[name]["internal_error"] is None
    results = results_from_ledger(ready)
    assert results.by_code("X01").items["1.3"].final == D(1) and results.by_code("X02").items["T1"].final == D(0)
    with Ledger.open(ready) as ledger:  # every file of the batch is kept, the bad ones too
        kept = {Path(r.path).name for r in ledger.files() if r.kind == "appraisal-workbook"}
    assert kept == set(by)


def test_parxls_own_failure_on_an_appraisal_workbook_is_logged_and_the_batch_goes_on(ready, tmp_path, monkeypatch):
    import parxl.appraisal.read as read

    real = read._read_rows

    def buggy(campaign, book, group, out, found):
        if "2 " in found.file:
            raise ZeroDivisionError("lỗi giả lập")
        return real(campaign, book, group, out, found)
    monkeypatch.setattr(read, "_read_rows", buggy)
    src = folder(ready) / FIELD1
    batch = tmp_path / "batch"
    fill(src, batch / "1 tốt.xlsx", {("X01", "1.3"): 1})
    fill(src, batch / "2 gặp lỗi.xlsx", {("X02", "1.3"): 1})
    code, doc = imported(ready, batch)
    assert code == 3, doc
    by = {Path(f["file"]).name: f for f in doc["files"]}
    assert by["1 tốt.xlsx"]["recorded"] and not by["2 gặp lỗi.xlsx"]["recorded"]
    internal = by["2 gặp lỗi.xlsx"]["internal_error"]
    assert by["2 gặp lỗi.xlsx"]["findings"] == [] and doc["internal_errors"] == 1
    assert "ZeroDivisionError: lỗi giả lập" in Path(internal["log"]).read_text(encoding="utf-8")
    assert Path(internal["log"]).parent == ready.state_dir / "errors" and internal["log"] in internal["message"]
    assert results_from_ledger(ready).by_code("X02").items["1.3"].appraised is None
    out = run(str(ready.root), "--import", str(batch / "2 gặp lỗi.xlsx"))
    assert out.exit_code == 3 and "Lỗi của chương trình parxl" in out.output


def test_an_appraisal_workbook_too_large_says_the_limit_not_its_own_size(ready, tmp_path):
    from parxl.xlsx.safety import MAX_FILE_BYTES
    big = tmp_path / "lớn" / "Thẩm định.xlsx"
    big.parent.mkdir()
    with big.open("wb") as fh:  # sparse: 60 MiB that take no disk
        fh.truncate(60 * 1024 * 1024)
    assert MAX_FILE_BYTES == 50 * 1024 * 1024
    code, doc = imported(ready, big.parent)
    (finding,) = doc["files"][0]["findings"]
    assert code == 1 and finding["code"] == "file-too-large"
    assert "nặng 60,0 MB, vượt giới hạn 50,0 MB" in finding["message"]


def _with_score_cells(path: Path, cells: dict[str, str]) -> bytes:
    """The workbook at ``path`` with cells of the data sheet replaced by raw XML (``{"K12": "<c …>…</c>"}``)."""
    import io
    import re
    import zipfile
    wb = openpyxl.load_workbook(path)
    part = f"xl/worksheets/sheet{wb.sheetnames.index(L.SHEET_DATA) + 1}.xml"
    src, out = zipfile.ZipFile(path), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                text = body.decode("utf-8")
                for ref, xml in cells.items():
                    text, n = re.subn(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)', xml, text, count=1, flags=re.S)
                    assert n == 1, ref
                body = text.encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def test_a_refused_score_is_not_a_blank_score_and_a_formula_needs_its_value(ready, tmp_path):
    from parxl.appraisal.read import read_appraisal
    src = folder(ready) / FIELD1
    at = rows_of(openpyxl.load_workbook(src)[L.SHEET_DATA])
    # «2,5» as text is above the maximum: refused, with no info line saying it was read
    refused = {("X01", "1.1"): -1, ("X01", "1.3"): "2,5", ("X02", "1.1"): "abc", ("X02", "1.3"): 1.234,
               ("X01", "1.2"): "=1/0"}  # openpyxl saves a formula without a cached value
    path = fill(src, tmp_path / "f" / FIELD1, refused | {("X01", "1.5"): None},
                notes={key: "ý kiến" for key in [*refused, ("X01", "1.4"), ("X01", "1.5"), ("X02", "1.2"), ("X02", "1.4")]})
    k = {key: f"K{at[key]}" for key in at}
    data = _with_score_cells(path, {
        k[("X01", "1.4")]: f'<c r="{k[("X01", "1.4")]}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',   # Excel's error
        k[("X01", "1.5")]: f'<c r="{k[("X01", "1.5")]}"><f>0.125*2</f><v>0.25</v></c>',       # cached 0,25
        k[("X02", "1.4")]: f'<c r="{k[("X02", "1.4")]}" t="str"><f>IF(1,"",1)</f><v></v></c>',  # shows nothing
    })
    got = read_appraisal(ready, data, "appraisal-1", name=FIELD1)
    assert sorted((f.code, f.cell) for f in got.findings) == sorted([
        ("appraisal-score-negative", k[("X01", "1.1")]),
        ("appraisal-score-above-max", k[("X01", "1.3")]),
        ("appraisal-score-not-number", k[("X02", "1.1")]),
        ("appraisal-score-off-grid", k[("X02", "1.3")]),
        ("appraisal-score-formula", k[("X01", "1.2")]),
        ("appraisal-score-formula", k[("X01", "1.4")]),
        # blank score cells with an opinion: the self score stands
        ("appraisal-note-without-score", f"L{at[('X02', '1.2')]}"),
        ("appraisal-note-without-score", f"L{at[('X02', '1.4')]}")])
    formula = {f.cell: f for f in got.findings if f.code == "appraisal-score-formula"}
    assert formula[k[("X01", "1.2")]].severity == "error"
    assert "«=1/0» chưa có giá trị" in formula[k[("X01", "1.2")]].message
    assert "lỗi «#DIV/0!»" in formula[k[("X01", "1.4")]].message and "Hãy nhập số" in formula[k[("X01", "1.4")]].message
    assert got.scores == {"X01": {"1.5": D("0.25")}}


def test_workbooks_built_in_two_worker_processes_are_the_ones_built_in_one(ready, tmp_path, monkeypatch):
    """The oracle is the in-process build: each workbook's bytes, and every workbook written once."""
    from parxl.appraisal import build
    one = build.write_appraisal_workbooks(ready, "appraisal-1", tmp_path / "one")
    monkeypatch.setattr(build, "PARALLEL_FROM_ROWS", 0)
    seen = []
    two = build.write_appraisal_workbooks(ready, "appraisal-1", tmp_path / "two",
                                          progress=lambda done, total, label: seen.append((done, total, label)))
    assert [p.name for p in one] == [p.name for p in two] and len(one) > 1
    assert [a.read_bytes() for a in one] == [b.read_bytes() for b in two]
    assert seen[0] == (0, len(one), "") and sorted(s[2] for s in seen[1:]) == sorted(p.name for p in one)
    assert [s[0] for s in seen] == list(range(len(one) + 1))
    monkeypatch.setattr("multiprocessing.get_start_method", lambda *args, **kwargs: "spawn")  # workers read the ledger
    spawned = build.write_appraisal_workbooks(ready, "appraisal-1", tmp_path / "three")
    assert [a.read_bytes() for a in one] == [b.read_bytes() for b in spawned] and not build._WORKER_UNITS


def test_appraise_shows_a_bar_of_workbooks_on_a_terminal_only(ready, monkeypatch):
    import io

    from rich.console import Console

    from parxl.cli import appraise_cmd
    out = CliRunner().invoke(main, ["appraise", str(ready.root), "--round", "appraisal-2"])
    assert out.exit_code == 0 and "Đang tạo biểu mẫu thẩm định" not in out.output
    class Terminal(Console):
        def writes_to_terminal(self) -> bool:
            return True
    shown = io.StringIO()
    monkeypatch.setattr(appraise_cmd, "err_console", Terminal(file=shown, force_terminal=True, width=150,
                                                              color_system=None))
    out = CliRunner().invoke(main, ["appraise", str(ready.root), "--round", "appraisal-3"])
    groups = len(list(folder(ready, "appraisal-3").glob("*.xlsx")))
    assert out.exit_code == 0, (out.output, shown.getvalue())
    assert "Đang tạo biểu mẫu thẩm định" in shown.getvalue()
    assert f"{groups}/{groups}" in shown.getvalue() and groups > 1
