"""``parxl survey``: import the survey results (điều tra xã hội học) of a campaign."""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign.folder import load_campaign
from ..core.numbers import vi_number
from ..survey.table import import_survey
from .console import console


@click.command("survey", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("table", metavar="BẢNG_KẾT_QUẢ", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def command(campaign_dir: Path, table: Path) -> None:
    """Nhập kết quả điều tra xã hội học (.csv UTF-8 hoặc .xlsx).

    Mỗi dòng một đơn vị (cột «Mã»), mỗi cột một tiêu chí điều tra theo mã trong
    Bộ chỉ số (ví dụ «8.1.1»), ghi số điểm («3,5») hoặc tỷ lệ so với điểm tối đa
    («85%»). Bảng được kiểm tra hết rồi mới nhận; bảng nhập trước đó vẫn được giữ.
    Lần «parxl consolidate» sau sẽ tính điểm điều tra theo bảng này.
    """
    campaign = load_campaign(campaign_dir)
    if campaign.has_blocks:  # one table per block: the block its units belong to
        campaign = _block_of_table(campaign, table)
    target, scores = import_survey(campaign, table)
    absent = [u.name for u in campaign.units if u.code not in scores]
    console.print(f"[green]Đã nhận kết quả điều tra xã hội học của {vi_number(len(scores))} đơn vị[/] "
                  f"(lưu tại «{target}»).", soft_wrap=True)
    if absent:
        console.print(f"[yellow]Chưa có kết quả điều tra:[/] {', '.join(absent)} — điểm điều tra tính 0.", soft_wrap=True)


def _block_of_table(campaign, table: Path):
    """The view (``Campaign.for_block``) of the one block whose units the survey table lists.

    Raises SurveyError when the table names no unit of any block, or units of several blocks (each
    block has its own survey items: one table per block).
    """
    from ..campaign.units import read_rows
    from ..core.errors import ParxlError
    from ..core.texts import fold, normalize_text
    from ..survey.table import SurveyError

    rows = read_rows(table, ParxlError)  # the file's own problem, in Vietnamese
    header_at = next((n for n, r in enumerate(rows) if any(str(c).strip() for c in r)), None)
    folded = [fold(normalize_text(str(c))) for c in rows[header_at]] if header_at is not None else []
    if "ma" not in folded:
        return campaign.for_block(campaign.blocks[0])  # the import says what is missing
    col = folded.index("ma")
    found: dict[str, list[str]] = {}
    for row in rows[header_at + 1:]:  # type: ignore[operator]
        code = normalize_text(str(row[col])).strip() if col < len(row) else ""
        block = campaign.block_of(code) if code else None
        if block is not None:
            found.setdefault(block.id, []).append(code)
    if len(found) > 1:
        listed = "; ".join(f"khối «{b}»: {', '.join(codes[:3])}{'…' if len(codes) > 3 else ''}"
                           for b, codes in found.items())
        raise SurveyError(table, [f"bảng có đơn vị của {len(found)} khối ({listed}); mỗi khối có tiêu chí điều tra "
                                  "riêng: hãy tách mỗi khối một bảng rồi nhập từng bảng"])
    block_id = next(iter(found), campaign.blocks[0].id)
    return next(v for v in campaign.views() if v.block_id == block_id)
