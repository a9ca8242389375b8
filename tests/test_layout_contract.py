"""The layout contracts (parxl/workbook/layout.py, parxl/appraisal/layout.py): one source for writer and reader.

Everything the reader matches (sheets, columns, titles, wording, defined names,
the summary's layout) lives in the contract, the layout version is derived from
it, and no other module of parxl spells a column letter.
"""
from __future__ import annotations

import ast
import copy
import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import FIXTURES, make_campaign
from parxl.appraisal import layout as AL
from parxl.appraisal.build import write_appraisal_workbooks
from parxl.appraisal.read import read_appraisal
from parxl.ledger.receive import run_intake
from parxl.workbook import layout
from parxl.workbook.stamping import workbook_filename
from support.tamper import MINI_TOTAL, ROW, filled, set_meta
from test_validation import check

PARXL = Path(__file__).resolve().parent.parent / "parxl"
OLD_WORKBOOK = FIXTURES / "layout-1-X01.xlsx"  # X01's filled workbook built by parxl before this contract (version 1)


def _reader_wording(monkeypatch) -> dict[str, str]:
    """Change every title the reader matches, in the contract only; returns the new texts by role."""
    new = {"total": "TỔNG CỘNG ĐIỂM (mẫu mới)", "unit": "Tên đơn vị: {name}",
           "survey_note": "Điều tra xã hội học chấm (mẫu mới).", "code": "Mã số", "evidence": "Tài liệu kiểm chứng"}
    for key in ("total", "unit", "survey_note"):
        monkeypatch.setitem(layout.WORDING, key, new[key])
    for role in ("code", "evidence"):
        monkeypatch.setitem(layout.COLUMN_TITLES, role, new[role])
    return new


def test_changing_a_reader_matched_title_changes_the_version_and_writer_and_reader_follow(campaign, monkeypatch):
    before = layout.layout_version()
    old_data = filled(campaign, campaign.units[0])
    new = _reader_wording(monkeypatch)
    after = layout.layout_version()
    assert after != before and after.startswith(f"{layout.LAYOUT_SERIES}-")
    data = filled(campaign, campaign.units[0])
    ws = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_ASSESS]
    assert ws.cell(layout.UNIT_ROW, 1).value == "Tên đơn vị: Phường An Lưu"
    assert ws.cell(layout.HEADING_ROW, 1).value == new["code"] and ws.cell(layout.HEADING_ROW, 8).value == new["evidence"]
    assert ws.cell(ROW["total"], 2).value == new["total"]
    meta = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_META]
    assert meta.cell(layout.META_KEYS.index("layout_version") + 1, 2).value == after
    report = check(campaign, data)
    assert report.findings == [] and report.total_self == MINI_TOTAL
    # A workbook made before the change: one clear finding, not a cascade of wrong ones.
    stale = check(campaign, old_data)
    assert [f.code for f in stale.findings] == ["identity-layout-version"]
    assert f"phiên bản {before}" in stale.findings[0].message and after in stale.findings[0].message


@pytest.mark.parametrize("change", [
    lambda: layout.WORDING.__setitem__("penalty_prefix", "(Điểm trừ) "),
    lambda: layout.COLUMN_TITLES.__setitem__("appraisal_note", "Ý kiến"),
    lambda: layout.COLUMNS.__setitem__("evidence", "K"),
    lambda: layout.SHEETS.__setitem__("assess", "Tự chấm"),
    lambda: layout.ROWS.__setitem__("heading", 6),
    lambda: layout.NAME_PREFIXES.__setitem__("score", "parxl_diem_"),
    lambda: layout.SUMMARY["columns"].__setitem__("percent", "F"),
    lambda: layout.META_COLUMNS.__setitem__("options", "E"),
], ids=["penalty-prefix", "column-title", "column-letter", "sheet-name", "heading-row", "name-prefix",
        "summary-column", "options-column"])
def test_every_part_of_the_contract_is_in_the_version(change):
    saved = copy.deepcopy(layout.contract())
    before = layout.layout_version()
    try:
        change()
        assert layout.layout_version() != before
        assert not layout.reads_version(before) and not layout.reads_version("1")
    finally:
        for key, value in saved.items():  # put the contract back exactly
            target = {"sheets": layout.SHEETS, "columns": layout.COLUMNS, "column_titles": layout.COLUMN_TITLES,
                      "wording": layout.WORDING, "rows": layout.ROWS, "meta_columns": layout.META_COLUMNS,
                      "summary": layout.SUMMARY}.get(key)
            if target is not None:
                target.clear()
                target.update(value)
        layout.NAME_PREFIXES.clear()
        layout.NAME_PREFIXES.update(saved["names"]["prefixes"])
    assert layout.layout_version() == before


