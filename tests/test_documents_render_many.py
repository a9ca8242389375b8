"""``render_many``: many documents of one template, the body rendered into the first document's package.

The oracle is docxtpl itself: each unit's notice rendered on its own by ``render_bytes`` (docxtpl opening,
rendering and saving the template), read back by python-docx (text of every paragraph, every table's
cells, the note's comment) and compared part by part.
"""
from __future__ import annotations

import io
import zipfile

from docx import Document

from parxl.documents import render
from parxl.documents.notices import TEMPLATE, notice_context, notified
from parxl.documents.render import bundled_template, render_bytes, render_many
from test_documents_common import edit_template, results, table_rows  # noqa: F401

NOTE = "Dự thảo theo bảng tổng hợp «tong-hop.xlsx» & <bản nháp>"


def _read(data: bytes) -> tuple[list[str], list[list[list[str]]], list[str], str]:
    doc = Document(io.BytesIO(data))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = ["".join(t.text or "" for t in p.iter(f"{ns}t")) for p in doc.element.body.iter(f"{ns}p")]
    return texts, [table_rows(t) for t in doc.tables], [c.text for c in doc.comments], doc.core_properties.comments


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # core.xml and comments.xml carry the time they were written
        return {n: z.read(n) for n in z.namelist() if n not in ("docProps/core.xml", "word/comments.xml")}


def test_each_document_is_the_one_docxtpl_renders_alone(results):
    contexts = [notice_context(results, u) for u in notified(results)]
    assert any("&" in c["unit_name"] and "<" in c["unit_name"] for c in contexts)  # escaped characters
    contexts[1] = {**contexts[1], "contact": "Chị Lan\tphòng 2\nĐT 0220"}  # a tab and a line break in a value
    template = bundled_template(TEMPLATE)
    many = render_many(template, contexts, NOTE)
    assert len(many) == len(contexts) > 2
    for context, data in zip(contexts, many):
        alone = render_bytes(template, context, NOTE)
        assert _read(data) == _read(alone)
        assert any(context["unit_name"] in text for text in _read(data)[0]) and _read(data)[2] == [NOTE]
        assert _parts(data) == _parts(alone)


def test_without_a_note_and_in_two_worker_processes(results, monkeypatch):
    contexts = [notice_context(results, u) for u in notified(results)]
    template = bundled_template(TEMPLATE)
    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    many = render_many(template, contexts)
    for context, data in zip(contexts, many):
        alone = render_bytes(template, context)
        assert _read(data) == _read(alone) and _read(data)[2] == []
        assert _parts(data) == _parts(alone)


def test_a_template_with_a_tag_in_its_header_is_rendered_whole_for_each_unit(results, tmp_path):
    """The package of the first document is not reused when a header holds a variable: each unit its own."""
    source = bundled_template(TEMPLATE)
    target = tmp_path / "tb.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("word/header9.xml", b'<?xml version="1.0"?><w:hdr xmlns:w="http://schemas.openxmlformats.org/'
                      b'wordprocessingml/2006/main"><w:p><w:r><w:t>{{ unit_code }}</w:t></w:r></w:p></w:hdr>')
    assert not render._Prepared(target, None).fast
    assert render._Prepared(source, None).fast


def test_progress_counts_every_document(results):
    contexts = [notice_context(results, u) for u in notified(results)]
    seen = []
    render_many(bundled_template(TEMPLATE), contexts, None, lambda done, total, label: seen.append((done, total)))
    assert seen[0] == (0, len(contexts)) and seen[-1] == (len(contexts), len(contexts))
    assert [d for d, _ in seen] == list(range(len(contexts) + 1))
