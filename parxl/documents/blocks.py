"""The documents of a campaign with several blocks: one decision publishing every block, notices and
reports per block.

``blocks_decision_context(results)`` takes the whole campaign's results (as the snapshot saves them), cuts
them into blocks (``master.consolidation.split_results``) and gives the decision's Jinja context: Điều 1
with each block's counts per band, and per block the appendix (the single-block appendix table's rows, in
rank order; a block that is not ranked lists its units by index with «—» for the rank).
"""
from __future__ import annotations

from pathlib import Path

from ..core.numbers import vi_number
from ..master.consolidation import split_results
from ..results.compute import Results, UnitResult
from .context import (
    UNRANKED_PHRASES, header_context, lowest_bands, nfc, ordered_bands, recipient_lines, short_date, unranked_reasons,
    units_phrase,
)
from .decision import _ROMAN, appendix_maxima, band_row, decision_stem, legal_bases, unit_row
from .render import campaign_template, render_bytes, write_new
from .source import note_for

TEMPLATE = "quyet-dinh-cong-bo-cac-khoi.docx"


def _scored(results: Results) -> list[UnitResult]:
    """A block's units with an index: by rank, or (a block not ranked) by index then code."""
    if results.campaign.blocks[0].ranked:
        return results.ranked
    return sorted((u for u in results.units if u.status == "ranked" and u.index is not None),
                  key=lambda u: (-u.index, u.unit.code))  # type: ignore[operator]


def _groups(results: Results, units: list[UnitResult]) -> list[dict]:
    """Units in order, grouped by unit kind (the group of the first unit first), numbered I, II…"""
    by_kind: dict[str, list[UnitResult]] = {}
    for u in units:
        by_kind.setdefault(u.unit.kind.strip(), []).append(u)
    out, stt = [], 0
    ranked = results.campaign.blocks[0].ranked
    for n, (kind, members) in enumerate(by_kind.items()):
        rows = []
        for u in members:
            stt += 1
            row = unit_row(results, u, stt)
            if not ranked:
                row["rank"] = "—"
            rows.append(row)
        numeral = _ROMAN[n] if n < len(_ROMAN) else str(n + 1)
        out.append({"title": f"{numeral}. CÁC {kind.upper()}", "kind": kind, "units": rows})
    return out


def block_context(results: Results, n: int) -> dict:
    """The part of the decision about one block (``results`` on the block's view), its appendix ``n`` (0-based)."""
    campaign = results.campaign
    block = campaign.blocks[0]
    fw = results.framework
    units = _scored(results)
    counts = {b.label: 0 for b in results.bands}
    for u in units:
        if u.band is not None:
            counts[u.band] = counts.get(u.band, 0) + 1
    bands = [band_row(b, counts.get(b.label, 0), fw.band_unit) for b in ordered_bands(results.bands)]
    unscored = [u for u in results.units if u not in units]
    groups = _groups(results, units)
    stt = sum(len(g["units"]) for g in groups)
    unranked = [unit_row(results, u, stt + i) for i, u in enumerate(unscored, start=1)]
    numeral = _ROMAN[n] if n < len(_ROMAN) else str(n + 1)
    done = "được xếp hạng" if block.ranked else "được đánh giá, xếp loại (khối không xếp hạng)"
    intro = (f"{n + 1}. {block.title} (Phụ lục {numeral}): trong số {vi_number(len(results.units))} đơn vị, có "
             f"{vi_number(len(units))} đơn vị {done}; kết quả xếp loại:")
    phrase = units_phrase(campaign)
    low = [b.label for b in lowest_bands(results.bands)]
    low_units = [u.unit.name for u in units if u.band in low]
    return {
        "id": block.id, "title": block.title, "numeral": numeral, "intro": intro, "is_ranked": block.ranked,
        "unit_count": len(results.units), "ranked_count": len(units), "unranked_count": len(unscored),
        "unranked_reasons": unranked_reasons(results) if block.ranked else _reasons(unscored),
        "bands": bands, "end": ";",
        "groups": groups, "show_groups": len(groups) > 1,
        "ranked": [row for g in groups for row in g["units"]], "unranked": unranked,
        **appendix_maxima(results, units),  # the «Điểm tối đa» row and the units over another maximum
        "units_phrase": phrase, "units_phrase_upper": phrase.upper(),
        "lowest": f"{block.title}: " + ", ".join(f"«{label}»" for label in low)
                  + (f" ({', '.join(low_units)})" if low_units else ""),
        "criteria_basis": fw.model.legal_basis,
    }


def _reasons(units: list[UnitResult]) -> str:
    parts = []
    for status, phrase in UNRANKED_PHRASES.items():
        k = sum(1 for u in units if u.status == status)
        if k:
            parts.append(f"{vi_number(k)} đơn vị {phrase}")
    return "; ".join(parts)


