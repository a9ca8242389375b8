"""``parxl council`` in a campaign with several blocks: one workbook with each block's group of sheets and one
Tờ trình with a part per block, each block's units ranked among themselves against its own criteria set.

Oracles: which unit is in which block from the sample's units.csv (csv module); each block's field codes from
its criteria YAML (yaml module); a lowered item's self score read from the appraisal workbook the appraisers
filled (openpyxl); ranks recomputed here by sorting each block's indexes; the workbook read with openpyxl and
the Tờ trình with python-docx.
"""
from __future__ import annotations

import json
from decimal import Decimal as D

import docx
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from parxl.appraisal import layout as L
from parxl.cli import main
from test_appraisal import fill, rows_of
from test_blocks import competition_ranks, sample_blocks, year_on_copy

TITLES = {"so": "Khối sở, ban, ngành", "xa": "Khối UBND cấp xã"}


def lowered_per_block(c, tmp_path) -> dict[str, tuple[str, str, D]]:
    """Round 1 sets one scored item of the first unit of each block's first appraisal workbook to 0;
    block → (unit, item, its self score as the workbook shows it)."""
    assert CliRunner().invoke(main, ["appraise", str(c.root)]).exit_code == 0
    folder = c.root / "output" / "tham-dinh" / "appraisal-1"
    picked = {}
    for block in ("so", "xa"):
        first = sorted((folder / block).iterdir())[0]
        ws = load_workbook(first)[L.SHEET_DATA]
        at = rows_of(ws)
        (unit, item), row = next(((k, r) for k, r in sorted(at.items())
                                  if isinstance(ws.cell(r, 7).value, (int, float)) and ws.cell(r, 7).value > 0
                                  and isinstance(ws.cell(r, 5).value, (int, float)) and ws.cell(r, 5).value > 0))
        picked[block] = (unit, item, D(str(ws.cell(row, 7).value)))
        fill(first, tmp_path / "da-cham" / block / first.name, {(unit, item): 0})
    out = CliRunner().invoke(main, ["appraise", str(c.root), "--import", str(tmp_path / "da-cham")])
    assert out.exit_code == 0, out.output
    return picked


