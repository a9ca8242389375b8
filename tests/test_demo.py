"""`parxl demo`: the whole year on the sample campaign, with the three scripted situations caught."""
import json
from pathlib import Path

from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from parxl.cli import main
from parxl.demo.run import run_demo


def test_demo_runs_the_year_end_to_end(tmp_path):
    outcome = run_demo(tmp_path / "demo")
    c, s = outcome.campaign, outcome.scenario
    assert len(c.units) == 21 and len(outcome.workbooks) == 21
    returned = {p.name.split(" - ")[0] for p in outcome.returned}
    assert s.silent not in returned and len(returned) == 20
    assert outcome.error_units == sorted([s.overwrites, s.no_evidence])

    report = json.loads(CliRunner().invoke(main, ["check", str(c.root), "--json"]).output)
    assert report["missing"] == [s.silent]
    codes = {u["code"]: {f["code"] for f in u["findings"] if f["severity"] == "error"} for u in report["units"]}
    assert codes[s.overwrites] == {"formula-altered"}
    assert codes[s.no_evidence] == {"evidence-missing"}
    assert all(not errs for code, errs in codes.items() if code not in (s.overwrites, s.no_evidence))

    ranked = outcome.master and load_workbook(outcome.master, read_only=True)
    ranking = ranked.worksheets[0]
    names = [row[2] for row in ranking.iter_rows(values_only=True) if row and isinstance(row[0], int)]
    assert len(names) == 18  # 21 units - one silent - two with errors (left out by the sample's policy)
    assert {c.unit(code).name for code in (s.silent, s.overwrites, s.no_evidence)}.isdisjoint(names)

    text = "\n".join(p.text for p in Document(outcome.decision).paragraphs)
    text += "\n".join(cell.text for t in Document(outcome.decision).tables for row in t.rows for cell in row.cells)
    assert all(name in text for name in names)
    assert len(outcome.notices) == 18 and outcome.report.is_file()
    # the clerk's control workbook (when xlwings is installed, as in CI) and the launchers
    assert outcome.control.workbook == c.root / "parxl_dieu_khien.xlsm" and outcome.control.workbook.is_file()
    assert (c.root / "parxl_dieu_khien.py").is_file() and len(list(c.root.glob("*.cmd"))) == 13
    # the second half: the unit that explained moved up from round 1 to round 2, and the documents follow round 2
    second = outcome.second
    assert second is not None and second.rank_final < second.rank_first
    mover = next(u for u in second.view.units if u.code == second.unit)
    assert mover.final.total == mover.before.total and mover.first.total == mover.before.total - second.self_score
    assert second.council_workbook.is_file() and second.brief.is_file()
    _survey_from_answer_counts(outcome)


def _survey_from_answer_counts(outcome):
    """The demo imports answer counts (not ready points); its coverage is in the report and the survey
    points of one unit are those recomputed here from the counts (A/B/C/D = 100/60/20/0 %, groups 70/30)."""
    import csv
    from decimal import ROUND_HALF_UP, Decimal

    rows = list(csv.reader(outcome.survey_table.read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["Mã", "Nhóm", "Câu hỏi", "Phương án", "Số phiếu"]
    per_question = {}
    for unit, group, question, letter, count in rows[1:]:
        per_question.setdefault((unit, group, question), {})[letter] = int(count)
    forms = {}
    for (unit, group, _q), letters in per_question.items():
        forms[(unit, group)] = max(forms.get((unit, group), 0), sum(letters.values()))
    received = sum(forms.values())
    text = "\n".join(p.text for p in Document(outcome.report).paragraphs)
    assert f"- Điều tra xã hội học: đã thu {received}/840 phiếu theo kế hoạch" in text  # 21 units × (30 + 10)
    weight = {"A": 100, "B": 60, "C": 20, "D": 0}
    share = {g: Decimal(sum(weight[k] * n for k, n in per_question[("KM01", g, "8.1.1")].items()))
             / sum(per_question[("KM01", g, "8.1.1")].values()) for g in ("CD", "CB")}
    expected = (3 * (70 * share["CD"] + 30 * share["CB"]) / 100 / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    survey = load_workbook(outcome.master, read_only=True)["Điều tra XHH"]
    km01 = next(r for r in survey.iter_rows(values_only=True) if r[0] == "KM01")
    assert Decimal(str(km01[6])) == expected



def test_demo_is_reproducible_and_rerunnable(tmp_path):
    first = run_demo(tmp_path / "a")
    second = run_demo(tmp_path / "b")
    for a, b in zip(first.workbooks + first.returned, second.workbooks + second.returned):
        assert a.name == b.name and a.read_bytes() == b.read_bytes()
    again = run_demo(tmp_path / "a")  # a second run in place: nothing it is drawn from changed, the master is kept
    assert again.master == first.master and first.master.is_file()


def test_demo_refuses_a_foreign_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "thu.txt").write_text("của người dùng", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "x")])
    assert result.exit_code == 1 and "đã có tệp khác" in result.output
    assert (tmp_path / "x" / "thu.txt").read_text(encoding="utf-8") == "của người dùng"


