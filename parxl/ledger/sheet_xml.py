"""The check outputs' workbooks written fast: XlsxWriter builds the package once (styles, theme, sheet
settings, defined names), and the cells are rendered here straight into sheet XML and shared strings.

A ``Book`` has the subset of XlsxWriter's worksheet API the check outputs use (``write_string``,
``write_number``, ``write_blank``, ``write_url``, ``set_column``, ``autofilter``, ``freeze_panes``,
``set_paper``, ``set_landscape``, ``fit_to_pages``), with cells written in row order (columns rising
within a row) and formats given as the XlsxWriter style indices of ``formats()``. ``Book.close()``
replays the sheet settings on an XlsxWriter workbook without cells (kept for the next book with the
same settings: every unit's feedback workbook shares one), then puts each sheet's cells, its hyperlinks
(with their relationships) and the shared strings in; the other members are deflated once
(``workbook.stamping.Package``). What a reader sees is what XlsxWriter would have written: same values,
styles, widths, links (XlsxWriter's own ``Url`` makes the targets), filters, panes and page setup; the
same limits too (strings cut at 32,767 UTF-16 units, a link longer than 2,079 characters or past the
65,530th of a sheet left out with its cell). Text is always escaped as XML (XlsxWriter writes a string
of the form «<r>…</r>» raw), and a control character in a link is percent-encoded (XlsxWriter wrote it
raw: a file no reader opens).
"""
from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache
from types import SimpleNamespace

import xlsxwriter
from xlsxwriter.url import Url
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from ..workbook.stamping import Package
from ..workbook.styles import TEXT

SST = "xl/sharedStrings.xml"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SST_OPEN = _XML_HEAD + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{}" uniqueCount="{}">'
_RELS_OPEN = _XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_STR_MAX = 32767  # UTF-16 units in a cell (Excel's limit, XlsxWriter cuts there)
_URL_MAX = 2079  # characters of a link or of its anchor (longer: XlsxWriter leaves the link and its cell out)
_LINKS_MAX = 65530  # links per sheet (past it: the same)

_ESCAPED = re.compile(r"_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]")  # one character class: a fast scan
_PRESERVE = re.compile(r"^\s|\s$")
_COLUMNS = [xl_col_to_name(c) for c in range(64)]


def si_text(text: str) -> str:
    """``text`` as the body of a shared string: XlsxWriter's _xHHHH_ escapes (literal ones, control
    characters, U+FFFE/U+FFFF), then XML-escaped (& < >)."""
    if not _SPECIAL.search(text) and "_x" not in text:
        return text
    text = _ESCAPED.sub(r"_x005F\g<0>", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attribute(text: str) -> str:
    """``text`` escaped for an XML attribute the way XlsxWriter does (& " < > and newlines)."""
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "&#xA;"))


def _utf16_cut(text: str) -> str:
    """``text`` cut to Excel's 32,767 UTF-16 units (never inside a character above U+FFFF)."""
    if len(text) <= _STR_MAX // 2 or len(text.encode("utf-16-le")) // 2 <= _STR_MAX:
        return text
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > _STR_MAX:
            return text[:i]
    return text


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def _percent(text: str) -> str:
    """Characters XML cannot hold at all (control characters, U+FFFE/U+FFFF) percent-encoded."""
    return _NOT_XML.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), text)


@lru_cache(maxsize=4096)
def _url(link: str) -> tuple[str, str] | None:
    """(relationship target, anchor) of ``link`` (an «external:» path) as XlsxWriter's ``Url`` makes them,
    with what XML cannot hold percent-encoded; None when Excel's limit leaves the link out."""
    target, _, anchor = link.partition("#")
    if _utf16_len(target) > _URL_MAX or _utf16_len(anchor) > _URL_MAX:
        return None
    url = Url(link)
    return _percent(url._target()), _percent(url._anchor or "")


class Strings:
    """The workbook's shared strings: each text once, numbered in order of first use (as XlsxWriter)."""

    __slots__ = ("index", "count")

    def __init__(self):
        self.index: dict[str, int] = {}
        self.count = 0

    def xml(self) -> bytes:
        """The ``xl/sharedStrings.xml`` part (UTF-8)."""
        body = "".join(f'<si><t xml:space="preserve">{t}</t></si>' if _PRESERVE.search(t) else f"<si><t>{t}</t></si>"
                       for t in map(si_text, self.index))  # spaces at either end kept, as XlsxWriter does
        return (_SST_OPEN.format(self.count, len(self.index)) + body + "</sst>").encode("utf-8")


