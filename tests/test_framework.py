"""Loading criteria sets: the bundled sets check, and every kind of problem is reported with its path."""
import copy
import json
from pathlib import Path

import pytest
import yaml

from parxl.criteria.framework import FrameworkError, load_framework, parse_framework

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATES = Path(__file__).parent.parent / "templates" / "criteria"


@pytest.fixture
def data():
    return yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))


def problems(data):
    with pytest.raises(FrameworkError) as info:
        parse_framework(data)
    return [(p.path, p.message) for p in info.value.problems]


def test_mini_loads_with_inherited_attributes(mini_criteria):
    fw = load_framework(mini_criteria)
    item = fw.item("1.3")
    assert item.part == "appraised" and item.appraiser == "Phòng Nội vụ" and item.evidence_required
    assert fw.item("2.1").part == "survey" and not fw.item("2.1").evidence_required
    assert [i.kind for i in fw.items if i.kind != "regular"] == ["bonus", "penalty"]
    assert len(fw.fingerprint) == 64


def test_fingerprint_changes_with_content(data):
    a = parse_framework(data).fingerprint
    changed = copy.deepcopy(data)
    changed["fields"][0]["items"][0]["title"] += " (sửa)"
    assert parse_framework(changed).fingerprint != a
    assert parse_framework(copy.deepcopy(data)).fingerprint == a


def test_three_problems_all_reported_with_paths(data):
    data["fields"][0]["items"][1]["max"] = 2            # 1 + 2 + 2 + 2 + 1 != 7
    data["bands"][1]["when"] = "từ 80% đến 90%"         # overlaps "từ 90% trở lên"
    data["fields"][0]["items"][2]["code"] = "1.1"        # duplicate code
    found = problems(data)
    paths = [p for p, _ in found]
    assert "fields[0].max" in paths
    assert "bands" in paths and any("chồng lấn" in m for p, m in found if p == "bands")
    assert "fields[0].items[2].code" in paths and any("bị trùng" in m for _, m in found)


@pytest.mark.parametrize("mutate, path, words", [
    (lambda d: d["fields"][0]["items"][0].update(code="2.1"), "fields[0].items[0].code", "phải có dạng 1.N"),
    (lambda d: d["fields"][1].update(code="B"), "fields[1].code", "phải là một số"),
    (lambda d: d.update(total=99), "total", "tổng điểm các lĩnh vực"),
    (lambda d: d["parts"]["appraised"].update(max=8), "parts", "khác tổng điểm"),
    (lambda d: d["bands"].pop(3), "bands", "không phủ kín"),
    (lambda d: d["bands"][1].update(label="Tốt"), "bands[1].label", "bị trùng"),
    (lambda d: d["fields"][0]["items"][0]["rule"]["options"].append({"label": "Ban hành kịp thời", "points": 0}),
     "fields[0].items[0].rule.options[3].label", "bị trùng"),
    (lambda d: d["fields"][0]["items"][2]["rule"]["bands"][0].update(points=3),
     "fields[0].items[2].rule.bands[0].points", "lớn hơn điểm tối đa"),
    (lambda d: d["fields"][0]["items"][1].pop("rule"), "fields[0].items[1].rule", "cần cách chấm"),
    (lambda d: d["fields"][0].update(rule={"type": "binary"}), "fields[0].rule", "không được có cách chấm"),
    (lambda d: d["fields"][1]["items"][0].update(rule={"type": "binary"}), "fields[1].items[0].rule", "phải là survey"),
    (lambda d: d["fields"][0]["items"][4].update(max="0,125"), "fields[0].items[4].max", "chữ số thập phân"),
    (lambda d: d["fields"][0]["items"][4].update(max=0), "fields[0].items[4].max", "lớn hơn 0"),
    (lambda d: d.update(valid_to=2020), "valid_to", "trước năm bắt đầu"),
    (lambda d: d["penalty"][0].update(code="T1"), "penalty[0].code", "bị trùng"),
])
def test_semantic_problems(data, mutate, path, words):
    mutate(data)
    found = problems(data)
    assert any(p == path and words in m for p, m in found), found


