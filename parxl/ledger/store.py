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

The schema, its version and migrations are in ``parxl.ledger.schema``; the rows above
(``Receipt``, ``LedgerSubmission``, ``LedgerItem``) in ``parxl.ledger.rows``.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path

from .. import __version__
from ..campaign.folder import Campaign
from ..core.files import copy_atomic, ensure_folder, spread_subfolders, write_kept
from ..core.findings import Finding
from ..core.keyed import KeyedRow, shared_index
from ..core.times import utc_iso
from ..intake.validation import Report
from .rows import SELF, LedgerItem, LedgerSubmission, Receipt, decode_value, encode_value, is_explanation_round
from .schema import LEDGER_FILE, LedgerError, prepare

__all__ = ["Ledger", "LedgerError", "LedgerItem", "LedgerSubmission", "Receipt", "SELF", "FILES_DIR", "LEDGER_FILE",
           "now_iso"]

FILES_DIR = "files"
_json = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(x, ensure_ascii=False) gives, made once


def now_iso() -> str:
    """Now in UTC, ISO 8601 with microseconds and ``Z`` (``core.times.utc_iso``): the ledger's time stamps."""
    return utc_iso()



def _size_of(path: Path) -> int:
    """The size of the file ``path`` in bytes, -1 when there is none."""
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


def item_rows(report: Report) -> list[tuple[str, str, str, str | None, str, str]]:
    """The ledger's rows of ``report.items`` without their version id: (item code, inputs as JSON, score,
    cached value or None, evidence as JSON, explanation). ``record`` makes them, unless the report carries
    them already as ``report.item_rows`` (made where the file was read, beside the worker's other work)."""
    return [(r.code, _inputs_json(r.inputs) if r.inputs else "{}",
             str(r.score), None if r.cached is None else str(r.cached),
             _strings_json(r.evidence) if r.evidence else "[]", r.explanation)
            for r in report.items.values()]


_quoted = json.encoder.encode_basestring  # a str as JSON text (ensure_ascii=False), what _json gives for it


def _inputs_json(inputs: dict) -> str:
    """``_json({k: encode_value(v) …})`` of an item's inputs, the same text, put together directly for the
    usual keys and values (text, Decimal, None); anything else through ``_json``."""
    parts = []
    for k, v in inputs.items():
        if type(k) is not str:
            return _json({k: encode_value(v) for k, v in inputs.items()})
        if type(v) is str:
            parts.append(f"{_quoted(k)}: {_quoted(v)}")
        elif type(v) is Decimal:
            parts.append(f'{_quoted(k)}: {{"d": {_quoted(str(v))}}}')
        elif v is None:
            parts.append(f"{_quoted(k)}: null")
        else:
            return _json({k: encode_value(v) for k, v in inputs.items()})
    return "{" + ", ".join(parts) + "}"


def _strings_json(values: list) -> str:
    """``_json(values)`` of a list of texts (an item's evidence), the same text; anything else through ``_json``."""
    if all(type(v) is str for v in values):
        return "[" + ", ".join(map(_quoted, values)) + "]"
    return _json(values)


def _decode_object(obj: dict) -> object:
    """``json.loads`` object hook: ``{"d": "12.5"}`` (``encode_value`` of a Decimal) → ``Decimal("12.5")``; an
    item's inputs dict as it is (no rule has an input named «d»; see ``rows.decode_value``)."""
    if len(obj) == 1 and "d" in obj and isinstance(obj["d"], str):
        return decode_value(obj)
    return obj


