"""The self-assessment sheet: one row per field, criterion and sub-criterion (``layout.plan_rows``).

Item scores are the rules' own formulas (``Item.formula``), sums are
``scoring.subtotal_formula``/``total_formula``: the workbook computes exactly
what ``scoring.score_answers`` computes. Formulas carry a cached value equal
to parxl's score of the written answers (0 in a blank workbook), so a viewer
that does not recalculate still shows the right figures.

Defined names: inputs, score, explanation, evidence, appraised score and
appraisal note of every self-scored item; the score name also for survey
items (a blank cell); subtotals of every field and criterion; the total.
"""
from __future__ import annotations

from decimal import Decimal

from xlsxwriter.utility import xl_rowcol_to_cell

from ..core.numbers import excel_number, vi_number
from ..criteria.framework import Item
from ..criteria.rules import InputSpec, Value
from ..criteria.framework import NA_KEY
from ..criteria.scoring import UnitScore, applicable_formula, subtotal_formula, total_formula
from . import layout
from . import texts as T
from .layout import RowSpec
from .styles import PROTECT, SCORING_FONT_SIZE, WorkbookFormats, col_index, print_setup, text_height, wrapped_lines

WIDTHS = {"code": 7, "title": 50, "max": 8, "input1": 24, "input2": 12, "score": 9,
          "explanation": 24, "evidence": 28, "appraised": 10, "appraisal_note": 20}
NA_WIDTHS = {"not_applicable": 14, "applicable_max": 9}  # the not-applicable columns, when the set has them
NA_PROMPT_TITLE = "Không phát sinh"
NA_PROMPT = ("Chỉ chọn khi nhiệm vụ không phát sinh trong năm; khi đó tiêu chí không tính vào điểm tối đa "
             "và phải ghi giải trình ở cột «Giải trình».")


class _ColumnIndex:
    """0-based column index of a role, read from the layout contract at call time."""

    def __getitem__(self, role: str) -> int:
        return col_index(layout.COLUMNS[role])

    @property
    def last(self) -> int:
        """The rightmost column's 0-based index."""
        return max(col_index(letter) for letter in layout.COLUMNS.values())

    def last_of(self, framework) -> int:
        """The rightmost column's 0-based index for ``framework`` (the not-applicable columns when it has them)."""
        if framework.has_not_applicable:
            return max(self.last, *(col_index(letter) for letter in layout.NA_COLUMNS.values()))
        return self.last

    def na(self, role: str) -> int:
        """0-based column index of a not-applicable column role (``layout.NA_COLUMNS``)."""
        return col_index(layout.NA_COLUMNS[role])


_C = _ColumnIndex()


def write_assess(ws, st: WorkbookFormats, names, campaign, identity, fill, scores: UnitScore) -> None:
    """Write the self-assessment sheet ``ws`` (an XlsxWriter worksheet) by the layout contract.

    ``names`` defines the workbook's names (``build._Names``; raises ``ParxlError`` for a code
    Excel cannot take in a name), ``fill`` holds answers written at build time and ``scores``
    their scores (points), cached in the formulas.
    """
    fw = campaign.framework
    sheet = layout.SHEET_ASSESS
    for role, width in WIDTHS.items():
        ws.set_column(_C[role], _C[role], width)
    if fw.has_not_applicable:
        for role, width in NA_WIDTHS.items():
            ws.set_column(_C.na(role), _C.na(role), width)
    _header(ws, st, campaign, identity)

    rows = layout.plan_rows(fw)
    score_cell = {s.code: layout.cell_ref("score", s.row) for s in rows if s.kind not in ("adjust_header", "total")}
    if fw.has_not_applicable:
        _write_na_columns(ws, st, names, fw, rows, scores)
    for spec in rows:
        r = spec.row - 1
        if spec.kind in ("field", "criterion"):
            s = st.field if spec.kind == "field" else st.criterion
            node = _node(fw, spec.code)
            _label(ws, r, s, spec.code, node.title, node.max)
            formula = subtotal_formula([score_cell[c] for c in spec.child_codes], fw.decimals)
            ws.write_formula(r, _C["score"], formula, st.score_bold, float(scores.subtotals[spec.code]))
            _blank(ws, r, s["blank"], "input1", "input2", "explanation", "evidence", "appraised", "appraisal_note")
            names.define(layout.name_subtotal(spec.code), sheet, score_cell[spec.code])
        elif spec.kind == "adjust_header":
            ws.write_string(r, _C["code"], "", st.field["code"])
            ws.write_string(r, _C["title"], T.ADJUST_TITLES[spec.code], st.field["title"])
            _blank(ws, r, st.field["blank"], *[k for k in layout.COLUMNS if k not in ("code", "title")])
        elif spec.kind == "total":
            _write_total(ws, st, names, fw, rows, score_cell, scores, r)
        elif spec.kind == "line":
            _write_line(ws, st, spec)
        else:
            _write_item(ws, st, names, spec, fw.decimals, fill, scores)

    ws.freeze_panes(layout.HEADING_ROW, _C["title"] + 1)
    print_setup(ws, landscape=True, repeat_row=layout.HEADING_ROW - 1)
    ws.print_area(0, 0, rows[-1].row - 1, _C.last_of(fw))
    ws.protect("", PROTECT)


