"""The ledger's schema version: an older ledger is backed up and migrated, a newer or foreign one refused."""
from __future__ import annotations

import re
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from parxl.cli import main
from parxl.core.errors import ParxlError
from parxl.ledger.schema import APPLICATION_ID, LEDGER_FILE, MIGRATIONS, SCHEMA_VERSION, LedgerError
from parxl.ledger.store import Ledger

# The ledger as parxl 0.1 (schema version 1) wrote it: written out by hand, not taken from the code under test.
V1_SQL = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (code TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, stored TEXT NOT NULL, first_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES files(sha256), original_path TEXT NOT NULL,
    received_at TEXT NOT NULL, seen_at TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'workbook',
    UNIQUE (sha256, original_path));
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES files(sha256), round TEXT NOT NULL,
    unit_code TEXT, named_unit TEXT, status TEXT NOT NULL, total TEXT,
    errors INTEGER NOT NULL, warnings INTEGER NOT NULL, infos INTEGER NOT NULL,
    checked_at TEXT NOT NULL, parxl_version TEXT NOT NULL, criteria_fingerprint TEXT NOT NULL,
    UNIQUE (sha256, round));
CREATE TABLE IF NOT EXISTS findings (
    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
    code TEXT NOT NULL, severity TEXT NOT NULL, sheet TEXT, cell TEXT, item TEXT, message TEXT NOT NULL,
    PRIMARY KEY (version_id, seq));
CREATE TABLE IF NOT EXISTS items (
    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE, item TEXT NOT NULL,
    inputs TEXT NOT NULL, score TEXT NOT NULL, cached TEXT, evidence TEXT NOT NULL, explanation TEXT NOT NULL,
    PRIMARY KEY (version_id, item));
CREATE INDEX IF NOT EXISTS versions_unit ON versions (unit_code, round);
CREATE INDEX IF NOT EXISTS findings_item ON findings (version_id, item);
INSERT OR IGNORE INTO meta VALUES ('schema_version', '1');
INSERT INTO units VALUES ('X01', 'Phường An Lưu', 'Phường');
INSERT INTO files VALUES ('aa11', 2048, 'files/aa/aa11.xlsx', '2026-01-05T08:00:01.000000Z');
INSERT INTO receipts (sha256, original_path, received_at, seen_at, kind)
    VALUES ('aa11', 'inbox/X01 - Phường An Lưu.xlsx', '2026-01-05T08:00:00Z', '2026-01-05T08:00:01.000000Z', 'workbook');
INSERT INTO versions VALUES (1, 'aa11', 'self', 'X01', 'X01', 'errors', '7.25', 1, 0, 0,
    '2026-01-05T08:00:02.000000Z', '0.1.0', 'f00d');
INSERT INTO findings VALUES (1, 0, 'evidence-missing', 'error', 'Tự đánh giá', 'H7', '1.1',
    'Tiêu chí 1.1 chưa có tài liệu kiểm chứng.');
INSERT INTO items VALUES (1, '1.1', '{"answer": "Có"}', '1', '1', '[]', '');
INSERT INTO items VALUES (1, '1.3', '{"numerator": {"d": "9"}, "denominator": {"d": "10"}}', '2', '2',
    '["https://xa.gov.vn/a.pdf"]', '');
