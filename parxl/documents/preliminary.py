"""Thông báo kết quả thẩm định sơ bộ: one notice per unit appraised in a round, sent with its giải trình workbook.

The figures come from the ledger as it stands (``explanation.contested``): the
self-assessed points and the points after the round, per field and in total, and
the items the unit may explain with the appraiser's remark. It is a working
notice, not a result: it always says «dự thảo» until the results are finalised.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..appraisal import layout as AL
from ..campaign.folder import Campaign
from ..core.files import write_atomic
from ..core.numbers import ZERO, vi_number
from ..core.progress import Progress
from ..explanation import layout as EL
from ..explanation.build import deadline_text
from ..explanation.contested import UnitOpen
from ..results.compute import Results, UnitResult
from .context import header_context, item_max, nfc, recipient_lines
from .notices import addressee
from .render import campaign_template, render_many, slug

TEMPLATE = "thong-bao-ket-qua-so-bo.docx"


def file_name(unit: UnitOpen, round: str) -> str:
    """«so-bo-lan-N-<code>-<name>.docx» (ASCII)."""
    return f"so-bo-lan-{AL.round_number(round)}-{slug(unit.code)}-{slug(unit.name)}.docx"


def _signed(value: Decimal, decimals: int) -> str:
    return ("+" if value > 0 else "") + vi_number(value, decimals)


def _survey_points(fw, u: UnitResult | None, field_code: str) -> Decimal:
    """The points of ``field_code``'s survey items in ``u`` (the unit never assesses them itself)."""
    if u is None:
        return ZERO
    return sum((u.items[i.code].final for i in fw.items_of_field(field_code)
                if i.part == "survey" and i.code in u.items), ZERO)


def _points(fw, u: UnitResult | None, survey: bool = True) -> Decimal:
    """All the unit's points: its fields' points plus bonus minus penalty (0 without a result); without the
    survey items' points when ``survey`` is False."""
    if u is None:
        return ZERO
    out = sum((u.field_points.get(f.code, ZERO) for f in fw.fields), ZERO) + u.adjustment
    if not survey:
        out -= sum((_survey_points(fw, u, f.code) for f in fw.fields), ZERO)
    return out


def _max_total_note(fw) -> str:
    """What the totals count that the unit's maximum leaves out: « (không gồm điểm điều tra xã hội học và điểm
    thưởng)», only what the set has; "" when it has neither."""
    out = [text for text, present in (("điểm điều tra xã hội học", any(i.part == "survey" for i in fw.regular_items)),
                                      ("điểm thưởng", any(i.kind == "bonus" for i in fw.items))) if present]
    return f" (không gồm {' và '.join(out)})" if out else ""


def preliminary_shared(campaign: Campaign, before: Results, after: Results) -> dict:
    """What every unit's preliminary notice says alike, computed once for many units: ``header``
    (``header_context``), ``before`` and ``after`` (unit code → ``UnitResult``, the first of a code)."""
    def by_code(results: Results) -> dict[str, UnitResult]:
        out: dict[str, UnitResult] = {}
        for u in results.units:
            out.setdefault(u.unit.code, u)
        return out
    return {"header": header_context(campaign, f"…/TB-{campaign.config.issuer.short}", None),
            "before": by_code(before), "after": by_code(after)}


def preliminary_context(campaign: Campaign, round: str, unit: UnitOpen, before: Results, after: Results,
                        shared: dict | None = None) -> dict:
    """The template variables of ``unit``'s preliminary notice: the Nghị định 30/2020 header (``header_context``),
    per field {stt, title, max, self, appraised, diff} (``max``: the unit's own maximum of what the row counts,
    see ``item_max``), totals (``max_total``: the unit's maximum of its non-survey items, ``max_total_note`` what
    the totals count beyond it), the contested items
    {stt, code, title, self, appraised, remark}, the deadline and where to send; every text NFC, numbers with decimal commas.

    ``before`` is the self-assessment-only result, ``after`` the result counting rounds up to ``round``;
    ``shared``: ``preliminary_shared(campaign, before, after)``, given when many units' notices are made.
    """
    cfg = campaign.config
    fw = campaign.framework
    d = fw.decimals
    shared = shared if shared is not None else preliminary_shared(campaign, before, after)
    u0: UnitResult | None = shared["before"].get(unit.code)
    u1: UnitResult | None = shared["after"].get(unit.code)
    ctx = dict(shared["header"])
    # The survey items are neither self-assessed nor appraised: their points are left out of both columns
    # (a field of survey items only shows «—»), so the table compares the unit's own scores with the appraisal.
    # «Điểm tối đa» is the unit's own (after the round: an overturned «không phát sinh» claim is back in it):
    # items outside its type or marked not applicable count 0; the survey items' points, left out of both
    # columns, are left out of the maximum too, but for a field of survey items alone.
    u_max = u1 if u1 is not None else u0
    fields = []
    for n, f in enumerate(fw.fields, start=1):
        p0 = (u0.field_points.get(f.code, ZERO) - _survey_points(fw, u0, f.code)) if u0 else ZERO
        p1 = (u1.field_points.get(f.code, ZERO) - _survey_points(fw, u1, f.code)) if u1 else ZERO
        leaves = fw.items_of_field(f.code)
        counted = [i for i in leaves if i.part != "survey"]
        top = (sum((item_max(i, u_max) for i in counted or leaves), ZERO) if u_max is not None else f.max)
        if not counted:
            fields.append({"stt": str(n), "title": f.title, "max": vi_number(top, d), "self": "—",
                           "appraised": "—", "diff": "—"})
            continue
        fields.append({"stt": str(n), "title": f.title, "max": vi_number(top, d), "self": vi_number(p0, d),
                       "appraised": vi_number(p1, d), "diff": _signed(p1 - p0, d)})
    max_total = (sum((item_max(i, u_max) for i in fw.regular_items if i.part != "survey"), ZERO)
                 if u_max is not None else fw.part_max("appraised"))
    t0, t1 = _points(fw, u0, survey=False), _points(fw, u1, survey=False)
    items = [{"stt": str(n), "code": it.item.code, "title": it.item.title,
              "self": "—" if it.self_score is None else vi_number(it.self_score, d),
              "appraised": vi_number(it.appraised, d),
              "remark": it.remark or "; ".join(it.reasons)}
             for n, it in enumerate(unit.items, start=1)]
    contact = cfg.contact
    who = addressee(after, u1) if u1 is not None else unit.name
    ctx.update({
        "round_number": str(AL.round_number(round)),
        "unit_code": unit.code,
        "unit_name": unit.name,
        "addressee": who,
        "fields": fields,
        "self_total": vi_number(t0, d),
        "appraised_total": vi_number(t1, d),
        "diff_total": _signed(t1 - t0, d),
        "max_total": vi_number(max_total, d),
        "max_total_note": _max_total_note(fw),
        "items": items,
        "workbook_name": EL.workbook_name(unit.code, unit.name, round),
        "deadline": cfg.explanation_deadline.strftime("%d/%m/%Y") if cfg.explanation_deadline else "…",
        "submit_to": cfg.submit_to or cfg.contact.office,
        "deadline_text": deadline_text(campaign),
        "contact": ", ".join(x for x in (contact.person, contact.phone, contact.email) if x),
        "recipients": recipient_lines(["Như trên", "Lưu: VT, NV"]),
        "draft": True,
    })
    return nfc(ctx)


