"""Kế hoạch cải thiện, nâng cao Chỉ số CCHC: one plan per ranked unit, the unit as issuer (seed 001).

Drafted from the results saved with the master the clerk reviewed, for the unit to complete and sign: its
result (index, rank, band, fields; the change from last year's master when given), then per field the items
where it lost points, most points to gain first, each with how it is scored (the criteria set's rule and
guidance) and the evidence it lacked, and a task table pre-filled from those items. The chairman's name and
the number and date are left blank («…»).
"""
from __future__ import annotations

from contextlib import closing
from decimal import Decimal
from pathlib import Path

from ..core.numbers import ZERO, vi_number
from ..core.progress import Progress
from ..criteria.framework import Item
from ..master.previous import PreviousEntry
from ..results.compute import Results, UnitResult
from .context import (header_context, nfc, org_lines, points, recipient_lines, sentence_case_org, signed,
                      unit_index_max)
from .notices import addressee, decision_ref, field_rows
from ..core.files import write_new_many
from .render import campaign_template, render_each, slug
from .source import note_for

TEMPLATE = "ke-hoach-cai-thien.docx"
IMPROVEMENT_DIR = "ke-hoach-cai-thien"
PENALTY_GROUP = "Điểm trừ"


def _pts(value: Decimal, decimals: int = 2) -> str:
    return vi_number(value, decimals)


def scoring_text(item: Item, decimals: int = 2) -> str:
    """How the item is scored, in the criteria set's words: the options or bands of its rule with their points,
    then its ``guidance``; "" when the set says nothing (a rule type this function does not know gives only the
    guidance)."""
    rule = item.rule
    parts: list[str] = []
    kind = getattr(rule, "type", "")
    if getattr(rule, "options", None):
        parts.append("; ".join(f"{o.label}: {_pts(o.points, decimals)} điểm" for o in rule.options))
    elif kind == "ratio":
        bands = "; ".join(f"{b.when}: {_pts(b.points, decimals)} điểm" for b in rule.bands)
        parts.append(f"Tỷ lệ {rule.numerator[:1].lower() + rule.numerator[1:]} / "
                     f"{rule.denominator[:1].lower() + rule.denominator[1:]}: {bands}")
    elif kind == "count":
        parts.append(f"{rule.label}: mỗi lần {signed(rule.per, decimals)} điểm")
    elif kind == "binary":
        parts.append(f"{rule.pass_label}: {_pts(item.max, decimals)} điểm; {rule.fail_label}: {_pts(ZERO, decimals)} điểm")
    elif kind == "manual":
        parts.append(f"Cơ quan thẩm định chấm từ 0 đến {_pts(item.max, decimals)} điểm")
    elif kind == "survey":
        parts.append("Theo kết quả điều tra xã hội học")
    if item.guidance:
        parts.append(item.guidance)
    return ". ".join(p.rstrip(". ") for p in parts) + ("." if parts else "")


def missing_evidence(item: Item, u: UnitResult) -> str:
    """What evidence the unit lacked for ``item``: none accepted where the set requires it (with the set's
    guidance of what to provide), or findings left on it; "" when nothing is missing."""
    line = u.items.get(item.code)
    if line is None or not item.evidence_required:
        return ""
    if line.evidence_count == 0:
        return "chưa có tài liệu kiểm chứng được chấp nhận" + (f" ({item.guidance.rstrip('. ')})" if item.guidance else "")
    if line.findings:
        return f"tài liệu kiểm chứng còn {vi_number(line.findings)} điểm cần sửa theo phản hồi khi kiểm tra tệp"
    return ""


def lost_points(results: Results, u: UnitResult) -> list[tuple[Item, Decimal]]:
    """Every item where ``u`` lost points with how many it can gain back: a regular item's max − final score, a
    penalty's points; bonuses are never lost. Items that do not apply to the unit's type, or that it marked not
    applicable, are out of its maximum and left out. In criteria-set order (callers sort)."""
    out = []
    for item in results.framework.items:
        line = u.items.get(item.code)
        if line is None or not line.applies or line.not_applicable:
            continue  # not for the unit's type, or not applicable: out of its maximum, nothing to gain
        final = line.final
        gap = item.max - final if item.kind == "regular" else final if item.kind == "penalty" else ZERO
        if gap > ZERO:
            out.append((item, gap))
    return out


