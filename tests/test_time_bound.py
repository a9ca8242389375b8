"""The per-file time bound: a file that makes the reader run past it is stopped and reported, the batch goes on,
the file is kept. The slow reader is simulated (each row of one file costs extra time); nothing here asserts
a duration: the oracle is which verdicts come out (no row of that file is read past the bound).
"""
from __future__ import annotations

import time

import pytest

from parxl.campaign.folder import load_campaign
from parxl.core.texts import normalize_text
from parxl.ledger import receive
from parxl.ledger.receive import run_intake
from parxl.ledger.store import Ledger
from parxl.workbook.stamping import workbook_filename
from parxl.xlsx import safety, sheet
from parxl.xlsx.safety import HostileFile, check_time, time_bound
from support.tamper import filled

from conftest import make_campaign


@pytest.fixture
def inbox(tmp_path):
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    for unit in c.units:
        (c.inbox_dir / workbook_filename(unit)).write_bytes(filled(c, unit))
    return c


def slow_reader_for(monkeypatch, slow_name: str, per_row: float) -> None:
    """While ``slow_name`` is read, every row costs ``per_row`` seconds more (a reader stuck on that file)."""
    real_read, real_row, real_fast_row = receive.read_submission, sheet.SheetParser._row, sheet.SheetParser.fast_row
    state = {"slow": False}

    def row(self, el):
        if state["slow"]:
            time.sleep(per_row)
        return real_row(self, el)

    def fast_row(self, r, content):  # the same row read by the fast path (parxl.xlsx.fast)
        if state["slow"]:
            time.sleep(per_row)
        return real_fast_row(self, r, content)

    def read(path, **kw):
        state["slow"] = kw.get("name") == slow_name
        try:
            return real_read(path, **kw)
        finally:
            state["slow"] = False
    monkeypatch.setattr(sheet.SheetParser, "_row", row)
    monkeypatch.setattr(sheet.SheetParser, "fast_row", fast_row)
    monkeypatch.setattr(receive, "read_submission", read)


def test_a_file_that_makes_the_reader_run_past_the_bound_is_stopped_reported_and_kept(inbox, monkeypatch):
    slow = f"inbox/{workbook_filename(inbox.unit('X02'))}"
    monkeypatch.setattr(safety, "READ_SECONDS", 0.2)
    slow_reader_for(monkeypatch, slow, per_row=0.05)  # the sheet has dozens of rows: far past 0.2 s
    result = run_intake(inbox, workers=1)

    by_file = {r.file: r for r in result.reports.values()}
    report = by_file[slow]
    assert report.status == "unreadable" and [f.code for f in report.findings] == ["file-too-slow"]
    message = report.findings[0].message
    assert message == normalize_text(message) and f"«{slow}»" in message and "đọc quá lâu" in message
    assert "quá 0,2 giây" in message and "vẫn được lưu giữ" in message
    # the batch went on: the two others were read and recorded
    assert sorted((r.unit_code, r.status) for f, r in by_file.items() if f != slow) == [("X01", "ok"), ("X03", "ok")]
    assert [s.unit_code for s in result.latest] == ["X01", "X03"]
    # the unit sent a file: returned (not read), never «chưa gửi»
    assert [r.unit_code for r in result.returned] == ["X02"] and result.missing == []
    # the file is kept, as received, and the inbox is untouched
    kept = next(f for f in result.files if f.path == slow)
    assert kept.stored.read_bytes() == (inbox.root / slow).read_bytes()
    with Ledger.open(inbox) as ledger:
        assert [f.code for f in ledger.findings(kept.sha256)] == ["file-too-slow"]

    # the verdict is not cached: on a reader that is not stuck, the next run reads the file and takes it
    monkeypatch.undo()
    again = run_intake(load_campaign(inbox.root), workers=1)
    assert again.revalidated == [slow]
    assert [s.unit_code for s in again.latest] == ["X01", "X02", "X03"] and again.returned == []


