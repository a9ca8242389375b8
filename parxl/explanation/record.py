"""Returned giải trình workbooks (found in inbox/ by ``parxl check``) read, checked and recorded in the ledger.

``record_explanations(campaign, files)`` reads each file that intake set aside as
a giải trình workbook (``IntakeResult.others``, already kept by sha256), and
records it as the unit's explanation of the round it answers: round
``explanation-N`` in the ledger, one version per file (status ``ok`` or
``errors``), so a re-sent version supersedes the earlier one as self-assessments
do and nothing is overwritten. A content already recorded keeps the verdict it
had when it came (a later ``parxl check``, after the next round opened, does
not turn it into a late file). A file whose identity cannot be used is not
recorded (it answers no known unit or round); its findings are reported.
``ExplanationResult.report()`` is the part of ``parxl check``'s report that is about them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..appraisal import layout as AL
from ..campaign.folder import Campaign
from ..core.errors import log_internal_error
from ..core.numbers import vi_number
from ..core.report import CommandReport, InternalError
from ..intake.validation import FileItem, Report
from ..ledger.check_report_xlsx import ExplanationLine
from ..ledger.inbox import InboxFile
from ..ledger.rows import EXPLANATION_PREFIX
from ..ledger.store import Ledger
from . import layout as L
from .read import ExplanationFile, ExplanationRow, RoundCache, path_units, read_explanation


@dataclass
class ExplanationResult:
    """The giải trình workbooks of one ``parxl check`` run: every file read, and the names of those recorded."""

    files: list[ExplanationFile] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)

    def internal_errors(self) -> list[InternalError]:
        """The files parxl itself failed on, as the common report carries them."""
        return [InternalError(path=f.name, message=f.internal_message, log=f.internal_log, sha256=f.sha256,
                              unit=f.unit_code) for f in self.files if f.internal]

    def as_json(self) -> list[dict]:
        """``[{"file", "sha256", "unit", "round", "recorded", "explained": [item codes], "findings": [...]}]``."""
        return [{"file": f.name, "sha256": f.sha256, "unit": f.unit_code, "round": f.round,
                 "recorded": f.name in self.recorded, "explained": sorted(f.rows),
                 "findings": [d.as_dict() for d in f.findings]} for f in self.files]

    def lines(self) -> list[str]:
        """Plain Vietnamese lines for a status area: how many giải trình workbooks came, then one per file with
        its state and its findings' messages ([] when none came)."""
        if not self.files:
            return []
        out = [f"Phiếu giải trình nhận được ({vi_number(len(self.files))}):"]
        for f in self.files:
            who = f"{f.unit_code} {f.unit_name}" if f.unit_code else "(không rõ đơn vị)"
            state = ("còn lỗi" if f.errors else "hợp lệ") if f.name in self.recorded else "không ghi nhận"
            out.append(f"• {who}: «{f.name.split('/', 1)[-1]}», {vi_number(len(f.rows))} tiêu chí giải trình — {state}")
            out += [f"    {d.message}" for d in f.findings]
        return out

    def plain(self, campaign: Campaign) -> list[ExplanationLine]:
        """Each file as the ledger's check outputs take it (``ledger.check_report_xlsx.ExplanationLine``), state
        ``ok``/``errors`` when recorded, else ``not-recorded``; its sender is the unit its path names when that
        is not the unit inside, else its own unit, else the one unit its path names (None when none or several)."""
        out = []
        for f in self.files:
            named = path_units(campaign, f.name)
            sender = f.named_unit or f.unit_code or (next(iter(named)) if len(named) == 1 else None)
            state = ("errors" if f.errors else "ok") if f.name in self.recorded else "not-recorded"
            out.append(ExplanationLine(f.name, f.unit_code, f.unit_name, state, len(f.rows), tuple(f.findings),
                                       sender))
        return out

    def report(self) -> CommandReport:
        """These files' findings and parxl's own failures on them, ``as_json()`` under ``"explanations"``."""
        return CommandReport.of("check", [d for f in self.files for d in f.findings], self.internal_errors(),
                                {"explanations": self.as_json()})


def as_report(read: ExplanationFile) -> Report:
    """The ledger's view of one read giải trình workbook: per explained item, ``inputs`` ``{"proposed": points}``
    when a score is proposed, ``score`` the proposed score (else the appraised one), the accepted additional
    evidence and the explanation."""
    items = {}
    for code, row in read.rows.items():
        appraised = read.contested[code].appraised
        items[code] = FileItem(code, {"proposed": row.proposed} if row.proposed is not None else {},
                               row.proposed if row.proposed is not None else appraised, None, row.evidence,
                               row.explanation)
    return Report(read.name, read.sha256, read.size, "errors" if read.errors else "ok", unit_code=read.unit_code,
                  unit_name=read.unit_name, named_unit=read.named_unit, findings=list(read.findings), items=items)


def _recorded(campaign: Campaign, rec: InboxFile) -> ExplanationFile | None:
    """The file as recorded when it first came (same content, any explanation round), or None."""
    with Ledger.open(campaign) as ledger:
        row = ledger.db.execute(
            "SELECT round, unit_code, status FROM versions WHERE sha256 = ? AND round LIKE ? ORDER BY id DESC LIMIT 1",
            (rec.sha256, EXPLANATION_PREFIX + "%")).fetchone()
        if row is None:
            return None
        round, unit, _ = row
        details = ledger.item_details(rec.sha256, round)
        findings = ledger.findings(rec.sha256, round)
    u = campaign.unit(unit)
    out = ExplanationFile(rec.path, rec.sha256, Path(rec.stored).stat().st_size if rec.stored else 0, unit,
                          u.name if u else None, round=f"{AL.ROUND_PREFIX}{round[len(EXPLANATION_PREFIX):]}")
    out.rows = {code: ExplanationRow(d.explanation, d.evidence, d.inputs.get("proposed"))  # type: ignore[arg-type]
                for code, d in details.items()}
    out.findings = findings
    return out


def record_explanations(campaign: Campaign, files: list[InboxFile]) -> ExplanationResult:
    """Read, check and record every giải trình workbook of ``files`` (kept copies, in receipt order).

    Never raises for one file (its problems are findings; parxl's own failure is logged and listed in
    ``internal_errors``). Raises ``LedgerError`` when the ledger cannot be opened.
    """
    result = ExplanationResult()
    fingerprint = campaign.framework.fingerprint
    cache = RoundCache(campaign) if files else None
    for rec in files:
        if rec.stored is None:
            continue
        earlier = _recorded(campaign, rec)
        if earlier is not None:  # checked when it came: its verdict stands (a later round does not void it)
            result.files.append(earlier)
            result.recorded.append(earlier.name)
            continue
        read = read_explanation(campaign, Path(rec.stored), rec.path, rec.siblings, rec.folder, cache)
        result.files.append(read)
        if read.internal or read.unit_code is None or read.round is None:
            continue
        with Ledger.open(campaign) as ledger:
            try:
                ledger.record(as_report(read), fingerprint, L.explanation_round(read.round))
                ledger.commit()
            except Exception as exc:  # parxl's own failure: nothing of this file recorded, the batch goes on
                ledger.db.rollback()
                log = log_internal_error(campaign.state_dir, exc, context=f"recording explanation {rec.path}",
                                         key=read.sha256)
                read.internal, read.internal_log = True, None if log is None else str(log)
                continue
        result.recorded.append(read.name)
    return result
