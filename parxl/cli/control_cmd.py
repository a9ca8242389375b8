"""``parxl control``: the control workbook (parxl_dieu_khien.xlsm, its «Chạy» button from the installed
xlwings) and the .cmd launchers of a campaign."""
from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ..core.numbers import vi_number
from ..excel.control import MODULE_FILE, build_control
from .console import console, err_console


@click.command("control", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--xlsx", "plain", is_flag=True,
              help="Tạo parxl_dieu_khien.xlsx không có macro, chạy bằng nút «Run main» của add-in xlwings "
                   "(cho cơ quan chặn macro).")
def command(campaign_dir: Path, plain: bool) -> None:
    """Tạo bảng điều khiển và các tệp chạy nhanh của đợt đánh giá trong THƯ_MỤC_ĐỢT.

    Tệp chạy nhanh: mỗi việc một tệp .cmd (1-tao-bieu-mau.cmd …), nhấn đúp để
    chạy, không cần Excel. Bảng điều khiển «parxl_dieu_khien.xlsm» (cần xlwings:
    pip install "parxl[excel]"): chọn việc trong danh sách rồi bấm nút «Chạy»;
    phần macro lấy nguyên vẹn từ xlwings đã cài. Tệp cũ khác nội dung được giữ
    lại dưới tên «parxl_dieu_khien.bak-N…». Thoát với mã 1 khi không tạo được
    bảng điều khiển (chưa cài xlwings).
    """
    made = build_control(campaign_dir, plain=plain)
    if made.launchers:
        console.print(f"[green]Đã tạo {vi_number(len(made.launchers))} tệp chạy nhanh[/] (nhấn đúp để chạy, không cần "
                      f"Excel) trong «{escape(str(made.launchers[0].parent))}»:", soft_wrap=True)
        for path in made.launchers:
            console.print(f"  • {escape(str(path.name))}", soft_wrap=True, highlight=False)
    if made.workbook is not None:
        if made.unchanged:
            console.print(f"Bảng điều khiển «{escape(str(made.workbook))}» đã đúng như vậy, không cần ghi lại.",
                          soft_wrap=True)
        else:
            console.print(f"[green]Đã tạo bảng điều khiển:[/] {escape(str(made.workbook))} (kèm «{MODULE_FILE}»)",
                          soft_wrap=True)
        if made.backup:
            console.print(f"Tệp cũ được giữ lại: {escape(str(made.backup))}", soft_wrap=True)
        if plain:
            console.print("Mở tệp, chọn việc cần làm rồi bấm «Run main» trên thẻ xlwings (cần add-in: "
                          "xlwings addin install).", soft_wrap=True)
        else:
            console.print(f"Mở tệp, bấm «Enable Content», chọn việc cần làm rồi bấm «Chạy». Phần macro là của "
                          f"xlwings {made.xlwings_version}.", soft_wrap=True)
        if made.interpreter:
            console.print(f"Nút bấm chạy Python: {escape(str(made.interpreter))}", soft_wrap=True, highlight=False)
        else:
            console.print("[yellow]Lưu ý:[/] tệp không được tạo trên Windows nên không ghi sẵn đường dẫn Python; "
                          "trên máy Windows nút sẽ dùng Python theo cài đặt của add-in xlwings hoặc «python» trong "
                          "PATH. Tốt nhất hãy chạy lại lệnh này trên chính máy Windows sẽ dùng.", soft_wrap=True)
    for problem in made.problems:
        err_console.print(f"[yellow]Lưu ý:[/] {escape(problem)}", soft_wrap=True, highlight=False)
    if made.workbook is None:
        click.get_current_context().exit(1)
