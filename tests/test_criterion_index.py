"""The criterion-level sub-index (tiêu chí): in the results, the master's detail sheet and the notices.

Oracle by hand on the bundled commune sample set: criterion 1.1 = 1.1.1 (1 point) + 1.1.2 (1 point), criterion
1.4 = 1.4.1 (0,5 point) + 1.4.2 (1 point).
"""
from __future__ import annotations

from decimal import Decimal as D

from parxl.results.compute import UnitInput, consolidate

from conftest import REPO, make_campaign

XA = REPO / "templates" / "criteria" / "xa-mau-2025.yaml"


def _results(tmp_path):
    c = make_campaign(tmp_path / "c", criteria=XA)
    scores = {i.code: i.max for i in c.framework.regular_items if i.rule.self_scored}
    scores.update({"1.1.1": D(1), "1.1.2": D("0.5"), "1.4.1": D("0.5"), "1.4.2": D(0)})
    return consolidate(c, [UnitInput(u, "ok", scores) for u in c.units], made_at="2025-12-20T08:15:00")


def test_results_carry_each_criterions_sub_index(tmp_path):
    u = _results(tmp_path).units[0]
    assert (u.node_points["1.1"], u.node_max["1.1"], u.criterion_index("1.1")) == (D("1.5"), 2, D("75.00"))
    assert (u.node_points["1.4"], u.node_max["1.4"], u.criterion_index("1.4")) == (D("0.5"), D("1.5"), D("33.33"))
    assert u.criterion_index("1.2") == 100  # a criterion scored directly: its own item


def test_the_detail_sheet_gives_each_items_criterion_and_its_sub_index(tmp_path):
    from parxl.master import write_master
    from test_master import sheet_rows

    results = _results(tmp_path)
    rows = sheet_rows(write_master(results, tmp_path / "out"), "Chi tiết")
    at = next(i for i, r in enumerate(rows) if r and str(r[0]).startswith("Mã"))
    cols = {h: i for i, h in enumerate(rows[at])}
    mine = {r[cols["Mã tiêu chí"]]: r for r in rows[at + 1:] if r[0] == results.units[0].unit.code}
    assert (mine["1.1.2"][cols["Tiêu chí"]], mine["1.1.2"][cols["Chỉ số tiêu chí (%)"]]) == ("1.1", 75)
    assert (mine["1.4.1"][cols["Tiêu chí"]], mine["1.4.1"][cols["Chỉ số tiêu chí (%)"]]) == ("1.4", 33.33)
    assert mine["1.2"][cols["Tiêu chí"]] == "1.2"


def test_the_notice_lists_criteria_under_their_field(tmp_path):
    from parxl.documents.notices import field_rows

    results = _results(tmp_path)
    rows = field_rows(results, results.units[0])
    titles = [r["title"] for r in rows[:4]]
    assert rows[0]["stt"] == "1" and titles[1].startswith("1.1. ") and titles[2].startswith("1.4. ")
    assert (rows[1]["points"], rows[1]["max"], rows[1]["index"], rows[1]["lost"]) == ("1,50", "2,00", "75,00", "0,50")  # the set has 2 decimals
    assert rows[2]["index"] == "33,33"
