"""The «Chạy» button of the control workbook: a thin adapter over the functions the CLI calls.

Two layers:

- ``do_generate``, ``do_check``, ``do_appraise``, ``do_appraise_import``, ``do_consolidate``,
  ``do_documents`` take a campaign folder and return an ``Outcome`` (counts, paths written,
  Vietnamese summary lines). They call the same library functions as ``parxl generate``,
  ``check``, ``appraise``, ``appraise --import``, ``consolidate`` and
  ``decision``/``notices``/``report``, and are tested without Excel; ``do_preliminary``,
  ``do_council``, ``do_status``, ``do_plan``, ``do_improvement``, ``do_finalize`` and ``do_survey_import``
  likewise for ``parxl preliminary``, ``council``, ``status``, ``plan``, ``improvement``, ``finalize`` and
  ``survey THƯ_MỤC_ĐỢT BẢNG`` (each table in the campaign's «dieu-tra-xhh-gui-ve» folder).
- ``main()`` is what the button runs through xlwings: the workbook's macro ``SampleCall``
  (xlwings' own) runs ``import parxl_dieu_khien; parxl_dieu_khien.main()``, which calls
  ``parxl.xl.main()``. It finds the calling workbook, takes its folder as the campaign folder,
  runs the ``do_*`` of the task chosen in the dropdown (``tasks.TASKS``) and writes the summary
  into the status area (the defined name ``parxl_status``). A problem with the user's input is
  written there in Vietnamese instead of a traceback.

xlwings is an optional extra (``pip install "parxl[excel]"``): it is imported
only inside the entry points, so parxl imports fine without it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..appraisal import layout as L
from ..appraisal.build import write_appraisal_workbooks
from ..appraisal.record import default_import_round, import_appraisals
from ..campaign.folder import load_campaign
from ..core.errors import ParxlError
from ..core.numbers import vi_number
from ..criteria.framework import FrameworkError
from ..ledger.check_report import current_errors, stale_unreadable, unit_lines
from ..ledger.check_report_xlsx import write_outputs
from ..ledger.receive import IntakeResult, run_intake
from ..ledger.store import Ledger
from ..master import left_out, situation
from ..master.consolidation import run_consolidation
from ..master.view import survey_note
from ..survey.table import import_survey, missing_table_warning, units_without_survey_warning
from ..results.summary import ranking_summary
from ..workbook.stamping import generate as generate_workbooks
from ..workbook.texts import sample_set_warning
from .control import STATUS_NAME, STATUS_ROWS, TASK_NAME
from .tasks import APPRAISAL_RETURNS, SURVEY_RETURNS, survey_tables, task_named

SHOWN = 10  # units listed by name in the status area before "… và N đơn vị khác"


@dataclass(frozen=True)
class Outcome:
    """What one button did: counts, files written (the main one first) and lines for the clerk."""

    title: str
    lines: list[str]
    paths: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


# --- the functions behind the buttons (no Excel needed) -------------------------------------

def do_generate(campaign_dir: str | Path) -> Outcome:
    """One blank self-assessment workbook per unit into CAMPAIGN/workbooks/ (as ``parxl generate``)."""
    campaign = load_campaign(campaign_dir)
    lines = []
    warning = sample_set_warning(campaign)
    if warning:
        lines.append(f"Lưu ý: {warning}")
    paths = generate_workbooks(campaign)
    lines.insert(0, f"Đã tạo {vi_number(len(paths))} biểu mẫu tự đánh giá tại «{campaign.workbooks_dir}».")
    return Outcome("Tạo biểu mẫu", lines, paths, {"workbooks": len(paths)})


def do_check(campaign_dir: str | Path) -> Outcome:
    """Keep and check every file under CAMPAIGN/inbox/, write the findings and feedback (as ``parxl check``)."""
    from ..explanation.record import record_explanations

    campaign = load_campaign(campaign_dir)
    result = run_intake(campaign)
    lines_by_unit = unit_lines(campaign, result)
    explanations = record_explanations(campaign, result.others)  # giải trình workbooks in inbox/, as «parxl check»
    paths = write_outputs(campaign, result, lines_by_unit, explanations=explanations.plain(campaign))
    errors = current_errors(lines_by_unit, result)
    subs = [line.submission for line in lines_by_unit]
    stale = stale_unreadable(result)
    counts = {
        "files": len(result.files),
        "ok": sum(1 for s in subs if s.status == "ok"),
        "with_errors": sum(1 for s in subs if s.status == "errors"),
        "unreadable": sum(1 for s in subs if s.status == "unreadable") + len(stale),
        "missing": len(result.missing),
        "returned_unreadable": sum(1 for r in result.returned if r.state == "unreadable"),
        "parxl_errors": len(result.internal),
        "errors": errors,
    }
    names = {u.code: u.name for u in campaign.units}
    lines = [f"Đã kiểm tra {vi_number(counts['files'])} tệp nhận được: {vi_number(counts['ok'])} đơn vị đạt yêu cầu, "
             f"{vi_number(counts['with_errors'])} đơn vị có lỗi cần gửi lại, "
             f"{vi_number(counts['unreadable'])} tệp không đọc được."]
    to_fix = [s for s in subs if s.status != "ok"]
    for s in to_fix[:SHOWN]:
        what = "không đọc được" if s.status == "unreadable" else f"{vi_number(s.errors)} lỗi phải sửa"
        lines.append(f"• {s.unit_code} {s.unit_name}: {what}")
    if len(to_fix) > SHOWN:
        lines.append(f"• … và {vi_number(len(to_fix) - SHOWN)} đơn vị khác (xem tệp kết quả kiểm tra).")
    if result.missing:
        shown = ", ".join(f"{c} {names.get(c, '')}".strip() for c in result.missing[:SHOWN])
        more = f" và {vi_number(len(result.missing) - SHOWN)} đơn vị khác" if len(result.missing) > SHOWN else ""
        lines.append(f"Chưa gửi ({vi_number(len(result.missing))}): {shown}{more}.")
    for state, title in (("unreadable", "Bị trả lại / không đọc được"),
                         ("internal", "parxl lỗi khi đọc (không phải lỗi của đơn vị)")):
        group = [r for r in result.returned if r.state == state]
        if group:
            lines.append(f"{title} ({vi_number(len(group))}):")
        for r in group[:SHOWN]:
            how = f" ({r.how_matched})" if r.how_matched else ""
            lines.append(f"• {r.unit_code} {names.get(r.unit_code, '')}: «{_file_name(r.path)}»{how}: {r.reason}")
        if len(group) > SHOWN:
            lines.append(f"• … và {vi_number(len(group) - SHOWN)} đơn vị khác (xem tệp kết quả kiểm tra).")
    lines.append(f"Còn {vi_number(errors)} lỗi đơn vị phải sửa; xem chi tiết trong tệp kết quả kiểm tra."
                 if errors else "Không có lỗi phải sửa.")
    lines += internal_lines(result)
    lines += explanations.lines()
    lines.append(f"Kết quả kiểm tra: {paths[0]}")
    if len(paths) > 1:
        lines.append(f"{vi_number(len(paths) - 1)} tệp phản hồi cho các đơn vị trong «{paths[1].parent}».")
    return Outcome("Kiểm tra tệp gửi về", lines, paths, counts)


def _file_name(path: str) -> str:
    """The received file's own name: «X02.xlsx» of «inbox/a.zip!/X02.xlsx»."""
    return Path(path.split("!/")[-1] or path.split("!/")[0]).name


