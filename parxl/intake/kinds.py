"""The hidden identity sheets of parxl's other workbook kinds that may arrive in inbox/ beside self-assessments.

Intake reads every workbook in inbox/ as a self-assessment unless its hidden identity sheet says it is
another kind; such a file is handed on to the stage that owns that kind (``parxl.explanation`` for a
giải trình workbook) instead of being judged as a self-assessment.
"""
from __future__ import annotations

EXPLANATION_META_SHEET = "parxl-giaitrinh"  # the giải trình workbook's hidden identity (parxl.explanation.layout)

OTHER_KINDS = {EXPLANATION_META_SHEET: "explanation"}  # identity sheet -> kind


def other_kind(sheet_names) -> str | None:
    """The kind of a workbook whose sheets are ``sheet_names`` when it is not a self-assessment, else None."""
    return next((kind for sheet, kind in OTHER_KINDS.items() if sheet in sheet_names), None)
