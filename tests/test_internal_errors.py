"""parxl's own errors are not the unit's: logged with their traceback, told to the clerk, exit code 3.

A bug is simulated by making the validator raise for one file; everything the
tests expect of the other files is what they give without the bug.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import parxl.ledger.inbox
import parxl.ledger.receive
from parxl.cli import main
from parxl.core.errors import EXIT_INTERNAL, ERRORS_DIR
from parxl.intake.validation import validate as real_validate
from parxl.ledger.receive import INTERNAL, run_intake
from parxl.ledger.store import Ledger
from support.tamper import filled

X01, X02, X03 = "X01 - Phường An Lưu.xlsx", "X02 - Xã Lê Ninh.xlsx", "X03 - Xã Hiến Thành.xlsx"


def buggy_validate_for(fragment: str):
    """The validator with a simulated parxl bug on the files whose name holds ``fragment``."""
    def validate(campaign, sub):
        if fragment in sub.name:
            raise ZeroDivisionError("lỗi giả lập trong parxl")
        return real_validate(campaign, sub)
    return validate


def logs(campaign) -> list[Path]:
    folder = campaign.state_dir / ERRORS_DIR
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_bug_while_checking_a_file_is_parxls_error_not_the_units_and_the_next_run_retries(campaign, monkeypatch):
    inbox = campaign.inbox_dir
    (inbox / X01).write_bytes(filled(campaign, campaign.unit("X01")))
    (inbox / X02).write_bytes(filled(campaign, campaign.unit("X02")))
    monkeypatch.setattr(parxl.ledger.receive, "validate", buggy_validate_for("X02"))
    out = CliRunner().invoke(main, ["check", str(campaign.root), "--json"])
    assert out.exit_code == EXIT_INTERNAL == 3, out.output
    doc = json.loads(out.stdout)
    assert [(u["code"], u["status"]) for u in doc["units"]] == [("X01", "ok")]  # the batch went on
    assert doc["missing"] == ["X03"]  # X02 did send: it is not "chưa gửi"
    (internal,) = doc["internal_errors"]
    assert internal["path"] == f"inbox/{X02}" and internal["unit"] == "X02"
    (log,) = logs(campaign)
    assert internal["log"] == str(log) and str(log) in internal["message"]
    assert "không phải lỗi của đơn vị" in internal["message"] and "nhóm phát triển" in internal["message"]
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError: lỗi giả lập trong parxl" in text
    files = {f["path"]: f for f in doc["files"]}
    assert files[f"inbox/{X02}"]["status"] == INTERNAL and files[f"inbox/{X02}"]["findings"] == []
    with Ledger.open(campaign) as ledger:  # kept, no verdict on the unit, nothing for the unit to fix
        sha = internal["sha256"]
        assert {r.path: r.status for r in ledger.files()}[f"inbox/{X02}"] == INTERNAL
        assert ledger.findings(sha) == [] and ledger.stored_path(sha, ".xlsx").is_file()
        assert "X02" not in {s.unit_code for s in ledger.latest_submissions()}
    # the clerk's table says the same, in Vietnamese, apart from the units' errors
    out = CliRunner().invoke(main, ["check", str(campaign.root)])
    assert out.exit_code == 3 and "parxl gặp lỗi của chính chương trình với 1 tệp" in out.output
    assert "đơn vị không cần gửi lại" in out.output
    # once the bug is gone, the next run reads the file again: nothing was cached as the unit's verdict
    monkeypatch.setattr(parxl.ledger.receive, "validate", real_validate)
    out = CliRunner().invoke(main, ["check", str(campaign.root), "--json"])
    assert out.exit_code == 0, out.output
    assert [(u["code"], u["status"]) for u in json.loads(out.stdout)["units"]] == [("X01", "ok"), ("X02", "ok")]


def test_a_bug_in_a_pool_worker_is_logged_and_the_other_files_are_checked(campaign, monkeypatch):
    inbox = campaign.inbox_dir
    for name in (X01, X02, X03):
        (inbox / name).write_bytes(filled(campaign, campaign.unit(name[:3])))
    (inbox / "X01 - bản sửa.xlsx").write_bytes(
        filled(campaign, campaign.unit("X01"), answers={"1.1": {"choice": "Không ban hành"}}))
    monkeypatch.setattr(parxl.ledger.receive, "validate", buggy_validate_for("X02"))  # forked workers inherit it
    result = run_intake(campaign, workers=2)
    assert [r.path for r in result.internal] == [f"inbox/{X02}"]
    assert sorted(s.unit_code for s in result.latest) == ["X01", "X03"] and result.missing == []
    assert result.held == ["X02"]
    (log,) = logs(campaign)
    assert "ZeroDivisionError" in log.read_text(encoding="utf-8")


def test_a_unit_whose_newer_file_parxl_failed_on_is_not_consolidated_from_its_older_file(campaign, monkeypatch):
    older = campaign.inbox_dir / X01
    older.write_bytes(filled(campaign, campaign.unit("X01")))
    os.utime(older, (1_700_000_000, 1_700_000_000))
    assert [s.status for s in run_intake(campaign, workers=1).latest] == ["ok"]
    newer = campaign.inbox_dir / "X01 - gửi lại.xlsx"
    newer.write_bytes(filled(campaign, campaign.unit("X01"), answers={"1.1": {"choice": "Không ban hành"}}))
    os.utime(newer, (1_700_100_000, 1_700_100_000))
    monkeypatch.setattr(parxl.ledger.receive, "validate", buggy_validate_for("gửi lại"))
    result = run_intake(campaign, workers=1)
    assert result.latest == [] and result.held == ["X01"] and "X01" not in result.missing
    from parxl.master.consolidation import results_from_submissions
    assert all(u.unit.code != "X01" for u in results_from_submissions(campaign, result.latest).ranked)


def test_the_last_resort_handler_logs_the_traceback_in_the_campaign_and_exits_3(campaign, monkeypatch):
    import parxl.cli.check_cmd as check_cmd

    def broken(*_a, **_k):
        raise KeyError("phần mềm hỏng")
    monkeypatch.setattr(check_cmd, "run_intake", broken)
    out = CliRunner().invoke(main, ["check", str(campaign.root)])
    assert out.exit_code == 3, out.output
    (log,) = logs(campaign)
    assert str(log) in out.output.replace("\n", "") and "Lỗi của chương trình parxl" in out.output
    assert "KeyError: 'phần mềm hỏng'" in log.read_text(encoding="utf-8")


def test_the_last_resort_handler_without_a_campaign_logs_to_a_temporary_folder(tmp_path, monkeypatch):
    import parxl.cli.check_cmd as check_cmd
    import parxl.core.errors

    monkeypatch.setattr(parxl.core.errors, "fallback_errors_dir", lambda: tmp_path / "logs")

    def broken(*_a, **_k):
        raise RuntimeError("hỏng")
    monkeypatch.setattr(check_cmd, "load_campaign", broken)
    out = CliRunner().invoke(main, ["check", str(tmp_path / "khong-phai-dot")])
    assert out.exit_code == 3, out.output
    (log,) = (tmp_path / "logs").iterdir()
    assert "RuntimeError: hỏng" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("exit_code", [0, 1, 2, 3])
def test_readme_lists_every_exit_code(exit_code):
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    paragraph = next(p for p in readme.split("\n\n") if "Mã thoát:" in p)
    codes = paragraph.replace("\n", " ").split("Mã thoát:", 1)[1]
    assert f" {exit_code} " in codes


def test_a_bug_while_unpacking_an_archive_keeps_it_and_the_batch_goes_on(campaign, monkeypatch):
    import hashlib

    from support.tamper import zip_bytes

    archive = zip_bytes({X02: filled(campaign, campaign.unit("X02"))})
    (campaign.inbox_dir / "X02.zip").write_bytes(archive)
    (campaign.inbox_dir / X01).write_bytes(filled(campaign, campaign.unit("X01")))

    def broken(*_a, **_k):
        raise ZeroDivisionError("lỗi giả lập khi giải nén")
    monkeypatch.setattr(parxl.ledger.inbox, "_members", broken)
    result = run_intake(campaign, workers=1)
    assert [s.unit_code for s in result.latest] == ["X01"]
    (rec,) = result.internal
    assert rec.path.startswith("inbox/X02.zip") and rec.report.named_unit == "X02"
    sha = hashlib.sha256(archive).hexdigest()
    with Ledger.open(campaign) as ledger:
        assert {r.path: r.sha256 for r in ledger.files()}["inbox/X02.zip"] == sha
        assert ledger.stored_path(sha, ".zip").read_bytes() == archive
    (log,) = logs(campaign)
    assert "lỗi giả lập khi giải nén" in log.read_text(encoding="utf-8")
