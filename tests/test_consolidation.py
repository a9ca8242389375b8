"""`parxl consolidate` end to end: generated workbooks, filled, dropped in inbox/, intake, ledger, master.

Expected points are computed here from the answers with the rules of
tests/fixtures/mini.yaml written out by hand (not with parxl's scoring).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from parxl.campaign.folder import Campaign
from parxl.cli import main
from parxl.ledger.store import LedgerSubmission
from parxl.master import read_previous
from parxl.master.consolidation import results_from_ledger, unit_input
from parxl.master.names import SHEET_RANKING, SHEET_SOURCES
from parxl.workbook.build import Fill, build_workbook
from parxl.workbook.stamping import workbook_filename

from conftest import make_campaign
from test_results import configure

LEVELS = {"Ban hành kịp thời": D(1), "Ban hành không kịp thời": D("0.5"), "Không ban hành": D(0)}


@dataclass(frozen=True)
class Answers:
    level: str = "Ban hành kịp thời"
    reported: bool = True
    on_time: int = 95
    received: int = 100
    violations: int = 0
    initiative: D = D(1)
    commended: bool = False
    criticised: int = 0
    skip_evidence: tuple[str, ...] = ()  # items sent without evidence or explanation: an error

    def fill(self, unit_code: str) -> Fill:
        answers = {
            "1.1": {"choice": self.level},
            "1.2": {"choice": "Đạt" if self.reported else "Không đạt"},
            "1.3": {"numerator": D(self.on_time), "denominator": D(self.received)},
            "1.4": {"count": D(self.violations)},
            "1.5": {"score": self.initiative},
            "T1": {"choice": "Đạt" if self.commended else "Không đạt"},
            "D1": {"count": D(self.criticised)},
        }
        evidence = {code: [f"https://vanban.kinhmon.gov.vn/{unit_code.lower()}/{code}.pdf"]
                    for code in answers if code not in self.skip_evidence}
        return Fill(answers=answers, evidence=evidence)

    def total(self) -> D:
        share = D(self.on_time) * 100 / self.received if self.received else D(100)
        ratio = D(2) if share > 90 else D(1) if share >= 70 else D(0)
        points = (LEVELS[self.level] + (1 if self.reported else 0) + ratio
                  + max(D(0), 2 - D("0.5") * self.violations) + self.initiative)
        points += (1 if self.commended else 0) - min(1, self.criticised)
        return min(max(points, D(0)), D(10))  # no survey result yet: survey points are 0

    def index(self) -> D:
        return (self.total() * 100 / 10).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def band_of(index: D) -> str:
    return "Tốt" if index >= 90 else "Khá" if index >= 80 else "Trung bình" if index >= 50 else "Yếu"


def send(campaign: Campaign, code: str, answers: Answers, name: str | None = None, mtime: int | None = None) -> Path:
    unit = campaign.unit(code)
    path = campaign.inbox_dir / (name or workbook_filename(unit))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_workbook(campaign, unit, answers.fill(code)))
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def consolidate_json(root: Path, *extra: str) -> dict:
    out = CliRunner().invoke(main, ["consolidate", str(root), "--json", *extra])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_consolidate_scores_ranks_and_classifies_from_the_files(tmp_path):
    c = make_campaign(tmp_path / "c")
    sent = {
        "X01": Answers(level="Ban hành không kịp thời", on_time=80, violations=1, initiative=D("0.75")),
        "X02": Answers(commended=True),
        "X03": Answers(reported=False, on_time=60, violations=5, initiative=D(0), criticised=2),
    }
    for code, answers in sent.items():
        send(c, code, answers)
    doc = consolidate_json(c.root)
    indexes = {code: a.index() for code, a in sent.items()}
    expected = [(code, str(sent[code].total().quantize(D("0.01"))), str(indexes[code]),
                 1 + sum(1 for v in indexes.values() if v > indexes[code]), band_of(indexes[code]))
                for code in sorted(indexes, key=lambda k: -indexes[k])]
    assert [(u["code"], u["total"], u["index"], u["rank"], u["band"]) for u in doc["ranking"]] == expected
    assert expected[0][:3] == ("X02", "8.00", "80.00")  # 7 appraised + 1 bonus; the survey's 3 not in yet
    master = Path(doc["master"])
    assert master.parent == c.output_dir and master.is_file()
    ledger_results = results_from_ledger(c)
    assert [(u.unit.code, u.index, u.rank) for u in ledger_results.ranked] == [
        (code, D(index), rank) for code, _, index, rank, _ in expected]


def test_a_corrected_file_changes_the_rank_and_the_earlier_master_stays(tmp_path):
    c = make_campaign(tmp_path / "c")
    send(c, "X01", Answers(level="Ban hành không kịp thời"), mtime=1_750_000_000)          # 6,5
    send(c, "X02", Answers(on_time=75, initiative=D("0.5"), skip_evidence=("1.2",)), mtime=1_750_000_000)
    send(c, "X03", Answers(violations=2), mtime=1_750_000_000)                              # 6
    first = consolidate_json(c.root)
    by = {u["code"]: u for u in first["ranking"]}
    assert (by["X01"]["rank"], by["X03"]["rank"], by["X02"]["rank"], by["X02"]["status"]) == (1, 2, None, "rejected")
    assert [u["code"] for u in first["left_out"]] == ["X02"]
    first_master = Path(first["master"])
    digest = hashlib.sha256(first_master.read_bytes()).hexdigest()

    # X02 fixes its evidence and its figures, and sends the file again (another name, later)
    corrected = send(c, "X02", Answers(commended=True), name="X02 - gửi lại.xlsx", mtime=1_750_100_000)
    second = consolidate_json(c.root, "--previous", str(first_master))
    by = {u["code"]: u for u in second["ranking"]}
    assert [(u["code"], u["rank"]) for u in second["ranking"]] == [("X02", 1), ("X01", 2), ("X03", 3)]
    assert by["X02"]["index"] == "80.00" and second["left_out"] == []
    second_master = Path(second["master"])
    assert second_master != first_master
    assert hashlib.sha256(first_master.read_bytes()).hexdigest() == digest  # the earlier master is untouched
    assert read_previous(first_master).keys() == {"X01", "X03"}
    ranking = CalamineWorkbook.from_path(str(second_master)).get_sheet_by_name(SHEET_RANKING).to_python()
    header = next(r for r in ranking if r[0] == "STT")
    change = {r[1]: r[header.index("Tăng (+) / giảm (−) bậc")] for r in ranking if r[1] in by}
    assert change == {"X02": "", "X01": -1, "X03": -1}  # against the first master (--previous)
    sources = CalamineWorkbook.from_path(str(second_master)).get_sheet_by_name(SHEET_SOURCES).to_python()
    x02 = next(r for r in sources if r[0] == "X02")
    assert x02[2] == "inbox/" + corrected.name
    assert x02[3] == hashlib.sha256(corrected.read_bytes()).hexdigest()


@pytest.mark.parametrize("policy", ["exclude", "score_readable"])
def test_units_with_errors_and_silent_units_follow_the_policy(tmp_path, policy):
    c = configure(make_campaign(tmp_path / "c"), missing_policy=policy)
    send(c, "X01", Answers(on_time=70))                                     # 6
    send(c, "X02", Answers(commended=True, skip_evidence=("1.3", "1.4")))  # 8, but two errors
    # X03 sends nothing
    out = CliRunner().invoke(main, ["consolidate", str(c.root)])
    assert out.exit_code == 0, out.output  # the master was written: never exit 1 for the units' errors
    text = " ".join(out.output.split())
    assert "X03 Phường Hiệp An: chưa nộp tệp tự đánh giá" in text
    doc = consolidate_json(c.root)
    by = {u["code"]: u for u in doc["ranking"]}
    assert by["X03"]["status"] == "missing" and by["X03"]["rank"] is None
    if policy == "exclude":
        assert "Không xếp hạng 2 đơn vị" in text and "X02 Xã Lê Ninh: bị trả lại: tệp còn 2 lỗi" in text
        assert (by["X01"]["rank"], by["X02"]["rank"], by["X02"]["status"]) == (1, None, "rejected")
    else:
        assert "Không xếp hạng 1 đơn vị" in text and "Xếp hạng trên phần đọc được (tệp còn lỗi) 1 đơn vị" in text
        assert (by["X02"]["rank"], by["X02"]["index"], by["X01"]["rank"]) == (1, "80.00", 2)
    assert {u["code"] for u in doc["left_out"]} == {"X02", "X03"}
    # nothing new between the two runs: the second keeps the first master (see test_master_reuse.py)
    assert len(list(c.output_dir.glob("tong-hop-chi-so-cchc-2025-*.xlsx"))) == 1
    assert doc["master_reused"] is True


def test_later_rounds_replace_self_scores_item_by_item(tmp_path):
    c = make_campaign(tmp_path / "c")
    sub = LedgerSubmission("X01", "Phường An Lưu", "ab" * 32, "inbox/X01.xlsx", "2025-12-01T08:00:00Z",
                         tmp_path / "kept.xlsx", "ok", D(7), 0, 1,
                         scores={"self": {"1.1": D(1), "1.3": D(2)}, "appraisal-1": {"1.1": D("0.5"), "1.3": D(1)},
                                 "appraisal-2": {"1.3": D(2)}, "survey": {"2.1": D("2.4"), "1.1": D(9)}},
                         evidence_counts={"1.1": 2},
                         finding_counts={"1.3": {"error": 0, "warning": 1, "info": 3}})
    got = unit_input(c, sub)
    assert got.appraised_scores == {"1.1": D("0.5"), "1.3": D(2)}  # appraisal-2 after appraisal-1
    assert got.survey_scores == {"2.1": D("2.4")}                    # only survey items from the survey
    assert (got.status, got.error_count, got.finding_counts, got.evidence_counts) == ("ok", 0, {"1.3": 1}, {"1.1": 2})
    assert (got.source.sha256, got.source.path) == ("ab" * 32, "inbox/X01.xlsx")
    assert unit_input(c, LedgerSubmission("ZZ", "Xã Lạ", "cd" * 32, "x", "t", tmp_path, "ok", None, 0, 0)) is None
