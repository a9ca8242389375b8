"""Shared fixtures: small campaigns built in a temporary folder, and LibreOffice.

Tests that need LibreOffice use the ``soffice`` fixture: it skips on a
developer machine without LibreOffice, but *fails* in CI (``CI`` set), where
.ci/run installs it, so a missing engine can never pass as green.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from parxl.campaign.folder import Campaign, init_campaign, load_campaign

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent

UNITS_CSV = (
    "Mã,Tên đơn vị,Loại\n"
    "X01,Phường An Lưu,Phường\n"
    "X02,Xã Lê Ninh,Xã\n"
    "X03,Phường Hiệp An,Phường\n"
)


@pytest.fixture
def mini_criteria() -> Path:
    return FIXTURES / "mini.yaml"


def make_campaign(root: Path, criteria: str | Path = FIXTURES / "mini.yaml", units_csv: str = UNITS_CSV,
                  year: int = 2025) -> Campaign:
    """A ready campaign folder under ``root`` with filled-in issuer and signer."""
    root.mkdir(parents=True, exist_ok=True)
    units = root.parent / f"{root.name}-units.csv"
    units.write_text(units_csv, encoding="utf-8")
    init_campaign(root, str(criteria), units, year,
                  issuer_name="ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN", place="Kinh Môn")
    config = root / "campaign.yaml"
    text = config.read_text(encoding="utf-8").replace("name: …", "name: Nguyễn Văn An")
    config.write_text(text, encoding="utf-8")
    return load_campaign(root)


@pytest.fixture
def campaign(tmp_path: Path) -> Campaign:
    return make_campaign(tmp_path / "dot-danh-gia")


@pytest.fixture(scope="session")
def soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("LibreOffice (soffice) is required in CI but is not installed")
    pytest.skip("LibreOffice is not installed on this machine")
