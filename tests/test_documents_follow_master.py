"""Documents follow the master the clerk reviewed, name it, and refuse what would put a wrong draft before a signer.

Expected rankings are read from the master workbook with openpyxl (its cached
values) and from the drafts with python-docx, or worked out by hand from
tests/fixtures/mini.yaml: never from the code under test.
"""
from __future__ import annotations

import datetime as dt
import os
import json
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from conftest import make_campaign
from parxl.campaign.folder import Campaign, load_campaign
from parxl.cli import main
from test_consolidation import Answers, send
from test_documents_common import docx_texts, set_decision, table_rows
from test_results import configure

COMMANDS = ("decision", "notices", "report")


def run(*args: str):
    return CliRunner().invoke(main, [*args])


def flat(text: str) -> str:
    """Whatever the terminal width: one space between words."""
    return " ".join(text.split())


def consolidate(root: Path) -> Path:
    out = run("consolidate", str(root), "--json")
    assert out.exit_code == 0, out.output
    return Path(json.loads(out.stdout)["master"])


def import_survey(root: Path, tmp_path: Path, x01: str, x02: str) -> None:
    table = tmp_path / f"dieu-tra-{x01}-{x02}.csv"
    table.write_text(f"Mã,Tên đơn vị,2.1\nX01,Phường An Lưu,{x01}\nX02,Xã Lê Ninh,{x02}\n", encoding="utf-8")
    out = run("survey", str(root), str(table))
    assert out.exit_code == 0, out.output


def drafts(root: Path) -> list[Path]:
    return sorted(root.joinpath("output").rglob("*.docx"))


