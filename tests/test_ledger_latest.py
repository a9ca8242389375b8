"""``Ledger.latest_submissions`` (a few queries for every unit at once) says what the per-unit API says.

Oracle: for each unit, ``versions`` (its latest readable version), ``item_details`` per round (inputs,
scores, evidence) and ``findings`` (counted per item and severity here) — other queries, one unit at a time.
"""
from __future__ import annotations

from decimal import Decimal

from parxl.ledger.receive import run_intake
from parxl.ledger.store import SELF, Ledger
from support.tamper import filled


def put(campaign, name: str, data: bytes) -> None:
    path = campaign.inbox_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def expected(ledger: Ledger, code: str) -> dict | None:
    readable = [v for v in ledger.versions(code) if v[2] in ("ok", "errors")]
    if not readable:
        return None
    sha = readable[-1][0]
    rounds = {}
    for r in ledger.rounds():
        if r.startswith("explanation-"):
            continue
        versions = [v for v in ledger.versions(code, r) if v[2] in ("ok", "errors")]
        if versions:
            rounds[r] = ledger.item_details(versions[-1][0], r)
    counts: dict[str, dict[str, int]] = {}
    for f in ledger.findings(sha):
        if f.item is not None:
            counts.setdefault(f.item, {"error": 0, "warning": 0, "info": 0})[f.severity] += 1
    return {"sha256": sha, "superseded": [v[0] for v in readable[:-1]],
            "inputs": {r: {i: d.inputs for i, d in items.items()} for r, items in rounds.items()},
            "scores": {r: {i: d.score for i, d in items.items()} for r, items in rounds.items()},
            "evidence": {i: len(d.evidence) for i, d in rounds[SELF].items()}, "findings": counts}


def test_latest_submissions_match_the_per_unit_queries(campaign):
    x01, x02, x03 = campaign.units[:3]
    put(campaign, "X01 lan 1.xlsx", filled(campaign, x01, {"1.3": {"numerator": Decimal(60), "denominator": Decimal(100)}}))
    put(campaign, "X02.xlsx", filled(campaign, x02, evidence={"1.1": ["a.pdf", "b.pdf"], "1.2": []}))
    run_intake(campaign, workers=1)
    put(campaign, "X01 lan 2.xlsx", filled(campaign, x01, evidence={"1.1": ["https://a.vn/1", "https://a.vn/2"]}))
    run_intake(campaign, workers=1)
    fp = campaign.framework.fingerprint
    with Ledger.open(campaign) as ledger:
        for round, code, scores in (("appraisal-1", "X01", {"1.1": Decimal("0.5")}),
                                    ("appraisal-1", "X01", {"1.3": Decimal(1)}),   # another field's workbook
                                    ("appraisal-2", "X01", {"1.1": Decimal(1)}),
                                    ("appraisal-1", "X02", {"1.2": Decimal(0)})):
            ledger.record_appraisal(round, code, scores, {}, set(scores), "0" * 64, "tham-dinh.xlsx", fp,
                                    flags={"1.1"} if code == "X01" and round == "appraisal-2" else set())
        ledger.commit()
        got = {s.unit_code: s for s in ledger.latest_submissions()}
        want = {u.code: expected(ledger, u.code) for u in campaign.units}
    assert set(got) == {code for code, w in want.items() if w is not None} == {"X01", "X02"}
    assert x03.code not in got
    for code, sub in got.items():
        w = want[code]
        assert (sub.sha256, sub.superseded) == (w["sha256"], w["superseded"])
        assert sub.inputs == w["inputs"] and sub.scores == w["scores"]
        assert sub.evidence_counts == w["evidence"] and sub.finding_counts == w["findings"]
    assert got["X01"].scores["appraisal-1"] == {"1.1": Decimal("0.5"), "1.3": Decimal(1)}
    assert got["X01"].inputs["appraisal-2"]["1.1"] == {"explain": True}
    assert got["X01"].evidence_counts["1.1"] == 2 and len(got["X01"].superseded) == 1
    assert isinstance(got["X01"].inputs[SELF]["1.3"]["numerator"], Decimal)
    assert got["X02"].status == "errors" and got["X02"].finding_counts["1.2"]["error"] == 1
    with Ledger.open(campaign) as ledger:  # without the items: the totals, no item read
        without_items = {s.unit_code: s for s in ledger.latest_submissions(items=False)}
        status = {code: [v for v in ledger.versions(code) if v[2] in ("ok", "errors")][-1][2] for code in got}
    assert set(without_items) == set(got)
    for code, sub in without_items.items():
        w = want[code]
        assert (sub.sha256, sub.superseded, sub.status) == (w["sha256"], w["superseded"], status[code])
        assert (sub.total_self, sub.errors, sub.warnings) == (got[code].total_self, got[code].errors, got[code].warnings)
        assert sub.inputs == sub.scores == sub.evidence_counts == sub.finding_counts == {}
