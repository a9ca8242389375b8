"""The whole second half on the sample campaign (issue 13's proof), explanations filled in LibreOffice.

self-assessments (simulated) → round 1 filled (one unit's item lowered so it drops a place, another unit's item
lowered, a third unit's item flagged) → ``preliminary`` → giải trình workbooks filled in LibreOffice through UNO:
the first unit explains and proposes its score back; the second proposes a higher score without explanation (a
finding); the third unit's workbook arrives in a fourth unit's folder (a finding) → ``check`` → round 2 shows the
explanation → filled (the explanation accepted) → ``council``: the totals, indexes and ranks of the three stages
and the rank changes are computed here from the ledger's self scores and the scores typed in the test, by a
sum and a sort of our own → ``finalize`` → the decision renders the frozen figures; a later survey import and
consolidation do not change them. LibreOffice converts the new documents to PDF.
"""
from __future__ import annotations

import json
import shutil
from decimal import ROUND_HALF_UP, Decimal as D

import openpyxl
from click.testing import CliRunner
from docx import Document

from conftest import REPO
from parxl.appraisal import layout as AL
from parxl.campaign.folder import load_campaign
from parxl.cli import main
from parxl.demo.simulate import simulate_returns, simulate_survey
from parxl.explanation import layout as EL
from parxl.ledger.store import Ledger
from support.libreoffice import uno_edit_many
from test_documents_common import pdf_text


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def col(layout, key: str) -> int:
    return openpyxl.utils.column_index_from_string(layout.COL[key])


def totals(fw, scores: dict[str, dict[str, D]]) -> dict[str, D]:
    """Our own sum: regular and bonus points added, penalty points taken away (no survey table yet)."""
    kinds = {i.code: i.kind for i in fw.items}
    return {u: sum((-v if kinds[c] == "penalty" else v for c, v in s.items() if c in kinds), D(0))
            for u, s in scores.items()}


