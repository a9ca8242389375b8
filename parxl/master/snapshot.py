"""The results a master workbook shows, saved beside it so that documents follow that master exactly.

Each ``parxl consolidate`` writes, after the master, one JSON file in the campaign's
state folder, named after the master: ``.parxl/results/<master stem>.json``. It holds
the whole ``Results`` (every unit's items, points, index, rank, band, source) with
the master's file name and sha256, when it was made, and the fingerprint of the
inputs it was computed from (see ``parxl.master.consolidation.results_fingerprint``)::

    {"kind": "parxl-results", "version": 2,
     "master": {"file": "tong-hop-chi-so-cchc-2025-20260120-100000.xlsx", "sha256": "…"},
     "made_at": "2026-01-20T10:00:00", "campaign_id": "2025:xa:…",
     "fingerprint": {"ledger": "…", "survey": "…", "units": "…", "settings": "…", "criteria": "…"},
     "has_appraisal": false, "has_survey": true, "unappraised": {"3.5": 12},
     "units": [{"unit": {"code": "X01", "name": "…", "kind": "Phường"}, "status": "ranked", "total": "87.10", …}],
     "details": [{"items": {"1.1": {"self": "1", …}}, "field_points": {…}, "field_index": {…},
                  "node_max": {…}, "node_points": {…}, "node_index": {…}}, …]}

Each unit's details (its items and the figures of the fields and nodes of the criteria
tree, ~95 % of the file) are in ``details``, in the units' order, after every unit: a
reader that needs only the units' totals, ranks and bands (``load_snapshot(...,
details=False)``: ``parxl consolidate`` with nothing new) decodes them only if it is
asked for them. ``unappraised`` is ``results.summary.unappraised_counts`` of the
results, which the same reader would otherwise count from the items. Version 1 (every
unit's details inside it, no ``unappraised``; finalized copies may be of it) is read too.

Decimals are written as strings (never floats). A snapshot is self-contained: a
later "finalize" can freeze one by copying it under a fixed name. Nothing here
reads the ledger; ``load_snapshot`` rebuilds ``Results`` against the campaign as
loaded now.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..campaign.folder import Campaign
from ..campaign.units import Unit
from ..core.errors import ParxlError
from ..core.files import atomic_path
from ..results.compute import UnitItem, Results, Source, UnitResult
from ..results.summary import unappraised_counts

SNAPSHOT_DIR = "results"
KIND = "parxl-results"
VERSION = 2
READABLE = (1, 2)  # version 1: each unit's details inside it (finalized copies may be of it)
DETAILS = ("items", "field_points", "field_index", "node_max", "node_points", "node_index")  # apart in version 2


class SnapshotError(ParxlError):
    """A saved snapshot cannot be read (damaged, or written by another version of parxl)."""


@dataclass(frozen=True)
class Snapshot:
    """A master workbook and the results it shows.

    ``master`` is the master's path (in the campaign's output folder, which may no
    longer hold it); ``made_at`` is the ISO 8601 local time the results were made;
    ``fingerprint`` maps each part of the inputs (ledger, survey, units, settings,
    criteria) to its sha256; ``path`` is the snapshot file itself.
    """

    path: Path
    master: Path
    master_sha256: str
    made_at: str
    fingerprint: dict[str, str]
    results: Results


def snapshot_dir(campaign: Campaign) -> Path:
    """The folder of the campaign's result snapshots: ``.parxl/results/``."""
    return campaign.state_dir / SNAPSHOT_DIR


def snapshot_path(campaign: Campaign, master: Path) -> Path:
    """Where the snapshot of ``master`` lives: ``.parxl/results/<master stem>.json``."""
    return snapshot_dir(campaign) / f"{Path(master).stem}.json"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _item_doc(i: UnitItem) -> dict:
    return {"self": _dec(i.self_score), "appraised": _dec(i.appraised), "final": str(i.final),
            "evidence": i.evidence_count, "findings": i.findings,
            **({"not_applicable": True} if i.not_applicable else {}),
            **({"applies": False} if not i.applies else {}),
            **({"max": str(i.max)} if i.max is not None else {})}


_ITEMS = "\x00parxl-items\x00"  # stands for a unit's items in ``_details_json`` (no item code holds it)


