"""The intake's parent process doing less per file: the kind of a workbook said by the worker that reads it,
kept copies written with fewer steps (and a short one written again), units' blocks looked up in an index,
and the items of recorded reports read back from the validation cache when asked.

Oracles: openpyxl's list of sheet names, the bytes and sha256 of files on disk, the folder's listing, a
linear search over the blocks' units written here, and ``read_submission`` + ``validate`` run directly on
the same file.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pytest

from parxl.campaign.folder import load_campaign
from parxl.core.files import ordinary_mode, write_kept
from parxl.intake.submission import read_submission
from parxl.intake.validation import Report, validate
from parxl.ledger.receive import run_intake
from parxl.ledger.store import Ledger
from parxl.workbook.stamping import workbook_filename
from support.tamper import filled

from conftest import make_campaign


def explanation_like(path: Path) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Dữ liệu"
    wb.create_sheet("parxl-giaitrinh").sheet_state = "hidden"
    wb.save(path)
    return path.read_bytes()


@pytest.fixture
def inbox(tmp_path):
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    for code in ("X01", "X02"):
        (c.inbox_dir / workbook_filename(c.unit(code))).write_bytes(filled(c, c.unit(code)))
    return c


def test_another_kind_of_workbook_is_told_by_the_worker_and_never_recorded(inbox, tmp_path):
    data = explanation_like(inbox.inbox_dir / "giai-trinh X01.xlsx")
    assert "parxl-giaitrinh" in openpyxl.load_workbook(inbox.inbox_dir / "giai-trinh X01.xlsx").sheetnames

    result = run_intake(inbox, workers=1)
    sha = hashlib.sha256(data).hexdigest()
    assert [r.path for r in result.others] == ["inbox/giai-trinh X01.xlsx"]
    assert [r.kind for r in result.files if r.sha256 == sha] == ["explanation"]
    assert sha not in result.reports and "inbox/giai-trinh X01.xlsx" not in result.revalidated
    assert sorted(r.unit_code for r in result.reports.values()) == ["X01", "X02"]
    with Ledger.open(inbox) as ledger:
        assert ledger.db.execute("SELECT COUNT(*) FROM versions WHERE sha256 = ?", (sha,)).fetchone() == (0,)
        assert ledger.db.execute("SELECT COUNT(*) FROM versions").fetchone() == (2,)


def test_a_content_the_ledger_holds_as_a_self_assessment_is_validated_as_one(inbox):
    data = explanation_like(inbox.inbox_dir / "X03.xlsx")
    sha = hashlib.sha256(data).hexdigest()
    with Ledger.open(inbox) as ledger:  # recorded as a self-assessment by an earlier parxl
        ledger.keep(sha, data, "inbox/X03.xlsx", "2026-01-01T00:00:00Z")
        ledger.record(Report("inbox/X03.xlsx", sha, len(data), "unreadable"), inbox.framework.fingerprint)
        ledger.commit()
    result = run_intake(inbox, workers=1)
    assert result.others == [] and sha in result.reports
    direct = validate(inbox, read_submission(inbox.inbox_dir / "X03.xlsx", name="inbox/X03.xlsx"))
    assert result.reports[sha].status == direct.status
    assert [f.code for f in result.reports[sha].findings] == [f.code for f in direct.findings]


def test_recorded_reports_give_their_items_back_from_the_validation_cache(inbox):
    result = run_intake(inbox, workers=1)
    assert len(result.revalidated) == 2
    for rec in result.files:
        report = result.reports[rec.sha256]
        assert callable(report.items._text)  # not held as text: read back when asked
        direct = validate(inbox, read_submission(inbox.root / rec.path, name=rec.path))
        assert {k: (i.inputs, i.score, i.cached, i.evidence, i.explanation) for k, i in report.items.items()} == \
            {k: (i.inputs, i.score, i.cached, i.evidence, i.explanation) for k, i in direct.items.items()}
        assert len(report.items) > 0


def test_write_kept_writes_the_bytes_atomically_with_ordinary_permissions(tmp_path):
    target = tmp_path / "ab" / "x.xlsx"
    target.parent.mkdir()
    write_kept(target, b"old")
    write_kept(target, b"\x00new content" * 1000)
    assert target.read_bytes() == b"\x00new content" * 1000
    assert os.listdir(target.parent) == ["x.xlsx"]  # no temp file left
    assert target.stat().st_mode & 0o777 == ordinary_mode()
    with pytest.raises(TypeError):
        write_kept(target, "text")  # type: ignore[arg-type]
    assert target.read_bytes() == b"\x00new content" * 1000


def test_a_kept_copy_a_crash_left_short_is_written_again(tmp_path):
    c = make_campaign(tmp_path / "c")
    data = filled(c, c.unit("X01"))
    sha = hashlib.sha256(data).hexdigest()
    with Ledger.open(c) as ledger:
        stored = ledger.stored_path(sha, ".xlsx")
        stored.parent.mkdir(parents=True)
        stored.write_bytes(data[:100])  # renamed but not on disk when the power went: short, no ledger row
        path, first = ledger.keep(sha, data, "inbox/a.xlsx", "2026-01-01T00:00:00Z", suffix=".xlsx")
        assert first and path == stored and hashlib.sha256(stored.read_bytes()).hexdigest() == sha
        stored.write_bytes(data[:10])  # short again, the ledger row there: the next keep writes it again
        path, first = ledger.keep(sha, data, "inbox/b.xlsx", "2026-01-01T00:00:00Z", suffix=".xlsx")
        assert not first and hashlib.sha256(stored.read_bytes()).hexdigest() == sha
        assert os.listdir(stored.parent) == [stored.name]


def test_block_of_is_the_first_block_holding_the_unit(tmp_path):
    c = load_campaign(make_campaign(tmp_path / "c").root)

    def by_hand(code):
        for block in c.blocks:
            for unit in block.units:
                if unit.code == code:
                    return block
        return None
    for code in [u.code for u in c.units] + ["NOPE", ""]:
        assert c.block_of(code) is by_hand(code)
    block = c.blocks[0]
    gone = block.units[0].code
    block.units = block.units[1:]  # the units list replaced: the index follows
    assert c.block_of(gone) is None and by_hand(gone) is None


def test_two_commands_recording_the_same_contents_at_once_both_succeed(inbox):
    """Two parxl commands on one campaign record the same contents in batches (as two ``check`` runs do):
    the second one, which asked what is recorded while the first had not committed, must not insert a
    second version of a content (the ledger's unique constraint). Oracle: the rows counted in the ledger."""
    import threading

    fingerprint = inbox.framework.fingerprint
    contents = [f"content {i}".encode() for i in range(3)]
    reports = [Report(f"inbox/Y{i}.xlsx", hashlib.sha256(data).hexdigest(), len(data), "unreadable")
               for i, data in enumerate(contents)]
    with Ledger.open(inbox) as ledger:
        for report, data in zip(reports, contents):
            ledger.keep(report.sha256, data, report.file, "2026-01-01T00:00:00Z")
        ledger.commit()
    errors: list[BaseException] = []
    opened, go = threading.Event(), threading.Event()

    def other() -> None:  # the other command, its ledger opened before the first one records
        try:
            with Ledger.open(inbox) as second:
                opened.set()
                go.wait(30)
                second.record_many([(r, fingerprint) for r in reports])
                second.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            opened.set()
    thread = threading.Thread(target=other)
    thread.start()
    opened.wait(30)
    with Ledger.open(inbox) as first:
        first.record_many([(r, fingerprint) for r in reports[:2]])  # the first holds the write lock
        go.set()
        thread.join(0.5)  # the second asks what is recorded meanwhile
        first.commit()
        thread.join(30)
        assert errors == []
        counts = first.db.execute("SELECT sha256, COUNT(*) FROM versions GROUP BY sha256").fetchall()
    assert sorted(counts) == sorted((r.sha256, 1) for r in reports)
