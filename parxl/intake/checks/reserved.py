"""Cells that are not the unit's to fill: the appraisal columns and the survey items."""
from __future__ import annotations

from ...workbook import layout
from ..submission import text_of
from . import Context, is_blank
from .expected import expected

_RESERVED = ("appraised", "appraisal_note")
_SURVEY = ("input1", "input2", "score", "explanation", "evidence")
_APPRAISERS = ("input1", "input2", "score")  # an item the appraisers score: the unit gives evidence, no figure


def check(ctx: Context) -> None:
    """The appraisal columns left blank on every row, and survey items' cells left as built
    (``appraisal-filled``, ``survey-filled``)."""
    if ctx.sub.assess is None:
        return
    item_rows = {ctx.rows[s.code]: s for s in ctx.specs if s.code in ctx.rows}
    if ctx.total_row is not None:
        item_rows.setdefault(ctx.total_row, None)
    get = ctx.sub.assess.get
    columns = [(role, layout.column_of(role)) for role in _RESERVED]
    for row in sorted(item_rows):
        for role, column in columns:
            cell = get(row, column)
            if not is_blank(cell):
                ctx.add("appraisal-filled", role=role, row=row, column=layout.COLUMN_TITLES[role],
                        found=text_of(cell)[:80])
    for item in expected(ctx.framework).others:
        row = ctx.rows.get(item.code)
        if row is None:
            continue
        for role in (_SURVEY if not item.unit_evidence else _APPRAISERS):
            cell = ctx.cell(row, role)
            text = text_of(cell)
            note = layout.WORDING["survey_note"] if not item.unit_evidence else layout.APPRAISERS_NOTE
            if is_blank(cell) or (role == "input1" and text.strip() == note):
                continue
            code = "survey-filled" if not item.unit_evidence else "input-scored-by-appraisers"
            ctx.add(code, role=role, row=row, item=item.code, found=text[:80])
