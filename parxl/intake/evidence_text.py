"""Evidence (tài liệu kiểm chứng) as officials write it: links, file names and document references.

An evidence cell holds free text, one entry a line (or separated by «;»):

    Quyết định số 120/QĐ-UBND ngày 05/3/2025 của UBND xã, mục II, trang 3
    TLKC: Kế hoạch số 15/KH-UBND ngày 10/01/2025
    Link: https://xa-mau.gov.vn/van-ban/15.pdf
    Báo cáo số 45/BC-UBND ngày 20/12/2025, đăng tại https://xa-mau.gov.vn/bc45
    https://xa-mau.gov.vn/bc45.pdf (trang 2)

``parse_cell(text, hyperlink=…, formula=…)`` turns a cell into ``Entry`` values:
labels («TLKC:», «Link:», «Tài liệu kiểm chứng:», bullets) are dropped, links
and file names are found inside the text (Vietnamese quotes «», “”, a trailing
«.», «,», «)» or «…» are not part of a link), and a **document reference**
(kind, number/symbol, date, trích yếu) is recognised as a ``DocumentRef``, with
the section and pages cited. A cell hyperlink or a ``HYPERLINK("url","Xem")``
formula is the link, its text only a label; WPS's ``DISPIMG("ID_…",1)`` is a
picture pasted into the cell. Nothing here judges: ``parxl.intake.checks.evidence``
does, and ``parxl.appraisal.build`` shows ``Entry.display()`` to appraisers.

``Entry.text`` is what the ledger keeps (labels removed); ``parse_entry`` of it
gives the same ``Entry`` back, so the structure travels as that text.

Document references and the section and pages cited are parsed in ``parxl.intake.evidence_refs``
(``DocumentRef``, ``KINDS`` … stay importable from here).

Links are found by a regex of our own: linkify-it-py (tried) keeps «», ”, …
at the end of a link and joins two links written «url1,url2».
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, fields
from urllib.parse import unquote, urlsplit

from ..core.texts import fold_keep_positions, normalize_text
from .evidence_refs import (  # noqa: F401 - KINDS, GENERIC_KIND, LETTER_KIND, DocumentRef: importable from here too
    GENERIC_KIND, KINDS, LETTER_KIND, REF_BY_SYMBOL, DocumentRef, locators, mask, overlaps, references)

FILE_SUFFIXES = ("pdf", "doc", "docx", "xls", "xlsx", "xlsm", "odt", "ods", "ppt", "pptx", "jpg", "jpeg", "png",
                 "tif", "tiff", "zip", "rar", "7z")
_EXT = "|".join(sorted(FILE_SUFFIXES, key=len, reverse=True))
_FILE_NAME = re.compile(rf"^[^/\\:*?\"<>|«»“”]+\.({_EXT})$", re.I)
_LOOKS_LIKE_LINK = re.compile(r"^([a-z][a-z0-9+.-]*:|www\.|[\w-]+(\.[\w-]+)+/|h?t+p+s?/+)", re.I)
# The common case, a plain http(s) link alone, parsed without the general machinery (same result).
_PLAIN_URL = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[\w\-./%~+=&?#]*[\w\-/%~+=&#])?/?", re.I)
_DRIVE_PATH = re.compile(r"^[a-z]:[\\/]", re.I)

# A link: a scheme, then anything up to a space or a quote; trailing punctuation is trimmed after.
_URL = re.compile(r"(?<![\w.+-])[a-z][a-z0-9+.-]{1,15}://[^\s«»“”‘’\"<>…，。、]+", re.I)
# Where one link ends and the next entry begins without a space: «url1,url2», «url;QD120.pdf» (a «;» before
# «name=value» stays: ;jsessionid=… is part of a link).
_URL_JOINED = re.compile(r"[,;](?=[a-z][a-z0-9+.-]{1,15}://)|;(?![^\s;/]*=)", re.I)
_TRAILING = ".,;:!?'*"
_PAIRS = {")": "(", "]": "[", "}": "{"}
_QUOTED_FILE = re.compile(rf"[«“\"]([^«»“”\"\n]+?\.(?:{_EXT}))[»”\"]", re.I)
_FILE_TOKEN = re.compile(rf"(?<![^\s(\[«“\"'])(?:[a-z]:\\)?[^\s/\\:*?\"<>|«»“”()\[\]]*(?:[/\\][^\s/\\:*?\"<>|«»“”()\[\]]+)*"
                         rf"\.(?:{_EXT})(?![\w])(?!\.\w)", re.I)

_SPACE = re.compile(r"\s")
_DIGIT = re.compile(r"\d")
_BULLET = re.compile(r"^\s*(?:[-+•*–—·▪●○◦>]+|\(?\d{1,2}[.)]|\(?[a-zđ][)])\s+", re.I)
# Labels (folded): «TLKC:», «Link:», «Tài liệu kiểm chứng:»… A label ends with «:» (or «-» after a space).
_LABEL_WORDS = (r"tai lieu kiem chung|tl kiem chung|tlkc|tai lieu|minh chung|link|links|lien ket|duong link|"
                r"duong dan|dia chi|url|file|file dinh kem|tep|tep tin|tep dinh kem|dinh kem|nguon|xem tai|xem")
_LABEL = re.compile(rf"^(?:{_LABEL_WORDS})(?:\s+(?:so\s+)?\d{{1,2}})?\s*(?::|：|\s[-–]\s?)\s*")
# A whole text that is only a label («Xem tài liệu», «Bấm vào đây») says nothing a hyperlink does not.
_LABEL_ONLY = re.compile(
    r"^(?:(?:xem|mo|tai|tai ve|bam|nhan|click|vao|day|here|tai day|chi tiet|tai lieu|kiem chung|tlkc|link|"
    r"lien ket|duong dan|file|tep|van ban|dinh kem|minh chung|download|open|view|ban scan|scan|o|the|document)"
    r"[\s:.,!>»-]*)+$")

_DISPIMG = re.compile(r"^\s*=?\s*(?:_xlfn\.)?DISPIMG\(\s*\"([^\"]*)\"", re.I)
_HYPERLINK = re.compile(r"^\s*=?\s*(?:_xlfn\.)?HYPERLINK\(\s*\"((?:[^\"]|\"\")*)\"\s*(?:[,;]\s*(.*?))?\)\s*$", re.I | re.S)


@dataclass(frozen=True)
class Entry:
    """One evidence entry: a line of the cell (labels removed), or the cell's hyperlink."""

    text: str                               # as the ledger keeps it; parse_entry(text) gives this Entry back
    refs: tuple[DocumentRef, ...] = ()
    links: tuple[str, ...] = ()             # http(s) and other scheme://… links found in the text
    files: tuple[str, ...] = ()             # file names (without folders) of files said to be sent along
    section: str | None = None              # «mục II», «điều 3, khoản 2»
    pages: str | None = None                # «3», «3–5»
    note: str | None = None                 # words beside a link or file name («Bản scan kế hoạch»)
    picture: str | None = None              # the id of a picture pasted into the cell (WPS DISPIMG)
    malformed: str | None = None            # why the entry, nothing but a link, is not a valid link

    @property
    def kind(self) -> str:
        """«picture», «bad-link», «reference», «link», «file» or «text»."""
        if self.picture is not None:
            return "picture"
        if self.malformed:
            return "bad-link"
        if self.refs:
            return "reference"
        if self.links:
            return "link"
        if self.files:
            return "file"
        return "text"

    @property
    def where(self) -> str:
        """The section and pages cited: «mục II, trang 3» ('' when none)."""
        parts = [self.section] if self.section else []
        if self.pages:
            parts.append(f"trang {self.pages}")
        return ", ".join(parts)

    def display(self) -> str:
        """One line for an appraiser: «QĐ số 120/QĐ-UBND ngày 05/03/2025 — mục II, trang 3»."""
        if self.picture is not None:
            return f"Ảnh dán trong ô ({self.picture})"
        if self.kind in ("text", "bad-link"):
            return self.text
        targets = [*self.links, *self.files]
        if self.refs:
            parts = ["; ".join(r.display() for r in self.refs), self.where, ", ".join(targets)]
        else:
            parts = [self.note or "", ", ".join(targets), self.where]
        return " — ".join(p for p in parts if p)


