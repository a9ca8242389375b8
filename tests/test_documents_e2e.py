"""From returned workbooks to the documents: consolidate (intake, ledger, master), then the three commands."""
from __future__ import annotations

import shutil

from click.testing import CliRunner
from docx import Document

from conftest import REPO
from parxl.campaign.folder import load_campaign
from parxl.cli import main
from parxl.demo.simulate import pick_scenario, simulate_returns
from test_documents_common import docx_texts, table_rows


def test_sample_campaign_to_decision_notices_and_report(tmp_path):
    root = tmp_path / "kinh-mon"
    shutil.copytree(REPO / "samples" / "kinh-mon-2025", root,
                    ignore=shutil.ignore_patterns("*.docx", "*.xlsx", "*.xlsm", ".parxl"))
    campaign = load_campaign(root)
    simulate_returns(campaign)
    silent = campaign.unit(pick_scenario(campaign).silent)

    runner = CliRunner()
    for args in (["consolidate", str(root)], ["decision", str(root)], ["notices", str(root)], ["report", str(root)]):
        out = runner.invoke(main, args)
        assert out.exit_code == 0, out.output

    decision = root / "output" / "quyet-dinh-cong-bo-chi-so-cchc-2025.docx"
    rows = table_rows(Document(str(decision)).tables[2])
    names = [r[1] for r in rows if len(r) > 2 and r[0].isdigit()]
    assert sorted(names) == sorted(u.name for u in campaign.units)  # every unit, once
    ranked = [r for r in rows if len(r) == 9 and r[0].isdigit()]
    assert silent.name not in {r[1] for r in ranked}
    notices = sorted((root / "output" / "thong-bao").glob("*.docx"))
    assert len(notices) == len(ranked) > 0
    report = docx_texts(root / "output" / "bao-cao-ket-qua-chi-so-cchc-2025.docx")
    summary = next(t for t in report if t.startswith("- Số đơn vị được đánh giá: "))
    assert summary.startswith(f"- Số đơn vị được đánh giá: {len(campaign.units)}; được xếp hạng: {len(ranked)}; "
                              f"không xếp hạng: {len(campaign.units) - len(ranked)} (")
    assert "1 đơn vị chưa gửi hồ sơ tự đánh giá" in summary  # the silent unit
