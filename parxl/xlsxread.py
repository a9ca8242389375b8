"""A small, fast, safe xlsx reader: zip + streaming XML, formulas *and* cached values.

``XlsxFile(data)`` checks the container (``parxl.safety``) then reads the
workbook part: sheets (name, state, part) and defined names.
``read_sheets({name: SheetRequest})`` streams each requested sheet's XML,
keeps only the wanted columns, stops past ``max_row`` (a 2-million-row sheet
costs no more than the rows asked for), then resolves the shared strings it
needs and the sheet's hyperlinks. No judgement here: only what the file says.

XML parsing: relationship parts (tiny) go through ``defusedxml``; the
workbook part, sheets and shared strings go through the C parser after
``safety.check_xml_prolog`` has refused any DTD and any unusual encoding. A DTD
is the only place an entity can be declared, so neither entity expansion nor
external entities can happen, at the C parser's speed (defusedxml's
pure-Python parser took 2.7 ms for one workbook part with 500 defined names,
more than the rest of the read).
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError, fromstring, iterparse

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from . import safety
from .safety import HostileFile

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_R_ID = f"{{{REL_NS}}}id"
_R_ID_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")

WHOLE_PARSE_BYTES = 8 * 1024 * 1024  # sheet parts up to this size are parsed in one call

CellValue = str | Decimal | bool | None


@dataclass(frozen=True)
class Cell:
    value: CellValue          # cached value: Decimal, str, bool, or None when absent
    kind: str                 # "n", "s", "str", "inlineStr", "b", "e", "d" (xlsx's t attribute)
    formula: str | None = None  # without the leading "=", shared formulas expanded

    @property
    def is_error(self) -> bool:
        return self.kind == "e"


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # visible, hidden, veryHidden
    part: str | None  # zip path of the sheet XML


@dataclass(frozen=True)
class SheetRequest:
    max_row: int
    columns: frozenset[str] | None = None  # None: every column


@dataclass
class SheetData:
    name: str
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)  # (row, column letters)
    hyperlinks: dict[str, str] = field(default_factory=dict)  # "H6" -> URL (or "#Sheet!A1")
    validations: list[tuple[str, str]] = field(default_factory=list)  # (sqref, formula1)
    protected: bool = False
    last_row: int = 0
    stopped_after: int | None = None  # set when rows beyond max_row exist (not read)

    def get(self, row: int, col: str) -> Cell | None:
        return self.cells.get((row, col))


def split_ref(ref: str) -> tuple[str, int]:
    m = _REF.match(ref.upper())
    if not m:
        raise ValueError(ref)
    return m.group(1), int(m.group(2))


def col_number(col: str) -> int:
    n = 0
    for ch in col:
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _parse_rels(data: bytes, part: str):
    """A relationships part (always tiny) through defusedxml."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise HostileFile("file-xml-forbidden", f"phần «{part}»: {type(exc).__name__}") from exc
    except ParseError as exc:
        raise HostileFile("file-corrupt", f"phần «{part}» không phải XML hợp lệ ({exc})") from exc


def _parse_checked(data: bytes, part: str):
    """A part whose prolog ``safety.read_part`` has checked (no DTD), with the C parser."""
    try:
        return fromstring(data)
    except ParseError as exc:
        raise HostileFile("file-corrupt", f"phần «{part}» không phải XML hợp lệ ({exc})") from exc


