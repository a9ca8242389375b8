"""Document references in evidence text: kind, number/symbol, date, trích yếu, section and pages.

«Quyết định số 120/QĐ-UBND ngày 05/3/2025 của UBND xã, mục II, trang 3» gives
``DocumentRef("Quyết định", "120/QĐ-UBND", date(2025, 3, 5))`` and the locators «mục II»,
«3». Kinds and abbreviations follow Nghị định 30/2020 (Phụ lục III); a symbol without a type
code (1234/UBND-NC) is a letter (Công văn).

``parxl.intake.evidence_text`` finds links and file names first, blanks them (``mask``) in a
folded copy of the text (``fold_keep_positions``: one character for one, so positions stay those
of the text) and asks this module for the locators (``locators``) and references
(``references``) in what is left.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..core.texts import fold_keep_positions

# Document kinds: folded (lower case, no diacritics) spelling -> (name, abbreviation of Nghị định 30/2020).
KINDS: dict[str, tuple[str, str]] = {
    "quyet dinh": ("Quyết định", "QĐ"), "ke hoach": ("Kế hoạch", "KH"), "bao cao": ("Báo cáo", "BC"),
    "cong van": ("Công văn", "CV"), "thong bao": ("Thông báo", "TB"), "nghi quyet": ("Nghị quyết", "NQ"),
    "chi thi": ("Chỉ thị", "CT"), "to trinh": ("Tờ trình", "TTr"), "huong dan": ("Hướng dẫn", "HD"),
    "thong tu": ("Thông tư", "TT"), "nghi dinh": ("Nghị định", "NĐ"), "bien ban": ("Biên bản", "BB"),
    "giay moi": ("Giấy mời", "GM"), "cong dien": ("Công điện", "CĐ"), "quy che": ("Quy chế", "QC"),
    "quy dinh": ("Quy định", "QyĐ"), "chuong trinh": ("Chương trình", "CTr"), "de an": ("Đề án", "ĐA"),
    "phuong an": ("Phương án", "PA"), "ket luan": ("Kết luận", "KL"), "hop dong": ("Hợp đồng", "HĐ"),
    "thong cao": ("Thông cáo", "TC"), "van ban": ("Văn bản", ""),
}
GENERIC_KIND = "Văn bản"
LETTER_KIND = "Công văn"  # a symbol without a type code (1234/UBND-NC) is a letter (Nghị định 30/2020)
_BY_ABBR = {abbr: name for name, abbr in KINDS.values() if abbr}
_ABBR_WORDS = sorted({"qd", "kh", "bc", "cv", "tb", "nq", "ct", "ttr", "hd", "tt", "nd", "bb", "gm", "cd", "qc",
                      "qyd", "ctr", "da", "pa", "kl", "tc"}, key=len, reverse=True)

_SYMBOL = r"\d{1,6}[a-z]?\s?/\s?(?:\d{4}\s?/\s?)?[a-zđ][a-zđ0-9]*(?:\s?[-–.]\s?[a-zđ0-9]+)*"
_KIND_WORDS = "|".join(sorted(KINDS, key=len, reverse=True))
# A number after a kind: a symbol (120/QĐ-UBND), or digits only after «số» («Báo cáo 6 tháng» is no number).
_NUMBER_AFTER = rf"(?:\s*(?:so|s)\s*[:.]?\s*({_SYMBOL}|\d{{1,6}}(?![\d/]))|\s*({_SYMBOL}))"
_REF_BY_KIND = re.compile(rf"\b({_KIND_WORDS})\b{_NUMBER_AFTER}?")
_REF_BY_ABBR = re.compile(rf"\b({'|'.join(_ABBR_WORDS)})\b{_NUMBER_AFTER}")
REF_BY_SYMBOL = re.compile(rf"(?<![\w/]){_SYMBOL}(?![\w/])")
_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4})(?![\d/])"
                   r"|ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_SUBJECT = re.compile(r"\b(?:ve viec|v/v)\b\s*[:.]?\s*")
# Locators are matched on the lower-case text, with or without diacritics but not folded: «mức 2» is no «mục 2»,
# «tình trạng 3» no «trang 3».
_SECTION = re.compile(r"\b(phần|phan|chương|chuong|mục|muc|điều|dieu|khoản|khoan|điểm|diem|phụ lục|phu luc)\s*(?:số\s*|so\s*)?"
                      r"((?:[ivxlc]+|\d+(?:\.\d+)*[a-z]?)(?![\w])|[a-z](?![\w]))")
_SECTION_WORDS = {"phan": "phần", "chuong": "chương", "muc": "mục", "dieu": "điều", "khoan": "khoản",
                  "diem": "điểm", "phu luc": "phụ lục"}
_PAGES = re.compile(r"\b(?:trang|tr\.)\s*(\d{1,4}(?:\s*(?:-|–|đến|den)\s*\d{1,4})?(?:\s*,\s*\d{1,4}(?![\d/]))*)")

@dataclass(frozen=True)
class DocumentRef:
    """A document cited by kind, number/symbol and date, e.g. Quyết định số 120/QĐ-UBND ngày 05/3/2025."""

    kind: str                      # full name: «Quyết định», «Công văn», «Văn bản»
    number: str | None = None      # «120/QĐ-UBND», or «15» when written without a symbol
    date: dt.date | None = None
    date_text: str | None = None   # the date as written, kept when it is not a real day («31/02/2025»)
    subject: str | None = None     # trích yếu: «về việc …»

    @property
    def abbreviation(self) -> str:
        """«QĐ», «KH»… (Nghị định 30/2020); the full name for kinds without one (Công văn)."""
        for name, abbr in KINDS.values():
            if name == self.kind:
                return abbr if abbr and self.kind != LETTER_KIND else name
        return self.kind

    def display(self) -> str:
        """«QĐ số 120/QĐ-UBND ngày 05/03/2025 về việc …»."""
        out = self.abbreviation
        if self.number:
            out += f" số {self.number}"
        if self.date:
            out += f" ngày {self.date:%d/%m/%Y}"
        elif self.date_text:
            out += f" ngày {self.date_text}"
        if self.subject:
            out += f" {self.subject}"
        return out


def mask(text: str, spans) -> str:
    """``text`` with each ``(start, end)`` span of ``spans`` replaced by as many spaces (same length)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def overlaps(span: tuple[int, int], spans) -> bool:
    """Whether the ``(start, end)`` span overlaps any of ``spans``."""
    return any(span[0] < e and s < span[1] for s, e in spans)


