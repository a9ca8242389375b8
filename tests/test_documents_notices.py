"""Thông báo kết quả: one per ranked unit, with the points lost ordered by what can be gained."""
from __future__ import annotations

import pytest
from docx import Document
from docx.shared import Mm

from parxl.documents import UnknownVariablesError, render_notices
from parxl.documents.notices import TEMPLATE, notice_context
from parxl.documents.render import bundled_template
from test_documents_common import docx_texts, edit_template, pdf_text, results, table_rows  # noqa: F401


def test_one_notice_per_ranked_unit(results):
    paths = render_notices(results)
    assert [p.name for p in paths] == ["thong-bao-p01-phuong-an-luu.docx", "thong-bao-x04-xa-that-hung-moi.docx",
                                       "thong-bao-x02-xa-le-ninh.docx", "thong-bao-p03-phuong-hiep-an.docx"]
    assert {p.parent for p in paths} == {results.campaign.output_dir / "thong-bao"}
    again = render_notices(results)  # a second run keeps the first
    assert all(a != p and a.name.endswith("-2.docx") for a, p in zip(again, paths))
    assert all(p.is_file() for p in paths)


def test_notice_shows_score_rank_band_fields_and_lost_items(results):
    unit = results.by_code("P03")
    path = next(p for p in render_notices(results) if "p03" in p.name)
    texts = docx_texts(path)
    assert "Kết quả Chỉ số cải cách hành chính năm 2025 của Phường Hiệp An" in texts
    assert "Kính gửi: Ủy ban nhân dân phường Hiệp An." in texts
    assert ("- Tổng điểm đạt: 4,50/10,00 điểm, gồm: điểm thẩm định 3,00/7,00; điểm điều tra xã hội học 1,50/3,00; "
            "điểm thưởng 0,00; điểm trừ 0,00.") in texts
    assert "- Chỉ số cải cách hành chính: 45,00%; xếp hạng 4/4 đơn vị; xếp loại: Yếu." in texts
    assert unit.rank == 4
    doc = Document(str(path))
    fields, lost = (table_rows(t) for t in doc.tables[1:3])
    assert fields[1:] == [["1", "Công tác chỉ đạo, điều hành CCHC", "7,00", "3,00", "4,00", "42,86"],
                          ["2", "Sự hài lòng của người dân", "3,00", "1,50", "1,50", "50,00"]]
    # 1.3 and 1.4 lost 2 points each (criteria-set order breaks the tie), then the survey 1,5.
    assert lost[1:] == [["1", "1.3", "Tỷ lệ hồ sơ giải quyết đúng hạn", "2,00", "0,00", "2,00"],
                        ["2", "1.4", "Số văn bản ban hành trái quy định", "2,00", "0,00", "2,00"],
                        ["3", "2.1", "Mức độ hài lòng về thủ tục hành chính", "3,00", "1,50", "1,50"]]
    assert any("tổng số điểm bị mất: 5,50 điểm" in t for t in texts)
    assert any("năm 2026" in t and "khắc phục các tiêu chí bị mất điểm" in t for t in texts)
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and section.page_width < section.page_height


def test_penalties_count_as_lost_and_bonuses_do_not(results):
    ctx = notice_context(results, results.by_code("X04"))
    assert [(i["code"], i["lost"]) for i in ctx["lost_items"]] == [("D1", "1,00"), ("1.1", "0,50"), ("2.1", "0,50")]
    assert ctx["lost_items"][0]["title"].startswith("Điểm trừ: ")
    assert ctx["bonus"] == "1,00" and ctx["penalty"] == "1,00"


def test_full_marks_say_so(results):
    ctx = notice_context(results, results.by_code("P01"))
    assert ctx["lost_items"] == [] and ctx["lost_total"] == "0,00"
    path = next(p for p in render_notices(results) if "p01" in p.name)
    assert "Đơn vị đạt điểm tối đa ở tất cả các tiêu chí." in docx_texts(path)
    assert len(Document(str(path)).tables) == 3  # header, fields, signature: no lost-items table


def test_unknown_variable_refused_before_any_notice_is_written(results, tmp_path):
    bad = edit_template(bundled_template(TEMPLATE), tmp_path / "tb.docx", "{{ unit_name }}", "{{ ten_don_vi }}")
    with pytest.raises(UnknownVariablesError, match="ten_don_vi"):
        render_notices(results, template=bad)
    assert not (results.campaign.output_dir / "thong-bao").exists()


@pytest.mark.libreoffice
def test_libreoffice_renders_the_notice(results, soffice, tmp_path):
    path = next(p for p in render_notices(results) if "x04" in p.name)
    flat = " ".join(pdf_text(soffice, path, tmp_path / "pdf").split())
    assert "Xã Thất Hùng & <Mới>" in flat and "THÔNG BÁO" in flat and "Điểm trừ: Bị phê bình vì chậm báo cáo" in flat


def test_notices_rendered_in_two_worker_processes_are_the_ones_rendered_in_one(results, monkeypatch, tmp_path):
    import io
    import zipfile

    from parxl.documents import render
    one = render_notices(results, out_dir=tmp_path / "one")
    monkeypatch.setattr(render, "PARALLEL_FROM", 1)
    two = render_notices(results, out_dir=tmp_path / "two")
    assert [p.name for p in one] == [p.name for p in two] and len(one) == len(results.ranked) > 1

    def parts(path):
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
            return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}
    assert all(parts(a) == parts(b) for a, b in zip(one, two))
