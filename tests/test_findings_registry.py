"""The finding registry is the one list of codes: every code parxl raises is registered, every registered
code is raised (or reserved), and docs/findings.md is generated from it and up to date."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import get_args

import pytest

from parxl.core import findings
from parxl.core.findings import FINDING_TYPES, RESERVED, FindingCode, make
from parxl.core.findings_doc import catalogue_markdown

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "parxl"
CATALOGUE = ROOT / "docs" / "findings.md"
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
FINDING_CALLS = {"make": 0, "add": 0, "HostileFile": 0, "FileKind": 1}  # call -> position of its finding code


def _strings(node: ast.AST) -> list[str]:
    """The string constants an expression can evaluate to: a constant, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [s for v in node.values for s in _strings(v)]
    return []


def _name(func: ast.AST) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def codes_used_in(tree: ast.AST) -> list[tuple[str, int]]:
    """(code, line) of every finding-code literal: ``make("…")``, ``x.add("…")``, ``HostileFile("…")``,
    ``FileKind(kind, "…")``, ``code="…"``, ``code = "…"`` and ``notes.append(("…", {...}))``."""
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in FINDING_CALLS and len(node.args) > FINDING_CALLS[name]:
                found = _strings(node.args[FINDING_CALLS[name]])
                if name == "add":  # also set.add: only what looks like a code
                    found = [s for s in found if CODE_SHAPE.match(s)]
                out += [(s, node.lineno) for s in found]
            if name == "append" and isinstance(node.func, ast.Attribute) and _name(node.func.value) == "notes":
                arg = node.args[0] if node.args else None
                if isinstance(arg, ast.Tuple) and arg.elts:
                    out += [(s, node.lineno) for s in _strings(arg.elts[0])]
            out += [(s, node.lineno) for kw in node.keywords if kw.arg == "code"
                    for s in _strings(kw.value) if CODE_SHAPE.match(s)]  # not a unit's code=…
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets):
            out += [(s, node.lineno) for s in _strings(node.value) if CODE_SHAPE.match(s)]
    return out


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "core" / "findings.py")


def test_every_finding_code_written_in_parxl_is_registered():
    used: dict[str, list[str]] = {}
    for path in sources():
        for code, line in codes_used_in(ast.parse(path.read_text(encoding="utf-8"))):
            used.setdefault(code, []).append(f"{path.relative_to(ROOT)}:{line}")
    unknown = {code: where for code, where in used.items() if code not in FINDING_TYPES}
    assert unknown == {}
    # the scan really sees the call sites (not vacuously green): most registered codes are found by it
    assert len(set(used) & set(FINDING_TYPES)) >= 70, sorted(set(FINDING_TYPES) - set(used))


def test_the_scan_catches_a_mistyped_code():
    tree = ast.parse('ctx.add("evidence-mising", cell="E7")\nraise HostileFile("file-corupt")\n'
                     'code = "input-blank" if x else "input-blankk"\nseen.add(ref)\n')
    assert sorted(c for c, _ in codes_used_in(tree) if c not in FINDING_TYPES) == \
        ["evidence-mising", "file-corupt", "input-blankk"]


def test_every_registered_code_is_raised_somewhere_or_reserved():
    constants = {node.value for path in sources() for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    unused = sorted(set(FINDING_TYPES) - constants - set(RESERVED))
    assert unused == []
    assert sorted(set(RESERVED) & constants) == []  # a reserved code that is raised is not reserved any more


def test_the_code_type_lists_exactly_the_registry():
    assert list(get_args(FindingCode)) == list(FINDING_TYPES)


def test_a_registry_out_of_step_with_the_code_type_refuses_to_import(monkeypatch):
    extra = findings.FindingType("file-new-kind", "error", "Mới", "Tệp «{file}».")
    monkeypatch.setattr(findings, "_TYPES", [*findings._TYPES, extra])
    with pytest.raises(RuntimeError, match="file-new-kind"):
        findings._check_registry()


def test_an_unknown_code_is_refused_by_make_with_its_name():
    with pytest.raises(KeyError, match="evidence-mising"):
        make("evidence-mising", file="a.xlsx")  # type: ignore[arg-type]


def test_the_committed_catalogue_is_generated_from_the_registry():
    assert CATALOGUE.read_text(encoding="utf-8") == catalogue_markdown(), \
        "docs/findings.md is out of date: python3 -m parxl.core.findings_doc > docs/findings.md"


def test_the_catalogue_lists_every_code_once_in_vietnamese_with_what_to_do():
    text = catalogue_markdown()
    assert unicodedata.is_normalized("NFC", text)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [re.match(r"\| `([^`]+)`", r).group(1) for r in rows] == list(FINDING_TYPES)
    for row, kind in zip(rows, FINDING_TYPES.values()):
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert len(cells) == 5, row  # no "|" inside a cell breaks the table
        assert cells[1] == {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}[kind.severity]
        assert cells[4] and cells[4] == kind.advice.replace("|", "\\|")
    # advice is the template's own words where it says what to do, by hand where it does not
    assert FINDING_TYPES["file-image"].advice == "Không chụp hay quét biểu mẫu: hãy gửi chính tệp Excel (.xlsx) đã điền."
    assert FINDING_TYPES["file-pdf"].advice == "Hãy gửi kèm biểu mẫu Excel (.xlsx) đã điền."
    assert FINDING_TYPES["number-as-text"].advice.startswith("Không cần làm gì")


def test_the_catalogue_script_prints_the_catalogue():
    out = subprocess.run([sys.executable, "-m", "parxl.core.findings_doc"], cwd=ROOT, capture_output=True,
                         check=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.decode("utf-8") == catalogue_markdown()
