"""Evidence as officials write it: references, links and file names inside free text (issue 11, point 4).

Expected values are written by hand from the texts; the appraisal workbook is read back with openpyxl.
"""
from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

from parxl.appraisal import layout as L
from parxl.cli import main
from parxl.intake.evidence_text import DocumentRef, Entry, parse_cell, parse_entry
from parxl.ledger.receive import run_intake
from parxl.workbook.stamping import workbook_filename
from support.tamper import ROW, filled, set_cell_xml, set_text

from conftest import make_campaign
from test_validation import check, codes

QD120 = DocumentRef("Quyết định", "120/QĐ-UBND", dt.date(2025, 3, 5))
KH15 = DocumentRef("Kế hoạch", "15/KH-UBND", dt.date(2025, 1, 10))
BC45 = DocumentRef("Báo cáo", "45/BC-UBND", dt.date(2025, 12, 20))


# Parsing: the five lines of the issue, one by one ------------------------------------------------

@pytest.mark.parametrize("line, expected, shown", [
    ("Quyết định số 120/QĐ-UBND ngày 05/3/2025 của UBND xã, mục II, trang 3",
     Entry("Quyết định số 120/QĐ-UBND ngày 05/3/2025 của UBND xã, mục II, trang 3", refs=(QD120,),
           section="mục II", pages="3"),
     "QĐ số 120/QĐ-UBND ngày 05/03/2025 — mục II, trang 3"),
    ("TLKC: Kế hoạch số 15/KH-UBND ngày 10/01/2025",
     Entry("Kế hoạch số 15/KH-UBND ngày 10/01/2025", refs=(KH15,)),
     "KH số 15/KH-UBND ngày 10/01/2025"),
    ("Link: https://xa-mau.gov.vn/van-ban/15.pdf",
     Entry("https://xa-mau.gov.vn/van-ban/15.pdf", links=("https://xa-mau.gov.vn/van-ban/15.pdf",)),
     "https://xa-mau.gov.vn/van-ban/15.pdf"),
    ("Báo cáo số 45/BC-UBND ngày 20/12/2025, đăng tại https://xa-mau.gov.vn/bc45",
     Entry("Báo cáo số 45/BC-UBND ngày 20/12/2025, đăng tại https://xa-mau.gov.vn/bc45", refs=(BC45,),
           links=("https://xa-mau.gov.vn/bc45",)),
     "BC số 45/BC-UBND ngày 20/12/2025 — https://xa-mau.gov.vn/bc45"),
    ("https://xa-mau.gov.vn/bc45.pdf (trang 2)",
     Entry("https://xa-mau.gov.vn/bc45.pdf (trang 2)", links=("https://xa-mau.gov.vn/bc45.pdf",), pages="2"),
     "https://xa-mau.gov.vn/bc45.pdf — trang 2"),
])
def test_each_line_as_officials_write_it_is_parsed_into_what_it_cites(line, expected, shown):
    (entry,) = parse_cell(line)
    assert entry == expected
    assert entry.display() == shown
    assert parse_entry(entry.text) == entry  # the text the ledger keeps gives the same structure back


