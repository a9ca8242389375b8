"""«parxl status»: receipt times (file time, dated folder, the clerk's correction), on time or late, states,
tasks done and overdue, the status workbook and the reminder list. Expected figures are counted by hand."""
from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import openpyxl
from click.testing import CliRunner
from docx import Document

from conftest import make_campaign
from parxl.appraisal.build import write_appraisal_workbooks
from parxl.cli import main
from parxl.documents.reminders import render_reminders
from parxl.ledger.inbox import folder_date
from parxl.ledger.receive import run_intake
from parxl.ledger.store import Ledger
from parxl.tracking.status import campaign_status, record_received
from support.tamper import filled
from test_documents_common import docx_texts, pdf_text, table_rows


def _drop(path, data: bytes, when: dt.datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when.timestamp(), when.timestamp()))  # naive: the clerk's local time


def _three_units(tmp_path):
    """X01 ok, sent 09/01 (file time); X02 with an error, in inbox/2026-01-13/ (copied there on 20/01);
    X03 sent nothing. The deadline is parxl init's: 10/01/2026."""
    campaign = make_campaign(tmp_path / "c")
    x01, x02 = campaign.units[0], campaign.units[1]
    _drop(campaign.inbox_dir / "X01.xlsx", filled(campaign, x01), dt.datetime(2026, 1, 9, 10, 0))
    _drop(campaign.inbox_dir / "2026-01-13" / "X02.xlsx", filled(campaign, x02, evidence={"1.1": []}),
          dt.datetime(2026, 1, 20, 8, 0))
    run_intake(campaign, workers=1)
    return campaign


def test_a_folder_named_by_a_day_dates_the_files_in_it():
    assert folder_date("inbox/2026-01-09/X01.xlsx") == dt.date(2026, 1, 9)
    assert folder_date("inbox/nhan 09.01.2026/Huyen/X01.xlsx") == dt.date(2026, 1, 9)
    assert folder_date("inbox/2026-01-09/13-01-2026/a.zip!/X01.xlsx") == dt.date(2026, 1, 13)
    assert folder_date("inbox/X01-2026-01-09.xlsx") is None  # the file's own name is not read
    assert folder_date("inbox/2026-02-30/X01.xlsx") is None


def test_on_time_late_and_not_sent_units(tmp_path):
    campaign = _three_units(tmp_path)
    status = campaign_status(campaign, dt.date(2026, 1, 20))
    assert status.deadline == dt.date(2026, 1, 10)
    got = [(u.code, u.received_on, u.on_time, u.days_late, u.state) for u in status.units]
    assert got == [("X01", dt.date(2026, 1, 9), True, 0, "ok"),
                   ("X02", dt.date(2026, 1, 13), False, 3, "must-fix"),   # 11, 12, 13 January
                   ("X03", None, False, 10, "not-sent")]                  # 11 … 20 January
    assert [u.code for u in status.overdue_units] == ["X02", "X03"]


def test_the_clerks_correction_is_kept_in_the_ledger(tmp_path):
    campaign = _three_units(tmp_path)
    record_received(campaign, {"X01": dt.datetime(2026, 1, 12, 9, 0)}, "nhận bản giấy")
    unit = campaign_status(campaign, dt.date(2026, 1, 20)).units[0]
    assert (unit.received_on, unit.on_time, unit.days_late, unit.corrected) == (dt.date(2026, 1, 12), False, 2, True)
    with Ledger.open(campaign) as ledger:
        assert ledger.received_overrides()["X01"][1] == "nhận bản giấy"


def test_tasks_due_done_and_overdue(tmp_path):
    campaign = _three_units(tmp_path)
    tasks = {t.no: t for t in campaign_status(campaign, dt.date(2026, 1, 20)).tasks}
    assert (tasks["1"].done, tasks["1"].overdue) == (False, True)      # December 2025 is past
    assert (tasks["2"].done, tasks["2"].overdue) == (False, True)      # 10/01 past, X02 and X03 owe
    assert (tasks["3"].due, tasks["3"].overdue) == (None, False)       # a heading
    assert (tasks["3.1"].due, tasks["3.1"].overdue) == (dt.date(2026, 1, 15), True)
    assert (tasks["3.2"].done, tasks["3.2"].overdue) == (False, False)  # due 31/01


