"""`parxl survey`: the survey table is checked whole, kept, and counted by the consolidation."""
from decimal import Decimal as D

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from parxl.cli import main
from parxl.consolidation import results_from_submissions
from parxl.survey import SurveyError, import_survey, load_survey


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_points_and_shares(campaign, tmp_path):
    table = write(tmp_path / "dt.csv", "STT,Mã,Tên đơn vị,2.1\n1,X01,Phường An Lưu,\"2,5\"\n2,X02,Xã Lê Ninh,50%\n")
    target, scores = import_survey(campaign, table)
    assert target == campaign.root / "survey.csv"
    assert scores == {"X01": {"2.1": D("2.50")}, "X02": {"2.1": D("1.50")}}
    assert load_survey(campaign) == scores


def test_xlsx_table(campaign, tmp_path):
    wb = Workbook()
    wb.active.append(["mã", "2.1"])
    wb.active.append(["X03", 3])
    wb.save(tmp_path / "dt.xlsx")
    assert import_survey(campaign, tmp_path / "dt.xlsx")[1] == {"X03": {"2.1": D("3.00")}}


def test_every_problem_listed_and_nothing_imported(campaign, tmp_path):
    table = write(tmp_path / "dt.csv", "Mã,2.1,1.1\nX01,4\nZZ9,1\nX02,nhiều\nX01,1\n")
    with pytest.raises(SurveyError) as info:
        import_survey(campaign, table)
    text = "\n".join(info.value.problems)
    for words in ("cột «1.1» không phải mã tiêu chí điều tra", "nằm ngoài khoảng 0–3", "«ZZ9» không có trong danh sách",
                  "«nhiều» không phải số điểm", "«X01» xuất hiện lần thứ hai"):
        assert words in text
    assert not (campaign.root / "survey.csv").exists()


def test_missing_code_column_and_missing_item(campaign, tmp_path):
    with pytest.raises(SurveyError, match="thiếu cột «Mã»"):
        import_survey(campaign, write(tmp_path / "a.csv", "Đơn vị,2.1\nX01,1\n"))
    with pytest.raises(SurveyError, match="thiếu cột của tiêu chí điều tra «2.1»"):
        import_survey(campaign, write(tmp_path / "b.csv", "Mã,Tên đơn vị\nX01,A\n"))


def test_earlier_table_kept_by_hash(campaign, tmp_path):
    import_survey(campaign, write(tmp_path / "1.csv", "Mã,2.1\nX01,1\n"))
    import_survey(campaign, write(tmp_path / "2.csv", "Mã,2.1\nX01,2\n"))
    kept = list((campaign.state_dir / "survey").iterdir())
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "Mã,2.1\nX01,1\n"
    assert load_survey(campaign) == {"X01": {"2.1": D("2.00")}}


def test_consolidation_counts_the_survey(campaign, tmp_path):
    from parxl.ledger import UnitSubmission

    sub = UnitSubmission("X01", "Phường An Lưu", "0" * 64, "inbox/a.xlsx", "2026-01-05T08:00:00", tmp_path / "a",
                         "ok", D("7"), 0, 0, scores={"self": {c: D(0) for c in ("1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "T1", "D1")}})
    sub.scores["self"].update({"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D(2), "1.5": D(1)})
    before = results_from_submissions(campaign, [sub]).by_code("X01")
    assert (before.survey_points, before.total, before.index) == (D(0), D("7.00"), D("70.00"))
    import_survey(campaign, write(tmp_path / "dt.csv", "Mã,2.1\nX01,\"2,4\"\n"))
    after = results_from_submissions(campaign, [sub]).by_code("X01")
    assert (after.survey_points, after.total, after.index) == (D("2.40"), D("9.40"), D("94.00"))
    assert after.band == "Tốt"


def test_cli(campaign, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["survey", str(campaign.root), str(write(tmp_path / "ok.csv", "Mã,2.1\nX01,1\n"))])
    assert ok.exit_code == 0 and "của 1 đơn vị" in ok.output and "Xã Lê Ninh" in ok.output
    bad = runner.invoke(main, ["survey", str(campaign.root), str(write(tmp_path / "bad.csv", "Mã,2.1\nX01,9\n"))])
    assert bad.exit_code == 1 and "nằm ngoài khoảng" in bad.output


def test_master_names_the_survey_table(campaign, tmp_path):
    from openpyxl import load_workbook

    from parxl.master import write_master
    from parxl.results import consolidate

    import_survey(campaign, write(tmp_path / "dt.csv", "Mã,2.1\nX01,1\n"))
    master = write_master(consolidate(campaign, []), campaign.output_dir)
    sheet = load_workbook(master)["Nguồn dữ liệu"]
    facts = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert facts["Bảng kết quả điều tra đã nhập"].startswith("survey.csv (SHA-256 ")


@pytest.mark.parametrize("name, data, words", [
    ("dt.xlsx", b"\x00\x01 not a zip at all", "không mở được tệp Excel"),
    ("dt.csv", b"M\xe3,8.1.1\n", "không phải UTF-8"),
    ("dt.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "phải là tệp .csv"),
])
def test_broken_tables_get_a_clear_message_and_change_nothing(campaign, tmp_path, name, data, words):
    import_survey(campaign, write(tmp_path / "ok.csv", "Mã,2.1\nX01,1\n"))
    bad = tmp_path / name
    bad.write_bytes(data)
    result = CliRunner().invoke(main, ["survey", str(campaign.root), str(bad)])
    assert result.exit_code == 1 and words in result.output and name in result.output
    assert "Traceback" not in result.output
    assert load_survey(campaign) == {"X01": {"2.1": D("1.00")}}  # the table imported before stays
    assert bad.read_bytes() == data
