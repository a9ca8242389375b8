"""`parxl survey`: the survey table is checked whole, kept, and counted by the consolidation."""
import csv
import io
import json
import os
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from parxl.cli import main
from parxl.master.consolidation import results_from_submissions
from parxl.survey.table import SurveyError, import_survey, load_survey


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
    kept = sorted(p.read_text(encoding="utf-8") for p in (campaign.state_dir / "survey").iterdir())
    assert kept == ["Mã,2.1\nX01,1\n", "Mã,2.1\nX01,2\n"]  # every imported table, by content hash
    assert load_survey(campaign) == {"X01": {"2.1": D("2.00")}}


def test_consolidation_counts_the_survey(campaign, tmp_path):
    from parxl.ledger.store import LedgerSubmission

    sub = LedgerSubmission("X01", "Phường An Lưu", "0" * 64, "inbox/a.xlsx", "2026-01-05T08:00:00", tmp_path / "a",
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
    assert ok.exit_code == 0 and _flat("của 1 đơn vị") in _flat(ok.output) and _flat("Xã Lê Ninh") in _flat(ok.output)
    bad = runner.invoke(main, ["survey", str(campaign.root), str(write(tmp_path / "bad.csv", "Mã,2.1\nX01,9\n"))])
    assert bad.exit_code == 1 and _flat("nằm ngoài khoảng") in _flat(bad.output)


def test_master_names_the_survey_table(campaign, tmp_path):
    from openpyxl import load_workbook

    from parxl.master import write_master
    from parxl.results.compute import consolidate

    import_survey(campaign, write(tmp_path / "dt.csv", "Mã,2.1\nX01,1\n"))
    master = write_master(consolidate(campaign, []), campaign.output_dir)
    sheet = load_workbook(master)["Nguồn dữ liệu"]
    facts = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert facts["Bảng kết quả điều tra đã nhập"].startswith("survey.csv (SHA-256 ")


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    wb = Workbook()
    wb.active.append(["Mã", "2.1"])
    wb.active.append(["X01", 2])
    wb.save(buffer)
    return buffer.getvalue()


def _flat(text: str) -> str:
    """The output without any whitespace: rich may wrap a long line (or a long path) anywhere."""
    return "".join(text.split())


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name, data, words", [
    ("dt.xlsx", b"\x00\x01 not a zip at all", "không phải tệp Excel .xlsx"),
    ("dt.xlsx", _xlsx_bytes()[:300], "tệp Excel bị hỏng hoặc không trọn vẹn"),
    ("dt.xlsx", b"PK\x03\x04" + b"\x00" * 60, "tệp Excel bị hỏng"),
    ("dt.xlsx", OLE + b"\x00" * 64 + "EncryptionInfo".encode("utf-16-le"), "được đặt mật khẩu"),
    ("dt.xlsx", OLE + b"\x00" * 64 + "Workbook".encode("utf-16-le"), "Excel 97–2003 (.xls)"),
    ("dt.xls", OLE + b"\x00" * 64 + "Workbook".encode("utf-16-le"), "Excel 97–2003 (.xls)"),
    ("dt.ods", b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.spreadsheet", "OpenDocument (.ods)"),
    ("dt.csv", b"", "tệp rỗng"),
    ("dt.csv", b"M\xe3,8.1.1\n", "không phải UTF-8"),
    ("dt.pdf", b"%PDF-1.4", "phải là tệp .csv"),
])
def test_broken_tables_get_a_clear_message_and_change_nothing(campaign, tmp_path, name, data, words):
    import_survey(campaign, write(tmp_path / "ok.csv", "Mã,2.1\nX01,1\n"))
    before = tree(campaign.root)
    bad = tmp_path / name
    bad.write_bytes(data)
    result = CliRunner().invoke(main, ["survey", str(campaign.root), str(bad)])
    assert result.exit_code == 1
    assert _flat(words) in _flat(result.output) and name in result.output
    assert "Traceback" not in result.output and "Error" not in result.output
    assert tree(campaign.root) == before  # nothing in the campaign changed, not even the state folder
    assert load_survey(campaign) == {"X01": {"2.1": D("1.00")}}  # the table imported before stays
    assert bad.read_bytes() == data


def _independent(table: Path, max_points: D) -> dict[str, D]:
    """Item 2.1's points per unit, read from the CSV with the csv module and worked out by hand."""
    points = {}
    for row in list(csv.reader(table.read_text(encoding="utf-8").splitlines()))[1:]:
        text = row[1].replace(",", ".")
        value = max_points * D(text[:-1]) / 100 if text.endswith("%") else D(text)
        points[row[0]] = value.quantize(D("0.01"))
    return points