def test_a_workbook_from_the_previous_parxl_is_read_while_the_contract_is_unchanged(campaign, monkeypatch):
    old = OLD_WORKBOOK.read_bytes()
    meta = openpyxl.load_workbook(io.BytesIO(old))[layout.SHEET_META]
    assert meta.cell(layout.META_KEYS.index("layout_version") + 1, 2).value == 1  # as the previous parxl wrote it
    report = check(campaign, old)
    assert report.findings == [] and report.total_self == MINI_TOTAL
    assert report.items["1.3"].inputs == check(campaign, filled(campaign, campaign.units[0])).items["1.3"].inputs
    # Once a title the reader matches changes, version 1 is another form: said once, with what to do.
    monkeypatch.setitem(layout.WORDING, "total", "TỔNG ĐIỂM")
    (finding,) = check(campaign, old).findings
    assert finding.code == "identity-layout-version" and finding.severity == "error"
    assert "phiên bản 1," in finding.message and "biểu mẫu mới nhất" in finding.message


def test_a_changed_layout_version_in_the_file_is_one_finding(campaign):
    report = check(campaign, set_meta(filled(campaign, campaign.units[0]), "layout_version", "2-00000000"))
    assert [(f.code, f.sheet, f.cell) for f in report.findings] == [
        ("identity-layout-version", layout.SHEET_META, f"B{layout.META_KEYS.index('layout_version') + 1}")]


def test_the_summary_sheet_follows_its_layout(campaign, monkeypatch):
    moved = {"code": "B", "title": "C", "max": "D", "score": "E", "percent": "F"}
    monkeypatch.setitem(layout.SUMMARY, "columns", moved)
    monkeypatch.setitem(layout.SUMMARY, "first_row", 6)
    monkeypatch.setitem(layout.SUMMARY, "heading_row", 5)
    ws = openpyxl.load_workbook(io.BytesIO(filled(campaign, campaign.units[0])))[layout.SHEET_SUMMARY]
    assert [ws.cell(5, c).value for c in range(1, 7)] == [
        None, "Mã", "Lĩnh vực", "Điểm tối đa", "Điểm tự chấm", "Chỉ số thành phần (%)"]
    assert (ws["B6"].value, ws["D6"].value, ws["E6"].value) == ("1", 7, "=parxl_sum_1")  # field 1: max 7 (mini.yaml)
    assert ws["F6"].value == "=IF(D6>0,ROUND(E6/D6*100,2),0)"
    assert "B1:F1" in {str(r) for r in ws.merged_cells.ranges}


# ---------------------------------------------------------------- the appraisal workbook

@pytest.fixture
def received(tmp_path):
    """A campaign whose X01 file went through intake."""
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / workbook_filename(c.unit("X01"))).write_bytes(filled(c, c.unit("X01")))
    run_intake(c, workers=1)
    return c


def _field1(paths: list[Path]) -> Path:
    return next(p for p in paths if "lĩnh vực 1" in p.name)


def test_appraisal_columns_follow_the_layout_not_its_order(received, monkeypatch):
    letters = [letter for letter, _ in AL.COLUMNS.values()]  # A … R
    keys = list(AL.COLUMNS)[::-1]
    reordered = {key: (letter, AL.COLUMNS[key][1]) for key, letter in zip(keys, letters)}  # proposed on A … unit on R
    assert reordered["unit"] == ("R", "Mã đơn vị") and reordered["score"] == ("H", "Điểm thẩm định")
    monkeypatch.setattr(AL, "COLUMNS", reordered)
    path = _field1(write_appraisal_workbooks(received, "appraisal-1"))
    wb = openpyxl.load_workbook(path)
    ws = wb[AL.SHEET_DATA]
    assert {ws[f"{letter}{AL.HEADER_ROW}"].value for letter in letters} == {h for _, h in reordered.values()}
    for key, (letter, heading) in reordered.items():
        assert ws[f"{letter}{AL.HEADER_ROW}"].value == heading, key
    row = next(r for r in range(AL.HEADER_ROW + 1, ws.max_row + 1)
               if (ws[f"R{r}"].value, ws[f"P{r}"].value) == ("X01", "1.3"))  # unit on R, item on P
    assert ws[f"N{row}"].value == 2 and ws[f"G{row}"].value is None  # max points (E → N); the opinion (L → G)
    # score, opinion and «Cần giải trình» (N → E)
    assert {c.column_letter for c in ws[row] if not c.protection.locked} == {"H", "G", "E"}
    ws[f"H{row}"].value, ws[f"G{row}"].value, ws[f"E{row}"].value = 1, "Thiếu báo cáo quý IV", AL.FLAG_WORD
    out = io.BytesIO()
    wb.save(out)
    got = read_appraisal(received, out.getvalue(), "appraisal-1", name=path.name)
    assert got.findings == []
    assert got.scores == {"X01": {"1.3": Decimal(1)}} and got.notes == {"X01": {"1.3": "Thiếu báo cáo quý IV"}}
    assert got.flags == {"X01": {"1.3"}}


