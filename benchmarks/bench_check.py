"""Checking at national scale: 3,321 filled commune workbooks read and validated on this machine.

Setup (not timed): a synthetic campaign on the commune criteria set; every unit
returns a filled workbook (a few dozen filled variants with cached values, each
unit's identity stamped in). Then, in one run:

1. read + validate every file with the two-worker pool (``intake.check_files``):
   target under 30 s;
2. the whole ``run_intake`` (keep by sha256, read, validate, ledger) for reference;
3. per file on the same sample, one process: parxl's read + validate against
   openpyxl loading each file twice (formulas, then ``data_only`` values):
   target parxl at least 5x faster.

Usage: python benchmarks/bench_check.py [--units 3321] [--variants 40] [--sample 300]
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from parxl.campaign.folder import Campaign
from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import validate
from parxl.ledger.receive import check_files, run_intake
from parxl.workbook.build import Identity
from parxl.workbook.layout import SHEET_ASSESS, SHEET_META
from parxl.workbook.stamping import workbook_filename
from scale import filled_templates, make_campaign

TARGET_S = 30.0
TARGET_RATIO = 5.0


def fill_inbox(campaign: Campaign, variants: int) -> list[Path]:
    templates = filled_templates(campaign, variants)
    rng = random.Random(2025)
    paths = []
    for unit in campaign.units:
        path = campaign.inbox_dir / workbook_filename(unit)
        path.write_bytes(rng.choice(templates).stamp(Identity.of(unit)))
        paths.append(path)
    return paths


def openpyxl_twice(path: Path) -> int:
    """What a straightforward reader does: formulas, then cached values, of the two sheets parxl reads."""
    data = path.read_bytes()
    n = 0
    for data_only in (False, True):
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
        for name in (SHEET_ASSESS, SHEET_META):
            for row in wb[name].iter_rows(values_only=True):
                n += sum(v is not None for v in row)
        wb.close()
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--variants", type=int, default=40)
    parser.add_argument("--sample", type=int, default=300, help="files compared one by one with openpyxl")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parxl-bench-check-") as tmp:
        campaign = make_campaign(Path(tmp), args.units)
        fw = campaign.framework
        print(f"criteria set: {fw.id} ({len(fw.items)} items), units: {len(campaign.units)}, CPUs: {os.cpu_count()}")
        t = time.perf_counter()
        paths = fill_inbox(campaign, args.variants)
        size = sum(p.stat().st_size for p in paths) / len(paths)
        print(f"setup (not timed): {len(paths)} filled workbooks, {size / 1024:.0f} KB each, "
              f"{time.perf_counter() - t:.1f} s")

        jobs = [(str(p), p.relative_to(campaign.root).as_posix(), None, str(p.parent)) for p in paths]
        t = time.perf_counter()
        reports = check_files(campaign, jobs, workers=2)
        t_pool = time.perf_counter() - t
        statuses = {s: sum(r.status == s for r in reports) for s in ("ok", "errors", "unreadable")}
        print(f"1. read + validate, 2 workers:  {t_pool:6.2f} s for {len(reports)} files "
              f"({t_pool / len(reports) * 1000:.2f} ms/file wall) — {statuses}")

        t = time.perf_counter()
        result = run_intake(campaign)
        t_intake = time.perf_counter() - t
        print(f"2. run_intake (keep, read, validate, ledger): {t_intake:6.2f} s, "
              f"{len(result.latest)} units recorded, {len(result.missing)} missing")

        sample = random.Random(7).sample(paths, min(args.sample, len(paths)))
        max_row = expected_max_row(fw)
        t = time.perf_counter()
        for p in sample:
            validate(campaign, read_submission(p, name=p.name, max_row=max_row))
        mine = (time.perf_counter() - t) / len(sample)
        t = time.perf_counter()
        for p in sample:
            read_submission(p, name=p.name, max_row=max_row)
        read_only = (time.perf_counter() - t) / len(sample)
        t = time.perf_counter()
        for p in sample:
            openpyxl_twice(p)
        theirs = (time.perf_counter() - t) / len(sample)
        ratio = theirs / mine
        print(f"3. one process, {len(sample)} files: parxl read {read_only * 1000:.2f} ms, read + validate "
              f"{mine * 1000:.2f} ms; openpyxl twice {theirs * 1000:.2f} ms per file")
        print(f"   ratio openpyxl twice / parxl read + validate: {ratio:.1f}x "
              f"(read alone: {theirs / read_only:.1f}x)")
        ok = t_pool < TARGET_S and ratio >= TARGET_RATIO
        print(f"targets: < {TARGET_S:.0f} s with 2 workers: {'yes' if t_pool < TARGET_S else 'NO'}; "
              f">= {TARGET_RATIO:.0f}x openpyxl twice: {'yes' if ratio >= TARGET_RATIO else 'NO'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
