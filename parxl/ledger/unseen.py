"""Files in ``inbox/`` the ledger has not seen: a new path, or a known path whose content changed.

Cheap by design, for the document commands to run before each draft: the inbox
listing (path, size, modification time) is compared with the ledger's receipts
(original path, size of the content, ``received_at`` = the file's modification
time when it was scanned), as ``scan_inbox`` records them. A file is read (to
hash it) only when its modification time differs from every receipt of its
path but its size matches one: a file only touched, or copied back with its
content unchanged, is not new (a new scan would not change the ledger either).
The walk skips what ``scan_inbox`` skips (hidden files and folders, Excel's lock
files ``~$…``, Thumbs.db, desktop.ini) and what it never opens: anything that is not
a regular file or a link to one (a dangling link, a FIFO, a socket, a device, a link
to a folder), which the intake warns about and which never gets a receipt.
"""
from __future__ import annotations

import os
import stat as stat_mode
from pathlib import Path

from ..campaign.folder import Campaign
from ..core.times import utc_iso
from ..intake.submission import file_sha256
from .inbox import SKIPPED_NAMES, SkippedEntry, receipt_time, shown_path, untaken
from .store import Ledger


def _skipped(name: str) -> bool:
    # The same rule as ``inbox.scan_inbox``.
    return name.startswith(("~$", ".")) or name.lower() in SKIPPED_NAMES


def unseen_inbox_files(campaign: Campaign) -> list[str]:
    """Paths (relative to the campaign folder, «inbox/…», POSIX) of the files under ``inbox/`` that
    the ledger holds no receipt of with the same content, sorted; [] when there is no inbox. A name that
    is not valid UTF-8 is given with «�» for its undecodable bytes (``inbox.shown_path``); see ``_unseen``.
    Raises ``LedgerError`` when the ledger cannot be opened."""
    return [shown_path(rel) for rel in _unseen(campaign)]


def _unseen(campaign: Campaign) -> list[str]:
    """Paths (relative to the campaign folder, «inbox/…», POSIX) of the files under ``inbox/`` that
    the ledger holds no receipt of with the same content, sorted; [] when there is no inbox.

    A file is seen when a receipt of its path has its modification time (``received_at``, UTC ISO
    8601 as ``scan_inbox`` writes it) and size (bytes), or, failing the time, its size and sha256.
    A regular file that cannot be read counts as unseen (the next ``parxl check`` or ``parxl
    consolidate`` reports it); what is not a regular file is left out, as the intake leaves it. A folder parxl
    may not list is given as its path ending with «/». Raises ``LedgerError`` when the ledger cannot be opened.
    """
    inbox, root = campaign.inbox_dir, campaign.root
    if not inbox.is_dir():
        return []
    with Ledger.open(campaign) as ledger:
        rows = ledger.db.execute(
            "SELECT r.original_path, r.received_at, f.size, r.sha256 FROM receipts r "
            "JOIN files f ON f.sha256 = r.sha256").fetchall()
    known: dict[str, list[tuple[str, int, str]]] = {}
    for path, received_at, size, sha in rows:
        known.setdefault(path, []).append((received_at, size, sha))
    unseen: list[str] = []

    def refused(exc: OSError) -> None:  # a folder parxl may not list: its files are unseen, the folder says so
        if isinstance(exc, PermissionError) and exc.filename is not None:
            unseen.append(Path(os.fsdecode(exc.filename)).relative_to(root).as_posix() + "/")
    for folder, dirs, files in os.walk(inbox, onerror=refused):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not _skipped(f)):
            path = Path(folder) / name
            try:
                stat = os.stat(path)  # follows a link: a link to a regular file is read as the file
            except PermissionError:  # its folder may be listed, not entered: the file is there, unseen
                unseen.append(path.relative_to(root).as_posix())
                continue
            except OSError:
                continue  # a dangling link or a file gone: the intake skips it too
            if not stat_mode.S_ISREG(stat.st_mode):
                continue  # never opened (a FIFO would block): the intake skips it with a warning
            rel = path.relative_to(root).as_posix()
            if not _seen(path, stat, known.get(rel, []), rel):
                unseen.append(rel)
    return sorted(unseen)


def untaken_inbox_files(campaign: Campaign) -> list[SkippedEntry]:
    """Those of ``unseen_inbox_files`` (paths as the system gives them) that ``parxl check`` and ``consolidate``
    skip on purpose: a name that is not valid UTF-8, a file parxl may not read, a folder it may not list; each as
    the ``SkippedEntry`` the intake gives (its Vietnamese ``message`` says what to do). Raises ``LedgerError`` as
    ``unseen_inbox_files``."""
    root = campaign.root
    return [entry for rel in _unseen(campaign) if (entry := untaken(root / rel, rel)) is not None]


def _seen(path: Path, stat: os.stat_result, receipts: list[tuple[str, int, str]], rel: str = "") -> bool:
    if not receipts:
        return False
    try:
        when = receipt_time(rel, stat.st_mtime) if rel else utc_iso(stat.st_mtime)  # as the scan recorded it
        if any(r == when and size == stat.st_size for r, size, _ in receipts):
            return True
        same_size = {sha for _, size, sha in receipts if size == stat.st_size}
        return bool(same_size) and file_sha256(path) in same_size
    except (OSError, OverflowError, ValueError):  # an odd time stamp or a file gone: let a scan decide
        return False
