"""The Kế hoạch triển khai: its timetable is campaign.yaml's schedule row by row; layout as the decision's."""
from __future__ import annotations

import shutil

import yaml
from click.testing import CliRunner
from docx import Document
from docx.shared import Mm

from conftest import REPO, make_campaign
from parxl.campaign.folder import load_campaign
from parxl.cli import main
from parxl.documents.plan import render_plan
from test_documents_common import docx_texts, pdf_text, table_rows


def _expected_rows(config_path):
    """The schedule as campaign.yaml says it, read with PyYAML (not parxl)."""
    rows = []
    for t in yaml.safe_load(config_path.read_text(encoding="utf-8"))["schedule"]:
        due = t.get("due")
        due = due.strftime("%d/%m/%Y") if hasattr(due, "strftime") else (due or "")
        rows.append([str(t["no"]), t["task"], due, t.get("lead", ""), "; ".join(t.get("partners", []))])
    return rows


def _edit(root, old, new):
    config = root / "campaign.yaml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_plans_timetable_is_the_schedule_row_by_row(tmp_path):
    root = tmp_path / "c"
    make_campaign(root)
    _edit(root, "  due: Tháng 12/2025\n", "  due: Trước 15/12/2025\n")
    _edit(root, "- Các cơ quan thẩm định\n", "- Văn phòng UBND thị xã\n  - Phòng Tư pháp\n")
    path = render_plan(load_campaign(root))
    assert path == root / "output" / "ke-hoach-trien-khai-2025.docx"
    doc = Document(str(path))
    timetable = next(t for t in doc.tables if table_rows(t)[0][:2] == ["STT", "Nhiệm vụ"])
    rows = table_rows(timetable)
    assert rows[0] == ["STT", "Nhiệm vụ", "Thời gian", "Cơ quan chủ trì", "Cơ quan phối hợp"]
    assert rows[1:] == _expected_rows(root / "campaign.yaml")
    assert rows[1][2:] == ["Trước 15/12/2025", "Phòng Nội vụ", "Văn phòng UBND thị xã; Phòng Tư pháp"]
    assert rows[2][2] == "10/01/2026"


def test_the_plan_names_the_criteria_set_and_each_offices_duties(tmp_path):
    root = tmp_path / "c"
    make_campaign(root)
    path = render_plan(load_campaign(root))
    texts = docx_texts(path)
    assert "KẾ HOẠCH" in texts
    assert "Triển khai xác định Chỉ số cải cách hành chính năm 2025 của Ủy ban nhân dân các xã, phường" in texts
    assert "Căn cứ Quyết định số 1/QĐ-UBND ngày 01/01/2025 của UBND tỉnh Mẫu;" in texts
    assert any("theo Bộ chỉ số thử nghiệm (dùng cho kiểm thử) ban hành kèm theo Quyết định số 1/QĐ-UBND" in t
               for t in texts)
    for heading in ("I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG", "III. KINH PHÍ", "IV. TỔ CHỨC THỰC HIỆN"):
        assert heading in texts
    # the mini set's one appraiser is the campaign's own office: its duties hold the field it appraises
    start = texts.index("1. Phòng Nội vụ")
    units = texts.index("4. UBND các xã, phường")
    assert texts[start + 1].startswith("- Chủ trì, theo dõi, đôn đốc")
    assert "- Thẩm định kết quả tự đánh giá, chấm điểm lĩnh vực 1. Công tác chỉ đạo, điều hành CCHC; giải trình " \
           "kết quả thẩm định khi được yêu cầu." in texts[start:units]
    assert "- Chủ trì: Thẩm định kết quả tự đánh giá theo từng lĩnh vực (thời gian: Trước 31/01/2026)." \
        in texts[start:units]
    assert "2. Hội đồng thẩm định" in texts
    assert "- Thực hiện: Các đơn vị tự đánh giá, chấm điểm; gửi kết quả và tài liệu kiểm chứng (thời gian: 10/01/2026)." \
        in texts[units:]
    assert "Nguyễn Văn An" in texts and "Số: …/KH-UBND" in texts


def test_layout_is_the_decisions(tmp_path):
    root = tmp_path / "c"
    make_campaign(root)
    doc = Document(str(render_plan(load_campaign(root))))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    assert [round(m.mm) for m in (section.left_margin, section.right_margin, section.top_margin,
                                  section.bottom_margin)] == [30, 15, 20, 20]
    header = table_rows(doc.tables[0])
    assert header[0][0].splitlines() == ["ỦY BAN NHÂN DÂN", "THỊ XÃ KINH MÔN"]
    assert header[0][1].splitlines() == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    # «DỰ THẢO» marks results not yet finalised (parxl finalize), never the plan that opens the year
    assert header[1] == ["Số: …/KH-UBND", "Kinh Môn, ngày … tháng … năm …"]
    assert doc.styles["Normal"].font.name == "Times New Roman"


def test_the_sample_campaign_without_schedule_gets_a_plan_from_the_cli(tmp_path):
    root = tmp_path / "km"
    shutil.copytree(REPO / "samples" / "kinh-mon-2025", root)
    result = CliRunner().invoke(main, ["plan", str(root)])
    assert result.exit_code == 0, result.output
    assert "mục «schedule»" in result.output and "ke-hoach-trien-khai-2025.docx" in result.output
    doc = Document(str(root / "output" / "ke-hoach-trien-khai-2025.docx"))
    texts = docx_texts(root / "output" / "ke-hoach-trien-khai-2025.docx")
    assert "Số: 184/KH-UBND" in texts and "Kinh Môn, ngày 20 tháng 11 năm 2025" in texts
    rows = table_rows(next(t for t in doc.tables if table_rows(t)[0][:2] == ["STT", "Nhiệm vụ"]))
    assert ["2", "Các đơn vị tự đánh giá, chấm điểm; gửi kết quả và tài liệu kiểm chứng", "10/01/2026",
            "UBND các xã, phường", "Phòng Nội vụ thị xã Kinh Môn"] in rows
    # each field's appraising office of the sample set has its section
    for office in ("Sở Nội vụ", "Sở Tư pháp", "Văn phòng UBND tỉnh", "Sở Tài chính", "Sở Khoa học và Công nghệ"):
        assert any(t.endswith(f". {office}") for t in texts), office


def test_libreoffice_converts_the_plan_and_every_task_is_in_the_pdf(tmp_path, soffice):
    root = tmp_path / "c"
    make_campaign(root)
    path = render_plan(load_campaign(root))
    flat = "".join(pdf_text(soffice, path, tmp_path / "pdf").split())
    for row in _expected_rows(root / "campaign.yaml"):
        words = row[1].split()
        # a cell's lines may be split by other cells' lines: look for each line-sized run of words
        for k in range(0, len(words), 3):
            assert "".join(words[k:k + 3]) in flat, (row[1], words[k:k + 3])
