"""The survey in the master («Điều tra XHH») and in the report to the higher level."""
from docx import Document
from openpyxl import load_workbook

from parxl.documents import render_report
from parxl.master import write_master
from parxl.master.survey_sheet import SHEET_SURVEY
from parxl.results.compute import consolidate
from parxl.survey.table import import_survey
from test_survey_answers import WEIGHTED, survey_campaign, write

COUNTS = ("Mã,Nhóm,Câu hỏi,Phương án,Số phiếu\n"
          "X01,CD,C1,A,2\nX01,CD,C2,B,2\n"
          "X01,DB,C1,D,1\nX01,DB,C2,A,1\n"
          "X01,CD,2.2,A,1\nX01,CD,2.2,B,2\n")


def test_master_survey_sheet_and_report_coverage(tmp_path):
    campaign = survey_campaign(tmp_path, WEIGHTED)
    import_survey(campaign, write(tmp_path / "c.csv", COUNTS))
    results = consolidate(campaign, [])
    master = write_master(results, campaign.output_dir)
    rows = [r for r in load_workbook(master)[SHEET_SURVEY].iter_rows(values_only=True)]
    # received per group = the most answers to one question: CD 3 (2.2), DB 1. Plan: CD 200 (N = 400), DB 5.
    # Points as computed by hand in test_survey_answers: 2.1 = 1,30, 2.2 = 0,33.
    x01 = next(r for r in rows if r[0] == "X01")
    assert x01[:9] == ("X01", "Phường An Lưu", 200, 3, 5, 1, 1.3, 0.33,
                       "Chưa đủ số phiếu theo kế hoạch: Người dân, tổ chức, Đại biểu HĐND")
    assert "đã thu 4/889 phiếu theo kế hoạch (0,4%) tại 1/3 đơn vị; 6 trường hợp" in rows[1][0]
    heading = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Phân bố"))
    assert rows[heading + 1][:7] == ("Mã", "Đơn vị", "Câu hỏi", "A", "B", "D", "Tổng")
    assert rows[heading + 2][:7] == ("X01", "Phường An Lưu", "C1", 2, 0, 1, 3)
    text = "\n".join(p.text for p in Document(str(render_report(results))).paragraphs)
    assert "- Điều tra xã hội học: đã thu 4/889 phiếu theo kế hoạch (0,4%) tại 1/3 đơn vị" in text


def test_no_survey_line_in_the_report_for_a_table_of_points(campaign, tmp_path):
    import_survey(campaign, write(tmp_path / "dt.csv", "Mã,2.1\nX01,1\n"))
    results = consolidate(campaign, [])
    text = "\n".join(p.text for p in Document(str(render_report(results))).paragraphs)
    assert "Điều tra xã hội học:" not in text
    rows = list(load_workbook(write_master(results, campaign.output_dir))[SHEET_SURVEY].iter_rows(values_only=True))
    assert rows[4][:3] == ("X01", "Phường An Lưu", 1)
