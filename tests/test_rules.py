"""Every rule type at and around every boundary, in exact Decimal arithmetic."""
from decimal import Decimal as D

import pytest
from pydantic import TypeAdapter

from parxl.core.numbers import parse_text_number, quantize, vi_number
from parxl.criteria.rules import Rule

RULE = TypeAdapter(Rule)


def rule(**kw):
    return RULE.validate_python(kw)


RATIO = rule(type="ratio", numerator="Số hồ sơ đúng hạn", denominator="Tổng số hồ sơ", bands=[
    {"when": "trên 90%", "points": 2},
    {"when": "từ 70% đến 90%", "points": 1},
    {"when": "dưới 70%", "points": 0}])

HALF_OPEN = rule(type="ratio", numerator="a", denominator="b", zero_denominator="0,5", bands=[
    {"when": "từ 90% trở lên", "points": 2},
    {"when": "từ 70% đến dưới 90%", "points": "1,5"},
    {"when": "từ 33,3% đến dưới 70%", "points": 1},
    {"when": "dưới 33,3%", "points": 0}])


@pytest.mark.parametrize("n, d, expected", [
    (91, 100, D(2)), (90, 100, D(1)),          # "trên 90%": 90 itself is not above
    (9, 10, D(1)), (70, 100, D(1)),            # "từ 70% đến 90%": both ends in
    (69, 100, D(0)), (699, 1000, D(0)),        # "dưới 70%"
    (901, 1000, D(2)), (0, 5, D(0)),
    (0, 0, D(2)),                              # nothing to process: full points
    (None, 10, D(0)), (5, None, D(0)),         # blank inputs score nothing
])
def test_ratio_boundaries(n, d, expected):
    values = {"numerator": None if n is None else D(n), "denominator": None if d is None else D(d)}
    assert RATIO.score(values, D(2)) == expected


@pytest.mark.parametrize("n, d, expected", [
    (9, 10, D(2)), (899, 1000, D("1.5")), (7, 10, D("1.5")), (699, 1000, D(1)),
    (333, 1000, D(1)), (332, 1000, D(0)), (1, 3, D(1)),  # 33,33…% is at least 33,3%
    (0, 0, D("0.5")),
])
def test_ratio_half_open_and_decimal_boundaries(n, d, expected):
    assert HALF_OPEN.score({"numerator": D(n), "denominator": D(d)}, D(2)) == expected


def test_ratio_formula_compares_in_integers():
    formula = HALF_OPEN.formula({"numerator": "D7", "denominator": "E7"}, D(2))
    assert formula.startswith('=IF(OR(D7="",E7=""),0,IF(E7=0,0.5,')
    assert "D7*1000>=900*E7" in formula and "D7*1000>=333*E7" in formula and "D7*1000<333*E7" in formula


def test_binary():
    r = rule(type="binary")
    assert r.score({"choice": "Đạt"}, D(1)) == D(1)
    assert r.score({"choice": "đạt"}, D(1)) == D(1)  # Excel's = ignores case
    assert r.score({"choice": "Không đạt"}, D(1)) == D(0)
    assert r.score({"choice": None}, D(1)) == D(0)
    assert r.score({"choice": "Đạt "}, D(1)) == D(0)  # Excel does not trim
    assert r.formula({"choice": "D5"}, D("1.5")) == '=IF(D5="Đạt",1.5,0)'


def test_levels_each_option_blank_and_foreign_text():
    r = rule(type="levels", options=[
        {"label": "Ban hành kịp thời", "points": 1},
        {"label": "Ban hành không kịp thời", "points": "0,5"},
        {"label": 'Không "ban hành"', "points": 0}])
    assert [r.score({"choice": o}, D(1)) for o in ("Ban hành kịp thời", "Ban hành không kịp thời", 'Không "ban hành"')] == [D(1), D("0.5"), D(0)]
    assert r.score({}, D(1)) == D(0)
    assert r.score({"choice": "Có ban hành"}, D(1)) == D(0)
    assert '"Không ""ban hành"""' in r.formula({"choice": "D5"}, D(1))


