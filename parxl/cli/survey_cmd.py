"""``parxl survey``: the survey (điều tra xã hội học) of a campaign: plan its sample, write its forms,
import its results."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..campaign.folder import load_campaign
from ..core.numbers import vi_number
from ..survey.design import FORMULA, SurveyDesignError
from ..survey.plan import coverage, coverage_totals, coverage_warnings, plan_json, write_plan
from ..survey.table import import_survey, items_without_answers, load_survey_table
from .console import console, err_console
from .finalize_cmd import print_frozen


@click.command("survey", options_metavar="[TÙY_CHỌN]")
@click.argument("campaign_dir", metavar="THƯ_MỤC_ĐỢT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("table", metavar="[BẢNG_KẾT_QUẢ]", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", "plan", is_flag=True, help="Tính cỡ mẫu theo đơn vị và nhóm đối tượng (output/mau-dieu-tra-xhh.xlsx).")
@click.option("--forms", "forms", is_flag=True, help="Soạn phiếu khảo sát (DOCX) theo nhóm và sổ nhập phiếu (.xlsx).")
@click.option("--json", "as_json", is_flag=True, help="Với --plan: in cỡ mẫu dạng JSON (cho máy đọc).")
def command(campaign_dir: Path, table: Path | None, plan: bool, forms: bool, as_json: bool) -> None:
    """Điều tra xã hội học: cỡ mẫu, phiếu khảo sát, nhập kết quả (.csv UTF-8 hoặc .xlsx).

    Bảng kết quả có một trong ba dạng (nhận theo dòng tiêu đề): điểm theo đơn
    vị («Mã | 8.1.1 | …», ghi điểm «3,5» hoặc tỷ lệ «85%»); số phiếu theo
    phương án («Mã | Câu hỏi | Phương án | Số phiếu [| Nhóm]»); mỗi dòng một
    phiếu («Mã | Nhóm | Phiếu | C1 | C2 | …»). Bảng được kiểm tra hết rồi mới
    nhận; bảng nhập trước đó vẫn được giữ. Lần «parxl consolidate» sau sẽ tính
    điểm điều tra theo bảng này.
    """
    if not (table or plan or forms):
        raise click.UsageError("cần BẢNG_KẾT_QUẢ để nhập, hoặc --plan (cỡ mẫu), hoặc --forms (phiếu khảo sát).")
    if as_json and not plan:
        raise click.UsageError("--json chỉ dùng cùng --plan.")
    campaign = whole = load_campaign(campaign_dir)
    if table:
        if campaign.has_blocks:  # one table per block: the block its units belong to
            campaign = _block_of_table(campaign, table)
        target, scores = import_survey(campaign, table)
        absent = [u.name for u in campaign.units if u.code not in scores]
        out = err_console if as_json else console
        out.print(f"[green]Đã nhận kết quả điều tra xã hội học của {vi_number(len(scores))} đơn vị[/] "
                  f"(lưu tại «{target}»).", soft_wrap=True)
        if absent:
            out.print(f"[yellow]Chưa có kết quả điều tra:[/] {', '.join(absent)} — điểm điều tra tính 0.", soft_wrap=True)
        names = {u.code: u.name for u in campaign.units}
        for code, items in items_without_answers(campaign, scores).items():
            out.print(f"[yellow]Cảnh báo:[/] {code} {names.get(code, '')}: bảng không có câu trả lời cho tiêu chí "
                      f"điều tra {', '.join(items)} — điểm các tiêu chí này tính 0; nếu thiếu sót, hãy bổ sung "
                      "vào bảng rồi nhập lại.", soft_wrap=True, highlight=False)
        if campaign.config.survey_groups and not plan:
            _print_coverage(campaign, out)
        print_frozen(campaign)
    # a campaign with blocks: each block its own questionnaires, data-entry workbook and plan (its survey items)
    views = whole.views() if whole.has_blocks else [campaign]
    if forms:
        from ..survey.forms import unworded_questions, write_forms

        said = err_console if as_json else console  # with --json, stdout holds the JSON only
        for view in views:
            for path in write_forms(view):
                said.print(f"Đã ghi «{path}».", soft_wrap=True)
            bare = unworded_questions(view)
            if bare:
                said.print(f"[yellow]Lưu ý:[/] câu hỏi {', '.join(bare)} chưa có lời cho các phương án trong bộ chỉ số "
                              "nên phiếu chỉ in chữ cái (☐ A ☐ B …); trước khi in phiếu, hãy thêm cho tiêu chí điều tra "
                              "mục «questions» có lời cho từng phương án («options»: «letter» và «text»).", soft_wrap=True, highlight=False)
    if plan:
        documents = []
        for view in views:
            imported = load_survey_table(view)
            rows = coverage(view, imported.tally.responses if imported and imported.tally else None)
            path = write_plan(view, rows)
            if as_json:
                documents.append({**plan_json(view, rows), "file": str(path)}
                                 | ({"block": view.block_id} if view.block_id else {}))
                continue
            planned, received = coverage_totals(rows)
            title = f"{view.blocks[0].title}: " if view.block_id else ""
            console.print(f"{title}Đã ghi cỡ mẫu «{path}»: {vi_number(planned)} phiếu theo kế hoạch ({FORMULA}).",
                          soft_wrap=True)
            _print_short(rows, console, received)
        if as_json:
            data = documents[0] if len(documents) == 1 else {"blocks": documents}
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _print_coverage(campaign, out) -> None:
    imported = load_survey_table(campaign)
    if imported is None or imported.tally is None:
        return
    try:
        rows = coverage(campaign, imported.tally.responses)
    except SurveyDesignError as exc:  # the table is in; only the comparison with the plan cannot be made
        out.print(f"[yellow]Cảnh báo:[/] chưa so được với cỡ mẫu kế hoạch. {exc}", soft_wrap=True, highlight=False)
        return
    _print_short(rows, out, coverage_totals(rows)[1])


def _print_short(rows, out, received) -> None:
    if received is None:
        return
    planned = sum(r.sample.n for r in rows)
    out.print(f"Đã nhận {vi_number(received)}/{vi_number(planned)} phiếu theo kế hoạch.", soft_wrap=True)
    for line in coverage_warnings(rows):
        out.print(f"[yellow]Cảnh báo:[/] {line}", soft_wrap=True)


def _block_of_table(campaign, table: Path):
    """The view of the one block whose units the survey table lists (``survey.table.table_block``)."""
    from ..survey.table import table_block

    return table_block(campaign, table)
