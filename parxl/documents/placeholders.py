"""What makes a draft look final when it is not: «…» left in campaign.yaml, and a SAMPLE criteria set.

``draft_warnings(campaign, document, used)`` gives one Vietnamese line per
campaign.yaml entry still holding a placeholder that the document shows (known
from the template variables ``used``, so an edited template that leaves a part
out is not warned about), and the sample-set warning ``generate`` gives.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..campaign.folder import Campaign
from ..core.texts import normalize_text
from ..workbook.texts import sample_set_warning

DOCUMENTS = ("decision", "notices", "report")
_ALL = "*"

# campaign.yaml entry -> the template variables it feeds, per document (``*``: every document).
FEEDS: dict[str, dict[str, set[str]]] = {
    "issuer.name": {_ALL: {"issuer_name", "issuer_lines", "issuer_name_text"}},
    "issuer.parent": {_ALL: {"issuer_parent", "issuer_parent_lines"}},
    "issuer.place": {_ALL: {"place", "place_date"}},
    "issuer.short": {_ALL: {"issuer_short"}, "notices": {"number"}, "report": {"number"}},
    "issuer.authority": {_ALL: {"authority", "authority_text"}},
    "issuer.proposer": {_ALL: {"proposer"}},
    "signer.name": {_ALL: {"signer_name"}},
    "signer.title": {_ALL: {"signer_lines"}},
    "signer.on_behalf": {_ALL: {"signer_lines"}},
    "signer.deputy_of": {_ALL: {"signer_lines"}},
    "decision.number": {"decision": {"number"}, "notices": {"decision_ref"}, "report": {"decision_ref"}},
    "decision.date": {"decision": {"place_date", "date_short"}, "notices": {"decision_ref"},
                      "report": {"decision_ref"}},
    "plan.number": {"decision": {"plan_basis"}, "report": {"plan_basis"}},
    "plan.date": {"decision": {"plan_basis"}, "report": {"plan_basis"}},
    "plan.title": {"decision": {"plan_basis"}, "report": {"plan_basis"}},
    "recipients": {"decision": {"recipients"}, "report": {"report_to"}},
    "contact.office": {_ALL: {"office"}},
    "contact.person": {"notices": {"contact"}},
    "contact.phone": {"notices": {"contact"}},
    "contact.email": {"notices": {"contact"}},
}

# The plan (``parxl plan``) shows its own number and date, and the contact.
FEEDS["plan.number"]["plan"] = {"number"}
FEEDS["plan.date"]["plan"] = {"place_date"}
for _key in ("contact.person", "contact.phone", "contact.email"):
    FEEDS[_key]["plan"] = {"contact"}

# Entries that may be left out: then the document leaves the line out, which is no placeholder.
_OPTIONAL = {"issuer.parent", "plan.title", "signer.on_behalf", "signer.deputy_of", "contact.person", "contact.phone",
             "contact.email"}


def _value(campaign: Campaign, path: str) -> object:
    """A dotted campaign.yaml entry (None when it, or its section, is not there)."""
    value: object = campaign.config
    for key in path.split("."):
        value = getattr(value, key, None) if value is not None else None
    return value


def _dotted(text: str) -> bool:
    text = normalize_text(text)
    return "…" in text or "..." in text


_EMPTY = "để trống: văn bản sẽ ghi «…» hoặc bỏ trống chỗ này"


def _problem(path: str, value: object) -> str | None:
    """How the entry is still a placeholder and what the document then shows, or None."""
    if isinstance(value, (list, tuple)):
        dotted = [v for v in value if isinstance(v, str) and _dotted(v)]
        if dotted:
            return f"còn «{normalize_text(dotted[0])}»: văn bản sẽ ghi nguyên như vậy"
        return _EMPTY if not value else None
    if isinstance(value, str) and _dotted(value):
        return f"còn «{normalize_text(value)}»: văn bản sẽ ghi nguyên như vậy"
    if path in _OPTIONAL:
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        return _EMPTY
    return None


def placeholder_warnings(campaign: Campaign, document: str, used: Iterable[str]) -> list[str]:
    """One line per campaign.yaml entry left as a placeholder that ``document`` shows.

    ``document`` is ``decision``, ``notices`` or ``report``; ``used`` the variables of
    its template (``render.template_variables``). An optional entry left out (no
    ``issuer.parent``, no contact phone) shows nothing and is not warned about; a
    date or number left out shows «…» and is; a plan not cited at all is left out.
    """
    used = set(used)
    out = []
    for path, feeds in FEEDS.items():
        if not (feeds.get(_ALL, set()) | feeds.get(document, set())) & used:
            continue
        if path.startswith("plan.") and campaign.config.plan is None:
            continue
        problem = _problem(path, _value(campaign, path))
        if problem:
            out.append(f"campaign.yaml, mục «{path}» chưa điền ({problem}); hãy điền rồi soạn lại.")
    return out


def draft_warnings(campaign: Campaign, document: str, used: Iterable[str]) -> list[str]:
    """Every warning a draft of ``document`` gets: placeholders first, then a SAMPLE criteria set."""
    out = placeholder_warnings(campaign, document, used)
    sample = sample_set_warning(campaign, before="ban hành văn bản")
    if sample:
        out.append(f"{sample[:-1]}; văn bản đang dẫn căn cứ của bộ mẫu: «{campaign.framework.model.legal_basis}».")
    return out
