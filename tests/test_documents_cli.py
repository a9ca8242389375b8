"""The document commands: they take the results saved with the latest master and print what they wrote."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from parxl.cli import main
from parxl.documents.decision import TEMPLATE
from parxl.documents.render import bundled_template
from test_documents_common import build_results, docx_texts, edit_template, save_as_master


@pytest.fixture
def stub_ledger(tmp_path):
    """Results built directly and saved with a master, as if consolidated from the ledger."""
    results = build_results(tmp_path / "dot")
    save_as_master(results)
    return results


def test_decision_command_writes_and_prints_the_path(stub_ledger):
    root = stub_ledger.campaign.root
    out = CliRunner().invoke(main, ["decision", str(root)])
    assert out.exit_code == 0, out.output
    written = list((root / "output").glob("*.docx"))
    assert [p.name for p in written] == ["quyet-dinh-cong-bo-chi-so-cchc-2025.docx"]
    assert str(written[0]) in out.output.replace("\n", "")
    assert "Phường An Lưu" in " ".join(docx_texts(written[0]))


def test_decision_command_refuses_an_unknown_variable(stub_ledger, tmp_path):
    root = stub_ledger.campaign.root
    bad = edit_template(bundled_template(TEMPLATE), tmp_path / "sua.docx", "{{ signer_name }}", "{{ ten_nguoi_ky }}")
    out = CliRunner().invoke(main, ["decision", str(root), "--template", str(bad)])
    assert out.exit_code == 1
    assert "ten_nguoi_ky" in out.output
    assert not list((root / "output").glob("*.docx"))


def test_notices_command_writes_one_file_per_ranked_unit(stub_ledger):
    root = stub_ledger.campaign.root
    out = CliRunner().invoke(main, ["notices", str(root)])
    assert out.exit_code == 0, out.output
    written = sorted(p.name for p in (root / "output" / "thong-bao").glob("*.docx"))
    assert len(written) == len(stub_ledger.ranked) == 4
    assert "Đã soạn 4 thông báo kết quả" in out.output
    assert all(name in out.output for name in written)


def test_report_command_writes_the_report(stub_ledger):
    root = stub_ledger.campaign.root
    out = CliRunner().invoke(main, ["report", str(root)])
    assert out.exit_code == 0, out.output
    path = root / "output" / "bao-cao-ket-qua-chi-so-cchc-2025.docx"
    assert path.is_file() and str(path) in out.output.replace("\n", "")
    assert "- Chỉ số cải cách hành chính trung bình: 80,00%." in docx_texts(path)
