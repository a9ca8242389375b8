"""Scanning and keeping ``inbox/``: every file found (and every member of a plain zip) is an
``InboxFile``, its content kept once in the ledger's store by sha256; nothing in ``inbox/`` changes.

``scan_inbox`` walks ``inbox/`` recursively (any names, sub-folders, re-sent versions). A plain
``.zip`` is opened (after the zip-bomb checks) and each workbook in it is a received file whose
siblings are the other files of the zip; files that are evidence (PDF, Word, images…) are kept
but not validated; Excel's lock files (``~$…``) and hidden files are skipped. Each content is
kept once in the state folder, by sha256, with each receipt (original path, time received: the
modification time, or the day a folder it lies in names, ``receipt_time``).

Kept copies are written through a temp file and a rename (``core.files.write_kept``) without fsync:
a copy a power cut left short has another size than its content and is written again the next
time that content is kept (``Ledger.keep`` compares the sizes).

A file parxl fails on while keeping or unpacking it is still kept and comes back as one
``InboxFile`` of status ``internal-error`` (``InternalErrorReport``, traceback logged);
``parxl.ledger.receive`` reads, validates and records what this module found.

Only regular files are read (a symbolic link to one is followed): a dangling link, a link to a
folder, a FIFO, a socket or a device in ``inbox/`` is never opened; it comes back as one
``SkippedEntry`` (a Vietnamese warning naming it), not as a finding on a unit.

A file that names no unit inside is attributed by its path (``unit_named_in``): its own name,
then the folders it lies in, innermost first (inside a zip, then the zip's own name and folders).

A file of inbox/ already kept, unchanged since (same path, size, modification time, inode and
change time, noted in ``.parxl/inbox-scan.json``, ``ScanCache``), is neither read, hashed nor
copied again: its receipts come from that note, checked against the ledger. Anything else (a new
file, a file replaced under the same name, even with its old modification time) is read afresh.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import time
import re
import struct
import stat as stat_mode
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..campaign.folder import Campaign
from .. import __version__
from ..core.errors import OutputWriteError, internal_error_text, log_internal_error
from ..core.files import write_atomic
from ..core.findings import make
from ..core.texts import normalize_text
from ..core.times import utc_iso
from ..intake.checks.identity import units_named_by
from ..intake.submission import file_sha256
from ..intake.validation import Report
from ..xlsx.ods import is_ods
from ..xlsx.safety import MAX_FILE_BYTES, HostileFile, check_size, check_zip, sniff
from .store import Ledger

EVIDENCE_SUFFIXES = {".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".jpg", ".jpeg", ".png", ".gif", ".tif",
                     ".tiff", ".bmp", ".heic", ".ppt", ".pptx", ".mp4", ".rar", ".7z"}
SKIPPED_NAMES = {"thumbs.db", "desktop.ini"}
INTERNAL = "internal-error"  # the status of a file parxl failed on (its own bug, not the unit's)
# What Python's zipfile raises for a zip it cannot list or decompress: a verdict on the file.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, zlib.error, EOFError, OSError,
              ValueError, RuntimeError, KeyError)


@dataclass
class InternalErrorReport(Report):
    """A file parxl failed on: no verdict on the unit, only where the traceback was logged."""

    log: str | None = None     # path of the traceback log (None when it could not be written)
    context: str = ""          # what parxl was doing, in Vietnamese ("đọc tệp «…»")

    @property
    def message(self) -> str:
        """The Vietnamese line for the clerk: parxl's fault, where the log is, what to do."""
        return internal_error_text(self.log, self.context)


def internal_report(name: str, sha256: str, size: int, exc: BaseException, state_dir: Path | None,
                     named_unit: str | None = None, unit_code: str | None = None) -> InternalErrorReport:
    """The report of a file parxl failed on: ``exc``'s traceback logged under ``state_dir``'s
    ``errors/`` (``core.errors.log_internal_error``), status ``internal-error``, no findings.

    ``size`` is in bytes; never raises (a log that cannot be written leaves ``log`` None).
    """
    log = log_internal_error(state_dir, exc, context=f"checking {name}", key=sha256 or "archive")
    return InternalErrorReport(name, sha256, size, INTERNAL, unit_code=unit_code,  # type: ignore[arg-type]
                               named_unit=named_unit, log=None if log is None else str(log),
                               context=f"đọc tệp «{name}»")


