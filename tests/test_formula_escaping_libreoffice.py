"""Band labels inside formulas count exactly what they say: COUNTIF reads «*», «?» and «~» as wildcards and
a leading «=», «<», «>» as a comparison, so the master's band counts escape them
(``master.formulas.countif_criterion``). Oracle: LibreOffice's COUNTIF over a column of labels, against
counting the equal labels by hand."""
from __future__ import annotations

import openpyxl
import pytest
import xlsxwriter

from parxl.master.formulas import countif_criterion

from support.libreoffice import recalculate

pytestmark = pytest.mark.libreoffice

LABELS = [">=90% *", ">=90% *", ">=90% x", ">=90% xyz", "Tốt", "Tốt?", "Tốt!", "=A", "A", "<70%", "60%",
          "Khá~", "Khá", "a*b", "axxb", "?"]


def test_countif_counts_each_label_exactly(soffice, tmp_path):
    src = tmp_path / "in" / "labels.xlsx"
    src.parent.mkdir()
    wb = xlsxwriter.Workbook(src, {"strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet("Nhãn")
    for r, label in enumerate(LABELS):
        ws.write_string(r, 0, label)
    targets = sorted(set(LABELS))
    for r, label in enumerate(targets):
        ws.write_string(r, 2, label)
        ws.write_formula(r, 3, f"=COUNTIF($A$1:$A${len(LABELS)},{countif_criterion(label)})", None, -1)
    wb.close()
    (out,) = recalculate([src], tmp_path / "out", soffice=soffice)
    sheet = openpyxl.load_workbook(out, data_only=True)["Nhãn"]
    got = {sheet.cell(r + 1, 3).value: sheet.cell(r + 1, 4).value for r in range(len(targets))}
    by_hand = {">=90% *": 2, ">=90% x": 1, ">=90% xyz": 1, "Tốt": 1, "Tốt?": 1, "Tốt!": 1, "=A": 1, "A": 1,
               "<70%": 1, "60%": 1, "Khá~": 1, "Khá": 1, "a*b": 1, "axxb": 1, "?": 1}
    assert got == by_hand
