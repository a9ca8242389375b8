"""Cell formats and band colours of the master workbook (extending ``workbook.styles.TEXT``: Times New Roman)."""
from __future__ import annotations

from decimal import Decimal

from xlsxwriter.workbook import Workbook

from ..workbook.styles import FONT, text_format

# Best band first: green, light green, yellow, orange, red (more bands reuse the ends).
BAND_COLOURS = ("#C6EFCE", "#E2F0D9", "#FFEB9C", "#FCD5B4", "#FFC7CE")
POINTS = "General"          # 7 / 6,5 / 6,25 in the user's locale (no trailing separator)
INDEX = "0.00"
SIGNED_INDEX = "+0.00;-0.00;0.00"
SIGNED_RANK = "+0;-0;0"


def band_colours(count: int) -> list[str]:
    """One background colour per band, best first, spread over the palette."""
    if count <= 1:
        return [BAND_COLOURS[0]] * count
    last = len(BAND_COLOURS) - 1
    return [BAND_COLOURS[round(i * last / (count - 1))] for i in range(count)]


def number(value: Decimal | int | None) -> float | int | str:
    """A cell value for a score: float for Decimals, '' for nothing."""
    if value is None:
        return ""
    return int(value) if isinstance(value, int) else float(value)


class MasterFormats:
    """The formats every sheet shares, created once per workbook."""

    def __init__(self, wb: Workbook):
        base = text_format(font_size=11, valign="vcenter")  # 11 pt: the master's tables are wide
        cell = {**base, "border": 1}

        def fmt(**extra):
            return wb.add_format({**base, **extra})

        def boxed(**extra):
            return wb.add_format({**cell, **extra})

        self.title = fmt(bold=True, font_size=14, align="center")
        self.subtitle = fmt(italic=True, align="center")
        self.note = fmt(italic=True, font_size=10)
        self.label = fmt(bold=True)
        self.text = fmt()
        self.header = boxed(bold=True, align="center", text_wrap=True, bg_color="#DDEBF7")
        self.cell = boxed()
        self.wrap = boxed(text_wrap=True)
        self.center = boxed(align="center")
        self.points = boxed(num_format=POINTS)
        self.points_bold = boxed(num_format=POINTS, bold=True)
        self.index = boxed(num_format=INDEX, bold=True)
        self.index_plain = boxed(num_format=INDEX)
        self.signed_index = boxed(num_format=SIGNED_INDEX)
        self.signed_rank = boxed(num_format=SIGNED_RANK, align="center")
        self.integer = boxed(num_format="0", align="center")
        self.total_label = boxed(bold=True, align="right")
        self.mono = boxed(font_name="Consolas", font_size=9)
        self.bands = {c: wb.add_format({"bg_color": c}) for c in BAND_COLOURS}
        self.band_cells = {c: boxed(bg_color=c, bold=True) for c in BAND_COLOURS}

    def band(self, position: int, count: int):
        """Background of a ranking row in band ``position`` (0 = best) of ``count``."""
        return self.bands[band_colours(count)[position]]

    def band_cell(self, position: int, count: int):
        """A bordered cell in the colour of a band."""
        return self.band_cells[band_colours(count)[position]]
