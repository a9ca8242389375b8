"""Shared pieces of the Jinja context of every document: header, dates, numbers, signature.

Everything here is a pure function of ``Results`` (and its campaign). Strings are
NFC; numbers are written the Vietnamese way (87,12). Templates see plain dicts,
lists and strings only, so a clerk editing the .docx never meets a Python object.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

from ..campaign.folder import Campaign
from ..core.numbers import ZERO, vi_number
from ..council.final import final_state
from ..core.texts import normalize_text
from ..criteria.framework import Band, Framework, Item
from ..results.compute import Results, UnitResult

BLANK_DATE = "ngày … tháng … năm …"

# Why a unit is not ranked, by its result status, in the order documents list them. A unit whose file
# arrived is never «chưa gửi»: an unreadable file is the unit's to resend, a file parxl failed on is not.
UNRANKED_PHRASES = {
    "evaluated": "được đánh giá nhưng không xếp hạng (theo danh sách đơn vị)",
    "missing": "chưa gửi hồ sơ tự đánh giá",
    "unreadable": "gửi tệp không đọc được (đã trả lại để gửi lại)",
    "internal": "gửi tệp mà phần mềm parxl gặp lỗi khi đọc (không do lỗi của đơn vị)",
    "rejected": "có hồ sơ chưa đạt yêu cầu (tệp còn lỗi)",
}

# Local government law cited first in every decision, by the date of the decision.
_LAW_2025_FROM = dt.date(2025, 7, 1)
LOCAL_GOV_LAW_2025 = "Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025"
LOCAL_GOV_LAW_2015 = ("Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, "
                      "bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương "
                      "ngày 22 tháng 11 năm 2019")

# Unit kinds in the order Vietnamese documents list them.
_KIND_ORDER = ("xã", "phường", "đặc khu", "thị trấn", "huyện", "quận", "thị xã", "thành phố")

# Administrative levels that start the proper-name part of an organisation's name.
_LEVELS = ("THÀNH PHỐ", "THỊ XÃ", "THỊ TRẤN", "ĐẶC KHU", "TỈNH", "HUYỆN", "QUẬN", "PHƯỜNG", "XÃ")


def nfc(value):
    """NFC every string inside dicts and lists (the context as a whole)."""
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, Mapping):
        return {k: nfc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [nfc(v) for v in value]
    return value


def long_date(day: dt.date | None) -> str:
    """«ngày 05 tháng 02 năm 2026» (Nghị định 30/2020: a zero before days < 10 and months 1, 2)."""
    if day is None:
        return BLANK_DATE
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short_date(day: dt.date | None) -> str:
    """«05/02/2026» (dd/mm/yyyy), or «…» for no date."""
    return day.strftime("%d/%m/%Y") if day else "…"


def _split_level(text: str) -> tuple[str, str, str] | None:
    """«ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN» → («ỦY BAN NHÂN DÂN», «THỊ XÃ», «KINH MÔN»)."""
    upper = text.upper()
    for level in _LEVELS:
        match = re.search(rf"\s{level}(?=\s|$)", upper)
        if match:
            start = match.start() + 1
            return text[:start].strip(), text[start:start + len(level)], text[start + len(level):].strip()
    return None


def sentence_case_org(name: str) -> str:
    """«ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN» → «Ủy ban nhân dân thị xã Kinh Môn».

    The words before the administrative level are written as a common noun, the
    level in lower case, the proper name after it capitalised. A name without a
    known level, or already in mixed case, is returned unchanged.
    """
    text = " ".join(normalize_text(name).split())
    parts = _split_level(text)
    if text != text.upper() or parts is None:
        return text
    head, level, rest = parts
    head = (head[:1] + head[1:].lower()).replace("ủy ban nhân dân", "Ủy ban nhân dân")
    proper = " ".join(w[:1] + w[1:].lower() for w in rest.split())
    return " ".join(p for p in (head, level.lower(), proper) if p)


def org_lines(name: str, width: int = 24) -> list[str]:
    """An issuing body in capitals on lines that break where a clerk breaks them: before the level."""
    text = " ".join(normalize_text(name).upper().split())
    parts = _split_level(text)
    if len(text) <= width or parts is None or not parts[0]:
        return [text]
    head, level, rest = parts
    return [head, f"{level} {rest}".strip()]


def points(value: Decimal | None, decimals: int) -> str:
    """Points the Vietnamese way with ``decimals`` places («87,12»), or «—» for None (no figure)."""
    return "—" if value is None else vi_number(value, decimals)


def signed(value: Decimal, decimals: int) -> str:
    """A change in points with its sign («+1,50», «-0,25», «0,00»)."""
    text = vi_number(abs(value), decimals)
    return f"+{text}" if value > ZERO else (f"-{text}" if value < ZERO else text)


def unit_kinds(campaign: Campaign) -> list[str]:
    """The campaign's unit kinds in lower case, in the customary order («xã, phường»)."""
    kinds: list[str] = []
    for unit in campaign.units:
        kind = normalize_text(unit.kind.strip()).lower()
        if kind and kind not in kinds:
            kinds.append(kind)
    known = [k for k in _KIND_ORDER if k in kinds]
    return known + [k for k in kinds if k not in known]


