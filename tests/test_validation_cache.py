"""The validation cache: a second check with nothing new reads no file again, and a change that can alter a
finding (the file, an evidence file beside it, the criteria set) re-reads exactly what it can alter.

Oracles: which files were read is observed through ``IntakeResult.revalidated`` and, independently, by
counting the calls to ``read_submission``; the verdicts of a cached run are compared with those of a run
on a fresh copy of the campaign without any cache.
"""
from __future__ import annotations

import shutil

import pytest

from parxl.campaign.folder import load_campaign
from parxl.intake.cache import CACHE_FILE
from parxl.ledger import receive
from parxl.ledger.receive import run_intake
from parxl.ledger.store import Ledger
from parxl.workbook.stamping import workbook_filename
from support.tamper import filled

from conftest import make_campaign


def verdicts(result):
    return sorted((r.file, r.status, r.unit_code, r.total_self, [(f.code, f.message, f.cell) for f in r.findings],
                   {k: (i.score, i.evidence) for k, i in r.items.items()}) for r in result.reports.values())


def ledger_view(campaign):
    with Ledger.open(campaign) as ledger:
        return [(s.unit_code, s.sha256, s.status, s.total_self, s.scores, s.errors, s.warnings,
                 [(f.code, f.message) for f in ledger.findings(s.sha256)]) for s in ledger.latest_submissions()]


@pytest.fixture
def sent(tmp_path):
    """X01 and X02 each in their own folder of inbox/ with an evidence file they cite; X03 cites a missing one."""
    c = make_campaign(tmp_path / "c")
    for code, cited in (("X01", "QD120.pdf"), ("X02", "BC45.pdf"), ("X03", "KH15.pdf")):
        unit = c.unit(code)
        folder = c.inbox_dir / code
        folder.mkdir(parents=True)
        (folder / workbook_filename(unit)).write_bytes(filled(c, unit, evidence={"1.1": [f"Quyết định: {cited}"]}))
        if code != "X03":
            (folder / cited).write_bytes(b"%PDF-1.4\n" + code.encode())
    return c


@pytest.fixture
def reads(monkeypatch):
    """Counts the files actually read (in-process: workers=1)."""
    calls: list[str] = []
    real = receive.read_submission

    def counting(path, **kw):
        calls.append(kw.get("name"))
        return real(path, **kw)
    monkeypatch.setattr(receive, "read_submission", counting)
    return calls


def test_second_check_with_nothing_new_reads_nothing_and_says_the_same(sent, reads, tmp_path):
    fresh_copy = tmp_path / "copy"
    shutil.copytree(sent.root, fresh_copy)
    first = run_intake(sent, workers=1)
    assert len(first.revalidated) == len(reads) == 3
    before = ledger_view(sent)
    reads.clear()
    second = run_intake(load_campaign(sent.root), workers=1)
    assert second.revalidated == [] and reads == []
    assert verdicts(second) == verdicts(first)
    assert ledger_view(sent) == before
    # the same verdicts as a campaign that never had a cache
    assert verdicts(run_intake(load_campaign(fresh_copy), workers=1)) == verdicts(first)
    assert [s.unit_code for s in second.latest] == ["X01", "X02", "X03"] and second.missing == []


def test_changed_evidence_file_invalidates_exactly_that_workbook(sent, reads):
    run_intake(sent, workers=1)
    x01 = f"inbox/X01/{workbook_filename(sent.unit('X01'))}"
    x02 = f"inbox/X02/{workbook_filename(sent.unit('X02'))}"
    x03 = f"inbox/X03/{workbook_filename(sent.unit('X03'))}"
    (sent.inbox_dir / "X01" / "QD120.pdf").write_bytes(b"%PDF-1.4\nanother scan, longer")
    reads.clear()
    again = run_intake(load_campaign(sent.root), workers=1)
    assert again.revalidated == [x01] and reads == [x01]

    (sent.inbox_dir / "X02" / "BC45.pdf").unlink()  # gone: X02's evidence is now missing
    (sent.inbox_dir / "X03" / "KH15.pdf").write_bytes(b"%PDF-1.4\n")  # arrives: X03's is now there
    reads.clear()
    third = run_intake(load_campaign(sent.root), workers=1)
    assert sorted(third.revalidated) == [x02, x03] and sorted(reads) == [x02, x03]
    by_unit = {r.unit_code: [f.code for f in r.findings] for r in third.reports.values()}
    assert "evidence-file-missing" in by_unit["X02"] and "evidence-file-missing" not in by_unit["X03"]
    assert "evidence-file-missing" not in by_unit["X01"]
    with Ledger.open(sent) as ledger:  # the ledger follows
        assert {s.unit_code: [f.code for f in ledger.findings(s.sha256)] for s in ledger.latest_submissions()} == by_unit


