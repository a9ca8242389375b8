"""The ledger's rows of a report's items (``store.item_rows``) hold exactly what ``json.dumps`` writes.

The inputs and evidence are put together as JSON text directly for the usual values; the oracle
is ``json.dumps(…, ensure_ascii=False)`` of the same values (Decimals as ``{"d": "…"}``), on seeded
random inputs with quotes, backslashes, control characters, Vietnamese text, Decimals in every form,
None, and values of other types.
"""
from __future__ import annotations

import json
import random
from decimal import Decimal

from parxl.intake.validation import FileItem, Report
from parxl.ledger.store import item_rows

TEXTS = ["", "Ban hành kịp thời", 'a "quoted" \\ back', "tab\there\nnew line", "\x00\x1f\x7f", "Đạt 100%",
         "https://x.gov.vn/a b?c=1&d=2", "\u2028\u2029", "emoji 😀", "_x000D_"]
DECIMALS = ["0", "1", "0.50", "-0", "1E+2", "12345678901234567890.123", "-3.25", "1e-7"]


def _value(rng: random.Random):
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(TEXTS)
    if kind in (1, 2):
        return Decimal(rng.choice(DECIMALS))
    if kind == 3:
        return None
    if kind == 4:
        return rng.choice([True, False, 7, 2.5])  # not read from a workbook today: still the same text
    return rng.choice(TEXTS) + rng.choice(TEXTS)


def _expected(item: FileItem) -> tuple:
    inputs = {k: {"d": str(v)} if isinstance(v, Decimal) else v for k, v in item.inputs.items()}
    return (item.code, json.dumps(inputs, ensure_ascii=False), str(item.score),
            None if item.cached is None else str(item.cached), json.dumps(item.evidence, ensure_ascii=False),
            item.explanation)


def test_item_rows_are_json_dumps_of_the_items():
    rng = random.Random(18)
    report = Report("a.xlsx", "0" * 64, 1, "ok")
    for n in range(400):
        keys = rng.sample(["numerator", "denominator", "choice", "count", 'k"ey', "điểm"], rng.randrange(0, 4))
        evidence = [rng.choice(TEXTS) for _ in range(rng.randrange(0, 3))]
        report.items[f"1.{n}"] = FileItem(f"1.{n}", {k: _value(rng) for k in keys}, Decimal(rng.choice(DECIMALS)),
                                          rng.choice([None, Decimal("0.5"), "#REF!"]), evidence, rng.choice(TEXTS))
    rows = item_rows(report)
    assert rows == [_expected(item) for item in report.items.values()]
    assert any(row[1].count('{"d": ') >= 2 for row in rows) and any("null" in row[1] for row in rows)
