"""Importing filled appraisal workbooks: read, check, keep, and record the round in the ledger.

``import_appraisals(campaign, source, round)`` takes one file or a folder (its
files, recursively, in name order). Every file is kept by sha256 in the
campaign's state folder (nothing is lost); a file is recorded only when it has
no error, one ledger version per unit (``Ledger.record_appraisal``). A bad file
never stops the batch: its problems are findings, and a file parxl itself
failed on (``AppraisalFile.internal``, traceback logged in ``.parxl/errors/``)
is kept, not recorded, and listed in ``ImportResult.internal``.
``ImportResult.report()`` is the ``CommandReport`` behind ``parxl appraise
--import``'s table, ``--json`` and exit code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..campaign.folder import Campaign
from ..core.errors import ParxlError, log_internal_error
from ..core.findings import sort_key
from ..core.report import CommandReport, InternalError
from ..core.times import utc_iso
from ..intake.submission import file_sha256
from ..ledger.store import Ledger
from . import layout as L
from .read import AppraisalFile, read_appraisal

SKIPPED_PREFIXES = ("~$", ".")


@dataclass
class ImportResult:
    """The appraisal workbooks of one ``import_appraisals`` run: every file read, and the names of those recorded."""

    round: str
    files: list[AppraisalFile] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)  # names of the files recorded

    @property
    def errors(self) -> int:
        """Error findings over all files (a file with any is not recorded)."""
        return sum(f.errors for f in self.files)

    @property
    def internal(self) -> list[AppraisalFile]:
        """The files parxl itself failed on (its own bug; nothing of them recorded)."""
        return [f for f in self.files if f.internal]

    def internal_errors(self) -> list[InternalError]:
        """``internal`` as the common report carries them (path, message, log, sha256)."""
        return [InternalError(path=f.name, message=f.internal_message, log=f.internal_log, sha256=f.sha256)
                for f in self.internal]

    def as_json(self) -> dict:
        """``{"round", "errors", "internal_errors", "files": [{"file", "sha256", "field", "recorded", "scores",
        "units", "findings", "internal_error": null | {"log", "message"}}]}``; ``internal_errors`` is a count here
        (the list is in the common ``"report"``)."""
        return {"round": self.round, "errors": self.errors, "internal_errors": len(self.internal), "files": [
            {"file": f.name, "sha256": f.sha256, "field": f.field_code, "recorded": f.name in self.recorded,
             "scores": f.score_count, "units": len(f.scores),
             "findings": [d.as_dict() for d in sorted(f.findings, key=sort_key)],
             "internal_error": {"log": f.internal_log, "message": f.internal_message} if f.internal else None}
            for f in self.files]}

    def report(self) -> CommandReport:
        """The ``CommandReport`` of ``parxl appraise --import``: every file's findings, parxl's own failures,
        ``as_json()`` as payload; exit code 3 / 1 (a file with errors, not recorded) / 0."""
        return CommandReport.of("appraise", [d for f in self.files for d in f.findings], self.internal_errors(),
                                self.as_json())


RETURNED_EVENT = "appraisal-returned"  # ledger event: an appraisal workbook of {round, group} was imported


def returned_groups(ledger: Ledger) -> set[tuple[str, str, str | None]]:
    """(round, group code, block id or None) of every appraisal workbook imported without errors
    (``RETURNED_EVENT``)."""
    return {(d.get("round"), d.get("group"), d.get("block")) for kind, _, _, _, d in ledger.events()
            if kind == RETURNED_EVENT}


def default_import_round(campaign: Campaign) -> str:
    """The latest round whose workbooks were generated: what the appraisers were sent."""
    rounds = L.generated_rounds(campaign.root)
    if not rounds:
        raise ParxlError("Chưa tạo biểu mẫu thẩm định nào (thư mục output/tham-dinh/ trống): chạy «parxl appraise "
                         "THƯ_MỤC_ĐỢT» trước, hoặc ghi rõ vòng bằng «--round appraisal-1».")
    return rounds[-1]


def files_of(source: Path) -> list[Path]:
    """``source`` itself, or the files under the folder ``source`` in name order (hidden and ``~$`` lock files
    skipped). Raises ParxlError when ``source`` does not exist."""
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise ParxlError(f"Không tìm thấy «{source}».")
    return sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith(SKIPPED_PREFIXES)
                  and not any(part.startswith(".") for part in p.relative_to(source).parts[:-1]))


def _display(campaign: Campaign, path: Path) -> str:
    try:
        return path.resolve().relative_to(campaign.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _base_scores(ledger: Ledger, round: str) -> dict[str, dict[str, Decimal]]:
    """Unit → item → the score that stands before ``round``: self-assessed, replaced by earlier rounds'."""
    out: dict[str, dict[str, Decimal]] = {}
    for sub in ledger.latest_submissions():
        scores = dict(sub.self_scores)
        for name in sorted((r for r in sub.scores if L.round_number(r) and L.round_number(r) < L.round_number(round)),
                           key=L.round_number):
            scores.update(sub.scores[name])
        out[sub.unit_code] = scores
    return out


