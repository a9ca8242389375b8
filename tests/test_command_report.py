"""One report shape (``parxl.core.report.CommandReport``) behind check, appraise --import and consolidate:
the same ``"report"`` object in every ``--json``, and exit codes decided by it alone."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import parxl
import parxl.ledger.receive
from parxl.cli import main
from parxl.core.errors import EXIT_DATA, EXIT_INTERNAL, EXIT_OK
from parxl.core.findings import make
from parxl.core.report import CommandReport, InternalError
from parxl.intake.validation import validate as real_validate
from support.tamper import filled, set_text

X01, X02 = "X01 - Phường An Lưu.xlsx", "X02 - Xã Lê Ninh.xlsx"
REPORT_KEYS = {"command", "parxl_version", "valid", "exit_code", "counts", "internal_errors"}


def error():
    return make("input-not-option", file="a.xlsx", sheet="Tự đánh giá", cell="D7", item="1.1", found="Sớm",
                options="«Có»")


def warning():
    return make("input-blank", file="a.xlsx", sheet="Tự đánh giá", cell="D8", item="1.2", label="Số hồ sơ")


BUG = InternalError(path="inbox/b.xlsx", message="Lỗi của chương trình parxl", log="/tmp/x.txt", sha256="ab")


@pytest.mark.parametrize("findings, internal, errors_fail, code, valid", [
    ([], [], True, EXIT_OK, True),
    ([warning()], [], True, EXIT_OK, True),             # a warning is for the appraisers, not a failure
    ([error(), warning()], [], True, EXIT_DATA, False),
    ([error()], [], False, EXIT_OK, False),             # consolidate: units with errors are handled by policy
    ([error()], [BUG], True, EXIT_INTERNAL, False),     # parxl's own error wins over the units' errors
    ([], [BUG], False, EXIT_INTERNAL, False),
])
def test_the_exit_code_and_validity_follow_from_the_findings_and_internal_errors(findings, internal, errors_fail,
                                                                                 code, valid):
    report = CommandReport.of("x", findings, internal, {"a": 1}, errors_fail=errors_fail)
    assert (report.exit_code, report.valid) == (code, valid)
    doc = report.to_json()
    assert doc["a"] == 1 and set(doc["report"]) == REPORT_KEYS
    assert doc["report"]["counts"] == {"error": sum(f.severity == "error" for f in findings),
                                       "warning": sum(f.severity == "warning" for f in findings), "info": 0}
    assert doc["report"]["exit_code"] == code and doc["report"]["parxl_version"] == parxl.__version__
    assert doc["report"]["internal_errors"] == [{"path": "inbox/b.xlsx", "sha256": "ab", "unit": None,
                                                 "log": "/tmp/x.txt", "message": "Lỗi của chương trình parxl"}
                                                ] * len(internal)


def test_findings_are_ordered_errors_first_in_every_report():
    report = CommandReport.of("x", [warning(), error()])
    assert [f.severity for f in report.findings] == ["error", "warning"]


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_check_json_carries_the_common_report_and_its_exit_code(campaign):
    (campaign.inbox_dir / X01).write_bytes(filled(campaign, campaign.unit("X01")))
    (campaign.inbox_dir / X02).write_bytes(set_text(filled(campaign, campaign.unit("X02")), "D7", "Sớm"))
    out = run("check", str(campaign.root), "--json")
    doc = json.loads(out.stdout)
    report = doc["report"]
    assert out.exit_code == report["exit_code"] == 1 and report["valid"] is False
    assert report["command"] == "check" and report["internal_errors"] == []
    # counts agree with the units' findings listed in the same document, counted here one by one
    listed = [f["severity"] for u in doc["units"] for f in u["findings"]]
    assert report["counts"] == {s: listed.count(s) for s in ("error", "warning", "info")}
    assert report["counts"]["error"] == doc["summary"]["errors"] == 1


def test_consolidate_reports_the_files_parxl_failed_on_and_exits_3(campaign, monkeypatch):
    (campaign.inbox_dir / X01).write_bytes(filled(campaign, campaign.unit("X01")))
    (campaign.inbox_dir / X02).write_bytes(filled(campaign, campaign.unit("X02")))

    def buggy(c, sub):
        if "X02" in sub.name:
            raise ZeroDivisionError("lỗi giả lập trong parxl")
        return real_validate(c, sub)
    monkeypatch.setattr(parxl.ledger.receive, "validate", buggy)
    out = run("consolidate", str(campaign.root), "--json")
    assert out.exit_code == EXIT_INTERNAL, out.output
    doc = json.loads(out.stdout)
    (internal,) = doc["report"]["internal_errors"]
    assert internal["path"] == f"inbox/{X02}" and internal["unit"] == "X02"
    assert "không phải lỗi của đơn vị" in internal["message"] and internal["log"] in internal["message"]
    assert doc["report"]["command"] == "consolidate" and doc["report"]["valid"] is False
    assert [u["code"] for u in doc["ranking"] if u["rank"]] == ["X01"]  # the master is still written
    # the clerk's console says it too, apart from the ranking
    out = run("consolidate", str(campaign.root))
    assert out.exit_code == EXIT_INTERNAL
    assert "parxl gặp lỗi của chính chương trình với 1 tệp" in out.output and X02 in out.output
    # once parxl is fixed, the same folder consolidates with 0
    monkeypatch.setattr(parxl.ledger.receive, "validate", real_validate)
    out = run("consolidate", str(campaign.root), "--json")
    assert out.exit_code == EXIT_OK, out.output
    assert json.loads(out.stdout)["report"]["internal_errors"] == []


def test_consolidate_counts_the_units_errors_without_failing(campaign):
    (campaign.inbox_dir / X02).write_bytes(set_text(filled(campaign, campaign.unit("X02")), "D7", "Sớm"))
    out = run("consolidate", str(campaign.root), "--json")
    assert out.exit_code == EXIT_OK, out.output
    report = json.loads(out.stdout)["report"]
    assert report["counts"]["error"] == 1 and report["valid"] is False and report["exit_code"] == 0


def test_an_appraisal_import_reports_in_the_same_shape_keeping_its_own_keys():
    from parxl.appraisal.read import AppraisalFile
    from parxl.appraisal.record import ImportResult

    bad = AppraisalFile("tham-dinh/1.xlsx", "aa", b"", findings=[
        make("appraisal-score-negative", file="1.xlsx", sheet="Thẩm định", cell="F3", item="1.1", unit="X01",
             found="-1", max="1"),
        make("appraisal-number-as-text", file="1.xlsx", sheet="Thẩm định", cell="F4", item="1.2", unit="X01",
             found="1", value="1")])
    good = AppraisalFile("tham-dinh/2.xlsx", "bb", b"")
    result = ImportResult("appraisal-1", [bad, good], recorded=["tham-dinh/2.xlsx"])
    doc = result.report().to_json()
    assert (doc["round"], doc["errors"], doc["internal_errors"]) == ("appraisal-1", 1, 0)  # the keys it always had
    assert doc["report"]["counts"] == {"error": 1, "warning": 0, "info": 1} and doc["report"]["exit_code"] == 1
    failed = AppraisalFile("tham-dinh/3.xlsx", "cc", b"", internal=True, internal_log="/tmp/log.txt")
    report = ImportResult("appraisal-1", [good, failed], recorded=["tham-dinh/2.xlsx"]).report()
    assert report.exit_code == 3 and report.valid is False
    (internal,) = report.summary()["internal_errors"]
    assert internal["path"] == "tham-dinh/3.xlsx" and internal["log"] == "/tmp/log.txt"
    assert "/tmp/log.txt" in internal["message"]
