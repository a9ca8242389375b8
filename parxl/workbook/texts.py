"""What the unit reads in its workbook: titles, notes, prompts and the instructions sheet.

Kept apart from the builder so the wording can be revised without touching
cell logic. Only wording that no reader matches lives here; what the reader
matches is in the layout contract (``parxl.workbook.layout``). Every text here is Vietnamese (NFC); numbers go through
``vi_number`` so they carry a decimal comma.
"""
from __future__ import annotations

import datetime as dt

from ..campaign.folder import Campaign
from ..campaign.schedule import self_assessment_deadline
from ..core.numbers import vi_number
from ..criteria.rules import InputSpec, guide_texts
from ..criteria.rules.checklist import line_key

TITLE = "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}"
CRITERIA = "{title}. Căn cứ: {legal_basis}."
LEGEND = ("Ô màu vàng: đơn vị điền. Ô màu xám: tính tự động, không sửa. "
          "Cột «Điểm thẩm định», «Ý kiến thẩm định» dành cho cơ quan thẩm định. "
          "Ô tô đỏ: số liệu không hợp lệ, hoặc có điểm mà chưa có tài liệu kiểm chứng/giải trình.")
ADJUST_TITLES = {"bonus": "ĐIỂM THƯỞNG", "penalty": "ĐIỂM TRỪ"}
# The wording the reader matches (the «Đơn vị: …» header, the total row's title, the
# penalty prefix, the survey note, the column titles) is not here: it is part of the
# layout contract (``layout.WORDING``, ``layout.COLUMN_TITLES``), whose changes change
# the layout version.

SUMMARY_TITLE = "TỔNG HỢP KẾT QUẢ TỰ CHẤM THEO LĨNH VỰC NĂM {year}"
SUMMARY_HEADINGS = ("Mã", "Lĩnh vực", "Điểm tối đa", "Điểm tự chấm", "Chỉ số thành phần (%)")
SUMMARY_BONUS = "Điểm thưởng"
SUMMARY_PENALTY = "Điểm trừ"
SUMMARY_TOTAL = "Tổng cộng"
SUMMARY_NOTE = ("Chỉ số thành phần = điểm tự chấm ÷ điểm tối đa × 100. Điểm điều tra xã hội học do "
                "cơ quan tổ chức đánh giá tổng hợp sau, nên tổng cộng ở đây chưa gồm phần điểm đó.")

# Data validation boxes: Excel caps titles at 32 and messages at 255 characters.
CHOICE_PROMPT_TITLE = "Chọn trong danh sách"
CHOICE_PROMPT = "Bấm mũi tên để chọn: {options}"
CHOICE_ERROR_TITLE = "Lựa chọn không hợp lệ"
CHOICE_ERROR = "Chỉ chọn một mục trong danh sách thả xuống."
WHOLE_PROMPT_TITLE = "Nhập số liệu"
WHOLE_PROMPT = "{label} (số nguyên, không âm)."
WHOLE_ERROR_TITLE = "Số liệu không hợp lệ"
WHOLE_ERROR = "Nhập một số nguyên lớn hơn hoặc bằng 0."
FIGURE_PROMPT = "{label} (số không âm, tối đa {decimals} chữ số thập phân, dấu thập phân theo máy)."
FIGURE_ERROR = "Nhập một số lớn hơn hoặc bằng 0, tối đa {decimals} chữ số thập phân."
SCORE_PROMPT_TITLE = "Nhập điểm tự chấm"
SCORE_PROMPT = "Điểm từ 0 đến {max}, theo bước {step} điểm."
SCORE_ERROR_TITLE = "Điểm không hợp lệ"
SCORE_ERROR = "Điểm tự chấm phải từ 0 đến {max}."
EVIDENCE_PROMPT_TITLE = "Tài liệu kiểm chứng"
EVIDENCE_PROMPT = ("Dán đường liên kết tới tài liệu; nhiều liên kết thì mỗi liên kết một dòng "
                   "(Alt+Enter để xuống dòng).")


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in «…» when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choice_prompt(spec: InputSpec) -> str:
    """The dropdown cell's input message listing its options, cut to 255 characters (Excel's limit for
    a data-validation prompt).
    """
    return clip(CHOICE_PROMPT.format(options="; ".join(spec.options)), 255)


