"""Báo cáo kết quả: summary figures, distribution by band, best and lowest per field."""
from __future__ import annotations

import pytest
from docx import Document

from parxl.documents import UnknownVariablesError, render_report
from parxl.documents.render import bundled_template
from parxl.documents.report import TEMPLATE, report_context
from test_documents_common import docx_texts, edit_template, pdf_text, results, table_rows  # noqa: F401


def test_report_summary_figures(results):
    path = render_report(results)
    assert path.name == "bao-cao-ket-qua-chi-so-cchc-2025.docx" and path.parent == results.campaign.output_dir
    texts = docx_texts(path)
    assert "Kính gửi: Sở Nội vụ." in texts
    assert ("- Số đơn vị được đánh giá: 6; được xếp hạng: 4; không xếp hạng: 2 (1 đơn vị chưa gửi hồ sơ tự đánh "
            "giá; 1 đơn vị có hồ sơ chưa đạt yêu cầu (tệp còn lỗi)).") in texts
    # (100 + 90 + 85 + 45) / 4 = 80
    assert "- Chỉ số cải cách hành chính trung bình: 80,00%." in texts
    assert "- Cao nhất: 100,00% (Phường An Lưu); thấp nhất: 45,00% (Phường Hiệp An)." in texts
    assert "- Xã Bạch Đằng: Không gửi tệp tự đánh giá: không xếp hạng." in texts
    assert any("Quyết định số 12/QĐ-UBND ngày 05/02/2026" in t for t in texts)


def test_report_tables_bands_and_fields(results):
    doc = Document(str(render_report(results)))
    bands, fields = (table_rows(t) for t in doc.tables[1:3])
    assert bands[1:] == [["1", "Tốt", "từ 90% trở lên", "2", "50,00"],
                         ["2", "Khá", "từ 80% đến dưới 90%", "1", "25,00"],
                         ["3", "Trung bình", "từ 50% đến dưới 80%", "0", "0,00"],
                         ["4", "Yếu", "dưới 50%", "1", "25,00"]]
    # Field 1 sub-index: P01 100, X04 92,86, X02 78,57, P03 42,86 → mean 78,57.
    assert fields[1] == ["1", "Công tác chỉ đạo, điều hành CCHC", "78,57", "100,00% – Phường An Lưu",
                         "42,86% – Phường Hiệp An"]
    # Field 2 (survey): P01 and X02 tie at 100.
    assert fields[2][3] == "100,00% – Phường An Lưu, Xã Lê Ninh"


def test_report_context_is_refused_with_unknown_variable(results, tmp_path):
    assert report_context(results)["report_to"] == "Sở Nội vụ"
    bad = edit_template(bundled_template(TEMPLATE), tmp_path / "bc.docx", "{{ average }}", "{{ trung_binh }}")
    with pytest.raises(UnknownVariablesError, match="trung_binh"):
        render_report(results, template=bad)
    assert not results.campaign.output_dir.exists() or not any(results.campaign.output_dir.iterdir())


@pytest.mark.libreoffice
def test_libreoffice_renders_the_report(results, soffice, tmp_path):
    flat = " ".join(pdf_text(soffice, render_report(results), tmp_path / "pdf").split())
    for name in ("Phường An Lưu", "Phường Hiệp An", "Xã Lê Ninh", "Xã Bạch Đằng"):
        assert name in flat
    assert "BÁO CÁO" in flat


def test_report_goes_to_the_first_recipient_without_its_note():
    from parxl.documents.report import report_to
    assert report_to(["- Sở Nội vụ tỉnh (để báo cáo);", "Lưu: VT"]) == "Sở Nội vụ tỉnh"
    assert report_to(["Lưu: VT, NV"]) == "…"
