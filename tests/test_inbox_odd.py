"""What arrives in inbox/ in an odd shape: zips named after a unit that do not unpack, and
entries that are not regular files (dangling links, FIFOs, links to folders).

A unit whose zip arrived is never «chưa gửi»: when neither the member's name nor its
content names a unit, the zip's name (or the folders it lies in) does, and the unit is
listed under «bị trả lại / không đọc được» with «nhận theo tên tệp». Anything in inbox/
that is not a regular file is skipped, never opened, with one Vietnamese warning naming it.

The zips are built here by hand (a member's compression method patched to 99, a member's
"encrypted" flag set); every expected list is written from what each unit sent.
"""
from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_campaign
from parxl.cli import main
from support.tamper import filled, zip_bytes
from test_returned_units import missing_sheet

X02_ZIP = "X02 - Xã Lê Ninh.zip"


def run(*args: str):
    return CliRunner().invoke(main, [*args])


def flat(text: str) -> str:
    return " ".join(text.split())


def patch_headers(data: bytes, member: str, local_at: int, central_at: int, value: int) -> bytes:
    """``data`` (a zip) with the 2-byte field at ``local_at`` / ``central_at`` of ``member``'s
    local and central headers set to ``value`` (method: 8 / 10, flags: 6 / 8)."""
    b = bytearray(data)
    for sig, at, name_len_at, header in ((b"PK\x03\x04", local_at, 26, 30), (b"PK\x01\x02", central_at, 28, 46)):
        i = b.find(sig)
        while i >= 0:
            n, = struct.unpack("<H", b[i + name_len_at:i + name_len_at + 2])
            if bytes(b[i + header:i + header + n]) == member.encode():
                b[i + at:i + at + 2] = struct.pack("<H", value)
            i = b.find(sig, i + 4)
    return bytes(b)


def unknown_method_zip(workbook: bytes) -> bytes:
    """A plain zip holding «a.xlsx» compressed with method 99 (no reader knows it) and a PDF."""
    return patch_headers(zip_bytes({"a.xlsx": workbook, "b.pdf": b"%PDF-1.4\n"}), "a.xlsx", 8, 10, 99)


@pytest.fixture
def campaign(tmp_path):
    """X01 sends a good file; X02 a zip named after it whose workbook cannot be unpacked; X03 nothing."""
    c = make_campaign(tmp_path / "dot-danh-gia")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / "X01 - Phường An Lưu.xlsx").write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / X02_ZIP).write_bytes(unknown_method_zip(filled(c, c.unit("X02"))))
    return c


def test_a_zip_named_after_a_unit_whose_workbook_cannot_be_unpacked_is_returned_not_missing(campaign):
    out = run("check", str(campaign.root), "--json")
    doc = json.loads(out.stdout)
    assert doc["missing"] == ["X03"]
    assert [(u["code"], u["file"], u["reason"], u["matched_by_name"]) for u in doc["units_unreadable"]] == [
        ("X02", f"inbox/{X02_ZIP}", "Tệp hỏng", True)]
    assert "phương thức nén không được hỗ trợ" in doc["units_unreadable"][0]["detail"]
    member = next(f for f in doc["files"] if f["path"] == f"inbox/{X02_ZIP}!/a.xlsx")
    assert member["unit"] == "X02"

    text = flat(run("check", str(campaign.root)).output)
    assert "Chưa gửi (1): X03 Phường Hiệp An" in text
    assert f"X02 Xã Lê Ninh: «{X02_ZIP}» (nhận theo tên tệp): Tệp hỏng" in text
    assert "(không rõ)" not in text


def test_consolidate_and_master_list_that_unit_as_returned(campaign):
    out = run("consolidate", str(campaign.root), "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert [(u["code"], u["status"]) for u in doc["ranking"]] == [
        ("X01", "ranked"), ("X02", "unreadable"), ("X03", "missing")]
    assert [row[:2] for row in missing_sheet(Path(doc["master"]))] == [
        ("X03", "Chưa gửi"), ("X02", "Bị trả lại / không đọc được")]


