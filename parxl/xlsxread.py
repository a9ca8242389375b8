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
import zipfile
from xml.etree.ElementTree import ParseError, fromstring, iterparse

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from . import safety
from .safety import HostileFile
from .xlsxread_sheet import (R_ID, R_ID_STRICT, WHOLE_PARSE_BYTES, Cell, CellValue, Chain, SheetData, SheetInfo,
                             SheetRequest, SheetParser, col_letters, col_number, local, shift_formula)

__all__ = ["XlsxFile", "Cell", "CellValue", "SheetData", "SheetInfo", "SheetRequest", "col_letters", "col_number",
           "shift_formula"]


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
            tag = local(el.tag)
            if tag == "sheet":
                rid = el.get(R_ID) or el.get(R_ID_STRICT)
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
            parser = SheetParser(data, request, pending)
            size = self.zip.getinfo(part).file_size
            with self.zip.open(part) as fh:
                head = fh.read(4096)
                safety.check_xml_prolog(head, part)
                if size <= WHOLE_PARSE_BYTES:
                    parser.parse_whole(head + fh.read(WHOLE_PARSE_BYTES))
                else:
                    parser.stream(Chain(head, fh))
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
                for _, el in iterparse(Chain(head, fh), events=("end",)):
                    if local(el.tag) == "si":
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
        tag = local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(x.text or "" for x in child if local(x.tag) == "t")
    return "".join(parts)