"""


def v1_ledger(state_dir: Path) -> Path:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LEDGER_FILE
    db = sqlite3.connect(path)
    db.executescript(V1_SQL)
    db.commit()
    db.close()
    return path


def header(path: Path) -> tuple[int, int, str | None]:
    db = sqlite3.connect(path)
    try:
        app_id, = db.execute("PRAGMA application_id").fetchone()
        user_version, = db.execute("PRAGMA user_version").fetchone()
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return app_id, user_version, row and row[0]
    finally:
        db.close()


def schema(path: Path) -> set[tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        return {(kind, name) for kind, name in db.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    finally:
        db.close()


def files_beside(path: Path) -> dict[str, bytes]:
    """The ledger and its WAL (which hold the data), and any other file beside them; SQLite's -shm index
    is rebuilt by any reader, so it is left out."""
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.is_file() and not p.name.endswith("-shm")}


def test_older_ledger_is_backed_up_then_migrated_and_keeps_its_data(campaign):
    path = v1_ledger(campaign.state_dir)
    with Ledger.open(campaign) as ledger:
        backup = ledger.backup
        subs = ledger.latest_submissions()
        findings = ledger.findings("aa11")
        details = ledger.item_details("aa11")
        receipts = ledger.files()
    assert backup is not None and backup.parent == path.parent
    assert re.fullmatch(r"ledger-v1-\d{8}T\d{6}Z\.sqlite", backup.name), backup.name
    assert header(backup) == (0, 0, "1")  # the copy is the old ledger as it was
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT COUNT(*) FROM items").fetchone() == (2,)
    assert header(path) == (APPLICATION_ID, SCHEMA_VERSION, str(SCHEMA_VERSION))

    [sub] = subs
    assert (sub.unit_code, sub.unit_name, sub.status, sub.total_self) == ("X01", "Phường An Lưu", "errors", Decimal("7.25"))
    assert sub.self_scores == {"1.1": Decimal("1"), "1.3": Decimal("2")}
    assert sub.inputs["self"]["1.3"] == {"numerator": Decimal("9"), "denominator": Decimal("10")}
    assert sub.evidence_counts == {"1.1": 0, "1.3": 1} and sub.finding_counts == {"1.1": {"error": 1, "warning": 0, "info": 0}}
    assert [(f.code, f.cell, f.file) for f in findings] == [("evidence-missing", "H7", "inbox/X01 - Phường An Lưu.xlsx")]
    assert details["1.3"].evidence == ["https://xa.gov.vn/a.pdf"]
    assert [(r.path, r.status) for r in receipts] == [("inbox/X01 - Phường An Lưu.xlsx", "errors")]

    with Ledger.open(campaign) as again:  # migrated once: the next open neither migrates nor copies
        assert again.backup is None
    assert sorted(p.name for p in path.parent.glob("ledger-v*.sqlite")) == [backup.name]


def test_a_migrated_ledger_has_the_tables_of_a_fresh_one(campaign, tmp_path):
    migrated = v1_ledger(campaign.state_dir)
    Ledger.open(campaign).close()
    fresh_dir = tmp_path / "fresh"
    Ledger.open_at(fresh_dir).close()
    assert schema(migrated) == schema(fresh_dir / LEDGER_FILE)
    assert header(fresh_dir / LEDGER_FILE) == (APPLICATION_ID, SCHEMA_VERSION, str(SCHEMA_VERSION))


def test_migrations_chain_from_version_1_to_the_current_one():
    assert [(start, end) for start, end, _ in MIGRATIONS] == [(v, v + 1) for v in range(1, SCHEMA_VERSION)]


def test_newer_ledger_is_refused_and_left_unchanged(campaign):
    Ledger.open(campaign).close()
    path = campaign.state_dir / LEDGER_FILE
    db = sqlite3.connect(path)  # as a later parxl would leave it
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.execute("CREATE TABLE masters (id INTEGER PRIMARY KEY)")
    db.commit()
    db.close()
    before = files_beside(path)
    with pytest.raises(LedgerError) as info:
        Ledger.open(campaign)
    assert isinstance(info.value, ParxlError) and info.value.exit_code == 1
    message = str(info.value)
    assert str(path) in message
    assert f"phiên bản {SCHEMA_VERSION + 1}" in message and f"đến phiên bản {SCHEMA_VERSION}" in message
    assert files_beside(path) == before  # no change, no backup

    result = CliRunner().invoke(main, ["consolidate", str(campaign.root)])
    assert result.exit_code == 1
    flat = "".join(result.output.split())
    assert "".join(str(path).split()) in flat and "mớihơn" in flat and "Traceback" not in result.output
    assert files_beside(path) == before


@pytest.mark.parametrize("make", [
    lambda p: p.write_bytes(b"these bytes are no database at all" * 40),
    lambda p: sqlite3.connect(p).executescript("CREATE TABLE notes (x); INSERT INTO notes VALUES (1);"),
    lambda p: sqlite3.connect(p).executescript("PRAGMA application_id = 42; CREATE TABLE meta (key, value);"),
])
def test_a_file_that_is_not_a_ledger_is_refused_and_left_unchanged(campaign, make):
    path = campaign.state_dir / LEDGER_FILE
    make(path)
    before = files_beside(path)
    with pytest.raises(LedgerError, match="không phải sổ theo dõi"):
        Ledger.open(campaign)
    assert files_beside(path) == before


def test_a_failed_migration_step_leaves_the_old_version_and_the_backup(campaign, monkeypatch):
    path = v1_ledger(campaign.state_dir)

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        db.execute("UPDATE items SET score = 'x'")
        raise sqlite3.IntegrityError("simulated")

    monkeypatch.setattr("parxl.ledger.schema.MIGRATIONS", [(1, SCHEMA_VERSION, broken)])
    with pytest.raises(LedgerError, match="sổ vẫn ở phiên bản 1"):
        Ledger.open(campaign)
    assert header(path) == (0, 0, "1")
    assert ("table", "half_done") not in schema(path)
    with sqlite3.connect(path) as db:
        assert sorted(db.execute("SELECT score FROM items")) == [("1",), ("2",)]
    assert len(list(path.parent.glob("ledger-v1-*.sqlite"))) == 1