@dataclass
class InboxFile:
    """One file found under inbox/ (or inside a zip there) in this run: where from, its kind, its report.

    Named apart from ``parxl.ledger.rows.Receipt``, the ledger's record of a receipt read back
    (``Ledger.files``): an ``InboxFile`` is what *this* scan found, with the kept copy
    (``stored``) and, once checked, the ``Report`` of its content.
    """

    path: str                 # relative to the campaign folder, "inbox/a.zip!/X01.xlsx" inside a zip
    sha256: str
    received_at: str          # ISO 8601 UTC modification time of the file in inbox/
    kind: str                 # workbook, evidence, archive
    siblings: frozenset[str] | None  # names of the other files beside it in a zip
    folder: Path | None = None        # the inbox folder it lies in (files beside it looked up on demand)
    stored: Path | None = None
    report: Report | None = None
    duplicate_of: str | None = None  # path of the first receipt of the same content in this run


@dataclass(frozen=True)
class SkippedEntry:
    """Something in inbox/ that was not taken: not a regular file (never opened), a file whose name is not
    valid UTF-8, a file parxl may not read or a folder it may not list (the clerk's to fix, not parxl's error).

    ``path`` is relative to the campaign folder («inbox/fifo.xlsx»), ``what`` says in Vietnamese
    what it is («liên kết hỏng (trỏ tới «…», không tồn tại)»).
    """

    path: str
    what: str
    advice: str = ""  # what to do, for a regular file parxl could not open (else: not a regular file)

    @property
    def message(self) -> str:
        """The Vietnamese warning line for the clerk: what was skipped, why, what to do."""
        if self.advice:
            return f"Bỏ qua «{self.path}»: {self.what}. {self.advice}"
        return (f"Bỏ qua «{self.path}»: {self.what}, không phải tệp thường nên parxl không đọc. "
                "Nếu đây là tệp đơn vị gửi, hãy chép chính tệp đó vào inbox/ rồi chạy lại.")

    def as_dict(self) -> dict:
        """``{"path", "what", "message"}``."""
        return {"path": self.path, "what": self.what, "message": self.message}


def odd_entry(path: Path) -> str | None:
    """What ``path`` is in Vietnamese when it is not a regular file (nor a link to one); None when it is.

    Looks with ``lstat``/``stat`` only: never opens the file. Never raises.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return "không đọc được thông tin tệp"
    link = stat_mode.S_ISLNK(st.st_mode)
    if link:
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        try:
            st = os.stat(path)
        except OSError:
            return f"liên kết hỏng (trỏ tới «{target}», không tồn tại)"
    mode = st.st_mode
    if stat_mode.S_ISREG(mode):
        return None
    what = ("thư mục" if stat_mode.S_ISDIR(mode) else "ống dẫn (FIFO)" if stat_mode.S_ISFIFO(mode)
            else "socket" if stat_mode.S_ISSOCK(mode)
            else "thiết bị" if stat_mode.S_ISBLK(mode) or stat_mode.S_ISCHR(mode) else "tệp đặc biệt")
    return f"liên kết tới {what}" if link else what


def _skipped(name: str) -> bool:
    return name.startswith(("~$", ".")) or name.lower() in SKIPPED_NAMES


def _suffix(name: str) -> str:
    """``PurePosixPath(name).suffix`` for a file name (no folder), without making a path (many files)."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _kind_of(name: str) -> str:
    return "evidence" if _suffix(name.lower()) in EVIDENCE_SUFFIXES else "workbook"


