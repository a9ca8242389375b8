"""``validate(campaign, submission) -> Report``: every finding about one returned file.

The checks of ``parxl.intake.checks`` run in order and collect findings; none stops
at the first problem. A check that cannot go on (a workbook of another
campaign, a missing sheet) stops the row-level checks only, and says so.

``Report.status``:
- ``ok``: readable, attributed to a unit of the campaign, no error finding;
- ``errors``: attributed to a unit, with at least one error finding;
- ``unreadable``: nothing in it can be attributed to a unit of this campaign
  (a hostile or foreign file, another campaign, an unknown unit).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ..campaign.folder import Campaign
from ..core.findings import Finding, FindingList, count_by_severity, make, sort_key
from ..criteria.rules import Value
from ..xlsx.safety import MAX_FILE_BYTES, check_time, human_size
from .checks import Context, cached, evidence, formulas, identity, inputs, reserved, structure
from .checks.expected import expected
from .submission import Submission

Status = Literal["ok", "errors", "unreadable"]


@dataclass
class FileItem:
    """One item of one returned file, as parxl read and scored it (``Report.items``).

    Named apart from ``parxl.results.compute.UnitItem`` (one item of a unit after consolidation:
    self, appraised and final points) and ``parxl.ledger.rows.LedgerItem`` (an item as the ledger
    gives it back, in any round). ``score`` is in points, computed by parxl from ``inputs``;
    ``cached`` is what the file's own formula showed.
    """

    code: str
    inputs: dict[str, Value]        # input key -> value as parxl read it (Decimal, option text, None)
    score: Decimal                  # parxl's computation
    cached: Decimal | str | None    # what the file showed (None: no cached value)
    evidence: list[str]             # accepted evidence entries (links, file names, references)
    explanation: str


@dataclass
class Report:
    """Every finding about one returned file, with its identity and, when it was read, its items.

    ``status`` is ``ok``, ``errors`` or ``unreadable`` (see the module doc); ``unit_code`` is the
    unit the workbook names inside (None when unreadable), ``named_unit`` the one its file name
    points at. ``total_self`` and ``subtotals`` are points (Decimal), parxl's computation.
    """

    file: str
    sha256: str
    size: int
    status: Status
    unit_code: str | None = None
    unit_name: str | None = None
    named_unit: str | None = None    # the unit code the file name points at, if any
    total_self: Decimal | None = None
    findings: list[Finding] = field(default_factory=list)
    items: dict[str, FileItem] = field(default_factory=dict)
    subtotals: dict[str, Decimal] = field(default_factory=dict)
    # evidence file names looked for beside the workbook -> ``submission.evidence_signature`` (the cache's key)
    lookups: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity: ``{"error": n, "warning": n, "info": n}``."""
        return count_by_severity(self.findings)

    @property
    def errors(self) -> int:
        """Number of error findings."""
        return self.counts["error"]

    @property
    def warnings(self) -> int:
        """Number of warning findings."""
        return self.counts["warning"]

    def add(self, finding: Finding) -> None:
        """Add a finding in sorting order; an error turns an ``ok`` report into ``errors``."""
        self.findings.append(finding)
        self.findings.sort(key=sort_key)
        if finding.severity == "error" and self.status == "ok":
            self.status = "errors"


CHECKS = (structure.check, formulas.check, inputs.check, evidence.check, cached.check, reserved.check)


def validate(campaign: Campaign, sub: Submission) -> Report:
    """Every finding about ``sub`` against ``campaign``'s workbook layout and criteria set.

    Never raises for a bad file: a file that could not be read (``sub.problem``) gives an
    ``unreadable`` report with that finding; one that names no unit of the campaign is
    ``unreadable`` too. Otherwise the report carries each item's ``FileItem``.
    """
    found = FindingList(file=sub.name)
    for code, params in sub.notes:
        found.add(code, **params)
    if sub.problem is not None:
        code, detail = sub.problem
        found.add(code, detail=detail, limit=human_size(MAX_FILE_BYTES))
        named = identity.units_named_by(sub.file_name, campaign.units)
        return Report(sub.name, sub.sha256, sub.size, "unreadable", findings=sorted(found.items, key=sort_key),
                      named_unit=named[0].code if named else None)
    ctx = Context(campaign, sub, found)
    identity.check(ctx)
    if ctx.unit is not None and not ctx.stop:
        for check in CHECKS:
            check_time()  # the file's time bound (``xlsx.safety.time_bound``), when one is open
            check(ctx)
            if ctx.stop:
                break
    report = _complete(ctx, _report(ctx))
    report.lookups = dict(sub.lookups)
    return report


def _complete(ctx: Context, report: Report) -> Report:
    """The invariant, on the final results: a unit's report is "ok" only when every planned row was read and scored.

    Every row of ``layout.plan_rows`` with a code must have been located, and
    every item of the criteria set must have a result. Rows not already named
    by an error finding (``row-missing``, or a stop such as ``sheet-missing``)
    get one ``rows-not-read`` error naming them, whatever the reader did.
    """
    if report.status == "unreadable":
        return report
    plan = expected(ctx.framework)
    items = plan.item_codes
    missing = [code for code in plan.planned
               if code not in ctx.rows or (code in items and code not in report.items)]
    named = {f.item for f in report.findings if f.code == "row-missing"}
    stopped = ctx.stop and report.errors > 0
    unnamed = [code for code in missing if code not in named]
    if unnamed and not stopped:
        shown = ", ".join(unnamed[:10]) + (f" và {len(unnamed) - 10} dòng khác" if len(unnamed) > 10 else "")
        report.add(make("rows-not-read", file=report.file, count=len(unnamed), missing=shown))
    return report


def _report(ctx: Context) -> Report:
    sub, findings = ctx.sub, sorted(ctx.findings.items, key=sort_key)
    if ctx.unit is None:
        status: Status = "unreadable"
    else:
        status = "errors" if any(f.severity == "error" for f in findings) else "ok"
    report = Report(sub.name, sub.sha256, sub.size, status, findings=findings,
                    unit_code=ctx.unit.code if ctx.unit else None, unit_name=ctx.unit.name if ctx.unit else None,
                    named_unit=ctx.named_unit.code if ctx.named_unit else None)
    if ctx.scores is not None:
        report.total_self = ctx.scores.total
        report.subtotals = dict(ctx.scores.subtotals)
        for item in ctx.framework.items:
            row = ctx.rows.get(item.code)
            if row is None:
                continue
            cell = ctx.cell(row, "score")
            ex = ctx.cell(row, "explanation")
            report.items[item.code] = FileItem(
                code=item.code, inputs=dict(ctx.answers.get(item.code, {})), score=ctx.scores.items[item.code],
                cached=cell.value if cell is not None and isinstance(cell.value, (Decimal, str)) else None,
                evidence=list(ctx.evidence.get(item.code, [])),
                explanation=ex.value.strip() if ex is not None and isinstance(ex.value, str) else "")
    return report


def mark_swapped(reports: list[Report]) -> None:
    """Add ``identity-swapped`` to both files of two units that sent each other's workbook."""
    for a, b in identity.swapped(reports):
        for mine, other in ((a, b), (b, a)):
            mine.add(make("identity-swapped", file=mine.file, unit=mine.unit_code, other=other.file,
                          other_unit=other.unit_code))
