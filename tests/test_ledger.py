"""Intake and ledger: files kept by content, inbox untouched, versions superseded, the consolidation API."""
from __future__ import annotations

import hashlib
import os
import zipfile
from decimal import Decimal
from pathlib import Path

from parxl.intake.submission import read_submission
from parxl.intake.validation import validate
from parxl.ledger.receive import run_intake
from parxl.ledger.store import SELF, Ledger
from support.tamper import MINI_TOTAL, filled


def tree(folder: Path) -> dict[str, tuple[str, float]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def put(path: Path, data: bytes, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def test_files_kept_once_inbox_untouched(campaign):
    good = filled(campaign, campaign.units[0])
    inbox = campaign.inbox_dir
    put(inbox / "X01 - Phường An Lưu.xlsx", good, 1_700_000_000)
    put(inbox / "email" / "lan 2" / "X01 - Phường An Lưu.xlsx", good, 1_700_000_100)  # the same content again
    put(inbox / "~$X01 - Phường An Lưu.xlsx", b"lock", 1_700_000_000)                 # Excel's lock file: skipped
    before = tree(inbox)
    result = run_intake(campaign, workers=1)
    assert tree(inbox) == before
    sha = hashlib.sha256(good).hexdigest()
    kept = list((campaign.state_dir / "files").rglob("*.xlsx"))
    assert [p.name for p in kept] == [f"{sha}.xlsx"] and kept[0].read_bytes() == good
    assert [(r.path, r.duplicate_of) for r in result.files] == [
        ("inbox/X01 - Phường An Lưu.xlsx", None),
        ("inbox/email/lan 2/X01 - Phường An Lưu.xlsx", "inbox/X01 - Phường An Lưu.xlsx")]
    with Ledger.open(campaign) as ledger:
        receipts = ledger.files()
    assert [(r.path, r.sha256, r.status) for r in receipts] == [
        ("inbox/X01 - Phường An Lưu.xlsx", sha, "ok"), ("inbox/email/lan 2/X01 - Phường An Lưu.xlsx", sha, "ok")]
    assert receipts[0].received_at.startswith("2023-11-14T22:13:20")


def test_latest_readable_version_supersedes(campaign):
    inbox = campaign.inbox_dir
    v1 = filled(campaign, campaign.units[0], answers={"1.2": {"choice": "Không đạt"}})
    v2 = filled(campaign, campaign.units[0])
    put(inbox / "X01 lan 1.xlsx", v1, 1_700_000_000)
    put(inbox / "X01 lan 2.xlsx", v2, 1_700_000_500)
    put(inbox / "X01 lan 3.xlsx", v2[:1000], 1_700_000_900)  # a later, broken upload
    put(inbox / "X02 - Xã Lê Ninh.xlsx", filled(campaign, campaign.units[1], evidence={"1.2": []}), 1_700_000_000)
    result = run_intake(campaign, workers=1)
    assert result.missing == ["X03"]
    with Ledger.open(campaign) as ledger:
        latest = {s.unit_code: s for s in ledger.latest_submissions()}
        versions = ledger.versions("X01")
    x01 = latest["X01"]
    assert x01.sha256 == hashlib.sha256(v2).hexdigest() and x01.original_path == "inbox/X01 lan 2.xlsx"
    assert x01.superseded == [hashlib.sha256(v1).hexdigest()]
    assert [v[2] for v in versions] == ["ok", "ok"]
    assert x01.status == "ok" and x01.total_self == MINI_TOTAL and x01.stored_path.read_bytes() == v2
    assert x01.scores[SELF]["1.3"] == Decimal(2) and x01.self_scores["1.2"] == Decimal(1)
    assert x01.inputs[SELF]["1.3"] == {"numerator": Decimal(95), "denominator": Decimal(100)}
    assert x01.inputs[SELF]["1.1"] == {"choice": "Ban hành kịp thời"}
    assert x01.evidence_counts["1.1"] == 1
    x02 = latest["X02"]
    assert x02.status == "errors" and x02.errors == 1
    assert x02.finding_counts["1.2"] == {"error": 1, "warning": 0, "info": 0}
    assert x02.total_self == MINI_TOTAL


def test_rechecking_replaces_the_check_not_the_history(campaign):
    inbox = campaign.inbox_dir
    put(inbox / "X01.xlsx", filled(campaign, campaign.units[0]), 1_700_000_000)
    run_intake(campaign, workers=1)
    (inbox / "X01.xlsx").unlink()  # a clerk tidies the inbox: the ledger still knows the file
    put(inbox / "X02.xlsx", filled(campaign, campaign.units[1]), 1_700_000_100)
    result = run_intake(campaign, workers=1)
    run_intake(campaign, workers=1)
    assert [s.unit_code for s in result.latest] == ["X01", "X02"]
    with Ledger.open(campaign) as ledger:
        n_versions = ledger.db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        assert n_versions == 2
        assert len(ledger.files()) == 2


def test_appraisal_round_recorded_beside_self(campaign):
    data = filled(campaign, campaign.units[0])
    put(campaign.inbox_dir / "X01.xlsx", data, 1_700_000_000)
    run_intake(campaign, workers=1)
    appraised = validate(campaign, read_submission(
        filled(campaign, campaign.units[0], answers={"1.3": {"numerator": Decimal(80), "denominator": Decimal(100)}}),
        name="thamdinh/X01.xlsx"))
    with Ledger.open(campaign) as ledger:
        ledger.keep(appraised.sha256, b"appraisal copy", "thamdinh/X01.xlsx", "2024-01-01T00:00:00Z")
        ledger.record_round(appraised, "appraisal-1", campaign.framework.fingerprint)
        ledger.commit()
        sub = ledger.latest_submissions()[0]
        assert [s.unit_code for s in ledger.latest_submissions("appraisal-1")] == ["X01"]
    assert sub.scores[SELF]["1.3"] == Decimal(2)
    assert sub.scores["appraisal-1"]["1.3"] == Decimal(1)


def test_zip_with_workbook_and_evidence(campaign):
    good = filled(campaign, campaign.units[0], evidence={"1.1": ["ke-hoach.pdf"], "1.2": ["thieu.pdf"]})
    archive = campaign.inbox_dir / "X01 gui kem.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("X01/X01 - Phường An Lưu.xlsx", good)
        zf.writestr("X01/ke-hoach.pdf", b"%PDF-1.4 ...")
    result = run_intake(campaign, workers=1)
    kinds = sorted((r.kind, r.path) for r in result.files)
    assert kinds == [("archive", "inbox/X01 gui kem.zip"),
                     ("evidence", "inbox/X01 gui kem.zip!/X01/ke-hoach.pdf"),
                     ("workbook", "inbox/X01 gui kem.zip!/X01/X01 - Phường An Lưu.xlsx")]
    report = next(r.report for r in result.files if r.kind == "workbook")
    assert [(f.code, f.cell) for f in report.findings] == [("evidence-file-missing", "H8")]
    assert "thieu.pdf" in report.findings[0].message


def test_pool_of_two_workers_gives_the_same_reports(campaign):
    for i, unit in enumerate(campaign.units):
        put(campaign.inbox_dir / f"{unit.code}.xlsx", filled(campaign, unit), 1_700_000_000 + i)
    put(campaign.inbox_dir / "rac.xlsx", b"not a workbook", 1_700_000_000)
    pooled = run_intake(campaign, workers=2)
    single = run_intake(campaign, workers=1)
    key = lambda res: sorted((r.path, r.report.status, r.report.total_self, len(r.report.findings)) for r in res.files)  # noqa: E731
    assert key(pooled) == key(single)
    assert pooled.missing == []
