"""OpenDocument spreadsheets (.ods) returned by units: converted to xlsx through LibreOffice.

``soffice --headless --convert-to xlsx`` runs in a temporary folder with a
throw-away profile (two conversions at once do not share a profile lock) and
a time limit. Without LibreOffice the file gets the finding ``file-ods-unsupported`` (install
LibreOffice or ask for an .xlsx); when LibreOffice is there but does not produce the .xlsx, the
finding ``file-ods-conversion-failed`` (the file is likely damaged), each with a Vietnamese detail.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from .safety import ODS_MIME, HostileFile

TIMEOUT_SECONDS = 120


def is_ods(data: bytes) -> bool:
    """An OpenDocument spreadsheet: a zip whose first entry ``mimetype`` says so."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    if ODS_MIME in data[:200]:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "mimetype" in zf.namelist() and zf.getinfo("mimetype").file_size < 200:
                return zf.read("mimetype").strip() == ODS_MIME
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return False


def soffice_path() -> str | None:
    """The LibreOffice executable (``soffice``, else ``libreoffice``) on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_ods(data: bytes) -> bytes:
    """The .ods ``data`` converted to .xlsx bytes by LibreOffice.

    Raises ``HostileFile("file-ods-unsupported")`` when LibreOffice is not installed, and
    ``HostileFile("file-ods-conversion-failed")`` when it is but gives no .xlsx (it could not be
    started, ran past :data:`TIMEOUT_SECONDS` seconds, or failed on the file).
    """
    soffice = soffice_path()
    if soffice is None:
        raise HostileFile("file-ods-unsupported", "không tìm thấy lệnh soffice")
    with tempfile.TemporaryDirectory(prefix="parxl-ods-") as tmp:
        folder = Path(tmp)
        src = folder / "input.ods"
        src.write_bytes(data)
        profile = (folder / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "xlsx", "--outdir", str(folder / "out"), str(src)]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise HostileFile("file-ods-conversion-failed",
                              f"quá {TIMEOUT_SECONDS} giây mà chưa chuyển xong") from exc
        except OSError as exc:
            raise HostileFile("file-ods-conversion-failed", f"không chạy được lệnh «{soffice}»") from exc
        out = folder / "out" / "input.xlsx"
        if not out.is_file():
            detail = "LibreOffice không tạo ra tệp .xlsx"
            if done.returncode:
                detail += f", mã lỗi {done.returncode}"
            raise HostileFile("file-ods-conversion-failed", detail)
        return out.read_bytes()
