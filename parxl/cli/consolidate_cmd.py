"""``parxl consolidate``: check inbox/, then rank every unit and write a new master workbook."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape

from ..campaign.folder import load_campaign
from ..council.final import frozen_notice
from ..core.numbers import vi_number
from ..master import left_out, read_previous, situation
from ..master.consolidation import Consolidation, run_consolidation
from ..master.view import survey_note
from ..results.compute import UnitResult
from ..results.summary import ranking_summary, unappraised_warning
from ..survey.table import missing_table_warning, units_without_survey_warning
from ..explanation.record import record_explanations
from .check_cmd import fewer_collections, print_explanations, print_internal, print_skipped
from .console import console, err_console
from .finalize_cmd import print_frozen
from .progress_bar import steps

SHOWN = 15  # units listed by name in the console before "… và N đơn vị khác"


@click.command("consolidate", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--previous", "previous_path", metavar="TỆP_HOẶC_THƯ_MỤC", default=None,
              type=click.Path(exists=True, path_type=Path),
              help="Bảng tổng hợp năm trước (.xlsx) hoặc thư mục đợt đánh giá năm trước: thêm cột so sánh "
                   "thứ hạng và chỉ số (khớp theo mã đơn vị).")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (đường dẫn bảng tổng hợp, xếp hạng).")
def command(campaign_dir: Path, previous_path: Path | None, as_json: bool) -> None:
    """Kiểm tra các tệp trong inbox/, tổng hợp điểm, xếp hạng, xếp loại và lập bảng tổng hợp.

    Bảng tổng hợp (.xlsx) được ghi mới vào THƯ_MỤC_ĐỢT/output/ mỗi lần chạy có gì
    mới (tệp, điểm thẩm định, điều tra, campaign.yaml, danh sách đơn vị, bộ chỉ số);
    khi không có gì mới, bảng lần trước vẫn dùng được và không ghi thêm bảng nào.
    Bảng của những lần trước được giữ nguyên. Đơn vị chưa nộp hoặc tệp còn lỗi được xử
    lý theo «missing_policy» trong campaign.yaml và liệt kê ở trang «Chưa nộp, bị
    trả lại».

    Thoát với mã 0 khi đã ghi bảng tổng hợp (kể cả khi có đơn vị bị loại), 1 khi
    đợt đánh giá, bộ chỉ số hoặc bảng năm trước không đọc được, 3 khi chính parxl
    gặp lỗi với một tệp trong inbox/ (bảng tổng hợp vẫn được ghi, đơn vị của tệp
    đó tạm chưa được tổng hợp; gửi tệp nhật ký lỗi cho nhóm phát triển).
    """
    with fewer_collections():
        _consolidate(campaign_dir, previous_path, as_json)


def _consolidate(campaign_dir: Path, previous_path: Path | None, as_json: bool) -> None:
    campaign = load_campaign(campaign_dir)
    previous = read_previous(previous_path) if previous_path is not None else None
    with steps(err_console, not as_json and err_console.writes_to_terminal()) as bars:
        intake_progress = bars.step("Kiểm tra tệp trong inbox/")
        master_progress = bars.step("Lập bảng tổng hợp", "bước")
        outcome = run_consolidation(campaign, previous, intake_progress, master_progress)
    explanations = record_explanations(campaign, outcome.intake.others)  # giải trình workbooks in inbox/, as check
    warnings: list[str] = []
    for view, results in zip(campaign.views(), outcome.blocks or [outcome.results]):  # each block its own table
        warnings += [w for w in [missing_table_warning(view)] if w and not results.has_survey]
        warnings += [w for w in [units_without_survey_warning(
            view, [u.unit.code for u in results.ranked], SHOWN)] if w]
        warnings += [w for w in [unappraised_warning(results, str(campaign.root))] if w]
    summary = outcome.report(campaign, as_document(outcome) | {"warnings": warnings,
                                 "skipped": [e.as_dict() for e in outcome.intake.skipped],
                                 "frozen": frozen_notice(campaign) or None,
                                 "explanations": explanations.as_json()})
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        print_skipped(outcome.intake)
        report(outcome, warnings)
        print_internal(campaign, summary, outcome.intake)
        print_explanations(explanations)
        print_frozen(campaign)
    click.get_current_context().exit(summary.exit_code)


def _decimal(value) -> str | None:
    return None if value is None else str(value)


def as_document(outcome: Consolidation) -> dict:
    """``{"master": path, "ranking": [{"code", "name", "status", "total", "index", "rank", "band"}],
    "left_out": [{"code", "name", "situation", "treatment"}]}``; decimals as JSON strings ("87.5")."""
    results = outcome.results

    def line(u: UnitResult) -> dict:
        out = {"code": u.unit.code, "name": u.unit.name, "status": u.status, "total": _decimal(u.total),
               "index": _decimal(u.index), "rank": u.rank, "band": u.band}
        if outcome.blocks:  # ranks are per block
            out["block"] = results.campaign.block_of(u.unit.code).id  # type: ignore[union-attr]
        return out

    return {
        "master": str(outcome.master.resolve()),
        "master_reused": outcome.reused,  # nothing new: the last master stands, no new file was written
        "ranking": [line(u) for part in (outcome.blocks or [results]) for u in part.ranked + part.evaluated + part.unranked],
        "left_out": [{"code": u.unit.code, "name": u.unit.name, "situation": situation(u)[0],
                      "treatment": situation(u)[1]} for u in left_out(outcome.results)],
    }


def report(outcome: Consolidation, warnings: list[str] | None = None) -> None:
    """The consolidation as the clerk reads it: files checked, ranked units, bands, who was left out, the master."""
    results, intake = outcome.results, outcome.intake
    workbooks = sum(1 for f in intake.files if f.kind == "workbook")
    with_errors = sum(1 for r in intake.reports.values() if r.errors)
    console.print(f"Đã kiểm tra {vi_number(workbooks)} tệp trong inbox/"
                  + (f" ({vi_number(with_errors)} tệp có lỗi)." if with_errors else "."))
    for part in outcome.blocks or [results]:  # a campaign with blocks: each block ranked on its own
        title = f"{part.campaign.blocks[0].title}: " if outcome.blocks else ""
        console.print(title + ranking_summary(part), soft_wrap=True)
    for warning in warnings or []:
        console.print(f"[yellow]Cảnh báo:[/] {escape(warning)}", soft_wrap=True)
    note = "" if warnings else survey_note(results)
    if note:
        console.print(f"[yellow]Lưu ý:[/] {note}")
    out = left_out(outcome.results)
    unranked = [u for u in out if u.rank is None]
    readable = [u for u in out if u.rank is not None]
    if unranked:
        console.print(f"[yellow]Không xếp hạng {vi_number(len(unranked))} đơn vị:[/]")
        _list(unranked)
    if readable:
        console.print(f"[yellow]Xếp hạng trên phần đọc được (tệp còn lỗi) {vi_number(len(readable))} đơn vị:[/]")
        _list(readable)
    evaluated = results.evaluated
    if evaluated:
        console.print(f"Đánh giá, không xếp hạng (theo danh sách đơn vị) {vi_number(len(evaluated))} đơn vị: "
                      + ", ".join(escape(f"{u.unit.code} {u.unit.name} ({vi_number(u.index, 2)}%)") for u in evaluated[:SHOWN])
                      + (" …" if len(evaluated) > SHOWN else "") + ".", soft_wrap=True)
    if outcome.reused:
        console.print(f"[green]Không có gì mới từ lần tổng hợp trước, bảng tổng hợp vẫn là:[/] {outcome.master}",
                      soft_wrap=True)
    else:
        console.print(f"[green]Đã lập bảng tổng hợp:[/] {outcome.master}", soft_wrap=True)


def _list(units: list[UnitResult]) -> None:
    for u in units[:SHOWN]:
        console.print(f"  • {u.unit.code} {u.unit.name}: {situation(u)[0].lower()}")
    if len(units) > SHOWN:
        console.print(f"  … và {vi_number(len(units) - SHOWN)} đơn vị khác "
                      "(xem trang «Chưa nộp, bị trả lại» của bảng tổng hợp).")
