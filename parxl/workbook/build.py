"""The self-assessment workbook of one unit, written with XlsxWriter by the layout contract.

``build_workbook(campaign, unit)`` returns the ``.xlsx`` bytes. Sheets, in order:
instructions (``SHEET_GUIDE``), self-assessment (``SHEET_ASSESS``, see
``parxl.workbook.assess``), summary by field (``SHEET_SUMMARY``) and the very
hidden metadata (``SHEET_META``: ``META_KEYS`` in column ``META_COLUMNS["key"]``,
values beside them; ``campaign_year`` is a number, the rest text, ``layout_version``
is ``layout.layout_version()``; the dropdown option lists sit from column
``META_COLUMNS["options"]`` onwards, one column per choice item). Every sheet name,
cell position and matched title comes from the layout contract (``layout``).

Output is deterministic: the document date and ``generated_at`` come from the
campaign's files (see ``generated_at``), never from the clock, so generating
twice gives the same bytes. Every text that differs between units lives in
``xl/sharedStrings.xml`` only, which is what ``parxl.workbook.stamping`` relies on.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter

from .. import __version__
from ..campaign.folder import Campaign
from ..campaign.units import Unit
from ..core.errors import ParxlError
from ..core.numbers import quantize
from ..core.times import utc_iso
from ..criteria.scoring import Answers, UnitScore, adjustment_sum, score_answers
from . import layout
from . import texts as T
from .assess import write_assess
from .styles import PROTECT, WorkbookFormats, abs_ref, col_index, print_setup


@dataclass(frozen=True)
class Identity:
    """What differs between the workbooks of one campaign."""

    code: str
    name: str
    kind: str

    @classmethod
    def of(cls, unit: Unit) -> Identity:
        """The identity of ``unit``, each text cleaned by ``clean_text``."""
        return cls(clean_text(unit.code), clean_text(unit.name), clean_text(unit.kind))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(text: str) -> str:
    """NFC, no control characters, no outer spaces: safe in a cell, in XML and in a file name."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).strip()


@dataclass(frozen=True)
class Fill:
    """Answers written into a workbook at build time (samples and tests; units get blank ones)."""

    answers: Answers = field(default_factory=dict)                   # code -> input key -> value
    explanations: Mapping[str, str] = field(default_factory=dict)    # code -> text
    evidence: Mapping[str, Sequence[str]] = field(default_factory=dict)  # code -> links, one per line


def generated_at(campaign: Campaign) -> dt.datetime:
    """The newest modification time (UTC, whole seconds) of campaign.yaml, the criteria and units files.

    Used instead of the clock so that two generations of an unchanged campaign
    are byte-identical; editing any of those files moves it forward.
    """
    files = [campaign.root / "campaign.yaml", campaign.root / campaign.config.criteria, campaign.units_file]
    newest = max(p.stat().st_mtime for p in files if p.exists())
    return dt.datetime.fromtimestamp(int(newest), dt.timezone.utc).replace(tzinfo=None)


def build_workbook(campaign: Campaign, unit: Unit, fill: Fill | None = None) -> bytes:
    """The unit's self-assessment workbook as ``.xlsx`` bytes (the plain, per-unit build)."""
    return build_bytes(campaign, Identity.of(unit), fill)


def for_kind(campaign: Campaign, kind: str | None) -> Campaign:
    """``campaign`` as units of type ``kind`` see it: its framework is ``Framework.for_kind(kind)`` (the same
    object when no item depends on the type)."""
    fw = campaign.framework.for_kind(kind)
    return campaign if fw is campaign.framework else dataclasses.replace(campaign, framework=fw)


