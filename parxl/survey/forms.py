"""The survey's forms: a questionnaire (phiếu khảo sát) per respondent group as a DOCX to print, and
a data-entry workbook (sổ nhập phiếu) for offices that type paper forms in.

Both are written into ``output/phieu-khao-sat/``. The data-entry workbook's first sheet is the
respondent-rows table ``parxl survey`` imports (``Mã | Nhóm | Phiếu | <question code> | …``, the
header on row 1), with a dropdown of the units' codes, of the groups and of each question's letters;
the sheet «Câu hỏi» lists the questions and options, and a hidden sheet holds the dropdowns' lists.
"""
from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range_abs
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from ..campaign.folder import Campaign
from ..core.files import safe_file_stem, write_atomic
from .design import Question, groups, questions

FORMS_DIR = "phieu-khao-sat"
ENTRY_FILE = "so-nhap-phieu-khao-sat.xlsx"
ENTRY_SHEET = "Nhập phiếu"
ENTRY_ROWS = 20_000  # rows with dropdowns
_LISTS_SHEET = "Danh mục"


def survey_purpose(campaign: Campaign) -> str:
    """The questionnaire's subtitle: «Điều tra xã hội học phục vụ xác định Chỉ số … năm 2025», the campaign title
    as written (only its first letter lowered, so «UBND» stays) and the year once."""
    title = (campaign.config.title or "Xác định Chỉ số cải cách hành chính").strip()
    title = title[:1].lower() + title[1:]
    year = "" if str(campaign.year) in title else f" năm {campaign.year}"
    return f"Điều tra xã hội học phục vụ {title}{year}"


def unworded_questions(campaign: Campaign) -> list[str]:
    """Codes of the questions whose options have no text (only letters): a printed form cannot say what they mean."""
    return [q.code for q in questions(campaign) if not any(q.option_texts.values())]


