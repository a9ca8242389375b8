"""The check outputs rendered straight into an XlsxWriter-built package (``parxl.ledger.sheet_xml``) read
exactly as the XlsxWriter-built ones did.

Oracle: the XlsxWriter version of ``findings_workbook`` and ``feedback_workbook`` (frozen in
``support/check_report_xlsxwriter.py``), both read with openpyxl, compared cell by cell (value, type,
font, fill, border, alignment, number format, protection, hyperlink) and sheet by sheet (names, used
range, column widths, panes, filter, page setup, defined names); and LibreOffice opening the new files
(re-saved by it, read back with openpyxl: the same values).
"""
from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import UNITS_CSV, make_campaign
from parxl.cli import main
from parxl.cli.check_cmd import record_explanations
from parxl.core.findings import Finding
from parxl.ledger import check_report_xlsx as fast
from parxl.ledger.check_report import UnitLine, unit_lines
from parxl.ledger.check_report_xlsx import ExplanationLine
from parxl.ledger.receive import IntakeResult, run_intake
from parxl.ledger.rows import LedgerSubmission
from parxl.ledger.sheet_xml import si_text
from support import check_report_xlsxwriter as slow
from support.libreoffice import recalculate
from support.tamper import filled
from test_hostile import encrypted_workbook

HOSTILE = ["A & B <Co> \"q\" 'a'", "Xã Hòa Bình – Đông", "tab\there\x01\x07bell\x1f", "_x0041_ literal _xZZ_",
           "  leading and trailing  ", "line\nbreak\r\n", "\ufffe\uffff", "𝔘 above U+FFFF 😀", "]]> <![CDATA[",
           "&amp; &#x41; %20 %zz", "=1+1", "+84 912", "007", "#REF!", ""]


def _style(c) -> tuple:
    return (repr(c.font), repr(c.fill), repr(c.border), repr(c.alignment), c.number_format, repr(c.protection))


def _link(c) -> tuple | None:
    h = c.hyperlink
    return None if h is None else (h.target, h.location, h.display, h.tooltip)


