"""One of each helper (issue 10): the never-overwrite writer, safe file names, diacritics, time
stamps, the mean index and the summary line. Expected values are written out by hand."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal as D

import pytest

from parxl.core.files import link_new, ordinary_mode, safe_file_stem, temp_path, write_new
from parxl.core.texts import fold, fold_keep_positions, strip_diacritics
from parxl.core.times import local_iso, utc_iso


# The never-overwrite writer --------------------------------------------------------------------

def test_write_new_takes_the_next_free_name_and_never_overwrites(tmp_path):
    target = tmp_path / "out" / "bang.xlsx"
    paths = [write_new(target, data) for data in (b"1", b"2", b"3")]
    assert [p.name for p in paths] == ["bang.xlsx", "bang-2.xlsx", "bang-3.xlsx"]
    assert [p.read_bytes() for p in paths] == [b"1", b"2", b"3"]
    assert all(p.stat().st_mode & 0o777 == ordinary_mode() for p in paths)
    assert sorted(p.name for p in target.parent.iterdir()) == ["bang-2.xlsx", "bang-3.xlsx", "bang.xlsx"]


def test_write_new_refuses_text_and_leaves_nothing(tmp_path):
    with pytest.raises(TypeError):
        write_new(tmp_path / "a.docx", "not bytes")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_link_new_gives_two_finished_files_two_names(tmp_path):
    target = tmp_path / "tong-hop.xlsx"
    names = []
    with temp_path(tmp_path) as first, temp_path(tmp_path) as second:
        first.write_bytes(b"first")
        second.write_bytes(b"second")
        names = [link_new(first, target), link_new(second, target)]
    assert [p.name for p in names] == ["tong-hop.xlsx", "tong-hop-2.xlsx"]
    assert [p.read_bytes() for p in names] == [b"first", b"second"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tong-hop-2.xlsx", "tong-hop.xlsx"]  # no temp left


def test_temp_path_is_removed_when_the_block_fails(tmp_path):
    with pytest.raises(RuntimeError), temp_path(tmp_path) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []


# Safe file names -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, stem", [
    ("X01 - Phường An Lưu", "X01 - Phường An Lưu"),
    ('A<b>:c"d/e\\f|g?h*i', "Abcdefghi"),
    ("Xã  Lê\tNinh\n(mới)", "Xã Lê Ninh (mới)"),
    ("  Phường 1. . ", "Phường 1"),
    ("Phường An Lưu".replace("ư", "u\u031b"), "Phường An Lưu"),  # NFD typed, NFC written
])
def test_safe_file_stem(text, stem):
    assert safe_file_stem(text) == stem


def test_safe_file_stem_cuts_at_a_letter_within_the_byte_limit():
    stem = safe_file_stem("ệ" * 100)  # 3 UTF-8 bytes a letter
    assert stem == "ệ" * 66 and len(stem.encode("utf-8")) == 198
    assert safe_file_stem("a" * 300) == "a" * 120


def test_safe_file_stem_fallback_and_ascii():
    assert safe_file_stem("<>?", fallback="don-vi") == "don-vi"
    assert safe_file_stem("Phường Đông Hưng (cũ)", ascii=True) == "phuong-dong-hung-cu"
    assert safe_file_stem("«»", ascii=True, fallback="van-ban") == "van-ban"


def test_appraisal_file_name_of_a_long_field_title_fits_linux_255_bytes():
    from parxl.appraisal.layout import Group

    name = Group("1", "Điều hành " + "ệ" * 150, None, ()).file_name
    assert name.endswith(".xlsx") and len(name.encode("utf-8")) <= 255
    assert name.startswith("Thẩm định lĩnh vực 1 - Điều hành ệệệ")


def test_feedback_file_name_has_no_line_break_from_the_unit_name():
    from parxl.ledger.check_report_xlsx import feedback_name

    assert feedback_name("X01", "Phường\nAn Lưu") == "X01 - Phường An Lưu - phản hồi.xlsx"
    assert feedback_name("X/02", "Xã Lê Ninh.") == "X02 - Xã Lê Ninh - phản hồi.xlsx"


def test_document_slug_is_unchanged():
    from parxl.documents.render import slug

    assert slug("Phường An Lưu") == "phuong-an-luu"
    assert slug("X01") == "x01"
    assert slug("«…»") == "van-ban"


# Diacritics ------------------------------------------------------------------------------------

def test_strip_diacritics_and_the_callers_that_use_it():
    from parxl.intake.checks.identity import words

    assert strip_diacritics("Phường Đông Hưng, xã Ấp Bắc") == "Phuong Dong Hung, xa Ap Bac"
    assert fold("Tên đơn vị") == "tendonvi"
    assert words("Phường  Đông-Hưng") == "phuong dong hung"


def test_fold_keep_positions_keeps_every_position():
    text = "Quyết định số 120/QĐ-UBND ngày 05/3/2025"
    folded = fold_keep_positions(text)
    assert folded == "quyet dinh so 120/qd-ubnd ngay 05/3/2025"
    assert len(folded) == len(text)


# Time stamps -----------------------------------------------------------------------------------

def test_utc_iso_from_a_timestamp_a_naive_and_an_aware_time():
    assert utc_iso(0) == "1970-01-01T00:00:00.000000Z"
    assert utc_iso(86_400.5, micro=False) == "1970-01-02T00:00:00Z"
    assert utc_iso(dt.datetime(2026, 1, 9, 8, 15)) == "2026-01-09T08:15:00.000000Z"  # naive: already UTC
    hanoi = dt.timezone(dt.timedelta(hours=7))
    assert utc_iso(dt.datetime(2026, 1, 9, 15, 15, tzinfo=hanoi), micro=False) == "2026-01-09T08:15:00Z"
    now = utc_iso()
    assert now.endswith("Z") and len(now) == len("2026-01-09T08:15:00.000000Z")


def test_local_iso_is_to_the_second_without_a_zone():
    assert local_iso(dt.datetime(2026, 1, 9, 15, 15, 7, 999)) == "2026-01-09T15:15:07"
    assert dt.datetime.fromisoformat(local_iso()).tzinfo is None


# The mean index and the summary line -----------------------------------------------------------

def test_mean_index_rounds_half_up_to_two_places():
    from parxl.results.summary import mean_index

    assert mean_index([]) is None
    assert mean_index([D("95.00"), D("85.10"), D("80.00")]) == D("86.70")  # 260,10 / 3
    assert mean_index([D("0.005")]) == D("0.01")  # Excel's ROUND: half away from zero
    assert mean_index([D("70.01"), D("80")]) == D("75.01")  # 75,005


def test_share_percent_of_a_band():
    from parxl.results.summary import share_percent

    assert share_percent(1, 3) == D("33.33")
    assert share_percent(2, 3) == D("66.67")  # 66,666…
    assert share_percent(1, 8) == D("12.50")
    assert share_percent(0, 0) is None


def test_ranking_summary_is_the_same_line_in_the_cli_and_the_excel_button(tmp_path):
    from parxl.results.compute import consolidate
    from parxl.results.summary import ranking_summary
    from test_results import _fixed, many_units

    c = many_units(tmp_path, 3)
    results = consolidate(c, _fixed(c, [950, 851, 800]))
    assert ranking_summary(results) == \
        "Xếp hạng 3/3 đơn vị; chỉ số bình quân 86,70 %; Tốt: 1, Khá: 2, Trung bình: 0, Yếu: 0."


def test_ranking_summary_without_ranked_units(tmp_path):
    from parxl.results.compute import consolidate
    from parxl.results.summary import ranking_summary
    from test_results import many_units

    c = many_units(tmp_path, 2)
    assert ranking_summary(consolidate(c, [])) == "Xếp hạng 0/2 đơn vị."


def test_evidence_names_stay_importable_from_evidence_text():
    from parxl.intake import evidence_refs, evidence_text

    for name in ("DocumentRef", "KINDS", "GENERIC_KIND", "LETTER_KIND"):
        assert getattr(evidence_text, name) is getattr(evidence_refs, name)
    ref = evidence_text.parse_entry("Quyết định số 120/QĐ-UBND ngày 05/3/2025, mục II, trang 3").refs[0]
    assert ref == evidence_refs.DocumentRef("Quyết định", "120/QĐ-UBND", dt.date(2025, 3, 5))


def test_the_master_is_never_overwritten_and_leaves_no_temp(tmp_path):
    from parxl.master import write_master
    from parxl.results.compute import consolidate
    from test_results import _fixed, many_units

    c = many_units(tmp_path, 2)
    results = consolidate(c, _fixed(c, [950, 851]), made_at="2026-01-09T15:15:07")
    out = tmp_path / "out"
    first, second = write_master(results, out), write_master(results, out)
    assert (first.name, second.name) == ("tong-hop-chi-so-cchc-2025-20260109-151507.xlsx",
                                         "tong-hop-chi-so-cchc-2025-20260109-151507-2.xlsx")
    assert sorted(p.name for p in out.iterdir()) == sorted([first.name, second.name])
    assert all(p.stat().st_mode & 0o777 == ordinary_mode() for p in (first, second))
    assert os.path.getsize(first) > 0
