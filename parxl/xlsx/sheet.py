"""Sheet-level pieces of the xlsx reader: cell types and the streaming sheet parser.

``SheetParser`` turns one worksheet part into ``SheetData``: the wanted
columns of rows up to ``max_row`` (formula, cached value, type of each cell),
hyperlinks, data validations and sheet protection. Shared formulas are
expanded (``shift_formula``). ``parxl.xlsx.container.XlsxFile`` opens the container
and drives it.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import XMLPullParser, fromstring

from ..core.numbers import EXCEL_MAX
from . import fast
from .safety import HostileFile, check_time, excerpt

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
R_ID = f"{{{REL_NS}}}id"
R_ID_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"

CellValue = str | Decimal | bool | None
WHOLE_PARSE_BYTES = 2 * 1024 * 1024  # parts up to this size are parsed in one call (a filled sheet: ~100 KB)
MAX_PART_ELEMENTS = 1_000_000        # elements read from one streamed part (a filled sheet: ~20,000)
MAX_ROW_ELEMENTS = 100_000           # elements inside one row (16,384 columns at most, a few elements each)
MAX_TEXT_CHARS = 32_767              # Excel's limit for the text of one cell
MAX_ROW, MAX_COL = 1_048_576, 16_384
_REF = re.compile(r"^([A-Za-z]{1,3})([0-9]{1,7})$")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_text(text: str) -> str:
    """Excel's escaped characters decoded: ``_x000D_`` -> CR, ``_x005F_`` -> '_' (so ``_x005F_x000D_`` is literal)."""
    if "_x" not in text:
        return text
    out = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:  # escaped surrogate pairs (_xD83D__xDE00_) joined, lone ones replaced
        out = out.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return out


def cut_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """A text cut at ``limit`` characters (Excel keeps at most 32.767 in a cell)."""
    return text if len(text) <= limit else text[:limit]


@dataclass(frozen=True)
class Cell:
    """One cell as read: its cached ``value`` (Decimal, str, bool, or None when absent), its xlsx type
    ``kind`` (the ``t`` attribute: n, s, str, inlineStr, b, e, d) and its ``formula`` without the
    leading «=» (shared formulas expanded), None when it has none.
    """

    value: CellValue          # cached value: Decimal, str, bool, or None when absent
    kind: str                 # "n", "s", "str", "inlineStr", "b", "e", "d" (xlsx's t attribute)
    formula: str | None = None  # without the leading "=", shared formulas expanded

    @property
    def is_error(self) -> bool:
        """Whether the cached value is an Excel error (#DIV/0!, #REF!…)."""
        return self.kind == "e"


@dataclass(frozen=True)
class SheetInfo:
    """A sheet listed in workbook.xml: its name, state (visible, hidden, veryHidden) and the zip path
    of its XML part (None when workbook.xml names none).
    """

    name: str
    state: str  # visible, hidden, veryHidden
    part: str | None  # zip path of the sheet XML


@dataclass(frozen=True)
class SheetRequest:
    """What to read of a sheet: rows 1 to ``max_row`` (1-based), of ``columns`` (letters; None = every column)."""

    max_row: int
    columns: frozenset[str] | None = None  # None: every column


@dataclass
class SheetData:
    """What was read of one sheet: ``cells`` by (row 1-based, column letters), hyperlinks by cell
    reference, data validations as (sqref, formula1), whether the sheet is protected, the last row
    read, and ``stopped_after`` (= ``max_row``) when rows beyond it exist and were not read.
    """

    name: str
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)  # (row, column letters)
    hyperlinks: dict[str, str] = field(default_factory=dict)  # "H6" -> URL (or "#Sheet!A1")
    validations: list[tuple[str, str]] = field(default_factory=list)  # (sqref, formula1)
    protected: bool = False
    last_row: int = 0
    stopped_after: int | None = None  # set when rows beyond max_row exist (not read)

    def get(self, row: int, col: str) -> Cell | None:
        """The cell at ``row`` (1-based) and column letters ``col`` («D»), or None when empty or not read."""
        return self.cells.get((row, col))


def col_number(col: str) -> int:
    """Column letters (upper case) as a 1-based number: «A» → 1, «AA» → 27."""
    n = 0
    for ch in col:
        n = n * 26 + ord(ch) - 64
    return n