def test_council_per_block_workbook_brief_and_json(tmp_path):
    c = year_on_copy(tmp_path)
    blocks = sample_blocks()
    picked = lowered_per_block(c, tmp_path)
    out = CliRunner().invoke(main, ["council", str(c.root), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)

    # JSON: each block its own units (units.csv order), each unit named with its block
    assert [(b["id"], b["title"]) for b in doc["blocks"]] == list(TITLES.items())
    for b in doc["blocks"]:
        assert b["units"] == [code for code, block in blocks.items() if block == b["id"]]
    units = {u["code"]: u for u in doc["units"]}
    assert {code: u["block"] for code, u in units.items()} == blocks

    # the lowered item: round 1 takes its self score off the unit's total; still contested after the last round
    for block, (unit, item, self_score) in picked.items():
        u = units[unit]
        assert D(u["first"]["total"]) == D(u["self"]["total"]) - self_score, (block, u)
        assert u["still_contested"] == [item]
    # ranks never cross blocks: each stage's ranks are recomputed from the block's own indexes
    for block in TITLES:
        for stage in ("self", "first", "final"):
            indexes = {code: D(units[code][stage]["index"]) for code, b in blocks.items()
                       if b == block and units[code][stage] and units[code][stage]["rank"] is not None}
            assert len(indexes) >= 6
            assert {code: units[code][stage]["rank"] for code in indexes} == competition_ranks(indexes)

    # the workbook: «Tổng hợp (id)» listing the block's units, then a sheet per field of the block's own set
    wb = load_workbook(doc["workbook"])
    expected_sheets = []
    for block in TITLES:
        criteria = yaml.safe_load((c.root / f"criteria-{block}.yaml").read_text(encoding="utf-8"))
        fields = [str(f["code"]) for f in criteria["fields"] if f.get("part") != "survey"]  # survey: not appraised
        expected_sheets += [f"Tổng hợp ({block})"] + [f"Lĩnh vực {code} ({block})" for code in fields]
    assert [n for n in wb.sheetnames if not n.startswith("Thưởng, trừ")] == expected_sheets
    for block, title in TITLES.items():
        ws = wb[f"Tổng hợp ({block})"]
        assert title.upper() in ws.cell(1, 1).value
        codes = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value]
        assert codes == [code for code, b in blocks.items() if b == block]
        head = [ws.cell(4, col).value for col in range(1, 15)]
        unit, item, self_score = picked[block]
        row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value == unit)
        values = dict(zip(head, (ws.cell(row, col).value for col in range(1, 15))))
        assert D(str(values["Tổng điểm tự đánh giá"])) - D(str(values["Tổng điểm thẩm định lần 1"])) == self_score
        assert values["Xếp hạng lần 1"] == units[unit]["first"]["rank"]
        assert values["Tiêu chí còn ý kiến khác nhau"] == item

    # the Tờ trình: a part per block, its table listing the block's units, its open item under it
    brief = docx.Document(doc["brief"])
    text = "\n".join(p.text for p in brief.paragraphs)
    assert text.index("I. Khối sở, ban, ngành") < text.index("II. Khối UBND cấp xã")
    names = {u.code: u.name for u in c.units}
    tables = [t for t in brief.tables if t.rows[0].cells[0].text == "STT"]
    assert len(tables) == 2
    for table, block in zip(tables, TITLES):
        listed = [row.cells[1].text for row in table.rows[1:]]
        assert listed == [names[code] for code, b in blocks.items() if b == block]
        unit, _, _ = picked[block]
        ranks = {row.cells[1].text: row.cells[5].text for row in table.rows[1:]}
        assert ranks[names[unit]] == str(units[unit]["final"]["rank"])
    for block, part in zip(TITLES, text.split("II. Khối UBND cấp xã")):
        unit, item, _ = picked[block]
        assert f"{names[unit]}, tiêu chí {item} (" in part


def test_council_console_and_excel_button_speak_per_block(tmp_path):
    from parxl.excel import xl

    c = year_on_copy(tmp_path)
    lowered_per_block(c, tmp_path)
    out = CliRunner().invoke(main, ["council", str(c.root)], terminal_width=40)
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    for title in TITLES.values():
        assert f"{title}: 0 đơn vị đã giải trình;" in said
    lines = xl.do_council(c.root).lines
    assert [line.split(":")[0] for line in lines[1:]] == list(TITLES.values())


