"""Consolidating at national scale: 3,321 commune-level units, end to end, on this machine.

Builds a synthetic campaign on the commune criteria set and fills every
unit's returned workbook (a few dozen filled variants, each unit's identity
stamped in; a handful with errors, a few units silent), then measures:

- ``run_consolidation`` end to end — intake (keep, read, validate with two
  worker processes, record in the ledger), results from the ledger, the master
  workbook — and its phases;
- the same again with nothing new in inbox/ (the clerk clicks twice);
- for reference, ``results.consolidate`` + ``write_master`` on synthetic inputs
  (no files at all): the share of the run that is consolidation proper.

The target is end to end under 60 s on a 2-core machine.

Usage: python benchmarks/bench_consolidate.py [--units 3321] [--variants 40]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from parxl.campaign.folder import Campaign
from parxl.ledger.receive import run_intake
from parxl.master import write_master
from parxl.master.consolidation import results_from_submissions, run_consolidation
from parxl.results.compute import Source, UnitInput, consolidate
from parxl.workbook.build import Identity
from parxl.workbook.stamping import workbook_filename
from scale import filled_templates, make_campaign

TARGET_S = 60.0


def fill_inbox(campaign: Campaign, variants: int) -> tuple[int, int]:
    """Every unit but ~1 % returns a filled workbook; returns (files written, silent units)."""
    templates = filled_templates(campaign, variants)
    rng = random.Random(2025)
    written = silent = 0
    campaign.inbox_dir.mkdir(exist_ok=True)
    for unit in campaign.units:
        if rng.random() < 0.01:
            silent += 1
            continue
        data = rng.choice(templates).stamp(Identity.of(unit))
        (campaign.inbox_dir / workbook_filename(unit)).write_bytes(data)
        written += 1
    return written, silent


def synthetic_inputs(campaign: Campaign) -> list[UnitInput]:
    rng = random.Random(1)
    fw = campaign.framework
    inputs = []
    for unit in campaign.units:
        scores = {i.code: Decimal(rng.randint(0, int(i.max * 4))) / 4 for i in fw.items if i.rule.type != "survey"}
        inputs.append(UnitInput(unit, "ok", scores, evidence_counts={k: 1 for k in scores},
                                source=Source("0" * 64, "inbox/x.xlsx", "2025-12-01T00:00:00Z")))
    return inputs


def timed(label: str, fn, *args):
    t = time.perf_counter()
    value = fn(*args)
    elapsed = time.perf_counter() - t
    print(f"  {label:<44} {elapsed:7.2f} s")
    return value, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--variants", type=int, default=40, help="distinct filled workbooks stamped across units")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parxl-bench-") as tmp:
        campaign = make_campaign(Path(tmp), args.units)
        fw = campaign.framework
        print(f"criteria set: {fw.id} ({len(fw.items)} items), units: {len(campaign.units)}, "
              f"CPUs: {os.cpu_count()}")
        t = time.perf_counter()
        written, silent = fill_inbox(campaign, args.variants)
        print(f"setup (not timed below): {written} returned workbooks, {silent} silent units, "
              f"{time.perf_counter() - t:.1f} s")

        print("synthetic inputs, no files (reference):")
        inputs = synthetic_inputs(campaign)
        results, t_cons = timed("results.consolidate", consolidate, campaign, inputs)
        _, t_master = timed("write_master", write_master, results, Path(tmp) / "synthetic-out")

        print("end to end, phase by phase (first run: every file new):")
        t0 = time.perf_counter()
        intake, t_intake = timed("intake (keep, read, validate, ledger)", run_intake, campaign)
        results, t_results = timed("results from the ledger", results_from_submissions, campaign, intake.latest)
        master, t_write = timed("master workbook", write_master, results, campaign.output_dir)
        first = time.perf_counter() - t0
        print(f"  {'total':<44} {first:7.2f} s   ({first / TARGET_S:.0%} of the {TARGET_S:.0f} s target)")
        print(f"  ranked {len(results.ranked)}, left out {len(results.unranked)}; master "
              f"{master.stat().st_size / 1e6:.1f} MB")

        print("end to end again, nothing new in inbox/ (run_consolidation):")
        outcome, again = timed("run_consolidation", run_consolidation, campaign)
        assert outcome.master != master and master.exists()

        ok = first < TARGET_S and again < TARGET_S
        print(f"{'PASS' if ok else 'FAIL'}: end to end {first:.1f} s (first), {again:.1f} s (again); "
              f"target {TARGET_S:.0f} s. Consolidation proper (results + master) is "
              f"{(t_results + t_write) / first:.0%} of the first run; synthetic reference "
              f"{t_cons + t_master:.1f} s.")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
