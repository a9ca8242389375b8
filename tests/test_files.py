"""The one atomic writer every output goes through."""
import os

import pytest

from parxl.core.files import ordinary_mode, write_atomic


def test_ordinary_permissions_and_replace(tmp_path):
    target = tmp_path / "sub" / "a.xlsx"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask == ordinary_mode()  # not mkstemp's 0600
    assert [p.name for p in target.parent.iterdir()] == ["a.xlsx"]


def test_failure_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_documents_get_ordinary_permissions_and_never_overwrite(tmp_path):
    from parxl.documents.render import write_new

    first = write_new(b"a", tmp_path, "quyet-dinh")
    second = write_new(b"b", tmp_path, "quyet-dinh")
    assert (first.name, second.name) == ("quyet-dinh.docx", "quyet-dinh-2.docx")
    assert first.read_bytes() == b"a"
    assert all(p.stat().st_mode & 0o777 == ordinary_mode() for p in (first, second))


def test_full_disk_mid_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    from support.diskfull import disk_full_while_writing

    target = tmp_path / "campaign.yaml"
    target.write_bytes(b"year: 2025\n")
    disk_full_while_writing(monkeypatch, "year")
    with pytest.raises(OSError):
        write_atomic(target, b"year: 2026\n" * 1000)
    monkeypatch.undo()
    assert target.read_bytes() == b"year: 2025\n"
    assert [p.name for p in tmp_path.iterdir()] == ["campaign.yaml"]


def test_atomic_path_for_writers_that_take_a_path(tmp_path):
    import sqlite3

    from parxl.core.files import atomic_path

    target = tmp_path / "copy.sqlite"
    with atomic_path(target) as tmp:
        db = sqlite3.connect(tmp)
        db.execute("CREATE TABLE t (x)")
        db.commit()
        db.close()
    assert sqlite3.connect(target).execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("crash")
    assert target.read_bytes()[:15] == b"SQLite format 3"
    assert [p.name for p in tmp_path.iterdir()] == ["copy.sqlite"]


def test_copy_atomic_and_copy_onto_itself(tmp_path):
    from parxl.core.files import copy_atomic

    source = tmp_path / "a.csv"
    source.write_bytes(b"M\xc3\xa3,2.1\n")
    copy_atomic(source, tmp_path / "sub" / "b.csv")
    assert (tmp_path / "sub" / "b.csv").read_bytes() == source.read_bytes()
    copy_atomic(source, source)
    assert source.read_bytes() == b"M\xc3\xa3,2.1\n"


# A write the user can fix: OutputWriteError (a ParxlError, exit 1), Vietnamese, never parxl's bug.