def internal_lines(result: IntakeResult) -> list[str]:
    """The files parxl itself failed on (``result.internal``), as parxl's error and not the units':
    a heading line, then one line per file (at most ``SHOWN``) with the unit it points at and the log."""
    if not result.internal:
        return []
    lines = [f"parxl gặp lỗi của chính chương trình với {vi_number(len(result.internal))} tệp (không phải lỗi của "
             "đơn vị; tệp đã được lưu, đơn vị không cần gửi lại; gửi tệp nhật ký lỗi cho nhóm phát triển):"]
    for rec in result.internal[:SHOWN]:
        report = rec.report
        code = (report.unit_code or report.named_unit) if report else None
        who = f" (đơn vị {code})" if code else ""
        log = getattr(report, "log", None)
        lines.append(f"• «{_file_name(rec.path)}»{who}" + (f": nhật ký lỗi «{log}»" if log else ""))
    if len(result.internal) > SHOWN:
        lines.append(f"• … và {vi_number(len(result.internal) - SHOWN)} tệp khác (xem tệp kết quả kiểm tra).")
    return lines


def do_consolidate(campaign_dir: str | Path) -> Outcome:
    """Check inbox/, then index, rank and band every unit into a new master workbook (as ``parxl consolidate``).

    Lines: the summary, the «no survey table» warning (``missing_table_warning``), the «units missing
    from the survey table» warning (``units_without_survey_warning``), or else the survey note, the
    units left out (sent nothing, file unreadable, parxl's error, file with errors), and the files
    parxl failed on. Raises what ``run_consolidation`` raises (``ParxlError`` subclasses).
    """
    from ..explanation.record import record_explanations

    campaign = load_campaign(campaign_dir)
    outcome = run_consolidation(campaign)
    results, intake = outcome.results, outcome.intake
    explanations = record_explanations(campaign, intake.others)  # giải trình workbooks in inbox/, as the CLI
    ranked = results.ranked
    out = left_out(results)
    counts = {"units": len(results.units), "ranked": len(ranked), "left_out": len(out),
              "files": sum(1 for f in intake.files if f.kind == "workbook")}
    parts = outcome.blocks or [results]  # a campaign with blocks: each block ranked on its own (as the CLI)
    lines = [(f"{part.campaign.blocks[0].title}: " if outcome.blocks else "") + ranking_summary(part) for part in parts]
    warnings: list[str] = []
    for view, part in zip(campaign.views(), parts):
        warnings += [w for w in [missing_table_warning(view)] if w and not part.has_survey and w not in warnings]
        warnings += [w for w in [units_without_survey_warning(view, [u.unit.code for u in part.ranked], SHOWN)] if w]
    lines += [f"Cảnh báo: {w}" for w in warnings]
    lines += explanations.lines()
    note = "" if warnings else survey_note(results)
    if note:
        lines.append(f"Lưu ý: {note}")
    for u in out[:SHOWN]:
        lines.append(f"• {u.unit.code} {u.unit.name}: {situation(u)[0].lower()} — {situation(u)[1].lower()}")
    if len(out) > SHOWN:
        lines.append(f"• … và {vi_number(len(out) - SHOWN)} đơn vị khác "
                     "(xem trang «Chưa nộp, bị trả lại» của bảng tổng hợp).")
    lines += internal_lines(intake)
    lines.append(f"Bảng tổng hợp: {outcome.master}")
    return Outcome("Tổng hợp xếp hạng", lines, [outcome.master], counts)