def build_bytes(campaign: Campaign, identity: Identity, fill: Fill | None = None, kind: str | None = None) -> bytes:
    """The workbook for ``identity`` (a unit, or ``stamping.TOKENS`` placeholders) as ``.xlsx`` bytes.

    ``kind`` is the unit type whose rows the workbook holds (``Framework.for_kind``), default ``identity.kind``.
    Raises ``ParxlError`` when an item code cannot be part of an Excel defined name.
    """
    fill = fill or Fill()
    campaign = for_kind(campaign, identity.kind if kind is None else kind)
    fw = campaign.framework
    scores = score_answers(fw, fill.answers)
    when = generated_at(campaign)
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {
        "in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    wb.set_properties({
        "title": f"Tự đánh giá Chỉ số CCHC năm {campaign.year}",
        "subject": fw.title,
        "author": "parxl",
        "company": campaign.config.issuer.name,
        "created": when,
    })
    styles = WorkbookFormats(wb)
    guide = wb.add_worksheet(layout.SHEET_GUIDE)
    assess = wb.add_worksheet(layout.SHEET_ASSESS)
    summary = wb.add_worksheet(layout.SHEET_SUMMARY)
    meta = wb.add_worksheet(layout.SHEET_META)
    names = _Names(wb)

    _write_meta(meta, styles, names, campaign, identity, when)
    write_assess(assess, styles, names, campaign, identity, fill, scores)
    _write_summary(summary, styles, campaign, identity, scores)
    _write_guide(guide, styles, campaign, identity)
    guide.activate()
    wb.close()
    return out.getvalue()


SUMMARY_WIDTHS = {"code": 7, "title": 62, "max": 15, "score": 15, "percent": 15}  # characters


