"""``parxl generate`` and the stamping path: files, names, reproducibility, awkward unit names."""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from parxl.campaign.units import Unit
from parxl.cli import main
from parxl.core.errors import ParxlError
from parxl.workbook import layout
from parxl.workbook.stamping import generate, workbook_filename

from conftest import make_campaign
from support.workbooks import cell_of

# Every Vietnamese vowel with every tone, both cases, and đ/Đ.
VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
DIACRITICS = VOWELS + VOWELS.upper()
AWKWARD = f'Xã "Ấp Bắc" & <Tân Phú> {DIACRITICS}'


def _csv(rows: list[tuple[str, str, str]]) -> str:
    quote = lambda s: '"' + s.replace('"', '""') + '"'  # noqa: E731
    return "Mã,Tên đơn vị,Loại\n" + "".join(",".join(map(quote, r)) + "\n" for r in rows)


def test_file_names_are_windows_safe_and_keep_vietnamese():
    assert workbook_filename(Unit("X01", "Phường An Lưu", "Phường")) == "X01 - Phường An Lưu.xlsx"
    name = workbook_filename(Unit("X/02", 'Xã <A>: "B" | C? * D\\E. .', "Xã"))
    assert name == "X02 - Xã A B  C  DE.xlsx".replace("  ", " ")
    nfd = unicodedata.normalize("NFD", "Xã Đồng Hỷ")
    assert workbook_filename(Unit("X03", nfd, "Xã")) == "X03 - Xã Đồng Hỷ.xlsx"
    assert unicodedata.is_normalized("NFC", workbook_filename(Unit("X03", nfd, "Xã")))


def test_generate_writes_one_workbook_per_unit(campaign):
    paths = generate(campaign)
    assert [p.name for p in paths] == ["X01 - Phường An Lưu.xlsx", "X02 - Xã Lê Ninh.xlsx", "X03 - Phường Hiệp An.xlsx"]
    assert sorted(campaign.workbooks_dir.iterdir()) == sorted(paths)  # no temporary files left
    mask = os.umask(0)
    os.umask(mask)
    assert all(p.stat().st_mode & 0o777 == 0o666 & ~mask for p in paths)  # not mkstemp's 0600
    for path, unit in zip(paths, campaign.units):
        wb = openpyxl.load_workbook(path)
        sheet, ref = cell_of(wb, layout.NAME_UNIT)
        assert wb[sheet][ref].value == unit.code
        assert wb[layout.SHEET_ASSESS]["A2"].value == f"Đơn vị: {unit.name}"
        assert all(ws.protection.sheet for ws in wb.worksheets)
        assert wb[layout.SHEET_META].sheet_state == "veryHidden"
        scored = [i for i in campaign.framework.items if i.self_scored]
        inputs = sum(len(i.rule.inputs(i.max)) for i in scored)  # one validation per input, one evidence prompt
        assert len(wb[layout.SHEET_ASSESS].data_validations.dataValidation) == inputs + len(scored) == 15
        assert all(layout.name_score(i.code) in wb.defined_names for i in campaign.framework.items)


def test_two_generations_are_byte_identical(campaign, tmp_path):
    first = {p.name: p.read_bytes() for p in generate(campaign)}
    second = {p.name: p.read_bytes() for p in generate(campaign)}
    assert first == second
    # A copy of the campaign with the same files and times gives the same bytes too.
    other = make_campaign(tmp_path / "other")
    for name in ("campaign.yaml", "criteria.yaml", "units.csv"):
        (other.root / name).write_bytes((campaign.root / name).read_bytes())
        st = (campaign.root / name).stat()
        os.utime(other.root / name, (st.st_atime, st.st_mtime))
    from parxl.campaign.folder import load_campaign
    assert {p.name: p.read_bytes() for p in generate(load_campaign(other.root))} == first


def test_awkward_names_survive_the_stamping_path(tmp_path):
    campaign = make_campaign(tmp_path / "c", units_csv=_csv([
        ("X01", AWKWARD, "Xã"), ("P&2", "Phường <Một> & 'Hai'", 'Phường "đặc biệt"'), ("X03", "_x0041_ Xã", "Xã"),
        ("X04", VOWELS, "Xã"), ("X05", VOWELS.upper(), "Xã")]))
    paths = generate(campaign)
    long_stem = f"X01 - Xã Ấp Bắc & Tân Phú {DIACRITICS}"
    assert long_stem.startswith(paths[0].stem) and len(paths[0].name.encode()) <= 205  # shortened, not broken
    assert paths[1].name == "P&2 - Phường Một & 'Hai'.xlsx"
    assert [paths[3].name, paths[4].name] == [f"X04 - {VOWELS}.xlsx", f"X05 - {VOWELS.upper()}.xlsx"]
    for path, unit in zip(paths, campaign.units):
        wb = openpyxl.load_workbook(path)
        meta = wb[layout.SHEET_META]
        assert (meta["B3"].value, meta["B4"].value, meta["B5"].value) == (unit.code, unit.name, unit.kind)
        assert wb[layout.SHEET_ASSESS]["A2"].value == f"Đơn vị: {unit.name}"
        assert wb[layout.SHEET_SUMMARY]["A2"].value == f"Đơn vị: {unit.name}"
        assert wb[layout.SHEET_GUIDE]["A2"].value == f"Đơn vị: {unit.name}"
    assert campaign.units[0].name == AWKWARD


def test_file_names_that_collide_on_windows_are_refused(tmp_path):
    campaign = make_campaign(tmp_path / "c", units_csv=_csv([("x01", "Xã A", "Xã"), ("X01", "Xã A", "Xã")]))
    with pytest.raises(ParxlError, match="cùng một tên tệp"):
        generate(campaign)


def test_progress_is_reported(campaign):
    seen = []
    generate(campaign, progress=lambda done, total, _name: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_cli_generate_says_how_many_and_where(campaign):
    result = CliRunner().invoke(main, ["generate", str(campaign.root)])
    assert result.exit_code == 0, result.output
    assert "Đã tạo 3 biểu mẫu tự đánh giá" in result.output
    assert str(campaign.workbooks_dir) in result.output.replace("\n", "")
    assert len(list(campaign.workbooks_dir.glob("*.xlsx"))) == 3


def test_cli_generate_help_is_vietnamese():
    result = CliRunner().invoke(main, ["generate", "--help"], prog_name="parxl")
    assert result.exit_code == 0
    assert "Cách dùng: parxl generate [TÙY_CHỌN] THƯ_MỤC_ĐỢT" in result.output
    assert "Tạo biểu mẫu tự đánh giá" in result.output and "Tùy chọn" in result.output


def test_cli_generate_without_a_campaign_exits_1(tmp_path: Path):
    result = CliRunner().invoke(main, ["generate", str(tmp_path)])
    assert result.exit_code == 1
    assert "không phải thư mục đợt đánh giá" in " ".join(result.output.split())


def test_national_scale_generation_writes_every_unit(tmp_path):
    """3,321 commune-level units, the commune set: one distinct file each (speed: benchmarks/bench_generate.py)."""
    units = [(f"{10000 + i}", f"Xã Thử Nghiệm {i}", "Xã") for i in range(3321)]
    criteria = Path(__file__).parent.parent / "templates" / "criteria" / "xa-mau-2025.yaml"
    campaign = make_campaign(tmp_path / "c", criteria=criteria, units_csv=_csv(units))
    paths = generate(campaign)
    assert len(paths) == len(set(paths)) == 3321 and all(p.is_file() for p in paths)