def _write_na_columns(ws, st: WorkbookFormats, names, fw, rows: list[RowSpec], scores: UnitScore) -> None:
    """The not-applicable columns (``layout.NA_COLUMNS``) of every row: the unit's mark (a dropdown of the
    item's ``not_applicable`` text) and the applicable max (a formula; cached ``scores.applicable``)."""
    sheet, mark, amax = layout.SHEET_ASSESS, _C.na("not_applicable"), _C.na("applicable_max")
    for role, title in layout.NA_COLUMN_TITLES.items():
        ws.write_string(layout.HEADING_ROW - 1, _C.na(role), title, st.heading)
    amax_cell = {s.code: layout.cell_ref("applicable_max", s.row) for s in rows if s.kind in ("field", "criterion", "item")}
    na_sources = layout.not_applicable_sources(fw)
    for spec in rows:
        r, ref = spec.row - 1, layout.cell_ref("applicable_max", spec.row)
        if spec.kind in ("field", "criterion"):
            s = st.field if spec.kind == "field" else st.criterion
            ws.write_blank(r, mark, None, s["blank"])
            ws.write_formula(r, amax, applicable_formula([amax_cell[c] for c in spec.child_codes]), st.score_bold,
                             float(scores.applicable[spec.code]))
            names.define(layout.name_applicable_max(spec.code), sheet, ref)
        elif spec.kind == "item":
            item: Item = spec.item  # type: ignore[assignment]
            refs = layout.input_refs(item, spec.row)
            if item.not_applicable is not None:
                if item.code in scores.not_applicable:
                    ws.write_string(r, mark, item.not_applicable, st.input_choice)
                else:
                    ws.write_blank(r, mark, None, st.input_choice)
                ws.data_validation(r, mark, r, mark, {
                    "validate": "list", "source": f"={na_sources[item.code][1]}",
                    "input_title": NA_PROMPT_TITLE, "input_message": NA_PROMPT,
                    "error_title": T.CHOICE_ERROR_TITLE, "error_message": T.CHOICE_ERROR})
                names.define(layout.name_not_applicable(item.code), sheet, refs[NA_KEY])
                g = layout.cell_ref("explanation", spec.row)
                ws.conditional_format(r, _C["explanation"], r, _C["explanation"], {
                    "type": "formula", "format": st.flag,
                    "criteria": f"=AND({item.na_test('$' + refs[NA_KEY])},LEN(TRIM(${g}))=0)"})
            else:
                ws.write_blank(r, mark, None, st.unused)
            formula = item.applicable_max_formula(refs, layout.cell_ref("max", spec.row))
            ws.write_formula(r, amax, formula, st.score, float(scores.applicable[item.code]))
            names.define(layout.name_applicable_max(item.code), sheet, ref)
        elif spec.kind == "total":
            ws.write_blank(r, mark, None, st.field["blank"])
            fields = [amax_cell[s.code] for s in rows if s.kind == "field"]
            ws.write_formula(r, amax, applicable_formula(fields), st.score_bold, float(scores.applicable_total))
            names.define(layout.NAME_APPLICABLE_TOTAL, sheet, ref)
        else:  # bonus and penalty: outside the maximum
            ws.write_blank(r, mark, None, st.field["blank"] if spec.kind == "adjust_header" else st.unused)
            ws.write_blank(r, amax, None, st.field["blank"] if spec.kind == "adjust_header" else st.unused)


