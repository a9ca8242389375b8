"""A unit whose file arrived is never «chưa gửi» (issue 11, point 5).

A received file that cannot be read or identified puts its unit under «bị trả lại /
không đọc được» (with the file and the reason, and «nhận theo tên tệp» when the
unit was recognised by the file name), and a file parxl itself failed on under
«parxl lỗi khi đọc», in ``check`` (console, --json, findings workbook),
``consolidate``, the master's «Chưa nộp, bị trả lại» sheet and the documents.

Every expected list below is written by hand from what each unit sent; the
master is read with openpyxl, the decision with python-docx.
"""
from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

import parxl.ledger.receive
from conftest import UNITS_CSV, make_campaign
from parxl.cli import main
from parxl.excel import xl
from parxl.ledger.check_report_xlsx import FINDINGS_FILE, INTERNAL_SHEET
from parxl.master.names import SHEET_MISSING
from support.tamper import filled
from test_documents_common import docx_texts, table_rows
from test_hostile import encrypted_workbook
from test_internal_errors import buggy_validate_for

UNITS = UNITS_CSV + "X04,Xã Hiến Thành,Xã\nX05,Xã Minh Tân,Xã\n"
X01, X02, X03, X05 = ("X01 - Phường An Lưu.xlsx", "X02 - Xã Lê Ninh.xlsx", "X03 - Phường Hiệp An.xlsx",
                      "X05 - Xã Minh Tân.xlsx")


def run(*args: str):
    return CliRunner().invoke(main, [*args])