def parse_cell(text: str, *, hyperlink: str | None = None, formula: str | None = None) -> list[Entry]:
    """The entries of an evidence cell.

    ``text`` is the cell's value (for a formula, its cached value), ``hyperlink``
    the cell's hyperlink target (a URL, a file path, or «#Sheet!A1» inside the
    workbook, which is ignored) and ``formula`` the cell's formula without «=».
    A ``HYPERLINK("url","label")`` formula counts as the hyperlink «url» with
    the label as text; ``DISPIMG("ID_…",1)`` gives one picture entry. A text that
    is only a label next to a link («Xem», or a single file name or link such as
    «tlkc-1.pdf») gives the link alone; a single line without a link of its own
    is joined with the link into one entry. Never raises.
    """
    text = normalize_text(text or "")
    if not formula and not hyperlink:
        plain = _plain_lines(text)  # the common cases: blank, one plain link, plain links one a line
        if plain is not None:
            return [_link_entry(url) for url in plain]
    for source in (formula or "", text):
        m = _DISPIMG.match(source)
        if m:
            return [Entry(text=f"DISPIMG {m.group(1)}", picture=m.group(1))]
    m = _HYPERLINK.match(formula or "")
    if m:
        hyperlink = m.group(1).replace('""', '"').strip()
        label = (m.group(2) or "").strip()
        if label.startswith('"') and label.endswith('"') and len(label) >= 2:
            text = label[1:-1].replace('""', '"')
        elif label == "":
            text = ""
    target = _hyperlink_target(hyperlink)
    segments = _segments(text)
    content = [s for s in segments if not _is_label_only(s)]
    if target is None:
        return _split_links([parse_entry(s) for s in (content or segments)])
    entries = [e for e in _split_links([parse_entry(s) for s in content]) if not _same_place(e.text, target)]
    if not entries:
        return [parse_entry(target)]
    if any(target in (*e.links, *e.files) for e in entries):
        return entries
    if len(entries) == 1 and _only_a_name(entries[0]):
        return [parse_entry(target)]  # «tlkc-1.pdf» linked to https://…/tlkc-1.pdf: the text labels the link
    if len(entries) == 1:
        linked = _name_as_link(entries[0], target)
        if linked is not None:
            return [linked]
    if len(entries) == 1 and not entries[0].links and not entries[0].files and not entries[0].malformed:
        return [parse_entry(f"{entries[0].text} {target if '://' in target else f'«{target}»'}")]
    return entries + [parse_entry(target)]


