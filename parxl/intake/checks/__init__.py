"""Checks of a returned workbook, one concern per module.

Every check is ``check(ctx: Context) -> None`` and adds findings to
``ctx.findings``; ``parxl.intake.validation`` runs them in order: identity, structure
(where each row is), formulas and locked cells, inputs (which also builds the
answers parxl scores), evidence, cached values, reserved cells.

May import: what parxl.intake may import, and parxl.intake.submission.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ...campaign.folder import Campaign
from ...campaign.units import Unit
from ...core.findings import FindingCode, FindingList
from ...core.numbers import vi_number
from ...criteria.framework import Framework
from ...criteria.rules import Value
from ...criteria.scoring import UnitScore
from ...workbook import layout
from ...workbook.layout import SHEET_ASSESS, RowSpec
from ...xlsx.container import Cell
from ..submission import Submission


@dataclass
class Context:
    """What the checks of one returned workbook share: the campaign, the read file, findings and what was found."""

    campaign: Campaign
    sub: Submission
    findings: FindingList
    unit: Unit | None = None                 # the unit the workbook belongs to (by its metadata)
    named_unit: Unit | None = None           # the unit the file name points at, if any
    specs: list[RowSpec] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # code -> actual sheet row
    total_row: int | None = None
    answers: dict[str, dict[str, Value]] = field(default_factory=dict)
    scores: UnitScore | None = None
    tampered_cells: set[str] = field(default_factory=set)  # formula cells whose cached value is meaningless
    evidence: dict[str, list[str]] = field(default_factory=dict)  # code -> accepted evidence entries
    stop: bool = False  # identity too wrong to read on

    @property
    def framework(self) -> Framework:
        """The campaign's criteria set, as the workbook's unit sees it (``Framework.for_kind`` of its type)."""
        return self.campaign.framework.for_kind(self.unit.kind if self.unit is not None else None)

    @property
    def sheet(self) -> str:
        """The self-assessment sheet's name (where most findings are)."""
        return SHEET_ASSESS

    def cell(self, row: int, role: str) -> Cell | None:
        """The cell of ``role`` (a ``layout.COLUMNS`` or ``layout.NA_COLUMNS`` key) on 1-based ``row``, or None when empty."""
        assess = self.sub.assess  # direct: called hundreds of times per file
        if assess is None:
            return None
        return assess.cells.get((row, _ROLE_COLUMNS[role]))

    def add(self, code: FindingCode, role: str | None = None, row: int | None = None, **kw) -> None:
        """Add finding ``code`` (``parxl.core.findings``), placed at ``role``'s cell on ``row`` when both are given."""
        if role is not None and row is not None:
            kw.setdefault("cell", layout.cell_ref(role, row))
            kw.setdefault("sheet", self.sheet)
        self.findings.add(code, **kw)


_ROLE_COLUMNS = {**layout.NA_COLUMNS, **layout.COLUMNS}  # role -> column letters, for ``Context.cell``


def is_blank(cell: Cell | None) -> bool:
    """True for a missing or empty cell, or one holding only spaces."""
    if cell is None or cell.value is None:
        return True
    return isinstance(cell.value, str) and not cell.value.strip()


def shown(cell: Cell | None) -> str:
    """A cell's content as a user would read it in a message (decimal comma)."""
    if cell is None or cell.value is None:
        return ""
    if isinstance(cell.value, bool):
        return "TRUE" if cell.value else "FALSE"
    if isinstance(cell.value, Decimal):
        return vi_number(cell.value)
    return cell.value.strip()
