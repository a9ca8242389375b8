"""``parxl council``: the council's workbook and its Tờ trình, from the ledger as it stands."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

from ..campaign.folder import load_campaign
from ..core.numbers import vi_number
from .console import console, err_console
from .progress_bar import steps


@click.command("council", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
def command(campaign_dir: Path, as_json: bool) -> None:
    """Lập tài liệu trình Hội đồng thẩm định vào THƯ_MỤC_ĐỢT/output/hoi-dong/.

    Bảng tổng hợp Excel: mỗi đơn vị một dòng với tổng điểm và chỉ số sau tự đánh giá,
    sau thẩm định lần 1 và sau giải trình, thay đổi xếp hạng, các tiêu chí còn ý kiến
    khác nhau; mỗi lĩnh vực một trang với các tiêu chí thay đổi điểm. Kèm Tờ trình (DOCX).
    Đợt đánh giá có nhiều khối: mỗi khối một nhóm trang và một phần của tờ trình, các
    đơn vị xếp hạng trong khối của mình.
    """
    from ..council.view import not_appraised_line, unit_points
    from ..documents.council_brief import draft_council

    campaign = load_campaign(campaign_dir)
    with steps(err_console, not as_json and err_console.writes_to_terminal()) as bars:
        with bars.phase("Đang tổng hợp các vòng, lập bảng tổng hợp và tờ trình"):
            made = draft_council(campaign)
    book, brief, views = made.workbook, made.brief, made.views
    per_block = campaign.has_blocks  # each block's units ranked among themselves
    if as_json:
        def stage(res, u):
            return None if u is None else {"total": None if unit_points(res, u) is None else str(unit_points(res, u)),
                                           "index": None if u.index is None else str(u.index), "rank": u.rank}

        def line(view, u):
            out = {"code": u.code, "self": stage(view.before, u.before), "first": stage(view.first, u.first),
                   "final": stage(view.final, u.final), "rank_change": u.rank_change,
                   "still_contested": [i.item.code for i in u.open_items]}
            return out | ({"block": view.campaign.block_id} if per_block else {})
        doc = {"round": views[0].last_round, "workbook": str(book.resolve()), "brief": str(brief.resolve()),
               "units": [line(view, u) for view in views for u in view.units]}
        if per_block:
            doc["blocks"] = [{"id": v.campaign.block_id, "title": v.campaign.blocks[0].title,
                              "ranked": v.campaign.blocks[0].ranked, "explained_units": v.explained_units,
                              "units": [u.code for u in v.units]} for v in views]
            doc["not_appraised"] = [{"id": b.id, "title": b.title, "message": not_appraised_line(b)}
                                    for b in made.not_appraised]
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    console.print(escape(f"Đã lập bảng tổng hợp «{book.name}» và tờ trình «{brief.name}» trong «{book.parent}»."),
                  soft_wrap=True)
    for block in made.not_appraised:
        console.print(escape(not_appraised_line(block)), soft_wrap=True)
    for view in views:
        moved = [u for u in view.units if u.rank_change]
        title = f"{view.campaign.blocks[0].title}: " if per_block else ""
        console.print(escape(title) + f"{vi_number(view.explained_units)} đơn vị đã giải trình; "
                      f"{vi_number(len(moved))} đơn vị thay đổi xếp hạng; "
                      f"{vi_number(sum(len(u.open_items) for u in view.units))} tiêu chí còn ý kiến khác nhau.",
                      soft_wrap=True)
        for u in moved:
            sign = "tăng" if u.rank_change > 0 else "giảm"
            console.print(escape(f"  • {u.code} {u.name}: {sign} {abs(u.rank_change)} bậc (hạng {u.first.rank} → "
                                 f"{u.final.rank})"), soft_wrap=True)