def improvement_groups(results: Results, u: UnitResult) -> list[dict]:
    """Per field with lost points (criteria-set order, penalties last as «Điểm trừ»): ``{stt, code, title, lost,
    rows: [{code, title, max, final, lost, scoring, evidence}]}`` (not ``items``: Jinja would find the dict method), rows most points to gain first (ties in
    criteria-set order); figures Vietnamese text."""
    fw = results.framework
    d = fw.decimals
    titles = {f.code: f"Lĩnh vực {f.code}. {f.title}" for f in fw.fields}
    by_group: dict[str, list[tuple[int, Item, Decimal]]] = {}
    for order, (item, gap) in enumerate(lost_points(results, u)):
        key = item.field_code if item.kind == "regular" and item.field_code else PENALTY_GROUP
        by_group.setdefault(key, []).append((order, item, gap))
    keys = [f.code for f in fw.fields if f.code in by_group] + ([PENALTY_GROUP] if PENALTY_GROUP in by_group else [])
    out = []
    for n, key in enumerate(keys, start=1):
        rows = sorted(by_group[key], key=lambda e: (-e[2], e[0]))
        out.append({
            "stt": str(n), "code": key, "title": titles.get(key, PENALTY_GROUP),
            "lost": _pts(sum((g for _, _, g in rows), ZERO), d),
            "rows": [{"code": item.code, "title": item.title,
                       "max": _pts(item.max, d) if item.kind == "regular" else "0",
                       "final": _pts(u.items[item.code].final if item.kind == "regular" else -gap, d),
                       "lost": _pts(gap, d), "scoring": scoring_text(item, d),
                       "evidence": missing_evidence(item, u)} for _, item, gap in rows],
        })
    return out


def task_rows(results: Results, groups: list[dict]) -> list[dict]:
    """The task table, one row per lost item in the order of ``groups``: «Khắc phục tiêu chí …», due by the end
    of next year, the department left blank («…») for the unit to fill in."""
    year = results.campaign.year + 1
    rows = []
    for g in groups:
        for i in g["rows"]:
            rows.append({"stt": str(len(rows) + 1),
                         "task": f"Khắc phục tiêu chí {i['code']}. {i['title']} (có thể cải thiện {i['lost']} điểm)",
                         "due": f"Trước 31/12/{year}", "who": "…"})
    return rows or [{"stt": "1", "task": "Duy trì kết quả ở tất cả các tiêu chí", "due": f"Năm {year}", "who": "…"}]


def previous_context(results: Results, u: UnitResult, previous: dict[str, PreviousEntry] | None) -> dict | None:
    """Last year's index and rank of ``u`` and the changes («+1,50», rank «tăng 2 bậc»), None without them."""
    entry = (previous or {}).get(u.unit.code)
    if entry is None or entry.index is None or u.index is None:
        return None
    rank_change = "—"
    if entry.rank is not None and u.rank is not None:
        step = entry.rank - u.rank
        rank_change = f"tăng {step} bậc" if step > 0 else f"giảm {-step} bậc" if step < 0 else "giữ nguyên"
    return {"year": str(results.campaign.year - 1), "index": points(entry.index, 2),
            "index_change": signed(u.index - entry.index, 2),
            "rank": str(entry.rank) if entry.rank is not None else "—", "rank_change": rank_change}


def _place(u: UnitResult) -> str:
    name, kind = u.unit.name.strip(), u.unit.kind.strip()
    return name[len(kind):].strip() if kind and name.lower().startswith(kind.lower() + " ") else name


def improvement_shared(results: Results) -> dict:
    """What every unit's plan of ``results`` says alike, computed once for many plans: ``header``
    (``header_context``), ``decision_ref``, ``ranked_count``."""
    return {"header": header_context(results.campaign, "…/KH-UBND", None), "decision_ref": decision_ref(results),
            "ranked_count": len(results.ranked)}


