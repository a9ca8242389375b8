"""Exceptions for what cannot go on; each carries a Vietnamese message for the user.

Problems *inside* a returned workbook are not exceptions but findings (see
``parxl.findings``): validation collects them all and carries on.
"""
from __future__ import annotations


class ParxlError(Exception):
    """A problem with the user's input that stops the command (exit code 1)."""

    exit_code = 1


class UnitsError(ParxlError):
    """The units list cannot be read."""


class CampaignError(ParxlError):
    """The campaign folder or campaign.yaml is not usable."""
