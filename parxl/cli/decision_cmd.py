"""``parxl decision``: the Quyết định công bố Chỉ số CCHC with its ranking appendix."""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign import Campaign, load_campaign
from ..results import Results
from .console import console

TEMPLATE_HELP = ("Mẫu .docx đã sửa (sao chép mẫu gốc trong templates/docx của parxl rồi sửa bằng Word; "
                 "chỉ dùng các biến có trong mẫu gốc).")


def campaign_results(campaign: Campaign) -> Results:
    """The consolidated results of the campaign, from its ledger."""
    from ..consolidation import results_from_ledger

    return results_from_ledger(campaign)


def campaign_argument(f):
    return click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT",
                          type=click.Path(exists=True, file_okay=False, path_type=Path))(f)


def template_option(f):
    """``--template``: an edited copy of the bundled .docx template."""
    return click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                        help=TEMPLATE_HELP)(f)


@click.command("decision")
@campaign_argument
@template_option
def command(campaign_dir: Path, template: Path | None) -> None:
    """Soạn Quyết định công bố Chỉ số CCHC (kèm Phụ lục xếp hạng) vào THƯ_MỤC_ĐỢT/output."""
    from ..documents import render_decision

    results = campaign_results(load_campaign(campaign_dir))
    path = render_decision(results, template)
    console.print(f"[green]Đã soạn quyết định công bố:[/] {path}", soft_wrap=True)