def whole_prompt(spec: InputSpec) -> str:
    """The whole-number cell's input message naming the figure asked, cut to 255 characters (Excel's
    limit for a data-validation prompt).
    """
    return clip(WHOLE_PROMPT.format(label=spec.label), 255)


def figure_prompt(spec: InputSpec) -> str:
    """The decimal figure cell's input message naming the figure asked and its decimals, cut to 255
    characters (Excel's limit for a data-validation prompt)."""
    decimals = -spec.step.as_tuple().exponent if spec.step is not None else 2
    return clip(FIGURE_PROMPT.format(label=spec.label, decimals=decimals), 255)


SCORING_HEAD = "Cách chấm: "
BY_UNIT = "đơn vị tự chấm"
BY_APPRAISERS = "cơ quan thẩm định chấm"


def _scoring_text(item, decimals: int = 2) -> str:
    """How ``item`` is scored, as the unit reads it: its rule's ``scoring_text`` («Cách chấm: …»), saying who
    scores when the appraisers do (``scored_by: appraisers``: «đơn vị tự chấm» becomes «cơ quan thẩm định chấm»,
    or «Cách chấm (cơ quan thẩm định chấm): …»), and «trừ» before the points of a penalty counted per
    occurrence («trừ 1 điểm cho mỗi …»); "" when the rule says nothing."""
    text = item.rule.scoring_text(item.max, decimals)
    if not text:
        return text
    if item.kind == "penalty" and text.startswith(SCORING_HEAD) and not text[len(SCORING_HEAD):].startswith("trừ"):
        if getattr(item.rule, "type", "") == "count" and getattr(item.rule, "per", 0) > 0:
            text = f"{SCORING_HEAD}trừ {text[len(SCORING_HEAD):]}"
    if getattr(item, "scored_by", "unit") == "appraisers":
        if BY_UNIT in text:
            text = text.replace(BY_UNIT, BY_APPRAISERS)
        elif text.startswith(SCORING_HEAD):
            text = f"Cách chấm ({BY_APPRAISERS}): {text[len(SCORING_HEAD):]}"
    return text


def scoring_lines(item, decimals: int = 2, rule_text: bool = False) -> list[str]:
    """What the unit reads under an item's title: how it is scored (``_scoring_text``; with ``rule_text`` the
    rule's own ``scoring_text``, as workbooks made before issue 12's fixes say it), whether it may be marked
    not applicable (an item's ``not_applicable``, when the set has it), its checklist lines and the set's
    ``guidance`` (evidence). Each a line of Vietnamese."""
    out = []
    text = item.rule.scoring_text(item.max, decimals) if rule_text else _scoring_text(item, decimals)
    if text:
        out.append(text)
    not_applicable = getattr(item, "not_applicable", None)
    if not_applicable:
        out.append(f"Nếu trong năm không phát sinh, chọn «{not_applicable}» và ghi giải trình; tiêu chí khi đó "
                   "không tính vào điểm tối đa.")
    if item.guidance:
        out.append(f"Hướng dẫn, tài liệu kiểm chứng: {item.guidance}")
    return out


def item_text(item, decimals: int = 2, lines: bool = False) -> str:
    """An item's title cell: its title, then its ``scoring_lines`` one per line; with ``lines`` (the
    appraisal workbooks, which have no line rows) a checklist's lines too."""
    parts = [item.title, *scoring_lines(item, decimals)]
    if lines:
        parts += [line_text(item, spec.key) for spec in item.rule.inputs(item.max) if spec.row > 0]
    return "\n".join(parts)