@pytest.mark.parametrize("count, expected", [(0, "2.00"), (1, "1.50"), (3, "0.50"), (4, "0.00"), (9, "0.00"), (None, "0")])
def test_deduction_floor(count, expected):
    r = rule(type="count", label="Số báo cáo chậm", per="-0,5")
    assert r.score({"count": None if count is None else D(count)}, D(2)) == D(expected)


def test_award_per_occurrence_capped():
    r = rule(type="count", label="Số sáng kiến", per="0,25", cap="0,5")
    assert [r.score({"count": D(c)}, D(1)) for c in (0, 1, 2, 3)] == [D(0), D("0.25"), D("0.5"), D("0.5")]
    assert r.formula({"count": "D9"}, D(1)) == '=IF(D9="",0,ROUND(MIN(0.5,MAX(0,0+(0.25)*D9)),2))'


@pytest.mark.parametrize("typed, expected", [("0", "0"), ("0.25", "0.25"), ("1", "1"), ("1.5", "1"), ("-1", "0"), (None, "0"), ("0.125", "0.13")])
def test_manual_clamped_and_rounded_half_up(typed, expected):
    r = rule(type="manual", step="0,25")
    assert r.score({"score": None if typed is None else D(typed)}, D(1)) == D(expected)
    assert r.on_step(D("0.75")) and not r.on_step(D("0.3"))


def test_survey_never_from_unit():
    r = rule(type="survey")
    assert not r.self_scored and r.inputs(D(3)) == [] and r.formula({}, D(3)) is None
    assert r.score({"choice": "Đạt"}, D(3)) == D(0)
    # A/B/C/D = 100/60/20/0 %: 10 answers, 5 A, 5 B -> 80 % of 3 = 2,4
    assert r.score_answers({"A": 5, "B": 5}, D(3)) == D("2.40")
    assert r.score_answers({}, D(3)) == D(0)


def test_decimal_sums_are_exact():
    assert D("0.1") + D("0.2") == D("0.3")
    assert quantize(D("0.125")) == D("0.13") and quantize(D("0.135")) == D("0.14")  # half-up, not banker's
    assert quantize(D("2.675")) == D("2.68")


@pytest.mark.parametrize("text, value", [("1,5", "1.5"), ("1.234,5", "1234.5"), ("12", "12"), ("0,1", "0.1"),
                                         ("12.5", "12.5"), (" 3 ", "3"), ("90%", "90"), ("abc", None), ("1,2,3", None), ("", None)])
def test_text_numbers(text, value):
    parsed = parse_text_number(text)
    assert (parsed is None and value is None) or parsed == D(value)


def test_vietnamese_number_format():
    assert vi_number(D("1234.5")) == "1.234,5"
    assert vi_number(D("87.125"), 2) == "87,13"


@pytest.mark.parametrize("params, message", [
    ({"type": "levels", "options": [{"label": "A", "points": 1}, {"label": "a", "points": 0}]}, "bị trùng"),
    ({"type": "levels", "options": [{"label": "A", "points": 3}, {"label": "B", "points": 0}]}, "lớn hơn điểm tối đa"),
    ({"type": "ratio", "numerator": "a", "denominator": "b", "bands": [{"when": "trên 50%", "points": 2}, {"when": "dưới 50%", "points": 0}]}, "bỏ sót: 50%"),
    ({"type": "ratio", "numerator": "a", "denominator": "b", "bands": [{"when": "từ 50%", "points": 2}, {"when": "từ 0% đến 50%", "points": 0}]}, "chồng lấn"),
    ({"type": "manual", "step": "0,3"}, "không chia hết"),
    ({"type": "count", "label": "x", "per": 0}, "bằng 0"),
])
def test_rule_parameter_problems(params, message):
    problems = rule(**params).problems(D(2), 2)
    assert any(message in msg for _, msg in problems), problems
