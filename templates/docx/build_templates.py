"""Build the Word templates of parxl (docxtpl: Jinja tags inside .docx).

Run from anywhere:  python templates/docx/build_templates.py
It rewrites, beside this script:
  quyet-dinh-cong-bo.docx   Quyết định công bố Chỉ số CCHC, with the ranking appendix (landscape)
  thong-bao-ket-qua.docx    Thông báo kết quả Chỉ số CCHC to one unit
  bao-cao-ket-qua.docx      Báo cáo kết quả to the higher level

The variables the tags use are built in parxl/documents/ (context.py, decision.py,
notices.py, report.py); parxl refuses an edited template that uses any other.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from docx_layout import (  # noqa: E402
    LANDSCAPE_TEXT_MM, PORTRAIT_TEXT_MM, landscape_section, merge_row, middle, national_header, new_document,
    para, recipients_and_signature, repeat_header, rule, save, table, tag,
)

BODY = {"indent": 10, "after": 6}          # body paragraph: first line 1 cm, 6 pt after
BASIS = {"indent": 10, "after": 3, "italic": True}
BOLD = {"bold": True}
HEADER_COLS = (62, PORTRAIT_TEXT_MM - 62)
SIGN_COLS = (80, PORTRAIT_TEXT_MM - 80)


def title_block(doc, kind: str, summary: str) -> None:
    para(doc, kind, align="center", bold=True, before=18, after=0, keep_next=True)
    para(doc, summary, align="center", bold=True, after=0, keep_next=True)
    rule(doc, 45, PORTRAIT_TEXT_MM, after=12)


# --- Quyết định công bố -------------------------------------------------------

RANK_COLS = [  # (title, width mm, value, max row)
    ("STT", 12, "{{ u.stt }}", ""),
    ("Đơn vị", 62, "{{ u.name }}", "Điểm tối đa"),
    ("Điểm thẩm định", 26, "{{ u.appraised }}", "{{ max_appraised }}"),
    ("Điểm điều tra xã hội học", 26, "{{ u.survey }}", "{{ max_survey }}"),
    ("Điểm thưởng (+), điểm trừ (-)", 26, "{{ u.adjustment }}", ""),
    ("Tổng điểm", 22, "{{ u.total }}", "{{ max_total }}"),
    ("Chỉ số CCHC (%)", 22, "{{ u.index }}", "100"),
    ("Xếp hạng", 18, "{{ u.rank }}", ""),
    ("Xếp loại", 38, "{{ u.band }}", ""),
]
assert sum(c[1] for c in RANK_COLS) == LANDSCAPE_TEXT_MM


def build_decision(path: Path) -> None:
    doc = new_document("Quyết định công bố Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "QUYẾT ĐỊNH",
                "Về việc công bố Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }}")
    para(doc, "{{ authority }}", align="center", bold=True, after=12)
    para(doc, "Căn cứ {{ local_gov_law }};", **BASIS)
    para(doc, "Căn cứ {{ criteria_basis }};", **BASIS)
    tag(doc, "{%p if plan_basis %}")
    para(doc, "Căn cứ {{ plan_basis }};", **BASIS)
    tag(doc, "{%p endif %}")
    para(doc, "Theo đề nghị của {{ proposer }}.", **BASIS)
    para(doc, "QUYẾT ĐỊNH:", align="center", bold=True, before=12, after=12)

    para(doc, [("Điều 1. ", BOLD), ("Công bố Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }} "
                                      "(chi tiết tại Phụ lục kèm theo Quyết định này).", {})], **BODY)
    para(doc, "Trong số {{ unit_count }} đơn vị, có {{ ranked_count }} đơn vị được xếp hạng; kết quả xếp loại:",
         **BODY)
    tag(doc, "{%p for b in bands %}")
    para(doc, "- Xếp loại {{ b.text }}: {{ b.count }} đơn vị{{ b.end }}", **BODY)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if unranked_count %}")
    para(doc, "- Không xếp hạng: {{ unranked_count }} đơn vị ({{ unranked_reasons }}).", **BODY)
    tag(doc, "{%p endif %}")

    para(doc, [("Điều 2. ", BOLD), ("Tổ chức thực hiện", {})], **BODY)
    para(doc, "1. {{ heads_phrase }} căn cứ kết quả Chỉ số cải cách hành chính năm {{ year }} phát huy kết quả "
              "đạt được; rà soát các tiêu chí, tiêu chí thành phần bị mất điểm để có giải pháp khắc phục "
              "trong năm {{ next_year }}.", **BODY)
    para(doc, "2. Các đơn vị xếp loại {{ lowest_labels }}{% if lowest_units %} ({{ lowest_units }}){% endif %} "
              "xây dựng kế hoạch cải thiện, nâng cao Chỉ số cải cách hành chính năm {{ next_year }}, "
              "gửi {{ office }} để theo dõi, tổng hợp.", **BODY)
    para(doc, "3. {{ office }} theo dõi, đôn đốc, hướng dẫn các đơn vị thực hiện; tổng hợp, báo cáo kết quả "
              "theo quy định.", **BODY)
    para(doc, [("Điều 3. ", BOLD), ("Quyết định này có hiệu lực kể từ ngày ký.", {})], **BODY)
    para(doc, "Chánh Văn phòng {{ issuer_short }}, {{ proposer }}, Thủ trưởng các cơ quan, đơn vị có liên quan "
              "và {{ heads_phrase }} có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
         indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)

    landscape_section(doc)
    para(doc, "Phụ lục", align="center", bold=True, after=0)
    para(doc, "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {{ year }} CỦA {{ units_phrase_upper }}", align="center",
         bold=True, after=0)
    para(doc, "(Kèm theo Quyết định số {{ number }} {{ date_short }} của {{ authority_text }})",
         align="center", italic=True, after=0)
    rule(doc, 50, LANDSCAPE_TEXT_MM, after=10)
    ranking_table(doc)
    save(doc, path)


def ranking_table(doc) -> None:
    """Header, max row, then Jinja row loops: groups (by unit kind) of ranked units, then unranked units."""
    layout = {  # row -> control tag; the other rows hold content
        2: "{%tr for g in groups %}", 3: "{%tr if show_groups %}", 5: "{%tr endif %}",
        6: "{%tr for u in g.units %}", 8: "{%tr endfor %}", 9: "{%tr endfor %}",
        10: "{%tr if unranked %}", 12: "{%tr for u in unranked %}", 14: "{%tr endfor %}", 15: "{%tr endif %}",
    }
    t = table(doc, [c[1] for c in RANK_COLS], rows=16, borders=True)
    for col, (title, _, value, maximum) in enumerate(RANK_COLS):
        head = t.cell(0, col)
        para(head, title, align="center", size=12, bold=True, after=0, reuse=True)
        middle(head)
        para(t.cell(1, col), maximum, align="center", size=12, italic=True, after=0, reuse=True)
        data = t.cell(7, col)
        para(data, value, align="left" if col == 1 else "center", size=12, after=0, reuse=True)
        middle(data)
    repeat_header(t.rows[0])
    repeat_header(t.rows[1])
    for index, text in layout.items():
        tag(merge_row(t.rows[index]), text, reuse=True)
    para(merge_row(t.rows[4]), "{{ g.title }}", align="left", size=12, bold=True, after=0, reuse=True)
    para(merge_row(t.rows[11]), "ĐƠN VỊ KHÔNG XẾP HẠNG", align="left", size=12, bold=True, after=0, reuse=True)
    row = t.rows[13]
    para(row.cells[0], "{{ u.stt }}", align="center", size=12, after=0, reuse=True)
    para(row.cells[1], "{{ u.name }}", align="left", size=12, after=0, reuse=True)
    note = row.cells[2].merge(row.cells[-1])
    para(note, "{{ u.note }}", align="left", size=12, italic=True, after=0, reuse=True)


def loop_table(doc, columns: list[tuple[str, float, str, str]], loop: str, size: int = 12) -> None:
    """A bordered table: a header row, then one row repeated by ``{%tr for … %}``.

    ``columns``: (title, width mm, value tag, alignment of the value).
    """
    t = table(doc, [c[1] for c in columns], rows=4, borders=True)
    for col, (title, _, value, align) in enumerate(columns):
        para(t.cell(0, col), title, align="center", size=size, bold=True, after=0, reuse=True)
        middle(t.cell(0, col))
        para(t.cell(2, col), value, align=align, size=size, after=0, reuse=True)
        middle(t.cell(2, col))
    repeat_header(t.rows[0])
    tag(merge_row(t.rows[1]), loop, reuse=True)
    tag(merge_row(t.rows[3]), "{%tr endfor %}", reuse=True)
    para(doc, "", after=0, size=6)


def heading(doc, text: str) -> None:
    para(doc, text, bold=True, indent=10, after=6, keep_next=True)


# --- Thông báo kết quả (one per unit) -------------------------------------------

def build_notice(path: Path) -> None:
    doc = new_document("Thông báo kết quả Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "THÔNG BÁO",
                "Kết quả Chỉ số cải cách hành chính năm {{ year }} của {{ unit_name }}")
    para(doc, "Kính gửi: {{ addressee }}.", align="center", after=12)
    para(doc, "Căn cứ {{ decision_ref }} của {{ authority_text }} về việc công bố Chỉ số cải cách hành chính "
              "năm {{ year }} của {{ units_phrase }}; {{ issuer_name_text }} thông báo kết quả Chỉ số cải cách "
              "hành chính năm {{ year }} của {{ unit_name }} như sau:", **BODY)
    heading(doc, "1. Kết quả chung")
    para(doc, "- Tổng điểm đạt: {{ total }}/{{ max_total }} điểm, gồm: điểm thẩm định {{ appraised }}/"
              "{{ max_appraised }}{% if survey_held %}; điểm điều tra xã hội học {{ survey }}/{{ max_survey }}"
              "{% endif %}; điểm thưởng {{ bonus }}; điểm trừ {{ penalty }}.", **BODY)
    para(doc, "- Chỉ số cải cách hành chính: {{ index }}%; xếp hạng {{ rank }}/{{ ranked_count }} đơn vị; "
              "xếp loại: {{ band }}.", **BODY)
    heading(doc, "2. Chỉ số thành phần theo lĩnh vực")
    loop_table(doc, [
        ("STT", 12, "{{ f.stt }}", "center"),
        ("Lĩnh vực", 73, "{{ f.title }}", "left"),
        ("Điểm tối đa", 20, "{{ f.max }}", "center"),
        ("Điểm đạt", 20, "{{ f.points }}", "center"),
        ("Điểm bị mất", 20, "{{ f.lost }}", "center"),
        ("Chỉ số (%)", 20, "{{ f.index }}", "center"),
    ], "{%tr for f in fields %}")
    heading(doc, "3. Các tiêu chí bị mất điểm")
    tag(doc, "{%p if lost_items %}")
    para(doc, "Xếp theo số điểm có thể cải thiện, từ nhiều đến ít; tổng số điểm bị mất: {{ lost_total }} điểm.",
         **BODY)
    loop_table(doc, [
        ("STT", 12, "{{ i.stt }}", "center"),
        ("Mã", 16, "{{ i.code }}", "center"),
        ("Tiêu chí, tiêu chí thành phần", 77, "{{ i.title }}", "left"),
        ("Điểm tối đa", 20, "{{ i.max }}", "center"),
        ("Điểm đạt", 20, "{{ i.final }}", "center"),
        ("Điểm bị mất", 20, "{{ i.lost }}", "center"),
    ], "{%tr for i in lost_items %}")
    tag(doc, "{%p else %}")
    para(doc, "Đơn vị đạt điểm tối đa ở tất cả các tiêu chí.", **BODY)
    tag(doc, "{%p endif %}")
    heading(doc, "4. Đề nghị")
    para(doc, "{{ addressee }} căn cứ kết quả trên phát huy những nội dung đạt kết quả tốt; xây dựng kế hoạch "
              "cải thiện, nâng cao Chỉ số cải cách hành chính năm {{ next_year }}, tập trung khắc phục các tiêu chí "
              "bị mất điểm nêu tại mục 3; gửi kế hoạch về {{ office }} để theo dõi, tổng hợp.", **BODY)
    para(doc, "Thông tin chi tiết xin liên hệ {{ office }}{% if contact %} ({{ contact }}){% endif %}./.",
         indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


# --- Báo cáo kết quả (to the higher level) ----------------------------------------

def build_report(path: Path) -> None:
    doc = new_document("Báo cáo kết quả Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "BÁO CÁO",
                "Kết quả xác định Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }}")
    para(doc, "Kính gửi: {{ report_to }}.", align="center", after=12)
    heading(doc, "I. TỔ CHỨC THỰC HIỆN")
    para(doc, "Căn cứ {{ criteria_basis }}{% if plan_basis %} và {{ plan_basis }}{% endif %}, "
              "{{ issuer_name_text }} đã tổ chức tự đánh giá, thẩm định, xác định Chỉ số cải cách hành chính "
              "năm {{ year }} đối với {{ unit_count }} đơn vị; kết quả được công bố tại {{ decision_ref }} "
              "của {{ authority_text }}.", **BODY)
    heading(doc, "II. KẾT QUẢ")
    heading(doc, "1. Kết quả chung")
    para(doc, "- Số đơn vị được đánh giá: {{ unit_count }}; được xếp hạng: {{ ranked_count }}; không xếp hạng: "
              "{{ unranked_count }}{% if unranked_reasons %} ({{ unranked_reasons }}){% endif %}.", **BODY)
    para(doc, "- Chỉ số cải cách hành chính trung bình: {{ average }}%.", **BODY)
    para(doc, "- Cao nhất: {{ best }}% ({{ best_units }}); thấp nhất: {{ lowest }}% ({{ lowest_units }}).", **BODY)
    heading(doc, "2. Phân bố theo xếp loại")
    loop_table(doc, [
        ("STT", 12, "{{ b.stt }}", "center"),
        ("Xếp loại", 45, "{{ b.label }}", "left"),
        ("Khoảng chỉ số", 58, "{{ b.when }}", "left"),
        ("Số đơn vị", 25, "{{ b.count }}", "center"),
        ("Tỷ lệ (%)", 25, "{{ b.share }}", "center"),
    ], "{%tr for b in bands %}")
    heading(doc, "3. Kết quả theo lĩnh vực")
    loop_table(doc, [
        ("STT", 13, "{{ f.stt }}", "center"),
        ("Lĩnh vực", 48, "{{ f.title }}", "left"),
        ("Chỉ số trung bình (%)", 22, "{{ f.average }}", "center"),
        ("Cao nhất", 41, "{{ f.best }}% – {{ f.best_units }}", "left"),
        ("Thấp nhất", 41, "{{ f.lowest }}% – {{ f.lowest_units }}", "left"),
    ], "{%tr for f in fields %}")
    tag(doc, "{%p if unranked %}")
    heading(doc, "4. Đơn vị không xếp hạng")
    tag(doc, "{%p for u in unranked %}")
    para(doc, "- {{ u.name }}: {{ u.note }}", **BODY)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, "Trên đây là báo cáo kết quả xác định Chỉ số cải cách hành chính năm {{ year }} của "
              "{{ units_phrase }}; {{ issuer_name_text }} báo cáo {{ report_to }} theo dõi, tổng hợp./.",
         indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


# --- Thông báo kết quả sơ bộ (one per appraised unit) -----------------------------

def build_preliminary(path: Path) -> None:
    doc = new_document("Thông báo kết quả thẩm định sơ bộ Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "THÔNG BÁO",
                "Kết quả thẩm định sơ bộ Chỉ số cải cách hành chính năm {{ year }} của {{ unit_name }}")
    para(doc, "Kính gửi: {{ addressee }}.", align="center", after=12)
    para(doc, "Trên cơ sở kết quả tự đánh giá, chấm điểm của đơn vị và kết quả thẩm định lần {{ round_number }}, "
              "{{ issuer_name_text }} thông báo kết quả thẩm định sơ bộ Chỉ số cải cách hành chính năm {{ year }} "
              "của {{ unit_name }} như sau:", **BODY)
    heading(doc, "1. Điểm tự đánh giá và điểm thẩm định theo lĩnh vực")
    loop_table(doc, [
        ("STT", 12, "{{ f.stt }}", "center"),
        ("Lĩnh vực", 77, "{{ f.title }}", "left"),
        ("Điểm tối đa", 18, "{{ f.max }}", "center"),
        ("Điểm tự đánh giá", 20, "{{ f.self }}", "center"),
        ("Điểm thẩm định", 20, "{{ f.appraised }}", "center"),
        ("Chênh lệch", 18, "{{ f.diff }}", "center"),
    ], "{%tr for f in fields %}")
    para(doc, "- Tổng điểm tự đánh giá: {{ self_total }} điểm; tổng điểm sau thẩm định: {{ appraised_total }} "
              "điểm (chênh lệch {{ diff_total }} điểm).", **BODY)
    heading(doc, "2. Các tiêu chí cần giải trình")
    tag(doc, "{%p if items %}")
    loop_table(doc, [
        ("STT", 12, "{{ i.stt }}", "center"),
        ("Mã", 16, "{{ i.code }}", "center"),
        ("Tiêu chí, tiêu chí thành phần", 55, "{{ i.title }}", "left"),
        ("Điểm tự chấm", 18, "{{ i.self }}", "center"),
        ("Điểm thẩm định", 18, "{{ i.appraised }}", "center"),
        ("Ý kiến thẩm định", 46, "{{ i.remark }}", "left"),
    ], "{%tr for i in items %}")
    tag(doc, "{%p else %}")
    para(doc, "Không có tiêu chí nào có điểm thẩm định khác điểm tự đánh giá hoặc cần giải trình.", **BODY)
    tag(doc, "{%p endif %}")
    heading(doc, "3. Đề nghị")
    para(doc, "Đề nghị {{ addressee }} giải trình, bổ sung tài liệu kiểm chứng (nếu có) đối với các tiêu chí nêu tại "
              "mục 2 vào phiếu giải trình gửi kèm («{{ workbook_name }}») và gửi về {{ submit_to }} "
              "trước ngày {{ deadline }}. Quá thời hạn trên, kết quả thẩm định sơ bộ được sử dụng để tổng hợp, "
              "trình Hội đồng thẩm định.", **BODY)
    para(doc, "Thông tin chi tiết xin liên hệ {{ office }}{% if contact %} ({{ contact }}){% endif %}./.",
         indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


# --- Tờ trình (for the council's meeting) ---------------------------------------

def build_council_brief(path: Path) -> None:
    doc = new_document("Tờ trình kết quả thẩm định Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "TỜ TRÌNH",
                "Về kết quả thẩm định Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }}")
    para(doc, "Kính gửi: Hội đồng thẩm định Chỉ số cải cách hành chính năm {{ year }}.", align="center", after=12)
    para(doc, "{{ issuer_name_text }} đã tổ chức thẩm định kết quả tự đánh giá của {{ unit_count }} đơn vị "
              "qua {{ rounds_text }}; {{ explained_count }} đơn vị đã giải trình kết quả thẩm định sơ bộ. "
              "Kết quả như sau:", **BODY)
    heading(doc, "1. Kết quả theo từng đơn vị")
    loop_table(doc, [
        ("STT", 10, "{{ u.stt }}", "center"),
        ("Đơn vị", 45, "{{ u.name }}", "left"),
        ("Chỉ số tự đánh giá (%)", 22, "{{ u.self_index }}", "center"),
        ("Chỉ số thẩm định lần 1 (%)", 22, "{{ u.first_index }}", "center"),
        ("Chỉ số sau giải trình (%)", 22, "{{ u.final_index }}", "center"),
        ("Xếp hạng", 18, "{{ u.rank }}", "center"),
        ("Thay đổi hạng", 18, "{{ u.rank_change }}", "center"),
    ], "{%tr for u in units %}")
    heading(doc, "2. Các nội dung còn ý kiến khác nhau")
    tag(doc, "{%p if open_items %}")
    tag(doc, "{%p for o in open_items %}")
    para(doc, "- {{ o }}", **BODY)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Không còn tiêu chí nào đơn vị đề nghị điểm cao hơn điểm thẩm định.", **BODY)
    tag(doc, "{%p endif %}")
    para(doc, "Chi tiết từng tiêu chí tại bảng tổng hợp gửi kèm («{{ workbook_name }}»). {{ issuer_name_text }} "
              "kính trình Hội đồng thẩm định xem xét, thống nhất kết quả./.", indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


BUILDERS = {"quyet-dinh-cong-bo.docx": build_decision, "thong-bao-ket-qua.docx": build_notice,
            "bao-cao-ket-qua.docx": build_report, "thong-bao-ket-qua-so-bo.docx": build_preliminary,
            "to-trinh-hoi-dong.docx": build_council_brief}


def main(out_dir: Path = HERE) -> list[Path]:
    out_dir = Path(out_dir)
    paths = []
    for name, build in BUILDERS.items():
        build(out_dir / name)
        paths.append(out_dir / name)
    return paths


if __name__ == "__main__":
    main()
