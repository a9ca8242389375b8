"""Evidence (tài liệu kiểm chứng) and explanations (giải trình).

The evidence cell holds links, one per line, or names of files sent with the
workbook, or a document reference ("Kế hoạch số 12/KH-UBND…") whose scan is
sent along; a clickable hyperlink on the cell counts too. A scored item needs
evidence or an explanation. Links must be well-formed http(s) URLs; a file
name must be found beside the workbook (same folder or same zip).
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from .. import layout
from ..numbers import ZERO, vi_number
from ..texts import normalize_text
from . import Context

# Hosts where evidence usually lives: state portals and common file services.
USUAL_HOST_SUFFIXES = (
    ".gov.vn", ".org.vn", ".edu.vn", "drive.google.com", "docs.google.com", "onedrive.live.com", "1drv.ms",
    ".sharepoint.com", "dropbox.com", "box.com", "ioffice.vn", "vnptioffice.vn",
)
_FILE_NAME = re.compile(r"^[^/\\:*?\"<>|]+\.(pdf|docx?|xlsx?|xlsm|odt|ods|pptx?|jpe?g|png|tiff?|zip|rar|7z)$", re.I)
_LOOKS_LIKE_LINK = re.compile(r"^([a-z][a-z0-9+.-]*:|www\.|[\w-]+(\.[\w-]+)+/)", re.I)
_SPLIT = re.compile(r"[\r\n;]+")


def entries(text: str) -> list[str]:
    return [e.strip() for e in _SPLIT.split(normalize_text(text)) if e.strip()]


def check(ctx: Context) -> None:
    for item in ctx.framework.items:
        row = ctx.rows.get(item.code)
        if row is None or not item.self_scored:
            continue
        ev_cell = ctx.cell(row, "evidence")
        text = ev_cell.value if ev_cell is not None and isinstance(ev_cell.value, str) else ""
        found = entries(text)
        ref = f"{layout.COLUMNS['evidence']}{row}"
        link = ctx.sub.assess.hyperlinks.get(ref) if ctx.sub.assess else None
        if link and link not in found:
            found.append(link)
        accepted = [e for e in found if _check_entry(ctx, item.code, ref, e)]
        ctx.evidence[item.code] = accepted
        if not item.evidence_required or ctx.scores is None:
            continue
        score = ctx.scores.items.get(item.code, ZERO)
        if score <= 0 or found:
            continue
        ex = ctx.cell(row, "explanation")
        explained = ex is not None and isinstance(ex.value, str) and ex.value.strip()
        code = "evidence-explanation-only" if explained else "evidence-missing"
        ctx.add(code, sheet=ctx.sheet, cell=ref, item=item.code, score=vi_number(score))


def _check_entry(ctx: Context, item: str, ref: str, entry: str) -> bool:
    where = {"sheet": ctx.sheet, "cell": ref, "item": item, "found": entry}
    if _FILE_NAME.match(entry) and not _LOOKS_LIKE_LINK.match(entry):
        name = entry.replace("\\", "/").rsplit("/", 1)[-1]
        if not ctx.sub.has_sibling(name):
            ctx.add("evidence-file-missing", **where)
            return False
        return True
    if _LOOKS_LIKE_LINK.match(entry) or "://" in entry:
        problem = link_problem(entry)
        if problem:
            ctx.add("evidence-bad-link", detail=problem, **where)
            return False
        host = (urlsplit(entry).hostname or "").lower()
        if not _usual(host):
            ctx.add("evidence-unusual-host", host=host, **where)
        return True
    ctx.add("evidence-text-only", **where)
    return True


def link_problem(url: str) -> str | None:
    """Why ``url`` is not a well-formed http(s) link, or None."""
    if any(c.isspace() for c in url):
        return "có khoảng trắng"
    if url.lower().startswith("www."):
        return "thiếu «https://» ở đầu"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "sai cú pháp"
    if parts.scheme.lower() not in ("http", "https"):
        return f"giao thức «{parts.scheme or '?'}:» không phải http/https"
    if not host:
        return "thiếu tên miền"
    if not _is_ip(host) and "." not in host:
        return f"tên miền «{host}» không đầy đủ"
    return None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _usual(host: str) -> bool:
    if _is_ip(host):
        return False
    return any(host == s.lstrip(".") or host.endswith(s if s.startswith(".") else "." + s) or host == s
               for s in USUAL_HOST_SUFFIXES)