def read(data: bytes) -> dict:
    """Everything a reader sees of an .xlsx, as plain data (openpyxl)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out: dict = {"sheets": wb.sheetnames, "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        cells = {c.coordinate: (c.value, c.data_type, _style(c), _link(c))
                 for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}
        out[ws.title] = {
            "cells": cells, "dimensions": ws.dimensions, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
            "widths": {k: (d.width, d.min, d.max) for k, d in ws.column_dimensions.items()},
            "setup": (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.fitToWidth,
                      ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage
                      if ws.sheet_properties.pageSetUpPr else None),
            "protection": repr(ws.protection), "names": sorted(ws.defined_names)}
    return out


def same(new: bytes, old: bytes) -> None:
    a, b = read(new), read(old)
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], dict) and "cells" in a[key]:
            assert a[key]["cells"] == b[key]["cells"], key
        assert a[key] == b[key], key
    assert zipfile.ZipFile(io.BytesIO(new)).testzip() is None


def finding(code="value-out-of-range", severity="error", message="Giá trị ngoài khoảng", **kw) -> Finding:
    return Finding(code=code, severity=severity, message=message, **kw)  # type: ignore[arg-type]


def submission(code: str, name: str, path: str, status="errors", total=Decimal("12.5"), errors=1, warnings=1):
    return LedgerSubmission(unit_code=code, unit_name=name, sha256="0" * 64, original_path=path,
                            received_at="2026-11-30T12:33:45+00:00", stored_path=Path("x"), status=status,
                            total_self=total, errors=errors, warnings=warnings)


def hostile_findings() -> list[Finding]:
    out = [finding(message=t, sheet=t[:20] or None, cell="B7", item=t[:10] or None) for t in HOSTILE]
    out += [finding(severity="warning", message="cảnh báo " + t) for t in HOSTILE[:3]]
    out += [finding(severity="info", message="ghi chú " + t, item="1.1") for t in HOSTILE[3:6]]
    out.append(finding(message="dài " + "Ứng dụng CNTT; " * 3000 + "😀" * 20000))  # past 32,767 UTF-16 units
    return out


@pytest.mark.parametrize("name", HOSTILE)
def test_feedback_with_hostile_texts_reads_as_xlsxwriter_wrote_it(campaign, name):
    path = f"inbox/{name} & <sub>/tệp #1 {name}.xlsx"
    args = (campaign, "X01" + name[:3], name, path, "2026-11-30T12:33:45+00:00", "errors", "12,5", hostile_findings())
    same(fast.feedback_workbook(*args), slow.feedback_workbook(*args))
    ok = (campaign, "X02", name, path, "2026-11-30T12:33:45+00:00", "ok", None,
          [finding(severity="warning", message=name)])
    same(fast.feedback_workbook(*ok), slow.feedback_workbook(*ok))


def test_feedback_with_explanations_reads_as_xlsxwriter_wrote_it(campaign):
    explanations = (ExplanationLine(path="inbox/giai-trinh/X01 <&> 'gt'.xlsx", unit_code="X01", unit_name=HOSTILE[0],
                                    state="errors", items=3, findings=tuple(hostile_findings()[:6])),
                    ExplanationLine(path="inbox/X01 ok.xlsx", unit_code="X01", unit_name="A", state="ok", items=1))
    args = (campaign, "X01", HOSTILE[1], "inbox/a.xlsx", "2026-11-30T12:33:45", "ok", "99,25", [], explanations)
    same(fast.feedback_workbook(*args), slow.feedback_workbook(*args))


def test_findings_workbook_with_hostile_texts_reads_as_xlsxwriter_wrote_it(campaign):
    lines = [UnitLine(submission(f"X{i:02d}", name, f"inbox/{_printable(name)}/đơn vị #{i} 100% {_printable(name)}.xlsx"
                                 if i % 3 else f"inbox/{_printable(name)}.xlsx"), hostile_findings() if i % 2 else [])
             for i, name in enumerate(HOSTILE)]
    lines.append(UnitLine(submission("XL", "dài", "inbox/" + "d" * 2100 + ".xlsx"), [finding()]))  # link too long
    lines.append(UnitLine(submission("XA", "neo", "inbox/a#" + "b" * 2100), [finding()]))  # anchor too long
    result = IntakeResult(missing=["X98", HOSTILE[0]])
    explanations = [ExplanationLine(path=f"inbox/gt {_printable(t)}.xlsx", unit_code=None, unit_name=None, state="not-recorded",
                                    items=0, findings=tuple(hostile_findings()[:2])) for t in HOSTILE[:4]]
    same(fast.findings_workbook(campaign, result, lines, explanations),
         slow.findings_workbook(campaign, result, lines, explanations))
    same(fast.findings_workbook(campaign, IntakeResult(), []), slow.findings_workbook(campaign, IntakeResult(), []))


def _printable(text: str) -> str:
    """``text`` without the characters XML cannot hold (XlsxWriter wrote them raw into a link: a broken file)."""
    return "".join(ch for ch in text if ch >= " " and ch not in "\ufffe\uffff")


def test_a_control_character_in_a_link_is_percent_encoded(campaign):
    lines = [UnitLine(submission("X01", "A", "inbox/a\x01b\ufffe.xlsx"), [finding()])]
    wb = openpyxl.load_workbook(io.BytesIO(fast.findings_workbook(campaign, IntakeResult(), lines)))
    assert wb["Tổng hợp"]["C4"].value == "inbox/a_x0001_b_xFFFE_.xlsx"  # Excel's escapes, as XlsxWriter writes
    assert wb["Tổng hợp"]["C4"].hyperlink.target == "..\\inbox\\a%01b%EF%BF%BE.xlsx"
    assert wb["Các lỗi"]["I2"].hyperlink.target == "..\\inbox\\a%01b%EF%BF%BE.xlsx"


def test_a_text_shaped_like_rich_text_is_kept_as_text(campaign):
    text = "<r><t>in đậm</t></r>"  # XlsxWriter wrote such a string raw, as rich text
    data = fast.feedback_workbook(campaign, "X01", text, "inbox/a.xlsx", "2026-11-30T12:33", "errors", None,
                                  [finding(message=text)])
    ws = openpyxl.load_workbook(io.BytesIO(data))["Phản hồi"]
    assert ws["A2"].value == f"Đơn vị: {text} (mã X01)"
    assert ws["E8"].value == text


def test_si_text_escapes_like_the_xml_standard_needs():
    assert si_text("a&b<c>d\"e'") == "a&amp;b&lt;c&gt;d\"e'"
    assert si_text("\x01_x0041_") == "_x0001__x005F_x0041_"
    assert si_text("Xã Hòa") == "Xã Hòa"


@pytest.fixture
def checked(tmp_path):
    """A campaign checked end to end: a good file, one with an error, a broken one, an encrypted one."""
    units = UNITS_CSV + "X04,Xã Hiến Thành & <Co>,Xã\nX05,Xã Minh Tân,Xã\n"
    c = make_campaign(tmp_path / "dot", units_csv=units)
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    (c.inbox_dir / "X01 - Phường An Lưu.xlsx").write_bytes(filled(c, c.unit("X01")))
    (c.inbox_dir / "X04 - Xã Hiến Thành.xlsx").write_bytes(filled(c, c.unit("X04"), evidence={}))
    good = filled(c, c.unit("X02"))
    (c.inbox_dir / "X02 - Xã Lê Ninh.xlsx").write_bytes(good[: len(good) // 2])
    (c.inbox_dir / "X03 - Phường Hiệp An.xlsx").write_bytes(encrypted_workbook())
    out = CliRunner().invoke(main, ["check", str(c.root)])
    assert out.exit_code == 1, out.output
    return c


def test_check_outputs_read_as_xlsxwriter_wrote_them(checked):
    c = checked
    result = run_intake(c)
    lines = unit_lines(c, result)
    explanations = record_explanations(c, result.others).plain(c)
    written = (c.output_dir / fast.FINDINGS_FILE).read_bytes()
    same(written, slow.findings_workbook(c, result, lines, explanations))
    feedback = sorted((c.output_dir / fast.FEEDBACK_DIR).iterdir())
    assert [p.name for p in feedback] == [fast.feedback_name(code, name) for code, name in (
        ("X01", "Phường An Lưu"), ("X02", "Xã Lê Ninh"), ("X03", "Phường Hiệp An"), ("X04", "Xã Hiến Thành & <Co>"))]
    by_code = {line.submission.unit_code: line for line in lines}
    for code in ("X01", "X04"):
        s = by_code[code].submission
        args = (c, code, s.unit_name, s.original_path, s.received_at, s.status,
                fast.vi_number(s.total_self, c.framework.decimals), by_code[code].findings)
        new = (c.output_dir / fast.FEEDBACK_DIR / fast.feedback_name(code, s.unit_name)).read_bytes()
        same(new, slow.feedback_workbook(*args))


def test_libreoffice_reads_the_check_outputs_as_written(checked, tmp_path, soffice):
    c = checked
    paths = [c.output_dir / fast.FINDINGS_FILE, *sorted((c.output_dir / fast.FEEDBACK_DIR).iterdir())[:2]]
    copies = []
    for i, p in enumerate(paths):
        copies.append(tmp_path / f"in{i}.xlsx")
        copies[-1].write_bytes(p.read_bytes())
    saved = recalculate(copies, tmp_path / "lo", soffice=soffice)
    for ours, theirs in zip(copies, saved):
        a = openpyxl.load_workbook(ours)
        b = openpyxl.load_workbook(theirs)
        assert a.sheetnames == b.sheetnames
        for ws in a.worksheets:
            mine = {(c_.coordinate): c_.value for row in ws.iter_rows() for c_ in row if c_.value not in (None, "")}
            lo = {(c_.coordinate): c_.value for row in b[ws.title].iter_rows() for c_ in row if c_.value not in (None, "")}
            assert mine == lo, ws.title


def _parts(path: Path) -> dict:
    """Every part of a workbook but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}