def do_appraise(campaign_dir: str | Path) -> Outcome:
    """The appraisal workbooks of the next round, one per field, into CAMPAIGN/output/tham-dinh/ROUND/
    (as ``parxl appraise``). Raises what ``write_appraisal_workbooks`` raises (``ParxlError``)."""
    campaign = load_campaign(campaign_dir)
    with Ledger.open(campaign) as ledger:
        round_name = L.next_round(ledger.rounds())
    paths: list[Path] = []
    for view in campaign.views():  # a campaign with blocks: per block and field, in the block's sub-folder (as the CLI)
        folder = L.round_dir(campaign.root, round_name) / view.block_id if view.block_id else None
        paths += write_appraisal_workbooks(view, L.check_round(round_name), folder)
    folder = (paths[0].parent.parent if campaign.has_blocks else paths[0].parent) if paths else campaign.output_dir
    lines = [f"Đã tạo {vi_number(len(paths))} biểu mẫu thẩm định ({L.round_title(round_name).lower()}) "
             f"trong «{folder}».", *(f"• {p.name}" for p in paths[:SHOWN])]
    if len(paths) > SHOWN:
        lines.append(f"• … và {vi_number(len(paths) - SHOWN)} tệp khác.")
    lines.append(f"Biểu mẫu đã điền gửi về: đặt vào thư mục «{campaign.root / APPRAISAL_RETURNS}» rồi chọn "
                 "«Thẩm định: nhập điểm thẩm định».")
    return Outcome("Tạo biểu mẫu thẩm định", lines, paths, {"workbooks": len(paths)})


