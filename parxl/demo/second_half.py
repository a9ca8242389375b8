"""The second half of the demo year: appraisal round 1, preliminary results, one unit explains, round 2, council.

``run_second_half(campaign, results)`` plays the appraisers and one unit with
the same functions the commands call: the appraisers lower one item of a unit
(the highest-ranked unit whose item, set to 0, drops it below the next unit)
and flag another unit's item; ``parxl preliminary`` sends the notices and
giải trình workbooks; that unit explains with a link and proposes its own score
back; intake finds its workbook in inbox/ (as ``parxl check``); round 2 accepts
it; ``parxl council`` writes the council's workbook and Tờ trình. Filled
workbooks are written with openpyxl, as a person's Excel would.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string

from ..appraisal import layout as AL
from ..appraisal.build import write_appraisal_workbooks
from ..appraisal.record import import_appraisals
from ..campaign.folder import Campaign
from ..council.view import CouncilView, council_view
from ..council.workbook import write_council_workbook
from ..documents.council_brief import render_brief
from ..documents.preliminary import render_preliminary
from ..explanation import layout as EL
from ..explanation.build import write_explanation_workbooks
from ..explanation.contested import contested, stage_results
from ..explanation.record import record_explanations
from ..ledger.receive import run_intake
from ..ledger.store import Ledger
from ..results.compute import Results

ROUND_1, ROUND_2 = "appraisal-1", "appraisal-2"
EVIDENCE_LINK = "https://kinhmon.haiduong.gov.vn/van-ban/bao-cao-bo-sung"


@dataclass
class SecondHalf:
    """What the second half did: the unit that explained (code), its item and points, its rank after round 1
    and after round 2, the flagged unit, and the files written."""

    unit: str
    item: str
    self_score: Decimal
    rank_first: int | None
    rank_final: int | None
    flagged_unit: str | None
    preliminary: list[Path]
    council_workbook: Path
    brief: Path
    view: CouncilView


def pick_target(campaign: Campaign, results: Results) -> tuple[str, str, Decimal, str | None]:
    """(unit, item, its self score, a unit to flag): the highest-ranked unit with an appraised item whose self
    score exceeds its lead over the next unit (0 for that item drops it below), and the next unit.

    Raises ``LookupError`` when no unit has such an item (every unit tied or no appraised points)."""
    items = [i for g in AL.groups(campaign.framework) for i in g.items if i.kind == "regular"]
    ranked = sorted(results.ranked, key=lambda u: (u.rank, u.unit.code))
    for a, b in zip(ranked, ranked[1:]):
        gap = a.total - b.total
        if gap <= 0:
            continue
        best = max((i for i in items if (a.items[i.code].self_score or 0) > gap),
                   key=lambda i: a.items[i.code].self_score, default=None)
        if best is not None:
            return a.unit.code, best.code, a.items[best.code].self_score, b.unit.code
    raise LookupError("no unit can move")


def _fill(src: Path, dest: Path, sheet: str, header_row: int, key_cols: tuple[str, ...],
          values: dict[tuple, dict[str, object]], letters) -> Path:
    """Type ``values`` ({row key: {column key: value}}) into a copy of ``src`` at ``dest``, rows found by the
    texts of ``key_cols``."""
    wb = openpyxl.load_workbook(src)
    ws = wb[sheet]
    cols = [column_index_from_string(letters[k]) for k in key_cols]
    for r in range(header_row + 1, ws.max_row + 1):
        key = tuple(ws.cell(r, c).value for c in cols)
        for col, value in values.get(key if len(key) > 1 else key[0], {}).items():
            ws.cell(r, column_index_from_string(letters[col])).value = value
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def run_second_half(campaign: Campaign, results: Results) -> SecondHalf:
    """Round 1 → preliminary → one explanation → round 2 → council (see the module doc), from ``results``
    (the self-assessment's consolidation). Raises ``LookupError`` when no unit can move up."""
    unit, item, own, other = pick_target(campaign, results)
    group = next(g for g in AL.groups(campaign.framework) if any(i.code == item for i in g.items))
    flag_item = group.items[0].code
    # Round 1: the appraiser lowers the item to 0 and asks the next unit to explain another item.
    write_appraisal_workbooks(campaign, ROUND_1)
    src = AL.round_dir(campaign.root, ROUND_1) / group.file_name
    done = _fill(src, AL.round_dir(campaign.root, ROUND_1) / "da-cham" / group.file_name, AL.SHEET_DATA,
                 AL.HEADER_ROW, ("unit", "item"),
                 {(unit, item): {"score": 0, "note": "Chưa có tài liệu kiểm chứng đầy đủ"},
                  (other, flag_item): {"flag": AL.FLAG_WORD}}, AL.COL)
    import_appraisals(campaign, done, ROUND_1)
    # Preliminary results, as «parxl preliminary».
    units = contested(campaign, ROUND_1)
    preliminary = render_preliminary(campaign, ROUND_1, units, stage_results(campaign, 0), stage_results(campaign, 1))
    preliminary += write_explanation_workbooks(campaign, ROUND_1, units)
    # The unit explains and proposes its own score back; its file arrives in inbox/ (as «parxl check»).
    name = campaign.unit(unit).name  # type: ignore[union-attr]
    _fill(EL.output_dir(campaign.root) / EL.workbook_name(unit, name, ROUND_1),
          campaign.inbox_dir / "giai-trinh" / EL.workbook_name(unit, name, ROUND_1), EL.SHEET_DATA, EL.HEADER_ROW,
          ("item",), {item: {"explanation": "Đơn vị bổ sung báo cáo và văn bản kèm theo tại liên kết.",
                             "evidence": EVIDENCE_LINK, "proposed": float(own)}}, EL.COL)
    record_explanations(campaign, run_intake(campaign).others)
    # Round 2 accepts the explanation.
    write_appraisal_workbooks(campaign, ROUND_2)
    src = AL.round_dir(campaign.root, ROUND_2) / group.file_name
    with Ledger.open(campaign) as ledger:
        proposed = ledger.round_details(unit, AL.explanation_round(ROUND_1), ("ok",)).get(item)
    score = proposed.score if proposed else own
    done = _fill(src, AL.round_dir(campaign.root, ROUND_2) / "da-cham" / group.file_name, AL.SHEET_DATA,
                 AL.HEADER_ROW, ("unit", "item"),
                 {(unit, item): {"score": float(score), "note": "Chấp nhận giải trình"}}, AL.COL)
    import_appraisals(campaign, done, ROUND_2)
    view = council_view(campaign)
    stages = next(u for u in view.units if u.code == unit)
    return SecondHalf(unit, item, own, stages.first.rank if stages.first else None,
                      stages.final.rank if stages.final else None, other, preliminary,
                      write_council_workbook(view), render_brief(view), view)
