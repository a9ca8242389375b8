"""Where the bundled templates and samples live, installed or in a checkout.

A wheel carries ``templates/``, ``samples/`` and ``macros/`` inside the
package (as ``parxl/_templates``, ``parxl/_samples``, ``parxl/_macros``); an
editable install or a plain checkout finds them beside the package.
"""
from __future__ import annotations

from pathlib import Path

from .errors import ParxlError

_PACKAGE = Path(__file__).resolve().parents[1]  # parxl/ (this module is parxl/core/resources.py)


def _bundled(name: str) -> Path:
    inside = _PACKAGE / f"_{name}"
    return inside if inside.is_dir() else _PACKAGE.parent / name


def templates_dir() -> Path:
    """The bundled templates/ folder (criteria/ sets, docx/ templates), installed or in a checkout."""
    return _bundled("templates")


def samples_dir() -> Path:
    """The bundled samples/ folder (the sample campaign the demo copies), installed or in a checkout."""
    return _bundled("samples")


def macros_dir() -> Path:
    """The VBA source (parxl.bas) and, once extracted from a real .xlsm, vbaProject.bin."""
    return _bundled("macros")


def bundled_criteria() -> dict[str, Path]:
    """Bundled criteria sets by id (the file name without .yaml is the id)."""
    return {p.stem: p for p in sorted((templates_dir() / "criteria").glob("*.yaml"))}


def resolve_criteria(id_or_path: str) -> Path:
    """A criteria set given by a path, or by the id of a bundled set."""
    path = Path(id_or_path)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ParxlError(f"Không tìm thấy tệp bộ chỉ số «{id_or_path}».")
        return path
    known = bundled_criteria()
    if id_or_path in known:
        return known[id_or_path]
    raise ParxlError(
        f"Không có bộ chỉ số «{id_or_path}». Các bộ chỉ số có sẵn: {', '.join(known) or '(không có)'}; "
        "hoặc đưa đường dẫn tới tệp .yaml.")
