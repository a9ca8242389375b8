"""The rule registry: every part of parxl reads the registered rule types, so a new type is one class.

A toy rule type registered at test time goes through ``framework check``, ``generate``, a workbook
filled with openpyxl and recalculated by LibreOffice, parxl's reader and scoring; it is removed after.
Expected points are worked out by hand in the test, never by the toy's own code.
"""
from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Literal

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from parxl.cli import main
from parxl.core.numbers import ZERO, excel_number, quantize
from parxl.criteria.framework import FrameworkError, load_framework
from parxl.criteria.rules import (
    InputSpec,
    RuleType,
    guide_texts,
    parse_rule,
    readme_table,
    register,
    rule_title,
    rule_types,
    unregister,
)
from parxl.criteria.rules.base import number_of
from parxl.criteria.scoring import score_answers
from parxl.demo.simulate import answers_for
from parxl.intake.submission import read_submission
from parxl.intake.validation import validate
from parxl.workbook import layout
from parxl.workbook.build import build_workbook

from conftest import FIXTURES, make_campaign
from support.libreoffice import recalculate
from support.workbooks import cell_of

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ("binary", "levels", "ratio", "proportional", "count", "checklist", "manual", "survey")


class ToyProportional(RuleType):
    """Test only: points = max × min(done, planned) ÷ planned, rounded half-up; planned 0 gives max."""

    title = "Theo tỷ lệ hoàn thành (thử)"
    meaning = "điểm tối đa × số hoàn thành ÷ số kế hoạch"
    example = "937/1000 của 2 điểm → 1,87"
    guide = "Tiêu chí chấm theo tỷ lệ hoàn thành (thử): nhập số đã hoàn thành và số theo kế hoạch."

    type: Literal["toy_proportional"]
    done: str = "Số đã hoàn thành"
    planned: str = "Số theo kế hoạch"

    def inputs(self, max_points):
        return [InputSpec("done", self.done, "whole", minimum=ZERO),
                InputSpec("planned", self.planned, "whole", minimum=ZERO)]

    def score(self, values, max_points, decimals=2):
        n, d = number_of(values.get("done")), number_of(values.get("planned"))
        if n is None or d is None:
            return ZERO
        if d == 0:
            return max_points
        return quantize(max_points * min(n, d) / d, decimals)

    def formula(self, refs, max_points, decimals=2):
        n, d, m = refs["done"], refs["planned"], excel_number(max_points)
        return f'=IF(OR({n}="",{d}=""),0,IF({d}=0,{m},ROUND({m}*MIN({n},{d})/{d},{decimals})))'

    def example_answers(self, rng, max_points, good, diligence):
        planned = rng.randint(10, 100)
        return {"done": Decimal(planned if good else rng.randint(0, planned)), "planned": Decimal(planned)}


class ToyThreeInputs(RuleType):
    """Test only: a rule asking for one input more than the sheet has input columns."""

    title = "Ba số liệu (thử)"
    meaning = "ba số liệu"
    type: Literal["toy_three"]

    def inputs(self, max_points):
        return [InputSpec(k, k, "whole", minimum=ZERO) for k in ("a", "b", "c")]

    def score(self, values, max_points, decimals=2):
        return ZERO

    def formula(self, refs, max_points, decimals=2):
        return f"=0*{refs['a']}*{refs['b']}*{refs['c']}"


@pytest.fixture
def toy():
    """ToyProportional registered for one test, and removed after it whatever happens."""
    register(ToyProportional)
    try:
        yield ToyProportional
    finally:
        if "toy_proportional" in rule_types():
            unregister("toy_proportional")


