"""``parxl framework check|schema|list``: inspect criteria sets."""
from __future__ import annotations

import json

import click
from rich.table import Table
from rich.tree import Tree

from ..core.numbers import ZERO, vi_number
from ..core.resources import bundled_criteria, resolve_criteria
from ..criteria.framework import Framework, load_framework
from ..criteria.loader import criteria_json_schema
from ..criteria.rules import rule_title
from .console import console


@click.group("framework")
def command() -> None:
    """Xem và kiểm tra bộ chỉ số (tệp YAML)."""


@command.command("check")
@click.argument("criteria", metavar="TỆP_HOẶC_MÃ")
def check(criteria: str) -> None:
    """Kiểm tra bộ chỉ số và in cây tiêu chí với tổng điểm.

    Thoát với mã 0 nếu hợp lệ, 1 nếu có lỗi (liệt kê mọi lỗi kèm vị trí).
    """
    fw = load_framework(resolve_criteria(criteria))
    print_tree(fw)


def print_tree(fw: Framework) -> None:
    """Print the set's tree (each item with its points and its rule type's title), the points per
    field and part, and the bands, on the console."""
    m = fw.model
    sample = " [yellow](MẪU)[/]" if m.sample else ""
    tree = Tree(f"[bold]{m.title}[/]{sample}\n{m.legal_basis}\nKhối {fw.block_title}, "
                f"áp dụng {m.valid_from}–{m.valid_to}, mã «{m.id}»")
    branches = {}
    for row in fw.rows:
        node = row.node
        rule = f" — {rule_title(node.rule.type)}" if node.rule else ""
        label = f"{node.code}. {node.title} [cyan]({vi_number(node.max)} điểm)[/]{rule}{_marks(node)}"
        parent_code = node.code.rsplit(".", 1)[0] if row.depth else None
        parent = branches.get(parent_code, tree)
        branches[node.code] = parent.add(f"[bold]{label}[/]" if row.depth == 0 else label)
    for kind, title in (("bonus", "Điểm thưởng"), ("penalty", "Điểm trừ")):
        items = [i for i in fw.items if i.kind == kind]
        if items:
            cap = getattr(m, f"{kind}_cap")
            branch = tree.add(f"[bold]{title}[/]" + (f" [cyan](cộng lại tối đa {vi_number(cap)})[/]" if cap is not None else ""))
            for item in items:
                branch.add(f"{item.code}. {item.title} [cyan](tối đa {vi_number(item.max)})[/]")
    console.print(tree)

    table = Table(title="Tổng điểm theo lĩnh vực và phần điểm", show_lines=False)
    table.add_column("Lĩnh vực", overflow="fold")
    parts = list(m.parts)
    for part in parts:
        table.add_column(fw.part_title(part), justify="right", overflow="fold")
    table.add_column("Tổng", justify="right", overflow="fold")
    table.add_column("Số tiêu chí chấm", justify="right", overflow="fold")
    totals = {p: ZERO for p in parts}
    views = [fw.for_kind(k) for k in fw.kinds] + [fw.for_kind("")] if fw.has_applies_to else [fw]
    for field in m.fields:
        leaves = fw.items_of_field(field.code)
        per = {p: max(sum((i.max for i in view.items_of_field(field.code) if i.part == p), ZERO)
                      for view in views) for p in parts}  # by unit type: the largest any type gets
        for p in parts:
            totals[p] += per[p]
        table.add_row(f"{field.code}. {field.title}", *[vi_number(per[p]) for p in parts],
                      vi_number(field.max), str(len(leaves)))
    table.add_row("[bold]Cộng[/]", *[f"[bold]{vi_number(totals[p])}[/]" for p in parts],
                  f"[bold]{vi_number(m.total)}[/]", f"[bold]{len(fw.regular_items)}[/]")
    console.print(table)
    if fw.has_applies_to:
        print_kind_totals(fw)
    console.print("Xếp loại: " + "; ".join(f"{b.label} ({b.interval.describe(fw.band_unit)})" for b in m.bands))
    console.print(f"[green]Bộ chỉ số hợp lệ:[/] tổng {vi_number(m.total)} điểm = "
                  + " + ".join(f"{vi_number(m.parts[p].max)} {fw.part_title(p).lower()}" for p in parts) + ".")


def _marks(node) -> str:
    """What a node says beyond its rule: not applicable allowed, the unit types it applies to, scored by the appraisers."""
    marks = []
    if node.not_applicable:
        marks.append(f"được chọn «{node.not_applicable}»")
    if node.applies_to:
        marks.append("chỉ áp dụng: " + ", ".join(node.applies_to))
    if node.scored_by == "appraisers":
        marks.append("cơ quan thẩm định chấm" + (f" ({node.appraiser})" if node.appraiser else ""))
    return "".join(f" [magenta]· {m}[/]" for m in marks)


def print_kind_totals(fw: Framework) -> None:
    """Print, per unit type named by the set's ``applies_to`` (and for the types it names nowhere), the
    points of each part, the total and the number of scored items units of that type get."""
    parts = list(fw.model.parts)
    table = Table(title="Tổng điểm theo loại đơn vị (tiêu chí chỉ áp dụng cho một số loại)", show_lines=False)
    table.add_column("Loại đơn vị", overflow="fold")
    for part in parts:
        table.add_column(fw.part_title(part), justify="right", overflow="fold")
    table.add_column("Tổng", justify="right", overflow="fold")
    table.add_column("Số tiêu chí chấm", justify="right", overflow="fold")
    others = "Loại khác"
    for kind in [*fw.kinds, None]:
        view = fw.for_kind(kind if kind is not None else "")  # "": a type no applies_to names
        table.add_row(kind or others, *[vi_number(view.part_max(p)) for p in parts], vi_number(view.total),
                      str(len(view.regular_items)))
    console.print(table)


@command.command("schema")
def schema() -> None:
    """In JSON Schema của tệp bộ chỉ số (cho trình soạn thảo YAML)."""
    doc = criteria_json_schema()
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


@command.command("list")
def list_sets() -> None:
    """Liệt kê các bộ chỉ số có sẵn."""
    for set_id, path in bundled_criteria().items():
        fw = load_framework(path)
        console.print(f"{set_id}\t{fw.title}")
