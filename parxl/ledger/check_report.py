"""The report of ``parxl check``: per unit, per file, as data (JSON) and as table rows.

JSON (``report_json``)::

    {"campaign": "...", "units": [{"code", "name", "file", "sha256", "received_at", "status",
                                     "total_self", "errors", "warnings", "findings": [...]}],
     "missing": ["X03", ...],
     "units_unreadable": [{"code", "name", "file", "sha256", "received_at", "state", "reason", "detail",
                           "matched_by_name"}],
     "units_parxl_error": [... the same shape, state "internal"],
     "files": [{"path", "sha256", "kind", "status", "unit", "duplicate_of", "findings": [...]}],
     "summary": {...}, "internal_errors": [{"path", "sha256", "unit", "log", "message"}],
     "report": {"command", "parxl_version", "valid", "exit_code", "counts", "internal_errors"}}

``check_report`` builds the ``CommandReport`` (``parxl.core.report``) behind the
table, the JSON and the exit code; ``report_json`` is its payload. Each finding is ``{"code", "severity", "sheet", "cell", "item", "message"}``.
Decimal numbers (``total_self``) are JSON *strings* with a dot ("87.5"), exact
and locale-free; ``null`` when unknown. ``units`` lists, in units-list order,
each unit's latest readable file (possibly received in an earlier run);
``missing`` the units that sent nothing; a unit whose file arrived but none of
whose files reads is never there but in ``units_unreadable`` («bị trả lại / không
đọc được», matched by file name when the identity inside cannot be read) or
``units_parxl_error`` (parxl failed on its file: parxl's error, not the unit's);
``files`` lists every file found under ``inbox/`` in this run.

The findings that count (``current_findings``, hence the exit code) are those
of units' latest files, and of unreadable files not superseded by a later
readable file of the unit their name points at.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..campaign.folder import Campaign
from ..core.findings import Finding, count_by_severity, sort_key
from ..core.report import CommandReport, InternalError
from .inbox import InboxFile
from .receive import IntakeResult
from .store import Ledger, LedgerSubmission


@dataclass
class UnitLine:
    """One unit's latest readable file (its ledger row) with the findings recorded for that file."""

    submission: LedgerSubmission
    findings: list[Finding]


def unit_lines(campaign: Campaign, result: IntakeResult) -> list[UnitLine]:
    """Per unit of ``result.latest`` (units-list order), its latest file with its findings from the ledger."""
    with Ledger.open_at(campaign.state_dir) as ledger:  # reads only: the units list is recorded by the intake
        findings = ledger.findings_many(s.sha256 for s in result.latest)
        return [UnitLine(s, list(findings[s.sha256])) for s in result.latest]


def stale_unreadable(result: IntakeResult) -> list[InboxFile]:
    """Unreadable files still awaiting a good file from the unit their name points at (or from nobody)."""
    latest = {s.unit_code: s.received_at for s in result.latest}
    out = []
    for rec in result.files:
        report = rec.report
        if report is None or report.status != "unreadable" or rec.duplicate_of:
            continue
        named = report.named_unit
        if named and named in latest and latest[named] >= rec.received_at:
            continue
        out.append(rec)
    return out


def current_findings(lines: list[UnitLine], result: IntakeResult) -> list[Finding]:
    """The findings that stand: of each unit's latest file, and of unreadable files not yet replaced."""
    return ([f for line in lines for f in line.findings]
            + [f for rec in stale_unreadable(result) if rec.report for f in rec.report.findings])


def current_errors(lines: list[UnitLine], result: IntakeResult) -> int:
    """How many error findings stand (``current_findings``): what the units must still fix."""
    return sum(1 for f in current_findings(lines, result) if f.severity == "error")


def standing_counts(campaign: Campaign, result: IntakeResult) -> dict[str, int]:
    """``count_by_severity(current_findings(unit_lines(campaign, result), result))``, the latest files' findings
    counted by the ledger (``Ledger.finding_counts_many``) without being read: ``{"error", "warning", "info"}``."""
    with Ledger.open_at(campaign.state_dir) as ledger:  # reads only: the units list is recorded by the intake
        per_file = ledger.finding_counts_many(s.sha256 for s in result.latest)
    out = count_by_severity([f for rec in stale_unreadable(result) if rec.report for f in rec.report.findings])
    for s in result.latest:
        for severity, n in per_file[s.sha256].items():
            out[severity] = out.get(severity, 0) + n
    return out


