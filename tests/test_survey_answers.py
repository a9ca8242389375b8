"""The survey's three table shapes, percent cells, and points from answers.

Every expected figure is computed by hand in the comments next to it, from the weights of
tests/fixtures/mini-survey.yaml: item 2.1 (max 2) has questions C1 (A/B/C/D = 100/60/20/0 %, the
item's default weights) and C2 (A/B/C = 100/50/0 %, its own); item 2.2 (max 1) has no questions and
weights A/B = 100/0 %. Decimals: 2, rounded half up.
"""
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import FIXTURES, make_campaign
from parxl.campaign.folder import load_campaign
from parxl.survey.answers import round_half_up
from parxl.survey.table import SurveyError, import_survey, load_survey, read_survey_table

UNITS = ("Mã,Tên đơn vị,Loại,Dân số\n"
         "X01,Phường An Lưu,Phường,400\n"
         "X02,Xã Lê Ninh,Xã,12.500\n"
         "X03,Phường Hiệp An,Phường,1000\n")

WEIGHTED = """
survey_groups:
  - {code: CD, name: "Người dân, tổ chức", population: Dân số, margin: 5%, weight: 60}
  - {code: DB, name: Đại biểu HĐND, n: 5, weight: 40}
"""
UNWEIGHTED = WEIGHTED.replace(", weight: 60", "").replace(", weight: 40", "")


def survey_campaign(tmp_path: Path, groups: str = ""):
    campaign = make_campaign(tmp_path / "dot", FIXTURES / "mini-survey.yaml", UNITS)
    if groups:
        with open(campaign.root / "campaign.yaml", "a", encoding="utf-8") as f:
            f.write(groups)
        campaign = load_campaign(campaign.root)
    return campaign


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- percent cells (the trust fix) ------------------------------------------------------------------

def _xlsx(path: Path, rows, formats=None) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    for ref, fmt in (formats or {}).items():
        wb.active[ref].number_format = fmt
    wb.save(path)
    return path


def test_a_percent_formatted_cell_is_a_percentage(campaign, tmp_path):
    # mini.yaml: item 2.1, max 3. 0,85 shown as 85% → 3 × 85 % = 2,55; 0,5 shown as 50,0% → 1,50;
    # a plain 2 → 2 points.
    table = _xlsx(tmp_path / "dt.xlsx", [["Mã", "2.1"], ["X01", 0.85], ["X02", 0.5], ["X03", 2]],
                  {"B2": "0%", "B3": "0.0%"})
    assert import_survey(campaign, table)[1] == {"X01": {"2.1": D("2.55")}, "X02": {"2.1": D("1.50")},
                                                 "X03": {"2.1": D("2.00")}}


def test_a_bare_fraction_is_refused_not_guessed(campaign, tmp_path):
    table = _xlsx(tmp_path / "dt.xlsx", [["Mã", "2.1"], ["X01", 0.85], ["X02", 1], ["X03", 0]])
    with pytest.raises(SurveyError) as info:
        import_survey(campaign, table)
    [problem] = info.value.problems
    assert problem.startswith("dòng 2, cột B «2.1»: «0,85»")
    assert "«85%»" in problem and "«0,85 điểm»" in problem
    assert not (campaign.root / "survey.xlsx").exists()
    # the same in a CSV; written with its unit it is points
    with pytest.raises(SurveyError, match="dòng 3, cột B «2.1»: «0,5» là số thập phân"):
        import_survey(campaign, write(tmp_path / "a.csv", 'Mã,2.1\nX01,2\nX02,"0,5"\n'))
    assert import_survey(campaign, write(tmp_path / "b.csv", 'Mã,2.1\nX01,"0,5 điểm"\nX02,85%\n'))[1] == {
        "X01": {"2.1": D("0.50")}, "X02": {"2.1": D("2.55")}}


# -- rounding ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("num, den, decimals, expected", [
    (5, 8, 2, "0.63"),      # 0,625 → 0,63 (half up, not to even)
    (1245, 1000, 2, "1.25"),
    (1, 3, 2, "0.33"),
    (5, 2, 0, "3"),
    (7, 8, 1, "0.9"),       # 0,875 → 0,9
])
def test_round_half_up(num, den, decimals, expected):
    from fractions import Fraction
    assert round_half_up(Fraction(num, den), decimals) == D(expected)


# -- answer counts -----------------------------------------------------------------------------------

