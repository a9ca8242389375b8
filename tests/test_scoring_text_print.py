"""The unit sees how each item is scored, and it prints: under every item's title the self-assessment
sheet states its scoring text (options, bands, deductions and their points, the set's guidance), and the
row is tall enough for the wrapped text when LibreOffice prints the sheet to PDF on A4.

Oracle: LibreOffice's PDF, read back by pdftotext. A cell's text that does not fit its row is clipped in
the PDF, so the last words of every scoring text must be in it; the same workbook with rows made too short
(a control) must lose some of them, which shows the check can fail.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from parxl.workbook import styles
from parxl.workbook.build import build_workbook
from parxl.workbook.texts import scoring_lines

from conftest import FIXTURES, REPO, make_campaign
from support.libreoffice import make_profile

pytestmark = pytest.mark.libreoffice


def _pdf_texts(paths: list[Path], soffice: str, outdir: Path) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="parxl-pdf-") as profile:
        subprocess.run([soffice, f"-env:UserInstallation={make_profile(Path(profile))}", "--headless",
                        "--norestore", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)],
                       capture_output=True, timeout=600, check=True)
    out = []
    for p in paths:
        text = subprocess.run(["pdftotext", str(outdir / f"{p.stem}.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
        out.append(" ".join(text.split()))
    return out


def _ending(text: str) -> str:
    """The last words of a scoring text (about 30 characters), spaces normalised."""
    words = text.split()
    tail: list[str] = []
    while words and len(" ".join(tail)) < 30:
        tail.insert(0, words.pop())
    return " ".join(tail)


@pytest.mark.parametrize("criteria", [REPO / "templates" / "criteria" / "xa-mau-2025.yaml", FIXTURES / "real-rules.yaml"],
                         ids=["xa-mau", "real-rules"])
def test_every_scoring_text_prints_whole_on_a4(criteria, soffice, tmp_path, monkeypatch):
    campaign = make_campaign(tmp_path / "dot", criteria=criteria)
    fw = campaign.framework
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is required for this test")
    src = tmp_path / "in"
    src.mkdir()
    (src / "fitted.xlsx").write_bytes(build_workbook(campaign, campaign.units[0]))
    monkeypatch.setattr(styles, "LINE_FACTOR", 0.45)  # the control: rows about a third too short
    (src / "cramped.xlsx").write_bytes(build_workbook(campaign, campaign.units[0]))
    fitted, cramped = _pdf_texts([src / "fitted.xlsx", src / "cramped.xlsx"], soffice, tmp_path / "pdf")

    endings = {i.code: _ending(scoring_lines(i, fw.decimals)[-1]) for i in fw.items if scoring_lines(i, fw.decimals)}
    assert len(endings) == len(fw.items)  # every item says how it is scored
    missing = [code for code, end in endings.items() if end not in fitted]
    assert not missing, [(c, endings[c]) for c in missing]
    assert any(end not in cramped for end in endings.values())  # the check sees clipped text


def test_scoring_texts_in_the_sets_own_words(tmp_path):
    """Hand-written expectations for each new rule type's text, band labels kept as the set words them."""
    fw = make_campaign(tmp_path / "dot", criteria=FIXTURES / "real-rules.yaml").framework
    text = {i.code: "\n".join(scoring_lines(i, fw.decimals)) for i in fw.items}
    assert text["1.1"] == ("Cách chấm: điểm = tỷ lệ «Số hồ sơ đúng hạn» ÷ «Tổng số hồ sơ» × 2 điểm; đạt từ 100% trở lên: "
                           "2 điểm; làm tròn 2 chữ số thập phân; không phát sinh (mẫu số bằng 0): 2 điểm.")
    assert text["1.3"] == ("Cách chấm: tỷ lệ = «Diện tích đã cấp (ha)» ÷ «Diện tích phải cấp (ha)» × 100%; "
                           "«Thực hiện trên 90% kế hoạch»: 2 điểm; «Từ 70% - 90%»: 1 điểm; «Dưới 70% kế hoạch»: 0 điểm; "
                           "không phát sinh (mẫu số bằng 0): 2 điểm.")
    assert re.match(r"^Cách chấm: chọn «Có» ở từng nội dung bên dưới .* từ 0 điểm đến 1 điểm\.$", text["1.4"])
