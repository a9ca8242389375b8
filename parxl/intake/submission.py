"""``read_submission``: what a returned file says, without judging it.

A ``Submission`` holds the file's identity (sha256, size, display name), the
sheets and defined names of the workbook, the metadata sheet (``layout.META_KEYS``
and the option lists) and the self-assessment sheet's cells in columns A–J
(formula, cached value and type of each), its hyperlinks and data
validations. A file that cannot be read at all is still a ``Submission``,
with ``problem`` set to a finding code and a detail; nothing here raises for
a bad file. Judgement (findings) is ``parxl.intake.validation``'s job.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..core.findings import FindingCode
from ..core.numbers import excel_number
from ..core.texts import normalize_text
from ..workbook import layout
from ..xlsx.container import Cell, SheetData, SheetInfo, SheetRequest, XlsxFile
from ..xlsx.filekind import identify
from ..xlsx.ods import convert_ods
from ..xlsx.safety import MAX_FILE_BYTES, HostileFile, human_size, restart_time

DEFAULT_MAX_ROW = 2_000
ROW_MARGIN = 50  # rows read past the last row the layout expects (inserted rows stay readable)
META_MAX_ROW = 500
ASSESS_COLUMNS = frozenset(layout.COLUMNS.values()) | frozenset(layout.NA_COLUMNS.values())


@dataclass
class Submission:
    """What one returned file says, read without judging it (see the module doc).

    Named apart from ``parxl.ledger.rows.LedgerSubmission``, the ledger's record of a unit's
    latest checked file (status, scores per round): a ``Submission`` is read from the file itself
    and is never stored. ``size`` is in bytes; ``problem`` is set when the file cannot be read.
    """

    name: str                      # how the file is called in messages: its original path or name
    sha256: str
    size: int
    problem: tuple[FindingCode, str] | None = None  # (finding code, detail) when the file cannot be read
    notes: list[tuple[FindingCode, dict]] = field(default_factory=list)  # read-level facts, e.g. converted from .ods
    sheets: list[SheetInfo] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # defined name -> reference text
    meta: dict[str, str] = field(default_factory=dict)   # META_KEYS read from the metadata sheet
    meta_sheet: SheetData | None = None
    assess: SheetData | None = None
    siblings: frozenset[str] | None = None  # names of files beside it in the same zip (NFC, lower case)
    folder: Path | None = None               # or: the folder it was received in, looked up on demand
    max_row: int = DEFAULT_MAX_ROW
    lookups: dict[str, str] = field(default_factory=dict, repr=False)  # name looked for in folder -> signature

    def has_sibling(self, file_name: str) -> bool:
        """Whether a file of that name was received beside the workbook (case-insensitive).

        Each name looked for in ``folder`` is noted in ``lookups`` with its ``evidence_signature``
        (what the validation cache checks before trusting a cached report).
        """
        key = normalize_text(file_name).lower()
        if self.siblings is not None:
            return key in self.siblings
        if self.folder is None:
            return False
        signature = evidence_signature(self.folder, file_name)
        self.lookups[file_name] = signature
        return signature != ""

    @property
    def readable(self) -> bool:
        """Whether the file could be read at all (no ``problem``)."""
        return self.problem is None

    @property
    def file_name(self) -> str:
        """The last part of ``name``: «X01.xlsx» for «inbox/a.zip!/X01.xlsx» or «inbox\\X01.xlsx»."""
        return self.name.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1]

    def sheet_info(self, name: str) -> SheetInfo | None:
        """The workbook's sheet of that exact name (state, position), or None."""
        return next((s for s in self.sheets if s.name == name), None)

    def cell(self, row: int, col: str) -> Cell | None:
        """The self-assessment sheet's cell at ``row`` (1-based) and column letter ``col``; None if empty or unread."""
        return self.assess.get(row, col) if self.assess else None


_listings: dict[tuple[str, int], frozenset[str]] = {}


def _listing(folder: Path) -> frozenset[str]:
    """The NFC lower-case names of the files in ``folder``, listed once per state of the folder (its mtime)."""
    try:
        key = (str(folder), folder.stat().st_mtime_ns)
    except OSError:
        return frozenset()
    names = _listings.get(key)
    if names is None:
        try:
            names = frozenset(normalize_text(p.name).lower() for p in folder.iterdir() if p.is_file())
        except OSError:
            names = frozenset()
        if len(_listings) > 64:
            _listings.clear()
        _listings[key] = names
    return names


