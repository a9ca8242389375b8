"""Render a docxtpl template against a context, refusing unknown variables, and write atomically.

The check runs before anything touches the disk: a template that names a
variable the context does not have (``get_undeclared_template_variables``), that
has a Jinja syntax error, or that reads a missing attribute (``StrictUndefined``
during the in-memory render) is refused with the variable's name.
"""
from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from docx.text.paragraph import Paragraph
from lxml import etree
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError

from ..core.errors import ParxlError
from ..core.files import safe_file_stem
from ..core.files import write_new as write_atomic_new
from ..core.progress import Progress
from ..core.resources import templates_dir
from ..core.zipparts import Member, Stamp, package


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


def _first_runs(doc) -> list:
    """The runs of the first paragraph of ``doc``'s body that has text: where the note is anchored."""
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for p in doc.element.body.iter(f"{ns}p"):
        runs = [r for r in Paragraph(p, doc._body).runs if r.text.strip()]
        if runs:
            return runs
    return []


def annotate(doc, note: str) -> int | None:
    """Put ``note`` on a rendered python-docx document: a Word comment on its first words, and its Comments property.

    The comment shows in the margin in Word and LibreOffice (not in a PDF export); the
    clerk deletes it before the document is issued. Returns the comment's id (None when the document has no
    text to anchor it on).
    """
    doc.core_properties.comments = note
    runs = _first_runs(doc)
    if runs:
        return doc.add_comment(runs, text=note, author="parxl", initials="PX").comment_id
    return None


class _RenderErrors:
    """The context manager turning Jinja's errors during a render into parxl's (Vietnamese) ones."""

    def __init__(self, template: Path):
        self.template = template

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, UndefinedError):
            name = re.findall(r"'([^']+)'", str(exc))
            raise UnknownVariablesError(self.template, {name[-1] if name else str(exc)}) from exc
        if isinstance(exc, TemplateError):
            raise DocumentError(f"Không dựng được văn bản từ mẫu «{self.template}»: {exc}.") from exc
        return False


def render_bytes(template: Path, context: dict, note: str | None = None, checked: bool = False) -> bytes:
    """Check, then render in memory; nothing is written. ``note``: see ``annotate``.

    ``checked``: the template was already checked against a context of the same variables
    (``check_template``), e.g. the first of many notices.
    """
    if not checked:
        check_template(template, context)
    tpl = _open(template)
    with _RenderErrors(template):
        tpl.render(context, environment(), autoescape=True)
    if note:
        annotate(tpl.docx, note)
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


_BODY = "word/document.xml"
_RENDERED_PARTS = re.compile(r"word/(header|footer|footnotes)[^/]*\.xml|docProps/core\.xml")


