"""Báo cáo kết quả Chỉ số CCHC to the higher level: summary figures, bands, best and lowest per field."""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from ..core.numbers import ZERO, vi_number
from ..results.compute import Results, UnitResult
from ..results.summary import mean_index, share_percent
from ..survey.plan import coverage_sentence
from .context import header_context, nfc, ordered_bands, recipient_lines, unranked_reasons
from .decision import band_row, legal_bases
from .notices import decision_ref
from .render import campaign_template, render_bytes, write_new
from .source import note_for

TEMPLATE = "bao-cao-ket-qua.docx"


def extremes(units: list[UnitResult], value: Callable[[UnitResult], Decimal]) -> dict:
    """Highest and lowest value with every unit holding it (ties are all named)."""
    if not units:
        return {"best": "—", "best_units": "", "lowest": "—", "lowest_units": "", "average": "—"}
    values = [value(u) for u in units]
    top, bottom = max(values), min(values)
    return {
        "best": vi_number(top, 2), "best_units": ", ".join(u.unit.name for u in units if value(u) == top),
        "lowest": vi_number(bottom, 2), "lowest_units": ", ".join(u.unit.name for u in units if value(u) == bottom),
        "average": vi_number(mean_index(values) or ZERO, 2),
    }


def report_to(recipients: list[str]) -> str:
    """The higher level the report goes to: the first recipient of the decision that is not the archive."""
    first = next((r.strip() for r in recipients if r.strip() and not r.strip().lower().startswith("lưu")), "")
    first = re.sub(r"\s*\([^)]*\)\s*$", "", first.lstrip("-– ").rstrip(" ;."))  # «(để báo cáo)»
    return first or "…"


def report_context(results: Results) -> dict:
    """The Jinja context of the report to the higher level (plain dicts, lists and NFC strings): counts
    (with ``unranked_reasons``), average/best/lowest index in %, bands with their share in %, fields,
    the unranked units with their note, and the survey's size and coverage (``survey_coverage``, ''
    when unknown; raises SurveyError as ``survey.plan.coverage_sentence``)."""
    campaign = results.campaign
    cfg = campaign.config
    ctx = header_context(campaign, f"…/BC-{cfg.issuer.short}", None)
    ranked = results.ranked
    counts = results.band_counts()
    bands = []
    for n, band in enumerate(ordered_bands(results.bands), start=1):
        row = band_row(band, counts.get(band.label, 0), results.framework.band_unit)
        share = share_percent(row["count"], len(ranked)) or ZERO
        bands.append({**row, "stt": str(n), "share": vi_number(share, 2)})
    fields = []
    for n, f in enumerate(results.framework.fields, start=1):
        # over the units the field counts for: one with nothing of it in its maximum (every item outside its type
        # or not applicable) has no sub-index of the field, not 0 %
        counted = [u for u in ranked if u.node_max.get(f.code, f.max)]
        fields.append({"stt": str(n), "code": f.code, "title": f.title,
                       **extremes(counted, lambda u, code=f.code: u.field_index[code])})
    overall = extremes(ranked, lambda u: u.index)  # type: ignore[arg-type,return-value]
    ctx.update(legal_bases(results))
    ctx.update({
        "report_to": report_to(cfg.recipients),
        "decision_ref": decision_ref(results),
        "unit_count": len(results.units),
        "ranked_count": len(ranked),
        "unranked_count": len(results.unranked),
        "unranked_reasons": unranked_reasons(results),
        "average": overall["average"],
        "best": overall["best"], "best_units": overall["best_units"],
        "lowest": overall["lowest"], "lowest_units": overall["lowest_units"],
        "bands": bands,
        "fields": fields,
        "unranked": [{"name": u.unit.name, "note": u.note} for u in results.unranked],
        "recipients": recipient_lines(["Như trên", "Lưu: VT, NV"]),
        "survey_coverage": coverage_sentence(campaign),
    })
    return nfc(ctx)


def render_report(results: Results, template: Path | None = None, out_dir: Path | None = None,
                  master: Path | None = None) -> Path:
    """Write the report as a new .docx in ``out_dir`` (default CAMPAIGN/output); ``master``: as for ``render_decision``.

    A campaign with ``blocks:`` gets one report covering each block (``documents.blocks.render_blocks_report``).
    """
    if results.campaign.has_blocks:
        from .blocks import render_blocks_report
        return render_blocks_report(results, template, out_dir, master)
    template = Path(template) if template else campaign_template(results.campaign.root, TEMPLATE)
    data = render_bytes(template, report_context(results), note_for(results, master))
    return write_new(data, Path(out_dir) if out_dir else results.campaign.output_dir,
                     f"bao-cao-ket-qua-chi-so-cchc-{results.campaign.year}")