def col_letters(n: int) -> str:
    """A 1-based column number as letters: 1 → «A», 27 → «AA»; 0 → «»."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


_LETTERS = [""] + [col_letters(n) for n in range(1, MAX_COL + 1)]  # column number -> letters
_COLS = {letters: n for n, letters in enumerate(_LETTERS) if n}      # letters -> column number


def local(tag: str) -> str:
    """An XML tag without its namespace: «{ns}row» → «row»."""
    return tag.rpartition("}")[2]


class SheetParser:
    """Turns a sheet's XML into ``SheetData`` cells, keeping rows up to ``max_row`` only.

    A sheet part up to ``WHOLE_PARSE_BYTES`` is parsed in one call of the C
    parser (fast); a larger one is streamed row by row and the stream is
    abandoned at the first row past ``max_row``, so a 2-million-row sheet
    costs what its first rows cost.
    """

    def __init__(self, data: SheetData, request: SheetRequest, pending, part: str = ""):
        self.data, self.request, self.pending, self.part = data, request, pending, part
        self.shared: dict[str, tuple[str, int, int]] = {}  # si -> (formula, row, col number)
        self.ns = ""
        self.row_no = 0
        self.where = f"trang «{excerpt(data.name, 80)}»"  # for the time bound's message

    def parse_whole(self, xml: bytes) -> None:
        """Parse a whole sheet part (up to ``WHOLE_PARSE_BYTES``) in one call, keeping rows up to
        ``max_row``. Raises xml.etree's ParseError for malformed XML (the container turns it into
        HostileFile('file-corrupt')) and HostileFile('file-corrupt') for a bad row or cell reference.
        """
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

    def stream(self, chunks) -> None:
        """Parse the part fed as byte ``chunks``, dropping each element once used.

        Reading stops at the first row past ``max_row``; more than
        ``MAX_PART_ELEMENTS`` elements in all or ``MAX_ROW_ELEMENTS`` in one row
        raise HostileFile('file-part-oversized'). Memory holds one row at a time.
        """
        pull = XMLPullParser(events=("start", "end"))
        stack: list = []
        count = row_start = 0
        for chunk in chunks:
            pull.feed(chunk)
            for event, el in pull.read_events():
                if event == "start":
                    stack.append(el)
                    if len(stack) == 1:
                        self.ns = el.tag[: el.tag.index("}") + 1] if el.tag.startswith("{") else ""
                    count += 1
                    if count > MAX_PART_ELEMENTS or (row_start and count - row_start > MAX_ROW_ELEMENTS):
                        raise HostileFile("file-part-oversized", f"phần «{self.part}» có quá nhiều phần tử XML")
                    if len(stack) == 3:
                        row_start = count
                    continue
                depth = len(stack)
                stack.pop()
                tag = el.tag
                if depth == 1:
                    continue
                if depth == 3:
                    row_start = 0
                    if stack[1].tag == self.ns + "sheetData" and tag == self.ns + "row":
                        if not self._row(el):
                            return
                    if local(stack[1].tag) not in ("dataValidations", "hyperlinks"):
                        del stack[1][:]  # rows (and anything else) dropped once read
                elif depth == 2:
                    if local(tag) in ("sheetProtection", "dataValidations", "hyperlinks"):
                        self._other(el)
                    del stack[0][:]

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
        """Keep one row's wanted cells; False when the row is past ``max_row`` (stop reading).

        A row without ``r`` follows the previous row, a cell without ``r`` the
        previous cell. A row or cell address that is malformed, out of Excel's
        grid or not after the previous one raises HostileFile('file-corrupt').
        """
        row_no = self._advance(row_el.get("r"))
        if row_no is None:
            return False
        columns, ns = self.request.columns, self.ns
        c_tag, f_tag, v_tag, is_tag = ns + "c", ns + "f", ns + "v", ns + "is"
        cols, letters = _COLS, _LETTERS
        col_no = 0
        for c in row_el:
            ref = c.get("r")
            new_col = col_no + 1 if ref is None else cols.get(ref.rstrip("0123456789"), 0)
            if new_col <= col_no:  # not a column, or not after the previous cell: look closer
                if c.tag != c_tag:
                    continue  # e.g. an extLst inside the row
                new_col = self._column_after(col_no, ref, row_no)
            col_no = new_col
            col = letters[col_no]
            if not len(c):
                continue  # a formatted, empty cell
            formula_el = c.find(f_tag)
            formula = self._formula(formula_el.text, formula_el.get("t"), formula_el.get("si", ""), row_no, col) \
                if formula_el is not None else None
            if columns is not None and col not in columns:
                continue
            kind = c.get("t", "n")
            value_el = c.find(v_tag)
            text = value_el.text if value_el is not None else None
            self._store(row_no, col, kind, text, formula, rich_text(c.find(is_tag)) if kind == "inlineStr" else "")
        return True

    def _advance(self, r: str | None) -> int | None:
        """Move to the row whose ``r`` attribute is ``r`` (None: the next row); its number, or None when it
        is past ``max_row`` (``stopped_after`` set). Raises HostileFile('file-corrupt') for a row number
        that is malformed, out of Excel's grid or not after the previous row."""
        check_time(self.where)
        if r is None:
            row_no = self.row_no + 1
        else:
            try:
                row_no = int(r)
            except ValueError:
                row_no = 0
        if not self.row_no < row_no <= MAX_ROW:
            raise HostileFile("file-corrupt", f"trang «{excerpt(self.data.name, 80)}»: số dòng «{excerpt(r or '', 20)}» "
                                              f"không hợp lệ hoặc không theo thứ tự")
        self.row_no = row_no
        if row_no > self.request.max_row:
            self.data.stopped_after = self.request.max_row
            return None
        return row_no

    def _column_after(self, col_no: int, ref: str | None, row_no: int) -> int:
        """The column (1-based) of a cell whose ``r`` attribute is ``ref`` (None: the cell after ``col_no``), in
        any letter case. Raises HostileFile('file-corrupt') for an address that is malformed, out of Excel's
        grid or not after column ``col_no``."""
        new_col = col_no + 1 if ref is None else _COLS.get(ref.rstrip("0123456789"), 0)
        if new_col <= col_no:
            m = _REF.match(ref or "")
            new_col = _COLS.get(m.group(1).upper(), 0) if m else 0
        if not col_no < new_col <= MAX_COL:
            raise HostileFile("file-corrupt", f"trang «{excerpt(self.data.name, 80)}», dòng {row_no}: địa chỉ ô "
                                              f"«{excerpt(ref or '', 20)}» không hợp lệ hoặc không theo thứ tự")
        return new_col

    def fast_row(self, r: str | None, content: str) -> bool:
        """``_row`` for one row of a plain, well-formed part read by ``parxl.xlsx.fast``: the row's ``r``
        attribute and its content text. Same result and same ``HostileFile`` as ``_row``; raises
        ``fast.Fallback`` for a cell it does not read exactly.
        """
        row_no = self._advance(r)
        if row_no is None:
            return False
        if not content or "<" not in content:
            return True
        if "shared" in content or "&#" in content or len(content) > 16_384:  # a shared formula: not a row alone
            done = self._row_done(row_no, content)
        else:
            key = (row_no, content, self.request.columns)
            done = _ROWS.get(key)
            if done is None:
                done = self._row_done(row_no, content)
                if len(_ROWS) >= 4096:
                    _ROWS.clear()
                _ROWS[key] = done
        data, pending = self.data, self.pending
        cells, strings, touched = done
        for col, cell in cells:
            data.cells[(row_no, col)] = cell
        for index, col, formula in strings:
            pending.setdefault(index, []).append((data, (row_no, col), formula))
        if touched:
            data.last_row = row_no
        return True

    def _row_done(self, row_no: int, content: str) -> tuple:
        """What ``fast_row`` keeps of one row's content, apart: (cells as (column, Cell), shared strings as
        (index, column, formula), whether any cell was kept). A row without a shared formula keeps the same
        wherever the same row text is in the same place, so ``fast_row`` replays it for every file that has it."""
        plain = self._plain_row(row_no, content)
        if plain is not None:
            return plain
        columns = self.request.columns
        cols, letters, unxml = _COLS, _LETTERS, fast.unxml
        cells: list = []
        strings: list = []
        col_no = 0
        for c_letters, c_digits, kind, attrs, slash, f_mark, f_attrs, f_text, v_mark, v_text, body, other \
                in fast.CELL.findall(content):
            new_col = cols.get(c_letters, 0) if c_letters else -1
            if new_col <= col_no or other:  # no plain r="A1" first, or not after the previous cell: look closer
                if other:
                    raise fast.Fallback("not a cell")
                new_col = self._column_after(col_no, c_letters + c_digits if c_letters else fast.attr(attrs, "r"),
                                             row_no)
            col_no = new_col
            if slash:
                continue  # a formatted, empty cell
            inline = None
            if f_mark or v_mark:  # <f …>text</f> and/or <v>text</v>, nothing else
                col = letters[col_no]
                formula = None
                if f_mark:
                    if f_text and "&" in f_text:
                        f_text = unxml(f_text)
                    if f_attrs and ("shared" in f_attrs or "&" in f_attrs):
                        t, si = fast.attr(f_attrs, "t"), fast.attr(f_attrs, "si")
                        formula = self._formula(f_text or None, t, si or "", row_no, col)
                    else:
                        formula = f_text or None
                if columns is not None and col not in columns:
                    continue
                text = (unxml(v_text) if "&" in v_text else v_text) if v_text else None
            elif not body or "<" not in body:
                continue  # a formatted, empty cell (no child element)
            else:
                col = letters[col_no]
                wanted = columns is None or col in columns
                if not wanted and "shared" not in body:
                    continue  # no shared formula to remember, and not read
                if "<is" in body:
                    m = fast.IS_BODY.fullmatch(body)
                    if m is None:
                        raise fast.Fallback("inline string with other children")
                    inline = m.group(1)
                    formula = text = None
                else:
                    m = fast.CELL_BODY.fullmatch(body)
                    if m is None:
                        raise fast.Fallback("cell content")
                    f_mark, f_attrs, f_text, v_mark, v_text = m.groups()
                    formula = None
                    if f_mark:
                        f_text = unxml(f_text) if f_text else None
                        if f_attrs:
                            t, si = fast.attr(f_attrs, "t"), fast.attr(f_attrs, "si")
                            formula = self._formula(f_text, t, si or "", row_no, col)
                        else:
                            formula = f_text
                    text = unxml(v_text) if v_text else None
                if not wanted:
                    continue
            if not kind:
                kind = (fast.attr(attrs, "t") if attrs else None)
                if kind is None:
                    kind = "n"
            if kind == "s" and text is not None and text.isdigit() and text.isascii():
                strings.append((int(text), col, formula))
                continue
            if kind == "inlineStr":
                inline = fast.rich_text(inline) if inline is not None else ""
            value = self._cell_value(row_no, col, kind, text, formula, inline)
            if value is None:
                continue
            if type(value) is int:
                strings.append((value, col, formula))
            else:
                cells.append((col, value))
        return tuple(cells), tuple(strings), bool(cells or strings)

    def _plain_row(self, row_no: int, content: str) -> tuple | None:
        """``_row_done`` for a row whose every cell has the plainest shape (``_PLAIN_CELL``: ``r`` first, in
        upper case, then ``s`` and ``t``, at most one ``<f>`` without ``t``/``si`` and one ``<v>``) with columns in
        strictly increasing order, in one regex pass and one loop over the filled cells only; None for any
        other row (``_row_done`` reads it cell by cell, with its verdicts)."""
        found = _PLAIN_CELL.findall(content)
        if not found:
            return None
        numbers = list(map(_COLS.get, map(_FIRST, found)))  # "" (any other «<») and past XFD give None
        if None in numbers or not all(map(_LESS, numbers, numbers[1:])):
            return None  # not a column, or not strictly increasing: _row_done says which address is wrong
        columns = self.request.columns
        unxml, known = fast.unxml, _CELLS
        cells: list = []
        strings: list = []
        for c_letters, kind, f_text, v_text in found:
            if not (f_text or v_text) or (columns is not None and c_letters not in columns):
                continue  # empty (no formula, no value: None for every kind allowed here), or not read
            if kind == "s" and v_text.isdigit() and v_text.isascii():
                if f_text and "&" in f_text:
                    f_text = unxml(f_text)
                strings.append((int(v_text), c_letters, f_text or None))
                continue
            key = (kind, v_text, f_text)  # as written: the same text reads the same wherever it is
            value = known.get(key)
            if value is None:
                if f_text and "&" in f_text:
                    f_text = unxml(f_text)
                formula = f_text or None
                text = (unxml(v_text) if "&" in v_text else v_text) if v_text else None
                value = self._cell_value(row_no, c_letters, kind or "n", text, formula, None)
                if value is None:
                    continue
                if type(value) is int:
                    strings.append((value, c_letters, formula))
                    continue
                if len(v_text) <= 64 and len(f_text) <= 1024:
                    if len(known) >= 8192:
                        known.clear()
                    known[key] = value
            cells.append((c_letters, value))
        return tuple(cells), tuple(strings), bool(cells or strings)

    def _store(self, row_no: int, col: str, kind: str, text: str | None, formula: str | None,
               inline: str | None) -> None:
        """Keep one cell read (``_cell_value``): a cell, or its place waiting for its shared string."""
        value = self._cell_value(row_no, col, kind, text, formula, inline)
        if value is None:
            return
        key = (row_no, col)
        if type(value) is int:
            self.pending.setdefault(value, []).append((self.data, key, formula))
        else:
            self.data.cells[key] = value
        self.data.last_row = row_no

    def _cell_value(self, row_no: int, col: str, kind: str, text: str | None, formula: str | None,
                    inline: str | None) -> Cell | int | None:
        """One cell read, from its ``kind`` (t attribute), ``<v>`` text, formula and, for an inline string,
        the text of its ``<is>`` (not unescaped): the ``Cell``, the index of its shared string (an int, the
        cell made once the strings are read), or None for an empty cell. Raises HostileFile('file-corrupt')
        for a bad string index or number, HostileFile('file-number-out-of-range') beyond Excel's range."""
        if kind == "s" and text is not None:
            try:
                index = int(text)
            except ValueError:
                index = -1
            if index < 0:
                raise HostileFile("file-corrupt", f"{self._where((row_no, col))}: số thứ tự chuỗi «{excerpt(text, 20)}» không hợp lệ")
            return index
        if kind == "s":
            value: CellValue = None
        elif kind == "inlineStr":
            value = cut_text(unescape_text(cut_text(inline or "", 8 * MAX_TEXT_CHARS)))
        elif kind == "b":
            value = None if text is None else text.strip() in ("1", "true")
        elif kind == "str":
            value = text if text is None or (len(text) <= MAX_TEXT_CHARS and "_x" not in text) else \
                cut_text(unescape_text(cut_text(text, 8 * MAX_TEXT_CHARS)))
        elif kind in ("e", "d"):
            value = None if text is None else cut_text(text, 200)
        else:
            kind = "n"
            try:
                value = _decimal(text)
            except HostileFile as exc:
                raise HostileFile(exc.code, f"{self._where((row_no, col))}: {exc.detail}") from None
        if value is None and formula is None:
            return None
        return Cell(value, kind, formula)

    def _where(self, key: tuple[int, str]) -> str:
        return f"ô {key[1]}{key[0]} của trang «{excerpt(self.data.name, 80)}»"

    def _formula(self, text: str | None, t: str | None, si: str, row: int, col: str) -> str | None:
        """A cell's formula from its ``<f>`` text and ``t``/``si`` attributes, shared formulas expanded."""
        if t == "shared":
            if text:
                self.shared[si] = (text, row, col_number(col))
            elif si in self.shared:
                base, brow, bcol = self.shared[si]
                return shift_formula(base, row - brow, col_number(col) - bcol)
            else:
                return None
        return text


