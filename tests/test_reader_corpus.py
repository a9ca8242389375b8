"""The returned-file corpus of issue 11: one filled workbook, as other programs write it back.

One unit's workbook is generated and filled (``ORIGINAL``). Each case rewrites
it the way a real program writes files (zip/XML transformations), or fills the
blank workbook in LibreOffice and saves it in another format (UNO round trips).
Every case asserts two things:

* **Outcome**: either the same item results as the original (inputs, score,
  accepted evidence, explanation of every item; status, total and finding
  codes), or one named finding.
* **Cells**: parxl's reader (``read_submission(...).assess``) gives the same
  cached values, cell by cell (code, inputs, score, explanation and evidence
  columns, and the metadata sheet), as independent readers that read the
  variant right: openpyxl, python-calamine, and LibreOffice (the variant
  converted to .xlsx by ``soffice``, then read by openpyxl). A reader bug
  therefore cannot hide behind a matching wrong expectation.

Broken packages (a referenced part missing, empty or cut, a shared-string index
out of range, two zip entries of one name) must give one error finding on the
file instead. ``test_variant_means_what_the_original_means`` checks the corpus
itself: each independent reader reads each variant as it reads the original.

A case parxl's reader gets wrong is marked ``xfail(strict=True)`` with what it
reads wrong (none today: the cases the old reader failed were fixed for issue 11).
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import make_campaign
from parxl.intake.submission import expected_max_row, read_submission
from parxl.intake.validation import Report, validate
from parxl.workbook import layout
from support import variants as V
from support.libreoffice import recalculate
from support.tamper import MINI_ANSWERS, ROW, filled

pytestmark = pytest.mark.libreoffice

FILE_NAME = "X01 - Phường An Lưu.xlsx"
TWO_LINKS = ["https://kinhmon.haiduong.gov.vn/van-ban/1.2a.pdf", "https://kinhmon.haiduong.gov.vn/van-ban/1.2b.pdf"]
EVIDENCE = {"1.2": TWO_LINKS}  # one cell with two lines: the line break is what Excel escapes as _x000D_
EXPLANATIONS = {"1.5": "Sáng kiến «Một cửa liên thông» được UBND thị xã công nhận"}
ASSESS_COLS = ("A", "D", "E", "F", "G", "H")  # code, inputs, score, explanation, evidence
ASSESS_ROWS = range(1, ROW["total"] + 1)
META_ROWS = range(1, len(layout.META_KEYS) + 1)


# Fixtures: the campaign, the original, and every LibreOffice conversion (one soffice start each kind)
@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    campaign = make_campaign(tmp_path_factory.mktemp("corpus") / "dot-danh-gia")
    unit = campaign.units[0]
    original = filled(campaign, unit, evidence=EVIDENCE, explanations=EXPLANATIONS)
    report = _validate(campaign, original)
    assert report.status == "ok" and report.findings == [], [(f.code, f.message) for f in report.findings]
    assert report.items["1.2"].evidence == TWO_LINKS
    return campaign, original, report


def _read(campaign, source, name=FILE_NAME):
    return read_submission(source, name=name, max_row=expected_max_row(campaign.framework))


def _validate(campaign, source, name=FILE_NAME) -> Report:
    return validate(campaign, _read(campaign, source, name))


def outcome(report: Report) -> dict:
    """What a campaign takes from a file: per-item inputs, score, accepted evidence, explanation; status, total."""
    return {
        "status": report.status, "unit": report.unit_code, "total": report.total_self,
        "findings": sorted(f.code for f in report.findings),
        "items": {code: (r.inputs, r.score, r.evidence, r.explanation) for code, r in report.items.items()},
    }


def parxl_view(sub) -> dict:
    """The compared cells as parxl read them: the self-assessment sheet and the metadata sheet."""
    assert sub.readable, sub.problem
    assert sub.assess is not None and sub.meta_sheet is not None
    return {"assess": V.parxl_cells(sub.assess, ASSESS_ROWS, ASSESS_COLS),
            "meta": V.parxl_cells(sub.meta_sheet, META_ROWS, ("A", "B"))}


def reference_view(data: bytes, reader: str, meta: bool = True) -> dict:
    out = {"assess": V.reference_cells(data, reader, layout.SHEET_ASSESS, ASSESS_ROWS, ASSESS_COLS)}
    if meta:
        out["meta"] = V.reference_cells(data, reader, layout.SHEET_META, META_ROWS, ("A", "B"))
    return out


def assert_same_cells(mine: dict, theirs: dict, who: str) -> None:
    for sheet, cells in theirs.items():
        got = mine[sheet]
        diff = {k: (cells.get(k), got.get(k)) for k in sorted(set(cells) | set(got)) if cells.get(k) != got.get(k)}
        assert not diff, f"{who} vs parxl on {sheet} ((row, col): (expected, parxl)): {diff}"
        assert len(cells) > (30 if sheet == "assess" else 15), (who, sheet, len(cells))  # really compared


# The zip/XML corpus --------------------------------------------------------
def xfail(reason: str):
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"issue 11: {reason}")


# id: (transformation, independent readers that read it right, xfail reason or None).
# openpyxl reads neither Strict nor part names in another case and leaves _x000D_ as it is; LibreOffice 7.4
# reads no sheet whose part name differs in case and turns a CR LF inside a cell into one line break.
ALL3 = ("openpyxl", "calamine", "libreoffice")
ZIP_CASES = {
    "prefixed-spreadsheetml": (V.prefixed_spreadsheetml, ALL3, None),
    "prefixed-relationships": (V.prefixed_relationships, ALL3, None),
    "strict-open-xml": (V.strict_open_xml, ("libreoffice",), None),
    "absolute-targets": (V.absolute_targets, ALL3, None),
    "rich-text-runs": (V.rich_text_runs, ALL3, None),
    "phonetic-runs": (V.phonetic_runs, ALL3, None),
    "inline-strings": (V.inline_strings, ALL3, None),
    "protection-removed": (V.protection_removed, ALL3, None),
    "dimension-lies": (V.dimension_lies, ALL3, None),
    "cells-without-r-after-first": (V.cells_without_r_after_first, ALL3, None),
    "cells-and-rows-without-r": (V.cells_and_rows_without_r, ALL3, None),
    "sheet-part-other-case": (V.part_renamed("xl/worksheets/sheet2.xml", "xl/worksheets/Sheet2.xml"),
                              ("calamine",), None),
    "shared-strings-other-case": (V.part_renamed("xl/sharedStrings.xml", "xl/SharedStrings.xml"),
                                  ("calamine", "libreoffice"), None),
    "cr-escaped-shared": (V.cr_escaped, ("calamine",), None),
    "cr-escaped-inline": (V.cr_escaped_inline, ("calamine",), None),
    "shared-strings-reordered": (V.shared_strings_reordered, ALL3, None),
}
NO_CACHED = "formulas-without-cached-values"
ORIGINAL = "original"
CR_LF = "\r\n".join(TWO_LINKS)
# What the variant means where it differs from the original, cell by cell: a real carriage return.
# (LibreOffice is not asked about these: it reads CR LF as one line break.)
MEANING_CHANGES = {"cr-escaped-shared": {(ROW["1.2"], "H"): CR_LF}, "cr-escaped-inline": {(ROW["1.2"], "H"): CR_LF}}


def _reference(case: str, reader: str, variants, converted) -> dict:
    if reader == "libreoffice":
        return reference_view(converted[case], "openpyxl")
    return reference_view(variants[case], reader)


@pytest.mark.parametrize("case", [*ZIP_CASES, NO_CACHED])
def test_variant_means_what_the_original_means(case, variants, converted):
    """The corpus itself: each independent reader reads the variant as it reads the original (parxl not involved).

    This is what makes an xfail below a fault of parxl's reader, not of the transformation.
    """
    readers = ZIP_CASES[case][1] if case in ZIP_CASES else ("libreoffice",)
    for reader in readers:
        expected = _reference(ORIGINAL, reader, variants, converted)
        expected["assess"].update(MEANING_CHANGES.get(case, {}))
        assert _reference(case, reader, variants, converted) == expected, reader


@pytest.fixture(scope="module")
def variants(corpus) -> dict[str, bytes]:
    _, original, _ = corpus
    out = {case: fn(original) for case, (fn, _, _) in ZIP_CASES.items()}
    out[NO_CACHED] = V.no_cached_values(original)
    out[ORIGINAL] = original
    return out


@pytest.fixture(scope="module")
def converted(variants, tmp_path_factory, soffice) -> dict[str, bytes]:
    """Every variant opened and saved as .xlsx by LibreOffice (one soffice start), for the cell comparison."""
    root = tmp_path_factory.mktemp("lo-convert")
    (root / "in").mkdir()
    paths = []
    for case, data in variants.items():
        path = root / "in" / f"{case}.xlsx"
        path.write_bytes(data)
        paths.append(path)
    return {case: out.read_bytes() for case, out in zip(variants, recalculate(paths, root / "out", soffice=soffice))}


def _zip_params():
    for case, (_, _, reason) in ZIP_CASES.items():
        yield pytest.param(case, id=case, marks=[xfail(reason)] if reason else [])


@pytest.mark.parametrize("case", _zip_params())
def test_variant_reads_like_the_original(case, corpus, variants, converted):
    campaign, _, original_report = corpus
    _, readers, _ = ZIP_CASES[case]
    sub = _read(campaign, variants[case])
    mine = parxl_view(sub)
    spec = reference_view(variants[ORIGINAL], "openpyxl")  # what the variant means by the spec
    spec["assess"].update(MEANING_CHANGES.get(case, {}))
    assert_same_cells(mine, spec, "openpyxl (original file)")
    for reader in readers:
        assert_same_cells(mine, _reference(case, reader, variants, converted), reader)
    assert outcome(validate(campaign, sub)) == outcome(original_report)


def test_formulas_without_cached_values_score_like_the_original(corpus, variants, converted):
    """No ``<v>`` on formulas: parxl reads no cached value (never trusts an absent one) and scores the same."""
    campaign, _, original_report = corpus
    data = variants[NO_CACHED]
    sub = _read(campaign, data)
    mine = parxl_view(sub)
    formula_cells = {(r, c) for (r, c), cell in sub.assess.cells.items() if cell.formula}
    assert {(ROW[code], "F") for code in MINI_ANSWERS} <= formula_cells
    assert all(sub.assess.get(r, c).value is None for r, c in formula_cells)
    for reader in ("openpyxl", "calamine"):  # they show no value either where the file has none
        assert_same_cells(mine, reference_view(data, reader), reader)
    # LibreOffice computes them on load: parxl's own scores must equal what LibreOffice computed
    computed = reference_view(converted[NO_CACHED], "openpyxl")["assess"]
    report = validate(campaign, sub)
    for code in MINI_ANSWERS:
        assert computed[(ROW[code], "F")] == report.items[code].score.normalize(), code
    assert outcome(report) == outcome(original_report)
    assert all(r.cached is None for r in report.items.values())


ESCAPED_TEXT = "Mã _x0041_ giữ nguyên\r\ndòng 2\x07"  # a literal «_x0041_», a CR LF, a control character


def test_excel_escapes_in_a_generated_workbook_are_decoded_once(corpus):
    """The generator's own file, escaped as Excel escapes text: every ``_xHHHH_`` decoded once, ``_x005F_`` too."""
    campaign = corpus[0]
    data = filled(campaign, campaign.units[0], evidence=EVIDENCE, explanations={"1.5": ESCAPED_TEXT})
    sst = V.members(data)["xl/sharedStrings.xml"].decode("utf-8")
    assert "_x005F_x0041_" in sst and "_x000D_" in sst and "_x0007_" in sst  # really escaped in the file
    sub = _read(campaign, data)
    mine = parxl_view(sub)
    reference = reference_view(data, "calamine")  # openpyxl decodes only _x005F_
    assert reference["assess"][(ROW["1.5"], "G")] == ESCAPED_TEXT
    assert_same_cells(mine, reference, "calamine")
    assert validate(campaign, sub).items["1.5"].explanation == ESCAPED_TEXT


