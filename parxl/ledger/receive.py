"""Intake: every file under ``inbox/`` kept, read, validated and recorded in the ledger.

``run_intake(campaign, progress=None) -> IntakeResult`` is what ``parxl check``
runs and what ``parxl consolidate`` may run first:

1. scan ``inbox/`` recursively (any names, sub-folders, re-sent versions;
   ``parxl.ledger.inbox.scan_inbox``);
   a plain ``.zip`` is opened (after the zip-bomb checks) and each workbook in
   it is a received file whose siblings are the other files of the zip; files
   that are evidence (PDF, Word, images…) are kept but not validated; Excel's
   lock files (``~$…``) and hidden files are skipped;
2. keep each content once in the state folder, by sha256, with each receipt
   (original path, modification time); nothing in ``inbox/`` is changed;
3. read and validate the workbooks in a pool of two worker processes
   (``read_submission`` then ``validate``), each content once; a workbook whose
   sheets say it is another kind of parxl workbook (a giải trình workbook,
   ``parxl.intake.kinds``) is told so by the worker that read it and handed on
   (``IntakeResult.others``), unless the ledger holds its content as a
   self-assessment already;
4. record every report in the ledger (round ``self``) in batches as they arrive,
   and mark units that swapped files. Once a report is recorded and cached its
   items are read back from the validation cache when asked (the intake holds
   no report's items: 10,000 units stay within memory).

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

from concurrent.futures import TimeoutError as FutureTimeout
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..campaign.folder import Campaign, load_campaign
from ..core.findings import make
from ..core.numbers import vi_number
from ..core.progress import Progress
from ..core.report import InternalError
from ..core.workers import stop_pool, worker_pool
from ..intake.blocks import criteria_fingerprint, validate_in_block
from ..intake.kinds import other_kind
from ..intake.cache import CachedReport, ValidationCache, entry_key, pack_items, verdict_mark
from ..intake.submission import expected_max_row, file_sha256, read_submission
from ..intake.validation import Report, mark_swapped, validate
from ..xlsx.safety import READ_SECONDS, HostileFile, time_bound
from .inbox import INTERNAL, InboxFile, InternalErrorReport, SkippedEntry, internal_report, scan_inbox, unit_named_in
from .returned import INTERNAL_REASON, ReturnedFile, returned_files
from .store import Ledger, LedgerSubmission, item_rows

__all__ = ["run_intake", "check_files", "IntakeResult", "InboxFile", "InternalErrorReport", "INTERNAL", "WORKERS",
           "scan_inbox", "SkippedEntry"]

WORKERS = 2


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
    skipped: list[SkippedEntry] = field(default_factory=list)    # what in inbox/ is no regular file (not opened)
    others: list[InboxFile] = field(default_factory=list)  # parxl's other workbook kinds (kind: "explanation"…)
    revalidated: list[str] = field(default_factory=list)  # display names of the contents read afresh (not cached)
    # byte-identical copies of one unit's file under the name of a unit of another block: (receipt, named code)
    misfiled: list[tuple[InboxFile, str]] = field(default_factory=list)

    def internal_errors(self) -> list[InternalError]:
        """The files parxl itself failed on, in receipt order, as the common report carries them."""
        return [InternalError(path=rec.path, message=getattr(rec.report, "message", ""),
                              log=getattr(rec.report, "log", None), sha256=rec.sha256 or rec.report.sha256,
                              unit=rec.report.unit_code or rec.report.named_unit)
                for rec in self.internal if rec.report is not None]


# Workers ------------------------------------------------------------------------
_campaign: Campaign | None = None
_max_row = 0
_known: frozenset[str] = frozenset()  # contents the ledger holds as self-assessments: never another kind here


def _init_worker(root: str, known: frozenset[str] = frozenset()) -> None:
    global _campaign, _max_row, _known
    _campaign = load_campaign(root)
    _max_row = max(expected_max_row(b.framework) for b in _campaign.blocks)
    _known = known


OTHER = "other-kind"  # the status of a worker's answer on another kind of parxl workbook (never recorded)


def _other_kind_of_read(sub) -> str | None:
    """The kind of a read workbook when its sheets say it is not a self-assessment (``other_kind``), from the
    sheets the reader listed; None for a file that did not open or came from an .ods."""
    if not sub.sheets or any(note == "file-ods-converted" for note, _ in sub.notes):
        return None
    return other_kind([s.name for s in sub.sheets])


Job = tuple[str, str, "frozenset[str] | None", "str | None"]  # stored path, display name, siblings, folder


def _check_one(job: Job) -> Report:
    """Read and validate one kept file; parxl's own failure gives an ``InternalErrorReport`` (logged)."""
    stored, name, siblings, folder = job
    campaign = _campaign
    try:
        if campaign is None:
            raise RuntimeError("worker not initialised")
        with time_bound():  # a file that makes the reader run past READ_SECONDS is stopped: «file-too-slow»
            sub = read_submission(Path(stored), name=name, max_row=_max_row, siblings=siblings, folder=folder)
            kind = _other_kind_of_read(sub)
            if kind is not None and sub.sha256 not in _known:  # its own stage reads it (parxl check)
                report = Report(name, sub.sha256, sub.size, OTHER)  # type: ignore[arg-type]
                report.other_kind = kind  # type: ignore[attr-defined]
                return report
            if campaign.has_blocks:  # against the unit's own block's criteria set
                report = validate_in_block(campaign, sub)
            else:
                report = validate(campaign, sub)
        # the ledger's rows and the cache's text of the items are made here, beside the other workers' work;
        # the parent never rebuilds the items as objects
        report.item_rows = item_rows(report)  # type: ignore[attr-defined]
        pack_items(report)
        return report
    except HostileFile as exc:  # the reader's verdict on the file, wherever it was raised
        sha, size = _hash_of(stored)
        return Report(name, sha, size, "unreadable", named_unit=unit_named_in(campaign, name),
                      findings=[make(exc.code, file=name, **exc.params)])
    except Exception as exc:  # parxl's own bug: log it; the unit is not told to resend
        sha, size = _hash_of(stored)
        return internal_report(name, sha, size, exc, campaign.state_dir if campaign else None,
                                unit_named_in(campaign, name))


