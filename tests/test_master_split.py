"""The master written in parts: detail rows compressed aside (another process) and spliced raw, XlsxWriter's
formula preparation skipped when it would change nothing, the snapshot read a unit at a time (each unit's
details when first used), its head alone for ``made_at``, and the CLI loading a command's module only when it is asked for.

Oracles: zlib's own CRC-32 and decompression, zipfile's CRC check (``testzip``), ``append_rows`` (the sheet
XML written the plain way), XlsxWriter's own ``_prepare_formula``, ``json.loads`` of the whole snapshot,
openpyxl reading the cells, ``sys.modules`` in a fresh interpreter.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
import zlib
from decimal import Decimal as D
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook

import parxl.master as master_module
from parxl.master import write_master
from parxl.master.fastrows import (RowsAside, RowWriter, append_rows, crc32_combine, deflate_rows, quick_formulas,
                                   splice_rows)
from parxl.master.snapshot import SnapshotError, load_snapshot, save_snapshot, snapshot_head

from test_master import sample_results

REPO = Path(__file__).resolve().parents[1]


def test_crc32_combine_is_zlibs_crc_of_the_joined_bytes():
    rng = __import__("random").Random(7)
    for n1, n2 in [(0, 0), (0, 5), (5, 0), (1, 1), (77, 1000), (3000, 123_457)]:
        a, b = rng.randbytes(n1), rng.randbytes(n2)
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), n2) == zlib.crc32(a + b)


def _rows(n: int) -> list[str]:
    writer = RowWriter(4)
    return [writer.row(r, writer.cells(0, (f"U{r}", f"Xã {{Số}} {r} & <b>", D(r) / 4, None))) for r in range(5, 5 + n)]


def _draft(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    first = wb.add_worksheet("Một")
    first.write_string(0, 0, "trước")
    detail = wb.add_worksheet("Chi tiết")
    detail.write_string(3, 0, "Mã")
    detail.autofilter(3, 0, 3, 3)
    wb.close()


@pytest.mark.parametrize("n", [0, 1, 5000])  # 5000: more than one chunk of rows
def test_spliced_rows_give_the_sheet_append_rows_writes(tmp_path, n):
    _draft(tmp_path / "draft.xlsx")
    rows = _rows(n)
    last_row = 3 + n
    append_rows(tmp_path / "draft.xlsx", tmp_path / "plain.xlsx", 1, iter(rows), last_row, 3)
    packed = deflate_rows(iter(rows), tmp_path / "rows.bin")
    splice_rows(tmp_path / "draft.xlsx", tmp_path / "spliced.xlsx", 1, packed, last_row, 3)
    expected = "".join(rows).encode("utf-8")
    assert packed.size == len(expected) and packed.crc == zlib.crc32(expected)
    assert zlib.decompressobj(-15).decompress((tmp_path / "rows.bin").read_bytes()) == expected
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as plain, zipfile.ZipFile(tmp_path / "spliced.xlsx") as spliced:
        assert spliced.testzip() is None  # every member's CRC-32 and size as stored
        assert plain.namelist() == spliced.namelist()
        for name in plain.namelist():
            assert plain.read(name) == spliced.read(name), name
    ws = load_workbook(tmp_path / "spliced.xlsx", read_only=True)["Chi tiết"]
    got = [r for r in ws.iter_rows(min_row=5, values_only=True)]
    assert len(got) == n
    if n:
        assert got[0] == ("U5", "Xã {Số} 5 & <b>", 1.25, None) and got[-1][0] == f"U{4 + n}"


def test_rows_made_in_another_process_are_the_rows_made_here(tmp_path):
    rows = _rows(3000)
    with RowsAside(lambda: iter(rows), tmp_path / "aside.bin", parallel=True) as aside:
        away = aside.result()
    with RowsAside(lambda: iter(rows), tmp_path / "here.bin", parallel=False) as here_:
        here = here_.result()
    assert (away.crc, away.size) == (here.crc, here.size) == (zlib.crc32("".join(rows).encode()), len("".join(rows).encode()))
    assert zlib.decompressobj(-15).decompress(away.path.read_bytes()) == "".join(rows).encode()


def test_a_master_written_with_its_rows_made_aside_is_the_master_written_in_one_process(tmp_path, monkeypatch):
    results = sample_results(tmp_path)
    monkeypatch.setattr(master_module, "PARALLEL_FROM_ROWS", 10 ** 9)
    one = write_master(results, tmp_path / "one")
    monkeypatch.setattr(master_module, "PARALLEL_FROM_ROWS", 0)
    two = write_master(results, tmp_path / "two")
    with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
        assert b.testzip() is None and a.namelist() == b.namelist()
        assert all(a.read(n) == b.read(n) for n in a.namelist())
    assert not [p for p in (tmp_path / "two").iterdir() if p.name != two.name]  # no temp file left


FORMULAS = ["=SUM(A1:B1)", "ROUND(A5+B5-C5,2)", '=IF(O5>=90,"Tốt",IF(O5>=80,"Khá","Yếu"))',
            "=RANK(O5,$O$5:$O$9)+COUNTIFS($O$5:$O$9,O5,$P$5:$P$9,\">\"&P5)", "=XLOOKUP(A1,B:B,C:C)",
            "=_xlfn.STDEV.S(A1:A3)", "{=SUM(A1:A3*B1:B3)}", "=UNIQUE(A1:A9)", "=TEXTJOIN(\",\",1,A1:A3)",
            "=A1&\"SINGLE(\"", "=SORTBY(A1:A3,B1:B3)", "=LAMBDA(x,x+1)(2)", "=STDEV.S(A1:A3)"]


@pytest.mark.parametrize("future", [False, True])
def test_quick_formula_preparation_is_xlsxwriters_own(tmp_path, future):
    wb = xlsxwriter.Workbook(str(tmp_path / "f.xlsx"), {"use_future_functions": future})
    ws = wb.add_worksheet()
    own = [ws._prepare_formula(f) for f in FORMULAS] + [ws._prepare_formula(f, True) for f in FORMULAS]
    quick_formulas(ws)
    assert [ws._prepare_formula(f) for f in FORMULAS] + [ws._prepare_formula(f, True) for f in FORMULAS] == own
    wb.close()


def _snapshot(tmp_path: Path):
    results = sample_results(tmp_path)
    master = write_master(results, results.campaign.output_dir)
    return results, save_snapshot(results, master, {"ledger": "x"})


def test_a_snapshot_read_a_unit_at_a_time_is_the_one_json_reads_whole(tmp_path):
    results, path = _snapshot(tmp_path)
    streamed = load_snapshot(results.campaign, path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    pretty = tmp_path / "pretty.json"  # written another way (spaces, new lines): read as a whole, same results
    pretty.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    whole = load_snapshot(results.campaign, pretty)
    spaced = tmp_path / "spaced.json"  # «"units":[» as written, the details' key spaced otherwise
    spaced.write_text(json.dumps(doc, ensure_ascii=False, separators=(", ", ":")), encoding="utf-8")
    assert load_snapshot(results.campaign, spaced).results.units == results.units
    assert streamed.results.units == whole.results.units == results.units
    assert [u.unit.code for u in streamed.results.units] == [u["unit"]["code"] for u in doc["units"]]
    assert (streamed.made_at, streamed.fingerprint) == (doc["made_at"], doc["fingerprint"])
    head = snapshot_head(path)
    assert head == {**{k: v for k, v in doc.items() if k != "details"}, "units": []}
    assert snapshot_head(pretty) == head  # read from the whole file


@pytest.mark.parametrize("damage", [lambda t: t[:-1], lambda t: t + "x", lambda t: t.replace('},{"unit"', '}{"unit"', 1),
                                    lambda t: t[: len(t) // 2]])
def test_a_damaged_snapshot_is_refused_as_before(tmp_path, damage):
    results, path = _snapshot(tmp_path)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SnapshotError, match="Hãy chạy lại «parxl consolidate»") as refused:
        load_snapshot(results.campaign, path)
    assert "Error" not in str(refused.value)  # no Python exception name for the clerk


def test_made_at_is_read_from_the_head_alone(tmp_path):
    results, path = _snapshot(tmp_path)
    text = path.read_text(encoding="utf-8")
    at = text.index('"units":[') + len('"units":[')
    path.write_text(text[:at] + "not json at all" * 10_000, encoding="utf-8")  # units unreadable: head still reads
    assert snapshot_head(path)["made_at"] == results.made_at


def _totals(units) -> list[tuple]:
    return [(u.unit, u.status, u.self_total, u.total, u.index, u.rank, u.band, u.source, u.max_points) for u in units]


def test_details_read_when_first_used_are_the_ones_consolidate_made(tmp_path):
    results, path = _snapshot(tmp_path)
    later = load_snapshot(results.campaign, path, details=False).results
    assert _totals(later.units) == _totals(results.units)  # before any unit's details are read
    assert not any(isinstance(u.items, dict) for u in later.units)
    assert later.units[2].items["1.3"] == results.units[2].items["1.3"]  # the first use reads every unit's
    assert all(isinstance(getattr(u, name), dict) for u in later.units
               for name in ("items", "field_points", "field_index", "node_max", "node_points", "node_index"))
    assert later.units == results.units


def _replaced(path: Path) -> None:
    copy = path.with_suffix(".copy")
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)  # the same bytes under another inode


@pytest.mark.parametrize("change", [_replaced, Path.unlink])
def test_details_of_a_snapshot_changed_since_its_units_were_read_are_refused(tmp_path, change):
    results, path = _snapshot(tmp_path)
    later = load_snapshot(results.campaign, path, details=False).results
    change(path)
    with pytest.raises(SnapshotError, match="chạy lại lệnh|Không đọc được"):
        dict(later.units[0].items)


@pytest.mark.parametrize("damage", [lambda t: t[:-3], lambda t: t.replace('},{"items"', '}{"items"', 1),
                                    lambda t: t[:-2] + ',{"items":{}}]}',  # one details more than units
                                    lambda t: t[:t.rindex(',{"items"')] + "]}"])  # one fewer
def test_damaged_details_are_refused_at_once_or_when_first_used(tmp_path, damage):
    results, path = _snapshot(tmp_path)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(SnapshotError):
        load_snapshot(results.campaign, path)
    later = load_snapshot(results.campaign, path, details=False).results
    assert _totals(later.units) == _totals(results.units)
    with pytest.raises(SnapshotError):
        later.units[0].node_index.get("1")


def test_a_version_1_snapshot_still_reads(tmp_path):
    """Version 1 (each unit's details inside it; finalized copies may be of it), as json writes it."""
    results, path = _snapshot(tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    old = {**{k: v for k, v in doc.items() if k not in ("details", "unappraised")}, "version": 1,
           "units": [{**u, **d} for u, d in zip(doc["units"], doc["details"], strict=True)]}
    for n, layout in enumerate([{"separators": (",", ":")}, {"indent": 2}]):
        v1 = tmp_path / f"v1-{n}.json"
        v1.write_text(json.dumps(old, ensure_ascii=False, **layout), encoding="utf-8")
        for details in (True, False):
            read = load_snapshot(results.campaign, v1, details=details).results
            assert read.units == results.units and read.unappraised is None
        assert snapshot_head(v1) == {**old, "units": []}
    v2_in_a_v1_file = tmp_path / "mixed.json"
    v2_in_a_v1_file.write_text(path.read_text(encoding="utf-8").replace('"version":2', '"version":1', 1), encoding="utf-8")
    with pytest.raises(SnapshotError, match="không phải kết quả"):
        load_snapshot(results.campaign, v2_in_a_v1_file)


def test_the_cli_imports_a_commands_module_only_when_it_is_asked_for():
    code = ("import sys; from parxl.cli import main, COMMAND_MODULES; "
            "before = sorted(m for m in sys.modules if m.endswith('_cmd')); "
            "names = list(main.commands); main.get_command(None, 'consolidate'); "
            "after = sorted(m for m in sys.modules if m.startswith('parxl.cli.') and m.endswith('_cmd')); "
            "print(before, len(names) == len(COMMAND_MODULES), 'parxl.cli.notices_cmd' in after, "
            "'parxl.cli.consolidate_cmd' in after, 'docxtpl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}).stdout.split()
    assert out == ["[]", "True", "False", "True", "False"]


def test_memoised_figures_are_the_ones_computed_each_time():
    from fractions import Fraction

    from parxl.results.compute import _node_sums, _plan, _rounded, _shared, index_of  # noqa: F401

    def by_hand(points: D, top: D) -> str:  # half-up to two decimals, in exact fractions
        x = Fraction(points) * 100 / Fraction(top)
        cents = int(abs(x) * 100 + Fraction(1, 2))
        sign = "-" if x < 0 or (x == 0 and points.is_signed()) else ""
        return f"{sign}{cents // 100}.{cents % 100:02d}"

    pairs = [(D("1"), D("3")), (D("1.0"), D("3")), (D("1.00"), D("3.0")), (D("-0"), D("4")), (D("0"), D("4")),
             (D("2.5"), D("7")), (D("2.50"), D("7.000")), (D("-1.5"), D("4")), (D("7"), D("7"))]
    for _ in range(2):  # the second time from the memo
        assert [str(index_of(p, m)) for p, m in pairs] == [by_hand(p, m) for p, m in pairs]
    for text in ["3", "3.0", "3.00", "1E+1", "10", "-0", "0"]:
        assert str(_shared(D(text))) == text