def blocks_decision_context(results: Results) -> dict:
    """The Jinja context of the decision of a campaign with ``blocks:`` (plain dicts, lists, NFC strings):
    the header, ``criteria_bases`` (each block's set, once), ``blocks`` (``block_context`` of each, in
    campaign.yaml order; the last block's last Điều 1 line ends with «.»), ``heads_phrase`` and
    ``lowest_text`` over every block."""
    campaign = results.campaign
    cfg = campaign.config
    number = cfg.decision.number if cfg.decision else f"…/QĐ-{cfg.issuer.short}"
    day = cfg.decision.date if cfg.decision else None
    ctx = header_context(campaign, number, day)
    parts = split_results(results)
    blocks = [block_context(r, n) for n, r in enumerate(parts)]
    last = blocks[-1]
    if last["unranked_count"]:
        last["end"] = "."
    elif last["bands"]:
        last["bands"][-1]["end"] = "."
    phrases = list(dict.fromkeys(b["units_phrase"] for b in blocks))  # two blocks of departments: named once
    phrase = ", ".join(phrases[:-1]) + " và " + phrases[-1] if len(phrases) > 1 else phrases[0]
    heads = []
    for r in parts:
        head = ("Thủ trưởng các sở, ban, ngành" if r.campaign.config.block == "so"
                else "Chủ tịch " + units_phrase(r.campaign))
        if head not in heads:
            heads.append(head)
    bases = list(dict.fromkeys(b["criteria_basis"] for b in blocks))
    ctx.update(legal_bases(parts[0]))
    ctx.update({
        "units_phrase": phrase, "units_phrase_upper": phrase.upper(),
        "date_short": f"ngày {short_date(day)}",
        "heads_phrase": ", ".join(heads[:-1]) + " và " + heads[-1] if len(heads) > 1 else heads[0],
        "criteria_bases": bases,
        "blocks": blocks,
        "lowest_text": "; ".join(b["lowest"] for b in blocks),
        "unit_count": len(results.units),
        "recipients": recipient_lines(cfg.recipients),
    })
    return nfc(ctx)


def render_blocks_decision(results: Results, template: Path | None = None, out_dir: Path | None = None,
                           master: Path | None = None) -> Path:
    """Write the decision of a campaign with ``blocks:`` as a new .docx in ``out_dir`` (default
    CAMPAIGN/output), named as the single-block decision; ``master`` as for ``render_decision``."""
    template = Path(template) if template else campaign_template(results.campaign.root, TEMPLATE)
    data = render_bytes(template, blocks_decision_context(results), note_for(results, master))
    return write_new(data, Path(out_dir) if out_dir else results.campaign.output_dir, decision_stem(results))


REPORT_TEMPLATE = "bao-cao-ket-qua-cac-khoi.docx"


def blocks_report_context(results: Results) -> dict:
    """The Jinja context of the report of a campaign with ``blocks:``: the header and section I over the
    whole campaign, and ``blocks``, each block's ``report_context`` (counts, mean, best and lowest index,
    bands, fields, unranked units) with its ``numeral`` (1, 2…) and ``title``."""
    from .report import report_context

    parts = split_results(results)
    blocks = []
    for n, part in enumerate(parts, start=1):
        blocks.append({**report_context(part), "numeral": str(n), "title": part.campaign.blocks[0].title})
    ctx = report_context(parts[0])
    decision = blocks_decision_context(results)
    ctx.update({
        "units_phrase": decision["units_phrase"], "units_phrase_upper": decision["units_phrase_upper"],
        "criteria_basis": "; ".join(decision["criteria_bases"]),
        "unit_count": len(results.units), "block_count": len(parts), "blocks": blocks,
    })
    return nfc(ctx)


def render_blocks_report(results: Results, template: Path | None = None, out_dir: Path | None = None,
                         master: Path | None = None) -> Path:
    """Write the report of a campaign with ``blocks:`` as a new .docx, named as the single-block report."""
    template = Path(template) if template else campaign_template(results.campaign.root, REPORT_TEMPLATE)
    data = render_bytes(template, blocks_report_context(results), note_for(results, master))
    return write_new(data, Path(out_dir) if out_dir else results.campaign.output_dir,
                     f"bao-cao-ket-qua-chi-so-cchc-{results.campaign.year}")


def template_used(campaign, name: str) -> str:
    """The name of the bundled template a document of ``campaign`` is drafted from, given its one-block
    template ``name``: a campaign with ``blocks:`` uses «quyet-dinh-cong-bo-cac-khoi.docx» for the decision
    and «bao-cao-ket-qua-cac-khoi.docx» for the report; any other name (and any campaign without blocks)
    is ``name`` itself."""
    if not campaign.has_blocks:
        return name
    from .decision import TEMPLATE as DECISION
    from .report import TEMPLATE as REPORT
    return {DECISION: TEMPLATE, REPORT: REPORT_TEMPLATE}.get(name, name)
