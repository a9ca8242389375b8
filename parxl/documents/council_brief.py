"""Tờ trình: the short summary the council reads at its meeting, from ``council.view.CouncilView``.

Per unit: the index after self-assessment, after round 1 and after explanation, its rank and the change
of rank since round 1; then the items still contested. Always a draft until the results are finalised.
"""
from __future__ import annotations

from pathlib import Path

from ..appraisal import layout as AL
from ..core.files import write_atomic
from ..core.numbers import vi_number
from ..council.view import CouncilView
from ..council.workbook import WORKBOOK_NAME, output_dir
from .context import header_context, nfc, points, recipient_lines
from .render import campaign_template, render_bytes

TEMPLATE = "to-trinh-hoi-dong.docx"
FILE_NAME = "to-trinh-hoi-dong.docx"


def brief_context(view: CouncilView) -> dict:
    """The template variables of the Tờ trình: the Nghị định 30/2020 header (``header_context``), ``units``
    [{stt, name, self_index, first_index, final_index, rank, rank_change}], ``open_items`` (one line each),
    counts; every text NFC, indexes in % with two decimals and decimal commas, «—» where there is none."""
    campaign = view.campaign
    cfg = campaign.config
    ctx = header_context(campaign, f"…/TTr-{cfg.issuer.short}", None)
    d = campaign.framework.decimals
    units = []
    for n, u in enumerate(view.units, start=1):
        change = u.rank_change
        units.append({
            "stt": str(n), "name": u.name,
            "self_index": points(u.before.index if u.before else None, 2),
            "first_index": points(u.first.index if u.first else None, 2),
            "final_index": points(u.final.index if u.final else None, 2),
            "rank": str(u.final.rank) if u.final and u.final.rank else "—",
            "rank_change": "—" if change is None else (f"+{change}" if change > 0 else str(change)),
        })
    open_items = [f"{ch.unit_name}, tiêu chí {ch.item.code} ({ch.item.title}): đơn vị tự chấm "
                  f"{vi_number(ch.self_score, d) if ch.self_score is not None else '—'} điểm"
                  + (f", đề nghị {vi_number(ch.proposed, d)} điểm" if ch.proposed is not None else "")
                  + f", điểm sau giải trình {vi_number(ch.final, d)} điểm"
                  for u in view.units for ch in u.open_items]
    read = [u for u in view.units if u.before is not None and u.before.status not in ("missing", "unreadable",
                                                                                         "internal")]
    n = AL.round_number(view.last_round)
    ctx.update({
        "unit_count": vi_number(len(read)),  # units whose self-assessment was read (and so appraised)
        "ranked_count": vi_number(sum(1 for u in view.units if u.final is not None and u.final.rank is not None)),
        "rounds_text": "thẩm định lần 1" if n == 1 else f"{n} lần thẩm định",
        "explained_count": vi_number(view.explained_units),
        "units": units,
        "open_items": open_items,
        "workbook_name": WORKBOOK_NAME,
        "recipients": recipient_lines(["Như trên", "Lưu: VT, NV"]),
        "draft": True,
    })
    return nfc(ctx)


def render_brief(view: CouncilView, template: Path | None = None) -> Path:
    """Render the Tờ trình into ``output/hoi-dong/`` (replacing the earlier one); its path.

    Raises ``DocumentError`` for a template that does not fit, ``OSError`` when it cannot be written."""
    template = Path(template) if template else campaign_template(view.campaign.root, TEMPLATE)
    data = render_bytes(template, brief_context(view))
    return write_atomic(output_dir(view.campaign.root) / FILE_NAME, data)
