"""A criteria set parsed by libyaml (the fast path of ``load_framework``) gives what PyYAML's own Python
loader gives, and every problem is still told with the Python loader's words, line and column.

Oracle: ``criteria.messages.load_yaml`` (the pure-Python loader) on the same text; a key written twice and a
syntax error are placed by hand (the line and column where they were written).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from parxl.criteria import loader
from parxl.criteria.loader import load_framework
from parxl.criteria.messages import FrameworkError, load_yaml

ROOT = Path(__file__).resolve().parents[1]
SETS = sorted(ROOT.glob("samples/*/criteria*.yaml")) + sorted(ROOT.glob("parxl/**/*.yaml"))


@pytest.mark.parametrize("path", SETS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_reads_the_same_through_libyaml(path):
    text = path.read_text(encoding="utf-8-sig")
    assert loader._load_yaml_fast(text) == load_yaml(text)


def test_a_key_written_twice_is_placed_as_the_python_loader_places_it(tmp_path):
    text = (ROOT / "samples/kinh-mon-2025/criteria.yaml").read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line and not line.startswith((" ", "#")))
    key = lines[first].split(":")[0]
    doubled = "\n".join([*lines[:first + 1], *lines[first:]]) + "\n"  # the same top-level line twice
    data, problems = loader._load_yaml_fast(doubled)
    assert (data, problems) == load_yaml(doubled)
    assert [p.path for p in problems] == [f"dòng {first + 2}, cột 1"] and f"«{key}»" in problems[0].message
    (tmp_path / "c.yaml").write_text(doubled, encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(tmp_path / "c.yaml")
    assert info.value.problems[0].path == f"dòng {first + 2}, cột 1"


def test_a_syntax_error_is_told_by_the_python_loader(tmp_path):
    bad = "name: a\nfields:\n  - code: 1\n   title: b\n"  # «title» indented one space off
    with pytest.raises(Exception) as want:
        load_yaml(bad)
    with pytest.raises(type(want.value)) as got:
        loader._load_yaml_fast(bad)
    assert str(got.value) == str(want.value)
    (tmp_path / "c.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        load_framework(tmp_path / "c.yaml")
    assert info.value.problems[0].path.startswith("dòng 4")
