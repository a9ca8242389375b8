"""Fast paths of the xlsx reader for whole, plain parts: regexes (C speed) instead of a tree.

Excel, LibreOffice, WPS and parxl write sheets, shared strings and workbook.xml
in a few regular shapes. For a part that is *plain* (``plain_text``: well-formed
for the same namespace-aware expat parser ElementTree uses, UTF-8, no DTD,
comment, CDATA section or processing instruction, no carriage return, no «>»
but those ending tags), ``read_sheet``, ``shared_strings`` and
``read_workbook`` pick out what the reader needs with compiled regexes and
build only that: the wanted columns of the rows up to ``max_row``, the shared
strings asked for, the sheets and defined names.

Each of them either gives exactly what the ElementTree path
(``parxl.xlsx.sheet.SheetParser``, ``parxl.xlsx.container``) gives for the
same bytes, the same ``HostileFile`` included, or raises ``Fallback`` the
moment it meets anything it does not handle exactly (a namespace prefix on an
element it reads, an element it does not expect where it reads, a default
namespace declared again inside the part, …): the caller then reads the part
through the ElementTree path. ``tests/test_xlsx_fast.py`` reads every kind of
file both ways and compares.

Because every «<» starts a tag and every «>» ends one in a plain part, a tag's
attribute text is ``[^>]*`` and an element's text is ``[^<]*``, exactly.
"""
from __future__ import annotations

import re
from typing import Callable
from xml.parsers import expat

__all__ = ["ENABLED", "Fallback", "plain_text", "read_sheet", "shared_strings", "read_workbook", "unxml",
           "attr", "pick"]

ENABLED = True  # False: every part through ElementTree (the equivalence tests compare both)


class Fallback(Exception):
    """The part has something the fast path does not handle exactly: read it through ElementTree."""


class _NotPlain(Exception):
    """Raised from the expat handlers of ``plain_text`` to stop at the first construct it refuses."""