def _details_json(u: UnitResult, encode, memo: dict) -> str:
    """``encode(_details_doc(u))``, each item's JSON made once per (code, figures) and reused across units
    (``memo``): items whose figures are the same objects (the ledger's one Decimal per score text) give
    the same text."""
    text = encode(_details_doc(u, items=_ITEMS))
    marker = encode(_ITEMS)
    if text.count(marker) != 1:  # never, unless an item's code holds the marker: the plain way
        return encode(_details_doc(u))
    parts = []
    for code, i in u.items.items():
        key = (code, id(i.self_score), id(i.appraised), id(i.final), id(i.max), i.evidence_count, i.findings,
               i.not_applicable, i.applies)  # ids: the figures are alive (held by ``u``) while encoding
        part = memo.get(key)
        if part is None:
            part = memo[key] = (encode(code) + ":" + encode(_item_doc(i)), i)  # keeps the figures alive
        parts.append(part[0])
    return text.replace(marker, "{" + ",".join(parts) + "}", 1)


def _details_doc(u: UnitResult, items: object = None) -> dict:
    """The unit's ``DETAILS``: its items and the figures of the fields and of the criteria tree's nodes."""
    return {
        "items": {code: _item_doc(i) for code, i in u.items.items()} if items is None else items,
        "field_points": {k: str(v) for k, v in u.field_points.items()},
        "field_index": {k: str(v) for k, v in u.field_index.items()},
        "node_max": {k: str(v) for k, v in u.node_max.items()},
        "node_points": {k: str(v) for k, v in u.node_points.items()},
        "node_index": {k: str(v) for k, v in u.node_index.items()},
    }


def _unit_doc(u: UnitResult) -> dict:
    """The unit without its ``DETAILS``: identity, status, totals, rank, band, source."""
    return {
        "unit": {"code": u.unit.code, "name": u.unit.name, "kind": u.unit.kind},
        "status": u.status, "note": u.note,
        "self_total": _dec(u.self_total), "appraised_total": _dec(u.appraised_total),
        "survey_points": str(u.survey_points), "bonus": str(u.bonus), "penalty": str(u.penalty),
        "total": _dec(u.total), "index": _dec(u.index), "rank": u.rank, "band": u.band,
        "source": None if u.source is None else {"sha256": u.source.sha256, "path": u.source.path,
                                                 "received_at": u.source.received_at},
        "error_count": u.error_count, "reason": u.reason, "by_name": u.by_name,
        "max_points": _dec(u.max_points),
        **({"unit_not_ranked": True} if not u.unit.ranked else {}),
    }


class _Decimals(dict):
    """Figure text -> its one Decimal (made on first use): ``memo.__getitem__`` mapped in C over a dict's values."""

    def __missing__(self, text: str) -> Decimal:
        out = self[text] = Decimal(text)
        return out


class _Codes(dict):
    """Item or node code -> the one string held for it (the first seen)."""

    def __missing__(self, code: str) -> str:
        self[code] = code
        return code


def _details_from(doc: dict, memo: dict) -> dict[str, dict]:
    """A unit's ``DETAILS`` (name -> mapping) from its details document (or, version 1, its whole document).
    ``memo`` (shared by the units of one snapshot) holds one Decimal per figure's text and one string per item
    code: the same values recur across thousands of units, and are then held once."""
    dec, key, undec = _figures(memo)

    def figures(values: dict) -> dict:
        return dict(zip(map(key, values), map(dec, values.values())))

    return {"items": {key(code): UnitItem(key(code), undec(i["self"]), undec(i["appraised"]), dec(i["final"]),
                                          i["evidence"], i["findings"], i.get("not_applicable", False),
                                          undec(i.get("max")), i.get("applies", True))
                      for code, i in doc["items"].items()},
            "field_points": figures(doc["field_points"]), "field_index": figures(doc["field_index"]),
            "node_max": figures(doc.get("node_max", {})), "node_points": figures(doc.get("node_points", {})),
            "node_index": figures(doc.get("node_index", {}))}


def _figures(memo: dict):
    """``(dec, key, undec)``: figure text -> its one Decimal, code -> its one string, and ``dec`` that gives
    None for None (``dec`` raises TypeError), each a dict's ``__getitem__`` kept in ``memo``."""
    if "decimals" not in memo:
        memo["decimals"], memo["codes"], memo["or_none"] = _Decimals(), _Codes(), _Decimals({None: None})
    return memo["decimals"].__getitem__, memo["codes"].__getitem__, memo["or_none"].__getitem__


