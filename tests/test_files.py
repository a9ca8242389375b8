"""The one atomic writer every output goes through."""
import os

import pytest

from parxl.files import ordinary_mode, write_atomic


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