def _criteria_with(path: Path, rule: dict) -> Path:
    """The mini criteria set with item 1.3 (max 2) scored by ``rule``."""
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    item = next(i for i in data["fields"][0]["items"] if i["code"] == "1.3")
    item["title"] = "Tỷ lệ nhiệm vụ hoàn thành"
    item["rule"] = rule
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _readme_rule_rows() -> dict[str, str]:
    """{type: title} read from README's rule table (the rows under «Cách chấm (`rule.type`)»)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("Cách chấm (`rule.type`):"):]
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+?) \|", block.split("\n\n")[1], flags=re.M)
    return dict(rows)


def test_builtin_rule_types_are_registered_in_order():
    assert rule_types() == BUILTIN


def test_readme_table_lists_exactly_the_registered_types_with_their_titles():
    assert _readme_rule_rows() == {name: rule_title(name) for name in rule_types()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_table() in readme, "README's rule table is out of date: paste readme_table() there"


def test_framework_check_prints_each_rule_types_title():
    result = CliRunner().invoke(main, ["framework", "check", str(FIXTURES / "mini.yaml")])
    assert result.exit_code == 0, result.output
    for title in ("Theo mức", "Đạt/Không đạt", "Theo tỷ lệ", "Theo số lần", "Chấm trực tiếp", "Điều tra XHH"):
        assert _squeeze(title) in _squeeze(result.output)


def test_an_unknown_rule_type_is_named_with_the_registered_ones(tmp_path):
    path = _criteria_with(tmp_path / "toy.yaml", {"type": "toy_proportional"})
    with pytest.raises(FrameworkError) as err:
        load_framework(path)
    (problem,) = err.value.problems
    assert problem.path == "fields[0].items[2].rule"
    assert problem.message == ("loại cách chấm «toy_proportional» không có; dùng: "
                               "binary, levels, ratio, proportional, count, checklist, manual, survey")


def test_an_error_under_a_part_named_like_a_rule_type_keeps_its_path():
    """«survey» is a part and a rule type: only a rule's type tag is dropped from the YAML path."""
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    data["parts"]["survey"]["max"] = "ba"
    with pytest.raises(FrameworkError) as err:
        from parxl.criteria.framework import parse_framework
        parse_framework(data)
    assert [(p.path, p.message) for p in err.value.problems] == [
        ("parts.survey.max", '«ba» không phải là số (viết số như 2 hoặc "0,25")')]


def test_a_wrong_number_in_a_rule_is_named_in_vietnamese_with_its_yaml_path(tmp_path):
    path = _criteria_with(tmp_path / "bad.yaml", {"type": "count", "label": "Số lần", "per": "nửa"})
    with pytest.raises(FrameworkError) as err:
        load_framework(path)
    assert [(p.path, p.message) for p in err.value.problems] == [
        ("fields[0].items[2].rule.per", '«nửa» không phải là số (viết số như 2 hoặc "0,25")')]


def test_register_refuses_a_taken_name_and_a_class_that_is_not_a_rule():
    class OtherBinary(ToyProportional):
        type: Literal["binary"]
    with pytest.raises(ValueError, match="already registered"):
        register(OtherBinary)
    with pytest.raises(TypeError):
        register(dict)  # type: ignore[arg-type]
    assert rule_types() == BUILTIN


def test_a_rule_with_more_inputs_than_input_columns_is_refused(tmp_path):
    register(ToyThreeInputs)
    try:
        path = _criteria_with(tmp_path / "three.yaml", {"type": "toy_three"})
        campaign = make_campaign(tmp_path / "dot", criteria=path)
        item = campaign.framework.item("1.3")
        with pytest.raises(ValueError, match="3 inputs"):
            layout.input_columns(item)
        with pytest.raises(ValueError, match="input columns"):
            build_workbook(campaign, campaign.units[0])
    finally:
        unregister("toy_three")


# (done, planned) and the points of a 2-point item, worked out by hand
TOY_CASES = [
    ((937, 1000), Decimal("1.87")),   # 2 × 0,937 = 1,874
    ((1, 3), Decimal("0.67")),        # 2 ÷ 3 = 0,666…
    ((5, 4), Decimal("2")),           # more than planned: capped at the max
    ((0, 0), Decimal("2")),           # nothing planned: the max
    ((0, 9), Decimal("0")),
    ((None, 7), Decimal("0")),        # blank: 0
    ((3, 8), Decimal("0.75")),
]


