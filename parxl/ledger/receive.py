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

One file never stops the batch, and every received file is kept before it is
read. What is wrong with a file is a finding on that file: the reader's own
verdict (``HostileFile``), or a plain zip or one of its members that Python's
zipfile cannot open or decompress. Anything else raised while handling a file
is parxl's own error (``internal-error``): its traceback is logged in
``.parxl/errors/`` (``parxl.core.errors.log_internal_error``), the file stays kept,
the unit is not asked to resend, and ``IntakeResult.internal`` lists it.

An internal error is recorded in the ledger as a version of status
``internal-error`` with no findings: it replaces any earlier verdict on the
same content (so no stale "ok" survives a crash), ``latest_submissions``
ignores it (it is not a readable version), and the next run reads the file
again. A unit whose newest file (by unit code inside, else by file name) ended
in an internal error is held out of ``IntakeResult.latest`` (so consolidation
never takes it as ok on an older file) and out of ``missing`` (it did send).

``IntakeResult.returned`` lists the units whose file arrived but none of whose
files reads (``parxl.ledger.returned``): «bị trả lại / không đọc được», or
«parxl lỗi khi đọc» for parxl's own failures; they are never in ``missing``.
"""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..campaign.folder import Campaign, load_campaign
from ..core.errors import internal_error_text, log_internal_error
from ..core.findings import make
from ..core.report import InternalError
from ..core.texts import normalize_text
from ..core.times import utc_iso
from ..intake.checks.identity import units_named_by
from ..intake.submission import expected_max_row, file_sha256, read_submission
from ..intake.validation import Report, mark_swapped, validate
from ..xlsx.ods import is_ods
from ..xlsx.safety import MAX_FILE_BYTES, HostileFile, check_size, check_zip, sniff
from .returned import INTERNAL_REASON, ReturnedFile, returned_files
from .store import Ledger, LedgerSubmission

Progress = Callable[[int, int, str], None]  # (done, total, current file)

WORKERS = 2
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


def _internal_report(name: str, sha256: str, size: int, exc: BaseException, state_dir: Path | None,
                     named_unit: str | None = None, unit_code: str | None = None) -> InternalErrorReport:
    log = log_internal_error(state_dir, exc, context=f"checking {name}", key=sha256 or "archive")
    return InternalErrorReport(name, sha256, size, INTERNAL, unit_code=unit_code,  # type: ignore[arg-type]
                               named_unit=named_unit, log=None if log is None else str(log),
                               context=f"đọc tệp «{name}»")


@dataclass
class InboxFile:
    """One file found under inbox/ (or inside a zip there): where it came from, its kind, and its report."""

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
    """What one intake run found: receipts, one report per content, and per unit its latest readable
    file (``latest``), or its unreadable/parxl-failed file (``returned``), or nothing (``missing``).

    ``parxl check`` turns it into its ``CommandReport`` with
    ``ledger.check_report.check_report``; ``internal_errors()`` is the part of
    that report that is parxl's own failure, whichever command ran the intake.
    """

    files: list[InboxFile] = field(default_factory=list)
    reports: dict[str, Report] = field(default_factory=dict)  # sha256 -> report (each content once)
    latest: list[LedgerSubmission] = field(default_factory=list)  # per unit, from the ledger
    missing: list[str] = field(default_factory=list)           # codes of units that sent nothing readable
    internal: list[InboxFile] = field(default_factory=list)     # files parxl failed on (report: InternalErrorReport)
    held: list[str] = field(default_factory=list)              # units held out of ``latest`` by such a file
    returned: list[ReturnedFile] = field(default_factory=list)  # units whose file arrived but did not read

    def internal_errors(self) -> list[InternalError]:
        """The files parxl itself failed on, in receipt order, as the common report carries them."""
        return [InternalError(path=rec.path, message=getattr(rec.report, "message", ""),
                              log=getattr(rec.report, "log", None), sha256=rec.sha256 or rec.report.sha256,
                              unit=rec.report.unit_code or rec.report.named_unit)
                for rec in self.internal if rec.report is not None]


def _skipped(name: str) -> bool:
    return name.startswith(("~$", ".")) or name.lower() in SKIPPED_NAMES


def _kind_of(name: str) -> str:
    return "evidence" if PurePosixPath(name.lower()).suffix in EVIDENCE_SUFFIXES else "workbook"


def scan_inbox(campaign: Campaign, ledger: Ledger) -> list[InboxFile]:
    """Every file under inbox/ (and in zips there), kept in the ledger's store; nothing in inbox/ changes.

    Never raises for one file: a file whose handling fails on parxl's side is
    kept and comes back as one receipt whose report is an ``InternalErrorReport``.
    """
    inbox, root = campaign.inbox_dir, campaign.root
    out: list[InboxFile] = []
    if not inbox.is_dir():
        return out
    for folder, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        names = sorted(f for f in files if not _skipped(f))
        for name in names:
            path = here / name
            rel = path.relative_to(root).as_posix()
            kept: list[InboxFile] = []
            try:
                _scan_one(campaign, ledger, path, rel, name, here, kept)
            except Exception as exc:  # parxl's own failure on this file: log it, keep the file, go on
                out.extend(kept)
                out.append(_scan_failure(campaign, ledger, path, rel, name, here, kept, exc))
                continue
            out.extend(kept)
    ledger.commit()
    return out


def _scan_one(campaign: Campaign, ledger: Ledger, path: Path, rel: str, name: str, here: Path, out: list[InboxFile]) -> None:
    """Keep one file of inbox/ (then, for a plain zip, each of its members), appending receipts to ``out``."""
    stat = path.stat()
    when = utc_iso(stat.st_mtime)
    if stat.st_size > MAX_FILE_BYTES:  # kept, never loaded: the reader will say it is too large
        rec = InboxFile(rel, file_sha256(path), when, _kind_of(name), None, here)
        rec.stored, _ = ledger.keep(rec.sha256, path, rel, when, rec.kind, path.suffix.lower()[:10])
        out.append(rec)
        return
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    archive = _is_archive(data)  # from the zip's directory only; never raises
    out.append(_keep(ledger, InboxFile(rel, sha, when, "archive" if archive else _kind_of(name), None, here),
                     data, path.suffix))
    if archive:
        out.extend(_members(ledger, rel, data, when, campaign))


def _scan_failure(campaign: Campaign, ledger: Ledger, path: Path, rel: str, name: str, here: Path,
                  kept: list[InboxFile], exc: Exception) -> InboxFile:
    """The receipt of a file parxl failed on while keeping or unpacking it (kept now if it was not yet)."""
    sha, size, when = "", 0, ""
    try:
        sha, size, when = file_sha256(path), path.stat().st_size, utc_iso(path.stat().st_mtime)
        if not any(r.path == rel for r in kept):
            ledger.keep(sha, path, rel, when, _kind_of(name), path.suffix.lower()[:10])
    except Exception:  # noqa: BLE001 - the first error is the one to report
        pass
    named = units_named_by(name, campaign.units)
    report = _internal_report(rel, sha, size, exc, campaign.state_dir, named[0].code if named else None)
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
        if sniff(data).kind != "zip" or is_ods(data):
            return False
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except ZIP_ERRORS:
        return False
    return "[Content_Types].xml" not in names


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
                    out.append(_broken_member(rel, p, data, when, exc, _named(campaign, p.name)))
                    continue
                sha = hashlib.sha256(member).hexdigest()
                siblings = frozenset(n for n in by_folder[str(p.parent)] if n != p.name)
                rec = InboxFile(f"{rel}!/{p}", sha, when, _kind_of(p.name), siblings)
                out.append(_keep(ledger, rec, member, p.suffix))
    except (HostileFile, *ZIP_ERRORS) as exc:
        code = exc.code if isinstance(exc, HostileFile) else "file-corrupt"
        detail = exc.detail if isinstance(exc, HostileFile) else "tệp nén không trọn vẹn"
        out.append(InboxFile(rel + "!/", "", when, "broken-archive", None, report=Report(
            rel, hashlib.sha256(data).hexdigest(), len(data), "unreadable",
            findings=[make(code, file=rel, detail=detail, limit="")])))
    if not any(r.kind == "workbook" for r in out) and not any(r.kind == "broken-archive" for r in out):
        out.append(InboxFile(rel + "!/", "", when, "broken-archive", None, report=Report(
            rel, hashlib.sha256(data).hexdigest(), len(data), "unreadable",
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


# Workers ------------------------------------------------------------------------
_campaign: Campaign | None = None
_max_row = 0


def _init_worker(root: str) -> None:
    global _campaign, _max_row
    _campaign = load_campaign(root)
    _max_row = expected_max_row(_campaign.framework)


Job = tuple[str, str, "frozenset[str] | None", "str | None"]  # stored path, display name, siblings, folder


def _check_one(job: Job) -> Report:
    """Read and validate one kept file; parxl's own failure gives an ``InternalErrorReport`` (logged)."""
    stored, name, siblings, folder = job
    campaign = _campaign
    try:
        if campaign is None:
            raise RuntimeError("worker not initialised")
        sub = read_submission(Path(stored), name=name, max_row=_max_row, siblings=siblings, folder=folder)
        return validate(campaign, sub)
    except HostileFile as exc:  # the reader's verdict on the file, wherever it was raised
        sha, size = _hash_of(stored)
        return Report(name, sha, size, "unreadable", named_unit=_named(campaign, name),
                      findings=[make(exc.code, file=name, detail=exc.detail, limit="")])
    except Exception as exc:  # parxl's own bug: log it; the unit is not told to resend
        sha, size = _hash_of(stored)
        return _internal_report(name, sha, size, exc, campaign.state_dir if campaign else None,
                                _named(campaign, name))


