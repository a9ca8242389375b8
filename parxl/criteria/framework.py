"""Criteria sets (Bộ chỉ số): the public façade of ``model`` (the YAML model and the loaded
``Framework``), ``loader`` (``load_framework``, ``parse_framework``) and ``messages`` (``Problem``,
``FrameworkError``, ``check_model``).

``load_framework(path)`` returns a ``Framework`` or raises ``FrameworkError`` carrying *every*
problem found, each with its YAML path (``fields[2].items[0].max``) and a Vietnamese message.
Import from here; the three modules are its parts.
"""
from __future__ import annotations

from .loader import load_framework, parse_framework
from .messages import ADJUSTMENT_CODE_MAX, FrameworkError, Problem, check_model
from .model import (
    BLOCK_TITLES,
    NA_KEY,
    PART_TITLES,
    Adjustment,
    Band,
    BlockId,
    CriteriaSet,
    Framework,
    Item,
    Node,
    Part,
    PartId,
    Row,
)

__all__ = [
    "ADJUSTMENT_CODE_MAX", "Adjustment", "BLOCK_TITLES", "Band", "BlockId", "CriteriaSet", "Framework",
    "FrameworkError", "Item", "Node", "PART_TITLES", "Part", "PartId", "Problem", "Row", "check_model",
    "load_framework", "parse_framework", "NA_KEY",
]
