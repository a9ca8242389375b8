"""The documents and appraisal workbooks at national scale: `parxl appraise`, `notices`, `decision` for 3,321 units.

Setup (not timed): a synthetic campaign on the commune criteria set whose units all
returned a filled workbook (written by parxl: the documents do not depend on how the
files were saved), consolidated once (``parxl consolidate``). Then, each in a fresh
process, with a baseline measured in the same run:

- ``parxl appraise``: one appraisal workbook per field with a row per unit and item
  (3,321 x items rows); baseline: openpyxl writing the same number of rows of 8 cells;
- ``parxl notices``: one DOCX notice per ranked unit; baseline: docxtpl rendering the
  bundled template for each unit, measured on a sample and projected;
- ``parxl decision``: the decision with its 3,321-row appendix; baseline: python-docx
  adding the appendix table row by row (``table.add_row``).

Targets: each < 30 s.

Usage: python benchmarks/bench_documents.py [--units 3321] [--sample 20]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from scale import fill_inbox_with, filled_templates, machine_line, make_campaign, run_cli, verdict

TARGET_S = 30.0


def openpyxl_rows(n_rows: int, dest: Path) -> float:
    import openpyxl
    t = time.perf_counter()
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(n_rows):
        ws.append([f"{10000 + r % 3321}", "Xã Thử Nghiệm", f"{r % 97}.{r % 7}", "Tiêu chí thành phần", 1.5, None, None,
                   "https://x.example.gov.vn/a.pdf"])
    wb.save(dest)
    return time.perf_counter() - t


def docxtpl_per_unit(campaign, sample: int, dest: Path) -> float:
    """docxtpl rendering the bundled notice for ``sample`` units, projected to every ranked unit."""
    from docxtpl import DocxTemplate

    from parxl.documents.notices import TEMPLATE, notice_context
    from parxl.documents.render import bundled_template
    from parxl.documents.source import followed_master
    results = followed_master(campaign).results
    units = results.ranked[:sample]
    t = time.perf_counter()
    for i, u in enumerate(units):
        doc = DocxTemplate(bundled_template(TEMPLATE))
        doc.render(notice_context(results, u), autoescape=True)
        doc.save(dest / f"n{i}.docx")
    return (time.perf_counter() - t) * len(results.ranked) / len(units)


def python_docx_rows(n_rows: int, dest: Path) -> float:
    import docx
    t = time.perf_counter()
    document = docx.Document()
    table = document.add_table(rows=1, cols=6)
    for r in range(n_rows):
        cells = table.add_row().cells
        for c, text in enumerate((str(r + 1), f"Xã Thử Nghiệm {r}", "87,50", "87,50", str(r + 1), "Tốt")):
            cells[c].text = text
    document.save(dest / "decision.docx")
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--sample", type=int, default=20, help="notices rendered by the docxtpl baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parxl-bench-documents-") as tmp:
        campaign = make_campaign(Path(tmp), args.units)
        fill_inbox_with(campaign, filled_templates(campaign, 20))
        t = time.perf_counter()
        _, _, rc = run_cli("consolidate", str(campaign.root))
        print(f"bench_documents: {args.units} units, consolidated in {time.perf_counter() - t:.0f} s (exit {rc}, "
              f"setup); {machine_line()}", flush=True)
        rows = args.units * len(campaign.framework.items)
        ok = True
        fig, peak, rc = run_cli("appraise", str(campaign.root))
        base = openpyxl_rows(rows, Path(tmp) / "base.xlsx")
        ok &= verdict(f"appraise ({rows} rows, exit {rc}, peak {peak:.0f} MB)", fig, TARGET_S, base)
        print(f"  (baseline: openpyxl writing {rows} rows of 8 cells; {machine_line()})")
        fig, peak, rc = run_cli("notices", str(campaign.root))
        base = docxtpl_per_unit(campaign, args.sample, Path(tmp))
        ok &= verdict(f"notices (exit {rc}, peak {peak:.0f} MB)", fig, TARGET_S, base)
        print(f"  (baseline: docxtpl rendering the bundled notice per unit, {args.sample} measured, projected; "
              f"{machine_line()})")
        fig, peak, rc = run_cli("decision", str(campaign.root))
        base = python_docx_rows(args.units, Path(tmp))
        ok &= verdict(f"decision (exit {rc}, peak {peak:.0f} MB)", fig, TARGET_S, base)
        print(f"  (baseline: python-docx adding a {args.units}-row table row by row; {machine_line()})")
    print("PASS" if ok else "FAIL (see the lines marked NO)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
