"""Hostile and foreign files: each gets one clear finding naming the file, and never stops the batch."""
from __future__ import annotations

import io
import random
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from conftest import make_campaign
from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import validate
from parxl.ledger.receive import run_intake
from parxl.workbook import layout
from parxl.xlsx import ods as submission_ods
from support.tamper import MINI_TOTAL, edit_part, filled, ole_container, part_of, zip_bytes
from support.libreoffice import ODS, XLS, uno_edit_many


def only_finding(campaign, data: bytes, name: str = "inbox/tep-gui-ve.xlsx"):
    sub = read_submission(data, name=name, max_row=expected_max_row(campaign.framework))
    report = validate(campaign, sub)
    assert len(report.findings) == 1, [(f.code, f.message) for f in report.findings]
    finding = report.findings[0]
    assert finding.severity == "error" and report.status == "unreadable"
    assert name in finding.message
    return finding


def test_empty_file(campaign):
    assert only_finding(campaign, b"").code == "file-empty"


def test_random_bytes(campaign):
    assert only_finding(campaign, random.Random(7).randbytes(5000)).code == "file-not-workbook"


def test_truncated_zip(campaign):
    data = filled(campaign, campaign.units[0])
    for cut in (len(data) // 2, len(data) - 30):
        assert only_finding(campaign, data[:cut]).code == "file-corrupt"


def test_zip_that_is_not_a_workbook(campaign):
    docx_like = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert only_finding(campaign, docx_like).code == "file-word"
    package = zip_bytes({"[Content_Types].xml": b"<Types/>", "docProps/core.xml": b"<c/>"})
    assert only_finding(campaign, package).code == "file-not-workbook"


def test_zip_bomb(campaign):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            block = b"\0" * (1 << 20)
            for _ in range(64):
                fh.write(block)
    data = out.getvalue()
    assert len(data) < 1 << 20
    finding = only_finding(campaign, data)
    assert finding.code == "file-zip-bomb" and "sheet1.xml" in finding.message


@pytest.mark.parametrize("part_kind", ["workbook", "shared", "sheet"])
def test_xml_entities_are_refused(campaign, part_kind):
    data = filled(campaign, campaign.units[0])
    part = {"workbook": "xl/workbook.xml", "shared": "xl/sharedStrings.xml",
            "sheet": part_of(data, layout.SHEET_ASSESS)}[part_kind]
    dtd = ('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>')

    def inject(xml: str) -> str:
        head, sep, rest = xml.partition("?>")
        return head + sep + "\n" + dtd + rest
    finding = only_finding(campaign, edit_part(data, part, inject))
    assert finding.code == "file-xml-forbidden"
    assert "passwd" not in finding.message


def test_two_million_rows_are_not_read(campaign):
    data = filled(campaign, campaign.units[0])
    part = part_of(data, layout.SHEET_ASSESS)
    src = zipfile.ZipFile(io.BytesIO(data))
    head, _, tail = src.read(part).decode().partition("</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != part:
                zf.writestr(info.filename, src.read(info))
        with zf.open(part, "w", force_zip64=True) as fh:
            fh.write(head.encode())
            for start in range(100, 2_000_100, 100_000):
                fh.write("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                                 for r in range(start, start + 100_000)).encode())
            fh.write(("</sheetData>" + tail).encode())
    big = out.getvalue()
    assert zipfile.ZipFile(io.BytesIO(big)).getinfo(part).file_size > 60_000_000
    tracemalloc.start()
    sub = read_submission(big, name="inbox/X01 - Phường An Lưu.xlsx", max_row=expected_max_row(campaign.framework))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 30 * (1 << 20)  # the rows past the layout are never held (speed: benchmarks/bench_reader.py)
    report = validate(campaign, sub)
    assert [(f.code, f.severity) for f in report.findings] == [("sheet-oversized", "warning")]
    assert report.total_self == MINI_TOTAL


def test_workbook_of_another_campaign(tmp_path, campaign):
    other = make_campaign(tmp_path / "khac", year=2027)
    finding = only_finding(campaign, filled(other, other.units[0]))
    assert finding.code == "identity-other-campaign"


def test_ods_without_libreoffice(campaign, monkeypatch):
    ods = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    monkeypatch.setattr(submission_ods, "soffice_path", lambda: None)
    finding = only_finding(campaign, ods, "inbox/X01.ods")
    assert finding.code == "file-ods-unsupported" and "LibreOffice" in finding.message


@pytest.fixture(scope="module")
def office_files(tmp_path_factory, soffice):
    """The same filled workbook saved by LibreOffice as .xls and as .ods."""
    root = tmp_path_factory.mktemp("office")
    campaign = make_campaign(root / "dot")
    src = root / "src.xlsx"
    src.write_bytes(filled(campaign, campaign.units[0]))
    jobs = [{"src": src, "dest": root / "X01.xls", "filter": XLS},
            {"src": src, "dest": root / "X01.ods", "filter": ODS}]
    uno_edit_many(jobs, soffice=soffice)
    return campaign, {p.suffix: p.read_bytes() for p in (j["dest"] for j in jobs)}


def encrypted_workbook() -> bytes:
    """What Excel writes for a workbook with an opening password: an OLE container, not a zip."""
    info = bytes.fromhex("04000400") + b"\x40\x00\x00\x00" + b"<?xml version=\"1.0\"?><encryption/>"
    return ole_container({"EncryptionInfo": info, "EncryptedPackage": random.Random(3).randbytes(9000)})


@pytest.mark.libreoffice
def test_xls_file(office_files):
    campaign, files = office_files
    assert files[".xls"][:4] == b"\xd0\xcf\x11\xe0"
    assert only_finding(campaign, files[".xls"], "inbox/X01.xls").code == "file-xls"


def test_password_encrypted_file(campaign):
    data = encrypted_workbook()
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    finding = only_finding(campaign, data, "inbox/X01.xlsx")
    assert finding.code == "file-encrypted" and "mật khẩu" in finding.message


@pytest.mark.libreoffice
def test_ods_is_converted_through_libreoffice(office_files):
    campaign, files = office_files
    sub = read_submission(files[".ods"], name="inbox/X01 - Phường An Lưu.ods", max_row=200)
    report = validate(campaign, sub)
    assert [(f.code, f.severity) for f in report.findings] == [("file-ods-converted", "info")]
    assert report.status == "ok" and report.total_self == MINI_TOTAL


@pytest.mark.libreoffice
def test_a_batch_of_hostile_files_never_stops(tmp_path, office_files):
    campaign, files = office_files
    camp = make_campaign(tmp_path / "dot")
    good = filled(camp, camp.units[0])
    other = make_campaign(tmp_path / "khac", year=2027)
    hostile = {
        "rong.xlsx": b"",
        "ngau-nhien.xlsx": random.Random(1).randbytes(3000),
        "cat-ngang.xlsx": good[: len(good) // 2],
        "cu.xls": files[".xls"],
        "mat-khau.xlsx": encrypted_workbook(),
        "dot-khac.xlsx": filled(other, other.units[1]),
    }
    inbox = camp.inbox_dir
    (inbox / "X01 - Phường An Lưu.xlsx").write_bytes(good)
    for name, data in hostile.items():
        (inbox / name).write_bytes(data)
    result = run_intake(camp, workers=2)
    by_name = {Path(r.path).name: r for r in result.files}
    assert by_name["X01 - Phường An Lưu.xlsx"].report.status == "ok"
    for name in hostile:
        report = by_name[name].report
        assert report.status == "unreadable" and len(report.findings) == 1, name
        assert name in report.findings[0].message
    assert [s.unit_code for s in result.latest] == ["X01"]
    assert result.missing == ["X02", "X03"]
    shutil.rmtree(tmp_path / "khac")


def test_file_too_large_is_never_loaded(tmp_path, campaign):
    from parxl.xlsx.safety import MAX_FILE_BYTES
    big = tmp_path / "X01 - Phường An Lưu.xlsx"
    with big.open("wb") as fh:  # sparse: no disk used, nothing worth reading
        fh.truncate(MAX_FILE_BYTES + 1)
    sub = read_submission(big, name="inbox/X01 - Phường An Lưu.xlsx")
    report = validate(campaign, sub)
    assert [f.code for f in report.findings] == ["file-too-large"] and report.named_unit == "X01"
    assert "50,0 MB" in report.findings[0].message


def test_archive_without_workbook_and_broken_archive(campaign):
    (campaign.inbox_dir / "tai-lieu.zip").write_bytes(zip_bytes({"ke-hoach.pdf": b"%PDF-1.4"}))
    good = zip_bytes({"X01.xlsx": b"x" * 100, "a.pdf": b"%PDF"})
    (campaign.inbox_dir / "hong.zip").write_bytes(good[:40])
    result = run_intake(campaign, workers=1)
    findings = {r.path: [f.code for f in r.report.findings] for r in result.files if r.report}
    assert findings["inbox/tai-lieu.zip!/"] == ["file-archive-no-workbook"]
    assert findings["inbox/hong.zip"] == ["file-corrupt"]  # a truncated zip cannot be opened as an archive either


# One file never stops `check`, and every received file is kept (issue 11, point 6) ----------------------
def _central_entries(data: bytes):
    """(offset of each central-directory entry, its member name), read from the zip's own bytes."""
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        n = int.from_bytes(data[at + 28:at + 30], "little")
        yield at, data[at + 46:at + 46 + n].decode()
        at += 4


def with_compression_method(data: bytes, member: str, method: int) -> bytes:
    """The zip with ``member``'s method field set to ``method`` in its local header and central entry."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = zf.getinfo(member).header_offset
    out[local + 8:local + 10] = method.to_bytes(2, "little")
    for at, name in _central_entries(data):
        if name == member:
            out[at + 10:at + 12] = method.to_bytes(2, "little")
    return bytes(out)


def with_version_needed(data: bytes, major: int, minor: int) -> bytes:
    """The zip with every central entry declaring "version needed to extract" ``major.minor``."""
    out = bytearray(data)
    for at, _ in _central_entries(data):
        out[at + 6:at + 8] = (major * 10 + minor).to_bytes(2, "little")
    return bytes(out)


def test_check_goes_on_past_an_unknown_compression_method_and_version_6_4_and_keeps_both_files(campaign):
    import hashlib
    import json

    from click.testing import CliRunner

    from parxl.ledger.check_report_xlsx import FINDINGS_FILE
    from parxl.cli import main
    from parxl.ledger.store import Ledger

    archive = with_compression_method(zip_bytes({
        "X01 - Phường An Lưu.xlsx": filled(campaign, campaign.unit("X01")), "minh-chung.pdf": b"%PDF-1.4 ok"}),
        "X01 - Phường An Lưu.xlsx", 99)
    with pytest.raises(NotImplementedError):  # what made the whole run stop
        zipfile.ZipFile(io.BytesIO(archive)).read("X01 - Phường An Lưu.xlsx")
    v64 = with_version_needed(filled(campaign, campaign.unit("X02")), 6, 4)
    with pytest.raises(NotImplementedError):
        zipfile.ZipFile(io.BytesIO(v64))
    inbox = campaign.inbox_dir
    (inbox / "X01.zip").write_bytes(archive)
    (inbox / "X02 - Xã Lê Ninh.xlsx").write_bytes(v64)
    (inbox / "X03 - Xã Hiến Thành.xlsx").write_bytes(filled(campaign, campaign.unit("X03")))
    out = CliRunner().invoke(main, ["check", str(campaign.root), "--json"])
    assert "Lỗi không mong đợi" not in out.output and out.exit_code in (1, 3), out.output
    doc = json.loads(out.stdout)
    assert [(u["code"], u["status"]) for u in doc["units"]] == [("X03", "ok")]  # the batch went on
    assert (campaign.output_dir / FINDINGS_FILE).is_file()  # and the run wrote its report
    files = {f["path"]: f for f in doc["files"]}
    member = files["inbox/X01.zip!/X01 - Phường An Lưu.xlsx"]
    assert [f["code"] for f in member["findings"]] == ["file-corrupt"] and member["unit"] == "X01"
    assert "phương thức nén không được hỗ trợ" in member["findings"][0]["message"]
    assert files["inbox/X01.zip!/minh-chung.pdf"]["kind"] == "evidence"  # the readable member is kept
    # the 6.4 workbook is the reader's verdict (a finding) or, until the reader says so, parxl's error; never ok
    assert files["inbox/X02 - Xã Lê Ninh.xlsx"]["status"] in ("unreadable", "internal-error")
    with Ledger.open(campaign) as ledger:
        receipts = {r.path: r for r in ledger.files()}
        for path, data in (("inbox/X01.zip", archive), ("inbox/X02 - Xã Lê Ninh.xlsx", v64),
                           ("inbox/X01.zip!/minh-chung.pdf", b"%PDF-1.4 ok")):
            sha = hashlib.sha256(data).hexdigest()
            assert receipts[path].sha256 == sha
            assert next(ledger.stored_path(sha).parent.glob(sha + "*")).read_bytes() == data
