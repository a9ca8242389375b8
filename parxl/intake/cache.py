"""The validation cache: a file whose verdict cannot have changed is not read again.

``parxl check`` and ``parxl consolidate`` read and validate every workbook under
``inbox/``; with 3,321 units a second run with nothing new would re-read them all.
The cache (``CAMPAIGN/.parxl/validation-cache.sqlite``, its own file beside the
ledger; deleting it only costs time) keeps each report as ``validate`` gave it,
under a key made of everything that can change a finding:

- the file's content (sha256), the name it was received under (findings quote
  it) and where its evidence is looked for (the folder, or the names of the
  other files of its zip);
- ``settings_key(campaign)``: the criteria set's fingerprint, the campaign's id,
  the units list (codes, names, kinds), every ``campaign.yaml`` setting but those
  only documents read (``DOCUMENT_ONLY_SETTINGS``), parxl's version, the layout
  version and the source of the code that reads and judges files. A changed
  criteria set or units list invalidates every entry;
- the evidence files beside the workbook that validation looked for
  (``Submission.lookups``: name -> ``evidence_signature``, the size and
  modification time of the file found, or "" when none): when one of them appears,
  disappears or changes, exactly that workbook's entry is stale.

Each entry holds the report without its items (read for every file of a run, in one
query) and, apart, its items as JSON, read only when a caller uses them
(``CachedItems``): a second check with nothing new never does.

Reports of parxl's own failures (``internal-error``) are never cached: the next run
reads such a file again. A cache that cannot be read (damaged, locked, another
format) is ignored and rebuilt: it never stops a check. Items asked for after the cache file or their
entry went away while the command ran (deleted, or replaced by a concurrent run with other settings)
raise ``CacheLostError``, which says so and asks for the command to be run again.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

from .. import __version__
from ..campaign.folder import Campaign
from ..core.errors import ParxlError
from ..core.findings import SEVERITIES, Finding
from ..workbook.layout import layout_version
from .submission import evidence_signature
from .validation import FileItem, Report

__all__ = ["ValidationCache", "settings_key", "CACHE_FILE", "DOCUMENT_ONLY_SETTINGS", "pack_items", "CacheLostError"]

CACHE_FILE = "validation-cache.sqlite"
FLUSH_EVERY = 200  # reports put before they are written
FORMAT = "3"
TABLE = "reports"  # format 3: report head and items apart (format 2 had one table «entries»)
MARKS = "marks"  # key -> the ledger record its entry was recorded as (``mark_recorded``)
# campaign.yaml keys that only the documents, the ranking or the workbook's instructions read: a change to
# them keeps every verdict. Any other key (including keys added later) is part of the settings key.
DOCUMENT_ONLY_SETTINGS = frozenset({
    "title", "signer", "plan", "decision", "deadline", "submit_to", "contact", "bands", "survey_held",
    "tie_rule", "missing_policy", "recipients", "schedule", "survey_groups", "tie_break", "explanation_deadline",
})
_CODE_FOLDERS = ("intake", "xlsx", "workbook", "criteria", "campaign")
_code_digest: str | None = None


def _code_fingerprint() -> str:
    """sha256 of the source of the modules that read and judge a file (a changed check re-validates)."""
    global _code_digest
    if _code_digest is None:
        package = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        for folder in _CODE_FOLDERS:
            for path in sorted((package / folder).rglob("*.py")):
                digest.update(path.relative_to(package).as_posix().encode())
                digest.update(path.read_bytes())
        digest.update((package / "core" / "findings.py").read_bytes())
        _code_digest = digest.hexdigest()
    return _code_digest


def settings_key(campaign: Campaign) -> str:
    """sha256 (hex) of everything of ``campaign`` and of parxl that can change a finding (see the module doc)."""
    config = campaign.config.model_dump(mode="json", exclude=set(DOCUMENT_ONLY_SETTINGS))
    units = [[str(getattr(u, f.name)) for f in fields(u)] for u in campaign.units]
    data = {"format": FORMAT, "parxl": __version__, "layout": layout_version(), "code": _code_fingerprint(),
            "criteria": ([b.framework.fingerprint for b in campaign.blocks] if campaign.has_blocks  # every block's set
                         else campaign.framework.fingerprint),
            "campaign": campaign.id, "config": config, "units": units}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def entry_key(sha256: str, name: str, siblings: frozenset[str] | None, folder: str | None) -> str:
    """The key of one received file: its content, its display name and where its evidence is looked for."""
    where = "zip:" + "\n".join(sorted(siblings)) if siblings is not None else f"dir:{folder or ''}"
    return hashlib.sha256("\0".join((sha256, name, where)).encode()).hexdigest()


class ValidationCache:
    """The cached reports of one campaign under one ``settings_key`` (see the module doc).

    ``get`` returns a fresh ``Report`` (the caller may change it) or None; ``put`` stores one;
    ``save`` writes what was put and forgets entries of other settings. Never raises for a
    damaged cache file: it starts empty instead.
    """

    def __init__(self, campaign: Campaign, path: Path | None = None):
        self.path = path or campaign.state_dir / CACHE_FILE
        self.settings = settings_key(campaign)
        self._new: list[tuple[str, str, str, str]] = []
        self._marks: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        self._recorded: dict[str, str] = {}  # key -> recorded mark ("" when not recorded) of every entry
        self._held: list[tuple[str, Report]] = []  # reports put and not yet written, to release once written
        for attempt in (1, 2):
            try:
                self._open()
                break
            except (sqlite3.Error, OSError):
                self.close()
                self._recorded = {}
                if attempt == 1:  # a damaged cache is thrown away and rebuilt
                    try:
                        self.path.unlink(missing_ok=True)
                    except OSError:
                        break

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=5)
        self._db.execute("DROP TABLE IF EXISTS entries")  # an older format's
        self._db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (key TEXT PRIMARY KEY, settings TEXT NOT NULL, "
                         "report TEXT NOT NULL, items TEXT NOT NULL, lookups TEXT NOT NULL, "
                         "recorded TEXT NOT NULL DEFAULT '')")
        # the recorded marks in a table of their own: setting one rewrites a short row, not the entry's report
        # and items (~13 KB each, written again with their journal copy: twice the cache's size per first run);
        # the entries' own «recorded» column stays, unused (a file of format 3 loses only its marks)
        self._db.execute(f"CREATE TABLE IF NOT EXISTS {MARKS} (key TEXT PRIMARY KEY, recorded TEXT NOT NULL)")
        # only the keys and marks are held (the reports are read when asked for: 10,000 would weigh 150 MB)
        self._recorded = {key: mark or "" for key, mark in self._db.execute(
            f"SELECT r.key, m.recorded FROM {TABLE} r LEFT JOIN {MARKS} m ON m.key = r.key WHERE r.settings = ?",
            (self.settings,))}

    def __len__(self) -> int:
        return len(self._recorded)

    def get(self, sha256: str, name: str, siblings: frozenset[str] | None, folder: str | None) -> Report | None:
        """The cached report of that file, or None when absent or stale (an evidence file changed)."""
        return self.get_many([(sha256, name, siblings, folder)])[0]

    def get_many(self, files: list[tuple[str, str, frozenset[str] | None, str | None]],
                 keys: list[str] | None = None) -> list[Report | None]:
        """``get`` for each (sha256, name, siblings, folder) of ``files``, in order, in one pass over the cache.

        ``keys``: their ``entry_key``s when the caller made them already (the same order)."""
        if keys is None:
            keys = [entry_key(*f) for f in files]
        wanted = {key: i for i, key in enumerate(keys) if key in self._recorded}
        out: list[Report | None] = [None] * len(files)
        if not wanted or self._db is None:
            return out
        try:
            rows = self._db.execute(f"SELECT key, report, lookups FROM {TABLE} WHERE settings = ?", (self.settings,))
            for key, head, looked in rows:
                i = wanted.get(key)
                if i is None:
                    continue
                _, _, siblings, folder = files[i]
                try:
                    if siblings is None and folder is not None and looked != "{}":
                        base = Path(folder)
                        if any(evidence_signature(base, name) != sig for name, sig in json.loads(looked).items()):
                            continue
                    out[i] = report_from_json(head, _Loader(self.path, key))
                except (ValueError, KeyError, TypeError):
                    continue
        except sqlite3.Error:
            return [None] * len(files)
        return out

    def put(self, report: Report, name: str, siblings: frozenset[str] | None, folder: str | None,
            lookups: dict[str, str]) -> None:
        """Keep ``report`` (as ``validate`` gave it) for that file, with the evidence signatures it depended on.

        The report's items are swapped for the same items kept as text until used (``CachedItems``), and,
        once the entry is written to the cache file (every ``FLUSH_EVERY`` reports), for a loader that reads
        that text back from the file when first used: 10,000 reports' items as text weigh ~200 MB.
        """
        key = entry_key(report.sha256, name, siblings, folder)
        items = pack_items(report)
        text = report.__dict__.pop(HEAD, None) or report_to_json(report, None)
        looked = json.dumps(lookups, ensure_ascii=False, sort_keys=True)
        self._recorded[key] = ""
        self._new.append((key, self.settings, text, items, looked))
        self._held.append((key, report))
        if len(self._new) >= FLUSH_EVERY:
            self._flush()

    def recorded(self, sha256: str, name: str, siblings: frozenset[str] | None, folder: str | None,
                 report: Report, version: str | None) -> bool:
        """Whether the ledger's record ``version`` (its row's id and time, or None) of that file is ``report``
        (final: after the batch's own findings), as ``mark_recorded`` noted it."""
        return version is not None and self.recorded_as(entry_key(sha256, name, siblings, folder),
                                                        verdict_mark(report), version)

    def recorded_as(self, key: str, mark: str, version: str | None) -> bool:
        """``recorded`` for the entry ``key`` (``entry_key``) whose report's ``verdict_mark`` is ``mark``."""
        return version is not None and self._recorded.get(key) == mark + version

    def noted_mark(self, key: str, version: str) -> str | None:
        """The ``verdict_mark`` noted (``mark_as``) for the entry ``key`` with the ledger's record ``version``;
        None when the entry's mark names another record, or none."""
        noted = self._recorded.get(key, "")
        if len(noted) == MARK_LENGTH + len(version) and noted.endswith(version):
            return noted[:MARK_LENGTH]
        return None

    def mark_recorded(self, sha256: str, name: str, siblings: frozenset[str] | None, folder: str | None,
                      report: Report, version: str | None) -> None:
        """Note that ``report`` is the ledger's record ``version`` of that file (saved by ``save``)."""
        if version is not None:
            self.mark_as(entry_key(sha256, name, siblings, folder), verdict_mark(report), version)

    def mark_as(self, key: str, mark: str, version: str | None) -> None:
        """``mark_recorded`` for the entry ``key`` (``entry_key``) whose report's ``verdict_mark`` is ``mark``;
        a mark that is there already is not written again."""
        if version is None:
            return
        mark += version
        if self._recorded.get(key) != mark:
            self._recorded[key] = mark
            self._marks[key] = mark

    def _flush(self) -> None:
        """Write the entries put so far (memory stays bounded on a first run of 10,000 files)."""
        if self._db is None:
            self._new = []
            self._held = []
            return
        try:
            with self._db:
                self._db.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES (?,?,?,?,?,'')", self._new)
                self._db.executemany(f"DELETE FROM {MARKS} WHERE key = ?", [(key,) for key, *_ in self._new])
            for key, report in self._held:  # written: the items are read back from the file if asked
                report.items = CachedItems(_Loader(self.path, key))  # type: ignore[assignment]
        except sqlite3.Error:
            for key, *_ in self._new:
                self._recorded.pop(key, None)
        self._new = []
        self._held = []

    def save(self) -> None:
        """Write the new entries and drop those of other settings; a write failure loses only the cache."""
        self._flush()
        if self._db is None:
            return
        try:
            with self._db:
                if self._db.execute(f"DELETE FROM {TABLE} WHERE settings <> ?", (self.settings,)).rowcount:
                    self._db.execute(f"DELETE FROM {MARKS} WHERE key NOT IN (SELECT key FROM {TABLE})")
                self._db.executemany(f"INSERT OR REPLACE INTO {MARKS} SELECT ?1, ?2 WHERE EXISTS "
                                     f"(SELECT 1 FROM {TABLE} WHERE key = ?1)", list(self._marks.items()))
            self._marks = {}
        except sqlite3.Error:
            pass

    def close(self) -> None:
        """Close the cache file (what was not saved is lost)."""
        if self._db is not None:
            self._db.close()
            self._db = None


MARK_LENGTH = 64  # a ``verdict_mark``: sha256 in hex


def verdict_mark(report: Report) -> str:
    """A digest of what the batch may still change in a report (status, unit, findings): equal marks, same record."""
    raw = report.__dict__.get(_RAW_FINDINGS)  # a cached report whose findings were never used: from their lists
    found = ([[f[0], f[2], f[3], f[4], f[5]] for f in raw] if raw is not None else
             [[f.code, f.message, f.sheet, f.cell, f.item] for f in report.findings])
    data = [report.status, report.unit_code, report.named_unit, report.total_self is None and "-" or
            str(report.total_self), found]
    return hashlib.sha256(_json(data).encode()).hexdigest()


_json = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(x, ensure_ascii=False) gives, made once


# Reports as JSON (Decimal kept exact, as {"d": "1.25"}) -----------------------------------------------
def _enc(value):
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _dec(value):
    if isinstance(value, dict):
        return Decimal(value["d"])
    return value


def pack_items(report: Report) -> str:
    """Swap ``report.items`` for the same items kept as JSON text until used (``CachedItems``); returns
    the text (``items_to_json``). A report packed already keeps its text. The first packing also leaves
    the report's cache text (``report_to_json(report, None)``) on it for ``ValidationCache.put``: pack a
    report once it is final as ``validate`` gave it (the workers do, right after validating)."""
    items = report.items
    if isinstance(items, CachedItems) and isinstance(items._text, str):
        return items._text
    text = items_to_json(report)
    report.items = CachedItems(text)  # type: ignore[assignment]
    # the cache entry's text too, made here (in the worker that validated the report) rather than in the
    # parent: ``ValidationCache.put`` takes it as it is (the report as ``validate`` gave it)
    report.__dict__[HEAD] = report_to_json(report, None)
    return text


HEAD = "cache_head"  # the attribute ``pack_items`` leaves on a report: its ``report_to_json(report, None)``


def items_to_json(report: Report) -> str:
    """``report.items`` as JSON text (what ``CachedItems`` parses)."""
    return json.dumps([[i.code, {k: _enc(v) for k, v in i.inputs.items()}, _enc(i.score), _enc(i.cached),
                        i.evidence, i.explanation] for i in report.items.values()], ensure_ascii=False)


def report_to_json(report: Report, items: str | None = None) -> str:
    """``report`` as JSON text, exact (Decimals as text); ``report_from_json`` reads it back.
    ``items``: ``items_to_json(report)`` when already made; None leaves the items out (kept apart)."""
    data = {
        "file": report.file, "sha256": report.sha256, "size": report.size, "status": report.status,
        "unit_code": report.unit_code, "unit_name": report.unit_name, "named_unit": report.named_unit,
        "total_self": _enc(report.total_self),
        "findings": [[f.code, f.severity, f.message, f.sheet, f.cell, f.item, f.file] for f in report.findings],
        "subtotals": {k: _enc(v) for k, v in report.subtotals.items()},
    }
    if items is not None:
        data["items"] = items
    return json.dumps(data, ensure_ascii=False)


def report_from_json(text: str, items: str | Callable[[], str] | None = None) -> Report:
    """The ``Report`` written by ``report_to_json``. Raises ValueError, KeyError or TypeError when damaged.

    Its items are parsed when first used (``CachedItems``): a second check with nothing new
    never needs them. ``items``: their JSON text, or a function giving it, when kept apart.
    Its findings and subtotals too are made when first used (a ``CachedReport``): the findings' counts
    and ``verdict_mark`` are taken from the parsed lists without them.
    """
    cut = text.rfind(_SUBTOTALS) if items is not None else -1  # the last key (``report_to_json``), when no items follow
    data = None
    if cut > 0 and text.endswith("}}"):
        try:
            data = json.loads(text[:cut] + "}")
        except ValueError:
            data = None
    if data is None or "subtotals" in data:
        data = json.loads(text)
        subtotals: dict | str = {k: _dec(v) for k, v in data["subtotals"].items()}
    else:
        subtotals = text[cut + len(_SUBTOTALS):-1]
    found = data["findings"]
    if not isinstance(found, list) or not all(isinstance(f, list) and len(f) == 7 and f[1] in SEVERITIES
                                              for f in found):
        raise ValueError("findings")
    report = CachedReport(data["file"], data["sha256"], data["size"], data["status"], unit_code=data["unit_code"],
                          unit_name=data["unit_name"], named_unit=data["named_unit"],
                          total_self=_dec(data["total_self"]),
                          items=CachedItems(data["items"] if items is None else items))  # type: ignore[arg-type]
    report.__dict__[_RAW_FINDINGS] = found
    if isinstance(subtotals, str):
        report.__dict__[_RAW_SUBTOTALS] = subtotals
    else:
        report.subtotals = subtotals
    return report


_SUBTOTALS = ', "subtotals": '  # how ``report_to_json``'s text gives its last key
_RAW_FINDINGS = "_findings_raw"  # a ``CachedReport``'s findings as the cache's lists, until first used
_RAW_SUBTOTALS = "_subtotals_raw"  # its subtotals as the cache's JSON text, until first used


class CachedReport(Report):
    """A ``Report`` read from the validation cache, equal to the one cached (``==`` any ``Report`` of the same
    fields): its ``findings`` are built from the cache's lists and its ``subtotals`` parsed when first used
    (10,000 cached reports hold ~55,000 findings that a second run with nothing new never reads);
    ``counts`` (hence ``errors``, ``warnings``) and ``verdict_mark`` do not need them."""

    @property  # type: ignore[override]
    def findings(self) -> list[Finding]:
        """The report's findings (``Finding``), made from the cache's lists on first use."""
        state = self.__dict__
        raw = state.pop(_RAW_FINDINGS, None)
        if raw is not None:
            state["_findings"] = [Finding(*f) for f in raw]
        return state["_findings"]

    @findings.setter
    def findings(self, value: list[Finding]) -> None:
        self.__dict__.pop(_RAW_FINDINGS, None)
        self.__dict__["_findings"] = value

    @property  # type: ignore[override]
    def subtotals(self) -> dict[str, Decimal]:
        """Points per criterion and field code (Decimal), parsed from the cache's text on first use."""
        state = self.__dict__
        raw = state.pop(_RAW_SUBTOTALS, None)
        if raw is not None:
            state["_subtotals"] = {k: _dec(v) for k, v in json.loads(raw).items()}
        return state["_subtotals"]

    @subtotals.setter
    def subtotals(self, value: dict[str, Decimal]) -> None:
        self.__dict__.pop(_RAW_SUBTOTALS, None)
        self.__dict__["_subtotals"] = value

    @property
    def as_cached(self) -> bool:
        """Whether its findings are still the cache's lists: never used, hence never changed (``Report.add``
        and any other change of the findings go through ``findings``)."""
        return _RAW_FINDINGS in self.__dict__

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity: ``{"error": n, "warning": n, "info": n}`` (from the cache's lists if unused)."""
        raw = self.__dict__.get(_RAW_FINDINGS)
        if raw is None:
            return super().counts
        out = {s: 0 for s in SEVERITIES}
        for f in raw:
            out[f[1]] += 1
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Report):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(Report) if f.compare)

    __hash__ = None  # type: ignore[assignment]


