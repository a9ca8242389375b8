"""results.consolidate against an independent computation: index, rank, band, ties, survey, missing policy.

The expected figures are computed here from item scores with plain
fractions and hard-coded thresholds of tests/fixtures/mini.yaml (total 10 =
7 appraised + 3 survey; bands 90 / 80 / 50), not with results.py helpers.
"""
from __future__ import annotations

import random
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from parxl.campaign.folder import Campaign, load_campaign
from parxl.campaign.units import Unit
from parxl.results.compute import UnitInput, consolidate

from conftest import make_campaign

APPRAISED = {"1.1": 1, "1.2": 1, "1.3": 2, "1.4": 2, "1.5": 1}  # item -> max
SURVEY_MAX, BONUS, PENALTY = 3, "T1", "D1"


def configure(campaign: Campaign, **changes) -> Campaign:
    """Change campaign.yaml as a clerk would, and load the campaign again."""
    path = campaign.root / "campaign.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_campaign(campaign.root)


def many_units(tmp_path: Path, n: int, **changes) -> Campaign:
    csv = "Mã,Tên đơn vị,Loại\n" + "".join(f"U{i:03d},Xã Số {i},Xã\n" for i in range(1, n + 1))
    c = make_campaign(tmp_path / "c", units_csv=csv)
    return configure(c, **changes) if changes else c


def round_half_up(x: Fraction, places: int = 2) -> Fraction:
    scale = 10 ** places
    return Fraction(int(x * scale + Fraction(1, 2)), scale)  # x >= 0 here


def expected_total(scores: dict[str, D], survey: D | None, survey_held: bool = True) -> tuple[Fraction, Fraction]:
    """(total, index) the way the criteria set's words say it, in exact fractions."""
    appraised = sum(Fraction(scores.get(code, 0)) for code in APPRAISED)
    adjust = Fraction(scores.get(BONUS, 0)) - Fraction(scores.get(PENALTY, 0))
    if survey_held:
        raw, top = appraised + Fraction(survey or 0) + adjust, 10
    else:
        raw, top = appraised + adjust, 7
    total = min(max(raw, Fraction(0)), Fraction(top))
    return total, round_half_up(total * 100 / top)


def expected_band(index: Fraction) -> str:
    return "Tốt" if index >= 90 else "Khá" if index >= 80 else "Trung bình" if index >= 50 else "Yếu"


def expected_ranks(indexes: dict[str, Fraction], dense: bool = False) -> dict[str, int]:
    distinct = sorted(set(indexes.values()), reverse=True)
    if dense:
        return {code: distinct.index(v) + 1 for code, v in indexes.items()}
    return {code: 1 + sum(1 for other in indexes.values() if other > v) for code, v in indexes.items()}


def random_scores(rng: random.Random) -> dict[str, D]:
    scores = {code: D(rng.randint(0, top * 4)) / 4 for code, top in APPRAISED.items()}
    scores[BONUS] = D(rng.choice([0, 1]))
    scores[PENALTY] = D(rng.choice([0, 0, 1]))
    return scores


@pytest.mark.parametrize("seed", range(6))
def test_index_rank_band_agree_with_an_independent_computation(tmp_path, seed):
    rng = random.Random(seed)
    c = many_units(tmp_path, 25)
    inputs, expected = [], {}
    for unit in c.units:
        scores = random_scores(rng)
        survey = D(rng.randint(0, 300)) / 100
        inputs.append(UnitInput(unit, "ok", scores, survey_scores={"2.1": survey}))
        expected[unit.code] = expected_total(scores, survey)
    results = consolidate(c, inputs)
    ranks = expected_ranks({code: idx for code, (_, idx) in expected.items()})
    for u in results.units:
        total, index = expected[u.unit.code]
        assert (Fraction(u.total), Fraction(u.index)) == (total, index), u.unit.code
        assert u.rank == ranks[u.unit.code], u.unit.code
        assert u.band == expected_band(index), u.unit.code
    assert [u.rank for u in results.ranked] == sorted(ranks.values())


def _fixed(c: Campaign, indexes_in_tenths: list[int]) -> list[UnitInput]:
    """Units whose appraised points give the index wanted (manual item 1.5 carries the rest)."""
    out = []
    for unit, tenths in zip(c.units, indexes_in_tenths):
        points = D(tenths) / 100  # an index of 80,0 % is 8 points of 10
        scores = {"1.1": min(points, D(1)), "1.2": D(0)}
        rest = points - scores["1.1"]
        scores.update({"1.3": min(rest, D(2))})
        rest -= scores["1.3"]
        scores.update({"1.4": min(rest, D(2))})
        rest -= scores["1.4"]
        scores.update({"1.2": min(rest, D(1))})
        rest -= scores["1.2"]
        scores.update({"1.5": min(rest, D(1))})
        rest -= scores["1.5"]
        out.append(UnitInput(unit, "ok", scores, survey_scores={"2.1": rest}))
    return out


@pytest.mark.parametrize("rule, ranks", [("competition", [1, 2, 2, 4, 5]), ("dense", [1, 2, 2, 3, 4])])
def test_ties(tmp_path, rule, ranks):
    c = many_units(tmp_path, 5, tie_rule=rule)
    results = consolidate(c, _fixed(c, [950, 900, 900, 850, 400]))
    assert [(u.unit.code, u.index) for u in results.ranked] == [
        ("U001", D("95.00")), ("U002", D("90.00")), ("U003", D("90.00")), ("U004", D("85.00")), ("U005", D("40.00"))]
    assert [u.rank for u in results.ranked] == ranks
    assert [u.band for u in results.ranked] == ["Tốt", "Tốt", "Tốt", "Khá", "Yếu"]


