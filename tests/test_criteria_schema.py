"""``parxl framework schema`` prints a JSON Schema that the bundled criteria sets (and the test sets using
every rule type and key, the new ones included) satisfy, and that still refuses what parxl refuses.
Oracle: the ``jsonschema`` validator, run on the command's own output."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from parxl.cli import main
from parxl.core.resources import bundled_criteria
from parxl.criteria.framework import load_framework

from conftest import FIXTURES

HERE = Path(__file__).parent
TEST_SETS = [FIXTURES / "real-rules.yaml", FIXTURES / "mini.yaml", HERE / "support" / "boundary.yaml"]


@pytest.fixture(scope="module")
def validator():
    result = CliRunner().invoke(main, ["framework", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", [*bundled_criteria().values(), *TEST_SETS], ids=lambda p: Path(p).name)
def test_every_set_parxl_accepts_validates(validator, path):
    load_framework(path)  # parxl accepts it …
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(data)]
    assert errors == []  # … and so does the schema


def test_the_test_sets_use_every_rule_type_and_the_new_keys():
    text = "\n".join(p.read_text(encoding="utf-8") for p in TEST_SETS)
    for needle in ("type: proportional", "type: checklist", "inputs: decimal", "full_at", "floor: 0",
                   "type: ratio", "type: levels", "type: binary", "type: count", "type: manual", "type: survey"):
        assert needle in text, needle


def test_the_schema_still_refuses_what_parxl_refuses(validator):
    data = yaml.safe_load((FIXTURES / "real-rules.yaml").read_text(encoding="utf-8"))
    bad = copy.deepcopy(data)
    bad["fields"][0]["items"][0]["max"] = "một"
    bad["fields"][0]["items"][1]["rule"]["type"] = "tỷ lệ"
    bad["fields"][0]["items"][2]["rule"]["inputs"] = "thập phân"
    bad["fields"][0]["items"][3]["rule"]["lines"][0]["points"] = "0,25 điểm"
    bad["fields"][0]["colour"] = "xanh"
    paths = {tuple(e.absolute_path) for e in validator.iter_errors(bad)}
    assert ("fields", 0, "items", 0, "max") in paths
    assert ("fields", 0, "items", 1, "rule") in paths or ("fields", 0, "items", 1, "rule", "type") in paths
    assert ("fields", 0, "items", 2, "rule") in paths or ("fields", 0, "items", 2, "rule", "inputs") in paths
    assert any(p[:5] == ("fields", 0, "items", 3, "rule") for p in paths)
    assert ("fields", 0) in paths  # the unknown key
