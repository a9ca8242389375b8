"""Finalised results (chốt kết quả): the snapshot of a master frozen, and reopening it, recorded in the ledger.

Placeholder until part 5: nothing is frozen yet.
"""
from __future__ import annotations

from ..campaign.folder import Campaign


def frozen_notice(campaign: Campaign) -> str:
    """The line commands print after recording something once the results are final ("" when they are not)."""
    return ""
