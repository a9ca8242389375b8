"""Seeded random mutations of a filled workbook, at the zip and the XML level, through read + validate.

Whatever the mutation: no exception (a bad file is a finding), no English
exception text in a message, and never "ok" for a file whose planned rows
were not all read and scored. Reproducible: the seed of each case is in the
failure message.
"""
from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from collections import Counter

import pytest

from conftest import make_campaign
from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import validate
from support.tamper import filled

N_MUTATIONS = 2_000
SNIPPETS = ["<!DOCTYPE x>", "<?pi x?>", "<x/>", "&amp;", "&bogus;", "_x000D_", "_x005F_", "<v>1E+9999999</v>",
            "<v>1E+28</v>", ' r="ZZZ9"', ' r="A1"', "<c><v>7</v></c>", "</row><row>", "<si><t>s</t></si>",
            "\x00", "é", "]]>", "<![CDATA[x]]>", ' t="s"', ' t="inlineStr"', "<v>-1</v>", "<v>99999999</v>"]


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    campaign = make_campaign(tmp_path_factory.mktemp("mut") / "dot")
    data = filled(campaign, campaign.units[0])
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: src.read(info) for info in src.infolist()}
    return campaign, data, parts


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts:
            zf.writestr(name, body)
    return out.getvalue()


def mutate(rnd: random.Random, data: bytes, parts: dict[str, bytes]) -> tuple[str, bytes]:
    """One random mutation: (what was done, the new file)."""
    kind = rnd.choice(["flip", "truncate", "method", "version", "drop", "dup", "case", "xml", "xml", "xml", "xml"])
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rnd.randint(1, 4)):
            out[rnd.randrange(len(out))] ^= 1 << rnd.randrange(8)
        return kind, bytes(out)
    if kind == "truncate":
        return kind, data[: rnd.randrange(len(data))]
    if kind in ("method", "version"):
        out = bytearray(data)
        headers = [m.start() for m in re.finditer(b"PK\x01\x02", data)]
        at = rnd.choice(headers)
        struct.pack_into("<H", out, at + (10 if kind == "method" else 6), rnd.choice([99, 64, 14, 12, 1]))
        return kind, bytes(out)
    items = list(parts.items())
    if kind == "drop":
        del items[rnd.randrange(len(items))]
        return kind, _zip(items)
    if kind == "dup":
        name, body = rnd.choice(items)
        return kind, _zip(items + [(name, body[: len(body) // 2])])
    if kind == "case":
        i = rnd.randrange(len(items))
        items[i] = (items[i][0].upper(), items[i][1])
        return kind, _zip(items)
    i = rnd.randrange(len(items))
    name, body = items[i]
    text = body.decode("utf-8")
    op = rnd.choice(["delete", "repeat", "insert", "digit"])
    a = rnd.randrange(len(text) + 1)
    b = min(len(text), a + rnd.randint(1, 40))
    if op == "delete":
        text = text[:a] + text[b:]
    elif op == "repeat":
        text = text[:b] + text[a:b] * rnd.randint(1, 3) + text[b:]
    elif op == "insert":
        text = text[:a] + rnd.choice(SNIPPETS) + text[a:]
    else:
        digits = [m.start() for m in re.finditer(r"[0-9]", text)]
        if digits:
            k = rnd.choice(digits)
            text = text[:k] + rnd.choice("0123456789") + text[k + 1:]
    items[i] = (name, text.encode("utf-8"))
    return f"xml-{op}:{name}", _zip(items)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_random_mutations_are_findings_never_crashes_nor_false_ok(original):
    campaign, data, parts = original
    max_row = expected_max_row(campaign.framework)
    all_items = {item.code for item in campaign.framework.items}
    codes: Counter = Counter()
    statuses: Counter = Counter()
    for seed in range(N_MUTATIONS):
        rnd = random.Random(seed)
        what, mutated = mutate(rnd, data, parts)
        try:
            report = validate(campaign, read_submission(mutated, name="X01 - Phường An Lưu.xlsx", max_row=max_row))
        except Exception as exc:  # noqa: BLE001 - the point of the test
            raise AssertionError(f"seed {seed} ({what}): {type(exc).__name__}: {exc}") from exc
        statuses[report.status] += 1
        codes.update(f.code for f in report.findings)
        for f in report.findings:
            assert not re.search(r"Error|Exception|Traceback|object at 0x", f.message), (seed, what, f.message)
            assert len(f.message) < 2_000, (seed, what)
        if report.status == "ok":
            assert set(report.items) == all_items and report.total_self is not None, (seed, what)
    print(f"\n{N_MUTATIONS} mutations: {dict(statuses)}; findings: {dict(codes.most_common())}")
    assert statuses["ok"] + statuses["errors"] + statuses["unreadable"] == N_MUTATIONS