class XlsxFile:
    """An opened, checked xlsx container."""

    def __init__(self, data: bytes):
        safety.check_size(len(data))
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise HostileFile("file-corrupt", "tệp nén không trọn vẹn") from exc
        safety.check_zip(self.zip)
        self._names = set(self.zip.namelist())
        self.workbook_part = self._office_document()
        self.sheets: list[SheetInfo] = []
        self.defined_names: dict[str, str] = {}
        self._read_workbook()

    # Workbook -------------------------------------------------------------
    def _part(self, name: str, limit: int = safety.MAX_PART_BYTES) -> bytes:
        try:
            return safety.read_part(self.zip, name, limit)
        except KeyError as exc:
            raise HostileFile("file-not-workbook", f"thiếu phần «{name}»") from exc
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:  # CRC, truncated data, bad method
            raise HostileFile("file-corrupt", f"phần «{name}» không giải nén được") from exc

    def _office_document(self) -> str:
        if "_rels/.rels" in self._names:
            for rel in _parse_rels(self._part("_rels/.rels"), "_rels/.rels"):
                if rel.get("Type", "").endswith("/officeDocument"):
                    return rel.get("Target", "").lstrip("/")
        if "xl/workbook.xml" in self._names:
            return "xl/workbook.xml"
        if "content.xml" in self._names or "mimetype" in self._names:
            raise HostileFile("file-not-workbook", "tệp OpenDocument")
        raise HostileFile("file-not-workbook", "tệp nén không chứa sổ làm việc Excel")

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (target resolved against the part, TargetMode) for a part's relationships."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self._names:
            return {}
        out = {}
        for rel in _parse_rels(self._part(rels_name), rels_name):
            target, mode = rel.get("Target", ""), rel.get("TargetMode", "")
            if mode != "External":
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id", "")] = (target, mode)
        return out

    def _read_workbook(self) -> None:
        root = _parse_checked(self._part(self.workbook_part), self.workbook_part)
        rels = self._rels(self.workbook_part)
        for el in root.iter():
            tag = _local(el.tag)
            if tag == "sheet":
                rid = el.get(_R_ID) or el.get(_R_ID_STRICT)
                target = rels.get(rid or "", (None, ""))[0]
                self.sheets.append(SheetInfo(el.get("name", ""), el.get("state", "visible"), target))
            elif tag == "definedName":
                name = el.get("name", "")
                if el.get("localSheetId") is None or name not in self.defined_names:
                    self.defined_names[name] = (el.text or "").strip()
        self._shared_part = next((t for t, _ in rels.values() if t.endswith("sharedStrings.xml")), None)

    def sheet(self, name: str) -> SheetInfo | None:
        return next((s for s in self.sheets if s.name == name), None)

    # Sheets ---------------------------------------------------------------
    def read_sheets(self, requests: dict[str, SheetRequest]) -> dict[str, SheetData]:
        """Stream the requested sheets (those that exist), then resolve their shared strings."""
        out: dict[str, SheetData] = {}
        pending: dict[int, list[tuple[SheetData, tuple[int, str], str | None]]] = {}
        for name, request in requests.items():
            info = self.sheet(name)
            if info is None or info.part is None or info.part not in self._names:
                continue
            out[name] = self._stream_sheet(info, request, pending)
        if pending:
            strings = self._shared_strings(set(pending))
            for index, places in pending.items():
                text = strings.get(index, "")
                for sheet, key, formula in places:
                    sheet.cells[key] = Cell(text, "s", formula)
        return out

    def _stream_sheet(self, info: SheetInfo, request: SheetRequest, pending) -> SheetData:
        data = SheetData(info.name)
        part = info.part or ""
        try:
            parser = _SheetParser(data, request, pending)
            size = self.zip.getinfo(part).file_size
            with self.zip.open(part) as fh:
                head = fh.read(4096)
                safety.check_xml_prolog(head, part)
                if size <= WHOLE_PARSE_BYTES:
                    parser.parse_whole(head + fh.read(WHOLE_PARSE_BYTES))
                else:
                    parser.stream(_Chain(head, fh))
        except HostileFile:
            raise
        except ParseError as exc:
            raise HostileFile("file-corrupt", f"trang «{info.name}» không phải XML hợp lệ ({exc})") from exc
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise HostileFile("file-corrupt", f"trang «{info.name}» không giải nén được") from exc
        if data.hyperlinks:
            rels = self._rels(part)
            data.hyperlinks = {ref: (rels.get(target[4:], ("", ""))[0] if target.startswith("rid:") else target)
                               for ref, target in data.hyperlinks.items()}
        return data

    def _shared_strings(self, wanted: set[int]) -> dict[int, str]:
        """The shared strings at the ``wanted`` indexes (parsed whole when small, else streamed)."""
        part = self._shared_part
        if not part or part not in self._names:
            return {}
        out: dict[int, str] = {}
        last = max(wanted)
        if self.zip.getinfo(part).file_size <= WHOLE_PARSE_BYTES:
            for i, si in enumerate(_parse_checked(self._part(part, WHOLE_PARSE_BYTES), part)):
                if i in wanted:
                    out[i] = _si_text(si)
                if i >= last:
                    break
            return out
        with self.zip.open(part) as fh:
            head = fh.read(4096)
            safety.check_xml_prolog(head, part)
            i = 0
            try:
                for _, el in iterparse(_Chain(head, fh), events=("end",)):
                    if _local(el.tag) == "si":
                        if i in wanted:
                            out[i] = _si_text(el)
                        el.clear()
                        i += 1
                        if i > last:
                            break
            except ParseError as exc:
                raise HostileFile("file-corrupt", f"phần «{part}» không phải XML hợp lệ ({exc})") from exc
        return out


def _si_text(si) -> str:
    """A shared string's text: plain or rich-text runs, without phonetic (rPh) hints."""
    parts = []
    for child in si:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(x.text or "" for x in child if _local(x.tag) == "t")
    return "".join(parts)


class _Chain(io.RawIOBase):
    """A read-only stream: ``head`` bytes, then the rest of ``fh``."""

    def __init__(self, head: bytes, fh):
        self._head, self._fh = head, fh

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n < 0 or n >= len(self._head):
                out, self._head = self._head, b""
                return out
            out, self._head = self._head[:n], self._head[n:]
            return out
        return self._fh.read(n)


