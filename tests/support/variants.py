"""Returned-file variations for the reader corpus (issue 11): zip/XML rewrites, reference readers, UNO jobs.

Every transformation takes the bytes of an xlsx and returns the bytes of the
same workbook as another program would have written it: the *meaning* of
every cell is unchanged (same value at the same place), only the encoding
differs. They work on any workbook parxl generates (XlsxWriter output: shared
strings, a default SpreadsheetML namespace, ``r`` on every row and cell).

``reference_cells(data, reader, sheet, rows, cols)`` reads cached values with
an independent reader ("openpyxl" or "calamine"), as ``{(row, col): value}``
with numbers as ``Decimal`` and empty cells left out, to be compared with
parxl's ``Submission.assess``.

``uno_corpus_jobs(jobs, soffice)`` fills workbooks in LibreOffice and saves
them with a given export filter, optionally copying the self-assessment sheet
alone into a new workbook first (what "Move or Copy… › (new book)" gives).
"""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl.utils import column_index_from_string

from support.libreoffice import find_soffice, make_profile, run_uno_jobs
from support.tamper import zip_bytes

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT = {  # transitional -> strict (ECMA-376 Part 1, §A.1 / ISO/IEC 29500-1 Strict namespaces)
    MAIN_NS: "http://purl.oclc.org/ooxml/spreadsheetml/main",
    REL_NS: "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties":
        "http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
}
SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_CELL = re.compile(r"<c(?=[\s/>])([^>]*?)(/>|>(.*?)</c>)", re.S)
_ROW = re.compile(r"<row(?=[\s/>])([^>]*?)(/>|>(.*?)</row>)", re.S)
_SI = re.compile(r"<si>(.*?)</si>", re.S)
_R_ATTR = re.compile(r'\sr="([A-Z]*)([0-9]+)"')


# Zip plumbing ---------------------------------------------------------------
def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def pack(parts: Mapping[str, bytes]) -> bytes:
    return zip_bytes(dict(parts))


def rewrite(data: bytes, fn: Callable[[str, str], str | None]) -> bytes:
    """Apply ``fn(part name, xml text)`` to every XML part (``.xml``/``.rels``); None keeps the part."""
    parts = members(data)
    for name, body in parts.items():
        if name.endswith((".xml", ".rels")):
            new = fn(name, body.decode("utf-8"))
            if new is not None:
                parts[name] = new.encode("utf-8")
    return pack(parts)


def shared_strings(data: bytes) -> list[str]:
    """The inner XML of every ``<si>`` of xl/sharedStrings.xml, in order."""
    return _SI.findall(members(data)["xl/sharedStrings.xml"].decode("utf-8"))


def _si_plain(inner: str) -> str | None:
    """The escaped text of a plain ``<si><t>…</t></si>`` (None for a rich or empty one)."""
    m = re.fullmatch(r'<t(?: xml:space="preserve")?>([^<]*)</t>', inner)
    return m.group(1) if m else None


# The transformations ------------------------------------------------------
def prefixed_spreadsheetml(data: bytes, prefix: str = "x") -> bytes:
    """Every SpreadsheetML element written with a prefix (``<x:worksheet xmlns:x=…>``), as .NET exporters do."""
    tag = re.compile(r"<(/?)([A-Za-z_][\w.-]*)(?=[\s/>])")

    def fn(name: str, xml: str) -> str | None:
        if f'xmlns="{MAIN_NS}"' not in xml:
            return None
        xml = xml.replace(f'xmlns="{MAIN_NS}"', f'xmlns:{prefix}="{MAIN_NS}"')
        return tag.sub(lambda m: f"<{m.group(1)}{prefix}:{m.group(2)}", xml)
    return rewrite(data, fn)


