"""Band wording as officials write it, explicit intervals, ``bands_on: points``, and the Vietnamese messages
of criteria sets and campaign.yaml (issue 12, part A). Expected boundaries are written out by hand."""
from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from parxl.campaign.folder import load_campaign
from parxl.core.errors import CampaignError
from parxl.criteria.framework import FrameworkError, parse_framework
from parxl.criteria.intervals import Interval, parse_interval

from conftest import FIXTURES, make_campaign

D = Decimal
INF = None
# words → (lo, lo included, hi, hi included), by hand
WORDS = {
    "Từ 70% - 90%": (D(70), True, D(90), True),
    "Từ 80% - dưới 100%": (D(80), True, D(100), False),
    "80 – < 90 %": (D(80), True, D(90), False),
    "80 - <= 90%": (D(80), True, D(90), True),
    "đạt từ 90% trở lên": (D(90), True, INF, False),
    "Thực hiện trên 90% kế hoạch": (D(90), False, INF, False),
    "Đạt 100% kế hoạch": (D(100), True, D(100), True),
    "Hoàn thành 100%": (D(100), True, D(100), True),
    "Dưới 70% kế hoạch": (INF, False, D(70), False),
    "từ 70% đến dưới 90%": (D(70), True, D(90), False),
    "trên 90%": (D(90), False, INF, False),
    "Từ 95,5% trở lên": (D("95.5"), True, INF, False),
    "Từ 90 điểm trở lên": (D(90), True, INF, False),
    "từ 50% trở xuống": (INF, False, D(50), True),
}


@pytest.mark.parametrize("words", list(WORDS))
def test_official_wording_reads_with_exact_boundaries(words):
    assert parse_interval(words) == Interval(*WORDS[words])


@pytest.mark.parametrize("words", ["70 - 90%", "khoảng 70%", "tốt"])
def test_unreadable_wording_says_what_is_understood(words):
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    data["bands"][1]["when"] = words
    with pytest.raises(FrameworkError) as err:
        parse_framework(data)
    (problem,) = err.value.problems
    assert problem.path == "bands[1].when"
    assert f"không đọc được khoảng «{words}»" in problem.message
    assert "«Từ 70% - 90%»" in problem.message and "«Thực hiện trên 90% kế hoạch»" in problem.message
    assert "from: 70, to: 90, include_to: true" in problem.message


def _mini() -> dict:
    return yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))


def test_explicit_intervals_keep_the_official_text_as_label():
    data = _mini()
    data["fields"][0]["items"][2]["rule"]["bands"] = [
        {"label": "Trên 90% (tính cả 90% nếu làm tròn)", "from": 90, "include_from": False, "points": 2},
        {"label": "70 - 90%", "from": 70, "to": 90, "include_to": True, "points": 1},
        {"label": "Còn lại", "to": 70, "points": 0},
    ]
    fw = parse_framework(data)
    item = fw.item("1.3")
    score = lambda n, d: item.score({"numerator": D(n), "denominator": D(d)}, 2)  # noqa: E731
    assert [score(91, 100), score(90, 100), score(70, 100), score(6999, 10000)] == [2, 1, 1, 0]
    assert "«70 - 90%»: 1 điểm" in item.rule.scoring_text(item.max)


def test_an_explicit_band_needs_one_way_of_saying_it():
    data = _mini()
    data["fields"][0]["items"][2]["rule"]["bands"][0] = {"when": "trên 90%", "from": 90, "points": 2}
    data["fields"][0]["items"][2]["rule"]["bands"][1] = {"points": 1}
    with pytest.raises(FrameworkError) as err:
        parse_framework(data)
    messages = {p.path: p.message for p in err.value.problems}
    assert "không ghi cả hai" in messages["fields[0].items[2].rule.bands[0]"]
    assert "thiếu khoảng" in messages["fields[0].items[2].rule.bands[1]"]