def test_band_boundaries_are_read_as_written(tmp_path):
    c = many_units(tmp_path, 4)
    results = consolidate(c, _fixed(c, [900, 899, 800, 500]))
    assert [u.band for u in results.units] == ["Tốt", "Khá", "Khá", "Trung bình"]


def test_campaign_bands_replace_the_criteria_sets(tmp_path):
    c = many_units(tmp_path, 2, bands=[{"label": "Từ 85% trở lên", "when": "từ 85% trở lên"},
                                       {"label": "Dưới 85%", "when": "dưới 85%"}])
    results = consolidate(c, _fixed(c, [850, 849]))
    assert [u.band for u in results.units] == ["Từ 85% trở lên", "Dưới 85%"]
    assert results.band_counts() == {"Từ 85% trở lên": 1, "Dưới 85%": 1}


def test_without_survey_results_survey_points_count_as_zero(tmp_path):
    c = many_units(tmp_path, 1)
    scores = {"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D(2), "1.5": D(1)}
    results = consolidate(c, [UnitInput(c.units[0], "ok", scores)])
    u = results.units[0]
    assert (u.survey_points, u.total, u.index, u.band) == (D(0), D(7), D("70.00"), "Trung bình")
    assert results.has_survey is False


def test_survey_not_held_scales_the_appraised_part_to_100(tmp_path):
    c = many_units(tmp_path, 3, survey_held=False)
    cases = [
        {"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D("1.5"), "1.5": D("0.75")},    # 6.25 / 7
        {"1.1": D("0.5"), "1.2": D(1), "1.3": D(2), "1.4": D(2), "1.5": D(1), BONUS: D(1)},  # capped at 7
        {"1.1": D(1), "1.2": D(0), "1.3": D(1), "1.4": D(1), "1.5": D("0.25"), PENALTY: D(1)},
    ]
    inputs = [UnitInput(unit, "ok", s, survey_scores={"2.1": D(3)}) for unit, s in zip(c.units, cases)]
    results = consolidate(c, inputs)
    for u, scores in zip(results.units, cases):
        total, index = expected_total(scores, None, survey_held=False)
        assert (Fraction(u.total), Fraction(u.index)) == (total, index)
        assert u.survey_points == 0  # a survey result is ignored when the campaign holds none
    assert [u.index for u in results.units] == [D("89.29"), D("100.00"), D("32.14")]
    assert [u.rank for u in results.units] == [2, 1, 3]


def test_appraisal_replaces_self_assessment_item_by_item(tmp_path):
    c = many_units(tmp_path, 1)
    own = {"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D(2), "1.5": D(1)}
    results = consolidate(c, [UnitInput(c.units[0], "ok", own, appraised_scores={"1.3": D(1), "1.5": D("0.5")},
                                        survey_scores={"2.1": D("2.5")})])
    u = results.units[0]
    assert u.self_total == D(7)
    assert u.appraised_total == D("5.5")
    assert (u.items["1.3"].self_score, u.items["1.3"].appraised, u.items["1.3"].final) == (D(2), D(1), D(1))
    assert u.items["1.1"].final == D(1)
    assert (u.total, u.index) == (D(8), D("80.00"))
    assert u.field_index == {"1": D("78.57"), "2": D("83.33")}
    assert results.has_appraisal


@pytest.mark.parametrize("policy", ["exclude", "score_readable"])
def test_units_with_errors_follow_the_missing_policy(tmp_path, policy):
    c = many_units(tmp_path, 4, missing_policy=policy)
    full = {"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D(2), "1.5": D(1)}
    inputs = [
        UnitInput(c.units[0], "ok", {**full, "1.5": D(0)}, survey_scores={"2.1": D(2)}),   # 8
        UnitInput(c.units[1], "errors", full, survey_scores={"2.1": D(3)}, error_count=2),  # 10, but errors
        UnitInput(c.units[2], "ok", {**full, "1.3": D(0)}, survey_scores={"2.1": D(1)}),   # 6
        # U004 sent nothing
    ]
    results = consolidate(c, inputs)
    by = {u.unit.code: u for u in results.units}
    assert by["U004"].status == "missing" and by["U004"].rank is None and by["U004"].total is None
    if policy == "exclude":
        assert by["U002"].status == "rejected" and by["U002"].rank is None and by["U002"].index is None
        assert "2 lỗi" in by["U002"].note and "không xếp hạng" in by["U002"].note
        assert [(u.unit.code, u.rank) for u in results.ranked] == [("U001", 1), ("U003", 2)]
    else:
        assert by["U002"].status == "ranked" and by["U002"].index == D("100.00")
        assert "chấm trên phần đọc được" in by["U002"].note
        assert [(u.unit.code, u.rank) for u in results.ranked] == [("U002", 1), ("U001", 2), ("U003", 3)]
    assert {u.unit.code for u in results.unranked} == ({"U002", "U004"} if policy == "exclude" else {"U004"})


def test_inputs_for_units_outside_the_list_are_ignored(tmp_path):
    c = many_units(tmp_path, 1)
    stranger = UnitInput(Unit("ZZ9", "Xã Lạ", "Xã"), "ok", {"1.1": D(1)})
    results = consolidate(c, [stranger])
    assert [(u.unit.code, u.status) for u in results.units] == [("U001", "missing")]
    assert results.ranked == []
