"""Append many plain rows to one sheet of a finished XlsxWriter file, fast.

XlsxWriter spends ~50 µs per row of 13 cells; the detail sheet of 3,321 units
has ~220,000 rows. Its XML is regular enough to write directly: XlsxWriter
writes the sheet's header block (titles, headings, autofilter, panes), then
``append_rows`` copies the file, splicing the rows in before ``</sheetData>``
and widening ``<dimension>``. Strings are inline (as XlsxWriter's
constant_memory mode writes them); numbers are written without style.

``deflate_rows`` compresses the rows on their own (raw deflate ending in a sync flush, with
their CRC-32 and sizes), so that they can be made in another process while XlsxWriter writes the
other sheets (``RowsAside``); ``splice_rows`` then copies the file with the compressed rows
joined, as they are, between the sheet's compressed head and tail: the same sheet XML as
``append_rows`` writes, without compressing the rows again.
"""
from __future__ import annotations

import os
import re
import shutil
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from ..core.numbers import excel_number
from ..core.workers import Forked
from ..core.zipparts import add_raw

RowValue = str | int | Decimal | None  # what one cell of a row is written from

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHUNK = 4096  # rows per write


def xml_text(text: str) -> str:
    """A string cell's XML content: escaped, control characters dropped, spaces kept."""
    text = _CONTROL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class RowWriter:
    """Cell XML with the row number left as ``{0}``: fixed cells are formatted once and reused."""

    def __init__(self, columns: int):
        self.letters = [xl_col_to_name(i) for i in range(columns)]
        self._numbers: dict[RowValue, str] = {}

    def cell(self, col: int, value: RowValue) -> str:
        """One cell's XML template; call ``.format(row)`` (1-based) on it or on a concatenation."""
        if value is None or value == "":
            return ""
        ref = self.letters[col] + "{0}"
        if isinstance(value, str):
            space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
            text = xml_text(value).replace("{", "{{").replace("}", "}}")
            return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
        number = self._numbers.get(value)
        if number is None:
            number = self._numbers[value] = excel_number(value) if isinstance(value, Decimal) else str(value)
        return f'<c r="{ref}"><v>{number}</v></c>'

    def cells(self, first_col: int, values: Sequence[RowValue]) -> str:
        """The XML templates of ``values`` in consecutive cells from column ``first_col`` (0-based), joined."""
        return "".join(self.cell(first_col + k, v) for k, v in enumerate(values))

    @staticmethod
    def row(row: int, template: str) -> str:
        """A ``<row>`` element numbered ``row`` (1-based) with ``template``'s cells given that row number."""
        return f'<row r="{row}">{template.format(row)}</row>'


def append_rows(src: Path, dest: Path, sheet_index: int, rows: Iterable[str], last_row: int, last_col: int) -> None:
    """Copy ``src`` to ``dest`` with the XML ``rows`` appended to sheet number ``sheet_index`` (0-based)."""
    part = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename != part:
                with zin.open(info) as fin, zout.open(_copy_info(info), "w") as fout:
                    shutil.copyfileobj(fin, fout)
                continue
            xml = zin.read(info).decode("utf-8")
            head, tail = xml.split("</sheetData>", 1)
            head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{xl_col_to_name(last_col)}{last_row + 1}"/>',
                          head, count=1)
            with zout.open(_copy_info(info), "w", force_zip64=True) as fout, \
                    ThreadPoolExecutor(1) as compressor:
                # zlib compresses a chunk (without the GIL) in the other thread while this one makes the
                # next: one write at a time, in order.
                fout.write(head.encode("utf-8"))
                pending: Future | None = None
                for data in _chunks(rows):
                    if pending is not None:
                        pending.result()
                    pending = compressor.submit(fout.write, data)
                if pending is not None:
                    pending.result()
                fout.write(("</sheetData>" + tail).encode("utf-8"))


def _chunks(rows: Iterable[str]) -> Iterator[bytes]:
    """``rows`` joined ``_CHUNK`` at a time, UTF-8 encoded."""
    chunk: list[str] = []
    for text in rows:
        chunk.append(text)
        if len(chunk) >= _CHUNK:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    yield "".join(chunk).encode("utf-8")


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = zipfile.ZIP_DEFLATED
    copy.external_attr = info.external_attr
    return copy


_LEVEL = 1  # zlib level of the master's parts (as ``append_rows``'s zipfile compresslevel=1)
PARALLEL_FROM_ROWS = 20_000  # detail rows from which they are made in another process (where processes fork)


@dataclass(frozen=True)
class DeflatedRows:
    """Rows compressed by ``deflate_rows``: the file of raw deflate data (no final block), the CRC-32 and
    size in bytes of the uncompressed XML, and the compressed size in bytes."""

    path: Path
    crc: int
    size: int
    compressed: int


