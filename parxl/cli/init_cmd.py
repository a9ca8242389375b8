"""``parxl init``: create a campaign folder."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..campaign.folder import CAMPAIGN_FILE, init_campaign
from .console import console


@click.command("init")
@click.argument("directory", metavar="THƯ_MỤC", type=click.Path(file_okay=False, path_type=Path))
@click.option("--criteria", "criteria", required=True, metavar="MÃ_HOẶC_TỆP",
              help="Bộ chỉ số: mã bộ có sẵn (xa-mau-2025, so-mau-2025) hoặc đường dẫn tệp .yaml.")
@click.option("--units", "units", required=True, metavar="TỆP", type=click.Path(dir_okay=False, path_type=Path),
              help="Danh sách đơn vị (.csv UTF-8 hoặc .xlsx) có các cột Mã, Tên đơn vị, Loại.")
@click.option("--year", type=click.IntRange(2000, 2100), default=lambda: dt.date.today().year - 1,
              show_default="năm trước", help="Năm đánh giá.")
@click.option("--issuer", default=None, help="Cơ quan ban hành, ví dụ «ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN».")
@click.option("--place", default=None, help="Địa danh ghi ngày tháng, ví dụ «Kinh Môn».")
def command(directory: Path, criteria: str, units: Path, year: int, issuer: str | None, place: str | None) -> None:
    """Tạo đợt đánh giá mới trong THƯ_MỤC."""
    campaign = init_campaign(directory, criteria, units, year, issuer, place)
    console.print(f"[green]Đã tạo đợt đánh giá năm {year}[/] tại «{directory}»: "
                  f"{len(campaign.units)} đơn vị, bộ chỉ số «{campaign.framework.id}».")
    console.print(f"Hãy mở «{directory / CAMPAIGN_FILE}» và điền các mục có «…» "
                  "(cơ quan ban hành, người ký, số kế hoạch, hạn gửi).")