def _read_all(path: Path, size: int) -> bytes:
    """The bytes of the regular file ``path`` to its end (``Path.read_bytes``), ``size`` (its ``st_size``)
    read in one call when it has not grown. Raises ``OSError``."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data  # a short read of a regular file: its end
        chunks = [data]
        while True:
            more = os.read(fd, 1 << 20)
            if not more:
                return b"".join(chunks)
            chunks.append(more)
    finally:
        os.close(fd)


def scan_inbox(campaign: Campaign, ledger: Ledger, skipped: list[SkippedEntry] | None = None) -> list[InboxFile]:
    """Every file under inbox/ (and in zips there), kept in the ledger's store; nothing in inbox/ changes.

    Never raises for one file: a file whose handling fails on parxl's side is
    kept and comes back as one receipt whose report is an ``InternalErrorReport``.
    What is not a regular file (dangling link, FIFO, socket, device, link to a
    folder) is never opened: it is appended to ``skipped`` (when given) instead, as is a file whose path is
    not valid UTF-8 (bytes of another code page: it could be neither recorded nor shown), a file parxl may
    not read (``PermissionError``) and a folder parxl may not list (its path ends with «/»).
    Raises ``OutputWriteError`` when the state folder cannot be written.
    """
    inbox, root = campaign.inbox_dir, campaign.root
    out: list[InboxFile] = []
    if not inbox.is_dir():
        return out
    seen = ScanCache(campaign, ledger)

    def refused(folder: str) -> None:  # its files cannot even be listed: the clerk's to fix, said out loud
        if skipped is not None:
            skipped.append(refused_folder(Path(folder).relative_to(root).as_posix() + "/"))
    for folder, dirs, files in _walk(str(inbox), refused):
        here = Path(folder)
        linked = sorted(d for d in dirs if not d.startswith(".") and os.path.islink(here / d))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in linked)
        names = sorted(f for f in files if not _skipped(f))
        base = here.relative_to(root).as_posix()  # once per folder, not per file
        for name in sorted(linked + names):
            path = os.path.join(folder, name)  # a Path is made only for a file read afresh (10,000 a run)
            rel = f"{base}/{name}"
            if not _utf8(rel):  # bytes the system does not decode: shown, recorded and linked nowhere as they are
                if skipped is not None:
                    skipped.append(SkippedEntry(_shown(rel), *BAD_NAME))
                continue
            odd = None if _regular(files.get(name)) else odd_entry(Path(path))
            if odd is not None:  # never opened: a FIFO would block, a dangling link has nothing to keep
                if skipped is not None:
                    skipped.append(SkippedEntry(rel, odd))
                continue
            kept: list[InboxFile] = []
            try:
                stat = os.stat(path)
                again = seen.get(rel, stat, here)
                if again is not None:  # kept already, unchanged since: not read, hashed nor copied again
                    out.extend(again)
                    continue
                _scan_one(campaign, ledger, Path(path), rel, name, here, kept, stat)
                seen.note(rel, stat, kept)
            except OutputWriteError:  # the state folder cannot be written: nothing can go on
                raise
            except PermissionError as exc:
                if kept or exc.filename is None or os.fspath(exc.filename) != os.fspath(path):
                    out.extend(kept)
                    out.append(_scan_failure(campaign, ledger, Path(path), rel, name, here, kept, exc))
                    continue
                if skipped is not None:  # the file itself cannot be read: the clerk's to fix, not parxl's error
                    skipped.append(SkippedEntry(rel, *NOT_READABLE))
                continue
            except Exception as exc:  # parxl's own failure on this file: log it, keep the file, go on
                out.extend(kept)
                out.append(_scan_failure(campaign, ledger, Path(path), rel, name, here, kept, exc))
                continue
            out.extend(kept)
    ledger.commit()
    seen.save()
    return out


# Why a regular file of inbox/ is not taken, and what the clerk does: (what, advice) of its ``SkippedEntry``
BAD_NAME = ("tên tệp (hoặc thư mục) có ký tự không đọc được", "Hãy đổi tên cho đúng tiếng Việt có dấu rồi chạy lại.")
NOT_READABLE = ("không có quyền đọc tệp", "Hãy cho phép đọc tệp (hoặc chép lại tệp vào inbox/) rồi chạy lại.")
FOLDER_NOT_READABLE = ("không có quyền mở thư mục nên parxl không thấy các tệp trong đó",
                       "Hãy cho phép đọc thư mục (hoặc chép các tệp trong đó vào inbox/) rồi chạy lại.")
INBOX_NOT_READABLE = (FOLDER_NOT_READABLE[0], "Hãy cho phép đọc thư mục inbox/ rồi chạy lại.")


def refused_folder(rel: str) -> SkippedEntry:
    """The ``SkippedEntry`` of a folder under inbox/ (``rel``: its path from the campaign folder, ending with «/»,
    as the system gave it) that parxl may not list."""
    if not _utf8(rel):
        return SkippedEntry(_shown(rel), *BAD_NAME)
    return SkippedEntry(rel, *(INBOX_NOT_READABLE if rel.rstrip("/") == "inbox" else FOLDER_NOT_READABLE))


def untaken(path: Path, rel: str) -> SkippedEntry | None:
    """Why ``scan_inbox`` does not take the regular file ``path`` (``rel``: its path from the campaign folder, as
    the system gave it), as the ``SkippedEntry`` it gives; None when it takes it. Opens the file to learn
    whether it may be read (``open`` then ``close``, nothing read). A ``rel`` ending with «/» is a folder parxl
    may not list (``refused_folder``). Never raises."""
    if rel.endswith("/"):
        return refused_folder(rel)
    if not _utf8(rel):
        return SkippedEntry(_shown(rel), *BAD_NAME)
    try:
        os.close(os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0)))
    except PermissionError:
        return SkippedEntry(rel, *NOT_READABLE)
    except OSError:
        pass
    return None


def shown_path(text: str) -> str:
    """A path as the system gave it, fit for a message or JSON: bytes that are not UTF-8 shown as «�»."""
    return text if _utf8(text) else _shown(text)


def _utf8(text: str) -> bool:
    """Whether ``text`` (a path as the system gave it) is valid Unicode: not when a name held bytes that are not
    UTF-8 (Python keeps them as lone surrogates, which no file, database or console can write)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(text: str) -> str:
    """``text`` with its undecodable bytes shown as «�» (for a message)."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return text.encode("utf-8", "replace").decode("utf-8")


def _walk(top: str, refused: Callable[[str], None] | None = None):
    """``os.walk(top)`` (top-down, links to folders listed among the folders but not entered), each folder's
    files given as a dict name -> ``os.DirEntry`` rather than a list of names: the entry tells a regular file
    without a ``stat`` (``_regular``). Yields (folder, folder names, files); the caller may change the folder
    names in place to choose where the walk goes next. A folder that cannot be listed is passed over, and
    given to ``refused`` when it is for want of permission."""
    dirs: list[str] = []
    files: dict[str, os.DirEntry] = {}
    try:
        with os.scandir(top) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    dirs.append(entry.name)
                else:
                    files[entry.name] = entry
    except PermissionError:
        if refused is not None:
            refused(top)
        return
    except OSError:  # gone meanwhile, or not a folder any more
        return
    yield top, dirs, files
    for name in dirs:
        path = os.path.join(top, name)
        if not os.path.islink(path):
            yield from _walk(path, refused)


def _regular(entry: os.DirEntry | None) -> bool:
    """Whether ``entry`` is a regular file itself (not a link), known from the folder's listing when the
    file system gives the kind (else one ``lstat``); False when unknown: ``odd_entry`` then looks."""
    if entry is None:
        return False
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


SCAN_FILE = "inbox-scan.json"
SCAN_FORMAT = "1"
RACY_NS = 2_000_000_000  # a file changed less than this before the scan is not noted (read again next time)


class ScanCache:
    """What each file of inbox/ gave when it was last kept: path -> its stat signature (size,
    modification time, inode, change time, all in ns) and its receipts (``InboxFile`` fields).

    Kept in ``.parxl/inbox-scan.json`` (deleting it only costs time). ``get`` gives the receipts
    again only when the file's signature is unchanged and the ledger still holds each receipt;
    ``hashed`` counts the files ``note``d (read and hashed) in this scan. Never raises for a
    damaged or unwritable note: it is ignored (read afresh) or not saved.
    """

    def __init__(self, campaign: Campaign, ledger: Ledger):
        self.path = campaign.state_dir / SCAN_FILE
        self.ledger = ledger
        self.header = [SCAN_FORMAT, __version__, str(campaign.root), time.timezone, time.altzone,
                       time.daylight, list(time.tzname)]
        self.old: dict[str, list] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("header") == self.header and isinstance(data.get("files"), dict):
                self.old = data["files"]
        except (OSError, ValueError):
            pass
        self.new: dict[str, list] = {}
        self.hashed = 0
        self._receipts: set[tuple[str, str]] | None = None
        self._stored: dict[str, str] = {}

    @staticmethod
    def signature(stat: os.stat_result) -> list[int]:
        """``[size, mtime_ns, inode, ctime_ns]``: what changes when a file is written, replaced or touched."""
        return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]

    def _load_ledger(self) -> None:
        db = self.ledger.db
        self._receipts = set(db.execute("SELECT sha256, original_path FROM receipts"))
        self._stored = dict(db.execute("SELECT sha256, stored FROM files"))

    def get(self, rel: str, stat: os.stat_result, here: Path) -> list[InboxFile] | None:
        """The receipts ``rel`` (relative to the campaign) gave last time, when its signature and the
        ledger say nothing changed; else None (read it afresh)."""
        entry = self.old.get(rel)
        if not entry or entry[0] != self.signature(stat):
            return None
        if self._receipts is None:
            self._load_ledger()
        out = []
        for path, sha, when, kind, siblings, beside in entry[1]:
            if (sha, path) not in self._receipts or sha not in self._stored:  # type: ignore[operator]
                return None
            out.append(InboxFile(path, sha, when, kind, None if siblings is None else frozenset(siblings),
                                 here if beside else None, stored=self.ledger.kept_path(self._stored[sha])))
        self.new[rel] = entry
        return out

    def note(self, rel: str, stat: os.stat_result, kept: list[InboxFile]) -> None:
        """Remember the receipts ``rel`` just gave (not when one of them carries a verdict: read again)."""
        self.hashed += 1
        if any(r.report is not None or not r.sha256 or r.stored is None for r in kept):
            return
        if time.time_ns() - stat.st_mtime_ns < RACY_NS:
            return  # written a moment ago: a change within the same clock tick would keep its signature
        self.new[rel] = [self.signature(stat), [
            [r.path, r.sha256, r.received_at, r.kind, None if r.siblings is None else sorted(r.siblings),
             r.folder is not None] for r in kept]]

    def save(self) -> None:
        """Write the note of this scan (atomically) when it differs from the last; a failure costs only time."""
        if self.new == self.old:
            return
        try:
            write_atomic(self.path, json.dumps({"header": self.header, "files": self.new},
                                               ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass


_FOLDER_DATE = (re.compile(r"(?<!\d)(?P<y>\d{4})[-._](?P<m>\d{1,2})[-._](?P<d>\d{1,2})(?!\d)"),
                re.compile(r"(?<!\d)(?P<d>\d{1,2})[-._](?P<m>\d{1,2})[-._](?P<y>\d{4})(?!\d)"))


def folder_date(rel: str) -> dt.date | None:
    """The date named by the innermost folder of ``rel`` (a path relative to the campaign, «inbox/2026-01-09/a.xlsx»)
    that names one: «2026-01-09», «09-01-2026», «09.01.2026», «2026_01_09»; None when no folder does (an
    impossible date names none). The file's own name is not read."""
    folders = rel.replace("\\", "/").split("!/")[0].split("/")[1:-1]
    for folder in reversed(folders):
        for pattern in _FOLDER_DATE:
            m = pattern.search(folder)
            if m:
                try:
                    return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
                except ValueError:
                    continue
    return None