def test_demo_cli_prints_where_everything_is(tmp_path):
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    for words in ("biểu mẫu tự đánh giá", "Bảng tổng hợp xếp hạng", "Quyết định công bố", "thông báo kết quả",
                  "Kế hoạch triển khai", "Bảng tiến độ (tính đến ngày 20/01/2026)", "Danh sách đôn đốc",
                  "18 kế hoạch cải thiện",
                  "Bảng điều khiển", "tệp chạy nhanh",
                  "Nửa cuối năm", "giải trình", "Hội đồng thẩm định"):
        assert words in result.output
    assert Path(tmp_path / "d" / "output").is_dir()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_demo_refuses_a_campaign_made_by_init_and_leaves_it_byte_identical(tmp_path):
    from parxl.core.resources import samples_dir

    runner = CliRunner()
    campaign = tmp_path / "that"
    made = runner.invoke(main, ["init", str(campaign), "--criteria", str(samples_dir() / "kinh-mon-2025" / "criteria.yaml"),
                                "--units", str(samples_dir() / "kinh-mon-2025" / "units.csv"), "--year", "2025"])
    assert made.exit_code == 0, made.output
    assert runner.invoke(main, ["generate", str(campaign)]).exit_code == 0
    first = sorted((campaign / "workbooks").iterdir())[0]
    (campaign / "inbox" / first.name).write_bytes(first.read_bytes())  # a unit's real file
    (campaign / "survey.csv").write_text("Mã đơn vị,Điểm\nKM01,1\n", encoding="utf-8")
    runner.invoke(main, ["check", str(campaign)])
    before = _snapshot(campaign)
    assert any(name.startswith("inbox/") for name in before)

    result = runner.invoke(main, ["demo", str(campaign)])
    assert result.exit_code == 1
    assert "không do bản chạy thử tạo ra" in result.output and str(campaign) in result.output
    assert _snapshot(campaign) == before


def test_demo_reruns_in_a_folder_it_made_itself(tmp_path):
    first = run_demo(tmp_path / "d")
    assert (tmp_path / "d" / ".parxl-demo").is_file()
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert first.master.is_file()


def test_scripted_situations_fall_on_three_different_units_with_six_units(tmp_path):
    from parxl.core.resources import samples_dir
    from parxl.demo.simulate import pick_scenario, simulate_returns
    from parxl.workbook.stamping import generate
    from conftest import make_campaign

    sample = samples_dir() / "kinh-mon-2025"
    six = "".join((sample / "units.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:7])
    campaign = make_campaign(tmp_path / "six", criteria=sample / "criteria.yaml", units_csv=six)
    assert len(campaign.units) == 6
    s = pick_scenario(campaign)
    assert len({s.silent, s.overwrites, s.no_evidence}) == 3
    generate(campaign, lambda *_: None)
    returned = simulate_returns(campaign)
    assert sorted(p.name.split(" - ")[0] for p in returned) == sorted({"KM01", "KM02", "KM03", "KM04", "KM05", "KM06"} - {s.silent})
    report = json.loads(CliRunner().invoke(main, ["check", str(campaign.root), "--json"]).output)
    assert report["missing"] == [s.silent]
    errors = {u["code"]: {f["code"] for f in u["findings"] if f["severity"] == "error"} for u in report["units"]}
    assert errors[s.overwrites] == {"formula-altered"} and errors[s.no_evidence] == {"evidence-missing"}


def test_demo_makes_the_plan_the_status_and_the_improvement_plans(tmp_path):
    import datetime as dt

    from parxl.tracking.status import campaign_status

    outcome = run_demo(tmp_path / "demo")
    c, s = outcome.campaign, outcome.scenario
    assert outcome.plan.is_file() and outcome.status.is_file() and outcome.reminders.is_file()
    assert len(outcome.improvement) == 18 and all(p.is_file() for p in outcome.improvement)
    # the files were dated around the deadline 10/01/2026: by hand, sorted files k = 0…19 arrive on
    # deadline + (k % 7) − 4 days, so k % 7 in (5, 6) are 1 and 2 days late
    status = campaign_status(c, outcome.status_day)
    assert outcome.status_day == dt.date(2026, 1, 20)
    by_code = {u.code: u for u in status.units}
    assert by_code[s.silent].state == "not-sent" and by_code[s.silent].days_late == 10
    late = sorted(u.days_late for u in status.units if u.received_on and not u.on_time)
    assert late == [1, 1, 1, 2, 2]  # k = 5, 12, 19 one day late; k = 6, 13 two days late
    assert "DANH SÁCH ĐÔN ĐỐC" in "\n".join(p.text for p in Document(outcome.reminders).paragraphs)
