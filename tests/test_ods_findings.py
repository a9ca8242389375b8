"""An .ods that cannot be read says why: LibreOffice missing, or LibreOffice there but the conversion failed."""
from __future__ import annotations

import stat

from parxl.intake.submission import read_submission
from parxl.intake.validation import validate
from parxl.xlsx import ods as submission_ods
from support.tamper import zip_bytes

ODS = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


def _findings(campaign):
    report = validate(campaign, read_submission(ODS, name="inbox/X01.ods"))
    return [(f.code, f.message) for f in report.findings]


def test_ods_without_libreoffice_says_libreoffice_is_missing(campaign, monkeypatch):
    monkeypatch.setattr(submission_ods, "soffice_path", lambda: None)
    [(code, message)] = _findings(campaign)
    assert code == "file-ods-unsupported"
    assert "không có LibreOffice" in message


def test_ods_whose_conversion_fails_does_not_say_libreoffice_is_missing(campaign, monkeypatch, tmp_path):
    fake = tmp_path / "soffice"  # "installed", but exits 1 without writing the .xlsx
    fake.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(submission_ods, "soffice_path", lambda: str(fake))
    [(code, message)] = _findings(campaign)
    assert code == "file-ods-conversion-failed"
    assert "không có LibreOffice" not in message
    assert "LibreOffice trên máy này không chuyển được" in message and "mã lỗi 1" in message


def test_ods_whose_converter_cannot_start_is_a_failed_conversion(campaign, monkeypatch, tmp_path):
    broken = tmp_path / "soffice"  # present but not executable
    broken.write_text("", encoding="utf-8")
    broken.chmod(0o644)
    monkeypatch.setattr(submission_ods, "soffice_path", lambda: str(broken))
    [(code, message)] = _findings(campaign)
    assert code == "file-ods-conversion-failed" and "không chạy được lệnh" in message
