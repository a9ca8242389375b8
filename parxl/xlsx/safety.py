"""Checks made on an untrusted file *before* anything parses it.

``sniff(data)`` says what a file is from its first bytes (zip, OLE container,
nothing); ``check_zip(zf, size)`` refuses a zip whose entry count,
uncompressed size or compression ratio is not what a workbook can be;
``check_xml_prolog(chunk)`` refuses an unusual encoding and an early DTD;
``XmlGuard`` (fed every byte parxl's XML parsers see, see ``check_xml``)
refuses DTDs, entity declarations and processing instructions wherever they
appear, so that no entity can be expanded or fetched. Each refusal is a
``HostileFile`` carrying a finding code and a Vietnamese detail. What kind of
file arrived (xlsb, pdf, image…) is ``parxl.xlsx.filekind``'s job.

Limits are generous for a real CCHC workbook (tens of KB, 10–20x compression)
and small enough to keep a worker's time and memory bounded.

Time is bounded too: ``time_bound(seconds)`` opens a window (one file, in one
process) within which ``check_time()``, called by the reader at every part, every
chunk of a streamed part and every row, raises ``HostileFile("file-too-slow")``
once the window is past. ``READ_SECONDS`` (a file is read in milliseconds) is the
bound ``parxl check`` gives each file.
"""
from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from xml.parsers import expat
from dataclasses import dataclass
from typing import Literal

from ..core.findings import FindingCode
from ..core.numbers import vi_number

MAX_FILE_BYTES = 50 * 1024 * 1024            # a filled workbook is ~30 KB
MAX_ENTRIES = 2_000
MAX_TOTAL_UNCOMPRESSED = 600 * 1024 * 1024   # declared, summed over entries
MAX_RATIO = 200                              # per entry, when the entry is large
RATIO_MIN_BYTES = 4 * 1024 * 1024            # small entries may compress very well
MAX_PART_BYTES = 16 * 1024 * 1024            # workbook.xml, rels, sharedStrings we parse whole

READ_SECONDS = 20.0                          # per file: reading + validating takes ~10 ms
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ENCODINGS = {"utf-8", "utf8", "utf-16", "us-ascii", "ascii", "iso-8859-1", "latin-1", "windows-1252"}

Kind = Literal["zip", "ole-encrypted", "ole-xls", "ole-other", "empty", "unknown"]


