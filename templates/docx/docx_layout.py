"""Layout helpers for build_templates.py: Nghị định 30/2020 page, fonts, paragraphs, tables, rules.

python-docx lays out the page; the Jinja tags (docxtpl) are plain text in runs,
so a clerk can see and edit them in Word.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT, WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
BODY_PT = 14
A4 = (Mm(210), Mm(297))
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # mm, Nghị định 30/2020
PORTRAIT_TEXT_MM = 210 - MARGINS["left"] - MARGINS["right"]
LANDSCAPE_TEXT_MM = 297 - MARGINS["left"] - MARGINS["right"]

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _set_fonts(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)


def new_document(title: str) -> Document:
    """An A4 portrait document in Times New Roman 14 with page numbers from page 2."""
    doc = Document()
    # Defaults for every run, then the Normal style.
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr_default)
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.space_before, pf.space_after = Pt(0), Pt(6)
    pf.line_spacing = 1.0
    for name in ("Header", "Footer", "Table Grid"):
        if name in [s.name for s in doc.styles]:
            doc.styles[name].font.name = FONT

    section = doc.sections[0]
    section.page_width, section.page_height = A4
    section.orientation = WD_ORIENT.PORTRAIT
    _margins(section)
    section.different_first_page_header_footer = True  # no number on page 1
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    page_field(header, size=13)

    props = doc.core_properties
    props.title, props.author, props.last_modified_by = _nfc(title), "parxl", "parxl"
    props.created = props.modified = dt.datetime(2025, 1, 1)
    props.revision = 1
    return doc


def _margins(section) -> None:
    section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
    section.header_distance = section.footer_distance = Mm(10)


def landscape_section(doc: Document):
    """A new section on a new page, A4 landscape (for wide appendix tables)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = A4[1], A4[0]
    _margins(section)
    section.different_first_page_header_footer = False
    return section


def page_field(paragraph, size: int) -> None:
    """A PAGE field (complex field, as Word writes it)."""
    def fld(kind: str):
        run = paragraph.add_run()
        run.font.size = Pt(size)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    run = paragraph.add_run()
    run.font.size = Pt(size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    fld("separate")
    shown = paragraph.add_run("2")
    shown.font.size = Pt(size)
    fld("end")


def para(container, runs, *, align="justify", size=BODY_PT, bold=False, italic=False, before=0, after=6,
         indent=None, keep_next=False, left=None, right=None, reuse=False):
    """Add a paragraph. ``runs`` is a string or a list of (text, {"bold": …, "italic": …})."""
    p = container.paragraphs[0] if reuse else container.add_paragraph()
    if isinstance(runs, str):
        runs = [(runs, {})]
    for text, fmt in runs:
        run = p.add_run(_nfc(text))
        run.font.size = Pt(fmt.get("size", size))
        run.bold = fmt.get("bold", bold) or None
        run.italic = fmt.get("italic", italic) or None
    f = p.paragraph_format
    p.alignment = ALIGN[align]
    f.space_before, f.space_after = Pt(before), Pt(after)
    if indent is not None:
        f.first_line_indent = Mm(indent)
    if left is not None:
        f.left_indent = Mm(left)
    if right is not None:
        f.right_indent = Mm(right)
    if keep_next:
        f.keep_with_next = True
    _mark_size(p, size)
    return p


def tag(container, text: str, reuse=False):
    """A paragraph holding only a docxtpl control tag ({%p …%} / {%tr …%}); it disappears on render."""
    return para(container, text, align="left", size=10, after=0, reuse=reuse)


def _mark_size(p, size) -> None:
    ppr = p._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    for old in rpr.findall(qn("w:sz")):
        rpr.remove(old)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(int(size * 2)))
    rpr.append(sz)