def _hash_of(stored: str) -> tuple[str, int]:
    try:
        return file_sha256(Path(stored)), Path(stored).stat().st_size
    except OSError:
        return "", 0


def check_files(campaign: Campaign, jobs: list[Job], progress: Progress | None = None,
                workers: int = WORKERS, arrived: Callable[[int, Report], None] | None = None,
                known: frozenset[str] = frozenset()) -> list[Report]:
    """Read and validate jobs (stored path, display name, siblings, folder) in a pool of worker processes.

    One report per job, in order; parxl's own failure on a file gives an
    ``InternalErrorReport`` (status ``internal-error``, traceback logged) in its place; a workbook whose
    sheets say it is another kind of parxl workbook (``intake.kinds``, a giải trình workbook) gives a
    report of status ``OTHER`` carrying ``other_kind`` (not validated), unless its sha256 is in ``known``
    (contents the ledger holds as self-assessments: validated as such).
    ``arrived(index, report)`` is called once per job as its report comes in (this process's own work on
    it then overlaps the workers' reading of the next files).
    """
    total = len(jobs)
    if not jobs:
        return []
    if workers <= 1 or total < 4:
        _init_worker(str(campaign.root), known)
        reports = []
        for i, job in enumerate(jobs, 1):
            reports.append(_check_one(job))
            if arrived:
                arrived(i - 1, reports[-1])
            if progress:
                progress(i, total, job[1])
        return reports
    reports: dict[int, Report] = {}
    todo = list(range(total))
    size = chunk_size(total, workers)
    while todo:
        # Ctrl+C, a broken pool or an error here (the caller's ``arrived``) stops the workers at once
        with worker_pool(workers, _init_worker, (str(campaign.root), known)) as pool:
            chunks = [todo[k:k + size] for k in range(0, len(todo), size)]
            futures = [pool.submit(_check_chunk, [jobs[i] for i in chunk]) for chunk in chunks]
            stuck = None
            for chunk, future in zip(chunks, futures):
                try:
                    got = future.result(timeout=HARD_SECONDS * len(chunk))
                except FutureTimeout:  # the worker is stuck past the reader's own bound (in C code): stop it
                    stuck = chunk
                    break
                for i, report in zip(chunk, got):
                    reports[i] = report
                    if arrived:
                        arrived(i, report)
                    if progress:
                        progress(len(reports), total, jobs[i][1])
            if stuck is not None:
                for chunk, future in zip(chunks, futures):  # what finished meanwhile is kept; the rest is read again
                    if chunk is not stuck and chunk[0] not in reports and future.done() and future.exception() is None:
                        for i, report in zip(chunk, future.result()):
                            reports[i] = report
                            if arrived:
                                arrived(i, report)
                stop_pool(pool)
        if stuck is None:
            break
        if len(stuck) == 1:
            reports[stuck[0]] = _too_slow(campaign, jobs[stuck[0]])
            if arrived:
                arrived(stuck[0], reports[stuck[0]])
            if progress:
                progress(len(reports), total, jobs[stuck[0]][1])
        size = 1  # the stuck file is among its chunk's: from now on one file per task, to name it
        todo = [i for i in todo if i not in reports]
    return [reports[i] for i in range(total)]


