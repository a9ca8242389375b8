"""Whether the last master still shows what a new one would: the key of a master's inputs.

``parxl consolidate`` writes, after each new master and its snapshot, a small file
``.parxl/results/last-master.key`` (JSON) naming them, with ``made_at`` and the
``master_key`` of everything the master was drawn from. A later run with the same key
whose master and snapshot are still there, the master unchanged (same sha256), writes
nothing new: it would only be the same workbook under a new name.

The key covers every input of the master workbook: the results' fingerprint
(``results_fingerprint``/``blocks_fingerprint``: the ledger's chosen versions and their
figures, survey points, units, result settings, criteria set), the whole of campaign.yaml
as loaded, the units list, the survey table's bytes (the survey sheet shows its answers),
the content of every data file in the campaign folder itself (units lists with every
column, each block's survey table, criteria sets: what the clerk edits; a data file there that
the master does not read only costs a new master), each block's units list wherever it lies, the
campaign folder's path (the «Nguồn dữ liệu» sheet names it), the units whose file did not
read (with why), the previous campaign's ranks (``--previous``) and parxl's version (a new
version may draw the master differently).

Beside the key, ``quick`` (``quick_key``) is what can be known without reading the ledger's rows: the
ledger file's state (any write to it changes it), the files the intake found in inbox/ and the same
campaign inputs. When it matches and the intake read nothing afresh, consolidate takes the results from
the master's snapshot instead of making them again.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..campaign.folder import CONTROL_STEM, Campaign
from ..core.files import write_atomic
from ..intake.submission import file_sha256
from ..ledger.receive import IntakeResult
from ..ledger.returned import ReturnedFile
from ..ledger.schema import LEDGER_FILE
from ..survey.table import survey_file
from .previous import PreviousEntry
from .snapshot import SnapshotError, snapshot_dir, snapshot_head, unreadable

KEY_FILE = "last-master.key"
# What a clerk keeps in the campaign folder that a master may be drawn from: campaign.yaml, criteria sets,
# units lists and survey tables (csv, xlsx). Launchers (.cmd) and the control workbook (.xlsm) are not.
INPUT_SUFFIXES = frozenset({".yaml", ".yml", ".csv", ".xlsx", ".xls", ".ods", ".json"})


@dataclass(frozen=True)
class LastMaster:
    """The master the last consolidation wrote: its path, its snapshot's path, when its results were made."""

    master: Path
    snapshot: Path
    made_at: str


def master_key(campaign: Campaign, fingerprint: Mapping[str, str], previous: Mapping[str, PreviousEntry] | None,
               returned: Sequence[ReturnedFile]) -> str:
    """sha256 (hex) of everything a master of ``campaign`` is drawn from (see the module doc).

    ``fingerprint``: the results' (``results_fingerprint`` or ``blocks_fingerprint``); ``returned``:
    the units whose file did not read (``IntakeResult.returned``). Raises ``SurveyError`` when two
    survey tables are there, ``OSError`` when the survey table cannot be read.
    """
    table = survey_file(campaign)
    doc = {
        "parxl": __version__,
        "fingerprint": dict(sorted(fingerprint.items())),
        "config": campaign.config.model_dump(mode="json"),
        "units": [[u.code, u.name, u.kind, u.ranked] for u in campaign.units],
        "blocks": [[b.id, b.title, b.ranked, [u.code for u in b.units]] for b in campaign.blocks]
        if campaign.has_blocks else None,
        "survey_table": None if table is None else [table.name, file_sha256(table)],
        "folder": str(campaign.root.resolve()),
        "folder_files": _folder_files(campaign),
        "returned": sorted([r.unit_code, r.state, r.path, r.sha256, r.received_at, r.reason, r.by_name]
                           for r in returned),
        "previous": None if previous is None else sorted(
            [code, e.rank, None if e.index is None else str(e.index)] for code, e in previous.items()),
    }
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _folder_files(campaign: Campaign) -> list[list[str]]:
    """[name, sha256] of every data file (``INPUT_SUFFIXES``) in the campaign folder itself (not in its
    sub-folders), and of each block's units list kept elsewhere; hidden files, Excel's lock files («~$…»)
    and the control workbook parxl writes there (rewritten by ``parxl control`` and the demo) left out."""
    paths = {p for p in campaign.root.iterdir() if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
             and not p.name.startswith((".", "~$", CONTROL_STEM))}
    paths |= {Path(b.units_file) for b in campaign.blocks if b.units_file and Path(b.units_file).is_file()}
    return sorted([str(p), file_sha256(p)] for p in paths)


def save_master_key(campaign: Campaign, key: str, master: Path, snapshot: Path, made_at: str,
                    quick: str | None = None) -> Path:
    """Record (atomically) that ``master`` and its ``snapshot``, made at ``made_at``, were drawn from ``key``
    (and, when given, from ``quick``: see ``quick_key``).

    Returns the key file's path. Raises ``OSError`` when the state folder cannot be written.
    """
    doc = {"key": key, "master": Path(master).name, "master_sha256": file_sha256(Path(master)),
           "snapshot": Path(snapshot).name, "snapshot_sha256": file_sha256(Path(snapshot)), "made_at": made_at}
    if quick is not None:
        doc["quick"] = quick
    return write_atomic(snapshot_dir(campaign) / KEY_FILE, json.dumps(doc, ensure_ascii=False).encode("utf-8"))


