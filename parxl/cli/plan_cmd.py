"""``parxl plan``: the Kế hoạch triển khai xác định Chỉ số CCHC, drafted from campaign.yaml and its schedule."""
from __future__ import annotations

from pathlib import Path

import click

from ..campaign.folder import load_campaign
from .console import console
from .decision_cmd import campaign_argument, template_option, warn


@click.command("plan")
@campaign_argument
@template_option
def command(campaign_dir: Path, template: Path | None) -> None:
    """Soạn Kế hoạch triển khai xác định Chỉ số CCHC vào THƯ_MỤC_ĐỢT/output.

    Bảng tiến độ lấy từ mục «schedule» trong campaign.yaml (đợt đánh giá cũ chưa có mục
    này dùng tiến độ mặc định theo năm, hạn tự đánh giá là «deadline»); phần tổ chức thực
    hiện lấy từ các cơ quan chủ trì, phối hợp và cơ quan thẩm định các lĩnh vực.
    """
    from ..documents.plan import render_plan
    from ..documents.placeholders import draft_warnings
    from ..documents.render import DocumentError, campaign_template, template_origin, template_variables
    from ..documents.plan import TEMPLATE

    campaign = load_campaign(campaign_dir)
    chosen = Path(template) if template else campaign_template(campaign.root, TEMPLATE)
    console.print(template_origin(chosen), soft_wrap=True, highlight=False)
    try:
        used = template_variables(chosen)
    except DocumentError:
        used = set()  # the render says what is wrong with the template
    for line in draft_warnings(campaign, "plan", used):
        warn(line)
    from ..campaign.schedule import schedule_warnings
    for line in schedule_warnings(campaign.config):
        warn(line)
    if campaign.config.schedule is None:
        warn("campaign.yaml chưa có mục «schedule»: kế hoạch dùng tiến độ mặc định theo năm; thêm mục «schedule» "
             "(xem đợt đánh giá tạo bằng «parxl init») để sửa nhiệm vụ, thời gian, cơ quan chủ trì.")
    path = render_plan(campaign, template)
    console.print(f"[green]Đã soạn kế hoạch triển khai[/] {path}", soft_wrap=True)