def test_a_task_whose_stage_has_finished_is_done_and_so_are_those_before_it(tmp_path):
    campaign = _three_units(tmp_path)
    write_appraisal_workbooks(campaign, "appraisal-1")
    before = campaign_status(campaign, dt.date(2026, 2, 5))
    assert [(a.round, a.group, a.office, a.returned) for a in before.appraisals] == [
        ("appraisal-1", "1", "Phòng Nội vụ", False), ("appraisal-1", "thuong-tru", "Phòng Nội vụ", False)]
    with Ledger.open(campaign) as ledger:  # both workbooks come back (as «parxl appraise --import» records them)
        for items in ({"1.1": Decimal(1)}, {"T1": Decimal(0)}):
            ledger.record_appraisal("appraisal-1", "X01", items, {}, set(items), "0" * 64, "tham-dinh.xlsx",
                                    campaign.framework.fingerprint)
        ledger.commit()
    after = campaign_status(campaign, dt.date(2026, 2, 5))
    assert all(a.returned for a in after.appraisals)
    tasks = {t.no: t for t in after.tasks}
    assert all(tasks[no].done and not tasks[no].overdue for no in ("1", "2", "3.1", "3.2"))
    assert (tasks["3.3"].done, tasks["3.3"].overdue) == (False, False)


def test_reminder_list_names_units_and_offices_behind(tmp_path):
    campaign = _three_units(tmp_path)
    write_appraisal_workbooks(campaign, "appraisal-1")
    status = campaign_status(campaign, dt.date(2026, 2, 5))  # 26 days after 10/01; 5 after 31/01
    path = render_reminders(campaign, status)
    doc = Document(str(path))
    units, offices = (table_rows(t) for t in doc.tables[1:3])
    assert units[1:] == [
        ["1", "Xã Lê Ninh", "Sửa các lỗi trong tệp tự đánh giá theo phản hồi, gửi lại", "10/01/2026", "26"],
        ["2", "Phường Hiệp An", "Gửi kết quả tự đánh giá, chấm điểm và tài liệu kiểm chứng", "10/01/2026", "26"]]
    assert offices[1:] == [["1", "Phòng Nội vụ", "Gửi kết quả thẩm định lần 1: lĩnh vực 1. Công tác chỉ đạo, điều "
                            "hành CCHC; Điểm thưởng, điểm trừ", "Trước 31/01/2026", "5"]]
    assert "DANH SÁCH ĐÔN ĐỐC" in docx_texts(path)


