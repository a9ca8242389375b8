"""The committed .docx templates are exactly what templates/docx/build_templates.py builds."""
from __future__ import annotations

import importlib.util
import sys

from conftest import REPO
from parxl.documents.render import bundled_template

BUILD = REPO / "templates" / "docx" / "build_templates.py"


def _build_module():
    sys.path.insert(0, str(BUILD.parent))
    try:
        spec = importlib.util.spec_from_file_location("parxl_build_templates", BUILD)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BUILD.parent))


def test_committed_templates_are_up_to_date(tmp_path):
    built = _build_module().main(tmp_path)
    assert built, "the build script built nothing"
    for path in built:
        committed = bundled_template(path.name)
        assert committed.is_file(), f"{path.name} is not committed"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{path.name} differs from its build: run python templates/docx/build_templates.py and commit it")
