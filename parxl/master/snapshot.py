"""The results a master workbook shows, saved beside it so that documents follow that master exactly.

Each ``parxl consolidate`` writes, after the master, one JSON file in the campaign's
state folder, named after the master: ``.parxl/results/<master stem>.json``. It holds
the whole ``Results`` (every unit's items, points, index, rank, band, source) with
the master's file name and sha256, when it was made, and the fingerprint of the
inputs it was computed from (see ``parxl.master.consolidation.results_fingerprint``)::

    {"kind": "parxl-results", "version": 1,
     "master": {"file": "tong-hop-chi-so-cchc-2025-20260120-100000.xlsx", "sha256": "…"},
     "made_at": "2026-01-20T10:00:00", "campaign_id": "2025:xa:…",
     "fingerprint": {"ledger": "…", "survey": "…", "units": "…", "settings": "…", "criteria": "…"},
     "has_appraisal": false, "has_survey": true,
     "units": [{"unit": {"code": "X01", "name": "…", "kind": "Phường"}, "status": "ranked", "total": "87.10", …}]}

Decimals are written as strings (never floats). A snapshot is self-contained: a
later "finalize" can freeze one by copying it under a fixed name. Nothing here
reads the ledger; ``load_snapshot`` rebuilds ``Results`` against the campaign as
loaded now.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..campaign.folder import Campaign
from ..campaign.units import Unit
from ..core.errors import ParxlError
from ..core.files import atomic_path
from ..results.compute import UnitItem, Results, Source, UnitResult

SNAPSHOT_DIR = "results"
KIND = "parxl-results"
VERSION = 1


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


_ITEMS = "\x00parxl-items\x00"  # stands for a unit's items in ``_unit_json`` (no unit's text holds it)


def _unit_json(u: UnitResult, encode, memo: dict) -> str:
    """``encode(_unit_doc(u))``, each item's JSON made once per (code, figures) and reused across units
    (``memo``): items whose figures are the same objects (the ledger's one Decimal per score text) give
    the same text."""
    text = encode(_unit_doc(u, items=_ITEMS))
    marker = encode(_ITEMS)
    if text.count(marker) != 1:  # never, unless a unit's name holds the marker: the plain way
        return encode(_unit_doc(u))
    parts = []
    for code, i in u.items.items():
        key = (code, id(i.self_score), id(i.appraised), id(i.final), id(i.max), i.evidence_count, i.findings,
               i.not_applicable, i.applies)  # ids: the figures are alive (held by ``u``) while encoding
        part = memo.get(key)
        if part is None:
            part = memo[key] = (encode(code) + ":" + encode(_item_doc(i)), i)  # keeps the figures alive
        parts.append(part[0])
    return text.replace(marker, "{" + ",".join(parts) + "}", 1)


def _unit_doc(u: UnitResult, items: object = None) -> dict:
    return {
        "unit": {"code": u.unit.code, "name": u.unit.name, "kind": u.unit.kind},
        "status": u.status, "note": u.note,
        "items": {code: _item_doc(i) for code, i in u.items.items()} if items is None else items,
        "field_points": {k: str(v) for k, v in u.field_points.items()},
        "field_index": {k: str(v) for k, v in u.field_index.items()},
        "self_total": _dec(u.self_total), "appraised_total": _dec(u.appraised_total),
        "survey_points": str(u.survey_points), "bonus": str(u.bonus), "penalty": str(u.penalty),
        "total": _dec(u.total), "index": _dec(u.index), "rank": u.rank, "band": u.band,
        "source": None if u.source is None else {"sha256": u.source.sha256, "path": u.source.path,
                                                 "received_at": u.source.received_at},
        "error_count": u.error_count, "reason": u.reason, "by_name": u.by_name,
        "max_points": _dec(u.max_points),
        "node_max": {k: str(v) for k, v in u.node_max.items()},
        "node_points": {k: str(v) for k, v in u.node_points.items()},
        "node_index": {k: str(v) for k, v in u.node_index.items()},
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


def _unit_from(doc: dict, memo: dict | None = None) -> UnitResult:
    """One unit's ``UnitResult`` from its document. ``memo`` (shared by the units of one snapshot) holds one
    Decimal per figure's text and one string per item code: the same values recur across thousands of
    units, and are then held once."""
    memo = {} if memo is None else memo
    if "decimals" not in memo:  # ``undec``'s own, which gives None for None (``dec`` raises TypeError)
        memo["decimals"], memo["codes"], memo["or_none"] = _Decimals(), _Codes(), _Decimals({None: None})
    dec, key, undec = memo["decimals"].__getitem__, memo["codes"].__getitem__, memo["or_none"].__getitem__

    def figures(values: dict) -> dict:
        return dict(zip(map(key, values), map(dec, values.values())))

    src = doc["source"]
    return UnitResult(
        unit=Unit(doc["unit"]["code"], doc["unit"]["name"], doc["unit"]["kind"], not doc.get("unit_not_ranked", False)),
        status=doc["status"], note=doc["note"],
        items={key(code): UnitItem(key(code), undec(i["self"]), undec(i["appraised"]), dec(i["final"]),
                                   i["evidence"], i["findings"], i.get("not_applicable", False), undec(i.get("max")),
                                   i.get("applies", True)) for code, i in doc["items"].items()},
        field_points=figures(doc["field_points"]),
        field_index=figures(doc["field_index"]),
        self_total=undec(doc["self_total"]), appraised_total=undec(doc["appraised_total"]),
        survey_points=dec(doc["survey_points"]), bonus=dec(doc["bonus"]), penalty=dec(doc["penalty"]),
        total=undec(doc["total"]), index=undec(doc["index"]), rank=doc["rank"], band=doc["band"],
        source=None if src is None else Source(src["sha256"], src["path"], src["received_at"]),
        error_count=doc["error_count"], reason=doc.get("reason", ""), by_name=doc.get("by_name", False),
        max_points=undec(doc.get("max_points")),
        node_max=figures(doc.get("node_max", {})),
        node_points=figures(doc.get("node_points", {})),
        node_index=figures(doc.get("node_index", {})),
    )


def _encoder():
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def write_units(results: Results, dest: Path) -> Path:
    """Write the units of the snapshot of ``results`` (the JSON array's content, without its brackets) into
    ``dest``, for ``save_snapshot(..., units=dest)``: made while the master is still being written.
    Returns ``dest``; raises OSError when it cannot be written."""
    encode, memo = _encoder(), {}
    with open(dest, "wb") as out:
        for i, u in enumerate(results.units):
            out.write((b"," if i else b"") + _unit_json(u, encode, memo).encode("utf-8"))
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
        "units": [],
    }
    # The same JSON as one json.dumps of the whole document, encoded a unit at a time: the units' dicts
    # never all exist at once (at 10,000 units they took hundreds of MB).
    encode = _encoder()
    head = encode(doc)  # ends with "units":[]} (the last key)
    target = snapshot_path(results.campaign, master)
    with atomic_path(target) as temp, open(temp, "wb") as out:  # streamed: never the whole text in memory
        out.write(head[:-2].encode("utf-8"))
        if units is not None:
            with open(units, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
        else:
            memo: dict = {}
            for i, u in enumerate(results.units):
                out.write((b"," if i else b"") + _unit_json(u, encode, memo).encode("utf-8"))
        out.write(b"]}")
    return target


_UNITS = '"units":['  # what ``save_snapshot`` writes last, after the head (kind, master, made_at, …)
_HEAD_BYTES = 1 << 16  # a head is ~1 KB: where ``snapshot_head`` looks for it


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


def _unit_docs(text: str, start: int):
    """The unit documents of the array that starts at ``start`` of ``text``, one at a time (never all
    at once), checking that the document ends there. Raises ValueError when the text is not so."""
    decode = json.JSONDecoder().raw_decode
    space = re.compile(r"[ \t\n\r]*").match  # JSON's whitespace, allowed between tokens
    pos = space(text, start).end()
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            doc, pos = decode(text, pos)
            yield doc
            pos = space(text, pos).end()
            if text.startswith(",", pos):
                pos = space(text, pos + 1).end()
            elif text.startswith("]", pos):
                pos += 1
                break
            else:
                raise ValueError(f"unexpected text at {pos}")
    if text[pos:].strip(" \t\n\r") != "}":
        raise ValueError("text after the units")


def snapshot_head(path: Path) -> dict:
    """The snapshot's document without its units (``"units": []``): kind, version, master, made_at,
    campaign_id, fingerprint, has_appraisal, has_survey; read from its first bytes when it starts as
    ``save_snapshot`` writes it, else from the whole file. Raises OSError, ValueError (not JSON)."""
    with open(path, "rb") as f:
        start = f.read(_HEAD_BYTES)
    found = _head(start.decode("utf-8", errors="replace"))
    if found is not None:
        return found[0]
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return {**doc, "units": []} if isinstance(doc, dict) else doc


def load_snapshot(campaign: Campaign, path: Path) -> Snapshot:
    """Read one snapshot; its ``Results`` carry ``campaign`` (as loaded now). Raises SnapshotError.

    The units are decoded one at a time into ``UnitResult`` (the JSON of every unit never exists at once).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
        found = _head(text)
        if found is None:
            doc = json.loads(text)
            units = doc.get("units") if isinstance(doc, dict) else None
        else:
            doc, start = found
            units = _unit_docs(text, start)
        if doc.get("kind") != KIND or doc.get("version") != VERSION:
            raise SnapshotError(f"«{path.name}» không phải kết quả lưu kèm bảng tổng hợp của phiên bản parxl này.")
        memo: dict = {}
        results = Results(campaign, [_unit_from(u, memo) for u in units], doc["made_at"],
                          bool(doc["has_appraisal"]), bool(doc["has_survey"]))
        del text
        return Snapshot(Path(path), campaign.output_dir / doc["master"]["file"], doc["master"]["sha256"],
                        doc["made_at"], dict(doc["fingerprint"]), results)
    except SnapshotError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError, InvalidOperation) as exc:
        raise SnapshotError(f"Không đọc được kết quả lưu kèm bảng tổng hợp «{Path(path).name}» "
                            f"({type(exc).__name__}).") from exc


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
