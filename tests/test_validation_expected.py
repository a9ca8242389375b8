"""What validation works out once per criteria set (rows, labels, the layout version's hash) and the cheap
path for plain evidence links: done once, following the layout's changes, and giving what the general path gives."""
from __future__ import annotations

import hashlib
import json
from dataclasses import FrozenInstanceError

import pytest

from parxl.intake.checks import expected as expected_module
from parxl.intake.evidence_text import Entry, parse_cell, plain_links
from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import validate
from parxl.workbook import layout
from support.tamper import ROW, filled, set_text


def check(campaign, data: bytes):
    unit = campaign.units[0]
    sub = read_submission(data, name=f"inbox/{unit.code} - {unit.name}.xlsx",
                          max_row=expected_max_row(campaign.framework), siblings=set())
    return validate(campaign, sub)


def counting(monkeypatch, module, name: str) -> list:
    calls = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)
    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_rows_are_planned_once_per_set_and_each_caller_gets_its_own_list(campaign, monkeypatch):
    calls = counting(monkeypatch, layout, "_plan_rows")
    fw = campaign.framework
    first = layout.plan_rows(fw)
    first.clear()  # a caller's list is its own
    again = layout.plan_rows(fw)
    assert len(calls) == 1
    # the mini set by hand (tests/support/tamper.py): field 1 on 6 … penalty D1 on 17, the total on 18
    assert [(s.row, s.code) for s in again if s.kind != "line"][:3] == [(6, "1"), (7, "1.1"), (8, "1.2")]
    assert again[-1].row == ROW["total"] and again[-1].kind == "total"
    monkeypatch.setattr(layout, "FIRST_ROW", layout.FIRST_ROW + 2)  # read at call time: planned again
    moved = layout.plan_rows(fw)
    assert len(calls) == 2 and moved[0].row == 8 and moved[-1].row == ROW["total"] + 2


def test_expectations_are_built_once_per_set_and_follow_the_layout(campaign, monkeypatch):
    builds = counting(monkeypatch, expected_module, "_build")
    wb = filled(campaign, campaign.units[0])
    assert check(campaign, wb).findings == []
    assert check(campaign, wb).findings == []
    assert len(builds) == 1  # two files, one criteria set: built once
    # A new penalty prefix (as a layout change would bring): rebuilt, and the new prefix is what is accepted.
    monkeypatch.setitem(layout.WORDING, "penalty_prefix", "[Điểm trừ] ")
    renamed = set_text(filled(campaign, campaign.units[0]), f"B{ROW['D1']}", "[Điểm trừ] Bị phê bình vì chậm báo cáo")
    assert check(campaign, renamed).findings == []
    assert len(builds) == 2
    old = set_text(renamed, f"B{ROW['D1']}", "(Trừ điểm) Bị phê bình vì chậm báo cáo")
    assert [(f.code, f.cell) for f in check(campaign, old).findings] == [("locked-cell-changed", f"B{ROW['D1']}")]


def test_a_title_cell_with_windows_line_breaks_or_a_changed_scoring_line(campaign):
    wb = filled(campaign, campaign.units[0])
    sub = read_submission(wb, name="x.xlsx", max_row=expected_max_row(campaign.framework))
    written = sub.cell(ROW["1.3"], "B").value  # the title and its scoring lines, as parxl wrote them
    assert "\n" in written
    crlf = set_text(wb, f"B{ROW['1.3']}", written.replace("\n", "\r\n"))
    assert check(campaign, crlf).findings == []
    changed = set_text(wb, f"B{ROW['1.3']}", written + " thêm")
    assert [(f.code, f.cell) for f in check(campaign, changed).findings] == [("locked-cell-changed", f"B{ROW['1.3']}")]


def test_the_layout_hash_is_the_contracts_own_and_follows_its_changes(monkeypatch):
    def by_hand() -> str:
        dump = json.dumps(layout.contract(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(dump.encode("utf-8")).hexdigest()[:8]
    before = by_hand()
    assert layout.hash_of(layout.contract()) == before
    assert layout.layout_version() == f"{layout.LAYOUT_SERIES}-{before}"
    monkeypatch.setitem(layout.WORDING, "total", "TỔNG ĐIỂM")
    assert layout.hash_of(layout.contract()) == by_hand() != before
    assert not layout.reads_version(f"{layout.LAYOUT_SERIES}-{before}")
    data = {"a": {"b": "c"}}
    first = layout.hash_of(data)
    data["a"]["b"] = "d"  # the same dict changed after it was hashed
    assert layout.hash_of(data) != first
    monkeypatch.undo()
    assert layout.hash_of(layout.contract()) == before and layout.reads_version(layout.layout_version())


@pytest.mark.parametrize("text, links", [
    ("https://xa.gov.vn/a.pdf", ["https://xa.gov.vn/a.pdf"]),
    (" https://xa.gov.vn/a.pdf \n\nhttps://drive.google.com/file/d/1/view?usp=sharing\r\n",
     ["https://xa.gov.vn/a.pdf", "https://drive.google.com/file/d/1/view?usp=sharing"]),
    ("https://xa.gov.vn/a.pdf\u2028http://b.vn/", ["https://xa.gov.vn/a.pdf", "http://b.vn/"]),
    ("", []),
    ("  \n ", []),
])
def test_a_cell_of_plain_links_gives_one_entry_per_link(text, links):
    assert plain_links(text) == links
    entries = parse_cell(text)
    assert entries == [Entry(text=url, links=(url,)) for url in links]
    assert [hash(e) for e in entries] == [hash(Entry(text=url, links=(url,))) for url in links]
    for entry in entries:
        assert entry.kind == "link" and entry.files == () and entry.refs == () and entry.malformed is None
        with pytest.raises(FrozenInstanceError):
            entry.text = "x"  # type: ignore[misc]


@pytest.mark.parametrize("text", [
    "TLKC: https://xa.gov.vn/a.pdf", "https://xa.gov.vn/a b.pdf", "www.xa.gov.vn/a.pdf", "https://xa.gov.vn/a.pdf.",
    "https://xa.gov.vn/a.pdf\nĐã thực hiện", "QD120.pdf", "http://xa", "https://xa.gov.vn:8080/a",
])
def test_other_cells_take_the_general_path(text):
    assert plain_links(text) is None


def test_plain_links_on_an_unusual_host_are_accepted_and_reported(campaign):
    cell = f"H{ROW['1.1']}"
    blank = filled(campaign, campaign.units[0], evidence={"1.1": []})  # no link written (nor a cell hyperlink)
    wb = set_text(blank, cell, "https://example.com/a.pdf\nhttps://xa.gov.vn/b.pdf")
    report = check(campaign, wb)
    assert [(f.code, f.cell, f.item) for f in report.findings] == [("evidence-unusual-host", cell, "1.1")]
    assert "example.com" in report.findings[0].message
    assert report.items["1.1"].evidence == ["https://example.com/a.pdf", "https://xa.gov.vn/b.pdf"]
