"""``parxl preliminary``: the preliminary notice and the giải trình workbook of every unit appraised in a round."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..appraisal import layout as AL
from ..campaign.folder import load_campaign
from ..core.numbers import vi_number
from .console import console, err_console
from .progress_bar import steps


@click.command("preliminary", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--round", "round_name", metavar="VÒNG", default=None,
              help="Vòng thẩm định (appraisal-1, appraisal-2…). Mặc định: vòng đã nhập điểm gần nhất.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
def command(campaign_dir: Path, round_name: str | None, as_json: bool) -> None:
    """Gửi kết quả thẩm định sơ bộ: thông báo và phiếu giải trình cho từng đơn vị.

    Ghi vào THƯ_MỤC_ĐỢT/output/so-bo/, cho mỗi đơn vị đã được thẩm định trong vòng:
    thông báo kết quả sơ bộ (DOCX) và phiếu giải trình (Excel) gồm các tiêu chí có
    điểm thẩm định thấp hơn điểm tự chấm hoặc được đề nghị giải trình. Đơn vị điền
    phiếu rồi gửi lại; bỏ phiếu vào inbox/ và chạy «parxl check».
    """
    from ..documents.preliminary import draft_preliminary

    campaign = load_campaign(campaign_dir)
    with steps(err_console, not as_json and err_console.writes_to_terminal()) as bars:
        round_name, units, notices, workbooks = draft_preliminary(
            campaign, AL.check_round(round_name) if round_name else None,
            progress=bars.step("Đang soạn thông báo sơ bộ", "văn bản"))
    if as_json:
        click.echo(json.dumps({"round": round_name, "units": [
            {"unit": u.code, "contested": [i.item.code for i in u.items], "notice": str(n.resolve()),
             "workbook": str(w.resolve()) if w else None} for u, n, w in zip(units, notices, workbooks)]},
            ensure_ascii=False, indent=2))
        return
    open_items = sum(len(u.items) for u in units)
    console.print(f"[green]Đã soạn kết quả sơ bộ[/] ({AL.round_title(round_name).lower()}) cho "
                  f"{vi_number(len(units))} đơn vị, {vi_number(open_items)} tiêu chí cần giải trình, trong "
                  f"«{notices[0].parent}»:", soft_wrap=True)
    for u, n, w in zip(units, notices, workbooks):
        console.print(f"  • {u.code} {u.name}: {vi_number(len(u.items))} tiêu chí — {n.name}"
                      + (f", {w.name}" if w else " (không cần phiếu giải trình)"), soft_wrap=True)
    if campaign.config.explanation_deadline is None:
        console.print("[yellow]Lưu ý:[/] campaign.yaml chưa có «explanation_deadline» (hạn gửi giải trình): "
                      "văn bản để «…».", soft_wrap=True)