def rule(container, width_mm: float, box_mm: float, reuse=False, after=0):
    """A short centered horizontal line: the bottom border of a tiny empty paragraph."""
    p = container.paragraphs[0] if reuse else container.add_paragraph()
    side = max(0.0, (box_mm - width_mm) / 2)
    f = p.paragraph_format
    f.left_indent, f.right_indent = Mm(side), Mm(side)
    f.space_before, f.space_after = Pt(0), Pt(after)
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = Pt(3)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _mark_size(p, 1)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    # pBdr must come before spacing/ind/jc in pPr: insert right after pStyle/keepNext etc.
    anchor = ppr.find(qn("w:spacing"))
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)
    return p


def table(container, widths_mm: list[float], rows: int, borders: bool):
    """A fixed-width table; borderless (header, signature) or with single lines (data)."""
    t = container.add_table(rows=rows, cols=len(widths_mm))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    tbl_pr = t._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    edges = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        if borders:
            for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
                el.set(qn(k), v)
        else:
            el.set(qn("w:val"), "nil")
        edges.append(el)
    tbl_pr.append(edges)
    for i, w in enumerate(widths_mm):
        t.columns[i].width = Mm(w)
        for cell in t.columns[i].cells:
            cell.width = Mm(w)
    return t


def repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def middle(cell) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def national_header(doc, left_mm: float, right_mm: float, number_text: str, size_small=13) -> None:
    """Nghị định 30/2020 header: issuer | motto, then «Số: …» | place and date (italic)."""
    t = table(doc, [left_mm, right_mm], rows=2, borders=False)
    left, right = t.cell(0, 0), t.cell(0, 1)
    tag(left, "{%p for line in issuer_parent_lines %}", reuse=True)
    para(left, "{{ line }}", align="center", size=size_small, after=0)
    tag(left, "{%p endfor %}")
    tag(left, "{%p for line in issuer_lines %}")
    para(left, "{{ line }}", align="center", size=size_small, bold=True, after=0)
    tag(left, "{%p endfor %}")
    rule(left, 22, left_mm - 3.8)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="center", size=12, bold=True, after=0, reuse=True)
    para(right, "Độc lập - Tự do - Hạnh phúc", align="center", size=13, bold=True, after=0)
    rule(right, 54, right_mm - 3.8)
    para(t.cell(1, 0), number_text, align="center", size=13, before=6, after=0, reuse=True)
    tag(t.cell(1, 0), "{%p if draft %}")  # before the results are finalised (parxl finalize): «DỰ THẢO»
    para(t.cell(1, 0), "DỰ THẢO", align="center", size=13, bold=True, before=3, after=0)
    tag(t.cell(1, 0), "{%p endif %}")
    para(t.cell(1, 1), "{{ place_date }}", align="center", size=14, italic=True, before=6, after=0, reuse=True)


def recipients_and_signature(doc, left_mm: float, right_mm: float) -> None:
    """«Nơi nhận:» (12 bold italic, list in 11) | signature block (bold capitals, then the name)."""
    t = table(doc, [left_mm, right_mm], rows=1, borders=False)
    cant_split = OxmlElement("w:cantSplit")  # the signature never leaves its «Nơi nhận» behind
    t.rows[0]._tr.get_or_add_trPr().append(cant_split)
    left, right = t.cell(0, 0), t.cell(0, 1)
    para(left, "Nơi nhận:", align="left", size=12, bold=True, italic=True, after=0, reuse=True)
    tag(left, "{%p for r in recipients %}")
    para(left, "- {{ r }}", align="left", size=11, after=0)
    tag(left, "{%p endfor %}")
    tag(right, "{%p for line in signer_lines %}", reuse=True)
    para(right, "{{ line }}", align="center", size=14, bold=True, after=0)
    tag(right, "{%p endfor %}")
    for _ in range(4):
        para(right, "", align="center", after=0)
    para(right, "{{ signer_name }}", align="center", size=14, bold=True, after=0)


def merge_row(row):
    cells = row.cells
    return cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]


def save(doc: Document, path: Path) -> None:
    """Save with fixed zip timestamps, so that building twice gives the same bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