def _base_notes(ledger: Ledger, unit: str, round: str) -> dict[str, str]:
    """Item → the appraiser's remark that goes with the score standing before ``round`` (the latest earlier
    round that appraised the item; an item no round appraised has none)."""
    out: dict[str, str] = {}
    earlier = sorted((r for r in ledger.rounds() if L.round_number(r) and L.round_number(r) < L.round_number(round)),
                     key=L.round_number)
    for name in earlier:
        out.update({item: d.explanation for item, d in ledger.round_details(unit, name, ("ok",)).items()})
    return out


def import_appraisals(campaign: Campaign, source: Path, round: str) -> ImportResult:
    """Keep, read, check and record every appraisal workbook of ``source`` (a file or a folder) for ``round``.

    Never raises for one file (its problems are findings, parxl's own failure
    is ``AppraisalFile.internal``). Raises ParxlError for a round name that is
    not ``appraisal-N`` or a ``source`` that does not exist, and LedgerError when
    the ledger cannot be opened.
    """
    L.check_round(round)
    result = ImportResult(round)
    fingerprint = campaign.framework.fingerprint
    with Ledger.open(campaign) as ledger:
        base = _base_scores(ledger, round)
        for path in files_of(source):
            name = _display(campaign, path)
            when = utc_iso(path.stat().st_mtime)
            ledger.keep(file_sha256(path), path, name, when, "appraisal-workbook", path.suffix.lower()[:10])
            ledger.commit()  # kept before anything reads it
            read = read_appraisal(campaign, path, round, name=name)
            result.files.append(read)
            if read.errors or read.internal:
                continue
            try:
                for unit, items in sorted(read.covered.items()):
                    scores = dict(read.scores.get(unit, {}))
                    flags = read.flags.get(unit, set())
                    notes = dict(read.notes.get(unit, {}))
                    carried = [item for item in sorted(flags - set(scores)) if item in base.get(unit, {})]
                    earlier_notes = _base_notes(ledger, unit, round) if carried else {}
                    for item in carried:  # flagged with a blank score: the score that stands is kept, with its remark
                        scores[item] = base[unit][item]
                        if not notes.get(item) and earlier_notes.get(item):
                            notes[item] = earlier_notes[item]
                    if not scores and not ledger.versions(unit, round):
                        continue  # nothing appraised for this unit, nothing to replace
                    ledger.record_appraisal(round, unit, scores, notes, items,
                                            read.sha256, name, fingerprint, flags)
                # the workbook came back, even when every score was left blank (the self scores stand)
                ledger.record_event(RETURNED_EVENT, name, "", {"round": round, "group": read.field_code,
                                                               "block": campaign.block_id})
                ledger.commit()
            except Exception as exc:  # parxl's own failure: nothing of this file recorded, the batch goes on
                ledger.db.rollback()
                log = log_internal_error(campaign.state_dir, exc, context=f"recording appraisal workbook {name}",
                                         key=read.sha256)
                read.internal, read.internal_log = True, None if log is None else str(log)
                continue
            result.recorded.append(name)
    return result
