"""What a returned workbook should hold, worked out once per criteria set.

The intake's workers check thousands of files against one criteria set; what
depends only on the set (the planned rows, each row's defined name, the title
and scoring text of each label, each item's input cells, the option lists) is
computed here once per ``Framework`` and per state of the layout values it
reads (``layout.FIRST_ROW``, ``NAME_PREFIXES``, ``COLUMNS``, the penalty
prefix), so a test's monkeypatch of the layout still reaches the checks. Nothing
here reads a file: the checks compare a file's cells with these.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from decimal import Decimal

from ...core.texts import normalize_text
from ...criteria.framework import Framework, Item
from ...criteria.rules import InputSpec
from ...workbook import layout
from ...workbook.layout import RowSpec
from ...workbook.texts import scoring_lines


@dataclass(frozen=True)
class Label:
    """The locked label cells of one row: the title as the set words it and the max points.

    ``accepted`` are the titles taken as they are (the title, and with the penalty prefix); a scored
    row's title cell may go on with its scoring lines, ``expected`` (as written today) or ``earlier``
    (before the scoring text said who scores), each line NFC and trimmed; ``whole`` are the complete
    cell texts (title and lines) that are accepted without splitting the cell.
    """

    code: str
    wanted: str
    accepted: tuple[str, ...]
    scored: bool                       # the row is an item's (its title may carry scoring lines)
    expected: list[str]
    earlier: list[str]
    whole: frozenset[str]
    max: Decimal


@dataclass(frozen=True)
class InputReads:
    """A self-scored item's input cells: ``reads`` as (spec, column role, rows below the item's row)."""

    item: Item
    reads: tuple[tuple[InputSpec, str, int], ...]
    columns: dict[str, str]            # input key -> column letter (``layout.input_columns``)


@dataclass(frozen=True)
class Expected:
    """One criteria set's expectations (see the module doc); built by ``expected(framework)``.

    ``specs`` is ``layout.plan_rows``; ``located`` the rows looked for by code and defined name, as
    (spec, defined name, the reference parxl writes for it, the row that reference points at); ``labels`` one per spec (None: a row without a node); ``inputs`` the self-scored items' input cells in
    ``framework.items`` order; ``choices`` the items with a dropdown, with the first choice input's
    spec; ``planned`` the row codes and item codes every readable file must have.
    """

    specs: tuple[RowSpec, ...]
    located: tuple[tuple[RowSpec, str, str, int | None], ...]
    labels: tuple[Label | None, ...]
    inputs: tuple[InputReads, ...]
    choices: tuple[tuple[Item, InputSpec], ...]
    planned: tuple[str, ...]
    item_codes: frozenset[str]
    evidence_items: tuple[Item, ...]   # the items the unit gives evidence for (``Item.unit_evidence``)
    scored_items: tuple[Item, ...]     # the items the unit scores itself (``Item.self_scored``)
    others: tuple[Item, ...]           # the items it does not (survey items, those the appraisers score)
    formulas: tuple[str | None, ...]   # per spec: "item" (a self-scored item's formula), "sum" (a subtotal) or None


_KNOWN: weakref.WeakKeyDictionary[Framework, tuple[tuple, Expected]] = weakref.WeakKeyDictionary()


def _stamp() -> tuple:
    """The layout values ``Expected`` depends on, read now."""
    return (layout.FIRST_ROW, layout.SHEET_ASSESS, tuple(layout.NAME_PREFIXES.items()), tuple(layout.COLUMNS.items()),
            tuple(layout.NA_COLUMNS.items()), layout.WORDING["penalty_prefix"])


def expected(framework: Framework) -> Expected:
    """The ``Expected`` of ``framework`` (one of its ``for_kind`` views counts as its own set), computed
    on first use and kept while the framework lives and the layout values it read are unchanged."""
    stamp = _stamp()
    known = _KNOWN.get(framework)
    if known is None or known[0] != stamp:
        known = _KNOWN[framework] = (stamp, _build(framework))
    return known[1]


def _build(fw: Framework) -> Expected:
    specs = tuple(layout.plan_rows(fw))
    from .structure import name_target  # here: structure imports this module

    sheet = layout.SHEET_ASSESS.replace("'", "''")
    located = []
    for spec in specs:
        if spec.code is None or spec.kind == "adjust_header":
            continue
        name = layout.name_score(spec.code) if spec.item else layout.name_subtotal(spec.code)
        ref = f"'{sheet}'!${layout.COLUMNS['score']}${spec.row}"  # as parxl writes it
        target = name_target({name: ref}, name)
        located.append((spec, name, ref, target[2] if target and target[0] == layout.SHEET_ASSESS else None))
    labels = expected_labels(fw, specs)
    role_of_column = {letter: role for role, letter in layout.COLUMNS.items()}
    inputs = []
    choices = []
    for item in fw.items:
        item_specs = item.rule.inputs(item.max)
        if item.self_scored:
            columns = layout.input_columns(item)
            inputs.append(InputReads(item, tuple((s, role_of_column[columns[s.key]], s.row) for s in item_specs),
                                     columns))
        choice = next((s for s in item_specs if s.kind == "choice"), None)
        if choice is not None:
            choices.append((item, choice))
    planned_rows = [spec.code for spec in specs if spec.code is not None and spec.kind != "adjust_header"]
    planned = tuple(dict.fromkeys(planned_rows + [i.code for i in fw.items]))
    return Expected(specs, tuple(located), labels, tuple(inputs), tuple(choices), planned,
                    frozenset(i.code for i in fw.items), tuple(i for i in fw.items if i.unit_evidence),
                    tuple(i for i in fw.items if i.self_scored), tuple(i for i in fw.items if not i.self_scored),
                    tuple(formula_kind(spec) for spec in specs))


def formula_kind(spec: RowSpec) -> str | None:
    """What formula ``spec``'s score cell holds: "item" (a self-scored item's), "sum" (a subtotal) or None."""
    if spec.kind in ("item", "bonus", "penalty"):
        return "item" if spec.item is not None and spec.item.self_scored else None
    return "sum" if spec.kind in ("field", "criterion") else None


def expected_labels(fw: Framework, specs) -> tuple[Label | None, ...]:
    """The ``Label`` of each of ``specs`` (``RowSpec``), None for a row whose code names no node of ``fw``."""
    nodes = {row.node.code: row.node for row in fw.rows}
    nodes.update({i.code: i for i in fw.items if i.kind != "regular"})
    return tuple(_label(fw, nodes[spec.code], spec) if spec.code in nodes else None for spec in specs)


def _label(fw: Framework, node, spec: RowSpec) -> Label:
    wanted = normalize_text(node.title).strip()
    accepted = (wanted, layout.WORDING["penalty_prefix"] + wanted)
    expected_lines: list[str] = []
    earlier: list[str] = []
    whole: set[str] = set()
    if spec.item is not None:
        expected_lines = [normalize_text(line).strip() for line in scoring_lines(spec.item, fw.decimals)]
        earlier = [normalize_text(line).strip() for line in scoring_lines(spec.item, fw.decimals, rule_text=True)]
        for head in accepted:
            for lines in (expected_lines, earlier):
                text = "\n".join([head, *lines])
                if text == text.strip() and head_and_lines_match(text, accepted, expected_lines, earlier):
                    whole.add(text)
    return Label(spec.code or "", wanted, accepted, spec.item is not None, expected_lines, earlier,
                 frozenset(whole), node.max)


def head_and_lines_match(title: str, accepted: tuple[str, ...], expected_lines: list[str],
                         earlier: list[str]) -> bool:
    """Whether a title cell's text (trimmed) is an accepted title followed by the scoring lines, one a line
    (``\\r\\n`` or ``\\n``; each line compared NFC and trimmed), as written today or earlier."""
    head, _, rest = title.replace("\r\n", "\n").partition("\n")
    lines = [normalize_text(line).strip() for line in rest.split("\n")]
    return head.strip() in accepted and lines in (expected_lines, earlier)