@pytest.mark.parametrize("mutate, path, words", [
    (lambda d: d["fields"][0]["items"][0]["rule"].update(type="bogus"), "fields[0].items[0].rule", "không có"),
    (lambda d: d["fields"][0].pop("title"), "fields[0].title", "thiếu"),
    (lambda d: d.update(colour="red"), "colour", "không được phép"),
    (lambda d: d["fields"][0].update(max="bảy"), "fields[0].max", "bảy"),
    (lambda d: d["fields"][0]["items"][2]["rule"]["bands"][0].update(when="hơn chín mươi"), "fields[0].items[2].rule.bands[0].when", "không đọc được"),
    (lambda d: d.update(block="Cấp tỉnh"), "block", "không dấu"),  # an own block id is lower-case ASCII
])
def test_structural_problems(data, mutate, path, words):
    mutate(data)
    found = problems(data)
    assert any(p == path and words in m for p, m in found), found


def test_structural_problems_are_all_collected(data):
    data["fields"][0].pop("title")
    data["fields"][1]["items"][0]["rule"]["type"] = "bogus"
    data["extra"] = 1
    assert len(problems(data)) == 3


def test_yaml_syntax_error_names_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nfields: [\n  - a\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(bad)
    assert info.value.problems[0].path.startswith("dòng ")


def test_classify_reads_band_words(mini_criteria):
    from decimal import Decimal as D
    fw = load_framework(mini_criteria)
    assert [fw.classify(D(v)) for v in ("90", "89.99", "80", "50", "49.99", "0", "100")] == [
        "Tốt", "Khá", "Khá", "Trung bình", "Yếu", "Yếu", "Tốt"]


@pytest.mark.parametrize("name", ["xa-mau-2025.yaml", "so-mau-2025.yaml"])
def test_bundled_sets_check(name):
    fw = load_framework(TEMPLATES / name)
    assert fw.model.sample and fw.total == 100
    assert sum(fw.part_max(p) for p in fw.model.parts) == 100


def test_commune_set_shape():
    fw = load_framework(TEMPLATES / "xa-mau-2025.yaml")
    assert fw.model.block == "xa" and len(fw.fields) == 8
    assert fw.part_max("appraised") == 70 and fw.part_max("survey") == 30
    assert len(fw.regular_items) >= 40
    assert {i.rule.type for i in fw.items} == {"binary", "levels", "ratio", "count", "manual", "survey"}


def test_department_set_differs():
    xa = load_framework(TEMPLATES / "xa-mau-2025.yaml")
    so = load_framework(TEMPLATES / "so-mau-2025.yaml")
    assert so.model.block == "so"
    assert (len(so.fields), so.part_max("appraised")) != (len(xa.fields), xa.part_max("appraised"))


def test_json_schema_describes_rules():
    from parxl.criteria.framework import CriteriaSet
    schema = json.dumps(CriteriaSet.model_json_schema(), ensure_ascii=False)
    for rule_type in ("binary", "levels", "ratio", "count", "manual", "survey"):
        assert f'"{rule_type}"' in schema


@pytest.mark.parametrize("kind, code, words", [
    ("bonus", "T 1", "không có dấu cách"),
    ("bonus", "T-1", "chữ cái không dấu và chữ số"),
    ("penalty", "Đ1", "chữ cái không dấu và chữ số"),
    ("penalty", "D1.", "chữ cái không dấu và chữ số"),
    ("bonus", "T" * 31, "quá 30 ký tự"),
    ("penalty", "t1", "không phân biệt chữ hoa, chữ thường"),
])
def test_bonus_and_penalty_codes_generate_cannot_use_are_framework_problems(data, kind, code, words):
    data[kind][0]["code"] = code
    found = problems(data)
    assert [p for p, m in found if words in m] == [f"{kind}[0].code"], found


def test_every_bonus_and_penalty_code_framework_accepts_generates_without_warnings(tmp_path, data):
    import warnings

    from conftest import make_campaign
    from parxl.workbook.stamping import generate
    from parxl.intake.submission import read_submission
    from parxl.intake.validation import validate

    data["bonus"][0]["code"] = "T1.2"
    data["bonus"].append(dict(data["bonus"][0], code="Tx" + "9" * 28))
    data["penalty"][0]["code"] = "d7"
    parse_framework(copy.deepcopy(data))  # accepted
    criteria = tmp_path / "criteria.yaml"
    criteria.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    campaign = make_campaign(tmp_path / "c", criteria=criteria)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        [first, *_] = generate(campaign, lambda *_: None)
    report = validate(campaign, read_submission(first.read_bytes(), name="inbox/" + first.name))
    assert not [f for f in report.findings if f.severity == "error"]
