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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..campaign.folder import Campaign
from ..core.progress import Progress
from ..core.report import CommandReport
from ..ledger.check_report import standing_report
from ..core.files import temp_path
from ..core.times import local_iso
from ..ledger.receive import IntakeResult, run_intake
from ..ledger.returned import ReturnedFile, returned_files
from ..ledger.rows import is_explanation_round
from ..ledger.store import SELF, Ledger, LedgerSubmission
from ..results.compute import Results, Source, UnitInput, consolidate
from ..survey.table import load_survey
from . import PreviousEntry, write_master
from .blocks import write_blocks_master
from .reuse import master_key, quick_key, reusable_master, save_master_key
from .snapshot import SnapshotError, load_snapshot, save_snapshot, snapshot_dir, write_units

SURVEY_ROUND = "survey"
COUNTED_SEVERITIES = ("error", "warning")  # what the detail sheet counts as findings of an item



def _round_order(name: str) -> tuple[int, str]:
    """Appraisal rounds in number order (``appraisal-2`` before ``appraisal-10``), then by name."""
    tail = name.rsplit("-", 1)[-1]
    return (int(tail) if tail.isdigit() else 0, name)


def unit_input(campaign: Campaign, sub: LedgerSubmission,
               imported_survey: Mapping[str, Decimal] | None = None) -> UnitInput | None:
    """What the consolidation needs of one unit's latest submission (None for a unit no longer listed).

    ``imported_survey`` is the unit's row of the survey table imported with
    ``parxl survey``; it takes precedence over a ``survey`` round in the ledger.
    """
    unit = campaign.unit(sub.unit_code)
    if unit is None:
        return None
    appraised: dict[str, Decimal] = {}
    for name in sorted((r for r in sub.scores if r not in (SELF, SURVEY_ROUND) and not is_explanation_round(r)),
                       key=_round_order):  # later appraisal rounds override earlier ones; a unit's proposal never counts
        appraised.update(sub.scores[name])
    survey_items = {i.code for i in campaign.framework.items if i.rule.type == "survey"}
    na_items = {i.code: i for i in campaign.framework.items if i.not_applicable is not None}
    survey = {code: v for code, v in sub.scores.get(SURVEY_ROUND, {}).items() if code in survey_items}
    survey.update(imported_survey or {})
    self_inputs = sub.inputs.get(SELF, {})  # only the items that may be marked not applicable are read
    return UnitInput(
        unit=unit,
        status="errors" if sub.status == "errors" or sub.errors > 0 else "ok",
        self_scores=sub.self_scores,  # shared with ``sub``, never changed
        appraised_scores=appraised or None,
        survey_scores=survey or None,
        evidence_counts=sub.evidence_counts,
        finding_counts={item: sum(by.get(s, 0) for s in COUNTED_SEVERITIES) for item, by in sub.finding_counts.items()},
        error_count=sub.errors,
        source=Source(sub.sha256, sub.original_path, sub.received_at),
        not_applicable=frozenset(code for code in na_items if code in self_inputs
                                 and na_items[code].marked_not_applicable(self_inputs[code])),
    )


def unit_inputs(campaign: Campaign, subs: Iterable[LedgerSubmission],
                returned: Iterable[ReturnedFile] = ()) -> list[UnitInput]:
    """What the consolidation needs of every listed unit's latest submission, with the imported survey table.

    ``returned``: units whose file arrived but did not read (``IntakeResult.returned``);
    each gives an input of status ``unreadable`` or ``internal`` (never "missing").
    """
    survey = load_survey(campaign)
    inputs = [i for i in (unit_input(campaign, s, survey.get(s.unit_code)) for s in subs) if i is not None]
    have = {i.unit.code for i in inputs}
    for r in returned:
        unit = campaign.unit(r.unit_code)
        if unit is not None and r.unit_code not in have:
            inputs.append(UnitInput(unit, r.state, source=Source(r.sha256, r.path, r.received_at),
                                    reason=r.reason, by_name=r.by_name))
    return inputs


def _from_ledger(campaign: Campaign) -> tuple[list[LedgerSubmission], list[ReturnedFile]]:
    """Latest readable submissions and units whose files did not read, as the ledger holds them now."""
    with Ledger.open(campaign) as ledger:
        subs = ledger.latest_submissions()
        returned = returned_files(ledger, [u.code for u in campaign.units], {s.unit_code for s in subs})
    return subs, returned


