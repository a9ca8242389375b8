"""The ledger's SQLite schema, its version, and the migrations from older versions.

Schema (``SCHEMA_VERSION``): ``units``; ``files`` (content: sha256, size, kept
copy); ``receipts`` (each time and place a content was received);
``versions`` (one check of one content in one round: unit, status, total,
counts); ``findings`` and ``items`` (per version).

Schema versions: the version is read before anything else touches the file.
A ledger made by an older parxl is copied beside itself
(``ledger-v1-20261130T071500Z.sqlite``: old version, UTC time) and then
migrated in place, one step per version, each step in one transaction; a
ledger made by a newer parxl, or a file that is not a parxl ledger, is refused
(``LedgerError``) and left as it is.

- version 1: the tables above; the version is only in ``meta.schema_version``.
- version 2: the version is also in SQLite's header (``PRAGMA user_version``)
  and the file is marked as parxl's (``PRAGMA application_id``), so both can
  be read without knowing any table.
- version 3: ``received_overrides``: when a unit's file was received, as the clerk corrected it
  (``parxl status --received``), per unit and round.
- version 4: ``events``: what was done to the campaign's results as a whole, with
  who, when and why (``finalize`` and ``reopen``: ``parxl finalize``).

A later schema change is one function ``_vN_to_vN1(db)`` appended to
``MIGRATIONS`` plus the new ``_SCHEMA`` for fresh ledgers, and
``SCHEMA_VERSION`` raised by one; tests/test_ledger_schema.py checks that a
migrated ledger has the same tables as a fresh one.

``prepare(path)`` is what ``Ledger.open_at`` runs before it connects.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Callable

from .. import __version__
from ..core.errors import ParxlError
from ..core.files import atomic_path

SCHEMA_VERSION = 4
APPLICATION_ID = 0x70617278  # "parx": marks a SQLite file as a parxl ledger (from version 2)
LEDGER_FILE = "ledger.sqlite"

_SCHEMA = """
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
CREATE TABLE IF NOT EXISTS received_overrides (
    unit_code TEXT NOT NULL, round TEXT NOT NULL, received_at TEXT NOT NULL, note TEXT NOT NULL, set_at TEXT NOT NULL,
    PRIMARY KEY (unit_code, round));
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT NULL, who TEXT NOT NULL, why TEXT NOT NULL,
    detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS versions_unit ON versions (unit_code, round);
CREATE INDEX IF NOT EXISTS findings_item ON findings (version_id, item);
"""


class LedgerError(ParxlError):
    """The ledger file cannot be used: made by a newer parxl, not a parxl ledger, unreadable, or not migrated."""


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """Version 2 keeps the version in SQLite's header; ``_migrate`` writes it, and the owner mark, after each step."""


def _v2_to_v3(db: sqlite3.Connection) -> None:
    """Version 3 keeps the clerk's corrections of when a unit's file was received (``received_overrides``)."""
    db.execute("CREATE TABLE IF NOT EXISTS received_overrides (unit_code TEXT NOT NULL, round TEXT NOT NULL, "
               "received_at TEXT NOT NULL, note TEXT NOT NULL, set_at TEXT NOT NULL, PRIMARY KEY (unit_code, round))")


def _v3_to_v4(db: sqlite3.Connection) -> None:
    """Version 4 adds ``events`` (finalising and reopening the results: who, when, why)."""
    db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT NULL, "
               "who TEXT NOT NULL, why TEXT NOT NULL, detail TEXT NOT NULL)")


# (from version, to version, step): applied in order inside one transaction each. A step gets the
# connection inside that transaction and must not commit (use ``db.execute``, never ``executescript``).
MIGRATIONS: list[tuple[int, int, Callable[[sqlite3.Connection], None]]] = [
    (1, 2, _v1_to_v2),
    (2, 3, _v2_to_v3),
    (3, 4, _v3_to_v4),
]


def _stamp_version(db: sqlite3.Connection, version: int) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {int(version)}")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(version),))


def _not_a_ledger(path: Path, why: str) -> LedgerError:
    return LedgerError(f"«{path}» không phải sổ theo dõi (ledger) của parxl hoặc đã hỏng ({why}). "
                       "parxl không sửa tệp này; hãy khôi phục tệp từ bản sao lưu, hoặc chuyển nó ra khỏi thư mục "
                       "để parxl tạo sổ mới rồi chạy lại «parxl check».")