@pytest.mark.libreoffice
def test_a_rule_type_registered_at_test_time_runs_through_every_stage(toy, soffice, tmp_path):
    criteria = _criteria_with(tmp_path / "toy.yaml", {"type": "toy_proportional", "planned": "Số nhiệm vụ kế hoạch"})

    # framework check and schema
    result = CliRunner().invoke(main, ["framework", "check", str(criteria)])
    assert result.exit_code == 0, result.output
    assert _squeeze("Theo tỷ lệ hoàn thành (thử)") in _squeeze(result.output)
    schema = CliRunner().invoke(main, ["framework", "schema"])
    assert schema.exit_code == 0 and '"toy_proportional"' in schema.output
    assert parse_rule({"type": "toy_proportional"}) == ToyProportional(type="toy_proportional")

    # generate
    campaign = make_campaign(tmp_path / "dot", criteria=criteria)
    result = CliRunner().invoke(main, ["generate", str(campaign.root)])
    assert result.exit_code == 0, result.output
    (blank_path,) = [p for p in campaign.workbooks_dir.glob("*.xlsx") if p.name.startswith(campaign.units[0].code)]
    wb = openpyxl.load_workbook(blank_path)
    _, done_ref = cell_of(wb, layout.name_input("1.3", "done"))
    _, planned_ref = cell_of(wb, layout.name_input("1.3", "planned"))
    sheet, score_ref = cell_of(wb, layout.name_score("1.3"))
    n, d = done_ref, planned_ref
    assert wb[sheet][score_ref].value == f'=IF(OR({n}="",{d}=""),0,IF({d}=0,2,ROUND(2*MIN({n},{d})/{d},2)))'
    guide = " ".join(str(c.value) for row in wb[layout.SHEET_GUIDE].iter_rows() for c in row if c.value)
    assert "Tiêu chí chấm theo tỷ lệ hoàn thành (thử)" in guide
    assert "Tiêu chí chấm theo tỷ lệ: nhập tử số" not in guide  # the set has no ratio item left

    # filled with openpyxl as a unit would, recalculated by LibreOffice
    filled = tmp_path / "filled"
    filled.mkdir()
    paths = []
    for i, ((done, planned), _) in enumerate(TOY_CASES):
        wb = openpyxl.load_workbook(blank_path)
        wb[sheet][done_ref].value = done
        wb[sheet][planned_ref].value = planned
        ev_sheet, ev_ref = cell_of(wb, layout.name_evidence("1.3"))
        wb[ev_sheet][ev_ref].value = f"https://xa-mau.gov.vn/tlkc/{i}.pdf"
        paths.append(filled / f"case-{i}.xlsx")
        wb.save(paths[-1])
    recalculated = recalculate(paths, tmp_path / "recalculated", soffice=soffice)

    for path, ((done, planned), expected) in zip(recalculated, TOY_CASES):
        engine = openpyxl.load_workbook(path, data_only=True)[sheet][score_ref].value
        assert Decimal(str(engine or 0)) == expected, (done, planned, engine)

        # parxl's reader and validation read the LibreOffice file back
        report = validate(campaign, read_submission(path))
        item = report.items["1.3"]
        as_read = {"done": None if done is None else Decimal(done), "planned": Decimal(planned)}
        assert item.inputs == as_read
        assert item.score == expected
        assert Decimal(str(item.cached)) == expected
        assert report.status == "ok", [f.code for f in report.findings]

        # scoring of a unit's answers
        scores = score_answers(campaign.framework, {"1.3": as_read})
        assert scores.items["1.3"] == expected
        assert scores.subtotals["1"] == expected

    # the demo's simulated units answer the toy item too
    answers = answers_for(campaign.framework.item("1.3"), random.Random(1), 0.9)
    assert set(answers) == {"done", "planned"} and answers["done"] <= answers["planned"]
    assert guide_texts(["toy_proportional"]) == [ToyProportional.guide]


def test_the_toy_rule_type_is_gone_after_its_test(tmp_path):
    assert "toy_proportional" not in rule_types()
    with pytest.raises(FrameworkError):
        load_framework(_criteria_with(tmp_path / "toy.yaml", {"type": "toy_proportional"}))
