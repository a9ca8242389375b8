"""Intake: every file under ``inbox/`` kept, read, validated and recorded in the ledger.

``run_intake(campaign, progress=None) -> IntakeResult`` is what ``parxl check``
runs and what ``parxl consolidate`` may run first:

1. scan ``inbox/`` recursively (any names, sub-folders, re-sent versions);
   a plain ``.zip`` is opened (after the zip-bomb checks) and each workbook in
   it is a received file whose siblings are the other files of the zip; files
   that are evidence (PDF, Word, images…) are kept but not validated; Excel's
   lock files (``~$…``) and hidden files are skipped;
2. keep each content once in the state folder, by sha256, with each receipt
   (original path, modification time); nothing in ``inbox/`` is changed;
3. read and validate the workbooks in a pool of two worker processes
   (``read_submission`` then ``validate``), each content once;
4. record every report in the ledger (round ``self``) and mark units that
   swapped files.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .campaign import Campaign, load_campaign
from .findings import make
from .ledger import Ledger, UnitSubmission
from .safety import MAX_FILE_BYTES, HostileFile, check_size, check_zip, sniff
from .submission import expected_max_row, file_sha256, read_submission
from .submission_ods import is_ods
from .texts import normalize_text
from .validation import Report, mark_swapped, validate

Progress = Callable[[int, int, str], None]  # (done, total, current file)

WORKERS = 2
EVIDENCE_SUFFIXES = {".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".jpg", ".jpeg", ".png", ".gif", ".tif",
                     ".tiff", ".bmp", ".heic", ".ppt", ".pptx", ".mp4", ".rar", ".7z"}
SKIPPED_NAMES = {"thumbs.db", "desktop.ini"}


@dataclass
class Received:
    path: str                 # relative to the campaign folder, "inbox/a.zip!/X01.xlsx" inside a zip
    sha256: str
    received_at: str          # ISO 8601 UTC modification time of the file in inbox/
    kind: str                 # workbook, evidence, archive
    siblings: frozenset[str] | None  # names of the other files beside it in a zip
    folder: Path | None = None        # the inbox folder it lies in (files beside it looked up on demand)
    stored: Path | None = None
    report: Report | None = None
    duplicate_of: str | None = None  # path of the first receipt of the same content in this run


@dataclass
class IntakeResult:
    files: list[Received] = field(default_factory=list)
    reports: dict[str, Report] = field(default_factory=dict)  # sha256 -> report (each content once)
    latest: list[UnitSubmission] = field(default_factory=list)  # per unit, from the ledger
    missing: list[str] = field(default_factory=list)           # codes of units that sent nothing readable


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _skipped(name: str) -> bool:
    return name.startswith(("~$", ".")) or name.lower() in SKIPPED_NAMES


def _kind_of(name: str) -> str:
    return "evidence" if PurePosixPath(name.lower()).suffix in EVIDENCE_SUFFIXES else "workbook"


def scan_inbox(campaign: Campaign, ledger: Ledger) -> list[Received]:
    """Every file under inbox/ (and in zips there), kept in the ledger's store; nothing in inbox/ changes."""
    inbox, root = campaign.inbox_dir, campaign.root
    out: list[Received] = []
    if not inbox.is_dir():
        return out
    for folder, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        names = sorted(f for f in files if not _skipped(f))
        for name in names:
            path = here / name
            rel = path.relative_to(root).as_posix()
            stat = path.stat()
            when = _iso(stat.st_mtime)
            if stat.st_size > MAX_FILE_BYTES:  # kept, never loaded: the reader will say it is too large
                rec = Received(rel, file_sha256(path), when, _kind_of(name), None, here)
                rec.stored, _ = ledger.keep(rec.sha256, path, rel, when, rec.kind, path.suffix.lower()[:10])
                out.append(rec)
                continue
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            if _is_archive(data):
                out.append(_keep(ledger, Received(rel, sha, when, "archive", None, here), data, path.suffix))
                out.extend(_members(ledger, rel, data, when))
            else:
                out.append(_keep(ledger, Received(rel, sha, when, _kind_of(name), None, here), data, path.suffix))
    ledger.commit()
    return out


def _keep(ledger: Ledger, rec: Received, data: bytes, suffix: str) -> Received:
    rec.stored, _ = ledger.keep(rec.sha256, data, rec.path, rec.received_at, rec.kind, suffix.lower()[:10])
    return rec


def _is_archive(data: bytes) -> bool:
    """A plain zip (not an xlsx, not an ods) sent with a workbook and its evidence."""
    if sniff(data).kind != "zip" or is_ods(data):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" not in names


