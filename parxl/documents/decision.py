"""The Quyết định công bố Chỉ số CCHC: its context and its rendering."""
from __future__ import annotations

import re
from pathlib import Path

from ..core.numbers import vi_number
from ..core.texts import fold
from ..criteria.framework import Band, Framework, Item
from ..criteria.model import kind_key
from ..results.compute import Results, UnitResult
from .context import (
    LOCAL_GOV_LAW_2015, LOCAL_GOV_LAW_2025, _LAW_2025_FROM, header_context, index_max, lowest_bands, nfc,
    ordered_bands, points, short_date, signed, recipient_lines, unranked_reasons,
)
from .render import campaign_template, render_bytes, write_new
from .source import note_for

TEMPLATE = "quyet-dinh-cong-bo.docx"
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _lcfirst(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def unit_row(results: Results, u: UnitResult, stt: int) -> dict:
    """One appendix row; numbers already written the Vietnamese way."""
    d = results.framework.decimals
    survey_held = results.campaign.config.survey_held
    return {
        "stt": str(stt),
        "code": u.unit.code,
        "name": u.unit.name,
        "kind": u.unit.kind,
        "appraised": points(u.appraised_total, d),
        "survey": points(u.survey_points, d) if survey_held and u.total is not None else "—",
        "adjustment": signed(u.adjustment, d) if u.total is not None else "—",
        "total": points(u.total, d),
        "index": points(u.index, 2),
        "rank": str(u.rank) if u.rank is not None else "",
        "band": u.band or "",
        "note": (f"{u.note} Chỉ số {points(u.index, 2)}%" + (f", xếp loại {u.band}." if u.band else ".")
                 if u.status == "evaluated" else u.note),  # the appendix shows only the note for units apart
    }


def band_row(band: Band, count: int, unit: str = "%") -> dict:
    """«Tốt (từ 90% trở lên)»; a label that already says the interval is not repeated. ``unit``: the
    criteria set's ``Framework.band_unit`` («%», or « điểm» for bands on points)."""
    when = band.interval.describe(unit)
    text = band.label if fold(band.label) == fold(when) else f"{band.label} ({when})"
    return {"label": band.label, "when": when, "text": text, "count": count, "end": ";"}


def ranking_groups(results: Results) -> list[dict]:
    """Ranked units in rank order, grouped by unit kind (the group of rank 1 first)."""
    groups: dict[str, list[UnitResult]] = {}
    for u in results.ranked:
        groups.setdefault(u.unit.kind.strip(), []).append(u)
    out, stt = [], 0
    for n, (kind, units) in enumerate(groups.items()):
        rows = []
        for u in units:
            stt += 1
            rows.append(unit_row(results, u, stt))
        numeral = _ROMAN[n] if n < len(_ROMAN) else str(n + 1)
        out.append({"title": f"{numeral}. CÁC {kind.upper()}", "kind": kind, "units": rows})
    return out


def _counted(fw: Framework, survey_held: bool) -> list[Item]:
    """The regular items the index counts: every one, or the appraised part's alone without a survey."""
    return [i for i in fw.regular_items if survey_held or i.part == "appraised"]


def _codes(codes: list[str]) -> str:
    return ("tiêu chí " if len(codes) == 1 else "các tiêu chí ") + ", ".join(codes)


def appendix_maxima(results: Results, units: list[UnitResult]) -> dict:
    """The appendix's «Điểm tối đa» row and the notes under it for ``units`` (those the table gives an index).

    The row shows the criteria set's maxima (``max_appraised``, ``max_survey``, ``max_total``, Vietnamese text),
    or one unit type's when every unit of ``units`` is of that type (``applies_to``). ``max_notes`` names every
    maximum the index of some unit is over that is not the row's, one line each (NFC left to the caller): a
    unit type whose items differ («Các xã: 11,5 điểm (tiêu chí 1.7 không áp dụng đối với xã).») and units
    that marked items not applicable («không phát sinh»), those with the same maximum and items on one line, the
    maximum first («10 điểm (tiêu chí 1.2 không phát sinh), 2 đơn vị: Phường An Lưu, Xã Lê Ninh.»); [] when every
    unit is over the row's maximum.
    """
    fw = results.framework
    survey_held = results.campaign.config.survey_held
    scored = [u for u in units if u.index is not None]
    kinds: dict[str, tuple[str, Framework]] = {}  # kind_key -> (the type as first written, the set it sees)
    for u in scored:
        key = kind_key(u.unit.kind)
        if key not in kinds:
            kinds[key] = (" ".join(u.unit.kind.split()), fw.for_kind(u.unit.kind))  # as results.compute scores it
    head = next(iter(kinds.values()))[1] if len(kinds) == 1 else fw
    head_max = index_max(head, survey_held)
    survey_max = head.part_max("survey") if survey_held else None
    notes: list[str] = []
    all_codes = [i.code for i in _counted(fw, survey_held)]
    for name, view in kinds.values():
        if index_max(view, survey_held) == head_max:
            continue
        kind = name.lower() or "đơn vị không ghi loại"
        own = {i.code for i in _counted(view, survey_held)}
        out = [c for c in all_codes if c not in own]
        why = f" ({_codes(out)} không áp dụng đối với {kind})" if out else ""
        notes.append(f"Các {kind}: {vi_number(index_max(view, survey_held))} điểm{why}.")
    groups: dict[tuple, list[str]] = {}
    for u in scored:
        view = kinds[kind_key(u.unit.kind)][1]
        if u.max_points is None or u.max_points == index_max(view, survey_held):
            continue
        marked = [c for c in u.not_applicable if c in all_codes]
        groups.setdefault((u.max_points, tuple(marked)), []).append(u.unit.name)
    for (top, marked), who in groups.items():  # the maximum first: a long list of names follows it
        why = f" ({_codes(list(marked))} không phát sinh)" if marked else ""
        count = f", {vi_number(len(who))} đơn vị" if len(who) > 1 else ""
        notes.append(f"{vi_number(top)} điểm{why}{count}: {', '.join(who)}.")
    return {"max_appraised": vi_number(head.part_max("appraised")),
            "max_survey": vi_number(survey_max) if survey_max is not None else "—",
            "max_total": vi_number(head_max), "max_notes": notes}


def legal_bases(results: Results) -> dict:
    """The «Căn cứ» lines that vary: ``local_gov_law`` (by the decision's date), ``criteria_basis``
    (the criteria set's ``legal_basis``) and ``plan_basis`` (the campaign's plan, or "")."""
    cfg = results.campaign.config
    day = cfg.decision.date if cfg.decision else None
    law = LOCAL_GOV_LAW_2015 if day is not None and day < _LAW_2025_FROM else LOCAL_GOV_LAW_2025
    plan = ""
    if cfg.plan is not None:
        about = re.sub(r"^kế hoạch\s+", "", cfg.plan.title or results.campaign.title, flags=re.IGNORECASE)
        plan = f"Kế hoạch số {cfg.plan.number} ngày {short_date(cfg.plan.date)} về {_lcfirst(about)}"
    return {"local_gov_law": law, "criteria_basis": results.framework.model.legal_basis, "plan_basis": plan}


def decision_context(results: Results) -> dict:
    """The Jinja context of the decision (plain dicts, lists and NFC strings): header, Điều 1 counts per
    band and ``unranked_reasons``, the appendix groups of ranked units and the unranked units with their note, its
    «Điểm tối đa» row and the notes on units scored over another maximum (``appendix_maxima``)."""
    campaign = results.campaign
    cfg = campaign.config
    fw = results.framework
    number = cfg.decision.number if cfg.decision else f"…/QĐ-{cfg.issuer.short}"
    day = cfg.decision.date if cfg.decision else None
    ctx = header_context(campaign, number, day)
    counts = results.band_counts()
    bands = ordered_bands(results.bands)
    band_rows = [band_row(b, counts.get(b.label, 0), results.framework.band_unit) for b in bands]
    low = lowest_bands(results.bands)
    low_labels = [b.label for b in low]
    low_units = [u.unit.name for u in results.ranked if u.band in low_labels]
    groups = ranking_groups(results)
    stt = sum(len(g["units"]) for g in groups)
    apart = results.evaluated + results.unranked  # evaluated (index and band, no rank) first, then the others
    unranked = [unit_row(results, u, stt + i) for i, u in enumerate(apart, start=1)]
    if band_rows and not unranked:
        band_rows[-1]["end"] = "."
    heads = ("Thủ trưởng các sở, ban, ngành" if cfg.block == "so"
             else "Chủ tịch " + ctx["units_phrase"] if cfg.block in ("xa", "huyen") else "Thủ trưởng các cơ quan, đơn vị")
    ctx.update(legal_bases(results))
    ctx.update({
        "date_short": f"ngày {short_date(day)}",
        "heads_phrase": heads,
        "unit_count": len(results.units),
        "ranked_count": len(results.ranked),
        "unranked_count": len(unranked),
        "unranked_reasons": unranked_reasons(results),
        "bands": band_rows,
        "lowest_labels": ", ".join(f"«{label}»" for label in low_labels),
        "lowest_count": len(low_units),
        "lowest_units": ", ".join(low_units),
        "groups": groups,
        "show_groups": len(groups) > 1,
        "ranked": [row for g in groups for row in g["units"]],
        "unranked": unranked,
        **appendix_maxima(results, results.ranked + results.evaluated),
        "recipients": recipient_lines(cfg.recipients),
        "criteria_title": fw.title,
    })
    return nfc(ctx)


def decision_stem(results: Results) -> str:
    """The decision's file name without suffix: «quyet-dinh-cong-bo-chi-so-cchc-<year>»."""
    return f"quyet-dinh-cong-bo-chi-so-cchc-{results.campaign.year}"


def render_decision(results: Results, template: Path | None = None, out_dir: Path | None = None,
                    master: Path | None = None) -> Path:
    """Write the decision (with its appendix) as a new .docx in ``out_dir`` (default CAMPAIGN/output).

    ``master``: the master workbook ``results`` were saved with; the draft then names
    it (and ``results.made_at``) in a comment (``source.master_note``). A campaign with ``blocks:`` gets
    the decision of every block (``documents.blocks.render_blocks_decision``; ``template`` is then an
    edited copy of «quyet-dinh-cong-bo-cac-khoi.docx»).
    """
    if results.campaign.has_blocks:
        from .blocks import render_blocks_decision
        return render_blocks_decision(results, template, out_dir, master)
    template = Path(template) if template else campaign_template(results.campaign.root, TEMPLATE)
    data = render_bytes(template, decision_context(results), note_for(results, master))
    return write_new(data, Path(out_dir) if out_dir else results.campaign.output_dir, decision_stem(results))