# XML pieces ---------------------------------------------------------------
_ATTR = re.compile(r"""\s+([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF_ENT = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_PREFIXED_TAG = re.compile(r"</?[^\s/>:]*:")
_DEFAULT_NS = re.compile(r"xmlns\s*=")
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_NS_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"


def _entity(m: re.Match) -> str:
    name, dec, hexa = m.groups()
    if name:
        return _NAMED[name]
    return chr(int(dec) if dec else int(hexa, 16))


def unxml(text: str) -> str:
    """XML character data with its references (``&amp;``, ``&#233;``, ``&#xE9;``) decoded.

    The text is from a well-formed part without DTD, so every «&» starts one of these references.
    """
    if "&" not in text:
        return text
    if "&#" in text:
        text = text.replace("&#10;", "\n")  # the line break LibreOffice writes so, every «&» starting a reference
        if "&#" in text:
            return _REF_ENT.sub(_entity, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
        "&apos;", "'").replace("&amp;", "&")


def _attr_value(raw: str) -> str:
    """An attribute value as a parser gives it: literal tab and newline as spaces, then references decoded."""
    if "\t" in raw or "\n" in raw:
        raw = raw.replace("\t", " ").replace("\n", " ")
    return unxml(raw) if "&" in raw else raw


def pick(attrs: str, *names: str) -> list[str | None]:
    """The values of the attributes ``names`` (qualified names) in a start tag's attribute text
    (``' r="A1" t="s"'``), None for those absent."""
    out: list[str | None] = [None] * len(names)
    for name, dq, sq in _ATTR.findall(attrs):
        if name in names:
            out[names.index(name)] = _attr_value(dq or sq)
    return out


def attr(attrs: str, name: str) -> str | None:
    """One attribute's value in a start tag's attribute text, None when absent (see ``pick``).

    Cheap when the attribute is written `` name="…"`` outside any other value; else ``pick``.
    """
    key = f' {name}="'
    i = attrs.find(key)
    if i < 0 or "'" in attrs or attrs.count('"', 0, i) % 2:
        return pick(attrs, name)[0] if f"{name}" in attrs else None
    start = i + len(key)
    return _attr_value(attrs[start:attrs.index('"', start)])


def plain_text(whole: bytes, split: bytes | None = None) -> str | None:
    """The part as text when the fast paths may read it, else None.

    The bytes must be well-formed XML for the namespace-aware expat parser ElementTree uses, in
    UTF-8 (declared or not), with no DTD, comment, CDATA section or processing instruction (its
    handlers for those mark the part), no carriage return (a parser normalises line ends) and no
    «>» in a text or an attribute value. Returns the text after the XML declaration.

    ``split`` (an end tag, e.g. ``b"</sheetData>"``): the part is checked in two pieces cut after its
    last occurrence (``plain_parts``).
    """
    parts = plain_parts(whole, split)
    return None if parts is None else parts[0] + parts[1]


def plain_parts(whole: bytes, split: bytes | None = None) -> tuple[str, str] | None:
    """``plain_text`` of the part in two pieces: (the text up to just after the last ``split``, the text
    after it), or (the whole text, "") when it is not cut; None when the fast paths may not read it.

    The piece after the cut (a sheet's validations and formats, the same in every file made from one
    template) is checked and decoded once per process (``_split_check``): the same text object is
    given for the same bytes, so its hash is computed once.
    """
    if b"\r" in whole or whole.count(b"<") != whole.count(b">"):
        return None
    try:
        cut = _split_check(whole, split) if split is not None else None
        if cut is None:
            _parse_known(_plain_parser(), whole, True)()
            text, rest = whole.decode("utf-8"), ""
        else:
            text, rest = whole[:cut[0]].decode("utf-8"), cut[1]
    except (expat.ExpatError, UnicodeDecodeError, _NotPlain):
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.startswith("<?xml"):
        text = text[text.index("?>") + 2:]
    return text, rest


def _mark(*_):  # stops the parser at once: a DTD's entities are never expanded here
    raise _NotPlain


def _declaration(_version, encoding, _standalone):
    if encoding is not None and encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise _NotPlain


def _plain_parser():
    """The expat parser ``plain_text`` checks a part with (namespace-aware, as ElementTree's)."""
    parser = expat.ParserCreate(None, "}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.CommentHandler = parser.StartCdataSectionHandler = parser.ProcessingInstructionHandler = _mark
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = parser.SkippedEntityHandler = _mark
    parser.XmlDeclHandler = _declaration
    return parser


# The root's start tag, complete (no «<» or «>» in a value), as the first element of a part.
_ROOT_TAG = re.compile(rb"""<([A-Za-z_][^\s/<>="']*)(?:\s+[^\s/<>="']+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))*\s*>""")
_SPLIT_CHECKED: dict[tuple[bytes, bytes], str] = {}  # (root start tag, piece after the cut) -> its text, plain


def _split_check(whole: bytes, split: bytes) -> tuple[int, str] | None:
    """Check ``whole`` as ``plain_text`` does, in two pieces cut just after the last ``split``: None when it
    cannot be cut so (then it is checked whole), else (where it was cut, the text after the cut); raises
    what the parser raises when the piece after the cut is not plain (then the whole is not plain either).

    The head (up to the cut) closed by the root's end tag, and the root's start tag followed by the
    rest, are each checked by the same parser. Both plain implies the whole plain: the cut falls right
    after the «>» of an end tag, where the parser is inside the root only, with the root's namespaces,
    the state in which the second check starts the rest. The second check (and the rest's decoding)
    is done once per process for each (root start tag, rest).
    """
    cut = whole.rfind(split)
    root = _ROOT_TAG.search(whole, 0, 4096) if cut > 0 else None
    if cut < 0 or root is None or root.end() > cut:
        return None
    cut += len(split)
    head_parser = _plain_parser()
    try:
        remember = _parse_known(head_parser, whole[:cut], False, root)
        head_parser.Parse(b"</" + root.group(1) + b">", True)
        remember()  # only once the head is known to close: a comment left open in it is not a plain part
    except (expat.ExpatError, _NotPlain):  # e.g. cut inside a nested element: check it whole
        return None
    rest = whole[cut:]
    key = (root.group(0), rest)
    text = _SPLIT_CHECKED.get(key)
    if text is None:
        rest_parser = _plain_parser()
        rest_parser.Parse(root.group(0), False)
        rest_parser.Parse(rest, True)
        text = rest.decode("utf-8")
        if len(rest) <= CACHED_CHARS:
            if len(_SPLIT_CHECKED) >= 16:
                _SPLIT_CHECKED.clear()
            _SPLIT_CHECKED[key] = text
    return cut, text


# Pieces of a part checked once per process: per root element, the end tag that closes each piece and the
# shape a piece must have to be kept (one element child of the root's content, closed by that end tag, with
# no namespace prefix but «xml:», no markup but its own elements: its well-formedness holds wherever it
# stands in element content).
_ATTRS = rb'(?:[ \t\n]+[A-Za-z]+="[^"<>]*")*'
_PIECES = {
    b"sst": (b"</si>", re.compile(
        rb'<si>(?:<t(?: xml:space="preserve")?>[^<]*</t>|(?:<r><rPr>(?:<[A-Za-z]+' + _ATTRS + rb'[ \t\n]*/>)*</rPr>'
        rb'<t(?: xml:space="preserve")?>[^<]*</t></r>)+)')),
    b"worksheet": (b"</row>", re.compile(
        rb"<row" + _ATTRS + rb"[ \t\n]*>(?:<c" + _ATTRS + rb"[ \t\n]*(?:/>|>(?:<f" + _ATTRS + rb"[ \t\n]*>[^<]*</f>)?"
        rb"(?:<v>[^<]*</v>)?</c>))*")),
}
_KNOWN_PIECES: set[bytes] = set()  # pieces (without their end tag) already parsed in a plain part
_SEEN_ONCE: set[bytes] = set()  # pieces parsed once, in a plain part or not (not yet in _KNOWN_PIECES)
PIECE_BYTES = 2048  # the longest piece remembered
PIECES_KEPT = 16384  # the most pieces in each of the two sets (then forgotten all at once): a few MB at most


def _parse_known(parser, data: bytes, final: bool, root: re.Match | None = None) -> Callable[[], None]:
    """``parser.Parse(data, final)`` with the pieces of ``data`` already found in a plain part left out.

    ``data`` is cut after its root's start tag (``_ROOT_TAG``) and at each end tag of ``_PIECES`` for that
    root («</si>», «</row>»); a piece between two cuts that is in ``_KNOWN_PIECES`` is left out with its end
    tag. Why the verdict is the same: a kept piece has the shape of one element with plain content and no
    namespace prefix, and it was read in element content of a plain part, so it is well-formed wherever it
    stands in element content. When the rest parses as plain, every cut in it stands right after a tag's
    «>» (no comment, CDATA section or «<» in a value can be there), in element content; putting the pieces
    back changes nothing the parser sees. When the rest does not parse, neither would the whole.
    Returns what remembers the pieces of the right shape parsed for the second time: the caller calls it
    only once the whole part is known to be plain (a parse with ``final=False`` can succeed inside a
    comment or CDATA section left open, whose text is no element content).
    """
    if root is None:
        root = _ROOT_TAG.search(data, 0, 4096)
    known = _PIECES.get(root.group(1)) if root is not None else None
    if known is None or len(data) < 8192:
        parser.Parse(data, final)
        return _nothing
    end, shape = known
    head = root.end()
    pieces = data[head:].split(end)
    tail = pieces.pop()
    seen, once = _KNOWN_PIECES, _SEEN_ONCE
    new = [piece for piece in pieces if piece not in seen]
    if len(new) == len(pieces):
        parser.Parse(data, final)
    else:
        new.append(tail)
        parser.Parse(data[:head] + end.join(new), final)
        new.pop()

    def remember() -> None:
        if len(seen) + len(new) > PIECES_KEPT:
            seen.clear()
        if len(once) + len(new) > PIECES_KEPT:
            once.clear()
        for piece in new:  # a piece found again is kept (one a single file has costs a set lookup, no regex)
            if len(piece) > PIECE_BYTES:
                continue
            if piece not in once:
                once.add(piece)
            elif shape.fullmatch(piece):
                seen.add(piece)
    return remember


def _nothing() -> None:
    """What ``_parse_known`` returns when it has nothing to remember."""


def _root(text: str, name: str, rest: str = "") -> tuple[str, int]:
    """The root start tag, which must be ``<name …>`` without prefix: its attribute text and where it ends.
    ``rest``: the part's text after ``text`` (``plain_parts``).

    Raises ``Fallback`` for another root, or a default namespace declared again inside.
    """
    m = re.compile(rf"\s*<{name}(?=[\s/>])([^>]*)>").match(text)
    if m is None or m.group(1).endswith("/"):
        raise Fallback(f"root {name}")
    if _matches(_DEFAULT_NS, "xmlns", text, m.end()) or (rest and _rest_count(rest, "xmlns", _DEFAULT_NS)):
        raise Fallback("default namespace declared inside")
    return m.group(1), m.end()


_REST_COUNTS: dict[tuple[str, str, re.Pattern | None], int] = {}


def _rest_count(rest: str, literal: str, pattern: re.Pattern | None = None) -> int:
    """In the text after a part's cut (the same object for the same bytes): how many times ``literal``
    occurs, or ``pattern`` (starting with it) matches, up to 2; once per process for each."""
    key = (rest, literal, pattern)
    count = _REST_COUNTS.get(key)
    if count is None:
        count = min(2, rest.count(literal)) if pattern is None else _matches(pattern, literal, rest, 0, 2)
        if len(_REST_COUNTS) >= 64:
            _REST_COUNTS.clear()
        _REST_COUNTS[key] = count
    return count


def _matches(pattern: re.Pattern, literal: str, text: str, pos: int = 0, most: int = 1) -> int:
    """How many times ``pattern``, which starts with ``literal``, matches in ``text`` from ``pos`` (as
    ``findall`` counts), counting up to ``most``: the literal looked for by ``str.find`` (fast), the
    pattern tried only where it is (the regex engine would try it at every «<» or letter)."""
    count = 0
    i = text.find(literal, pos)
    while i >= 0:
        m = pattern.match(text, i)
        if m is None:
            i = text.find(literal, i + 1)
            continue
        count += 1
        if count >= most:
            return count
        i = text.find(literal, max(m.end(), i + 1))
    return count


def _rel_id_names(root: str, text: str, rest: str = "") -> tuple[str, ...]:
    """The qualified attribute names meaning ``{REL_NS}id`` then ``{REL_NS_STRICT}id`` (at most one each).
    ``rest``: the part's text after ``text`` (``plain_parts``).

    Raises ``Fallback`` unless the relationship namespaces are declared on the root only, once.
    """
    names = []
    for ns in (REL_NS, REL_NS_STRICT):
        count = text.count(ns) + (_rest_count(rest, ns) if rest else 0)
        if not count:
            continue
        prefixes = [name[6:] for name, dq, sq in _ATTR.findall(root) if name.startswith("xmlns:") and (dq or sq) == ns]
        if len(prefixes) != 1 or count != 1:
            raise Fallback("relationship namespace")
        declared = f"xmlns:{prefixes[0]}"
        pattern = re.compile(rf"{re.escape(declared)}\s*=")
        if _matches(pattern, declared, text, 0, 2) + (_rest_count(rest, declared, pattern) if rest else 0) != 1:
            raise Fallback("relationship prefix declared again")
        names.append(prefixes[0] + ":id")
    return tuple(names)


# Rich text (<si>, <is>) ---------------------------------------------------
_CUT = re.compile(r"<rPr\s*(?:/>|>[^<]*(?:<(?!/)[^<]*)*</rPr\s*>)"
                  r"|<rPh(?:\s[^>]*)?(?<!/)>[^<]*(?:<(?!/rPh[\s>])[^<]*)*</rPh\s*>|<phoneticPr(?=[\s/>])[^>]*/>")
_T = r"<t(?=[\s/>])[^>]*?(?:/>|>[^<]*</t\s*>)"
_RUN = rf"<r\s*>[^<]*(?:{_T}[^<]*)*</r\s*>"
_RICH_SHAPE = re.compile(rf"[^<]*(?:(?:{_T}|{_RUN})[^<]*)*")
_T_TEXT = re.compile(r"<t(?=[\s/>])[^>]*?(?:/>|>([^<]*)</t\s*>)")


def rich_text(content: str) -> str:
    """The text of a ``<si>``/``<is>`` element's content, as ``parxl.xlsx.sheet.rich_text`` gives it
    (``<t>`` and the ``<t>`` of runs ``<r>`` joined, phonetic hints left out), references decoded,
    not ``_xHHHH_``-unescaped. Raises ``Fallback`` for any other shape.
    """
    if "<rP" in content or "<ph" in content:
        content = _CUT.sub("", content)
        if "<rP" in content or "<ph" in content:
            raise Fallback("run properties")
    if _RICH_SHAPE.fullmatch(content) is None:
        raise Fallback("rich text shape")
    return unxml("".join(_T_TEXT.findall(content)))


# Shared strings -----------------------------------------------------------
_SI = re.compile(r"""<si\s*>(?:<t(?: xml:space="preserve")?>([^<]*)</t>|([^<]*(?:<(?!/si[\s>])[^<]*)*))"""
                 r"""</si\s*>|<si\s*/>|(<)""")


def shared_strings(text: str, wanted: set[int]) -> dict[int, str]:
    """The shared strings at the ``wanted`` indexes of a plain sharedStrings part.

    Values as ``parxl.xlsx.container._si_text`` gives them. Raises ``Fallback`` (see the module doc).
    """
    from .container import si_text_of
    _, start = _root(text, "sst")
    end = text.rfind("</sst")
    if end < start:
        raise Fallback("sst end")
    if _PREFIXED_TAG.search(text, start):
        raise Fallback("prefixed element in shared strings")
    last = max(wanted)
    out: dict[int, str] = {}
    known = _RICH
    for i, (plain, rich, other) in enumerate(_SI.findall(text, start, end)):
        if other:
            raise Fallback("not a string item")
        if i in wanted:
            if rich:
                value = known.get(rich)
                if value is None:  # a formatted label of the template: the same in every file made from it
                    value = si_text_of(rich_text(rich))
                    if len(rich) <= 8192:
                        if len(known) >= 4096:
                            known.clear()
                        known[rich] = value
                out[i] = value
            else:
                out[i] = si_text_of(unxml(plain)) if "&" in plain or len(plain) > 4096 or "_x" in plain else plain
        if i >= last:
            break
    return out


_RICH: dict[str, str] = {}  # a shared string's rich-text content -> its text (``si_text_of(rich_text(…))``)


# Workbook -----------------------------------------------------------------
_SHEET = re.compile(r"<sheet(?=[\s/>])([^>]*)>")
_DEFINED = re.compile(r"<definedName(?=[\s/>])([^>]*)>([^<]*)")
_OTHER_WB = re.compile(r"<[^\s/>:]*:(?:sheet|definedName)[\s/>]")
# The layouts LibreOffice, Excel and parxl write, with plain values: (localSheetId, name, localSheetId, text).
_DEFINED_COMMON = re.compile(
    r'<definedName(?: function="[a-z]+")?(?: hidden="[a-z0-9]+")?(?: localSheetId="([0-9]+)")? name="([^"&]*)"'
    r'(?: localSheetId="([0-9]+)")?(?: (?!localSheetId=)[A-Za-z]+="[^"&]*")*>([^<]*)</definedName>')


def read_workbook(text: str) -> tuple[list[tuple[str, str | None, str]], list[tuple[str, str | None, str]]]:
    """The sheets (name, relationship id, state) and defined names (name, localSheetId, text) of a
    plain workbook.xml, in document order, references decoded. Raises ``Fallback`` (see the module doc).
    """
    root, start = _root(text, "workbook")
    if _OTHER_WB.search(text, start):
        raise Fallback("prefixed sheet or defined name")
    rid_names = _rel_id_names(root, text)
    sheets = []
    for attrs in _SHEET.findall(text, start):
        name, state, *rids = pick(attrs, "name", "state", *rid_names)
        sheets.append((name or "", next((r for r in rids if r), None), "visible" if state is None else state))
    n_defined = text.count("<definedName") - text.count("<definedNames")
    common = _DEFINED_COMMON.findall(text, start)
    if len(common) == n_defined:
        names = [(_attr_value(name), local_a or local_b or None, unxml(body)) for local_a, name, local_b, body in common]
        if len(sheets) != text.count("<sheet") - text.count("<sheets"):
            raise Fallback("sheet in another shape")
        return sheets, names
    names = []
    for attrs, body in _DEFINED.findall(text, start):
        if attrs.endswith("/"):
            attrs, body = attrs[:-1], ""
        names.append((attr(attrs, "name") or "", attr(attrs, "localSheetId"), unxml(body)))
    if text.count("<sheet") - text.count("<sheets") != len(sheets) or text.count("<definedName") - text.count(
            "<definedNames") != len(names):
        raise Fallback("sheet or defined name in another shape")
    return sheets, names


# Sheets -------------------------------------------------------------------
_ROW_START = re.compile(r'<row(?: r="([0-9]{1,7})")?(?=[\s/>])([^>]*)>')
_ROW = re.compile(r'<row(?: r="([0-9]{1,7})")?(?=[\s/>])([^>]*?)(?:/>|>([^<]*(?:<(?!/row[\s>])[^<]*)*)</row\s*>)|(<)')
CELL = re.compile(r'<c(?: r="([A-Z]{1,3})([0-9]{1,7})")?(?: s="[0-9]{1,5}")?(?: t="([A-Za-z]{1,9})")?(?=[\s/>])'
                  r'([^>]*?)(?:(/)>|>(?:(?:(<f)(?=[\s>])([^>]*)>([^<]*)</f>)?(?:(<v)>([^<]*)</v>)?</c>'
                  r'|([^<]*(?:<(?!/c[\s>])[^<]*)*)</c\s*>))|(<)')
CELL_BODY = re.compile(r"\s*(?:(<f)(?=[\s/>])([^>]*?)(?:/>|>([^<]*)</f\s*>)\s*)?(?:(<v)\s*(?:/>|>([^<]*)</v\s*>)\s*)?")
IS_BODY = re.compile(r"\s*<is\s*>(.*)</is\s*>\s*", re.S)
_START = re.compile(r"<([^\s/>]+)([^>]*)>")
_KEPT = re.compile(r"<([^\s/>:]+:)?(sheetData|sheetProtection|dataValidations|hyperlinks)(?=[\s/>])")


def read_sheet(text: str, parser, rest: str = "") -> None:
    """Fill ``parser.data`` (a ``parxl.xlsx.sheet.SheetParser``) from a plain sheet part, as
    ``SheetParser.parse_whole`` would: the same cells, pending shared strings, hyperlinks,
    validations, protection and the same ``HostileFile`` for a bad row or cell. Raises ``Fallback``.
    ``text`` and ``rest``: the part's text as ``plain_parts`` gives it (``rest`` "" when not cut).
    """
    root, start = _root(text, "worksheet", rest)
    _walk(text, start, parser, _rel_id_names(root, text, rest), rest)


class _Tail:
    """What the part after sheetData holds (validations, hyperlinks, protection), read once per process."""

    def __init__(self):
        from .sheet import SheetData
        self.data = SheetData("")
        self.data.protected = None  # set only if the tail says


CACHED_CHARS = 256 * 1024  # the most of a part (or of a row) kept by the per-process caches
_TAILS: dict[tuple[str, tuple[str, ...]], SheetData] = {}


def _walk(text: str, pos: int, parser, rid_names: tuple[str, ...], after: str = "") -> None:
    """The root's children from ``pos`` (just inside the root): sheetData read fast, the others whole.
    ``after``: the part's text after ``text``, cut where the root's children are (``plain_parts``)."""
    depth = 1
    data = parser.data
    while True:
        m = _KEPT.search(text, pos)
        if m is None:
            if not after:
                return
            text, pos, after, depth = after, 0, "", 1  # the cut is between two of the root's children
            continue
        seg = text[pos:m.start()]  # every «<» starts a tag, every «>» ends one
        depth += seg.count("<") - 2 * seg.count("</") - seg.count("/>")
        tag = _START.match(text, m.start())
        name, attrs = tag.groups()
        pos = tag.end()
        empty = attrs.endswith("/")
        if depth != 1:  # nested in another element: not the sheet's own
            depth += not empty
            continue
        if m.group(1):
            raise Fallback("prefixed sheet element")
        body = ""
        if not empty:
            close = text.find(f"</{name}", pos)
            if close < 0 or f"<{name}" in text[pos:close]:
                raise Fallback("nested element")
            body, pos = text[pos:close], text.find(">", close) + 1
        if name != "sheetData":
            _kept(name, attrs[:-1] if empty else attrs, body, parser, rid_names)
            continue
        _rows(body, parser)
        rest = text[pos:] + after if pos < len(text) else after  # the same object each time when cut here
        if data.validations or data.hyperlinks or "<sheetData" in rest or len(rest) > CACHED_CHARS:
            continue
        # The rest (validations, conditional formats, …) is the same in every file of a campaign.
        key = (rest, rid_names)
        tail = _TAILS.get(key)
        if tail is None:
            probe = _Tail()
            _walk(rest, 0, probe, rid_names)
            tail = probe.data
            if len(_TAILS) >= 16:
                _TAILS.clear()
            _TAILS[key] = tail
        data.validations.extend(tail.validations)
        data.hyperlinks.update(tail.hyperlinks)
        if tail.protected is not None:
            data.protected = tail.protected
        return


_DV_BODY = re.compile(r"\s*(?:<formula1\s*(?:/>|>([^<]*)</formula1\s*>)\s*)?(?:<formula2\s*(?:/>|>[^<]*</formula2\s*>)\s*)?")


def _children(body: str, tag: str):
    """(attribute text, content or None when empty) of each child element of ``body``, all named ``tag``."""
    pos = 0
    while True:
        i = body.find("<", pos)
        if i < 0:
            return
        m = _START.match(body, i)
        if m is None or m.group(1) != tag:
            raise Fallback("unexpected child " + tag)
        attrs = m.group(2)
        if attrs.endswith("/"):
            pos = m.end()
            yield attrs[:-1], None
            continue
        close = body.find(f"</{tag}", m.end())
        if close < 0 or f"<{tag}" in body[m.end():close]:
            raise Fallback("nested " + tag)
        pos = body.find(">", close) + 1
        yield attrs, body[m.end():close]


def _kept(name: str, attrs: str, body: str, parser, rid_names: tuple[str, ...]) -> None:
    """sheetProtection, dataValidations and hyperlinks as ``SheetParser._other`` reads them."""
    data = parser.data
    if name == "sheetProtection":
        data.protected = attr(attrs, "sheet") in ("1", "true")
        return
    if _PREFIXED_TAG.search(body):
        raise Fallback("prefixed element in " + name)
    if name == "dataValidations":
        for dv_attrs, dv_body in _children(body, "dataValidation"):
            f1 = ""
            if dv_body:
                m = _DV_BODY.fullmatch(dv_body)
                if m is None:
                    raise Fallback("data validation content")
                f1 = unxml(m.group(1) or "")
            data.validations.append((attr(dv_attrs, "sqref") or "", f1))
        return
    for link_attrs, link_body in _children(body, "hyperlink"):
        if link_body and "<" in link_body:
            raise Fallback("hyperlink content")
        ref, location, *rids = pick(link_attrs, "ref", "location", *rid_names)
        rid = next((r for r in rids if r), None)
        target = f"rid:{rid}" if rid else "#" + (location or "")
        for one in (ref or "").split():
            data.hyperlinks.setdefault(one.split(":")[0], target)


def _rows(body: str, parser) -> None:
    """The rows of sheetData's content, as ``SheetParser._row`` reads them."""
    if _PREFIXED_TAG.search(body):
        raise Fallback("prefixed element in sheetData")
    # As ``_ROW.finditer`` reads them (its «(<)» a Fallback), a row found with ``str.find`` (C speed) rather
    # than by the regex engine walking every character of the row.
    find, start_tag, fast_row = body.find, _ROW_START.match, parser.fast_row
    pos = 0
    while True:
        i = find("<", pos)
        if i < 0:
            return
        m = start_tag(body, i)
        if m is None:
            raise Fallback("not a row")
        r, attrs = m.groups()
        pos = m.end()
        if attrs.endswith("/"):
            attrs, content = attrs[:-1], ""
        else:
            end = find("</row", pos)
            while end >= 0 and not (body[end + 5:end + 6].isspace() or body[end + 5:end + 6] == ">"):
                end = find("</row", end + 5)  # e.g. «</rowx>»: not this row's end
            close = find(">", end + 5) if end >= 0 else -1
            if close < 0 or body[end + 5:close].strip():
                raise Fallback("not a row")
            content, pos = body[pos:end], close + 1
        if r is None:
            r = attr(attrs, "r")
        if not fast_row(r, content):
            return
