"""`parxl survey --forms`: the questionnaires and the data-entry workbook, typed into in LibreOffice."""
from decimal import Decimal as D

from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from parxl.cli import main
from parxl.survey.forms import ENTRY_FILE, ENTRY_SHEET, FORMS_DIR
from parxl.survey.table import import_survey, read_survey_table
from support.libreoffice import uno_fill_and_save
from test_survey_answers import WEIGHTED, survey_campaign


def test_forms_cli_writes_a_questionnaire_per_group_and_the_entry_workbook(tmp_path):
    campaign = survey_campaign(tmp_path, WEIGHTED)
    result = CliRunner().invoke(main, ["survey", str(campaign.root), "--forms"])
    assert result.exit_code == 0, result.output
    folder = campaign.output_dir / FORMS_DIR
    assert sorted(p.name for p in folder.iterdir()) == ["phieu-khao-sat-cd.docx", "phieu-khao-sat-db.docx", ENTRY_FILE]
    text = "\n".join(p.text for p in Document(folder / "phieu-khao-sat-db.docx").paragraphs)
    assert "(Dành cho: Đại biểu HĐND)" in text
    assert "Câu 1 (C1). Ông/bà đánh giá thế nào về việc công khai thủ tục hành chính?" in text
    assert "☐ B. Đôi khi trễ hẹn" in text
    assert "Câu 3 (2.2). Thái độ của công chức tiếp nhận hồ sơ" in text and "☐ A\n☐ B" in text
    # 2.2 has no worded options: the clerk is told before printing; the subtitle keeps the title's own capitals
    said = " ".join(result.output.split())
    assert "câu hỏi 2.2 chưa có lời cho các phương án" in said and "C1" not in said.split("Lưu ý:")[1]
    sub = next(p for p in text.splitlines() if p.startswith("Điều tra xã hội học phục vụ"))
    assert sub.count(str(campaign.year)) == 1 and sub[len("Điều tra xã hội học phục vụ ")] == \
        campaign.config.title[0].lower() and campaign.config.title[1:] in sub
    wb = load_workbook(folder / ENTRY_FILE)
    ws = wb.worksheets[0]
    assert ws.title == ENTRY_SHEET
    assert [c.value for c in ws[1]] == ["Mã", "Nhóm", "Phiếu", "C1", "C2", "2.2"]
    sources = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert sources["D2:D20001"] == '"A,B,C,D"' and sources["E2:E20001"] == '"A,B,C"' and sources["F2:F20001"] == '"A,B"'
    assert sources["A2:A20001"] == "'Danh mục'!$A$2:$A$4"


def test_rows_typed_into_the_entry_workbook_in_libreoffice_are_imported(tmp_path, soffice):
    campaign = survey_campaign(tmp_path, WEIGHTED)
    CliRunner().invoke(main, ["survey", str(campaign.root), "--forms"])
    src = campaign.output_dir / FORMS_DIR / ENTRY_FILE
    typed = tmp_path / "da-nhap.xlsx"
    rows = [("X01", "CD", 1, "A", "B", "A"), ("X01", "CD", 2, "A", "B", "B"), ("X01", "DB", 1, "D", "A", None),
            ("X02", "DB", 1, "B", None, None)]
    values = {}
    for r, row in enumerate(rows, start=2):
        for col, value in zip("ABCDEF", row):
            values[f"{col}{r}"] = value
    uno_fill_and_save(src, typed, values, sheet=ENTRY_SHEET, soffice=soffice)
    target, scores = import_survey(campaign, typed)
    # the same answers as test_survey_answers.test_respondent_rows, computed there by hand
    assert scores == {"X01": {"2.1": D("1.30"), "2.2": D("0.50")}, "X02": {"2.1": D("1.20")}}
    table = read_survey_table(campaign, target)
    assert table.shape == "respondents"
    assert table.tally.responses == {("X01", "CD"): 2, ("X01", "DB"): 1, ("X02", "DB"): 1}