def _hash_of(stored: str) -> tuple[str, int]:
    try:
        return file_sha256(Path(stored)), Path(stored).stat().st_size
    except OSError:
        return "", 0


def _named(campaign: Campaign | None, name: str) -> str | None:
    """The unit code a received file's name points at, if any (never raises)."""
    try:
        named = units_named_by(PurePosixPath(name).name, campaign.units) if campaign else []
    except Exception:  # noqa: BLE001 - only a hint for the clerk
        return None
    return named[0].code if named else None


def check_files(campaign: Campaign, jobs: list[Job], progress: Progress | None = None,
                workers: int = WORKERS) -> list[Report]:
    """Read and validate jobs (stored path, display name, siblings, folder) in a pool of worker processes.

    One report per job, in order; parxl's own failure on a file gives an
    ``InternalErrorReport`` (status ``internal-error``, traceback logged) in its place.
    """
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
    """Keep, read, validate and record every file under inbox/ (see the module doc).

    Never raises for a file: parxl's own failures are in ``result.internal``
    (each with its ``InternalErrorReport``: log path, Vietnamese message).
    """
    result = IntakeResult()
    with Ledger.open(campaign) as ledger:
        result.files = scan_inbox(campaign, ledger)
        first: dict[str, InboxFile] = {}
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
        mark_swapped([r for r in reports if r.status != INTERNAL])
        fingerprint = campaign.framework.fingerprint
        for rec, report in zip(first.values(), reports):
            result.reports[rec.sha256] = report
            ledger.record(report, fingerprint)  # an internal error replaces any earlier verdict on the content
        for rec in result.files:  # an undecompressable member of a plain zip, named after a unit: its verdict
            if rec.kind == "broken-archive" and rec.report is not None and rec.report.named_unit:
                ledger.record(rec.report, fingerprint)  # (under the zip's content) so the unit is not «chưa gửi»
        ledger.commit()
        for rec in result.files:
            if rec.kind == "workbook":
                rec.report = result.reports[rec.sha256]
        result.internal = [r for r in result.files
                           if r.report is not None and r.report.status == INTERNAL and not r.duplicate_of]
        result.latest = ledger.latest_submissions()
        result.held = _held_units(result)
        result.latest = [s for s in result.latest if s.unit_code not in result.held]
        codes = [u.code for u in campaign.units]
        result.returned = returned_files(ledger, codes, {s.unit_code for s in result.latest})
    result.returned += _unrecorded_internal(result, {r.unit_code for r in result.returned})
    sent = {s.unit_code for s in result.latest} | set(result.held) | {r.unit_code for r in result.returned}
    result.missing = [code for code in codes if code not in sent]
    return result


def _unrecorded_internal(result: IntakeResult, known: set[str]) -> list[ReturnedFile]:
    """Held units whose failing file is not in the ledger (parxl failed while keeping it): from this run."""
    out = []
    for rec in result.internal:
        report = rec.report
        code = (report.unit_code or report.named_unit) if report else None
        if code and code in result.held and code not in known:
            out.append(ReturnedFile(code, rec.path, rec.sha256, rec.received_at, "internal", INTERNAL_REASON, "",
                                    by_name=report.unit_code is None))  # type: ignore[union-attr]
            known.add(code)
    return out


def _held_units(result: IntakeResult) -> list[str]:
    """Units whose newest file parxl failed on: by the code inside if known, else by the file's name."""
    latest = {s.unit_code: s.received_at for s in result.latest}
    held: list[str] = []
    for rec in result.internal:
        report = rec.report
        code = report.unit_code or report.named_unit if report else None
        if code and code not in held and not (code in latest and latest[code] > rec.received_at):
            held.append(code)
    return held