def do_appraise_import(campaign_dir: str | Path) -> Outcome:
    """Import the filled appraisal workbooks put in CAMPAIGN/tham-dinh-gui-ve/ into the round whose
    workbooks were generated last (as ``parxl appraise --import``). Files with errors are not recorded.
    Raises ParxlError when no appraisal workbooks were generated yet or the folder is missing."""
    campaign = load_campaign(campaign_dir)
    source = campaign.root / APPRAISAL_RETURNS
    if not source.is_dir():
        raise ParxlError(f"Chưa có thư mục «{source}»: hãy tạo thư mục này, đặt các biểu mẫu thẩm định đã điền "
                         "vào đó rồi chạy lại.")
    round_name = default_import_round(campaign)
    result = import_appraisals(campaign, source, round_name)
    recorded = [f for f in result.files if f.name in result.recorded]
    lines = [f"Nhập điểm {L.round_title(round_name).lower()}: {vi_number(len(result.files))} tệp, "
             f"ghi được {vi_number(len(recorded))} tệp."]
    for f in result.files:
        name = Path(f.name).name
        if f.internal:
            lines.append(f"• «{name}»: không ghi — {f.internal_message}")
        elif f.name in result.recorded:
            lines.append(f"• «{name}»: đã ghi {vi_number(f.score_count)} điểm thẩm định của "
                         f"{vi_number(len(f.scores))} đơn vị.")
        else:
            lines.append(f"• «{name}»: không ghi, còn {vi_number(f.errors)} lỗi; hãy sửa rồi nhập lại.")
    if not result.files:
        lines.append(f"Không có tệp nào trong «{source}».")
    return Outcome("Nhập điểm thẩm định", lines, [], {"files": len(result.files), "recorded": len(recorded)})


def do_documents(campaign_dir: str | Path) -> Outcome:
    """The decision, the notices and the report, drafted from the results saved with the latest master
    (as ``parxl decision``, ``parxl notices`` and ``parxl report``), so they say what that master says.

    Raises, with nothing written: ``MasterNeededError`` when there is no master yet or the data changed
    since it was made, ``NothingRankedError`` when it ranks no unit (both ``ParxlError``: the button
    writes their Vietnamese message into the status area), ``SnapshotError`` for a damaged snapshot.
    Placeholders left in campaign.yaml, a sample criteria set and a hand-edited master give «Lưu ý» lines.
    """
    from ..documents import render_decision, render_notices, render_report
    from ..documents.blocks import template_used
    from ..documents.decision import TEMPLATE as DECISION_TEMPLATE
    from ..documents.notices import TEMPLATE as NOTICE_TEMPLATE
    from ..documents.placeholders import draft_warnings
    from ..documents.render import campaign_template, template_origin, template_variables
    from ..documents.report import TEMPLATE as REPORT_TEMPLATE
    from ..documents.source import followed_master, master_edited, master_label, require_ranked

    snapshot = followed_master(load_campaign(campaign_dir))
    require_ranked(snapshot, "decision")
    results, master = snapshot.results, snapshot.master
    warnings: list[str] = []
    origins: list[str] = []
    for document, template in (("decision", DECISION_TEMPLATE), ("notices", NOTICE_TEMPLATE),
                               ("report", REPORT_TEMPLATE)):
        chosen = campaign_template(results.campaign.root, template_used(results.campaign, template))
        origins.append(template_origin(chosen))
        used = template_variables(chosen)
        warnings += [w for w in draft_warnings(results.campaign, document, used) if w not in warnings]
    edited = master_edited(snapshot)
    if edited:
        warnings.append(edited)
    decision = render_decision(results, master=master)
    notices = render_notices(results, master=master)
    report = render_report(results, master=master)
    lines = [f"Quyết định công bố: {decision}"]
    if notices:
        lines.append(f"{vi_number(len(notices))} thông báo kết quả cho từng đơn vị trong «{notices[0].parent}».")
    lines.append(f"Báo cáo kết quả: {report}")
    lines.append(f"Theo bảng tổng hợp {master_label(master, snapshot.made_at)}.")
    lines += origins
    lines += [f"Lưu ý: {w}" for w in warnings]
    return Outcome("Soạn quyết định", lines, [decision, *notices, report],
                   {"ranked": len(results.ranked), "notices": len(notices)})