def locators(text: str, masked: str) -> tuple[str | None, str | None, list[tuple[int, int]]]:
    """(section, pages, spans) cited in ``text``: («mục II, điều 3» or None, «3–5» or None, where they stand).

    ``masked``: ``text`` in lower case (or folded when lower-casing changed its length) with the
    links and file names blanked, same length as ``text``. Never raises.
    """
    sections, spans = [], []
    for m in _SECTION.finditer(masked):
        word = fold_keep_positions(m.group(1))
        if word == "diem" and not re.fullmatch(r"[a-zđ]", m.group(2)):
            continue  # «2 điểm» are points, «điểm a» is a point of a clause
        sections.append(f"{_SECTION_WORDS[word]} {text[m.start(2):m.end(2)]}")
        spans.append(m.span())
    pages = None
    m = _PAGES.search(masked)
    if m:
        raw = text[m.start(1):m.end(1)]
        pages = re.sub(r"\s*(?:-|–|đến|den)\s*", "–", re.sub(r"\s*,\s*", ", ", raw))
        spans.append(m.span())
    return (", ".join(sections) or None), pages, spans


def references(text: str, masked: str, cut: int) -> list[DocumentRef]:
    """Document references in ``text``, in order of appearance.

    ``masked``: ``fold_keep_positions(text)`` with links, files and locators blanked (same
    length); ``cut``: where the first link, file or locator starts (a trích yếu stops there).
    A kind word without a number or a date («theo kế hoạch») is no reference. Never raises.
    """
    found: list[tuple[int, int, str | None, str | None]] = []  # start, end, kind, number
    taken: list[tuple[int, int]] = []
    for m in _REF_BY_KIND.finditer(masked):
        kind = KINDS[m.group(1)][0]
        g = 2 if m.group(2) else 3
        number = _symbol(text, m.start(g), m.end(g)) if m.group(g) else None
        found.append((m.start(), m.end(), kind, number))
        taken.append(m.span())
    for m in _REF_BY_ABBR.finditer(masked):
        written = text[m.start(1):m.end(1)]
        if overlaps(m.span(), taken) or not (written.isupper() or written in ("TTr", "CTr", "QyĐ")):
            continue  # abbreviations are written in capitals: «đã 3 lần» is no Đề án
        kind = _kind_of_code(written)
        g = 2 if m.group(2) else 3
        if kind and m.group(g):
            found.append((m.start(), m.end(), kind, _symbol(text, m.start(g), m.end(g))))
            taken.append(m.span())
    for m in REF_BY_SYMBOL.finditer(masked):
        if not overlaps(m.span(), taken):
            found.append((m.start(), m.end(), None, _symbol(text, m.start(), m.end())))
            taken.append(m.span())
    found.sort()
    dates = [(m.start(), m) for m in _DATE.finditer(masked)]
    refs = []
    for i, (start, end, kind, number) in enumerate(found):
        nxt = found[i + 1][0] if i + 1 < len(found) else len(text)
        if number and kind in (None, GENERIC_KIND):
            kind = _kind_of_symbol(number) or kind
        date_m = next((m for s, m in dates if end <= s < nxt), None)
        if not number and date_m is None:
            continue  # «theo quy định», «kế hoạch của xã»: a word, not a reference
        date, date_text = _date(text, date_m) if date_m else (None, None)
        subject = None
        sm = _SUBJECT.search(masked, end, nxt)
        if sm:
            stop = min(nxt, cut) if cut > sm.end() else nxt
            subject = text[sm.start():stop].strip(" ,;:-–")
            subject = re.sub(r"(?:,?\s*(?:đăng tại|đăng trên|tại|xem tại|link|tệp))+$", "", subject,
                             flags=re.I).strip(" ,;:-–(") or None
        refs.append(DocumentRef(kind or LETTER_KIND, number, date, date_text if date is None else None, subject))
    return refs


