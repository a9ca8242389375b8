"""What a received file is, from its bytes (never from its name), before any parser sees it.

``identify(data) -> FileKind`` names the kind: ``xlsx`` (an OOXML workbook,
xlsx or xlsm), ``ods`` (an OpenDocument spreadsheet, converted elsewhere), or
one that parxl cannot read, with the finding code that says so and a
Vietnamese detail: an Excel binary workbook (.xlsb), an old .xls, an
encrypted workbook, a Word document, another OpenDocument file, a PDF, an
image, an archive, a CSV/text file, a web page or an XML Spreadsheet 2003,
random bytes. ``parxl.intake.submission.open_workbook`` is its one user; the
archive-or-workbook decision of ``parxl.ledger.receive`` is not made here.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from ..core.findings import FindingCode
from .container import ZIP_ERRORS
from .safety import ODS_MIME, sniff

_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
    (b"BM", "BMP"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
)
_ARCHIVES = (
    (b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
)
_ODF = {
    b"application/vnd.oasis.opendocument.text": "văn bản OpenDocument (.odt)",
    b"application/vnd.oasis.opendocument.presentation": "bài trình chiếu OpenDocument (.odp)",
}


@dataclass(frozen=True)
class FileKind:
    """What a received file is: ``kind`` («xlsx», «ods», or what it is instead: «xls», «pdf», «docx»…),
    the finding ``code`` when parxl cannot read it as a workbook (None for xlsx and ods), and a
    Vietnamese ``detail`` for the finding's message.
    """

    kind: str                 # "xlsx", "ods", or what it is instead
    code: FindingCode | None = None  # the finding code when parxl cannot read it as a workbook
    detail: str = ""


def identify(data: bytes) -> FileKind:
    """The kind of file ``data`` is; ``code`` is None only for ``xlsx`` and ``ods``."""
    coarse = sniff(data)
    if coarse.kind == "empty":
        return FileKind("empty", "file-empty")
    if coarse.kind == "zip":
        return _zip_kind(data)
    if coarse.kind == "ole-encrypted":
        return FileKind("encrypted", "file-encrypted")
    if coarse.kind == "ole-xls":
        return FileKind("xls", "file-xls")
    if coarse.kind == "ole-other":
        if "WordDocument".encode("utf-16-le") in data:
            return FileKind("doc", "file-word", "tệp .doc")
        return FileKind("ole", "file-not-workbook", coarse.detail)
    if data.startswith(b"%PDF"):
        return FileKind("pdf", "file-pdf")
    for magic, name in _IMAGES:
        if data.startswith(magic):
            return FileKind("image", "file-image", f"ảnh {name}")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return FileKind("image", "file-image", "ảnh WEBP")
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return FileKind("image", "file-image", "ảnh HEIC")
    for magic, name in _ARCHIVES:
        if data.startswith(magic):
            return FileKind("archive", "file-archive", f"tệp nén {name}")
    if data[257:262] == b"ustar":
        return FileKind("archive", "file-archive", "tệp nén tar")
    return _text_kind(data)


def _zip_kind(data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            mime = b""
            lower = {n.lower(): n for n in names}
            if "mimetype" in lower and zf.getinfo(lower["mimetype"]).file_size < 200:
                mime = zf.read(lower["mimetype"]).strip()
    except ZIP_ERRORS:  # let the xlsx reader name it (file-corrupt)
        return FileKind("xlsx")
    keys = {n.lower() for n in names}
    if mime == ODS_MIME:
        return FileKind("ods")
    if mime in _ODF:
        return FileKind("odf", "file-opendocument", _ODF[mime])
    if "xl/workbook.bin" in keys and "xl/workbook.xml" not in keys:
        return FileKind("xlsb", "file-xlsb")
    if any(k.startswith("xl/") for k in keys):
        return FileKind("xlsx")
    if "word/document.xml" in keys:
        return FileKind("docx", "file-word", "tệp .docx")
    if any(k.startswith("ppt/") for k in keys):
        return FileKind("pptx", "file-not-workbook", "bài trình chiếu PowerPoint")
    if "[content_types].xml" in keys:
        return FileKind("xlsx")  # an OOXML package without a workbook: the reader says what is missing
    files = [n for n in names if not n.endswith("/")]
    return FileKind("archive", "file-archive", f"tệp .zip chứa {len(files)} tệp")


def _text_kind(data: bytes) -> FileKind:
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    elif b"\x00" in head:
        return FileKind("unknown", "file-not-workbook", "nội dung không nhận dạng được")
    else:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
                text = head.decode("cp1258", errors="replace")
            else:
                text = head[: exc.start].decode("utf-8")
    text = text.lstrip("\ufeff \t\r\n")
    low = text[:4096].lower()
    if low.startswith("<"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in low or "excel.sheet" in low:
            return FileKind("xml2003", "file-html", "bảng tính «XML Spreadsheet 2003»")
        if low.startswith(("<html", "<!doctype html")) or "<html" in low or "<table" in low:
            return FileKind("html", "file-html", "trang web (HTML)")
        return FileKind("xml", "file-not-workbook", "tệp XML")
    if low.startswith("{\\rtf"):
        return FileKind("rtf", "file-word", "tệp RTF")
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
    if text and printable >= 0.97 * len(text) and "\ufffd" not in text:
        return FileKind("csv", "file-csv")
    return FileKind("unknown", "file-not-workbook", "nội dung không nhận dạng được")