def test_council_never_ranks_a_block_with_ranked_false(tmp_path):
    """A block with ``ranked: false`` has no rank and no change of rank anywhere (JSON, console, workbook,
    Tờ trình), as in the master; the Tờ trình counts only the ranked block's units (units.csv)."""
    from test_blocks import edit_yaml

    c = year_on_copy(tmp_path, lambda root: edit_yaml(
        root, "    criteria: criteria-xa.yaml\n", "    criteria: criteria-xa.yaml\n    ranked: false\n"))
    picked = lowered_per_block(c, tmp_path)
    blocks = sample_blocks()
    out = CliRunner().invoke(main, ["council", str(c.root), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    xa = [u for u in doc["units"] if u["block"] == "xa"]
    assert xa and all(u["rank_change"] is None for u in xa)
    assert all(u[s] is None or u[s]["rank"] is None for u in xa for s in ("self", "first", "final"))
    assert sum(1 for u in xa if u["final"] and u["final"]["index"] is not None) >= 6  # index kept, rank not
    assert [b["ranked"] for b in doc["blocks"]] == [True, False]
    so = {u["code"]: u for u in doc["units"] if u["block"] == "so" and u["final"] and u["final"]["rank"]}
    assert len(so) >= 6  # the ranked block keeps its ranks

    wb = load_workbook(doc["workbook"])
    ws = wb["Tổng hợp (xa)"]
    head = [ws.cell(4, col).value for col in range(1, 15)]
    for r in range(5, ws.max_row + 1):
        values = dict(zip(head, (ws.cell(r, col).value for col in range(1, 15))))
        assert values["Xếp hạng lần 1"] is None and values["Xếp hạng sau giải trình"] is None
        assert values["Thay đổi hạng"] in (None, "")
    assert picked["xa"][0] in [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]

    text = "\n".join(p.text for p in docx.Document(doc["brief"]).paragraphs)
    ranked_so = len(so)
    assert f"{ranked_so} đơn vị được xếp hạng (mỗi khối xếp hạng riêng)" in text  # only «so»'s ranked units

    said = " ".join(CliRunner().invoke(main, ["council", str(c.root)], terminal_width=40).output.split())
    xa_codes = {code for code, b in blocks.items() if b == "xa"}
    assert not any(f"• {code} " in said for code in xa_codes)


def test_council_leaves_out_a_block_with_no_appraisal_and_says_so(tmp_path):
    """Only «so»'s appraisal workbooks come back: «xa» has no appraisal recorded, so it is not presented as
    appraised: left out of the workbook (no «Tổng hợp (xa)») and of the Tờ trình's parts, a Vietnamese line on
    the console, in JSON and in the Tờ trình; the Tờ trình counts «so»'s units only (units.csv)."""
    from parxl.excel import xl

    c = year_on_copy(tmp_path)
    assert CliRunner().invoke(main, ["appraise", str(c.root)]).exit_code == 0
    folder = c.root / "output" / "tham-dinh" / "appraisal-1" / "so"
    first = sorted(folder.iterdir())[0]
    ws = load_workbook(first)[L.SHEET_DATA]
    key = next(k for k, r in sorted(rows_of(ws).items()) if isinstance(ws.cell(r, 7).value, (int, float)))
    fill(first, tmp_path / "da-cham" / "so" / first.name, {key: 0})
    out = CliRunner().invoke(main, ["appraise", str(c.root), "--import", str(tmp_path / "da-cham" / "so")])
    assert out.exit_code == 0, out.output
    line = "Khối UBND cấp xã chưa có kết quả thẩm định: chưa trình Hội đồng."

    out = CliRunner().invoke(main, ["council", str(c.root)], terminal_width=40)
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert line in said and "Khối UBND cấp xã: " not in said and "Khối sở, ban, ngành: " in said

    doc = json.loads(CliRunner().invoke(main, ["council", str(c.root), "--json"]).stdout)
    assert [b["id"] for b in doc["blocks"]] == ["so"]
    assert [b["id"] for b in doc["not_appraised"]] == ["xa"] and doc["not_appraised"][0]["message"] == line
    so_codes = [code for code, b in sample_blocks().items() if b == "so"]
    assert [u["code"] for u in doc["units"]] == so_codes

    assert not any("(xa)" in n for n in load_workbook(doc["workbook"]).sheetnames)
    text = "\n".join(p.text for p in docx.Document(doc["brief"]).paragraphs)
    assert line in text and "II. Khối UBND cấp xã" not in text and "I. Khối sở, ban, ngành" in text
    sent = sum(1 for u in doc["units"] if u["self"] and u["self"]["total"] is not None)
    assert f"tự đánh giá của {sent} đơn vị thuộc 1 khối" in text
    assert line in xl.do_council(c.root).lines


def test_council_refuses_when_no_block_is_appraised(tmp_path):
    c = year_on_copy(tmp_path)
    out = CliRunner().invoke(main, ["council", str(c.root)])
    assert out.exit_code != 0 and "Chưa có kết quả thẩm định nào trong sổ theo dõi" in out.output
    assert not (c.root / "output" / "hoi-dong").exists() or not any((c.root / "output" / "hoi-dong").iterdir())
