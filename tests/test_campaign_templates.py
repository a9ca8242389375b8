"""``parxl templates``: the campaign's own copies of the DOCX templates, used before the bundled ones."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from parxl.cli import main
from parxl.documents.render import bundled_template, bundled_templates
from test_documents_common import build_results, docx_texts, edit_template, save_as_master


@pytest.fixture
def consolidated(tmp_path):
    results = build_results(tmp_path / "dot")
    save_as_master(results)
    return results


def flat(text: str) -> str:
    return " ".join(text.split())


def edit_in_place(path, old: str, new: str) -> None:
    """What the clerk does in Word, done on the XML: one text replaced in the copy."""
    edited = path.with_name("tam.docx")
    edit_template(path, edited, old, new)
    shutil.move(edited, path)


def test_templates_copies_every_bundled_template_and_keeps_edited_copies(consolidated):
    root = consolidated.campaign.root
    out = CliRunner().invoke(main, ["templates", str(root)])
    assert out.exit_code == 0, out.output
    names = sorted(p.name for p in (root / "templates").iterdir())
    assert {"bao-cao-ket-qua.docx", "quyet-dinh-cong-bo.docx", "thong-bao-ket-qua.docx"} <= set(names)
    assert names == [p.name for p in bundled_templates()]
    for name in names:
        assert (root / "templates" / name).read_bytes() == bundled_template(name).read_bytes()
    assert f"Đã sao chép {len(names)} mẫu văn bản" in flat(out.output)

    (root / "templates" / "bao-cao-ket-qua.docx").write_bytes(b"edited by the clerk")
    again = CliRunner().invoke(main, ["templates", str(root)])
    assert again.exit_code == 0, again.output
    assert f"Giữ nguyên {len(names)} mẫu đã có" in flat(again.output)
    assert (root / "templates" / "bao-cao-ket-qua.docx").read_bytes() == b"edited by the clerk"


def test_decision_uses_the_campaigns_copy_and_says_so(consolidated):
    root = consolidated.campaign.root
    plain = CliRunner().invoke(main, ["decision", str(root)])
    assert plain.exit_code == 0, plain.output
    assert "Dùng mẫu văn bản gốc của parxl «quyet-dinh-cong-bo.docx»" in flat(plain.output)

    CliRunner().invoke(main, ["templates", str(root)])
    copy = root / "templates" / "quyet-dinh-cong-bo.docx"
    edit_in_place(copy, "QUYẾT ĐỊNH:", "QUYẾT ĐỊNH (mẫu riêng của đợt):")
    out = CliRunner().invoke(main, ["decision", str(root)])
    assert out.exit_code == 0, out.output
    assert f"Dùng mẫu văn bản của đợt «{copy}»".replace(" ", "") in out.output.replace(" ", "").replace("\n", "")
    [second] = [p for p in (root / "output").glob("*.docx") if p.stem.endswith("-2")]
    assert "QUYẾT ĐỊNH (mẫu riêng của đợt):" in docx_texts(second)


@pytest.mark.parametrize("command, name", [("decision", "quyet-dinh-cong-bo.docx"),
                                           ("notices", "thong-bao-ket-qua.docx"),
                                           ("report", "bao-cao-ket-qua.docx")])
def test_an_edited_copy_with_an_unknown_variable_is_refused_by_name(consolidated, command, name):
    root = consolidated.campaign.root
    CliRunner().invoke(main, ["templates", str(root)])
    edit_in_place(root / "templates" / name, "{{ year }}", "{{ nam_danh_gia }}")
    out = CliRunner().invoke(main, [command, str(root)])
    assert out.exit_code == 1
    assert "«nam_danh_gia»" in out.output and "dùng biến không có" in flat(out.output)
    assert not list((root / "output").rglob("*.docx"))


def test_the_button_names_the_templates_it_used(consolidated):
    from parxl.excel import xl

    root = consolidated.campaign.root
    CliRunner().invoke(main, ["templates", str(root)])
    (root / "templates" / "thong-bao-ket-qua.docx").unlink()  # back to the bundled notice
    outcome = xl.do_documents(root)
    assert f"Dùng mẫu văn bản của đợt «{root / 'templates' / 'quyet-dinh-cong-bo.docx'}» (bản sao trong thư mục " \
           "templates của đợt)." in outcome.lines
    assert any(line.startswith("Dùng mẫu văn bản gốc của parxl «thong-bao-ket-qua.docx»") for line in outcome.lines)