@pytest.mark.parametrize("text, refs", [
    ("Công văn số 1234/UBND-NC ngày 5 tháng 3 năm 2025 về việc tăng cường kỷ luật",
     [DocumentRef("Công văn", "1234/UBND-NC", dt.date(2025, 3, 5), subject="về việc tăng cường kỷ luật")]),
    ("1234/UBND-NC", [DocumentRef("Công văn", "1234/UBND-NC")]),  # a symbol without a type code: a letter
    ("Thông báo 07/TB-UBND", [DocumentRef("Thông báo", "07/TB-UBND")]),
    ("Nghị quyết số 05/NQ-HĐND ngày 15.7.2025", [DocumentRef("Nghị quyết", "05/NQ-HĐND", dt.date(2025, 7, 15))]),
    ("Chỉ thị số 02/CT-UBND", [DocumentRef("Chỉ thị", "02/CT-UBND")]),
    ("Tờ trình số 30/TTr-UBND ngày 01/02/2025", [DocumentRef("Tờ trình", "30/TTr-UBND", dt.date(2025, 2, 1))]),
    ("Hướng dẫn 03/HD-SNV", [DocumentRef("Hướng dẫn", "03/HD-SNV")]),
    ("QĐ số 120/QĐ-UBND", [DocumentRef("Quyết định", "120/QĐ-UBND")]),
    ("Quyet dinh so 120/QD-UBND ngay 05/03/2025", [DocumentRef("Quyết định", "120/QD-UBND", dt.date(2025, 3, 5))]),
    ("Nghị định 30/2020/NĐ-CP", [DocumentRef("Nghị định", "30/2020/NĐ-CP")]),
    ("Văn bản số 15/KH-UBND", [DocumentRef("Kế hoạch", "15/KH-UBND")]),  # the symbol says which kind
    ("Kế hoạch số 15 ngày 10/01/2025", [DocumentRef("Kế hoạch", "15", dt.date(2025, 1, 10))]),
    ("Quyết định số 120/QĐ-UBND ngày 05/3/2025 và Kế hoạch số 15/KH-UBND ngày 10/01/2025",
     [QD120, KH15]),
    ("Quyết định số 120/QĐ-UBND ngày 31/02/2025",  # no such day: kept as written
     [DocumentRef("Quyết định", "120/QĐ-UBND", None, date_text="31/02/2025")]),
    ("theo quy định của tỉnh", []),          # a word, not a reference
    ("Kế hoạch CCHC năm 2025 của xã", []),
    ("Báo cáo 6 tháng đầu năm", []),         # digits without «số» or a symbol are no number
    ("Đơn vị đã 3 lần tổ chức đối thoại", []),  # «đã» is no ĐA (Đề án): abbreviations are capitals
])
def test_document_reference_kind_number_and_date(text, refs):
    assert list(parse_entry(text).refs) == refs


def test_section_and_pages_of_a_reference():
    e = parse_entry("Nghị định 30/2020/NĐ-CP, Điều 3 khoản 2 điểm a, trang 4-5")
    assert (e.section, e.pages) == ("điều 3, khoản 2, điểm a", "4–5")
    assert e.display() == "NĐ số 30/2020/NĐ-CP — điều 3, khoản 2, điểm a, trang 4–5"


def test_words_that_only_look_like_locators_are_not_locators():
    e = parse_entry("Báo cáo số 45/BC-UBND: đạt mức 2, tình trạng 3 hồ sơ, 2 điểm")
    assert (e.section, e.pages) == (None, None)  # «mức» is no «mục», «trạng» no «trang», «2 điểm» are points


@pytest.mark.parametrize("text, links", [
    ("Xem tại https://xa-mau.gov.vn/a.pdf.", ["https://xa-mau.gov.vn/a.pdf"]),
    ("(https://xa-mau.gov.vn/a.pdf)", ["https://xa-mau.gov.vn/a.pdf"]),
    ("«https://xa-mau.gov.vn/a.pdf», trang 2", ["https://xa-mau.gov.vn/a.pdf"]),
    ("“https://xa-mau.gov.vn/tài-liệu/a.pdf”…", ["https://xa-mau.gov.vn/tài-liệu/a.pdf"]),
    ("https://vi.wikipedia.org/wiki/Kinh_Môn_(thị_xã), xem mục 2", ["https://vi.wikipedia.org/wiki/Kinh_Môn_(thị_xã)"]),
    ("https://x.gov.vn/a;jsessionid=AB12?id=5", ["https://x.gov.vn/a;jsessionid=AB12?id=5"]),
])
def test_link_ends_before_vietnamese_punctuation(text, links):
    assert list(parse_entry(text).links) == links


def test_several_entries_in_a_cell_split_by_lines_and_semicolons():
    text = ("Tài liệu kiểm chứng:\n- Quyết định số 120/QĐ-UBND ngày 05/3/2025; QD120.pdf\n"
            "- https://a.gov.vn/1.pdf, https://a.gov.vn/2.pdf;Bao cao 1.3.pdf\r\n")
    assert [e.text for e in parse_cell(text)] == [
        "Quyết định số 120/QĐ-UBND ngày 05/3/2025", "QD120.pdf", "https://a.gov.vn/1.pdf", "https://a.gov.vn/2.pdf",
        "Bao cao 1.3.pdf"]
    assert [e.kind for e in parse_cell(text)] == ["reference", "file", "link", "link", "file"]


def test_file_names_inside_text_and_paths():
    assert parse_entry("Quyết định số 120/QĐ-UBND (tệp QD120.pdf)").files == ("QD120.pdf",)
    assert parse_entry("Kế hoạch, tệp «Ke hoach 15.pdf»").files == ("Ke hoach 15.pdf",)
    assert parse_entry(r"D:\TLKC\2025\QD120.pdf").files == ("QD120.pdf",)
    assert parse_entry("https://xa-mau.gov.vn/qd120.pdf").files == ()  # a link's path is not a file sent along