def test_bands_on_points_classify_the_total_and_check_coverage_in_points():
    data = _mini()  # total 10 points
    data["bands_on"] = "points"
    data["bands"] = [{"label": "Tốt", "when": "Từ 9 điểm trở lên"}, {"label": "Khá", "when": "Từ 7 - dưới 9 điểm"},
                     {"label": "Yếu", "when": "Dưới 7 điểm"}]
    fw = parse_framework(data)
    assert fw.classify(D(90), total=D(9)) == "Tốt"
    assert fw.classify(D("89.9"), total=D("8.99")) == "Khá"
    assert fw.classify(D(70)) == "Khá"  # no total given: 70 % of 10 points = 7 points
    assert fw.classify(D("69.9"), total=D("6.99")) == "Yếu"
    data["bands"][2]["when"] = "Dưới 6 điểm"
    with pytest.raises(FrameworkError) as err:
        parse_framework(data)
    assert any(p.path == "bands" and "từ 0 điểm đến 10 điểm" in p.message for p in err.value.problems)


@pytest.mark.parametrize("bands_on, when, unit", [("points", "Từ 90% trở lên", "theo %"),
                                                  ("percent", "Từ 9 điểm trở lên", "theo điểm")])
def test_a_band_written_in_the_other_unit_is_refused_not_guessed(bands_on, when, unit):
    """«Từ 90% trở lên» in a set whose bands hold points would silently mean 90 points (of 10 here)."""
    data = _mini()  # total 10 points
    data["bands_on"] = bands_on
    data["bands"] = [{"label": "Tốt", "when": when}, {"label": "Khá", "when": "Dưới 9 điểm" if bands_on == "points"
                                                       else "Dưới 90%"}]
    with pytest.raises(FrameworkError) as err:
        parse_framework(data)
    messages = {p.path: p.message for p in err.value.problems}
    assert unit in messages["bands[0].when"] and when in messages["bands[0].when"]


def test_every_problem_at_once_in_vietnamese_with_its_path():
    data = _mini()
    data["total"] = "một"
    data["fields"][0]["items"][0]["max"] = "một"
    data["fields"][0]["items"][2]["rule"]["zero_denominator"] = "tối đa"
    data["fields"][0]["items"][3]["rule"]["per"] = None
    data["fields"][0]["items"][4]["rule"] = {"type": "checklist", "floor": "-1",
                                             "lines": [{"label": "a", "points": "0,25"}]}
    data["parts"]["khác"] = {"max": 1}
    with pytest.raises(FrameworkError) as err:
        parse_framework(data)
    got = {p.path: p.message for p in err.value.problems}
    assert got["total"] == "«một» không phải là số (viết số như 2 hoặc \"0,25\")"
    assert got["fields[0].items[0].max"].startswith("«một» không phải là số")
    assert "ghi «max»" in got["fields[0].items[2].rule.zero_denominator"]
    assert got["fields[0].items[3].rule.per"].startswith("đang để trống")
    assert "«khác»" in got["parts.khác"] and "«appraised», «survey»" in got["parts.khác"]
    for message in got.values():
        assert not re.search(r"\b(should|valid|Input|not a number|field required)\b", message), message


def test_checklist_and_proportional_parameters_are_checked():
    data = _mini()
    data["fields"][0]["items"][4]["rule"] = {"type": "checklist", "floor": "-1",
                                             "lines": [{"label": "a", "points": "0,25"}, {"label": "b", "points": 0}]}
    data["fields"][0]["items"][2]["rule"] = {"type": "proportional", "numerator": "a", "denominator": "b",
                                             "full_at": 120}
    with pytest.raises(FrameworkError) as err:
        parse_framework(data)
    got = {p.path: p.message for p in err.value.problems}
    assert got["fields[0].items[4].rule.floor"] == "điểm sàn -1 âm; ghi floor: 0"
    assert "0 điểm" in got["fields[0].items[4].rule.lines[1].points"]
    assert got["fields[0].items[4].rule.lines"].startswith("các nội dung cộng điểm cộng lại chỉ được 0,25 điểm")
    assert "full_at: 100" in got["fields[0].items[2].rule.full_at"]


def test_campaign_bands_get_the_same_gap_and_overlap_checks(tmp_path):
    campaign = make_campaign(tmp_path / "dot")
    config = campaign.root / "campaign.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "bands:\n"
                      "  - {label: Tốt, when: Đạt từ 90% trở lên}\n"
                      "  - {label: Khá, when: Từ 70% - 90%}\n"
                      "  - {label: Kém, when: Dưới 60% kế hoạch}\n", encoding="utf-8")
    with pytest.raises(CampaignError) as err:
        load_campaign(campaign.root)
    text = str(err.value)
    assert "có 2 lỗi" in text
    assert "mục «bands»: khoảng «từ 90% trở lên» và «từ 70% đến 90%» chồng lấn nhau" in text
    assert "mục «bands»: các khoảng không phủ kín từ 0% đến 100%" in text


