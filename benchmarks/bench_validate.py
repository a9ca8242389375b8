"""``validate`` alone: CPU per returned file, and the reports as JSON to compare two versions of parxl.

Reads the files of each campaign's ``inbox/`` once (not timed), then validates fresh copies of
them ``--repeat`` times and prints the least CPU time per file (``time.process_time``: on a
shared machine, wall-clock figures are noise). With ``--dump`` it writes every report (findings,
items, scores, evidence) as JSON; ``--compare`` checks them against a dump made by another version
(the old commit put in a folder with ``git archive``, this script run with ``PYTHONPATH`` on it) and
exits 1 when a report differs.

Usage: python benchmarks/bench_validate.py CAMPAIGN[:N] ... [--repeat 5] [--dump out.json] [--compare old.json]
(``:N``: the first N files of that inbox; the campaign is only read, nothing is written to it.)
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from parxl.campaign.folder import load_campaign
from parxl.intake.blocks import validate_in_block
from parxl.intake.submission import expected_max_row, read_submission
from scale import machine_line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaigns", nargs="+")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    print(machine_line())
    subs = []
    for spec in args.campaigns:
        root, _, n = spec.partition(":")
        campaign = load_campaign(root)
        max_row = max(expected_max_row(b.framework) for b in campaign.blocks)
        files = sorted(p for p in campaign.inbox_dir.rglob("*") if p.is_file())
        for path in files[:int(n)] if n else files:
            sub = read_submission(path, name=str(path.relative_to(campaign.root)), max_row=max_row, folder=path.parent)
            subs.append((campaign, str(path), sub))
    reports = {path: json.dumps(asdict(validate_in_block(c, copy.deepcopy(sub))), default=str, ensure_ascii=False,
                                sort_keys=True) for c, path, sub in subs}
    best = float("inf")
    for _ in range(args.repeat):
        fresh = [(c, copy.deepcopy(sub)) for c, _, sub in subs]
        t = time.process_time()
        for c, sub in fresh:
            validate_in_block(c, sub)
        best = min(best, (time.process_time() - t) / len(fresh))
    print(f"validate: {len(subs)} files, {best * 1000:.2f} ms CPU per file (least of {args.repeat})")
    if args.dump:
        args.dump.write_text(json.dumps(reports, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    if args.compare:
        old = json.loads(args.compare.read_text(encoding="utf-8"))
        differ = sorted(p for p in set(old) | set(reports) if old.get(p) != reports.get(p))
        print(f"reports: {len(reports) - len(differ)} identical, {len(differ)} differ" + (f" (first: {differ[0]})"
                                                                                        if differ else ""))
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