def test_findings_workbook_built_in_a_forked_process_is_the_one_built_here(checked, monkeypatch):
    import os
    c = checked
    target = c.output_dir / fast.FINDINGS_FILE
    here = _parts(target)
    parent = os.getpid()
    built_in = []
    real = fast.findings_workbook

    def spy(*args):
        built_in.append(os.getpid())
        return real(*args)

    monkeypatch.setattr(fast, "FORK_FROM", 0)
    monkeypatch.setattr(fast, "findings_workbook", spy)
    target.unlink()
    assert CliRunner().invoke(main, ["check", str(c.root)]).exit_code == 1
    assert _parts(target) == here
    assert built_in == []  # the child's call is not seen here: it was built in the child
    before = target.stat()
    assert CliRunner().invoke(main, ["check", str(c.root)]).exit_code == 1  # nothing new: not written again
    assert (target.stat().st_ino, target.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    def failing(*args):  # fails in the child only: this process builds it again
        if os.getpid() != parent:
            raise RuntimeError("child")
        built_in.append(os.getpid())
        return real(*args)

    monkeypatch.setattr(fast, "findings_workbook", failing)
    target.unlink()
    assert CliRunner().invoke(main, ["check", str(c.root)]).exit_code == 1
    assert _parts(target) == here and built_in == [parent]


def test_a_received_file_named_with_hash_or_percent_is_linked_to_itself(campaign):
    """A file name holding «#», «%», «%20» or spaces links to that very file. Oracle: the link's target as
    openpyxl reads it, percent-decoded (as Excel decodes a relationship target), is the file's path relative
    to output/, with no place inside it."""
    from urllib.parse import unquote

    names = ["inbox/KM01 #1 %20 <a> & b.xlsx", "inbox/xã #2/100% [bản] {cuối}.xlsx", "inbox/plain.xlsx"]
    lines = [UnitLine(submission(f"X{i:02d}", "Xã", name), [finding()]) for i, name in enumerate(names, 1)]
    wb = openpyxl.load_workbook(io.BytesIO(fast.findings_workbook(campaign, IntakeResult(), lines)))
    links = {c.value: c.hyperlink for row in wb["Tổng hợp"].iter_rows() for c in row if c.hyperlink}
    for name in names:
        assert unquote(links[name].target) == "..\\" + name.replace("/", "\\")
        assert links[name].location is None