def ranks(values: dict[str, D]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) by value, highest first."""
    return {u: 1 + sum(1 for w in values.values() if w > v) for u, v in values.items()}


def index(total: D, max_total: D) -> D:
    return (total / max_total * 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def test_second_half_on_the_sample_campaign(tmp_path, soffice):
    root = tmp_path / "kinh-mon"
    shutil.copytree(REPO / "samples" / "kinh-mon-2025", root,
                    ignore=shutil.ignore_patterns("*.docx", "*.xlsx", "*.xlsm", ".parxl"))
    (root / "campaign.yaml").write_text((root / "campaign.yaml").read_text(encoding="utf-8")
                                        + "explanation_deadline: 2026-01-15\n", encoding="utf-8")
    c = load_campaign(root)
    fw = c.framework
    simulate_returns(c)
    assert cli("check", str(root)).exit_code == 1  # the sample's two units with errors
    out = cli("consolidate", str(root), "--json")
    ranked = {u["code"] for u in json.loads(out.stdout)["ranking"] if u["rank"] is not None}
    with Ledger.open(c) as ledger:
        own = {s.unit_code: dict(s.self_scores) for s in ledger.latest_submissions() if s.unit_code in ranked}

    # Round 1 -------------------------------------------------------------------------------------------
    group = AL.groups(fw)[0]
    items = [i for i in group.items if i.kind == "regular"]
    self_totals = totals(fw, own)
    order = sorted(ranked, key=lambda u: (-self_totals[u], u))
    mover = item = None
    for a, b in zip(order, order[1:]):
        gap = self_totals[a] - self_totals[b]
        pick = [i for i in items if gap > 0 and own[a].get(i.code, D(0)) > gap]
        if pick:
            mover, item = a, max(pick, key=lambda i: own[a][i.code]).code
            break
    assert mover is not None
    lazy = next(u for u in order if u != mover and any(own[u].get(i.code, D(0)) > 0 for i in items))
    lazy_item = next(i.code for i in items if own[lazy].get(i.code, D(0)) > 0)
    flagged = next(u for u in order if u not in (mover, lazy))
    stranger = next(u for u in order if u not in (mover, lazy, flagged))
    assert cli("appraise", str(root)).exit_code == 0
    src = AL.round_dir(root, "appraisal-1") / group.file_name
    wb = openpyxl.load_workbook(src)
    ws = wb[AL.SHEET_DATA]
    at = {(ws.cell(r, col(AL, "unit")).value, ws.cell(r, col(AL, "item")).value): r
          for r in range(AL.HEADER_ROW + 1, ws.max_row + 1)}
    ws.cell(at[(mover, item)], col(AL, "score")).value = 0
    ws.cell(at[(mover, item)], col(AL, "note")).value = "Thiếu báo cáo quý IV"
    ws.cell(at[(lazy, lazy_item)], col(AL, "score")).value = 0
    ws.cell(at[(flagged, items[0].code)], col(AL, "flag")).value = AL.FLAG_WORD
    done = tmp_path / "r1" / group.file_name
    done.parent.mkdir()
    wb.save(done)
    assert cli("appraise", str(root), "--import", str(done)).exit_code == 0
    first = {u: {**s, **({item: D(0)} if u == mover else {}), **({lazy_item: D(0)} if u == lazy else {})}
             for u, s in own.items()}

    # Preliminary results -------------------------------------------------------------------------------
    out = cli("preliminary", str(root), "--json")
    assert out.exit_code == 0, out.output
    contested = {u["unit"]: u["contested"] for u in json.loads(out.stdout)["units"]}
    assert contested[mover] == [item] and contested[lazy] == [lazy_item] and contested[flagged] == [items[0].code]
    name = {u.code: u.name for u in c.units}

    def src_of(unit):
        return EL.output_dir(root) / EL.workbook_name(unit, name[unit], "appraisal-1")

    first_row = EL.HEADER_ROW + 1  # each of these units has one contested item
    cell = {k: f"{EL.COL[k]}{first_row}" for k in EL.INPUT_COLUMNS}
    stranger_dir = c.inbox_dir / f"{stranger} - {name[stranger]}"
    lazy_max = next(i.max for i in items if i.code == lazy_item)
    uno_edit_many([
        {"src": src_of(mover), "dest": c.inbox_dir / "giai-trinh" / src_of(mover).name,
         "ops": [("set", cell["explanation"], "Đã bổ sung báo cáo quý IV (Báo cáo số 12/BC-UBND)"),
                 ("set", cell["evidence"], "https://kinhmon.haiduong.gov.vn/bao-cao-quy-iv"),
                 ("set", cell["proposed"], float(own[mover][item]))]},
        {"src": src_of(lazy), "dest": c.inbox_dir / "giai-trinh" / src_of(lazy).name,
         "ops": [("set", cell["proposed"], float(lazy_max))]},
        {"src": src_of(flagged), "dest": stranger_dir / src_of(flagged).name,
         "ops": [("set", cell["explanation"], "Giải trình")]},
    ], sheet=EL.SHEET_DATA, soffice=soffice)
    out = cli("check", str(root), "--json")
    doc = json.loads(out.stdout)
    assert out.exit_code == 1
    found = {e["unit"]: [f["code"] for f in e["findings"]] for e in doc["explanations"]}
    assert found == {mover: [], lazy: ["explanation-missing"], flagged: ["explanation-wrong-unit"]}

    # Round 2 -------------------------------------------------------------------------------------------
    assert cli("appraise", str(root)).exit_code == 0
    src = AL.round_dir(root, "appraisal-2") / group.file_name
    wb = openpyxl.load_workbook(src)
    ws = wb[AL.SHEET_DATA]
    at = {(ws.cell(r, col(AL, "unit")).value, ws.cell(r, col(AL, "item")).value): r
          for r in range(AL.HEADER_ROW + 1, ws.max_row + 1)}
    row = at[(mover, item)]
    assert ws.cell(row, col(AL, "reply")).value.startswith("Đã bổ sung báo cáo quý IV")
    assert ws.cell(row, col(AL, "extra_evidence")).value == "https://kinhmon.haiduong.gov.vn/bao-cao-quy-iv"
    assert D(str(ws.cell(row, col(AL, "proposed")).value)) == own[mover][item]
    assert ws.cell(row, col(AL, "item")).fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.cell(at[(lazy, lazy_item)], col(AL, "reply")).value in (None, "")  # its file has an error
    ws.cell(row, col(AL, "score")).value = float(own[mover][item])
    ws.cell(row, col(AL, "note")).value = "Chấp nhận giải trình"
    done = tmp_path / "r2" / group.file_name
    done.parent.mkdir()
    wb.save(done)
    assert cli("appraise", str(root), "--import", str(done)).exit_code == 0
    final = {u: {**s, **({lazy_item: D(0)} if u == lazy else {})} for u, s in own.items()}

    # The council --------------------------------------------------------------------------------------
    out = cli("council", str(root), "--json")
    assert out.exit_code == 0, out.output
    council = {u["code"]: u for u in json.loads(out.stdout)["units"]}
    expected = {}
    for stage, scores in (("self", own), ("first", first), ("final", final)):
        t = totals(fw, scores)
        r = ranks(t)
        expected[stage] = {u: (t[u], index(t[u], fw.total), r[u]) for u in ranked}
    for stage in ("self", "first", "final"):
        got = {u: (D(council[u][stage]["total"]), D(council[u][stage]["index"]), council[u][stage]["rank"])
               for u in ranked}
        assert got == expected[stage], stage
    for u in ranked:
        assert council[u]["rank_change"] == expected["first"][u][2] - expected["final"][u][2]
    assert council[mover]["rank_change"] > 0
    # still contested: the final score differs from the self score (lazy's item stays 0; mover's is restored)
    assert council[mover]["still_contested"] == [] and council[lazy]["still_contested"] == [lazy_item]
    assert own[lazy][lazy_item] != 0

    # PDFs of the new documents
    notice = EL.output_dir(root) / next(p.name for p in EL.output_dir(root).glob(f"so-bo-lan-1-{mover.lower()}-*.docx"))
    text = " ".join(pdf_text(soffice, notice, tmp_path / "pdf1").split())
    assert "Kết quả thẩm định sơ bộ" in text and "Thiếu báo cáo quý IV" in text and "15/01/2026" in text
    brief = root / "output" / "hoi-dong" / "to-trinh-hoi-dong.docx"
    text = " ".join(pdf_text(soffice, brief, tmp_path / "pdf2").split())
    assert "TỜ TRÌNH" in text and name[mover] in text and "DỰ THẢO" in text

    # Finalise: the decision keeps the frozen figures whatever comes later ------------------------------
    assert cli("consolidate", str(root)).exit_code == 0
    assert cli("finalize", str(root), "--by", "Phòng Nội vụ", "--reason", "Hội đồng thống nhất").exit_code == 0
    table = simulate_survey(c, tmp_path / "survey.csv")
    assert cli("survey", str(root), str(table)).exit_code == 0
    out = cli("consolidate", str(root))
    assert out.exit_code == 0 and "không làm thay đổi kết quả đã chốt" in " ".join(out.output.split())
    assert cli("decision", str(root)).exit_code == 0
    (decision,) = (root / "output").glob("quyet-dinh*.docx")
    d = Document(str(decision))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert "DỰ THẢO" not in " ".join(cells + [p.text for p in d.paragraphs])
    rows = [[c.text for c in row.cells] for row in d.tables[-1].rows]
    by_name = {r[1]: r for r in rows if len(r) == 9 and r[0].isdigit()}
    total, idx, rank = expected["final"][mover]
    assert by_name[name[mover]][5:8] == [f"{total:.2f}".replace(".", ","), f"{idx:.2f}".replace(".", ","), str(rank)]
    text = " ".join(pdf_text(soffice, decision, tmp_path / "pdf3").split())
    assert "QUYẾT ĐỊNH" in text and "DỰ THẢO" not in text
