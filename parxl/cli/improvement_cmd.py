"""``parxl improvement``: one Kế hoạch cải thiện, nâng cao Chỉ số CCHC per ranked unit (checks as ``parxl decision``)."""
from __future__ import annotations

from pathlib import Path

import click

from .console import console, err_console
from .decision_cmd import campaign_argument, follows_line, prepare, template_option
from .progress_bar import steps


@click.command("improvement")
@campaign_argument
@click.option("--previous", "previous_path", metavar="TỆP_HOẶC_THƯ_MỤC", default=None,
              type=click.Path(exists=True, path_type=Path),
              help="Bảng tổng hợp năm trước (.xlsx) hoặc thư mục đợt đánh giá năm trước: ghi mức thay đổi chỉ số "
                   "và thứ hạng so với năm trước.")
@template_option
def command(campaign_dir: Path, previous_path: Path | None, template: Path | None) -> None:
    """Soạn kế hoạch cải thiện, nâng cao Chỉ số CCHC năm sau cho từng đơn vị được xếp hạng
    vào THƯ_MỤC_ĐỢT/output/ke-hoach-cai-thien (đơn vị là cơ quan ban hành; số, ngày, người ký để trống).

    Theo kết quả lưu kèm bảng tổng hợp mới nhất, như lệnh «decision»: các tiêu chí bị mất
    điểm theo từng lĩnh vực, xếp theo số điểm có thể cải thiện, kèm cách chấm và tài liệu
    kiểm chứng còn thiếu, và bảng nhiệm vụ điền sẵn để đơn vị sửa.
    """
    from ..documents.improvement import TEMPLATE, render_improvement_plans
    from ..master import read_previous

    snapshot = prepare(campaign_dir, "improvement", template, TEMPLATE)
    previous = read_previous(previous_path) if previous_path is not None else None
    with steps(err_console, err_console.writes_to_terminal()) as bars:
        paths = render_improvement_plans(snapshot.results, previous, template, master=snapshot.master,
                                         progress=bars.step("Đang soạn kế hoạch cải thiện", "văn bản"))
    console.print(f"[green]Đã soạn {len(paths)} kế hoạch cải thiện[/] trong {paths[0].parent}", soft_wrap=True)
    for path in paths:
        console.print(f"  {path.name}", soft_wrap=True)
    console.print(follows_line(snapshot), soft_wrap=True)
