"""«Điều tra XHH»: the survey in the master — per unit the forms received by respondent group (against
the plan when campaign.yaml lists groups), the points of each survey item, and the distribution of
the answers per question."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from ..core.numbers import vi_number
from ..survey.answers import distribution
from ..survey.design import survey_items
from ..survey.plan import coverage, coverage_sentence
from ..survey.table import SurveyTable, load_survey_table
from .names import H_CODE, H_NAME
from .styles import MasterFormats
from .view import View

SHEET_SURVEY = "Điều tra XHH"


def survey_sheet_wanted(view: View) -> bool:
    """Whether the master has the survey sheet: the survey is held and the criteria set has survey items."""
    c = view.results.campaign
    return c.config.survey_held and bool(survey_items(c))


def write_survey_sheet(ws: Worksheet, fmt: MasterFormats, view: View) -> None:
    """Write the «Điều tra XHH» sheet into ``ws`` (rows in order, as constant-memory mode needs).

    Raises SurveyError when the imported table no longer reads, SurveyDesignError when the sample plan
    cannot be made.
    """
    campaign = view.results.campaign
    table: SurveyTable | None = load_survey_table(campaign)
    items = survey_items(campaign)
    groups = list(campaign.config.survey_groups)
    tally = table.tally if table else None
    ws.write_string(0, 0, "KẾT QUẢ ĐIỀU TRA XÃ HỘI HỌC", fmt.label)
    if table is None:
        note = "Chưa nhập bảng kết quả điều tra: điểm điều tra tính 0."
    elif tally is None:
        note = "Bảng kết quả điều tra cho sẵn điểm theo đơn vị (không có số phiếu, phân bố câu trả lời)."
    else:
        note = "Quy mô và độ bao phủ: " + (coverage_sentence(campaign) or "—") + "."
    ws.write_string(1, 0, note, fmt.note)

    heads = [H_CODE, H_NAME]
    plan = {}
    if tally is not None and groups:
        plan = {(r.sample.unit.code, r.sample.group.code): r for r in coverage(campaign, tally.responses)}
        for g in groups:
            heads += [f"{g.name}\n(kế hoạch)", f"{g.name}\n(đã nhận)"]
    elif tally is not None:
        heads.append("Số phiếu")
    heads += [f"{i.code}\n(tối đa {vi_number(i.max)})" for i in items]
    if plan:
        heads.append("Ghi chú")
    ws.set_column(0, 0, 9)
    ws.set_column(1, 1, 30)
    ws.set_column(2, len(heads), 12)
    ws.write_row(3, 0, heads, fmt.header)
    row = 4
    for unit in campaign.units:
        ws.write_string(row, 0, unit.code, fmt.cell)
        ws.write_string(row, 1, unit.name, fmt.cell)
        col = 2
        if tally is not None and groups:
            for g in groups:
                r = plan.get((unit.code, g.code))
                ws.write_number(row, col, r.sample.n if r else 0, fmt.integer)
                ws.write_number(row, col + 1, r.received if r and r.received is not None else 0, fmt.integer)
                col += 2
        elif tally is not None:
            ws.write_number(row, col, sum(n for (u, _g), n in tally.responses.items() if u == unit.code), fmt.integer)
            col += 1
        scores = table.scores.get(unit.code, {}) if table else {}
        for item in items:
            if item.code in scores:
                ws.write_number(row, col, float(scores[item.code]), fmt.points)
            else:
                ws.write_blank(row, col, None, fmt.points)
            col += 1
        if plan:
            short = [g.name for g in groups if (r := plan.get((unit.code, g.code))) is not None and r.short]
            ws.write_string(row, col, f"Chưa đủ số phiếu theo kế hoạch: {', '.join(short)}" if short else "", fmt.cell)
        row += 1
    if tally is None:
        return
    dist = distribution(tally)
    letters = sorted({letter for unit in dist.values() for q in unit.values() for letter in q})
    row += 1
    ws.write_string(row, 0, "Phân bố câu trả lời theo câu hỏi (số phiếu, mọi nhóm đối tượng)", fmt.label)
    row += 1
    ws.write_row(row, 0, [H_CODE, H_NAME, "Câu hỏi", *letters, "Tổng"], fmt.header)
    row += 1
    for unit in campaign.units:
        for qcode, counts in dist.get(unit.code, {}).items():
            ws.write_string(row, 0, unit.code, fmt.cell)
            ws.write_string(row, 1, unit.name, fmt.cell)
            ws.write_string(row, 2, qcode, fmt.center)
            for k, letter in enumerate(letters):
                ws.write_number(row, 3 + k, counts.get(letter, 0), fmt.integer)
            ws.write_number(row, 3 + len(letters), sum(counts.values()), fmt.integer)
            row += 1
