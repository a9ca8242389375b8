"""``parxl appraise``: appraisal workbooks per field for the appraisers, and their import."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from ..appraisal import layout as L
from ..appraisal.build import write_appraisal_workbooks
from ..appraisal.record import ImportResult, default_import_round, import_appraisals
from ..campaign.folder import load_campaign
from ..core.findings import SEVERITY_TITLES, sort_key
from ..core.numbers import vi_number
from ..ledger.store import Ledger
from .console import console, err_console
from .finalize_cmd import print_frozen
from .progress_bar import steps


@click.command("appraise", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--round", "round_name", metavar="VÒNG", default=None,
              help="Vòng thẩm định: appraisal-1, appraisal-2… Mặc định: khi tạo biểu mẫu, vòng kế tiếp vòng đã "
                   "nhập gần nhất; khi nhập điểm, vòng có biểu mẫu tạo gần nhất.")
@click.option("--import", "source", metavar="TỆP_HOẶC_THƯ_MỤC", default=None,
              type=click.Path(exists=True, path_type=Path),
              help="Nhập điểm từ biểu mẫu thẩm định đã điền (một tệp hoặc cả thư mục).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
def command(campaign_dir: Path, round_name: str | None, source: Path | None, as_json: bool) -> None:
    """Tạo biểu mẫu thẩm định theo lĩnh vực, hoặc nhập điểm thẩm định đã điền.

    Không có «--import»: ghi vào THƯ_MỤC_ĐỢT/output/tham-dinh/VÒNG/ một tệp cho mỗi
    lĩnh vực (và một tệp điểm thưởng, điểm trừ), mỗi dòng một đơn vị × tiêu chí,
    để cơ quan thẩm định nhập «Điểm thẩm định» và «Ý kiến thẩm định».

    Có «--import»: đọc, kiểm tra và ghi điểm vào sổ theo dõi của đợt; tệp còn lỗi
    không được ghi. Lần «parxl consolidate» sau dùng điểm thẩm định thay điểm tự
    chấm. Tệp hỏng không làm dừng việc nhập các tệp khác. Thoát với mã 1 khi có
    tệp còn lỗi, 0 khi không có lỗi, 3 khi chính parxl gặp lỗi với một tệp (gửi
    tệp nhật ký lỗi cho nhóm phát triển).
    """
    campaign = load_campaign(campaign_dir)
    if source is None:
        if round_name is None:
            with Ledger.open(campaign) as ledger:
                round_name = L.next_round(ledger.rounds())
        paths = []
        with steps(err_console, not as_json and err_console.writes_to_terminal()) as bars:
            for view in campaign.views():  # a campaign with blocks: per block and field, in the block's sub-folder
                folder = L.round_dir(campaign.root, round_name) / view.block_id if view.block_id else None
                paths += write_appraisal_workbooks(view, L.check_round(round_name), folder,
                                                   progress=bars.step("Đang tạo biểu mẫu thẩm định"))
        if as_json:
            click.echo(json.dumps({"round": round_name, "workbooks": [str(p.resolve()) for p in paths]},
                                  ensure_ascii=False, indent=2))
        else:
            console.print(f"[green]Đã tạo {vi_number(len(paths))} biểu mẫu thẩm định[/] "
                          f"({L.round_title(round_name).lower()}) trong «{paths[0].parent if paths else ''}»:",
                          soft_wrap=True)
            for p in paths:
                console.print(f"  • {p.name}", soft_wrap=True)
        return
    round_name = L.check_round(round_name) if round_name else default_import_round(campaign)
    result = import_by_block(campaign, source, round_name) if campaign.has_blocks else \
        import_appraisals(campaign, source, round_name)
    if as_json:
        click.echo(json.dumps(as_document(result), ensure_ascii=False, indent=2))
    else:
        report(result)
        print_frozen(campaign)
    click.get_current_context().exit(result.report().exit_code)


def import_by_block(campaign, source: Path, round_name: str) -> ImportResult:
    """``import_appraisals`` of a campaign with ``blocks:``: each file with its block's view, the block being
    the nearest folder of its path named after a block id (as ``parxl appraise`` writes them: …/VÒNG/so/);
    a file in no such folder is read with the first block's view, whose check names the campaign it is for.
    Returns one ``ImportResult`` of every file, in block order."""
    from ..appraisal.record import files_of

    views = {v.block_id: v for v in campaign.views()}
    by_block: dict[str, list[Path]] = {b: [] for b in views}
    for path in files_of(source):
        parts = path.relative_to(source).parts[:-1] if source.is_dir() else path.parent.parts
        if source.is_dir():
            parts = source.parts + tuple(parts)
        block = next((p for p in reversed(parts) if p in views), next(iter(views)))
        by_block[block].append(path)
    merged = ImportResult(round_name)
    for block, paths in by_block.items():
        for path in paths:
            one = import_appraisals(views[block], path, round_name)
            merged.files += one.files
            merged.recorded += one.recorded
    return merged


def as_document(result: ImportResult) -> dict:
    """The ``--json`` document of an import: ``ImportResult.as_json()`` plus the common ``"report"``
    (``parxl.core.report.CommandReport.to_json``)."""
    return result.report().to_json()


def report(result: ImportResult) -> None:
    """The import as the clerk reads it: a table of every file's findings, then one line per file."""
    table = Table(title=f"Nhập điểm {L.round_title(result.round).lower()}: {vi_number(len(result.files))} tệp")
    for title in ("Tệp", "Mức độ", "Ô", "Nội dung"):
        table.add_column(title, overflow="fold")
    colour = {"error": "red", "warning": "yellow", "info": "cyan"}
    for f in result.files:
        for d in sorted(f.findings, key=sort_key):
            table.add_row(Path(f.name).name, f"[{colour[d.severity]}]{SEVERITY_TITLES[d.severity]}[/]",
                          f"{d.sheet}!{d.cell}" if d.cell else "", d.message)
    if table.rows:
        console.print(table)
    for f in result.files:
        if f.internal:
            err_console.print(f"[bold red]Không ghi[/] «{Path(f.name).name}»: {f.internal_message}", soft_wrap=True)
        elif f.name in result.recorded:
            console.print(f"[green]Đã ghi[/] {vi_number(f.score_count)} điểm thẩm định của "
                          f"{vi_number(len(f.scores))} đơn vị từ «{Path(f.name).name}».", soft_wrap=True)
        else:
            console.print(f"[red]Không ghi[/] «{Path(f.name).name}»: còn {vi_number(f.errors)} lỗi, "
                          "hãy sửa rồi nhập lại.", soft_wrap=True)
    if not result.files:
        console.print("[yellow]Không có tệp nào để nhập.[/]")