def test_an_appraisal_workbook_of_another_layout_is_one_finding(received, monkeypatch):
    path = _field1(write_appraisal_workbooks(received, "appraisal-1"))
    as_v1 = openpyxl.load_workbook(path)
    meta = as_v1[AL.SHEET_META]
    row = AL.META_KEYS.index("layout_version") + 1
    meta.cell(row, 2).value = "1"
    out = io.BytesIO()
    as_v1.save(out)
    assert read_appraisal(received, out.getvalue(), "appraisal-1").findings == []  # same contract as version 1
    monkeypatch.setitem(AL.COLUMNS, "note", ("L", "Ý kiến"))
    (finding,) = read_appraisal(received, path, "appraisal-1").findings
    assert (finding.code, finding.cell) == ("appraisal-other-layout", f"B{row}")
    assert "parxl appraise" in finding.message


# ---------------------------------------------------------------- no column letters outside the contracts

CONTRACTS = {"workbook/layout.py", "appraisal/layout.py", "explanation/layout.py"}
# (module, literal): not a column of the self-assessment or appraisal workbooks.
ALLOWED = {
    ("excel/control.py", "'!$A$"), ("excel/control.py", ":$A$"),  # the control workbook's own status range
    ("documents/render.py", "PX"),  # a DOCX comment's initials
}
_REF = re.compile(r"^\$?[A-Z]{1,3}\$?[0-9]+(:\$?[A-Z]{1,3}\$?[0-9]+)?$|^\$?[A-Z]{1,3}:\$?[A-Z]{1,3}$")
_TAIL = re.compile(r"(?:^|[^A-Za-z0-9_])\$?[A-Z]{1,3}\$?$")  # f"A{row}", f"'!$B${row}"
_LETTERS = re.compile(r"^[A-Z]{1,2}$")
_STR_METHODS = {"replace", "normalize", "split", "rsplit", "join", "strip", "startswith", "endswith", "translate"}


def column_literals(source: str) -> list[tuple[int, str]]:
    """(line, literal) of every column letter spelt in ``source``: a cell or range reference, an f-string part
    ending in a column letter before a row, or a one- or two-letter string passed to a call."""
    tree = ast.parse(source)
    found, parts = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for i, value in enumerate(node.values):
                parts.add(id(value))
                if (isinstance(value, ast.Constant) and i + 1 < len(node.values)
                        and isinstance(node.values[i + 1], ast.FormattedValue) and _TAIL.search(value.value)):
                    found.append((node.lineno, value.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
            if _REF.match(node.value):
                found.append((node.lineno, node.value))
        if isinstance(node, ast.Call):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if func not in _STR_METHODS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _LETTERS.match(arg.value):
                        found.append((arg.lineno, arg.value))
    return found


def test_the_scan_sees_each_way_of_spelling_a_column():
    source = 'ws.get(r, "A")\nx = f"B{row}"\ny = f"\'{s}\'!$C${row}"\nz = "D7"\nw = "A:A"\nv = "Đ".replace("Đ", "D")\n'
    assert sorted(lit for _, lit in column_literals(source)) == sorted(["A", "B", "'!$C$", "D7", "A:A"])


def test_no_column_letter_outside_the_layout_contracts():
    offenders = []
    for path in sorted(PARXL.rglob("*.py")):
        module = path.relative_to(PARXL).as_posix()
        if module in CONTRACTS:
            continue
        for line, literal in column_literals(path.read_text(encoding="utf-8")):
            if (module, literal) not in ALLOWED:
                offenders.append(f"parxl/{module}:{line}: {literal!r}")
    assert offenders == [], "column letters belong in the layout contracts:\n" + "\n".join(offenders)