# LibreOffice round trips: the blank workbook filled in LibreOffice, then saved as another format ----------------
def _typed_values() -> dict:
    values = {}
    for code, inputs in MINI_ANSWERS.items():
        for key, value in inputs.items():
            values[layout.name_input(code, key)] = value if isinstance(value, str) else Decimal(value)
    links = {code: [f"https://kinhmon.haiduong.gov.vn/van-ban/{code}.pdf"] for code in ("1.1", "1.3", "1.4", "1.5", "T1")}
    for code, lines in {**links, **EVIDENCE}.items():
        values[layout.name_evidence(code)] = "\n".join(lines)
    for code, text in EXPLANATIONS.items():
        values[layout.name_explanation(code)] = text
    return values


ROUND_TRIPS = {  # id: (export filter, extension, copy the sheet into a new workbook)
    "lo-xlsx": (V.XLSX_2007, "xlsx", False),
    "lo-xlsm": (V.XLSM_2007, "xlsm", False),
    "lo-ods": (V.ODS, "ods", False),
    "lo-sheet-copied-to-new-workbook": (V.XLSX_2007, "xlsx", True),
}


@pytest.fixture(scope="module")
def round_trips(corpus, tmp_path_factory, soffice) -> dict[str, Path]:
    campaign, _, _ = corpus
    root = tmp_path_factory.mktemp("lo-round-trips")
    unit = campaign.units[0]
    blank = root / "blank.xlsx"
    blank.write_bytes(filled(campaign, unit, answers={code: {} for code in MINI_ANSWERS}, evidence={
        code: [] for code in ("1.1", "1.2", "1.3", "1.4", "1.5", "T1")}))
    jobs = []
    for case, (filter_name, ext, copy) in ROUND_TRIPS.items():
        jobs.append({"src": blank, "dest": root / f"{case}.{ext}", "filter": filter_name, "values": _typed_values(),
                     "copy_sheet": layout.SHEET_ASSESS if copy else None})
    return dict(zip(ROUND_TRIPS, V.uno_corpus_jobs(jobs, soffice=soffice)))