def _members(ledger: Ledger, rel: str, data: bytes, when: str) -> list[Received]:
    """The files inside an archive; a hostile archive becomes one unreadable 'workbook' receipt."""
    out: list[Received] = []
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
                member = zf.read(info)
                sha = hashlib.sha256(member).hexdigest()
                siblings = frozenset(n for n in by_folder[str(p.parent)] if n != p.name)
                rec = Received(f"{rel}!/{p}", sha, when, _kind_of(p.name), siblings)
                out.append(_keep(ledger, rec, member, p.suffix))
    except (HostileFile, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        code = exc.code if isinstance(exc, HostileFile) else "file-corrupt"
        detail = exc.detail if isinstance(exc, HostileFile) else "tệp nén không trọn vẹn"
        out.append(Received(rel + "!/", "", when, "broken-archive", None, report=Report(
            rel, hashlib.sha256(data).hexdigest(), len(data), "unreadable",
            findings=[make(code, file=rel, detail=detail, limit="")])))
    if not any(r.kind == "workbook" for r in out) and not any(r.kind == "broken-archive" for r in out):
        out.append(Received(rel + "!/", "", when, "broken-archive", None, report=Report(
            rel, hashlib.sha256(data).hexdigest(), len(data), "unreadable",
            findings=[make("file-archive-no-workbook", file=rel)])))
    return out


def _zip_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:  # not flagged UTF-8: Windows zips often carry cp437-decoded UTF-8
        try:
            name = name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return normalize_text(name.lstrip("/").replace("..", "_"))


# Workers ------------------------------------------------------------------------
_campaign: Campaign | None = None
_max_row = 0


def _init_worker(root: str) -> None:
    global _campaign, _max_row
    _campaign = load_campaign(root)
    _max_row = expected_max_row(_campaign.framework)


Job = tuple[str, str, "frozenset[str] | None", "str | None"]  # stored path, display name, siblings, folder


def _check_one(job: Job) -> Report:
    stored, name, siblings, folder = job
    if _campaign is None:  # parxl's own bug (a worker started without _init_worker), never the file's
        raise RuntimeError("Lỗi nội bộ của parxl: tiến trình kiểm tra tệp chưa được khởi tạo.")
    try:
        sub = read_submission(Path(stored), name=name, max_row=_max_row, siblings=siblings, folder=folder)
        return validate(_campaign, sub)
    except Exception as exc:  # one odd file must never stop the batch: say what went wrong, on that file
        data = Path(stored).read_bytes()
        detail = f"lỗi khi đọc: {type(exc).__name__}: {exc}"[:300]
        return Report(name, hashlib.sha256(data).hexdigest(), len(data), "unreadable",
                      findings=[make("file-corrupt", file=name, detail=detail)])


def check_files(campaign: Campaign, jobs: list[Job], progress: Progress | None = None,
                workers: int = WORKERS) -> list[Report]:
    """Read and validate jobs (stored path, display name, siblings, folder) in a pool of worker processes."""
    total = len(jobs)
    if workers <= 1 or total < 4:
        _init_worker(str(campaign.root))
        reports = []
        for i, job in enumerate(jobs, 1):
            reports.append(_check_one(job))
            if progress:
                progress(i, total, job[1])
        return reports
    reports = []
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(str(campaign.root),)) as pool:
        chunk = max(1, min(32, total // (workers * 8)))
        for i, (job, report) in enumerate(zip(jobs, pool.map(_check_one, jobs, chunksize=chunk)), 1):
            reports.append(report)
            if progress:
                progress(i, total, job[1])
    return reports


def run_intake(campaign: Campaign, progress: Progress | None = None, workers: int = WORKERS) -> IntakeResult:
    result = IntakeResult()
    with Ledger.open(campaign) as ledger:
        result.files = scan_inbox(campaign, ledger)
        first: dict[str, Received] = {}
        for rec in result.files:
            if rec.kind != "workbook":
                continue
            if rec.sha256 in first:
                rec.duplicate_of = first[rec.sha256].path
            else:
                first[rec.sha256] = rec
        jobs: list[Job] = [(str(rec.stored), rec.path, rec.siblings, str(rec.folder) if rec.folder else None)
                           for rec in first.values()]
        reports = check_files(campaign, jobs, progress, workers)
        mark_swapped(reports)
        fingerprint = campaign.framework.fingerprint
        for rec, report in zip(first.values(), reports):
            result.reports[rec.sha256] = report
            ledger.record(report, fingerprint)
        ledger.commit()
        for rec in result.files:
            if rec.kind == "workbook":
                rec.report = result.reports[rec.sha256]
        result.latest = ledger.latest_submissions()
    sent = {s.unit_code for s in result.latest}
    result.missing = [u.code for u in campaign.units if u.code not in sent]
    return result