def test_the_folders_a_file_lies_in_name_its_unit(tmp_path):
    c = make_campaign(tmp_path / "dot")
    (c.inbox_dir / "X02 - Xã Lê Ninh").mkdir(parents=True)
    (c.inbox_dir / "X02 - Xã Lê Ninh" / "ho-so.zip").write_bytes(unknown_method_zip(filled(c, c.unit("X02"))))
    (c.inbox_dir / "Phường Hiệp An").mkdir()
    good = filled(c, c.unit("X03"))
    (c.inbox_dir / "Phường Hiệp An" / "bao-cao.xlsx").write_bytes(good[: len(good) // 2])  # a broken zip
    doc = json.loads(run("check", str(c.root), "--json").stdout)
    assert doc["missing"] == ["X01"]
    assert [(u["code"], u["file"], u["matched_by_name"]) for u in doc["units_unreadable"]] == [
        ("X02", "inbox/X02 - Xã Lê Ninh/ho-so.zip", True),
        ("X03", "inbox/Phường Hiệp An/bao-cao.xlsx", True)]


def test_a_whole_archive_refused_is_returned_for_the_unit_it_is_named_after(tmp_path):
    c = make_campaign(tmp_path / "dot")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    locked = patch_headers(zip_bytes({"a.xlsx": filled(c, c.unit("X03"))}), "a.xlsx", 6, 8, 0x1)  # "encrypted"
    (c.inbox_dir / "X03 - Phường Hiệp An.zip").write_bytes(locked)
    (c.inbox_dir / "X01.zip").write_bytes(zip_bytes({"minh-chung.pdf": b"%PDF-1.4\n"}))  # no workbook in it
    doc = json.loads(run("check", str(c.root), "--json").stdout)
    assert doc["missing"] == ["X02"]
    assert [(u["code"], u["file"], u["reason"], u["matched_by_name"]) for u in doc["units_unreadable"]] == [
        ("X01", "inbox/X01.zip", "Tệp nén không có biểu mẫu", True),
        ("X03", "inbox/X03 - Phường Hiệp An.zip", "Tệp có mật khẩu", True)]


# Entries that are not regular files ---------------------------------------------------------

@pytest.fixture
def odd_inbox(tmp_path):
    """X01 sends a good file through a symbolic link; beside it a dangling link named after X02,
    a FIFO «fifo.xlsx» and a link to a folder."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    c = make_campaign(tmp_path / "dot")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    real = tmp_path / "that-ra" / "X01.xlsx"
    real.parent.mkdir()
    real.write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / "X01 - Phường An Lưu.xlsx").symlink_to(real)
    (c.inbox_dir / "X02 - Xã Lê Ninh.xlsx").symlink_to(tmp_path / "khong-co.xlsx")
    os.mkfifo(c.inbox_dir / "fifo.xlsx")
    (c.inbox_dir / "thu-muc").symlink_to(real.parent, target_is_directory=True)
    return c


def test_entries_that_are_not_regular_files_are_skipped_with_a_warning(odd_inbox, monkeypatch):
    import builtins
    import pathlib

    opened: list[str] = []
    real_open, real_read = builtins.open, pathlib.Path.read_bytes

    def watch_open(file, *args, **kwargs):
        opened.append(os.fspath(file) if isinstance(file, (str, os.PathLike)) else "")
        return real_open(file, *args, **kwargs)

    def watch_read(self):
        opened.append(str(self))
        return real_read(self)

    monkeypatch.setattr(builtins, "open", watch_open)
    monkeypatch.setattr(pathlib.Path, "read_bytes", watch_read)
    out = run("check", str(odd_inbox.root), "--json")
    monkeypatch.undo()
    assert not any(p.endswith("fifo.xlsx") for p in opened)  # a FIFO opened would block forever
    assert out.exit_code == 0, out.output  # no internal error (3) for the dangling link
    doc = json.loads(out.stdout)
    assert [s["path"] for s in doc["skipped"]] == [
        "inbox/X02 - Xã Lê Ninh.xlsx", "inbox/fifo.xlsx", "inbox/thu-muc"]
    assert "liên kết hỏng" in doc["skipped"][0]["what"] and "FIFO" in doc["skipped"][1]["what"]
    assert doc["internal_errors"] == []
    assert [u["code"] for u in doc["units"]] == ["X01"]  # the link to a regular file is followed
    assert doc["missing"] == ["X02", "X03"]
    assert all(f["unit"] != "X02" for f in doc["files"])  # a warning, not a finding on a unit

    console = run("check", str(odd_inbox.root))
    text = flat(console.output)
    assert "Bỏ qua «inbox/fifo.xlsx»: ống dẫn (FIFO), không phải tệp thường" in text
    assert "Bỏ qua «inbox/X02 - Xã Lê Ninh.xlsx»: liên kết hỏng" in text
    assert "tệp đã được lưu" not in text and "Lỗi không mong đợi" not in text


# Regular files parxl cannot take: a name that is not UTF-8, a file it may not read ----------------------

@pytest.mark.skipif(os.name != "posix", reason="names as bytes: POSIX")
def test_a_file_whose_name_is_not_utf8_is_skipped_with_a_warning_not_a_crash(tmp_path):
    c = make_campaign(tmp_path / "dot")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / "X01 - Phường An Lưu.xlsx").write_bytes(filled(c, c.unit("X01")))
    # «X02 - Xã», the «ã» written in a legacy 8-bit code page (0xE3): not UTF-8
    with open(os.path.join(os.fsencode(c.inbox_dir), b"X02 - X\xe3 L\xea Ninh.xlsx"), "wb") as f:
        f.write(filled(c, c.unit("X02")))
    out = run("check", str(c.root), "--json")
    assert out.exit_code == 0, out.output  # was exit 3: UnicodeEncodeError writing the findings workbook
    doc = json.loads(out.stdout)
    assert [s["path"] for s in doc["skipped"]] == ["inbox/X02 - X\ufffd L\ufffd Ninh.xlsx"]
    assert doc["internal_errors"] == [] and [u["code"] for u in doc["units"]] == ["X01"]
    text = flat(run("check", str(c.root)).output)
    assert "Bỏ qua «inbox/X02 - X\ufffd L\ufffd Ninh.xlsx»: tên tệp (hoặc thư mục) có ký tự không đọc được." in text
    assert "Hãy đổi tên" in text and "Lỗi không mong đợi" not in text


def test_a_file_parxl_may_not_read_is_the_clerks_to_fix_not_parxls_error(tmp_path, monkeypatch):
    import errno
    from parxl.ledger import inbox
    c = make_campaign(tmp_path / "dot")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / "X01 - Phường An Lưu.xlsx").write_bytes(filled(c, c.unit("X01")))
    locked = c.inbox_dir / "X02 - Xã Lê Ninh.xlsx"
    locked.write_bytes(filled(c, c.unit("X02")))
    real = inbox._read_all

    def read(path, size):  # as os.open raises it for a file without read permission (root reads any file)
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real(path, size)
    monkeypatch.setattr(inbox, "_read_all", read)
    out = run("check", str(c.root), "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert [(s["path"], s["what"]) for s in doc["skipped"]] == [("inbox/X02 - Xã Lê Ninh.xlsx", "không có quyền đọc tệp")]
    assert doc["internal_errors"] == [] and doc["missing"] == ["X02", "X03"]
    assert not (c.state_dir / "errors").exists() or not any((c.state_dir / "errors").iterdir())
    assert locked.read_bytes() == filled(c, c.unit("X02"))  # left as it was


def test_a_folder_parxl_may_not_list_is_named_with_what_to_do_not_passed_over_silently(tmp_path, monkeypatch):
    import errno
    c = make_campaign(tmp_path / "dot")
    (c.inbox_dir / "xa-le-ninh").mkdir(parents=True)
    (c.inbox_dir / "X01 - Phường An Lưu.xlsx").write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / "xa-le-ninh" / "X02 - Xã Lê Ninh.xlsx").write_bytes(filled(c, c.unit("X02")))
    locked, real = c.inbox_dir / "xa-le-ninh", os.scandir

    def scandir(path):  # as the system refuses a folder without read permission (root lists any folder)
        if Path(path) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)
    out = run("check", str(c.root), "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert [(s["path"], s["what"]) for s in doc["skipped"]] == [
        ("inbox/xa-le-ninh/", "không có quyền mở thư mục nên parxl không thấy các tệp trong đó")]
    assert doc["missing"] == ["X02", "X03"] and doc["internal_errors"] == []
    text = flat(run("consolidate", str(c.root)).output)
    assert "Bỏ qua «inbox/xa-le-ninh/»: không có quyền mở thư mục" in text and "Hãy cho phép đọc thư mục" in text
    refused = run("decision", str(c.root))  # its files unseen: no document drafted as if it were empty
    assert refused.exit_code == 1 and "Bỏ qua «inbox/xa-le-ninh/»: không có quyền mở thư mục" in flat(refused.output)
    assert "Hãy cho phép đọc thư mục (hoặc chép" in flat(run("status", str(c.root)).output)
    monkeypatch.undo()  # the clerk lets it be read: its file is taken as any other
    doc = json.loads(run("check", str(c.root), "--json").stdout)
    assert doc["skipped"] == [] and doc["missing"] == ["X03"]


def test_a_file_in_a_folder_listed_but_not_entered_is_named_by_documents_and_status(tmp_path, monkeypatch):
    import errno
    c = make_campaign(tmp_path / "dot")
    (c.inbox_dir / "xa").mkdir(parents=True)
    (c.inbox_dir / "X01 - Phường An Lưu.xlsx").write_bytes(filled(c, c.unit("X01")))
    assert run("consolidate", str(c.root)).exit_code == 0
    hidden = c.inbox_dir / "xa" / "X02 - Xã Lê Ninh.xlsx"
    hidden.write_bytes(filled(c, c.unit("X02")))
    real_stat, real_open = os.stat, os.open

    def refuse(real):  # as a folder with read but no execute permission: its names listed, its files unreachable
        def call(path, *args, **kwargs):
            if Path(path) == hidden:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
            return real(path, *args, **kwargs)
        return call
    monkeypatch.setattr(os, "stat", refuse(real_stat))
    monkeypatch.setattr(os, "open", refuse(real_open))
    refused = run("decision", str(c.root))
    assert refused.exit_code == 1 and "Bỏ qua «inbox/xa/X02 - Xã Lê Ninh.xlsx»: không có quyền đọc tệp" in flat(refused.output)
    status = run("status", str(c.root))
    assert status.exit_code == 0 and "không có quyền đọc tệp" in flat(status.output)


def test_an_inbox_parxl_may_not_list_asks_for_it_to_be_read(tmp_path, monkeypatch):
    import errno
    c = make_campaign(tmp_path / "dot")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    real = os.scandir

    def scandir(path):
        if Path(path) == c.inbox_dir:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real(path)
    monkeypatch.setattr(os, "scandir", scandir)
    doc = json.loads(run("check", str(c.root), "--json").stdout)
    assert [s["message"] for s in doc["skipped"]] == [
        "Bỏ qua «inbox/»: không có quyền mở thư mục nên parxl không thấy các tệp trong đó. "
        "Hãy cho phép đọc thư mục inbox/ rồi chạy lại."]


@pytest.mark.skipif(os.name != "posix", reason="names as bytes: POSIX")
def test_a_skipped_file_makes_documents_and_status_say_what_to_do_not_run_consolidate_again(tmp_path):
    c = make_campaign(tmp_path / "dot")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / "X01 - Phường An Lưu.xlsx").write_bytes(filled(c, c.unit("X01")))
    bad = os.path.join(os.fsencode(c.inbox_dir), b"X02 - X\xe3 L\xea Ninh.xlsx")
    with open(bad, "wb") as f:
        f.write(filled(c, c.unit("X02")))
    assert run("consolidate", str(c.root)).exit_code == 0
    refused = run("decision", str(c.root))
    text = flat(refused.output)
    assert refused.exit_code == 1
    assert "Bỏ qua «inbox/X02 - X\ufffd L\ufffd Ninh.xlsx»: tên tệp (hoặc thư mục) có ký tự không đọc được." in text
    assert "Hãy đổi tên" in text and "\\udc" not in refused.output and "mà parxl chưa kiểm tra" not in text
    status = flat(run("status", str(c.root)).output)
    assert "Hãy đổi tên" in status and "chạy «parxl check" not in status
    os.rename(bad, c.inbox_dir / "X02 - Xã Lê Ninh.xlsx")  # the clerk renames it: read as any file
    out = run("consolidate", str(c.root))
    assert out.exit_code == 0 and "Bỏ qua" not in out.output
    assert "Hãy đổi tên" not in run("decision", str(c.root)).output
