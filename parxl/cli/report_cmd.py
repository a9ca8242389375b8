"""``parxl report``: the Báo cáo kết quả Chỉ số CCHC to the higher level."""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign import load_campaign
from .console import console
from .decision_cmd import campaign_argument, campaign_results, template_option


@click.command("report")
@campaign_argument
@template_option
def command(campaign_dir: Path, template: Path | None) -> None:
    """Soạn báo cáo kết quả Chỉ số CCHC gửi cấp trên vào THƯ_MỤC_ĐỢT/output."""
    from ..documents import render_report

    path = render_report(campaign_results(load_campaign(campaign_dir)), template)
    console.print(f"[green]Đã soạn báo cáo kết quả:[/] {path}", soft_wrap=True)
