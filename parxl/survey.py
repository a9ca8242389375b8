"""Survey results (điều tra xã hội học): a table of points per unit and survey item.

The survey is run outside parxl (by the province's software or a contractor);
its results come back as a table that the clerk imports with ``parxl survey``:

    Mã   | Tên đơn vị      | 8.1.1 | 8.1.2 | …
    KM01 | Phường An Lưu   | 3,5   | 85%   | …

one row per unit (header matched ignoring case and diacritics), one column per
survey item of the criteria set, holding the item's points ("3,5") or the share
of its max ("85%"). The imported table is kept in the campaign as
``survey.csv``/``survey.xlsx``; a table imported earlier is kept by content
hash in the state folder, never lost.
"""
from __future__ import annotations

import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

from .campaign import STATE_DIR, Campaign
from .errors import ParxlError
from .files import write_atomic
from .numbers import HUNDRED, parse_text_number, quantize, to_decimal, vi_number
from .texts import fold, normalize_text
from .units import read_rows

SURVEY_STEM = "survey"

Scores = dict[str, dict[str, Decimal]]  # unit code -> survey item code -> points


class SurveyError(ParxlError):
    """A survey table with problems; ``problems`` lists every one."""

    def __init__(self, source: Path, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  • {p}" for p in problems[:20])
        more = f"\n  … và {len(problems) - 20} lỗi khác" if len(problems) > 20 else ""
        super().__init__(f"Bảng kết quả điều tra «{source.name}» có {len(problems)} lỗi:\n{shown}{more}")


def survey_file(campaign: Campaign) -> Path | None:
    for suffix in (".csv", ".xlsx"):
        path = campaign.root / f"{SURVEY_STEM}{suffix}"
        if path.is_file():
            return path
    return None


def read_survey(campaign: Campaign, path: Path) -> Scores:
    """Every unit's survey points from the table; raises SurveyError listing every problem."""
    rows = read_rows(path)
    items = {i.code: i for i in campaign.framework.regular_items if i.rule.type == "survey"}
    problems: list[str] = []
    header_at = next((n for n, r in enumerate(rows) if any(str(c).strip() for c in r)), None)
    if header_at is None:
        raise SurveyError(path, ["bảng trống: cần dòng tiêu đề có cột «Mã» và mã các tiêu chí điều tra"])
    header = [normalize_text(str(c)).strip() for c in rows[header_at]]
    folded = [fold(h) for h in header]
    if "ma" not in folded:
        raise SurveyError(path, ["thiếu cột «Mã» (mã đơn vị)"])
    code_col = folded.index("ma")
    columns: dict[int, str] = {}
    for col, title in enumerate(header):
        if col == code_col or fold(title) in ("tendonvi", "stt", "loai", ""):
            continue
        if title in items:
            columns[col] = title
        else:
            problems.append(f"cột «{title}» không phải mã tiêu chí điều tra xã hội học của bộ chỉ số "
                            f"(các mã hợp lệ: {', '.join(items)})")
    for code in items:
        if code not in columns.values():
            problems.append(f"thiếu cột của tiêu chí điều tra «{code}»")
    scores: Scores = {}
    for n, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        cells = [normalize_text(str(c)).strip() for c in row]
        unit_code = cells[code_col] if code_col < len(cells) else ""
        if not any(cells):
            continue
        if campaign.unit(unit_code) is None:
            problems.append(f"dòng {n}: mã đơn vị «{unit_code}» không có trong danh sách đơn vị của đợt đánh giá")
            continue
        if unit_code in scores:
            problems.append(f"dòng {n}: đơn vị «{unit_code}» xuất hiện lần thứ hai")
            continue
        unit_scores: dict[str, Decimal] = {}
        for col, item_code in columns.items():
            text = cells[col] if col < len(cells) else ""
            points = _points(text, items[item_code].max)
            if points is None:
                problems.append(f"dòng {n}, cột «{item_code}»: «{text}» không phải số điểm hay tỷ lệ %")
            elif not 0 <= points <= items[item_code].max:
                problems.append(f"dòng {n}, cột «{item_code}»: {vi_number(points)} điểm nằm ngoài "
                                f"khoảng 0–{vi_number(items[item_code].max)}")
            else:
                unit_scores[item_code] = quantize(points, campaign.framework.decimals)
        scores[unit_code] = unit_scores
    if problems:
        raise SurveyError(path, problems)
    return scores


def _points(text: str, max_points: Decimal) -> Decimal | None:
    if not text:
        return None
    if text.endswith("%"):
        share = parse_text_number(text[:-1])
        return None if share is None else max_points * share / HUNDRED
    try:
        return to_decimal(text)
    except ValueError:
        return None


def load_survey(campaign: Campaign) -> Scores:
    """The imported survey results of the campaign ({} when none was imported)."""
    path = survey_file(campaign)
    return read_survey(campaign, path) if path else {}


def import_survey(campaign: Campaign, source: Path) -> tuple[Path, Scores]:
    """Check ``source`` and make it the campaign's survey table; an earlier table is kept by hash."""
    source = Path(source)
    if source.suffix.lower() not in (".csv", ".xlsx"):
        raise ParxlError(f"«{source.name}»: bảng kết quả điều tra phải là tệp .csv (UTF-8) hoặc .xlsx.")
    scores = read_survey(campaign, source)
    kept = campaign.root / STATE_DIR / "survey"
    kept.mkdir(parents=True, exist_ok=True)
    previous = survey_file(campaign)
    if previous is not None:
        digest = hashlib.sha256(previous.read_bytes()).hexdigest()
        shutil.copy2(previous, kept / f"{digest}{previous.suffix}")
        previous.unlink()
    target = write_atomic(campaign.root / f"{SURVEY_STEM}{source.suffix.lower()}", source.read_bytes())
    return target, scores
