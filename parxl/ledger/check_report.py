"""The report of ``parxl check``: per unit, per file, as data (JSON) and as table rows.

JSON (``report_json``)::

    {"campaign": "...", "units": [{"code", "name", "file", "sha256", "received_at", "status",
                                     "total_self", "errors", "warnings", "findings": [...]}],
     "missing": ["X03", ...],
     "units_unreadable": [{"code", "name", "file", "sha256", "received_at", "state", "reason", "detail",
                           "matched_by_name"}],
     "units_parxl_error": [... the same shape, state "internal"],
     "files": [{"path", "sha256", "kind", "status", "unit", "duplicate_of", "findings": [...]}],
     "summary": {...}}

Each finding is ``{"code", "severity", "sheet", "cell", "item", "message"}``.
Decimal numbers (``total_self``) are JSON *strings* with a dot ("87.5"), exact
and locale-free; ``null`` when unknown. ``units`` lists, in units-list order,
each unit's latest readable file (possibly received in an earlier run);
``missing`` the units that sent nothing; a unit whose file arrived but none of
whose files reads is never there but in ``units_unreadable`` («bị trả lại / không
đọc được», matched by file name when the identity inside cannot be read) or
``units_parxl_error`` (parxl failed on its file: parxl's error, not the unit's);
``files`` lists every file found under ``inbox/`` in this run.

``current_errors`` decides the exit code: errors of units' latest files, and
of unreadable files not superseded by a later readable file of the unit their
name points at.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..campaign.folder import Campaign
from ..core.findings import Finding
from .receive import IntakeResult, Received
from .store import Ledger, UnitSubmission


@dataclass
class UnitLine:
    """A unit's latest readable file (``submission``) and that file's findings."""
    submission: UnitSubmission
    findings: list[Finding]


def unit_lines(campaign: Campaign, result: IntakeResult) -> list[UnitLine]:
    """One ``UnitLine`` per unit of ``result.latest`` (units-list order), findings read from the ledger."""
    with Ledger.open(campaign) as ledger:
        return [UnitLine(s, ledger.findings(s.sha256)) for s in result.latest]


def stale_unreadable(result: IntakeResult) -> list[Received]:
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


def current_errors(lines: list[UnitLine], result: IntakeResult) -> int:
    """Error findings still to fix: of the units' latest files, and of unreadable files not superseded
    (``stale_unreadable``). Decides ``parxl check``'s exit code 1."""
    n = sum(1 for line in lines for f in line.findings if f.severity == "error")
    return n + sum(rec.report.errors for rec in stale_unreadable(result) if rec.report)


def _finding(f: Finding) -> dict:
    return f.as_dict()


def returned_json(campaign: Campaign, result: IntakeResult, state: str) -> list[dict]:
    """``ReturnedFile.as_dict`` of each unit of ``result.returned`` in ``state`` (unreadable or internal)."""
    names = {u.code: u.name for u in campaign.units}
    return [r.as_dict(names.get(r.unit_code, "")) for r in result.returned if r.state == state]


def report_json(campaign: Campaign, result: IntakeResult, lines: list[UnitLine]) -> dict:
    """The ``parxl check --json`` document (shape in the module doc)."""
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
