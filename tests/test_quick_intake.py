"""The quick path of a run with nothing new: cached reports whose findings are not built, findings counted
without being read, kept copies' paths made from their folders.

Oracles: ``verdict_mark`` written out here (sha256 of the JSON text of what it covers, by hashlib and json);
a cached report compared with the report it was made from, field by field; the counts of ``consolidate``
against those of ``check``, which builds every standing finding (``CommandReport.of``), and both against the
findings listed in ``check --json`` counted here; the ledger's counts against its own findings read one by one.
"""
from __future__ import annotations

import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from parxl.campaign.folder import load_campaign
from parxl.cli import main
from parxl.core.findings import Finding
from parxl.core.report import CommandReport
from parxl.intake.cache import CachedReport, report_from_json, report_to_json, verdict_mark
from parxl.intake.validation import Report
from parxl.ledger.check_report import StandingReport, current_findings, unit_lines
from parxl.ledger.receive import run_intake
from parxl.ledger.store import Ledger
from parxl.master.consolidation import run_consolidation
from parxl.workbook.stamping import workbook_filename
from support.tamper import filled

from conftest import make_campaign
from test_consolidation import Answers, send

ODD = 'dấu "ngoặc" \\ gạch, xuống\ndòng \t và \u0001 ], [ , "findings": ['


def mark_by_hand(status, unit, named, total, findings) -> str:
    data = [status, unit, named, "-" if total is None else str(total),
            [[f.code, f.message, f.sheet, f.cell, f.item] for f in findings]]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def reports() -> list[Report]:
    found = [Finding("identity-swapped", "error", ODD, None, 'A"1', None, ODD),
             Finding("evidence-explanation-only", "warning", "3.5 tự chấm 0,75 điểm", "Tự đánh giá", "H37", "3.5",
                     "inbox/X01.xlsx"),
             Finding("file-ods-converted", "info", "", "", "", "", None)]
    return [Report(ODD, "ab" * 32, 10, "errors", unit_code="X01", unit_name=ODD, named_unit="X02",
                   total_self=Decimal("59.750"), findings=found, subtotals={"1": Decimal("1.50"), ODD: Decimal(0)}),
            Report("inbox/trống.xlsx", "cd" * 32, 0, "unreadable"),
            Report("inbox/x.xlsx", "ef" * 32, 1, "ok", unit_code="X03", total_self=Decimal("1E+1"))]


def test_a_cached_report_counts_and_marks_without_building_its_findings_and_equals_the_report():
    for report in reports():
        back = report_from_json(report_to_json(report, None), "[]")
        assert isinstance(back, CachedReport)
        expected = {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")}
        assert back.counts == expected and back.errors == expected["error"]
        assert verdict_mark(back) == mark_by_hand(report.status, report.unit_code, report.named_unit,
                                                  report.total_self, report.findings)
        assert "_findings_raw" in vars(back)  # neither needed the findings built
        assert back == report and report == back
        assert back.findings == report.findings and back.subtotals == report.subtotals
        assert verdict_mark(back) == verdict_mark(report)  # built now: the same mark
        back.findings.append(Finding("identity-swapped", "error", "x"))  # as ``Report.add`` does
        assert back.counts["error"] == expected["error"] + 1 and back != report
        # items kept inside the text (no ``items`` given): read back the same
        whole = report_from_json(report_to_json(report, "[]"))
        assert whole == report and whole.counts == expected


def test_a_second_consolidate_counts_the_standing_findings_as_check_does(tmp_path):
    c = make_campaign(tmp_path / "c")
    send(c, "X01", Answers(skip_evidence=("1.2", "1.3")))  # two errors
    one, two = c.unit("X02"), c.unit("X03")
    (c.inbox_dir / workbook_filename(two)).write_bytes(filled(c, one))  # X02 and X03 swapped files
    (c.inbox_dir / workbook_filename(one)).write_bytes(filled(c, two))
    old = c.inbox_dir / "X01 - bản cũ.xlsx"
    old.write_bytes(b"PK\x03\x04 not a workbook")  # unreadable, superseded by X01's later file
    os.utime(old, (1_700_000_000, 1_700_000_000))
    (c.inbox_dir / "không rõ.xlsx").write_bytes(b"not a workbook either")  # unreadable, nobody's: it stands
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(c.root), "--json"])
    assert checked.exit_code == 1, checked.output
    check = json.loads(checked.stdout)
    listed = [f for u in check["units"] for f in u["findings"]] + \
        [f for f in check["files"] if f["path"].endswith("không rõ.xlsx") for f in f["findings"]]
    by_hand = {s: sum(1 for f in listed if f["severity"] == s) for s in ("error", "warning", "info")}
    assert check["report"]["counts"] == by_hand and by_hand["error"] >= 5
    for run in range(2):  # the first writes the master, the second reads its snapshot (nothing new)
        done = runner.invoke(main, ["consolidate", str(c.root), "--json"])
        assert done.exit_code == 0, done.output
        doc = json.loads(done.stdout)
        assert doc["master_reused"] == (run == 1)
        assert doc["report"]["counts"] == by_hand and doc["report"]["valid"] is False
    campaign = load_campaign(c.root)
    outcome = run_consolidation(campaign)
    report = outcome.report(campaign, {"x": 1})
    assert isinstance(report, StandingReport) and report.counts == by_hand
    slow = CommandReport.of("consolidate", current_findings(unit_lines(campaign, outcome.intake), outcome.intake),
                            outcome.intake.internal_errors(), {"x": 1}, errors_fail=False)
    assert report.to_json() == slow.to_json() and report.exit_code == slow.exit_code == 0
    assert report.findings == slow.findings and report.counts == slow.counts  # read when asked, the same