def units_phrase(campaign: Campaign) -> str:
    """Who the decision is about: «Ủy ban nhân dân các xã, phường», «các sở, ban, ngành»."""
    if campaign.config.block == "so":
        return "các sở, ban, ngành"
    if campaign.config.block not in ("xa", "huyen"):  # the set's own block, e.g. central agencies
        return "các cơ quan, đơn vị"
    kinds = unit_kinds(campaign)
    return "Ủy ban nhân dân các " + (", ".join(kinds) if kinds else "đơn vị")


def ordered_bands(bands: list[Band]) -> list[Band]:
    """Bands from the highest index to the lowest."""
    def low_end(band: Band) -> Decimal:
        lo = band.interval.lo
        return lo if lo is not None else Decimal(-1)
    return sorted(bands, key=low_end, reverse=True)


def lowest_bands(bands: list[Band]) -> list[Band]:
    """The bands whose units must make an improvement plan: the lower half (at least one)."""
    ordered = ordered_bands(bands)
    return ordered[-max(1, len(ordered) // 2):]


def recipient_lines(recipients: list[str]) -> list[str]:
    """«Nơi nhận» lines without the dash: «Sở Nội vụ;» … and last «Lưu: VT, NV.»."""
    clean = [normalize_text(r).strip().lstrip("-–• ").rstrip(" ;.,") for r in recipients]
    clean = [r for r in clean if r]
    archive = [r for r in clean if r.lower().startswith("lưu")]
    others = [r for r in clean if not r.lower().startswith("lưu")]
    return [f"{r};" for r in others] + [f"{(archive[-1] if archive else 'Lưu: VT, NV')}."]


def signer_lines(campaign: Campaign) -> list[str]:
    """The signature block's authority lines in capitals (on behalf of, deputy of, title), blanks left out."""
    s = campaign.config.signer
    return [normalize_text(line).upper() for line in (s.on_behalf, s.deputy_of, s.title) if line]


def header_context(campaign: Campaign, number: str, date: dt.date | None) -> dict:
    """The Nghị định 30/2020 header and signature: issuer, motto, number, place and date, signer."""
    cfg = campaign.config
    issuer = cfg.issuer
    return {
        "year": campaign.year,
        "next_year": campaign.year + 1,
        "issuer_parent": issuer.parent.upper() if issuer.parent else "",
        "issuer_parent_lines": org_lines(issuer.parent) if issuer.parent else [],
        "issuer_name": issuer.name.upper(),
        "issuer_lines": org_lines(issuer.name),
        "issuer_name_text": sentence_case_org(issuer.name),
        "issuer_short": issuer.short,
        "authority": issuer.authority.upper(),
        "authority_text": sentence_case_org(issuer.authority),
        "proposer": issuer.proposer,
        "place": issuer.place,
        "number": number,
        "date_text": long_date(date),
        "place_date": f"{issuer.place}, {long_date(date)}",
        "signer_lines": signer_lines(campaign),
        "signer_name": cfg.signer.name,
        "office": cfg.contact.office,
        "units_phrase": units_phrase(campaign),
        "units_phrase_upper": units_phrase(campaign).upper(),
        "unit_kinds": ", ".join(unit_kinds(campaign)),
        "draft": final_state(campaign) is None,  # «DỰ THẢO» in the header until the results are finalised
    }


def unranked_reasons(results: Results) -> str:
    """Why the unranked units are unranked, with counts, in ``UNRANKED_PHRASES`` order:
    «1 đơn vị chưa gửi hồ sơ tự đánh giá; 2 đơn vị gửi tệp không đọc được (…)» ("" when all are ranked)."""
    parts = []
    for status, phrase in UNRANKED_PHRASES.items():
        n = sum(1 for u in results.evaluated + results.unranked if u.status == status)
        if n:
            parts.append(f"{vi_number(n)} đơn vị {phrase}")
    return "; ".join(parts)


def item_max(item: Item, u: UnitResult) -> Decimal:
    """The points ``item`` counts in unit ``u``'s maximum: its max, or 0 when it is not for the unit's type
    (``applies_to``) or the unit marked it not applicable and the appraisers did not overturn the claim (the
    consolidated ``UnitItem.max``; worked out from ``applies`` / ``not_applicable`` when a result saved without it)."""
    line = u.items.get(item.code)
    if line is None:
        return item.max if item.applies(u.unit.kind) else ZERO
    if line.max is not None:
        return line.max
    return ZERO if not line.applies or line.not_applicable else item.max


def unit_part_max(fw: Framework, u: UnitResult, part: str) -> Decimal:
    """The maximum of ``part`` («appraised» or «survey») unit ``u`` is scored over, in points: the sum of
    ``item_max`` over the set's regular items of that part (bonus and penalty are outside every maximum)."""
    return sum((item_max(i, u) for i in fw.regular_items if i.part == part), ZERO)


def index_max(fw: Framework, survey_held: bool) -> Decimal:
    """The maximum an index is over, in points, for units that see ``fw`` (the set, or a unit type's view of it:
    ``Framework.for_kind``): its total when a survey is held, else its appraised part alone."""
    return fw.total if survey_held else fw.part_max("appraised")


def unit_index_max(fw: Framework, u: UnitResult, survey_held: bool) -> Decimal:
    """The maximum unit ``u``'s index is over, in points: ``u.max_points`` (items not applicable left out), or for
    a result saved without it, ``index_max`` of its type's view of ``fw``."""
    return u.max_points if u.max_points is not None else index_max(fw.for_kind(u.unit.kind), survey_held)
