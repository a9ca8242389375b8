"""``parxl notices``: one Thông báo kết quả Chỉ số CCHC per ranked unit."""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign import load_campaign
from .console import console
from .decision_cmd import campaign_argument, campaign_results, template_option


@click.command("notices")
@campaign_argument
@template_option
def command(campaign_dir: Path, template: Path | None) -> None:
    """Soạn thông báo kết quả cho từng đơn vị được xếp hạng vào THƯ_MỤC_ĐỢT/output/thong-bao."""
    from ..documents import render_notices

    paths = render_notices(campaign_results(load_campaign(campaign_dir)), template)
    if not paths:
        console.print("[yellow]Chưa có đơn vị nào được xếp hạng: không có thông báo nào để soạn.[/]")
        return
    console.print(f"[green]Đã soạn {len(paths)} thông báo kết quả[/] trong {paths[0].parent}", soft_wrap=True)
    for path in paths:
        console.print(f"  {path.name}", soft_wrap=True)
