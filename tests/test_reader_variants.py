"""Returned-file variations, built from a generated workbook by zip- and XML-level transformations.

Each variation either reads to the same item scores and accepted evidence as
the original file, or gets one named finding. Where openpyxl reads the
variation right, parxl's cells are compared with openpyxl's one by one, so a
reader bug cannot hide behind a matching wrong expectation.
"""
from __future__ import annotations

import io
import random
import re
import struct
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import make_campaign
from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import validate
from parxl.workbook import layout
from support.tamper import ROW, filled, set_cell_xml, set_text

SHEET = "xl/worksheets/sheet2.xml"  # the self-assessment sheet of the generated workbook
NAME = "inbox/X01 - Phường An Lưu.xlsx"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    campaign = make_campaign(tmp_path_factory.mktemp("variants") / "dot")
    data = filled(campaign, campaign.units[0])
    assert _zip(data).read("xl/workbook.xml").count(b"<sheet ") == 4
    report = _validate(campaign, data)
    assert report.status == "ok" and not report.findings
    return campaign, data, _scores(report)


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _validate(campaign, data: bytes):
    return validate(campaign, read_submission(data, name=NAME, max_row=expected_max_row(campaign.framework)))


def _scores(report) -> dict:
    return {code: (r.score, r.evidence) for code, r in report.items.items()}


def rebuild(data: bytes, edit=None, *, rename=None, extra=(), compress=zipfile.ZIP_DEFLATED) -> bytes:
    """The zip rebuilt: ``edit(name, text) -> text`` on XML parts, entries renamed, ``extra`` (name, bytes) added."""
    src = _zip(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as dst:
        for info in src.infolist():
            body = src.read(info)
            if edit is not None and info.filename.endswith((".xml", ".rels")):
                body = edit(info.filename, body.decode("utf-8")).encode("utf-8")
            dst.writestr((rename or {}).get(info.filename, info.filename), body)
        for name, body in extra:
            dst.writestr(name, body)
    return out.getvalue()


def on(part: str, fn):
    return lambda name, text: fn(text) if name == part else text


def assert_same(base, data: bytes, openpyxl_reads: bool = True):
    campaign, original, expected = base
    report = _validate(campaign, data)
    assert report.status == "ok", [(f.code, f.message) for f in report.findings]
    assert _scores(report) == expected
    if openpyxl_reads:
        compare_with_openpyxl(campaign, data)


def only(base, data: bytes, code: str):
    campaign = base[0]
    report = _validate(campaign, data)
    assert [f.code for f in report.findings] == [code], [(f.code, f.message) for f in report.findings]
    assert report.status != "ok"
    assert all("Traceback" not in f.message and "Error" not in f.message for f in report.findings)
    return report.findings[0]


def compare_with_openpyxl(campaign, data: bytes) -> None:
    """parxl's cells of the self-assessment sheet (columns A–J) against openpyxl's, formulas and values."""
    sub = read_submission(data, name=NAME, max_row=expected_max_row(campaign.framework))
    formulas = openpyxl.load_workbook(io.BytesIO(data))[layout.SHEET_ASSESS]
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[layout.SHEET_ASSESS]
    compared = 0
    for row in range(1, expected_max_row(campaign.framework) + 1):
        for col in layout.COLUMNS.values():
            mine = sub.cell(row, col)
            f, v = formulas[f"{col}{row}"].value, values[f"{col}{row}"].value
            theirs_formula = f[1:] if isinstance(f, str) and f.startswith("=") else None
            assert (mine.formula if mine else None) == theirs_formula, (col, row)
            mine_value = mine.value if mine else None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                assert mine_value == Decimal(repr(v)).normalize() or Decimal(repr(v)) == mine_value, (col, row)
            else:
                assert mine_value == v, (col, row, mine_value, v)
            compared += mine is not None
    assert compared > 50


# Variations that must read the same ------------------------------------------------------------
def _drop_cell_refs(xml: str) -> str:
    """Every cell that follows its left neighbour loses its r (as some writers omit it)."""
    def row(m: re.Match) -> str:
        prev = [0]

        def cell(c: re.Match) -> str:
            col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(c.group(2))))
            keep = col != prev[0] + 1 or prev[0] == 0
            prev[0] = col
            return c.group(0) if keep else c.group(1)
        return re.sub(r'(<c)\s+r="([A-Z]+)[0-9]+"', cell, m.group(0))
    return re.sub(r"<row [^>]*>.*?</row>", row, xml, flags=re.S)


