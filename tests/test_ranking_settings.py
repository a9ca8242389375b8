"""Units evaluated but not ranked («Xếp hạng: Không» in the units list) and tie_break in campaign.yaml.

Oracles by hand on the mini set (appraised 7 points, survey 3, total 10).
"""
from __future__ import annotations

from decimal import Decimal as D

import pytest
import yaml

from parxl.campaign.folder import load_campaign
from parxl.campaign.units import load_units
from parxl.core.errors import UnitsError
from parxl.results.compute import UnitInput, consolidate

from conftest import make_campaign

FULL = {"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D(2), "1.5": D(1)}
UNITS = ("Mã,Tên đơn vị,Loại,Xếp hạng\n"
         "X01,Phường An Lưu,Phường,Có\n"
         "X02,Xã Lê Ninh,Xã,\n"
         "X03,Công an tỉnh,Cơ quan TW,Không\n"
         "X04,Phường Hiệp An,Phường,x\n")


def test_the_units_list_may_say_who_is_not_ranked(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(UNITS, encoding="utf-8")
    assert [(u.code, u.ranked) for u in load_units(path)] == [("X01", True), ("X02", True), ("X03", False), ("X04", True)]
    path.write_text(UNITS.replace("Không", "Chưa"), encoding="utf-8")
    with pytest.raises(UnitsError, match="dòng 4: cột «Xếp hạng» ghi «Chưa»"):
        load_units(path)


def _campaign(tmp_path, **config):
    c = make_campaign(tmp_path / "c", units_csv=UNITS)
    if config:
        path = c.root / "campaign.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(config)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        c = load_campaign(c.root)
    return c


def _inputs(c, scores: dict[str, tuple[dict, D]]):
    return [UnitInput(c.unit(code), "ok", s, survey_scores={"2.1": survey}) for code, (s, survey) in scores.items()]


def test_an_evaluated_unit_gets_index_and_band_but_no_rank(tmp_path):
    c = _campaign(tmp_path)
    results = consolidate(c, _inputs(c, {
        "X01": ({**FULL, "1.5": D(0)}, D(3)),      # 9 of 10
        "X02": (FULL, D(2)),                       # 9 of 10
        "X03": (FULL, D(3)),                       # 10 of 10, not ranked
        "X04": ({**FULL, "1.3": D(0)}, D(3)),      # 8 of 10
    }))
    got = {u.unit.code: (u.status, u.index, u.rank, u.band) for u in results.units}
    assert got == {"X01": ("ranked", 90, 1, "Tốt"), "X02": ("ranked", 90, 1, "Tốt"),
                   "X03": ("evaluated", 100, None, "Tốt"), "X04": ("ranked", 80, 3, "Khá")}
    assert [u.unit.code for u in results.evaluated] == ["X03"] and results.unranked == []
    assert results.band_counts() == {"Tốt": 2, "Khá": 1, "Trung bình": 0, "Yếu": 0}  # among the ranked


@pytest.mark.parametrize("tie_break, rule, expected", [
    ([], "competition", {"X01": 1, "X02": 1, "X04": 3}),
    (["appraised"], "competition", {"X01": 1, "X02": 2, "X04": 3}),    # X01: 7 appraised, X02: 6
    (["survey"], "competition", {"X02": 1, "X01": 2, "X04": 3}),       # X02: 3 survey, X01: 2
    (["appraised"], "dense", {"X01": 1, "X02": 2, "X04": 3}),
])
def test_tie_break_orders_equal_indexes_first(tmp_path, tie_break, rule, expected):
    c = _campaign(tmp_path, tie_break=tie_break, tie_rule=rule)
    results = consolidate(c, _inputs(c, {
        "X01": (FULL, D(2)),                       # 7 + 2 = 9
        "X02": ({**FULL, "1.5": D(0)}, D(3)),      # 6 + 3 = 9
        "X04": ({**FULL, "1.3": D(0)}, D(3)),      # 5 + 3 = 8
    }))
    assert {u.unit.code: u.rank for u in results.ranked} == expected


def test_campaign_yaml_refuses_an_unknown_tie_break(tmp_path):
    from parxl.core.errors import CampaignError
    with pytest.raises(CampaignError):
        _campaign(tmp_path, tie_break=["index"])


@pytest.mark.libreoffice
@pytest.mark.parametrize("tie_break, rule", [(["appraised"], "competition"), (["survey", "appraised"], "competition"),
                                             (["appraised"], "dense")])
def test_the_master_ranks_the_same_in_libreoffice_and_lists_evaluated_units_apart(tmp_path, soffice, tie_break, rule):
    from parxl.master import write_master
    from test_master import close, poison_cached_values, recalculated, sheet_rows

    c = _campaign(tmp_path, tie_break=tie_break, tie_rule=rule)
    results = consolidate(c, _inputs(c, {
        "X01": (FULL, D(2)), "X02": ({**FULL, "1.5": D(0)}, D(3)), "X03": (FULL, D(1)),
        "X04": ({**FULL, "1.1": D(0), "1.5": D(0)}, D(3)),   # 5 + 3 = 8
    }), made_at="2025-12-20T08:15:00")
    master = write_master(results, tmp_path / "out")
    poisoned = tmp_path / "poisoned" / master.name
    poisoned.parent.mkdir()
    poison_cached_values(master, poisoned)
    rows = sheet_rows(recalculated(poisoned, tmp_path, soffice), "Xếp hạng")
    at = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    cols = {str(h).split("\n")[0]: i for i, h in enumerate(rows[at]) if h != ""}
    body = {r[cols["Mã"]]: r for r in rows[at + 1:] if r[cols["Mã"]] in ("X01", "X02", "X03", "X04")}
    for u in results.ranked:
        assert body[u.unit.code][cols["Xếp hạng"]] == u.rank, (u.unit.code, tie_break, rule)
    x03 = body["X03"]  # apart, under its own heading, with index and band and no rank
    assert close(x03[cols["Chỉ số (%)"]], 80) and x03[cols["Xếp loại"]] == "Khá" and x03[cols["Xếp hạng"]] == ""
    heading = next(i for i, r in enumerate(rows) if str(r[0]).startswith("ĐƠN VỊ ĐƯỢC ĐÁNH GIÁ, KHÔNG XẾP HẠNG"))
    assert rows.index(x03) > heading > max(rows.index(body[c]) for c in ("X01", "X02", "X04"))


def test_the_decision_lists_the_evaluated_unit_apart(tmp_path):
    from parxl.documents.decision import decision_context

    c = _campaign(tmp_path)
    results = consolidate(c, _inputs(c, {"X01": (FULL, D(2)), "X02": (FULL, D(3)), "X03": (FULL, D(3)),
                                         "X04": (FULL, D(1))}))
    ctx = decision_context(results)
    assert [r["code"] for r in ctx["ranked"]] == ["X02", "X01", "X04"]
    (apart,) = ctx["unranked"]
    assert apart["code"] == "X03" and "không xếp hạng" in apart["note"] and "Chỉ số 100,00%, xếp loại Tốt." in apart["note"]
    assert "1 đơn vị được đánh giá nhưng không xếp hạng" in ctx["unranked_reasons"]


def test_tie_break_none_is_no_tie_break(tmp_path):
    assert _campaign(tmp_path, tie_break="none").config.tie_break == []


def test_the_evaluated_unit_gets_its_notice_without_a_rank(tmp_path):
    from docx import Document

    from parxl.documents import render_notices

    c = _campaign(tmp_path)
    results = consolidate(c, _inputs(c, {"X01": (FULL, D(2)), "X02": (FULL, D(3)), "X03": (FULL, D(3)),
                                         "X04": (FULL, D(1))}))
    notices = render_notices(results)
    assert [p.name.split("-")[2] for p in notices] == ["x02", "x01", "x04", "x03"]  # rank order, then X03
    text = "\n".join(p.text for p in Document(str(notices[-1])).paragraphs)
    assert "Chỉ số cải cách hành chính: 100,00%; đơn vị được đánh giá, không xếp hạng; xếp loại: Tốt." in text