def _last_key(campaign: Campaign) -> dict | None:
    """The key file's document (``save_master_key``), or None when it is missing or does not read as one."""
    try:
        doc = json.loads((snapshot_dir(campaign) / KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def reusable_master(campaign: Campaign, key: str, field: str = "key") -> LastMaster | None:
    """The last master when it was drawn from ``key`` and it and its snapshot are still as written (same sha256);
    else None.

    ``field="quick"``: ``key`` is a ``quick_key`` compared with the one saved beside the last master.
    Never raises: a key file that is missing or cannot be read means "write a new master".
    """
    doc = _last_key(campaign)
    try:
        if doc is None or doc.get(field) != key:
            return None
        master = campaign.output_dir / doc["master"]
        snapshot = snapshot_dir(campaign) / doc["snapshot"]
        if not (master.is_file() and snapshot.is_file()) or file_sha256(master) != doc["master_sha256"]:
            return None
        if file_sha256(snapshot) != doc["snapshot_sha256"]:  # damaged or replaced (a key without it: a new master)
            return None
        return LastMaster(master, snapshot, str(doc["made_at"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def ledger_state(campaign: Campaign) -> list[list[int] | None]:
    """[inode, size, mtime ns, ctime ns] of the ledger file and of its write-ahead log (None when absent).

    Every transaction that writes to the ledger (the intake recording a file, appraise, explain, survey,
    council commands…) changes the log or, once checkpointed, the file; a ledger put back from a copy has
    another inode or ctime. Reading the ledger changes none of them.
    """
    out: list[list[int] | None] = []
    for name in (LEDGER_FILE, LEDGER_FILE + "-wal"):
        try:
            st = (campaign.state_dir / name).stat()
        except FileNotFoundError:
            out.append(None)
            continue
        out.append([st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns])
    return out


def quick_key(campaign: Campaign, intake: IntakeResult, previous: Mapping[str, PreviousEntry] | None) -> str:
    """sha256 (hex) of what a master is drawn from, without reading the ledger's rows: ``master_key`` with,
    in place of the results' fingerprint, the criteria set's fingerprint, the ledger's ``ledger_state``, the
    files the intake found in inbox/ (path, content, kind, copy of) and the units it held out.

    Taken after ``run_intake`` and before the ledger's rows are read, so a file the intake recorded is in
    it and a write by another command while the results are made is seen on the next run. Worth comparing only when the intake read no content afresh (``intake.revalidated``)
    and failed on none (``intake.internal``). Raises what ``master_key`` raises.
    """
    inbox = [[str(f.path), f.sha256, f.kind, None if f.duplicate_of is None else str(f.duplicate_of)]
             for f in intake.files]
    fingerprint = {"criteria": campaign.framework.fingerprint,
                   "ledger_state": json.dumps(ledger_state(campaign)),
                   "inbox": hashlib.sha256(json.dumps(inbox, ensure_ascii=False).encode("utf-8")).hexdigest(),
                   "held": json.dumps(sorted(intake.held))}
    return master_key(campaign, fingerprint, previous, intake.returned)


def check_snapshot(campaign: Campaign, path: Path) -> None:
    """Raise ``SnapshotError`` unless ``path`` (``snapshot.latest_snapshot``'s choice) can be trusted as the results
    of the last consolidation: when the key file names a snapshot whose master is still in output/ and whose head
    cannot be read (``latest_snapshot`` passed it over for an older one), and when ``path`` is the one it names but
    is no longer as written (another sha256: edited or replaced since). Nothing is checked without a key file that
    reads (the documents' fingerprint check still guards what an older snapshot says); ``SnapshotError`` too when
    ``path`` cannot be read."""
    doc = _last_key(campaign)
    if doc is None:
        return
    try:
        named, digest = snapshot_dir(campaign) / doc["snapshot"], doc.get("snapshot_sha256")
        master = campaign.output_dir / doc["master"]
    except (KeyError, TypeError):
        return
    if not (master.is_file() and named.exists()):
        return
    if Path(named) != Path(path):
        try:
            snapshot_head(named)
        except (OSError, ValueError, KeyError, TypeError):
            raise unreadable(named) from None
        return
    try:
        same = digest is None or file_sha256(Path(path)) == digest
    except OSError as exc:
        raise unreadable(Path(path)) from exc
    if not same:
        raise SnapshotError(f"Kết quả lưu kèm bảng tổng hợp «{Path(path).name}» đã bị sửa hoặc thay thế sau khi lập "
                            "(không còn khớp với bảng tổng hợp). Hãy chạy lại «parxl consolidate» để lập lại bảng "
                            "tổng hợp cùng kết quả lưu kèm, rồi soạn lại.")
