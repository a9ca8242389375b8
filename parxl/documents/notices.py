"""Thông báo kết quả Chỉ số CCHC: one notice per ranked unit, with the points it lost.

The lost points (item max − final score, and every penalty) are ordered by how
many points the unit could gain back: what its improvement plan for next year
starts from (seed 001).
"""
from __future__ import annotations

from contextlib import closing
from decimal import Decimal
from pathlib import Path

from ..core.numbers import ZERO, vi_number
from ..core.progress import Progress
from ..results.compute import Results, UnitResult
from .context import header_context, nfc, points, recipient_lines, short_date, unit_index_max, unit_part_max
from ..core.files import write_new_many
from .render import campaign_template, render_each, slug
from .source import note_for

TEMPLATE = "thong-bao-ket-qua.docx"
NOTICES_DIR = "thong-bao"


def addressee(results: Results, u: UnitResult) -> str:
    """«Ủy ban nhân dân phường An Lưu» for a commune-level unit named «Phường An Lưu»; else the name."""
    name, kind = u.unit.name.strip(), u.unit.kind.strip()
    if results.campaign.config.block in ("xa", "huyen") and kind and name.lower().startswith(kind.lower() + " "):
        return f"Ủy ban nhân dân {kind.lower()}{name[len(kind):]}"
    return name


_SHOWN: dict[tuple, str] = {}  # (value, decimals, sign) -> vi_number's text: the same few figures in every notice


def _shown(value: Decimal, decimals: int) -> str:
    """``vi_number(value, decimals)``, remembered: 3,321 notices show the same maxima and scores again and again.
    The key holds the sign, as -0 equals 0 (and shows «-0,00»)."""
    if not isinstance(value, Decimal):
        return vi_number(value, decimals)
    key = (value, decimals, value.is_signed())
    text = _SHOWN.get(key)
    if text is None:
        if len(_SHOWN) > 50_000:
            _SHOWN.clear()
        text = _SHOWN[key] = vi_number(value, decimals)
    return text


def lost_items(results: Results, u: UnitResult) -> list[tuple[Decimal, dict]]:
    """Items where the unit lost points with how many, most first (then in criteria-set order)."""
    fw = results.framework
    d = fw.decimals
    fields = {f.code: f.title for f in fw.fields}
    lost = []
    for order, item in enumerate(fw.items):
        line = u.items.get(item.code)
        if line is None or not line.applies or line.not_applicable:
            continue  # not for the unit's type, or «không phát sinh»: out of the unit's maximum, nothing lost
        final = line.final
        if item.kind == "regular":
            gap = item.max - final
            shown_max, shown_final = _shown(item.max, d), _shown(final, d)
        elif item.kind == "penalty":
            gap = final
            shown_max, shown_final = "—", _shown(-final, d) if final else _shown(ZERO, d)
        else:
            continue  # bonus points are extra, never lost
        if gap > ZERO:
            lost.append((gap, order, {
                "code": item.code,
                "title": item.title if item.kind == "regular" else f"Điểm trừ: {item.title}",
                "field": fields.get(item.field_code or "", ""),
                "max": shown_max, "final": shown_final, "lost": _shown(gap, d),
            }))
    lost.sort(key=lambda entry: (-entry[0], entry[1]))
    return [(gap, {"stt": str(n), **row}) for n, (gap, _, row) in enumerate(lost, start=1)]


def field_rows(results: Results, u: UnitResult) -> list[dict]:
    """One row per field of the criteria set for unit ``u``'s notice, each followed by its criteria that have
    sub-criteria (criterion-level sub-index; ``stt`` empty, title «1.1. …»): {stt, code, title, max, points,
    index, lost} as Vietnamese text (points with the set's decimals, the field's index in % with 2, «—» for a field
    of which nothing is in the unit's maximum). ``max`` is the unit's own (``UnitResult.node_max``).
    """
    d = results.framework.decimals
    top = lambda f: u.node_max.get(f.code, f.max)  # noqa: E731  (over the applicable max: «không phát sinh» left out)
    rows = []
    for n, f in enumerate(results.framework.fields, start=1):
        rows.append({"stt": str(n), "code": f.code, "title": f.title, "max": _shown(top(f), d),
                     "points": _shown(u.field_points[f.code], d),
                     # a field with nothing in the unit's maximum has no sub-index (not 0 %)
                     "index": _shown(u.field_index[f.code], 2) if top(f) else "—",
                     "lost": _shown(top(f) - u.field_points[f.code], d)})
        for c in f.items:  # the criterion level (tiêu chí) where it has sub-criteria of its own
            index = u.criterion_index(c.code)
            if not c.items or index is None:
                continue
            got = u.node_points.get(c.code, ZERO)
            rows.append({"stt": "", "code": c.code, "title": f"{c.code}. {c.title}", "max": _shown(top(c), d),
                         "points": _shown(got, d), "index": _shown(index, 2),
                         "lost": _shown(top(c) - got, d)})
    return rows


def decision_ref(results: Results) -> str:
    """«Quyết định số <number> ngày dd/mm/yyyy»: the decision announcing the index, as the notice cites
    it («…/QĐ-<short>» and «…» while campaign.yaml gives no number or date).
    """
    cfg = results.campaign.config
    number = cfg.decision.number if cfg.decision else f"…/QĐ-{cfg.issuer.short}"
    day = cfg.decision.date if cfg.decision else None
    return f"Quyết định số {number} ngày {short_date(day)}"


