"""A criteria set's own block: an id and a title (``block: co-quan-tw``, ``block_title: …``)."""
from __future__ import annotations

import io

import openpyxl
import pytest
import yaml

from parxl.criteria.framework import FrameworkError, parse_framework
from parxl.results.compute import UnitInput, consolidate
from parxl.workbook import layout
from parxl.workbook.build import build_workbook

from conftest import FIXTURES, make_campaign

TITLE = "Cơ quan Trung ương đóng trên địa bàn"
UNITS = "Mã,Tên đơn vị,Loại\nTW01,Kho bạc Nhà nước khu vực,Cơ quan TW\nTW02,Chi cục Thuế khu vực,Cơ quan TW\n"


def _data(**changes) -> dict:
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    data.update(block="co-quan-tw", block_title=TITLE, **changes)
    return data


def test_an_own_block_needs_its_title():
    assert parse_framework(_data()).block_title == TITLE
    data = _data()
    data.pop("block_title")
    with pytest.raises(FrameworkError) as exc:
        parse_framework(data)
    assert [p.path for p in exc.value.problems] == ["block_title"]
    assert parse_framework({**_data(), "block": "so", "block_title": None}).block_title == "cấp sở"


def test_the_campaign_names_the_block_everywhere(tmp_path):
    from parxl.documents.decision import decision_context
    from parxl.master import write_master

    path = tmp_path / "tw.yaml"
    path.write_text(yaml.safe_dump(_data(), allow_unicode=True), encoding="utf-8")
    c = make_campaign(tmp_path / "c", criteria=path, units_csv=UNITS)
    assert c.config.block == "co-quan-tw"
    guide = openpyxl.load_workbook(io.BytesIO(build_workbook(c, c.units[0])))[layout.SHEET_GUIDE]
    assert any(f"khối {TITLE}" in str(cell.value) for cell in guide["A"])
    results = consolidate(c, [UnitInput(u, "ok", {"1.1": 1}) for u in c.units], made_at="2025-12-20T08:15:00")
    ranking = openpyxl.load_workbook(write_master(results, tmp_path / "out"))["Xếp hạng"]
    assert ranking["A1"].value.endswith(f"– KHỐI {TITLE.upper()}")
    ctx = decision_context(results)
    assert ctx["heads_phrase"] == "Thủ trưởng các cơ quan, đơn vị" and ctx["units_phrase"] == "các cơ quan, đơn vị"