def deflate_rows(rows: Iterable[str], dest: Path) -> DeflatedRows:
    """Write ``rows`` (XML text) UTF-8 encoded and compressed into ``dest`` as raw deflate ending in a
    sync flush (so that more deflate data may follow). Raises ``OSError`` when ``dest`` cannot be written."""
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    crc = size = compressed = 0
    with open(dest, "wb") as out, ThreadPoolExecutor(1) as worker:
        # zlib compresses a chunk (without the GIL) in the other thread while this one makes the next.
        def put(data: bytes) -> int:
            packed = compressor.compress(data)
            out.write(packed)
            return len(packed)

        pending: Future | None = None
        for data in _chunks(rows):
            crc, size = zlib.crc32(data, crc), size + len(data)
            if pending is not None:
                compressed += pending.result()
            pending = worker.submit(put, data)
        if pending is not None:
            compressed += pending.result()
        tail = compressor.flush(zlib.Z_SYNC_FLUSH)
        out.write(tail)
    return DeflatedRows(Path(dest), crc, size, compressed + len(tail))


def splice_rows(src: Path, dest: Path, sheet_index: int, rows: DeflatedRows, last_row: int, last_col: int) -> None:
    """Copy ``src`` to ``dest`` with the compressed ``rows`` appended to sheet number ``sheet_index``
    (0-based) and its ``<dimension>`` widened to ``last_row``/``last_col`` (0-based): the sheet's XML is
    what ``append_rows`` writes from the same rows. Raises ``OSError`` when ``dest`` cannot be written."""
    part = f"xl/worksheets/sheet{sheet_index + 1}.xml"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as zout:
        for info in zin.infolist():
            if info.filename != part:
                with zin.open(info) as fin, zout.open(_copy_info(info), "w") as fout:
                    shutil.copyfileobj(fin, fout)
                continue
            head, tail = zin.read(info).decode("utf-8").split("</sheetData>", 1)
            head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{xl_col_to_name(last_col)}{last_row + 1}"/>',
                          head, count=1)
            head_xml, tail_xml = head.encode("utf-8"), ("</sheetData>" + tail).encode("utf-8")
            first = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
            head_data = first.compress(head_xml) + first.flush(zlib.Z_SYNC_FLUSH)
            last = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
            tail_data = last.compress(tail_xml) + last.flush()
            crc = zlib.crc32(tail_xml, crc32_combine(zlib.crc32(head_xml), rows.crc, rows.size))
            add_raw(zout, _copy_info(info), crc, len(head_xml) + rows.size + len(tail_xml),
                    len(head_data) + rows.compressed + len(tail_data), (head_data, rows.path, tail_data))


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from ``crc1`` = crc32(A), ``crc2`` = crc32(B) and ``length2`` = len(B) in bytes
    (zlib's ``crc32_combine``, which Python's zlib does not expose)."""
    if length2 <= 0:
        return crc1

    def times(matrix: list[int], vector: int) -> int:
        total, i = 0, 0
        while vector:
            if vector & 1:
                total ^= matrix[i]
            vector >>= 1
            i += 1
        return total

    def square(matrix: list[int]) -> list[int]:
        return [times(matrix, matrix[n]) for n in range(32)]

    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = square(odd)  # two zero bits
    odd = square(even)  # four zero bits
    while True:  # apply length2 zero bytes to crc1
        even = square(odd)
        if length2 & 1:
            crc1 = times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = square(even)
        if length2 & 1:
            crc1 = times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


class RowsAside(Forked[DeflatedRows]):
    """``deflate_rows(make_rows(), dest)`` run in another process while the caller goes on (``core.workers.Forked``:
    a forked child, which inherits ``make_rows`` and what it reads), where processes fork, ``parallel`` is
    true and the machine has more than one CPU; else when ``result()`` is asked for. Use as a context
    manager (leaving it stops the child); ``result()`` raises what ``deflate_rows`` raises, here."""

    def __init__(self, make_rows: Callable[[], Iterable[str]], dest: Path, parallel: bool = True):
        self.make_rows, self.dest = make_rows, Path(dest)
        super().__init__(lambda: deflate_rows(make_rows(), self.dest), parallel=parallel and (os.cpu_count() or 1) > 1)


# The functions XlsxWriter's ``Worksheet._prepare_formula`` rewrites (as ``_xlfn.NAME(``) when future
# functions are off, matched without its ``\b`` (a superset: a match only sends the formula to XlsxWriter).
_REWRITTEN = re.compile(r"(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA"
                        r"|MAKEARRAY|MAP|RANDARRAY|REDUCE|SCAN|INGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT"
                        r"|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\(")


def quick_formulas(ws) -> None:
    """Give the XlsxWriter worksheet ``ws`` a ``_prepare_formula`` that returns XlsxWriter's own result
    without its 29 regex substitutions when none of them can apply (the master's formulas use none
    of those functions; ~40 µs a formula, 20,000 formulas in the ranking sheet at 3,321 units)."""
    slow = ws._prepare_formula

    def prepare(formula: str, expand_future_functions: bool = False) -> str:
        if (expand_future_functions or ws.use_future_functions or formula[:1] == "{" or formula[-1:] == "}"
                or "_xlfn." in formula or _REWRITTEN.search(formula)):
            return slow(formula, expand_future_functions)
        return formula[1:] if formula[:1] == "=" else formula

    ws._prepare_formula = prepare