class Sheet:
    """One worksheet's cells as sheet XML, written in row order; its settings kept to replay on XlsxWriter."""

    def __init__(self, name: str, strings: Strings):
        self.name = name
        self.settings: list[tuple] = []
        self._strings = strings
        self._parts: list[str] = []
        self._row = -1
        self._col = -1
        self._rows: tuple[int, int] | None = None
        self._cols = [1 << 30, -1]
        self.links: list[tuple[str, tuple[str, str]]] = []

    # Sheet settings: replayed as they are on the XlsxWriter sheet of the package.
    def set_column(self, first: int, last: int, width: float) -> None:
        """Columns ``first``..``last`` (0-based) ``width`` characters wide."""
        self.settings.append(("set_column", first, last, width))

    def autofilter(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """An autofilter over the range (0-based, inclusive)."""
        self.settings.append(("autofilter", first_row, first_col, last_row, last_col))

    def freeze_panes(self, row: int, col: int) -> None:
        """Rows above ``row`` and columns left of ``col`` frozen."""
        self.settings.append(("freeze_panes", row, col))

    def set_paper(self, paper: int) -> None:
        """Paper size (Excel's code: 9 is A4)."""
        self.settings.append(("set_paper", paper))

    def set_landscape(self) -> None:
        """Landscape printing."""
        self.settings.append(("set_landscape",))

    def fit_to_pages(self, width: int, height: int) -> None:
        """Print ``width`` pages wide, ``height`` tall (0: as many as needed)."""
        self.settings.append(("fit_to_pages", width, height))

    # Cells.
    def _ref(self, row: int, col: int) -> str:
        if row != self._row:
            if row < self._row:
                raise ValueError(f"row {row} written after row {self._row}")
            if self._row >= 0:
                self._parts.append("</row>")
            self._parts.append(f'<row r="{row + 1}">')
            self._row, self._col = row, -1
            self._rows = (row if self._rows is None else self._rows[0], row)
        elif col <= self._col:
            raise ValueError(f"column {col} written after column {self._col} in row {row}")
        self._col = col
        cols = self._cols
        if col < cols[0]:
            cols[0] = col
        if col > cols[1]:
            cols[1] = col
        return f"{_COLUMNS[col]}{row + 1}"

    def write_string(self, row: int, col: int, text: str, style: int) -> None:
        """A text cell (0-based ``row``, ``col``) with the style index ``style``."""
        if len(text) > _STR_MAX // 2:
            text = _utf16_cut(text)
        strings = self._strings
        i = strings.index.get(text)
        if i is None:
            i = strings.index[text] = len(strings.index)
        strings.count += 1
        self._parts.append(f'<c r="{self._ref(row, col)}" s="{style}" t="s"><v>{i}</v></c>')

    def write_number(self, row: int, col: int, number: float, style: int) -> None:
        """A number cell."""
        self._parts.append(f'<c r="{self._ref(row, col)}" s="{style}"><v>{number:.16G}</v></c>')

    def write_blank(self, row: int, col: int, _value, style: int) -> None:
        """An empty cell with a style (XlsxWriter's signature: the value is ignored)."""
        self._parts.append(f'<c r="{self._ref(row, col)}" s="{style}"/>')

    def write_url(self, row: int, col: int, link: str, style: int, string: str) -> None:
        """A text cell ``string`` linking to ``link`` (XlsxWriter's «external:» form); left out, with its
        cell, when Excel's limits would make XlsxWriter leave it out."""
        url = _url(link)
        if url is None or len(self.links) >= _LINKS_MAX:
            return
        self.write_string(row, col, string, style)
        self.links.append((f"{_COLUMNS[col]}{row + 1}", url))

    def dimension(self) -> str:
        """The used range, as XlsxWriter writes it (the first cell when empty)."""
        if self._rows is None:
            return xl_rowcol_to_cell(0, 0)  # XlsxWriter's dimension of an empty sheet
        (r0, r1), (c0, c1) = self._rows, self._cols
        first = f"{_COLUMNS[c0]}{r0 + 1}"
        return first if (r0, c0) == (r1, c1) else f"{first}:{_COLUMNS[c1]}{r1 + 1}"

    def data(self) -> str:
        """The ``<sheetData>`` element."""
        if self._row < 0:
            return "<sheetData/>"
        return "<sheetData>" + "".join(self._parts) + "</row></sheetData>"

    def hyperlinks(self) -> tuple[str, bytes | None]:
        """The ``<hyperlinks>`` element ("" without links) and the sheet's relationships part (None)."""
        return hyperlinks_xml(self.links)


def hyperlinks_xml(links: list[tuple[str, tuple[str, str]]]) -> tuple[str, bytes | None]:
    """A sheet's ``<hyperlinks>`` element and its relationships part (UTF-8 bytes) for ``links`` ((cell
    reference, (target URL, anchor or "")), the relationship ids rId1… in order); ("", None) without links."""
    if not links:
        return "", None
    elems, rels = [], []
    for n, (ref, (target, anchor)) in enumerate(links, start=1):
        extra = f' location="{attribute(anchor)}"' if anchor else ""
        elems.append(f'<hyperlink ref="{ref}" r:id="rId{n}"{extra}/>')
        rels.append(f'<Relationship Id="rId{n}" Type="{_HYPERLINK}" Target="{attribute(target)}" '
                    'TargetMode="External"/>')
    return ("<hyperlinks>" + "".join(elems) + "</hyperlinks>",
            (_RELS_OPEN + "".join(rels) + "</Relationships>").encode("utf-8"))


def _register(wb) -> SimpleNamespace:
    """The check outputs' XlsxWriter formats (Times New Roman) on ``wb``, by name."""
    base = TEXT
    return SimpleNamespace(
        title=wb.add_format({**base, "bold": True, "font_size": 14}),
        text=wb.add_format({**base, "text_wrap": True, "border": 1}),
        plain=wb.add_format(base),
        head=wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}),
        num=wb.add_format({**base, "border": 1, "num_format": "#,##0.00"}),
        link=wb.add_format({**base, "border": 1, "font_color": "#0563C1", "underline": 1, "text_wrap": True}),
        sev={"error": wb.add_format({**base, "border": 1, "bg_color": "#F8CBAD"}),
             "warning": wb.add_format({**base, "border": 1, "bg_color": "#FFE699"}),
             "info": wb.add_format({**base, "border": 1, "bg_color": "#DDEBF7"})})


