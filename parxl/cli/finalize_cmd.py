"""``parxl finalize``: freeze the agreed results (chốt kết quả), or reopen them (who, when, why in the ledger)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

from ..campaign.folder import load_campaign
from .console import console


@click.command("finalize", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--reopen", is_flag=True, help="Mở lại kết quả đã chốt (bắt buộc ghi «--reason»).")
@click.option("--by", "who", metavar="NGƯỜI", default=None,
              help="Người chốt hoặc mở lại kết quả (mặc định: tên đăng nhập máy tính).")
@click.option("--reason", "why", metavar="LÝ_DO", default="",
              help="Lý do, ví dụ «Theo Biên bản họp Hội đồng thẩm định ngày 20/01/2026».")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
def command(campaign_dir: Path, reopen: bool, who: str | None, why: str, as_json: bool) -> None:
    """Chốt kết quả theo bảng tổng hợp mới nhất, hoặc mở lại kết quả đã chốt.

    Sau khi chốt, quyết định, thông báo và báo cáo được soạn theo kết quả đã chốt
    (không còn chữ «DỰ THẢO»); các lệnh check, appraise --import, survey, consolidate
    vẫn chạy nhưng không làm thay đổi kết quả đã chốt. Mỗi lần chốt, mở lại đều được
    ghi vào sổ theo dõi cùng người thực hiện, thời điểm và lý do.
    """
    from ..council.final import finalize, reopen as reopen_results

    campaign = load_campaign(campaign_dir)
    if reopen:
        state = reopen_results(campaign, who, why)
        if as_json:
            click.echo(json.dumps({"finalized": False, "reopened": state.master_name}, ensure_ascii=False, indent=2))
        else:
            console.print(escape(f"Đã mở lại kết quả đã chốt theo bảng tổng hợp «{state.master_name}» (lý do: "
                                 f"{why.strip()}). Văn bản soạn từ nay lại là dự thảo theo bảng tổng hợp mới nhất."),
                          soft_wrap=True)
        return
    state = finalize(campaign, who, why)
    if as_json:
        click.echo(json.dumps({"finalized": True, "master": state.master_name, "made_at": state.made_at,
                               "at": state.at, "who": state.who, "why": state.why, "snapshot": str(state.snapshot)},
                              ensure_ascii=False, indent=2))
        return
    console.print(escape(f"Đã chốt kết quả theo bảng tổng hợp «{state.master_name}» (lập lúc "
                         f"{state.made_at.replace('T', ' ')}); người chốt: {state.who}. Bản lưu: «{state.snapshot}»."),
                  soft_wrap=True)
    console.print("Từ nay quyết định, thông báo, báo cáo soạn theo kết quả đã chốt.", soft_wrap=True)


def print_frozen(campaign) -> None:
    """After ``parxl finalize``: one line saying that what a command recorded does not change the final results."""
    from ..council.final import frozen_notice

    line = frozen_notice(campaign)
    if line:
        console.print(f"[yellow]{escape(line)}[/]", soft_wrap=True)
