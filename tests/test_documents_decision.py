"""The Quyết định công bố: layout per Nghị định 30/2020, appendix, template checks, writing."""
from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from parxl.documents import UnknownVariablesError, decision_context, render_decision
from parxl.documents.decision import TEMPLATE
from parxl.documents.render import DocumentError, bundled_template
from test_documents_common import (  # noqa: F401  (fixture)
    UNITS, build_results, docx_texts, edit_template, pdf_text, results, table_rows,
)

NAMES = ["Phường An Lưu", "Xã Lê Ninh", "Phường Hiệp An", "Xã Thất Hùng & <Mới>", "Xã Bạch Đằng", "Xã Quang Thành"]


@pytest.fixture
def decision(results) -> Path:
    return render_decision(results)


def _para(doc, text):
    return next(p for p in doc.paragraphs if p.text.strip() == text)


def test_written_in_output_and_never_overwritten(results):
    first = render_decision(results)
    assert first.parent == results.campaign.output_dir
    assert first.name == "quyet-dinh-cong-bo-chi-so-cchc-2025.docx"
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    second = render_decision(results)
    assert second != first and second.name == "quyet-dinh-cong-bo-chi-so-cchc-2025-2.docx"
    assert hashlib.sha256(first.read_bytes()).hexdigest() == digest
    assert not [p for p in first.parent.iterdir() if p.suffix == ".tmp"]


def test_header_number_date_title_and_bases(decision):
    texts = docx_texts(decision)
    for expected in ["ỦY BAN NHÂN DÂN", "THỊ XÃ KINH MÔN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Số: 12/QĐ-UBND", "Kinh Môn, ngày 05 tháng 02 năm 2026",
                     "QUYẾT ĐỊNH", "QUYẾT ĐỊNH:",
                     "Về việc công bố Chỉ số cải cách hành chính năm 2025 của Ủy ban nhân dân các xã, phường",
                     "CHỦ TỊCH ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN",
                     "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
                     "Căn cứ Quyết định số 1/QĐ-UBND ngày 01/01/2025 của UBND tỉnh Mẫu;",
                     "Theo đề nghị của Trưởng phòng Nội vụ.",
                     "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An", "Nơi nhận:", "- Sở Nội vụ;", "- Lưu: VT, NV.",
                     "Phụ lục", "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 CỦA ỦY BAN NHÂN DÂN CÁC XÃ, PHƯỜNG",
                     "(Kèm theo Quyết định số 12/QĐ-UBND ngày 05/02/2026 của Chủ tịch Ủy ban nhân dân thị xã Kinh Môn)"]:
        assert expected in texts, expected
    assert not any("{{" in t or "{%" in t for t in texts)
    doc = Document(str(decision))
    header = doc.tables[0]
    assert header.cell(0, 0).paragraphs[0].runs[0].bold and header.cell(0, 1).paragraphs[0].runs[0].bold
    date_para = header.cell(1, 1).paragraphs[0]
    assert date_para.runs[0].italic
    for text in ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
                 "Theo đề nghị của Trưởng phòng Nội vụ."):
        assert _para(doc, text).runs[0].italic
    assert all(r.bold for r in _para(doc, "QUYẾT ĐỊNH:").runs)


def test_articles_count_bands_and_name_lowest_units(decision):
    texts = docx_texts(decision)
    assert "- Xếp loại Tốt (từ 90% trở lên): 2 đơn vị;" in texts
    assert "- Xếp loại Khá (từ 80% đến dưới 90%): 1 đơn vị;" in texts
    assert "- Xếp loại Trung bình (từ 50% đến dưới 80%): 0 đơn vị;" in texts
    assert "- Xếp loại Yếu (dưới 50%): 1 đơn vị;" in texts
    assert ("- Không xếp hạng: 2 đơn vị (1 đơn vị chưa gửi hồ sơ tự đánh giá; 1 đơn vị có hồ sơ chưa đạt yêu cầu "
            "(tệp còn lỗi)).") in texts
    assert "Trong số 6 đơn vị, có 4 đơn vị được xếp hạng; kết quả xếp loại:" in texts
    article2 = next(t for t in texts if t.startswith("2. Các đơn vị xếp loại"))
    assert "«Trung bình», «Yếu» (Phường Hiệp An)" in article2 and "năm 2026" in article2
    assert any(t.startswith("Điều 1. Công bố Chỉ số cải cách hành chính năm 2025") for t in texts)
    assert any(t.startswith("Điều 3. Quyết định này có hiệu lực kể từ ngày ký.") for t in texts)


