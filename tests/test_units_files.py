"""A broken units list is a clear error naming the file, never «Lỗi không mong đợi»."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from parxl.campaign.units import load_units
from parxl.cli import main
from parxl.core.errors import UnitsError


def units_workbook() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Mã", "Tên đơn vị", "Loại"])
    wb.active.append(["X01", "Phường An Lưu", "Phường"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data: bytes, edit) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = edit(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info, body)
    return out.getvalue()


BROKEN = {
    "thiếu trang": lambda name, body: None if name == "xl/worksheets/sheet1.xml" else body,
    "trang cụt": lambda name, body: body[:200] if name == "xl/worksheets/sheet1.xml" else body,
}


def _load(folder, data: bytes):
    path = folder / "don-vi.xlsx"
    path.write_bytes(data)
    return load_units(path)


def test_a_good_units_workbook_reads(tmp_path):
    assert [u.code for u in _load(tmp_path, units_workbook())] == ["X01"]


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_a_broken_units_workbook_is_a_units_error_naming_the_file(tmp_path, kind):
    with pytest.raises(UnitsError) as caught:
        _load(tmp_path, rezip(units_workbook(), BROKEN[kind]))
    assert "«don-vi.xlsx»" in str(caught.value) and "lưu lại thành .xlsx" in str(caught.value)


def test_init_with_a_broken_units_workbook_exits_1_with_the_file_named(tmp_path):
    units = tmp_path / "don-vi.xlsx"
    units.write_bytes(rezip(units_workbook(), BROKEN["thiếu trang"]))
    out = CliRunner().invoke(main, ["init", str(tmp_path / "dot"), "--criteria", "xa-mau-2025", "--units",
                                    str(units), "--year", "2025"])
    assert out.exit_code == 1, out.output
    assert "don-vi.xlsx" in out.output and "Lỗi không mong đợi" not in out.output
