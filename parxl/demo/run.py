"""``parxl demo``: the whole year on the bundled sample campaign, without any spreadsheet program.

generate → simulate the returned files (dated around the deadline) and the survey table → check → import
the survey → consolidate → the second half (appraisal round 1, preliminary results, one unit explains,
round 2, the council's workbook; ``second_half``) → consolidate again → decision, notices and report; then
the plan, the status (workbook and reminder list), the improvement plans and the control workbook and
launchers. Each stage is the same function the other commands call.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..campaign.folder import CAMPAIGN_FILE, WORK_DIRS, Campaign, load_campaign
from ..core.errors import ParxlError
from ..core.files import write_atomic
from ..core.progress import Progress, labelled
from ..core.resources import samples_dir
from ..ledger.check_report import unit_lines
from ..ledger.check_report_xlsx import write_outputs
from ..master.consolidation import run_consolidation
from ..survey.table import import_survey
from ..workbook.stamping import generate
from .second_half import SecondHalf, run_second_half
from .simulate import Scenario, pick_scenario, simulate_returns, simulate_survey

SAMPLE = "kinh-mon-2025"



@dataclass
class DemoOutcome:
    """What ``run_demo`` made: the campaign, the simulated scenario, and the path of every file written
    (workbooks, returned files, survey table, check outputs, master, decision, notices, report);
    ``error_units`` are the codes of units whose file still has errors."""

    campaign: Campaign
    scenario: Scenario
    workbooks: list[Path]
    returned: list[Path]
    survey_table: Path
    check_outputs: list[Path]
    master: Path
    decision: Path
    notices: list[Path]
    report: Path
    error_units: list[str]
    plan: Path | None = None                  # Kế hoạch triển khai (parxl plan)
    status: Path | None = None                # output/tien-do.xlsx (parxl status)
    reminders: Path | None = None             # danh sách đôn đốc (parxl status)
    improvement: list[Path] = field(default_factory=list)  # one Kế hoạch cải thiện per ranked unit
    status_day: dt.date | None = None         # the day the demo's status is judged on
    control: object = None                    # the control workbook and launchers (``excel.control.ControlResult``)
    second: SecondHalf | None = None          # the second half of the year, when a unit could move up


# Written by the demo into every folder it creates; the demo reuses no other folder.
DEMO_MARKER = ".parxl-demo"
_MARKER_TEXT = ("Thư mục này do «parxl demo» tạo ra để chạy thử; mọi số liệu trong đó là giả lập.\n"
                "parxl demo chỉ ghi lại vào thư mục có tệp này.\n")


def prepare(target: Path, sample: str = SAMPLE) -> Campaign:
    """Copy the sample campaign into ``target`` and return it loaded.

    ``target`` must not exist, be empty, or be a folder an earlier demo made (it holds
    :data:`DEMO_MARKER`), which is reused. Raises :class:`ParxlError` for anything else, a real
    campaign above all, without touching it.
    """
    source = samples_dir() / sample  # checked before anything is written
    if not (source / CAMPAIGN_FILE).is_file():
        names = ", ".join(sorted(p.name for p in samples_dir().iterdir() if (p / CAMPAIGN_FILE).is_file()))
        raise ParxlError(f"Không có đợt đánh giá mẫu «{sample}»; các mẫu có sẵn: {names}.")
    if target.exists() and not target.is_dir():
        raise ParxlError(f"«{target}» là một tệp, không phải thư mục; hãy chọn một thư mục trống cho bản chạy thử.")
    if target.is_dir() and not (target / DEMO_MARKER).is_file() and any(target.iterdir()):
        if (target / CAMPAIGN_FILE).exists():
            raise ParxlError(f"Thư mục «{target}» là một đợt đánh giá không do bản chạy thử tạo ra; bản chạy thử "
                             "không ghi vào đợt đánh giá thật. Hãy chọn một thư mục trống hoặc chưa có.")
        raise ParxlError(f"Thư mục «{target}» đã có tệp khác; hãy chọn một thư mục trống cho bản chạy thử.")
    if (target / DEMO_MARKER).is_file() and (target / CAMPAIGN_FILE).is_file():
        return load_campaign(target)
    target.mkdir(parents=True, exist_ok=True)
    # The marker first: a copy cut short leaves a folder the next demo may complete.
    write_atomic(target / DEMO_MARKER, _MARKER_TEXT.encode("utf-8"))
    # copy2 keeps modification times, which date the workbooks: the demo is reproducible.
    shutil.copytree(source, target, dirs_exist_ok=True, copy_function=shutil.copy2,
                    ignore=lambda folder, names: [n for n in names if Path(folder).name in WORK_DIRS])
    return load_campaign(target)


def run_demo(target: Path, progress: Progress | None = None, sample: str = SAMPLE) -> DemoOutcome:
    """The whole year on the bundled sample campaign, in ``target`` (see the module doc).

    ``progress`` (``core.progress.Progress``) gets ``(done, total, stage title)``, the label being
    the stage («Tạo biểu mẫu», «Kiểm tra tệp gửi về», …). Raises ``ParxlError`` when ``target``
    is a real campaign or a folder with other files; what the stages raise goes up. ``sample``: the
    sample campaign under ``samples/`` (one with ``blocks:`` runs every stage per block).
    """
    from ..documents import render_decision, render_notices, render_report

    campaign = prepare(target, sample)
    views = campaign.views()  # each block its own forms, returned files and survey table
    scenario = pick_scenario(views[0])
    workbooks, returned = [], []
    for view in views:
        workbooks += generate(view, labelled(progress, "Tạo biểu mẫu"))
        returned += simulate_returns(view, progress=labelled(progress, "Giả lập tệp các đơn vị gửi về"))
        # The survey's organisers send their table; the clerk imports it as «parxl survey» does.
        name = f"ket-qua-dieu-tra-xhh-{view.block_id}.csv" if view.block_id else "ket-qua-dieu-tra-xhh.csv"
        survey_table, _ = import_survey(view, simulate_survey(view, campaign.output_dir / name))
    date_returns(campaign, returned)

    # Intake, results and master exactly as «parxl consolidate»; the check report as «parxl check».
    done = run_consolidation(campaign, None,
                             labelled(progress, "Kiểm tra tệp gửi về"),
                             labelled(progress, "Lập bảng tổng hợp"))
    intake, results, master = done.intake, done.results, done.master
    check_outputs = write_outputs(campaign, intake, unit_lines(campaign, intake))
    second = None if campaign.has_blocks else _second_half(campaign, results, progress)  # one block: the sample's
    if second is not None:  # the results after round 2: consolidated again, the documents follow them
        done = run_consolidation(campaign, None, None, labelled(progress, "Lập bảng tổng hợp"))
        results, master = done.results, done.master
    labelled(progress, "Soạn quyết định, thông báo, báo cáo")(0, None, "")
    decision = render_decision(results, master=master)
    notices = render_notices(results, master=master)
    report = render_report(results, master=master)
    errors = sorted(s.unit_code for s in intake.latest if s.errors)
    outcome = DemoOutcome(campaign, scenario, workbooks, returned, survey_table, check_outputs, master, decision,
                          notices, report, errors, second=second)
    add_plans_and_status(outcome, results, master)
    from ..excel.control import build_control  # the clerk's control workbook and launchers, as «parxl control»

    outcome.control = build_control(campaign.root)
    return outcome


def date_returns(campaign: Campaign, returned: list[Path]) -> None:
    """Date the simulated returned files around the self-assessment deadline, as if they had arrived over the
    days before it (two in seven one or two days late), at 09:00 local time: ``parxl status`` then has something
    to say. Without a deadline the files keep their times."""
    from ..campaign.schedule import self_assessment_deadline

    deadline = self_assessment_deadline(campaign.config)
    if deadline is None:
        return
    for k, path in enumerate(sorted(returned)):
        day = deadline + dt.timedelta(days=(k % 7) - 4)
        when = dt.datetime.combine(day, dt.time(9)).timestamp()
        os.utime(path, (when, when))


def add_plans_and_status(outcome: DemoOutcome, results, master: Path) -> None:
    """The plan, the status (workbook and reminder list, judged ten days after the deadline) and the improvement
    plans of ``outcome``'s campaign, each as its command makes it; their paths set on ``outcome``."""
    from ..campaign.schedule import self_assessment_deadline
    from ..documents.improvement import render_improvement_plans
    from ..documents.plan import render_plan
    from ..documents.reminders import render_reminders
    from ..tracking.status import campaign_status
    from ..tracking.status_xlsx import write_status_workbook

    campaign = outcome.campaign
    deadline = self_assessment_deadline(campaign.config)
    outcome.status_day = deadline + dt.timedelta(days=10) if deadline else None
    outcome.plan = render_plan(campaign)
    status = campaign_status(campaign, outcome.status_day)
    outcome.status = write_status_workbook(campaign, status)
    outcome.reminders = render_reminders(campaign, status)
    outcome.improvement = render_improvement_plans(results, master=master)


def _second_half(campaign: Campaign, results, progress: Progress | None) -> SecondHalf | None:
    """Appraisal, preliminary results, one explanation, round 2 and the council (``second_half``); None when
    no unit can move up (all tied)."""
    labelled(progress, "Thẩm định, giải trình, Hội đồng thẩm định")(0, None, "")
    try:
        return run_second_half(campaign, results)
    except LookupError:
        return None