class _Names:
    """Workbook-level defined names; refuses silently dropped ones."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self._wb = wb

    def define(self, name: str, sheet: str, ref: str) -> None:
        """Define workbook name ``name`` as ``ref`` (A1 cell or range) on ``sheet``; raises ``ParxlError`` when
        XlsxWriter refuses the name (a criteria code with characters an Excel name cannot hold)."""
        if self._wb.define_name(name, f"={abs_ref(sheet, ref)}") == -1:
            raise ParxlError(f"Không đặt được tên ô «{name}»: mã tiêu chí có ký tự không dùng được trong tên ô Excel.")


def _write_meta(ws, st: WorkbookFormats, names: _Names, campaign: Campaign, identity: Identity, when: dt.datetime) -> None:
    fw = campaign.framework
    values: dict[str, str | int] = {
        "campaign_id": campaign.id,
        "campaign_year": campaign.year,
        "unit_code": identity.code,
        "unit_name": identity.name,
        "unit_kind": identity.kind,
        "criteria_id": fw.id,
        "criteria_fingerprint": fw.fingerprint,
        "layout_version": layout.layout_version(),
        "generated_at": utc_iso(when, micro=False),
        "parxl_version": __version__,
    }
    if tuple(values) != layout.META_KEYS:  # parxl's own bug, never the user's: it must hold under python -O too
        raise RuntimeError(f"Lỗi nội bộ của parxl: các khóa siêu dữ liệu {tuple(values)} khác bố cục {layout.META_KEYS}.")
    key_col, value_col = col_index(layout.META_COLUMNS["key"]), col_index(layout.META_COLUMNS["value"])
    for r, (key, value) in enumerate(values.items()):
        ws.write_string(r, key_col, key)
        if isinstance(value, int):
            ws.write_number(r, value_col, value)
        else:
            ws.write_string(r, value_col, value)
    names.define(layout.NAME_CAMPAIGN, layout.SHEET_META, layout.meta_ref("campaign_id"))
    names.define(layout.NAME_UNIT, layout.SHEET_META, layout.meta_ref("unit_code"))
    # Dropdown sources: a named range per choice item, so option texts may hold commas.
    col = col_index(layout.META_COLUMNS["options"])
    for item in fw.items:
        for spec in item.rule.inputs(item.max):
            if spec.kind == "choice":
                for r, option in enumerate(spec.options):
                    ws.write_string(r, col, option)
                letter = xlsxwriter.utility.xl_col_to_name(col)
                names.define(layout.name_options(item.code), layout.SHEET_META,
                             f"{letter}1:{letter}{len(spec.options)}")
                col += 1
                break  # one list per item: its choice inputs (a checklist's lines) share it
    for code, (na_col, _) in layout.not_applicable_sources(fw).items():  # one-cell source of each mark's dropdown
        ws.write_string(0, na_col, fw.item(code).not_applicable)
    ws.set_column(key_col, key_col, 22)
    ws.set_column(value_col, value_col, 60)
    ws.protect("", PROTECT)
    ws.very_hidden()


def _write_summary(ws, st: WorkbookFormats, campaign: Campaign, identity: Identity, scores: UnitScore) -> None:
    """The summary sheet, laid out by ``layout.SUMMARY``: one line per field, bonus, penalty, then the total."""
    fw = campaign.framework
    cols = {role: col_index(letter) for role, letter in layout.SUMMARY["columns"].items()}
    first, last = min(cols.values()), max(cols.values())
    for role, width in SUMMARY_WIDTHS.items():
        ws.set_column(cols[role], cols[role], width)
    ws.merge_range(layout.SUMMARY["title_row"] - 1, first, layout.SUMMARY["title_row"] - 1, last,
                   T.SUMMARY_TITLE.format(year=campaign.year), st.title)
    ws.merge_range(layout.SUMMARY["unit_row"] - 1, first, layout.SUMMARY["unit_row"] - 1, last,
                   layout.unit_header(identity.name), st.unit)
    heading = layout.SUMMARY["heading_row"] - 1
    ws.set_row(heading, 32)
    for role, text in zip(layout.SUMMARY["columns"], T.SUMMARY_HEADINGS, strict=True):
        ws.write_string(heading, cols[role], text, st.heading)

    def line(r: int, code: str, title: str, max_points: Decimal, formula: str, cached: Decimal, bold: bool,
             max_name: str | None = None) -> None:
        s = st.field if bold else st.item
        ws.write_string(r, cols["code"], code, s["code"])
        ws.write_string(r, cols["title"], title, s["title"])
        if max_name is not None and fw.has_not_applicable:  # over the applicable max: items not applicable leave it
            max_points = scores.applicable_total if max_name == layout.NAME_APPLICABLE_TOTAL else scores.applicable[code]
            ws.write_formula(r, cols["max"], f"={max_name}", s["num"], float(max_points))
        else:
            ws.write_number(r, cols["max"], float(max_points), s["num"])
        ws.write_formula(r, cols["score"], formula, s["num"], float(cached))
        m, p = layout.summary_ref("max", r + 1), layout.summary_ref("score", r + 1)
        pct = f"=IF({m}>0,ROUND({p}/{m}*100,2),0)"
        ws.write_formula(r, cols["percent"], pct, s["num"], float(_pct(cached, max_points)))

    r = layout.SUMMARY["first_row"] - 1
    for f in fw.fields:
        line(r, f.code, f.title, f.max, f"={layout.name_subtotal(f.code)}", scores.subtotals[f.code], False,
             layout.name_applicable_max(f.code))
        r += 1
    for kind, title, value in (("bonus", T.SUMMARY_BONUS, scores.bonus), ("penalty", T.SUMMARY_PENALTY, scores.penalty)):
        items = [i for i in fw.items if i.kind == kind]
        if items:
            refs = [layout.name_score(i.code) for i in items]
            line(r, "", title, fw.capped(kind, sum((i.max for i in items), Decimal(0))),
                 "=" + adjustment_sum(refs, fw.model.bonus_cap if kind == "bonus" else fw.model.penalty_cap),
                 value, False)
            r += 1
    line(r, "", T.SUMMARY_TOTAL, fw.total, f"={layout.NAME_TOTAL}", scores.total, True, layout.NAME_APPLICABLE_TOTAL)
    ws.merge_range(r + 2, first, r + 2, last, T.SUMMARY_NOTE, st.note)
    ws.set_row(r + 2, 32)
    ws.freeze_panes(heading + 1, 0)
    print_setup(ws, landscape=False, repeat_row=heading)
    ws.protect("", PROTECT)


def _pct(points: Decimal, max_points: Decimal) -> Decimal:
    return quantize(points / max_points * 100, 2) if max_points > 0 else Decimal(0)


def _write_guide(ws, st: WorkbookFormats, campaign: Campaign, identity: Identity) -> None:
    ws.set_column(0, 0, 72)  # fits A4 portrait in Excel and LibreOffice alike
    styles = {"title": st.title, "heading": st.guide_heading, "text": st.guide_text, "blank": st.guide_text}
    for r, (style, text) in enumerate(T.guide_lines(campaign, identity.name)):
        if text:
            ws.write_string(r, 0, text, styles[style])
        per_line, height = (55, 20) if style == "title" else (85, 16)  # characters, points
        lines = max(1, -(-len(text) // per_line))
        if lines > 1 or style == "title":
            ws.set_row(r, height * lines + 2)
    print_setup(ws, landscape=False, repeat_row=None)
    ws.protect("", PROTECT)
