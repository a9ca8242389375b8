"""``parxl check``: JSON report, exit codes, the findings workbook and the feedback workbooks."""
from __future__ import annotations

import json
from urllib.parse import unquote

import openpyxl
from click.testing import CliRunner

from parxl.cli import main
from parxl.ledger.check_report_xlsx import FEEDBACK_DIR, FINDINGS_FILE
from support.tamper import filled, set_text


def run(campaign, *args):
    return CliRunner().invoke(main, ["check", str(campaign.root), *args], catch_exceptions=False)


def test_json_report_and_exit_code_1_on_errors(campaign):
    inbox = campaign.inbox_dir
    (inbox / "X01 - Phường An Lưu.xlsx").write_bytes(filled(campaign, campaign.units[0]))
    (inbox / "X02 - Xã Lê Ninh.xlsx").write_bytes(set_text(filled(campaign, campaign.units[1]), "D7", "Sớm"))
    (inbox / "hong.xlsx").write_bytes(b"\x00" * 10)
    result = run(campaign, "--json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert [(u["code"], u["status"], u["total_self"]) for u in doc["units"]] == [
        ("X01", "ok", "7.25"), ("X02", "errors", "6.25")]
    assert doc["units"][0]["file"] == "inbox/X01 - Phường An Lưu.xlsx" and doc["units"][0]["findings"] == []
    finding = doc["units"][1]["findings"][0]
    assert {k: finding[k] for k in ("code", "severity", "sheet", "cell")} == {
        "code": "input-not-option", "severity": "error", "sheet": "Tự đánh giá", "cell": "D7"}
    assert "«Sớm»" in finding["message"]
    assert doc["missing"] == ["X03"]
    files = {f["path"]: f for f in doc["files"]}
    assert files["inbox/hong.xlsx"]["status"] == "unreadable"
    assert files["inbox/hong.xlsx"]["findings"][0]["code"] == "file-not-workbook"
    assert len(files["inbox/X01 - Phường An Lưu.xlsx"]["sha256"]) == 64


def test_exit_code_0_and_table_without_errors(campaign):
    (campaign.inbox_dir / "X01 - Phường An Lưu.xlsx").write_bytes(filled(campaign, campaign.units[0]))
    result = run(campaign)
    assert result.exit_code == 0, result.output
    assert "X01" in result.output and "7,25" in result.output and "Đạt yêu" in result.output
    assert "Chưa gửi (2)" in result.output


def test_findings_workbook_and_feedback(campaign):
    inbox = campaign.inbox_dir
    (inbox / "X02 - Xã Lê Ninh.xlsx").write_bytes(set_text(filled(campaign, campaign.units[1]), "D7", "Sớm"))
    assert run(campaign).exit_code == 1
    wb = openpyxl.load_workbook(campaign.output_dir / FINDINGS_FILE)
    ws = wb["Các lỗi"]
    assert ws.auto_filter.ref == "A1:I4"  # the error, and the two cached values it made stale
    assert [ws.cell(r, 4).value for r in (3, 4)] == ["cached-value-differs"] * 2
    assert not ws["G4"].value  # the total is no item
    assert [c.value for c in ws[2]][:6] == ["X02", "Xã Lê Ninh", "Lỗi", "input-not-option", "Tự đánh giá", "D7"]
    assert unquote(ws["I2"].hyperlink.target) == "..\\inbox\\X02 - Xã Lê Ninh.xlsx"
    summary = wb["Tổng hợp"]
    assert [summary.cell(r, 1).value for r in range(4, 7)] == ["X02", "X01", "X03"]
    feedback = openpyxl.load_workbook(campaign.output_dir / FEEDBACK_DIR / "X02 - Xã Lê Ninh - phản hồi.xlsx").active
    texts = [c.value for row in feedback.iter_rows() for c in row if c.value]
    assert "Đơn vị: Xã Lê Ninh (mã X02)" in texts
    assert any("«Sớm»" in str(t) for t in texts)
    assert not list((campaign.output_dir).glob(".parxl-*"))  # no temp file left behind


def test_many_units_the_table_lists_only_those_with_errors(campaign, monkeypatch):
    from parxl.cli import check_cmd
    campaign.inbox_dir.mkdir(parents=True, exist_ok=True)
    for unit in campaign.units:
        answers = {"1.1": {"choice": "Không có"}} if unit.code == "X02" else None  # not an option: an error
        (campaign.inbox_dir / f"{unit.code}.xlsx").write_bytes(filled(campaign, unit, answers=answers))
    monkeypatch.setattr(check_cmd, "ALL_ROWS_UP_TO", 2)
    result = run(campaign)
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "X02 Xã Lê Ninh" in text and "X01 Phường An Lưu" not in text and "X03 Phường Hiệp An" not in text
    assert "2 đơn vị khác không có lỗi phải sửa" in text


def test_feedback_written_with_a_forked_child_is_the_one_written_in_one_process(campaign, monkeypatch):
    import shutil

    from parxl.ledger import check_report_xlsx
    campaign.inbox_dir.mkdir(parents=True, exist_ok=True)
    for unit in campaign.units:
        answers = {"1.1": {"choice": "Không có"}} if unit.code == "X02" else None
        (campaign.inbox_dir / f"{unit.code}.xlsx").write_bytes(filled(campaign, unit, answers=answers))
    made = {}
    for way, threshold in (("one", 10 ** 9), ("two", 0)):
        shutil.rmtree(campaign.output_dir / FEEDBACK_DIR, ignore_errors=True)
        (campaign.output_dir / FINDINGS_FILE).unlink(missing_ok=True)  # built again: the child is forked
        monkeypatch.setattr(check_report_xlsx, "FORK_FROM", threshold)
        assert run(campaign).exit_code == 1
        made[way] = {p.name: parts(p) for p in (campaign.output_dir / FEEDBACK_DIR).iterdir()}
    assert len(made["one"]) == 3 and made["one"] == made["two"]


def parts(path) -> dict:
    """Every part of a workbook but its creation time (docProps/core.xml)."""
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}
