"""`parxl check` at national scale: 3,321 returned workbooks, as LibreOffice saves them and as parxl wrote them.

Setup (not timed): a synthetic campaign on the commune criteria set; every unit
returns a filled workbook: a few dozen variants filled and saved by LibreOffice
through UNO (``scale.libreoffice_templates``, kept in ~/.cache/parxl-bench), or
filled by parxl itself (``scale.filled_templates``), then given every unit's
identity. Then, for each kind of file:

1. ``parxl check`` end to end in a fresh process (keep, read, validate in two
   workers, ledger, check report and one feedback file per unit): target < 15 s;
2. the baseline in the same run: openpyxl loading each file twice (formulas, then
   ``data_only`` values) in 2 processes, on a sample, projected to every file:
   target parxl >= 10x faster;
3. ``parxl check`` again with nothing new in inbox/: target < 3 s.

Prints the machine's CPU count and load, and each process's peak RSS.

Usage: python benchmarks/bench_check.py [--units 3321] [--variants 40] [--sample 400] [--kind lo|parxl|both]
"""
from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import openpyxl

from parxl.workbook.layout import SHEET_ASSESS, SHEET_META
from scale import (fill_inbox_with, filled_templates, libreoffice_templates, machine_line, make_campaign, run_cli,
                   verdict)

TARGET_S = 15.0
TARGET_AGAIN_S = 3.0
TARGET_RATIO = 10.0


def openpyxl_twice(path: str) -> int:
    """What a straightforward reader does: formulas, then cached values, of the two sheets parxl reads."""
    data = Path(path).read_bytes()
    n = 0
    for data_only in (False, True):
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
        for name in (SHEET_ASSESS, SHEET_META):
            for row in wb[name].iter_rows(values_only=True):
                n += sum(v is not None for v in row)
        wb.close()
    return n


def baseline(paths: list[Path], sample: int) -> tuple[float, int]:
    """openpyxl twice in 2 processes on a sample: (seconds projected to every path, sample size)."""
    chosen = random.Random(7).sample(paths, min(sample, len(paths)))
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(openpyxl_twice, [str(p) for p in chosen[:4]]))  # warm both workers
        t = time.perf_counter()
        list(pool.map(openpyxl_twice, [str(p) for p in chosen], chunksize=8))
        took = time.perf_counter() - t
    return took * len(paths) / len(chosen), len(chosen)


def one_kind(kind: str, args) -> bool:
    with tempfile.TemporaryDirectory(prefix=f"parxl-bench-check-{kind}-") as tmp:
        campaign = make_campaign(Path(tmp), args.units)
        t = time.perf_counter()
        templates = (libreoffice_templates(campaign, args.variants) if kind == "lo"
                     else filled_templates(campaign, args.variants))
        paths = fill_inbox_with(campaign, templates)
        size = sum(p.stat().st_size for p in paths) / len(paths)
        print(f"\n[{'saved by LibreOffice' if kind == 'lo' else 'written by parxl'}] {len(paths)} returned "
              f"workbooks of {args.variants} variants, {size / 1024:.0f} KB each (setup {time.perf_counter() - t:.0f} s, "
              f"not timed); {machine_line()}", flush=True)
        first, peak, rc = run_cli("check", str(campaign.root))
        base, n = baseline(paths, args.sample)
        ok = verdict(f"check, first run (exit {rc}, peak RSS {peak:.0f} MB)", first, TARGET_S, base, TARGET_RATIO)
        print(f"  (baseline: openpyxl loading each file twice, 2 processes, {n} files measured, projected "
              f"to {len(paths)}; {machine_line()})")
        again, peak, rc = run_cli("check", str(campaign.root))
        ok &= verdict(f"check again, nothing new (peak RSS {peak:.0f} MB)", again, TARGET_AGAIN_S, first)
        print("  (baseline of the second run: the first run)")
        return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--variants", type=int, default=40)
    parser.add_argument("--sample", type=int, default=400, help="files read by the openpyxl baseline")
    parser.add_argument("--kind", choices=("lo", "parxl", "both"), default="both")
    args = parser.parse_args()
    print(f"bench_check: {args.units} units; {machine_line()}")
    ok = True
    for kind in ("lo", "parxl") if args.kind == "both" else (args.kind,):
        ok &= one_kind(kind, args)
    print("PASS" if ok else "FAIL (see the lines marked NO)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
