"""Fast per-unit workbooks: build once with placeholder identity, then stamp each unit in.

All unit workbooks of a campaign are the same but for the unit's code, name
and kind, which XlsxWriter stores in ``xl/sharedStrings.xml`` only (sheet
XML refers to strings by index; docProps hold campaign-wide text). So we
build one template with unique placeholder strings, keep every other part
already compressed, and per unit only substitute the XML-escaped identity
into the shared strings, deflate that one part and assemble the zip (``core.zipparts``). The
shared-strings part is written last so everything before it is one
constant block of bytes.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from io import BytesIO

from pathlib import Path

from ..campaign.folder import Campaign
from ..campaign.units import Unit
from ..core.errors import ParxlError
from ..core.files import ordinary_mode, safe_file_stem, write_atomic
from ..core.progress import Progress
from ..core.zipparts import Member, Prefix
from ..criteria.model import kind_key
from .build import Identity, build_bytes, clean_text

SST = "xl/sharedStrings.xml"
_SST_NAME = SST.encode("ascii")
# Placeholders: plain ASCII (nothing to escape), delimited so none is a prefix of another.
TOKENS = Identity(code="@@parxl-unit-code@@", name="@@parxl-unit-name@@", kind="@@parxl-unit-kind@@")
_TOKEN_MARK = "@@parxl-unit-"


def escape_sst_text(text: str) -> str:
    """Text as XlsxWriter would write it in a shared string: _xHHHH_ literals escaped, then XML."""
    text = re.sub(r"(_x[0-9a-fA-F]{4}_)", r"_x005F\1", text)
    text = re.sub(r"([\x00-\x08\x0b-\x1f])", lambda m: f"_x{ord(m.group(1)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _deflate(raw: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush()


STORE_BELOW = 8192  # a file's own member smaller than this is stored, not deflated (a few KB; no zlib call)


class Package:
    """A zip package (an .xlsx) whose members are all the same for every file but a few: the fixed ones
    are deflated once, and each file only deflates its own members and assembles the zip.

    ``parts``: member name (ASCII) -> uncompressed bytes, the fixed members in their order.
    """

    def __init__(self, parts: dict[str, bytes]):
        self._prefix = Prefix(Member.deflated(name, raw) for name, raw in parts.items())

    def assemble(self, own: list[tuple[str, bytes]]) -> bytes:
        """The package's bytes: the fixed members, then ``own`` ((ASCII name, uncompressed bytes), in order;
        stored when smaller than ``STORE_BELOW`` bytes, else deflated)."""
        return self._prefix.package([Member.stored(name, raw) if len(raw) < STORE_BELOW else Member.deflated(name, raw)
                                     for name, raw in own])


class Template:
    """A campaign's workbook with placeholders, ready to stamp units into."""

    def __init__(self, xlsx: bytes):
        with zipfile.ZipFile(BytesIO(xlsx)) as z:
            parts = {info.filename: z.read(info) for info in z.infolist()}
        if SST not in parts:
            raise ParxlError("Biểu mẫu mẫu không có bảng chuỗi dùng chung (sharedStrings.xml).")
        self._sst = parts.pop(SST).decode("utf-8")
        for name, raw in parts.items():  # identity anywhere else could not be stamped
            if _TOKEN_MARK.encode() in raw:
                raise ParxlError(f"Thông tin đơn vị nằm ngoài bảng chuỗi dùng chung ({name}); không thể đóng dấu nhanh.")
        for token in (TOKENS.code, TOKENS.name, TOKENS.kind):
            if self._sst.count(token) == 0:
                raise ParxlError(f"Biểu mẫu mẫu thiếu chỗ giữ «{token}».")
        self._prefix = Prefix(Member.deflated(name, raw) for name, raw in parts.items())
        # The shared strings after the last placeholder (the criteria set's long texts) are the same for
        # every unit: deflated once as a stream of their own, which per unit follows the unit's own part
        # flushed to a byte boundary (a valid deflate stream: the tail refers back to nothing before it).
        cut = max(self._sst.rfind(t) + len(t) for t in (TOKENS.code, TOKENS.name, TOKENS.kind))
        self._sst, tail = self._sst[:cut], self._sst[cut:].encode("utf-8")
        self._tail, self._tail_size, self._tail_deflated = tail, len(tail), _deflate(tail)

    @classmethod
    def for_campaign(cls, campaign: Campaign, kind: str | None = None) -> Template:
        """The campaign's workbook built once with placeholder identity texts, ready to stamp.

        Raises ParxlError when the campaign's own texts contain the reserved placeholder mark
        («@@parxl-unit-»), or (from ``__init__``) when the built workbook cannot be stamped (no shared
        strings, a placeholder missing or outside them). ``kind``: the unit type whose rows it holds
        (``Framework.for_kind``; None when no item depends on the type).
        """
        for text in (campaign.id, campaign.config.model_dump_json(), campaign.framework.model.model_dump_json()):
            if _TOKEN_MARK in text:
                raise ParxlError(f"Nội dung đợt đánh giá chứa chuỗi dành riêng «{_TOKEN_MARK}».")
        return cls(build_bytes(campaign, TOKENS, kind=kind))

    def stamp(self, identity: Identity) -> bytes:
        """The workbook of one unit, showing exactly what ``build_bytes(campaign, identity)`` shows.

        Part by part it is identical too, unless an identity text equals another
        string of the workbook (XlsxWriter would then share one entry).
        """
        head = (self._sst.replace(TOKENS.code, escape_sst_text(identity.code))
                .replace(TOKENS.name, escape_sst_text(identity.name))
                .replace(TOKENS.kind, escape_sst_text(identity.kind))).encode("utf-8")
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH) + self._tail_deflated
        return self._prefix.package([Member(_SST_NAME, zlib.crc32(self._tail, zlib.crc32(head)),
                                            len(head) + self._tail_size, data)])


