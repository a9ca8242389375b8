"""Build the Word templates of parxl (docxtpl: Jinja tags inside .docx).

Run from anywhere:  python templates/docx/build_templates.py
It rewrites, beside this script:
  quyet-dinh-cong-bo.docx   Quyết định công bố Chỉ số CCHC, with the ranking appendix (landscape)
  thong-bao-ket-qua.docx    Thông báo kết quả Chỉ số CCHC to one unit
  bao-cao-ket-qua.docx      Báo cáo kết quả to the higher level
  ke-hoach-trien-khai.docx  Kế hoạch triển khai xác định Chỉ số CCHC (the campaign plan and its schedule)
  danh-sach-don-doc.docx    Danh sách đôn đốc: units and offices behind the schedule (parxl status)
  ke-hoach-cai-thien.docx   Kế hoạch cải thiện, nâng cao Chỉ số CCHC of one unit (parxl improvement)

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
    maxima_notes(doc)
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


def maxima_notes(doc) -> None:
    """Under the appendix table: the units whose index is over another maximum than the «Điểm tối đa» row's
    (a unit type with items of its own, items not applicable), one line each; nothing when there are none."""
    tag(doc, "{%p if max_notes %}")
    para(doc, [("Ghi chú: ", {"bold": True}), ("Chỉ số của các đơn vị dưới đây được tính trên điểm tối đa của đơn vị "
                                                "(không tính điểm các tiêu chí không áp dụng đối với loại đơn vị hoặc "
                                                "không phát sinh trong năm):", {})],
         size=12, italic=True, before=6, after=0)
    tag(doc, "{%p for n in max_notes %}")
    para(doc, "- {{ n }}", size=12, italic=True, after=0)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


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
    para(doc, "- Chỉ số cải cách hành chính: {{ index }}%; {% if rank %}xếp hạng {{ rank }}/{{ ranked_count }} đơn "
              "vị{% else %}đơn vị được đánh giá, không xếp hạng{% endif %}; xếp loại: {{ band }}.", **BODY)
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


def report_results(doc, prefix: str, survey: bool) -> None:
    """The report's results: overall figures, bands, fields and units not ranked, headed «<prefix>1.» to
    «<prefix>4.» (``prefix`` "" for one block, «{{ k.numeral }}.» inside a campaign's loop over blocks)."""
    heading(doc, f"{prefix}1. Kết quả chung")
    para(doc, "- Số đơn vị được đánh giá: {{ unit_count }}; được xếp hạng: {{ ranked_count }}; không xếp hạng: "
              "{{ unranked_count }}{% if unranked_reasons %} ({{ unranked_reasons }}){% endif %}.", **BODY)
    para(doc, "- Chỉ số cải cách hành chính trung bình: {{ average }}%.", **BODY)
    para(doc, "- Cao nhất: {{ best }}% ({{ best_units }}); thấp nhất: {{ lowest }}% ({{ lowest_units }}).", **BODY)
    if survey:
        tag(doc, "{%p if survey_coverage %}")
        para(doc, "- Điều tra xã hội học: {{ survey_coverage }}.", **BODY)
        tag(doc, "{%p endif %}")
    heading(doc, f"{prefix}2. Phân bố theo xếp loại")
    loop_table(doc, [
        ("STT", 12, "{{ b.stt }}", "center"),
        ("Xếp loại", 45, "{{ b.label }}", "left"),
        ("Khoảng chỉ số", 58, "{{ b.when }}", "left"),
        ("Số đơn vị", 25, "{{ b.count }}", "center"),
        ("Tỷ lệ (%)", 25, "{{ b.share }}", "center"),
    ], "{%tr for b in bands %}")
    heading(doc, f"{prefix}3. Kết quả theo lĩnh vực")
    loop_table(doc, [
        ("STT", 13, "{{ f.stt }}", "center"),
        ("Lĩnh vực", 48, "{{ f.title }}", "left"),
        ("Chỉ số trung bình (%)", 22, "{{ f.average }}", "center"),
        ("Cao nhất", 41, "{{ f.best }}% – {{ f.best_units }}", "left"),
        ("Thấp nhất", 41, "{{ f.lowest }}% – {{ f.lowest_units }}", "left"),
    ], "{%tr for f in fields %}")
    tag(doc, "{%p if unranked %}")
    heading(doc, f"{prefix}4. Đơn vị không xếp hạng")
    tag(doc, "{%p for u in unranked %}")
    para(doc, "- {{ u.name }}: {{ u.note }}", **BODY)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")


def report_closing(doc, path: Path) -> None:
    """The report's last paragraph, recipients and signature; saves ``doc`` to ``path``."""
    para(doc, "Trên đây là báo cáo kết quả xác định Chỉ số cải cách hành chính năm {{ year }} của "
              "{{ units_phrase }}; {{ issuer_name_text }} báo cáo {{ report_to }} theo dõi, tổng hợp./.",
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
    report_results(doc, "", survey=True)
    report_closing(doc, path)


# --- Kế hoạch triển khai (the campaign plan, seeds 000 and 002) ---------------------------

def build_plan(path: Path) -> None:
    doc = new_document("Kế hoạch triển khai xác định Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "KẾ HOẠCH", "{{ summary }}")
    tag(doc, "{%p for b in bases %}")
    para(doc, "{{ b }}", **BASIS)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ issuer_name_text }} ban hành Kế hoạch {{ summary_text }} như sau:", **BODY)
    heading(doc, "I. MỤC ĐÍCH, YÊU CẦU")
    heading(doc, "1. Mục đích")
    para(doc, "- Đánh giá thực chất, khách quan kết quả thực hiện nhiệm vụ cải cách hành chính năm {{ year }} "
              "của {{ units_phrase }}; xác định, công bố Chỉ số cải cách hành chính năm {{ year }} đúng thời gian "
              "quy định.", **BODY)
    para(doc, "- Thông qua kết quả Chỉ số cải cách hành chính, các đơn vị thấy rõ những mặt làm được, những tồn "
              "tại, hạn chế để có giải pháp khắc phục, nâng cao hiệu quả cải cách hành chính năm {{ next_year }}.",
         **BODY)
    heading(doc, "2. Yêu cầu")
    para(doc, "- Các nhiệm vụ, tiến độ thời gian và trách nhiệm của các cơ quan, đơn vị được xác định rõ ràng, "
              "phù hợp với điều kiện cụ thể.", **BODY)
    para(doc, "- Việc tự đánh giá, chấm điểm bảo đảm khách quan, trung thực, đúng quy định, có tài liệu kiểm "
              "chứng đầy đủ, rõ ràng; gửi kết quả đúng thời hạn.", **BODY)
    heading(doc, "II. NỘI DUNG")
    para(doc, "1. Đánh giá, xác định Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }} theo "
              "{{ criteria_title }} ban hành kèm theo {{ criteria_basis }}.", **BODY)
    para(doc, "2. Nhiệm vụ và thời gian thực hiện:", **BODY)
    loop_table(doc, [
        ("STT", 12, "{{ t.no }}", "center"),
        ("Nhiệm vụ", 58, "{{ t.task }}", "left"),
        ("Thời gian", 30, "{{ t.due }}", "center"),
        ("Cơ quan chủ trì", 32, "{{ t.lead }}", "left"),
        ("Cơ quan phối hợp", 33, "{{ t.partners }}", "left"),
    ], "{%tr for t in tasks %}")
    heading(doc, "III. KINH PHÍ")
    para(doc, "Kinh phí thực hiện Kế hoạch được bố trí trong dự toán chi thường xuyên năm {{ year }} của "
              "{{ issuer_name_text }} và các cơ quan, đơn vị theo quy định.", **BODY)
    heading(doc, "IV. TỔ CHỨC THỰC HIỆN")
    tag(doc, "{%p for o in offices %}")
    heading(doc, "{{ o.stt }}. {{ o.name }}")
    tag(doc, "{%p for d in o.duties %}")
    para(doc, "- {{ d }}", **BODY)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    para(doc, "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị phản ánh về "
              "{{ office }}{% if contact %} ({{ contact }}){% endif %} để tổng hợp, báo cáo {{ issuer_name_text }} "
              "xem xét, giải quyết./.", indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


# --- Quyết định công bố, campaign with several blocks ------------------------------

def build_decision_blocks(path: Path) -> None:
    """The decision of a campaign with ``blocks:``: Điều 1 per block, one landscape appendix per block
    (the single-block appendix table, fed from the block through Jinja ``set``)."""
    doc = new_document("Quyết định công bố Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "QUYẾT ĐỊNH",
                "Về việc công bố Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }}")
    para(doc, "{{ authority }}", align="center", bold=True, after=12)
    para(doc, "Căn cứ {{ local_gov_law }};", **BASIS)
    tag(doc, "{%p for basis in criteria_bases %}")
    para(doc, "Căn cứ {{ basis }};", **BASIS)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if plan_basis %}")
    para(doc, "Căn cứ {{ plan_basis }};", **BASIS)
    tag(doc, "{%p endif %}")
    para(doc, "Theo đề nghị của {{ proposer }}.", **BASIS)
    para(doc, "QUYẾT ĐỊNH:", align="center", bold=True, before=12, after=12)

    para(doc, [("Điều 1. ", BOLD), ("Công bố Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }} "
                                      "(chi tiết tại các Phụ lục kèm theo Quyết định này), như sau:", {})], **BODY)
    tag(doc, "{%p for b in blocks %}")
    para(doc, "{{ b.intro }}", **BODY)
    tag(doc, "{%p for band in b.bands %}")
    para(doc, "- Xếp loại {{ band.text }}: {{ band.count }} đơn vị{{ band.end }}", **BODY)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if b.unranked_count %}")
    para(doc, "- Không xếp hạng: {{ b.unranked_count }} đơn vị ({{ b.unranked_reasons }}){{ b.end }}", **BODY)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")

    para(doc, [("Điều 2. ", BOLD), ("Tổ chức thực hiện", {})], **BODY)
    para(doc, "1. {{ heads_phrase }} căn cứ kết quả Chỉ số cải cách hành chính năm {{ year }} phát huy kết quả "
              "đạt được; rà soát các tiêu chí, tiêu chí thành phần bị mất điểm để có giải pháp khắc phục "
              "trong năm {{ next_year }}.", **BODY)
    para(doc, "2. Các đơn vị xếp loại thấp của từng khối ({{ lowest_text }}) xây dựng kế hoạch cải thiện, nâng cao "
              "Chỉ số cải cách hành chính năm {{ next_year }}, gửi {{ office }} để theo dõi, tổng hợp.", **BODY)
    para(doc, "3. {{ office }} theo dõi, đôn đốc, hướng dẫn các đơn vị thực hiện; tổng hợp, báo cáo kết quả "
              "theo quy định.", **BODY)
    para(doc, [("Điều 3. ", BOLD), ("Quyết định này có hiệu lực kể từ ngày ký.", {})], **BODY)
    para(doc, "Chánh Văn phòng {{ issuer_short }}, {{ proposer }}, Thủ trưởng các cơ quan, đơn vị có liên quan "
              "và {{ heads_phrase }} có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.",
         indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)

    landscape_section(doc)
    tag(doc, "{%p for b in blocks %}")
    for name in ("groups", "show_groups", "unranked", "max_appraised", "max_survey", "max_total", "max_notes"):
        tag(doc, f"{{%p set {name} = b.{name} %}}")
    para(doc, "Phụ lục {{ b.numeral }}", align="center", bold=True, after=0)
    para(doc, "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {{ year }} CỦA {{ b.units_phrase_upper }}", align="center",
         bold=True, after=0)
    para(doc, "(Kèm theo Quyết định số {{ number }} {{ date_short }} của {{ authority_text }})",
         align="center", italic=True, after=0)
    rule(doc, 50, LANDSCAPE_TEXT_MM, after=10)
    ranking_table(doc)
    maxima_notes(doc)
    tag(doc, "{%p if not loop.last %}")
    landscape_section(doc)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    save(doc, path)


