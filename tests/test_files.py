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