def results_from_submissions(campaign: Campaign, subs: Iterable[LedgerSubmission], made_at: str | None = None) -> Results:
    """Index, rank and band of every listed unit of ``subs``; ``made_at`` (ISO local time) defaults to now.

    Raises SurveyError when the campaign's survey table no longer reads.
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
        **({"not_applicable": sorted(i.not_applicable)} if i.not_applicable else {}),
    } for i in ordered]
    cfg = campaign.config
    return {
        "ledger": _digest(ledger),
        "survey": _digest([[i.unit.code, _scores(i.survey_scores)] for i in ordered if i.survey_scores]),
        "units": _digest([[u.code, u.name, u.kind] + ([False] if not u.ranked else []) for u in campaign.units]),
        "settings": _digest({"year": cfg.year, "block": cfg.block, "survey_held": cfg.survey_held,
                             "tie_rule": cfg.tie_rule, "missing_policy": cfg.missing_policy,
                             "bands": [b.model_dump(mode="json") for b in campaign.bands],
                             **({"tie_break": cfg.tie_break} if cfg.tie_break else {})}),
        "criteria": campaign.framework.fingerprint,
    }


def current_fingerprint(campaign: Campaign) -> dict[str, str]:
    """``results_fingerprint`` of what the ledger and the survey table hold now (no intake is run);
    ``blocks_fingerprint`` for a campaign with ``blocks:``.

    Raises SurveyError when the campaign's survey table no longer reads.
    """
    subs, returned = _from_ledger(campaign)
    if campaign.has_blocks:
        return blocks_fingerprint(campaign, subs, returned)
    return results_fingerprint(campaign, unit_inputs(campaign, subs, returned))


def blocks_fingerprint(campaign: Campaign, subs: Sequence[LedgerSubmission],
                       returned: Sequence[ReturnedFile]) -> dict[str, str]:
    """The fingerprint of a campaign with ``blocks:``: per part, the digest of every block's
    ``results_fingerprint`` of that part (block id → digest), plus ``blocks`` (each block's id, title and
    ``ranked``). Same parts as ``results_fingerprint``, so the documents name what changed the same way.
    """
    per_block = {view.block_id: results_fingerprint(view, unit_inputs(view, subs, returned))
                 for view in campaign.views()}
    parts = next(iter(per_block.values())).keys()
    out = {part: _digest({b: fp[part] for b, fp in per_block.items()}) for part in parts}
    out["settings"] = _digest([out["settings"], [[b.id, b.title, b.ranked] for b in campaign.blocks]])
    return out


def unrank(results: Results) -> Results:
    """``results`` of a block that is not ranked (``ranked: false``): every unit keeps its index, field
    sub-indices and band, and has no rank. Changes ``results`` in place and returns it."""
    for u in results.units:
        u.rank = None
    return results


def block_results(campaign: Campaign, subs: Sequence[LedgerSubmission], returned: Sequence[ReturnedFile],
                  made_at: str) -> list[Results]:
    """Each block's results (campaign.yaml order), computed on the block's view of ``campaign``: ranks,
    bands, tie rule and missing policy are the block's, and never cross blocks."""
    out = []
    for view in campaign.views():
        results = consolidate(view, unit_inputs(view, subs, returned), made_at)
        out.append(results if view.blocks[0].ranked else unrank(results))
    return out


def combined(campaign: Campaign, blocks: Sequence[Results]) -> Results:
    """One ``Results`` of every unit of every block (block order, then each block's units-list order),
    carrying the whole ``campaign``: what the snapshot saves. Ranks stay each block's own."""
    return Results(campaign, [u for r in blocks for u in r.units], blocks[0].made_at,
                   any(r.has_appraisal for r in blocks), any(r.has_survey for r in blocks))


def split_results(results: Results) -> list[Results]:
    """``results`` of a campaign with ``blocks:`` cut into one ``Results`` per block, each carrying the
    block's view of the campaign (for the documents, which draft each block as its own table); a campaign
    without ``blocks:`` gives ``[results]``. ``has_appraisal``/``has_survey`` are the whole campaign's."""
    campaign = results.campaign
    if not campaign.has_blocks:
        return [results]
    out = []
    for view in campaign.views():
        units = [u for u in results.units if view.unit(u.unit.code) is not None]
        out.append(Results(view, units, results.made_at, results.has_appraisal,
                           results.has_survey and any(u.survey_points for u in units)))
    return out


def results_from_ledger(campaign: Campaign, made_at: str | None = None) -> Results:
    """Index, rank and band of every unit from what the ledger holds now (no intake is run).

    A unit whose file arrived but did not read is ``unreadable`` or ``internal``, never ``missing``.
    """
    subs, returned = _from_ledger(campaign)
    return consolidate(campaign, unit_inputs(campaign, subs, returned),
                       made_at or local_iso())


@dataclass
class Consolidation:
    """One ``run_consolidation``: the intake it ran first, the results, the master written and its snapshot."""

    intake: IntakeResult
    results: Results
    master: Path
    snapshot: Path | None = None  # the results saved beside the master, which the documents follow
    blocks: list[Results] = field(default_factory=list)  # each block's results (campaign with ``blocks:``)
    reused: bool = False  # nothing the master shows had changed: the last master and its snapshot stand

    def report(self, campaign: Campaign, payload: dict | None = None) -> CommandReport:
        """The ``CommandReport`` of ``parxl consolidate``, with ``payload`` as its JSON.

        Findings: those that stand after the intake, as ``parxl check`` counts
        them; they do not fail the command (``missing_policy`` decides what
        happens to such units and the master lists them), so the exit code is 3
        when parxl failed on a file in ``inbox/`` (``intake.internal``), else 0.
        """
        # the findings counted by the ledger, read only if a caller asks for them (the console and JSON show counts)
        return standing_report("consolidate", campaign, self.intake, payload, errors_fail=False)


