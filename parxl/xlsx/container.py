"""A small, fast, safe xlsx reader: zip + streaming XML, formulas *and* cached values.

``XlsxFile(data)`` checks the container (``parxl.xlsx.safety``) then reads the
workbook part: sheets (name, state, part) and defined names.
``read_sheets({name: SheetRequest})`` streams each requested sheet's XML,
keeps only the wanted columns, stops past ``max_row`` (a 2-million-row sheet
costs no more than the rows asked for), then resolves the shared strings it
needs and the sheet's hyperlinks. No judgement here: only what the file says.

The contract: anything wrong with the file raises ``HostileFile`` (a finding
code and a Vietnamese detail), and nothing else does. In particular:

- every XML byte parsed is also fed to ``safety.XmlGuard`` (expat handlers
  refusing DTDs, entity declarations and processing instructions wherever
  they appear); the tree itself is built by the C parser;
- part names are matched case-insensitively (OPC), relationship targets may
  be absolute (``/xl/worksheets/sheet1.xml``) or percent-encoded;
- two zip entries with the same name (in any case) are ``file-ambiguous``;
  a referenced part missing or empty is ``file-part-missing``; a shared
  string index the file does not hold is ``file-corrupt``;
- zip-level failures (unknown compression method, corrupt deflate stream,
  truncated data) are ``file-corrupt``;
- memory and time are bounded by what is read: parts are parsed whole only up
  to ``WHOLE_PARSE_BYTES``, larger ones are streamed with every element
  dropped once used and at most ``MAX_PART_ELEMENTS`` elements read.
"""
from __future__ import annotations

import io
import lzma
import posixpath
import struct
import zipfile
import zlib
from urllib.parse import unquote
from xml.etree.ElementTree import ParseError, XMLPullParser, fromstring

from . import fast, safety
from .safety import HostileFile, XmlGuard
from .sheet import (MAX_PART_ELEMENTS, MAX_TEXT_CHARS, R_ID, R_ID_STRICT, WHOLE_PARSE_BYTES, Cell, CellValue,
                    SheetData, SheetInfo, SheetRequest, SheetParser, col_letters, col_number, cut_text, local,
                    rich_text, shift_formula, unescape_text)

__all__ = ["XlsxFile", "Cell", "CellValue", "SheetData", "SheetInfo", "SheetRequest", "col_letters", "col_number",
           "shift_formula", "unescape_text", "ZIP_ERRORS"]

# What zipfile and its decompressors raise for a damaged or unusual archive.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
              RuntimeError, zlib.error, lzma.LZMAError, struct.error, OverflowError)
CHUNK = 64 * 1024
REL_SHARED = "/sharedStrings"
REL_OFFICE = "/officeDocument"


def _parse(data: bytes, part: str):
    """A guard-checked part through the C parser."""
    try:
        return fromstring(data)
    except ParseError as exc:  # the guard accepted it; a parser difference is still the file's fault
        raise HostileFile("file-corrupt", f"phần «{part}» không phải XML hợp lệ") from exc


