"""Whose workbook is this? Metadata and defined names, cross-checked with the header and the file name."""
from __future__ import annotations

import re

from ...campaign.units import Unit
from ...criteria.model import kind_key
from ...core.texts import strip_diacritics
from ...workbook import layout
from . import Context

_NON_WORD = re.compile(r"[^0-9a-z]+")
_KIND_PREFIXES = ("xa", "phuong", "thi tran", "dac khu", "so", "ban", "huyen", "quan", "thi xa", "thanh pho")


def words(text: str) -> str:
    """Lower case, no diacritics, words separated by one space: «Phường An Lưu» -> «phuong an luu»."""
    plain = strip_diacritics(text).lower()
    return " ".join(_NON_WORD.sub(" ", plain).split())


def _name_keys(unit: Unit) -> list[str]:
    full = words(unit.name)
    keys = [full]
    for prefix in (words(unit.kind), *_KIND_PREFIXES):
        if prefix and full.startswith(prefix + " ") and len(full) > len(prefix) + 1:
            keys.append(full[len(prefix) + 1:])
    return keys


class _UnitIndex:
    """Unit codes and names as word sequences, for matching file names without scanning every unit."""

    def __init__(self, units: list[Unit]):
        self.units = units
        self.keys: dict[str, list[tuple[int, Unit]]] = {}
        for unit in units:
            code = words(unit.code)
            if code:
                self.keys.setdefault(code, []).append((1000 + len(code), unit))
            for key in _name_keys(unit):
                self.keys.setdefault(key, []).append((len(key), unit))
        self.longest = max((k.count(" ") + 1 for k in self.keys), default=1)


_INDEXES: dict[int, _UnitIndex] = {}


def _index(units: list[Unit]) -> _UnitIndex:
    index = _INDEXES.get(id(units))
    if index is None or index.units is not units:
        index = _INDEXES[id(units)] = _UnitIndex(units)
    return index


def units_named_by(file_name: str, units: list[Unit]) -> list[Unit]:
    """Units a file name points at: by code (a whole word) or by name, best match first."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    tokens = words(stem).split()
    index = _index(units)
    best: dict[str, tuple[int, Unit]] = {}
    for i in range(len(tokens)):
        for j in range(i + 1, min(len(tokens), i + index.longest) + 1):
            for score, unit in index.keys.get(" ".join(tokens[i:j]), ()):
                if score > best.get(unit.code, (0, unit))[0]:
                    best[unit.code] = (score, unit)
    scored = sorted(best.values(), key=lambda p: -p[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return []  # ambiguous: say nothing
    return [u for _, u in scored]


def check(ctx: Context) -> None:
    """Whose workbook this is: metadata, then the layout version, defined names, unit name and header, file name.

    Adds ``identity-*`` findings; sets ``ctx.unit`` and ``ctx.named_unit``, and
    ``ctx.stop`` when the file cannot be read on (another campaign, criteria set or layout).
    """
    sub, campaign, fw = ctx.sub, ctx.campaign, ctx.framework
    named = units_named_by(sub.file_name, campaign.units)
    ctx.named_unit = named[0] if named else None
    meta = sub.meta
    if not meta.get("unit_code") or not meta.get("campaign_id"):
        ctx.add("identity-missing", meta=layout.SHEET_META)
        ctx.stop = True
        return
    if meta["campaign_id"] != campaign.id:
        ctx.add("identity-other-campaign", sheet=layout.SHEET_META, cell=layout.meta_ref("campaign_id"),
                found=meta["campaign_id"], expected=campaign.id)
        ctx.stop = True
        return
    code = meta["unit_code"]
    unit = campaign.unit(code)
    if unit is None:
        ctx.add("identity-unknown-unit", sheet=layout.SHEET_META, unit=code)
        ctx.stop = True
        return
    ctx.unit = unit
    if meta.get("criteria_id") != fw.id or meta.get("criteria_fingerprint") != fw.fingerprint:
        ctx.add("identity-other-criteria", sheet=layout.SHEET_META,
                found=meta.get("criteria_id") or "?", found_fp=(meta.get("criteria_fingerprint") or "?")[:12],
                expected=fw.id, expected_fp=fw.fingerprint[:12])
        ctx.stop = True
        return
    if not layout.reads_version(meta.get("layout_version") or ""):
        ctx.add("identity-layout-version", sheet=layout.SHEET_META, cell=layout.meta_ref("layout_version"),
                found=meta.get("layout_version") or "?", expected=layout.layout_version())
        ctx.stop = True
        return
    made_for = meta.get("unit_kind") or ""
    if campaign.framework.has_applies_to and made_for and kind_key(made_for) != kind_key(unit.kind or ""):
        # the items differ by type: reading it against the new type would blame the unit for «deleted rows»
        ctx.add("identity-kind-changed", sheet=layout.SHEET_META, cell=layout.meta_ref("unit_kind"),
                found=made_for, expected=unit.kind or "(trống)", unit=f"{unit.code} {unit.name}")
        ctx.stop = True
        return
    _check_names(ctx)
    meta_name = meta.get("unit_name", "")
    if meta_name and words(meta_name) != words(unit.name):
        ctx.add("identity-unit-renamed", sheet=layout.SHEET_META, found=meta_name, expected=unit.name, unit=code)
    _check_header(ctx, meta_name or unit.name)
    if named and unit not in named:
        other = named[0]
        ctx.add("identity-filename-mismatch", named=f"{other.code} – {other.name}",
                expected=unit.name, unit=unit.code)


def _check_names(ctx: Context) -> None:
    """The defined names of the identity must point at the metadata cells."""
    expected = {layout.NAME_UNIT: "unit_code", layout.NAME_CAMPAIGN: "campaign_id"}
    for name, key in expected.items():
        ref = ctx.sub.names.get(name, "")
        cell = layout.meta_ref(key)
        if ref.replace("$", "").replace("'", "") != f"{layout.SHEET_META}!{cell}":
            ctx.add("locked-cell-changed", sheet=layout.SHEET_META, cell=cell,
                    what=f"tên vùng {name}", expected=f"{layout.SHEET_META}!{cell}", found=ref or "(mất)")


def _check_header(ctx: Context, name: str) -> None:
    if ctx.sub.assess is None:
        return
    cell = ctx.sub.assess.get(layout.UNIT_ROW, layout.COLUMNS["code"])
    text = cell.value if cell is not None and isinstance(cell.value, str) else ""
    expected = layout.unit_header(name)
    if words(text) != words(expected):
        ctx.add("identity-header-mismatch", sheet=ctx.sheet, cell=layout.cell_ref("code", layout.UNIT_ROW),
                found=text.strip() or "(trống)", expected=name, unit=ctx.unit.code if ctx.unit else "")


def swapped(reports: list) -> list[tuple[object, object]]:
    """Pairs of reports whose files carry each other's unit in their names (two units swapped files)."""
    by_unit = {}
    for r in reports:
        if r.unit_code and r.named_unit and r.named_unit != r.unit_code:
            by_unit.setdefault(r.unit_code, []).append(r)
    pairs = []
    for code, mine in by_unit.items():
        for a in mine:
            for b in by_unit.get(a.named_unit, []):
                if b.named_unit == code and code < b.unit_code:
                    pairs.append((a, b))
    return pairs
