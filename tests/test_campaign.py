"""Units lists, `parxl init` and the CLI conventions (Vietnamese, exit codes 0/1/2)."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from parxl.campaign.folder import init_campaign, load_campaign
from parxl.campaign.units import load_units
from parxl.cli import main
from parxl.core.errors import CampaignError, UnitsError

from conftest import UNITS_CSV, make_campaign

REPO = Path(__file__).parent.parent


def test_units_csv_with_bom_and_odd_headers(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffMÃ ; tên  đơn vị ;LOẠI\nKM01;Phường An Lưu;Phường\n\nKM02;Xã Lê Ninh;Xã\n".encode("utf-8"))
    units = load_units(path)
    assert [(u.code, u.name, u.kind) for u in units] == [("KM01", "Phường An Lưu", "Phường"), ("KM02", "Xã Lê Ninh", "Xã")]


def test_units_csv_nfd_names_become_nfc(tmp_path):
    import unicodedata
    path = tmp_path / "units.csv"
    path.write_text(unicodedata.normalize("NFD", "Mã,Tên đơn vị,Loại\nA1,Xã Ấp Bắc,Xã\n"), encoding="utf-8")
    assert load_units(path)[0].name == unicodedata.normalize("NFC", "Xã Ấp Bắc")


def test_units_xlsx(tmp_path):
    wb2 = Workbook()
    ws2 = wb2.active
    ws2.append(["STT", "Mã", "Tên đơn vị", "Loại"])
    ws2.append([1, "KM01", "Phường An Lưu", "Phường"])
    ws2.append([2, 15, "Xã Bạch Đằng", "Xã"])
    wb2.save(tmp_path / "units.xlsx")
    units = load_units(tmp_path / "units.xlsx")
    assert [u.code for u in units] == ["KM01", "15"] and units[1].name == "Xã Bạch Đằng"


@pytest.mark.parametrize("content, words", [
    ("Tên đơn vị,Loại\nPhường An Lưu,Phường\n", "thiếu cột «Mã»"),
    ("Mã,Tên đơn vị,Loại\nA,X,Xã\nA,Y,Xã\n", "trùng với dòng 2"),
    ("Mã,Tên đơn vị,Loại\n,X,Xã\n", "thiếu Mã"),
    ("Mã,Tên đơn vị,Loại\n", "chưa có đơn vị"),
    ("", "trống"),
])
def test_units_errors_in_vietnamese(tmp_path, content, words):
    path = tmp_path / "units.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UnitsError, match=words):
        load_units(path)


def test_units_not_utf8(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(b"M\xe3,T\xean \xf0\xa1n v\xe1,Lo\xe1i\n")  # a legacy 8-bit code page
    with pytest.raises(UnitsError, match="không phải UTF-8"):
        load_units(path)


def test_init_builds_campaign(tmp_path):
    campaign = make_campaign(tmp_path / "c")
    root = tmp_path / "c"
    for sub in ("workbooks", "inbox", "output", ".parxl"):
        assert (root / sub).is_dir()
    assert (root / "criteria.yaml").is_file() and (root / "units.csv").is_file()
    assert [u.code for u in campaign.units] == ["X01", "X02", "X03"]
    assert campaign.config.issuer.name == "ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN"
    assert campaign.framework.id == "mini-test"
    with pytest.raises(CampaignError, match="đã có đợt đánh giá"):
        make_campaign(root)


def test_init_refuses_year_outside_validity(tmp_path):
    with pytest.raises(CampaignError, match="không gồm năm 2031"):
        make_campaign(tmp_path / "c", year=2031)


def test_cli_init_and_missing_code_column(tmp_path):
    runner = CliRunner()
    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    result = runner.invoke(main, ["init", str(tmp_path / "c"), "--criteria", "xa-mau-2025", "--units", str(units), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo đợt đánh giá năm 2025" in result.output
    assert load_campaign(tmp_path / "c").framework.id == "xa-mau-2025"

    bad = tmp_path / "bad.csv"
    bad.write_text("Tên đơn vị,Loại\nPhường An Lưu,Phường\n", encoding="utf-8")
    result = runner.invoke(main, ["init", str(tmp_path / "d"), "--criteria", "xa-mau-2025", "--units", str(bad)])
    assert result.exit_code == 1
    assert "thiếu cột «Mã»" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "d").exists()  # nothing created for a bad units list


def test_cli_framework_check_and_errors(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["framework", "check", "xa-mau-2025"])
    assert ok.exit_code == 0, ok.output
    assert "70 điểm thẩm định + 30 điểm điều tra xã hội học" in " ".join(ok.output.split())

    bad = tmp_path / "bad.yaml"
    text = (REPO / "tests" / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("max: 7\n    part", "max: 8\n    part").replace("từ 80% đến dưới 90%", "từ 80% đến 90%"), encoding="utf-8")
    result = runner.invoke(main, ["framework", "check", str(bad)])
    assert result.exit_code == 1
    assert "fields[0].max" in result.output and "chồng lấn" in result.output


def test_cli_usage_errors_exit_2_in_vietnamese():
    runner = CliRunner()
    result = runner.invoke(main, ["khong-co-lenh"])
    assert result.exit_code == 2 and "Không có lệnh" in result.output
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 2 and "Thiếu" in result.output


def test_cli_debug_shows_traceback_only_on_request(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["framework", "check", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1 and "Không tìm thấy" in result.output
    result = runner.invoke(main, ["--debug", "framework", "check", str(tmp_path / "none.yaml")])
    assert result.exception is not None  # re-raised for the traceback


def test_schema_is_json():
    result = CliRunner().invoke(main, ["framework", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.output)["title"].startswith("Bộ chỉ số")


def test_every_command_has_vietnamese_help():
    runner = CliRunner()
    names = list(main.commands)
    for name in names:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Cách dùng:" in result.output, name
        assert "[OPTIONS]" not in result.output and "COMMAND" not in result.output, name


def test_init_interrupted_by_a_full_disk_leaves_no_half_campaign_yaml(tmp_path, monkeypatch):
    from support.diskfull import disk_full_while_writing

    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    root = tmp_path / "c"
    disk_full_while_writing(monkeypatch, "missing_policy")  # a line only campaign.yaml holds
    with pytest.raises(OSError):
        init_campaign(root, "xa-mau-2025", units, 2025)
    monkeypatch.undo()
    assert not (root / "campaign.yaml").exists()  # not half a file that blocks «parxl init» and fails to load
    assert not [p.name for p in root.iterdir() if p.name.startswith(".parxl-")]
    init_campaign(root, "xa-mau-2025", units, 2025)  # so init can simply be run again
    assert load_campaign(root).framework.id == "xa-mau-2025"


def test_init_copies_go_through_the_atomic_writer(tmp_path, monkeypatch):
    import os

    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append(os.path.basename(b)), real_replace(a, b)))
    init_campaign(tmp_path / "c", "xa-mau-2025", units, 2025)
    assert replaced == ["criteria.yaml", "units.csv", "campaign.yaml"]


def test_a_set_without_a_survey_part_holds_no_survey(tmp_path):
    # mini.yaml without its survey field and part: 7 points, all appraised. init writes survey_held: false, and
    # even a campaign.yaml that says true gets no survey warning, column or wording (nothing to survey).
    import yaml

    from conftest import FIXTURES, make_campaign
    from parxl.master.consolidation import run_consolidation

    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    data["fields"] = [f for f in data["fields"] if f.get("part") != "survey"]
    data["parts"] = {"appraised": data["parts"]["appraised"]}
    data["total"] = 7
    criteria = tmp_path / "no-survey.yaml"
    criteria.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    c = make_campaign(tmp_path / "c", criteria)
    assert "survey_held: false" in (c.root / "campaign.yaml").read_text(encoding="utf-8")
    text = (c.root / "campaign.yaml").read_text(encoding="utf-8").replace("survey_held: false", "survey_held: true")
    (c.root / "campaign.yaml").write_text(text, encoding="utf-8")
    c = load_campaign(c.root)
    assert c.config.survey_held is False
    from parxl.survey.table import missing_table_warning
    assert missing_table_warning(c) is None
    done = run_consolidation(c)
    assert done.results.has_survey is False
