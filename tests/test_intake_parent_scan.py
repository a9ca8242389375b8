"""The scan of inbox/ telling an xlsx from a plain zip by reading the zip's directory bytes itself (no ZipFile
object for most files), and kept copies named without extra path objects.

Oracles: Python's zipfile (its list of names, and the scan's former rule written again here with it) on
files written by openpyxl, XlsxWriter, LibreOffice-like layouts and hand-made zips; the ledger's rows read
with SQL and the files on disk.
"""
from __future__ import annotations

import hashlib
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

from parxl.ledger.inbox import _is_archive, _lists_content_types, is_ods, sniff
from parxl.ledger.store import Ledger

from test_intake_parent import inbox  # noqa: F401  (the fixture: X01 and X02 sent, as there)


def former_rule(data: bytes) -> bool:
    """The scan's rule before: ZipFile's list of names decides (the oracle)."""
    try:
        if sniff(data).kind != "zip":
            return False
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
        if "[Content_Types].xml" in names:
            return False
        return not is_ods(data)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError, RuntimeError):
        return False


def openpyxl_bytes() -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(buf)
    return buf.getvalue()


def xlsxwriter_bytes() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet().write(0, 0, "x")
    wb.close()
    return buf.getvalue()


def plain_zip(members: dict[str, bytes], comment: bytes = b"", prefix: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.comment = comment
    return prefix + buf.getvalue()


CASES = {
    "openpyxl": openpyxl_bytes,
    "xlsxwriter": xlsxwriter_bytes,
    "xlsx with a comment": lambda: plain_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"}, b"hi"),
    "plain zip of a workbook": lambda: plain_zip({"a.xlsx": openpyxl_bytes(), "b.pdf": b"%PDF-1.4"}),
    "content types in a folder only": lambda: plain_zip({"x/[Content_Types].xml": b"<x/>", "a.xlsx": b"PK"}),
    "content types last": lambda: plain_zip({"a.pdf": b"1", "b/c.txt": b"2", "[Content_Types].xml": b"<x/>"}),
    "bytes before the zip": lambda: plain_zip({"[Content_Types].xml": b"<x/>"}, prefix=b"MZ" + b"\0" * 40),
    "empty zip": lambda: plain_zip({}),
    "ods": lambda: plain_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                              "content.xml": b"<x/>"}),
    "truncated": lambda: openpyxl_bytes()[:-30],
    "directory bytes damaged": lambda: openpyxl_bytes()[:-60] + b"\xff" * 38 + openpyxl_bytes()[-22:],
    "not a zip": lambda: b"hello",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_archive_or_not_is_what_zipfile_says(case):
    data = CASES[case]()
    assert _is_archive(data) == former_rule(data)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_directory_read_from_bytes_names_content_types_only_when_zipfile_does(case):
    data = CASES[case]()
    if _lists_content_types(data):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert "[Content_Types].xml" in zf.namelist()


def test_parxl_and_excel_like_workbooks_are_told_without_zipfile():
    assert _lists_content_types(openpyxl_bytes())
    assert _lists_content_types(xlsxwriter_bytes())
    assert not _lists_content_types(CASES["content types in a folder only"]())


def test_a_kept_copy_lies_where_its_row_says(tmp_path):
    ledger = Ledger.open_at(tmp_path / "state")
    data = b"PK\x03\x04 some bytes"
    sha = hashlib.sha256(data).hexdigest()
    stored, first = ledger.keep(sha, data, "inbox/a.xlsx", "2026-01-01T00:00:00Z", suffix=".xlsx")
    ledger.commit()
    (rel,) = ledger.db.execute("SELECT stored FROM files WHERE sha256 = ?", (sha,)).fetchone()
    ledger.close()
    assert first and rel == f"files/{sha[:2]}/{sha}.xlsx"
    assert stored == tmp_path / "state" / "files" / sha[:2] / f"{sha}.xlsx"
    assert stored.read_bytes() == data


def cache_rows(campaign) -> tuple[list, list]:
    import sqlite3

    from parxl.intake.cache import CACHE_FILE
    db = sqlite3.connect(campaign.state_dir / CACHE_FILE)
    try:
        reports = db.execute("SELECT key, report, items FROM reports ORDER BY key").fetchall()
        marks = db.execute("SELECT key, recorded FROM marks ORDER BY key").fetchall()
    finally:
        db.close()
    return reports, marks


def test_recorded_marks_live_apart_and_a_second_run_reads_and_records_nothing(inbox):
    from parxl.ledger.receive import run_intake
    first = run_intake(inbox, workers=1)
    assert len(first.revalidated) == 2
    reports, marks = cache_rows(inbox)
    assert [k for k, _ in marks] == [k for k, *_ in reports] and all(m for _, m in marks)
    with Ledger.open(inbox) as ledger:
        versions = ledger.db.execute("SELECT id, checked_at FROM versions ORDER BY id").fetchall()
    again = run_intake(inbox, workers=1)
    assert again.revalidated == []
    with Ledger.open(inbox) as ledger:  # nothing recorded again: the marks said the ledger holds these reports
        assert ledger.db.execute("SELECT id, checked_at FROM versions ORDER BY id").fetchall() == versions
    assert cache_rows(inbox) == (reports, marks)


def test_a_changed_report_drops_its_old_mark(inbox):
    from parxl.intake.cache import ValidationCache
    from parxl.ledger.receive import run_intake
    run_intake(inbox, workers=1)
    _, marks = cache_rows(inbox)
    cache = ValidationCache(inbox)
    key = marks[0][0]
    assert cache._recorded[key] == marks[0][1]
    rec = run_intake(inbox, workers=1).files[0]
    report = cache.get(rec.sha256, rec.path, rec.siblings, str(rec.folder) if rec.folder else None)
    cache.put(report, rec.path, rec.siblings, str(rec.folder) if rec.folder else None, {})
    cache.save()
    cache.close()
    reports, after = cache_rows(inbox)
    assert len(reports) == 2 and len(after) == 1  # the entry written again has no mark until recorded again
