"""Append many plain rows to one sheet of a finished XlsxWriter file, fast.

XlsxWriter spends ~50 µs per row of 13 cells; the detail sheet of 3,321 units
has ~220,000 rows. Its XML is regular enough to write directly: XlsxWriter
writes the sheet's header block (titles, headings, autofilter, panes), then
``append_rows`` copies the file, splicing the rows in before ``</sheetData>``
and widening ``<dimension>``. Strings are inline (as XlsxWriter's
constant_memory mode writes them); numbers are written without style.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from ..core.numbers import excel_number

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