@pytest.mark.libreoffice
def test_bands_on_points_in_the_master_recomputed_by_libreoffice(tmp_path, soffice):
    """The master's band formula reads the total (points) when the set says ``bands_on: points``; LibreOffice
    recomputes every figure and band to parxl's, and each band is the one its total falls in, by hand."""
    from parxl.master import write_master
    from parxl.results.compute import Source, UnitInput, consolidate

    from test_master import FULL, _check_against_parxl, poison_cached_values, recalculated
    from test_results import many_units

    c = many_units(tmp_path, 5)
    criteria = c.root / c.config.criteria
    data = yaml.safe_load(criteria.read_text(encoding="utf-8"))
    data["bands_on"] = "points"
    data["bands"] = [{"label": "Tốt", "when": "Từ 9 điểm trở lên"}, {"label": "Khá", "when": "Từ 8 - dưới 9 điểm"},
                     {"label": "Trung bình", "when": "Dưới 8 điểm"}]
    criteria.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    c = load_campaign(c.root)
    u = c.units
    src = lambda n: Source(f"{n:064x}", f"inbox/U00{n}.xlsx", f"2025-12-0{n}T10:00:00")  # noqa: E731
    inputs = [UnitInput(u[0], "ok", FULL, survey_scores={"2.1": D(2)}, source=src(1)),                 # 7 + 2 = 9
              UnitInput(u[1], "ok", FULL, survey_scores={"2.1": D("1.99")}, source=src(2)),            # 8,99
              UnitInput(u[2], "ok", {**FULL, "1.4": D(1)}, survey_scores={"2.1": D(2)}, source=src(3)),  # 8
              UnitInput(u[3], "ok", {**FULL, "1.4": D(1)}, survey_scores={"2.1": D("1.99")}, source=src(4))]  # 7,99
    results = consolidate(c, inputs, made_at="2025-12-20T08:15:00")
    bands = {r.unit.code: (r.total, r.band) for r in results.ranked}
    assert bands == {"U001": (D(9), "Tốt"), "U002": (D("8.99"), "Khá"), "U003": (D(8), "Khá"),
                     "U004": (D("7.99"), "Trung bình")}
    master = write_master(results, tmp_path / "out")
    poisoned = tmp_path / "poisoned" / master.name
    poisoned.parent.mkdir()
    poison_cached_values(master, poisoned)
    _check_against_parxl(recalculated(poisoned, tmp_path, soffice), results)
    # the decision states the bands in points, not in percent
    from parxl.documents.decision import decision_context
    whens = [b["when"] for b in decision_context(results)["bands"]]
    assert whens == ["từ 9 điểm trở lên", "từ 8 điểm đến dưới 9 điểm", "dưới 8 điểm"], whens


def test_a_key_written_twice_is_reported_with_its_line_in_sets_and_campaign_yaml(tmp_path):
    from parxl.criteria.framework import load_framework

    text = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    criteria = tmp_path / "bo.yaml"
    criteria.write_text(text.replace("total: 10\n", "total: 10\ntotal: 10\n"), encoding="utf-8")
    line = text.splitlines().index("total: 10") + 2  # the second «total», 1-based
    with pytest.raises(FrameworkError) as err:
        load_framework(criteria)
    (problem,) = err.value.problems
    assert problem.path == f"dòng {line}, cột 1" and "«total» được ghi hai lần" in problem.message

    campaign = make_campaign(tmp_path / "dot")
    config = campaign.root / "campaign.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "tie_rule: dense\nyear: một\n", encoding="utf-8")
    with pytest.raises(CampaignError) as err:
        load_campaign(campaign.root)
    text = str(err.value)
    assert "có 3 lỗi" in text  # both repeated keys and the bad year, at once
    assert "«tie_rule» được ghi hai lần" in text and "«year» được ghi hai lần" in text
    assert "mục «year»: «một» không phải là số nguyên" in text