def receipt_time(rel: str, mtime: float) -> str:
    """When a file of inbox/ was received (ISO 8601 UTC): its modification time ``mtime`` (POSIX seconds), unless
    a folder it lies in names another day (``folder_date``, clerks file by day: «inbox/2026-01-09/»): then noon,
    local time, of that day. Never raises for a date the platform can represent."""
    day = folder_date(rel)
    if day is None:
        return utc_iso(mtime)
    modified = dt.datetime.fromtimestamp(mtime)
    if modified.date() == day:
        return utc_iso(mtime)
    return utc_iso(dt.datetime.combine(day, dt.time(12)).astimezone())


def _scan_one(campaign: Campaign, ledger: Ledger, path: Path, rel: str, name: str, here: Path, out: list[InboxFile],
              stat: os.stat_result | None = None) -> None:
    """Keep one file of inbox/ (then, for a plain zip, each of its members), appending receipts to ``out``;
    ``stat`` is the file's, taken just before (else taken here)."""
    if stat is None:
        stat = path.stat()
    when = receipt_time(rel, stat.st_mtime)
    if stat.st_size > MAX_FILE_BYTES:  # kept, never loaded: the reader will say it is too large
        rec = InboxFile(rel, file_sha256(path), when, _kind_of(name), None, here)
        rec.stored, _ = ledger.keep(rec.sha256, path, rel, when, rec.kind, path.suffix.lower()[:10])
        out.append(rec)
        return
    data = _read_all(path, stat.st_size)
    sha = hashlib.sha256(data).hexdigest()
    archive = _is_archive(data)  # from the zip's directory only; never raises
    out.append(_keep(ledger, InboxFile(rel, sha, when, "archive" if archive else _kind_of(name), None, here),
                     data, _suffix(name)))
    if archive:
        out.extend(_members(ledger, rel, data, when, campaign))