class XlsxFile:
    """An opened, checked xlsx container. Raises only ``HostileFile`` for a bad file."""

    def __init__(self, data: bytes):
        safety.check_size(len(data))
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except ZIP_ERRORS as exc:
            raise HostileFile("file-corrupt", "tệp nén không trọn vẹn") from exc
        safety.check_zip(self.zip)
        self._by_key: dict[str, str] = {}
        for info in infos:
            key = info.filename.lower()
            if key in self._by_key:
                raise HostileFile("file-ambiguous", f"hai mục cùng tên «{safety.excerpt(info.filename, 80)}»")
            self._by_key[key] = info.filename
        self._names = set(self._by_key.values())
        if self._resolve("[Content_Types].xml"):  # not used for reading, but refused when hostile or broken
            self._part("[Content_Types].xml", 1 << 20)
        self.workbook_part = self._office_document()
        self.sheets: list[SheetInfo] = []
        self.defined_names: dict[str, str] = {}
        self._shared_part: str | None = None
        self._read_workbook()

    # Parts ----------------------------------------------------------------
    def _resolve(self, name: str | None) -> str | None:
        """The zip entry for a part name (case-insensitive, leading '/' ignored), or None."""
        if not name:
            return None
        return self._by_key.get(name.lstrip("/").lower())

    def _size(self, name: str) -> int:
        return self.zip.getinfo(name).file_size

    def _chunks(self, name: str):
        """The entry's bytes in chunks, zip failures as HostileFile('file-corrupt')."""
        try:
            with self.zip.open(name) as fh:  # zipfile caps the output at the declared size
                while True:
                    safety.check_time(f"phần «{name}»")
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        return
                    yield chunk
        except ZIP_ERRORS as exc:
            raise HostileFile("file-corrupt", f"phần «{name}» không giải nén được") from exc

    def _part(self, name: str, limit: int = safety.MAX_PART_BYTES) -> bytes:
        """A whole, guard-checked part; missing or empty is ``file-part-missing``."""
        real = self._resolve(name)
        if real is None:
            raise HostileFile("file-part-missing", f"thiếu phần «{name}»")
        safety.check_time(f"phần «{real}»")
        try:
            data = safety.read_part(self.zip, real, limit)
        except HostileFile:
            raise
        except ZIP_ERRORS as exc:  # CRC, truncated data, bad method
            raise HostileFile("file-corrupt", f"phần «{real}» không giải nén được") from exc
        if not data.strip():
            raise HostileFile("file-part-missing", f"phần «{real}» rỗng")
        return data

    def _tree(self, name: str, limit: int = safety.MAX_PART_BYTES):
        return _parse(self._part(name, limit), name)

    def _office_document(self) -> str:
        if self._resolve("_rels/.rels"):
            for rel in self._tree("_rels/.rels", 1 << 20):
                if rel.get("Type", "").endswith(REL_OFFICE):
                    target = _target(rel.get("Target", ""), "")
                    if self._resolve(target) is None:
                        if self._resolve("xl/workbook.bin"):
                            raise HostileFile("file-xlsb")
                        raise HostileFile("file-part-missing", f"thiếu phần «{safety.excerpt(target, 80)}»")
                    return self._resolve(target) or target
        if self._resolve("xl/workbook.xml"):
            return self._resolve("xl/workbook.xml") or ""
        if self._resolve("content.xml") or self._resolve("mimetype"):
            raise HostileFile("file-not-workbook", "tệp OpenDocument")
        raise HostileFile("file-not-workbook", "tệp nén không chứa sổ làm việc Excel")

    def _rels(self, part: str) -> dict[str, tuple[str, str, str]]:
        """rId -> (target resolved against the part, TargetMode, Type) for a part's relationships."""
        folder, base = posixpath.split(part)
        rels_name = self._resolve(posixpath.join(folder, "_rels", base + ".rels"))
        if rels_name is None:
            return {}
        out = {}
        for rel in self._tree(rels_name, 1 << 20):
            target, mode = rel.get("Target", ""), rel.get("TargetMode", "")
            if mode != "External":
                target = _target(target, folder)
            out[rel.get("Id", "")] = (target, mode, rel.get("Type", ""))
        return out

    def _read_workbook(self) -> None:
        data = self._part(self.workbook_part)
        rels = self._rels(self.workbook_part)
        read = _fast(fast.read_workbook, data)
        if read is not None:
            sheets, names = read
            for name, rid, state in sheets:
                self._add_sheet(unescape_text(name), state, rels.get(rid or "", (None, "", ""))[0])
            self.defined_names = _defined_names(names)
        else:
            self._read_workbook_tree(_parse(data, self.workbook_part), rels)
        shared = [t for t, _, kind in rels.values() if kind.endswith(REL_SHARED)]
        shared = shared or [t for t, _, _ in rels.values() if t.lower().endswith("sharedstrings.xml")]
        self._shared_part = shared[0] if shared else None

    def _add_sheet(self, name: str, state: str, target: str | None) -> None:
        if any(s.name.casefold() == name.casefold() for s in self.sheets):
            raise HostileFile("file-ambiguous", f"hai trang tính cùng tên «{safety.excerpt(name, 80)}»")
        self.sheets.append(SheetInfo(name, state, self._resolve(target) or target))

    def _read_workbook_tree(self, root, rels) -> None:
        for el in root.iter():
            tag = local(el.tag)
            if tag == "sheet":
                rid = el.get(R_ID) or el.get(R_ID_STRICT)
                target = rels.get(rid or "", (None, "", ""))[0]
                self._add_sheet(unescape_text(el.get("name", "")), el.get("state", "visible"), target)
            elif tag == "definedName":
                name = el.get("name", "")
                if el.get("localSheetId") is None or name not in self.defined_names:
                    self.defined_names[name] = (el.text or "").strip()

    def sheet(self, name: str) -> SheetInfo | None:
        """The sheet listed in workbook.xml under exactly ``name``, or None."""
        return next((s for s in self.sheets if s.name == name), None)

    # Sheets ---------------------------------------------------------------
    def read_sheets(self, requests: dict[str, SheetRequest]) -> dict[str, SheetData]:
        """Stream the requested sheets (those the workbook lists), then resolve their shared strings.

        A listed sheet whose part is missing or empty raises HostileFile('file-part-missing').
        """
        out: dict[str, SheetData] = {}
        pending: dict[int, list[tuple[SheetData, tuple[int, str], str | None]]] = {}
        for name, request in requests.items():
            info = self.sheet(name)
            if info is None:
                continue
            real = self._resolve(info.part)
            if real is None:
                raise HostileFile("file-part-missing", f"trang «{safety.excerpt(name, 80)}»: thiếu phần "
                                                       f"«{safety.excerpt(info.part or '?', 80)}»")
            out[name] = self._stream_sheet(info, real, request, pending)
        if pending:
            strings = self._shared_strings(set(pending))
            known = _STRING_CELLS
            for index, places in pending.items():
                text = strings.get(index)
                if text is None:
                    raise HostileFile("file-corrupt", f"chuỗi dùng chung số {index} không có trong tệp")
                plain = None  # the cells without formula showing this string: one (immutable) Cell
                for sheet, key, formula in places:
                    if formula is None:
                        if plain is None:
                            plain = known.get(text)
                            if plain is None:
                                plain = Cell(text, "s", None)
                                if len(text) <= 4096:
                                    if len(known) >= 8192:
                                        known.clear()
                                    known[text] = plain
                        sheet.cells[key] = plain
                    else:
                        sheet.cells[key] = Cell(text, "s", formula)
        return out

    def _stream_sheet(self, info: SheetInfo, part: str, request: SheetRequest, pending) -> SheetData:
        data = SheetData(info.name)
        parser = SheetParser(data, request, pending, part)
        if self._size(part) == 0:
            raise HostileFile("file-part-missing", f"trang «{safety.excerpt(info.name, 80)}»: phần «{part}» rỗng")
        guard = XmlGuard(part)
        chunks = self._chunks(part)
        head = next(chunks, b"")
        safety.check_xml_prolog(head[:4096], part)
        if self._size(part) <= WHOLE_PARSE_BYTES:
            whole = b"".join([head, *chunks])[: WHOLE_PARSE_BYTES + 1]
            if not whole.strip():
                raise HostileFile("file-part-missing", f"trang «{safety.excerpt(info.name, 80)}»: phần «{part}» rỗng")
            if _fast(fast.read_sheet, whole, parser) is not None:
                return self._resolve_links(data, part)
            if fast.ENABLED:  # the fast path may have stopped half-way: start again
                for index in list(pending):
                    pending[index] = [p for p in pending[index] if p[0] is not data]
                    if not pending[index]:
                        del pending[index]
                data = SheetData(info.name)
                parser = SheetParser(data, request, pending, part)
            if not safety.markup_free(whole):
                guard.feed(whole, True)
            try:
                parser.parse_whole(whole)
            except ParseError as exc:
                raise HostileFile("file-corrupt", f"trang «{safety.excerpt(info.name, 80)}» không phải XML hợp lệ") from exc
        else:
            try:
                parser.stream(_guarded(guard, head, chunks))
            except ParseError as exc:
                raise HostileFile("file-corrupt", f"trang «{safety.excerpt(info.name, 80)}» không phải XML hợp lệ") from exc
        return self._resolve_links(data, part)

    def _resolve_links(self, data: SheetData, part: str) -> SheetData:
        """The sheet's hyperlinks given by relationship id («rid:rId1») replaced by their targets."""
        if data.hyperlinks:
            rels = self._rels(part)
            data.hyperlinks = {ref: (rels.get(target[4:], ("", "", ""))[0] if target.startswith("rid:") else target)
                               for ref, target in data.hyperlinks.items()}
        return data

    def _shared_strings(self, wanted: set[int]) -> dict[int, str]:
        """The shared strings at the ``wanted`` indexes (parsed whole when small, else streamed)."""
        part = self._resolve(self._shared_part)
        if part is None:
            raise HostileFile("file-part-missing", "thiếu phần chuỗi dùng chung (sharedStrings.xml)")
        out: dict[int, str] = {}
        last = max(wanted)
        if self._size(part) <= WHOLE_PARSE_BYTES:
            data = self._part(part, WHOLE_PARSE_BYTES)
            read = _fast(fast.shared_strings, data, wanted)
            if read is not None:
                return read
            for i, si in enumerate(_parse(data, part)):
                if i in wanted:
                    out[i] = _si_text(si)
                if i >= last:
                    break
            return out
        guard = XmlGuard(part)
        chunks = self._chunks(part)
        head = next(chunks, b"")
        safety.check_xml_prolog(head[:4096], part)
        pull = XMLPullParser(events=("start", "end"))
        stack: list = []
        count = i = 0
        try:
            for chunk in _guarded(guard, head, chunks):
                pull.feed(chunk)
                for event, el in pull.read_events():
                    if event == "start":
                        stack.append(el)
                        count += 1
                        if count > MAX_PART_ELEMENTS:
                            raise HostileFile("file-part-oversized", f"phần «{part}» có quá nhiều phần tử XML")
                        continue
                    stack.pop()
                    if len(stack) == 1:  # a child of <sst>: one string
                        if local(el.tag) == "si":
                            if i in wanted:
                                out[i] = _si_text(el)
                            i += 1
                        del stack[0][:]
                        if i > last:
                            return out
        except ParseError as exc:
            raise HostileFile("file-corrupt", f"phần «{part}» không phải XML hợp lệ") from exc
        return out


