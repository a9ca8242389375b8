"""``parxl control``: the control workbook (dieu-khien.xlsm with buttons, or dieu-khien.xlsx) of a campaign."""
from __future__ import annotations

from pathlib import Path

import click

from ..excel.control import DEFAULT_VBA, build_control
from .console import console


@click.command("control", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--vba", "vba", metavar="TỆP", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Tệp vbaProject.bin lấy từ một tệp .xlsm do Excel lưu (mặc định: macros/vbaProject.bin "
                   "của parxl nếu có).")
def command(campaign_dir: Path, vba: Path | None) -> None:
    """Tạo bảng điều khiển của đợt đánh giá trong THƯ_MỤC_ĐỢT.

    Có phần macro (vbaProject.bin): tạo «dieu-khien.xlsm» có bốn nút bấm (Tạo
    biểu mẫu, Kiểm tra tệp gửi về, Tổng hợp xếp hạng, Soạn quyết định), chạy
    parxl qua xlwings trên máy Windows có Excel. Không có: tạo «dieu-khien.xlsx»
    không có nút bấm, ghi các lệnh parxl tương ứng. Tệp cũ khác nội dung được
    giữ lại dưới tên «dieu-khien.bak-N…».
    """
    made = build_control(campaign_dir, vba)
    if made.unchanged:
        console.print(f"Bảng điều khiển «{made.path}» đã đúng như vậy, không cần ghi lại.", soft_wrap=True)
    else:
        console.print(f"[green]Đã tạo bảng điều khiển:[/] {made.path}", soft_wrap=True)
    if made.backup:
        console.print(f"Tệp cũ được giữ lại: {made.backup}", soft_wrap=True)
    if made.with_buttons:
        console.print("Tệp có bốn nút bấm; trên máy Windows cần Excel, parxl[excel] và add-in xlwings "
                      "(xem macros/README.md).")
    else:
        console.print(f"[yellow]Lưu ý:[/] chưa có tệp macro «{DEFAULT_VBA}» (vbaProject.bin phải lấy một lần từ "
                      "một tệp .xlsm do Excel lưu, không tạo được trên Linux), nên bảng điều khiển là tệp .xlsx "
                      "KHÔNG có nút bấm; trang «Điều khiển» ghi các lệnh parxl tương ứng. Xem macros/README.md.",
                      soft_wrap=True)
