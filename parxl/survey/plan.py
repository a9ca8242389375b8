"""The survey's planned sample per unit and respondent group, and what came back against it.

``parxl survey CAMPAIGN --plan`` writes ``output/mau-dieu-tra-xhh.xlsx`` (one row per unit and
group: N, e, n and how n was found; then one row per unit with a column per group) and, with
``--json``, prints the same as JSON. When a survey table of answers (counts or respondent rows) has
been imported, each row also shows the forms received and a warning where fewer came back.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from ..campaign.folder import Campaign
from ..core.files import write_atomic
from ..core.numbers import vi_number
from .design import FORMULA, PlannedSample, plan_text, sample_plan

PLAN_FILE = "mau-dieu-tra-xhh.xlsx"


@dataclass(frozen=True)
class Coverage:
    """One unit and group: the planned sample (n), the forms received (None when the imported table
    holds points, not answers, or no table was imported) and whether fewer came back than planned."""

    sample: PlannedSample
    received: int | None

    @property
    def short(self) -> bool:
        """Whether fewer forms came back than planned (False when nothing is known)."""
        return self.received is not None and self.received < self.sample.n


def coverage(campaign: Campaign, responses: dict[tuple[str, str | None], int] | None) -> list[Coverage]:
    """The sample plan (``design.sample_plan``; raises SurveyDesignError) with the forms received per
    (unit code, group code) from an imported table's ``Tally.responses`` (None: none known)."""
    plan = sample_plan(campaign)
    if responses is None:
        return [Coverage(s, None) for s in plan]
    return [Coverage(s, responses.get((s.unit.code, s.group.code), 0)) for s in plan]


def coverage_totals(rows: list[Coverage]) -> tuple[int, int | None]:
    """(forms planned, forms received; None when nothing is known) over ``rows``."""
    planned = sum(r.sample.n for r in rows)
    known = [r.received for r in rows if r.received is not None]
    return planned, (sum(known) if known else None)


def coverage_warnings(rows: list[Coverage], shown: int = 15) -> list[str]:
    """Vietnamese lines naming the units and groups where fewer forms came back than planned (at most
    ``shown``, then how many more)."""
    short = [r for r in rows if r.short]
    lines = [f"{r.sample.unit.code} {r.sample.unit.name}, nhóm «{r.sample.group.name}»: nhận "
             f"{vi_number(r.received)}/{vi_number(r.sample.n)} phiếu theo kế hoạch" for r in short[:shown]]
    if len(short) > shown:
        lines.append(f"… và {vi_number(len(short) - shown)} trường hợp khác")
    return lines


def plan_json(campaign: Campaign, rows: list[Coverage]) -> dict:
    """The plan as JSON: {"formula", "groups": [{code, name, n, population, margin, weight}],
    "rows": [{unit, unit_name, group, population, margin, n, received, short, how}], "total_planned",
    "total_received"}; numbers as JSON numbers, margin as a string («0.05»)."""
    planned, received = coverage_totals(rows)
    return {
        "formula": FORMULA,
        "groups": [{"code": g.code, "name": g.name, "n": g.n, "population": g.population,
                    "margin": str(g.margin), "weight": None if g.weight is None else str(g.weight)}
                   for g in campaign.config.survey_groups],
        "rows": [{"unit": r.sample.unit.code, "unit_name": r.sample.unit.name, "group": r.sample.group.code,
                  "population": r.sample.population, "margin": None if r.sample.population is None else str(r.sample.group.margin),
                  "n": r.sample.n, "received": r.received, "short": r.short, "how": plan_text(r.sample)}
                 for r in rows],
        "total_planned": planned,
        "total_received": received,
    }