def _header(ws, st: WorkbookFormats, campaign, identity) -> None:
    fw = campaign.framework
    last = _C.last_of(fw)
    ws.merge_range(layout.TITLE_ROW - 1, 0, layout.TITLE_ROW - 1, last,
                   T.TITLE.format(year=campaign.year), st.title)
    ws.merge_range(layout.UNIT_ROW - 1, 0, layout.UNIT_ROW - 1, last, layout.unit_header(identity.name), st.unit)
    ws.merge_range(layout.CRITERIA_ROW - 1, 0, layout.CRITERIA_ROW - 1, last,
                   T.CRITERIA.format(title=fw.title, legal_basis=fw.model.legal_basis), st.criteria)
    ws.set_row(layout.CRITERIA_ROW - 1, 32)
    ws.merge_range(layout.HEADING_ROW - 2, 0, layout.HEADING_ROW - 2, last, T.LEGEND, st.legend)
    ws.set_row(layout.HEADING_ROW - 2, 28)
    ws.set_row(layout.HEADING_ROW - 1, 32)
    for role, title in layout.COLUMN_TITLES.items():
        ws.write_string(layout.HEADING_ROW - 1, _C[role], title, st.heading)


def _node(fw, code: str):
    for row in fw.rows:
        if row.node.code == code:
            return row.node
    raise KeyError(code)


def _label(ws, r: int, s: dict, code: str, title: str, max_points: Decimal) -> None:
    ws.write_string(r, _C["code"], code, s["code"])
    ws.write_string(r, _C["title"], title, s["title"])
    ws.write_number(r, _C["max"], float(max_points), s["num"])
    ws.set_row(r, _height(title, WIDTHS["title"]))


def _height(text: str, width: int) -> float | None:
    """Points a 12 pt wrapped cell ``width`` units wide needs for ``text``; None for one line (the default height)."""
    if not text or wrapped_lines(text, width) <= 1:
        return None
    return text_height([(text, 12)], width)


def _blank(ws, r: int, fmt, *roles: str) -> None:
    for role in roles:
        ws.write_blank(r, _C[role], None, fmt)


def _write_total(ws, st, names, fw, rows, score_cell, scores, r: int) -> None:
    cells = lambda kind: [score_cell[s.code] for s in rows if s.kind == kind]  # noqa: E731
    formula = total_formula(cells("field"), cells("bonus"), cells("penalty"), fw.decimals,
                            fw.model.bonus_cap, fw.model.penalty_cap)
    ws.write_string(r, _C["code"], "", st.field["code"])
    ws.write_string(r, _C["title"], layout.WORDING["total"], st.field["title"])
    ws.write_number(r, _C["max"], float(fw.total), st.field["num"])
    ws.write_formula(r, _C["score"], formula, st.score_bold, float(scores.total))
    _blank(ws, r, st.field["blank"], "input1", "input2", "explanation", "evidence", "appraised", "appraisal_note")
    names.define(layout.NAME_TOTAL, layout.SHEET_ASSESS, layout.cell_ref("score", r + 1))


def _write_item(ws, st: WorkbookFormats, names, spec: RowSpec, decimals: int, fill, scores: UnitScore) -> None:
    item: Item = spec.item  # type: ignore[assignment]
    r, row, sheet = spec.row - 1, spec.row, layout.SHEET_ASSESS
    _label(ws, r, st.item, item.code, item.title, item.max)
    _scoring(ws, st, r, item, decimals)
    names.define(layout.name_score(item.code), sheet, layout.cell_ref("score", row))
    if not item.unit_evidence:
        ws.merge_range(r, _C["input1"], r, _C["input2"], layout.WORDING["survey_note"], st.survey_note)
        _blank(ws, r, st.unused, "score", "explanation", "evidence", "appraised", "appraisal_note")
        return
    if not item.self_scored:  # the appraisers score it: evidence and explanation only
        ws.merge_range(r, _C["input1"], r, _C["input2"], layout.APPRAISERS_NOTE, st.survey_note)
        _blank(ws, r, st.unused, "score")
        _write_unit_texts(ws, st, names, item, row, fill)
        return

    specs = item.rule.inputs(item.max)
    columns = layout.input_columns(item)
    answers = fill.answers.get(item.code, {})
    for key_spec in specs:
        letter = columns[key_spec.key]
        c, at = col_index(letter), r + key_spec.row  # a checklist's line: on its own row below
        _write_input(ws, st, at, c, key_spec, answers.get(key_spec.key), item)
        names.define(layout.name_input(item.code, key_spec.key), sheet, f"{letter}{at + 1}")
        ws.conditional_format(at, c, at, c, {"type": "formula", "format": st.flag,
                                             "criteria": _out_of_range(key_spec, f"${letter}{at + 1}", item)})
    for role in layout.INPUT_COLUMNS[len([s for s in specs if s.row == 0]):]:
        _blank(ws, r, st.unused, role)
    if item.rule.type == "ratio":  # numerator above denominator: a ratio over 100 %
        n, d = (f"${columns[k]}{row}" for k in ("numerator", "denominator"))
        ws.conditional_format(r, _C["input1"], r, _C["input2"], {
            "type": "formula", "criteria": f"=AND(ISNUMBER({n}),ISNUMBER({d}),{n}>{d})", "format": st.flag})

    formula = item.formula(layout.input_refs(item, row), decimals)
    ws.write_formula(r, _C["score"], formula, st.score, float(scores.items[item.code]))
    links = list(fill.evidence.get(item.code, ()))
    ws.set_row(r, max(filter(None, [_title_height(item, decimals), _options_height(specs), 15.0,
                                    _height("\n".join(links), WIDTHS["evidence"]),
                                    _height(fill.explanations.get(item.code, ""), WIDTHS["explanation"])])))

    _write_unit_texts(ws, st, names, item, row, fill)
    g, h = layout.cell_ref("explanation", row), layout.cell_ref("evidence", row)
    if item.evidence_required:  # a score with neither evidence nor explanation
        ws.conditional_format(r, _C["explanation"], r, _C["evidence"], {
            "type": "formula", "format": st.flag,
            "criteria": f'=AND(N(${layout.cell_ref("score", row)})>0,LEN(TRIM(${g}))=0,LEN(TRIM(${h}))=0)'})