def do_preliminary(campaign_dir: str | Path) -> Outcome:
    """The preliminary notices and giải trình workbooks of the latest round recorded, into CAMPAIGN/output/so-bo/
    (as ``parxl preliminary``: ``documents.preliminary.draft_preliminary``). Raises ``ParxlError`` when no
    round is recorded or nobody was appraised in it."""
    from ..documents import preliminary

    campaign = load_campaign(campaign_dir)
    round_name, units, notices, workbooks = preliminary.draft_preliminary(campaign)
    lines = [f"Đã soạn kết quả sơ bộ ({L.round_title(round_name).lower()}) cho {vi_number(len(units))} đơn vị, "
             f"{vi_number(sum(len(u.items) for u in units))} tiêu chí cần giải trình, trong «{notices[0].parent}»."]
    for u, w in list(zip(units, workbooks))[:SHOWN]:
        lines.append(f"• {u.code} {u.name}: {vi_number(len(u.items))} tiêu chí"
                     + ("" if w else " (không cần phiếu giải trình)"))
    if len(units) > SHOWN:
        lines.append(f"• … và {vi_number(len(units) - SHOWN)} đơn vị khác.")
    if campaign.config.explanation_deadline is None:
        lines.append("Lưu ý: campaign.yaml chưa có «explanation_deadline» (hạn gửi giải trình): văn bản để «…».")
    paths = [*notices, *(w for w in workbooks if w)]
    return Outcome("Kết quả sơ bộ", lines, paths, {"units": len(units), "workbooks": sum(1 for w in workbooks if w)})


def do_council(campaign_dir: str | Path) -> Outcome:
    """The council's workbook and Tờ trình into CAMPAIGN/output/hoi-dong/ (as ``parxl council``:
    ``draft_council``, per block for a campaign with blocks). Raises what it raises (``ParxlError`` subclasses)."""
    from ..documents.council_brief import draft_council

    campaign = load_campaign(campaign_dir)
    made = draft_council(campaign)
    book, brief = made.workbook, made.brief
    lines = [f"Đã lập bảng tổng hợp «{book.name}» và tờ trình «{brief.name}» trong «{book.parent}»."]
    from ..council.view import not_appraised_line

    lines += [not_appraised_line(b) for b in made.not_appraised]
    moved_all = 0
    for view in made.views:
        moved = [u for u in view.units if u.rank_change]
        moved_all += len(moved)
        title = f"{view.campaign.blocks[0].title}: " if campaign.has_blocks else ""
        lines.append(f"{title}{vi_number(view.explained_units)} đơn vị đã giải trình; {vi_number(len(moved))} đơn vị "
                     f"thay đổi xếp hạng; {vi_number(sum(len(u.open_items) for u in view.units))} tiêu chí còn ý kiến "
                     "khác nhau.")
    return Outcome("Tài liệu cho Hội đồng thẩm định", lines, [book, brief], {"moved": moved_all})


def do_status(campaign_dir: str | Path) -> Outcome:
    """The status workbook CAMPAIGN/output/tien-do.xlsx and the day's reminder list (as ``parxl status``:
    ``campaign_status``, ``write_status_workbook``, ``render_reminders``), counted to today."""
    from ..campaign.schedule import schedule_warnings
    from ..documents.reminders import render_reminders
    from ..tracking import status as tracking
    from ..tracking.status_xlsx import write_status_workbook

    campaign = load_campaign(campaign_dir)
    status = tracking.campaign_status(campaign)
    workbook = write_status_workbook(campaign, status)
    reminders = render_reminders(campaign, status)
    late = [u for u in status.units if u.on_time is False]
    lines = [f"Tiến độ tính đến ngày {status.today:%d/%m/%Y}: {vi_number(sum(1 for u in status.units if u.received_on))}"
             f"/{vi_number(len(status.units))} đơn vị đã gửi, {vi_number(len(late))} đơn vị chậm hoặc quá hạn; "
             f"{vi_number(len(status.missing_appraisals()))} kết quả thẩm định chưa gửi.",
             *(f"Lưu ý: {w}" for w in schedule_warnings(campaign.config)),
             *([f"Lưu ý: inbox/ có {vi_number(len(status.unseen))} tệp chưa kiểm tra; chọn «Kiểm tra tệp gửi về» để "
                "tính cả các tệp này."] if status.unseen else []),
             f"Bảng tiến độ: {workbook}", f"Danh sách đôn đốc: {reminders}"]
    return Outcome("Theo dõi tiến độ", lines, [workbook, reminders], {"late": len(late)})