def improvement_context(results: Results, u: UnitResult, previous: dict[str, PreviousEntry] | None = None,
                        shared: dict | None = None) -> dict:
    """The template variables of ``u``'s improvement plan: a Nghị định 30/2020 header with the unit as issuer
    (its «Ủy ban nhân dân …» for a commune-level unit, under the campaign's issuer for a department), number,
    date and chairman left blank, the result (``header_context`` names plus index, rank, band, fields,
    ``previous``), ``groups`` (``improvement_groups``) and ``tasks`` (``task_rows``); every text NFC.
    ``shared``: ``improvement_shared(results)``, given when many units' plans are made."""
    campaign = results.campaign
    cfg = campaign.config
    fw = results.framework
    d = fw.decimals
    shared = shared if shared is not None else improvement_shared(results)
    ctx = dict(shared["header"])
    issuer = addressee(results, u)
    parent = cfg.issuer.name if cfg.block == "so" else ""
    groups = improvement_groups(results, u)
    ctx.update({
        "issuer_parent": parent.upper(), "issuer_parent_lines": org_lines(parent) if parent else [],
        "issuer_name": issuer.upper(), "issuer_lines": org_lines(issuer),
        "number": "…/KH-UBND" if cfg.block != "so" else "…/KH-…",
        "place_date": f"{_place(u)}, ngày … tháng … năm …",
        "signer_lines": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"] if cfg.block != "so" else ["GIÁM ĐỐC"],
        "signer_name": "…",
        "unit_code": u.unit.code, "unit_name": u.unit.name, "unit_issuer_text": sentence_case_org(issuer),
        "decision_ref": shared["decision_ref"],
        "total": points(u.total, d),
        # the maximum the unit's index is over (items outside its type or not applicable left out)
        "max_total": vi_number(unit_index_max(fw, u, cfg.survey_held), d),
        "index": points(u.index, 2), "rank": str(u.rank), "ranked_count": shared["ranked_count"], "band": u.band or "",
        "previous": previous_context(results, u, previous),
        "fields": field_rows(results, u),
        "groups": groups,
        "lost_total": _pts(sum((g for _, g in lost_points(results, u)), ZERO), d),
        "tasks": task_rows(results, groups),
        "recipients": recipient_lines([f"{cfg.contact.office} (để theo dõi)", "Các bộ phận có tên tại mục IV",
                                       "Lưu: VT"]),
    })
    return nfc(ctx)


def render_improvement_plans(results: Results, previous: dict[str, PreviousEntry] | None = None,
                             template: Path | None = None, out_dir: Path | None = None,
                             master: Path | None = None, progress: Progress | None = None) -> list[Path]:
    """One plan per ranked unit in ``out_dir`` (default CAMPAIGN/output/ke-hoach-cai-thien), none named before
    all are rendered and on disk (``core.files.write_new_many``), never overwriting. ``previous``: last year's master read by ``master.read_previous``;
    ``master``: as for ``render_decision``; ``progress``: as for ``render_notices``. Raises
    UnknownVariablesError / DocumentError for a bad template."""
    if results.campaign.has_blocks:  # each block's units from its own results (its set's fields and items)
        from ..master.consolidation import split_results
        return [p for part in split_results(results)
                for p in render_improvement_plans(part, previous, template, out_dir, master, progress)]
    template = Path(template) if template else campaign_template(results.campaign.root, TEMPLATE)
    note = note_for(results, master)
    shared = improvement_shared(results)
    ranked = results.ranked
    if not ranked:
        return []
    contexts = (improvement_context(results, u, previous, shared) for u in ranked)  # made as the workers render
    target = Path(out_dir) if out_dir else results.campaign.output_dir / IMPROVEMENT_DIR
    # closed on any stop (Ctrl+C while a plan is saved included): its worker processes stopped at once
    with closing(render_each(template, contexts, len(ranked), note, progress)) as rendered:
        return write_new_many((target / f"ke-hoach-cai-thien-{slug(u.unit.code)}-{slug(u.unit.name)}.docx", data)
                              for u, data in zip(ranked, rendered))
