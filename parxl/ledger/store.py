"""The campaign ledger: every file received, every check, every round, in SQLite.

The ledger lives in the campaign's state folder (``CAMPAIGN/.parxl/ledger.sqlite``)
beside the kept copies of the files (``.parxl/files/ab/abcdef….xlsx``, named by
sha256: the same content is stored once). Nothing is ever deleted: a newer
version of a unit's file supersedes the older one for consolidation, and the
older stays.

Python API (what ``parxl consolidate`` uses)::

    with Ledger.open(campaign) as ledger:
        for s in ledger.latest_submissions():          # round "self" by default
            s.unit_code, s.unit_name                     # "X01", "Phường An Lưu"
            s.sha256, s.original_path, s.received_at     # the file, where from, when (ISO 8601, UTC)
            s.stored_path                                # the kept copy (Path)
            s.status                                     # "ok" or "errors"
            s.total_self                                 # Decimal, parxl's computation
            s.inputs["self"]["1.1.2"]                    # {"numerator": Decimal("9"), ...} per round
            s.scores["self"]["1.1.2"]                    # Decimal per item per round
            s.evidence_counts["1.1.2"]                   # accepted evidence entries
            s.finding_counts["1.1.2"]                    # {"error": 1, "warning": 0, "info": 0}
            s.errors, s.warnings                         # totals over the file
            s.superseded                                 # sha256 of the unit's earlier versions
        ledger.findings(sha256)                          # list[Finding] of one file
        ledger.files()                                   # every receipt: path, sha256, received_at, status
        ledger.item_details(sha256)                      # item -> LedgerItem(inputs, score, evidence, explanation)
        ledger.record_appraisal(round, unit, scores, …)  # an appraisal round, read from an appraisal workbook

``latest_submissions(round)`` gives, per unit, the latest *readable* version
(status ok or errors) in that round; ``scores`` and ``inputs`` carry every
round recorded for the unit (the self-assessment now; appraisal rounds later
record theirs with ``record_round``). Decimal values are stored as text, never
floats.

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

A later schema change is one function ``_vN_to_vN1(db)`` appended to
``MIGRATIONS`` plus the new ``_SCHEMA`` for fresh ledgers, and
``SCHEMA_VERSION`` raised by one; tests/test_ledger_schema.py checks that a
migrated ledger has the same tables as a fresh one.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, NamedTuple

from .. import __version__
from ..campaign.folder import Campaign
from ..core.errors import ParxlError
from ..core.files import atomic_path, copy_atomic, write_atomic
from ..core.findings import Finding
from ..core.times import utc_iso
from ..criteria.rules import Value
from ..intake.validation import Report

SCHEMA_VERSION = 2
APPLICATION_ID = 0x70617278  # "parx": marks a SQLite file as a parxl ledger (from version 2)
LEDGER_FILE = "ledger.sqlite"
FILES_DIR = "files"
SELF = "self"

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
CREATE INDEX IF NOT EXISTS versions_unit ON versions (unit_code, round);
CREATE INDEX IF NOT EXISTS findings_item ON findings (version_id, item);
"""


class LedgerError(ParxlError):
    """The ledger file cannot be used: made by a newer parxl, not a parxl ledger, unreadable, or not migrated."""


def _v1_to_v2(db: sqlite3.Connection) -> None:
    """Version 2 keeps the version in SQLite's header; ``_migrate`` writes it, and the owner mark, after each step."""