def _only(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_target_that_is_a_folder_is_a_vietnamese_output_error(tmp_path):
    from parxl.core.errors import OutputWriteError, ParxlError

    target = tmp_path / "ket-qua-kiem-tra.xlsx"
    target.mkdir()
    with pytest.raises(OutputWriteError) as caught:
        write_atomic(target, b"new")
    err = caught.value
    assert isinstance(err, ParxlError) and err.exit_code == 1
    assert isinstance(err.__cause__, IsADirectoryError)
    assert str(err).startswith(f"Không ghi được tệp «{target}»: đã có một thư mục cùng tên")
    words = str(err).replace(str(target), "")  # the temporary path itself may hold any word
    assert "Errno" not in words and "directory" not in words
    assert _only(tmp_path) == ["ket-qua-kiem-tra.xlsx"] and target.is_dir()  # no temp file left


def test_a_file_open_in_excel_keeps_the_old_file_and_says_close_it(tmp_path, monkeypatch):
    from parxl.core.errors import OutputWriteError

    target = tmp_path / "ket-qua-kiem-tra.xlsx"
    target.write_bytes(b"old")

    def locked(src, dst):  # what Windows does when Excel holds the file
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(OutputWriteError) as caught:
        write_atomic(target, b"new")
    monkeypatch.undo()
    assert isinstance(caught.value.__cause__, PermissionError)
    assert (f"Đóng tệp «ket-qua-kiem-tra.xlsx» nếu đang mở (trong Excel, Word…), hoặc kiểm tra quyền ghi thư mục "
            f"«{tmp_path}», rồi chạy lại.") in str(caught.value)
    assert "Permission denied" not in str(caught.value)
    assert target.read_bytes() == b"old"
    assert _only(tmp_path) == ["ket-qua-kiem-tra.xlsx"]


def test_an_output_folder_that_is_a_file_is_an_output_error(tmp_path):
    from parxl.core.errors import OutputWriteError
    from parxl.core.files import ensure_folder, write_new

    (tmp_path / "output").write_bytes(b"not a folder")
    for write in (lambda: write_atomic(tmp_path / "output" / "a.xlsx", b"x"),
                  lambda: write_new(tmp_path / "output" / "a.docx", b"x"),
                  lambda: ensure_folder(tmp_path / "output" / "phan-hoi")):
        with pytest.raises(OutputWriteError) as caught:
            write()
        assert "là tệp chứ không phải thư mục" in str(caught.value)
    assert (tmp_path / "output").read_bytes() == b"not a folder"


def test_a_document_that_cannot_get_its_name_is_an_output_error(tmp_path, monkeypatch):
    from parxl.core.errors import OutputWriteError
    from parxl.core.files import write_new

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "link", refused)
    monkeypatch.setattr(os, "rename", refused)
    with pytest.raises(OutputWriteError):
        write_new(tmp_path / "quyet-dinh.docx", b"doc")
    monkeypatch.undo()
    assert _only(tmp_path) == []


def test_a_full_disk_is_an_output_error_that_says_so(tmp_path, monkeypatch):
    from parxl.core.errors import OutputWriteError
    from support.diskfull import disk_full_while_writing

    target = tmp_path / "campaign.yaml"
    target.write_bytes(b"year: 2025\n")
    disk_full_while_writing(monkeypatch, "year")
    with pytest.raises(OutputWriteError) as caught:
        write_atomic(target, b"year: 2026\n")
    monkeypatch.undo()
    assert "ổ đĩa đã đầy" in str(caught.value)
    assert target.read_bytes() == b"year: 2025\n"
    assert _only(tmp_path) == ["campaign.yaml"]


def test_check_exits_1_in_vietnamese_when_its_output_cannot_be_written(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from conftest import make_campaign
    from parxl.cli import main
    from support.tamper import filled

    c = make_campaign(tmp_path / "dot")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / "X01.xlsx").write_bytes(filled(c, c.unit("X01")))
    held = c.output_dir / "ket-qua-kiem-tra.xlsx"
    held.parent.mkdir(parents=True, exist_ok=True)
    held.write_bytes(b"the clerk's open copy")
    real_replace = os.replace

    def excel_holds(src, dst, *args, **kwargs):
        if os.fspath(dst) == os.fspath(held):
            raise PermissionError(13, "Permission denied", os.fspath(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", excel_holds)
    out = CliRunner().invoke(main, ["check", str(c.root)])
    monkeypatch.undo()
    text = " ".join(out.output.split())
    assert out.exit_code == 1, out.output
    assert "Lỗi: Không ghi được tệp «" in text and "Đóng tệp «ket-qua-kiem-tra.xlsx» nếu đang mở (trong Excel, Word…)" in text
    assert "PermissionError" not in text and "Permission denied" not in text and "Lỗi không mong đợi" not in text
    assert held.read_bytes() == b"the clerk's open copy"
    assert not [p for p in c.output_dir.rglob(".parxl-*")]

    held.unlink()
    held.mkdir()  # a folder where the file should be
    out = CliRunner().invoke(main, ["check", str(c.root)])
    assert out.exit_code == 1, out.output
    assert "đã có một thư mục cùng tên «ket-qua-kiem-tra.xlsx»" in " ".join(out.output.split())
    assert "IsADirectoryError" not in out.output