class _Prepared:
    """One template opened once to render many documents of the same variables (one per unit).

    docxtpl, per document, reopens the .docx, cleans its body's XML for Jinja (``patch_xml``), renders
    every part and saves the whole package again. Only the body (word/document.xml) holds tags in a
    template whose headers, footers, footnotes and properties have none: this renders the first document
    with docxtpl as always, keeps its package (with the note's comment part), and for every further
    document renders only the body from the cleaned source, runs docxtpl's own fixes on it (tables,
    drawing ids), anchors the same comment, and writes a package whose other parts are the first one's.
    A template with tags elsewhere is rendered with docxtpl for every document.
    """

    def __init__(self, template: Path, note: str | None):
        self.template = template
        self.note = note
        self.skeleton: list[tuple[str, Member]] | None = None
        self.comment_id: int | None = None
        self.tpl = _open(template)
        with zipfile.ZipFile(template) as z:
            self.fast = not any(_RENDERED_PARTS.fullmatch(n) and b"{" in z.read(n) for n in z.namelist())
        self.source = ""
        self.compiled = None
        if self.fast:
            self.tpl.init_docx()
            self.source = self.tpl.patch_xml(self.tpl.get_xml())

    def render(self, context: dict) -> bytes:
        """The document of ``context`` as .docx bytes; raises as ``render_bytes`` (the template checked)."""
        if not self.fast:
            return render_bytes(self.template, context, self.note, checked=True)
        tpl = self.tpl
        if self.skeleton is None:  # the first document: docxtpl's whole render and save, kept as the package
            with _RenderErrors(self.template):
                tpl.render(context, environment(), autoescape=True)
            if self.note:
                self.comment_id = annotate(tpl.docx, self.note)
            buffer = io.BytesIO()
            tpl.save(buffer)
            with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
                self.skeleton = [(n, Member.deflated(n, z.read(n))) for n in z.namelist()]
            return buffer.getvalue()
        tpl.docx_ids_index = 1000  # as ``render_init``: drawing ids numbered from 1001 in every document
        with _RenderErrors(self.template):
            xml = self._body(context)
        tree = _fix_tables(tpl, xml)
        tpl.fix_docpr_ids(tree)
        root = tpl.docx.element
        previous = root.body
        previous.clear()  # as ``map_tree``; emptied first, lxml does not carry the old body into a document of its own
        root.replace(previous, tree)
        if self.comment_id is not None:
            runs = _first_runs(tpl.docx)
            if runs:
                runs[0].mark_comment_range(runs[-1], self.comment_id)
        body = Member.deflated(_BODY, tpl.docx.part.blob)
        return _package([body if name == _BODY else member for name, member in self.skeleton])

    def _body(self, context: dict) -> str:
        """docxtpl's ``render_xml_part`` of the body, its compiled template kept, and its ``resolve_listing``
        (tabs, line and page breaks written in a value) skipped when the XML has none of those characters,
        where it changes nothing."""
        tpl = self.tpl
        tpl.current_rendering_part = tpl.docx._part
        if self.compiled is None:
            self.compiled = environment().from_string(_PARAGRAPH.sub(r"\n<w:p\1", self.source))
        # the line breaks ``_PARAGRAPH`` put before each paragraph taken out again
        xml = self.compiled.render(context).replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(ch in xml for ch in "\t\a\n\f"):
            xml = tpl.resolve_listing(xml)
        return xml


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _fix_tables(tpl: DocxTemplate, xml: str):
    """docxtpl's ``fix_tables`` of the rendered body ``xml``: the parsed tree, its tables' grids fitted to their rows.

    The notice's tables always match their grids, where ``fix_tables`` walks every cell of every row to
    change nothing: this parses ``xml`` as it does (lxml, recovering), counts each row's cells and spans in
    two look-ups a row, and calls ``fix_tables`` itself only when a table's grid has fewer columns than a row
    has cells or more than its widest row spans.
    """
    tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
    if tree.nsmap.get("w") != _W[1:-1]:
        return tpl.fix_tables(xml)
    for table in tree.iter(f"{_W}tbl"):
        grid = table.find(f"{_W}tblGrid")
        if grid is None:
            return tpl.fix_tables(xml)
        columns = len(grid.findall(f"{_W}gridCol"))
        spans: dict = {}  # row -> the cells it spans beyond one each (a cell's first tcPr's first gridSpan)
        try:
            for span in _SPANS(table):
                row = span.getparent().getparent().getparent()
                spans[row] = spans.get(row, 0) + int(span.get(f"{_W}val")) - 1
        except (TypeError, ValueError):
            return tpl.fix_tables(xml)
        widest = 0
        for row in table.iter(f"{_W}tr"):
            cells = len(row.findall(f"{_W}tc"))
            if cells > columns:
                return tpl.fix_tables(xml)
            widest = max(widest, cells + spans.get(row, 0))
        if widest < columns:
            return tpl.fix_tables(xml)
    return tree


_SPANS = etree.XPath(".//w:tc/w:tcPr[1]/w:gridSpan[1]", namespaces={"w": _W[1:-1]})


