"""The control workbook: its sheet, its status area, its buttons, and never losing an older file."""
from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from parxl.cli import main
from parxl.core.errors import ParxlError
from parxl.excel import control
from parxl.excel.control import BUTTONS, SHEET, STATUS_NAME, STATUS_ROWS, build_control
from parxl.xlsx.safety import OLE_MAGIC

from conftest import REPO, make_campaign


@pytest.fixture(autouse=True)
def no_default_vba(monkeypatch, tmp_path):
    """A developer's own macros/vbaProject.bin must not change what these tests build."""
    monkeypatch.setattr(control, "DEFAULT_VBA", tmp_path / "khong-co" / "vbaProject.bin")


@pytest.fixture
def campaign(tmp_path):
    return make_campaign(tmp_path / "dot-danh-gia")


@pytest.fixture
def vba(tmp_path) -> Path:
    """Stands in for an extracted vbaProject.bin (an OLE container); only its bytes are checked here."""
    path = tmp_path / "vbaProject.bin"
    path.write_bytes(OLE_MAGIC + bytes(range(256)) * 8)
    return path


def texts(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)[SHEET]
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def status_cells(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    [(sheet, ref)] = list(wb.defined_names[STATUS_NAME].destinations)
    assert sheet == SHEET
    cells = [row[0] for row in wb[sheet][ref]]
    assert all(len(row) == 1 for row in wb[sheet][ref])
    return cells


def test_without_vba_a_plain_workbook_lists_the_commands(campaign):
    made = build_control(campaign.root)
    assert made.path == campaign.root / "dieu-khien.xlsx" and not made.with_buttons
    assert made.backup is None and not made.unchanged
    wb = openpyxl.load_workbook(made.path)
    assert wb.sheetnames == [SHEET]
    found = texts(made.path)
    root = campaign.root.resolve()
    for expected in ("BẢNG ĐIỀU KHIỂN ĐỢT ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH",
                     "Xác định Chỉ số cải cách hành chính năm 2025", "ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN", "2025",
                     "Bộ chỉ số thử nghiệm (dùng cho kiểm thử) (mã «mini-test»)", "3", "Việc cần làm",
                     "Lệnh tương ứng", f'parxl generate "{root}"', f'parxl check "{root}"',
                     f'parxl consolidate "{root}"',
                     f'parxl decision "{root}"\nparxl notices "{root}"\nparxl report "{root}"'):
        assert expected in found, expected
    assert any(t.startswith("Tệp này chưa có nút bấm") for t in found)
    assert sum(1 for t in found if any(t.startswith(f"{b.caption}: ") for b in BUTTONS)) == 4
    assert all(unicodedata.is_normalized("NFC", t) for t in found)
    with zipfile.ZipFile(made.path) as z:
        assert not any("vba" in n.lower() for n in z.namelist())


def test_the_status_area_is_a_named_column_of_cells(campaign):
    cells = status_cells(build_control(campaign.root).path)
    assert len(cells) == STATUS_ROWS
    assert cells[0].value == "Tệp này không có nút bấm: kết quả các lệnh hiện trong cửa sổ dòng lệnh."
    assert all(c.value is None for c in cells[1:])
    assert cells[0].offset(-1, 0).value == "KẾT QUẢ LẦN CHẠY GẦN NHẤT"
    ws = cells[0].parent  # nothing beside the status column, so long lines stay readable
    assert all(ws.cell(c.row, col).value is None for c in cells for col in (2, 3))


def test_with_vba_a_macro_enabled_workbook_with_four_buttons(campaign, vba):
    made = build_control(campaign.root, vba)
    assert made.path == campaign.root / "dieu-khien.xlsm" and made.with_buttons
    with zipfile.ZipFile(made.path) as z:
        assert z.read("xl/vbaProject.bin") == vba.read_bytes()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in z.read("[Content_Types].xml").decode()
        vml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".vml"))
    assert re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml) == [b.macro for b in BUTTONS]
    assert [c for c in (b.caption for b in BUTTONS) if c in vml] == [b.caption for b in BUTTONS]
    bas = (REPO / "macros" / "parxl.bas").read_text(encoding="utf-8")
    assert all(re.search(rf"^Sub {b.macro}\(\)", bas, re.M) for b in BUTTONS)
    cells = status_cells(made.path)
    assert len(cells) == STATUS_ROWS and cells[0].value.startswith("Chưa chạy lần nào.")
    found = texts(made.path)
    assert "Nút bấm" in found and not any(t.startswith("Tệp này chưa có nút bấm") for t in found)


def test_the_default_vba_is_used_when_the_checkout_has_one(campaign, vba, monkeypatch):
    monkeypatch.setattr(control, "DEFAULT_VBA", vba)
    assert build_control(campaign.root).path.suffix == ".xlsm"


def test_a_file_that_is_no_vba_project_is_refused(campaign, tmp_path):
    fake = tmp_path / "vbaProject.bin"
    fake.write_bytes(b"PK\x03\x04 not an OLE container")
    with pytest.raises(ParxlError, match="vba_extract"):
        build_control(campaign.root, fake)
    assert not list(campaign.root.glob("dieu-khien*"))


def test_an_unchanged_rebuild_writes_nothing_and_a_different_file_is_kept(campaign):
    first = build_control(campaign.root)
    again = build_control(campaign.root)
    assert again.unchanged and again.backup is None
    assert sorted(p.name for p in campaign.root.glob("dieu-khien*")) == ["dieu-khien.xlsx"]

    built = first.path.read_bytes()
    first.path.write_bytes(b"saved by the clerk, with notes")
    made = build_control(campaign.root)
    assert made.backup == campaign.root / "dieu-khien.bak-1.xlsx"
    assert made.backup.read_bytes() == b"saved by the clerk, with notes"
    assert made.path.read_bytes() == built

    first.path.write_bytes(b"edited again")
    assert build_control(campaign.root).backup == campaign.root / "dieu-khien.bak-2.xlsx"
    assert (campaign.root / "dieu-khien.bak-1.xlsx").read_bytes() == b"saved by the clerk, with notes"
    assert not list(campaign.root.glob(".parxl-*"))  # no temporary file left behind


def test_control_command_says_honestly_there_are_no_buttons(campaign):
    out = CliRunner().invoke(main, ["control", str(campaign.root)])
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())
    assert f"Đã tạo bảng điều khiển: {campaign.root / 'dieu-khien.xlsx'}" in flat
    assert "KHÔNG có nút bấm" in flat and "macros/README.md" in flat
    again = CliRunner().invoke(main, ["control", str(campaign.root)])
    assert "đã đúng như vậy" in " ".join(again.output.split())


def test_control_command_with_vba(campaign, vba):
    out = CliRunner().invoke(main, ["control", str(campaign.root), "--vba", str(vba)])
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())
    assert "dieu-khien.xlsm" in flat and "bốn nút bấm" in flat and "KHÔNG có nút bấm" not in flat


def test_control_command_on_a_folder_that_is_no_campaign(tmp_path):
    out = CliRunner().invoke(main, ["control", str(tmp_path)])
    assert out.exit_code == 1
    assert "campaign.yaml" in out.output
