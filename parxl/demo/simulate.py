"""Simulated returned workbooks for the sample campaign (``parxl demo``).

Deterministic: the same campaign and seed give the same files. Units answer
with varied diligence, and their files carry computed values as a spreadsheet
program would save them. Three units are special, as in every real campaign:
one types a number over a score formula, one scores items without evidence or
explanation, and one sends nothing.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..campaign.folder import Campaign
from ..campaign.units import Unit
from ..core.files import write_atomic
from ..core.numbers import excel_number, quantize, vi_number
from ..core.progress import Progress
from ..criteria.framework import Item
from ..criteria.rules import Value
from ..workbook.build import Fill, build_workbook
from ..workbook.layout import COLUMNS, SHEET_ASSESS, plan_rows
from ..workbook.stamping import workbook_filename
from ..xlsx.container import XlsxFile


@dataclass(frozen=True)
class Scenario:
    """The unit codes of the three scripted situations."""

    silent: str       # sends nothing
    overwrites: str   # types a number over a score formula
    no_evidence: str  # scores items with neither evidence nor explanation


def pick_scenario(campaign: Campaign) -> Scenario:
    """Three different units for the three scripted situations, the same ones on every run.

    The third, sixth (or, with six units or fewer, the last but one) and last unit of the list.
    Raises ``ValueError`` for a campaign of fewer than three units (the demo's own sample has 21).
    """
    codes = [u.code for u in campaign.units]
    if len(codes) < 3:
        raise ValueError("the scripted situations need at least three units")
    silent = len(codes) - 1
    overwrites = min(2, silent - 2)
    no_evidence = min(5, silent - 1)  # never the silent unit, which sends nothing to lack evidence in
    return Scenario(silent=codes[silent], overwrites=codes[overwrites], no_evidence=codes[no_evidence])


def answers_for(item: Item, rng: random.Random, diligence: float) -> dict[str, Value]:
    """One item's inputs ({input key: value}); a more diligent unit (``diligence`` 0–1) does better
    on average. Each rule type gives its own example answers (``RuleType.example_answers``)."""
    good = rng.random() < diligence
    return item.rule.example_answers(rng, item.max, good, diligence)


def fill_for(unit: Unit, campaign: Campaign, scenario: Scenario, seed: int) -> Fill:
    """What ``unit`` types into its workbook: answers, evidence links and explanations, the same for
    the same ``seed``."""
    rng = random.Random(f"{seed}:{unit.code}")
    diligence = 0.78 + 0.22 * rng.random()
    answers: dict[str, dict[str, Value]] = {}
    explanations: dict[str, str] = {}
    evidence: dict[str, list[str]] = {}
    for item in campaign.framework.items:
        if not item.self_scored or (item.kind != "regular" and rng.random() < 0.7):
            continue  # survey items are not the unit's; most claim no bonus and report no penalty
        answers[item.code] = answers_for(item, rng, diligence)
        if unit.code == scenario.no_evidence and rng.random() < 0.3:
            continue
        if rng.random() < 0.9:
            evidence[item.code] = [
                f"https://vanban.kinhmon.example.gov.vn/{unit.code.lower()}/{item.code}/tlkc-{n}.pdf"
                for n in range(1, rng.randint(1, 2) + 1)]
        else:
            explanations[item.code] = "Đơn vị đã thực hiện; tài liệu kiểm chứng gửi kèm bản giấy."
    return Fill(answers=answers, explanations=explanations, evidence=evidence)


def type_over_formula(data: bytes, cell: str, value: Decimal) -> bytes:
    """The workbook with ``cell`` of the assessment sheet holding a typed number instead of its formula."""
    sheet = XlsxFile(data).sheet(SHEET_ASSESS).part
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename == sheet:
                pattern = re.compile(rf'(<c r="{cell}"[^>]*?)(?: t="[a-z]+")?>(?:<f>.*?</f>)(?:<v>.*?</v>)?</c>'.encode())
                raw, n = pattern.subn(rb"\1><v>" + excel_number(value).encode() + b"</v></c>", raw, count=1)
                if n != 1:
                    raise ValueError(f"no formula at {cell}")
            dst.writestr(info, raw)
    return out.getvalue()


def simulate_survey(campaign: Campaign, dest: Path, seed: int = 2025) -> Path:
    """A survey results table as the survey's organisers would send it: points per unit and item."""
    items = [i for i in campaign.framework.regular_items if not i.rule.self_scored]
    lines = ["Mã,Tên đơn vị," + ",".join(i.code for i in items)]
    for unit in campaign.units:
        rng = random.Random(f"{seed}:survey:{unit.code}")
        satisfaction = 0.68 + 0.3 * rng.random()
        points = [quantize(i.max * Decimal(str(round(min(1.0, satisfaction + rng.uniform(-0.08, 0.05)), 3))), 2)
                  for i in items]
        name = f'"{unit.name}"' if "," in unit.name else unit.name  # «Sở Văn hóa, Thể thao và Du lịch»
        lines.append(f"{unit.code},{name}," + ",".join(f'"{vi_number(p)}"' for p in points))
    return write_atomic(dest, ("\n".join(lines) + "\n").encode("utf-8"))


def simulate_returns(campaign: Campaign, seed: int = 2025, progress: Progress | None = None) -> list[Path]:
    """Write the units' filled workbooks into ``inbox/`` as if they had sent them back."""
    scenario = pick_scenario(campaign)
    fw = campaign.framework
    first = next(i for i in fw.regular_items if i.self_scored)
    first_row = next(r.row for r in plan_rows(fw) if r.code == first.code and r.kind == "item")
    written = []
    for done, unit in enumerate(campaign.units, start=1):
        if unit.code != scenario.silent:
            data = build_workbook(campaign, unit, fill_for(unit, campaign, scenario, seed))
            if unit.code == scenario.overwrites:
                data = type_over_formula(data, f"{COLUMNS['score']}{first_row}", first.max)
            dest = campaign.inbox_dir / workbook_filename(unit)
            write_atomic(dest, data)
            written.append(dest)
        if progress:
            progress(done, len(campaign.units), unit.name)
    return written