def _fast(read, data: bytes, *args):
    """``read(text, *args)`` of ``parxl.xlsx.fast`` on a plain, well-formed part; its result
    (never None), or None when the part must be read through ElementTree (not plain, not
    well-formed, or ``fast.Fallback``). Its HostileFile passes through."""
    if not fast.ENABLED:
        return None
    cacheable = read is fast.read_workbook and len(data) <= fast.CACHED_CHARS  # the same in a whole campaign
    if cacheable and data in _WORKBOOKS:
        return _WORKBOOKS[data]
    if read is fast.read_sheet:  # the part after the rows checked and decoded once per process
        parts = fast.plain_parts(data, b"</sheetData>")
        text, rest = parts if parts is not None else (None, "")
        args = (*args, rest)
    else:
        text = fast.plain_text(data)
    if text is None:
        return None
    try:
        out = read(text, *args)
    except fast.Fallback:
        return None
    if cacheable:
        if len(_WORKBOOKS) >= 8:
            _WORKBOOKS.clear()
        _WORKBOOKS[data] = out
    return True if out is None else out


_WORKBOOKS: dict[bytes, tuple] = {}  # workbook.xml bytes -> what fast.read_workbook read of them
_STRING_CELLS: dict[str, Cell] = {}  # a shared string's text -> the Cell of a plain cell showing it (immutable)
_DEFINED: dict[int, tuple[list, dict[str, str]]] = {}  # id(names read) -> (those names, their dict)


