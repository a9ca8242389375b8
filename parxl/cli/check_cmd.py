"""``parxl check``: read, keep and check every file returned under CAMPAIGN/inbox/."""
from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from ..campaign.folder import load_campaign
from ..core.numbers import vi_number
from ..core.report import CommandReport
from ..ledger.check_report import check_report, stale_unreadable, unit_lines
from ..ledger.check_report_xlsx import STATUS_TITLES, write_outputs
from ..explanation.record import ExplanationResult, record_explanations
from ..ledger.receive import IntakeResult, run_intake
from .console import console, err_console
from .finalize_cmd import print_frozen
from .progress_bar import steps


YOUNG_OBJECTS = 100_000  # allocations between two collections of the youngest objects while a command runs
_GC_DEFAULTS = gc.get_threshold()
# A forked worker collects as usual: it reads files, whose parsing leaves cycles behind.
os.register_at_fork(after_in_child=lambda: gc.set_threshold(*_GC_DEFAULTS))


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector run less often inside the block (``YOUNG_OBJECTS`` allocations
    between collections instead of 700), its thresholds restored after it.

    The parent of ``check``/``consolidate`` builds hundreds of thousands of long-lived objects (reports,
    findings, results) and no cycles to speak of: with the default thresholds the collector walks them
    again and again (a quarter of ``consolidate``'s CPU at 3,321 units). Garbage cycles are still
    collected, every ``YOUNG_OBJECTS`` allocations; forked workers keep the default thresholds.

    What the block leaves alive is then moved to the oldest generation (``gc.freeze`` then ``gc.unfreeze``):
    with the default thresholds back, the next collection would otherwise walk every object that outlived the
    block's young collections (0,3 s for the results of 10,000 units, on a command's way out).
    """
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, 50, 50)
    try:
        yield
    finally:
        gc.freeze()  # every tracked object to the permanent generation, then to the oldest one: none walked
        gc.set_threshold(*before)
        gc.unfreeze()


@click.command("check", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc) thay cho bảng.")
def command(campaign_dir: Path, as_json: bool) -> None:
    """Kiểm tra mọi tệp đơn vị gửi về trong THƯ_MỤC_ĐỢT/inbox/.

    Mỗi tệp được lưu lại (không sửa, không xóa tệp trong inbox/), đọc, đối chiếu
    với biểu mẫu và bộ chỉ số, ghi vào sổ theo dõi của đợt. Kết quả: bảng tổng
    hợp, tệp «output/ket-qua-kiem-tra.xlsx» và tệp phản hồi cho từng đơn vị
    trong «output/phan-hoi/».

    Thoát với mã 1 khi còn lỗi đơn vị phải sửa, 0 khi không có lỗi, 3 khi chính
    parxl gặp lỗi với một tệp (tệp vẫn được lưu; gửi tệp nhật ký lỗi cho nhóm
    phát triển).
    """
    with fewer_collections():
        _check(campaign_dir, as_json)


def _check(campaign_dir: Path, as_json: bool) -> None:
    campaign = load_campaign(campaign_dir)
    lines: list = []
    with steps(err_console, not as_json and err_console.writes_to_terminal()) as bars:
        result = run_intake(campaign, progress=bars.step("Đang đọc tệp"), items=False)  # totals only shown
        lines = unit_lines(campaign, result)
        explanations = record_explanations(campaign, result.others)
        paths = write_outputs(campaign, result, lines, progress=bars.step("Ghi tệp phản hồi"),
                              explanations=explanations.plain(campaign))
    print_skipped(result)
    own = check_report(campaign, result, lines)  # built once: 3,321 units' findings
    report = with_explanations(own, explanations)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_table(campaign, result, lines, own)
        print_explanations(explanations)
        console.print(f"Đã ghi «{paths[0]}» và {vi_number(len(paths) - 1)} tệp phản hồi trong «{paths[0].parent / 'phan-hoi'}».")
        print_internal(campaign, report, result)
        print_frozen(campaign)
    click.get_current_context().exit(report.exit_code)


def with_explanations(report: CommandReport, explanations: ExplanationResult) -> CommandReport:
    """``parxl check``'s report with the returned giải trình workbooks' findings, parxl's own failures on them
    and their list (payload key ``"explanations"``)."""
    extra = explanations.report()
    return CommandReport.of("check", [*report.findings, *extra.findings],
                            [*report.internal_errors, *extra.internal_errors], {**report.payload, **extra.payload})


def print_explanations(explanations: ExplanationResult) -> None:
    """One line per giải trình workbook received, then its findings."""
    if not explanations.files:
        return
    console.print(f"[bold]Phiếu giải trình nhận được ({vi_number(len(explanations.files))}):[/]", soft_wrap=True)
    for f in explanations.files:
        who = f"{f.unit_code} {f.unit_name}" if f.unit_code else "(không rõ đơn vị)"
        state = ("[red]còn lỗi[/]" if f.errors else "[green]hợp lệ[/]") if f.name in explanations.recorded \
            else "[red]không ghi nhận[/]"
        console.print(escape(f"  • {who}: «{f.name.split('/', 1)[-1]}», {vi_number(len(f.rows))} tiêu chí giải "
                             "trình — ") + state, soft_wrap=True)
        for d in f.findings:
            console.print(escape(f"      {d.message}"), soft_wrap=True)



def print_skipped(result: IntakeResult) -> None:
    """One Vietnamese warning line on stderr per entry of inbox/ that is not a regular file (not opened)."""
    for entry in result.skipped:
        err_console.print(escape(f"Cảnh báo: {entry.message}"), style="yellow", highlight=False, soft_wrap=True)


def print_internal(campaign, report: CommandReport, result: IntakeResult) -> None:
    """parxl's own failures on files (``report.internal_errors``), on stderr apart from the units' errors:
    the files are kept, nobody has to resend; then the units held out of the results until they read."""
    if not report.internal_errors:
        return
    names = {u.code: u.name for u in campaign.units}
    err_console.print(f"[bold red]parxl gặp lỗi của chính chương trình với {vi_number(len(report.internal_errors))} "
                      "tệp[/] (không phải lỗi của đơn vị; tệp đã được lưu, đơn vị không cần gửi lại):", soft_wrap=True)
    for entry in report.internal_errors:
        who = f" (đơn vị {entry.unit} {names.get(entry.unit, '')}?)" if entry.unit else ""
        err_console.print(f"  • «{entry.path.split('/', 1)[-1]}»{who}: {entry.message}", soft_wrap=True)
    if result.held:
        err_console.print("Các đơn vị " + ", ".join(result.held) + " tạm chưa được tổng hợp cho đến khi tệp "
                          "của họ đọc được (chạy lại «parxl check» sau khi cập nhật parxl).", soft_wrap=True)


ALL_ROWS_UP_TO = 200  # more units than this: the table lists only those with errors (3,321 rows help nobody)


def _print_table(campaign, result, lines, report: CommandReport | None = None) -> None:
    report = report or check_report(campaign, result, lines)
    d = campaign.framework.decimals
    table = Table(title=f"Kết quả kiểm tra: {vi_number(len(result.files))} tệp nhận được")
    for title, justify in (("Đơn vị", "left"), ("Tệp", "left"), ("Tình trạng", "left"),
                           ("Điểm tự chấm", "right"), ("Lỗi", "right"), ("Cảnh báo", "right")):
        table.add_column(title, justify=justify, overflow="fold")  # type: ignore[arg-type]
    colour = {"ok": "green", "errors": "red", "unreadable": "red"}
    shown = lines if len(lines) <= ALL_ROWS_UP_TO else [line for line in lines if line.submission.status != "ok"]
    for line in shown:
        s = line.submission
        table.add_row(f"{s.unit_code} {s.unit_name}", s.original_path.split("/", 1)[-1],
                      f"[{colour[s.status]}]{STATUS_TITLES[s.status]}[/]",
                      vi_number(s.total_self, d) if s.total_self is not None else "",
                      str(s.errors), str(s.warnings))
    names = {u.code: u.name for u in campaign.units}
    for rec in stale_unreadable(result):
        code = rec.report.named_unit if rec.report else None
        who = f"{code} {names.get(code, '')}?" if code else "(không rõ)"
        table.add_row(who, rec.path.split("/", 1)[-1], f"[red]{STATUS_TITLES['unreadable']}[/]", "",
                      str(rec.report.errors if rec.report else 0), str(rec.report.warnings if rec.report else 0))
    console.print(table)
    if len(shown) < len(lines):
        console.print(f"[green]{vi_number(len(lines) - len(shown))} đơn vị khác không có lỗi phải sửa[/] "
                      "(từng đơn vị trong tệp kết quả kiểm tra).", soft_wrap=True)
    if result.missing:
        console.print(f"[yellow]Chưa gửi ({vi_number(len(result.missing))}):[/] "
                      + ", ".join(f"{c} {names.get(c, '')}" for c in result.missing))
    for rec, code in result.misfiled:
        inside = rec.report.unit_code if rec.report else ""
        block = campaign.block_of(inside)
        console.print(escape(
            f"  • Tệp «{rec.path.split('/', 1)[-1]}» mang tên {code} {names.get(code, '')} nhưng là biểu mẫu của "
            f"{inside} {names.get(inside, '')} ({block.title if block else ''}), giống hệt tệp "
            f"«{(rec.duplicate_of or '').split('/', 1)[-1]}»: không tính cho {code}; {code} cần gửi biểu mẫu "
            "của khối mình."), soft_wrap=True)
    for state, title in (("unreadable", "Bị trả lại / không đọc được"), ("internal", "parxl lỗi khi đọc")):
        group = [r for r in result.returned if r.state == state]
        if group:
            console.print(f"[yellow]{title} ({vi_number(len(group))}):[/]", soft_wrap=True)
        for r in group:
            how = f" ({r.how_matched})" if r.how_matched else ""
            console.print(escape(f"  • {r.unit_code} {names.get(r.unit_code, '')}: «{r.path.split('/', 1)[-1]}»"
                                 f"{how}: {r.reason}"), soft_wrap=True)
    if report.errors:
        console.print(f"[red]Còn {vi_number(report.errors)} lỗi đơn vị phải sửa;[/] xem chi tiết trong tệp kết quả kiểm tra.")
    else:
        console.print("[green]Không có lỗi phải sửa.[/]")