def _in_order(f: SimpleNamespace) -> list:
    return [f.title, f.text, f.plain, f.head, f.num, f.link, f.sev["error"], f.sev["warning"], f.sev["info"]]


class _Skeleton:
    """An XlsxWriter package with the sheets' settings and every format, cells left out: the fixed members,
    and per sheet its XML cut where the dimension, the cells and the hyperlinks go."""

    def __init__(self, key: tuple):
        out = io.BytesIO()
        wb = xlsxwriter.Workbook(out, {"in_memory": True})
        f = _register(wb)
        sheets = [wb.add_worksheet(name) for name, _ in key]
        for (_, settings), ws in zip(key, sheets):
            for method, *args in settings:
                getattr(ws, method)(*args)
        for c, fmt in enumerate(_in_order(f)):  # every format used once, so each has its style index, and
            sheets[0].write_string(0, c, "x", fmt)  # a text, so the package declares its shared strings
        wb.close()
        self.styles = [fmt.xf_index for fmt in _in_order(f)]
        with zipfile.ZipFile(out) as z:
            parts = {i.filename: z.read(i) for i in z.infolist()}
        parts.pop(SST, None)
        self.sheets = []
        for n in range(1, len(key) + 1):
            xml = parts.pop(f"xl/worksheets/sheet{n}.xml").decode("utf-8")
            dim = re.search(r'<dimension ref="[^"]*"/>', xml)
            data = re.search(r"<sheetData/>|<sheetData>.*</sheetData>", xml, re.S)
            tail = xml[data.end():]  # type: ignore[union-attr]
            at = next((tail.find(t) for t in ("<printOptions", "<pageMargins", "</worksheet>") if t in tail))
            self.sheets.append((xml[:dim.start()], xml[dim.end():data.start()], tail[:at], tail[at:]))  # type: ignore[union-attr]
        self.package = Package(parts)


@lru_cache(maxsize=8)
def _skeleton(key: tuple) -> _Skeleton:
    return _Skeleton(key)


@lru_cache(maxsize=1)
def formats() -> SimpleNamespace:
    """The style index of each of the check outputs' formats: ``title``, ``text``, ``plain``, ``head``,
    ``num``, ``link`` (ints), ``sev`` (severity -> int) and ``all`` (the list of them)."""
    s = _skeleton((("Sheet1", ()),)).styles
    return SimpleNamespace(title=s[0], text=s[1], plain=s[2], head=s[3], num=s[4], link=s[5],
                           sev={"error": s[6], "warning": s[7], "info": s[8]}, all=s)


class Book:
    """A workbook of ``Sheet``s; ``close()`` gives its .xlsx bytes."""

    def __init__(self):
        self.strings = Strings()
        self.sheets: list[Sheet] = []

    def add_worksheet(self, name: str) -> Sheet:
        """A new sheet named ``name`` (as XlsxWriter: at most 31 characters, none of []:*?/\\)."""
        sheet = Sheet(name, self.strings)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> bytes:
        """The .xlsx bytes. Raises ValueError when the formats' style indices would not match (a bug)."""
        skeleton = _skeleton(tuple((s.name, tuple(s.settings)) for s in self.sheets))
        if skeleton.styles != formats().all:
            raise ValueError("style indices differ between skeletons")
        own: list[tuple[str, bytes]] = []
        for n, (sheet, (head, views, before_links, after_links)) in enumerate(zip(self.sheets, skeleton.sheets), 1):
            links, rels = sheet.hyperlinks()
            xml = (f'{head}<dimension ref="{sheet.dimension()}"/>{views}{sheet.data()}'
                   f"{before_links}{links}{after_links}")
            own.append((f"xl/worksheets/sheet{n}.xml", xml.encode("utf-8")))
            if rels is not None:
                own.append((f"xl/worksheets/_rels/sheet{n}.xml.rels", rels))
        own.append((SST, self.strings.xml()))
        return skeleton.package.assemble(own)
