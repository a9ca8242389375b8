"""The control workbook's «Chốt kết quả» and «Nhập phiếu khảo sát» (fake xlwings, as in test_xl) and their
.cmd launchers (run here as cmd.exe would, as in test_launchers).

Oracles: the survey points of a table computed by hand (mini set: item 2.1, 3 points; «2,5» is 2,50 and
«50%» is 1,50), the campaign's table compared byte for byte with the one put in the folder, the frozen
master compared byte for byte with the master in output/, the finalisation marker read as JSON.
"""
from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from test_launchers import AWKWARD, run_as_cmd
from test_xl import WORKBOOK, excel, send  # noqa: F401 - excel is a pytest fixture

from conftest import make_campaign
from parxl.excel import xl
from parxl.excel.launchers import write_launchers
from parxl.excel.tasks import SURVEY_RETURNS, task_named
from parxl.survey.table import load_survey

TABLE = 'Mã,Tên đơn vị,2.1\nX01,Phường An Lưu,"2,5"\nX02,Xã Lê Ninh,50%\n'
SURVEY = "Nhập phiếu khảo sát"
FINALIZE = "Chốt kết quả"


def put_table(root: Path, name: str = "dieu-tra.csv", text: str = TABLE) -> Path:
    folder = root / SURVEY_RETURNS
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_button_imports_the_survey_table_of_the_folder(tmp_path, excel):
    c = make_campaign(tmp_path / "dot")
    table = put_table(c.root)
    (c.root / SURVEY_RETURNS / "~$dieu-tra.xlsx").write_bytes(b"lock")  # Excel's lock file: not a table
    status = excel(c.root / WORKBOOK, SURVEY)
    xl.main()
    assert status.shown[0].startswith(f"{SURVEY}: đã xong (lúc "), status.shown
    assert status.shown[1] == "Đã nhận kết quả điều tra xã hội học của 2 đơn vị từ «dieu-tra.csv» (lưu tại «survey.csv»)."
    assert status.shown[2] == "Chưa có kết quả điều tra (1 đơn vị, điểm điều tra tính 0): Phường Hiệp An."
    assert (c.root / "survey.csv").read_bytes() == table.read_bytes()
    assert load_survey(c) == {"X01": {"2.1": D("2.50")}, "X02": {"2.1": D("1.50")}}


def test_the_button_refuses_an_empty_folder_and_two_tables_of_one_campaign(tmp_path, excel):
    c = make_campaign(tmp_path / "dot")
    status = excel(c.root / WORKBOOK, SURVEY)
    xl.main()
    assert status.shown[0].startswith(f"{SURVEY}: KHÔNG thực hiện được"), status.shown
    assert "chưa có bảng kết quả điều tra" in status.shown[1]
    put_table(c.root, "a.csv")
    put_table(c.root, "b.csv", "Mã,2.1\nX03,1\n")
    xl.main()
    assert "«a.csv» và «b.csv»" in status.shown[1] and "Chưa nhập bảng nào." in status.shown[1]
    assert not (c.root / "survey.csv").exists()


def test_the_button_imports_each_blocks_table_into_its_block(tmp_path, excel):
    from test_blocks import year_on_copy

    from parxl.demo.simulate import simulate_survey

    c = year_on_copy(tmp_path)
    xa = c.views()[1]
    table = simulate_survey(xa, c.root / SURVEY_RETURNS / "ket-qua-xa.csv")
    status = excel(c.root / WORKBOOK, SURVEY)
    xl.main()
    assert status.shown[1].startswith("Khối UBND cấp xã: Đã nhận kết quả điều tra xã hội học của "), status.shown
    [kept] = [p for p in c.root.iterdir() if p.name.startswith("survey") and p.suffix == ".csv"]
    assert kept.read_bytes() == table.read_bytes() and "xa" in kept.name


def test_the_button_finalizes_the_newest_master_once(tmp_path, excel):
    c = make_campaign(tmp_path / "dot")
    send(c, "X01")
    master = xl.do_consolidate(c.root).paths[0]
    status = excel(c.root / WORKBOOK, FINALIZE)
    xl.main()
    assert status.shown[0].startswith(f"{FINALIZE}: đã xong (lúc "), status.shown
    assert status.shown[1].startswith(f"Đã chốt kết quả theo bảng tổng hợp «{master.name}»")
    marker = json.loads((c.state_dir / "final" / "current.json").read_text(encoding="utf-8"))
    assert marker["master_name"] == master.name
    assert (c.state_dir / "final" / marker["master"]).read_bytes() == master.read_bytes()
    xl.main()  # already final: said, nothing changed
    assert status.shown[0].startswith(f"{FINALIZE}: KHÔNG thực hiện được") and "đã được chốt" in status.shown[1]


def test_the_launchers_import_the_table_and_finalize_in_an_awkward_folder(tmp_path):
    c = make_campaign(tmp_path / AWKWARD)
    launchers = {p.name: p for p in write_launchers(c.root)}
    survey = launchers[task_named(SURVEY).launcher]
    [empty] = run_as_cmd(survey)  # the folder is not there yet: said in Vietnamese, as the button says it
    assert empty.returncode == 1 and "chưa có bảng kết quả điều tra" in " ".join(empty.stderr.split())
    table = put_table(c.root, "Điều tra (đợt 1) 100%.csv")
    [run] = run_as_cmd(survey)
    assert run.returncode == 0, run.stderr
    assert "Đã nhận kết quả điều tra xã hội học của 2 đơn vị" in " ".join(run.stdout.split())
    assert (c.root / "survey.csv").read_bytes() == table.read_bytes()
    send(c, "X01")
    [consolidate] = run_as_cmd(launchers["5-tong-hop-xep-hang.cmd"])
    assert consolidate.returncode == 0, consolidate.stderr
    [final] = run_as_cmd(launchers[task_named(FINALIZE).launcher])
    assert final.returncode == 0, final.stderr
    assert (c.state_dir / "final" / "current.json").is_file()


def test_the_survey_launcher_refuses_two_tables_of_one_campaign_as_the_button_does(tmp_path, excel):
    """Two tables for the one campaign: the launcher imports neither (a loop over the tables would have let the
    later replace the earlier), with the same Vietnamese refusal as the «Chạy» button."""
    c = make_campaign(tmp_path / AWKWARD)
    put_table(c.root, "a.csv")
    put_table(c.root, "b.csv", TABLE.replace('"2,5"', "1"))
    [run] = run_as_cmd(write_launchers(c.root)[task_named(SURVEY).number - 1])
    said = " ".join(run.stderr.split())
    assert run.returncode == 1 and "«a.csv» và «b.csv»" in said and "Chưa nhập bảng nào." in said
    assert not (c.root / "survey.csv").exists()
    status = excel(c.root / WORKBOOK, SURVEY)
    xl.main()
    button = " ".join(" ".join(status.shown).split())
    assert "«a.csv» và «b.csv»" in button and "Chưa nhập bảng nào." in button
