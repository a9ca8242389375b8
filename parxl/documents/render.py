"""Render a docxtpl template against a context, refusing unknown variables, and write atomically.

The check runs before anything touches the disk: a template that names a
variable the context does not have (``get_undeclared_template_variables``), that
has a Jinja syntax error, or that reads a missing attribute (``StrictUndefined``
during the in-memory render) is refused with the variable's name.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError

from ..core.errors import ParxlError
from ..core.files import safe_file_stem
from ..core.files import write_new as write_atomic_new
from ..core.resources import templates_dir


class DocumentError(ParxlError):
    """A document template cannot be used or the document cannot be written."""


class UnknownVariablesError(DocumentError):
    """A template names variables the context does not have; ``names`` lists them, sorted."""
    def __init__(self, template: Path, names: set[str]):
        self.template = template
        self.names = sorted(names)
        listed = ", ".join(f"«{n}»" for n in self.names)
        super().__init__(
            f"Mẫu «{template}» dùng biến không có: {listed}. Sửa mẫu (xem tên biến trong mẫu gốc) rồi chạy lại; "
            "chưa tạo tệp nào.")


def bundled_template(name: str) -> Path:
    """The path of a DOCX template shipped with parxl (``templates/docx/<name>``); not checked to exist."""
    return templates_dir() / "docx" / name


CAMPAIGN_TEMPLATES = "templates"  # the campaign's folder of edited copies (``parxl templates``)


def bundled_templates() -> list[Path]:
    """Every DOCX template shipped with parxl (``templates/docx/*.docx``), by name."""
    return sorted((templates_dir() / "docx").glob("*.docx"))


def campaign_template(campaign_root: Path, name: str) -> Path:
    """The template ``name`` a document of the campaign uses: its edited copy in
    CAMPAIGN/templates/ when there is one, else the bundled one. Never raises."""
    own = Path(campaign_root) / CAMPAIGN_TEMPLATES / name
    return own if own.is_file() else bundled_template(name)


def template_origin(template: Path) -> str:
    """«Dùng mẫu …»: the Vietnamese line saying which template a document is drafted from."""
    if Path(template).resolve() == bundled_template(Path(template).name).resolve():
        return (f"Dùng mẫu văn bản gốc của parxl «{Path(template).name}» (chạy «parxl templates THƯ_MỤC_ĐỢT» "
                "để có bản sao sửa được bằng Word).")
    if Path(template).parent.name == CAMPAIGN_TEMPLATES:
        return f"Dùng mẫu văn bản của đợt «{template}» (bản sao trong thư mục templates của đợt)."
    return f"Dùng mẫu văn bản «{template}»."


def copy_templates(campaign_root: Path) -> tuple[list[Path], list[Path]]:
    """Copy every bundled DOCX template into CAMPAIGN/templates/ for the clerk to edit in Word.

    A copy already there (perhaps edited) is kept. Returns (copies written, copies kept), as
    paths in CAMPAIGN/templates/. Raises what ``write_atomic`` raises (``OutputWriteError``).
    """
    from ..core.files import write_atomic

    folder = Path(campaign_root) / CAMPAIGN_TEMPLATES
    written, kept = [], []
    for source in bundled_templates():
        dest = folder / source.name
        if dest.exists():
            kept.append(dest)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        written.append(write_atomic(dest, source.read_bytes()))
    return written, kept


_COMPILED: dict[tuple[str, bool], object] = {}  # (part source, autoescape) -> compiled Jinja template


class _Environment(Environment):
    """A Jinja environment that compiles each template source once per process.

    docxtpl compiles every part (body, headers, footers, properties) at every render; the
    sources are the same for every unit's notice, so 3,321 notices compile them once.
    """

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 (Jinja's own signature)
        """Jinja's ``from_string``, from the per-process cache when called as docxtpl does."""
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        key = (source, bool(self.autoescape))
        compiled = _COMPILED.get(key)
        if compiled is None:
            if len(_COMPILED) > 64:
                _COMPILED.clear()
            compiled = _COMPILED[key] = super().from_string(source)
        return compiled


def environment() -> Environment:
    """The Jinja environment documents render in: autoescaped, and an unknown variable raises."""
    return _Environment(autoescape=True, undefined=StrictUndefined)


def _open(template: Path) -> DocxTemplate:
    if not template.is_file():
        raise DocumentError(f"Không tìm thấy mẫu văn bản «{template}».")
    if not zipfile.is_zipfile(template):
        raise DocumentError(f"«{template}» không phải tệp Word .docx (hãy lưu mẫu bằng Word dạng .docx).")
    return DocxTemplate(str(template))


_TOKENS = {"end of print statement": "«}}»", "end of statement block": "«%}»", "name": "một tên biến",
           "end of template": "cuối mẫu", "end of variable": "«}}»"}


def _token(text: str) -> str:
    return _TOKENS.get(text, f"«{text}»")


def _syntax_problem(message: str) -> str:
    """Jinja's English syntax-error message in Vietnamese (what is wrong and how to write it)."""
    text = message.strip().rstrip(".")
    m = re.fullmatch(r"unexpected '(.+)'", text)
    if m:
        return (f"dấu «{m.group(1)}» không đúng chỗ (thẻ biến viết «{{{{ tên_biến }}}}», đủ hai dấu ngoặc "
                "nhọn mỗi bên; thẻ lệnh viết «{% … %}»)")
    m = re.fullmatch(r"unexpected char '(.+)' at \d+", text)
    if m:
        return f"ký tự «{m.group(1)}» không dùng được trong thẻ"
    m = re.fullmatch(r"unexpected end of template, expected '(.+)'", text, re.IGNORECASE)
    if m:
        return f"thẻ chưa đóng: mẫu hết mà chưa có {_token(m.group(1))}"
    m = re.match(r"unexpected end of template\. Jinja was looking for the following tags: (.+?)\. "
                 r"The innermost block that needs to be closed is '(.+)'", text, re.IGNORECASE)
    if m:
        return f"thẻ «{{% {m.group(2)} … %}}» chưa được đóng bằng «{{% end{m.group(2)} %}}»"
    m = re.fullmatch(r"Encountered unknown tag '(.+)'", text)
    if m:
        return (f"thẻ lệnh «{{% {m.group(1)} %}}» không có nghĩa ở chỗ này (thẻ lạ, hoặc thẻ đóng không có thẻ "
                "mở tương ứng)")
    m = re.fullmatch(r"expected token '(.+)', got '(.+)'", text)
    if m:
        return f"cần {_token(m.group(1))} nhưng gặp {_token(m.group(2))}"
    m = re.fullmatch(r"Expected an expression, got '(.+)'", text)
    if m:
        return f"thẻ trống: cần tên biến trước {_token(m.group(1))}"
    return "thẻ viết sai cú pháp"


def syntax_error_message(template: Path, exc: TemplateSyntaxError) -> str:
    """The Vietnamese message for a template whose {{ … }} or {% … %} tags do not parse: the template, the
    line of the template's text where Jinja stopped, and what is wrong, with no English text. Never raises."""
    line = f" (dòng {exc.lineno} của nội dung mẫu)" if exc.lineno else ""
    return (f"Mẫu «{template}» có lỗi cú pháp trong thẻ {{{{ … }}}} hoặc {{% … %}}{line}: "
            f"{_syntax_problem(exc.message or '')}. Hãy mở mẫu bằng Word, sửa thẻ rồi chạy lại.")


def check_template(template: Path, context: dict) -> None:
    """Raise UnknownVariablesError if the template uses a variable the context lacks."""
    tpl = _open(template)
    try:
        missing = tpl.get_undeclared_template_variables(environment(), context)
    except TemplateSyntaxError as exc:
        raise DocumentError(syntax_error_message(template, exc)) from exc
    if missing:
        raise UnknownVariablesError(template, missing)


def template_variables(template: Path) -> set[str]:
    """Every variable the template uses; raises DocumentError for a template that cannot be read."""
    tpl = _open(template)
    try:
        return set(tpl.get_undeclared_template_variables(environment()))
    except TemplateSyntaxError as exc:
        raise DocumentError(syntax_error_message(template, exc)) from exc


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


def render_bytes(template: Path, context: dict, note: str | None = None, checked: bool = False) -> bytes:
    """Check, then render in memory; nothing is written. ``note``: see ``annotate``.

    ``checked``: the template was already checked against a context of the same variables
    (``check_template``), e.g. the first of many notices.
    """
    if not checked:
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
    """ASCII file-name part: «Phường An Lưu» → «phuong-an-luu» (``core.files.safe_file_stem(ascii=True)``).

    At most 120 characters; «van-ban» when nothing is left. Never raises.
    """
    return safe_file_stem(text, ascii=True, fallback="van-ban")


def write_new(data: bytes, out_dir: Path, stem: str, suffix: str = ".docx") -> Path:
    """Write ``data`` (bytes) as «stem.docx» in ``out_dir`` (created), or «stem-2.docx», …: never overwrites.

    Atomic (``core.files.write_new``): the document appears only when complete. Returns its path.
    Raises ``OSError`` when ``out_dir`` cannot be written.
    """
    return write_atomic_new(Path(out_dir) / f"{stem}{suffix}", data)
