"""What the benchmarks share: a synthetic campaign of N units on the commune set, and filled workbooks.

Filled workbooks are built for a few units (``variants``) with the demo's
simulated answers and stamped with every other unit's identity, so 3,321
realistic files cost seconds to make (making them is never what is timed).
"""
from __future__ import annotations

from pathlib import Path

from parxl.campaign.folder import Campaign, init_campaign, load_campaign
from parxl.demo.simulate import fill_for, pick_scenario
from parxl.workbook.build import build_bytes
from parxl.workbook.stamping import TOKENS, Template

REPO = Path(__file__).resolve().parent.parent
COMMUNE_SET = REPO / "templates" / "criteria" / "xa-mau-2025.yaml"
KINDS = ("Xã", "Phường", "Đặc khu")
NAMES = ("An Lưu", "Hiệp An", "Lê Ninh", "Bạch Đằng", "Quang Thành", "Thất Hùng", "Hoành Sơn", "Nhị Chiểu",
         "Phạm Thái", "Ấp Bắc", "Đồng Hỷ", "Tân Phú", "Hưng Đạo", "Minh Tân", "Duy Tân", "Thăng Long")


def make_campaign(root: Path, n_units: int, criteria: Path = COMMUNE_SET) -> Campaign:
    """A campaign folder ``root/campaign`` with ``n_units`` units of Vietnamese names."""
    units = root / "units.csv"
    lines = ["Mã,Tên đơn vị,Loại"]
    for i in range(n_units):
        kind = KINDS[i % len(KINDS)]
        lines.append(f"{10000 + i:05d},{kind} {NAMES[i % len(NAMES)]} {i // len(NAMES) + 1},{kind}")
    units.write_text("\n".join(lines) + "\n", encoding="utf-8")
    init_campaign(root / "campaign", str(criteria), units, 2025, issuer_name="ỦY BAN NHÂN DÂN TỈNH MẪU", place="Mẫu")
    return load_campaign(root / "campaign")


def filled_templates(campaign: Campaign, variants: int) -> list[Template]:
    """Filled workbooks of the first ``variants`` units (the demo's broken ones among them), ready to stamp."""
    scenario = pick_scenario(campaign)
    return [Template(build_bytes(campaign, TOKENS, fill_for(unit, campaign, scenario, seed=2025)))
            for unit in campaign.units[:variants]]