def test_reimporting_the_campaigns_own_table_keeps_it_and_still_counts(campaign, tmp_path):
    from parxl.master.consolidation import results_from_ledger
    from support.tamper import filled

    for unit in campaign.units[:2]:
        (campaign.inbox_dir / f"{unit.code}.xlsx").write_bytes(filled(campaign, unit))
    runner = CliRunner()
    first = runner.invoke(main, ["survey", str(campaign.root),
                                 str(write(tmp_path / "dt.csv", "Mã,2.1\nX01,\"2,4\"\nX02,55%\n"))])
    assert first.exit_code == 0, first.output
    own = campaign.root / "survey.csv"
    data = own.read_bytes()
    again = runner.invoke(main, ["survey", str(campaign.root), str(own)])
    assert again.exit_code == 0, again.output
    assert "Traceback" not in again.output and "FileNotFoundError" not in again.output
    assert own.read_bytes() == data  # the table is still the campaign's, unchanged

    done = runner.invoke(main, ["consolidate", str(campaign.root), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["warnings"] == []
    expected = _independent(own, D(3))
    assert expected == {"X01": D("2.40"), "X02": D("1.65")}
    results = results_from_ledger(campaign)
    assert {c: results.by_code(c).survey_points for c in expected} == expected


def test_crash_while_writing_keeps_the_previous_table(campaign, tmp_path, monkeypatch):
    import_survey(campaign, write(tmp_path / "1.csv", "Mã,2.1\nX01,1\n"))
    before = (campaign.root / "survey.csv").read_bytes()

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        import_survey(campaign, write(tmp_path / "2.csv", "Mã,2.1\nX01,2\n"))
    monkeypatch.undo()
    assert (campaign.root / "survey.csv").read_bytes() == before
    assert load_survey(campaign) == {"X01": {"2.1": D("1.00")}}
    assert not [p for p in campaign.root.rglob("*.tmp")]


def test_a_table_of_the_other_format_replaces_the_first(campaign, tmp_path):
    import_survey(campaign, write(tmp_path / "1.csv", "Mã,2.1\nX01,1\n"))
    (tmp_path / "2.xlsx").write_bytes(_xlsx_bytes())
    target, _ = import_survey(campaign, tmp_path / "2.xlsx")
    assert target == campaign.root / "survey.xlsx"
    assert sorted(p.name for p in campaign.root.glob("survey.*")) == ["survey.xlsx"]
    assert load_survey(campaign) == {"X01": {"2.1": D("2.00")}}
    kept = [p.read_text(encoding="utf-8") for p in (campaign.state_dir / "survey").glob("*.csv")]
    assert kept == ["Mã,2.1\nX01,1\n"]
    assert [p.read_bytes() for p in (campaign.state_dir / "survey").glob("*.xlsx")] == [_xlsx_bytes_of(tmp_path)]
    assert (tmp_path / "2.xlsx").is_file()  # the source stays where it was


def _xlsx_bytes_of(tmp_path: Path) -> bytes:
    return (tmp_path / "2.xlsx").read_bytes()


def test_consolidation_without_a_survey_table_warns(campaign, tmp_path):
    from parxl.survey.table import missing_table_warning

    runner = CliRunner()
    import_survey(campaign, write(tmp_path / "dt.csv", "Mã,2.1\nX01,1\n"))
    (campaign.root / "survey.csv").unlink()  # the table lost (as the re-import bug did)
    console = runner.invoke(main, ["consolidate", str(campaign.root)])
    assert console.exit_code == 0, console.output
    flat = _flat(console.output)
    assert _flat("Cảnh báo: Không tìm thấy bảng kết quả điều tra xã hội học") in flat
    assert _flat("1 tiêu chí điều tra (2.1; tối đa 3 điểm) tính 0 điểm cho mọi đơn vị") in flat
    kept = next((campaign.state_dir / "survey").iterdir())
    assert _flat(str(kept)) in flat  # where the earlier table is kept, to import it again
    machine = runner.invoke(main, ["consolidate", str(campaign.root), "--json"])
    warnings = json.loads(machine.output)["warnings"]
    assert len(warnings) == 1 and "Không tìm thấy bảng kết quả điều tra" in warnings[0]

    back = runner.invoke(main, ["survey", str(campaign.root), str(kept)])  # the command the warning gives
    assert back.exit_code == 0 and kept.is_file()
    assert missing_table_warning(campaign) is None
    warnings = json.loads(runner.invoke(main, ["consolidate", str(campaign.root), "--json"]).output)["warnings"]
    assert warnings == []  # nobody is ranked, so no unit is ranked without its survey row


def test_no_warning_when_the_survey_is_not_held(campaign):
    from parxl.survey.table import missing_table_warning

    assert missing_table_warning(campaign) is not None
    campaign.config.survey_held = False
    assert missing_table_warning(campaign) is None


# --- units missing from the table; two tables at once --------------------------------------

def test_consolidate_names_the_units_the_survey_table_lacks(campaign, tmp_path):
    from openpyxl import load_workbook

    from parxl.excel import xl
    from support.tamper import filled

    for unit in campaign.units:  # every unit sends a good file: all three are ranked
        (campaign.inbox_dir / f"{unit.code}.xlsx").write_bytes(filled(campaign, unit))
    runner = CliRunner()
    import_survey(campaign, write(tmp_path / "dt.csv", "Mã,2.1\nX02,1\n"))  # X01 and X03 have no row
    console = runner.invoke(main, ["consolidate", str(campaign.root)])
    assert console.exit_code == 0, console.output
    flat = _flat(console.output)
    assert _flat("Cảnh báo: Bảng kết quả điều tra xã hội học «survey.csv» không có dòng của 2 đơn vị "
                 "được xếp hạng (X01 Phường An Lưu, X03 Phường Hiệp An)") in flat
    assert _flat("xếp hạng với 0 điểm điều tra (tối đa 3 điểm)") in flat
    machine = runner.invoke(main, ["consolidate", str(campaign.root), "--json"])
    warnings = json.loads(machine.output)["warnings"]
    assert len(warnings) == 1 and "(X01 Phường An Lưu, X03 Phường Hiệp An)" in warnings[0]
    sheet = load_workbook(json.loads(machine.output)["master"])["Nguồn dữ liệu"]
    facts = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    assert facts["Đơn vị xếp hạng không có trong bảng điều tra"] == "2 đơn vị, tính 0 điểm điều tra: X01, X03"
    lines = xl.do_consolidate(campaign.root).lines  # the Excel button
    assert any(line.startswith("Cảnh báo: Bảng kết quả điều tra") and "X01 Phường An Lưu" in line for line in lines)

    import_survey(campaign, write(tmp_path / "all.csv", "Mã,2.1\nX01,1\nX02,1\nX03,1\n"))
    again = runner.invoke(main, ["consolidate", str(campaign.root), "--json"])
    assert json.loads(again.output)["warnings"] == []
    sheet = load_workbook(json.loads(again.output)["master"])["Nguồn dữ liệu"]
    assert "Đơn vị xếp hạng không có trong bảng điều tra" not in [row[0] for row in sheet.iter_rows(values_only=True)]


def test_both_survey_tables_stop_consolidate_and_documents(campaign, tmp_path):
    runner = CliRunner()
    import_survey(campaign, write(tmp_path / "dt.csv", "Mã,2.1\nX01,1\nX02,1\nX03,1\n"))
    assert runner.invoke(main, ["consolidate", str(campaign.root)]).exit_code == 0
    (campaign.root / "survey.xlsx").write_bytes(_xlsx_bytes())  # put beside it by hand: X01 gets 2, not 1
    masters = sorted(campaign.output_dir.glob("*.xlsx"))
    for command in ("consolidate", "decision", "notices", "report"):
        out = runner.invoke(main, [command, str(campaign.root)])
        assert out.exit_code == 1, (command, out.output)
        flat = _flat(out.output)
        assert _flat("có cùng lúc hai bảng kết quả điều tra xã hội học «survey.csv» và «survey.xlsx»") in flat
        assert _flat("Lần nhập gần nhất bằng «parxl survey» là bảng «survey.csv»") in flat
        assert _flat(f"hãy xóa «{campaign.root / 'survey.xlsx'}»") in flat and _flat("parxl survey") in flat
    assert sorted(campaign.output_dir.glob("*.xlsx")) == masters and not list(campaign.output_dir.rglob("*.docx"))

    # Importing the wanted table settles it: the other one is kept in .parxl/survey/ and removed.
    ok = runner.invoke(main, ["survey", str(campaign.root), str(campaign.root / "survey.xlsx")])
    assert ok.exit_code == 0, ok.output
    assert sorted(p.name for p in campaign.root.glob("survey.*")) == ["survey.xlsx"]
    assert load_survey(campaign) == {"X01": {"2.1": D("2.00")}}
    assert runner.invoke(main, ["consolidate", str(campaign.root)]).exit_code == 0


def test_two_tables_neither_imported_say_it_is_not_known_which(campaign):
    write(campaign.root / "survey.csv", "Mã,2.1\nX01,1\n")
    (campaign.root / "survey.xlsx").write_bytes(_xlsx_bytes())
    with pytest.raises(SurveyError) as info:
        load_survey(campaign)
    assert "Không rõ bảng nào được nhập sau cùng" in str(info.value)
    assert "«survey.csv» và «survey.xlsx»" in str(info.value)