def test_answer_counts_without_groups(tmp_path):
    campaign = survey_campaign(tmp_path)
    table = write(tmp_path / "counts.csv",
                  "Mã,Câu hỏi,Phương án,Số phiếu\n"
                  "X01,C1,A,3\nX01,C1,B,1\n"            # 3×100 + 60 = 360 over 4
                  "X01,C2,A,1\nX01,c2,b,2\nX01,C2,C,1\n"  # 100 + 2×50 + 0 = 200 over 4
                  "X01,2.2,A,5\nX01,2.2,B,3\n"          # 500 over 8 = 62,5 %
                  "X02,C1,B,1\nX02,C1,C,1\n")            # 60 + 20 = 80 over 2 = 40 %
    target, scores = import_survey(campaign, table)
    assert target == campaign.root / "survey.csv"
    # X01: 2.1 = 2 × 560/8 % = 1,40; 2.2 = 1 × 62,5 % = 0,625 → 0,63.  X02: 2.1 = 2 × 40 % = 0,80.
    assert scores == {"X01": {"2.1": D("1.40"), "2.2": D("0.63")}, "X02": {"2.1": D("0.80")}}
    assert load_survey(campaign) == scores
    tally = read_survey_table(campaign, target).tally
    assert tally.responses == {("X01", None): 8, ("X02", None): 2}


COUNTS_BY_GROUP = ("Mã,Nhóm,Câu hỏi,Phương án,Số phiếu\n"
                   "X01,CD,C1,A,2\nX01,CD,C2,B,2\n"      # CD: (200 + 100) / 4 = 75 %
                   "X01,DB,C1,D,1\nX01,DB,C2,A,1\n"      # DB: (0 + 100) / 2 = 50 %
                   "X01,Người dân tổ chức,2.2,A,1\nX01,cd,2.2,B,2\n")  # only CD: 100/3 %


def test_answer_counts_with_weighted_groups(tmp_path):
    campaign = survey_campaign(tmp_path, WEIGHTED)
    scores = import_survey(campaign, write(tmp_path / "c.csv", COUNTS_BY_GROUP))[1]
    # 2.1 = 2 × (60 × 75 + 40 × 50) / 100 % = 2 × 65 % = 1,30 (pooled it would be 1,33);
    # 2.2: DB did not answer, so CD alone: 1 × 33,33 % = 0,33.
    assert scores == {"X01": {"2.1": D("1.30"), "2.2": D("0.33")}}


def test_answer_counts_with_unweighted_groups(tmp_path):
    campaign = survey_campaign(tmp_path, UNWEIGHTED)
    scores = import_survey(campaign, write(tmp_path / "c.csv", COUNTS_BY_GROUP))[1]
    # every answer the same: 2.1 = 2 × (200 + 100 + 0 + 100) / 6 % = 2 × 66,67 % = 1,33
    assert scores == {"X01": {"2.1": D("1.33"), "2.2": D("0.33")}}


def test_every_problem_of_a_counts_table_at_once_and_the_earlier_table_kept(tmp_path):
    campaign = survey_campaign(tmp_path, WEIGHTED)
    earlier = import_survey(campaign, write(tmp_path / "ok.csv", "Mã,Nhóm,Câu hỏi,Phương án,Số phiếu\nX01,CD,C1,A,2\n"))[0]
    kept = earlier.read_bytes()
    bad = write(tmp_path / "bad.csv",
                "Mã,Nhóm,Câu hỏi,Phương án,Số phiếu\n"
                "ZZ9,CD,C1,A,2\n"       # 2: unknown unit
                "X01,CD,C9,A,2\n"       # 3: unknown question
                "X01,CD,C2,D,1\n"       # 4: C2 has no D
                "X01,CD,C1,B,\"2,5\"\n"  # 5: not a whole number
                ",CD,C1,A,1\n"          # 6: no unit
                "X02,HS,C1,A,1\n")      # 7: unknown group
    with pytest.raises(SurveyError) as info:
        import_survey(campaign, bad)
    problems = info.value.problems
    assert len(problems) == 6
    for words in ("dòng 2, cột A: mã đơn vị «ZZ9» không có", "dòng 3, cột C: «C9» không phải mã câu hỏi",
                  "dòng 4, cột D: phương án «D» không có ở câu hỏi «C2» (các phương án: A, B, C)",
                  "dòng 5, cột E: số phiếu «2,5» phải là số nguyên", "dòng 6, cột A: thiếu mã đơn vị",
                  "dòng 7, cột B: nhóm «HS» không có"):
        assert any(p.startswith(words) for p in problems), words
    assert earlier.read_bytes() == kept


