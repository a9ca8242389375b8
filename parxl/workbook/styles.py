"""Cell formats, protection and print settings shared by the workbook's sheets."""
from __future__ import annotations

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

INPUT_FILL = "#FFF2CC"     # yellow: the unit types here
FORMULA_FILL = "#F2F2F2"   # grey: computed, locked
APPRAISAL_FILL = "#DDEBF7"  # blue: for the appraisers, locked
FIELD_FILL = "#E2EFDA"
HEADING_FILL = "#D9E1F2"

# The base every parxl workbook's formats extend (self-assessment, appraisal, check report,
# control and master workbooks): Times New Roman, as official tables are typed.
FONT = "Times New Roman"
TEXT = {"font_name": FONT, "font_size": 12, "valign": "top"}  # plain text, 12 pt, top-aligned
CELL = {**TEXT, "border": 1, "text_wrap": True}               # a table cell: thin border, wrapped


def text_format(**changes) -> dict:
    """XlsxWriter format properties: ``TEXT`` with ``changes`` (e.g. ``bold=True``, ``font_size=14``)."""
    return {**TEXT, **changes}


def cell_format(**changes) -> dict:
    """XlsxWriter format properties: ``CELL`` (bordered, wrapped) with ``changes``."""
    return {**CELL, **changes}

# Sheet protection: no password (it guards against accidents, not people);
# row heights and column widths stay adjustable, and typed links may become hyperlinks.
PROTECT = {"select_locked_cells": True, "select_unlocked_cells": True,
           "format_columns": True, "format_rows": True, "insert_hyperlinks": True}


def abs_ref(sheet: str, ref: str) -> str:
    """'Sheet name'!$A$1 (or a range A1:B2) for a defined name."""
    cells = []
    for part in ref.split(":"):
        letters = "".join(c for c in part if c.isalpha())
        digits = part[len(letters):]
        cells.append(f"${letters}${digits}")
    return "'" + sheet.replace("'", "''") + "'!" + ":".join(cells)


def col_index(letter: str) -> int:
    """0-based index of a column letter: «A» → 0, «AA» → 26. Raises ``ValueError`` for a bad letter."""
    return xl_cell_to_rowcol(f"{letter}1")[1]


def col_letter(index: int) -> str:
    """The column letter of a 0-based index: 0 → «A», 26 → «AA»."""
    return xl_col_to_name(index)


def print_setup(ws, landscape: bool, repeat_row: int | None) -> None:
    """A4, fit to the page width, heading row (0-based) repeated on every page."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&CTrang &P/&N")
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)


# Row heights. Excel and LibreOffice keep a row's stored height when the file opens (they do not
# grow a row for its wrapped text), so parxl computes it: greedy word wrap at the characters one line
# of the column holds, a line of LINE_FACTOR × the font size (points), and a little padding.
SCORING_FONT_SIZE = 10      # points: the scoring text under an item's title
CHARS_PER_WIDTH_12PT = 1.15  # characters of 12 pt Times New Roman per column-width unit (kept on the safe side)
LINE_FACTOR = 1.3            # line height ÷ font size
ROW_PADDING = 3.0            # points


def wrapped_lines(text: str, width: float, font_size: float = 12) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` units wide (column width, as XlsxWriter's
    ``set_column``) at ``font_size`` points: its own line breaks kept, words wrapped greedily."""
    capacity = max(1, int(width * CHARS_PER_WIDTH_12PT * 12 / font_size))
    lines = 0
    for paragraph in text.split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split():
            n = len(word)
            while n > capacity:  # a word longer than the line (a link) breaks anywhere
                if used:
                    lines += 1
                n -= capacity
                used = capacity
            if used == 0:
                used = n
            elif used + 1 + n <= capacity:
                used += 1 + n
            else:
                lines += 1
                used = n
    return lines


def text_height(parts: list[tuple[str, float]], width: float) -> float:
    """The height (points) a wrapped cell ``width`` units wide needs for ``parts``: (text, font size)
    pieces, each starting on a new line (a rich-text title and its scoring text)."""
    body = sum(wrapped_lines(text, width, size) * size * LINE_FACTOR for text, size in parts if text)
    return round(body + ROW_PADDING, 2)


class WorkbookFormats:
    """Every cell format of one workbook (XlsxWriter formats belong to their workbook)."""

    def __init__(self, wb):
        base, boxed = TEXT, CELL

        def fmt(**kw):
            return wb.add_format({**boxed, **kw})

        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center", "text_wrap": True})
        self.unit = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center"})
        self.criteria = wb.add_format({**base, "italic": True, "align": "center", "text_wrap": True})
        self.legend = wb.add_format({**base, "italic": True, "font_size": 10, "text_wrap": True})
        self.note = wb.add_format({**base, "italic": True, "font_size": 11, "text_wrap": True})
        self.heading = fmt(bold=True, align="center", valign="vcenter", bg_color=HEADING_FILL)
        self.guide_heading = wb.add_format({**base, "bold": True, "text_wrap": True})
        self.guide_text = wb.add_format({**base, "text_wrap": True})
        # Row kinds: code / title / number / blank cells.
        self.field = {"code": fmt(bold=True, bg_color=FIELD_FILL, align="center"),
                      "title": fmt(bold=True, bg_color=FIELD_FILL),
                      "num": fmt(bold=True, bg_color=FIELD_FILL, num_format="0.00"),
                      "blank": fmt(bg_color=FIELD_FILL)}
        self.criterion = {"code": fmt(bold=True, align="center"), "title": fmt(bold=True),
                          "num": fmt(bold=True, num_format="0.00"), "blank": fmt()}
        self.item = {"code": fmt(align="center"), "title": fmt(), "num": fmt(num_format="0.00"), "blank": fmt()}
        self.line = fmt(italic=True, indent=2)  # a checklist line under its item
        self.title_run = wb.add_format({"font_name": FONT, "font_size": 12})  # an item's title before its scoring text
        self.scoring_run = wb.add_format({"font_name": FONT, "font_size": SCORING_FONT_SIZE, "italic": True,
                                          "font_color": "#404040"})  # the scoring text under a title
        self.score = fmt(bg_color=FORMULA_FILL, num_format="0.00")
        self.score_bold = fmt(bold=True, bg_color=FORMULA_FILL, num_format="0.00")
        self.unused = fmt(bg_color=FORMULA_FILL)
        self.survey_note = fmt(italic=True, font_size=10, bg_color=FORMULA_FILL)
        self.input_choice = fmt(bg_color=INPUT_FILL, locked=False)
        self.input_whole = fmt(bg_color=INPUT_FILL, locked=False, num_format="0")
        self.input_decimal = fmt(bg_color=INPUT_FILL, locked=False, num_format="0.00")
        self.input_figure = fmt(bg_color=INPUT_FILL, locked=False, num_format="General")  # decimal figures as typed
        self.input_text = fmt(bg_color=INPUT_FILL, locked=False)
        self.input_link = fmt(bg_color=INPUT_FILL, locked=False, font_color="blue", underline=1)
        self.appraisal = fmt(bg_color=APPRAISAL_FILL, num_format="0.00")
        self.appraisal_text = fmt(bg_color=APPRAISAL_FILL)
        # Conditional formats (differential: only what they change).
        self.flag = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
