"""The one zip stamper (core.zipparts): packages assembled from members compressed once, and a member of
already compressed data added to a zipfile being written.

Oracles: zipfile's own output for the same members (``writestr``, ``open(..., "w")``) byte for byte,
zipfile's CRC check (``testzip``), and LibreOffice opening a stamped workbook, a package of a workbook's
parts, a notice and a spliced master (its text read back).
"""
from __future__ import annotations

import io
import random
import subprocess
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import xlsxwriter

from parxl.core.zipparts import Member, Prefix, Stamp, add_raw, package

rng = random.Random(11)
PARTS = [("[Content_Types].xml", b"<Types/>" * 40), ("xl/tệp-thử.xml", b""), ("docProps/app.xml", rng.randbytes(3000)),
         ("word/document.xml", "<w:t>Thông báo kết quả</w:t>".encode() * 500)]


def _zipfile_bytes(parts, date_time, system: int, attributes: int, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in parts:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type, info.create_system, info.external_attr = method, system, attributes
            z.writestr(info, content)
    return buffer.getvalue()


@pytest.mark.parametrize("when", [0.0, 1764579617.0, 1764579618.0])
def test_a_package_stamped_at_a_time_is_what_zipfiles_writestr_writes(when):
    """``Stamp.written_at``: the records of ``writestr`` (Unix, mode 0600) at that time; 1970 written as 1980."""
    t = time.localtime(when)
    expected = _zipfile_bytes(PARTS, (max(t.tm_year, 1980),) + tuple(t[1:6]), 3, 0o600 << 16)
    got = package([Member.deflated(n, c) for n, c in PARTS], Stamp.written_at(when))
    if t.tm_year < 1980:  # zipfile refuses a time before 1980; the stamp keeps the month, day and clock
        assert zipfile.ZipFile(io.BytesIO(got)).testzip() is None
        return
    assert got == expected


def test_the_default_stamp_is_a_package_without_a_clock_as_xlsxwriter_writes_it():
    """1980-01-01 00:00, no system; zipfile always writes some file attributes, so its bytes are compared
    with those attributes given, and the default's records read back as none."""
    for method, make in ((zipfile.ZIP_DEFLATED, Member.deflated), (zipfile.ZIP_STORED, Member.stored)):
        expected = _zipfile_bytes(PARTS, (1980, 1, 1, 0, 0, 0), 0, 0o600 << 16, method)
        assert package([make(n, c) for n, c in PARTS], Stamp(attributes=0o600 << 16)) == expected
        with zipfile.ZipFile(io.BytesIO(package([make(n, c) for n, c in PARTS]))) as z, \
                zipfile.ZipFile(io.BytesIO(expected)) as e:
            assert z.testzip() is None
            for got, want in zip(z.infolist(), e.infolist(), strict=True):
                assert got.external_attr == 0 and want.external_attr == 0o600 << 16
                got.external_attr = want.external_attr
                assert {k: getattr(got, k) for k in got.__slots__ if k != "_end_offset"} == \
                       {k: getattr(want, k) for k in want.__slots__ if k != "_end_offset"}


def test_a_prefix_and_own_members_make_the_package_of_all_of_them():
    members = [Member.deflated(n, c) for n, c in PARTS]
    for cut in range(len(members) + 1):
        prefix = Prefix(members[:cut])
        assert prefix.package(members[cut:]) == package(members)
    mixed = [Member.stored(*PARTS[0]), Member.deflated(*PARTS[3])]
    data = Prefix(members[1:3]).package(mixed)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert [(i.filename, z.read(i)) for i in z.infolist()] == [PARTS[1], PARTS[2], PARTS[0], PARTS[3]]


@pytest.mark.parametrize("size", [0, 1, 70_000])
def test_a_member_added_raw_is_what_zipfile_writes_for_its_content(tmp_path, size):
    """``add_raw`` (zipfile's private bookkeeping, in one place) against ``ZipFile.open(..., "w")`` byte for
    byte, with a member before and after; the data given as bytes and as a file's path."""
    content = (b"<row>" + rng.randbytes(40) + b"</row>") * (size // 50) + b"x" * (size % 50)
    info = lambda name: zipfile.ZipInfo(name, date_time=(2025, 12, 20, 8, 15, 0))  # noqa: E731

    def write(path: Path, raw: bool) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr(info("a.xml"), b"before")
            member = info("xl/worksheets/sheet1.xml")
            member.compress_type = zipfile.ZIP_DEFLATED
            if raw:
                half = len(content) // 2
                first = zlib.compressobj(1, zlib.DEFLATED, -15)
                head = first.compress(content[:half]) + first.flush(zlib.Z_SYNC_FLUSH)
                (tmp_path / "rest.bin").write_bytes(first.compress(content[half:]) + first.flush())
                compressed = len(head) + (tmp_path / "rest.bin").stat().st_size
                add_raw(z, member, zlib.crc32(content), len(content), compressed, (head, tmp_path / "rest.bin"))
            else:
                with z.open(member, "w") as out:
                    out.write(content)
            z.writestr(info("z.xml"), b"after")

    write(tmp_path / "own.zip", False)
    write(tmp_path / "raw.zip", True)
    with zipfile.ZipFile(tmp_path / "raw.zip") as z:
        assert z.testzip() is None and z.read("xl/worksheets/sheet1.xml") == content
    # the same records; the deflate data differs only by the sync flush's empty block in the middle
    own = (tmp_path / "own.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "own.zip") as a, zipfile.ZipFile(tmp_path / "raw.zip") as b:
        for x, y in zip(a.infolist(), b.infolist(), strict=True):
            assert (x.filename, x.CRC, x.file_size, x.header_offset if x.filename == "a.xml" else 0, x.date_time,
                    x.create_system, x.create_version, x.extract_version, x.flag_bits, x.external_attr, x.extra) == \
                   (y.filename, y.CRC, y.file_size, y.header_offset if y.filename == "a.xml" else 0, y.date_time,
                    y.create_system, y.create_version, y.extract_version, y.flag_bits, y.external_attr, y.extra)
    if size == 0:
        return
    # one stream without a flush in the middle: the raw member is zipfile's own, byte for byte
    with zipfile.ZipFile(tmp_path / "one.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(info("a.xml"), b"before")
        member = info("xl/worksheets/sheet1.xml")
        member.compress_type = zipfile.ZIP_DEFLATED
        packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # zipfile's for a ZipInfo given
        data = packer.compress(content) + packer.flush()
        add_raw(z, member, zlib.crc32(content), len(content), len(data), (data,))
        z.writestr(info("z.xml"), b"after")
    assert (tmp_path / "one.zip").read_bytes() == own


def _soffice_text(paths: list[Path], target: str, tmp: Path) -> dict[str, str]:
    from support.libreoffice import find_soffice, make_profile
    out = tmp / f"out-{target.split(':')[0]}"
    with tempfile.TemporaryDirectory(prefix="parxl-lo-") as profile:
        subprocess.run([find_soffice(), f"-env:UserInstallation={make_profile(Path(profile))}", "--headless",
                        "--norestore", "--convert-to", target, "--outdir", str(out), *map(str, paths)],
                       check=True, capture_output=True, timeout=300)
    return {p.stem: p.read_text(encoding="utf-8", errors="replace") for p in sorted(out.iterdir())}


def test_libreoffice_opens_a_package_of_each_kind(tmp_path):
    """A unit's stamped workbook, a package of an XlsxWriter workbook's parts (as the feedback workbooks are
    assembled), a notice and a master with its rows spliced raw: LibreOffice reads each one's text."""
    from parxl.campaign.folder import load_campaign
    from parxl.documents.notices import notice_context, notice_shared, notified, TEMPLATE
    from parxl.documents.render import campaign_template, render_many
    from parxl.master import write_master
    from parxl.workbook.build import Identity
    from parxl.workbook.stamping import Package, Template
    from test_master import sample_results

    campaign = load_campaign(Path(__file__).resolve().parents[1] / "samples" / "kinh-mon-2025")
    unit = campaign.units[0]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "stamped.xlsx").write_bytes(Template.for_campaign(campaign).stamp(Identity.of(unit)))
    wb = xlsxwriter.Workbook(str(tmp_path / "plain.xlsx"))
    wb.add_worksheet("Một").write_string(0, 0, "Ô được ghép")
    wb.close()
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    own = [(n, parts.pop(n)) for n in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")]
    (tmp_path / "in" / "assembled.xlsx").write_bytes(Package(parts).assemble(own))
    results = sample_results(tmp_path / "s")
    master = write_master(results, tmp_path / "master")
    (tmp_path / "in" / "master.xlsx").write_bytes(master.read_bytes())
    shared = notice_shared(results)
    units = notified(results)
    docs = render_many(campaign_template(results.campaign.root, TEMPLATE),
                       [notice_context(results, u, shared) for u in units[:2]])
    (tmp_path / "in" / "notice.docx").write_bytes(docs[1])  # the second: the package ``_package`` assembles
    for path in (tmp_path / "in").iterdir():
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None, path
    sheets = _soffice_text(sorted((tmp_path / "in").glob("*.xlsx")), "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)
    assert unit.name in sheets["stamped"]  # its first sheet says «Đơn vị: <name>»
    assert "Ô được ghép" in sheets["assembled"]
    assert units[0].unit.name in sheets["master"]
    text = _soffice_text([tmp_path / "in" / "notice.docx"], "txt:Text", tmp_path)["notice"]
    assert units[1].unit.name in text