def test_weighted_groups_need_the_group_column(tmp_path):
    campaign = survey_campaign(tmp_path, WEIGHTED)
    with pytest.raises(SurveyError, match="không có cột «Nhóm»"):
        import_survey(campaign, write(tmp_path / "c.csv", "Mã,Câu hỏi,Phương án,Số phiếu\nX01,C1,A,2\n"))


# -- respondent rows ---------------------------------------------------------------------------------

def test_respondent_rows(tmp_path):
    campaign = survey_campaign(tmp_path, WEIGHTED)
    table = write(tmp_path / "r.csv",
                  "Mã,Nhóm,Phiếu,C1,C2,2.2\n"
                  "X01,CD,1,A,B,A\n"
                  "X01,CD,2,A,B,B\n"
                  "X01,đại biểu hđnd,1,D,A,\n"   # 2.2 not answered
                  "X02,DB,1,b,,\n")
    table_data = read_survey_table(campaign, import_survey(campaign, table)[0])
    # X01 2.1: CD (100 + 50 + 100 + 50)/4 = 75 %, DB (0 + 100)/2 = 50 % → 2 × 65 % = 1,30;
    #     2.2: CD only, (100 + 0)/2 = 50 % → 0,50.  X02 2.1: DB only, B of C1 = 60 % → 1,20.
    assert table_data.shape == "respondents"
    assert table_data.scores == {"X01": {"2.1": D("1.30"), "2.2": D("0.50")}, "X02": {"2.1": D("1.20")}}
    assert table_data.tally.responses == {("X01", "CD"): 2, ("X01", "DB"): 1, ("X02", "DB"): 1}


def test_respondent_rows_problems_at_once(tmp_path):
    campaign = survey_campaign(tmp_path, UNWEIGHTED)
    table = write(tmp_path / "r.csv",
                  "Mã,Nhóm,Phiếu,C1,C7\n"
                  "X01,CD,1,A,\n"
                  ",CD,2,E,\n"
                  "X01,CD,1,B,\n")
    with pytest.raises(SurveyError) as info:
        import_survey(campaign, table)
    problems = info.value.problems
    for words in ("cột E «C7» không phải mã câu hỏi", "dòng 3, cột A: thiếu mã đơn vị",
                  "dòng 3, cột D «C1»: phương án «E» không có", "dòng 4, cột C: phiếu «1» của đơn vị «X01»"):
        assert any(p.startswith(words) for p in problems), (words, problems)
    assert not (campaign.root / "survey.csv").exists()


# -- sample plan -------------------------------------------------------------------------------------

@pytest.mark.parametrize("big_n, e, n", [
    (400, "0.05", 200),     # 400 / (1 + 400 × 0,0025) = 400 / 2 = 200 exactly: not rounded up to 201
    (12500, "0.05", 388),   # 12 500 / 32,25 = 387,6 → 388
    (1000, "0.1", 91),      # 1 000 / 11 = 90,9 → 91
    (50, "0.05", 45),       # 50 / 1,125 = 44,4 → 45
    (0, "0.05", 0),
])
def test_sample_size(big_n, e, n):
    from parxl.survey.design import sample_size
    assert sample_size(big_n, D(e)) == n