def notice_shared(results: Results) -> dict:
    """What every unit's notice of ``results`` says alike, computed once for many notices: ``header`` (the
    ``header_context`` dict), ``decision_ref``, ``ranked_count`` (``len(results.ranked)``, which sorts every unit),
    and ``sets``, the criteria set's view per unit type, filled as types come."""
    cfg = results.campaign.config
    return {"header": header_context(results.campaign, f"…/TB-{cfg.issuer.short}", None),
            "decision_ref": decision_ref(results), "ranked_count": len(results.ranked), "sets": {}}


def notice_context(results: Results, u: UnitResult, shared: dict | None = None) -> dict:
    """The template variables of unit ``u``'s Thông báo kết quả: the Nghị định 30/2020/NĐ-CP header
    and signature (``header_context``), the unit's points, index (%), rank and band, the rows per
    field and the items where it lost points; every text NFC. Figures are Vietnamese text (decimal
    commas); «—» where there is no figure. ``shared``: ``notice_shared(results)``, given when many units'
    notices are made (the same context, without recomputing per unit what is the same for all).
    """
    campaign = results.campaign
    cfg = campaign.config
    fw = results.framework
    d = fw.decimals
    shared = shared if shared is not None else notice_shared(results)
    sets = shared["sets"]
    if u.unit.kind not in sets:
        sets[u.unit.kind] = fw.for_kind(u.unit.kind)
    own_set = sets[u.unit.kind]  # the unit's type's maximum (items outside its ``applies_to`` left out)
    ctx = dict(shared["header"])
    lost = lost_items(results, u)
    contact = cfg.contact
    ctx.update({
        "decision_ref": shared["decision_ref"],
        "unit_code": u.unit.code,
        "unit_name": u.unit.name,
        "addressee": addressee(results, u),
        "total": points(u.total, d),
        "max_total": vi_number(unit_index_max(fw, u, cfg.survey_held), d),
        "appraised": points(u.appraised_total, d),
        "max_appraised": vi_number(unit_part_max(fw, u, "appraised"), d),  # «không phát sinh» left out too
        "survey_held": cfg.survey_held,
        "survey": points(u.survey_points, d),
        "max_survey": vi_number(own_set.part_max("survey"), d),
        "bonus": vi_number(u.bonus, d),
        "penalty": vi_number(u.penalty, d),
        "index": points(u.index, 2),
        "rank": str(u.rank) if u.rank is not None else "",  # "": evaluated, not ranked
        "ranked_count": shared["ranked_count"],
        "band": u.band or "",
        "fields": field_rows(results, u),
        "lost_items": [row for _, row in lost],
        "lost_total": vi_number(sum((gap for gap, _ in lost), ZERO), d),
        "contact": ", ".join(x for x in (contact.person, contact.phone, contact.email) if x),
        "recipients": recipient_lines(["Như trên", "Lưu: VT, NV"]),
    })
    return nfc(ctx)


def notified(results: Results) -> list[UnitResult]:
    """The units that get a notice: every ranked unit (rank order), then those evaluated but not ranked (the units
    list's «Xếp hạng: Không», or a block with ``ranked: false``), which have an index and a band but no rank."""
    unranked_scored = [u for u in results.units
                       if u.rank is None and u.index is not None and u.status in ("ranked", "evaluated")]
    return results.ranked + sorted(unranked_scored, key=lambda u: (-u.index, u.unit.code))  # type: ignore[operator]


def render_notices(results: Results, template: Path | None = None, out_dir: Path | None = None,
                   master: Path | None = None, progress: Progress | None = None) -> list[Path]:
    """One notice per ranked or evaluated unit (``notified``) in ``out_dir`` (default CAMPAIGN/output/thong-bao); none named before all are rendered.

    ``master``: as for ``render_decision``. A campaign with ``blocks:``: each block's units from the block's
    results (its criteria set's fields, its own ranks), in campaign.yaml order. ``progress``: called
    ``(done, total, label)`` as notices are rendered (``render_each``). A notice gets its name only once every
    notice is rendered and on disk (``core.files.write_new_many``).
    """
    if results.campaign.has_blocks:
        from ..master.consolidation import split_results
        return [p for part in split_results(results) for p in render_notices(part, template, out_dir, master, progress)]
    template = Path(template) if template else campaign_template(results.campaign.root, TEMPLATE)
    shared = notice_shared(results)
    units = notified(results)
    if not units:
        return []
    # each unit's context made as the workers render the ones before, each notice saved (unnamed) as it comes
    contexts = (notice_context(results, u, shared) for u in units)
    target = Path(out_dir) if out_dir else results.campaign.output_dir / NOTICES_DIR
    # closed on any stop (Ctrl+C while a notice is saved included): its worker processes stopped at once
    with closing(render_each(template, contexts, len(units), note_for(results, master), progress)) as rendered:
        return write_new_many((target / f"thong-bao-{slug(u.unit.code)}-{slug(u.unit.name)}.docx", data)
                              for u, data in zip(units, rendered))
