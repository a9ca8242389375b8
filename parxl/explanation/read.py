"""Reading a returned giải trình workbook and checking it: findings as data, never an exception for the file.

``read_explanation(campaign, path, name, siblings=None, folder=None) -> ExplanationFile``:
the identity (campaign, criteria set, layout, unit, round), then one row per
contested item found by its code. What is checked, each a finding:

- an identity of another campaign, criteria set or layout, or of a unit not listed;
- a file sent from another unit (its folder, zip or own name names another unit);
- a round that is not the one open for explanations (the latest appraisal round recorded);
- a row whose item is not contested for the unit in that round;
- a proposed score that is not a number, outside [appraised, max], or higher than the appraised
  score with no explanation;
- additional evidence judged as in the self-assessment (links, files sent beside it).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ..appraisal import layout as AL
from ..campaign.folder import Campaign
from ..core.errors import log_internal_error
from ..core.report import FileVerdict
from ..core.findings import Finding, FindingList
from ..core.numbers import parse_text_number, quantize, vi_number
from ..core.texts import normalize_text
from ..intake.checks.evidence import _usual
from ..intake.checks.identity import units_named_by
from ..intake.evidence_text import link_problem, parse_cell
from ..intake.submission import open_workbook, text_of
from ..ledger.store import Ledger
from ..xlsx.container import XlsxFile
from ..xlsx.safety import HostileFile
from ..xlsx.sheet import SheetRequest
from . import layout as L
from .contested import ContestedItem, contested

META_ROWS = 20


@dataclass
class ExplanationRow:
    """What a unit wrote for one contested item: its explanation, accepted evidence entries, proposed score."""

    explanation: str
    evidence: list[str]
    proposed: Decimal | None


@dataclass
class ExplanationFile(FileVerdict):
    """One giải trình workbook read back: whose (unit, round), its rows by item code, its findings."""

    name: str
    sha256: str
    size: int
    unit_code: str | None = None
    unit_name: str | None = None
    named_unit: str | None = None  # the unit its path names, if any
    round: str | None = None
    rows: dict[str, ExplanationRow] = field(default_factory=dict)
    contested: dict[str, ContestedItem] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    internal: bool = False
    internal_log: str | None = None



def open_round(campaign: Campaign) -> str | None:
    """The appraisal round open for explanations: the latest recorded in the ledger (None when none is)."""
    with Ledger.open(campaign) as ledger:
        rounds = [r for r in ledger.rounds() if AL.round_number(r)]
    return max(rounds, key=AL.round_number) if rounds else None


def path_units(campaign: Campaign, name: str) -> set[str]:
    """Codes of the units named by the parts of a received file's path under inbox/ (folders, zip, own name)."""
    parts = PurePosixPath(name.replace("!/", "/")).parts
    if parts and parts[0] == campaign.inbox_dir.name:
        parts = parts[1:]
    out = set()
    for part in parts:
        named = units_named_by(part, campaign.units)
        if named:
            out.add(named[0].code)
    return out