def prefixed_relationships(data: bytes) -> bytes:
    """Relationship parts written with a prefix (``<ns0:Relationship>``), as ElementTree-based tools do."""
    tag = re.compile(r"<(/?)(Relationships?)(?=[\s/>])")

    def fn(name: str, xml: str) -> str | None:
        if not name.endswith(".rels"):
            return None
        xml = xml.replace(f'xmlns="{PKG_REL_NS}"', f'xmlns:ns0="{PKG_REL_NS}"')
        return tag.sub(lambda m: f"<{m.group(1)}ns0:{m.group(2)}", xml)
    return rewrite(data, fn)


def strict_open_xml(data: bytes) -> bytes:
    """Excel's "Strict Open XML Spreadsheet" save: purl.oclc.org namespaces, ``conformance="strict"``."""
    def fn(name: str, xml: str) -> str | None:
        new = xml
        for old, strict in STRICT.items():
            new = new.replace(old, strict)  # namespaces and relationship types (…/relationships/worksheet)
        if name == "xl/workbook.xml":
            new = re.sub(r"<workbook(?=[\s>])", '<workbook conformance="strict"', new, count=1)
        return new
    return rewrite(data, fn)


def absolute_targets(data: bytes) -> bytes:
    """Relationship targets as absolute part names (``Target="/xl/worksheets/sheet1.xml"``)."""
    def fn(name: str, xml: str) -> str | None:
        if not name.endswith(".rels"):
            return None
        folder = name.rsplit("_rels/", 1)[0]  # "xl/" for xl/_rels/workbook.xml.rels, "" for _rels/.rels

        def rel(m: re.Match) -> str:
            if 'TargetMode="External"' in m.group(0):
                return m.group(0)
            return re.sub(r'(\bTarget=)"([^"/][^"]*)"', lambda t: f'{t.group(1)}"/{_join(folder, t.group(2))}"',
                          m.group(0))
        return re.sub(r"<Relationship\b[^>]*/>", rel, xml)
    return rewrite(data, fn)


def _join(folder: str, target: str) -> str:
    parts: list[str] = [p for p in folder.split("/") if p]
    for p in target.split("/"):
        if p == "..":
            parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    return "/".join(parts)


def rich_text_runs(data: bytes) -> bytes:
    """Every shared string of 2+ characters split into two runs, the second one bold."""
    def si(m: re.Match) -> str:
        text = _si_plain(m.group(1))
        if text is None or len(text) < 2 or "&" in text:  # keep entity references whole
            return m.group(0)
        half = len(text) // 2
        return (f'<si><r><t xml:space="preserve">{text[:half]}</t></r><r><rPr><b/><sz val="11"/>'
                f'<color theme="1"/><rFont val="Calibri"/><family val="2"/></rPr>'
                f'<t xml:space="preserve">{text[half:]}</t></r></si>')
    return _edit_sst(data, si)


def phonetic_runs(data: bytes) -> bytes:
    """Every shared string followed by a phonetic hint (``<rPh>``) that is not part of the text."""
    def si(m: re.Match) -> str:
        text = _si_plain(m.group(1))
        if not text:
            return m.group(0)
        return (f'<si><t xml:space="preserve">{text}</t><rPh sb="0" eb="1"><t>ヨミガナ</t></rPh>'
                f'<phoneticPr fontId="1" type="noConversion"/></si>')
    return _edit_sst(data, si)


def _edit_sst(data: bytes, fn: Callable[[re.Match], str]) -> bytes:
    return rewrite(data, lambda name, xml: _SI.sub(fn, xml) if name == "xl/sharedStrings.xml" else None)


def inline_strings(data: bytes) -> bytes:
    """Every shared-string cell of every sheet written inline (``t="inlineStr"``), as openpyxl writes."""
    strings = shared_strings(data)

    def cell(m: re.Match) -> str:
        attrs, inner = m.group(1), m.group(3) or ""
        if ' t="s"' not in attrs:
            return m.group(0)
        v = re.search(r"<v>(\d+)</v>", inner)
        body = strings[int(v.group(1))]
        if not body.startswith("<t"):
            body = f"<t></t>{body}"
        attrs = attrs.replace(' t="s"', ' t="inlineStr"')
        return f"<c{attrs}><is>{body}</is></c>"
    return rewrite(data, lambda name, xml: _CELL.sub(cell, xml) if SHEET_PART.match(name) else None)


