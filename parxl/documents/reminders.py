"""The Danh sách đôn đốc: the units and offices behind the schedule, what each owes and by when, as a DOCX the
clerk signs and sends (from ``tracking.status.CampaignStatus``)."""
from __future__ import annotations

from pathlib import Path

from ..campaign.folder import Campaign
from ..campaign.schedule import campaign_schedule, date_text, stage_task
from ..core.numbers import vi_number
from ..tracking.status import CampaignStatus
from .context import header_context, nfc, recipient_lines, short_date
from .render import campaign_template, render_bytes, write_new

TEMPLATE = "danh-sach-don-doc.docx"
OWES = {"not-sent": "Gửi kết quả tự đánh giá, chấm điểm và tài liệu kiểm chứng",
        "unreadable": "Gửi lại tệp tự đánh giá (tệp đã gửi không đọc được)",
        "must-fix": "Sửa các lỗi trong tệp tự đánh giá theo phản hồi, gửi lại"}
OWES_EXPLANATION = "Gửi phiếu giải trình kết quả thẩm định sơ bộ (giải trình, tài liệu kiểm chứng bổ sung)"
OWES_EXPLANATION_FIX = "Sửa các lỗi trong phiếu giải trình theo phản hồi, gửi lại"


def reminder_units(status: CampaignStatus) -> list[dict]:
    """The units that owe their self-assessment (``CampaignStatus.overdue_units``), then those that owe their
    giải trình workbook: not sent once ``explanation_deadline`` is past, or sent and checked with errors
    (``must-fix``: to correct and send again, whatever the deadline, as a self-assessment to fix), in units-list
    order: ``{stt, code, name, owes, due, late}`` as printed; ``late`` counts the days from the deadline to
    the day judged on (what is owed is still owed, whenever a first file came), «—» when the deadline is not
    past (or not set; ``due`` is then «…»)."""
    deadline = status.deadline
    due = date_text(deadline) if deadline else "…"
    late = vi_number((status.today - deadline).days) if deadline and status.today > deadline else "—"
    rows = [{"code": u.code, "name": u.name, "owes": OWES[u.state], "due": due, "late": late}
            for u in status.overdue_units]
    explain_by = status.explanation_deadline  # the giải trình workbooks asked for after the preliminary results
    late_x = vi_number((status.today - explain_by).days) if explain_by and status.today > explain_by else "—"
    due_x = date_text(explain_by) if explain_by else "…"
    for u in status.units:
        owes = (OWES_EXPLANATION if u.explanation_overdue(explain_by, status.today)
                else OWES_EXPLANATION_FIX if u.explanation == "must-fix" else None)
        if owes is not None:
            rows.append({"code": u.code, "name": u.name, "owes": owes, "due": due_x, "late": late_x})
    return [{"stt": str(n), **row} for n, row in enumerate(rows, start=1)]


def reminder_offices(campaign: Campaign, status: CampaignStatus) -> list[dict]:
    """The appraising offices whose workbooks of a round are not back once that round's task is overdue (or the
    schedule gives the round no deadline): one row per office and round, ``{stt, name, owes, due, late}``."""
    tasks = campaign_schedule(campaign.config)
    rows: dict[tuple[str, str], list[str]] = {}
    for a in status.missing_appraisals():
        task = stage_task(tasks, a.round)
        if task is not None and task.due_date is not None and status.today <= task.due_date:
            continue
        what = a.title if not a.group[:1].isdigit() else f"lĩnh vực {a.group}. {a.title}"
        rows.setdefault((a.office, a.round), []).append(what + (f" ({a.block})" if a.block else ""))
    out = []
    for n, ((office, round), groups) in enumerate(rows.items(), start=1):
        task = stage_task(tasks, round)
        due = task.due_date if task is not None else None
        number = round.rsplit("-", 1)[-1]
        out.append({"stt": str(n), "name": office,
                    "owes": f"Gửi kết quả thẩm định lần {number}: " + "; ".join(groups),
                    "due": task.due_text if task is not None and task.due_text else "…",
                    "late": vi_number((status.today - due).days) if due and status.today > due else "—"})
    return out


def reminders_context(campaign: Campaign, status: CampaignStatus) -> dict:
    """The template variables of the reminder list: the Nghị định 30/2020 header and signature, the day it was
    judged on (``today``), the plan it follows, ``units`` and ``offices`` (see above), the contact; NFC."""
    cfg = campaign.config
    ctx = header_context(campaign, f"…/DS-{cfg.issuer.short}", None)
    ctx["draft"] = False  # sent while the year runs: «DỰ THẢO» marks results not yet finalised
    plan = cfg.plan
    plan_ref = (f"Kế hoạch số {plan.number} ngày {short_date(plan.date)} của {ctx['issuer_name_text']}"
                if plan is not None and plan.number and "…" not in plan.number
                else f"kế hoạch xác định Chỉ số cải cách hành chính năm {campaign.year}")
    contact = cfg.contact
    ctx.update({
        "today": date_text(status.today),
        "plan_ref": plan_ref,
        "units": reminder_units(status),
        "offices": reminder_offices(campaign, status),
        "submit_to": cfg.submit_to or "",
        "contact": ", ".join(x for x in (contact.person, contact.phone, contact.email) if x),
        "recipients": recipient_lines(["Các đơn vị, cơ quan có tên trên", "Lưu: VT, NV"]),
    })
    return nfc(ctx)


WRITTEN = "reminders-written.json"  # in the campaign's state folder: file name → sha256 of what parxl wrote


def render_reminders(campaign: Campaign, status: CampaignStatus, template: Path | None = None,
                     out_dir: Path | None = None) -> Path:
    """Draft the reminder list into ``out_dir`` (default CAMPAIGN/output) as «danh-sach-don-doc-<yyyymmdd>.docx».

    The day's list parxl wrote earlier and nobody changed since is replaced (atomically); a list the clerk
    edited is never touched: the new one goes beside it («…-2.docx», …). What parxl wrote is remembered by
    sha256 in the state folder. Raises UnknownVariablesError / DocumentError for a bad template (nothing
    written), ``OSError`` when the folder cannot be written."""
    import hashlib
    import json

    from ..core.files import numbered_names, write_text_atomic
    from ..core.files import write_atomic as replace_atomic

    template = Path(template) if template else campaign_template(campaign.root, TEMPLATE)
    data = render_bytes(template, reminders_context(campaign, status))
    folder = Path(out_dir) if out_dir else campaign.output_dir
    stem = f"danh-sach-don-doc-{status.today:%Y%m%d}"
    record = campaign.state_dir / WRITTEN
    try:
        written = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        written = {}
    if not isinstance(written, dict):
        written = {}

    def sha(path: Path) -> str | None:
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None

    ours = None
    for candidate in numbered_names(folder / f"{stem}.docx"):
        if not candidate.exists():
            break
        key = str(candidate.resolve())
        if written.get(key) is not None and written.get(key) == sha(candidate):
            ours = candidate  # parxl's own, unchanged: the latest such is replaced
    path = replace_atomic(ours, data) if ours is not None else write_new(data, folder, stem)
    written[str(path.resolve())] = hashlib.sha256(data).hexdigest()
    write_text_atomic(record, json.dumps(written, ensure_ascii=False, indent=1, sort_keys=True))
    return path