def _write_unit_texts(ws, st: WorkbookFormats, names, item: Item, row: int, fill) -> None:
    """The item's explanation and evidence cells (the unit's) and the appraisal cells (locked), with their names."""
    r, sheet = row - 1, layout.SHEET_ASSESS
    g, h = layout.cell_ref("explanation", row), layout.cell_ref("evidence", row)
    ws.write_string(r, _C["explanation"], fill.explanations.get(item.code, ""), st.input_text)
    _write_evidence(ws, st, r, list(fill.evidence.get(item.code, ())))
    ws.data_validation(r, _C["evidence"], r, _C["evidence"], {
        "validate": "any", "input_title": T.EVIDENCE_PROMPT_TITLE, "input_message": T.EVIDENCE_PROMPT})
    _blank(ws, r, st.appraisal, "appraised")
    _blank(ws, r, st.appraisal_text, "appraisal_note")
    names.define(layout.name_explanation(item.code), sheet, g)
    names.define(layout.name_evidence(item.code), sheet, h)
    names.define(layout.name_appraised(item.code), sheet, layout.cell_ref("appraised", row))
    names.define(layout.name_appraisal_note(item.code), sheet, layout.cell_ref("appraisal_note", row))


def _scoring(ws, st: WorkbookFormats, r: int, item: Item, decimals: int) -> None:
    """The item's title cell: its title, then how it is scored in smaller italics (``texts.scoring_lines``);
    the row made tall enough for both."""
    lines = T.scoring_lines(item, decimals)
    if not lines:
        return
    ws.write_rich_string(r, _C["title"], st.title_run, item.title, st.scoring_run, "\n" + "\n".join(lines), st.item["title"])
    ws.set_row(r, _title_height(item, decimals))


def _title_height(item: Item, decimals: int) -> float:
    """Points the title cell of ``item`` needs: its title at 12 pt and its scoring text at the smaller size."""
    return text_height([(item.title, 12), ("\n".join(T.scoring_lines(item, decimals)), SCORING_FONT_SIZE)],
                       WIDTHS["title"])


def _write_line(ws, st: WorkbookFormats, spec: RowSpec) -> None:
    """A checklist line's row: its text and points in the title column; its tick cell is written with the item."""
    item: Item = spec.item  # type: ignore[assignment]
    r = spec.row - 1
    text = T.line_text(item, spec.key or "")
    ws.write_string(r, _C["code"], "", st.item["code"])
    ws.write_string(r, _C["title"], text, st.line)
    _blank(ws, r, st.item["blank"], "max")
    _blank(ws, r, st.unused, *[k for k in layout.INPUT_COLUMNS[1:]], "score", "explanation", "evidence",
           "appraised", "appraisal_note")
    ws.set_row(r, max(filter(None, [_height(text, WIDTHS["title"]), 15.0])))


def _options_height(specs: list[InputSpec]) -> float | None:
    longest = max((o for s in specs if s.row == 0 for o in s.options), key=len, default="")
    return _height(longest, WIDTHS["input1"])