def workbook_filename(unit: Unit) -> str:
    """«CODE - Name.xlsx» (``core.files.safe_file_stem``: safe on Windows, at most 120 characters and
    200 UTF-8 bytes before «.xlsx», NFC kept); «don-vi.xlsx» when nothing is left. Never raises."""
    return safe_file_stem(f"{clean_text(unit.code)} - {clean_text(unit.name)}", fallback="don-vi") + ".xlsx"


def generate(campaign: Campaign, progress: Progress | None = None) -> list[Path]:
    """Write every unit's workbook into ``campaign.workbooks_dir``; return the paths, in unit order.

    ``progress`` (``core.progress.Progress``) gets ``(done, number of units, file name)`` after each
    workbook. Raises ``ParxlError`` when two units would get the same file name, ``OSError`` when the
    folder cannot be written.
    """
    names = [workbook_filename(u) for u in campaign.units]
    seen: dict[str, str] = {}
    for unit, name in zip(campaign.units, names):
        other = seen.setdefault(name.casefold(), unit.code)
        if other != unit.code:  # Windows does not tell «X01» from «x01»
            raise ParxlError(f"Hai đơn vị «{other}» và «{unit.code}» cho cùng một tên tệp «{name}»; hãy sửa mã đơn vị.")
    templates: dict[str, Template] = {}  # one per unit type when items depend on it (applies_to)
    typed = campaign.framework.has_applies_to
    out = campaign.workbooks_dir
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    mode = ordinary_mode()
    for done, (unit, name) in enumerate(zip(campaign.units, names), start=1):
        key = kind_key(unit.kind) if typed else ""
        if key not in templates:
            templates[key] = Template.for_campaign(campaign, unit.kind if typed else None)
        paths.append(write_atomic(out / name, templates[key].stamp(Identity.of(unit)), mode))
        if progress:
            progress(done, len(names), name)
    return paths


