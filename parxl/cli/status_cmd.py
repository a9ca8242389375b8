"""``parxl status``: where the campaign stands against its schedule; the status workbook and the reminder list."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import click

from .console import console
from .decision_cmd import campaign_argument, template_option, warn

_DAY = re.compile(r"^\s*(?:(\d{1,2})/(\d{1,2})/(\d{4})|(\d{4})-(\d{2})-(\d{2}))(?:\s+(\d{1,2}):(\d{2}))?\s*$")


def parse_day_time(text: str) -> dt.datetime:
    """«09/01/2026», «2026-01-09» or either with «15:30» → a local datetime (noon when no time is given).

    Raises ``ValueError`` (Vietnamese) for anything else or a day that does not exist."""
    m = _DAY.match(text or "")
    if not m:
        raise ValueError(f"«{text}» không phải ngày; viết dd/mm/yyyy (09/01/2026), có thể kèm giờ «15:30»")
    d, mo, y = (m[1], m[2], m[3]) if m[1] else (m[6], m[5], m[4])
    hour, minute = (int(m[7]), int(m[8])) if m[7] else (12, 0)
    try:
        return dt.datetime(int(y), int(mo), int(d), hour, minute)
    except ValueError as exc:
        raise ValueError(f"ngày «{text}» không có thật (hãy kiểm tra ngày, tháng, giờ)") from exc


def _received(ctx, param, values) -> dict[str, dt.datetime]:
    out = {}
    for value in values:
        code, sep, when = value.partition("=")
        if not sep or not code.strip():
            raise click.BadParameter(f"«{value}»: viết MÃ=NGÀY, ví dụ X01=09/01/2026")
        try:
            out[code.strip()] = parse_day_time(when)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
    return out


def _today(ctx, param, value) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_day_time(value).date()
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("status")
@campaign_argument
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
@click.option("--received", multiple=True, callback=_received, metavar="MÃ=NGÀY",
              help="Ghi thời gian nhận hồ sơ của một đơn vị (văn thư sửa), ví dụ X01=09/01/2026 hoặc "
                   "\"X01=09/01/2026 15:30\"; dùng nhiều lần cho nhiều đơn vị. Được lưu vào sổ theo dõi.")
@click.option("--note", default="", help="Lý do sửa thời gian nhận (đi kèm --received), ví dụ «nhận bản giấy».")
@click.option("--today", "today", callback=_today, default=None, metavar="NGÀY",
              help="Tính tiến độ đến ngày này thay cho hôm nay (dd/mm/yyyy).")
@template_option
def command(campaign_dir: Path, as_json: bool, received: dict, note: str, today: dt.date | None,
            template: Path | None) -> None:
    """Tiến độ đợt đánh giá theo kế hoạch: đơn vị gửi đúng hạn hay chậm, tình trạng hồ sơ,
    cơ quan chưa gửi kết quả thẩm định, nhiệm vụ đã xong hay quá hạn.

    Ghi bảng tiến độ output/tien-do.xlsx và danh sách đôn đốc (DOCX) để văn thư ký gửi.
    Thời gian nhận là thời gian tệp được chép vào inbox/ (hoặc ngày ghi trên tên thư mục,
    ví dụ inbox/2026-01-09/); sửa bằng --received.
    """
    from ..campaign.folder import load_campaign
    from ..core.errors import ParxlError
    from ..documents.reminders import render_reminders
    from ..ledger.unseen import untaken_inbox_files
    from ..tracking.status import (STATE_TITLES, bad_date_folders, campaign_status, check_received_times,
                                   record_received)
    from ..tracking.status_xlsx import write_status_workbook

    campaign = load_campaign(campaign_dir)
    if received:
        try:
            check_received_times(campaign, received, today)
        except ValueError as exc:
            raise ParxlError(f"Chưa ghi thời gian nhận nào: {exc}.") from exc
        try:
            record_received(campaign, received, note)
        except KeyError as exc:
            raise ParxlError(f"Không có đơn vị mã «{exc.args[0]}» trong danh sách đơn vị; chưa ghi thời gian "
                             "nhận nào.") from exc
    status = campaign_status(campaign, today)
    workbook = write_status_workbook(campaign, status)
    reminders = render_reminders(campaign, status, template)
    from ..campaign.schedule import schedule_warnings
    notes = schedule_warnings(campaign.config)
    notes += [f"thư mục «{f}» có tên giống một ngày nhưng ngày đó không có thật: các tệp trong đó được tính theo "
              "thời gian sửa tệp; đổi tên thư mục thành ngày nhận đúng (ví dụ 2026-01-09)." for f in bad_date_folders(campaign)]
    if as_json:
        data = status.as_json()
        data["outputs"] = [str(workbook), str(reminders)]
        data["warnings"] = notes
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for line in notes:
        warn(line)
    untaken = untaken_inbox_files(campaign) if status.unseen else []
    for entry in untaken:  # skipped by check on purpose: running it again would not help
        warn(entry.message)
    if len(status.unseen) > len(untaken):
        warn(f"inbox/ có {len(status.unseen) - len(untaken)} tệp parxl chưa kiểm tra; chạy «parxl check "
             f"\"{campaign.root}\"» để tính cả các tệp này.")
    deadline = status.deadline.strftime("%d/%m/%Y") if status.deadline else "chưa có"
    console.print(f"[bold]Tiến độ tính đến ngày {status.today:%d/%m/%Y}[/] (hạn tự đánh giá: {deadline})")
    for u in status.units:
        when = f"nhận ngày {u.received_on:%d/%m/%Y}" if u.received_on else "chưa nhận"
        timing = ("" if u.on_time is None else ", đúng hạn" if u.on_time
                  else f", chậm {u.days_late} ngày" if u.received_on else f", quá hạn {u.days_late} ngày")
        fixed = (" (thời gian do văn thư ghi" + (f": {u.note}" if u.note else "") + ")") if u.corrected else ""
        explained = {"requested": "; giải trình: chưa nhận", "received": "; giải trình: đã nhận",
                     "must-fix": "; giải trình: đã nhận, còn lỗi — cần gửi lại"}.get(u.explanation, "")
        if len(status.appraisal_rounds) > 1 and u.explanations:  # every round that asked it, or it answered
            from ..appraisal.layout import round_number

            latest = status.appraisal_rounds[-1]
            explained = "; giải trình " + ", ".join(
                f"lần {round_number(e.round)}: "
                + ("đã nhận" if e.state == "received" else "đã nhận, còn lỗi — cần gửi lại" if e.state == "must-fix"
                   else "chưa nhận" if e.round == latest else "không gửi")
                for e in u.explanations)
        console.print(f"  {u.code} {u.name}: {when}{timing}{fixed} — {STATE_TITLES[u.state]}{explained}",
                      soft_wrap=True)
    missing = status.missing_appraisals()
    if missing:
        console.print("[bold]Chưa gửi kết quả thẩm định:[/]")
        for a in missing:
            console.print(f"  {a.round}: {a.office} — {a.title}" + (f" ({a.block})" if a.block else ""), soft_wrap=True)
    console.print("[bold]Nhiệm vụ theo kế hoạch:[/]")
    for t in status.tasks:
        state = "đã xong" if t.done else ("quá hạn" if t.overdue else ("" if t.due is None else "chưa xong"))
        console.print(f"  {t.no}. {t.task}" + (f" ({t.due_text})" if t.due_text else "") + (f": {state}" if state else ""),
                      soft_wrap=True)
    console.print(f"[green]Đã ghi[/] {workbook}", soft_wrap=True)
    console.print(f"[green]Đã soạn danh sách đôn đốc[/] {reminders}", soft_wrap=True)