def run_consolidation(campaign: Campaign, previous: Mapping[str, PreviousEntry] | None = None,
                      intake_progress: Progress | None = None,
                      master_progress: Progress | None = None) -> Consolidation:
    """Intake of inbox/, then results from the ledger, then a new master workbook in output/
    and the snapshot of its results in the state folder (``master.snapshot``).

    When nothing the master shows has changed since the last consolidation (``master_key``: the
    results' inputs, campaign.yaml, the units list, the survey table, ``previous``, parxl's version)
    and the last master is still in output/ as it was written, no new master is written: the
    ``Consolidation`` names the last master and its snapshot, ``reused`` is True, and its results
    (made again from the same inputs, at the last master's ``made_at``) are the ones that master shows.
    When, besides, the ledger file is as it was when that master was written and the intake found the same
    files in inbox/ and read none afresh (``quick_key``), the ledger's items are not read and the results
    are the master's snapshot (``load_snapshot``), the same ones.

    ``intake_progress`` gets ``(done, files, file)`` while the inbox is read, ``master_progress``
    ``(done, steps, sheet)`` while the master is written (``core.progress.Progress``).

    Never raises for one file of inbox/: parxl's own failures on files are in
    ``Consolidation.intake.internal`` (and in ``report(...).internal_errors``).
    Raises ParxlError (exit 1) when the ledger or the survey table cannot be read.
    """
    if campaign.has_blocks:
        intake = run_intake(campaign, intake_progress)
    else:  # the items are read only when the last master cannot stand (see ``quick_key``)
        intake = run_intake(campaign, intake_progress, items=False)
        quick = None if intake.internal else quick_key(campaign, intake, previous)
        again = _again(campaign, intake, quick)
        if again is not None:
            return again
        with Ledger.open(campaign) as ledger:  # as ``run_intake`` with its items would have given them
            intake.latest = [s for s in ledger.latest_submissions() if s.unit_code not in intake.held]
    if campaign.has_blocks:  # each block ranked on its own, one master with every block's sheets
        fingerprint = blocks_fingerprint(campaign, intake.latest, intake.returned)
        key = master_key(campaign, fingerprint, previous, intake.returned)
        last = reusable_master(campaign, key)
        blocks = block_results(campaign, intake.latest, intake.returned, last.made_at if last else local_iso())
        results = combined(campaign, blocks)
        if last is not None:
            return Consolidation(intake, results, last.master, last.snapshot, blocks, reused=True)
        master = write_blocks_master(blocks, campaign.output_dir, previous, master_progress)
        snapshot = save_snapshot(results, master, fingerprint)
        save_master_key(campaign, key, master, snapshot, results.made_at)
        return Consolidation(intake, results, master, snapshot, blocks)
    inputs = unit_inputs(campaign, intake.latest, intake.returned)
    fingerprint = results_fingerprint(campaign, inputs)
    key = master_key(campaign, fingerprint, previous, intake.returned)
    last = reusable_master(campaign, key)
    results = consolidate(campaign, inputs, last.made_at if last else local_iso())
    if last is not None:
        if quick is not None:  # the next run with nothing new reads the results from the snapshot
            save_master_key(campaign, key, last.master, last.snapshot, last.made_at, quick)
        return Consolidation(intake, results, last.master, last.snapshot, reused=True)
    with temp_path(snapshot_dir(campaign)) as units:  # the snapshot's units encoded while the master's rows are made
        master = write_master(results, campaign.output_dir, previous, master_progress,
                              meanwhile=lambda: write_units(results, units))
        snapshot = save_snapshot(results, master, fingerprint, units)
    # the quick key taken before the items were read: a ledger written since (another command) is seen next run
    save_master_key(campaign, key, master, snapshot, results.made_at, quick)
    return Consolidation(intake, results, master, snapshot)


def _again(campaign: Campaign, intake: IntakeResult, quick: str | None) -> Consolidation | None:
    """The last consolidation again when ``quick`` (``quick_key``) is the one saved with its master, that
    master and its snapshot are as written and the snapshot reads: its results are the snapshot's (the ones
    the master shows). None otherwise: the results are made again from the ledger."""
    fresh = intake.revalidated or intake.internal  # read afresh: the ledger's rows are read again
    last = None if quick is None or fresh else reusable_master(campaign, quick, "quick")
    if last is None:
        return None
    try:
        results = load_snapshot(campaign, last.snapshot, details=False).results  # the items only if asked
    except SnapshotError:
        return None
    return Consolidation(intake, results, last.master, last.snapshot, reused=True)
