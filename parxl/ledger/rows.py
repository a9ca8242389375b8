"""The rows the ledger hands back: a receipt, a unit's recorded submission, one recorded item.

They are plain values read from ``parxl.ledger.store.Ledger``; nothing here touches SQLite.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from ..criteria.rules import Value

SELF = "self"  # the self-assessment round; appraisal rounds are "appraisal-1", …
EXPLANATION_PREFIX = "explanation-"  # a unit's explanation of appraisal round N is recorded as round "explanation-N"


def is_explanation_round(round: str) -> bool:
    """Whether ``round`` holds a unit's explanations (``explanation-N``), never scores that count."""
    return round.startswith(EXPLANATION_PREFIX)


def encode_value(v: Value) -> object:
    """An input value as JSON can hold it: a Decimal becomes ``{"d": "12.5"}`` (never a float); text and None stay."""
    return {"d": str(v)} if isinstance(v, Decimal) else v


def decode_value(v: object) -> Value:
    """The inverse of ``encode_value``: ``{"d": "12.5"}`` → ``Decimal("12.5")``; anything else as it is."""
    return Decimal(v["d"]) if isinstance(v, dict) else v  # type: ignore[return-value]


@dataclass(frozen=True)
class Receipt:
    """One receipt as the ledger keeps it (``Ledger.files``): a content received at a path at a time.

    Not to be confused with ``parxl.ledger.inbox.InboxFile``, a file found under inbox/ in *this*
    run (with its report); a ``Receipt`` is the ledger's record of every run's receipts, read back.
    Times are ISO 8601 UTC.
    """

    path: str          # original path, relative to the campaign folder ("inbox/a.zip!/X01.xlsx" inside a zip)
    sha256: str
    received_at: str   # ISO 8601 UTC: the file's modification time in inbox/
    kind: str          # workbook, evidence, archive
    status: str | None  # of the latest check of its content (None for evidence and archives)


@dataclass
class LedgerSubmission:
    """A unit's latest readable file as the ledger recorded it, with its scores per round (points, Decimal).

    Named apart from ``parxl.intake.submission.Submission`` (what one file *says*, read from the file):
    a ``LedgerSubmission`` is a ledger row, what was *recorded* of a unit's file after the check
    (``Ledger.latest_submissions``): status, totals, finding counts, the rounds' scores and the
    sha256 of the versions it supersedes.
    """

    unit_code: str
    unit_name: str
    sha256: str
    original_path: str
    received_at: str
    stored_path: Path
    status: str
    total_self: Decimal | None
    errors: int
    warnings: int
    inputs: dict[str, dict[str, dict[str, Value]]] = field(default_factory=dict)  # round -> item -> key -> value
    scores: dict[str, dict[str, Decimal]] = field(default_factory=dict)           # round -> item -> points
    evidence_counts: dict[str, int] = field(default_factory=dict)
    finding_counts: dict[str, dict[str, int]] = field(default_factory=dict)       # item -> severity -> n
    superseded: list[str] = field(default_factory=list)

    @property
    def self_scores(self) -> dict[str, Decimal]:
        """Item code → self-assessed points (the ``SELF`` round); empty when none are recorded."""
        return self.scores.get(SELF, {})


class LedgerItem(NamedTuple):
    """One item of one recorded version, as the ledger gives it back (``Ledger.item_details``).

    Kept apart from ``parxl.intake.validation.FileItem`` (one item as read from one file): an
    appraisal round's items have no inputs and no evidence and carry the appraiser's opinion as
    ``explanation``, and the ledger keeps no typed cached value. ``score`` is in points.
    """

    inputs: dict[str, Value]
    score: Decimal
    evidence: list[str]
    explanation: str  # the unit's explanation; an appraisal round keeps the appraiser's opinion here