def _write_input(ws, st: WorkbookFormats, r: int, c: int, spec: InputSpec, value: Value, item: Item) -> None:
    figure = spec.kind == "decimal" and spec.maximum is None  # a raw figure with decimals, not a score
    fmt = st.input_figure if figure else {"choice": st.input_choice, "whole": st.input_whole,
                                          "decimal": st.input_decimal}[spec.kind]
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    else:
        ws.write_number(r, c, float(value), fmt)
    if spec.kind == "choice":
        rule = {"validate": "list", "source": f"={layout.name_options(item.code)}",
                "input_title": T.CHOICE_PROMPT_TITLE, "input_message": T.choice_prompt(spec),
                "error_title": T.CHOICE_ERROR_TITLE, "error_message": T.CHOICE_ERROR}
    elif spec.kind == "whole":
        rule = {"validate": "integer", "criteria": ">=", "value": 0,
                "input_title": T.clip(T.WHOLE_PROMPT_TITLE, 32), "input_message": T.whole_prompt(spec),
                "error_title": T.WHOLE_ERROR_TITLE, "error_message": T.WHOLE_ERROR}
    elif figure:  # ≥ 0 and no more decimals than the rule rounds to (Excel's ROUND is decimal-exact here)
        ref = xl_rowcol_to_cell(r, c)
        places = _places(spec)
        rule = {"validate": "custom", "value": f"=AND(ISNUMBER({ref}),{ref}>=0,ROUND({ref},{places})={ref})",
                "input_title": T.clip(T.WHOLE_PROMPT_TITLE, 32), "input_message": T.figure_prompt(spec),
                "error_title": T.WHOLE_ERROR_TITLE, "error_message": T.FIGURE_ERROR.format(decimals=places)}
    else:
        top = spec.maximum if spec.maximum is not None else item.max
        rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": excel_number(top),
                "input_title": T.SCORE_PROMPT_TITLE,
                "input_message": T.SCORE_PROMPT.format(max=vi_number(top), step=vi_number(spec.step or Decimal("0.01"))),
                "error_title": T.SCORE_ERROR_TITLE, "error_message": T.SCORE_ERROR.format(max=vi_number(top))}
    ws.data_validation(r, c, r, c, rule)


def _places(spec: InputSpec) -> int:
    """The decimals a raw decimal figure may have (its step 10^-k gives k; 2 when no step)."""
    return -spec.step.as_tuple().exponent if spec.step is not None else 2


def _out_of_range(spec: InputSpec, ref: str, item: Item) -> str:
    """Conditional-format formula: TRUE when a filled input breaks the item's rule."""
    if spec.kind == "choice":
        others = ",".join(f'{ref}<>"{o.replace(chr(34), chr(34) * 2)}"' for o in spec.options)
        inline = f'=AND({ref}<>"",{others})'
        if len(inline) <= 255:  # old Excel versions cap conditional-format formulas at 255 characters
            return inline
        return f'=AND({ref}<>"",SUMPRODUCT(--({layout.name_options(item.code)}={ref}))=0)'
    if spec.kind == "whole":
        return f'=IF({ref}="",FALSE,IF(ISNUMBER({ref}),OR({ref}<0,{ref}<>INT({ref})),TRUE))'
    if spec.maximum is None:  # a raw figure with decimals: any number ≥ 0 with at most its decimals
        return f'=IF({ref}="",FALSE,IF(ISNUMBER({ref}),OR({ref}<0,ROUND({ref},{_places(spec)})<>{ref}),TRUE))'
    top = excel_number(spec.maximum if spec.maximum is not None else item.max)
    step = excel_number(spec.step) if spec.step else None
    off_step = f",ROUND({ref}/{step},9)<>INT(ROUND({ref}/{step},9))" if step else ""
    return f'=IF({ref}="",FALSE,IF(ISNUMBER({ref}),OR({ref}<0,{ref}>{top}{off_step}),TRUE))'


def _write_evidence(ws, st: WorkbookFormats, r: int, links: list[str]) -> None:
    """One link: a clickable hyperlink; several: one per line in a wrapped cell."""
    links = [link.strip() for link in links if link and link.strip()]
    c = _C["evidence"]
    if len(links) == 1 and links[0].lower().startswith(("http://", "https://", "ftp://", "mailto:")):
        ws.write_url(r, c, links[0], st.input_link, string=links[0])
    else:
        ws.write_string(r, c, "\n".join(links), st.input_text)
