"""``parxl demo``: run the whole year on the bundled sample campaign."""
from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..core.numbers import vi_number
from ..survey.plan import coverage_sentence
from .console import console


@click.command("demo", options_metavar="[TÙY_CHỌN]")
@click.argument("directory", metavar="[THƯ_MỤC]", required=False, default="parxl-demo",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--sample", "sample", metavar="TÊN", default=None,
              help="Đợt đánh giá mẫu khác trong samples/, ví dụ «hai-khoi-2025» (hai khối: sở, ban, ngành và xã, phường).")
def command(directory: Path, sample: str | None) -> None:
    """Chạy thử cả năm trên đợt đánh giá mẫu (21 xã, phường của thị xã Kinh Môn).

    Tạo biểu mẫu, giả lập tệp các đơn vị gửi về (có đơn vị gõ đè công thức,
    đơn vị thiếu tài liệu kiểm chứng, đơn vị không gửi), kiểm tra, tổng hợp
    xếp hạng, soạn quyết định công bố, thông báo kết quả và báo cáo vào THƯ_MỤC
    (mặc định: parxl-demo). Không cần Excel hay LibreOffice.

    THƯ_MỤC phải chưa có, trống, hoặc do một lần chạy thử trước tạo ra; bản
    chạy thử không ghi vào đợt đánh giá thật.
    """
    from ..demo.run import run_demo  # here: the demo pulls in every stage (and openpyxl)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.writes_to_terminal()) as bar:
        tasks: dict[str, int] = {}

        def progress(done: int, total: int | None, stage: str) -> None:
            if stage not in tasks:
                for other in tasks.values():
                    bar.update(other, visible=False)
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        outcome = run_demo(directory, progress, sample) if sample else run_demo(directory, progress)

    c = outcome.campaign
    units = {u.code: u.name for u in c.units}
    s = outcome.scenario
    results_dir = c.output_dir
    console.print(f"[bold green]Đã chạy xong đợt đánh giá mẫu năm {c.year}[/] tại «{c.root}».", soft_wrap=True)
    console.print(f"• {vi_number(len(outcome.workbooks))} biểu mẫu tự đánh giá: {c.workbooks_dir}", soft_wrap=True)
    console.print(f"• {vi_number(len(outcome.returned))} tệp giả lập các đơn vị gửi về: {c.inbox_dir}", soft_wrap=True)
    console.print(f"  - {units[s.overwrites]} gõ đè số lên một ô công thức; "
                  f"{units[s.no_evidence]} chấm điểm mà thiếu tài liệu kiểm chứng; "
                  f"{units[s.silent]} không gửi tệp.", soft_wrap=True)
    console.print(f"• Kết quả điều tra xã hội học đã nhập (số phiếu theo phương án): {outcome.survey_table}", soft_wrap=True)
    survey_coverage = coverage_sentence(c)
    if survey_coverage:
        console.print(f"  Quy mô điều tra: {survey_coverage}.", soft_wrap=True)
    console.print("• Kết quả kiểm tra (bảng lỗi, phản hồi cho từng đơn vị):", soft_wrap=True)
    for path in outcome.check_outputs[:1]:
        console.print(f"  {path}", soft_wrap=True)
    if len(outcome.check_outputs) > 1:
        console.print(f"  và {vi_number(len(outcome.check_outputs) - 1)} tệp phản hồi trong {outcome.check_outputs[1].parent}",
                      soft_wrap=True)
    if outcome.error_units:
        console.print("  Đơn vị phải sửa và gửi lại: " + ", ".join(units.get(code, code) for code in outcome.error_units),
                      soft_wrap=True)
    console.print(f"• Bảng tổng hợp xếp hạng: {outcome.master}", soft_wrap=True)
    console.print(f"• Quyết định công bố: {outcome.decision}", soft_wrap=True)
    notices_dir = outcome.notices[0].parent if outcome.notices else results_dir
    console.print(f"• {vi_number(len(outcome.notices))} thông báo kết quả cho từng đơn vị: {notices_dir}", soft_wrap=True)
    console.print(f"• Báo cáo kết quả: {outcome.report}", soft_wrap=True)
    second = outcome.second
    if second is not None:
        flagged = f"; đề nghị {units.get(second.flagged_unit, '')} giải trình một tiêu chí" if second.flagged_unit else ""
        console.print(f"• Nửa cuối năm: thẩm định lần 1 hạ điểm tiêu chí {second.item} của {units[second.unit]} "
                      f"xuống 0{flagged}; kết quả sơ bộ và phiếu giải trình: {second.preliminary[0].parent}",
                      soft_wrap=True)
        console.print(f"  {units[second.unit]} giải trình, bổ sung tài liệu, đề nghị lại "
                      f"{vi_number(second.self_score)} điểm; thẩm định lần 2 chấp nhận: từ hạng "
                      f"{second.rank_first} lên hạng {second.rank_final}.", soft_wrap=True)
        console.print(f"• Tài liệu trình Hội đồng thẩm định: {second.council_workbook}; {second.brief.name}",
                      soft_wrap=True)
    if outcome.plan is not None:
        console.print(f"• Kế hoạch triển khai: {outcome.plan}", soft_wrap=True)
    if outcome.status is not None:
        day = f" (tính đến ngày {outcome.status_day:%d/%m/%Y})" if outcome.status_day else ""
        console.print(f"• Bảng tiến độ{day}: {outcome.status}", soft_wrap=True)
        console.print(f"• Danh sách đôn đốc: {outcome.reminders}", soft_wrap=True)
    if outcome.improvement:
        console.print(f"• {vi_number(len(outcome.improvement))} kế hoạch cải thiện cho từng đơn vị: "
                      f"{outcome.improvement[0].parent}", soft_wrap=True)
    control = outcome.control
    if control is not None and control.workbook is not None:
        console.print(f"• Bảng điều khiển (chọn việc, bấm «Chạy»): {control.workbook}", soft_wrap=True)
    if control is not None and control.launchers:
        console.print(f"• {vi_number(len(control.launchers))} tệp chạy nhanh không cần Excel (.cmd): "
                      f"{control.launchers[0].parent}", soft_wrap=True)
    for problem in getattr(control, "problems", []):
        console.print(f"  Lưu ý: {problem}", soft_wrap=True, markup=False)