def master_ranking(master: Path) -> list[tuple[str, str, int]]:
    """(unit name, index with a decimal comma, rank) of every ranked unit, from the master's cached values."""
    ws = load_workbook(master, data_only=True, read_only=True)["Xếp hạng"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    at = next(n for n, r in enumerate(rows) if r and r[0] == "STT")
    cols = {h: i for i, h in enumerate(rows[at]) if isinstance(h, str)}
    out = []
    for r in rows[at + 1:]:
        if not isinstance(r[0], (int, float)):
            break
        out.append((r[cols["Đơn vị"]], f"{r[cols['Chỉ số (%)']]:.2f}".replace(".", ","), int(r[cols["Xếp hạng"]])))
    return out


def decision_ranking(path: Path) -> list[tuple[str, str, int]]:
    """(unit name, index, rank) of the ranked rows of the decision's appendix, in the order printed."""
    rows = table_rows(Document(str(path)).tables[2])
    head = rows[0]
    name, index, rank = head.index("Đơn vị"), head.index("Chỉ số CCHC (%)"), head.index("Xếp hạng")
    return [(r[name], r[index], int(r[rank])) for r in rows[2:] if len(r) == len(head) and r[rank].isdigit()]


@pytest.fixture
def two_units(tmp_path: Path) -> Campaign:
    """X01 self-assesses 7 points, X02 6,5 (by hand from mini.yaml); X03 sends nothing."""
    c = make_campaign(tmp_path / "c")
    set_decision(c.root, "12/QĐ-UBND", "2026-02-05")
    send(c, "X01", Answers())                                   # 1 + 1 + 2 + 2 + 1 = 7
    send(c, "X02", Answers(level="Ban hành không kịp thời"))    # 0,5 + 1 + 2 + 2 + 1 = 6,5
    return load_campaign(c.root)


def test_a_new_survey_table_stops_the_decision_until_consolidated_again(two_units, tmp_path):
    root = two_units.root
    import_survey(root, tmp_path, "3", "0")          # X01 7 + 3 = 10 (100 %), X02 6,5 (65 %)
    first = consolidate(root)
    assert [r[0] for r in master_ranking(first)] == ["Phường An Lưu", "Xã Lê Ninh"]

    import_survey(root, tmp_path, "0", "3")          # X01 7 (70 %), X02 6,5 + 3 = 9,5 (95 %)
    for command in COMMANDS:
        refused = run(command, str(root))
        assert refused.exit_code == 1, refused.output
        text = flat(refused.output)
        assert first.name in "".join(text.split())  # a long name may be folded on a narrow terminal
        assert "điều tra xã hội học" in text and "parxl consolidate" in text
    assert drafts(root) == []

    second = consolidate(root)
    out = run("decision", str(root))
    assert out.exit_code == 0, out.output
    decision, = drafts(root)
    assert decision_ranking(decision) == master_ranking(second)
    assert decision_ranking(decision) == [("Xã Lê Ninh", "95,00", 1), ("Phường An Lưu", "70,00", 2)]


def test_every_draft_names_the_master_it_follows(two_units):
    root = two_units.root
    master = consolidate(root)
    stamp = re.search(r"-(\d{8}-\d{6})\.xlsx$", master.name).group(1)
    when = dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S")
    named = f"«{master.name}» (lập lúc {when:%H:%M:%S} ngày {when:%d/%m/%Y})"
    for command in COMMANDS:
        out = run(command, str(root))
        assert out.exit_code == 0, out.output
        assert named in flat(out.stdout)
    assert len(drafts(root)) == 1 + 2 + 1  # decision, a notice per ranked unit, report
    for path in drafts(root):
        doc = Document(str(path))
        comments = [c.text for c in doc.comments]
        assert len(comments) == 1 and named in comments[0], path.name
        assert named in doc.core_properties.comments


def test_no_master_yet_is_refused(two_units):
    for command in COMMANDS:
        out = run(command, str(two_units.root))
        assert out.exit_code == 1
        assert "Chưa có bảng tổng hợp" in flat(out.output) and "parxl consolidate" in flat(out.output)
    assert drafts(two_units.root) == []


def test_a_master_without_saved_results_is_not_followed(two_units):
    master = consolidate(two_units.root)
    for saved in (two_units.state_dir / "results").iterdir():
        saved.unlink()  # as a master made by an earlier parxl, or copied in from elsewhere
    out = run("decision", str(two_units.root))
    assert out.exit_code == 1 and "không có kết quả lưu kèm" in flat(out.output)
    assert master.name in "".join(out.output.split())
    assert drafts(two_units.root) == []


def test_a_file_received_after_the_master_is_refused(two_units):
    root = two_units.root
    consolidate(root)
    send(two_units, "X03", Answers(violations=1))
    assert run("check", str(root)).exit_code in (0, 1)  # the new file is in the ledger now
    out = run("decision", str(root))
    assert out.exit_code == 1 and "tệp tự đánh giá" in flat(out.output)
    consolidate(root)
    assert run("decision", str(root)).exit_code == 0


def test_ranking_settings_changed_since_the_master_are_refused(two_units):
    consolidate(two_units.root)
    configure(two_units, tie_rule="dense")
    out = run("report", str(two_units.root))
    assert out.exit_code == 1 and "campaign.yaml" in flat(out.output)


def test_filling_in_the_signer_after_consolidating_needs_no_new_master(two_units):
    consolidate(two_units.root)
    configure(two_units, signer={"name": "Trần Văn Bình", "title": "CHỦ TỊCH"})
    out = run("decision", str(two_units.root))
    assert out.exit_code == 0, out.output
    assert "Trần Văn Bình" in docx_texts(drafts(two_units.root)[0])


def test_a_master_edited_by_hand_is_followed_with_a_warning(two_units):
    master = consolidate(two_units.root)
    wb = load_workbook(master)
    wb.save(master)  # opened and saved again, as in a spreadsheet program
    out = run("decision", str(two_units.root))
    assert out.exit_code == 0, out.output
    assert "không theo những chỗ sửa tay" in flat(out.stderr)


def test_nothing_ranked_is_refused(tmp_path):
    c = make_campaign(tmp_path / "c")
    consolidate(c.root)  # nobody has sent a file
    for command in COMMANDS:
        out = run(command, str(c.root))
        assert out.exit_code == 1
        assert "chưa xếp hạng đơn vị nào" in flat(out.output)
    assert drafts(c.root) == []


# --- drafts that look final -----------------------------------------------------------

WARNED = {  # what make_campaign leaves as «…» (decision and plan), per document, by hand from the templates
    "decision": {"decision.number", "decision.date", "plan.number", "plan.date"},
    "notices": {"decision.number", "decision.date"},
    "report": {"decision.number", "decision.date", "plan.number", "plan.date"},
}


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Lưu ý:")]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_placeholder_left_in_campaign_yaml_is_warned_on_its_own_line(tmp_path, command):
    c = make_campaign(tmp_path / "c")
    send(c, "X01", Answers())
    consolidate(c.root)
    out = run(command, str(c.root))
    assert out.exit_code == 0, out.output
    lines = warning_lines(out.stderr)
    entries = {m for line in lines for m in re.findall(r"mục «([a-z_.]+)»", line)}
    assert entries == WARNED[command]
    placeholder_lines = [line for line in lines if "mục «" in line]
    assert len(placeholder_lines) == len(WARNED[command])  # one line each
    assert "«…/QĐ-UBND»" in next(line for line in lines if "«decision.number»" in line)
    sample = [line for line in lines if "bộ MẪU" in line]
    assert len(sample) == 1 and "Quyết định số 1/QĐ-UBND ngày 01/01/2025 của UBND tỉnh Mẫu" in sample[0]
    assert len(lines) == len(placeholder_lines) + 1


def test_a_filled_campaign_on_an_official_set_drafts_without_warnings(tmp_path):
    c = make_campaign(tmp_path / "c")
    criteria = c.root / "criteria.yaml"
    criteria.write_text(criteria.read_text(encoding="utf-8").replace("sample: true", "sample: false"), encoding="utf-8")
    c = configure(c, decision={"number": "12/QĐ-UBND", "date": dt.date(2026, 2, 5)},
                  plan={"number": "184/KH-UBND", "date": dt.date(2025, 11, 20)})
    send(c, "X01", Answers())
    consolidate(c.root)
    for command in COMMANDS:
        out = run(command, str(c.root))
        assert out.exit_code == 0, out.output
        assert warning_lines(out.stderr) == []


def test_a_fresh_campaign_warns_about_its_signer_and_place(tmp_path):
    """As ``parxl init`` leaves it: signer «…», place «…» (make_campaign fills them; here they are put back)."""
    c = make_campaign(tmp_path / "c")
    c = configure(c, signer={"name": "…", "title": "CHỦ TỊCH", "on_behalf": "TM. ỦY BAN NHÂN DÂN"},
                  issuer={**c.config.issuer.model_dump(), "place": "…"})
    send(c, "X01", Answers())
    consolidate(c.root)
    out = run("decision", str(c.root))
    assert out.exit_code == 0, out.output
    entries = {m for line in warning_lines(out.stderr) for m in re.findall(r"mục «([a-z_.]+)»", line)}
    assert {"signer.name", "issuer.place"} <= entries


# --- the snapshot ----------------------------------------------------------------------

def test_the_snapshot_keeps_every_figure_the_master_shows(two_units, tmp_path):
    from parxl.master.consolidation import run_consolidation
    from parxl.master.snapshot import latest_snapshot, load_snapshot

    import_survey(two_units.root, tmp_path, "2,5", "50%")
    done = run_consolidation(two_units)
    path = latest_snapshot(two_units)
    assert path == done.snapshot and path.parent == two_units.state_dir / "results"
    saved = load_snapshot(two_units, path)
    assert saved.master == done.master and saved.made_at == done.results.made_at
    assert saved.results.units == done.results.units
    assert (saved.results.has_appraisal, saved.results.has_survey) == (False, True)
    x02 = saved.results.by_code("X02")
    assert (x02.survey_points, x02.total, x02.index) == (D("1.50"), D("8.00"), D("80.00"))  # 6,5 + 50 % of 3


# --- files that arrived, and files parxl failed on, after the master -------------------------

def test_a_file_put_in_inbox_after_consolidate_stops_the_documents_without_a_check(two_units):
    """No «parxl check» in between: the ledger never saw the file, the documents still notice it."""
    from parxl.documents.source import MasterNeededError
    from parxl.excel import xl

    root = two_units.root
    consolidate(root)
    new = send(two_units, "X03", Answers(violations=1))
    for command in COMMANDS:
        out = run(command, str(root))
        assert out.exit_code == 1, out.output
        text = flat(out.output)
        assert "parxl consolidate" in text and "1 tệp mới hoặc đã thay đổi" in text
        assert "".join(f"«inbox/{new.name}»".split()) in "".join(out.output.split())
    with pytest.raises(MasterNeededError, match="tệp mới"):
        xl.do_documents(root)  # the Excel button
    assert drafts(root) == []

    second = consolidate(root)
    out = run("decision", str(root))
    assert out.exit_code == 0, out.output
    # X03 by hand from mini.yaml: 1 + 1 + 2 + (2 - 0,5 for one violation) + 1 = 6,5 of 10 -> 65,00 %, tied 2nd;
    # ranked now, as the master says (tied units may be printed in another order)
    assert ("Phường Hiệp An", "65,00", 2) in decision_ranking(drafts(root)[0])
    assert sorted(decision_ranking(drafts(root)[0])) == sorted(master_ranking(second))


def test_a_file_only_touched_after_consolidate_is_not_new_but_a_changed_one_is(two_units):
    root = two_units.root
    consolidate(root)
    x01 = next(root.joinpath("inbox").glob("X01*"))
    os.utime(x01, (2_000_000_000, 2_000_000_000))  # same content, other time (copied back, synced…)
    assert run("decision", str(root)).exit_code == 0
    send(two_units, "X01", Answers(level="Ban hành không kịp thời"), name=x01.name)  # same name, new content
    out = run("notices", str(root))
    assert out.exit_code == 1 and "".join(f"«inbox/{x01.name}»".split()) in "".join(out.output.split())


def test_what_the_intake_never_opens_does_not_stop_the_documents(two_units):
    root = two_units.root
    consolidate(root)
    (root / "inbox" / "X03 - lien ket hong.xlsx").symlink_to(root / "khong-co.xlsx")  # a dangling link
    os.mkfifo(root / "inbox" / "ong-dan.xlsx")  # a FIFO: reading it would block
    (root / "inbox" / "~$X01 - Phường An Lưu.xlsx").write_bytes(b"lock")  # Excel's lock file
    out = run("decision", str(root))
    assert out.exit_code == 0, out.output


def test_many_new_files_are_named_a_few_then_counted(two_units):
    root = two_units.root
    consolidate(root)
    for n in range(5):
        (root / "inbox" / f"thu-{n}.pdf").write_bytes(b"%PDF-1.4 minh chung " + bytes([n]))
    out = run("report", str(root))
    assert out.exit_code == 1
    text = "".join(out.output.split())
    assert "5tệpmới" in text and "«inbox/thu-0.pdf»,«inbox/thu-1.pdf»,«inbox/thu-2.pdf»và2tệpkhác" in text
    assert "thu-3.pdf" not in text


def test_documents_refuse_while_parxl_failed_on_a_units_file(two_units, monkeypatch):
    import parxl.ledger.receive
    from parxl.core.errors import ParxlError
    from parxl.excel import xl
    from test_internal_errors import buggy_validate_for

    root = two_units.root
    x02 = next(root.joinpath("inbox").glob("X02*"))
    monkeypatch.setattr(parxl.ledger.receive, "validate", buggy_validate_for("X02"))
    made = run("consolidate", str(root), "--json")
    assert made.exit_code == 3, made.output  # parxl's own error: the master is written, X02 held back
    assert {u["code"]: u["status"] for u in json.loads(made.stdout)["ranking"]}["X02"] == "internal"
    logs = list((two_units.state_dir / "errors").glob("*.txt"))
    assert len(logs) == 1
    for command in COMMANDS:
        out = run(command, str(root))
        assert out.exit_code == 1, out.output
        text = flat(out.output)
        assert "lỗi của chính chương trình (không phải lỗi của đơn vị)" in text
        assert "X02 Xã Lê Ninh" in text and "parxl check" in text and "cập nhật parxl" in text
        squeezed = "".join(out.output.split())
        assert f"«inbox/{x02.name}»".replace(" ", "") in squeezed and "".join(str(logs[0]).split()) in squeezed
    with pytest.raises(ParxlError, match="X02 Xã Lê Ninh"):
        xl.do_documents(root)
    assert drafts(root) == []


def test_a_newer_file_parxl_failed_on_is_named_not_sent_back_to_consolidate(two_units, monkeypatch):
    """The unit was ranked on an older file; parxl fails on its newer one. Consolidating again cannot
    settle that, so the documents must name the unit and parxl's error, not ask for a consolidation."""
    import shutil

    import parxl.ledger.receive
    from test_internal_errors import buggy_validate_for

    root = two_units.root
    x02 = next(root.joinpath("inbox").glob("X02*"))
    assert run("consolidate", str(root)).exit_code == 0
    newer = root / "inbox" / "X02 v2.xlsx"
    shutil.copyfile(x02, newer)
    with newer.open("ab") as fh:
        fh.write(b"\0")  # other content, so parxl reads it anew
    monkeypatch.setattr(parxl.ledger.receive, "validate", buggy_validate_for("v2"))
    assert run("consolidate", str(root)).exit_code == 3
    for command in COMMANDS:
        out = run(command, str(root))
        assert out.exit_code == 1, out.output
        text = flat(out.output)
        assert "X02 Xã Lê Ninh" in text and "lỗi của chính chương trình" in text, text
    assert drafts(root) == []
