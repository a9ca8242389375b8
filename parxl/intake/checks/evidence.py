"""Evidence (tài liệu kiểm chứng) and explanations (giải trình).

The evidence cell holds what officials write: links, names of files sent with
the workbook, and document references («Quyết định số 120/QĐ-UBND ngày
05/3/2025…»), one a line, with labels («TLKC:», «Link:») and free text around
them; a hyperlink on the cell, or a ``HYPERLINK`` formula, counts as its link
(``parxl.intake.evidence_text`` parses all this). A scored item needs evidence or an
explanation. Judged here, entry by entry:

- a line that is nothing but a malformed link: ``evidence-bad-link`` (error);
- a file name not found beside the workbook (same folder or same zip):
  ``evidence-file-missing`` (error);
- a link on an unusual host: ``evidence-unusual-host`` (warning);
- a picture pasted into the cell (WPS ``DISPIMG``): ``evidence-picture`` (error);
- a document reference is acceptable evidence as it is (the appraiser checks
  it); a date that is not a real day is ``evidence-ref-bad-date`` (warning);
- text that is neither: ``evidence-text-only`` (warning).

The criteria set says per item only whether evidence is required
(``Item.evidence_required``); there is no per-item or campaign setting for
which kinds count.
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from ...core.findings import FindingCode
from ...core.numbers import ZERO, vi_number
from ...workbook import layout
from ..evidence_text import (Entry, host_of_plain, is_ip, link_problem, parse_cell, parse_entry, plain_link_host,
                             plain_links)
from . import Context
from .expected import expected

# Hosts where evidence usually lives: state portals and common file services.
USUAL_HOST_SUFFIXES = (
    ".gov.vn", ".org.vn", ".edu.vn", "drive.google.com", "docs.google.com", "onedrive.live.com", "1drv.ms",
    ".sharepoint.com", "dropbox.com", "box.com", "ioffice.vn", "vnptioffice.vn",
)


def check(ctx: Context) -> None:
    """Judge the evidence cell of every item the unit gives evidence for (``Item.unit_evidence``); fills ``ctx.evidence`` with the accepted entries' texts."""
    assess = ctx.sub.assess
    hyperlinks = assess.hyperlinks if assess is not None else {}
    column = layout.COLUMNS["evidence"]
    for item in expected(ctx.framework).evidence_items:
        row = ctx.rows.get(item.code)
        if row is None:
            continue
        ev_cell = assess.get(row, column) if assess is not None else None
        ref = f"{column}{row}"
        text = ev_cell.value if ev_cell is not None and isinstance(ev_cell.value, str) else ""
        formula = ev_cell.formula if ev_cell is not None else None
        link = hyperlinks.get(ref)
        found = plain_links(text) if not formula and not link else None
        if found is not None:  # the common case: plain links, each accepted (as ``_judge`` would)
            for url in found:
                host = host_of_plain(url)
                if not _usual(host):
                    ctx.add("evidence-unusual-host", sheet=ctx.sheet, cell=ref, item=item.code, found=url, host=host)
            ctx.evidence[item.code] = found
        else:
            found = [_with_spaced_names(ctx, e) for e in parse_cell(text, hyperlink=link, formula=formula) if e.text]
            ctx.evidence[item.code] = [e.text for e in found if _judge(ctx, item.code, ref, e)]
        if not item.evidence_required or ctx.scores is None:
            continue
        score = ctx.scores.items.get(item.code, ZERO)
        if score <= 0 or found:
            continue
        ex = ctx.cell(row, "explanation")
        explained = ex is not None and isinstance(ex.value, str) and ex.value.strip()
        code: FindingCode = "evidence-explanation-only" if explained else "evidence-missing"
        ctx.add(code, sheet=ctx.sheet, cell=ref, item=item.code, score=vi_number(score))


def _judge(ctx: Context, item: str, ref: str, entry: Entry) -> bool:
    """Add the findings of one entry; whether it is accepted as evidence."""
    where = {"sheet": ctx.sheet, "cell": ref, "item": item}
    if entry.picture is not None:
        ctx.add("evidence-picture", found=entry.picture, **where)
        return False
    if entry.malformed:
        ctx.add("evidence-bad-link", found=entry.text, detail=entry.malformed, **where)
        return False
    missing = [name for name in entry.files if not ctx.sub.has_sibling(name)]
    for name in missing:
        ctx.add("evidence-file-missing", found=name, **where)
    for url in entry.links:
        host = plain_link_host(url)  # the common case: a plain link, well-formed
        if host is None:
            if link_problem(url):
                continue  # a link-like word inside a sentence: the appraiser reads the sentence
            host = (urlsplit(url).hostname or "").lower()
        if not _usual(host):
            ctx.add("evidence-unusual-host", found=url, host=host, **where)
    for doc in entry.refs:
        if doc.date_text:
            ctx.add("evidence-ref-bad-date", found=entry.text, date=doc.date_text, **where)
    if entry.kind == "text":
        ctx.add("evidence-text-only", found=entry.text, **where)
    if missing and not entry.refs and not entry.links and len(missing) == len(entry.files):
        return False  # nothing but files that did not come
    return True


def _with_spaced_names(ctx: Context, entry: Entry) -> Entry:
    """``entry`` with a file name that has spaces («Quyết định 120.pdf» beside the workbook) quoted, so that
    the file is found and the appraisers see its whole name; unchanged when no such file came."""
    if not entry.files:
        return entry
    text = entry.text
    for name in entry.files:
        if ctx.sub.has_sibling(name):
            continue
        at = text.find(name)
        words = text[:at].split(" ") if at > 0 else []
        for n in range(1, min(len(words), 8) + 1):
            candidate = " ".join(words[-n:]) + name
            if candidate.strip() and ctx.sub.has_sibling(candidate.strip()):
                text = text[:at - len(candidate) + len(name)] + f"«{candidate.strip()}»" + text[at + len(name):]
                break
    return entry if text == entry.text else parse_entry(text)


@lru_cache(maxsize=1024)
def _usual(host: str) -> bool:
    if is_ip(host):
        return False
    return any(host == s.lstrip(".") or host.endswith(s if s.startswith(".") else "." + s) or host == s
               for s in USUAL_HOST_SUFFIXES)
