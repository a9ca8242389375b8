"""Every public function, class and method of parxl has a docstring; every package says what it owns.

Read statically with ``ast`` (nothing is imported), so a module that fails to import still gets
checked. "Public" means a name without a leading underscore: module-level functions and classes,
and methods (including properties) of any module-level or nested class, the class itself private
or not. Dunder methods, pydantic validators (``_decimals``…) and helpers nested inside functions are
therefore out of scope by their names.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "parxl"

# Files not yet held to this rule ("dir/*" covers a folder). Empty: every module is.
SKIPPED_FOR_NOW: set[str] = set()


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def _skipped_by(entry: str, rel: str) -> bool:
    return rel == entry or (entry.endswith("/*") and rel.startswith(entry[:-1]))


def _skipped(rel: str) -> bool:
    return any(_skipped_by(entry, rel) for entry in SKIPPED_FOR_NOW)


def _is_accessor(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A ``@x.setter`` / ``@x.deleter``: Python keeps the getter's docstring for the property, so the
    docstring belongs on the getter (which this test does check)."""
    return any(isinstance(d, ast.Attribute) and d.attr in ("setter", "deleter") for d in node.decorator_list)


def undocumented(source: str) -> list[tuple[int, str]]:
    """(line, qualified name) of every public function, class and method in ``source`` without a docstring."""
    missing: list[tuple[int, str]] = []

    def visit(body: list[ast.stmt], prefix: str, in_class: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                name = prefix + node.name
                if not node.name.startswith("_") and ast.get_docstring(node) is None:
                    missing.append((node.lineno, name))
                visit(node.body, name + ".", True)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name.startswith("_") or (in_class and _is_accessor(node)):
                    continue
                if ast.get_docstring(node) is None:
                    missing.append((node.lineno, prefix + node.name))
            elif isinstance(node, (ast.If, ast.Try)):  # definitions under `if TYPE_CHECKING:`, try/except imports
                for block in (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", []),
                              *[h.body for h in getattr(node, "handlers", [])]):
                    visit(block, prefix, in_class)

    visit(ast.parse(source).body, "", False)
    return missing


def test_the_walker_finds_what_lacks_a_docstring_and_nothing_else():
    source = '''
def public(): pass
def documented():
    """Yes."""
def _private(): pass
class Public:
    x: int
    def method(self): pass
    def _helper(self): pass
    def __init__(self): pass
    @property
    def size(self):
        """The size."""
    @size.setter
    def size(self, value): pass
class _Private:
    """Private, but its public methods are part of what it offers."""
    def invoke(self): pass
    class Inner:
        pass
def outer():
    """Documented."""
    def nested(): pass
'''
    assert undocumented(source) == [(2, "public"), (6, "Public"), (8, "Public.method"),
                                    (18, "_Private.invoke"), (19, "_Private.Inner")]


def test_every_public_function_class_and_method_has_a_docstring():
    missing = [f"{_rel(path)}:{line} {name}"
               for path in _modules() if not _skipped(_rel(path))
               for line, name in undocumented(path.read_text(encoding="utf-8"))]
    assert not missing, "Public functions, classes and methods without a docstring:\n" + "\n".join(missing)


def test_skipped_files_still_exist():
    """An entry of SKIPPED_FOR_NOW that matches no file hides nothing and should go."""
    rels = [_rel(p) for p in _modules()]
    stale = [s for s in SKIPPED_FOR_NOW if not any(_skipped_by(s, r) for r in rels)]
    assert not stale, f"SKIPPED_FOR_NOW entries matching no file: {stale}"


def test_every_package_says_what_it_owns_and_what_it_may_import():
    problems = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        rel = _rel(init)
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        if not doc or not doc.splitlines()[0].strip():
            problems.append(f"{rel}: no module docstring saying what the package owns")
        elif init.parent != PACKAGE and "may import" not in doc.lower():
            # parxl/__init__.py states the import rule for all stages; each package names its own.
            problems.append(f"{rel}: the docstring does not say what the package may import («May import: …»)")
    assert not problems, "\n".join(problems)
