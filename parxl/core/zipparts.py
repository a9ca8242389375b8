"""Zip packages (.xlsx, .docx) assembled from members compressed once: the one zip stamper.

The unit workbooks (``workbook.stamping``), the check's feedback workbooks (``ledger.sheet_xml``) and the
notices (``documents.render``) are many packages that share most of their members: each member is
compressed once (``Member``), and each package only writes the zip records around the bytes already
compressed (``package``; ``Prefix`` when the shared members come first, their records written once too).
The records are those zipfile writes for a member that is not ZIP64 (version 2.0, the UTF-8 flag on a
non-ASCII name); ``Stamp`` says their time, date and the system and attributes they were "made by".

A member whose compressed bytes are made elsewhere (the master's detail rows, compressed in another process)
is added to a ``zipfile.ZipFile`` being written by ``add_raw``: zipfile has no public call for that, and
this is the one place parxl uses its private attributes (tests/test_zipparts.py holds it to zipfile's own
output).
"""
from __future__ import annotations

import shutil
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_UTF8 = 0x800
DEFLATED, STORED = zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED


@dataclass(frozen=True)
class Stamp:
    """What every record of a package says besides its member: the MS-DOS ``time`` and ``date`` (the zip
    format's 2-second clock), the "version made by" (``made_by``: 20, or 20 | 3 << 8 for Unix) and the
    external attributes. The default is XlsxWriter's: 1980-01-01 00:00, no system, no attributes (no
    clock in the file)."""

    time: int = 0
    date: int = (1 << 5) | 1
    made_by: int = 20
    attributes: int = 0

    @classmethod
    def written_at(cls, when: float) -> Stamp:
        """The records ``zipfile.ZipFile.writestr`` writes at ``when`` (seconds since the epoch, local time;
        a year before 1980 as 1980): made by Unix, file mode 0600."""
        t = time.localtime(when)
        return cls(t.tm_hour << 11 | t.tm_min << 5 | t.tm_sec // 2,
                   (max(t.tm_year, 1980) - 1980) << 9 | t.tm_mon << 5 | t.tm_mday, 20 | 3 << 8, 0o600 << 16)


class Member:
    """One member of a package, compressed once: its name (bytes, UTF-8), CRC-32 and size (bytes) of the
    content, the compressed bytes ``data`` and the ``method`` (``DEFLATED`` or ``STORED``)."""

    __slots__ = ("name", "crc", "size", "data", "method")

    def __init__(self, name: bytes, crc: int, size: int, data: bytes, method: int = DEFLATED):
        self.name, self.crc, self.size, self.data, self.method = name, crc, size, data, method

    @classmethod
    def deflated(cls, name: str, content: bytes, level: int = 6) -> Member:
        """The member ``name`` holding ``content`` deflated at zlib ``level`` (6: zlib's default, as
        ``zipfile.ZIP_DEFLATED`` and XlsxWriter) as a raw stream."""
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return cls(name.encode("utf-8"), zlib.crc32(content), len(content), packer.compress(content) + packer.flush())

    @classmethod
    def stored(cls, name: str, content: bytes) -> Member:
        """The member ``name`` holding ``content`` uncompressed."""
        return cls(name.encode("utf-8"), zlib.crc32(content), len(content), content, STORED)


def records(members: Iterable[Member], stamp: Stamp, offset: int = 0) -> tuple[bytes, bytes, int]:
    """(local records with the members' data, their central directory entries, how many) of ``members`` in
    order, the first one's local record at byte ``offset`` of the package."""
    local: list[bytes] = []
    central: list[bytes] = []
    count = 0
    for m in members:
        flags = 0 if m.name.isascii() else _UTF8
        local += (_LOCAL.pack(0x04034B50, 20, flags, m.method, stamp.time, stamp.date, m.crc, len(m.data), m.size,
                              len(m.name), 0), m.name, m.data)
        central.append(_CENTRAL.pack(0x02014B50, stamp.made_by, 20, flags, m.method, stamp.time, stamp.date, m.crc,
                                     len(m.data), m.size, len(m.name), 0, 0, 0, 0, stamp.attributes, offset) + m.name)
        offset += _LOCAL.size + len(m.name) + len(m.data)
        count += 1
    return b"".join(local), b"".join(central), count


def _end(count: int, central: int, offset: int) -> bytes:
    return _END.pack(0x06054B50, 0, 0, count, count, central, offset, 0)


def package(members: Sequence[Member], stamp: Stamp = Stamp()) -> bytes:
    """The zip bytes of ``members`` in this order (any one may be a document's own, in the middle), every
    record stamped ``stamp``. No ZIP64: a package below 4 GB."""
    local, central, count = records(members, stamp)
    return b"".join((local, central, _end(count, len(central), len(local))))


class Prefix:
    """Members every package of a kind begins with, their records written once: ``package(own)`` adds a
    package's own members after them."""

    def __init__(self, members: Iterable[Member], stamp: Stamp = Stamp()):
        self.stamp = stamp
        self.local, self.central, self.count = records(members, stamp)

    def package(self, own: Sequence[Member]) -> bytes:
        """The zip bytes of the prefix's members, then ``own`` in order."""
        local, central, count = records(own, self.stamp, len(self.local))
        count += self.count
        size = len(self.central) + len(central)
        return b"".join((self.local, local, self.central, central, _end(count, size, len(self.local) + len(local))))


def add_raw(zout: zipfile.ZipFile, info: zipfile.ZipInfo, crc: int, size: int, compressed: int,
            chunks: Iterable[bytes | Path]) -> None:
    """Add to ``zout`` (a ``ZipFile`` open for writing to a seekable file) the member ``info`` whose data is
    already compressed with ``info.compress_type``: ``chunks`` (bytes, or a file's path whose bytes are
    copied), ``compressed`` bytes in all, of content whose CRC-32 is ``crc`` and size ``size`` (bytes).
    The records are those ``zout.open(info, "w")`` writes for the same content (ZIP64 extra fields when a
    size needs them). Raises ``OSError`` when the file cannot be read or written."""
    info.CRC, info.file_size, info.compress_size, info.flag_bits = crc, size, compressed, 0
    if not info.external_attr:
        info.external_attr = 0o600 << 16  # as ``open(info, "w")``: ?rw-------
    # zipfile has no public call for compressed data: its own bookkeeping, as ``ZipFile._open_to_write`` and
    # ``_ZipWriteFile.close`` keep it.
    zout.fp.seek(zout.start_dir)
    info.header_offset = zout.fp.tell()
    zout.fp.write(info.FileHeader(None))
    for chunk in chunks:
        if isinstance(chunk, Path):
            with open(chunk, "rb") as f:
                shutil.copyfileobj(f, zout.fp, 1 << 20)
        else:
            zout.fp.write(chunk)
    zout.start_dir = zout.fp.tell()
    zout.filelist.append(info)
    zout.NameToInfo[info.filename] = info