def build_report_blocks(path: Path) -> None:
    """The report of a campaign with ``blocks:``: section II once per block, fed from the block through
    Jinja ``set`` with the single-block report's variable names."""
    doc = new_document("Báo cáo kết quả Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "BÁO CÁO",
                "Kết quả xác định Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }}")
    para(doc, "Kính gửi: {{ report_to }}.", align="center", after=12)
    heading(doc, "I. TỔ CHỨC THỰC HIỆN")
    para(doc, "Căn cứ {{ criteria_basis }}{% if plan_basis %} và {{ plan_basis }}{% endif %}, "
              "{{ issuer_name_text }} đã tổ chức tự đánh giá, thẩm định, xác định Chỉ số cải cách hành chính "
              "năm {{ year }} đối với {{ unit_count }} đơn vị thuộc {{ block_count }} khối; kết quả được công bố "
              "tại {{ decision_ref }} của {{ authority_text }}.", **BODY)
    heading(doc, "II. KẾT QUẢ")
    tag(doc, "{%p for k in blocks %}")
    for name in ("unit_count", "ranked_count", "unranked_count", "unranked_reasons", "average", "best",
                 "best_units", "lowest", "lowest_units", "bands", "fields", "unranked", "survey_coverage"):
        tag(doc, f"{{%p set {name} = k.{name} %}}")
    heading(doc, "{{ k.numeral }}. {{ k.title }}")
    report_results(doc, "{{ k.numeral }}.", survey=True)
    tag(doc, "{%p endfor %}")
    report_closing(doc, path)


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
    para(doc, "- Điểm tối đa của đơn vị: {{ max_total }} điểm{{ max_total_note }}.", **BODY)
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
    tag(doc, "{%p if items %}")
    para(doc, "Đề nghị {{ addressee }} giải trình, bổ sung tài liệu kiểm chứng (nếu có) đối với các tiêu chí nêu tại "
              "mục 2 vào phiếu giải trình gửi kèm («{{ workbook_name }}») và gửi về {{ submit_to }} "
              "trước ngày {{ deadline }}. Quá thời hạn trên, kết quả thẩm định sơ bộ được sử dụng để tổng hợp, "
              "trình Hội đồng thẩm định.", **BODY)
    tag(doc, "{%p else %}")
    para(doc, "{{ addressee }} không có tiêu chí cần giải trình; kết quả thẩm định sơ bộ nêu trên được sử dụng để "
              "tổng hợp, trình Hội đồng thẩm định.", **BODY)
    tag(doc, "{%p endif %}")
    para(doc, "Thông tin chi tiết xin liên hệ {{ office }}{% if contact %} ({{ contact }}){% endif %}./.",
         indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


BUILDERS = {"quyet-dinh-cong-bo.docx": build_decision, "thong-bao-ket-qua.docx": build_notice,
            "bao-cao-ket-qua.docx": build_report, "quyet-dinh-cong-bo-cac-khoi.docx": build_decision_blocks,
            "bao-cao-ket-qua-cac-khoi.docx": build_report_blocks}
BUILDERS["ke-hoach-trien-khai.docx"] = build_plan


# --- Danh sách đôn đốc (who is late, from «parxl status») ---------------------------------

def build_reminders(path: Path) -> None:
    doc = new_document("Danh sách đôn đốc xác định Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "DANH SÁCH ĐÔN ĐỐC",
                "Các đơn vị, cơ quan chưa hoàn thành nhiệm vụ xác định Chỉ số cải cách hành chính năm {{ year }} "
                "(tính đến ngày {{ today }})")
    para(doc, "Thực hiện {{ plan_ref }}, {{ office }} tổng hợp các đơn vị, cơ quan chưa hoàn thành nhiệm vụ theo "
              "tiến độ như sau:", **BODY)
    heading(doc, "1. Các đơn vị chưa gửi hoặc phải gửi lại kết quả tự đánh giá")
    tag(doc, "{%p if units %}")
    loop_table(doc, [
        ("STT", 12, "{{ u.stt }}", "center"),
        ("Đơn vị", 45, "{{ u.name }}", "left"),
        ("Việc còn phải làm", 58, "{{ u.owes }}", "left"),
        ("Hạn", 25, "{{ u.due }}", "center"),
        ("Số ngày quá hạn", 25, "{{ u.late }}", "center"),
    ], "{%tr for u in units %}")
    tag(doc, "{%p else %}")
    para(doc, "Không có.", **BODY)
    tag(doc, "{%p endif %}")
    heading(doc, "2. Các cơ quan chưa gửi kết quả thẩm định")
    tag(doc, "{%p if offices %}")
    loop_table(doc, [
        ("STT", 12, "{{ o.stt }}", "center"),
        ("Cơ quan", 45, "{{ o.name }}", "left"),
        ("Việc còn phải làm", 58, "{{ o.owes }}", "left"),
        ("Hạn", 25, "{{ o.due }}", "center"),
        ("Số ngày quá hạn", 25, "{{ o.late }}", "center"),
    ], "{%tr for o in offices %}")
    tag(doc, "{%p else %}")
    para(doc, "Không có.", **BODY)
    tag(doc, "{%p endif %}")
    para(doc, "Đề nghị các đơn vị, cơ quan có tên trên khẩn trương hoàn thành, gửi về {{ office }}"
              "{% if submit_to %} ({{ submit_to }}){% endif %}. Thông tin chi tiết xin liên hệ {{ office }}"
              "{% if contact %}: {{ contact }}{% endif %}./.", indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


BUILDERS["danh-sach-don-doc.docx"] = build_reminders


# --- Kế hoạch cải thiện (one per ranked unit, the unit as issuer; seed 001) -------------------

def build_improvement(path: Path) -> None:
    doc = new_document("Kế hoạch cải thiện, nâng cao Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "KẾ HOẠCH", "Cải thiện, nâng cao Chỉ số cải cách hành chính năm {{ next_year }} "
                                 "của {{ unit_name }}")
    para(doc, "Căn cứ {{ decision_ref }} của {{ authority_text }} về việc công bố Chỉ số cải cách hành chính năm "
              "{{ year }} của {{ units_phrase }}; {{ unit_issuer_text }} xây dựng Kế hoạch cải thiện, nâng cao Chỉ số "
              "cải cách hành chính năm {{ next_year }} như sau:", **BODY)
    heading(doc, "I. KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {{ year }}")
    para(doc, "- Tổng điểm đạt: {{ total }}/{{ max_total }} điểm; Chỉ số cải cách hành chính: {{ index }}%; "
              "xếp hạng {{ rank }}/{{ ranked_count }} đơn vị; xếp loại: {{ band }}.", **BODY)
    tag(doc, "{%p if previous %}")
    para(doc, "- So với năm {{ previous.year }}: Chỉ số {{ previous.index }}% ({{ previous.index_change }} điểm phần trăm), "
              "xếp hạng {{ previous.rank }} ({{ previous.rank_change }}).", **BODY)
    tag(doc, "{%p endif %}")
    para(doc, "- Chỉ số thành phần theo lĩnh vực:", **BODY)
    loop_table(doc, [
        ("STT", 12, "{{ f.stt }}", "center"),
        ("Lĩnh vực", 73, "{{ f.title }}", "left"),
        ("Điểm tối đa", 20, "{{ f.max }}", "center"),
        ("Điểm đạt", 20, "{{ f.points }}", "center"),
        ("Điểm bị mất", 20, "{{ f.lost }}", "center"),
        ("Chỉ số (%)", 20, "{{ f.index }}", "center"),
    ], "{%tr for f in fields %}")
    heading(doc, "II. MỤC ĐÍCH, YÊU CẦU")
    para(doc, "- Giữ vững và phát huy kết quả ở các lĩnh vực, tiêu chí đạt điểm tối đa; khắc phục các tồn tại, hạn "
              "chế ở các tiêu chí bị mất điểm để cải thiện, nâng cao Chỉ số cải cách hành chính năm {{ next_year }}.",
         **BODY)
    para(doc, "- Phân công rõ nhiệm vụ, thời gian hoàn thành và bộ phận thực hiện; chuẩn bị đầy đủ tài liệu kiểm "
              "chứng theo yêu cầu của từng tiêu chí.", **BODY)
    heading(doc, "III. NỘI DUNG CẢI THIỆN THEO TỪNG LĨNH VỰC")
    tag(doc, "{%p if groups %}")
    para(doc, "Các tiêu chí bị mất điểm, xếp theo số điểm có thể cải thiện, từ nhiều đến ít; tổng số điểm có thể "
              "cải thiện: {{ lost_total }} điểm.", **BODY)
    tag(doc, "{%p for g in groups %}")
    heading(doc, "{{ g.stt }}. {{ g.title }} (có thể cải thiện {{ g.lost }} điểm)")
    tag(doc, "{%p for i in g.rows %}")
    para(doc, [("{{ i.code }}. {{ i.title }}: ", BOLD), ("đạt {{ i.final }}/{{ i.max }} điểm, có thể cải thiện "
                                                          "{{ i.lost }} điểm.", {})], **BODY)
    tag(doc, "{%p if i.scoring %}")
    para(doc, [("Cách chấm: ", {"italic": True}), ("{{ i.scoring }}", {})], **BODY)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if i.evidence %}")
    para(doc, [("Tài liệu kiểm chứng còn thiếu: ", {"italic": True}), ("{{ i.evidence }}.", {})], **BODY)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Đơn vị đạt điểm tối đa ở tất cả các tiêu chí; tiếp tục duy trì kết quả.", **BODY)
    tag(doc, "{%p endif %}")
    heading(doc, "IV. NHIỆM VỤ VÀ PHÂN CÔNG THỰC HIỆN")
    loop_table(doc, [
        ("STT", 12, "{{ t.stt }}", "center"),
        ("Nhiệm vụ", 88, "{{ t.task }}", "left"),
        ("Thời gian hoàn thành", 30, "{{ t.due }}", "center"),
        ("Bộ phận thực hiện", 35, "{{ t.who }}", "left"),
    ], "{%tr for t in tasks %}")
    heading(doc, "V. TỔ CHỨC THỰC HIỆN")
    para(doc, "Các bộ phận được phân công căn cứ Kế hoạch này triển khai thực hiện, báo cáo kết quả về "
              "{{ unit_issuer_text }} để theo dõi; {{ unit_issuer_text }} gửi Kế hoạch về {{ office }} để theo dõi, "
              "tổng hợp./.", indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


BUILDERS["ke-hoach-cai-thien.docx"] = build_improvement


# --- Tờ trình (for the council's meeting) ---------------------------------------

def build_council_brief(path: Path) -> None:
    doc = new_document("Tờ trình kết quả thẩm định Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "TỜ TRÌNH",
                "Về kết quả thẩm định Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }}")
    para(doc, "Kính gửi: Hội đồng thẩm định Chỉ số cải cách hành chính năm {{ year }}.", align="center", after=12)
    para(doc, "{{ issuer_name_text }} đã tổ chức thẩm định kết quả tự đánh giá của {{ unit_count }} đơn vị "
              "qua {{ rounds_text }}; {{ explained_count }} đơn vị đã giải trình kết quả thẩm định sơ bộ; "
              "{{ ranked_count }} đơn vị được xếp hạng. Kết quả như sau:", **BODY)
    brief_results(doc, "")
    para(doc, "Chi tiết từng tiêu chí tại bảng tổng hợp gửi kèm («{{ workbook_name }}»). {{ issuer_name_text }} "
              "kính trình Hội đồng thẩm định xem xét, thống nhất kết quả./.", indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


def brief_results(doc, prefix: str) -> None:
    """The Tờ trình's two parts (per unit, items still contested) over ``{prefix}units`` and
    ``{prefix}open_items``: ``""`` for the whole campaign, ``"b."`` for one block of a campaign with blocks."""
    heading(doc, "1. Kết quả theo từng đơn vị")
    loop_table(doc, [
        ("STT", 12, "{{ u.stt }}", "center"),
        ("Đơn vị", 43, "{{ u.name }}", "left"),
        ("Chỉ số tự đánh giá (%)", 22, "{{ u.self_index }}", "center"),
        ("Chỉ số thẩm định lần 1 (%)", 22, "{{ u.first_index }}", "center"),
        ("Chỉ số sau giải trình (%)", 22, "{{ u.final_index }}", "center"),
        ("Xếp hạng", 18, "{{ u.rank }}", "center"),
        ("Thay đổi hạng", 18, "{{ u.rank_change }}", "center"),
    ], f"{{%tr for u in {prefix}units %}}")
    heading(doc, "2. Các nội dung còn ý kiến khác nhau")
    tag(doc, f"{{%p if {prefix}open_items %}}")
    tag(doc, f"{{%p for o in {prefix}open_items %}}")
    para(doc, "- {{ o }}", **BODY)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p else %}")
    para(doc, "Không còn tiêu chí nào có điểm thẩm định khác điểm tự đánh giá hoặc điểm đơn vị đề nghị.", **BODY)
    tag(doc, "{%p endif %}")


def build_council_brief_blocks(path: Path) -> None:
    """The Tờ trình of a campaign with ``blocks:``: the opening over every block, then per block its
    heading and the single-block Tờ trình's two parts (each block ranked among its own units)."""
    doc = new_document("Tờ trình kết quả thẩm định Chỉ số cải cách hành chính")
    national_header(doc, *HEADER_COLS, "Số: {{ number }}")
    title_block(doc, "TỜ TRÌNH",
                "Về kết quả thẩm định Chỉ số cải cách hành chính năm {{ year }} của {{ units_phrase }}")
    para(doc, "Kính gửi: Hội đồng thẩm định Chỉ số cải cách hành chính năm {{ year }}.", align="center", after=12)
    para(doc, "{{ issuer_name_text }} đã tổ chức thẩm định kết quả tự đánh giá của {{ unit_count }} đơn vị "
              "thuộc {{ block_count }} khối qua {{ rounds_text }}; {{ explained_count }} đơn vị đã giải trình kết "
              "quả thẩm định sơ bộ; {{ ranked_count }} đơn vị được xếp hạng (mỗi khối xếp hạng riêng). Kết quả "
              "như sau:", **BODY)
    tag(doc, "{%p for line in not_appraised %}")  # blocks with no appraisal recorded: left out, said so
    para(doc, "{{ line }}", **BODY)
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for b in blocks %}")
    heading(doc, "{{ b.numeral }}. {{ b.title }}")
    para(doc, "{{ b.intro }}", **BODY)
    brief_results(doc, "b.")
    tag(doc, "{%p endfor %}")
    para(doc, "Chi tiết từng tiêu chí tại bảng tổng hợp gửi kèm («{{ workbook_name }}», mỗi khối một nhóm trang). "
              "{{ issuer_name_text }} kính trình Hội đồng thẩm định xem xét, thống nhất kết quả./.",
         indent=10, after=12)
    recipients_and_signature(doc, *SIGN_COLS)
    save(doc, path)


BUILDERS["thong-bao-ket-qua-so-bo.docx"] = build_preliminary
BUILDERS["to-trinh-hoi-dong.docx"] = build_council_brief
BUILDERS["to-trinh-hoi-dong-cac-khoi.docx"] = build_council_brief_blocks


def main(out_dir: Path = HERE) -> list[Path]:
    out_dir = Path(out_dir)
    paths = []
    for name, build in BUILDERS.items():
        build(out_dir / name)
        paths.append(out_dir / name)
    return paths


if __name__ == "__main__":
    main()
