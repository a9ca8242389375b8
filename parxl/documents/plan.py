"""The Kế hoạch triển khai xác định Chỉ số CCHC: the campaign's plan, drafted from campaign.yaml.

Its timetable is the schedule (``campaign.schedule.campaign_schedule``) row by row, in order; its
«Tổ chức thực hiện» gives, per office, the tasks it leads or takes part in (from the schedule) and the
fields it appraises (from the criteria set's ``appraiser``). No results are needed: the plan is the
first document of the year.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..campaign.folder import Campaign
from ..campaign.schedule import ScheduleTask, campaign_schedule, units_lead
from ..core.texts import fold
from .context import LOCAL_GOV_LAW_2015, LOCAL_GOV_LAW_2025, _LAW_2025_FROM, header_context, nfc, recipient_lines
from .render import campaign_template, render_bytes, slug, write_new

TEMPLATE = "ke-hoach-trien-khai.docx"
# The schedule's word for «every office that appraises a field» (parxl init writes it): in the plan's
# responsibilities its tasks go to each appraising office the criteria set names.
APPRAISERS = "Các cơ quan thẩm định"


def _same(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def plan_summary(campaign: Campaign) -> str:
    """The plan's summary line: campaign.yaml's ``plan.title`` without a leading «Kế hoạch», else
    «Triển khai xác định Chỉ số cải cách hành chính năm <year> của <units>»."""
    from .context import units_phrase

    cfg = campaign.config
    if cfg.plan is not None and cfg.plan.title:
        text = re.sub(r"^kế hoạch\s+", "", cfg.plan.title.strip(), flags=re.IGNORECASE)
        return text[:1].upper() + text[1:]
    return f"Triển khai xác định Chỉ số cải cách hành chính năm {campaign.year} của {units_phrase(campaign)}"


def field_appraisers(campaign: Campaign) -> dict[str, list[str]]:
    """Appraising office → «<code>. <title>» of each field it appraises (an office named on any item of the
    field counts), offices in the order the criteria set first names them."""
    out: dict[str, list[str]] = {}
    for f in campaign.framework.fields:
        names = [f.appraiser] if f.appraiser else []
        names += [i.appraiser for i in campaign.framework.items_of_field(f.code) if i.appraiser]
        for name in dict.fromkeys(names):
            out.setdefault(name, []).append(f"{f.code}. {f.title}")
    return out


def _task_text(t: ScheduleTask) -> str:
    return t.task.rstrip(" .;") + (f" (thời gian: {t.due_text})" if t.due_text else "")


def responsibilities(campaign: Campaign, tasks: list[ScheduleTask]) -> list[dict]:
    """«Tổ chức thực hiện», one entry per office: ``{"stt", "name", "duties": [text]}``.

    Offices in this order: the campaign's contact office, the other lead offices of the schedule, the
    appraising offices of the criteria set, the offices named only as partners, then the units. Each office's
    duties: the tasks it leads («Chủ trì: …», for the units «Thực hiện: …»), the fields it appraises, the tasks it
    takes part in («Phối hợp: …»).
    The schedule's «Các cơ quan thẩm định» stands for every appraising office when the set names them.
    """
    office = campaign.config.contact.office
    units = units_lead(campaign.config.block)
    appraisers = field_appraisers(campaign)
    order: list[str] = [office]

    def add(name: str) -> None:
        if name and not any(_same(name, o) for o in order):
            order.append(name)

    leads = [t.lead for t in tasks if t.lead]
    partners = [p for t in tasks for p in t.partners]
    for name in [*leads, *appraisers, *partners]:
        if appraisers and _same(name, APPRAISERS):
            continue
        if not _same(name, units):
            add(name)
    add(units)

    def names_of(t_names: list[str], name: str) -> bool:
        return any(_same(n, name) or (name in appraisers and _same(n, APPRAISERS)) for n in t_names)

    out = []
    for n, name in enumerate(order, start=1):
        duties: list[str] = []
        if _same(name, office):
            duties.append("Chủ trì, theo dõi, đôn đốc, hướng dẫn các cơ quan, đơn vị triển khai Kế hoạch này bảo đảm "
                          "chất lượng và tiến độ; tổng hợp kết quả, báo cáo theo quy định.")
        lead_word = "Thực hiện" if _same(name, units) else "Chủ trì"
        duties += [f"{lead_word}: {_task_text(t)}." for t in tasks if t.lead and names_of([t.lead], name)]
        fields = next((v for k, v in appraisers.items() if _same(k, name)), [])
        if fields:
            duties.append("Thẩm định kết quả tự đánh giá, chấm điểm " + ("lĩnh vực " if len(fields) == 1 else
                          "các lĩnh vực: ") + "; ".join(fields) + "; giải trình kết quả thẩm định khi được yêu cầu.")
        duties += [f"Phối hợp: {_task_text(t)}." for t in tasks if names_of(t.partners, name)]
        if _same(name, units):
            duties.append("Tự đánh giá, chấm điểm trung thực, khách quan, có đầy đủ tài liệu kiểm chứng; giải trình, "
                          "bổ sung tài liệu theo yêu cầu của cơ quan thẩm định.")
        out.append({"stt": str(n), "name": name, "duties": duties})
    return out


def task_rows(tasks: list[ScheduleTask]) -> list[dict]:
    """The timetable rows, in the schedule's order: ``{"no", "task", "due", "lead", "partners"}`` as printed
    (partners joined by «; », "" where a heading row has none)."""
    return [{"no": t.no, "task": t.task, "due": t.due_text, "lead": t.lead or "", "partners": "; ".join(t.partners)}
            for t in tasks]


def plan_context(campaign: Campaign) -> dict:
    """The template variables of the plan: the Nghị định 30/2020 header and signature (``header_context``, number
    and date from campaign.yaml's ``plan``), the summary line, the «Căn cứ» lines, the criteria set, the schedule's
    rows (``tasks``) and the responsibilities per office (``offices``); every text NFC."""
    cfg = campaign.config
    plan = cfg.plan
    number = plan.number if plan is not None else f"…/KH-{cfg.issuer.short}"
    ctx = header_context(campaign, number, plan.date if plan is not None else None)
    ctx["draft"] = False  # the plan opens the year: «DỰ THẢO» marks results not yet finalised, not the plan
    day = plan.date if plan is not None else None
    law = LOCAL_GOV_LAW_2015 if day is not None and day < _LAW_2025_FROM else LOCAL_GOV_LAW_2025
    summary = plan_summary(campaign)
    tasks = campaign_schedule(cfg)
    contact = cfg.contact
    ctx.update({
        "summary": summary,
        "summary_text": summary[:1].lower() + summary[1:] if summary[1:2].islower() else summary,
        "bases": [f"Căn cứ {law};", f"Căn cứ {campaign.framework.model.legal_basis};"],
        "criteria_title": campaign.framework.title,
        "criteria_basis": campaign.framework.model.legal_basis,
        "tasks": task_rows(tasks),
        "offices": responsibilities(campaign, tasks),
        "contact": ", ".join(x for x in (contact.person, contact.phone, contact.email) if x),
        "recipients": recipient_lines(cfg.recipients or ["Lưu: VT, NV"]),
    })
    return nfc(ctx)


def render_plan(campaign: Campaign, template: Path | None = None, out_dir: Path | None = None) -> Path:
    """Draft the plan into ``out_dir`` (default CAMPAIGN/output) as «ke-hoach-trien-khai-<year>.docx» (never
    overwriting: «…-2.docx» next). Raises UnknownVariablesError / DocumentError for a bad template (nothing
    written), OSError when the folder cannot be written."""
    template = Path(template) if template else campaign_template(campaign.root, TEMPLATE)
    data = render_bytes(template, plan_context(campaign))
    return write_new(data, Path(out_dir) if out_dir else campaign.output_dir,
                     f"ke-hoach-trien-khai-{slug(str(campaign.year))}")