def test_plan_cli_xlsx_and_json(tmp_path):
    import json

    from click.testing import CliRunner
    from openpyxl import load_workbook

    from parxl.cli import main

    campaign = survey_campaign(tmp_path, WEIGHTED)
    result = CliRunner().invoke(main, ["survey", str(campaign.root), "--plan", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    # CD: n from Dân số with e = 5 % (X01 400 → 200, X02 12.500 → 388, X03 1 000 → 1000/3,5 = 285,7 → 286); DB: 5.
    assert [(r["unit"], r["group"], r["population"], r["n"]) for r in doc["rows"]] == [
        ("X01", "CD", 400, 200), ("X01", "DB", None, 5), ("X02", "CD", 12500, 388), ("X02", "DB", None, 5),
        ("X03", "CD", 1000, 286), ("X03", "DB", None, 5)]
    assert doc["total_planned"] == 200 + 388 + 286 + 15 and doc["total_received"] is None
    assert "n = N / (1 + N·e²)" in doc["formula"]
    assert "387,6 → 388" in doc["rows"][2]["how"]
    ws = load_workbook(doc["file"])["Cỡ mẫu"]  # header on row 4
    assert [c.value for c in ws[7]][:7] == [3, "X02", "Xã Lê Ninh", "Người dân, tổ chức", 12500, 0.05, 388]
    # after answers come back: received vs planned, a warning where fewer came back
    table = write(tmp_path / "r.csv", "Mã,Nhóm,Phiếu,C1\n" + "".join(f"X01,DB,{k},A\n" for k in range(1, 6))
                  + "X02,DB,1,B\n")
    result = CliRunner().invoke(main, ["survey", str(campaign.root), str(table)])
    assert result.exit_code == 0, result.output
    assert "Đã nhận 6/889 phiếu theo kế hoạch" in result.output
    assert "X02 Xã Lê Ninh, nhóm «Đại biểu HĐND»: nhận 1/5 phiếu" in result.output
    assert "X01 Phường An Lưu, nhóm «Đại biểu HĐND»" not in result.output
    doc = json.loads(CliRunner().invoke(main, ["survey", str(campaign.root), "--plan", "--json"]).output)
    assert [(r["unit"], r["group"], r["received"], r["short"]) for r in doc["rows"]][:2] == [
        ("X01", "CD", 0, True), ("X01", "DB", 5, False)]


def test_plan_problems(tmp_path):
    from click.testing import CliRunner

    from parxl.cli import main

    campaign = survey_campaign(tmp_path, WEIGHTED.replace("population: Dân số", "population: Số dân"))
    result = CliRunner().invoke(main, ["survey", str(campaign.root), "--plan"])
    assert result.exit_code == 1
    assert "không có cột «Số dân»" in result.output
    bare = survey_campaign(tmp_path / "b")
    result = CliRunner().invoke(main, ["survey", str(bare.root), "--plan"])
    assert result.exit_code == 1 and "survey_groups" in result.output


# -- design problems ---------------------------------------------------------------------------------

def test_a_question_option_without_weight_is_a_criteria_set_problem(tmp_path):
    from parxl.criteria.framework import FrameworkError, load_framework

    text = (FIXTURES / "mini-survey.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("- {letter: C, text: Thường trễ hẹn, weight: 0}", "- {letter: E, text: Thường trễ hẹn}"),
                   encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(bad)
    assert "phương án «E» của câu hỏi «C2» chưa có trọng số" in str(info.value) + repr(getattr(info.value, "problems", ""))


def test_a_group_needs_exactly_one_sampling(tmp_path):
    from parxl.core.errors import CampaignError

    campaign = survey_campaign(tmp_path)
    with open(campaign.root / "campaign.yaml", "a", encoding="utf-8") as f:
        f.write("survey_groups:\n  - {code: CD, name: Người dân, n: 5, population: Dân số}\n")
    with pytest.raises(CampaignError, match="đúng một cách lấy mẫu"):
        load_campaign(campaign.root)


def test_survey_without_table_or_option_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from parxl.cli import main

    campaign = survey_campaign(tmp_path)
    result = CliRunner().invoke(main, ["survey", str(campaign.root)])
    assert result.exit_code == 2 and "--plan" in result.output


def test_answer_counts_in_an_xlsx(tmp_path):
    campaign = survey_campaign(tmp_path)
    rows = [["mã", "câu hỏi", "phương án", "số phiếu"], ["X01", "C1", "A", 3], ["X01", "C1", "C", 1],
            ["X02", "2.2", "B", 2.5]]
    with pytest.raises(SurveyError, match="dòng 4, cột D: số phiếu «2,5» phải là số nguyên"):
        import_survey(campaign, _xlsx(tmp_path / "c.xlsx", rows))
    rows[3][3] = 2
    # X01 2.1 = 2 × (300 + 20) / 4 % = 2 × 80 % = 1,60; X02 2.2 = 1 × 0 % = 0,00
    assert import_survey(campaign, _xlsx(tmp_path / "c.xlsx", rows))[1] == {"X01": {"2.1": D("1.60")},
                                                                           "X02": {"2.2": D("0.00")}}


def test_answer_options_written_as_words_match_ignoring_case(tmp_path):
    # so-mau-2025's 5.6.1 (max 3) has word options: Rất tốt / Tốt / Bình thường / Kém = 100/75/50/0 %.
    # An office's table writes them in capitals or without diacritics: «RẤT TỐT» ×2, «tot» ×1, «Kém» ×1
    # → (200 + 75 + 0) / 4 = 68,75 % of 3 = 2,0625 → 2,06.
    campaign = make_campaign(tmp_path / "dot", "so-mau-2025", "Mã,Tên đơn vị,Loại\nS01,Sở Nội vụ,Sở\n")
    table = write(tmp_path / "counts.csv",
                  "Mã,Câu hỏi,Phương án,Số phiếu\n"
                  "S01,5.6.1,RẤT TỐT,2\nS01,5.6.1,tot,1\nS01,5.6.1,Kém,1\n")
    _, scores = import_survey(campaign, table)
    assert scores["S01"]["5.6.1"] == D("2.06")


def test_answer_options_written_by_their_text_or_letter_and_text(tmp_path):
    # C1's options are {A: Rất hài lòng, B: Hài lòng, C: Chưa hài lòng, D: Không có ý kiến} = 100/60/20/0 %;
    # C2's {A: Đúng hẹn, B: Đôi khi trễ hẹn, C: Thường trễ hẹn} = 100/50/0 %.
    campaign = survey_campaign(tmp_path)
    counts = write(tmp_path / "counts.csv",
                   "Mã,Câu hỏi,Phương án,Số phiếu\n"
                   "X01,C1,Rất hài lòng,3\nX01,C1,B. Hài lòng,1\n"      # 3×100 + 60 = 360 over 4
                   "X01,C2,đúng hẹn,1\nX01,C2,Doi khi tre hen,2\nX01,C2,C. THƯỜNG TRỄ HẸN,1\n")  # 200 over 4
    _, scores = import_survey(campaign, counts)
    # X01 2.1: (360 + 200)/8 = 70 % of 2 = 1,40 (as with letters in test_answer_counts_without_groups)
    assert scores == {"X01": {"2.1": D("1.40")}}
    campaign = survey_campaign(tmp_path / "nhom", WEIGHTED)
    rows = write(tmp_path / "r.csv",
                 "Mã,Nhóm,Phiếu,C1,C2,2.2\n"
                 "X02,CD,1,A. Rất hài lòng,Đôi khi trễ hẹn,A\n"   # C1 100, C2 50
                 "X02,CD,2,Chưa hài lòng,A. Đúng hẹn,A\n")        # C1 20, C2 100
    # X02 2.1 (group CD only): (100 + 50 + 20 + 100)/4 = 67,5 % of 2 = 1,35; 2.2: 100 % of 1 = 1,00
    assert read_survey_table(campaign, import_survey(campaign, rows)[0]).scores == {
        "X02": {"2.1": D("1.35"), "2.2": D("1.00")}}


def test_import_warns_per_unit_about_survey_items_without_answers(tmp_path):
    from click.testing import CliRunner

    from parxl.cli import main

    # mini-survey has two survey items, 2.1 (questions C1, C2) and 2.2; X01 answers only C1 (2.1),
    # X02 answers both items: only X01 is warned about, for 2.2.
    campaign = survey_campaign(tmp_path)
    table = write(tmp_path / "counts.csv",
                  "Mã,Câu hỏi,Phương án,Số phiếu\nX01,C1,A,3\nX02,C1,B,1\nX02,2.2,A,1\n")
    result = CliRunner().invoke(main, ["survey", str(campaign.root), str(table)])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "X01 Phường An Lưu: bảng không có câu trả lời cho tiêu chí điều tra 2.2 — điểm các tiêu chí này tính 0" in said
    assert "X02 Xã Lê Ninh: bảng không có" not in said


def test_a_title_row_above_the_header_and_ma_don_vi_are_understood(tmp_path):
    # As offices keep them: a title row, a blank row, then «Mã đơn vị | Câu hỏi | Phương án | Số phiếu».
    # X01 C1: A ×3, B ×1 → (300 + 60) / 4 = 90 % of item 2.1's 2 points (C2 unanswered: the item's mean is
    # over the answered questions) — checked against the same table without the title rows.
    campaign = survey_campaign(tmp_path)
    body = "Câu hỏi,Phương án,Số phiếu\n"
    rows = "X01,C1,A,3\nX01,C1,B,1\n"
    plain = write(tmp_path / "plain.csv", "Mã," + body + rows)
    titled = write(tmp_path / "titled.csv", "KẾT QUẢ ĐIỀU TRA XHH NĂM 2025,,,\n,,,\nMã đơn vị," + body + rows)
    _, expected = import_survey(campaign, plain)
    _, got = import_survey(campaign, titled)
    assert got == expected and got["X01"]


def test_a_table_without_a_ma_column_says_where_the_header_must_be(tmp_path):
    campaign = survey_campaign(tmp_path)
    table = write(tmp_path / "t.csv", "Đơn vị,Câu hỏi,Phương án,Số phiếu\nX01,C1,A,3\n")
    with pytest.raises(SurveyError) as err:
        import_survey(campaign, table)
    assert "thiếu cột «Mã» (mã đơn vị): không thấy dòng tiêu đề có cột này trong 10 dòng đầu" in str(err.value)
