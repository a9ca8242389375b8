"""Shared builders for the document tests, and tests of the context helpers."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from conftest import make_campaign
from parxl.campaign.folder import load_campaign
from parxl.core.numbers import to_decimal
from parxl.documents.context import (
    BLANK_DATE, long_date, lowest_bands, org_lines, recipient_lines, sentence_case_org, units_phrase,
)
from parxl.master import write_master
from parxl.master.consolidation import current_fingerprint
from parxl.master.snapshot import save_snapshot
from parxl.results.compute import Results, UnitInput, consolidate

UNITS = (
    "Mã,Tên đơn vị,Loại\n"
    "P01,Phường An Lưu,Phường\n"
    "X02,Xã Lê Ninh,Xã\n"
    "P03,Phường Hiệp An,Phường\n"
    "X04,Xã Thất Hùng & <Mới>,Xã\n"
    "X05,Xã Bạch Đằng,Xã\n"
    "X06,Xã Quang Thành,Xã\n"
)
FULL = {"1.1": "1", "1.2": "1", "1.3": "2", "1.4": "2", "1.5": "1", "T1": "0", "D1": "0"}
# index by unit: P01 100 (1), X04 90 (2), X02 85 (3), P03 45 (4); X05 missing; X06 rejected.
SCORES = {
    "P01": ({**FULL, "T1": "1"}, "3"),
    "X02": ({**FULL, "1.3": "1", "1.5": "0,5"}, "3"),
    "P03": ({**FULL, "1.4": "0", "1.3": "0"}, "1,5"),
    "X04": ({**FULL, "1.1": "0,5", "D1": "1", "T1": "1"}, "2,5"),
}


def set_decision(root: Path, number: str, date: str | None) -> None:
    config = root / "campaign.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "number: …/QĐ-UBND\n  date: null", f"number: {number}\n  date: {date or 'null'}")
    config.write_text(text, encoding="utf-8")


def build_results(root: Path, units_csv: str = UNITS, scores: dict = SCORES, decision_date: str | None = "2026-02-05",
                  rejected: tuple[str, ...] = ("X06",)) -> Results:
    make_campaign(root, units_csv=units_csv)
    set_decision(root, "12/QĐ-UBND", decision_date)
    campaign = load_campaign(root)
    inputs = []
    for unit in campaign.units:
        if unit.code in scores:
            own, survey = scores[unit.code]
            inputs.append(UnitInput(unit, "ok", self_scores={k: to_decimal(v) for k, v in own.items()},
                                    survey_scores={"2.1": to_decimal(survey)}))
        elif unit.code in rejected:
            inputs.append(UnitInput(unit, "errors", self_scores={k: to_decimal(v) for k, v in FULL.items()},
                                    error_count=3))
    return consolidate(campaign, inputs, made_at="2026-01-20T10:00:00")


def save_as_master(results: Results) -> Path:
    """Write ``results`` as ``parxl consolidate`` does: a master workbook and its snapshot.

    The results are built directly (the ledger stays empty), so the snapshot is
    fingerprinted against the campaign as it is now: the document commands follow it.
    """
    master = write_master(results, results.campaign.output_dir)
    save_snapshot(results, master, current_fingerprint(results.campaign))
    return master


@pytest.fixture
def results(tmp_path: Path) -> Results:
    return build_results(tmp_path / "dot")


def docx_texts(path: Path) -> list[str]:
    """Every paragraph's text, body and tables, in document order."""
    doc = Document(str(path))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return ["".join(t.text or "" for t in p.iter(f"{ns}t")) for p in doc.element.body.iter(f"{ns}p")]


def table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) not in seen:  # merged cells repeat
                seen.add(id(cell._tc))
                cells.append(cell.text.strip())
        rows.append(cells)
    return rows


def edit_template(source: Path, target: Path, old: str, new: str) -> Path:
    """A copy of a .docx template with one text replaced in word/document.xml."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                assert old in xml, f"{old!r} not in the template"
                data = xml.replace(old, new, 1).encode("utf-8")
            zout.writestr(info, data)
    return target


def pdf_text(soffice: str, docx: Path, workdir: Path) -> str:
    """Convert with LibreOffice, then pdftotext (UTF-8)."""
    profile = (workdir / "lo-profile").resolve().as_uri()  # percent-encoded: a TMPDIR may hold spaces, «ư»…
    subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(workdir), str(docx)], check=True, capture_output=True, timeout=180)
    pdf = workdir / (docx.stem + ".pdf")
    assert pdf.is_file(), "LibreOffice produced no PDF"
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is required with LibreOffice")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=60)
    return out.stdout.decode("utf-8")


# --- context helpers -----------------------------------------------------------

def test_long_date_follows_decree_30():
    assert long_date(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert long_date(dt.date(2026, 3, 15)) == "ngày 15 tháng 3 năm 2026"
    assert long_date(dt.date(2025, 12, 1)) == "ngày 01 tháng 12 năm 2025"
    assert long_date(None) == BLANK_DATE == "ngày … tháng … năm …"


def test_organisation_names_in_sentence_case_and_lines():
    assert sentence_case_org("ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN") == "Ủy ban nhân dân thị xã Kinh Môn"
    assert sentence_case_org("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH HẢI DƯƠNG") == "Chủ tịch Ủy ban nhân dân tỉnh Hải Dương"
    assert sentence_case_org("UBND xã Cao An") == "UBND xã Cao An"  # typed by a person: kept
    assert org_lines("ỦY BAN NHÂN DÂN XÃ CAO AN") == ["ỦY BAN NHÂN DÂN", "XÃ CAO AN"]
    assert org_lines("SỞ NỘI VỤ") == ["SỞ NỘI VỤ"]


def test_recipients_end_with_the_archive_line():
    assert recipient_lines(["Sở Nội vụ", "- UBND các xã;", "Lưu: VT, NV"]) == [
        "Sở Nội vụ;", "UBND các xã;", "Lưu: VT, NV."]
    assert recipient_lines(["Sở Nội vụ."]) == ["Sở Nội vụ;", "Lưu: VT, NV."]


def test_units_phrase_and_lowest_bands(results):
    assert units_phrase(results.campaign) == "Ủy ban nhân dân các xã, phường"
    assert [b.label for b in lowest_bands(results.bands)] == ["Trung bình", "Yếu"]
