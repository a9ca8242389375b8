"""``parxl generate``: one self-assessment workbook per unit, into CAMPAIGN/workbooks/."""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign.folder import load_campaign
from ..core.numbers import vi_number
from ..workbook.stamping import generate
from ..workbook.texts import sample_set_warning, unknown_kind_warning
from .progress_bar import steps
from .console import console, err_console


@click.command("generate", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(file_okay=False, path_type=Path))
def command(campaign_dir: Path) -> None:
    """Tạo biểu mẫu tự đánh giá (.xlsx) cho từng đơn vị của đợt đánh giá.

    Mỗi đơn vị một tệp «Mã - Tên đơn vị.xlsx» trong THƯ_MỤC_ĐỢT/workbooks/ (tệp
    cùng tên được ghi đè). Biểu mẫu gồm trang hướng dẫn, trang tự đánh giá có
    công thức tính điểm theo Bộ chỉ số, trang tổng hợp theo lĩnh vực.

    Thoát với mã 0 khi thành công, 1 khi đợt đánh giá hoặc bộ chỉ số có lỗi.
    """
    campaign = load_campaign(campaign_dir)
    for view in campaign.views():  # each block its own criteria set and units
        for warning in (sample_set_warning(view), unknown_kind_warning(view)):
            if warning:
                err_console.print(f"[yellow]Lưu ý:[/] {warning}", soft_wrap=True, highlight=False)
        with steps(console, console.writes_to_terminal()) as bars:
            paths = generate(view, progress=bars.step("Đang tạo biểu mẫu"))
        block = f" cho {view.blocks[0].title.lower()}" if campaign.has_blocks else ""
        console.print(f"[green]Đã tạo {vi_number(len(paths))} biểu mẫu tự đánh giá{block}[/] tại «{campaign.workbooks_dir}».")