def no_cached_values(data: bytes) -> bytes:
    """Formulas without cached values (``<v>`` left out) and ``fullCalcOnLoad``, as Google Sheets/exporters do."""
    def cell(m: re.Match) -> str:
        inner = m.group(3) or ""
        if "<f" not in inner:
            return m.group(0)
        attrs = re.sub(r'\st="(?:n|str|b|e)"', "", m.group(1))
        return f"<c{attrs}>{re.sub(r'<v>[^<]*</v>|<v/>', '', inner)}</c>"

    def fn(name: str, xml: str) -> str | None:
        if SHEET_PART.match(name):
            return _CELL.sub(cell, xml)
        if name == "xl/workbook.xml":
            if "fullCalcOnLoad" in xml:  # XlsxWriter already asks for it
                return None
            if "<calcPr" in xml:
                return re.sub(r"<calcPr\b", '<calcPr fullCalcOnLoad="1"', xml, count=1)
            return xml.replace("</workbook>", '<calcPr fullCalcOnLoad="1"/></workbook>')
        return None
    return rewrite(data, fn)


def protection_removed(data: bytes) -> bytes:
    """Every ``<sheetProtection>`` deleted (the protection removed by another program)."""
    return rewrite(data, lambda name, xml: re.sub(r"<sheetProtection\b[^>]*/>", "", xml)
                   if SHEET_PART.match(name) else None)


def dimension_lies(data: bytes) -> bytes:
    """``<dimension ref="A1"/>`` on every (full) sheet, as WPS writes."""
    return rewrite(data, lambda name, xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1"/>', xml)
                   if SHEET_PART.match(name) else None)


def _dense_rows(xml: str) -> str:
    """Fill gaps with empty ``<row>``/``<c>`` elements, so that dropping ``r`` keeps every position."""
    def row_cells(body: str) -> str:
        out, col = [], 0
        for m in _CELL.finditer(body):
            ref = _R_ATTR.search(m.group(1))
            n = column_index_from_string(ref.group(1))
            out.extend("<c/>" for _ in range(n - col - 1))
            out.append(m.group(0))
            col = n
        return "".join(out)

    def sheet_data(m: re.Match) -> str:
        out, last = [], 0
        for row in _ROW.finditer(m.group(1)):
            n = int(re.search(r'\sr="([0-9]+)"', row.group(1)).group(1))
            out.extend("<row/>" for _ in range(n - last - 1))
            out.append(f"<row{row.group(1)}>{row_cells(row.group(3) or '')}</row>" if row.group(3) is not None
                       else row.group(0))
            last = n
        return f"<sheetData>{''.join(out)}</sheetData>"
    return re.sub(r"<sheetData>(.*?)</sheetData>", sheet_data, xml, flags=re.S)


def cells_without_r_after_first(data: bytes) -> bytes:
    """Only the first cell of each row keeps ``r`` (the issue's example): the others follow it."""
    def row(m: re.Match) -> str:
        if m.group(3) is None:
            return m.group(0)
        cells = [c.group(0) for c in _CELL.finditer(m.group(3))]
        cells[1:] = [_R_ATTR.sub("", c, count=1) for c in cells[1:]]
        return f"<row{m.group(1)}>{''.join(cells)}</row>"
    return rewrite(data, lambda name, xml: _ROW.sub(row, _dense_rows(xml)) if SHEET_PART.match(name) else None)


def cells_and_rows_without_r(data: bytes) -> bytes:
    """No ``r`` on any row or cell: each row follows the previous row, each cell the previous cell."""
    def fn(name: str, xml: str) -> str | None:
        if not SHEET_PART.match(name):
            return None
        xml = _dense_rows(xml)
        xml = re.sub(r'(<row)\sr="[0-9]+"', r"\1", xml)
        return re.sub(r'(<c)\sr="[A-Z]+[0-9]+"', r"\1", xml)
    return rewrite(data, fn)


