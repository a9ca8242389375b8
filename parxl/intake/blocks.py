"""Which block's criteria set a returned file is checked against, in a campaign of several blocks.

``validate_in_block(campaign, sub)`` validates a file against its own block's view of the campaign
(``Campaign.for_block``): the block of the unit the file names inside. A file made from one block's
form (its hidden campaign id names that block) for a unit of another block is not read on: it gets
``identity-other-block`` (an error, the unit must fill its own block's form). A file whose form is one
block's while its file name points at a unit of another block is held against the unit its name points
at (an ``errors`` report of that unit with the same finding and no items), so the unit inside keeps its
own file. A campaign without ``blocks:`` is validated exactly as before.
"""
from __future__ import annotations

from ..campaign.blocks import Block
from ..campaign.folder import Campaign
from ..core.findings import FindingList, make, sort_key
from .checks import identity
from .submission import Submission
from .validation import Report, validate

_VIEWS: dict[int, tuple[Campaign, dict[str, Campaign]]] = {}


def block_views(campaign: Campaign) -> dict[str, Campaign]:
    """Block id → the block's view of ``campaign``, made once per loaded campaign (views keep their units
    list, which the file-name matcher indexes)."""
    cached = _VIEWS.get(id(campaign))
    if cached is None or cached[0] is not campaign:
        cached = _VIEWS[id(campaign)] = (campaign, {b.id: campaign.for_block(b) for b in campaign.blocks})
    return cached[1]


def form_block(campaign: Campaign, sub: Submission) -> Block | None:
    """The block whose form ``sub`` was made from (by the campaign id hidden in it), or None."""
    found = sub.meta.get("campaign_id") if sub.meta else None
    for block_id, view in block_views(campaign).items():
        if view.id == found:
            return view.blocks[0]
    return None


def _other_block(campaign: Campaign, sub: Submission, form: Block, unit_block: Block, code: str) -> dict:
    unit = campaign.unit(code)
    return {"file": sub.name, "form_block": form.title, "form_criteria": form.framework.id,
            "unit": code, "name": unit.name if unit else "", "unit_block": unit_block.title,
            "unit_criteria": unit_block.framework.id}


def validate_in_block(campaign: Campaign, sub: Submission) -> Report:
    """``validate`` against the block of the unit ``sub`` names inside (see the module doc).

    Never raises for a bad file. A file from another block's form gives an ``errors`` report of its
    unit with ``identity-other-block`` and no items; a file that names no unit of any block is checked
    against its form's block (or the whole campaign) and comes back ``unreadable`` as before.
    """
    if not campaign.has_blocks or sub.problem is not None:
        return validate(campaign, sub)
    views = block_views(campaign)
    code = sub.meta.get("unit_code") if sub.meta else None
    unit_block = campaign.block_of(code) if code else None
    form = form_block(campaign, sub)
    if form is not None and unit_block is not None and form.id != unit_block.id:
        found = FindingList(file=sub.name)
        for note, params in sub.notes:
            found.add(note, **params)
        found.add("identity-other-block", **_other_block(campaign, sub, form, unit_block, code))  # type: ignore[arg-type]
        unit = campaign.unit(code)  # type: ignore[arg-type]
        named = identity.units_named_by(sub.file_name, campaign.units)
        return Report(sub.name, sub.sha256, sub.size, "errors", unit_code=code, unit_name=unit.name if unit else None,
                      named_unit=named[0].code if named else None, findings=sorted(found.items, key=sort_key))
    block = unit_block or form
    report = validate(views[block.id] if block is not None else campaign, sub)
    named = identity.units_named_by(sub.file_name, campaign.units)
    named_block = campaign.block_of(named[0].code) if named else None
    if (form is not None and named_block is not None and named_block.id != form.id
            and report.unit_code is not None and named[0].code != report.unit_code):
        # another block's unit's valid form filed under this unit's name: held against the unit the file
        # name points at (it must send its own block's form), never against the unit inside, whose own
        # file stays its latest
        other = named[0]
        found = FindingList(file=sub.name)
        found.add("identity-other-block", **_other_block(campaign, sub, form, named_block, other.code))  # type: ignore[arg-type]
        return Report(sub.name, sub.sha256, sub.size, "errors", unit_code=other.code, unit_name=other.name,
                      named_unit=other.code, findings=sorted(found.items, key=sort_key))
    return report


def criteria_fingerprint(campaign: Campaign, unit_code: str | None) -> str:
    """The fingerprint of the criteria set of ``unit_code``'s block (the campaign's set for an unknown unit)."""
    block = campaign.block_of(unit_code) if unit_code else None
    return block.framework.fingerprint if block is not None else campaign.framework.fingerprint