HARD_SECONDS = 2 * READ_SECONDS + 10  # a worker silent for this long is stopped (its file is «file-too-slow»)
CHUNK = 8  # files per task sent to a worker: each task costs the parent ~0,5 ms of pickling and bookkeeping


def chunk_size(total: int, workers: int) -> int:
    """Files per worker task for ``total`` files: ``CHUNK`` when there are many (the pool's own cost per task
    is then paid once per chunk), 1 for a small batch (progress per file, a stuck file found at once)."""
    return CHUNK if total >= 16 * CHUNK * max(workers, 1) else 1


def _check_chunk(jobs: list[Job]) -> list[Report]:
    """``_check_one`` on each job, in order (one task of the pool)."""
    return [_check_one(job) for job in jobs]


def _too_slow(campaign: Campaign, job: Job) -> Report:
    """The verdict on a file whose worker had to be stopped: unreadable, «file-too-slow»."""
    stored, name = job[0], job[1]
    sha, size = _hash_of(stored)
    detail = f"quá {vi_number(HARD_SECONDS)} giây, đã dừng tiến trình đọc tệp"
    return Report(name, sha, size, "unreadable", named_unit=unit_named_in(campaign, name),
                  findings=[make("file-too-slow", file=name, detail=detail)])


def run_intake(campaign: Campaign, progress: Progress | None = None, workers: int = WORKERS,
               items: bool = True) -> IntakeResult:
    """Keep, read, validate and record every file under inbox/ (see the module doc).

    ``items=False``: ``result.latest`` without its items' inputs, scores and counts (see
    ``Ledger.latest_submissions``), for a caller that shows only each file's totals.

    Never raises for a file: parxl's own failures are in ``result.internal``
    (each with its ``InternalErrorReport``: log path, Vietnamese message).
    """
    result = IntakeResult()
    with Ledger.open(campaign) as ledger:
        result.files = scan_inbox(campaign, ledger, result.skipped)
        first: dict[str, InboxFile] = {}
        for rec in result.files:
            if rec.kind != "workbook":
                continue
            if rec.sha256 in first:
                rec.duplicate_of = first[rec.sha256].path
            else:
                first[rec.sha256] = rec
        known = _self_versions(ledger)  # contents already judged as self-assessments: never another kind
        jobs: list[Job] = [(str(rec.stored), rec.path, rec.siblings, str(rec.folder) if rec.folder else None)
                           for rec in first.values()]
        cache = ValidationCache(campaign)
        shas = [rec.sha256 for rec in first.values()]
        keys = [entry_key(sha, *job[1:]) for sha, job in zip(shas, jobs)]  # each file's cache key, made once
        received = list(first.values())
        early: dict[int, int] = {}  # a file read afresh -> its findings when recorded as it arrived
        pending: list[tuple[Report, str]] = []

        def flush() -> None:  # the reports that arrived, recorded in one batch; their rows dropped
            ledger.record_many(pending)
            for report, _ in pending:
                report.__dict__.pop("item_rows", None)
            pending.clear()

        def record_now(i: int, report: Report) -> None:  # recorded while the workers read on
            if report.status == OTHER:  # another kind of parxl workbook: its own stage reads it
                return
            _name_by_path(campaign, received[i], report)
            pending.append((report, criteria_fingerprint(campaign, report.unit_code)))
            early[i] = len(report.findings)
            if len(pending) >= RECORD_EVERY:
                flush()
        reports = _check_cached(campaign, cache, shas, jobs, result, progress, workers, record_now, known, keys)
        flush()
        other_kinds = {shas[i]: report.other_kind  # type: ignore[attr-defined]
                       for i, report in enumerate(reports) if report.status == OTHER}
        if other_kinds:
            for rec in result.files:  # another kind of parxl workbook: its own stage reads it (parxl check)
                if rec.kind == "workbook" and rec.sha256 in other_kinds:
                    rec.kind = other_kinds[rec.sha256]
            result.others = [first[sha] for sha in shas if sha in other_kinds]
            kept = [i for i, sha in enumerate(shas) if sha not in other_kinds]
            others_named = {first[sha].path for sha in other_kinds}
            result.revalidated = [name for name in result.revalidated if name not in others_named]
            early = {new: early[old] for new, old in enumerate(kept) if old in early}
            received, reports, jobs, shas, keys = ([seq[i] for i in kept]
                                                   for seq in (received, reports, jobs, shas, keys))
        mark_swapped([r for r in reports if r.status != INTERNAL])
        fingerprint = campaign.framework.fingerprint
        versions = _self_versions(ledger)
        rows = _self_rows(ledger)
        checks: list[tuple[Report, str]] = []
        marks: dict[int, str] = {}  # a report's ``verdict_mark``, made once (the report is final from here on)
        for i, (rec, report) in enumerate(zip(received, reports)):
            _name_by_path(campaign, rec, report)
            result.reports[rec.sha256] = report
            if i in early:
                if len(report.findings) != early[i]:  # the batch added findings (swapped files): again
                    checks.append((report, criteria_fingerprint(campaign, report.unit_code)))
                continue
            version = versions.get(rec.sha256)
            if version is not None:
                # a cached report the batch left as it was, whose ledger row says what it says: its verdict mark
                # is the one noted with that row (``_as_recorded``); any other: made (parsing its findings)
                noted = cache.noted_mark(keys[i], version) if _as_recorded(report, rows.get(rec.sha256)) else None
                marks[i] = verdict_mark(report) if noted is None else noted
            if not cache.recorded_as(keys[i], marks.get(i, ""), version):
                # an internal error replaces any earlier verdict on the content
                checks.append((report, criteria_fingerprint(campaign, report.unit_code)))
        for rec in result.files:  # an undecompressable member of a plain zip, named after a unit: its verdict
            if rec.kind == "broken-archive" and rec.report is not None and rec.report.named_unit:
                checks.append((rec.report, fingerprint))  # (under the zip's content) so the unit is not «chưa gửi»
        ledger.record_many(checks)
        ledger.commit()
        for report in reports:  # recorded: their rows are not needed any more
            report.__dict__.pop("item_rows", None)
        versions = _self_versions(ledger)
        for i, (sha, report) in enumerate(zip(shas, reports)):
            version = versions.get(sha)
            if report.status != INTERNAL and version is not None:
                mark = marks.get(i)
                cache.mark_as(keys[i], verdict_mark(report) if mark is None else mark, version)
        cache.save()
        cache.close()
        for rec in result.files:
            if rec.kind == "workbook":
                rec.report = result.reports[rec.sha256]
        result.internal = [r for r in result.files
                           if r.report is not None and r.report.status == INTERNAL and not r.duplicate_of]
        result.latest = ledger.latest_submissions(items=items)
        result.held = _held_units(result)
        result.latest = [s for s in result.latest if s.unit_code not in result.held]
        codes = [u.code for u in campaign.units]
        result.returned = returned_files(ledger, codes, {s.unit_code for s in result.latest})
    result.returned += _unrecorded_internal(result, {r.unit_code for r in result.returned})
    sent = {s.unit_code for s in result.latest} | set(result.held) | {r.unit_code for r in result.returned}
    result.missing = [code for code in codes if code not in sent]
    result.misfiled = misfiled_copies(campaign, result)
    return result