@pytest.fixture
def campaign(tmp_path):
    """X01 sends a good file, X02 a corrupt one, X03 an encrypted one, X04 and X05 nothing."""
    c = make_campaign(tmp_path / "dot-danh-gia", units_csv=UNITS)
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / X01).write_bytes(filled(c, c.unit("X01")))
    good = filled(c, c.unit("X02"))
    (c.inbox_dir / X02).write_bytes(good[: len(good) // 2])  # cut in the middle: a broken zip
    (c.inbox_dir / X03).write_bytes(encrypted_workbook())
    return c


def flat(text: str) -> str:
    return " ".join(text.split())


def missing_sheet(master: Path) -> list[tuple[str, str, str, str]]:
    """(Mã, Nhóm, Tình trạng, Tệp gần nhất) of each row of the master's «Chưa nộp, bị trả lại» sheet."""
    ws = openpyxl.load_workbook(master)[SHEET_MISSING]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[0] == "STT")
    cols = {h: i for i, h in enumerate(rows[at]) if h}
    return [(r[cols["Mã"]], r[cols["Nhóm"]], r[cols["Tình trạng"]], r[cols["Tệp gần nhất"]] or "")
            for r in rows[at + 1:] if r[cols["Mã"]]]


def test_check_json_lists_unreadable_files_apart_from_units_that_sent_nothing(campaign):
    out = run("check", str(campaign.root), "--json")
    assert out.exit_code == 1, out.output
    doc = json.loads(out.stdout)
    assert doc["missing"] == ["X04", "X05"]
    assert [(u["code"], u["name"], u["file"], u["reason"], u["matched_by_name"]) for u in doc["units_unreadable"]] == [
        ("X02", "Xã Lê Ninh", f"inbox/{X02}", "Tệp hỏng", True),
        ("X03", "Phường Hiệp An", f"inbox/{X03}", "Tệp có mật khẩu", True)]
    assert "mật khẩu" in doc["units_unreadable"][1]["detail"]
    assert doc["units_parxl_error"] == []
    assert {k: doc["summary"][k] for k in ("missing", "units_unreadable", "units_parxl_error")} == {
        "missing": 2, "units_unreadable": 2, "units_parxl_error": 0}


def test_check_console_says_which_units_sent_an_unreadable_file(campaign):
    out = run("check", str(campaign.root))
    text = flat(out.output)
    assert "Chưa gửi (2): X04 Xã Hiến Thành, X05 Xã Minh Tân" in text
    assert "Bị trả lại / không đọc được (2):" in text
    assert f"X02 Xã Lê Ninh: «{X02}» (nhận theo tên tệp): Tệp hỏng" in text
    assert f"X03 Phường Hiệp An: «{X03}» (nhận theo tên tệp): Tệp có mật khẩu" in text


def test_findings_workbook_never_calls_a_unit_that_sent_a_file_not_sent(campaign):
    run("check", str(campaign.root))
    ws = openpyxl.load_workbook(campaign.output_dir / FINDINGS_FILE)["Tổng hợp"]
    rows = {ws.cell(r, 1).value: (ws.cell(r, 4).value, ws.cell(r, 8).value) for r in range(4, ws.max_row + 1)
            if ws.cell(r, 1).value}
    assert rows == {
        "X01": ("Đạt yêu cầu", None),
        "X02": ("Bị trả lại / không đọc được", "Tệp hỏng; nhận theo tên tệp"),
        "X03": ("Bị trả lại / không đọc được", "Tệp có mật khẩu; nhận theo tên tệp"),
        "X04": ("Chưa gửi", None),
        "X05": ("Chưa gửi", None),
    }


def test_master_and_consolidate_put_each_unit_in_its_group(campaign):
    out = run("consolidate", str(campaign.root), "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert [(u["code"], u["status"]) for u in doc["ranking"]] == [
        ("X01", "ranked"), ("X02", "unreadable"), ("X03", "unreadable"), ("X04", "missing"), ("X05", "missing")]
    assert {u["code"]: u["situation"] for u in doc["left_out"]} == {
        "X02": "Bị trả lại, tệp không đọc được (nhận theo tên tệp): Tệp hỏng",
        "X03": "Bị trả lại, tệp không đọc được (nhận theo tên tệp): Tệp có mật khẩu",
        "X04": "Chưa nộp tệp tự đánh giá",
        "X05": "Chưa nộp tệp tự đánh giá",
    }
    assert missing_sheet(Path(doc["master"])) == [
        ("X04", "Chưa gửi", "Chưa nộp tệp tự đánh giá", ""),
        ("X05", "Chưa gửi", "Chưa nộp tệp tự đánh giá", ""),
        ("X02", "Bị trả lại / không đọc được", "Bị trả lại, tệp không đọc được (nhận theo tên tệp): Tệp hỏng",
         f"inbox/{X02}"),
        ("X03", "Bị trả lại / không đọc được",
         "Bị trả lại, tệp không đọc được (nhận theo tên tệp): Tệp có mật khẩu", f"inbox/{X03}"),
    ]
    console = flat(run("consolidate", str(campaign.root)).output)
    assert "X02 Xã Lê Ninh: bị trả lại, tệp không đọc được (nhận theo tên tệp): tệp hỏng" in console
    assert "X04 Xã Hiến Thành: chưa nộp tệp tự đánh giá" in console


def test_decision_says_why_each_unit_is_unranked(campaign):
    assert run("consolidate", str(campaign.root)).exit_code == 0
    out = run("decision", str(campaign.root))
    assert out.exit_code == 0, out.output
    path = campaign.output_dir / "quyet-dinh-cong-bo-chi-so-cchc-2025.docx"
    texts = [flat(t) for t in docx_texts(path)]
    assert ("- Không xếp hạng: 4 đơn vị (2 đơn vị chưa gửi hồ sơ tự đánh giá; 2 đơn vị gửi tệp không đọc được "
            "(đã trả lại để gửi lại)).") in texts
    notes = {}
    for table in Document(str(path)).tables:
        for row in table_rows(table):
            for name in ("Xã Lê Ninh", "Phường Hiệp An", "Xã Hiến Thành", "Xã Minh Tân"):
                if name in row:
                    notes[name] = flat(row[-1])
    assert notes == {
        "Xã Lê Ninh": "Tệp gửi về không đọc được (nhận theo tên tệp): Tệp hỏng; không xếp hạng.",
        "Phường Hiệp An": "Tệp gửi về không đọc được (nhận theo tên tệp): Tệp có mật khẩu; không xếp hạng.",
        "Xã Hiến Thành": "Không gửi tệp tự đánh giá: không xếp hạng.",
        "Xã Minh Tân": "Không gửi tệp tự đánh giá: không xếp hạng.",
    }


def test_report_lists_the_reasons(campaign):
    assert run("consolidate", str(campaign.root)).exit_code == 0
    assert run("report", str(campaign.root)).exit_code == 0
    texts = [flat(t) for t in docx_texts(campaign.output_dir / "bao-cao-ket-qua-chi-so-cchc-2025.docx")]
    assert ("- Số đơn vị được đánh giá: 5; được xếp hạng: 1; không xếp hạng: 4 (2 đơn vị chưa gửi hồ sơ tự đánh "
            "giá; 2 đơn vị gửi tệp không đọc được (đã trả lại để gửi lại)).") in texts
    assert "- Xã Lê Ninh: Tệp gửi về không đọc được (nhận theo tên tệp): Tệp hỏng; không xếp hạng." in texts


def test_a_file_parxl_fails_on_is_parxls_error_everywhere(campaign, monkeypatch):
    (campaign.inbox_dir / X02).unlink()
    (campaign.inbox_dir / X03).unlink()
    (campaign.inbox_dir / X05).write_bytes(filled(campaign, campaign.unit("X05")))
    monkeypatch.setattr(parxl.ledger.receive, "validate", buggy_validate_for("X05"))
    out = run("check", str(campaign.root), "--json")
    doc = json.loads(out.stdout)
    assert doc["missing"] == ["X02", "X03", "X04"] and doc["units_unreadable"] == []
    assert [(u["code"], u["file"], u["state"], u["matched_by_name"]) for u in doc["units_parxl_error"]] == [
        ("X05", f"inbox/{X05}", "internal", True)]
    wb = openpyxl.load_workbook(campaign.output_dir / FINDINGS_FILE)
    summary = wb["Tổng hợp"]
    statuses = {summary.cell(r, 1).value: summary.cell(r, 4).value for r in range(4, summary.max_row + 1)}
    assert statuses["X05"] == "parxl lỗi khi đọc (không phải lỗi của đơn vị)"
    own = wb[INTERNAL_SHEET]
    assert [own.cell(4, c).value for c in (1, 2, 3)] == ["X05", "Xã Minh Tân", f"inbox/{X05}"]
    assert "không phải lỗi của đơn vị" in own.cell(4, 4).value
    assert own.cell(5, 1).value is None  # one file only

    outcome = xl.do_check(campaign.root)
    assert "parxl lỗi khi đọc (không phải lỗi của đơn vị) (1):" in outcome.lines
    assert any(line.startswith("parxl gặp lỗi của chính chương trình với 1 tệp") for line in outcome.lines)
    assert not any("X05" in line for line in outcome.lines if line.startswith("Chưa gửi"))

    cons = json.loads(run("consolidate", str(campaign.root), "--json").stdout)
    assert {u["code"]: u["status"] for u in cons["ranking"]}["X05"] == "internal"
    rows = {code: (group, what) for code, group, what, _ in missing_sheet(Path(cons["master"]))}
    assert rows["X05"] == ("parxl lỗi khi đọc (không phải lỗi của đơn vị)",
                           "parxl lỗi khi đọc tệp (lỗi của chương trình, không phải của đơn vị) (nhận theo tên tệp)")
    assert rows["X04"][0] == "Chưa gửi"


def test_a_good_file_sent_later_takes_the_unit_out_of_the_returned_list(campaign):
    run("check", str(campaign.root))
    (campaign.inbox_dir / "X02 - lan 2.xlsx").write_bytes(filled(campaign, campaign.unit("X02")))
    doc = json.loads(run("check", str(campaign.root), "--json").stdout)
    assert [u["code"] for u in doc["units_unreadable"]] == ["X03"]
    assert [u["code"] for u in doc["units"]] == ["X01", "X02"] and doc["missing"] == ["X04", "X05"]


def test_the_excel_button_shows_the_returned_units(campaign):
    outcome = xl.do_check(campaign.root)
    assert "Chưa gửi (2): X04 Xã Hiến Thành, X05 Xã Minh Tân." in outcome.lines
    assert "Bị trả lại / không đọc được (2):" in outcome.lines
    assert f"• X02 Xã Lê Ninh: «{X02}» (nhận theo tên tệp): Tệp hỏng" in outcome.lines
    assert outcome.counts["returned_unreadable"] == 2 and outcome.counts["missing"] == 2


def test_an_unreadable_file_arriving_after_the_master_asks_for_a_new_consolidation(campaign):
    assert run("consolidate", str(campaign.root)).exit_code == 0
    good = filled(campaign, campaign.unit("X04"))
    (campaign.inbox_dir / "X04 - Xã Hiến Thành.xlsx").write_bytes(good[: len(good) // 3])
    assert run("check", str(campaign.root)).exit_code == 1
    out = run("decision", str(campaign.root))  # the master still says X04 sent nothing: it no longer holds
    assert out.exit_code == 1 and "parxl consolidate" in flat(out.output)
    assert not list(campaign.output_dir.glob("*.docx"))