def schema_version(db: sqlite3.Connection, path: Path) -> int:
    """The schema version of an open ledger file, read without changing it; 0 for a new, empty file.

    Raises ``LedgerError`` when the file is not a parxl ledger or cannot be read.
    """
    try:
        app_id, = db.execute("PRAGMA application_id").fetchone()
        user_version, = db.execute("PRAGMA user_version").fetchone()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        row = (db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
               if "meta" in tables else None)
    except sqlite3.DatabaseError as exc:
        raise _not_a_ledger(path, "SQLite không đọc được tệp") from exc
    if app_id == APPLICATION_ID and user_version > 0:
        return user_version
    if app_id != 0 or user_version != 0:
        raise _not_a_ledger(path, "tệp SQLite của phần mềm khác")
    if not tables:
        return 0
    if row is not None and str(row[0]).isdigit():
        return int(row[0])  # version 1 kept its version only in the meta table
    raise _not_a_ledger(path, "không có phiên bản sổ")


def backup_name(path: Path, version: int, when: dt.datetime) -> Path:
    """Where a ledger of ``version`` is copied before a migration: beside it, named with the version and UTC time."""
    return path.with_name(f"{path.stem}-v{version}-{when:%Y%m%dT%H%M%SZ}{path.suffix}")


def _backup(db: sqlite3.Connection, path: Path, version: int) -> Path:
    """A consistent copy of the open ledger (WAL content included) beside it, written atomically."""
    target = backup_name(path, version, dt.datetime.now(dt.timezone.utc))
    with atomic_path(target) as tmp:
        copy = sqlite3.connect(tmp)
        try:
            db.backup(copy)
        finally:
            copy.close()
    return target


def prepare(path: Path) -> Path | None:
    """Create, check or migrate the ledger file at ``path`` to ``SCHEMA_VERSION``; the backup made, if any.

    Raises ``LedgerError`` for a newer or foreign file (left untouched) and for a failed migration
    (the file is rolled back to its old version; the backup stays).
    """
    try:
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error as exc:
        raise LedgerError(f"Không mở được sổ theo dõi «{path}» (không có quyền đọc/ghi hoặc không phải tệp). "
                          "Hãy kiểm tra thư mục đợt đánh giá rồi chạy lại.") from exc
    try:
        version = schema_version(db, path)
        if version == SCHEMA_VERSION:
            return None
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"Sổ theo dõi «{path}» có phiên bản {version}, do một bản parxl mới hơn tạo ra; bản parxl này "
                f"({__version__}) chỉ đọc được sổ đến phiên bản {SCHEMA_VERSION}. Hãy cập nhật parxl lên bản mới "
                "rồi chạy lại lệnh. Tệp sổ không bị thay đổi.")
        if version == 0:
            db.executescript("BEGIN IMMEDIATE;\n" + _SCHEMA + f"\nPRAGMA application_id = {APPLICATION_ID};\n"
                             f"PRAGMA user_version = {SCHEMA_VERSION};\n"
                             f"INSERT OR REPLACE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;")
            return None
        backup = _backup(db, path, version)
        _migrate(db, path, version, backup)
        return backup
    finally:
        db.close()


def _migrate(db: sqlite3.Connection, path: Path, version: int, backup: Path) -> None:
    steps = {start: (end, step) for start, end, step in MIGRATIONS}
    while version < SCHEMA_VERSION:
        if version not in steps:
            raise LedgerError(f"Không có cách nâng sổ theo dõi «{path}» từ phiên bản {version} lên "
                              f"{SCHEMA_VERSION}. Bản sao lưu ở «{backup}».")
        end, step = steps[version]
        db.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(db, path) != version:  # another parxl migrated it meanwhile
                db.execute("ROLLBACK")
                version = schema_version(db, path)
                continue
            step(db)
            _stamp_version(db, end)
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, LedgerError) or not isinstance(exc, Exception):
                raise
            raise LedgerError(
                f"Không nâng được sổ theo dõi «{path}» từ phiên bản {version} lên {end} "
                f"({type(exc).__name__}); sổ vẫn ở phiên bản {version}, bản sao lưu ở «{backup}». "
                "Hãy báo cho nhóm phát triển.") from exc
        version = end
