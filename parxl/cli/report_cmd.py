"""``parxl report``: the Báo cáo kết quả Chỉ số CCHC to the higher level (checks as ``parxl decision``)."""
from __future__ import annotations

from pathlib import Path

import click

from .console import console, err_console
from .decision_cmd import campaign_argument, follows_line, prepare, template_option
from .progress_bar import steps


@click.command("report")
@campaign_argument
@template_option
def command(campaign_dir: Path, template: Path | None) -> None:
    """Soạn báo cáo kết quả Chỉ số CCHC gửi cấp trên vào THƯ_MỤC_ĐỢT/output.

    Theo kết quả lưu kèm bảng tổng hợp mới nhất, như lệnh «decision»; thoát với mã 1,
    không tạo tệp nào, khi chưa có bảng tổng hợp, khi dữ liệu đã thay đổi sau khi lập
    bảng, hoặc khi chưa có đơn vị nào được xếp hạng.
    """
    from ..documents import render_report
    from ..documents.report import TEMPLATE

    snapshot = prepare(campaign_dir, "report", template, TEMPLATE)
    with steps(err_console, err_console.writes_to_terminal()) as bars, bars.phase("Đang soạn báo cáo"):
        path = render_report(snapshot.results, template, master=snapshot.master)
    console.print(f"[green]Đã soạn báo cáo kết quả:[/] {path}", soft_wrap=True)
    console.print(follows_line(snapshot), soft_wrap=True)