def _drop_row_refs(xml: str) -> str:
    prev = [0]

    def row(m: re.Match) -> str:
        n = int(m.group(1))
        keep = n != prev[0] + 1
        prev[0] = n
        return m.group(0) if keep else "<row"
    return re.sub(r'<row\s+r="([0-9]+)"', row, xml)


def _prefixed(xml: str) -> str:
    """The default namespace as prefix x: (as some exporters write)."""
    xml = xml.replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                      'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 1)
    return re.sub(r"<(/?)(?![?!])([A-Za-z][A-Za-z0-9]*)(?=[\s/>])", r"<\1x:\2", xml)


def _rich_text(xml: str) -> str:
    """Each shared string as two rich-text runs plus a phonetic run (not part of the text)."""
    def si(m: re.Match) -> str:
        text = m.group(1)
        cut = len(text) // 2
        while cut and text[cut - 1] == "&":
            cut -= 1
        amp = text.rfind("&", 0, cut)
        if amp >= 0 and ";" not in text[amp:cut]:
            cut = amp
        return (f'<si><r><t xml:space="preserve">{text[:cut]}</t></r><r><rPr><b/></rPr>'
                f'<t xml:space="preserve">{text[cut:]}</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>')
    return re.sub(r"<si><t(?: [^>]*)?>(.*?)</t></si>", si, xml, flags=re.S)


def _split_runs(text: str) -> str:
    """``text`` (escaped XML) as two rich-text runs plus a phonetic run (not part of the text)."""
    cut = len(text) // 2
    while cut and text[cut - 1] == "&":
        cut -= 1
    amp = text.rfind("&", 0, cut)
    if amp >= 0 and ";" not in text[amp:cut]:
        cut = amp
    return (f'<r><t xml:space="preserve">{text[:cut]}</t></r><r><rPr><b/></rPr>'
            f'<t xml:space="preserve">{text[cut:]}</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh>')


def _inline_rich_text(data: bytes):
    """An edit making every shared-string cell of the sheet an inline string of rich-text and phonetic runs."""
    shared = ["".join(re.findall(r"<t(?: [^>]*)?>(.*?)</t>", m.group(1), flags=re.S))  # plain or rich (a title
              for m in re.finditer(r"<si>(.*?)</si>", _zip(data).read(                # and its scoring text)
                  "xl/sharedStrings.xml").decode("utf-8"), flags=re.S)]

    def cell(m: re.Match) -> str:
        return f'<c{m.group(1)} t="inlineStr"{m.group(2)}><is>{_split_runs(shared[int(m.group(3))])}</is></c>'
    return on(SHEET, lambda xml: re.sub(r'<c((?: (?!t=)[a-z]+="[^"]*")*) t="s"((?: [a-z]+="[^"]*")*)><v>(\d+)</v></c>',
                                        cell, xml))


