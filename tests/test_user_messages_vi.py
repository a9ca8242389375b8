"""What a clerk reads when campaign.yaml, the units list, ``--previous`` or a command line is wrong:
Vietnamese, naming the file and field, saying what to write; never English library text."""
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from parxl.campaign.folder import load_campaign
from parxl.campaign.units import load_units
from parxl.cli import main
from parxl.core.errors import CampaignError, UnitsError
from parxl.master.previous import PreviousError, read_previous

from conftest import make_campaign

ENGLISH = re.compile(r"Input should|Field required|Extra inputs|expected|Error\b|[A-Z][a-z]+Error|Did you mean|"
                     r"\[required\]|<=x<=|Could not|invalid|Zip|Calamine|ParseError|ValueError")


def assert_vietnamese(text: str) -> None:
    assert not ENGLISH.search(text), text
    assert unicodedata.normalize("NFC", text) == text


def _campaign_error(root: Path, edit) -> str:
    config = root / "campaign.yaml"
    config.write_text(edit(config.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CampaignError) as info:
        load_campaign(root)
    message = str(info.value)
    assert_vietnamese(message)
    assert "campaign.yaml" in message
    return message


def test_campaign_yaml_reports_every_problem_at_once_in_vietnamese(tmp_path):
    root = tmp_path / "dot"
    make_campaign(root)

    def edit(text: str) -> str:
        text = text.replace("deadline: null", "deadline: 15/12/2025")
        text = text.replace("signer:", "singer:")
        text = text.replace("survey_held: true", "survey_held: có")
        text = text.replace("missing_policy: exclude", "missing_policy: zero")
        return text.replace("year: 2025", "year: 1999")

    message = _campaign_error(root, edit)
    lines = message.splitlines()
    assert "6 lỗi" in lines[0]
    assert "mục «deadline»" in message and "YYYY-MM-DD" in message and "«2025-12-15»" in message
    assert "mục «singer»" in message and "có phải ý bạn là «signer»?" in message
    assert "mục «signer»: thiếu mục bắt buộc «signer»" in message
    assert "mục «survey_held»" in message and "true" in message and "false" in message
    assert "mục «missing_policy»" in message and "«exclude», «score_readable»" in message
    assert "mục «year»" in message and "từ 2000 trở lên" in message


def test_campaign_yaml_nested_keys_and_types(tmp_path):
    root = tmp_path / "dot"
    make_campaign(root)
    message = _campaign_error(root, lambda t: t.replace("  place: Kinh Môn", "  plase: Kinh Môn")
                              .replace("year: 2025", "year: hai nghìn"))
    assert "mục «issuer.plase»" in message and "có phải ý bạn là «place»?" in message
    assert "mục «issuer.place»: thiếu mục bắt buộc «place»" in message
    assert "«hai nghìn» không phải là số nguyên" in message


def test_empty_campaign_yaml_says_it_is_empty(tmp_path):
    root = tmp_path / "dot"
    make_campaign(root)
    message = _campaign_error(root, lambda t: "# chỉ có ghi chú\n")
    assert "trống" in message and "parxl init" in message


def test_broken_campaign_yaml_gives_line_and_column_in_vietnamese(tmp_path):
    root = tmp_path / "dot"
    make_campaign(root)
    message = _campaign_error(root, lambda t: t + "recipients: [Sở Nội vụ\n")
    lines = (root / "campaign.yaml").read_text(encoding="utf-8").splitlines()
    assert f"dòng {len(lines) + 1}, cột 1" in message  # the stream ends after the last line
    assert "YAML không hợp lệ" in message and "«]»" in message
    original = (root / "campaign.yaml").read_text(encoding="utf-8")
    message = _campaign_error(root, lambda t: original.replace("year: 2025", "year: 2025\n\tblock: xa", 1))
    assert "dòng 3, cột 1" in message and "Tab" in message
    message = _campaign_error(root, lambda t: original.replace("title:", "title: ]\nold_title:", 1))
    assert "dòng 5, cột 8" in message and "ngoặc kép" in message


def test_previous_that_is_a_pdf_or_csv_says_what_it_is(tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    csv = tmp_path / "nam-truoc.csv"
    csv.write_text("Mã,Chỉ số,Xếp hạng\nX01,80,1\n", encoding="utf-8")
    for path, what in ((pdf, "tệp PDF"), (csv, "tệp văn bản/CSV")):
        with pytest.raises(PreviousError) as info:
            read_previous(path)
        message = str(info.value)
        assert_vietnamese(message)
        assert f"«{path.name}» là {what}" in message and ".xlsx" in message and "bảng tổng hợp" in message


def test_previous_that_is_a_broken_xlsx_names_no_library(tmp_path):
    broken = tmp_path / "tong-hop-chi-so-cchc-2024.xlsx"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook")
    with pytest.raises(PreviousError) as info:
        read_previous(broken)
    assert_vietnamese(str(info.value))
    assert "bị hỏng" in str(info.value)


def test_units_xlsx_that_is_not_a_workbook_names_no_exception_class(tmp_path):
    fake = tmp_path / "units.xlsx"
    fake.write_text("Mã,Tên đơn vị,Loại\nX01,Xã A,Xã\n", encoding="utf-8")
    with pytest.raises(UnitsError) as info:
        load_units(fake)
    message = str(info.value)
    assert_vietnamese(message)
    assert "«units.xlsx»" in message and "CSV UTF-8" in message and ".xlsx" in message


def test_units_xlsx_with_a_dtd_gets_the_xml_threat_message(tmp_path):
    good = tmp_path / "good.xlsx"
    wb = Workbook()
    wb.active.append(["Mã", "Tên đơn vị", "Loại"])
    wb.active.append(["X01", "Xã A", "Xã"])
    wb.save(good)
    bad = tmp_path / "units.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b"<!-- note --><!DOCTYPE w [<!ENTITY e 'x'>]>" + data.split(b"?>", 1)[-1]
                assert b"DOCTYPE" in data
            dst.writestr(info, data)
    assert load_units(good)[0].code == "X01"
    with pytest.raises(UnitsError) as info:
        load_units(bad)
    message = str(info.value)
    assert_vietnamese(message)
    assert "DTD" in message and "xl/worksheets/sheet1.xml" in message and "CSV UTF-8" in message


def test_click_suggestion_required_and_ranges_in_vietnamese(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["checkk"])
    assert result.exit_code == 2 and "Có phải ý bạn là «check»?" in result.output
    assert_vietnamese(result.output)
    result = runner.invoke(main, ["init", "--help"], terminal_width=200)
    flat = " ".join(result.output.split())
    assert "[bắt buộc]" in flat and "từ 2000 đến 2100" in flat
    assert "[required]" not in result.output and "<=x<=" not in result.output
    assert "TEXT" not in result.output and "INTEGER" not in result.output
    result = runner.invoke(main, ["init", str(tmp_path / "d"), "--criteria", "x", "--units", "y", "--year", "3000"])
    assert result.exit_code == 2 and "«--year»" in result.output and "từ 2000 đến 2100" in " ".join(result.output.split())
    assert_vietnamese(result.output)


def test_click_file_where_a_folder_is_needed(tmp_path):
    afile = tmp_path / "filled-X01.xlsx"
    afile.write_bytes(b"x")
    result = CliRunner().invoke(main, ["check", str(afile)])
    assert result.exit_code == 2
    assert "«filled-X01.xlsx» là một tệp, ở đây cần một thư mục" in result.output.replace("\n", " ").replace(str(tmp_path) + "/", "")
    assert "Thư Mục" not in result.output and "'filled-X01.xlsx'" not in result.output
    assert_vietnamese(result.output)


def test_broken_criteria_yaml_gives_line_and_column_in_vietnamese(tmp_path):
    from parxl.criteria.framework import FrameworkError, load_framework
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nfields: [\n  - a\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(bad)
    problem = info.value.problems[0]
    assert problem.path.startswith("dòng ") and "cột" in problem.path
    assert_vietnamese(problem.message)


def test_a_file_where_the_output_folder_should_be_is_the_users_to_fix(tmp_path):
    root = tmp_path / "dot"
    make_campaign(root)
    (root / "output").rmdir()
    (root / "output").write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1, result.output  # the user's to fix, not parxl's internal error (3)
    assert "output" in result.output
    assert_vietnamese(result.output)


@pytest.mark.parametrize("line", ["deadline: 2025-02-30", "deadline: 2025-13-45"])
def test_a_date_that_does_not_exist_in_campaign_yaml_is_the_users_to_fix(tmp_path, line):
    root = tmp_path / "dot"
    make_campaign(root)
    config = root / "campaign.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 1, result.output  # not parxl's internal error (3)
    assert "YYYY-MM-DD" in result.output
    assert_vietnamese(result.output)


def test_a_date_that_does_not_exist_in_a_criteria_set_is_a_framework_problem(tmp_path):
    from parxl.criteria.framework import FrameworkError, load_framework
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nngay: 2025-02-30\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(bad)
    assert "YYYY-MM-DD" in info.value.problems[0].message
