"""Small look-ups on openpyxl workbooks shared by the workbook tests."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl


def cell_of(wb, name: str) -> tuple[str, str]:
    """(sheet, cell or range without $) a workbook-level defined name points at."""
    dests = list(wb.defined_names[name].destinations)
    assert len(dests) == 1, dests
    sheet, ref = dests[0]
    return sheet, ref.replace("$", "")


def load_both(source: bytes | Path, sheet: str):
    """The sheet loaded twice: with formulas, and with the cached values."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    formulas = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[sheet]
    return formulas, values