_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def _plain_lines(text: str) -> list[str] | None:
    """The links of an NFC text that is nothing but plain http(s) links one a line (blank lines, spaces
    around), or blank (no link); None for any other text."""
    out = []
    for line in _LINE_BREAKS.split(text):
        line = line.strip()
        if not line:
            continue
        if not _PLAIN_URL.fullmatch(line):
            return None
        out.append(line)
    return out


def plain_links(text: str) -> list[str] | None:
    """The links of a cell text (without hyperlink or formula) that is nothing but plain, well-formed http(s)
    links one a line, or blank ([]); None for any other text. For such a text ``parse_cell`` gives one
    ``Entry(text=url, links=(url,))`` per link, and ``link_problem`` has nothing to say about any."""
    return _plain_lines(normalize_text(text or ""))


def plain_link_host(url: str) -> str | None:
    """The host (lower case) of a plain http(s) link, one that ``link_problem`` has nothing to say about;
    None for any other text (then ask ``link_problem`` and ``urlsplit``)."""
    if not _PLAIN_URL.fullmatch(url):
        return None
    return host_of_plain(url)


def host_of_plain(url: str) -> str:
    """The host (lower case) of a link known to be plain (from ``plain_links``): what ``urlsplit`` gives."""
    return url[url.index("://") + 3:].split("/", 1)[0].lower()


_ENTRY_DEFAULTS = {f.name: f.default for f in fields(Entry)}


def _link_entry(url: str) -> Entry:
    """``Entry(text=url, links=(url,))``, made without the frozen dataclass's per-field ``__setattr__``."""
    entry = object.__new__(Entry)
    entry.__dict__.update(_ENTRY_DEFAULTS, text=url, links=(url,))
    return entry


def plain_link_host(url: str) -> str | None:
    """The host (lower case) of a plain http(s) link, one that ``link_problem`` has nothing to say about;
    None for any other text (then ask ``link_problem`` and ``urlsplit``)."""
    if not _PLAIN_URL.fullmatch(url):
        return None
    return url[url.index("://") + 3:].split("/", 1)[0].lower()


def _only_a_name(entry: Entry) -> bool:
    """Whether ``entry`` is nothing but a file name or a link (well-formed or not), with no reference, note,
    section or pages: as the text of a hyperlinked cell, only the link's label."""
    return (entry.kind in ("file", "link", "bad-link") and len(entry.files) + len(entry.links) <= 1
            and not entry.note and not entry.where)