def _defined_names(names: list[tuple[str, str | None, str]]) -> dict[str, str]:
    """The defined names (name, localSheetId, text) read from workbook.xml as ``XlsxFile.defined_names``: the
    text trimmed, a workbook-level name before a sheet's own of the same name. A new dict each call; made
    once per list read (``_WORKBOOKS`` gives the same list for the same workbook.xml)."""
    known = _DEFINED.get(id(names))
    if known is None or known[0] is not names:
        out: dict[str, str] = {}
        for name, local_id, text in names:
            if local_id is None or name not in out:
                out[name] = text.strip()
        if len(_DEFINED) >= 8:
            _DEFINED.clear()
        known = _DEFINED[id(names)] = (names, out)
    return dict(known[1])


def _target(target: str, folder: str) -> str:
    """A relationship target as a part name: absolute ('/xl/…') or relative to ``folder``, percent-decoded."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")


def _guarded(guard: XmlGuard, head: bytes, chunks):
    """``head`` then ``chunks``, each fed to the guard before it is passed on."""
    guard.feed(head)
    yield head
    for chunk in chunks:
        guard.feed(chunk)
        yield chunk
    guard.feed(b"", True)


def _si_text(si) -> str:
    """A shared string's text: plain or rich-text runs, without phonetic (rPh) hints, ``_xHHHH_`` decoded."""
    return si_text_of(rich_text(si))


def si_text_of(text: str) -> str:
    """A shared string's text from its joined ``<t>`` texts: ``_xHHHH_`` decoded, cut at Excel's limit."""
    if len(text) <= MAX_TEXT_CHARS and "_x" not in text:
        return text
    return cut_text(unescape_text(cut_text(text, 8 * MAX_TEXT_CHARS)))