class StandingReport(CommandReport):
    """A ``CommandReport`` whose counts (hence ``errors``, ``valid``, ``exit_code``, ``to_json``) are given
    apart (``standing_counts``) and whose ``findings`` are read when first used (``findings``, then kept):
    a command that shows only the counts (``parxl consolidate``) never builds the units' findings."""

    def __init__(self, command: str, counts: dict[str, int], findings: Callable[[], list[Finding]],
                 internal_errors: Iterable[InternalError] = (), payload: dict | None = None, *,
                 errors_fail: bool = True):
        super().__init__(command, [], list(internal_errors), dict(payload or {}), errors_fail)
        self._counts = dict(counts)
        self._load: Callable[[], list[Finding]] | None = findings

    @property  # type: ignore[override]
    def findings(self) -> list[Finding]:
        """The findings that stand, sorted as ``CommandReport.of`` sorts them, read on first use."""
        if self._load is not None:
            self._found = sorted(self._load(), key=sort_key)
            self._load = None
        return self._found

    @findings.setter
    def findings(self, value: list[Finding]) -> None:
        self._found = value
        self._load = None

    @property
    def counts(self) -> dict[str, int]:
        """``{"error": n, "warning": n, "info": n}`` as given (the findings' own once they were read)."""
        if self._load is None:
            return super().counts
        return dict(self._counts)


def standing_report(command: str, campaign: Campaign, result: IntakeResult, payload: dict | None = None, *,
                    errors_fail: bool = True) -> CommandReport:
    """``CommandReport.of(command, current_findings(unit_lines(campaign, result), result),
    result.internal_errors(), payload)`` with its counts from ``standing_counts`` and its findings read from
    the ledger only when first used (a ``StandingReport``)."""
    return StandingReport(command, standing_counts(campaign, result),
                          lambda: current_findings(unit_lines(campaign, result), result),
                          result.internal_errors(), payload, errors_fail=errors_fail)


def check_report(campaign: Campaign, result: IntakeResult, lines: list[UnitLine]) -> CommandReport:
    """The ``CommandReport`` of ``parxl check``: standing findings, parxl's own failures, ``report_json`` as payload.

    Its ``exit_code`` is ``parxl check``'s: 3 when parxl failed on a file, 1 when
    an error finding stands, else 0. The payload keeps ``internal_errors`` (a list)
    and ``summary.internal_errors`` (their number) as earlier versions wrote them.
    """
    internal = result.internal_errors()
    payload = report_json(campaign, result, lines)
    payload["internal_errors"] = [e.as_dict() for e in internal]
    payload["summary"]["internal_errors"] = len(internal)
    return CommandReport.of("check", current_findings(lines, result), internal, payload)


def _finding(f: Finding) -> dict:
    return f.as_dict()


def returned_json(campaign: Campaign, result: IntakeResult, state: str) -> list[dict]:
    """``ReturnedFile.as_dict`` of each unit of ``result.returned`` in ``state`` (unreadable or internal)."""
    names = {u.code: u.name for u in campaign.units}
    return [r.as_dict(names.get(r.unit_code, "")) for r in result.returned if r.state == state]


def report_json(campaign: Campaign, result: IntakeResult, lines: list[UnitLine]) -> dict:
    """The JSON document of ``parxl check`` without its internal errors (see the module's docstring)."""
    units = [{
        "code": line.submission.unit_code,
        "name": line.submission.unit_name,
        "file": line.submission.original_path,
        "sha256": line.submission.sha256,
        "received_at": line.submission.received_at,
        "status": line.submission.status,
        "total_self": None if line.submission.total_self is None else str(line.submission.total_self),
        "errors": line.submission.errors,
        "warnings": line.submission.warnings,
        "findings": [_finding(f) for f in line.findings],
    } for line in lines]
    files = []
    for rec in result.files:
        report = rec.report
        entry = {
            "path": rec.path,
            "sha256": rec.sha256 or (report.sha256 if report else ""),
            "kind": rec.kind,
            "status": report.status if report else rec.kind,
            "unit": (report.unit_code or report.named_unit) if report else None,
            "duplicate_of": rec.duplicate_of,
            "findings": [_finding(f) for f in report.findings] if report and report.status == "unreadable" else [],
        }
        files.append(entry)
    return {
        "campaign": campaign.id,
        "units": units,
        "missing": list(result.missing),
        "units_unreadable": returned_json(campaign, result, "unreadable"),
        "units_parxl_error": returned_json(campaign, result, "internal"),
        "files": files,
        "skipped": [entry.as_dict() for entry in result.skipped],
        "summary": {
            "files": len(result.files),
            "units_ok": sum(1 for u in units if u["status"] == "ok"),
            "units_with_errors": sum(1 for u in units if u["status"] == "errors"),
            "missing": len(result.missing),
            "units_unreadable": sum(1 for r in result.returned if r.state == "unreadable"),
            "units_parxl_error": sum(1 for r in result.returned if r.state == "internal"),
            "errors": current_errors(lines, result),
        },
    }
