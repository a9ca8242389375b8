"""Text helpers for what users read and type: NFC, and matching without diacritics."""
from __future__ import annotations

import re
import unicodedata


def normalize_text(text: str) -> str:
    """NFC form: "Ấp Bắc" typed in NFD compares equal to its NFC spelling."""
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """``text`` without Vietnamese diacritics, case kept: «Phường Đông» → «Phuong Dong» (đ/Đ become d/D).

    Every combining mark is dropped (NFD, then no category Mn), so other Latin letters lose theirs
    too; characters without a decomposition stay as they are. Never raises.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def fold(text: str) -> str:
    """Lower case, without diacritics or spaces: for matching headers like «Mã», «Tên đơn vị»."""
    return re.sub(r"[\s_\-.]+", "", strip_diacritics(text)).lower()


def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", c)[0].lower()
    return base if len(base) == 1 else c


# Latin letters with and without Vietnamese diacritics, folded one character for one.
_FOLD = str.maketrans({chr(i): _fold_char(chr(i)) for i in (*range(0x41, 0x5B), *range(0xC0, 0x250),
                                                                 *range(0x1E00, 0x1F00))})


def fold_keep_positions(text: str) -> str:
    """Lower case without diacritics, one character for one: «Quyết định» → «quyet dinh».

    Unlike ``strip_diacritics`` (which drops combining marks and so may shorten an NFD text), the
    result has the length of ``text`` and every position stays that of ``text``, so a match in
    the folded text cuts the original: for NFC text (Latin letters, Vietnamese included).
    Characters outside Latin letters stay as they are. Never raises.
    """
    return text.translate(_FOLD)