def test_the_ledger_counts_each_files_findings_as_it_reads_them(tmp_path):
    c = make_campaign(tmp_path / "c")
    send(c, "X01", Answers(skip_evidence=("1.2",)))
    send(c, "X02", Answers())
    result = run_intake(c, workers=1)
    shas = [r.sha256 for r in result.reports.values()] + ["0" * 64]
    with Ledger.open(c) as ledger:
        counts = ledger.finding_counts_many(shas)
        for sha in shas:
            found = ledger.findings(sha)
            assert counts[sha] == {s: sum(1 for f in found if f.severity == s) for s in ("error", "warning", "info")}
        # counted from the findings' own rows, never from the version row's totals: a ledger whose rows disagree
        # (edited by hand) still gives consolidate the counts check gives
        ledger.db.execute("UPDATE versions SET errors = errors + 7, warnings = 0")
        ledger.db.execute("DELETE FROM findings WHERE seq = 0")
        for sha in shas:
            found = ledger.findings(sha)
            assert ledger.finding_counts_many(shas)[sha] == {
                s: sum(1 for f in found if f.severity == s) for s in ("error", "warning", "info")}
        ledger.db.rollback()
        for stored in ("files/ab/abcdef.xlsx", "abc.json", "files/ab/", "a//b"):
            assert ledger.kept_path(stored) == ledger.state_dir / stored
    assert all(Path(s.stored_path).is_file() for s in result.latest)


def test_a_file_whose_partner_in_a_swap_is_gone_is_recorded_again_without_the_swap(tmp_path):
    """The ledger's record of a cached file carries ``identity-swapped`` (added by the batch, not cached); once
    the other file is gone the cached report alone stands and is recorded again; then nothing is recorded."""
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    one, two = c.unit("X01"), c.unit("X02")
    mine = c.inbox_dir / workbook_filename(two)
    mine.write_bytes(filled(c, one))  # X01's workbook under X02's name
    (c.inbox_dir / workbook_filename(one)).write_bytes(filled(c, two))
    run_intake(c, workers=1)
    sha = hashlib.sha256(mine.read_bytes()).hexdigest()

    def recorded() -> tuple[list[str], str]:
        with Ledger.open(c) as ledger:
            at, = ledger.db.execute("SELECT checked_at FROM versions WHERE sha256 = ? AND round = 'self'",
                                    (sha,)).fetchone()
            return [f.code for f in ledger.findings(sha)], at

    codes, _ = recorded()
    assert "identity-swapped" in codes
    (c.inbox_dir / workbook_filename(one)).unlink()
    again = run_intake(c, workers=1)
    assert again.revalidated == []  # read from the cache
    codes, at = recorded()
    assert "identity-swapped" not in codes and codes == [f.code for f in again.reports[sha].findings]
    third = run_intake(c, workers=1)
    assert recorded() == (codes, at) and third.reports[sha].counts == again.reports[sha].counts