RECORD_EVERY = 100  # reports recorded in one batch as they arrive


def misfiled_copies(campaign: Campaign, result: IntakeResult) -> list[tuple[InboxFile, str]]:
    """Receipts that are byte-identical copies of a unit's file kept under the name of a unit of another
    block (each content is read once, so no finding is filed for them): (receipt, code its path names)."""
    out: list[tuple[InboxFile, str]] = []
    if not campaign.has_blocks:
        return out
    for rec in result.files:
        report = rec.report
        if rec.kind != "workbook" or not rec.duplicate_of or report is None or not report.unit_code:
            continue
        named = unit_named_in(campaign, rec.path)
        inside, other = campaign.block_of(report.unit_code), campaign.block_of(named) if named else None
        if named and named != report.unit_code and inside is not None and other is not None and inside.id != other.id:
            out.append((rec, named))
    return out


def _check_cached(campaign: Campaign, cache: ValidationCache, shas: list[str], jobs: list[Job],
                  result: IntakeResult, progress: Progress | None, workers: int,
                  fresh_report: Callable[[int, Report], None] | None = None,
                  known: Mapping[str, object] | frozenset[str] = frozenset(),
                  keys: list[str] | None = None) -> list[Report]:
    """One report per job: from the validation cache when nothing that can change it changed, else read
    and validated afresh (``check_files``) and cached; ``result.revalidated`` names the latter.
    ``fresh_report(job index, report)`` is called for each of those as it comes in. ``known``: the sha256s
    the ledger holds as self-assessments (validated as such whatever their sheets say); another kind of
    workbook comes back of status ``OTHER`` and is not cached. ``keys``: the jobs' ``entry_key``s, when made."""
    reports: list[Report | None] = cache.get_many([(sha, *job[1:]) for sha, job in zip(shas, jobs)], keys)
    todo = [i for i, r in enumerate(reports) if r is None]
    done = len(jobs) - len(todo)
    if progress and done:
        progress(done, len(jobs), "")

    def step(i: int, total: int, label: str) -> None:
        if progress:
            progress(done + i, done + total, label)
    def arrived(k: int, report: Report) -> None:  # cached as it comes in, while the workers read on
        i = todo[k]
        if report.status not in (INTERNAL, OTHER) and not any(f.code in MACHINE_VERDICTS for f in report.findings):
            cache.put(report, *jobs[i][1:], report.lookups)
        if fresh_report:
            fresh_report(i, report)
    fresh = check_files(campaign, [jobs[i] for i in todo], step, workers, arrived,
                        frozenset(shas[i] for i in todo if shas[i] in known))
    for i, report in zip(todo, fresh):
        reports[i] = report
        result.revalidated.append(jobs[i][1])
    return reports  # type: ignore[return-value]