def render_preliminary(campaign: Campaign, round: str, units: list[UnitOpen], before: Results, after: Results,
                       template: Path | None = None, progress: Progress | None = None) -> list[Path]:
    """One preliminary notice per unit of ``units`` into ``output/so-bo/`` (replacing that round's earlier
    notice of the unit); all rendered before any is written. ``progress``: as for ``render_many``. Raises
    ``DocumentError`` for a template that does not fit, ``OSError`` when a file cannot be written."""
    template = Path(template) if template else campaign_template(campaign.root, TEMPLATE)
    shared = preliminary_shared(campaign, before, after)
    contexts = [preliminary_context(campaign, round, u, before, after, shared) for u in units]
    rendered = zip(units, render_many(template, contexts, None, progress) if contexts else [])
    folder = EL.output_dir(campaign.root)
    return [write_atomic(folder / file_name(u, round), data) for u, data in rendered]


def latest_recorded_round(campaign: Campaign) -> str:
    """The latest appraisal round recorded in the ledger; raises ``ParxlError`` when none is."""
    from ..core.errors import ParxlError
    from ..ledger.store import Ledger

    with Ledger.open(campaign) as ledger:
        rounds = [r for r in ledger.rounds() if AL.round_number(r)]
    if not rounds:
        raise ParxlError("Chưa có kết quả thẩm định nào trong sổ theo dõi: chạy «parxl appraise THƯ_MỤC_ĐỢT "
                         "--import THƯ_MỤC_ĐÃ_CHẤM» trước.")
    return max(rounds, key=AL.round_number)


def draft_preliminary(campaign: Campaign, round_name: str | None = None, progress: Progress | None = None
                      ) -> tuple[str, list[UnitOpen], list[Path], list[Path | None]]:
    """The preliminary notices and giải trình workbooks of every unit appraised in ``round_name`` (default: the
    latest round recorded), per block for a campaign with blocks (what ``parxl preliminary`` writes).

    Returns (round, units, notices, workbooks): the three lists in step, a unit's workbook None when it has
    nothing to explain. ``progress``: as for ``render_many``, for the notices of each block. Raises ``ParxlError`` when no round is recorded or no unit was appraised in it.
    """
    from ..core.errors import ParxlError
    from ..explanation.build import write_explanation_workbooks
    from ..explanation.contested import contested, stage_results

    round_name = round_name or latest_recorded_round(campaign)
    units: list[UnitOpen] = []
    notices: list[Path] = []
    workbooks: list[Path | None] = []
    for view in campaign.views():  # a campaign with blocks: each block's units against its own set
        found = contested(view, round_name)
        if not found:
            continue
        before, after = stage_results(view, 0), stage_results(view, AL.round_number(round_name))
        units += found
        notices += render_preliminary(view, round_name, found, before, after, progress=progress)
        asked = [u for u in found if u.items]  # a giải trình workbook only where there is something to explain
        made = dict(zip((u.code for u in asked), write_explanation_workbooks(view, round_name, asked)))
        workbooks += [made.get(u.code) for u in found]
    if not units:
        raise ParxlError(f"Chưa có đơn vị nào được thẩm định trong vòng «{round_name}»: nhập điểm thẩm định bằng "
                         f"«parxl appraise THƯ_MỤC_ĐỢT --round {round_name} --import …» trước.")
    return round_name, units, notices, workbooks