class ItemInputs(Mapping):
    """Item code → its inputs (``{"numerator": Decimal("9"), …}``) in one round of a ``LedgerSubmission``, kept
    as the ledger's JSON text and parsed when an item is first asked for (then kept): at 10,000 units × 70
    items, every item's parsed dict would take hundreds of MB while consolidation reads a few items."""

    __slots__ = ("_raw", "_parsed")

    def __init__(self, raw: Mapping[str, str] | None = None):
        self._raw: Mapping[str, str] = raw if raw is not None else {}  # a dict, or a ``KeyedRow`` (read-only)
        self._parsed: dict[str, dict] | None = None  # made when an item is first asked for

    def __getitem__(self, item: str) -> dict:
        parsed = self._parsed
        if parsed is None:
            parsed = self._parsed = {}
        values = parsed.get(item)
        if values is None:
            values = parsed[item] = json.loads(self._raw[item], object_hook=_decode_object)
        return values

    def __contains__(self, item: object) -> bool:
        return item in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class Ledger:
    """The campaign's SQLite ledger: kept files, receipts, checks, findings and item values per round.

    Open it with ``Ledger.open(campaign)`` (a context manager); writes are committed by ``commit``.
    """

    def __init__(self, state_dir: Path, connection: sqlite3.Connection):
        self.state_dir = state_dir
        self.db = connection
        self.backup: Path | None = None  # the copy made before migrating an older ledger, if this open did
        self._folders: set[Path] = set()  # folders of kept copies known to exist
        self._kept_dirs: dict[str, Path] = {}  # ``kept_path``'s folders, made once each

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
        backup = prepare(state_dir / LEDGER_FILE)
        db = sqlite3.connect(state_dir / LEDGER_FILE, timeout=30)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        # a first intake records ~70 rows per file in one transaction: with SQLite's default 2 MB page cache the
        # pages being filled spill to the WAL again and again before the commit; 32 MB holds them (used as needed)
        db.execute("PRAGMA cache_size = -32768")
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

    def kept_path(self, stored: str) -> Path:
        """The kept copy whose path relative to the state folder is ``stored`` (the ``files`` table's column,
        «files/ab/abcdef….xlsx»), as ``state_dir / stored`` gives it; its folder's ``Path`` is made once."""
        folder, _, name = stored.rpartition("/")
        parent = self._kept_dirs.get(folder)
        if parent is None:
            parent = self._kept_dirs[folder] = self.state_dir / folder
        return parent / name if name else self.state_dir / stored

    def keep(self, sha256: str, data: bytes | Path, original_path: str, received_at: str,
             kind: str = "workbook", suffix: str = "") -> tuple[Path, bool]:
        """Store a received content once (atomically) and record this receipt; (kept copy, first time?).

        ``data`` is the content or a path to copy it from; ``suffix`` (e.g. ``.xlsx``) ends the kept
        copy's name. Not committed until ``commit``. Raises ``OSError`` when the copy cannot be written.
        """
        row = self.db.execute("SELECT stored, size FROM files WHERE sha256 = ?", (sha256,)).fetchone()
        first = row is None
        if first:
            rel = f"{FILES_DIR}/{sha256[:2]}/{sha256}{suffix}"  # ``stored_path``, built once (many files)
            target = self.state_dir / rel
            size = self._write_kept(target, data)
            self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?)", (sha256, size, rel, now_iso()))
            stored = target
        else:
            stored = self.state_dir / row[0]
            if not isinstance(data, Path) and _size_of(stored) != len(data):  # a copy a crash left short: again
                self._write_kept(stored, data)
        self.db.execute("INSERT OR IGNORE INTO receipts (sha256, original_path, received_at, seen_at, kind) "
                        "VALUES (?, ?, ?, ?, ?)", (sha256, original_path, received_at, now_iso(), kind))
        return stored, first

    def _files_root(self) -> None:
        """The folder of the kept copies made (once per ledger opened), its sub-folders to be spread over the
        disk (``spread_subfolders``: new files then cost the kernel far less). Never raises: a folder that
        cannot be made is met again, and reported, when the first copy's folder is made."""
        root = self.state_dir / FILES_DIR
        if root not in self._folders:
            try:
                ensure_folder(root)
            except OSError:
                return
            spread_subfolders(root)
            self._folders.add(root)

    def _write_kept(self, target: Path, data: bytes | Path) -> int:
        """Write the kept copy ``target`` of ``data`` unless a whole one is there already; its size in bytes.

        Written through a temp file and a rename (``write_kept``), without fsync: a copy a crash left short
        has another size than its content (known with its sha256) and is written again the next time that
        content is kept. Raises ``OSError`` (``OutputWriteError``) when it cannot be written."""
        if isinstance(data, Path):
            if not target.exists():
                copy_atomic(data, target)
            return target.stat().st_size
        if _size_of(target) != len(data):
            folder = target.parent
            if folder not in self._folders:
                self._files_root()
                ensure_folder(folder)
                self._folders.add(folder)
            write_kept(target, data)
        return len(data)

    def commit(self) -> None:
        """Commit what was recorded since the last commit."""
        self.db.commit()

    # Recording checks -----------------------------------------------------------
    def record(self, report: Report, fingerprint: str, round: str = SELF) -> int:
        """Record one check of a file (replacing an earlier check of the same content in the round).

        ``fingerprint`` is the criteria set's (``Framework.fingerprint``). Returns the version's row id;
        not committed until ``commit``.
        """
        return self.record_many([(report, fingerprint)], round)[0]

    def record_many(self, checks: Iterable[tuple[Report, str]], round: str = SELF) -> list[int]:
        """``record`` for many checks at once, (report, criteria fingerprint) each, in one batch of statements.

        Returns the versions' row ids in order; not committed until ``commit``.
        """
        db = self.db
        checks = list(checks)
        if len(checks) > 1 and not db.in_transaction:
            # the write lock first, so that what is read below is still true when the rows go in: another
            # parxl command on the same campaign may be recording the same contents
            db.execute("BEGIN IMMEDIATE")
        there = self._recorded_among({report.sha256 for report, _ in checks}, round) if len(checks) > 1 else None
        findings: list[tuple] = []
        items: list[tuple] = []
        ids = []
        for report, fingerprint in checks:
            if there is None or report.sha256 in there:
                db.execute("DELETE FROM versions WHERE sha256 = ? AND round = ?", (report.sha256, round))
            counts = report.counts
            cur = db.execute(
                "INSERT INTO versions (sha256, round, unit_code, named_unit, status, total, errors, warnings, infos, "
                "checked_at, parxl_version, criteria_fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (report.sha256, round, report.unit_code, report.named_unit, report.status,
                 None if report.total_self is None else str(report.total_self),
                 counts["error"], counts["warning"], counts["info"], now_iso(), __version__, fingerprint))
            vid = cur.lastrowid
            if there is not None:
                there.add(report.sha256)
            ids.append(vid)
            findings += [(vid, i, f.code, f.severity, f.sheet, f.cell, f.item, f.message)
                         for i, f in enumerate(report.findings)]
            rows = getattr(report, "item_rows", None)
            items += [(vid, *row) for row in (item_rows(report) if rows is None else rows)]
        db.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?,?)", findings)
        db.executemany("INSERT INTO items VALUES (?,?,?,?,?,?,?)", items)
        return ids  # type: ignore[return-value]

    def _recorded_among(self, shas: set[str], round: str) -> set[str]:
        """Those of ``shas`` that have a version in ``round``."""
        out: set[str] = set()
        wanted = sorted(shas)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            out.update(sha for (sha,) in self.db.execute(
                f"SELECT sha256 FROM versions WHERE round = ? AND sha256 IN ({','.join('?' * len(chunk))})",
                (round, *chunk)))
        return out

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

    def findings_many(self, sha256s: Iterable[str], round: str = SELF) -> dict[str, list[Finding]]:
        """``findings`` of each content of ``sha256s`` at once: sha256 -> its findings ([] when unchecked)."""
        wanted = set(sha256s)
        out: dict[str, list[Finding]] = {sha: [] for sha in wanted}
        first: dict[str, str] = {}
        for sha, path in self.db.execute("SELECT sha256, original_path FROM receipts ORDER BY received_at, id"):
            if sha in wanted and sha not in first:
                first[sha] = path
        for sha, code, sev, msg, sheet, cell, item in self.db.execute(
                "SELECT v.sha256, f.code, f.severity, f.message, f.sheet, f.cell, f.item FROM findings f "
                "JOIN versions v ON v.id = f.version_id WHERE v.round = ? ORDER BY f.version_id, f.seq", (round,)):
            if sha in wanted:
                out[sha].append(Finding(code, sev, msg, sheet, cell, item, first.get(sha)))
        return out

    def finding_counts_many(self, sha256s: Iterable[str], round: str = SELF) -> dict[str, dict[str, int]]:
        """How many findings of each severity ``findings_many`` gives for each content of ``sha256s``, counted by
        SQLite from the same rows without making them: sha256 -> ``{"error": n, "warning": n, "info": n}`` (zeros
        when unchecked)."""
        wanted = set(sha256s)
        out: dict[str, dict[str, int]] = {sha: {"error": 0, "warning": 0, "info": 0} for sha in wanted}
        for sha, severity, n in self.db.execute(
                "SELECT v.sha256, f.severity, COUNT(*) FROM findings f JOIN versions v ON v.id = f.version_id "
                "WHERE v.round = ? GROUP BY f.version_id, f.severity", (round,)):  # one version per content and round
            if sha in out:
                out[sha][severity] = out[sha].get(severity, 0) + n
        return out

    def _first_path(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT original_path FROM receipts WHERE sha256 = ? ORDER BY received_at, id LIMIT 1",
                              (sha256,)).fetchone()
        return row[0] if row else None

    def versions(self, unit_code: str, round: str = SELF) -> list[tuple[str, str, str]]:
        """(sha256, received_at, status) of every version of a unit's file in a round, oldest first."""
        return self.db.execute(
            "SELECT v.sha256, MIN(r.received_at) AS t, v.status FROM versions v JOIN receipts r ON r.sha256 = v.sha256 "
            "WHERE v.unit_code = ? AND v.round = ? GROUP BY v.id ORDER BY t, MIN(r.id)", (unit_code, round)).fetchall()

    def latest_submissions(self, round: str = SELF, items: bool = True) -> list[LedgerSubmission]:
        """Per unit (in units-list order), its latest readable version in ``round``.

        A handful of queries for all units at once (3,321 units in well under a second), giving
        what ``versions`` and the per-unit rows say. ``items=False``: without the items' inputs,
        scores, evidence and finding counts (left empty: ``parxl check`` shows only the totals).
        """
        db = self.db
        by_unit = self._readable_versions(round)
        chosen = {}
        units = db.execute("SELECT code, name FROM units ORDER BY rowid").fetchall()
        for code, name in units:
            versions = by_unit.get(code)
            if versions:
                chosen[code] = (name, versions[-1], [v[1] for v in versions[:-1]])
        if not chosen:
            return []
        shas = {row[1][1] for row in chosen.values()}
        first_path: dict[str, str] = {}
        for sha, path in db.execute("SELECT sha256, original_path FROM receipts ORDER BY received_at, id"):
            if sha in shas and sha not in first_path:
                first_path[sha] = path
        stored = {sha: path for sha, path in db.execute("SELECT sha256, stored FROM files") if sha in shas}
        out: dict[int, LedgerSubmission] = {}
        for code, (name, (vid, sha, status, total, errors, warnings, t), superseded) in chosen.items():
            out[vid] = LedgerSubmission(code, name, sha, first_path.get(sha, ""), t, self.kept_path(stored[sha]),
                                        status, None if total is None else Decimal(total), errors, warnings,
                                        superseded=superseded)
        if not items:
            order = {code: i for i, (code, _) in enumerate(units)}
            return sorted(out.values(), key=lambda s: order[s.unit_code])
        # Only the chosen versions' items, in one query; the evidence counted by SQLite (never parsed here),
        # the inputs kept as the ledger's JSON until asked for (``ItemInputs``).
        chosen_ids = json.dumps(sorted(out))
        cursor = db.execute("SELECT version_id, item, inputs, score, json_array_length(evidence) FROM items "
                            "WHERE version_id IN (SELECT value FROM json_each(?)) ORDER BY version_id, item",
                            (chosen_ids,))
        figures: dict[str, Decimal] = {}  # one Decimal per score text: the same few recur across every unit
        texts: dict[str, str] = {}  # one str per inputs' JSON text: answers recur across units
        indexes: dict[tuple[str, ...], dict[str, int]] = {}  # one code → position index per list of item codes

        def close(sub: LedgerSubmission | None, codes: list, inputs: list, scores: list, counts: list) -> None:
            """Give ``sub`` its items as ``KeyedRow``s sharing one index (the items in the ledger's order)."""
            if sub is None:
                return
            index = shared_index(tuple(codes), indexes)
            sub.inputs[round] = ItemInputs(KeyedRow(index, tuple(inputs)))
            sub.scores[round] = KeyedRow(index, tuple(scores))
            sub.evidence_counts = KeyedRow(index, tuple(counts))  # type: ignore[assignment]

        current, sub = -1, None
        codes: list[str] = []
        row_inputs: list[str] = []
        row_scores: list[Decimal] = []
        row_counts: list[int] = []
        while True:
            batch = cursor.fetchmany(20_000)  # in batches: bounded memory
            if not batch:
                break
            for vid, item, inputs, score, n in batch:
                if vid != current:
                    close(sub, codes, row_inputs, row_scores, row_counts)
                    current, sub = vid, out[vid]
                    codes, row_inputs, row_scores, row_counts = [], [], [], []
                codes.append(item)
                text = texts.get(inputs)
                if text is None:
                    text = texts[inputs] = inputs
                row_inputs.append(text)
                figure = figures.get(score)
                if figure is None:
                    figure = figures[score] = Decimal(score)
                row_scores.append(figure)
                row_counts.append(n)
        close(sub, codes, row_inputs, row_scores, row_counts)
        del texts, figures
        for vid, item, severity, n in db.execute(
                "SELECT f.version_id, f.item, f.severity, COUNT(*) FROM findings f JOIN versions v ON v.id = f.version_id "
                "WHERE v.round = ? AND f.item IS NOT NULL GROUP BY f.version_id, f.item, f.severity", (round,)):
            if vid in out:
                out[vid].finding_counts.setdefault(item, {"error": 0, "warning": 0, "info": 0})[severity] = n
        by_code = {sub.unit_code: sub for sub in out.values()}
        others = sorted({r for (r,) in db.execute("SELECT DISTINCT round FROM versions WHERE round <> ? "
                                                  "AND unit_code IS NOT NULL", (round,))})
        for other in others:  # as _add_round for every unit at once, round after round (name order)
            if is_explanation_round(other):  # what a unit asks, never scores that count (as _other_rounds)
                continue
            latest = {versions[-1][0]: by_code[code] for code, versions in self._readable_versions(other).items()
                      if code in by_code}
            for vid, item, inputs, score in db.execute(
                    "SELECT version_id, item, inputs, score FROM items WHERE version_id IN "
                    "(SELECT value FROM json_each(?)) ORDER BY version_id, item", (json.dumps(sorted(latest)),)):
                sub = latest[vid]
                sub.inputs.setdefault(other, ItemInputs())._raw[item] = inputs  # type: ignore[attr-defined]
                sub.scores.setdefault(other, {})[item] = Decimal(score)
        order = {code: i for i, (code, _) in enumerate(units)}
        return sorted(out.values(), key=lambda s: order[s.unit_code])

    def _readable_versions(self, round: str) -> dict[str, list[tuple]]:
        """Unit code → its readable versions (status ok or errors) in ``round``, oldest first (as ``versions``):
        (version id, sha256, status, total, errors, warnings, received_at) each."""
        by_unit: dict[str, list[tuple]] = {}
        for vid, sha, code, status, total, errors, warnings, t, first in self.db.execute(
                "SELECT v.id, v.sha256, v.unit_code, v.status, v.total, v.errors, v.warnings, MIN(r.received_at) AS t, "
                "MIN(r.id) FROM versions v JOIN receipts r ON r.sha256 = v.sha256 "
                "WHERE v.round = ? AND v.unit_code IS NOT NULL GROUP BY v.id ORDER BY t, MIN(r.id)", (round,)):
            if status in ("ok", "errors"):
                by_unit.setdefault(code, []).append((vid, sha, status, total, errors, warnings, t))
        return by_unit

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
            sub.inputs.setdefault(round, {})[item] = {k: decode_value(v) for k, v in json.loads(inputs).items()}
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
        """The unit's other scored rounds: explanation rounds hold what a unit asks, never scores that count."""
        return [r for (r,) in self.db.execute(
            "SELECT DISTINCT round FROM versions WHERE unit_code = ? AND round <> ?", (code, round))
            if not is_explanation_round(r)]

    def _add_round(self, sub: LedgerSubmission, code: str, round: str) -> None:
        versions = [v for v in self.versions(code, round) if v[2] in ("ok", "errors")]
        if not versions:
            return
        vid, = self.db.execute("SELECT id FROM versions WHERE sha256 = ? AND round = ?",
                               (versions[-1][0], round)).fetchone()
        for item, inputs, score in self.db.execute("SELECT item, inputs, score FROM items WHERE version_id = ?", (vid,)):
            sub.inputs.setdefault(round, {})[item] = {k: decode_value(v) for k, v in json.loads(inputs).items()}
            sub.scores.setdefault(round, {})[item] = Decimal(score)

    def record_round(self, report: Report, round: str, fingerprint: str) -> int:
        """Record a later round (an appraisal) read from a file already kept; same tables, another ``round``.

        Returns the version's row id. Raises ``ValueError`` for ``round == SELF`` (use ``record``).
        """
        if round == SELF:
            raise ValueError("use record() for the self-assessment round")
        return self.record(report, fingerprint, round)

    def item_details(self, sha256: str, round: str = SELF) -> dict[str, LedgerItem]:
        """What one checked version says per item: item code → ``LedgerItem`` (inputs, score in points,
        evidence entries, explanation); ``{}`` when the content was not checked in ``round``."""
        row = self.db.execute("SELECT id FROM versions WHERE sha256 = ? AND round = ?", (sha256, round)).fetchone()
        if row is None:
            return {}
        return {item: LedgerItem({k: decode_value(v) for k, v in json.loads(inputs).items()}, Decimal(score),
                                 json.loads(evidence), explanation)
                for item, inputs, score, evidence, explanation in self.db.execute(
                    "SELECT item, inputs, score, evidence, explanation FROM items WHERE version_id = ?", row)}

    def item_details_many(self, shas: Iterable[str], round: str = SELF) -> dict[str, dict[str, LedgerItem]]:
        """``item_details`` of many versions at once: sha256 → item code → ``LedgerItem``; a sha256 whose
        content was not checked in ``round`` is left out. Two queries, and every item's JSON decoded in one
        pass (the appraisal workbooks read 3,321 units' items so, not one query per unit)."""
        wanted = json.dumps(sorted(set(shas)))
        ids = dict(self.db.execute("SELECT id, sha256 FROM versions WHERE round = ? AND sha256 IN "
                                   "(SELECT value FROM json_each(?))", (round, wanted)))
        out: dict[str, dict[str, LedgerItem]] = {sha: {} for sha in ids.values()}
        cursor = self.db.execute("SELECT version_id, item, inputs, score, evidence, explanation FROM items WHERE "
                                 "version_id IN (SELECT value FROM json_each(?)) ORDER BY version_id, item",
                                 (json.dumps(sorted(ids)),))
        figures: dict[str, Decimal] = {}  # one Decimal per score text: the same few recur across every unit
        while rows := cursor.fetchmany(20_000):  # in batches: bounded memory
            inputs = json.loads("[" + ",".join(r[2] for r in rows) + "]")
            evidence = json.loads("[" + ",".join(r[4] for r in rows) + "]")
            for (vid, item, raw, score, _, explanation), values, entries in zip(rows, inputs, evidence):
                figure = figures.get(score)
                if figure is None:
                    figure = figures[score] = Decimal(score)
                if '"d"' in raw:  # a number kept as {"d": "12.5"} (``encode_value``); else the values as they are
                    values = {k: decode_value(v) for k, v in values.items()}
                out[ids[vid]][item] = LedgerItem(values, figure, entries, explanation)
        return out

    def record_appraisal(self, round: str, unit_code: str, scores: dict[str, Decimal], notes: dict[str, str],
                         covered: set[str], source_sha256: str, source_path: str, fingerprint: str,
                         flags: set[str] | frozenset[str] = frozenset()) -> int:
        """Record one unit's appraised scores read from an appraisal workbook (already kept) as ``round``.

        The unit keeps one current version per round: the new version holds the
        round's earlier scores of the items this file does *not* cover (another
        field's workbook), plus this file's ``scores`` (items it covers with a
        blank score carry no appraisal, so the self score stands). ``flags`` are the
        items the appraiser marked «Cần giải trình» (kept as ``{"explain": true}``
        in the item's inputs; a flagged item needs a score in ``scores``). The version's
        content is a small JSON document, kept by sha256 like every received file,
        naming the workbook it was read from.

        Returns the version's row id; not committed until ``commit``. Raises ``ValueError`` for
        ``round == SELF``.
        """
        if round == SELF:
            raise ValueError("the self-assessment round is recorded with record()")
        merged: dict[str, tuple[Decimal, str]] = {}
        flagged: set[str] = set()
        current = [v for v in self.versions(unit_code, round) if v[2] == "ok"]
        if current:
            kept = {item: d for item, d in self.item_details(current[-1][0], round).items() if item not in covered}
            merged = {item: (d.score, d.explanation) for item, d in kept.items()}
            flagged = {item for item, d in kept.items() if d.inputs.get("explain")}
        merged.update({item: (score, notes.get(item, "")) for item, score in scores.items()})
        flagged |= {item for item in flags if item in merged}
        when = now_iso()
        document = json.dumps({
            "kind": "parxl-appraisal", "round": round, "unit": unit_code, "source": source_sha256,
            "recorded_at": when, "items": {k: {"score": str(s), "note": n, **({"explain": True} if k in flagged else {})}
                                           for k, (s, n) in sorted(merged.items())},
        }, ensure_ascii=False, sort_keys=True).encode("utf-8")
        sha = hashlib.sha256(document).hexdigest()
        self.keep(sha, document, f"{source_path}#{unit_code}", when, "appraisal", ".json")
        cur = self.db.execute(
            "INSERT INTO versions (sha256, round, unit_code, named_unit, status, total, errors, warnings, infos, "
            "checked_at, parxl_version, criteria_fingerprint) VALUES (?,?,?,?,'ok',NULL,0,0,0,?,?,?)",
            (sha, round, unit_code, unit_code, when, __version__, fingerprint))
        vid = cur.lastrowid
        self.db.executemany("INSERT INTO items VALUES (?,?,?,?,NULL,'[]',?)",
                            [(vid, item, '{"explain": true}' if item in flagged else "{}", str(s), n)
                             for item, (s, n) in merged.items()])
        return vid  # type: ignore[return-value]

    def round_details(self, unit_code: str, round: str,
                      statuses: tuple[str, ...] = ("ok", "errors")) -> dict[str, LedgerItem]:
        """Item code → ``LedgerItem`` of the unit's latest readable version in ``round`` (an appraisal round:
        score and the appraiser's opinion, ``inputs["explain"]`` when flagged; an explanation round: the
        proposed score, evidence and explanation); ``{}`` when the unit has none. ``statuses``: the versions
        taken (``("ok",)``: only a version without errors)."""
        versions = [v for v in self.versions(unit_code, round) if v[2] in statuses]
        return self.item_details(versions[-1][0], round) if versions else {}

    def record_event(self, kind: str, who: str, why: str, detail: dict | None = None) -> int:
        """Record what was done to the results as a whole (``finalize``, ``reopen``): who, why, now (UTC), and a
        JSON ``detail``; returns its row id. Not committed until ``commit``."""
        cur = self.db.execute("INSERT INTO events (kind, at, who, why, detail) VALUES (?, ?, ?, ?, ?)",
                              (kind, now_iso(), who, why, json.dumps(detail or {}, ensure_ascii=False,
                                                                     sort_keys=True)))
        return cur.lastrowid  # type: ignore[return-value]

    def events(self) -> list[tuple[str, str, str, str, dict]]:
        """Every event, oldest first: (kind, at ISO 8601 UTC, who, why, detail)."""
        return [(k, at, who, why, json.loads(detail)) for k, at, who, why, detail in self.db.execute(
            "SELECT kind, at, who, why, detail FROM events ORDER BY id")]

    def rounds(self) -> list[str]:
        """Every round recorded for some unit, in name order."""
        return sorted(r for (r,) in self.db.execute("SELECT DISTINCT round FROM versions"))

    def units_with_files(self, round: str = SELF) -> set[str]:
        """Codes of units with a readable file (status ok or errors) recorded in ``round``."""
        return {c for (c,) in self.db.execute(
            "SELECT DISTINCT unit_code FROM versions WHERE round = ? AND status IN ('ok', 'errors')", (round,))}

    # Receipt times the clerk corrected ---------------------------------------------
    def set_received(self, unit_code: str, received_at: str, note: str = "", round: str = SELF) -> None:
        """Record that ``unit_code``'s file of ``round`` was received at ``received_at`` (ISO 8601 UTC), replacing
        what the files' times say (``received_overrides``); ``note`` says why. Not committed until ``commit``."""
        self.db.execute("INSERT OR REPLACE INTO received_overrides VALUES (?, ?, ?, ?, ?)",
                        (unit_code, round, received_at, note, now_iso()))

    def received_overrides(self, round: str = SELF) -> dict[str, tuple[str, str]]:
        """Unit code → (received_at ISO 8601 UTC, note) of every receipt time the clerk corrected in ``round``."""
        return {code: (when, note) for code, when, note in self.db.execute(
            "SELECT unit_code, received_at, note FROM received_overrides WHERE round = ?", (round,))}

    def first_received(self, round: str = SELF) -> dict[str, str]:
        """Unit code → the earliest receipt time (ISO 8601 UTC) of any file recorded for the unit in ``round``,
        readable or not: by the unit code inside, else by the unit its name points at (``named_unit``)."""
        rows = self.db.execute(
            "SELECT COALESCE(v.unit_code, v.named_unit) AS code, MIN(r.received_at) FROM versions v "
            "JOIN receipts r ON r.sha256 = v.sha256 WHERE v.round = ? AND COALESCE(v.unit_code, v.named_unit) "
            "IS NOT NULL GROUP BY code", (round,)).fetchall()
        return {code: when for code, when in rows}

    def items_recorded(self, round: str, units: set[str] | None = None) -> set[str]:
        """Codes of the items some unit (of ``units``, when given: e.g. one block's) has a score for in ``round``
        (an appraisal round: what was returned)."""
        return {item for item, code in self.db.execute(
            "SELECT DISTINCT i.item, v.unit_code FROM items i JOIN versions v ON v.id = i.version_id "
            "WHERE v.round = ?", (round,)) if units is None or code in units}