@pytest.mark.parametrize("case, readers", [("lo-xlsx", ("openpyxl", "calamine")),
                                           ("lo-xlsm", ("openpyxl", "calamine")),
                                           ("lo-ods", ("calamine",))])
def test_libreoffice_round_trip_reads_like_the_original(case, readers, corpus, round_trips):
    campaign, _, original_report = corpus
    path = round_trips[case]
    if case == "lo-xlsm":  # LibreOffice really wrote a macro-enabled workbook
        assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in V.members(path.read_bytes())[
            "[Content_Types].xml"]
    name = FILE_NAME.replace(".xlsx", path.suffix)
    sub = _read(campaign, path, name=name)
    mine = parxl_view(sub)
    for reader in readers:
        assert_same_cells(mine, reference_view(path.read_bytes(), reader), reader)
    expected = outcome(original_report)
    if case == "lo-ods":  # converted through LibreOffice to be read: said once, as an info
        expected["findings"] = sorted([*expected["findings"], "file-ods-converted"])
    assert outcome(validate(campaign, sub)) == expected


def test_sheet_copied_to_a_new_workbook_is_named_as_such(corpus, round_trips):
    """Only the self-assessment sheet, without the identity: cells read right, and one finding says why."""
    campaign, _, _ = corpus
    path = round_trips["lo-sheet-copied-to-new-workbook"]
    sub = _read(campaign, path)
    assert [s.name for s in sub.sheets] == [layout.SHEET_ASSESS]
    assert sub.meta_sheet is None
    mine = {"assess": V.parxl_cells(sub.assess, ASSESS_ROWS, ASSESS_COLS)}
    for reader in ("openpyxl", "calamine"):
        assert_same_cells(mine, reference_view(path.read_bytes(), reader, meta=False), reader)
    report = validate(campaign, sub)
    assert [(f.code, f.severity) for f in report.findings] == [("identity-missing", "error")]
    assert report.status == "unreadable" and report.named_unit == "X01"