def _unit_from(doc: dict, memo: dict, details: Mapping[str, Mapping]) -> UnitResult:
    """One unit's ``UnitResult`` from its document and its ``DETAILS`` (see ``_details_from``)."""
    dec, _, undec = _figures(memo)
    src = doc["source"]
    return UnitResult(
        unit=Unit(doc["unit"]["code"], doc["unit"]["name"], doc["unit"]["kind"], not doc.get("unit_not_ranked", False)),
        status=doc["status"], note=doc["note"],
        self_total=undec(doc["self_total"]), appraised_total=undec(doc["appraised_total"]),
        survey_points=dec(doc["survey_points"]), bonus=dec(doc["bonus"]), penalty=dec(doc["penalty"]),
        total=undec(doc["total"]), index=undec(doc["index"]), rank=doc["rank"], band=doc["band"],
        source=None if src is None else Source(src["sha256"], src["path"], src["received_at"]),
        error_count=doc["error_count"], reason=doc.get("reason", ""), by_name=doc.get("by_name", False),
        max_points=undec(doc.get("max_points")), **details)


def _encoder():
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


_DETAILS_AT = b'],"details":['  # between the units and their details (a JSON string never holds it unescaped)


def _write_body(results: Results, out) -> None:
    """Write what comes between ``"units":[`` and the document's last ``]}``: every unit, then
    ``_DETAILS_AT``, then every unit's details, in the same order."""
    encode, memo = _encoder(), {}
    for i, u in enumerate(results.units):
        out.write((b"," if i else b"") + encode(_unit_doc(u)).encode("utf-8"))
    out.write(_DETAILS_AT)
    for i, u in enumerate(results.units):
        out.write((b"," if i else b"") + _details_json(u, encode, memo).encode("utf-8"))


def write_units(results: Results, dest: Path) -> Path:
    """Write the units of the snapshot of ``results`` and their details (the document's text from its first
    unit to its last unit's details) into ``dest``, for ``save_snapshot(..., units=dest)``: made while the
    master is still being written. Returns ``dest``; raises OSError when it cannot be written."""
    with open(dest, "wb") as out:
        _write_body(results, out)
    return Path(dest)