@pytest.mark.parametrize("text, problem", [
    ("www.kinhmon.gov.vn/kh.pdf", "thiếu «https://» ở đầu"),
    ("xa-mau.gov.vn/bc45", "thiếu «https://» ở đầu"),
    ("ftp://kinhmon.gov.vn/bc.pdf", "giao thức «ftp:» không phải http/https"),
    ("https://localhost/a.pdf", "tên miền «localhost» không đầy đủ"),
    ("Link: https:///a.pdf", "thiếu tên miền"),
])
def test_only_a_line_that_is_nothing_but_a_malformed_link_is_a_bad_link(text, problem):
    (e,) = parse_cell(text)
    assert (e.kind, e.malformed) == ("bad-link", problem)


def test_hyperlink_behind_a_label_is_one_entry_the_link():
    assert parse_cell("Xem tài liệu", hyperlink="https://xa-mau.gov.vn/a.pdf") == [
        Entry("https://xa-mau.gov.vn/a.pdf", links=("https://xa-mau.gov.vn/a.pdf",))]
    # Excel turns a typed «www.…» into a hyperlink to http://www.…: the link, not a malformed text
    assert [e.text for e in parse_cell("www.kinhmon.gov.vn/kh.pdf", hyperlink="http://www.kinhmon.gov.vn/kh.pdf")] \
        == ["http://www.kinhmon.gov.vn/kh.pdf"]
    # a reference with a hyperlink to its scan: one entry, the reference and its link
    (e,) = parse_cell("Quyết định số 120/QĐ-UBND ngày 05/3/2025", hyperlink="https://xa-mau.gov.vn/qd120.pdf")
    assert e.display() == "QĐ số 120/QĐ-UBND ngày 05/03/2025 — https://xa-mau.gov.vn/qd120.pdf"
    # a link inside the workbook is no evidence
    assert [e.kind for e in parse_cell("Xem tài liệu", hyperlink="#'Tự đánh giá'!A1")] == ["text"]


@pytest.mark.parametrize("label", [
    "tlkc-1.pdf",                         # the linked file's name
    "TLKC: Quyết định 120.pdf",           # another file name, with spaces, after a label
    "https://xa-mau.gov.vn/cu/kh.pdf",    # a link written out, to another place
    "www.xa-mau.gov.vn",                  # a malformed link
])
def test_hyperlink_behind_a_file_name_or_link_label_is_one_entry_the_link(label):
    url = "https://vanban.kinhmon.example.gov.vn/x01/1.1/tlkc-1.pdf"
    assert parse_cell(label, hyperlink=url) == [Entry(url, links=(url,))]


def test_hyperlinked_file_name_with_pages_is_the_link_with_those_pages():
    url = "https://xa-mau.gov.vn/tlkc/tlkc-1.pdf"
    (e,) = parse_cell("tlkc-1.pdf, trang 3", hyperlink=url)
    assert (e.kind, e.links, e.files, e.pages) == ("link", (url,), (), "3")
    assert e.display() == "https://xa-mau.gov.vn/tlkc/tlkc-1.pdf — trang 3"
    # more than a label: kept as written, the hyperlink as one more entry
    assert [e.kind for e in parse_cell("tlkc-1.pdf\nQD120.pdf", hyperlink=url)] == ["file", "file", "link"]
    assert [e.kind for e in parse_cell("QD120.pdf, trang 3", hyperlink=url)] == ["file", "link"]
    assert [e.kind for e in parse_cell("Quyết định số 120/QĐ-UBND ngày 05/3/2025; QD120.pdf", hyperlink=url)] == [
        "reference", "file", "link"]


def test_hyperlink_to_a_file_is_that_file():
    assert parse_cell("Xem", hyperlink="QD120.pdf") == [Entry("QD120.pdf", files=("QD120.pdf",))]
    assert parse_cell("Xem", hyperlink="file:///C:/Users/VP/TLKC/Bao%20cao%2045.pdf") == [
        Entry("Bao cao 45.pdf", files=("Bao cao 45.pdf",))]


def test_label_without_any_link_is_text_for_the_appraiser():
    assert [(e.kind, e.text) for e in parse_cell("Xem tài liệu")] == [("text", "Xem tài liệu")]
    assert [e.text for e in parse_cell("TLKC:\nhttps://a.gov.vn/1.pdf")] == ["https://a.gov.vn/1.pdf"]


