"""``parxl framework check|schema|list``: inspect criteria sets."""
from __future__ import annotations

import json

import click
from rich.table import Table
from rich.tree import Tree

from ..core.numbers import ZERO, vi_number
from ..core.resources import bundled_criteria, resolve_criteria
from ..criteria.framework import BLOCK_TITLES, Framework, load_framework
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
    tree = Tree(f"[bold]{m.title}[/]{sample}\n{m.legal_basis}\nKhối {BLOCK_TITLES[m.block]}, "
                f"áp dụng {m.valid_from}–{m.valid_to}, mã «{m.id}»")
    branches = {}
    for row in fw.rows:
        node = row.node
        rule = f" — {rule_title(node.rule.type)}" if node.rule else ""
        label = f"{node.code}. {node.title} [cyan]({vi_number(node.max)} điểm)[/]{rule}"
        parent_code = node.code.rsplit(".", 1)[0] if row.depth else None
        parent = branches.get(parent_code, tree)
        branches[node.code] = parent.add(f"[bold]{label}[/]" if row.depth == 0 else label)
    for kind, title in (("bonus", "Điểm thưởng"), ("penalty", "Điểm trừ")):
        items = [i for i in fw.items if i.kind == kind]
        if items:
            branch = tree.add(f"[bold]{title}[/]")
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
    for field in m.fields:
        leaves = fw.items_of_field(field.code)
        per = {p: sum((i.max for i in leaves if i.part == p), ZERO) for p in parts}
        for p in parts:
            totals[p] += per[p]
        table.add_row(f"{field.code}. {field.title}", *[vi_number(per[p]) for p in parts],
                      vi_number(field.max), str(len(leaves)))
    table.add_row("[bold]Cộng[/]", *[f"[bold]{vi_number(totals[p])}[/]" for p in parts],
                  f"[bold]{vi_number(m.total)}[/]", f"[bold]{len(fw.regular_items)}[/]")
    console.print(table)
    unit = " điểm" if m.bands_on == "points" else "%"
    console.print("Xếp loại: " + "; ".join(f"{b.label} ({b.interval.describe(unit)})" for b in m.bands))
    console.print(f"[green]Bộ chỉ số hợp lệ:[/] tổng {vi_number(m.total)} điểm = "
                  + " + ".join(f"{vi_number(m.parts[p].max)} {fw.part_title(p).lower()}" for p in parts) + ".")


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