def do_plan(campaign_dir: str | Path) -> Outcome:
    """The Kế hoạch triển khai into CAMPAIGN/output (as ``parxl plan``: ``documents.plan.render_plan``), with the
    warnings the CLI prints as «Lưu ý» lines. Raises ``DocumentError`` (a ``ParxlError``) for a bad template."""
    from ..campaign.schedule import schedule_warnings
    from ..documents import plan
    from ..documents.placeholders import draft_warnings
    from ..documents.render import DocumentError, campaign_template, template_origin, template_variables

    campaign = load_campaign(campaign_dir)
    chosen = campaign_template(campaign.root, plan.TEMPLATE)
    try:
        used = template_variables(chosen)
    except DocumentError:
        used = set()  # the render says what is wrong with the template
    warnings = [*draft_warnings(campaign, "plan", used), *schedule_warnings(campaign.config)]
    if campaign.config.schedule is None:
        warnings.append("campaign.yaml chưa có mục «schedule»: kế hoạch dùng tiến độ mặc định theo năm.")
    path = plan.render_plan(campaign)
    return Outcome("Kế hoạch triển khai", [f"Đã soạn kế hoạch triển khai: {path}", template_origin(chosen),
                                            *(f"Lưu ý: {w}" for w in warnings)], [path])


def do_improvement(campaign_dir: str | Path) -> Outcome:
    """One improvement plan per ranked unit into CAMPAIGN/output/ke-hoach-cai-thien, from the results saved with
    the latest master (as ``parxl improvement`` without «--previous»: ``render_improvement_plans``).
    Raises ``MasterNeededError`` / ``NothingRankedError`` (``ParxlError``) as ``do_documents``."""
    from ..documents import improvement
    from ..documents.blocks import template_used
    from ..documents.placeholders import draft_warnings
    from ..documents.render import DocumentError, campaign_template, template_variables
    from ..documents.source import followed_master, master_edited, master_label, require_ranked

    snapshot = followed_master(load_campaign(campaign_dir))
    require_ranked(snapshot, "improvement")
    campaign = snapshot.results.campaign
    try:
        used = template_variables(campaign_template(campaign.root, template_used(campaign, improvement.TEMPLATE)))
    except DocumentError:
        used = set()  # the render says what is wrong with the template
    warnings = [*draft_warnings(campaign, "improvement", used), *filter(None, [master_edited(snapshot)])]
    paths = improvement.render_improvement_plans(snapshot.results, master=snapshot.master)
    lines = [f"Đã soạn {vi_number(len(paths))} kế hoạch cải thiện trong «{paths[0].parent}».",
             f"Theo bảng tổng hợp {master_label(snapshot.master, snapshot.made_at)}.",
             *(f"Lưu ý: {w}" for w in warnings)]
    return Outcome("Kế hoạch cải thiện", lines, paths, {"plans": len(paths)})


def do_finalize(campaign_dir: str | Path) -> Outcome:
    """Finalise the results of the newest master (as ``parxl finalize`` without options: ``council.final.finalize``,
    the login name as who). Raises ``ParxlError`` when already final, without a master, or when the data
    changed since it was made; ``SnapshotError`` for a damaged snapshot."""
    from ..council.final import finalize

    state = finalize(load_campaign(campaign_dir))
    lines = [f"Đã chốt kết quả theo bảng tổng hợp «{state.master_name}» (lập lúc {state.made_at.replace('T', ' ')}); "
             f"người chốt: {state.who}. Bản lưu: «{state.snapshot}».",
             "Từ nay quyết định, thông báo, báo cáo soạn theo kết quả đã chốt.",
             "Muốn mở lại: chạy «parxl finalize THƯ_MỤC_ĐỢT --reopen --by \"…\" --reason \"…\"»."]
    return Outcome("Chốt kết quả", lines, [state.snapshot, state.master])


