"""One report shape behind every command that judges files: findings, counts, validity, exit code.

``parxl check``, ``parxl appraise --import`` and ``parxl consolidate`` each turn
their own result (``ledger.receive.IntakeResult``, ``appraisal.record.ImportResult``,
``master.consolidation.Consolidation``) into a ``CommandReport``; the command's
console table and ``--json`` are drawn from it, and its ``exit_code`` is the
command's exit code (the one place where 0 / 1 / 3 is decided):

- ``EXIT_INTERNAL`` (3) when parxl itself failed on something (``internal_errors``);
- else ``EXIT_DATA`` (1) when an error finding remains and the command fails on
  the user's data (``errors_fail``; ``consolidate`` does not: it leaves such units
  out as ``missing_policy`` says and still writes the master);
- else ``EXIT_OK`` (0).

``to_json()`` is the command's own JSON document (``payload``, whose keys stay as
they were) plus a ``"report"`` object of the same shape for every command::

    {"command": "check", "parxl_version": "0.1.0", "valid": false, "exit_code": 1,
     "counts": {"error": 2, "warning": 1, "info": 0},
     "internal_errors": [{"path", "sha256", "unit", "log", "message"}]}
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import EXIT_DATA, EXIT_INTERNAL, EXIT_OK, internal_error_text
from .findings import Finding, count_by_severity, sort_key


@dataclass(frozen=True)
class InternalError:
    """A file (or step) parxl itself failed on: not the user's fault, its traceback logged.

    ``path`` is the file as shown to the user (relative to the campaign folder),
    ``message`` the Vietnamese line saying where the log is (``core.errors.internal_error_text``),
    ``log`` the log's path (None when it could not be written), ``sha256`` the
    file's content hash ("" when unknown), ``unit`` the unit code it seems to be from.
    """

    path: str
    message: str
    log: str | None = None
    sha256: str = ""
    unit: str | None = None

    def as_dict(self) -> dict:
        """``{"path", "sha256", "unit", "log", "message"}``, as ``parxl check --json`` has always written it."""
        return {"path": self.path, "sha256": self.sha256, "unit": self.unit, "log": self.log,
                "message": self.message}


@dataclass
class CommandReport:
    """What one command found: the findings that stand, parxl's own failures, and its JSON payload.

    ``findings`` are those the user still has to act on (for ``check``: of each
    unit's latest file and of unreadable files not yet replaced); ``payload`` is
    the command-specific JSON (a dict of JSON values); ``errors_fail`` says
    whether an error finding makes the command exit with 1.
    """

    command: str
    findings: list[Finding] = field(default_factory=list)
    internal_errors: list[InternalError] = field(default_factory=list)
    payload: dict = field(default_factory=dict)
    errors_fail: bool = True

    @classmethod
    def of(cls, command: str, findings: Iterable[Finding], internal_errors: Iterable[InternalError] = (),
           payload: dict | None = None, *, errors_fail: bool = True) -> CommandReport:
        """A report with ``findings`` sorted as every report shows them (errors first, then by sheet and cell)."""
        return cls(command, sorted(findings, key=sort_key), list(internal_errors), dict(payload or {}), errors_fail)

    @property
    def counts(self) -> dict[str, int]:
        """``{"error": n, "warning": n, "info": n}`` over ``findings``."""
        return count_by_severity(self.findings)

    @property
    def errors(self) -> int:
        """How many error findings stand."""
        return self.counts["error"]

    @property
    def valid(self) -> bool:
        """True when no error finding stands and parxl failed on nothing."""
        return not self.internal_errors and self.errors == 0

    @property
    def exit_code(self) -> int:
        """3 when parxl failed on something, else 1 when an error finding stands and ``errors_fail``, else 0."""
        if self.internal_errors:
            return EXIT_INTERNAL
        if self.errors and self.errors_fail:
            return EXIT_DATA
        return EXIT_OK

    def summary(self) -> dict:
        """The ``"report"`` object of ``to_json``: command, parxl version, valid, exit code, counts, internal errors."""
        from .. import __version__

        return {"command": self.command, "parxl_version": __version__, "valid": self.valid,
                "exit_code": self.exit_code, "counts": self.counts,
                "internal_errors": [e.as_dict() for e in self.internal_errors]}

    def to_json(self) -> dict:
        """The command's ``--json`` document: ``payload`` (its keys unchanged) plus ``"report": summary()``."""
        return {**self.payload, "report": self.summary()}


class FileVerdict:
    """What a stage says of one workbook it read back (an appraisal or a giải trình workbook): mixed into a
    record with ``name``, ``findings`` (``Finding``), ``internal`` (parxl failed on it) and ``internal_log``."""

    name: str
    findings: list[Finding]
    internal: bool
    internal_log: str | None

    @property
    def errors(self) -> int:
        """How many findings of severity error."""
        return count_by_severity(self.findings)["error"]

    @property
    def internal_message(self) -> str:
        """The Vietnamese line for parxl's own failure on this file ("" when there was none)."""
        return internal_error_text(self.internal_log, f"đọc tệp «{self.name}»") if self.internal else ""