def plan_workbook(campaign: Campaign, rows: list[Coverage]) -> bytes:
    """The plan workbook as bytes: sheet «Cỡ mẫu» (a row per unit and group) and «Theo đơn vị» (a row
    per unit, a column per group, planned and received when known)."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    title = wb.add_format({"bold": True, "font_size": 13})
    head = wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                          "border": 1, "bg_color": "#DDEBF7"})
    text = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    num = wb.add_format({"border": 1, "valign": "top", "num_format": "#,##0"})
    pct = wb.add_format({"border": 1, "valign": "top", "num_format": "0.0%"})
    warn = wb.add_format({"border": 1, "valign": "top", "font_color": "#C00000", "text_wrap": True})
    known = any(r.received is not None for r in rows)

    ws = wb.add_worksheet("Cỡ mẫu")
    ws.write_string(0, 0, f"CỠ MẪU ĐIỀU TRA XÃ HỘI HỌC — {campaign.title.upper()}", title)
    ws.write_string(1, 0, f"Công thức: {FORMULA}; N là số lượng của nhóm tại đơn vị (cột trong danh sách đơn vị), "
                          "e là sai số; nhóm có số phiếu cố định lấy theo kế hoạch.")
    heads = ["STT", "Mã", "Tên đơn vị", "Nhóm đối tượng", "N", "e", "Số phiếu theo kế hoạch (n)", "Cách tính"]
    widths = [5, 9, 28, 26, 10, 7, 12, 60]
    if known:
        heads += ["Số phiếu đã nhận", "Ghi chú"]
        widths += [10, 30]
    for c, (h, w) in enumerate(zip(heads, widths)):
        ws.write_string(3, c, h, head)
        ws.set_column(c, c, w)
    for i, r in enumerate(rows, start=1):
        row = 3 + i
        s = r.sample
        ws.write_number(row, 0, i, num)
        ws.write_string(row, 1, s.unit.code, text)
        ws.write_string(row, 2, s.unit.name, text)
        ws.write_string(row, 3, s.group.name, text)
        if s.population is None:
            ws.write_blank(row, 4, None, num)
            ws.write_blank(row, 5, None, pct)
        else:
            ws.write_number(row, 4, s.population, num)
            ws.write_number(row, 5, float(s.group.margin), pct)
        ws.write_number(row, 6, s.n, num)
        ws.write_string(row, 7, plan_text(s), text)
        if known:
            ws.write_number(row, 8, r.received or 0, num)
            ws.write_string(row, 9, "Chưa đủ số phiếu theo kế hoạch" if r.short else "", warn)
    total_row = 4 + len(rows)
    planned, received = coverage_totals(rows)
    ws.write_string(total_row, 3, "Tổng cộng", head)
    ws.write_number(total_row, 6, planned, num)
    if known:
        ws.write_number(total_row, 8, received or 0, num)
    ws.freeze_panes(4, 3)

    by_unit = wb.add_worksheet("Theo đơn vị")
    groups = list(campaign.config.survey_groups)
    by_unit.write_string(0, 0, "SỐ PHIẾU ĐIỀU TRA THEO ĐƠN VỊ VÀ NHÓM ĐỐI TƯỢNG", title)
    cols = ["Mã", "Tên đơn vị"]
    for g in groups:
        cols += [f"{g.name}\n(kế hoạch)"] + ([f"{g.name}\n(đã nhận)"] if known else [])
    cols += ["Tổng (kế hoạch)"] + (["Tổng (đã nhận)"] if known else [])
    for c, h in enumerate(cols):
        by_unit.write_string(2, c, h, head)
        by_unit.set_column(c, c, 28 if c == 1 else 12)
    units = list(dict.fromkeys(r.sample.unit.code for r in rows))
    cells = {(r.sample.unit.code, r.sample.group.code): r for r in rows}
    for i, code in enumerate(units):
        row = 3 + i
        unit = campaign.unit(code)
        by_unit.write_string(row, 0, code, text)
        by_unit.write_string(row, 1, unit.name if unit else "", text)
        c = 2
        plan_sum = got_sum = 0
        for g in groups:
            r = cells.get((code, g.code))
            by_unit.write_number(row, c, r.sample.n if r else 0, num)
            plan_sum += r.sample.n if r else 0
            c += 1
            if known:
                got = (r.received or 0) if r else 0
                by_unit.write_number(row, c, got, warn if r and r.short else num)
                got_sum += got
                c += 1
        by_unit.write_number(row, c, plan_sum, num)
        if known:
            by_unit.write_number(row, c + 1, got_sum, num)
    wb.close()
    return out.getvalue()


def write_plan(campaign: Campaign, rows: list[Coverage]) -> Path:
    """Write ``output/mau-dieu-tra-xhh.xlsx`` (``plan_workbook``) atomically; returns its path. Raises
    OSError when it cannot be written (e.g. open in Excel). A block's view of a campaign with ``blocks:``
    writes ``output/mau-dieu-tra-xhh-BLOCK.xlsx``."""
    name = Path(PLAN_FILE)
    block = f"-{campaign.block_id}" if campaign.block_id else ""
    return write_atomic(campaign.output_dir / f"{name.stem}{block}{name.suffix}", plan_workbook(campaign, rows))


def coverage_sentence(campaign: Campaign) -> str:
    """The survey's size and coverage in one Vietnamese clause for the report to the higher level:
    «đã thu 880/889 phiếu theo kế hoạch (99,0%) tại 21/21 đơn vị; 2 trường hợp đơn vị và nhóm chưa đủ
    số phiếu» with a plan, «đã thu 880 phiếu tại 21/21 đơn vị» without one, or '' when the survey is not
    held or its imported table holds points, not answers. Raises SurveyError when the table does not
    read, SurveyDesignError when the plan cannot be made."""
    from .table import load_survey_table

    if not campaign.config.survey_held:
        return ""
    table = load_survey_table(campaign)
    if table is None or table.tally is None:
        return ""
    units_with = {u for (u, _g), n in table.tally.responses.items() if n}
    received = sum(table.tally.responses.values())
    where = f"tại {vi_number(len(units_with))}/{vi_number(len(campaign.units))} đơn vị"
    if not campaign.config.survey_groups:
        return f"đã thu {vi_number(received)} phiếu {where}"
    rows = coverage(campaign, table.tally.responses)
    planned, _ = coverage_totals(rows)
    share = vi_number(Decimal(received) * 100 / Decimal(planned), 1) if planned else "—"
    text = f"đã thu {vi_number(received)}/{vi_number(planned)} phiếu theo kế hoạch ({share}%) {where}"
    short = sum(1 for r in rows if r.short)
    if short:
        text += f"; {vi_number(short)} trường hợp đơn vị và nhóm đối tượng chưa đủ số phiếu theo kế hoạch"
    return text