def do_survey_import(campaign_dir: str | Path) -> Outcome:
    """Import each survey table in CAMPAIGN/dieu-tra-xhh-gui-ve/ (``tasks.SURVEY_RETURNS``; as ``parxl survey
    THƯ_MỤC_ĐỢT BẢNG`` for each: ``survey.table.table_block`` picks a campaign with blocks' block,
    ``import_survey`` checks the table whole and keeps it), with the warnings the CLI prints.

    Raises ``ParxlError`` when the folder holds no table, or two tables of one block (of the campaign without
    blocks) before importing any; ``SurveyError`` for a table with problems (the tables before it stay
    imported, as when the commands run one after the other)."""
    from ..council.final import frozen_notice
    from ..survey.table import items_without_answers, table_block

    campaign = load_campaign(campaign_dir)
    folder = campaign.root / SURVEY_RETURNS
    tables = survey_tables(folder)
    if not tables:
        raise ParxlError(f"Thư mục «{folder}» chưa có bảng kết quả điều tra (.xlsx hoặc .csv). Hãy đặt sổ nhập phiếu "
                         "đã điền (tạo bằng «parxl survey THƯ_MỤC_ĐỢT --forms») hoặc bảng kết quả vào đó rồi bấm lại "
                         "nút.")
    targets = [(table_block(campaign, t) if campaign.has_blocks else campaign, t) for t in tables]
    seen: dict[str | None, Path] = {}
    for view, table in targets:
        if view.block_id in seen:
            whose = f"của {view.blocks[0].title.lower()}" if campaign.has_blocks else "của đợt đánh giá"
            raise ParxlError(f"«{seen[view.block_id].name}» và «{table.name}» trong «{folder}» đều là bảng kết quả "
                             f"điều tra {whose}; mỗi {'khối' if campaign.has_blocks else 'đợt'} chỉ nhập một bảng: "
                             "hãy để lại một bảng rồi bấm lại nút. Chưa nhập bảng nào.")
        seen[view.block_id] = table
    lines, paths = [], []
    for view, table in targets:
        target, scores = import_survey(view, table)
        paths.append(target)
        title = f"{view.blocks[0].title}: " if campaign.has_blocks else ""
        lines.append(f"{title}Đã nhận kết quả điều tra xã hội học của {vi_number(len(scores))} đơn vị từ "
                     f"«{table.name}» (lưu tại «{target.name}»).")
        absent = [u.name for u in view.units if u.code not in scores]
        if absent:
            lines.append(f"Chưa có kết quả điều tra ({vi_number(len(absent))} đơn vị, điểm điều tra tính 0): "
                         + ", ".join(absent[:SHOWN]) + (" …" if len(absent) > SHOWN else "") + ".")
        names = {u.code: u.name for u in view.units}
        lines += [f"Cảnh báo: {code} {names.get(code, '')}: bảng không có câu trả lời cho tiêu chí điều tra "
                  f"{', '.join(items)} — điểm các tiêu chí này tính 0; nếu thiếu sót, hãy bổ sung vào bảng rồi nhập lại."
                  for code, items in items_without_answers(view, scores).items()]
    lines += [line for line in [frozen_notice(campaign)] if line]
    lines.append("Chọn «Tổng hợp xếp hạng» để tính điểm điều tra vào bảng tổng hợp.")
    return Outcome("Nhập phiếu khảo sát", lines, paths, {"tables": len(tables)})


# --- what the «Chạy» button runs through xlwings -------------------------------------------

def main() -> None:
    """The «Chạy» button of ``parxl_dieu_khien.xlsm`` (xlwings' ``SampleCall`` macro runs
    ``parxl_dieu_khien.main()``, which calls this) and the add-in's «Run main» of the .xlsx.

    Reads the task chosen in the cell ``parxl_task`` of the calling workbook, runs its ``do_*``
    function on the workbook's folder and writes the outcome into ``parxl_status``. A task
    missing from the list is said there in Vietnamese; see ``run_button`` for errors.
    """
    import xlwings as xw

    book = xw.Book.caller()
    status = status_range(book)
    chosen = _named_cell(book, TASK_NAME).value
    try:
        task = task_named(chosen)
    except KeyError:
        write_status(status, [f"Chưa chọn việc cần làm («{chosen or ''}» không có trong danh sách).",
                              "Hãy bấm vào ô tô vàng «Việc cần làm», chọn một việc trong danh sách rồi bấm lại nút."])
        return
    run_button(globals()[task.action], task.label, book, status)


