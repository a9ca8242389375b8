"""Tờ trình: the short summary the council reads at its meeting, from ``council.view.CouncilView``.

Per unit: the index after self-assessment, after round 1 and after explanation, its rank and the change
of rank since round 1; then the items still contested. Always a draft until the results are finalised.

A campaign with ``blocks:`` gets one Tờ trình from «to-trinh-hoi-dong-cac-khoi.docx»: the opening over every
block, then per block (campaign.yaml order) its units, ranked among themselves, and its items still contested
(``blocks_brief_context``). ``draft_council`` is what ``parxl council`` and the control workbook run.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..appraisal import layout as AL
from ..core.files import write_atomic
from ..core.numbers import vi_number
from ..campaign.folder import Campaign
from ..campaign.blocks import Block
from ..council.view import CouncilView, appraised_views, not_appraised_line
from ..council.workbook import WORKBOOK_NAME, output_dir, write_council_workbook
from .context import header_context, nfc, points, recipient_lines, units_phrase
from .render import campaign_template, render_bytes

TEMPLATE = "to-trinh-hoi-dong.docx"
FILE_NAME = "to-trinh-hoi-dong.docx"
BLOCKS_TEMPLATE = "to-trinh-hoi-dong-cac-khoi.docx"
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _unit_rows(view: CouncilView) -> list[dict]:
    """The table rows of ``view``'s units: {stt, name, self_index, first_index, final_index, rank, rank_change}."""
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
    return units


def _open_items(view: CouncilView) -> list[str]:
    """One line per item still contested, unit by unit."""
    d = view.campaign.framework.decimals
    return [f"{ch.unit_name}, tiêu chí {ch.item.code} ({ch.item.title}): đơn vị tự chấm "
            f"{vi_number(ch.self_score, d) if ch.self_score is not None else '—'} điểm"
            + (f", đề nghị {vi_number(ch.proposed, d)} điểm" if ch.proposed is not None else "")
            + f", điểm sau giải trình {vi_number(ch.final, d)} điểm"
            for u in view.units for ch in u.open_items]


def _counts(view: CouncilView) -> tuple[int, int]:
    """(units whose self-assessment was read, and so appraised; units ranked after the last round)."""
    read = sum(1 for u in view.units if u.before is not None and u.before.status not in ("missing", "unreadable",
                                                                                          "internal"))
    return read, sum(1 for u in view.units if u.final is not None and u.final.rank is not None)


def blocks_brief_context(views: Sequence[CouncilView], not_appraised: Sequence[Block] = ()) -> dict:
    """The template variables of the Tờ trình of a campaign with ``blocks:`` («to-trinh-hoi-dong-cac-khoi.docx»),
    ``views`` one per block (``council_views``): the header, the counts over every block (``unit_count``,
    ``ranked_count``, ``explained_count``, ``block_count``), ``units_phrase`` naming each block's units once,
    and ``blocks`` [{numeral (I, II…), id, title, intro, units, open_items}] with ``units`` and ``open_items``
    as in ``brief_context``; ``not_appraised`` one line per block left out for want of an appraisal
    (``not_appraised_line``); every text NFC."""
    campaign = views[0].campaign
    cfg = campaign.config
    ctx = header_context(campaign, f"…/TTr-{cfg.issuer.short}", None)
    blocks = []
    read_all = ranked_all = 0
    for n, view in enumerate(views):
        block = view.campaign.blocks[0]
        read, ranked = _counts(view)
        read_all, ranked_all = read_all + read, ranked_all + ranked
        intro = (f"{block.title} có {vi_number(len(view.units))} đơn vị, {vi_number(read)} đơn vị đã gửi kết quả tự "
                 f"đánh giá và được thẩm định; {vi_number(view.explained_units)} đơn vị đã giải trình; "
                 + (f"{vi_number(ranked)} đơn vị được xếp hạng trong khối." if block.ranked
                    else "khối không xếp hạng (chỉ tính chỉ số và xếp loại)."))
        blocks.append({"numeral": _ROMAN[n] if n < len(_ROMAN) else str(n + 1), "id": block.id,
                       "title": block.title, "intro": intro, "units": _unit_rows(view),
                       "open_items": _open_items(view)})
    phrases = list(dict.fromkeys(units_phrase(v.campaign) for v in views))
    phrase = ", ".join(phrases[:-1]) + " và " + phrases[-1] if len(phrases) > 1 else phrases[0]
    n = AL.round_number(views[0].last_round)
    ctx.update({
        "units_phrase": phrase, "units_phrase_upper": phrase.upper(),
        "unit_count": vi_number(read_all),
        "ranked_count": vi_number(ranked_all),
        "rounds_text": "thẩm định lần 1" if n == 1 else f"{n} lần thẩm định",
        "explained_count": vi_number(sum(v.explained_units for v in views)),
        "block_count": vi_number(len(views)),
        "not_appraised": [not_appraised_line(b) for b in not_appraised],
        "blocks": blocks,
        "workbook_name": WORKBOOK_NAME,
        "recipients": recipient_lines(["Như trên", "Lưu: VT, NV"]),
        "draft": True,
    })
    return nfc(ctx)