class RoundCache:
    """The open round and each round's contested items, read from the ledger once for a batch of files."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self.current = open_round(campaign)
        self._contested: dict[str, dict[str, dict[str, ContestedItem]]] = {}

    def contested(self, round: str, unit: str) -> dict[str, ContestedItem]:
        """Item code → ``ContestedItem`` of ``unit`` after ``round`` (``{}`` when it has none)."""
        if round not in self._contested:
            self._contested[round] = {u.code: {c.item.code: c for c in u.items}
                                      for view in self.campaign.views() for u in contested(view, round)}
        return self._contested[round].get(unit, {})


def read_explanation(campaign: Campaign, path: Path, name: str, siblings: frozenset[str] | None = None,
                     folder: Path | None = None, cache: RoundCache | None = None) -> ExplanationFile:
    """Read and check one returned giải trình workbook (see the module doc); never raises for the file.

    ``siblings`` are the names of the files beside it in its zip, else files are looked for in ``folder``;
    ``cache`` shares the ledger reads of a batch (made here when None). Raises ``OSError`` only when ``path``
    cannot be read.
    """
    data = path.read_bytes()
    out = ExplanationFile(name, hashlib.sha256(data).hexdigest(), len(data))
    found = FindingList(file=name)
    try:
        book, _ = open_workbook(data)
        _read(campaign, book, out, found, siblings, folder, cache or RoundCache(campaign))
    except HostileFile as exc:
        found.add(exc.code, **exc.params)
    except Exception as exc:  # parxl's own failure: logged, the unit is not blamed
        out.rows, out.internal = {}, True
        log = log_internal_error(campaign.state_dir, exc, context=f"reading explanation workbook {name}",
                                 key=out.sha256)
        out.internal_log = None if log is None else str(log)
    out.findings = found.items
    return out


def _read(campaign: Campaign, book: XlsxFile, out: ExplanationFile, found: FindingList,
          siblings: frozenset[str] | None, folder: Path | None, cache: RoundCache) -> None:
    kc, vc = L.META_COLUMNS["key"], L.META_COLUMNS["value"]
    sheets = book.read_sheets({L.SHEET_META: SheetRequest(META_ROWS, frozenset((kc, vc)))})
    meta_sheet = sheets.get(L.SHEET_META)
    meta = {text_of(meta_sheet.get(r, kc)): text_of(meta_sheet.get(r, vc)) for r in range(1, META_ROWS)} \
        if meta_sheet else {}
    if meta.get("kind") != L.KIND:
        found.add("explanation-identity", detail="thông tin nhận dạng bị mất hoặc bị sửa")
        return
    block = campaign.block_of(meta.get("unit_code", "")) if campaign.has_blocks else None
    if block is not None:  # a campaign with blocks: the unit's block's view (its set, units, id)
        campaign = campaign.for_block(block)
    if not L.reads_version(meta.get("layout_version", "")):
        found.add("explanation-identity", detail=f"phiên bản biểu mẫu «{meta.get('layout_version', '')}» khác "
                                                 f"phiên bản hiện tại «{L.layout_version()}»")
        return
    if meta.get("campaign_id") != campaign.id:
        found.add("explanation-identity", detail=f"phiếu của đợt đánh giá khác («{meta.get('campaign_id', '')}»)")
        return
    if meta.get("criteria_fingerprint") != campaign.framework.fingerprint:
        found.add("explanation-identity", detail="phiếu được tạo theo bộ chỉ số khác")
        return
    code = meta.get("unit_code", "")
    unit = campaign.unit(code)
    if unit is None:
        found.add("explanation-identity", detail=f"mã đơn vị «{code}» không có trong danh sách")
        return
    out.unit_code, out.unit_name = unit.code, unit.name
    others = path_units(campaign, out.name) - {unit.code}
    if others:
        other = sorted(others)[0]
        out.named_unit = other
        found.add("explanation-wrong-unit", unit=f"{unit.code} {unit.name}",
                  other=f"{other} {campaign.unit(other).name}")  # type: ignore[union-attr]
    round = meta.get("round", "")
    if not AL.round_number(round):
        found.add("explanation-identity", detail=f"vòng «{round}» không phải vòng thẩm định")
        return
    out.round = round
    current = cache.current
    if current != round:
        found.add("explanation-other-round", found=AL.round_title(round).lower(),
                  expected=AL.round_title(current).lower() if current else "(chưa có vòng thẩm định nào)")
    out.contested = cache.contested(round, unit.code)
    _rows(campaign, book, out, found, siblings, folder)


def _rows(campaign: Campaign, book: XlsxFile, out: ExplanationFile, found: FindingList,
          siblings: frozenset[str] | None, folder: Path | None) -> None:
    max_row = L.HEADER_ROW + len(campaign.framework.items) + 200
    sheet = book.read_sheets({L.SHEET_DATA: SheetRequest(max_row)}).get(L.SHEET_DATA)
    if sheet is None:
        found.add("sheet-missing", sheet=L.SHEET_DATA)
        return
    for key in L.CHECKED_HEADINGS:
        col, expected = L.COLUMNS[key]
        text = text_of(sheet.get(L.HEADER_ROW, col))
        if text != expected:
            found.add("columns-changed", sheet=L.SHEET_DATA, cell=L.cell_ref(key, L.HEADER_ROW), found=text,
                      expected=expected)
            return
    d = campaign.framework.decimals
    beside = _Beside(siblings, folder)
    for r in range(L.HEADER_ROW + 1, sheet.last_row + 1):
        code = text_of(sheet.get(r, L.COL["item"])).strip()
        if not code:
            continue
        where = {"sheet": L.SHEET_DATA, "item": code}
        item = out.contested.get(code)
        explanation = text_of(sheet.get(r, L.COL["explanation"])).strip()
        ev_ref = L.cell_ref("evidence", r)
        ev_cell = sheet.get(r, L.COL["evidence"])
        ev_text = ev_cell.value if ev_cell is not None and isinstance(ev_cell.value, str) else ""
        entries = [e for e in parse_cell(ev_text, hyperlink=sheet.hyperlinks.get(ev_ref),
                                         formula=ev_cell.formula if ev_cell is not None else None) if e.text]
        proposed_cell = sheet.get(r, L.COL["proposed"])
        proposed_text = text_of(proposed_cell).strip()
        if item is None:
            if explanation or entries or proposed_text:
                found.add("explanation-unknown-row", cell=L.cell_ref("item", r), **where)
            continue
        proposed = None
        if proposed_text:
            value = proposed_cell.value if proposed_cell is not None else None
            number = value if isinstance(value, Decimal) else parse_text_number(proposed_text)
            lo, hi = item.bounds
            at = {"cell": L.cell_ref("proposed", r), "found": proposed_text[:30], **where}
            if number is None or isinstance(number, bool):
                found.add("explanation-proposed-invalid", low=vi_number(lo, d), high=vi_number(hi, d), **at)
            elif not lo <= number <= hi or quantize(number, d) != number:
                found.add("explanation-proposed-invalid", low=vi_number(lo, d), high=vi_number(hi, d), **at)
            else:
                proposed = number
        if proposed is not None and proposed != item.appraised and not explanation:
            found.add("explanation-missing", cell=L.cell_ref("explanation", r), proposed=vi_number(proposed, d),
                      appraised=vi_number(item.appraised, d), **where)
        accepted = [e.text for e in entries if _judge(found, ev_ref, code, e, beside)]
        if explanation or accepted or proposed is not None:
            out.rows[code] = ExplanationRow(explanation, accepted, proposed)
    if not out.rows and out.contested:
        found.add("explanation-empty")


class _Beside:
    """Files received beside the workbook: the other names of its zip, or its folder (case-insensitive)."""

    def __init__(self, siblings: frozenset[str] | None, folder: Path | None):
        self.siblings, self.folder = siblings, folder

    def has(self, name: str) -> bool:
        """Whether a file called ``name`` came beside the workbook (case-insensitive, NFC)."""
        key = normalize_text(name).lower()
        if self.siblings is not None:
            return key in self.siblings
        if self.folder is None or not self.folder.is_dir():
            return False
        return any(normalize_text(p.name).lower() == key for p in self.folder.iterdir() if p.is_file())


def _judge(found: FindingList, ref: str, item: str, entry, beside: _Beside) -> bool:
    """The self-assessment's evidence findings for one entry (same codes); whether it is accepted."""
    where = {"sheet": L.SHEET_DATA, "cell": ref, "item": item}
    if entry.picture is not None:
        found.add("evidence-picture", found=entry.picture, **where)
        return False
    if entry.malformed:
        found.add("evidence-bad-link", found=entry.text, detail=entry.malformed, **where)
        return False
    missing = [n for n in entry.files if not beside.has(n)]
    for n in missing:
        found.add("evidence-file-missing", found=n, **where)
    for url in entry.links:
        if link_problem(url):
            continue
        host = (urlsplit(url).hostname or "").lower()
        if not _usual(host):
            found.add("evidence-unusual-host", found=url, host=host, **where)
    if entry.kind == "text":
        found.add("evidence-text-only", found=entry.text, **where)
    return not (missing and not entry.refs and not entry.links and len(missing) == len(entry.files))