class _SheetParser:
    """Turns a sheet's XML into ``SheetData`` cells, keeping rows up to ``max_row`` only.

    A sheet part up to ``WHOLE_PARSE_BYTES`` is parsed in one call of the C
    parser (fast); a larger one is streamed row by row and the stream is
    abandoned at the first row past ``max_row``, so a 2-million-row sheet
    costs what its first rows cost.
    """

    def __init__(self, data: SheetData, request: SheetRequest, pending):
        self.data, self.request, self.pending = data, request, pending
        self.shared: dict[str, tuple[str, int, int]] = {}  # si -> (formula, row, col number)
        self.ns = ""
        self.row_no = 0

    def parse_whole(self, xml: bytes) -> None:
        root = fromstring(xml)
        self.ns = root.tag[: -len("worksheet")] if root.tag.endswith("worksheet") else ""
        row_tag = self.ns + "row"
        for el in root:
            if el.tag == self.ns + "sheetData":
                for row in el:
                    if row.tag == row_tag and not self._row(row):
                        break
            else:
                self._other(el)

    def stream(self, stream) -> None:
        for _, el in iterparse(stream, events=("end",)):
            tag = el.tag
            if not self.ns and tag.endswith("}row"):
                self.ns = tag[:-3]
            if tag == self.ns + "row":
                if not self._row(el):
                    return
                el.clear()
            elif tag == self.ns + "sheetData":
                el.clear()
            elif _local(tag) in ("sheetProtection", "dataValidations", "hyperlinks"):
                self._other(el)

    def _other(self, el) -> None:
        tag = _local(el.tag)
        if tag == "sheetProtection":
            self.data.protected = el.get("sheet") in ("1", "true")
        elif tag == "dataValidations":
            for dv in el:
                f1 = next((c.text or "" for c in dv if _local(c.tag) == "formula1"), "")
                self.data.validations.append((dv.get("sqref", ""), f1))
        elif tag == "hyperlinks":
            for link in el:
                rid = link.get(_R_ID) or link.get(_R_ID_STRICT)
                target = f"rid:{rid}" if rid else "#" + link.get("location", "")
                for ref in link.get("ref", "").split():
                    self.data.hyperlinks.setdefault(ref.split(":")[0], target)

    def _row(self, row_el) -> bool:
        """Keep one row's wanted cells; False when the row is past ``max_row`` (stop reading)."""
        r = row_el.get("r")
        row_no = self.row_no = int(r) if r else self.row_no + 1
        if row_no > self.request.max_row:
            self.data.stopped_after = self.request.max_row
            return False
        columns, ns = self.request.columns, self.ns
        f_tag, v_tag, is_tag = ns + "f", ns + "v", ns + "is"
        col_no = 0
        for c in row_el:
            ref = c.get("r")
            if ref:
                col = ref.rstrip("0123456789")
                col_no = 0
            else:
                col_no = (col_no or 0) + 1
                col = col_letters(col_no)
            if not len(c):
                continue  # a formatted, empty cell
            formula_el = c.find(f_tag)
            formula = self._formula(formula_el, row_no, col) if formula_el is not None else None
            if columns is not None and col not in columns:
                continue
            kind = c.get("t", "n")
            value_el = c.find(v_tag)
            text = value_el.text if value_el is not None else None
            key = (row_no, col)
            if kind == "s" and text is not None:
                try:
                    self.pending.setdefault(int(text), []).append((self.data, key, formula))
                    self.data.last_row = row_no
                    continue
                except ValueError:
                    value: CellValue = None
            elif kind == "inlineStr":
                is_el = c.find(is_tag)
                value = "".join(t.text or "" for t in (is_el.iter() if is_el is not None else ())
                                if _local(t.tag) == "t")
            elif kind == "b":
                value = None if text is None else text.strip() in ("1", "true")
            elif kind in ("str", "e", "d"):
                value = text
            else:
                kind = "n"
                value = _decimal(text)
            if value is None and formula is None:
                continue
            self.data.last_row = row_no
            self.data.cells[key] = Cell(value, kind, formula)
        return True

    def _formula(self, f, row: int, col: str) -> str | None:
        text = f.text
        if f.get("t") == "shared":
            si = f.get("si", "")
            if text:
                self.shared[si] = (text, row, col_number(col))
            elif si in self.shared:
                base, brow, bcol = self.shared[si]
                return shift_formula(base, row - brow, col_number(col) - bcol)
            else:
                return None
        return text


def _decimal(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


_STRING_OR_SHEET = re.compile(r'("(?:[^"]|"")*"|\'(?:[^\']|\'\')*\')')
_CELL_REF = re.compile(r"(?<![A-Za-z0-9_.$])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![0-9A-Za-z_(])")


def shift_formula(formula: str, drow: int, dcol: int) -> str:
    """A shared formula as written in a cell ``drow`` rows and ``dcol`` columns from its master."""
    def shift(m: re.Match) -> str:
        c_abs, col, r_abs, row = m.groups()
        new_col = col if c_abs else col_letters(col_number(col) + dcol)
        new_row = row if r_abs else str(int(row) + drow)
        return f"{c_abs}{new_col}{r_abs}{new_row}"

    parts = _STRING_OR_SHEET.split(formula)
    return "".join(p if i % 2 else _CELL_REF.sub(shift, p) for i, p in enumerate(parts))