def test_recipients_and_signature_sizes(decision):
    doc = Document(str(decision))
    sign = doc.tables[1]
    left = sign.cell(0, 0).paragraphs
    assert left[0].text == "Nơi nhận:"
    run = left[0].runs[0]
    assert run.bold and run.italic and run.font.size == Pt(12)
    items = [p for p in left[1:] if p.text]
    assert [p.text for p in items] == ["- Sở Nội vụ;", "- Chủ tịch, các PCT UBND;", "- Các đơn vị có tên tại Điều 1;",
                                       "- Lưu: VT, NV."]
    assert all(r.font.size == Pt(11) for p in items for r in p.runs)
    right = [p for p in sign.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in right] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"]
    assert all(r.bold for p in right for r in p.runs)
    for table in doc.tables[:2]:  # header and signature tables are borderless
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert {el.get(qn("w:val")) for el in borders} == {"nil"}


def test_page_font_margins_and_numbering(decision):
    doc = Document(str(decision))
    first, appendix = doc.sections
    assert abs(first.page_width - Mm(210)) < Mm(0.5) and abs(first.page_height - Mm(297)) < Mm(0.5)  # A4
    assert first.orientation == WD_ORIENT.PORTRAIT
    def within(value, lo, hi):  # margins are stored in twips: allow their rounding
        return Mm(lo - 0.05) <= value <= Mm(hi + 0.05)
    assert within(first.top_margin, 20, 25) and within(first.bottom_margin, 20, 25)
    assert within(first.left_margin, 30, 35) and within(first.right_margin, 15, 20)
    assert appendix.orientation == WD_ORIENT.LANDSCAPE and appendix.page_width > appendix.page_height
    assert appendix.start_type == 2  # WD_SECTION.NEW_PAGE
    # Page numbers from page 2: a different first page, a PAGE field in the header.
    assert first.different_first_page_header_footer
    assert not "".join(p.text for p in first.first_page_header.paragraphs).strip()
    assert "PAGE" in "".join(el.text or "" for el in first.header._element.iter(qn("w:instrText")))
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(k)) for k in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")} == {"Times New Roman"}
    runs = [r for p in doc.paragraphs for r in p.runs] + [
        r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert runs and all(r.font.name in (None, "Times New Roman") for r in runs)
    body = _para(doc, "Theo đề nghị của Trưởng phòng Nội vụ.")
    assert (body.runs[0].font.size or normal.font.size) in (Pt(13), Pt(14))
    assert all(r.font.size == Pt(14) and r.bold for r in _para(doc, "QUYẾT ĐỊNH").runs)


def test_appendix_ranks_units_grouped_by_kind(decision):
    doc = Document(str(decision))
    rows = table_rows(doc.tables[2])
    assert rows[0][:3] == ["STT", "Đơn vị", "Điểm thẩm định"] and rows[0][-3:] == ["Chỉ số CCHC (%)", "Xếp hạng",
                                                                                 "Xếp loại"]
    assert rows[1][1:4] == ["Điểm tối đa", "7", "3"]
    body = rows[2:]
    assert body == [
        ["I. CÁC PHƯỜNG"],
        ["1", "Phường An Lưu", "7,00", "3,00", "+1,00", "10,00", "100,00", "1", "Tốt"],
        ["2", "Phường Hiệp An", "3,00", "1,50", "0,00", "4,50", "45,00", "4", "Yếu"],
        ["II. CÁC XÃ"],
        ["3", "Xã Thất Hùng & <Mới>", "6,50", "2,50", "0,00", "9,00", "90,00", "2", "Tốt"],
        ["4", "Xã Lê Ninh", "5,50", "3,00", "0,00", "8,50", "85,00", "3", "Khá"],
        ["ĐƠN VỊ KHÔNG XẾP HẠNG"],
        ["5", "Xã Bạch Đằng", "Không gửi tệp tự đánh giá: không xếp hạng."],
        ["6", "Xã Quang Thành", "Tệp còn 3 lỗi chưa khắc phục: không xếp hạng."],
    ]
    # The table sits in the landscape section: after the section break paragraph.
    body_el = doc.element.body
    children = list(body_el)
    break_at = next(i for i, el in enumerate(children) if el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None)
    assert children.index(doc.tables[2]._tbl) > break_at


def test_single_kind_appendix_is_in_rank_order_without_group_rows(tmp_path):
    units = "Mã,Tên đơn vị,Loại\nA,Xã Một,Xã\nB,Xã Hai,Xã\nC,Xã Ba,Xã\n"
    scores = {"A": ({"1.1": "0", "1.2": "1", "1.3": "2", "1.4": "2", "1.5": "1"}, "3"),
              "B": ({"1.1": "1", "1.2": "1", "1.3": "2", "1.4": "2", "1.5": "1"}, "3"),
              "C": ({"1.1": "1", "1.2": "0", "1.3": "0", "1.4": "2", "1.5": "1"}, "3")}
    res = build_results(tmp_path / "dot", units_csv=units, scores=scores, rejected=())
    rows = table_rows(Document(str(render_decision(res))).tables[2])[2:]
    assert [(r[0], r[1], r[7]) for r in rows] == [("1", "Xã Hai", "1"), ("2", "Xã Một", "2"), ("3", "Xã Ba", "3")]
    texts = docx_texts(render_decision(res))
    assert "Về việc công bố Chỉ số cải cách hành chính năm 2025 của Ủy ban nhân dân các xã" in texts
    assert not any(t.startswith("- Không xếp hạng") for t in texts)
    assert "- Xếp loại Yếu (dưới 50%): 0 đơn vị." in texts


def test_blank_date_when_the_decision_has_none(tmp_path):
    res = build_results(tmp_path / "dot", decision_date=None)
    texts = docx_texts(render_decision(res))
    assert "Kinh Môn, ngày … tháng … năm …" in texts
    assert "(Kèm theo Quyết định số 12/QĐ-UBND ngày … của Chủ tịch Ủy ban nhân dân thị xã Kinh Môn)" in texts


def test_text_is_nfc_and_special_characters_survive(decision):
    with zipfile.ZipFile(decision) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert unicodedata.is_normalized("NFC", xml)
    assert "Xã Thất Hùng &amp; &lt;Mới&gt;" in xml
    assert "Xã Thất Hùng & <Mới>" in docx_texts(decision)


def test_nfd_input_comes_out_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", "Xã Ấp Bắc")
    units = f"Mã,Tên đơn vị,Loại\nA,{nfd},Xã\n"
    scores = {"A": ({"1.1": "1", "1.2": "1", "1.3": "2", "1.4": "2", "1.5": "1"}, "3")}
    res = build_results(tmp_path / "dot", units_csv=units, scores=scores, rejected=())
    rows = table_rows(Document(str(render_decision(res))).tables[2])
    assert rows[2][1] == "Xã Ấp Bắc" and unicodedata.is_normalized("NFC", rows[2][1])


def test_unknown_variable_is_refused_before_writing(results, tmp_path):
    bad = edit_template(bundled_template(TEMPLATE), tmp_path / "sua.docx",
                        "Theo đề nghị của {{ proposer }}.", "Theo đề nghị của {{ nguoi_de_nghi }}.")
    with pytest.raises(UnknownVariablesError) as info:
        render_decision(results, template=bad)
    assert info.value.names == ["nguoi_de_nghi"]
    assert "«nguoi_de_nghi»" in str(info.value)
    assert not results.campaign.output_dir.exists() or not any(results.campaign.output_dir.iterdir())


def test_unknown_attribute_is_refused_before_writing(results, tmp_path):
    bad = edit_template(bundled_template(TEMPLATE), tmp_path / "sua.docx", "{{ u.band }}", "{{ u.xep_loai }}")
    with pytest.raises(UnknownVariablesError) as info:
        render_decision(results, template=bad)
    assert "xep_loai" in str(info.value)
    assert not results.campaign.output_dir.exists() or not any(results.campaign.output_dir.iterdir())


def test_edited_template_is_used(results, tmp_path):
    edited = edit_template(bundled_template(TEMPLATE), tmp_path / "sua.docx",
                           "Theo đề nghị của {{ proposer }}.", "Xét đề nghị của {{ proposer }} tại Tờ trình số 5.")
    texts = docx_texts(render_decision(results, template=edited))
    assert "Xét đề nghị của Trưởng phòng Nội vụ tại Tờ trình số 5." in texts


def test_broken_templates_are_refused(results, tmp_path):
    not_docx = tmp_path / "mau.docx"
    not_docx.write_text("không phải docx", encoding="utf-8")
    with pytest.raises(DocumentError, match="không phải tệp Word"):
        render_decision(results, template=not_docx)
    syntax = edit_template(bundled_template(TEMPLATE), tmp_path / "loi.docx", "{{ proposer }}", "{{ proposer ")
    with pytest.raises(DocumentError, match="cú pháp"):
        render_decision(results, template=syntax)
    assert not results.campaign.output_dir.exists() or not any(results.campaign.output_dir.iterdir())


def test_context_uses_plain_values(results):
    ctx = decision_context(results)
    assert ctx["number"] == "12/QĐ-UBND" and ctx["place_date"] == "Kinh Môn, ngày 05 tháng 02 năm 2026"
    assert [b["count"] for b in ctx["bands"]] == [2, 1, 0, 1]
    assert ctx["show_groups"] and [g["kind"] for g in ctx["groups"]] == ["Phường", "Xã"]


@pytest.mark.libreoffice
def test_libreoffice_renders_every_unit_name(decision, soffice, tmp_path):
    text = pdf_text(soffice, decision, tmp_path / "pdf")
    flat = " ".join(text.split())
    for name in NAMES:
        assert name in flat, name
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "QUYẾT ĐỊNH" in flat
    assert "90,00" in flat and "Xếp loại" in flat


def test_plan_basis_does_not_repeat_the_word_plan(tmp_path):
    res = build_results(tmp_path / "dot")
    config = res.campaign.root / "campaign.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "number: …/KH-UBND\n  date: null",
        "number: 184/KH-UBND\n  date: 2025-11-20\n  title: Kế hoạch triển khai xác định Chỉ số CCHC năm 2025")
    config.write_text(text, encoding="utf-8")
    from parxl.campaign.folder import load_campaign
    from parxl.documents.decision import legal_bases
    res.campaign = load_campaign(res.campaign.root)
    assert legal_bases(res)["plan_basis"] == (
        "Kế hoạch số 184/KH-UBND ngày 20/11/2025 về triển khai xác định Chỉ số CCHC năm 2025")


def test_a_template_syntax_error_is_said_in_vietnamese_with_its_line(results, tmp_path):
    import re

    from docxtpl import DocxTemplate
    from jinja2 import Environment, TemplateSyntaxError

    syntax = edit_template(bundled_template(TEMPLATE), tmp_path / "loi.docx", "{{ proposer }}", "{{ proposer }")
    tpl = DocxTemplate(str(syntax))  # the line Jinja itself stops at, on the XML docxtpl gives it
    tpl.init_docx()
    with pytest.raises(TemplateSyntaxError) as jinja:
        Environment().parse(tpl.patch_xml(tpl.get_xml()))
    with pytest.raises(DocumentError) as info:
        render_decision(results, template=syntax)
    said = str(info.value)
    assert f"(dòng {jinja.value.lineno} của nội dung mẫu)" in said and "dấu «}» không đúng chỗ" in said
    assert not re.search(r"unexpected|expected|token|Jinja", said), said