class HostileFile(Exception):
    """A file parxl refuses or cannot read; ``code`` is a finding code."""

    def __init__(self, code: FindingCode, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    @property
    def params(self) -> dict[str, str]:
        """The finding's template parameters: ``detail``, and ``limit`` (the size limit, for
        «file-too-large»; empty otherwise), so every place that reports it says the same."""
        return {"detail": self.detail, "limit": human_size(MAX_FILE_BYTES) if self.code == "file-too-large" else ""}


@dataclass(frozen=True)
class Sniffed:
    """What a file's first bytes say it is (``kind``), with a Vietnamese ``detail`` where the kind alone does not say."""

    kind: Kind
    detail: str = ""


_deadline: float | None = None
_bound = 0.0


@contextmanager
def time_bound(seconds: float | None = None) -> Iterator[None]:
    """Within the block, ``check_time()`` raises ``HostileFile("file-too-slow")`` once ``seconds``
    (default ``READ_SECONDS``) have passed. One window per process at a time (workers read one file each)."""
    global _deadline, _bound
    outer = _deadline, _bound
    _bound = READ_SECONDS if seconds is None else seconds
    _deadline = time.monotonic() + _bound
    try:
        yield
    finally:
        _deadline, _bound = outer


def restart_time() -> None:
    """Start the open window again (after a step with its own bound, e.g. converting an .ods through LibreOffice)."""
    global _deadline
    if _deadline is not None:
        _deadline = time.monotonic() + _bound


def check_time(where: str = "") -> None:
    """Raise ``HostileFile("file-too-slow")`` (detail: the bound and ``where``) when the open window is past."""
    if _deadline is not None and time.monotonic() > _deadline:
        at = f" khi đọc {where}" if where else ""
        raise HostileFile("file-too-slow", f"quá {vi_number(_bound)} giây{at}")


def human_size(n: int) -> str:
    """``n`` bytes in Vietnamese: «1,5 MB» (one decimal, binary units KB/MB/GB), or «512 byte»."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{vi_number(n / scale, 1)} {unit}"
    return f"{n} byte"


def sniff(data: bytes) -> Sniffed:
    """What the bytes are, from their signature (never from the file name)."""
    if not data:
        return Sniffed("empty")
    if data.startswith(ZIP_MAGICS):
        return Sniffed("zip")
    if data.startswith(OLE_MAGIC):
        # Directory entry names are UTF-16LE. An encrypted OOXML file is an OLE
        # container holding "EncryptionInfo" and "EncryptedPackage" streams;
        # a BIFF workbook holds "Workbook" (BIFF8) or "Book" (BIFF5).
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return Sniffed("ole-encrypted")
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return Sniffed("ole-xls")
        return Sniffed("ole-other", "tệp OLE của Word/Office cũ")
    head = data[:512].lstrip()
    if head[:5].lower() in (b"<?xml", b"<html", b"<!doc"):
        return Sniffed("unknown", "tệp văn bản XML/HTML, có thể là trang web hoặc «XML Spreadsheet 2003»")
    if data[:4] == b"%PDF":
        return Sniffed("unknown", "tệp PDF")
    return Sniffed("unknown", "nội dung không nhận dạng được")


def check_size(size: int) -> None:
    """Refuse a file of more than ``MAX_FILE_BYTES`` bytes (50 MB).

    ``size`` is in bytes. Raises ``HostileFile("file-too-large")`` whose detail is the file's own
    size (``human_size(size)``).
    """
    if size > MAX_FILE_BYTES:
        raise HostileFile("file-too-large", human_size(size))


def check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse a zip that cannot be a workbook before decompressing anything."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise HostileFile("file-zip-bomb", f"{len(infos)} mục trong tệp nén")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise HostileFile("file-encrypted", "tệp nén có mật khẩu")
        total += info.file_size
        if info.file_size >= RATIO_MIN_BYTES:
            ratio = info.file_size / max(1, info.compress_size)
            if ratio > MAX_RATIO:
                raise HostileFile(
                    "file-zip-bomb",
                    f"«{info.filename}» nén {human_size(info.compress_size)} nhưng giải nén ra {human_size(info.file_size)}, "
                    f"tỷ lệ {vi_number(ratio, 0)}:1")
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise HostileFile("file-zip-bomb", f"tổng dung lượng giải nén {human_size(total)}")


def read_part(zf: zipfile.ZipFile, name: str, limit: int = MAX_PART_BYTES) -> bytes:
    """A whole zip part, refusing one larger than ``limit`` (declared or real)."""
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise HostileFile("file-zip-bomb", f"phần «{name}» giải nén ra {human_size(info.file_size)}")
    with zf.open(info) as fh:  # zipfile caps the output at the declared size
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise HostileFile("file-zip-bomb", f"phần «{name}» lớn hơn khai báo")
    check_xml(data, name)
    return data


EXCERPT_CHARS = 200  # the most of a file's own text quoted in one finding


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters (with «…» when cut), for quoting in a finding."""
    return text if len(text) <= limit else text[:limit] + "…"


class XmlGuard:
    """Refuses DTDs, entity declarations and processing instructions wherever they appear in a part.

    Every byte that parxl's XML parsers see is fed to this expat parser too
    (``feed``): it has handlers only for the forbidden constructs, so an
    ordinary element costs no Python call. A DOCTYPE (the only place an
    entity can be declared), an entity declaration, a processing instruction
    (the ``<?xml …?>`` declaration is not one for expat), an external entity
    reference or malformed XML raises ``HostileFile`` ("file-xml-forbidden" or
    "file-corrupt", naming the part), before or while the tree parser builds.
    """

    def __init__(self, part: str):
        self.part = part
        p = self._p = expat.ParserCreate()
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._entity
        p.UnparsedEntityDeclHandler = self._unparsed
        p.ProcessingInstructionHandler = self._pi
        p.ExternalEntityRefHandler = self._external
        p.SkippedEntityHandler = self._skipped

    def _refuse(self, what: str):
        raise HostileFile("file-xml-forbidden", f"{excerpt(what, 60)} trong phần «{self.part}»")

    def _doctype(self, name, *_):
        self._refuse(f"khai báo DOCTYPE «{name}»")

    def _entity(self, name, *_):
        self._refuse(f"khai báo thực thể «{name}»")

    def _unparsed(self, name, *_):
        self._refuse(f"khai báo thực thể «{name}»")

    def _pi(self, target, _data):
        self._refuse(f"chỉ thị xử lý «<?{target}»")

    def _external(self, *_):
        self._refuse("tham chiếu thực thể ngoài")
        return 0

    def _skipped(self, name, *_):
        self._refuse(f"thực thể «{name}»")

    def feed(self, data: bytes, final: bool = False) -> None:
        """Check the next bytes of the part (``final`` on the last chunk). Raises ``HostileFile``:
        "file-xml-forbidden" for a DTD, entity or processing instruction, "file-corrupt" for malformed XML.
        """
        try:
            self._p.Parse(data, final)
        except expat.ExpatError as exc:
            raise HostileFile("file-corrupt", f"phần «{self.part}» không phải XML hợp lệ "
                                              f"(dòng {exc.lineno}, cột {exc.offset})") from exc


def markup_free(data: bytes) -> bool:
    """Whether a whole UTF-8 (or other ASCII-compatible) part holds no ``<!`` and no ``<?`` but its XML declaration.

    Such bytes cannot contain a DTD, an entity declaration, a processing
    instruction, a comment or a CDATA section (a '<' byte never occurs inside
    a UTF-8 multi-byte character), so ``XmlGuard`` has nothing to refuse and
    the tree parser alone checks well-formedness. Anything else (including
    UTF-16) goes through the guard. Two memchr-speed searches of the whole part.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        return False
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if data.startswith(b"<?xml", start):
        end = data.find(b"?>", start)
        if end < 0:
            return False
        start = end + 2
    return data.find(b"<!", start) < 0 and data.find(b"<?", start) < 0


def check_xml(data: bytes, part: str) -> None:
    """A whole XML part through ``XmlGuard`` (see there) unless ``markup_free``; raises HostileFile."""
    check_xml_prolog(data[:4096], part)
    if not markup_free(data):
        XmlGuard(part).feed(data, True)


def check_xml_prolog(chunk: bytes, part: str) -> None:
    """Refuse a DTD in an XML part.

    A DOCTYPE can only appear in the prolog, before the root element, so the
    first bytes up to the root's start tag are enough to decide. Excel and
    LibreOffice never write one; without a DTD no entity can be declared, so
    neither expansion (billion laughs) nor external entities (XXE) can happen.
    """
    if chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = chunk.decode("utf-16", errors="replace")
    elif b"\x00" in chunk:  # UTF-16/32 without a byte-order mark: never written by Excel
        raise HostileFile("file-xml-forbidden", f"mã hóa ký tự bất thường trong phần «{part}»")
    else:
        text = chunk.decode("utf-8", errors="replace").lstrip("\ufeff")
    declared = _ENCODING.search(text[:200]) if text.startswith("<?xml") else None
    if declared and declared.group(1).lower().replace("_", "-") not in _ENCODINGS:
        raise HostileFile("file-xml-forbidden", f"mã hóa «{declared.group(1)}» trong phần «{part}»")
    i = 0
    while True:
        start = text.find("<", i)
        if start < 0:
            return
        rest = text[start:start + 9]
        if rest.startswith("<?"):
            end = text.find("?>", start)
        elif rest.startswith("<!--"):
            end = text.find("-->", start)
        elif rest.upper().startswith("<!DOCTYPE") or rest.startswith("<!ENTITY") or rest.startswith("<!"):
            raise HostileFile("file-xml-forbidden", f"khai báo «{rest.strip()}…» trong phần «{part}»")
        elif len(rest) > 1 and (rest[1].isalpha() or rest[1] in "_:"):
            return  # the root element: the prolog is over
        else:
            raise HostileFile("file-xml-forbidden", f"phần «{part}» không bắt đầu bằng một phần tử XML")
        if end < 0:
            return
        i = end + 2
