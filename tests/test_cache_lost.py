"""A cached report's items read after the validation cache went away while the command ran (the file deleted,
or its entry dropped by a concurrent run with other settings): a clear error, nothing lost, the next run
reads the files again.

Oracles: the error's type and its Vietnamese text, the cache file not created again, ``read_submission``'s
calls counted, the ledger of a fresh copy of the campaign that never had a cache.
"""
from __future__ import annotations

import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from parxl.campaign.folder import load_campaign
from parxl.cli import main
from parxl.intake.cache import CACHE_FILE, TABLE, CacheLostError, ValidationCache
from parxl.ledger.receive import run_intake

from test_validation_cache import ledger_view, reads, sent, verdicts  # noqa: F401 (fixtures)

MESSAGE = "đã bị xoá hoặc bị thay đổi trong khi lệnh đang chạy"


@pytest.mark.parametrize("how", ["file deleted", "entries dropped"])
def test_items_of_a_cache_gone_meanwhile_are_a_clear_error_and_the_next_run_reads_again(sent, reads, how):
    first = run_intake(sent, workers=1)
    expected = verdicts(first)
    reads.clear()
    second = run_intake(load_campaign(sent.root), workers=1)
    assert reads == []  # every report from the cache, its items not yet read
    cache = sent.state_dir / CACHE_FILE
    if how == "file deleted":
        cache.unlink()
    else:
        with sqlite3.connect(cache) as db:
            db.execute(f"DELETE FROM {TABLE}")
        db.close()
    report = next(iter(second.reports.values()))
    with pytest.raises(CacheLostError, match=MESSAGE) as caught:
        dict(report.items)
    assert str(cache) in str(caught.value)
    assert cache.exists() == (how != "file deleted")  # not created again, empty
    again = run_intake(load_campaign(sent.root), workers=1)
    assert len(reads) == 3 and verdicts(again) == expected


def test_check_says_so_when_the_cache_goes_while_it_fills_a_lost_ledger(sent, tmp_path, monkeypatch):
    """The ledger lost, the items are read from the cache to record them again: the cache deleted between
    the look-up and that read stops ``check`` with the message (exit 1, no traceback); the next check
    records what a campaign without a cache records."""
    fresh = tmp_path / "fresh"
    shutil.copytree(sent.root, fresh)
    assert CliRunner().invoke(main, ["check", str(sent.root)]).exit_code in (0, 1)
    for path in sent.state_dir.glob("ledger.sqlite*"):
        path.unlink()
    real = ValidationCache.get_many

    def then_deleted(self, files, *keys):
        found = real(self, files, *keys)
        self.path.unlink()
        return found

    monkeypatch.setattr(ValidationCache, "get_many", then_deleted)
    run = CliRunner().invoke(main, ["check", str(sent.root)])
    assert run.exit_code == 1 and MESSAGE in run.output and "Traceback" not in run.output
    monkeypatch.setattr(ValidationCache, "get_many", real)
    assert CliRunner().invoke(main, ["check", str(sent.root)]).exit_code in (0, 1)
    assert CliRunner().invoke(main, ["check", str(fresh)]).exit_code in (0, 1)
    assert ledger_view(load_campaign(sent.root)) == ledger_view(load_campaign(fresh))
