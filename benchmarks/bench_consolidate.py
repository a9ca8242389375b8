"""`parxl consolidate` at national scale: 3,321 and 10,000 units from an empty ledger, then again with nothing new.

Setup (not timed): a synthetic campaign on the commune criteria set; ~99 % of the
units return a workbook filled and saved by LibreOffice (``--kind lo``, default) or
written by parxl (``--kind parxl``), each given its unit's identity. Then, for each
size, in a fresh process each time:

1. ``parxl consolidate`` end to end from an empty ledger (intake, results, master):
   target < 20 s for 3,321; < 60 s and peak memory < 500 MB for 10,000. Peak memory
   is the largest of the command's process and its two reading workers;
2. ``parxl consolidate`` again with nothing new in inbox/: target < 3 s;
3. its baseline in the same run: ``consolidate`` again with the validation cache
   removed (every file read again, as before the cache). The first run has no
   baseline: its figure is held to its target only.

Usage: python benchmarks/bench_consolidate.py [--sizes 3321,10000] [--variants 40] [--kind lo|parxl]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from scale import (fill_inbox_with, filled_templates, libreoffice_templates, machine_line, make_campaign, run_cli,
                   verdict)

TARGETS = {3321: (20.0, None), 10000: (60.0, 500.0)}
TARGET_AGAIN_S = 3.0


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def one_size(units: int, args) -> bool:
    target, target_mb = TARGETS.get(units, (60.0, 500.0))
    with tempfile.TemporaryDirectory(prefix="parxl-bench-consolidate-") as tmp:
        campaign = make_campaign(Path(tmp), units)
        t = time.perf_counter()
        templates = (libreoffice_templates(campaign, args.variants) if args.kind == "lo"
                     else filled_templates(campaign, args.variants))
        paths = fill_inbox_with(campaign, templates, silent_share=0.01)
        print(f"\n[{units} units, {len(paths)} returned workbooks, "
              f"{'saved by LibreOffice' if args.kind == 'lo' else 'written by parxl'}] setup "
              f"{time.perf_counter() - t:.0f} s (not timed); {machine_line()}", flush=True)
        first, peak, rc = run_cli("consolidate", str(campaign.root))
        workers = children_peak_mb()  # the largest finished child so far: a reading worker or a command
        again, peak2, _ = run_cli("consolidate", str(campaign.root))
        # baseline: the same work without the cache, as before it existed (check, then consolidate reading again)
        (campaign.state_dir / "validation-cache.sqlite").unlink(missing_ok=True)
        base_again, _, _ = run_cli("consolidate", str(campaign.root))
        ok = verdict(f"consolidate, empty ledger (exit {rc})", first, target)
        print(f"  peak RSS: command {peak:.0f} MB, largest process of the run {max(peak, workers):.0f} MB"
              + (f" (target < {target_mb:g} MB: {'yes' if max(peak, workers) < target_mb else 'NO'})" if target_mb else ""))
        if target_mb:
            ok &= max(peak, workers) < target_mb
        ok &= verdict(f"consolidate again, nothing new (peak {peak2:.0f} MB)", again, TARGET_AGAIN_S, base_again)
        print(f"  (baseline: consolidate again with the validation cache removed, every file read again; "
              f"{machine_line()})")
        return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3321,10000")
    parser.add_argument("--variants", type=int, default=40)
    parser.add_argument("--kind", choices=("lo", "parxl"), default="lo")
    args = parser.parse_args()
    print(f"bench_consolidate; {machine_line()}")
    ok = True
    for size in (int(s) for s in args.sizes.split(",")):
        ok &= one_size(size, args)
    print("PASS" if ok else "FAIL (see the lines marked NO)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