def test_status_cli_json_workbook_and_reminders(tmp_path):
    campaign = _three_units(tmp_path)
    result = CliRunner().invoke(main, ["status", str(campaign.root), "--json", "--today", "20/01/2026",
                                       "--received", "X03=11/01/2026 16:00", "--note", "nhận bản giấy"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(u["code"], u["on_time"], u["days_late"], u["state"]) for u in data["units"]] == [
        ("X01", True, 0, "ok"), ("X02", False, 3, "must-fix"), ("X03", False, 1, "recorded")]
    assert data["units"][2]["corrected"] is True and data["units"][2]["received_on"] == "2026-01-11"
    assert {"no": "2", "due": "2026-01-10", "done": False, "overdue": True}.items() <= data["tasks"][1].items()
    book = openpyxl.load_workbook(campaign.output_dir / "tien-do.xlsx")
    rows = [[c.value for c in r] for r in book["Đơn vị"].iter_rows(min_row=4, max_col=6)]
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [
        ("X01", "Có", 0, "Đạt yêu cầu"), ("X02", "Không", 3, "Có lỗi, cần sửa và gửi lại"),
        ("X03", "Không", 1, "Đã nhận theo văn thư ghi (chưa có tệp trong inbox/ để kiểm tra)")]
    assert any(p.endswith("danh-sach-don-doc-20260120.docx") for p in data["outputs"])


def test_status_cli_refuses_an_unknown_unit_and_a_bad_day(tmp_path):
    campaign = make_campaign(tmp_path / "c")
    bad = CliRunner().invoke(main, ["status", str(campaign.root), "--received", "X09=11/01/2026"])
    assert bad.exit_code == 1 and "«X09»" in bad.output
    day = CliRunner().invoke(main, ["status", str(campaign.root), "--received", "X01=31/02/2026"])
    assert day.exit_code == 2 and "không có thật" in day.output


def test_status_cli_prints_in_vietnamese(tmp_path):
    campaign = _three_units(tmp_path)
    result = CliRunner().invoke(main, ["status", str(campaign.root), "--today", "20/01/2026"])
    assert result.exit_code == 0, result.output
    assert "X02 Xã Lê Ninh: nhận ngày 13/01/2026, chậm 3 ngày — Có lỗi, cần sửa và gửi lại" in result.output
    assert "X03 Phường Hiệp An: chưa nhận, quá hạn 10 ngày — Chưa gửi" in result.output


def test_libreoffice_converts_the_reminder_list(tmp_path, soffice):
    campaign = _three_units(tmp_path)
    path = render_reminders(campaign, campaign_status(campaign, dt.date(2026, 1, 20)))
    flat = " ".join(pdf_text(soffice, path, tmp_path / "pdf").split())
    assert "DANH SÁCH ĐÔN ĐỐC" in flat and "Phường Hiệp An" in flat


def test_status_received_refuses_impossible_times_matches_codes_in_any_case_and_counts_up_to_today(tmp_path):
    campaign = _three_units(tmp_path)
    root = str(campaign.root)
    later = CliRunner().invoke(main, ["status", root, "--today", "20/01/2026", "--received", "X03=21/01/2026"])
    assert later.exit_code == 1 and "«X03»" in later.output and "sau ngày tính tiến độ 20/01/2026" in \
        " ".join(later.output.split())
    old = CliRunner().invoke(main, ["status", root, "--received", "X03=01/01/1900"])
    assert old.exit_code == 1 and "trước năm đánh giá 2025" in " ".join(old.output.split())
    with Ledger.open(campaign) as ledger:
        assert ledger.received_overrides() == {}  # nothing recorded
    ok = CliRunner().invoke(main, ["status", root, "--today", "20/01/2026", "--received", "x03=11/01/2026",
                                   "--note", "nhận bản giấy"], env={"COLUMNS": "300"})
    assert ok.exit_code == 0, ok.output
    said = " ".join(ok.output.split())
    assert "X03 Phường Hiệp An: nhận ngày 11/01/2026, chậm 1 ngày (thời gian do văn thư ghi: nhận bản giấy)" in said
    assert "Chưa gửi" not in said
    # on 10/01/2026 only X01 had sent its file (X02's is dated 13/01, X03's 11/01)
    status = campaign_status(campaign, dt.date(2026, 1, 10))
    assert [(u.code, u.received_on, u.state) for u in status.units] == [
        ("X01", dt.date(2026, 1, 9), "ok"), ("X02", None, "not-sent"), ("X03", None, "not-sent")]


def test_status_warns_of_a_dated_folder_whose_day_does_not_exist(tmp_path):
    campaign = _three_units(tmp_path)
    (campaign.inbox_dir / "2026-13-45").mkdir()
    out = CliRunner().invoke(main, ["status", str(campaign.root), "--today", "20/01/2026"], env={"COLUMNS": "300"})
    assert out.exit_code == 0, out.output
    assert "«inbox/2026-13-45» có tên giống một ngày nhưng ngày đó không có thật" in " ".join(out.output.split())


def test_status_replaces_its_own_reminder_list_of_the_day_and_keeps_one_the_clerk_edited(tmp_path):
    campaign = _three_units(tmp_path)
    args = ["status", str(campaign.root), "--json", "--today", "20/01/2026"]
    for _ in range(3):
        assert CliRunner().invoke(main, args).exit_code == 0
    lists = sorted(p.name for p in campaign.output_dir.glob("danh-sach-don-doc-*.docx"))
    assert lists == ["danh-sach-don-doc-20260120.docx"]
    first = campaign.output_dir / lists[0]
    doc = Document(str(first))
    doc.add_paragraph("Văn thư đã sửa")
    doc.save(str(first))
    edited = first.read_bytes()
    for _ in range(2):
        assert CliRunner().invoke(main, args).exit_code == 0
    lists = sorted(p.name for p in campaign.output_dir.glob("danh-sach-don-doc-*.docx"))
    assert lists == ["danh-sach-don-doc-20260120-2.docx", "danh-sach-don-doc-20260120.docx"]
    assert first.read_bytes() == edited