def test_hyperlink_formula_is_the_link_not_its_label():
    assert parse_cell("Xem", formula='HYPERLINK("https://xa-mau.gov.vn/a.pdf","Xem")') == [
        Entry("https://xa-mau.gov.vn/a.pdf", links=("https://xa-mau.gov.vn/a.pdf",))]


def test_picture_pasted_into_the_cell():
    (e,) = parse_cell('=DISPIMG("ID_2B5C8E1F",1)', formula='_xlfn.DISPIMG("ID_2B5C8E1F",1)')
    assert (e.kind, e.picture) == ("picture", "ID_2B5C8E1F")


# Validation of a returned workbook --------------------------------------------------------------

H = {code: f"H{ROW[code]}" for code in ("1.1", "1.2", "1.3", "1.4", "1.5")}


def test_the_issue_lines_are_accepted_without_error(campaign):
    data = filled(campaign, campaign.units[0], evidence={
        "1.1": ["Quyết định số 120/QĐ-UBND ngày 05/3/2025 của UBND xã, mục II, trang 3"],
        "1.2": ["TLKC: Kế hoạch số 15/KH-UBND ngày 10/01/2025"],
        "1.3": ["Link: https://xa-mau.gov.vn/van-ban/15.pdf"],
        "1.4": ["Báo cáo số 45/BC-UBND ngày 20/12/2025, đăng tại https://xa-mau.gov.vn/bc45"],
        "1.5": ["https://xa-mau.gov.vn/bc45.pdf (trang 2)"],
    })
    report = check(campaign, data)
    assert report.findings == []
    assert report.items["1.2"].evidence == ["Kế hoạch số 15/KH-UBND ngày 10/01/2025"]
    assert report.items["1.3"].evidence == ["https://xa-mau.gov.vn/van-ban/15.pdf"]


def test_file_beside_the_workbook_found_or_missing_inside_text(campaign):
    data = filled(campaign, campaign.units[0], evidence={
        "1.1": ["Quyết định số 120/QĐ-UBND ngày 05/3/2025; QD120.pdf"],     # sent along
        "1.2": ["Kế hoạch số 15/KH-UBND (tệp KH15.pdf)"],                   # not sent: the reference stays
        "1.3": ["Báo cáo quý IV: BC-Q4.pdf"],                               # not sent, nothing else
    })
    report = check(campaign, data, siblings={"qd120.PDF"})
    assert codes(report) == [("evidence-file-missing", H["1.2"]), ("evidence-file-missing", H["1.3"])]
    assert "«KH15.pdf»" in report.findings[0].message
    assert report.items["1.1"].evidence == ["Quyết định số 120/QĐ-UBND ngày 05/3/2025", "QD120.pdf"]
    assert report.items["1.2"].evidence == ["Kế hoạch số 15/KH-UBND (tệp KH15.pdf)"]
    assert report.items["1.3"].evidence == []


def test_file_name_with_spaces_inside_text_is_found_beside_the_workbook(campaign):
    data = filled(campaign, campaign.units[0], evidence={"1.1": ["Bản scan: Quyết định 120.pdf, trang 2"]})
    report = check(campaign, data, siblings={"Quyết định 120.pdf"})
    assert report.findings == []
    assert report.items["1.1"].evidence == ["Bản scan: «Quyết định 120.pdf», trang 2"]
    assert parse_entry(report.items["1.1"].evidence[0]).display() == "Quyết định 120.pdf — trang 2"  # «bản scan» says nothing more


def test_hyperlink_label_cell_formula_and_picture_in_a_workbook(campaign):
    data = filled(campaign, campaign.units[0], evidence={"1.1": ["https://xa-mau.gov.vn/a.pdf"]})
    data = set_text(data, H["1.1"], "Xem tài liệu")  # the cell keeps its hyperlink, its text becomes a label
    data = set_cell_xml(data, H["1.2"], '<f>HYPERLINK("https://xa-mau.gov.vn/b.pdf","Xem")</f><v>Xem</v>',
                        ' t="str"')
    data = set_cell_xml(data, H["1.3"], '<f>_xlfn.DISPIMG("ID_2B5C8E1F",1)</f><v>=DISPIMG("ID_2B5C8E1F",1)</v>',
                        ' t="str"')
    report = check(campaign, data)
    assert codes(report) == [("evidence-picture", H["1.3"])]
    assert report.findings[0].severity == "error" and "ID_2B5C8E1F" in report.findings[0].message
    assert report.items["1.1"].evidence == ["https://xa-mau.gov.vn/a.pdf"]
    assert report.items["1.2"].evidence == ["https://xa-mau.gov.vn/b.pdf"]
    assert report.items["1.3"].evidence == []