def _scan_failure(campaign: Campaign, ledger: Ledger, path: Path, rel: str, name: str, here: Path,
                  kept: list[InboxFile], exc: Exception) -> InboxFile:
    """The receipt of a file parxl failed on while keeping or unpacking it (kept now if it was not yet)."""
    sha, size, when = "", 0, ""
    try:
        sha, size, when = file_sha256(path), path.stat().st_size, receipt_time(rel, path.stat().st_mtime)
        if not any(r.path == rel for r in kept):
            ledger.keep(sha, path, rel, when, _kind_of(name), path.suffix.lower()[:10])
    except Exception:  # noqa: BLE001 - the first error is the one to report
        pass
    report = internal_report(rel, sha, size, exc, campaign.state_dir, unit_named_in(campaign, rel))
    return InboxFile(rel + "!/" if kept else rel, sha, when, INTERNAL, None, here, report=report)


def _keep(ledger: Ledger, rec: InboxFile, data: bytes, suffix: str) -> InboxFile:
    rec.stored, _ = ledger.keep(rec.sha256, data, rec.path, rec.received_at, rec.kind, suffix.lower()[:10])
    return rec


def _is_archive(data: bytes) -> bool:
    """A plain zip (not an xlsx, not an ods) sent with a workbook and its evidence.

    A zip whose directory cannot be read is no archive: it goes to the reader,
    whose verdict on it (a finding) is the one the unit gets.
    """
    try:
        if sniff(data).kind != "zip":
            return False
        if _lists_content_types(data):  # an xlsx, told from its directory's bytes (most files: no ZipFile)
            return False
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
        if "[Content_Types].xml" in names:  # an xlsx: its directory read once
            return False
        return not is_ods(data)
    except ZIP_ERRORS:
        return False


