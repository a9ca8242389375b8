"""Each concept under one name: no two public classes (or type aliases) in parxl/ share a name.

Read from the source with ``ast``, so a class defined but never imported counts too.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import parxl

PACKAGE = Path(parxl.__file__).parent


def _type_names(tree: ast.Module) -> list[tuple[str, int]]:
    """Public classes (at any depth) and module-level type aliases («Name = Callable[...]», «Name = A | B»)."""
    found = [(n.name, n.lineno) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Subscript, ast.BinOp)):
            found += [(t.id, node.lineno) for t in node.targets
                      if isinstance(t, ast.Name) and t.id[:1].isupper() and not t.id.isupper()]
        elif isinstance(node, ast.TypeAlias if hasattr(ast, "TypeAlias") else ()):  # Python 3.12 «type X = …»
            found.append((node.name.id, node.lineno))
    return [(name, line) for name, line in found if not name.startswith("_")]


def public_type_names(root: Path = PACKAGE) -> dict[str, list[str]]:
    """Name → every «path:line» under ``root`` that defines a public class or type alias of that name."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line in _type_names(tree):
            where[name].append(f"{path.relative_to(root.parent).as_posix()}:{line}")
    return where


def test_no_two_public_classes_in_parxl_share_a_name():
    shared = {name: places for name, places in public_type_names().items() if len(places) > 1}
    assert shared == {}


def test_the_scan_sees_a_shared_name(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "a").mkdir(parents=True)
    (pkg / "a" / "one.py").write_text("class ItemResult:\n    pass\n", encoding="utf-8")
    (pkg / "two.py").write_text("from typing import Callable\n\nProgress = Callable[[int], None]\n"
                                "class _Private:\n    pass\n", encoding="utf-8")
    (pkg / "three.py").write_text("class ItemResult:\n    pass\n\n\nclass Progress:\n    pass\n\n\n"
                                  "class _Private:\n    pass\n\nLIMIT = 3\n", encoding="utf-8")
    names = public_type_names(pkg)
    assert names["ItemResult"] == ["pkg/a/one.py:1", "pkg/three.py:1"]
    assert names["Progress"] == ["pkg/three.py:5", "pkg/two.py:3"]
    assert "_Private" not in names and "LIMIT" not in names