def evidence_signature(folder: Path, file_name: str) -> str:
    """What is known of the file ``file_name`` in ``folder``: ``"size:mtime_ns"`` when found as typed,
    ``"listed"`` when found only case-insensitively, ``""`` when absent. Never raises."""
    try:
        path = folder / file_name
        if path.is_file():
            st = path.stat()
            return f"{st.st_size}:{st.st_mtime_ns}"
    except (OSError, ValueError):
        pass
    return "listed" if normalize_text(file_name).lower() in _listing(folder) else ""


def expected_max_row(framework) -> int:
    """The last row a reader needs for this framework, with a margin for inserted rows."""
    return layout.plan_rows(framework)[-1].row + ROW_MARGIN


def read_submission(source: Path | str | bytes, *, name: str | None = None, max_row: int | None = None,
                    siblings: frozenset[str] | set[str] | None = None, folder: Path | str | None = None) -> Submission:
    """Read a returned workbook from a path or from its bytes.

    Evidence files are looked for in ``siblings`` (names, e.g. the other files
    of a zip) when given, else in ``folder`` (default: the path's own folder).
    ``max_row`` bounds the rows read (``expected_max_row``). Never raises for a bad file (its
    ``problem`` says why); raises ``OSError`` only when ``source`` is a path that cannot be read.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or str(path)
        if siblings is None and folder is None:
            folder = path.parent
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:  # never load it: hash it in chunks and say why it was not read
            return Submission(name=name, sha256=file_sha256(path), size=size,
                              problem=("file-too-large", human_size(size)), max_row=max_row or DEFAULT_MAX_ROW)
        data = path.read_bytes()
    else:
        data = source
        name = name or "(không tên)"
    sub = Submission(
        name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
        siblings=None if siblings is None else frozenset(normalize_text(s).lower() for s in siblings),
        folder=None if folder is None else Path(folder), max_row=max_row or DEFAULT_MAX_ROW,
    )
    try:
        _read_into(sub, data)
    except HostileFile as exc:
        sub.problem = (exc.code, exc.detail)
    return sub


def file_sha256(path: Path) -> str:
    """The sha256 (64 hex digits) of a file's content, read in 1 MiB blocks. Raises ``OSError``."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_workbook(data: bytes) -> tuple[XlsxFile, bool]:
    """The xlsx workbook in ``data`` (and whether it was an .ods converted through LibreOffice).

    The kind of file is identified first (``parxl.xlsx.filekind``): anything but an
    xlsx/xlsm or an .ods raises HostileFile with the code naming what it is
    (empty, encrypted, .xls, .xlsb, PDF, Word, image, archive, CSV, web page…).
    A workbook that cannot be read raises HostileFile too, and nothing else.
    """
    kind = identify(data)
    if kind.code is not None:
        raise HostileFile(kind.code, kind.detail)
    if kind.kind == "ods":
        converted = convert_ods(data)  # HostileFile("file-ods-unsupported", …) without LibreOffice
        restart_time()  # the conversion has its own time limit; the reading starts now
        return XlsxFile(converted), True
    return XlsxFile(data), False


def _read_into(sub: Submission, data: bytes) -> None:
    book, converted = open_workbook(data)
    if converted:
        sub.notes.append(("file-ods-converted", {}))
    sub.sheets = list(book.sheets)
    sub.names = dict(book.defined_names)
    requests = {
        layout.SHEET_META: SheetRequest(META_MAX_ROW),
        layout.SHEET_ASSESS: SheetRequest(sub.max_row, ASSESS_COLUMNS),
    }
    sheets = book.read_sheets(requests)
    sub.meta_sheet = sheets.get(layout.SHEET_META)
    sub.assess = sheets.get(layout.SHEET_ASSESS)
    if sub.meta_sheet is not None:
        for r in range(1, len(layout.META_KEYS) + 5):
            key, value = (sub.meta_sheet.get(r, layout.META_COLUMNS[k]) for k in ("key", "value"))
            if key is not None and isinstance(key.value, str) and key.value in layout.META_KEYS:
                sub.meta[key.value] = text_of(value)


def text_of(cell: Cell | None) -> str:
    """A cell's cached value as text (numbers as written in formulas: 2025, 0.5), NFC; '' when empty."""
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return excel_number(value)
    return normalize_text(value)
