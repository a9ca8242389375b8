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
