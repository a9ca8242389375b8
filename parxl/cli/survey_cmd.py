"""``parxl survey``: import the survey results (điều tra xã hội học) of a campaign."""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign.folder import load_campaign
from ..core.numbers import vi_number
from ..survey.table import import_survey
from .console import console
from .finalize_cmd import print_frozen


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
    target, scores = import_survey(campaign, table)
    absent = [u.name for u in campaign.units if u.code not in scores]
    console.print(f"[green]Đã nhận kết quả điều tra xã hội học của {vi_number(len(scores))} đơn vị[/] "
                  f"(lưu tại «{target}»).", soft_wrap=True)
    if absent:
        console.print(f"[yellow]Chưa có kết quả điều tra:[/] {', '.join(absent)} — điểm điều tra tính 0.", soft_wrap=True)
    print_frozen(campaign)