def test_an_unrelated_file_arriving_in_the_same_folder_keeps_the_cache(sent, reads):
    run_intake(sent, workers=1)
    (sent.inbox_dir / "X01" / "anh-chup.jpg").write_bytes(b"\xff\xd8\xff")
    reads.clear()
    assert run_intake(load_campaign(sent.root), workers=1).revalidated == [] and reads == []


def test_changed_criteria_set_invalidates_every_entry(sent, reads):
    run_intake(sent, workers=1)
    criteria = sent.root / sent.config.criteria
    text = criteria.read_text(encoding="utf-8")
    assert "Ban hành kế hoạch CCHC năm" in text
    criteria.write_text(text.replace("Ban hành kế hoạch CCHC năm", "Ban hành kế hoạch CCHC của năm"), encoding="utf-8")
    reads.clear()
    again = run_intake(load_campaign(sent.root), workers=1)
    assert len(again.revalidated) == len(reads) == 3


def test_changed_units_list_invalidates_every_entry(sent, reads):
    run_intake(sent, workers=1)
    units = sent.units_file
    units.write_text(units.read_text(encoding="utf-8").replace("Xã Lê Ninh", "Xã Lê Ninh Mới"), encoding="utf-8")
    reads.clear()
    again = run_intake(load_campaign(sent.root), workers=1)
    assert len(reads) == 3
    assert {r.unit_code: r.unit_name for r in again.reports.values()}["X02"] == "Xã Lê Ninh Mới"


def test_a_lost_ledger_is_filled_again_from_the_cache(sent, reads):
    run_intake(sent, workers=1)
    before = ledger_view(sent)
    for path in sent.state_dir.glob("ledger.sqlite*"):
        path.unlink()
    reads.clear()
    again = run_intake(load_campaign(sent.root), workers=1)
    assert reads == [] and ledger_view(sent) == [row for row in before]
    assert len(again.latest) == 3


def test_a_damaged_cache_is_rebuilt(sent, reads):
    run_intake(sent, workers=1)
    (sent.state_dir / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    reads.clear()
    again = run_intake(load_campaign(sent.root), workers=1)
    assert len(reads) == 3 and len(again.latest) == 3
    reads.clear()
    assert run_intake(load_campaign(sent.root), workers=1).revalidated == [] and reads == []


def test_second_check_rewrites_no_unchanged_feedback_workbook(sent):
    from click.testing import CliRunner
    from parxl.cli import main
    from test_check_cli import parts
    assert CliRunner().invoke(main, ["check", str(sent.root)]).exit_code in (0, 1)
    feedback = sorted((sent.output_dir / "phan-hoi").iterdir())
    assert len(feedback) == 3
    before = {p.name: (p.stat().st_mtime_ns, parts(p)) for p in feedback}
    feedback[0].unlink()  # a clerk deleted one: it is written again, the others are left alone
    (sent.inbox_dir / "X02" / "BC45.pdf").unlink()  # X02's verdict changes: its feedback follows
    assert CliRunner().invoke(main, ["check", str(sent.root)]).exit_code == 1
    after = {p.name: (p.stat().st_mtime_ns, parts(p)) for p in (sent.output_dir / "phan-hoi").iterdir()}
    assert after.keys() == before.keys()
    x01, x02, x03 = sorted(after)
    assert after[x01][1] == before[x01][1] and after[x01][0] != before[x01][0]  # same content, written again
    assert after[x02][1] != before[x02][1]                 # new finding
    assert after[x03] == before[x03]                       # untouched
