"""A second ``parxl check`` with nothing new touches no workbook; anything changed in inbox/ is still seen.

Oracles: which files of inbox/ were read is counted at ``inbox._scan_one`` (the one place a file is read,
hashed and kept); a replaced file's new content is known by its own sha256 (hashlib on the bytes written),
the receipts of a scan from the note are compared with those of a scan without it; a workbook's kind is
compared with the sheet names openpyxl reads; outputs left alone keep their bytes and modification time.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import time
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from parxl.cli import main
from parxl.ledger import inbox, receive
from parxl.intake.submission import read_submission
from parxl.ledger.check_report_xlsx import FINDINGS_FILE
from parxl.ledger.inbox import SCAN_FILE, scan_inbox
from parxl.ledger.store import Ledger
from parxl.workbook.stamping import workbook_filename
from support.tamper import filled

from conftest import make_campaign


@pytest.fixture
def sent(tmp_path):
    """X01 in inbox/ with an evidence file beside it, X02 in a zip with its evidence, X03 loose (citing a
    file it did not send)."""
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / "X01").mkdir()
    (c.inbox_dir / "X01" / workbook_filename(c.unit("X01"))).write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / "X01" / "QD120.pdf").write_bytes(b"%PDF-1.4\nX01")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(workbook_filename(c.unit("X02")), filled(c, c.unit("X02")))
        zf.writestr("BC45.pdf", b"%PDF-1.4\nX02")
    (c.inbox_dir / "X02.zip").write_bytes(buf.getvalue())
    (c.inbox_dir / workbook_filename(c.unit("X03"))).write_bytes(  # cites a file nobody sent: a finding
        filled(c, c.unit("X03"), evidence={"1.1": ["Quyết định: KH15.pdf"]}))
    for path in c.inbox_dir.rglob("*"):  # received an hour ago (a file written this very moment is noted later)
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    return c


@pytest.fixture
def scans(monkeypatch):
    """The paths (relative to the campaign) of the inbox/ files read and hashed, per call."""
    read: list[str] = []
    real = inbox._scan_one

    def counting(campaign, ledger, path, rel, *args):
        read.append(rel)
        return real(campaign, ledger, path, rel, *args)
    monkeypatch.setattr(inbox, "_scan_one", counting)
    return read


def receipts(c):
    with Ledger.open(c) as ledger:
        found = scan_inbox(c, ledger)
    return [(r.path, r.sha256, r.received_at, r.kind, r.siblings, r.folder, r.stored) for r in found]


def test_a_second_scan_reads_no_unchanged_file_and_gives_the_same_receipts(sent, scans):
    first = receipts(sent)
    assert sorted(scans) == ["inbox/X01/QD120.pdf", f"inbox/X01/{workbook_filename(sent.unit('X01'))}",
                             "inbox/X02.zip", f"inbox/{workbook_filename(sent.unit('X03'))}"]
    scans.clear()
    again = receipts(sent)
    assert scans == []
    assert again == first
    assert any("!/" in r[0] for r in again)  # the zip's members come back too
    (sent.state_dir / SCAN_FILE).unlink()  # without the note: everything read again, the same receipts
    assert receipts(sent) == first and len(scans) == 4


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]", b'{"inbox/X02.zip": "x"}', b"\xff\xfe\x00"])
def test_a_damaged_scan_note_is_ignored_and_everything_read_again(sent, scans, damage):
    first = receipts(sent)
    (sent.state_dir / SCAN_FILE).write_bytes(damage)  # cut short by a crash, edited by hand, another version
    scans.clear()
    assert receipts(sent) == first and len(scans) == 4


def test_a_file_replaced_under_the_same_name_and_time_is_read_again(sent, scans):
    receipts(sent)
    path = sent.inbox_dir / workbook_filename(sent.unit("X03"))
    st = path.stat()
    new = filled(sent, sent.unit("X03"), answers={"1.1": {"choice": "Không ban hành"}})
    tmp = path.with_name("new.tmp")
    tmp.write_bytes(new)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same modification time as the old one
    os.replace(tmp, path)
    scans.clear()
    found = receipts(sent)
    assert scans == [path.relative_to(sent.root).as_posix()]
    assert hashlib.sha256(new).hexdigest() in {r[1] for r in found if r[0].endswith(path.name)}


def test_a_touched_file_is_read_again_and_an_edited_one_in_place_too(sent, scans):
    receipts(sent)
    pdf = sent.inbox_dir / "X01" / "QD120.pdf"
    os.utime(pdf, ns=(pdf.stat().st_atime_ns, pdf.stat().st_mtime_ns + 5_000_000_000))
    scans.clear()
    receipts(sent)
    assert scans == ["inbox/X01/QD120.pdf"]
    stamp = pdf.stat().st_mtime_ns
    with pdf.open("r+b") as fh:  # rewritten in place, same size, its time put back
        fh.write(b"%PDF-1.5")
    os.utime(pdf, ns=(stamp, stamp))
    scans.clear()
    found = receipts(sent)
    assert scans == ["inbox/X01/QD120.pdf"]
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() in {r[1] for r in found}
    scans.clear()
    receipts(sent)
    assert scans == []


def test_a_file_written_a_moment_ago_is_read_again_next_time(sent, scans):
    path = sent.inbox_dir / "X01" / "QD120.pdf"
    path.write_bytes(b"%PDF-1.4\nX01 new")  # its modification time is now
    receipts(sent)
    scans.clear()
    receipts(sent)
    assert scans == ["inbox/X01/QD120.pdf"]


def test_a_lost_ledger_makes_the_scan_keep_everything_again(sent, scans):
    first = receipts(sent)
    shutil.rmtree(sent.state_dir / "files")
    for name in os.listdir(sent.state_dir):
        if name.startswith("ledger"):
            (sent.state_dir / name).unlink()
    scans.clear()
    again = receipts(sent)
    assert len(scans) == 4 and again == first
    assert all(r[6].is_file() for r in again)


def test_a_rerun_with_nothing_new_reads_no_workbook_and_rewrites_no_output(sent, scans, monkeypatch):
    runner = CliRunner()
    first = runner.invoke(main, ["check", str(sent.root), "--json"])
    outputs = sorted(p for p in sent.output_dir.rglob("*.xlsx"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in outputs}
    opened: list[str] = []
    monkeypatch.setattr(receive, "read_submission", lambda *a, **k: opened.append(k.get("name")))
    scans.clear()
    again = runner.invoke(main, ["check", str(sent.root), "--json"])
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    assert scans == [] and opened == []
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in outputs} == before
    assert len(outputs) == 4  # the findings workbook and three feedback workbooks


def sheet_rows(path):
    wb = openpyxl.load_workbook(path)
    return {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}


def test_the_findings_workbook_is_written_again_when_what_it_says_changes(sent, tmp_path):
    runner = CliRunner()
    runner.invoke(main, ["check", str(sent.root)])
    summary = sent.output_dir / FINDINGS_FILE
    stamp, rows = summary.stat().st_mtime_ns, sheet_rows(summary)
    path = sent.inbox_dir / workbook_filename(sent.unit("X03"))
    path.write_bytes(filled(sent, sent.unit("X03"), answers={"1.1": {"choice": "Không ban hành"}}))
    runner.invoke(main, ["check", str(sent.root)])
    assert summary.stat().st_mtime_ns != stamp and sheet_rows(summary) != rows
    fresh = tmp_path / "fresh"  # the same inbox/ checked from scratch: the same workbook
    shutil.copytree(sent.root, fresh, ignore=shutil.ignore_patterns(".parxl", "output"))
    runner.invoke(main, ["check", str(fresh)])
    assert sheet_rows(summary) == sheet_rows(fresh / "output" / FINDINGS_FILE)
    summary.unlink()  # deleted by the clerk: written again though nothing changed
    runner.invoke(main, ["check", str(sent.root)])
    assert sheet_rows(summary) == sheet_rows(fresh / "output" / FINDINGS_FILE)


def explanation_like(tmp_path, sheets: list[str]) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = sheets[0]
    for name in sheets[1:]:
        wb.create_sheet(name).sheet_state = "hidden"
    path = tmp_path / "k.xlsx"
    wb.save(path)
    return path.read_bytes()


def rewrite_part(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(info.filename, body.replace(old, new) if info.filename == part else body)
    return out.getvalue()


@pytest.mark.parametrize("sheets, escape", [
    (["Dữ liệu", "parxl-giaitrinh"], False),
    (["Dữ liệu", "parxl-giaitrinh"], True),   # the name written with a character reference
    (["Dữ liệu", "parxl-giaitrinh-cu"], False),
    (["Dữ liệu", "Tự chấm"], False),
])
def test_the_kind_of_a_workbook_is_what_its_sheets_say(tmp_path, sheets, escape):
    data = explanation_like(tmp_path, sheets)
    if escape:
        data = rewrite_part(data, "xl/workbook.xml", b'name="parxl-giaitrinh"', b'name="&#112;arxl-giaitrinh"')
    path = tmp_path / "w.xlsx"
    path.write_bytes(data)
    names = openpyxl.load_workbook(path).sheetnames
    expected = "explanation" if "parxl-giaitrinh" in names else None
    assert receive._other_kind_of_read(read_submission(path, name="inbox/w.xlsx")) == expected


def ledger_rows(c):
    with Ledger.open(c) as ledger:
        db = ledger.db
        return (sorted(db.execute("SELECT sha256, round, unit_code, named_unit, status, total, errors, warnings, infos, "
                                  "criteria_fingerprint FROM versions")),
                sorted(db.execute("SELECT v.sha256, f.seq, f.code, f.severity, f.sheet, f.cell, f.item, f.message "
                                  "FROM findings f JOIN versions v ON v.id = f.version_id")),
                sorted(db.execute("SELECT v.sha256, i.item, i.inputs, i.score, i.cached, i.evidence, i.explanation "
                                  "FROM items i JOIN versions v ON v.id = i.version_id")))


def test_recording_in_one_batch_gives_the_rows_recording_one_by_one_gives(sent, tmp_path):
    result = receive.run_intake(sent, workers=1)
    reports = list(result.reports.values())
    assert reports and any(r.findings for r in reports) and all(len(r.items) for r in reports)
    batch = ledger_rows(sent)
    other = make_campaign(tmp_path / "other")
    with Ledger.open(other) as ledger:
        with Ledger.open(sent) as source:
            files = list(source.db.execute("SELECT sha256, size, stored, first_seen FROM files"))
        ledger.db.executemany("INSERT INTO files VALUES (?,?,?,?)", files)
        for report in reports:
            ledger.record(report, "fp")
            ledger.record(report, "fp")  # a second check of the same content replaces the first
        ledger.commit()
    one_by_one = ledger_rows(other)
    assert [[row[:-1] for row in batch[0]], batch[1], batch[2]] == \
        [[row[:-1] for row in one_by_one[0]], one_by_one[1], one_by_one[2]]
    with Ledger.open(sent) as ledger:
        many = ledger.findings_many([r.sha256 for r in reports] + ["0" * 64])
        assert many == {**{r.sha256: ledger.findings(r.sha256) for r in reports}, "0" * 64: []}


def test_two_units_that_swapped_files_have_it_recorded_in_the_ledger(tmp_path):
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    one, two = c.unit("X01"), c.unit("X02")
    (c.inbox_dir / workbook_filename(two)).write_bytes(filled(c, one))  # X01's workbook under X02's name
    (c.inbox_dir / workbook_filename(one)).write_bytes(filled(c, two))
    result = receive.run_intake(c, workers=1)
    with Ledger.open(c) as ledger:
        for report in result.reports.values():
            recorded = [f.code for f in ledger.findings(report.sha256)]
            assert "identity-swapped" in recorded and recorded == [f.code for f in report.findings]