# Broken packages: a part referenced but missing, empty or unparsable, a string index out of range, an ambiguous
# zip. Each must give one error finding on the file (a «file-…» code), never "ok" and never silence.
SHEET, SST = "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"  # «Tự đánh giá» and the shared strings


def _d9_typed_50(data: bytes) -> bytes:
    return V.rewrite(data, lambda name, xml: re.sub(r'(<c r="D9"[^>]*><v>)95(</v>)', r"\g<1>50\g<2>", xml)
                     if name == SHEET else None)


BROKEN_CASES = {
    "sheet-part-missing": (V.part_dropped(SHEET), None),
    "shared-strings-missing": (V.part_dropped(SST), None),
    "sheet-part-empty": (V.part_replaced(SHEET, lambda body: b""), None),
    "sheet-part-truncated": (V.part_replaced(SHEET, lambda body: body[: len(body) // 2]), None),
    "shared-strings-empty": (V.part_replaced(SST, lambda body: b""), None),
    "shared-strings-truncated": (V.part_replaced(SST, lambda body: body[: len(body) // 2]), None),
    "shared-string-index-out-of-range": (V.shared_string_out_of_range("D7"), None),
    "duplicate-zip-entry": (V.duplicate_entry(SHEET, _d9_typed_50), None),
}


BROKEN_CODES = {  # the one finding each broken package must give
    "sheet-part-missing": "file-part-missing",
    "shared-strings-missing": "file-part-missing",
    "sheet-part-empty": "file-part-missing",
    "sheet-part-truncated": "file-corrupt",
    "shared-strings-empty": "file-part-missing",
    "shared-strings-truncated": "file-corrupt",
    "shared-string-index-out-of-range": "file-corrupt",
    "duplicate-zip-entry": "file-ambiguous",
}


def _broken_params():
    for case, (_, reason) in BROKEN_CASES.items():
        yield pytest.param(case, id=case, marks=[xfail(reason)] if reason else [])


@pytest.mark.parametrize("case", _broken_params())
def test_broken_package_is_one_finding_on_the_file(case, corpus):
    campaign, original, _ = corpus
    report = _validate(campaign, BROKEN_CASES[case][0](original))
    errors = [(f.code, f.message) for f in report.findings if f.severity == "error"]
    assert report.status != "ok", [(f.code, f.message) for f in report.findings]
    assert len(errors) == 1 and errors[0][0] == BROKEN_CODES[case], errors