def save_snapshot(results: Results, master: Path, fingerprint: dict[str, str], units: Path | None = None) -> Path:
    """Write the snapshot of ``master`` (atomically, through ``files.atomic_path``); returns its path.

    ``fingerprint`` is what ``results_fingerprint`` gave for the inputs of ``results``; ``units``, when
    given, is what ``write_units`` wrote for ``results`` (copied in, not encoded again).
    """
    master = Path(master)
    digest = hashlib.sha256()
    with open(master, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    doc = {
        "kind": KIND, "version": VERSION,
        "master": {"file": master.name, "sha256": digest.hexdigest()},
        "made_at": results.made_at,
        "campaign_id": results.campaign.id,
        "fingerprint": dict(sorted(fingerprint.items())),
        "has_appraisal": results.has_appraisal, "has_survey": results.has_survey,
        # per block in a campaign with ``blocks:`` (each its own set): counted from the items there
        **({} if results.campaign.has_blocks else {"unappraised": unappraised_counts(results)}),
        "units": [],
    }
    # The same JSON as one json.dumps of the whole document, encoded a unit at a time: the units' dicts
    # never all exist at once (at 10,000 units they took hundreds of MB).
    head = _encoder()(doc)  # ends with "units":[]} (the last key)
    target = snapshot_path(results.campaign, master)
    with atomic_path(target) as temp, open(temp, "wb") as out:  # streamed: never the whole text in memory
        out.write(head[:-2].encode("utf-8"))
        if units is not None:
            with open(units, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
        else:
            _write_body(results, out)
        out.write(b"]}")
    return target


_UNITS = '"units":['  # what ``save_snapshot`` writes last, after the head (kind, master, made_at, …)
_HEAD_BYTES = 1 << 16  # a head is ~1 KB: where ``snapshot_head`` looks for it
_SPACE = re.compile(r"[ \t\n\r]*").match  # JSON's whitespace, allowed between tokens


def _head(text: str) -> tuple[dict, int] | None:
    """The snapshot's head (its document with ``"units": []``) and where its first unit starts in ``text``,
    when ``text`` starts as ``save_snapshot`` writes it; else None."""
    at = text.find(_UNITS)
    if at < 0:
        return None
    try:
        head = json.loads(text[:at] + _UNITS + "]}")
    except ValueError:  # "units":[ inside a string of the head, or not a snapshot: read as a whole
        return None
    return (head, at + len(_UNITS)) if isinstance(head, dict) and head.get("units") == [] else None


def _array(text: str, pos: int, end: list[int]) -> Iterator[dict]:
    """The documents of the JSON array whose items start at ``pos`` of ``text``, one at a time (never all at
    once); when it is done, ``end`` gets the position after its ``]``. Raises ValueError when the text is not
    such an array."""
    decode = json.JSONDecoder().raw_decode
    pos = _SPACE(text, pos).end()
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            doc, pos = decode(text, pos)
            yield doc
            pos = _SPACE(text, pos).end()
            if text.startswith(",", pos):
                pos = _SPACE(text, pos + 1).end()
            elif text.startswith("]", pos):
                pos += 1
                break
            else:
                raise ValueError(f"unexpected text at {pos}")
    end.append(pos)


def _ends_document(text: str, pos: int) -> None:
    """Raise ValueError unless only the document's closing brace follows ``pos``."""
    if text[pos:].strip(" \t\n\r") != "}":
        raise ValueError("text after the units")


def _no_more(docs: Iterator) -> None:
    """Raise ValueError when ``docs`` holds one more document (more details than units)."""
    if next(docs, None) is not None:
        raise ValueError("more details than units")


def _set_details(units: list[UnitResult], text: str, memo: dict) -> None:
    """Decode the details array that ``text`` holds from its start (the file's text after ``_DETAILS_AT``)
    onto ``units``, in order. Raises ValueError when the details do not match the units one to one."""
    end: list[int] = []
    docs = _array(text, 0, end)
    for u in units:
        doc = next(docs, None)
        if doc is None:
            raise ValueError("fewer details than units")
        for name, value in _details_from(doc, memo).items():
            setattr(u, name, value)
    _no_more(docs)
    _ends_document(text, end[0])


class _LaterDetails:
    """The ``DETAILS`` of a version 2 snapshot's units, left in its file (``path``, from byte ``offset``) until
    one of them is first asked for (``_Later``): then read and set on every unit at once (``load``)."""

    def __init__(self, path: Path, offset: int, stat: os.stat_result, memo: dict):
        self.path, self.offset, self.memo = Path(path), offset, memo
        self.stat = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        self.units: list[UnitResult] = []
        self.loaded = False

    def load(self) -> None:
        """Read the details onto the units (once). Raises SnapshotError when the file cannot be read or
        is no longer the one the units were read from."""
        if self.loaded:
            return
        try:
            with open(self.path, "rb") as f:
                st = os.fstat(f.fileno())
                if (st.st_ino, st.st_size, st.st_mtime_ns) != self.stat:
                    raise SnapshotError(f"Kết quả lưu kèm bảng tổng hợp «{self.path.name}» vừa bị thay đổi trong "
                                        "khi parxl đang dùng. Hãy chạy lại lệnh.")
                f.seek(self.offset)
                text = f.read().decode("utf-8")
            _set_details(self.units, text, self.memo)
        except SnapshotError:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError, InvalidOperation) as exc:
            raise unreadable(self.path) from exc
        self.loaded = True


class _Later(Mapping):
    """One of a unit's ``DETAILS`` not read yet: its first use reads every unit's (``_LaterDetails.load``,
    which replaces this on the unit), then it answers as the mapping read. Raises SnapshotError then when
    the snapshot cannot be read any more."""

    __slots__ = ("_details", "_unit", "_name")

    def __init__(self, details: _LaterDetails, unit: UnitResult, name: str):
        self._details, self._unit, self._name = details, unit, name

    def _read(self) -> Mapping:
        self._details.load()
        return getattr(self._unit, self._name)

    def __getitem__(self, key: str):
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __reduce__(self):  # a copy or a pickle holds the mapping read, not the file
        return dict, (dict(self._read()),)

    def __repr__(self) -> str:
        return repr(self._read())


def snapshot_head(path: Path) -> dict:
    """The snapshot's document without its units (``"units": []``) and their details: kind, version, master,
    made_at, campaign_id, fingerprint, has_appraisal, has_survey, unappraised; read from its first bytes when
    it starts as ``save_snapshot`` writes it, else from the whole file. Raises OSError, ValueError (not JSON)."""
    with open(path, "rb") as f:
        start = f.read(_HEAD_BYTES)
    found = _head(start.decode("utf-8", errors="replace"))
    if found is not None:
        return found[0]
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return {**{k: v for k, v in doc.items() if k != "details"}, "units": []} if isinstance(doc, dict) else doc


def load_snapshot(campaign: Campaign, path: Path, details: bool = True) -> Snapshot:
    """Read one snapshot; its ``Results`` carry ``campaign`` (as loaded now). Raises SnapshotError.

    The units are decoded one at a time into ``UnitResult`` (the JSON of every unit never exists at once).
    ``details=False``: each unit's ``DETAILS`` (items, field and node figures) are read from the file the
    first time one of them is used (a version 2 snapshot; version 1 is read whole); a file changed or gone by
    then raises SnapshotError at that use.
    """
    try:
        with open(path, "rb") as f:
            data = f.read()
            stat = os.fstat(f.fileno())
        at = data.find(_DETAILS_AT)
        text = (data[:at + 1] if at >= 0 else data).decode("utf-8")  # version 2: the head and the units only
        found = _head(text)
        if found is None:
            return _whole(campaign, Path(path), json.loads(data))
        doc, start = found
        if isinstance(doc, dict) and doc.get("version") == VERSION and at < 0:  # laid out otherwise: read as a whole
            return _whole(campaign, Path(path), json.loads(data))
        _check_version(doc, path, at >= 0)
        memo: dict = {}
        end: list[int] = []
        if at < 0:  # version 1: each unit with its details
            units = [_unit_from(u, memo, _details_from(u, memo)) for u in _array(text, start, end)]
            _ends_document(text, end[0])
        else:
            later = None if details else _LaterDetails(Path(path), at + len(_DETAILS_AT), stat, memo)
            units = []
            for u in _array(text, start, end):
                unit = _unit_from(u, memo, dict.fromkeys(DETAILS, {}))
                if later is not None:
                    later.units.append(unit)
                    for name in DETAILS:
                        setattr(unit, name, _Later(later, unit, name))
                units.append(unit)
            if end[0] != len(text):
                raise ValueError("text between the units and their details")
            if details:
                rest = data[at + len(_DETAILS_AT):]
                del data, text
                _set_details(units, rest.decode("utf-8"), memo)
        return _snapshot(campaign, Path(path), doc, units)
    except SnapshotError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError, InvalidOperation) as exc:
        raise unreadable(Path(path)) from exc


