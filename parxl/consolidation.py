"""From the ledger to results and the master workbook: what ``parxl consolidate`` does.

``results_from_ledger(campaign)`` reads, for every unit, the latest readable
version of its file (a newer version supersedes an older one) with every
round recorded for it, and hands them to ``results.consolidate``.
``run_consolidation`` first runs the intake (as ``parxl check`` does), then
writes a new master workbook into ``output/``.

Rounds: ``self`` is the self-assessment; a round named ``survey`` carries the
survey items' points; every other round is an appraisal round, applied in
name order (``appraisal-1`` then ``appraisal-2``), a later round's score of an
item replacing an earlier one.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .campaign import Campaign
from .intake import IntakeResult, run_intake
from .ledger import SELF, Ledger, UnitSubmission
from .master import PreviousEntry, write_master
from .results import Results, Source, UnitInput, consolidate
from .survey import load_survey

SURVEY_ROUND = "survey"
COUNTED_SEVERITIES = ("error", "warning")  # what the detail sheet counts as findings of an item

IntakeProgress = Callable[[int, int, str], None]  # (done, total, current file), as run_intake reports
StepProgress = Callable[[str], None]


def unit_input(campaign: Campaign, sub: UnitSubmission,
               imported_survey: Mapping[str, Decimal] | None = None) -> UnitInput | None:
    """What the consolidation needs of one unit's latest submission (None for a unit no longer listed).

    ``imported_survey`` is the unit's row of the survey table imported with
    ``parxl survey``; it takes precedence over a ``survey`` round in the ledger.
    """
    unit = campaign.unit(sub.unit_code)
    if unit is None:
        return None
    appraised: dict[str, Decimal] = {}
    for name in sorted(r for r in sub.scores if r not in (SELF, SURVEY_ROUND)):
        appraised.update(sub.scores[name])
    survey_items = {i.code for i in campaign.framework.items if i.rule.type == "survey"}
    survey = {code: v for code, v in sub.scores.get(SURVEY_ROUND, {}).items() if code in survey_items}
    survey.update(imported_survey or {})
    return UnitInput(
        unit=unit,
        status="errors" if sub.status == "errors" or sub.errors > 0 else "ok",
        self_scores=dict(sub.self_scores),
        appraised_scores=appraised or None,
        survey_scores=survey or None,
        evidence_counts=dict(sub.evidence_counts),
        finding_counts={item: sum(by.get(s, 0) for s in COUNTED_SEVERITIES) for item, by in sub.finding_counts.items()},
        error_count=sub.errors,
        source=Source(sub.sha256, sub.original_path, sub.received_at),
    )


def results_from_submissions(campaign: Campaign, subs: Iterable[UnitSubmission], made_at: str | None = None) -> Results:
    survey = load_survey(campaign)
    inputs = [i for i in (unit_input(campaign, s, survey.get(s.unit_code)) for s in subs) if i is not None]
    return consolidate(campaign, inputs, made_at or dt.datetime.now().isoformat(timespec="seconds"))


def results_from_ledger(campaign: Campaign, made_at: str | None = None) -> Results:
    """Index, rank and band of every unit from what the ledger holds now (no intake is run)."""
    with Ledger.open(campaign) as ledger:
        subs = ledger.latest_submissions()
    return results_from_submissions(campaign, subs, made_at)


@dataclass
class Consolidation:
    intake: IntakeResult
    results: Results
    master: Path


def run_consolidation(campaign: Campaign, previous: Mapping[str, PreviousEntry] | None = None,
                      intake_progress: IntakeProgress | None = None,
                      step: StepProgress | None = None) -> Consolidation:
    """Intake of inbox/, then results from the ledger, then a new master workbook in output/."""
    intake = run_intake(campaign, intake_progress)
    results = results_from_submissions(campaign, intake.latest)
    master = write_master(results, campaign.output_dir, previous, step)
    return Consolidation(intake, results, master)
