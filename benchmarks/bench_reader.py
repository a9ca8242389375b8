"""Reading one returned workbook: parxl's reader against openpyxl (and python-calamine when installed).

On one LibreOffice-saved and one parxl-written filled workbook of the commune set,
per file in one process (median of ``--repeat``): parxl's ``read_submission``,
``read_submission`` + ``validate``, openpyxl loading it twice (formulas, then values),
python-calamine reading the values of the two sheets (values only: no formulas, so
no integrity check; shown as the floor of unzip + parse). Then the hostile case: a
sheet of 2 million rows (60 MB of XML) read up to the layout's last row, with its
time and peak traced memory.

Usage: python benchmarks/bench_reader.py [--repeat 30]
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl

from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import validate
from parxl.workbook.build import Identity
from parxl.workbook.layout import SHEET_ASSESS, SHEET_META
from parxl.xlsx.container import XlsxFile
from scale import filled_templates, libreoffice_templates, machine_line, make_campaign, peak_rss_mb


def median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def openpyxl_twice(data: bytes) -> None:
    for data_only in (False, True):
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
        for name in (SHEET_ASSESS, SHEET_META):
            for _ in wb[name].iter_rows(values_only=True):
                pass
        wb.close()


def calamine(data: bytes) -> None:
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in (SHEET_ASSESS, SHEET_META):
        wb.get_sheet_by_name(name).to_python()


def two_million_rows(data: bytes) -> bytes:
    part = XlsxFile(data).sheet(SHEET_ASSESS).part
    src = zipfile.ZipFile(io.BytesIO(data))
    head, _, tail = src.read(part).decode().partition("</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != part:
                zf.writestr(info.filename, src.read(info))
        with zf.open(part, "w", force_zip64=True) as fh:
            fh.write(head.encode())
            for start in range(200, 2_000_200, 100_000):
                fh.write("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                                 for r in range(start, start + 100_000)).encode())
            fh.write(("</sheetData>" + tail).encode())
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    try:
        import python_calamine  # noqa: F401
        has_calamine = True
    except ImportError:
        has_calamine = False
    with tempfile.TemporaryDirectory(prefix="parxl-bench-reader-") as tmp:
        campaign = make_campaign(Path(tmp), 50)
        max_row = expected_max_row(campaign.framework)
        unit = Identity.of(campaign.units[7])
        files = {"saved by LibreOffice": libreoffice_templates(campaign, 1)[0].stamp(unit),
                 "written by parxl": filled_templates(campaign, 1)[0].stamp(unit)}
        print(f"bench_reader; {machine_line()}")
        for kind, data in files.items():
            read = median_ms(lambda: read_submission(data, max_row=max_row), args.repeat)
            full = median_ms(lambda: validate(campaign, read_submission(data, max_row=max_row)), args.repeat)
            base = median_ms(lambda: openpyxl_twice(data), max(3, args.repeat // 5))
            line = (f"  {kind:<22} {len(data) / 1024:5.0f} KB: parxl read {read:6.2f} ms, read + validate "
                    f"{full:6.2f} ms; baseline openpyxl twice {base:7.2f} ms; ratio {base / full:5.1f}x "
                    f"(read alone {base / read:5.1f}x)")
            if has_calamine:
                line += f"; python-calamine values only {median_ms(lambda: calamine(data), args.repeat):5.2f} ms"
            print(line, flush=True)
        big = two_million_rows(files["written by parxl"])
        tracemalloc.start()
        t = time.perf_counter()
        sub = read_submission(big, max_row=max_row)
        took = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  2 million rows ({len(big) / 1e6:.1f} MB zipped): read in {took:.2f} s, peak traced memory "
              f"{peak / 1e6:.1f} MB, stopped after row {sub.assess.stopped_after}; process peak RSS "
              f"{peak_rss_mb():.0f} MB; {machine_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