_EOCD = struct.Struct("<4s4H2LH")  # end of central directory: signature, disks, entries, size, offset, comment
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # one central directory header (46 bytes), then name, extra, comment
_CONTENT_TYPES = b"[Content_Types].xml"


def _lists_content_types(data: bytes) -> bool:
    """Whether the zip ``data``'s central directory, read straight from its bytes, names a member
    «[Content_Types].xml» (at the top): then it is an xlsx (not a plain zip), whatever ZipFile would
    make of the rest. False when the directory is not the plain kind this reads (a comment after it,
    zip64, bytes before the zip, a damaged header): the caller then asks ZipFile. Never raises."""
    if len(data) < _EOCD.size:
        return False
    sig, _, _, _, count, size, offset, comment = _EOCD.unpack_from(data, len(data) - _EOCD.size)
    if sig != b"PK\x05\x06" or comment or offset + size != len(data) - _EOCD.size:
        return False
    pos = offset
    for _ in range(count):
        if pos + _CENTRAL.size > offset + size:
            return False
        head = _CENTRAL.unpack_from(data, pos)
        if head[0] != b"PK\x01\x02":
            return False
        name_len, extra_len, comment_len = head[10], head[11], head[12]
        start = pos + _CENTRAL.size
        if data[start:start + name_len] == _CONTENT_TYPES:
            return True
        pos = start + name_len + extra_len + comment_len
    return False


