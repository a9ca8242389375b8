"""Many documents at once: ``core.files.write_new_many`` (names taken only when all are on disk) and the
pieces ``render_each`` builds each notice's package from (``_fix_tables``, ``_package``).

Oracles: the folder's listing and the files' bytes; docxtpl's own ``fix_tables`` on the same XML; the
``zipfile`` module reading the package back (every part's bytes and CRC).
"""
from __future__ import annotations

import io
import zipfile

import pytest
from docxtpl import DocxTemplate
from lxml import etree

from parxl.core import files
from parxl.core.files import ordinary_mode, write_new_many
from parxl.core.zipparts import Member
from parxl.documents import render
from parxl.documents.notices import TEMPLATE
from parxl.documents.render import bundled_template


def test_every_file_named_in_order_never_overwriting(tmp_path):
    (tmp_path / "a.docx").write_bytes(b"old")
    paths = write_new_many([(tmp_path / "a.docx", b"1"), (tmp_path / "sub" / "b.docx", b"2"),
                            (tmp_path / "a.docx", b"3")])
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == ["a-2.docx", "sub/b.docx", "a-3.docx"]
    assert [p.read_bytes() for p in paths] == [b"1", b"2", b"3"] and (tmp_path / "a.docx").read_bytes() == b"old"
    assert all(p.stat().st_mode & 0o777 == ordinary_mode() for p in paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-2.docx", "a-3.docx", "a.docx", "sub"]


def test_a_failure_while_the_documents_come_names_none_and_leaves_no_temp(tmp_path):
    def items():
        yield tmp_path / "a.docx", b"1"
        yield tmp_path / "b.docx", b"2"
        raise ValueError("the third document failed")

    with pytest.raises(ValueError):
        write_new_many(items())
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(TypeError):
        write_new_many([(tmp_path / "a.docx", b"1"), (tmp_path / "b.docx", "not bytes")])
    assert list(tmp_path.iterdir()) == []


def test_without_syncfs_each_file_is_fsynced_before_any_is_named(tmp_path, monkeypatch):
    synced, named = [], []
    real_fsync, real_link = files.os.fsync, files.link_new
    monkeypatch.setattr(files, "_libc_syncfs", lambda: None)
    monkeypatch.setattr(files.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    monkeypatch.setattr(files, "link_new", lambda tmp, path: (named.append(len(synced)), real_link(tmp, path))[1])
    write_new_many([(tmp_path / f"{n}.docx", b"x") for n in range(3)])
    assert len(synced) == 3 and named == [3, 3, 3]


def test_syncfs_refused_falls_back_to_fsync(tmp_path, monkeypatch):
    synced = []
    real_fsync = files.os.fsync
    monkeypatch.setattr(files, "_libc_syncfs", lambda: (lambda fd: -1))
    monkeypatch.setattr(files.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    assert [p.read_bytes() for p in write_new_many([(tmp_path / "a.docx", b"a"), (tmp_path / "b.docx", b"b")])] \
        == [b"a", b"b"]
    assert len(synced) == 2


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _table(grid: int, rows: list[list[int]]) -> str:
    """A body with one table of ``grid`` columns; each row a list of its cells' spans (1: no gridSpan)."""
    cols = "".join(f'<w:gridCol w:w="{1000 * (n + 1)}"/>' for n in range(grid))
    body = "".join("<w:tr>" + "".join(
        "<w:tc><w:tcPr>" + (f'<w:gridSpan w:val="{s}"/>' if s > 1 else "") + "</w:tcPr><w:p/></w:tc>" for s in row)
        + "</w:tr>" for row in rows)
    return (f'<w:body xmlns:w="{W}"><w:tbl><w:tblGrid>{cols}</w:tblGrid>{body}</w:tbl><w:p/></w:body>')


@pytest.mark.parametrize("grid, rows", [
    (3, [[1, 1, 1], [1, 2], [3]]),          # fits: nothing to change
    (2, [[1, 1], [1, 1, 1]]),               # a row with more cells than the grid: columns added
    (4, [[1, 1], [2]]),                     # rows spanning fewer columns than the grid: columns removed
    (4, [[1, 1, 2], [1]]),                  # a span making the widest row fit
    (3, [[1, 1, "x"]]),                     # a gridSpan that is not a number: docxtpl's own error
])
def test_fix_tables_is_docxtpls(grid, rows):
    tpl = DocxTemplate(str(bundled_template(TEMPLATE)))
    xml = _table(grid, [[s if isinstance(s, int) else 2 for s in r] for r in rows])
    if any(not isinstance(s, int) for r in rows for s in r):
        xml = xml.replace('w:val="2"', 'w:val="x"')
        with pytest.raises(ValueError):
            tpl.fix_tables(xml)
        with pytest.raises(ValueError):
            render._fix_tables(tpl, xml)
        return
    assert etree.tostring(render._fix_tables(tpl, xml)) == etree.tostring(tpl.fix_tables(xml))


def test_a_package_reads_back_part_by_part():
    with zipfile.ZipFile(bundled_template(TEMPLATE)) as z:
        parts = [(n, z.read(n)) for n in z.namelist()] + [("word/tệp-thử.xml", b"")]
    data = render._package([Member.deflated(n, content) for n, content in parts])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert [(i.filename, z.read(i)) for i in z.infolist()] == parts
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())


def test_a_figure_remembered_is_shown_as_vi_number_shows_it():
    """The oracle is ``vi_number`` itself, on values equal as numbers but not as text (-0 and 0, 1,5 and 1,50)."""
    from decimal import Decimal

    from parxl.core.numbers import vi_number
    from parxl.documents.notices import _shown
    values = [Decimal("-0"), Decimal("0"), Decimal("-0.00"), Decimal("1.5"), Decimal("1.50"), Decimal("1234.565"),
              Decimal("-2.005")]
    for decimals in (0, 2, 1, 2):
        assert [_shown(v, decimals) for v in values] == [vi_number(v, decimals) for v in values]
    assert _shown(Decimal("-0"), 2) == "-0,00" and _shown(Decimal("0"), 2) == "0,00"


@pytest.mark.parametrize("write", ["temp_path", "write_new_many"])
def test_ctrl_c_just_after_a_temp_file_is_created_leaves_none(tmp_path, monkeypatch, write):
    # the worst moment for Ctrl+C: the temp file exists and its creator has not returned yet
    real_open = files.os.open

    def interrupted(path, *args, **kwargs):
        fd = real_open(path, *args, **kwargs)
        if files.TEMP_PREFIX in str(path):
            files.os.close(fd)
            raise KeyboardInterrupt
        return fd

    monkeypatch.setattr(files.os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        if write == "temp_path":
            with files.temp_path(tmp_path):
                pass
        else:
            write_new_many([(tmp_path / "a.docx", b"x")])
    assert list(tmp_path.iterdir()) == []
