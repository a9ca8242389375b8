"""The schedule in campaign.yaml: due texts, what «parxl init» writes, old campaign.yaml files, errors."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, make_campaign
from parxl.campaign.folder import load_campaign
from parxl.campaign.schedule import campaign_schedule, due_end, self_assessment_deadline
from parxl.core.errors import CampaignError
from parxl.workbook.texts import guide_lines


@pytest.mark.parametrize("text, end", [
    ("Trước 15/12/2025", dt.date(2025, 12, 15)),
    ("Tháng 12/2025", dt.date(2025, 12, 31)),
    ("Tháng 02/2028", dt.date(2028, 2, 29)),
    ("Tháng 11-12/2022", dt.date(2022, 12, 31)),
    ("Tháng 12/2022-01/2023", dt.date(2023, 1, 31)),
    ("Từ 20/12/2023 - 10/01/2024", dt.date(2024, 1, 10)),
    ("xong trước ngày 01/3/2024", dt.date(2024, 3, 1)),
    ("2026-01-10", dt.date(2026, 1, 10)),
    ("Quý I", None),
    ("Trước 31/02/2026", None),
])
def test_a_due_text_ends_on_the_last_day_it_names(text, end):
    assert due_end(text) == end


def test_init_writes_the_schedule_of_the_sample_plans_for_the_year(tmp_path):
    make_campaign(tmp_path / "c")
    written = yaml.safe_load((tmp_path / "c" / "campaign.yaml").read_text(encoding="utf-8"))["schedule"]
    assert [(t["no"], t.get("due"), t.get("stage")) for t in written] == [
        ("1", "Tháng 12/2025", None),
        ("2", dt.date(2026, 1, 10), "self-assessment"),
        ("3", None, None),
        ("3.1", "Trước 15/01/2026", None),
        ("3.2", "Trước 31/01/2026", "appraisal-1"),
        ("3.3", "Trước 10/02/2026", "explanation"),
        ("3.4", "Trước 20/02/2026", "appraisal-2"),
        ("3.5", "Trước 25/02/2026", "council"),
        ("3.6", "Trước 01/03/2026", "decision"),
        ("4", "Trước 10/03/2026", "report"),
    ]
    assert written[1]["lead"] == "UBND các xã, phường" and written[1]["partners"] == ["Phòng Nội vụ"]
    assert all(isinstance(t["no"], str) for t in written)
    campaign = load_campaign(tmp_path / "c")
    assert self_assessment_deadline(campaign.config) == dt.date(2026, 1, 10)
    # the workbook's guide gives the schedule's date when campaign.yaml has no «deadline»
    assert any("trước hết ngày 10/01/2026" in text for _, text in guide_lines(campaign, "Xã Lê Ninh"))


def test_an_old_campaign_yaml_without_schedule_gets_the_default_one_with_its_deadline(tmp_path):
    root = tmp_path / "kinh-mon"
    shutil.copytree(REPO / "samples" / "kinh-mon-2025", root)
    campaign = load_campaign(root)
    assert campaign.config.schedule is None
    tasks = campaign_schedule(campaign.config)
    self_task = next(t for t in tasks if t.stage == "self-assessment")
    assert self_task.due_date == dt.date(2026, 1, 10) and self_task.due_text == "10/01/2026"
    assert tasks[0].lead == "Phòng Nội vụ thị xã Kinh Môn"


def test_deadline_is_the_self_assessment_tasks_deadline(tmp_path):
    root = tmp_path / "c"
    make_campaign(root)
    config = root / "campaign.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("deadline: null", "deadline: 2026-01-15"),
                      encoding="utf-8")
    tasks = campaign_schedule(load_campaign(root).config)
    assert [t.due_text for t in tasks if t.stage == "self-assessment"] == ["15/01/2026"]


def _edit(root: Path, old: str, new: str) -> None:
    config = root / "campaign.yaml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_due_without_a_date_is_the_users_to_fix_in_vietnamese(tmp_path):
    root = tmp_path / "c"
    make_campaign(root)
    _edit(root, "due: Tháng 12/2025", "due: Cuối năm")
    with pytest.raises(CampaignError) as err:
        load_campaign(root)
    message = str(err.value)
    assert "schedule[0].due" in message and "«Cuối năm»" in message and "Tháng 12/2025" in message


def test_two_tasks_with_one_number_or_one_stage_are_refused(tmp_path):
    root = tmp_path / "c"
    make_campaign(root)
    _edit(root, "'no': '3.2'", "no: 3.1")  # unquoted: YAML 1.1 reads the key «no» as false
    with pytest.raises(CampaignError, match="«3.1» có hai lần"):
        load_campaign(root)
    root2 = tmp_path / "d"
    make_campaign(root2)
    _edit(root2, "stage: appraisal-2", "stage: appraisal-1")
    with pytest.raises(CampaignError, match="«appraisal-1» gắn với hai nhiệm vụ"):
        load_campaign(root2)


def test_an_unknown_stage_names_the_stages(tmp_path):
    root = tmp_path / "c"
    make_campaign(root)
    _edit(root, "stage: council", "stage: hoi-dong")
    with pytest.raises(CampaignError) as err:
        load_campaign(root)
    assert "schedule[7].stage" in str(err.value) and "«council»" in str(err.value)


def test_deadline_overriding_the_schedules_date_is_said_in_status_and_plan(tmp_path):
    import json

    from click.testing import CliRunner

    from parxl.cli import main
    root = tmp_path / "c"
    make_campaign(root)
    _edit(root, "deadline: null", "deadline: 2026-01-20")  # the schedule says 2026-01-10
    out = CliRunner().invoke(main, ["status", str(root), "--today", "05/01/2026"], env={"COLUMNS": "300"})
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert "«deadline» (20/01/2026) thay cho thời hạn «10/01/2026»" in said
    out = CliRunner().invoke(main, ["status", str(root), "--today", "05/01/2026", "--json"])
    assert len(json.loads(out.stdout)["warnings"]) == 1
    out = CliRunner().invoke(main, ["plan", str(root)], env={"COLUMNS": "300"})
    assert out.exit_code == 0, out.output
    assert "«deadline» (20/01/2026) thay cho thời hạn «10/01/2026»" in " ".join(out.output.split())


def test_an_empty_schedule_is_refused_and_a_council_before_self_assessment_is_warned(tmp_path):
    from parxl.campaign.schedule import schedule_warnings
    root = tmp_path / "c"
    make_campaign(root)
    text = (root / "campaign.yaml").read_text(encoding="utf-8")
    (root / "campaign.yaml").write_text(text[:text.index("schedule:")] + "schedule: []\n", encoding="utf-8")
    with pytest.raises(CampaignError, match="danh sách nhiệm vụ trống"):
        load_campaign(root)
    root2 = tmp_path / "d"
    make_campaign(root2)
    assert schedule_warnings(load_campaign(root2).config) == []
    _edit(root2, "due: Trước 25/02/2026", "due: Trước 05/01/2026")  # the council's task, before 10/01/2026
    warnings = schedule_warnings(load_campaign(root2).config)
    assert len(warnings) == 1 and "05/01/2026" in warnings[0] and "10/01/2026" in warnings[0]


@pytest.mark.parametrize("value, said", [
    ("15", "«15» không phải một ngày; viết một ngày, ví dụ 2026-01-15"),
    ("'31/02/2026'", "ngày «31/02/2026» không có thật"),
    ("2026-03-15 10:00:00", "có kèm giờ"),
])
def test_a_bad_explanation_deadline_says_what_a_date_looks_like(tmp_path, value, said):
    root = tmp_path / "c"
    make_campaign(root)
    with open(root / "campaign.yaml", "a", encoding="utf-8") as f:
        f.write(f"explanation_deadline: {value}\n")
    with pytest.raises(CampaignError) as err:
        load_campaign(root)
    assert "explanation_deadline" in str(err.value) and said in str(err.value)
    assert "không kèm giờ" not in str(err.value) or said == "có kèm giờ"


def test_explanation_deadline_in_day_month_year_and_before_self_assessment_is_warned(tmp_path):
    from parxl.campaign.schedule import schedule_warnings
    root = tmp_path / "c"
    make_campaign(root)
    with open(root / "campaign.yaml", "a", encoding="utf-8") as f:
        f.write("explanation_deadline: 05/01/2026\n")  # the self-assessment is due 10/01/2026
    config = load_campaign(root).config
    assert config.explanation_deadline == dt.date(2026, 1, 5)
    warnings = schedule_warnings(config)
    assert len(warnings) == 1 and "«explanation_deadline» (05/01/2026) trước hạn tự đánh giá (10/01/2026)" in warnings[0]


def test_a_due_on_a_day_that_does_not_exist_says_so(tmp_path):
    root = tmp_path / "c"
    make_campaign(root)
    _edit(root, "due: Tháng 12/2025", "due: \"31/02/2026\"")
    with pytest.raises(CampaignError) as err:
        load_campaign(root)
    assert "schedule[0].due" in str(err.value) and "«31/02/2026» ghi một ngày không có thật" in str(err.value)