def questionnaire(campaign: Campaign, group_name: str | None) -> bytes:
    """The questionnaire for the respondent group ``group_name`` (None: every respondent) as DOCX bytes:
    heading, the unit and form number to fill, each question with its options to tick."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    issuer = campaign.config.issuer.name
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.add_run(issuer).bold = True
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("PHIẾU KHẢO SÁT")
    run.bold = True
    run.font.size = Pt(15)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(survey_purpose(campaign)).italic = True
    if group_name:
        who = doc.add_paragraph()
        who.alignment = WD_ALIGN_PARAGRAPH.CENTER
        who.add_run(f"(Dành cho: {group_name})").bold = True
    doc.add_paragraph("Đơn vị được đánh giá: ……………………………………………  Mã đơn vị: …………  Số phiếu: …………")
    doc.add_paragraph("Ông/bà vui lòng đánh dấu (✓) vào một ô cho mỗi câu hỏi. Phiếu không ghi tên người trả lời; "
                      "thông tin chỉ dùng để xác định Chỉ số cải cách hành chính.").italic = True
    for n, q in enumerate(questions(campaign), start=1):
        p = doc.add_paragraph()
        p.add_run(f"Câu {n} ({q.code}). ").bold = True
        p.add_run(q.text)
        for letter in q.letters:
            text = q.option_texts.get(letter, "")
            doc.add_paragraph(f"☐ {letter}. {text}" if text else f"☐ {letter}")
    end = doc.add_paragraph()
    end.alignment = WD_ALIGN_PARAGRAPH.CENTER
    end.add_run("Xin trân trọng cảm ơn ông/bà!").italic = True
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def entry_workbook(campaign: Campaign) -> bytes:
    """The data-entry workbook as bytes (see the module docstring)."""
    qs = questions(campaign)
    gs = groups(campaign)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7", "align": "center"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bold = wb.add_format({"bold": True, "valign": "top"})
    entry = wb.add_worksheet(ENTRY_SHEET)
    info = wb.add_worksheet("Câu hỏi")
    lists = wb.add_worksheet(_LISTS_SHEET)
    lists.hide()

    lists.write_string(0, 0, "Mã đơn vị")
    for r, unit in enumerate(campaign.units, start=1):
        lists.write_string(r, 0, unit.code)
    lists.write_string(0, 1, "Nhóm")
    for r, g in enumerate(gs, start=1):
        lists.write_string(r, 1, g.code)

    heads = ["Mã", "Nhóm", "Phiếu", *(q.code for q in qs)]
    for c, h in enumerate(heads):
        entry.write_string(0, c, h, head)
        entry.set_column(c, c, 10 if c > 2 else 12)
    entry.freeze_panes(1, 3)
    last = ENTRY_ROWS
    entry.data_validation(1, 0, last, 0, {
        "validate": "list", "source": f"='{_LISTS_SHEET}'!{xl_range_abs(1, 0, len(campaign.units), 0)}",
        "error_title": "Mã đơn vị", "error_message": "Chọn mã đơn vị trong danh sách.",
        "input_title": "Mã đơn vị", "input_message": "Chọn mã đơn vị được đánh giá."})
    if gs:
        entry.data_validation(1, 1, last, 1, {
            "validate": "list", "source": f"='{_LISTS_SHEET}'!{xl_range_abs(1, 1, len(gs), 1)}",
            "error_title": "Nhóm", "error_message": "Chọn mã nhóm đối tượng trong danh sách.",
            "input_title": "Nhóm", "input_message": "; ".join(f"{g.code}: {g.name}" for g in gs)[:250]})
    entry.data_validation(1, 2, last, 2, {
        "validate": "integer", "criteria": ">=", "value": 1,
        "error_title": "Số phiếu", "error_message": "Ghi số thứ tự của phiếu (số nguyên từ 1)."})
    for c, q in enumerate(qs, start=3):
        entry.data_validation(1, c, last, c, {
            "validate": "list", "source": q.letters, "ignore_blank": True,
            "error_title": q.code, "error_message": f"Chọn một phương án: {', '.join(q.letters)}; để trống nếu không trả lời.",
            "input_title": q.code[:32], "input_message": q.text[:250]})

    info.set_column(0, 0, 10)
    info.set_column(1, 1, 70)
    info.set_column(2, 2, 40)
    for c, h in enumerate(("Mã câu hỏi", "Câu hỏi", "Phương án", "Tiêu chí")):
        info.write_string(0, c, h, head)
    for r, q in enumerate(qs, start=1):
        info.write_string(r, 0, q.code, bold)
        info.write_string(r, 1, q.text, wrap)
        info.write_string(r, 2, _options_text(q), wrap)
        info.write_string(r, 3, q.item_code, wrap)
    r = len(qs) + 2
    info.write_string(r, 0, "Cách nhập:", bold)
    info.write_string(r, 1, f"Mỗi phiếu một dòng ở trang «{ENTRY_SHEET}»: mã đơn vị, mã nhóm đối tượng, số phiếu, "
                            "rồi chữ cái phương án của từng câu (để trống câu không trả lời). Không sửa dòng tiêu đề. "
                            "Xong thì nhập bằng «parxl survey THƯ_MỤC_ĐỢT TỆP_NÀY».", wrap)
    for k, g in enumerate(gs, start=r + 1):
        info.write_string(k, 0, g.code, bold)
        info.write_string(k, 1, g.name, wrap)
    entry.activate()
    wb.close()
    return out.getvalue()


def _options_text(q: Question) -> str:
    return "\n".join(f"{letter}. {q.option_texts.get(letter, '')}".rstrip(". ") for letter in q.letters)


def write_forms(campaign: Campaign) -> list[Path]:
    """Write the questionnaires (one DOCX per respondent group, or one for all when campaign.yaml lists
    no group) and the data-entry workbook into ``output/phieu-khao-sat/``, each atomically; returns
    their paths (questionnaires first). Raises SurveyDesignError when the questions collide, OSError
    when a file cannot be written (e.g. open in Word or Excel). A block's view of a campaign with
    ``blocks:`` (``Campaign.for_block``) puts its block id in the names: «phieu-khao-sat-so.docx»,
    «so-nhap-phieu-khao-sat-so.xlsx»."""
    folder = campaign.output_dir / FORMS_DIR
    paths = []
    gs = groups(campaign)
    block = f"-{safe_file_stem(campaign.block_id, ascii=True, fallback='khoi')}" if campaign.block_id else ""
    for g in gs or [None]:
        name = "phieu-khao-sat" + block + (f"-{safe_file_stem(g.code, ascii=True, fallback='nhom')}" if g else "")
        paths.append(write_atomic(folder / f"{name}.docx", questionnaire(campaign, g.name if g else None)))
    entry = Path(ENTRY_FILE)
    paths.append(write_atomic(folder / f"{entry.stem}{block}{entry.suffix}", entry_workbook(campaign)))
    return paths