def rich_text(el) -> str:
    """The text of a string element (``<is>`` or ``<si>``): its ``<t>``, or the ``<t>`` of its rich-text runs
    ``<r>``, joined; phonetic hints (``<rPh>``) are not part of the text. '' for None. Not unescaped."""
    if el is None:
        return ""
    parts = []
    for child in el:
        tag = local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(x.text or "" for x in child if local(x.tag) == "t")
    return "".join(parts)


# A cell in the plainest shape (Excel's, LibreOffice's and parxl's usual cells): (column letters, t, formula
# text, value text), "" for those absent; any other «<» (another shape, another element) gives ("", "", "", "").
# The kinds are those whose empty cell (no formula, no value) reads as None; inlineStr is read cell by cell.
_PLAIN_CELL = re.compile(r'<c r="([A-Z]{1,3})[0-9]{1,7}"(?: s="[0-9]{1,5}")?(?: t="(s|n|str|b|e|d)")?'
                         r'(?:/>|>(?:<f(?: aca="(?:false|true)")?>([^<]*)</f>)?(?:<v>([^<]*)</v>)?</c>)|<')
_FIRST, _LESS = operator.itemgetter(0), operator.lt
# (t, value text, formula text, as written) -> the immutable Cell ``_cell_value`` made of them (a number, a formula of the
# template, a boolean: the same in many rows and files), for ``_plain_row``; short texts only.
_CELLS: dict[tuple, Cell] = {}
_ROWS: dict[tuple, tuple] = {}  # (row number, row content, columns) -> what SheetParser._row_done kept
_DECIMALS: dict[str, Decimal] = {}  # cell text -> its value, for the texts seen most ("0", "1", "0.5"…)


def _decimal(text: str | None) -> Decimal | None:
    """A numeric cell's value; not a number is ``file-corrupt``, beyond Excel's range ``file-number-out-of-range``."""
    if text is None:
        return None
    known = _DECIMALS.get(text)
    if known is not None:
        return known
    if text.strip() == "":
        return None
    try:
        d = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        d = None
    if d is None or not d.is_finite():
        raise HostileFile("file-corrupt", f"giá trị «{excerpt(text, 40)}» không phải là số")
    if d.copy_abs() > EXCEL_MAX:
        raise HostileFile("file-number-out-of-range", f"«{excerpt(text, 40)}»")
    if len(text) <= 8:
        if len(_DECIMALS) >= 4096:
            _DECIMALS.clear()
        _DECIMALS[text] = d
    return d


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
