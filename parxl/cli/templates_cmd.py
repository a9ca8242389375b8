"""``parxl templates``: copies of the bundled DOCX templates in CAMPAIGN/templates/, for the clerk to edit in Word."""
from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ..campaign.folder import load_campaign
from ..core.numbers import vi_number
from ..documents.render import copy_templates
from .console import console


@click.command("templates", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
def command(campaign_dir: Path) -> None:
    """Sao chép các mẫu văn bản (.docx) của parxl vào THƯ_MỤC_ĐỢT/templates/ để sửa bằng Word.

    Các lệnh soạn văn bản (decision, notices, report, plan, improvement…) dùng mẫu trong thư mục này
    trước mẫu gốc, và in ra mẫu đã dùng. Bản sao đã có (có thể đã sửa) được giữ
    nguyên; xóa bản sao để quay về mẫu gốc. Trong mẫu chỉ dùng các biến {{ … }}
    có sẵn trong mẫu gốc: mẫu có biến lạ bị từ chối, kèm tên biến.
    """
    campaign = load_campaign(campaign_dir)
    written, kept = copy_templates(campaign.root)
    folder = campaign.root / "templates"
    if written:
        console.print(f"[green]Đã sao chép {vi_number(len(written))} mẫu văn bản[/] vào «{escape(str(folder))}»:",
                      soft_wrap=True)
        for path in written:
            console.print(f"  • {escape(path.name)}", soft_wrap=True)
    if kept:
        console.print(f"Giữ nguyên {vi_number(len(kept))} mẫu đã có (có thể đã sửa): "
                      + escape(", ".join(p.name for p in kept)) + ".", soft_wrap=True)
    console.print("Sửa mẫu bằng Word, giữ nguyên các biến {{ … }} và thẻ {% … %}; các lệnh soạn văn bản "
                  "(decision, notices, report, plan, improvement…) sẽ dùng mẫu trong thư mục này.", soft_wrap=True, highlight=False)