def part_renamed(old: str, new: str) -> Callable[[bytes], bytes]:
    """The zip entry ``old`` stored as ``new`` (another case) while relationships and content types say ``old``."""
    def fn(data: bytes) -> bytes:
        parts = members(data)
        assert old in parts, old
        return pack({(new if name == old else name): body for name, body in parts.items()})
    fn.__doc__ = f"zip entry {old} stored as {new}"
    return fn


def cr_escaped(data: bytes) -> bytes:
    """A line break inside a shared string written as Excel does: ``_x000D_`` + line feed."""
    return _edit_sst(data, lambda m: m.group(0).replace("\n", "_x000D_\n"))


def cr_escaped_inline(data: bytes) -> bytes:
    """Strings inline, with the carriage return of a line break written as ``_x000D_``."""
    def text(m: re.Match) -> str:
        return m.group(1) + m.group(2).replace("\n", "_x000D_\n") + m.group(3)
    return rewrite(inline_strings(data), lambda name, xml: re.sub(r"(<t(?:\s[^>]*)?>)([^<]*)(</t>)", text, xml)
                   if SHEET_PART.match(name) else None)


def shared_strings_reordered(data: bytes) -> bytes:
    """The shared-string table in reverse order, every ``t="s"`` index renumbered (Excel reorders on save)."""
    strings = shared_strings(data)
    n = len(strings)

    def cell(m: re.Match) -> str:
        if ' t="s"' not in m.group(1):
            return m.group(0)
        return re.sub(r"<v>(\d+)</v>", lambda v: f"<v>{n - 1 - int(v.group(1))}</v>", m.group(0))

    def fn(name: str, xml: str) -> str | None:
        if SHEET_PART.match(name):
            return _CELL.sub(cell, xml)
        if name == "xl/sharedStrings.xml":
            head = xml[: xml.index("<si>")]
            return head + "".join(f"<si>{s}</si>" for s in reversed(strings)) + "</sst>"
        return None
    return rewrite(data, fn)


# Broken packages: each must give one finding on the file, never silence -----------------
def part_dropped(name: str) -> Callable[[bytes], bytes]:
    """The zip entry ``name`` left out while the relationships still reference it."""
    def fn(data: bytes) -> bytes:
        parts = members(data)
        assert name in parts, name
        del parts[name]
        return pack(parts)
    return fn


