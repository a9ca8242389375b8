"""Generating workbooks at national scale: 3,321 commune-level units.

Builds a synthetic campaign on the commune criteria set and measures, in one run:
- the plain per-unit build (``build_workbook``: XlsxWriter writes every unit
  from scratch), on a sample of units, projected to all units;
- the stamping path: ``Template.stamp`` in memory, and ``generate`` end to end
  (template + stamping + writing every file).

Usage: python benchmarks/bench_generate.py [--units 3321] [--plain-sample 300]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from parxl.workbook.build import Identity, build_workbook
from parxl.workbook.stamping import Template, generate
from scale import machine_line, make_campaign, peak_rss_mb, verdict

TARGET_S = 3.0

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--plain-sample", type=int, default=300, help="units built the plain way (projected to all)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parxl-bench-") as tmp:
        campaign = make_campaign(Path(tmp), args.units)
        n = len(campaign.units)
        print(f"criteria set: {campaign.framework.id} ({len(campaign.framework.items)} items), units: {n}; "
              f"{machine_line()}")

        sample = campaign.units[: min(args.plain_sample, n)]
        plain_ms = []
        for unit in sample:
            t = time.perf_counter()
            build_workbook(campaign, unit)
            plain_ms.append((time.perf_counter() - t) * 1000)
        plain = statistics.median(plain_ms)

        t = time.perf_counter()
        template = Template.for_campaign(campaign)
        template_ms = (time.perf_counter() - t) * 1000
        stamp_ms = []
        for unit in campaign.units:
            t = time.perf_counter()
            template.stamp(Identity.of(unit))
            stamp_ms.append((time.perf_counter() - t) * 1000)
        stamp = statistics.median(stamp_ms)

        t = time.perf_counter()
        paths = generate(campaign)
        generate_s = time.perf_counter() - t
        size_kb = statistics.median(p.stat().st_size for p in paths[:50]) / 1024

    print(f"plain build (XlsxWriter per unit): {plain:8.2f} ms/workbook (median of {len(sample)}), "
          f"projected {plain * n / 1000:6.1f} s for {n}")
    print(f"stamping, in memory:               {stamp:8.3f} ms/workbook (median of {n}), "
          f"template built once in {template_ms:.0f} ms")
    print(f"generate end to end (write files): {generate_s * 1000 / n:8.3f} ms/workbook, {generate_s:6.2f} s for {n}")
    print(f"ratio plain / stamping: {plain / stamp:6.0f}x in memory, {plain * n / 1000 / generate_s:6.1f}x end to end")
    print(f"workbook size: {size_kb:.1f} KB; peak RSS {peak_rss_mb():.0f} MB; {machine_line()}")
    ok = verdict(f"generate {n} workbooks", generate_s, TARGET_S, plain * n / 1000)
    print("  (baseline: the plain XlsxWriter build of every unit, projected from the sample)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