# (from version, to version, step): applied in order inside one transaction each. A step gets the
# connection inside that transaction and must not commit (use ``db.execute``, never ``executescript``).
MIGRATIONS: list[tuple[int, int, Callable[[sqlite3.Connection], None]]] = [
    (1, 2, _v1_to_v2),
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


def _prepare(path: Path) -> Path | None:
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


def now_iso() -> str:
    """Now in UTC, ISO 8601 with microseconds and ``Z`` (``core.times.utc_iso``): the ledger's time stamps."""
    return utc_iso()


def _value_json(v: Value) -> object:
    return {"d": str(v)} if isinstance(v, Decimal) else v


def _value_from(v: object) -> Value:
    return Decimal(v["d"]) if isinstance(v, dict) else v  # type: ignore[return-value]


@dataclass(frozen=True)
class Receipt:
    """One received file as the ledger keeps it (``Ledger.files``); times are ISO 8601 UTC."""

    path: str          # original path, relative to the campaign folder ("inbox/a.zip!/X01.xlsx" inside a zip)
    sha256: str
    received_at: str   # ISO 8601 UTC: the file's modification time in inbox/
    kind: str          # workbook, evidence, archive
    status: str | None  # of the latest check of its content (None for evidence and archives)


@dataclass
class LedgerSubmission:
    """A unit's latest recorded file with its scores per round (points, Decimal) and finding counts."""

    unit_code: str
    unit_name: str
    sha256: str
    original_path: str
    received_at: str
    stored_path: Path
    status: str
    total_self: Decimal | None
    errors: int
    warnings: int
    inputs: dict[str, dict[str, dict[str, Value]]] = field(default_factory=dict)  # round -> item -> key -> value
    scores: dict[str, dict[str, Decimal]] = field(default_factory=dict)           # round -> item -> points
    evidence_counts: dict[str, int] = field(default_factory=dict)
    finding_counts: dict[str, dict[str, int]] = field(default_factory=dict)       # item -> severity -> n
    superseded: list[str] = field(default_factory=list)

    @property
    def self_scores(self) -> dict[str, Decimal]:
        """Item code → self-assessed points (the ``SELF`` round); empty when none are recorded."""
        return self.scores.get(SELF, {})


class LedgerItem(NamedTuple):
    """One item of one recorded version (``Ledger.item_details``)."""

    inputs: dict[str, Value]
    score: Decimal
    evidence: list[str]
    explanation: str  # the unit's explanation; an appraisal round keeps the appraiser's opinion here


class Ledger:
    """The campaign's SQLite ledger: kept files, receipts, checks, findings and item values per round.

    Open it with ``Ledger.open(campaign)`` (a context manager); writes are committed by ``commit``.
    """

    def __init__(self, state_dir: Path, connection: sqlite3.Connection):
        self.state_dir = state_dir
        self.db = connection
        self.backup: Path | None = None  # the copy made before migrating an older ledger, if this open did

    @classmethod
    def open(cls, campaign: Campaign) -> Ledger:
        """Open (creating or migrating) the ledger of ``campaign`` and record its units list.

        Raises ``LedgerError`` for a ledger that cannot be opened, a newer one, or a failed migration.
        """
        return cls.open_at(campaign.state_dir, campaign)

    @classmethod
    def open_at(cls, state_dir: Path, campaign: Campaign | None = None) -> Ledger:
        """Open (creating or migrating it first) the ledger in ``state_dir``; records the campaign's units.

        A ledger of an older schema version is copied beside itself (``ledger.backup`` is that copy)
        and migrated. Raises ``LedgerError`` (a ``ParxlError``, exit 1) for a ledger of a newer
        version or a file that is not a ledger; such a file is left unchanged.
        """
        state_dir.mkdir(parents=True, exist_ok=True)
        backup = _prepare(state_dir / LEDGER_FILE)
        db = sqlite3.connect(state_dir / LEDGER_FILE, timeout=30)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        ledger = cls(state_dir, db)
        ledger.backup = backup
        if campaign is not None:
            with db:
                db.executemany("INSERT INTO units VALUES (?, ?, ?) ON CONFLICT(code) DO UPDATE SET "
                               "name = excluded.name, kind = excluded.kind",
                               [(u.code, u.name, u.kind) for u in campaign.units])
        return ledger

    def close(self) -> None:
        """Close the connection; what was not committed is lost."""
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Keeping files ------------------------------------------------------------
    def stored_path(self, sha256: str, suffix: str = "") -> Path:
        """Where the kept copy of the content ``sha256`` lies: ``<state>/files/<2 hex>/<sha256><suffix>``."""
        return self.state_dir / FILES_DIR / sha256[:2] / (sha256 + suffix)

    def keep(self, sha256: str, data: bytes | Path, original_path: str, received_at: str,
             kind: str = "workbook", suffix: str = "") -> tuple[Path, bool]:
        """Store a received content once (atomically) and record this receipt; (kept copy, first time?)."""
        row = self.db.execute("SELECT stored FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        first = row is None
        if first:
            target = self.stored_path(sha256, suffix)
            if not target.exists():
                if isinstance(data, Path):
                    copy_atomic(data, target)
                else:
                    write_atomic(target, data)
            size = target.stat().st_size
            self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?)",
                            (sha256, size, target.relative_to(self.state_dir).as_posix(), now_iso()))
            stored = target
        else:
            stored = self.state_dir / row[0]
        self.db.execute("INSERT OR IGNORE INTO receipts (sha256, original_path, received_at, seen_at, kind) "
                        "VALUES (?, ?, ?, ?, ?)", (sha256, original_path, received_at, now_iso(), kind))
        return stored, first

    def commit(self) -> None:
        """Commit what was recorded since the last commit."""
        self.db.commit()

    # Recording checks -----------------------------------------------------------
    def record(self, report: Report, fingerprint: str, round: str = SELF) -> int:
        """Record one check of a file (replacing an earlier check of the same content in the round)."""
        db = self.db
        db.execute("DELETE FROM versions WHERE sha256 = ? AND round = ?", (report.sha256, round))
        counts = report.counts
        cur = db.execute(
            "INSERT INTO versions (sha256, round, unit_code, named_unit, status, total, errors, warnings, infos, "
            "checked_at, parxl_version, criteria_fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (report.sha256, round, report.unit_code, report.named_unit, report.status,
             None if report.total_self is None else str(report.total_self),
             counts["error"], counts["warning"], counts["info"], now_iso(), __version__, fingerprint))
        vid = cur.lastrowid
        db.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?,?)",
                       [(vid, i, f.code, f.severity, f.sheet, f.cell, f.item, f.message)
                        for i, f in enumerate(report.findings)])
        db.executemany("INSERT INTO items VALUES (?,?,?,?,?,?,?)", [
            (vid, r.code, json.dumps({k: _value_json(v) for k, v in r.inputs.items()}, ensure_ascii=False),
             str(r.score), None if r.cached is None else str(r.cached),
             json.dumps(r.evidence, ensure_ascii=False), r.explanation)
            for r in report.items.values()])
        return vid  # type: ignore[return-value]

    # Reading --------------------------------------------------------------------
    def files(self) -> list[Receipt]:
        """Every receipt, oldest first, with the status of its content's latest self-assessment check."""
        rows = self.db.execute(
            "SELECT r.original_path, r.sha256, r.received_at, r.kind, "
            "(SELECT status FROM versions v WHERE v.sha256 = r.sha256 AND v.round = ?) "
            "FROM receipts r ORDER BY r.received_at, r.original_path", (SELF,)).fetchall()
        return [Receipt(*row) for row in rows]

    def findings(self, sha256: str, round: str = SELF) -> list[Finding]:
        """The findings recorded for the content ``sha256`` in ``round``, in their order; [] when unchecked."""
        rows = self.db.execute(
            "SELECT f.code, f.severity, f.message, f.sheet, f.cell, f.item FROM findings f "
            "JOIN versions v ON v.id = f.version_id WHERE v.sha256 = ? AND v.round = ? ORDER BY f.seq",
            (sha256, round)).fetchall()
        file = self._first_path(sha256)
        return [Finding(code, sev, msg, sheet, cell, item, file) for code, sev, msg, sheet, cell, item in rows]

    def _first_path(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT original_path FROM receipts WHERE sha256 = ? ORDER BY received_at, id LIMIT 1",
                              (sha256,)).fetchone()
        return row[0] if row else None

    def versions(self, unit_code: str, round: str = SELF) -> list[tuple[str, str, str]]:
        """(sha256, received_at, status) of every version of a unit's file in a round, oldest first."""
        return self.db.execute(
            "SELECT v.sha256, MIN(r.received_at) AS t, v.status FROM versions v JOIN receipts r ON r.sha256 = v.sha256 "
            "WHERE v.unit_code = ? AND v.round = ? GROUP BY v.id ORDER BY t, MIN(r.id)", (unit_code, round)).fetchall()

    def latest_submissions(self, round: str = SELF) -> list[LedgerSubmission]:
        """Per unit (in units-list order), its latest readable version in ``round``."""
        out = []
        units = self.db.execute("SELECT code, name FROM units ORDER BY rowid").fetchall()
        for code, name in units:
            versions = [v for v in self.versions(code, round) if v[2] in ("ok", "errors")]
            if not versions:
                continue
            sha, received_at, _ = versions[-1]
            out.append(self._submission(code, name, sha, received_at, round, [v[0] for v in versions[:-1]]))
        return out

    def _submission(self, code: str, name: str, sha: str, received_at: str, round: str,
                    superseded: list[str]) -> LedgerSubmission:
        vid, status, total, errors, warnings = self.db.execute(
            "SELECT id, status, total, errors, warnings FROM versions WHERE sha256 = ? AND round = ?",
            (sha, round)).fetchone()
        stored, = self.db.execute("SELECT stored FROM files WHERE sha256 = ?", (sha,)).fetchone()
        sub = LedgerSubmission(code, name, sha, self._first_path(sha) or "", received_at, self.state_dir / stored,
                             status, None if total is None else Decimal(total), errors, warnings,
                             superseded=superseded)
        for item, inputs, score, evidence in self.db.execute(
                "SELECT item, inputs, score, evidence FROM items WHERE version_id = ?", (vid,)):
            sub.inputs.setdefault(round, {})[item] = {k: _value_from(v) for k, v in json.loads(inputs).items()}
            sub.scores.setdefault(round, {})[item] = Decimal(score)
            sub.evidence_counts[item] = len(json.loads(evidence))
        for item, severity, n in self.db.execute(
                "SELECT item, severity, COUNT(*) FROM findings WHERE version_id = ? AND item IS NOT NULL "
                "GROUP BY item, severity", (vid,)):
            sub.finding_counts.setdefault(item, {"error": 0, "warning": 0, "info": 0})[severity] = n
        for other_round in self._other_rounds(code, round):
            self._add_round(sub, code, other_round)
        return sub

    def _other_rounds(self, code: str, round: str) -> list[str]:
        return [r for (r,) in self.db.execute(
            "SELECT DISTINCT round FROM versions WHERE unit_code = ? AND round <> ?", (code, round))]

    def _add_round(self, sub: LedgerSubmission, code: str, round: str) -> None:
        versions = [v for v in self.versions(code, round) if v[2] in ("ok", "errors")]
        if not versions:
            return
        vid, = self.db.execute("SELECT id FROM versions WHERE sha256 = ? AND round = ?",
                               (versions[-1][0], round)).fetchone()
        for item, inputs, score in self.db.execute("SELECT item, inputs, score FROM items WHERE version_id = ?", (vid,)):
            sub.inputs.setdefault(round, {})[item] = {k: _value_from(v) for k, v in json.loads(inputs).items()}
            sub.scores.setdefault(round, {})[item] = Decimal(score)

    def record_round(self, report: Report, round: str, fingerprint: str) -> int:
        """Record a later round (an appraisal) read from a file already kept; same tables, another ``round``."""
        if round == SELF:
            raise ValueError("use record() for the self-assessment round")
        return self.record(report, fingerprint, round)

    def item_details(self, sha256: str, round: str = SELF) -> dict[str, LedgerItem]:
        """What one checked version says per item: inputs, score, evidence entries and explanation."""
        row = self.db.execute("SELECT id FROM versions WHERE sha256 = ? AND round = ?", (sha256, round)).fetchone()
        if row is None:
            return {}
        return {item: LedgerItem({k: _value_from(v) for k, v in json.loads(inputs).items()}, Decimal(score),
                                 json.loads(evidence), explanation)
                for item, inputs, score, evidence, explanation in self.db.execute(
                    "SELECT item, inputs, score, evidence, explanation FROM items WHERE version_id = ?", row)}

    def record_appraisal(self, round: str, unit_code: str, scores: dict[str, Decimal], notes: dict[str, str],
                         covered: set[str], source_sha256: str, source_path: str, fingerprint: str) -> int:
        """Record one unit's appraised scores read from an appraisal workbook (already kept) as ``round``.

        The unit keeps one current version per round: the new version holds the
        round's earlier scores of the items this file does *not* cover (another
        field's workbook), plus this file's ``scores`` (items it covers with a
        blank score carry no appraisal, so the self score stands). The version's
        content is a small JSON document, kept by sha256 like every received file,
        naming the workbook it was read from.
        """
        if round == SELF:
            raise ValueError("the self-assessment round is recorded with record()")
        merged: dict[str, tuple[Decimal, str]] = {}
        current = [v for v in self.versions(unit_code, round) if v[2] == "ok"]
        if current:
            merged = {item: (d.score, d.explanation) for item, d in self.item_details(current[-1][0], round).items()
                      if item not in covered}
        merged.update({item: (score, notes.get(item, "")) for item, score in scores.items()})
        when = now_iso()
        document = json.dumps({
            "kind": "parxl-appraisal", "round": round, "unit": unit_code, "source": source_sha256,
            "recorded_at": when, "items": {k: {"score": str(s), "note": n} for k, (s, n) in sorted(merged.items())},
        }, ensure_ascii=False, sort_keys=True).encode("utf-8")
        sha = hashlib.sha256(document).hexdigest()
        self.keep(sha, document, f"{source_path}#{unit_code}", when, "appraisal", ".json")
        cur = self.db.execute(
            "INSERT INTO versions (sha256, round, unit_code, named_unit, status, total, errors, warnings, infos, "
            "checked_at, parxl_version, criteria_fingerprint) VALUES (?,?,?,?,'ok',NULL,0,0,0,?,?,?)",
            (sha, round, unit_code, unit_code, when, __version__, fingerprint))
        vid = cur.lastrowid
        self.db.executemany("INSERT INTO items VALUES (?,?,'{}',?,NULL,'[]',?)",
                            [(vid, item, str(s), n) for item, (s, n) in merged.items()])
        return vid  # type: ignore[return-value]

    def rounds(self) -> list[str]:
        """Every round recorded for some unit, in name order."""
        return sorted(r for (r,) in self.db.execute("SELECT DISTINCT round FROM versions"))

    def units_with_files(self, round: str = SELF) -> set[str]:
        """Codes of units with a readable file (status ok or errors) recorded in ``round``."""
        return {c for (c,) in self.db.execute(
            "SELECT DISTINCT unit_code FROM versions WHERE round = ? AND status IN ('ok', 'errors')", (round,))}