def run_button(action: Callable[[Path], Outcome], title: str, book=None, status=None) -> None:
    """Run ``action`` on the folder of the calling workbook and show the outcome in its status area.

    A problem with the user's input (``ParxlError``, a criteria set with errors,
    a file Windows will not let us write) becomes Vietnamese lines in the status
    area. Anything else is written there too, then raised so that xlwings shows
    the traceback for the developers.
    """
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    status = status if status is not None else status_range(book)
    write_status(status, [f"{title}: đang chạy…"])
    try:
        outcome = action(campaign_folder(book.fullname))
    except Exception as exc:
        lines = error_lines(exc)
        write_status(status, [f"{title}: KHÔNG thực hiện được ({_now()})", *lines])
        if lines[0].startswith(UNEXPECTED):
            raise
        return
    write_status(status, [f"{title}: đã xong ({_now()})", *outcome.lines])


UNEXPECTED = "Lỗi không mong đợi"


def error_lines(exc: BaseException) -> list[str]:
    """What the clerk reads about an exception, in Vietnamese."""
    if isinstance(exc, FrameworkError):
        return [f"Bộ chỉ số «{exc.source}» có {vi_number(len(exc.problems))} lỗi:",
                *(f"• {p.path}: {p.message}" for p in exc.problems[:SHOWN]),
                *([f"• … và {vi_number(len(exc.problems) - SHOWN)} lỗi khác."] if len(exc.problems) > SHOWN else [])]
    if isinstance(exc, ParxlError):
        return [f"Lỗi: {exc}"]
    if isinstance(exc, PermissionError):
        where = f"«{exc.filename}»" if exc.filename else "tệp kết quả"
        return [f"Lỗi: không ghi được {where}: tệp đang mở (có thể trong Excel hoặc Word) hoặc không có quyền ghi.",
                "Hãy đóng tệp đó rồi bấm lại nút."]
    return [f"{UNEXPECTED}: {type(exc).__name__}: {exc}",
            "Hãy chụp màn hình thông báo lỗi và gửi cho nhóm phát triển."]


def campaign_folder(fullname: str) -> Path:
    """The campaign folder: the folder holding the control workbook."""
    if "://" in fullname:
        raise ParxlError(f"Bảng điều khiển đang mở từ địa chỉ mạng «{fullname}»; hãy mở nó từ thư mục đợt đánh giá "
                         "trên máy (thư mục có tệp campaign.yaml).")
    path = Path(fullname)
    if not path.parent.name:
        raise ParxlError("Hãy lưu bảng điều khiển vào thư mục đợt đánh giá (thư mục có tệp campaign.yaml) "
                         "rồi bấm lại nút.")
    return path.parent


def status_range(book):
    """The cells of the defined name ``parxl_status`` in the calling workbook; ParxlError without it."""
    return _named_cell(book, STATUS_NAME)


def _named_cell(book, name: str):
    try:
        return book.names[name].refers_to_range
    except Exception as exc:  # xlwings raises a COM error or KeyError depending on the platform
        raise ParxlError(f"Tệp «{book.fullname}» không có vùng «{name}» của bảng điều khiển; hãy tạo lại bảng điều "
                         "khiển bằng lệnh «parxl control THƯ_MỤC_ĐỢT».") from exc


def status_rows(lines: list[str]) -> list[list[str]]:
    """``lines`` as exactly ``STATUS_ROWS`` one-cell rows: cut with a last line saying so, padded with blanks."""
    if len(lines) > STATUS_ROWS:
        lines = [*lines[:STATUS_ROWS - 1], f"… và {vi_number(len(lines) - STATUS_ROWS + 1)} dòng khác."]
    # Excel would read a leading =, +, - or @ as a formula; the apostrophe keeps it text.
    rows = [["'" + line if line.startswith(("=", "+", "-", "@")) else line] for line in lines]
    return rows + [[""] for _ in range(STATUS_ROWS - len(rows))]


def write_status(status, lines: list[str]) -> None:
    """Write ``lines`` into the status cells (``status_rows``: exactly ``STATUS_ROWS`` one-cell rows)."""
    status.value = status_rows(lines)


def _now() -> str:
    return dt.datetime.now().strftime("lúc %H:%M ngày %d/%m/%Y")