def _package(members: list[Member]) -> bytes:
    """The .docx (zip) bytes of ``members`` in this order, each stored with its already deflated bytes.

    The records are those ``zipfile.ZipFile.writestr`` writes (``core.zipparts.Stamp.written_at``: Unix 0600
    file attributes, UTF-8 flag on a non-ASCII name), stamped now; no ZIP64 (a document is far below 4 GB).
    """
    return package(members, Stamp.written_at(time.time()))


_PARAGRAPH = re.compile(r"<w:p([ >])")
_WORKER_PREPARED: dict[tuple[str, bytes, str | None], _Prepared] = {}  # in a worker process: its open template


def _render_in_worker(job: tuple[Path, str | None, dict]) -> bytes:
    template, note, context = job
    key = (str(template), Path(template).read_bytes(), note)
    prepared = _WORKER_PREPARED.get(key)
    if prepared is None:
        _WORKER_PREPARED.clear()
        prepared = _WORKER_PREPARED[key] = _Prepared(Path(template), note)
    return prepared.render(context)


PARALLEL_FROM = 200  # documents: from this many, rendered in two worker processes


def render_many(template: Path, contexts: list[dict], note: str | None = None,
                progress: Progress | None = None) -> list[bytes]:
    """Check, then render one document per context (the same template, e.g. one notice per unit), in memory.

    Returns the .docx bytes in the order of ``contexts``; the same documents as ``render_bytes`` of each
    context (see ``_Prepared``). The template is checked once per distinct set of variables. ``progress``:
    called ``(done, len(contexts), "")`` as documents are rendered. From ``PARALLEL_FROM`` documents, two
    worker processes render them. Raises as ``render_bytes`` (UnknownVariablesError, DocumentError).
    """
    return list(render_each(template, contexts, len(contexts), note, progress))


def render_each(template: Path, contexts: Iterable[dict], total: int, note: str | None = None,
                progress: Progress | None = None) -> Iterator[bytes]:
    """``render_many`` as a stream: yields each context's .docx bytes in order, as they are rendered.

    ``contexts`` may be a generator still making them (``total`` of them): from ``PARALLEL_FROM`` documents
    the two worker processes render the first ones while the caller's generator makes the next, and the
    caller can save each document as it comes. Each context is checked (``check_template``, once per
    distinct set of variables) before it is rendered. ``progress``: called ``(done, total, "")``. Raises as
    ``render_bytes`` (UnknownVariablesError, DocumentError), at the context that fails; whatever raises
    stops the workers (the documents not yet rendered are dropped).
    """
    template = Path(template)
    seen: set[frozenset] = set()

    def checked() -> Iterator[dict]:
        for context in contexts:
            names = frozenset(context)
            if names not in seen:
                seen.add(names)
                check_template(template, context)
            yield context

    report = progress or (lambda done, total, label: None)
    done = 0
    report(0, total, "")
    if total < PARALLEL_FROM:
        prepared = None
        for context in checked():
            prepared = prepared or _Prepared(template, note)
            yield prepared.render(context)
            done += 1
            report(done, total, "")
        return
    from ..core.workers import worker_pool
    # Ctrl+C (SIGINT to the whole process group) is ignored in the two workers (``worker_pool``): the parent
    # alone stops, and stops them (no worker's English traceback, no pool rendering on at exit). An error,
    # Ctrl+C or an early stop (GeneratorExit) leaves the block: nothing more is rendered. ``rendered`` is named
    # so that it is dropped (which cancels its jobs) only once the pool is stopped, never while its own thread
    # marks them failed (an English traceback of that thread's).
    with worker_pool(2) as pool:
        rendered = pool.map(_render_in_worker, ((template, note, c) for c in checked()), chunksize=16)
        for data in rendered:
            yield data
            done += 1
            if done % 16 == 0 or done == total:
                report(done, total, "")


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
