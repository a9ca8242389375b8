"""``parxl report``: the Báo cáo kết quả Chỉ số CCHC to the higher level."""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign import load_campaign
from .console import console
from .decision_cmd import TEMPLATE_HELP, campaign_argument, campaign_results


@click.command("report")
@campaign_argument
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help=TEMPLATE_HELP)
def command(campaign_dir: Path, template: Path | None) -> None:
    """Soạn báo cáo kết quả Chỉ số CCHC gửi cấp trên vào THƯ_MỤC_ĐỢT/output."""
    from ..documents import render_report

    path = render_report(campaign_results(load_campaign(campaign_dir)), template)
    console.print(f"[green]Đã soạn báo cáo kết quả:[/] {path}", soft_wrap=True)