def _name_as_link(entry: Entry, target: str) -> Entry | None:
    """«tlkc-1.pdf, trang 3» hyperlinked to https://…/tlkc-1.pdf: the entry with the link in place of the
    file name it opens (None when the entry names another file, or more than one)."""
    if "://" not in target or len(entry.files) != 1 or entry.links or entry.refs:
        return None
    name = entry.files[0]
    try:
        linked = _base_name(unquote(urlsplit(target).path))
    except ValueError:
        return None
    m = re.search(rf"(?<![\w/\\.-]){re.escape(name)}", entry.text)
    if normalize_text(linked).lower() != name.lower() or m is None:
        return None
    return parse_entry(entry.text[:m.start()] + target + entry.text[m.end():])


def _same_place(text: str, target: str) -> bool:
    """Whether ``text`` is ``target`` written out (Excel links «www.x.gov.vn/a.pdf» as http://www.x.gov.vn/a.pdf)."""
    def bare(s: str) -> str:
        return re.sub(r"^[a-z][a-z0-9+.-]*://", "", s.strip().lower()).rstrip("/")
    return bare(text) == bare(target)


def _split_links(entries: list[Entry]) -> list[Entry]:
    """A line of links alone («url1, url2», «“url”») gives one entry a link, each its own text."""
    out = []
    for e in entries:
        if e.kind == "link" and not e.where and mask(e.text, _url_spans(e.text)).strip(" ,;:«»“”\"'()") == "":
            out.extend(Entry(text=url, links=(url,)) for url in e.links)
        else:
            out.append(e)
    return out


def parse_entry(text: str) -> Entry:
    """One entry (a line without labels, or a link) as an ``Entry``; labels and bullets are dropped first."""
    if _PLAIN_URL.fullmatch(text):
        return Entry(text=text, links=(text,))
    text = _clean(text)
    if not text:
        return Entry(text="")
    if not _SPACE.search(text):
        whole = _whole_token(text)
        if whole is not None:
            return whole
    elif _FILE_NAME.match(text) and not _LOOKS_LIKE_LINK.match(text) and not _URL.search(text):
        return Entry(text=text, files=(_base_name(text),))
    folded = fold_keep_positions(text)
    spans: list[tuple[int, int]] = []
    links = []
    for start, end in _url_spans(text):
        links.append(text[start:end])
        spans.append((start, end))
    files = []
    for m in _QUOTED_FILE.finditer(text):
        if not overlaps(m.span(), spans):
            files.append(_base_name(m.group(1)))
            spans.append(m.span())
    for m in _FILE_TOKEN.finditer(text):
        token = m.group(0)
        if not overlaps(m.span(), spans) and _is_file_token(token):
            files.append(_base_name(token))
            spans.append(m.span())
    masked = mask(folded, spans)
    lower = text.lower()
    section, pages, loc_spans = locators(text, mask(lower if len(lower) == len(text) else folded, spans))
    masked = mask(masked, loc_spans)
    cut = min((s for s, _ in spans + loc_spans), default=len(text))
    refs = references(text, masked, cut) if _DIGIT.search(masked) else []  # a reference has a number or a date
    note = None if refs else _note(text, spans + loc_spans)
    return Entry(text=text, refs=tuple(refs), links=tuple(links), files=tuple(files), section=section, pages=pages,
                 note=note)


_CONNECTIVES = re.compile(r"(?:^|\s)(?:đăng tại|đăng trên|tại|xem tại|xem|tệp|file|link|bản scan)(?=\s|$)", re.I)


def _note(text: str, spans: list[tuple[int, int]]) -> str | None:
    """What is left of ``text`` once links, file names and locators are taken out, if it says anything."""
    rest = mask(text, spans)
    rest = re.sub(r"\s+", " ", re.sub(r"[()\[\]«»“”\"',;:–—-]", " ", rest)).strip(" .")
    if not re.search(r"\w", _CONNECTIVES.sub(" ", rest)):
        return None
    return rest