VARIANTS = {
    "cells-without-r": (on(SHEET, _drop_cell_refs), {}, True),
    "rows-without-r": (on(SHEET, _drop_row_refs), {}, True),
    "absolute-part-paths": (on("xl/_rels/workbook.xml.rels", lambda x: x.replace('Target="', 'Target="/xl/')), {}, True),
    "part-names-in-other-case": (None, {SHEET: "xl/worksheets/Sheet2.xml",
                                        "xl/sharedStrings.xml": "xl/SharedStrings.xml"}, False),
    "namespace-prefix-x": (lambda n, x: _prefixed(x) if n in (SHEET, "xl/sharedStrings.xml", "xl/workbook.xml") else x,
                           {}, True),
    "rich-text-and-phonetic-runs": (on("xl/sharedStrings.xml", _rich_text), {}, True),
    "protection-removed": (on(SHEET, lambda x: re.sub(r"<sheetProtection[^>]*/>", "", x)), {}, True),
    "dimension-lying": (on(SHEET, lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1"/>', x)), {}, True),
    # openpyxl leaves _xHHHH_ in shared strings as written, so no cell-by-cell comparison here
    "escaped-characters": (on("xl/sharedStrings.xml", lambda x: x.replace("Đạt</t>", "Đ_x1EA1_t</t>")), {}, False),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variation_reads_the_same(base, variant):
    edit, rename, openpyxl_reads = VARIANTS[variant]
    data = rebuild(base[1], edit, rename=rename)
    assert data != base[1]
    assert_same(base, data, openpyxl_reads)


def test_inline_strings_with_rich_text_and_phonetic_runs_read_without_the_phonetic_text(base):
    data = rebuild(base[1], _inline_rich_text(base[1]))
    sheet = _zip(data).read(SHEET).decode("utf-8")
    assert sheet.count('t="inlineStr"') > 20 and sheet.count("<rPh ") > 20 and ' t="s"' not in sheet
    assert_same(base, data)  # scores, evidence, and every cell as openpyxl reads it
    sub = read_submission(data, name=NAME, max_row=expected_max_row(base[0].framework))
    texts = [c.value for c in sub.assess.cells.values() if isinstance(c.value, str)]
    assert texts and not any("PHONETIC" in t for t in texts)
    # the reviewer's cell: a link in two runs and a phonetic hint is the link
    ref = f"{layout.COLUMNS['evidence']}{ROW['1.1']}"
    cell = set_cell_xml(base[1], ref, '<is><r><t>https://a.gov.vn/</t></r><r><t>2.pdf</t></r>'
                                      '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></is>', ' t="inlineStr"')
    sub = read_submission(cell, name=NAME, max_row=expected_max_row(base[0].framework))
    assert sub.cell(ROW["1.1"], layout.COLUMNS["evidence"]).value == "https://a.gov.vn/2.pdf"
    assert openpyxl.load_workbook(io.BytesIO(cell))[layout.SHEET_ASSESS][ref].value == "https://a.gov.vn/2.pdf"


def test_original_matches_openpyxl(base):
    compare_with_openpyxl(base[0], base[1])


def test_stored_instead_of_deflated(base):
    assert_same(base, rebuild(base[1], compress=zipfile.ZIP_STORED))


def test_formulas_without_cached_values_score_the_same(base):
    data = rebuild(base[1], on(SHEET, lambda x: re.sub(r"(</f>)<v>[^<]*</v>", r"\1", x)))
    assert_same(base, data, openpyxl_reads=False)


def test_excel_escaped_carriage_return_gives_two_clean_links(base):
    campaign, data, expected = base
    ref = f"{layout.COLUMNS['evidence']}{ROW['1.1']}"
    two = set_text(data, ref, "https://a.gov.vn/1.pdf_x000D_\nhttps://a.gov.vn/2.pdf")
    report = _validate(campaign, two)
    # the cell keeps its original hyperlink, which is accepted beside the two typed links
    assert report.items["1.1"].evidence[:2] == ["https://a.gov.vn/1.pdf", "https://a.gov.vn/2.pdf"]
    assert not [f for f in report.findings if f.severity == "error"], [f.message for f in report.findings]
    # _x005F_ escapes the underscore itself: the text keeps a literal "_x000D_"
    sub = read_submission(set_text(data, ref, "a_x005F_x000D_b"), name=NAME, max_row=100)
    assert sub.cell(ROW["1.1"], layout.COLUMNS["evidence"]).value == "a_x000D_b"


def test_escapes_in_shared_strings_and_formula_results(base):
    campaign, data, _ = base
    ref = f"{layout.COLUMNS['evidence']}{ROW['1.2']}"
    shared = set_cell_xml(data, ref, "<v>0</v>", ' t="s"')
    shared = rebuild(shared, on("xl/sharedStrings.xml",
                                lambda x: re.sub(r"<si>.*?</si>", "<si><t>x_x000D_y</t></si>", x, count=1, flags=re.S)))
    assert read_submission(shared, max_row=100).cell(ROW["1.2"], "H").value == "x\ry"
    formula = set_cell_xml(data, ref, '<f>"a"</f><v>p_x000A_q</v>', ' t="str"')
    assert read_submission(formula, max_row=100).cell(ROW["1.2"], "H").value == "p\nq"


# Variations that must give one named finding ---------------------------------------------------
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_entries_with_the_same_name(base):
    src = _zip(base[1])
    dup = rebuild(base[1], extra=[(SHEET, src.read(SHEET).replace(b"<v>95</v>", b"<v>5</v>"))])
    assert only(base, dup, "file-ambiguous")
    case = rebuild(base[1], extra=[("xl/worksheets/SHEET2.xml", src.read(SHEET))])
    assert only(base, case, "file-ambiguous")


def test_referenced_sheet_part_missing_or_empty(base):
    data = base[1]
    src = _zip(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info, src.read(info))
    only(base, out.getvalue(), "file-part-missing")
    empty = rebuild(data, on(SHEET, lambda x: ""))
    only(base, empty, "file-part-missing")


def test_shared_strings_missing_or_index_out_of_range(base):
    data = base[1]
    src = _zip(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                dst.writestr(info, src.read(info))
    only(base, out.getvalue(), "file-part-missing")
    far = set_cell_xml(data, f"H{ROW['1.1']}", "<v>99999</v>", ' t="s"')
    assert "99999" in only(base, far, "file-corrupt").message


@pytest.mark.parametrize("xml", ["<worksheet><sheetData><row>", "not xml at all", "<worksheet></sheet>"])
def test_unparsable_sheet(base, xml):
    only(base, rebuild(base[1], on(SHEET, lambda x: xml)), "file-corrupt")


def test_malformed_cell_and_row_addresses(base):
    only(base, rebuild(base[1], on(SHEET, lambda x: x.replace('<c r="A7"', '<c r="7A"', 1))), "file-corrupt")
    only(base, rebuild(base[1], on(SHEET, lambda x: x.replace('<row r="7"', '<row r="six"', 1))), "file-corrupt")
    only(base, rebuild(base[1], on(SHEET, lambda x: x.replace('<row r="8"', '<row r="7"', 1))), "file-corrupt")
    only(base, set_cell_xml(base[1], f"D{ROW['1.3']}", "<v>abc</v>"), "file-corrupt")


def _patch_method(data: bytes, name: bytes, method: int) -> bytes:
    """Set the compression method of entry ``name`` in its local header and the central directory."""
    out = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        i = out.find(sig)
        while i >= 0:
            name_at = i + (30 if sig == b"PK\x03\x04" else 46)
            length = struct.unpack_from("<H", out, i + (26 if sig == b"PK\x03\x04" else 28))[0]
            if bytes(out[name_at:name_at + length]) == name:
                struct.pack_into("<H", out, i + off, method)
            i = out.find(sig, i + 4)
    return bytes(out)


def test_unknown_compression_method_in_a_part(base):
    finding = only(base, _patch_method(base[1], SHEET.encode(), 99), "file-corrupt")
    assert "NotImplemented" not in finding.message


def test_version_needed_6_4(base):
    out = bytearray(base[1])
    i = out.find(b"PK\x01\x02")
    while i >= 0:
        struct.pack_into("<H", out, i + 6, 64)
        i = out.find(b"PK\x01\x02", i + 4)
    only(base, bytes(out), "file-corrupt")


def test_corrupt_deflate_stream(base):
    data = bytearray(base[1])
    info = _zip(base[1]).getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 20, start + 60):
        data[k] ^= 0x5A
    only(base, bytes(data), "file-corrupt")


def test_cached_score_of_1e28_is_a_warning_not_a_crash(base):
    campaign, data, expected = base
    ref = f"F{ROW['1.1']}"
    changed = rebuild(data, on(SHEET, lambda x: re.sub(rf'(<c r="{ref}"[^>]*>\s*<f>.*?</f>\s*<v>)[^<]*(</v>)',
                                                      r"\g<1>1E+28\g<2>", x, count=1, flags=re.S)))
    report = _validate(campaign, changed)
    assert [f.code for f in report.findings] == ["cached-value-differs"]
    assert _scores(report) == expected


@pytest.mark.parametrize("number", ["1E+9999999", "1E+308", "-2E+308"])
def test_number_beyond_excel_is_out_of_range(base, number):
    finding = only(base, set_cell_xml(base[1], f"D{ROW['1.3']}", f"<v>{number}</v>"), "file-number-out-of-range")
    assert f"D{ROW['1.3']}" in finding.message


def test_absurd_count_is_out_of_range(base):
    campaign, data, _ = base
    report = _validate(campaign, set_cell_xml(data, f"E{ROW['1.3']}", "<v>1000000000000</v>"))
    assert "input-too-large" in [f.code for f in report.findings] and report.status == "errors"
    report = _validate(campaign, set_text(data, f"E{ROW['1.3']}", "1E+9999999"))
    assert "input-not-number" in [f.code for f in report.findings]


# XML threats at any depth and offset ------------------------------------------------------------
DTD = '<!DOCTYPE x [<!ENTITY a "SECRET-EXPANDED">]>'
PI = '<?evil data?>'


def _after_prolog(block: str):
    def fn(xml: str) -> str:
        head, sep, rest = xml.partition("?>")
        return head + sep + block + rest
    return fn


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/sharedStrings.xml", SHEET, "xl/_rels/workbook.xml.rels",
                                  "[Content_Types].xml", "_rels/.rels", "xl/worksheets/_rels/sheet2.xml.rels"])
@pytest.mark.parametrize("comment", [5 * 1024, 70 * 1024])
def test_dtd_after_a_long_comment_is_refused(base, part, comment):
    block = f"<!--{'c' * comment}-->{DTD}"
    data = rebuild(base[1], on(part, _after_prolog(block)))
    finding = only(base, data, "file-xml-forbidden")
    assert "SECRET" not in finding.message


@pytest.mark.parametrize("where", ["in-sheetData", "in-a-row", "after-root"])
def test_processing_instruction_anywhere_is_refused(base, where):
    fn = {"in-sheetData": lambda x: x.replace("<sheetData>", f"<sheetData>{PI}", 1),
          "in-a-row": lambda x: x.replace('<row r="9"', f'<row r="9"', 1).replace("</row>", f"{PI}</row>", 9),
          "after-root": lambda x: x + PI}[where]
    only(base, rebuild(base[1], on(SHEET, fn)), "file-xml-forbidden")


def test_entity_in_a_large_streamed_sheet_is_refused(base):
    """A sheet part above the whole-parse size is streamed; the guard sees every chunk."""
    pad = "<!--" + "p" * (3 * 1024 * 1024) + "-->"
    data = rebuild(base[1], on(SHEET, lambda x: x.replace("<sheetData>", f"<sheetData>{pad}{PI}", 1)))
    only(base, data, "file-xml-forbidden")


# What a file is, before parsing it --------------------------------------------------------------
def _zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


KINDS = {
    "xlsb": (_zipped({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                      "xl/workbook.bin": b"\x83\x01\x00"}), "file-xlsb"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "file-pdf"),
    "docx": (_zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}), "file-word"),
    "odt": (_zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "file-opendocument"),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(200), "file-image"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(200), "file-image"),
    "gif": (b"GIF89a" + bytes(100), "file-image"),
    "zip-of-files": (_zipped({"a.pdf": b"%PDF", "b.xlsx": b"PK", "c.docx": b"PK"}), "file-archive"),
    "rar": (b"Rar!\x1a\x07\x01\x00" + bytes(100), "file-archive"),
    "7z": (b"7z\xbc\xaf\x27\x1c" + bytes(100), "file-archive"),
    "csv": ("Mã,Tên tiêu chí,Điểm\n1.1,Ban hành kế hoạch,1\n".encode("utf-8"), "file-csv"),
    "csv-utf16": ("Mã\tĐiểm\r\n1.1\t1\r\n".encode("utf-16"), "file-csv"),
    "html": (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "file-html"),
    "xml-spreadsheet-2003": (b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                             b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>', "file-html"),
    "random": (random.Random(11).randbytes(4000), "file-not-workbook"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_file_kind_is_named(base, kind):
    data, code = KINDS[kind]
    finding = only(base, data, code)
    assert "mã độc" not in finding.message


def test_xlsb_message_says_what_to_do(base):
    finding = only(base, KINDS["xlsb"][0], "file-xlsb")
    assert "Excel Workbook (.xlsx)" in finding.message


# Memory is bounded by what is read ---------------------------------------------------------------
def _noise(n_bytes: int, seed: int) -> str:
    """Small elements with varied attributes (so that the zip ratio stays ordinary)."""
    rnd = random.Random(seed)
    parts, size = [], 0
    while size < n_bytes:
        s = f'<x a="{rnd.getrandbits(40):x}"/>'
        parts.append(s)
        size += len(s)
    return "".join(parts)


@pytest.mark.parametrize("where", ["after-sheetData", "inside-a-row", "after-first-si"])
def test_many_small_elements_take_bounded_memory(base, where):
    noise = _noise(40 * 1024 * 1024, 5)
    if where == "after-sheetData":
        edit = on(SHEET, lambda x: x.replace("</sheetData>", "</sheetData>" + noise, 1))
    elif where == "inside-a-row":
        edit = on(SHEET, lambda x: x.replace('<row r="3"', f'<row r="3"', 1).replace("</row>", noise + "</row>", 3))
    else:
        edit = on("xl/sharedStrings.xml", lambda x: x.replace("</si>", "</si>" + noise, 1))
    data = rebuild(base[1], edit)
    del noise
    tracemalloc.start()
    report = _validate(base[0], data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 250 * (1 << 20)
    assert [f.code for f in report.findings] in (["file-part-oversized"], ["file-zip-bomb"])


def test_a_huge_shared_string_is_cut_and_never_copied_into_findings(base):
    campaign, data, _ = base
    huge = "x" * 2_000_000
    ref = f"D{ROW['1.1']}"  # a choice input: the text is quoted in input-not-option
    index = _zip(data).read("xl/sharedStrings.xml").count(b"<si>")
    changed = set_cell_xml(data, ref, f"<v>{index}</v>", ' t="s"')
    changed = rebuild(changed, on("xl/sharedStrings.xml", lambda x: x.replace("</sst>", f"<si><t>{huge}</t></si></sst>")))
    sub = read_submission(changed, name=NAME, max_row=100)
    assert len(sub.cell(ROW["1.1"], "D").value) == 32_767
    report = validate(campaign, sub)
    assert report.status == "errors"
    assert max(len(f.message) for f in report.findings) < 2_000


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/sharedStrings.xml"])
def test_appraisal_reader_refuses_a_late_dtd_too(base, part):
    from parxl.appraisal.read import read_appraisal
    block = f"<!--{'c' * 70 * 1024}-->{DTD}"
    data = rebuild(base[1], on(part, _after_prolog(block)))
    out = read_appraisal(base[0], data, "appraisal-1", name="tham-dinh.xlsx")
    assert [f.code for f in out.findings] == ["file-xml-forbidden"]
