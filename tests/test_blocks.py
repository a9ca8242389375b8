"""Several blocks in one campaign (issue 16): campaign.yaml ``blocks:``, files per block, ranks per block,
one master and one decision for every block.

Oracles: the sample's own units.csv read with the csv module (which unit is in which block), ranks
recomputed here by sorting each block's indexes, the decision read back with python-docx, the master
recomputed by LibreOffice.
"""
from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from parxl.campaign.folder import load_campaign
from parxl.cli import main
from parxl.core.errors import CampaignError
from parxl.core.resources import samples_dir
from parxl.appraisal import layout as L
from parxl.demo.run import run_demo
from parxl.demo.simulate import fill_for, pick_scenario
from parxl.intake.blocks import validate_in_block
from parxl.intake.submission import read_submission
from parxl.master.consolidation import run_consolidation
from parxl.master.snapshot import latest_snapshot
from parxl.workbook.build import build_workbook
from support.libreoffice import recalculate

SAMPLE = "hai-khoi-2025"
SPREADSHEET_ERRORS = ("#DIV/0!", "#NAME?", "#VALUE!", "#REF!", "#N/A", "#NUM!", "Err:")


def sample_blocks() -> dict[str, str]:
    """Unit code → block id, straight from the sample's units.csv «Khối» column."""
    with open(samples_dir() / SAMPLE / "units.csv", encoding="utf-8") as f:
        return {row["Mã"]: row["Khối"] for row in csv.DictReader(f)}


def copy_sample(tmp_path: Path) -> Path:
    root = tmp_path / "dot"
    shutil.copytree(samples_dir() / SAMPLE, root)
    return root


def edit_yaml(root: Path, old: str, new: str) -> None:
    path = root / "campaign.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- campaign.yaml and the Block model ------------------------------------------------------------

def test_sample_lists_two_blocks_with_units_from_the_khoi_column(tmp_path):
    c = load_campaign(copy_sample(tmp_path))
    expected = sample_blocks()
    assert [b.id for b in c.blocks] == ["so", "xa"]
    assert [b.title for b in c.blocks] == ["Khối sở, ban, ngành", "Khối UBND cấp xã"]
    assert [b.framework.id for b in c.blocks] == ["so-mau-2025", "xa-mau-2025"]
    for b in c.blocks:
        assert [u.code for u in b.units] == [code for code, block in expected.items() if block == b.id]
        assert all(b.ranked for b in c.blocks)
    assert [u.code for u in c.units] == list(expected)
    views = c.views()
    assert [v.framework.id for v in views] == ["so-mau-2025", "xa-mau-2025"]
    assert len({v.id for v in views}) == 2 and all(v.block_id in v.id for v in views)
    assert views[1].unit("S01") is None and views[0].unit("S01") is not None
    assert c.block_of("X03").id == "xa"


def test_a_campaign_without_blocks_is_one_block_from_todays_settings(campaign):
    assert not campaign.has_blocks
    (block,) = campaign.blocks
    assert block.id == campaign.config.block == "xa"
    assert block.units == campaign.units and block.framework is campaign.framework
    assert block.bands == campaign.bands and block.ranked
    assert campaign.for_block(block) is campaign and campaign.views() == [campaign]
    assert campaign.id.startswith("2025:xa:")