def link_problem(url: str) -> str | None:
    """Why ``url`` is not a well-formed http(s) link, or None (Vietnamese, for a finding)."""
    if _SPACE.search(url):
        return "có khoảng trắng"
    if url.lower().startswith("www."):
        return "thiếu «https://» ở đầu"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "sai cú pháp"
    if not parts.scheme or "://" not in url:
        return "thiếu «https://» ở đầu" if "." in url.split("/", 1)[0] else "sai cú pháp"
    if parts.scheme.lower() not in ("http", "https"):
        return f"giao thức «{parts.scheme or '?'}:» không phải http/https"
    if not host:
        return "thiếu tên miền"
    if not is_ip(host) and "." not in host:
        return f"tên miền «{host}» không đầy đủ"
    return None


# Helpers ------------------------------------------------------------------------------------------

def _segments(text: str) -> list[str]:
    """Lines, then «;»-separated parts outside links; cleaned, empty ones dropped."""
    out = []
    for line in re.split(r"[\r\n\u2028\u2029]+", text):
        cuts, start = [], 0
        urls = _url_spans(line)
        for m in re.finditer(";", line):
            if not any(s <= m.start() < e for s, e in urls):
                cuts.append(line[start:m.start()])
                start = m.end()
        cuts.append(line[start:])
        out.extend(c for c in (_clean(c) for c in cuts) if c)
    return out


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", normalize_text(text)).strip()
    while True:
        before = text
        text = _BULLET.sub("", text)
        m = _LABEL.match(fold_keep_positions(text))
        if m:
            text = text[m.end():]
        text = text.strip().rstrip(".,;").strip()
        if text == before:
            return text


def _is_label_only(segment: str) -> bool:
    return bool(_LABEL_ONLY.match(fold_keep_positions(segment)))


def _url_spans(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _URL.finditer(text):
        start, body = m.start(), m.group(0)
        for piece in _URL_JOINED.split(body):
            end = start + len(piece)
            trimmed = _trim(piece)
            if "://" in trimmed and not trimmed.endswith("://"):
                out.append((start, start + len(trimmed)))
            start = end + 1
    return out


def _trim(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _PAIRS and url.count(last) > url.count(_PAIRS[last]):
            url = url[:-1]
        else:
            break
    return url


def _whole_token(text: str) -> Entry | None:
    """A text without spaces: one link, one file name, or a malformed link (None: something else)."""
    spans = _url_spans(text)
    if len(spans) == 1 and spans[0] == (0, len(text)):
        problem = link_problem(text)
        return Entry(text=text, malformed=problem) if problem else Entry(text=text, links=(text,))
    if len(spans) > 1 and mask(text, spans).strip(" ,;") == "":
        return None  # several links joined: parsed as text with links
    if _DRIVE_PATH.match(text) and _FILE_TOKEN.fullmatch(text):
        return Entry(text=text, files=(_base_name(text),))
    if _FILE_NAME.match(text) and not _LOOKS_LIKE_LINK.match(text):
        return Entry(text=text, files=(_base_name(text),))
    if _LOOKS_LIKE_LINK.match(text) and not REF_BY_SYMBOL.fullmatch(fold_keep_positions(text)):
        trimmed = _trim(text)
        return Entry(text=text, malformed=link_problem(trimmed) or "sai cú pháp")
    return None


def _is_file_token(token: str) -> bool:
    if "/" in token and not _DRIVE_PATH.match(token):
        first = token.split("/", 1)[0]
        if "." in first or not first or REF_BY_SYMBOL.fullmatch(fold_keep_positions(token.rsplit(".", 1)[0])):
            return False  # a host (xa-mau.gov.vn/…) or a document symbol, not a folder
    return bool(token.rsplit(".", 1)[0].strip("\\/"))


def _base_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _hyperlink_target(target: str | None) -> str | None:
    """A cell hyperlink as an entry text: the URL, or the name of a linked file; None inside the workbook."""
    if not target:
        return None
    target = normalize_text(target.strip())
    if not target or target.startswith("#"):
        return None
    if target.lower().startswith("file:"):
        return _base_name(unquote(target[5:]))
    if "://" not in target and not target.lower().startswith(("mailto:", "www.")):
        name = _base_name(unquote(target))
        if _FILE_NAME.match(name):
            return name
    return target


def is_ip(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address rather than a name."""
    if not _IP_CHARS.fullmatch(host):
        return False  # a name (letters past a–f, or other characters): no address parse needed
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


_IP_CHARS = re.compile(r"[0-9A-Fa-f.:]+(?:%.+)?")  # what an IPv4/IPv6 address (with a scope) is made of