def test_the_bound_reaches_the_checks_after_the_reading(inbox, monkeypatch):
    """Past the bound between two checks of the validation: stopped too (the reader was fast)."""
    from parxl.intake import validation
    slow = f"inbox/{workbook_filename(inbox.unit('X01'))}"
    monkeypatch.setattr(safety, "READ_SECONDS", 0.2)
    real = validation.CHECKS[0]

    def slow_check(ctx):
        if ctx.sub.name == slow:
            time.sleep(0.3)
        return real(ctx)
    monkeypatch.setattr(validation, "CHECKS", (slow_check, *validation.CHECKS[1:]))
    result = run_intake(inbox, workers=1)
    codes = {r.file: [f.code for f in r.findings] for r in result.reports.values()}
    assert codes[slow] == ["file-too-slow"]
    assert [s.unit_code for s in result.latest] == ["X02", "X03"]


def test_outside_a_window_nothing_is_bounded_and_windows_nest():
    check_time()  # no window open: never raises
    with time_bound(10):
        with time_bound(0):
            with pytest.raises(HostileFile) as caught:
                check_time("phần «xl/worksheets/sheet1.xml»")
            assert caught.value.code == "file-too-slow"
            assert caught.value.detail == "quá 0 giây khi đọc phần «xl/worksheets/sheet1.xml»"
        check_time()  # the outer window is open again, and not past
    check_time()


def test_a_worker_stuck_where_the_reader_cannot_check_the_time_is_stopped(tmp_path, monkeypatch):
    """A file that makes a worker hang (in C code, where no ``check_time`` runs): the parent stops the
    worker, reports the file, and reads the rest in a new pool. The hang is simulated in the forked workers."""
    c, stuck = _eight_units_one_hanging(tmp_path, monkeypatch, "X03")
    result = run_intake(c, workers=2)
    codes = {r.file: [f.code for f in r.findings] for r in result.reports.values()}
    assert codes[stuck] == ["file-too-slow"]
    report = next(r for r in result.reports.values() if r.file == stuck)
    assert report.status == "unreadable" and "đã dừng tiến trình đọc tệp" in report.findings[0].message
    assert [s.unit_code for s in result.latest] == [u.code for u in c.units if u.code != "X03"]
    assert [r.unit_code for r in result.returned] == ["X03"]


def test_a_stuck_worker_in_a_batch_read_several_files_per_task_names_the_one_file(tmp_path, monkeypatch):
    """Files sent three per task (as a large batch is): the task holding the hanging file is stopped, its
    files are read again one per task, and only the hanging one is reported; every other unit is received."""
    c, stuck = _eight_units_one_hanging(tmp_path, monkeypatch, "X05")
    monkeypatch.setattr(receive, "chunk_size", lambda total, workers: 3)
    result = run_intake(c, workers=2)
    codes = {r.file: [f.code for f in r.findings] for r in result.reports.values()}
    assert codes[stuck] == ["file-too-slow"]
    assert sum(1 for cs in codes.values() if "file-too-slow" in cs) == 1
    assert [s.unit_code for s in result.latest] == [u.code for u in c.units if u.code != "X05"]
    assert [r.unit_code for r in result.returned] == ["X05"]


def _eight_units_one_hanging(tmp_path, monkeypatch, code: str):
    """A campaign of eight units, each with its filled workbook in inbox/; reading ``code``'s file hangs in
    the forked workers (never returns, never checks the time); the parent's hard bound is 2 s.
    Returns the campaign and the hanging file's display name."""
    c = make_campaign(tmp_path / "c", units_csv="Mã,Tên đơn vị,Loại\n" + "".join(
        f"X{i:02d},Xã Thử {i},Xã\n" for i in range(1, 9)))
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    for unit in c.units:
        (c.inbox_dir / workbook_filename(unit)).write_bytes(filled(c, unit))
    stuck = f"inbox/{workbook_filename(c.unit(code))}"
    real = receive.read_submission

    def hanging(path, **kw):
        if kw.get("name") == stuck:
            time.sleep(3600)
        return real(path, **kw)
    monkeypatch.setattr(receive, "read_submission", hanging)
    monkeypatch.setattr(receive, "HARD_SECONDS", 2)
    return c, stuck