def test_units_per_block_files_and_block_settings(tmp_path):
    root = copy_sample(tmp_path)
    rows = list(csv.DictReader(open(root / "units.csv", encoding="utf-8")))
    for block in ("so", "xa"):
        lines = ["Mã,Tên đơn vị,Loại"] + [f'{r["Mã"]},"{r["Tên đơn vị"]}",{r["Loại"]}' for r in rows if r["Khối"] == block]
        (root / f"units-{block}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "units.csv").unlink()
    edit_yaml(root, "    criteria: criteria-so.yaml\n",
              "    criteria: criteria-so.yaml\n    units: units-so.csv\n    tie_rule: dense\n    ranked: false\n")
    edit_yaml(root, "    criteria: criteria-xa.yaml\n", "    criteria: criteria-xa.yaml\n    units: units-xa.csv\n"
              "    bands:\n      - {label: Đạt, when: từ 50% trở lên}\n      - {label: Chưa đạt, when: dưới 50%}\n")
    c = load_campaign(root)
    so, xa = c.blocks
    assert (len(so.units), len(xa.units)) == (10, 12)
    assert (so.tie_rule, so.ranked, xa.tie_rule, xa.ranked) == ("dense", False, "competition", True)
    assert [b.label for b in xa.bands] == ["Đạt", "Chưa đạt"]
    assert c.for_block(xa).bands == xa.bands and c.for_block(so).config.tie_rule == "dense"


@pytest.mark.parametrize("old, new, said", [
    ("  - id: xa\n", "  - id: so\n", "blocks[1].id»: mã khối «so» trùng với «blocks[0].id»"),
    ("criteria: criteria-xa.yaml", "criteria: khong-co.yaml", "blocks[1].criteria»: không tìm thấy tệp bộ chỉ số"),
    ("    title: Khối UBND cấp xã\n", "    title: Khối UBND cấp xã\n    xep_hang: false\n",
     "mục «blocks[1].xep_hang»: không có mục nào tên «xep_hang»"),
    ("missing_policy: exclude\n", "missing_policy: exclude\nbands:\n  - {label: Tốt, when: từ 90% trở lên}\n",
     "mục «bands»: đợt đánh giá có nhiều khối"),
])
def test_block_problems_are_refused_in_vietnamese_with_their_yaml_path(tmp_path, old, new, said):
    root = copy_sample(tmp_path)
    edit_yaml(root, old, new)
    with pytest.raises(CampaignError) as err:
        load_campaign(root)
    assert said in str(err.value), str(err.value)


def test_unknown_khoi_value_and_a_unit_in_two_blocks_are_refused(tmp_path):
    root = copy_sample(tmp_path)
    (root / "units.csv").write_text((root / "units.csv").read_text(encoding="utf-8").replace(
        "X04,Xã Hòa An,Xã,xa", "X04,Xã Hòa An,Xã,huyen"), encoding="utf-8")
    with pytest.raises(CampaignError, match=r"dòng 15: cột «Khối» của đơn vị «X04» ghi «huyen»"):
        load_campaign(root)

    root = copy_sample(tmp_path / "b")
    (root / "units-so.csv").write_text("Mã,Tên đơn vị,Loại\nS01,Sở Nội vụ,Sở\nX01,Phường Thục Phán,Phường\n",
                                       encoding="utf-8")
    (root / "units-xa.csv").write_text("Mã,Tên đơn vị,Loại\nX01,Phường Thục Phán,Phường\n", encoding="utf-8")
    edit_yaml(root, "criteria: criteria-so.yaml\n", "criteria: criteria-so.yaml\n    units: units-so.csv\n")
    edit_yaml(root, "criteria: criteria-xa.yaml\n", "criteria: criteria-xa.yaml\n    units: units-xa.csv\n")
    with pytest.raises(CampaignError, match=r"blocks\[1\]\.units».*«X01 Phường Thục Phán» đã thuộc khối «so»"):
        load_campaign(root)


def test_campaign_yaml_needs_block_or_blocks(tmp_path):
    root = copy_sample(tmp_path)
    text = (root / "campaign.yaml").read_text(encoding="utf-8")
    (root / "campaign.yaml").write_text(text.split("blocks:")[0], encoding="utf-8")
    with pytest.raises(CampaignError, match="thiếu mục bắt buộc «block»"):
        load_campaign(root)


# --- generate and check per block -----------------------------------------------------------------

def test_generate_gives_each_unit_its_blocks_workbook(tmp_path):
    root = copy_sample(tmp_path)
    result = CliRunner().invoke(main, ["generate", str(root)])
    assert result.exit_code == 0, result.output
    expected = sample_blocks()
    sets = {"so": "so-mau-2025", "xa": "xa-mau-2025"}
    books = sorted((root / "workbooks").glob("*.xlsx"))
    assert len(books) == len(expected)
    for path in books:
        sub = read_submission(path)
        assert sub.meta["criteria_id"] == sets[expected[sub.meta["unit_code"]]], path.name


def test_a_file_from_another_blocks_form_is_a_finding(tmp_path):
    c = load_campaign(copy_sample(tmp_path))
    so, xa = c.views()
    scenario = pick_scenario(xa)
    s01 = c.unit("S01")
    # The commune form (xa set) made out for the department S01: its own block is «so».
    wrong = tmp_path / "S01 - Sở Nội vụ.xlsx"
    wrong.write_bytes(build_workbook(xa, s01, fill_for(xa.units[0], xa, scenario, 1)))
    report = validate_in_block(c, read_submission(wrong))
    assert report.status == "errors" and report.unit_code == "S01" and not report.items
    assert [f.code for f in report.findings] == ["identity-other-block"]
    assert "Khối UBND cấp xã" in report.findings[0].message and "Khối sở, ban, ngành" in report.findings[0].message

    # The department's own form is checked against the departments' set and reads.
    right = tmp_path / "S01 - Sở Nội vụ (2).xlsx"
    right.write_bytes(build_workbook(so, s01, fill_for(s01, so, pick_scenario(so), 1)))
    ok = validate_in_block(c, read_submission(right))
    assert ok.unit_code == "S01" and "identity-other-block" not in [f.code for f in ok.findings]
    assert set(ok.items) == {i.code for i in so.framework.items}

    # A commune's own form sent under a department's file name: held against the department its name
    # points at (not read as the commune's, whose own file must stay its latest).
    x01 = c.unit("X01")
    misnamed = tmp_path / "S02 - Sở Tư pháp.xlsx"
    misnamed.write_bytes(build_workbook(xa, x01, fill_for(x01, xa, scenario, 1)))
    report = validate_in_block(c, read_submission(misnamed))
    assert report.unit_code == "S02" and report.status == "errors" and not report.items
    assert [f.code for f in report.findings] == ["identity-other-block"]
    assert "S02 – Sở Tư pháp" in report.findings[0].message


def test_a_misfiled_copy_from_another_block_does_not_knock_out_the_unit_that_sent_it(tmp_path):
    from parxl.ledger.receive import run_intake
    root = copy_sample(tmp_path)
    c = load_campaign(root)
    so = c.views()[0]
    s09 = c.unit("S09")
    good = build_workbook(so, s09, fill_for(s09, so, pick_scenario(so), 1))
    (root / "inbox").mkdir(exist_ok=True)
    (root / "inbox" / "S09 - Sở Y tế.xlsx").write_bytes(good)
    later = root / "inbox" / "2026-01-20"
    later.mkdir()
    copy = later / "X12 - Xã Thông Nông.xlsx"
    copy.write_bytes(build_workbook(so, s09, fill_for(s09, so, pick_scenario(so), 2)))
    assert copy.read_bytes() != good  # another receipt, not a duplicate
    result = run_intake(load_campaign(root), workers=1)
    latest = {s.unit_code: s for s in result.latest}
    # S09 keeps its own file (the only one it sent, all in order); X12 is the one the copy is held against.
    assert Path(latest["S09"].original_path).name == "S09 - Sở Y tế.xlsx" and latest["S09"].status == "ok"
    assert latest["X12"].status == "errors" and "X12" not in result.missing
    held = result.reports[latest["X12"].sha256]
    assert [f.code for f in held.findings] == ["identity-other-block"]


def test_a_byte_identical_copy_under_another_blocks_unit_is_named(tmp_path):
    root = copy_sample(tmp_path)
    c = load_campaign(root)
    so = c.views()[0]
    s09 = c.unit("S09")
    good = build_workbook(so, s09, fill_for(s09, so, pick_scenario(so), 1))
    (root / "inbox").mkdir(exist_ok=True)
    (root / "inbox" / "S09 - Sở Y tế.xlsx").write_bytes(good)
    (root / "inbox" / "2026-01-20").mkdir()
    (root / "inbox" / "2026-01-20" / "X12 - Xã Thông Nông.xlsx").write_bytes(good)
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code in (0, 1), result.output
    said = [line for line in result.output.splitlines() if "X12 - Xã Thông Nông.xlsx» mang tên X12" in line]
    assert len(said) == 1 and "biểu mẫu của S09 Sở Y tế" in said[0] and "không tính cho X12" in said[0]


# --- the whole year on the two-block sample ---------------------------------------------------------

def competition_ranks(indexes: dict[str, Decimal]) -> dict[str, int]:
    ordered = sorted(indexes.values(), reverse=True)
    return {code: ordered.index(value) + 1 for code, value in indexes.items()}


def test_two_block_sample_end_to_end(tmp_path, soffice):
    root = tmp_path / "demo"
    outcome = run_demo(root, sample=SAMPLE)
    c = outcome.campaign
    blocks = sample_blocks()

    # A department sends the commune form made out for it: a finding, and the unit is not ranked on it.
    xa = c.views()[1]
    s05 = c.unit("S05")
    (root / "inbox" / "S05 - Sở Xây dựng (gửi lại).xlsx").write_bytes(
        build_workbook(xa, s05, fill_for(xa.units[0], xa, pick_scenario(xa), 7)))
    done = run_consolidation(c)
    findings = [f for r in done.intake.reports.values() for f in r.findings if f.code == "identity-other-block"]
    assert len(findings) == 1 and "S05" in findings[0].message

    # Ranks per block, recomputed here from each block's indexes (snapshot JSON, units.csv for the blocks).
    snap = json.loads(latest_snapshot(c).read_text(encoding="utf-8"))
    units = snap["units"]
    assert {u["unit"]["code"] for u in units} == set(blocks)
    by_block: dict[str, dict[str, Decimal]] = {"so": {}, "xa": {}}
    for u in units:
        if u["rank"] is not None:
            by_block[blocks[u["unit"]["code"]]][u["unit"]["code"]] = Decimal(u["index"])
    assert "S05" not in by_block["so"]  # its newest file is the wrong form
    for block, indexes in by_block.items():
        assert len(indexes) >= 6
        expected = competition_ranks(indexes)
        assert {u["unit"]["code"]: u["rank"] for u in units if u["unit"]["code"] in indexes} == expected
        assert min(expected.values()) == 1  # each block starts at 1: ranks never cross blocks
    assert [r.campaign.blocks[0].id for r in done.blocks] == ["so", "xa"]

    # The decision: Điều 1 per block, one appendix table per block in rank order, each a landscape section.
    from parxl.documents import render_decision
    path = render_decision(done.results, master=done.master)
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1. Khối sở, ban, ngành (Phụ lục I)" in text and "2. Khối UBND cấp xã (Phụ lục II)" in text
    assert "Phụ lục I\n" in text and "Phụ lục II\n" in text
    appendix = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
    assert len(appendix) == 2
    names = {u.name: u.code for u in c.units}
    for table, block in zip(appendix, ("so", "xa")):
        rows = [[cell.text for cell in row.cells] for row in table.rows[2:]]
        ranked = [r for r in rows if r[0].isdigit() and r[7].isdigit()]
        codes = [names[r[1]] for r in ranked]
        assert {blocks[code] for code in codes} == {block}
        assert sorted(codes) == sorted(by_block[block])
        ranks = [int(r[7]) for r in ranked]
        assert ranks == [competition_ranks(by_block[block])[code] for code in codes]
        kinds = {u.code: u.kind for u in c.units}
        for kind in {kinds[code] for code in codes}:  # grouped by kind (phường, xã), each group in rank order
            in_kind = [rank for code, rank in zip(codes, ranks) if kinds[code] == kind]
            assert in_kind == sorted(in_kind)
    orientations = [s.orientation for s in document.sections]
    assert len(orientations) == 3 and orientations[1] == orientations[2] != orientations[0]

    # The master: an overview, each block's own sheets; LibreOffice recomputes every formula without error.
    sheets = load_workbook(done.master, read_only=True).sheetnames
    assert sheets[0] == "Tổng quan"
    for block in ("so", "xa"):
        for kind in ("Xếp hạng", "Lĩnh vực", "Thống kê", "Chi tiết", "Chưa nộp", "Nguồn"):
            assert f"{kind} ({block})" in sheets
    recomputed = recalculate([done.master], tmp_path / "recalculated", soffice)[0]
    book = CalamineWorkbook.from_path(str(recomputed))
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            assert not [v for v in row if isinstance(v, str) and v.startswith(SPREADSHEET_ERRORS)], name
    for block in ("so", "xa"):
        rows = book.get_sheet_by_name(f"Xếp hạng ({block})").to_python()
        head = next(i for i, r in enumerate(rows) if r[:2] == ["STT", "Mã"])
        col_rank = rows[head].index("Xếp hạng")
        got = {r[1]: int(r[col_rank]) for r in rows[head + 1:] if r[1] in by_block[block]}
        assert got == competition_ranks(by_block[block])
    for block, title in (("so", "Khối sở, ban, ngành"), ("xa", "Khối UBND cấp xã")):
        facts = {r[0]: r[1] for r in book.get_sheet_by_name(f"Nguồn ({block})").to_python() if len(r) > 1}
        assert facts["Khối"] == title
    overview = book.get_sheet_by_name("Tổng quan").to_python()
    counted = [r[1] for r in overview if r[0] == "Số đơn vị được xếp hạng"]
    assert counted == [len(by_block["so"]), len(by_block["xa"])]


# --- appraisal per block and field, survey per block, blocks not ranked ---------------------------------

def year_on_copy(tmp_path: Path, edit=None):
    """A copy of the sample whose units sent back their simulated files (checked), and its campaign."""
    from parxl.demo.simulate import simulate_returns
    from parxl.ledger.receive import run_intake
    from parxl.workbook.stamping import generate

    root = copy_sample(tmp_path)
    if edit:
        edit(root)
    c = load_campaign(root)
    for view in c.views():
        generate(view)
        simulate_returns(view)
    run_intake(c, workers=1)
    return c


def test_appraisal_workbooks_per_block_and_field_and_their_import(tmp_path):
    from test_appraisal import fill, rows_of

    c = year_on_copy(tmp_path)
    out = CliRunner().invoke(main, ["appraise", str(c.root), "--json"])
    assert out.exit_code == 0, out.output
    folder = c.root / "output" / "tham-dinh" / "appraisal-1"
    assert sorted(p.name for p in folder.iterdir()) == ["so", "xa"]
    first_so = sorted((folder / "so").iterdir())[0]
    at = rows_of(load_workbook(first_so)[L.SHEET_DATA])
    assert {code for code, _ in at} <= {u.code for u in c.blocks[0].units}  # only departments in the so workbooks
    (unit, item) = next(key for key in sorted(at) if key[0] == "S01")
    before = {u.unit.code: u for u in run_consolidation(c).results.units}
    self_score = before["S01"].items[item].self_score
    filled_dir = tmp_path / "da-cham" / "so"
    fill(first_so, filled_dir / first_so.name, {(unit, item): 0})
    out = CliRunner().invoke(main, ["appraise", str(c.root), "--import", str(tmp_path / "da-cham"), "--json"])
    assert out.exit_code == 0, out.output
    after = {u.unit.code: u for u in run_consolidation(c).results.units}
    assert after["S01"].items[item].appraised == 0
    assert after["S01"].total == before["S01"].total - self_score
    assert all(after[u.code].total == before[u.code].total for u in c.blocks[1].units)


def test_survey_table_per_block_and_a_mixed_table_refused(tmp_path):
    from parxl.demo.simulate import simulate_survey

    c = year_on_copy(tmp_path)
    so, xa = c.views()
    table = simulate_survey(xa, tmp_path / "dieu-tra-xa.csv")
    out = CliRunner().invoke(main, ["survey", str(c.root), str(table)])
    assert out.exit_code == 0, out.output
    assert (c.root / "survey-xa.csv").is_file() and not (c.root / "survey-so.csv").exists()
    results = {r.campaign.block_id: r for r in run_consolidation(c).blocks}
    assert results["xa"].has_survey and not results["so"].has_survey

    mixed = tmp_path / "tron.csv"
    so_rows = simulate_survey(so, tmp_path / "so.csv").read_text(encoding="utf-8").splitlines()
    mixed.write_text("\n".join(table.read_text(encoding="utf-8").splitlines() + so_rows[1:2]) + "\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["survey", str(c.root), str(mixed)])
    assert out.exit_code == 1 and "bảng có đơn vị của 2 khối" in out.output, out.output
    assert (c.root / "survey-xa.csv").read_bytes() == table.read_bytes()  # nothing changed


def test_a_block_not_ranked_gets_index_and_band_and_no_rank(tmp_path, soffice):
    c = year_on_copy(tmp_path, lambda root: edit_yaml(
        root, "    criteria: criteria-so.yaml\n", "    criteria: criteria-so.yaml\n    ranked: false\n"))
    done = run_consolidation(c)
    so, xa = done.blocks
    scored = [u for u in so.units if u.status == "ranked"]
    assert scored and all(u.rank is None and u.band is not None and u.index is not None for u in scored)
    assert all(u.band == c.blocks[0].framework.classify(u.index, c.blocks[0].bands) for u in scored)
    assert xa.ranked and min(u.rank for u in xa.ranked) == 1
    sheets = load_workbook(done.master, read_only=True).sheetnames
    assert "Kết quả (so)" in sheets and "Xếp hạng (so)" not in sheets and "Xếp hạng (xa)" in sheets
    recomputed = recalculate([done.master], tmp_path / "recalculated", soffice)[0]
    book = CalamineWorkbook.from_path(str(recomputed))
    overview = book.get_sheet_by_name("Tổng quan").to_python()
    assert [r[1] for r in overview if r[0] == "Số đơn vị có chỉ số"] == [len(scored)]
    from parxl.documents import render_decision
    document = docx.Document(str(render_decision(done.results, master=done.master)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"có {len(scored)} đơn vị được đánh giá, xếp loại (khối không xếp hạng)" in text
    table = [t for t in document.tables if t.rows[0].cells[0].text == "STT"][0]
    rows = [[cell.text for cell in row.cells] for row in table.rows[2:] if row.cells[0].text.isdigit()]
    listed = [r for r in rows if r[7] == "—"]
    indexes = [Decimal(r[6].replace(",", ".")) for r in listed]
    assert len(listed) == len(scored)
    assert indexes == sorted(indexes, reverse=True)  # one kind («Sở»): one group, highest index first
    # every department still gets its notice: index and band, «không xếp hạng» instead of a rank
    from parxl.documents import render_notices
    notices = render_notices(done.results, master=done.master)
    so_codes = {u.unit.code.lower() for u in scored}
    so_notices = [n for n in notices if n.name.split("-")[2] in so_codes]  # «thong-bao-<code>-<name>.docx»
    assert len(so_notices) == len(scored)
    first = "\n".join(x.text for x in docx.Document(str(so_notices[0])).paragraphs)
    assert "đơn vị được đánh giá, không xếp hạng; xếp loại:" in first and "xếp hạng None" not in first


def test_demo_names_the_samples_when_asked_for_one_that_does_not_exist(tmp_path):
    out = CliRunner().invoke(main, ["demo", str(tmp_path / "demo"), "--sample", "khong-co"])
    assert out.exit_code == 1 and not (tmp_path / "demo").exists()
    assert "Không có đợt đánh giá mẫu «khong-co»" in out.output and "hai-khoi-2025, kinh-mon-2025" in out.output


def test_preliminary_and_explanations_per_block(tmp_path):
    # Round 1 lowers one item of a department (block «so») and one of a commune (block «xa»): each gets the
    # preliminary notice and giải trình workbook of its own block's set; the commune's explanation comes back
    # and is recorded without findings (before, it was checked against the first block's set and refused).
    import json

    from test_appraisal import fill, rows_of
    from test_explanation import fill_explanation

    from parxl.explanation import layout as EL

    c = year_on_copy(tmp_path)
    assert CliRunner().invoke(main, ["appraise", str(c.root)]).exit_code == 0
    folder = c.root / "output" / "tham-dinh" / "appraisal-1"
    picked = {}
    for block in ("so", "xa"):
        first = sorted((folder / block).iterdir())[0]
        at = rows_of(load_workbook(first)[L.SHEET_DATA])
        unit, item = sorted(at)[0]
        picked[block] = (unit, item)
        fill(first, tmp_path / "da-cham" / block / first.name, {(unit, item): 0})
    assert CliRunner().invoke(main, ["appraise", str(c.root), "--import", str(tmp_path / "da-cham")]).exit_code == 0
    out = CliRunner().invoke(main, ["preliminary", str(c.root), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    contested = {u["unit"]: u["contested"] for u in doc["units"] if u["contested"]}
    assert contested == {picked["so"][0]: [picked["so"][1]], picked["xa"][0]: [picked["xa"][1]]}

    unit, item = picked["xa"]
    src = c.root / "output" / "so-bo" / EL.workbook_name(unit, c.unit(unit).name, "appraisal-1")
    fill_explanation(src, c.inbox_dir / f"giai-trinh-{unit}.xlsx", {item: ("Đã bổ sung báo cáo", None, None)})
    out = CliRunner().invoke(main, ["check", str(c.root), "--json"])
    (entry,) = json.loads(out.stdout)["explanations"]
    assert entry["unit"] == unit and entry["findings"] == [] and entry["recorded"]


def test_the_excel_button_consolidates_and_appraises_per_block(tmp_path, monkeypatch):
    """The control workbook's «Chạy» (fake xlwings, as in test_xl): per block, as the CLI."""
    import sys
    import types

    from test_appraisal import rows_of
    from test_xl import FakeBook, FakeRange

    from parxl.excel import xl
    from parxl.excel.control import STATUS_ROWS

    c = year_on_copy(tmp_path)
    blocks = sample_blocks()
    state = {}
    module = types.ModuleType("xlwings")
    module.Book = type("Book", (), {"caller": staticmethod(lambda: state["book"])})
    monkeypatch.setitem(sys.modules, "xlwings", module)
    status = FakeRange(STATUS_ROWS)
    state["book"] = FakeBook(c.root / "parxl_dieu_khien.xlsm", status, "Tổng hợp xếp hạng")
    xl.main()
    shown = status.shown
    assert "đã xong" in shown[0], shown
    # one summary per block, over the block's own units (counted from units.csv's «Khối» column)
    for title, block in (("Khối sở, ban, ngành", "so"), ("Khối UBND cấp xã", "xa")):
        [line] = [s for s in shown if s.startswith(f"{title}: Xếp hạng ")]
        assert line.split("/", 1)[1].startswith(f"{sum(1 for b in blocks.values() if b == block)} đơn vị"), line

    outcome = xl.do_appraise(c.root)
    assert outcome.paths
    for path in outcome.paths:
        block = path.parent.name
        assert block in ("so", "xa"), path
        codes = {code for code, _ in rows_of(load_workbook(path)[L.SHEET_DATA])}
        assert codes and {blocks[code] for code in codes} == {block}, path
    assert {p.parent.name for p in outcome.paths} == {"so", "xa"}


def test_a_block_not_ranked_is_summarised_as_evaluated_and_the_decision_names_each_kind_once(tmp_path):
    from parxl.documents import render_decision
    from parxl.results.summary import ranking_summary

    def two_department_blocks(root: Path) -> None:
        edit_yaml(root, "  - id: xa\n", "  - id: so2\n    title: Khối cơ quan ngành dọc\n    criteria: criteria-so.yaml\n"
                  "    ranked: false\n  - id: xa\n")
        units = (root / "units.csv").read_text(encoding="utf-8")
        for code in ("S05,", "S06,", "S07,", "S08,", "S09,", "S10,"):
            line = next(x for x in units.splitlines() if x.startswith(code))
            units = units.replace(line, line.replace(",so", ",so2"))
        (root / "units.csv").write_text(units, encoding="utf-8")

    c = year_on_copy(tmp_path, two_department_blocks)
    assert [b.id for b in c.blocks] == ["so", "so2", "xa"] and [u.code for u in c.blocks[1].units] == ["S05", "S06", "S07", "S08", "S09", "S10"]
    done = run_consolidation(c)
    so2 = done.blocks[1]
    scored = [u for u in so2.units if u.index is not None]
    assert scored and all(u.band is not None and u.rank is None for u in scored)
    from parxl.core.numbers import vi_number
    said = ranking_summary(so2)
    assert not said.startswith("Xếp hạng") and "không xếp hạng" in said
    assert f"{len(scored)}/6 đơn vị" in said
    for u in scored:
        assert f"{u.unit.code} {u.unit.name}: chỉ số {vi_number(u.index, 2)} %, xếp loại {u.band}" in said
    document = docx.Document(str(render_decision(done.results, master=done.master)))
    [article] = [p.text for p in document.paragraphs if p.text.startswith("Điều 1.")]
    assert article.count("sở, ban, ngành") == 1, article


def test_decision_and_report_name_the_blocks_template_they_use(tmp_path):
    c = year_on_copy(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["templates", str(c.root)]).exit_code == 0
    assert runner.invoke(main, ["consolidate", str(c.root)]).exit_code == 0
    for command, name in (("decision", "quyet-dinh-cong-bo-cac-khoi.docx"), ("report", "bao-cao-ket-qua-cac-khoi.docx")):
        out = runner.invoke(main, [command, str(c.root)])
        assert out.exit_code == 0, out.output
        said = " ".join(out.output.split())
        assert f"templates/{name}»" in said and "quyet-dinh-cong-bo.docx" not in said and "bao-cao-ket-qua.docx" not in said
    from parxl.excel import xl
    lines = " ".join(" ".join(xl.do_documents(c.root).lines).split())
    assert "quyet-dinh-cong-bo-cac-khoi.docx" in lines and "bao-cao-ket-qua-cac-khoi.docx" in lines
    assert "quyet-dinh-cong-bo.docx" not in lines and "bao-cao-ket-qua.docx" not in lines


def test_survey_forms_and_plan_per_block(tmp_path):
    import yaml

    root = copy_sample(tmp_path)
    with open(root / "campaign.yaml", "a", encoding="utf-8") as f:
        f.write("survey_groups:\n  - {code: DB, name: Đại biểu HĐND, n: 5}\n")
    blocks = sample_blocks()

    def survey_codes(criteria: str) -> set[str]:  # the survey items' and questions' codes, from the YAML itself
        codes: set[str] = set()

        def walk(node):
            if isinstance(node, dict):
                rule = node.get("rule")
                if isinstance(rule, dict) and rule.get("type") == "survey":
                    codes.add(str(node["code"]))
                    codes.update(str(q["code"]) for q in rule.get("questions") or [])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)
        walk(yaml.safe_load((root / criteria).read_text(encoding="utf-8")))
        return codes

    out = CliRunner().invoke(main, ["survey", str(root), "--forms", "--plan", "--json"])
    assert out.exit_code == 0, out.output
    folder = root / "output" / "phieu-khao-sat"
    for block in ("so", "xa"):
        assert (folder / f"phieu-khao-sat-{block}-db.docx").is_file()
        book = load_workbook(folder / f"so-nhap-phieu-khao-sat-{block}.xlsx", read_only=True)
        listed = {str(v) for row in book["Câu hỏi"].iter_rows(values_only=True) for v in row if v is not None}
        mine, other = survey_codes(f"criteria-{block}.yaml"), survey_codes(f"criteria-{'xa' if block == 'so' else 'so'}.yaml")
        assert mine and mine - other and (mine - other) <= listed and not (other - mine) & listed, block
        assert (root / "output" / f"mau-dieu-tra-xhh-{block}.xlsx").is_file()
    plan = json.loads(out.output[out.output.index("{"):])
    assert [p["block"] for p in plan["blocks"]] == ["so", "xa"]
    for p in plan["blocks"]:
        assert {r["unit"] for r in p["rows"]} == {c for c, b in blocks.items() if b == p["block"]}


# --- survey in a campaign with blocks: master sheet, report line, missing-table warning --------------------

def _xa_survey_imported(tmp_path: Path):
    """A copy of the sample with the xa block's simulated survey imported (the so block has none); returns
    (campaign, the CSV table imported)."""
    from parxl.demo.simulate import simulate_survey

    c = year_on_copy(tmp_path)
    table = simulate_survey(c.views()[1], tmp_path / "dieu-tra-xa.csv")
    out = CliRunner().invoke(main, ["survey", str(c.root), str(table)])
    assert out.exit_code == 0, out.output
    return c, table


def test_master_has_a_survey_sheet_per_block(tmp_path):
    c, table = _xa_survey_imported(tmp_path)
    out = CliRunner().invoke(main, ["consolidate", str(c.root)])
    assert out.exit_code == 0, out.output
    master = next((c.root / "output").glob("tong-hop-*.xlsx"))
    wb = load_workbook(master, read_only=True)
    assert "Điều tra XHH (xa)" in wb.sheetnames and "Điều tra XHH (so)" in wb.sheetnames
    # Oracle: the imported CSV read with the csv module (unit, question, option, forms).
    with table.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    counts: dict[tuple[str, str, str], int] = {}
    for unit, _group, question, option, n in rows:
        counts[(unit, question, option)] = counts.get((unit, question, option), 0) + int(n)
    first_q = rows[0][2]
    forms = {u: sum(n for (uu, q, _o), n in counts.items() if uu == u and q == first_q) for u, _q, _o in counts}
    xa = [list(r) for r in wb["Điều tra XHH (xa)"].iter_rows(values_only=True)]
    assert xa[0][0] == "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC"
    assert xa[1][0] == (f"Quy mô và độ bao phủ: đã thu {sum(forms.values())} phiếu tại "
                        f"{len(forms)}/{len(c.blocks[1].units)} đơn vị.")
    assert xa[3][:3] == ["Mã", "Đơn vị", "Số phiếu"]
    units = [u.code for u in c.blocks[1].units]
    assert [r[0] for r in xa[4:4 + len(units)]] == units
    assert {r[0]: r[2] for r in xa[4:4 + len(units)]} == forms
    start = next(i for i, r in enumerate(xa) if r[0] and str(r[0]).startswith("Phân bố câu trả lời")) + 1
    letters = [h for h in xa[start][3:] if h and h != "Tổng"]
    shown = {(r[0], r[2], letter): r[3 + k] for r in xa[start + 1:] if r[0]
             for k, letter in enumerate(letters) if r[3 + k]}
    assert shown == counts
    so = [list(r) for r in wb["Điều tra XHH (so)"].iter_rows(values_only=True)]
    assert so[1][0] == "Chưa nhập bảng kết quả điều tra: điểm điều tra tính 0."
    assert [r[0] for r in so[4:]] == [u.code for u in c.blocks[0].units]


def _forms_per_unit(table: Path) -> dict[str, int]:
    """Forms received per unit, read from the imported CSV with the csv module: the counts of the table's
    first question summed (every respondent answers every question)."""
    with table.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    first_q = rows[0][2]
    forms: dict[str, int] = {}
    for unit, _group, question, _option, n in rows:
        forms[unit] = forms.get(unit, 0) + (int(n) if question == first_q else 0)
    return forms


def test_blocks_report_gives_each_blocks_survey_size_and_coverage(tmp_path):
    c, table = _xa_survey_imported(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["consolidate", str(c.root)]).exit_code == 0
    out = runner.invoke(main, ["report", str(c.root)])
    assert out.exit_code == 0, out.output
    report = next((c.root / "output").glob("bao-cao-ket-qua-chi-so-cchc-*.docx"))
    paras = [p.text for p in docx.Document(report).paragraphs]
    forms = _forms_per_unit(table)
    line = (f"- Điều tra xã hội học: đã thu {sum(forms.values())} phiếu tại "
            f"{len(forms)}/{len(c.blocks[1].units)} đơn vị.")
    assert paras.count(line) == 1, paras
    so_head = paras.index(f"1. {c.blocks[0].title}")
    xa_head = paras.index(f"2. {c.blocks[1].title}")
    assert so_head < xa_head < paras.index(line)  # under the xa block; the so block imported no table
    assert not any(p.startswith("- Điều tra xã hội học") for p in paras[so_head:xa_head])


def test_missing_survey_table_warning_names_the_block_its_table_and_only_its_own_kept_table(tmp_path):
    import hashlib

    from parxl.demo.simulate import simulate_survey

    c, xa_table = _xa_survey_imported(tmp_path)
    so_title = c.blocks[0].title
    runner = CliRunner()
    out = runner.invoke(main, ["consolidate", str(c.root)])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())
    assert f"điều tra xã hội học của «{so_title}» (survey-so.csv hoặc survey-so.xlsx)" in said, said
    assert "(survey.csv hoặc survey.xlsx)" not in said
    # the only kept table is the xa block's (its name is the SHA-256 of the file): never offered for so
    assert hashlib.sha256(xa_table.read_bytes()).hexdigest() not in "".join(out.output.split())
    assert f"Hãy nhập bảng của «{so_title}» bằng «parxl survey»" in said

    so_table = simulate_survey(c.views()[0], tmp_path / "dieu-tra-so.csv")
    assert runner.invoke(main, ["survey", str(c.root), str(so_table)]).exit_code == 0
    (c.root / "survey-so.csv").unlink()  # deleted by hand: the so block's own kept table is offered back
    out = runner.invoke(main, ["consolidate", str(c.root)])
    assert out.exit_code == 0, out.output
    said = "".join(out.output.split())  # long paths wrap anywhere
    assert hashlib.sha256(so_table.read_bytes()).hexdigest() + ".csv" in said
    assert hashlib.sha256(xa_table.read_bytes()).hexdigest() not in said


def test_status_lists_each_blocks_appraisal_workbooks(tmp_path):
    # Round 1 workbooks are made per block and field; the departments' (so) come back, the communes' (xa) do not:
    # status lists every workbook of both blocks (their fields by hand from the two sets) and only xa's are missing.
    import json
    import shutil

    from parxl.appraisal import layout as AL

    c = year_on_copy(tmp_path)
    assert CliRunner().invoke(main, ["appraise", str(c.root)]).exit_code == 0
    folder = c.root / "output" / "tham-dinh" / "appraisal-1"
    back = tmp_path / "back" / "so"
    back.mkdir(parents=True)
    for p in (folder / "so").iterdir():
        shutil.copy(p, back / p.name)  # returned unchanged: the self scores stand
    assert CliRunner().invoke(main, ["appraise", str(c.root), "--import", str(tmp_path / "back")]).exit_code == 0
    out = CliRunner().invoke(main, ["status", str(c.root), "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)["appraisals"]
    so, xa = c.blocks
    expected = {(so.title, g.code) for g in AL.groups(so.framework)} | {(xa.title, g.code) for g in AL.groups(xa.framework)}
    assert {(r["block"], r["group"]) for r in rows} == expected
    assert {(r["block"], r["returned"]) for r in rows} == {(so.title, True), (xa.title, False)}