def test_hyperlinked_cell_showing_a_file_name_is_the_link_without_missing_file(campaign):
    data = filled(campaign, campaign.units[0], evidence={"1.1": ["https://xa-mau.gov.vn/a.pdf"]})
    data = set_text(data, H["1.1"], "a.pdf")  # the cell keeps its hyperlink, its text is the file's name
    report = check(campaign, data)
    assert report.findings == []
    assert report.items["1.1"].evidence == ["https://xa-mau.gov.vn/a.pdf"]


def test_a_link_like_word_inside_a_sentence_is_no_bad_link(campaign):
    data = filled(campaign, campaign.units[0], evidence={
        "1.1": ["Báo cáo số 45/BC-UBND, bản cũ ở ftp://kinhmon.gov.vn/bc45.pdf"],
        "1.2": ["ftp://kinhmon.gov.vn/bc45.pdf"]})  # nothing but a malformed link: the one bad link
    report = check(campaign, data)
    assert codes(report) == [("evidence-bad-link", H["1.2"])]
    assert report.items["1.1"].evidence == ["Báo cáo số 45/BC-UBND, bản cũ ở ftp://kinhmon.gov.vn/bc45.pdf"]


def test_reference_with_a_day_that_does_not_exist_is_a_warning(campaign):
    data = filled(campaign, campaign.units[0], evidence={"1.1": ["Quyết định số 120/QĐ-UBND ngày 31/02/2025"]})
    report = check(campaign, data)
    assert codes(report) == [("evidence-ref-bad-date", H["1.1"])]
    assert report.findings[0].severity == "warning" and "31/02/2025" in report.findings[0].message


# The appraisal workbook shows the structure ------------------------------------------------------

def test_appraisal_workbook_shows_references_and_links_one_a_line(tmp_path):
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    unit = c.unit("X01")
    (c.inbox_dir / workbook_filename(unit)).write_bytes(filled(c, unit, evidence={
        "1.1": ["Quyết định số 120/QĐ-UBND ngày 05/3/2025 của UBND xã, mục II, trang 3",
                "Link: https://xa-mau.gov.vn/van-ban/15.pdf"],
        "1.2": ["TLKC: Kế hoạch số 15/KH-UBND ngày 10/01/2025; QD120.pdf",
                "Báo cáo số 45/BC-UBND ngày 20/12/2025, đăng tại https://xa-mau.gov.vn/bc45",
                "https://xa-mau.gov.vn/bc45.pdf (trang 2)"],
    }))
    (c.inbox_dir / "QD120.pdf").write_bytes(b"%PDF-1.4\n")
    run_intake(c, workers=1)
    out = CliRunner().invoke(main, ["appraise", str(c.root), "--json"])
    assert out.exit_code == 0, out.output
    path = c.root / "output" / "tham-dinh" / json.loads(out.stdout)["round"] / \
        "Thẩm định lĩnh vực 1 - Công tác chỉ đạo, điều hành CCHC.xlsx"
    ws = openpyxl.load_workbook(path)[L.SHEET_DATA]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value): r for r in range(L.HEADER_ROW + 1, ws.max_row + 1)}
    col = openpyxl.utils.column_index_from_string(L.COL["evidence"])
    one = ws.cell(rows[("X01", "1.1")], col)
    assert one.value == ("QĐ số 120/QĐ-UBND ngày 05/03/2025 — mục II, trang 3\n"
                         "https://xa-mau.gov.vn/van-ban/15.pdf")
    assert one.hyperlink.target == "https://xa-mau.gov.vn/van-ban/15.pdf"  # the only link: the cell opens it
    two = ws.cell(rows[("X01", "1.2")], col)
    assert two.value == ("KH số 15/KH-UBND ngày 10/01/2025\n"
                         "QD120.pdf\n"
                         "BC số 45/BC-UBND ngày 20/12/2025 — https://xa-mau.gov.vn/bc45\n"
                         "https://xa-mau.gov.vn/bc45.pdf — trang 2")
    assert two.hyperlink is None  # two links: text, one a line