def unreadable(path: Path) -> SnapshotError:
    """The ``SnapshotError`` (Vietnamese, with what to do) for the snapshot ``path`` that cannot be read or decoded
    (the caller raises it, chaining the cause)."""
    return SnapshotError(f"Không đọc được kết quả lưu kèm bảng tổng hợp «{path.name}» (tệp bị hỏng, không trọn vẹn "
                         "hoặc không mở được). Hãy chạy lại «parxl consolidate» để lập lại bảng tổng hợp cùng kết "
                         "quả lưu kèm, rồi soạn lại.")


def _check_version(doc: object, path: Path, apart: bool) -> None:
    """Raise SnapshotError unless ``doc`` is a snapshot of a version this parxl reads; ``apart``: its units'
    details follow its units (version 2)."""
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("kind") != KIND or version not in READABLE or apart != (version >= 2):
        raise SnapshotError(f"«{Path(path).name}» không phải kết quả lưu kèm bảng tổng hợp của phiên bản parxl này.")


def _whole(campaign: Campaign, path: Path, doc: object) -> Snapshot:
    """The snapshot from its whole decoded document (a file not laid out as ``save_snapshot`` writes it)."""
    _check_version(doc, path, isinstance(doc, dict) and "details" in doc)
    memo: dict = {}
    details = doc["details"] if "details" in doc else doc["units"]  # type: ignore[index]
    if len(details) != len(doc["units"]):  # type: ignore[index]
        raise ValueError("details do not match the units")
    units = [_unit_from(u, memo, _details_from(d, memo)) for u, d in zip(doc["units"], details)]  # type: ignore[index]
    return _snapshot(campaign, path, doc, units)  # type: ignore[arg-type]


def _snapshot(campaign: Campaign, path: Path, doc: dict, units: list[UnitResult]) -> Snapshot:
    counts = doc.get("unappraised")
    results = Results(campaign, units, doc["made_at"], bool(doc["has_appraisal"]), bool(doc["has_survey"]),
                      unappraised=None if counts is None else {str(k): int(v) for k, v in counts.items()})
    return Snapshot(path, campaign.output_dir / doc["master"]["file"], doc["master"]["sha256"],
                    doc["made_at"], dict(doc["fingerprint"]), results)


def latest_snapshot(campaign: Campaign) -> Path | None:
    """The snapshot of the newest master consolidate wrote whose master is still in output/ (None if none).

    "Newest" is by the time the results were made (then the order the snapshots were
    written), not by the master's modification time: opening and saving an older
    master in Excel does not make the documents follow it. A snapshot that cannot be
    read is passed over (the fingerprint check still guards what an older one says).
    """
    found = []
    for path in snapshot_dir(campaign).glob("*.json"):
        master = campaign.output_dir / f"{path.stem}.xlsx"
        if not master.is_file():
            continue
        try:
            made_at = snapshot_head(path)["made_at"]  # the head only: never the units
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found.append((str(made_at), path.stat().st_mtime_ns, path.name, path))
    return max(found)[-1] if found else None
