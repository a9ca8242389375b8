"""Render a docxtpl template against a context, refusing unknown variables, and write atomically.

The check runs before anything touches the disk: a template that names a
variable the context does not have (``get_undeclared_template_variables``), that
has a Jinja syntax error, or that reads a missing attribute (``StrictUndefined``
during the in-memory render) is refused with the variable's name.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError

from ..core.errors import ParxlError
from ..core.files import ordinary_mode
from ..core.resources import templates_dir


class DocumentError(ParxlError):
    """A document template cannot be used or the document cannot be written."""


class UnknownVariablesError(DocumentError):
    def __init__(self, template: Path, names: set[str]):
        self.template = template
        self.names = sorted(names)
        listed = ", ".join(f"«{n}»" for n in self.names)
        super().__init__(
            f"Mẫu «{template}» dùng biến không có: {listed}. Sửa mẫu (xem tên biến trong mẫu gốc) rồi chạy lại; "
            "chưa tạo tệp nào.")


def bundled_template(name: str) -> Path:
    return templates_dir() / "docx" / name


def environment() -> Environment:
    return Environment(autoescape=True, undefined=StrictUndefined)


def _open(template: Path) -> DocxTemplate:
    if not template.is_file():
        raise DocumentError(f"Không tìm thấy mẫu văn bản «{template}».")
    if not zipfile.is_zipfile(template):
        raise DocumentError(f"«{template}» không phải tệp Word .docx (hãy lưu mẫu bằng Word dạng .docx).")
    return DocxTemplate(str(template))


def check_template(template: Path, context: dict) -> None:
    """Raise UnknownVariablesError if the template uses a variable the context lacks."""
    tpl = _open(template)
    try:
        missing = tpl.get_undeclared_template_variables(environment(), context)
    except TemplateSyntaxError as exc:
        raise DocumentError(f"Mẫu «{template}» có lỗi cú pháp trong thẻ {{{{ … }}}} hoặc {{% … %}}: {exc.message}.") from exc
    if missing:
        raise UnknownVariablesError(template, missing)


def template_variables(template: Path) -> set[str]:
    """Every variable the template uses; raises DocumentError for a template that cannot be read."""
    tpl = _open(template)
    try:
        return set(tpl.get_undeclared_template_variables(environment()))
    except TemplateSyntaxError as exc:
        raise DocumentError(f"Mẫu «{template}» có lỗi cú pháp trong thẻ {{{{ … }}}} hoặc {{% … %}}: {exc.message}.") from exc


def annotate(doc, note: str) -> None:
    """Put ``note`` on a rendered python-docx document: a Word comment on its first words, and its Comments property.

    The comment shows in the margin in Word and LibreOffice (not in a PDF export); the
    clerk deletes it before the document is issued.
    """
    doc.core_properties.comments = note
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for p in doc.element.body.iter(f"{ns}p"):
        runs = [r for r in Paragraph(p, doc._body).runs if r.text.strip()]
        if runs:
            doc.add_comment(runs, text=note, author="parxl", initials="PX")
            return


def render_bytes(template: Path, context: dict, note: str | None = None) -> bytes:
    """Check, then render in memory; nothing is written. ``note``: see ``annotate``."""
    check_template(template, context)
    tpl = _open(template)
    try:
        tpl.render(context, environment(), autoescape=True)
    except UndefinedError as exc:
        name = re.findall(r"'([^']+)'", str(exc))
        raise UnknownVariablesError(template, {name[-1] if name else str(exc)}) from exc
    except TemplateError as exc:
        raise DocumentError(f"Không dựng được văn bản từ mẫu «{template}»: {exc}.") from exc
    if note:
        annotate(tpl.docx, note)
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


def slug(text: str) -> str:
    """ASCII file-name part: «Phường An Lưu» → «phuong-an-luu»."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "van-ban"


def write_new(data: bytes, out_dir: Path, stem: str, suffix: str = ".docx") -> Path:
    """Write to a temp file, then link it to the first free name (stem, stem-2, …): never overwrites."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".parxl-", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, ordinary_mode())  # a document for the clerk, not mkstemp's owner-only 0600
        n = 1
        while True:
            target = out_dir / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(tmp, target)  # fails if target exists: atomic "create new"
                return target
            except FileExistsError:
                n += 1
            except OSError:  # file system without hard links
                if not target.exists():
                    os.rename(tmp, target)
                    return target
                n += 1
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
