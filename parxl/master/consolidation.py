"""From the ledger to results and the master workbook: what ``parxl consolidate`` does.

``results_from_ledger(campaign)`` reads, for every unit, the latest readable
version of its file (a newer version supersedes an older one) with every
round recorded for it, and hands them to ``results.consolidate``.
``run_consolidation`` first runs the intake (as ``parxl check`` does), then
writes a new master workbook into ``output/`` and, beside it in the state folder,
the results it shows (``master.snapshot``) with the fingerprint of their inputs
(``results_fingerprint``): the documents render from that snapshot, and refuse
when ``current_fingerprint`` says the inputs have changed since.

Rounds: ``self`` is the self-assessment; a round named ``survey`` carries the
survey items' points; every other round is an appraisal round, applied in
name order (``appraisal-1`` then ``appraisal-2``), a later round's score of an
item replacing an earlier one.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..campaign.folder import Campaign
from ..core.times import local_iso
from ..ledger.receive import IntakeResult, run_intake
from ..ledger.store import SELF, Ledger, UnitSubmission
from ..results.compute import Results, Source, UnitInput, consolidate
from ..survey.table import load_survey
from . import PreviousEntry, write_master
from .snapshot import save_snapshot

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


def unit_inputs(campaign: Campaign, subs: Iterable[UnitSubmission]) -> list[UnitInput]:
    """What the consolidation needs of every listed unit's latest submission, with the imported survey table."""
    survey = load_survey(campaign)
    return [i for i in (unit_input(campaign, s, survey.get(s.unit_code)) for s in subs) if i is not None]


def results_from_submissions(campaign: Campaign, subs: Iterable[UnitSubmission], made_at: str | None = None) -> Results:
    """Index, rank and band of every unit from its latest ledger submissions (``results.compute.consolidate``).

    ``made_at`` defaults to now, local time (``core.times.local_iso``).
    """
    return consolidate(campaign, unit_inputs(campaign, subs), made_at or local_iso())


def _scores(values: Mapping[str, Decimal] | None) -> dict[str, str] | None:
    return None if values is None else {k: str(v) for k, v in sorted(values.items())}


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def results_fingerprint(campaign: Campaign, inputs: Sequence[UnitInput]) -> dict[str, str]:
    """sha256 of each part of what the results are computed from: part name -> hex digest.

    Parts: ``ledger`` (per unit: its latest file, status, self scores, the merged
    appraisal rounds, evidence and finding counts), ``survey`` (the survey points each
    unit gets, from the imported table or a survey round), ``units`` (the units list),
    ``settings`` (campaign.yaml entries that change results: year, block, survey_held,
    tie_rule, missing_policy, bands) and ``criteria`` (the criteria set's fingerprint).
    The one function for both saving a master's snapshot and checking it later, so
    equal digests mean the same results.
    """
    ordered = sorted(inputs, key=lambda i: i.unit.code)
    ledger = [{
        "unit": i.unit.code, "status": i.status, "self": _scores(i.self_scores),
        "appraised": _scores(i.appraised_scores), "evidence": dict(sorted(i.evidence_counts.items())),
        "findings": dict(sorted(i.finding_counts.items())), "errors": i.error_count,
        "source": None if i.source is None else [i.source.sha256, i.source.path, i.source.received_at],
    } for i in ordered]
    cfg = campaign.config
    return {
        "ledger": _digest(ledger),
        "survey": _digest([[i.unit.code, _scores(i.survey_scores)] for i in ordered if i.survey_scores]),
        "units": _digest([[u.code, u.name, u.kind] for u in campaign.units]),
        "settings": _digest({"year": cfg.year, "block": cfg.block, "survey_held": cfg.survey_held,
                             "tie_rule": cfg.tie_rule, "missing_policy": cfg.missing_policy,
                             "bands": [b.model_dump(mode="json") for b in campaign.bands]}),
        "criteria": campaign.framework.fingerprint,
    }


def current_fingerprint(campaign: Campaign) -> dict[str, str]:
    """``results_fingerprint`` of what the ledger and the survey table hold now (no intake is run).

    Raises SurveyError when the campaign's survey table no longer reads.
    """
    with Ledger.open(campaign) as ledger:
        subs = ledger.latest_submissions()
    return results_fingerprint(campaign, unit_inputs(campaign, subs))


def results_from_ledger(campaign: Campaign, made_at: str | None = None) -> Results:
    """Index, rank and band of every unit from what the ledger holds now (no intake is run)."""
    with Ledger.open(campaign) as ledger:
        subs = ledger.latest_submissions()
    return results_from_submissions(campaign, subs, made_at)


@dataclass
class Consolidation:
    """What ``run_consolidation`` did: the intake pass, the results, the master written and its snapshot."""

    intake: IntakeResult
    results: Results
    master: Path
    snapshot: Path | None = None  # the results saved beside the master, which the documents follow


def run_consolidation(campaign: Campaign, previous: Mapping[str, PreviousEntry] | None = None,
                      intake_progress: IntakeProgress | None = None,
                      step: StepProgress | None = None) -> Consolidation:
    """Intake of inbox/, then results from the ledger, then a new master workbook in output/
    and the snapshot of its results in the state folder (``master.snapshot``)."""
    intake = run_intake(campaign, intake_progress)
    inputs = unit_inputs(campaign, intake.latest)
    results = consolidate(campaign, inputs, local_iso())
    master = write_master(results, campaign.output_dir, previous, step)
    snapshot = save_snapshot(results, master, results_fingerprint(campaign, inputs))
    return Consolidation(intake, results, master, snapshot)