def line_text(item, key: str) -> str:
    """The title cell of a checklist line row: «a) <official text> (+0,25 điểm)» (a deduction «−0,25 điểm»)."""
    for i, line in enumerate(getattr(item.rule, "lines", ())):
        if line_key(i) == key:
            sign = "+" if line.points > 0 else "−"
            return f"{_letter(i)}) {line.label} ({sign}{vi_number(line.points.copy_abs())} điểm)"
    return ""


def _letter(i: int) -> str:
    """a, b, …, z, then aa, ab… for the i-th line (0-based)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def _date(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def guide_lines(campaign: Campaign, unit_name: str) -> list[tuple[str, str]]:
    """The instructions sheet, as (style, text) lines; style is title, heading, text or blank."""
    cfg, fw = campaign.config, campaign.framework
    issuer = cfg.issuer.name
    due = self_assessment_deadline(cfg)  # ``deadline``, else the schedule's self-assessment task
    if due:
        deadline = f"Hạn gửi: trước hết ngày {_date(due)}."
    elif cfg.plan and cfg.plan.number and "…" not in cfg.plan.number:
        deadline = f"Hạn gửi: theo Kế hoạch số {cfg.plan.number}."
    else:
        deadline = "Hạn gửi: theo kế hoạch của cơ quan tổ chức đánh giá."
    submit = (f"Nơi gửi: {cfg.submit_to}." if cfg.submit_to
              else f"Nơi gửi: {cfg.contact.office} ({issuer}).")
    contact = [f"Đầu mối: {cfg.contact.office}"]
    if cfg.contact.person:
        contact.append(f"người phụ trách: {cfg.contact.person}")
    if cfg.contact.phone:
        contact.append(f"điện thoại: {cfg.contact.phone}")
    if cfg.contact.email:
        contact.append(f"thư điện tử: {cfg.contact.email}")
    return [
        ("title", f"HƯỚNG DẪN TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {cfg.year}"),
        ("text", f"Đơn vị: {unit_name}"),
        ("text", f"{campaign.title} — khối {campaign.framework.block_title}; cơ quan tổ chức: {issuer}."),
        ("text", f"Bộ chỉ số: {fw.title}. Căn cứ: {fw.model.legal_basis}."),
        ("text", f"Tổng điểm tối đa: {vi_number(fw.total)} điểm, gồm "
                 + ", ".join(f"{fw.part_title(p).lower()} {vi_number(fw.part_max(p))} điểm" for p in fw.model.parts)
                 + "."),
        ("blank", ""),
        ("heading", "1. Cách điền trang «Tự đánh giá»"),
        ("text", "• Chỉ điền vào các ô màu vàng; các ô khác đã được khóa để tránh sửa nhầm công thức."),
        ("text", "• Dưới tên mỗi tiêu chí có ghi cách chấm điểm theo Bộ chỉ số (các mức, các khoảng tỷ lệ và "
                 "số điểm, điểm trừ) và tài liệu kiểm chứng cần có."),
        *(("text", f"• {line}") for line in guide_texts({i.rule.type for i in fw.items})),
        ("text", "• Cột «Điểm tự chấm», điểm của từng tiêu chí, lĩnh vực và tổng điểm được tính tự động "
                 "theo Bộ chỉ số."),
        *extra_guide_lines(fw),
        ("text", "• Không thêm, xóa hoặc đổi tên trang tính; không chèn, xóa dòng hoặc cột; không sao chép "
                 "dữ liệu từ biểu mẫu của đơn vị khác."),
        ("blank", ""),
        ("heading", "2. Tài liệu kiểm chứng và giải trình"),
        ("text", "• Mỗi tiêu chí có điểm phải có tài liệu kiểm chứng (TLKC). Ở cột «Tài liệu kiểm chứng», "
                 "dán đường liên kết tới văn bản (trên hệ thống quản lý văn bản, cổng thông tin điện tử "
                 "hoặc thư mục dùng chung); nhiều liên kết thì mỗi liên kết một dòng (Alt+Enter)."),
        ("text", "• Tài liệu không có đường liên kết: ghi số, ký hiệu, ngày ban hành và gửi kèm bản scan."),
        ("text", "• Cột «Giải trình»: nêu lý do khi tài liệu chưa đầy đủ hoặc điểm tự chấm cần làm rõ."),
        ("text", "• Ô tô đỏ ở cột «Giải trình» và «Tài liệu kiểm chứng»: tiêu chí có điểm nhưng chưa có "
                 "tài liệu kiểm chứng hoặc giải trình; điểm không có tài liệu kiểm chứng sẽ không được công nhận."),
        ("blank", ""),
        ("heading", "3. Gửi kết quả"),
        ("text", deadline),
        ("text", submit),
        ("text", "• Gửi đúng tệp này (định dạng .xlsx), không chuyển sang định dạng khác, không đặt mật khẩu."),
        ("text", "• Cột «Điểm thẩm định», «Ý kiến thẩm định» dành cho cơ quan thẩm định; sau thẩm định, "
                 "đơn vị sẽ nhận lại kết quả để giải trình, bổ sung."),
        ("blank", ""),
        ("heading", "4. Liên hệ"),
        ("text", ", ".join(contact) + "."),
    ]


def extra_guide_lines(fw) -> list[tuple[str, str]]:
    """Instruction lines for what only some sets have: items that may be marked not applicable, items the
    appraisers score."""
    lines = []
    if fw.has_not_applicable:
        lines.append(("text", "• Cột «Không phát sinh»: chỉ chọn khi nhiệm vụ của tiêu chí không phát sinh trong "
                              "năm, và ghi lý do ở cột «Giải trình». Tiêu chí không phát sinh không tính vào điểm "
                              "tối đa của đơn vị (cột «Điểm tối đa tính chỉ số»); cơ quan thẩm định có thể không "
                              "chấp nhận."))
    if any(i.scored_by == "appraisers" for i in fw.items):
        lines.append(("text", "• Tiêu chí ghi «Điểm do cơ quan thẩm định chấm»: đơn vị không tự chấm, chỉ cung cấp "
                              "tài liệu kiểm chứng và giải trình."))
    return lines


def unknown_kind_warning(campaign: Campaign) -> str | None:
    """Said before workbooks go out when the set scores some items only for some unit types (``applies_to``) and
    a unit's «Loại» is blank or none of those types: its workbook then has none of those items. None otherwise."""
    from ..criteria.model import kind_key

    fw = campaign.framework
    if not fw.has_applies_to:
        return None
    known = {kind_key(k) for k in fw.kinds}
    odd = [u for u in campaign.units if kind_key(u.kind or "") not in known]
    if not odd:
        return None
    listed = ", ".join(f"{u.code} ({u.kind or 'trống'})" for u in odd[:10]) + (" …" if len(odd) > 10 else "")
    return (f"{vi_number(len(odd))} đơn vị có cột «Loại» trống hoặc không phải loại nào bộ chỉ số nêu "
            f"({', '.join(fw.kinds)}): {listed}; biểu mẫu của các đơn vị này không có các tiêu chí chỉ áp dụng cho "
            "một số loại. Nếu không đúng, sửa cột «Loại» trong danh sách đơn vị rồi tạo lại biểu mẫu.")


def sample_set_warning(campaign: Campaign, before: str = "gửi cho các đơn vị") -> str | None:
    """Said before workbooks (or, with ``before``, documents) built on a bundled SAMPLE criteria set go out."""
    if not campaign.framework.model.sample:
        return None
    return (f"bộ chỉ số «{campaign.framework.id}» là bộ MẪU; hãy thay bằng Bộ chỉ số chính thức của tỉnh "
            f"trước khi {before}.")