def part_replaced(name: str, body: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """The zip entry ``name`` with its bytes replaced by ``body(old bytes)`` (empty, cut in half…)."""
    def fn(data: bytes) -> bytes:
        parts = members(data)
        parts[name] = body(parts[name])
        return pack(parts)
    return fn


def shared_string_out_of_range(ref: str, sheet_part: str = "xl/worksheets/sheet2.xml") -> Callable[[bytes], bytes]:
    """Cell ``ref`` (a ``t="s"`` cell) pointing past the end of the shared-string table."""
    def fn(data: bytes) -> bytes:
        n = len(shared_strings(data))

        def edit(name: str, xml: str) -> str | None:
            if name != sheet_part:
                return None
            new, count = re.subn(rf'(<c r="{ref}"[^>]*t="s"[^>]*><v>)\d+(</v>)', rf"\g<1>{n + 100}\g<2>", xml)
            assert count == 1, ref
            return new
        return rewrite(data, edit)
    return fn


def duplicate_entry(name: str, other: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Two zip entries called ``name``: the original, then the one of ``other(data)`` (a different content)."""
    def fn(data: bytes) -> bytes:
        import warnings
        second = members(other(data))[name]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: that is the point
            for part, body in members(data).items():
                zf.writestr(part, body)
            zf.writestr(name, second)
        return out.getvalue()
    return fn


# Independent readers -------------------------------------------------------
def _number(value) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _normal(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return _number(value).normalize()
    return str(value)


def reference_cells(data: bytes, reader: str, sheet: str, rows: range, cols: Sequence[str]) -> dict:
    """Cached values of ``sheet`` read by ``reader`` ("openpyxl" or "calamine"): {(row, col): value}."""
    out = {}
    if reader == "openpyxl":
        import openpyxl
        ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)[sheet]
        for r in rows:
            for col in cols:
                value = _normal(ws[f"{col}{r}"].value)
                if value is not None:
                    out[(r, col)] = value
    elif reader == "calamine":
        from python_calamine import CalamineWorkbook
        with tempfile.NamedTemporaryFile(suffix=".bin") as fh:
            fh.write(data)
            fh.flush()
            book = CalamineWorkbook.from_path(fh.name)
            grid = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for r in rows:
            for col in cols:
                c = column_index_from_string(col) - 1
                value = _normal(grid[r - 1][c]) if r - 1 < len(grid) and c < len(grid[r - 1]) else None
                if value is not None:
                    out[(r, col)] = value
    else:
        raise ValueError(reader)
    return out


def parxl_cells(sheet_data, rows: range, cols: Sequence[str]) -> dict:
    """The same view of parxl's ``SheetData`` (cached values)."""
    out = {}
    for r in rows:
        for col in cols:
            cell = sheet_data.get(r, col)
            value = _normal(cell.value) if cell is not None else None
            if value is not None:
                out[(r, col)] = value
    return out


# LibreOffice ------------------------------------------------------------------
_CORPUS_JOBS = r'''
def run_jobs(desktop):
    for job in args["jobs"]:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["src"]), "_blank", 0, (prop("Hidden", True),))
        out = None
        try:
            for key, value in job["values"]:
                cell = doc.NamedRanges.getByName(key).getReferredCells().getCellByPosition(0, 0)
                if isinstance(value, str):
                    cell.setString(value)
                else:
                    cell.setValue(float(value))
            doc.calculateAll()
            target = doc
            if job.get("copy_sheet"):
                out = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
                blank = list(out.Sheets.ElementNames)
                out.Sheets.importSheet(doc, job["copy_sheet"], 0)
                for name in blank:
                    out.Sheets.removeByName(name)
                out.calculateAll()
                target = out
            target.storeToURL(uno.systemPathToFileUrl(job["dest"]),
                              (prop("FilterName", job["filter"]), prop("Overwrite", True)))
        finally:
            doc.close(True)
            if out is not None:
                out.close(True)

'''

XLSX_2007 = "Calc MS Excel 2007 XML"
XLSM_2007 = "Calc MS Excel 2007 VBA XML"
ODS = "calc8"


def uno_corpus_jobs(jobs: Sequence[dict], soffice: str | None = None, timeout: float = 300) -> list[Path]:
    """Fill and save workbooks in one LibreOffice start; returns the destinations.

    Each job: ``{"src", "dest", "filter", "values": {defined name: value}, "copy_sheet": name or None}``.
    Values are set into the cell a workbook defined name points at (numbers as
    numbers, text as text); with ``copy_sheet`` the filled sheet alone is
    copied into a new workbook, which is saved instead. Raises RuntimeError
    when LibreOffice fails or a destination is missing.
    """
    with tempfile.TemporaryDirectory(prefix="parxl-uno-corpus-") as tmp:
        payload = {
            "soffice": soffice or find_soffice(), "profile": make_profile(Path(tmp) / "profile"),
            "jobs": [{"src": str(Path(j["src"]).resolve()), "dest": str(Path(j["dest"]).resolve()),
                      "filter": j["filter"], "copy_sheet": j.get("copy_sheet"),
                      "values": [[k, float(v) if isinstance(v, Decimal) else v] for k, v in j["values"].items()]}
                     for j in jobs],
        }
        return run_uno_jobs(_CORPUS_JOBS, payload, Path(tmp), timeout, "corpus")

