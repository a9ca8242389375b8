"""Text helpers for what users read and type: NFC, and matching without diacritics."""
from __future__ import annotations

import re
import unicodedata


def normalize_text(text: str) -> str:
    """NFC form: "Ấp Bắc" typed in NFD compares equal to its NFC spelling."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case, without diacritics or spaces: for matching headers like «Mã», «Tên đơn vị»."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return re.sub(r"[\s_\-.]+", "", stripped).lower()