def _symbol(text: str, start: int, end: int) -> str:
    return re.sub(r"\s+", "", text[start:end]).replace("–", "-")


def _kind_of_code(code: str) -> str | None:
    folded = fold_keep_positions(code)
    return next((name for abbr, name in _BY_ABBR.items() if fold_keep_positions(abbr) == folded), None)


def _kind_of_symbol(number: str) -> str | None:
    """The kind a symbol names: 120/QĐ-UBND -> Quyết định, 30/2020/NĐ-CP -> Nghị định, 1234/UBND-NC -> Công văn."""
    if "/" not in number:
        return None
    parts = number.split("/")
    code = parts[2] if len(parts) > 2 and parts[1].isdigit() else parts[1]
    code = re.split(r"[-.]", code)[0]
    exact = next((name for abbr, name in _BY_ABBR.items() if abbr == code), None)
    return exact or next((name for abbr, name in _BY_ABBR.items() if abbr.upper() == code.upper()), None) \
        or LETTER_KIND


def _date(text: str, m: re.Match) -> tuple[dt.date | None, str | None]:
    d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
    raw = text[m.start():m.end()]
    if raw.lower().startswith("ngày"):
        raw = raw[4:].strip()
    try:
        return dt.date(int(y), int(mo), int(d)), None
    except ValueError:
        return None, raw