# Verdicts that depend on this machine (its load, whether LibreOffice is installed), not on the file: never cached.
MACHINE_VERDICTS = frozenset({"file-too-slow", "file-ods-converted", "file-ods-unsupported", "file-ods-conversion-failed"})


def _self_versions(ledger: Ledger) -> dict[str, str]:
    """sha256 -> the ledger's self-assessment record of it (row id and check time), to tell it unchanged."""
    return {sha: f"{vid}@{at}" for sha, vid, at in ledger.db.execute(
        "SELECT sha256, id, checked_at FROM versions WHERE round = 'self'")}


def _self_rows(ledger: Ledger) -> dict[str, tuple]:
    """sha256 -> what the ledger's self-assessment record of it says of the report: (status, unit code, named
    unit, total as text, errors, warnings, infos)."""
    return {sha: rest for sha, *rest in ledger.db.execute(
        "SELECT sha256, status, unit_code, named_unit, total, errors, warnings, infos FROM versions "
        "WHERE round = 'self'")}


def _as_recorded(report: Report, row: list | None) -> bool:
    """Whether ``report`` is a cached report the batch did not change (``CachedReport.as_cached``) that says
    what the ledger's ``row`` (``_self_rows``) says. Then the record is the cached report itself, and its
    ``verdict_mark`` the one noted with that record: the batch only ever adds findings (``mark_swapped``), so
    a record with as many findings of each severity as the cached report was not given any; the other
    fields the mark covers are compared here."""
    if row is None or not isinstance(report, CachedReport) or not report.as_cached:
        return False
    counts = report.counts
    return row == [report.status, report.unit_code, report.named_unit,
                   None if report.total_self is None else str(report.total_self),
                   counts["error"], counts["warning"], counts["info"]]


def _name_by_path(campaign: Campaign, rec: InboxFile, report: Report) -> None:
    """A file that did not read and names no unit by its own name: the unit its folders or zip name."""
    if report.status in ("unreadable", INTERNAL) and not report.unit_code and not report.named_unit:
        report.named_unit = unit_named_in(campaign, rec.path)


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
