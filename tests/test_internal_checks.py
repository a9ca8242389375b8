"""parxl's own invariants are real checks, not ``assert`` statements that ``python -O`` strips."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from parxl.appraisal import build as appraisal_build
from parxl.appraisal import layout as appraisal_layout
from parxl.ledger import receive as intake
from parxl.workbook import layout
from parxl.workbook.build import build_workbook

PACKAGE = Path(__file__).parent.parent / "parxl"


def test_shipped_code_has_no_assert_statements():
    found = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
             for path in sorted(PACKAGE.rglob("*.py"))
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Assert)]
    assert found == []


def test_workbook_metadata_out_of_step_with_the_layout_is_an_internal_error(campaign, monkeypatch):
    monkeypatch.setattr(layout, "META_KEYS", layout.META_KEYS + ("extra",))
    with pytest.raises(RuntimeError, match="Lỗi nội bộ của parxl"):
        build_workbook(campaign, campaign.units[0])


def test_appraisal_metadata_out_of_step_with_the_layout_is_an_internal_error(campaign, monkeypatch):
    monkeypatch.setattr(appraisal_layout, "META_KEYS", appraisal_layout.META_KEYS + ("extra",))
    group = appraisal_layout.groups(campaign.framework)[0]
    with pytest.raises(RuntimeError, match="Lỗi nội bộ của parxl"):
        appraisal_build.build_group(campaign, "appraisal-1", group, [])


def test_an_uninitialised_intake_worker_is_an_internal_error_not_a_corrupt_file(monkeypatch, tmp_path):
    stored = tmp_path / "tep.xlsx"
    stored.write_bytes(b"PK")
    monkeypatch.setattr(intake, "_campaign", None)
    report = intake._check_one((str(stored), "inbox/tep.xlsx", None, None))
    assert report.status == "internal-error" and report.findings == []  # parxl's fault, not the unit's


def test_metadata_check_holds_under_python_optimize(tmp_path):
    script = f"""
import sys
sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(PACKAGE.parent)!r}]
from pathlib import Path
from conftest import make_campaign
from parxl.workbook import layout
from parxl.workbook.build import build_workbook
campaign = make_campaign(Path({str(tmp_path / 'c')!r}))
layout.META_KEYS = layout.META_KEYS + ("extra",)
try:
    build_workbook(campaign, campaign.units[0])
except RuntimeError as exc:
    print("refused:", exc)
"""
    done = subprocess.run([sys.executable, "-O", "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused: Lỗi nội bộ của parxl")
