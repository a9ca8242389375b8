"""Filled workbooks for the check tests, and edits at the XML level (what a user or a tool could do).

``filled(campaign, unit, **overrides)`` builds a unit's workbook with the
generator, with answers, evidence and cached values (parxl's own scores) for
the mini criteria set (tests/fixtures/mini.yaml); its self-assessed total is
``MINI_TOTAL``. The edit helpers rewrite one zip part and return new bytes.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from decimal import Decimal
from xml.sax.saxutils import escape

from parxl.workbook import layout
from parxl.workbook.build import Fill, build_workbook
from parxl.xlsx.container import XlsxFile

MINI_ANSWERS = {
    "1.1": {"choice": "Ban hành kịp thời"},          # 1
    "1.2": {"choice": "Đạt"},                        # 1
    "1.3": {"numerator": Decimal(95), "denominator": Decimal(100)},  # 95 % -> 2
    "1.4": {"count": Decimal(1)},                    # 2 - 0,5 = 1,5
    "1.5": {"score": Decimal("0.75")},               # 0,75
    "T1": {"choice": "Đạt"},                         # bonus 1
    "D1": {"count": Decimal(0)},                     # penalty 0
}
MINI_TOTAL = Decimal("7.25")
# Rows of the mini set (layout.plan_rows): field 1 on 6, items 1.1–1.5 on 7–11, field 2 on 12, 2.1 on 13,
# bonus header 14, T1 15, penalty header 16, D1 17, total 18.
ROW = {"1": 6, "1.1": 7, "1.2": 8, "1.3": 9, "1.4": 10, "1.5": 11, "2": 12, "2.1": 13, "T1": 15, "D1": 17, "total": 18}


def mini_fill(answers=None, evidence=None, explanations=None) -> Fill:
    ev = {code: [f"https://kinhmon.haiduong.gov.vn/van-ban/{code}.pdf"] for code in ("1.1", "1.2", "1.3", "1.4", "1.5", "T1")}
    return Fill(answers={**MINI_ANSWERS, **(answers or {})}, evidence={**ev, **(evidence or {})},
                explanations=explanations or {})


def filled(campaign, unit, answers=None, evidence=None, explanations=None) -> bytes:
    return build_workbook(campaign, unit, mini_fill(answers, evidence, explanations))


def part_of(data: bytes, sheet: str) -> str:
    info = XlsxFile(data).sheet(sheet)
    assert info is not None and info.part
    return info.part


def edit_part(data: bytes, part: str, fn: Callable[[str], str]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == part:
                body = fn(body.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, body)
    return out.getvalue()


def _cell_pattern(ref: str) -> re.Pattern:
    return re.compile(rf'<c r="{ref}"(?: [^>]*?)?(?:/>|>.*?</c>)', re.S)


def set_cell_xml(data: bytes, ref: str, inner: str, attrs: str = "", sheet: str = layout.SHEET_ASSESS) -> bytes:
    """Replace (or add) cell ``ref`` of ``sheet`` with ``<c r=ref attrs>inner</c>``."""
    new = f'<c r="{ref}"{attrs}>{inner}</c>'
    row = int(re.sub(r"[A-Z]", "", ref))

    def fn(xml: str) -> str:
        pattern = _cell_pattern(ref)
        if pattern.search(xml):
            return pattern.sub(lambda m: new, xml, count=1)
        m = re.search(rf'<row r="{row}"[^>]*?(/>|>)', xml)
        assert m, f"row {row} not in sheet"
        if m.group(1) == "/>":
            return xml[:m.start()] + m.group(0)[:-2] + ">" + new + "</row>" + xml[m.end():]
        end = xml.index("</row>", m.end())
        return xml[:end] + new + xml[end:]  # cells stay readable even out of order
    return edit_part(data, part_of(data, sheet), fn)


def set_text(data: bytes, ref: str, text: str, sheet: str = layout.SHEET_ASSESS) -> bytes:
    return set_cell_xml(data, ref, f"<is><t>{escape(text)}</t></is>", ' t="inlineStr"', sheet)


def set_number(data: bytes, ref: str, number, sheet: str = layout.SHEET_ASSESS) -> bytes:
    return set_cell_xml(data, ref, f"<v>{number}</v>", "", sheet)


def set_formula(data: bytes, ref: str, formula: str, cached=0) -> bytes:
    return set_cell_xml(data, ref, f"<f>{escape(formula.lstrip('='))}</f><v>{cached}</v>")


def set_cached(data: bytes, ref: str, cached) -> bytes:
    """Keep the formula of ``ref``, change only its cached value."""
    def fn(xml: str) -> str:
        return re.sub(rf'(<c r="{ref}"[^>]*>\s*<f>.*?</f>\s*<v>)[^<]*(</v>)', rf"\g<1>{cached}\g<2>", xml, count=1, flags=re.S)
    return edit_part(data, part_of(data, layout.SHEET_ASSESS), fn)


def set_meta(data: bytes, key: str, value: str) -> bytes:
    return set_text(data, f"B{layout.META_KEYS.index(key) + 1}", value, layout.SHEET_META)


def remove_sheet(data: bytes, name: str) -> bytes:
    return edit_part(data, "xl/workbook.xml", lambda xml: re.sub(rf'<sheet name="{re.escape(name)}"[^>]*/>', "", xml))


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def ole_container(streams: dict[str, bytes]) -> bytes:
    """A valid OLE compound file (CFB v3, 512-byte sectors) holding ``streams`` at its root.

    What Excel writes for a password-protected workbook is such a container with
    the streams "EncryptionInfo" and "EncryptedPackage". Streams are padded to
    4 KB so that they live in regular sectors (no mini stream needed).
    """
    import struct

    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    bodies = [body.ljust(4096, b"\0") for body in streams.values()]
    fat = [fat_sect, end]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for body in bodies:
        n = len(body) // 512 + (len(body) % 512 > 0)
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [end]
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le")
        return (raw.ljust(64, b"\0") + struct.pack("<HBB3I", len(raw), kind, 1, nostream, right, child)
                + b"\0" * 16 + struct.pack("<IQQIQ", 0, 0, 0, start, size))
    names = list(streams)
    entries = [entry("Root Entry", 5, nostream, 1, end, 0)]
    for i, (name, body) in enumerate(zip(names, bodies)):
        entries.append(entry(name, 2, i + 2 if i + 1 < len(names) else nostream, nostream, starts[i], len(body)))
    while len(entries) < 4:
        entries.append(b"\0" * 64 + struct.pack("<HBB3I", 0, 0, 0, nostream, nostream, nostream) + b"\0" * 48)
    assert len(entries) == 4
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16
              + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *([free] * 108)))
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + b"".join(entries) + b"".join(bodies)
