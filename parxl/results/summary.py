"""Figures every output of the results states the same way: the mean index, a band's share, the summary line.

The master workbook, the report document, ``parxl consolidate`` and the Excel button all use
these, so the same campaign shows the same mean everywhere.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from ..core.numbers import ZERO, quantize, vi_number
from .compute import Results


def mean_index(values: Iterable[Decimal]) -> Decimal | None:
    """The mean of ``values`` (indexes in %, or points) to two decimals, half-up.

    The same figure as Excel's ``=ROUND(AVERAGE(…),2)`` on the master workbook. None when there
    are no values. Raises ``decimal.InvalidOperation`` for NaN or infinity among them.
    """
    values = list(values)
    return quantize(sum(values, ZERO) / len(values), 2) if values else None


def share_percent(count: int, total: int) -> Decimal | None:
    """``count`` of ``total`` units in %, to two decimals, half-up (=ROUND(count*100/total,2)); None for no total."""
    return quantize(Decimal(count * 100) / total, 2) if total else None


def ranking_summary(results: Results) -> str:
    """One Vietnamese sentence: units ranked of all, the mean index and the count per band.

    «Xếp hạng 20/21 đơn vị; chỉ số bình quân 85,37 %; Xuất sắc: 3, Tốt: 10, …» — the mean and the
    bands only when some unit has an index. Ends with a full stop.
    """
    blocks = results.campaign.blocks
    if len(blocks) == 1 and not blocks[0].ranked:  # a block evaluated, not ranked: its units' index and band
        return _evaluated_summary(results)
    ranked = results.ranked
    summary = f"Xếp hạng {vi_number(len(ranked))}/{vi_number(len(results.units))} đơn vị"
    mean = mean_index(u.index for u in ranked if u.index is not None)
    if mean is not None:
        summary += f"; chỉ số bình quân {vi_number(mean, 2)} %"
        summary += "; " + ", ".join(f"{label}: {vi_number(n)}" for label, n in results.band_counts().items())
    return summary + "."


def unappraised_counts(results: Results) -> dict[str, int]:
    """Item code → how many ranked or evaluated units have no appraised score for it, for each item the
    appraisers score (``scored_by: appraisers``) that some such unit lacks, in set order; ``{}`` when none does.

    Items outside a unit's type (``applies_to``) or left out as not applicable do not count. ``results.
    unappraised`` when it is known (a master's snapshot read back).
    """
    if results.unappraised is not None:
        return dict(results.unappraised)
    items = [i for i in results.framework.items if i.scored_by == "appraisers" and i.rule.self_scored]
    scored = [u for u in results.ranked + results.evaluated]
    counts = {}
    for item in items:
        n = sum(1 for u in scored if (line := u.items.get(item.code)) is not None and line.applies
                and not line.not_applicable and line.appraised is None)
        if n:
            counts[item.code] = n
    return counts


def unappraised_warning(results: Results, campaign_root: str = "THƯ_MỤC_ĐỢT") -> str | None:
    """A Vietnamese warning naming the items the appraisers score (``scored_by: appraisers``) that some ranked or
    evaluated unit has no appraised score for (each then counts 0 points), with how many units per item and the
    commands that bring the scores in (``unappraised_counts``); None when every such item is appraised (or the set
    has none).
    """
    lacking = [f"{code} ({vi_number(n)} đơn vị)" for code, n in unappraised_counts(results).items()]
    if not lacking:
        return None
    return (f"Chưa có điểm thẩm định cho tiêu chí do cơ quan thẩm định chấm: {', '.join(lacking)}; các tiêu chí "
            f"này đang tính 0 điểm cho những đơn vị đó. Lập bảng thẩm định bằng «parxl appraise \"{campaign_root}\"», "
            f"nhập điểm rồi nhập lại bằng «parxl appraise \"{campaign_root}\" --import TỆP_HOẶC_THƯ_MỤC».")


EVALUATED_LISTED = 10  # units of a block not ranked listed with their index and band, up to this many


def _evaluated_summary(results: Results) -> str:
    """``ranking_summary`` of a block that is evaluated, not ranked: «Đánh giá, không xếp hạng (khối không
    xếp hạng) 1/1 đơn vị: S01 Sở Nội vụ: chỉ số 85,37 %, xếp loại Tốt.» (the mean and the bands for more units)."""
    scored = sorted((u for u in results.units if u.index is not None and u.band is not None
                     and u.status in ("ranked", "evaluated")), key=lambda u: (-(u.index or 0), u.unit.code))
    summary = (f"Đánh giá, không xếp hạng (khối không xếp hạng) {vi_number(len(scored))}/"
               f"{vi_number(len(results.units))} đơn vị")
    if not scored:
        return summary + "."
    if len(scored) <= EVALUATED_LISTED:
        summary += ": " + "; ".join(f"{u.unit.code} {u.unit.name}: chỉ số {vi_number(u.index, 2)} %, "
                                    f"xếp loại {u.band}" for u in scored)
    if len(scored) > 1:
        counts = {b.label: 0 for b in results.bands}
        for u in scored:
            counts[u.band] = counts.get(u.band, 0) + 1  # type: ignore[index]
        summary += (f"; chỉ số bình quân {vi_number(mean_index(u.index for u in scored), 2)} %; "  # type: ignore[misc]
                    + ", ".join(f"{label}: {vi_number(n)}" for label, n in counts.items()))
    return summary + "."
