"""``parxl demo``: the whole year on the bundled sample campaign, without any spreadsheet program.

generate → simulate the returned files and the survey table → check → import
the survey → consolidate → decision, notices and report. Each stage is the same function the other commands call.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .campaign import CAMPAIGN_FILE, WORK_DIRS, Campaign, load_campaign
from .check_report import unit_lines
from .check_report_xlsx import write_outputs
from .consolidation import run_consolidation
from .errors import ParxlError
from .resources import samples_dir
from .simulate import Scenario, pick_scenario, simulate_returns, simulate_survey
from .survey import import_survey
from .stamping import generate

SAMPLE = "kinh-mon-2025"

# (stage title, done, total); total is None for a step without a count
Progress = Callable[[str, int, int | None], None]


@dataclass
class DemoOutcome:
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


def prepare(target: Path) -> Campaign:
    """Copy the sample campaign into ``target``; a folder that already holds it is reused."""
    if (target / CAMPAIGN_FILE).is_file():
        return load_campaign(target)
    if target.exists() and any(target.iterdir()):
        raise ParxlError(f"Thư mục «{target}» đã có tệp khác; hãy chọn một thư mục trống cho bản chạy thử.")
    source = samples_dir() / SAMPLE
    # copy2 keeps modification times, which date the workbooks: the demo is reproducible.
    shutil.copytree(source, target, dirs_exist_ok=True, copy_function=shutil.copy2,
                    ignore=lambda folder, names: [n for n in names if Path(folder).name in WORK_DIRS])
    return load_campaign(target)


def run_demo(target: Path, progress: Progress | None = None) -> DemoOutcome:
    from .documents import render_decision, render_notices, render_report

    say = progress or (lambda *_: None)
    campaign = prepare(target)
    scenario = pick_scenario(campaign)
    workbooks = generate(campaign, lambda done, total: say("Tạo biểu mẫu", done, total))
    returned = simulate_returns(campaign, progress=lambda done, total: say("Giả lập tệp các đơn vị gửi về", done, total))
    # The survey's organisers send their table; the clerk imports it as «parxl survey» does.
    survey_table, _ = import_survey(campaign, simulate_survey(campaign, campaign.output_dir / "ket-qua-dieu-tra-xhh.csv"))

    # Intake, results and master exactly as «parxl consolidate»; the check report as «parxl check».
    done = run_consolidation(campaign, None,
                             lambda n, total, _name: say("Kiểm tra tệp gửi về", n, total),
                             lambda _message: say("Lập bảng tổng hợp", 0, None))
    intake, results, master = done.intake, done.results, done.master
    check_outputs = write_outputs(campaign, intake, unit_lines(campaign, intake))
    say("Soạn quyết định, thông báo, báo cáo", 0, None)
    decision = render_decision(results, master=master)
    notices = render_notices(results, master=master)
    report = render_report(results, master=master)
    errors = sorted(s.unit_code for s in intake.latest if s.errors)
    return DemoOutcome(campaign, scenario, workbooks, returned, survey_table, check_outputs, master, decision, notices, report, errors)