def _members(ledger: Ledger, rel: str, data: bytes, when: str, campaign: Campaign | None = None) -> list[InboxFile]:
    """The files inside an archive; a hostile archive becomes one unreadable 'workbook' receipt."""
    out: list[InboxFile] = []
    try:
        check_size(len(data))
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip(zf)
            infos = [i for i in zf.infolist() if not i.is_dir() and not _skipped(PurePosixPath(i.filename).name)]
            by_folder: dict[str, list[str]] = {}
            for info in infos:
                p = PurePosixPath(_zip_name(info))
                by_folder.setdefault(str(p.parent), []).append(p.name)
            for info in infos:
                p = PurePosixPath(_zip_name(info))
                try:
                    member = zf.read(info)
                except ZIP_ERRORS as exc:  # this member is lost, the others are not
                    out.append(_broken_member(rel, p, data, when, exc, unit_named_in(campaign, f"{rel}!/{p}")))
                    continue
                sha = hashlib.sha256(member).hexdigest()
                siblings = frozenset(n for n in by_folder[str(p.parent)] if n != p.name)
                rec = InboxFile(f"{rel}!/{p}", sha, when, _kind_of(p.name), siblings)
                out.append(_keep(ledger, rec, member, p.suffix))
    except (HostileFile, *ZIP_ERRORS) as exc:
        verdict = exc if isinstance(exc, HostileFile) else HostileFile("file-corrupt", "tệp nén không trọn vẹn")
        out.append(InboxFile(rel + "!/", "", when, "broken-archive", None, report=Report(
            rel, hashlib.sha256(data).hexdigest(), len(data), "unreadable", named_unit=unit_named_in(campaign, rel),
            findings=[make(verdict.code, file=rel, **verdict.params)])))
    if not any(r.kind == "workbook" for r in out) and not any(r.kind == "broken-archive" for r in out):
        out.append(InboxFile(rel + "!/", "", when, "broken-archive", None, report=Report(
            rel, hashlib.sha256(data).hexdigest(), len(data), "unreadable", named_unit=unit_named_in(campaign, rel),
            findings=[make("file-archive-no-workbook", file=rel)])))
    return out


def _broken_member(rel: str, member: PurePosixPath, data: bytes, when: str, exc: BaseException,
                   named_unit: str | None = None) -> InboxFile:
    """A member of a plain zip that cannot be decompressed: an unreadable receipt with a finding on it."""
    why = ("phương thức nén không được hỗ trợ" if isinstance(exc, NotImplementedError)
           else "có mật khẩu" if isinstance(exc, RuntimeError) else "dữ liệu nén bị hỏng")
    path = f"{rel}!/{member}"
    return InboxFile(path, "", when, "broken-archive", None, report=Report(
        path, hashlib.sha256(data).hexdigest(), len(data), "unreadable", named_unit=named_unit,
        findings=[make("file-corrupt", file=path, detail=f"không giải nén được từ tệp nén «{rel}»: {why}")]))


def _zip_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: Windows zips often carry cp437-decoded UTF-8
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return normalize_text(name.lstrip("/").replace("..", "_"))


def unit_named_in(campaign: Campaign | None, name: str) -> str | None:
    """The unit code a received file's path points at, if any (never raises).

    ``name`` is the path shown to the user, relative to the campaign folder
    («inbox/Huyện/X01 - Xã An Sinh.zip!/ho-so/a.xlsx»). Tried innermost first:
    the file's own name, the folders it lies in inside the zip, the zip's name,
    the folders the zip lies in under ``inbox/``; the first that names one unit
    (unambiguously) wins.
    """
    if campaign is None:
        return None
    try:
        for part in _path_parts(name, campaign.inbox_dir.name):
            named = units_named_by(part, campaign.units)
            if named:
                return named[0].code
    except Exception:  # noqa: BLE001 - only a hint for the clerk
        return None
    return None


def _path_parts(name: str, inbox: str) -> list[str]:
    """The names to try for ``unit_named_in``, innermost first; folders get a trailing dot
    so that ``units_named_by`` keeps the whole name (it drops what follows the last dot)."""
    layers = name.replace("\\", "/").split("!/")
    parts: list[str] = []
    for depth, layer in enumerate(reversed(layers)):
        pieces = [p for p in layer.split("/") if p]
        if depth == len(layers) - 1 and pieces and pieces[0] == inbox:
            pieces = pieces[1:]  # the campaign's inbox/ itself names nobody
        for k, piece in enumerate(reversed(pieces)):
            last_file = k == 0  # the innermost piece of each layer is a file (the member, or the zip)
            parts.append(piece if last_file else piece + ".")
    return parts
