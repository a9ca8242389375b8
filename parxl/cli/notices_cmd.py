"""``parxl notices``: one Thông báo kết quả Chỉ số CCHC per ranked unit (checks as ``parxl decision``)."""
from __future__ import annotations

from pathlib import Path

import click

from .console import console, err_console
from .decision_cmd import campaign_argument, follows_line, prepare, template_option
from .progress_bar import steps


@click.command("notices")
@campaign_argument
@template_option
def command(campaign_dir: Path, template: Path | None) -> None:
    """Soạn thông báo kết quả cho từng đơn vị được xếp hạng vào THƯ_MỤC_ĐỢT/output/thong-bao.

    Theo kết quả lưu kèm bảng tổng hợp mới nhất, như lệnh «decision»; thoát với mã 1,
    không tạo tệp nào, khi chưa có bảng tổng hợp, khi dữ liệu đã thay đổi sau khi lập
    bảng, hoặc khi chưa có đơn vị nào được xếp hạng.
    """
    from ..documents import render_notices
    from ..documents.notices import TEMPLATE

    snapshot = prepare(campaign_dir, "notices", template, TEMPLATE)
    with steps(err_console, err_console.writes_to_terminal()) as bars:
        paths = render_notices(snapshot.results, template, master=snapshot.master,
                               progress=bars.step("Đang soạn thông báo", "văn bản"))
    console.print(f"[green]Đã soạn {len(paths)} thông báo kết quả[/] trong {paths[0].parent}", soft_wrap=True)
    for path in paths:
        console.print(f"  {path.name}", soft_wrap=True)
    console.print(follows_line(snapshot), soft_wrap=True)
