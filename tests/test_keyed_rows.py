"""Compact per-unit figures at national scale (10,000 units): ``KeyedRow`` (one tuple per unit, one shared
index of keys) in ``Ledger.latest_submissions`` and in the results.

Oracles: a plain dict with the same pairs; the per-unit ledger queries (``versions``, ``item_details``);
the criteria set's tree summed by hand for the node maxima; object identity for what is shared.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from parxl.core.keyed import KeyedRow, shared_index
from parxl.ledger.receive import run_intake
from parxl.ledger.store import SELF, Ledger
from parxl.master.consolidation import results_from_submissions
from support.tamper import filled


def test_keyed_row_reads_as_the_dict_of_its_pairs():
    indexes: dict = {}
    index = shared_index(("b", "a", "c"), indexes)
    assert shared_index(("b", "a", "c"), indexes) is index
    row = KeyedRow(index, (Decimal("1.5"), 2, None))
    want = {"b": Decimal("1.5"), "a": 2, "c": None}
    assert row == want and want == row and row.as_dict() == want and dict(row) == want
    assert list(row) == ["b", "a", "c"] and list(row.items()) == list(want.items()) and len(row) == 3
    assert row["a"] == 2 and row.get("a") == 2 and row.get("z") is None and row.get("z", 0) == 0
    assert "c" in row and "z" not in row and row.get("c", 7) is None
    with pytest.raises(KeyError):
        row["z"]
    assert repr(row) == repr(want)
    with pytest.raises(TypeError):
        row["a"] = 3  # type: ignore[index]  # read-only: rows share nothing mutable with their callers


def _put(campaign, name: str, data: bytes) -> None:
    path = campaign.inbox_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_latest_submissions_share_one_index_and_give_what_the_per_unit_queries_give(campaign):
    x01, x02, x03 = campaign.units[:3]
    _put(campaign, "X01.xlsx", filled(campaign, x01, {"1.3": {"numerator": Decimal(60), "denominator": Decimal(100)}}))
    _put(campaign, "X02.xlsx", filled(campaign, x02, evidence={"1.1": ["https://a.vn/1", "https://a.vn/2"]}))
    _put(campaign, "X03.xlsx", filled(campaign, x03))
    run_intake(campaign, workers=1)
    with Ledger.open(campaign) as ledger:
        subs = ledger.latest_submissions()
        for sub in subs:
            sha = [v for v in ledger.versions(sub.unit_code) if v[2] in ("ok", "errors")][-1][0]
            details = ledger.item_details(sha, SELF)
            assert sub.self_scores == {i: d.score for i, d in details.items()}
            assert sub.evidence_counts == {i: len(d.evidence) for i, d in details.items()}
            assert dict(sub.inputs[SELF]) == {i: d.inputs for i, d in details.items()}
    assert len(subs) == 3
    rows = [s.scores[SELF] for s in subs] + [s.evidence_counts for s in subs]
    assert all(isinstance(r, KeyedRow) for r in rows)
    assert len({id(r._index) for r in rows}) == 1  # one index of item codes for every unit with the same items
    assert subs[1].evidence_counts["1.1"] == 2


def test_results_node_maxima_are_the_trees_sums_and_shared_between_units(campaign):
    for unit in campaign.units[:3]:
        _put(campaign, f"{unit.code}.xlsx", filled(campaign, unit))
    run_intake(campaign, workers=1)
    with Ledger.open(campaign) as ledger:
        subs = ledger.latest_submissions()
    results = results_from_submissions(campaign, subs, "2026-01-02T03:04:05")
    fw = campaign.framework

    def by_hand(node, out):  # each node's max: its items' maxima summed (no item marked not applicable here)
        if not node.items:
            out[node.code] = node.max
        else:
            out[node.code] = sum((by_hand(child, out) for child in node.items), Decimal(0))
        return out[node.code]

    want: dict = {}
    for f in fw.fields:
        by_hand(f, want)
    read = [u for u in results.units if u.total is not None]
    assert len(read) == 3
    for u in read:
        assert dict(u.node_max) == want
        assert list(u.items) == [i.code for i in fw.items]
        assert {c: i.final for c, i in u.items.items() if c in want} == {c: u.node_points[c] for c in u.items if c in want}
    assert read[0].node_max is read[1].node_max is read[2].node_max  # made once, shared