def brief_context(view: CouncilView) -> dict:
    """The template variables of the Tờ trình: the Nghị định 30/2020 header (``header_context``), ``units``
    [{stt, name, self_index, first_index, final_index, rank, rank_change}], ``open_items`` (one line each),
    counts; every text NFC, indexes in % with two decimals and decimal commas, «—» where there is none."""
    campaign = view.campaign
    cfg = campaign.config
    ctx = header_context(campaign, f"…/TTr-{cfg.issuer.short}", None)
    units = _unit_rows(view)
    open_items = _open_items(view)
    read, ranked = _counts(view)
    n = AL.round_number(view.last_round)
    ctx.update({
        "unit_count": vi_number(read),  # units whose self-assessment was read (and so appraised)
        "ranked_count": vi_number(ranked),
        "rounds_text": "thẩm định lần 1" if n == 1 else f"{n} lần thẩm định",
        "explained_count": vi_number(view.explained_units),
        "units": units,
        "open_items": open_items,
        "workbook_name": WORKBOOK_NAME,
        "recipients": recipient_lines(["Như trên", "Lưu: VT, NV"]),
        "draft": True,
    })
    return nfc(ctx)


def render_brief(views: CouncilView | Sequence[CouncilView], template: Path | None = None,
                 not_appraised: Sequence[Block] = ()) -> Path:
    """Render the Tờ trình of ``views`` (one ``CouncilView``, or ``council_views`` of a campaign) into
    ``output/hoi-dong/`` (replacing the earlier one); its path. A campaign with ``blocks:`` (block views) uses
    «to-trinh-hoi-dong-cac-khoi.docx» and ``blocks_brief_context`` (``not_appraised``: the blocks left out).

    Raises ``DocumentError`` for a template that does not fit, ``OSError`` when it cannot be written."""
    views = [views] if isinstance(views, CouncilView) else list(views)
    root = views[0].campaign.root
    per_block = views[0].campaign.block_id is not None
    template = Path(template) if template else campaign_template(root, BLOCKS_TEMPLATE if per_block else TEMPLATE)
    data = render_bytes(template, blocks_brief_context(views, not_appraised) if per_block else brief_context(views[0]))
    return write_atomic(output_dir(root) / FILE_NAME, data)


@dataclass(frozen=True)
class CouncilDocuments:
    """What ``draft_council`` made: the views (one per block appraised, or one), the council's workbook, the
    Tờ trình, and the blocks left out because no appraisal is recorded for them."""

    views: list[CouncilView]
    workbook: Path
    brief: Path
    not_appraised: list[Block] = field(default_factory=list)


def draft_council(campaign: Campaign) -> CouncilDocuments:
    """The council's workbook and Tờ trình of ``campaign`` into ``output/hoi-dong/`` (what ``parxl council`` and
    the control workbook's task run), per block for a campaign with ``blocks:``; a block with no appraisal
    recorded is left out (``CouncilDocuments.not_appraised``).

    Raises ``ParxlError`` when no appraisal round is recorded, ``LedgerError``, ``SurveyError``,
    ``DocumentError`` and ``OSError`` as ``council_view``, ``render_brief`` and ``write_council_workbook`` do."""
    views, missing = appraised_views(campaign)
    return CouncilDocuments(views, write_council_workbook(views), render_brief(views, None, missing), missing)
