"""Sheet-level pieces of the xlsx reader: cell types and the streaming sheet parser.

``SheetParser`` turns one worksheet part into ``SheetData``: the wanted
columns of rows up to ``max_row`` (formula, cached value, type of each cell),
hyperlinks, data validations and sheet protection. Shared formulas are
expanded (``shift_formula``). ``parxl.xlsxread.XlsxFile`` opens the container
and drives it.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import fromstring, iterparse

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
R_ID = f"{{{REL_NS}}}id"
R_ID_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"

CellValue = str | Decimal | bool | None
WHOLE_PARSE_BYTES = 8 * 1024 * 1024  # sheet parts up to this size are parsed in one call


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


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


class Chain(io.RawIOBase):
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


class SheetParser:
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
            elif local(tag) in ("sheetProtection", "dataValidations", "hyperlinks"):
                self._other(el)

    def _other(self, el) -> None:
        tag = local(el.tag)
        if tag == "sheetProtection":
            self.data.protected = el.get("sheet") in ("1", "true")
        elif tag == "dataValidations":
            for dv in el:
                f1 = next((c.text or "" for c in dv if local(c.tag) == "formula1"), "")
                self.data.validations.append((dv.get("sqref", ""), f1))
        elif tag == "hyperlinks":
            for link in el:
                rid = link.get(R_ID) or link.get(R_ID_STRICT)
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
                                if local(t.tag) == "t")
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