class _Loader:
    """Reads one entry's items from the cache file when first asked (its own short connection, read-only: a
    cache file deleted meanwhile is not created again empty). Raises ``CacheLostError`` when the file or
    the entry is gone or unreadable (``_lost``)."""

    def __init__(self, path: Path, key: str):
        self.path, self.key = path, key

    def __call__(self) -> str:
        try:
            db = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=ro", uri=True, timeout=5)
            try:
                row = db.execute(f"SELECT items FROM {TABLE} WHERE key = ?", (self.key,)).fetchone()
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise _lost(self.path) from exc
        if row is None:
            raise _lost(self.path)
        return row[0]


class CacheLostError(ParxlError):
    """A cached report's items were asked for after the validation cache file, or its entry, went away
    (deleted, or replaced by another run with other settings, while this one ran)."""


def _lost(path: Path) -> CacheLostError:
    """The error for items that the cache file ``path`` no longer holds: what happened and what to do."""
    return CacheLostError(
        f"Bộ nhớ đệm kiểm tra «{path}» đã bị xoá hoặc bị thay đổi trong khi lệnh đang chạy (có thể do một lệnh "
        "parxl khác chạy cùng lúc trên đợt này). Hãy chạy lại lệnh: các tệp sẽ được đọc và kiểm tra lại.")


class CachedItems(MutableMapping):
    """A cached report's items (code -> ``FileItem``), parsed from their JSON on first use; a dict otherwise."""

    def __init__(self, text: str | Callable[[], str]):
        self._text: str | Callable[[], str] | None = text
        self._data: dict[str, FileItem] = {}

    def _items(self) -> dict[str, FileItem]:
        if self._text is not None:
            text = self._text if isinstance(self._text, str) else self._text()
            for code, inputs, score, cached, evidence, explanation in json.loads(text):
                self._data[code] = FileItem(code, {k: _dec(v) for k, v in inputs.items()}, _dec(score), _dec(cached),
                                            list(evidence), explanation)
            self._text = None
        return self._data

    def __getitem__(self, code: str) -> FileItem:
        return self._items()[code]

    def __setitem__(self, code: str, item: FileItem) -> None:
        self._items()[code] = item

    def __delitem__(self, code: str) -> None:
        del self._items()[code]

    def __iter__(self):
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and dict(self._items()) == dict(other.items())

    def __repr__(self) -> str:
        return repr(self._items())
