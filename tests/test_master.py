"""The master workbook: LibreOffice recomputes every formula to parxl's figures; layout, printing, history."""
from __future__ import annotations

import hashlib
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from parxl.master import read_previous, write_master
from parxl.master.names import (FIRST_ROW, SHEET_DETAIL, SHEET_FIELDS, SHEET_MISSING, SHEET_RANKING, SHEET_SOURCES,
                                SHEET_STATS)
from parxl.results.compute import Results, Source, UnitInput, consolidate

from support.libreoffice import recalculate, uno_fill_and_save
from test_results import many_units

FULL = {"1.1": D(1), "1.2": D(1), "1.3": D(2), "1.4": D(2), "1.5": D(1)}
SPREADSHEET_ERRORS = ("#DIV/0!", "#NAME?", "#VALUE!", "#REF!", "#N/A", "#NUM!", "Err:")


def sample_results(tmp_path: Path, made_at: str = "2025-12-20T08:15:00", **config) -> Results:
    """Six units: a tie, an appraisal, a bonus and a penalty, one with errors, one missing."""
    c = many_units(tmp_path, 6, **config)
    u = c.units
    src = lambda n: Source(f"{n:064x}", f"inbox/U00{n}.xlsx", f"2025-12-0{n}T10:00:00")  # noqa: E731
    inputs = [
        UnitInput(u[0], "ok", {**FULL, "1.5": D("0.75"), "T1": D(1)}, survey_scores={"2.1": D("2.35")},
                  evidence_counts={"1.1": 2}, source=src(1)),
        UnitInput(u[1], "ok", {**FULL, "1.4": D("1.5")}, appraised_scores={"1.3": D(1)},
                  survey_scores={"2.1": D("2.5")}, finding_counts={"1.3": 1}, source=src(2)),
        UnitInput(u[2], "ok", {**FULL, "1.3": D(1), "1.4": D("1.5")}, survey_scores={"2.1": D("2.5")}, source=src(3)),
        UnitInput(u[3], "ok", {**FULL, "1.1": D("0.5"), "D1": D(1)}, survey_scores={"2.1": D("1.8")}, source=src(4)),
        UnitInput(u[4], "errors", {**FULL, "1.2": D(0)}, survey_scores={"2.1": D(2)}, error_count=3, source=src(5)),
    ]  # U006 sent nothing
    return consolidate(c, inputs, made_at=made_at)


def recalculated(path: Path, workdir: Path, soffice: str) -> Path:
    """``path`` opened in LibreOffice with forced full recalculation, saved again."""
    return recalculate([path], workdir / "recalculated", soffice)[0]


def poison_cached_values(src: Path, dest: Path) -> int:
    """Copy the workbook with every formula's cached value replaced by -7777; return how many."""
    count = 0

    def poison(m: re.Match) -> str:
        nonlocal count
        count += 1
        return m.group(1) + "<v>-7777</v>"

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(r"(<f>[^<]*</f>)<v>[^<]*</v>", poison, data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    return count


def sheet_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def table(rows: list[list], first_header: str) -> tuple[dict[str, int], list[list]]:
    """Columns by header (first line of the header text) and the rows under the header row."""
    at = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    cols = {str(h).split("\n")[0]: i for i, h in enumerate(rows[at]) if h != ""}
    return cols, rows[at + 1:]


def ranking_rows(path: Path) -> tuple[dict[str, int], dict[str, list]]:
    cols, rows = table(sheet_rows(path, SHEET_RANKING), "STT")
    return cols, {r[cols["Mã"]]: r for r in rows if r[cols["Mã"]] != ""}


def hundredths(value: D) -> D:
    """Rounded as Excel's ROUND(…, 2) does: half away from zero."""
    return value.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def close(a, b) -> bool:
    return abs(float(a) - float(b)) < 1e-9


def _check_against_parxl(path: Path, results: Results, previous: dict | None = None) -> None:
    cols, rows = ranking_rows(path)
    assert list(rows) == [u.unit.code for u in results.ranked]  # sorted by rank
    for u in results.ranked:
        row = rows[u.unit.code]
        assert close(row[cols["Tổng điểm"]], u.total), u.unit.code
        assert close(row[cols["Chỉ số (%)"]], u.index), u.unit.code
        assert row[cols["Xếp hạng"]] == u.rank, u.unit.code
        assert row[cols["Xếp loại"]] == u.band, u.unit.code
        appraised = next(k for k in cols if k.startswith("Điểm phần thẩm định") or k == "Điểm thẩm định")
        assert close(row[cols[appraised]], u.appraised_total)
        if "Điểm điều tra XHH" in cols:
            assert close(row[cols["Điểm điều tra XHH"]], u.survey_points)
        if previous is not None:
            prev = previous.get(u.unit.code)
            change = row[cols["Tăng (+) / giảm (−) bậc"]]
            assert change == ("" if prev is None else prev.rank - u.rank)
            delta = row[cols["Chỉ số tăng (+) / giảm (−)"]]
            assert delta == "" if prev is None else close(delta, u.index - prev.index)

    stats = {r[0]: r[1:] for r in sheet_rows(path, SHEET_STATS) if r and r[0] != ""}
    indexes = [u.index for u in results.ranked]
    assert stats["Số đơn vị được xếp hạng"][0] == len(indexes)
    assert close(stats["Chỉ số cao nhất (%)"][0], max(indexes))
    assert close(stats["Chỉ số thấp nhất (%)"][0], min(indexes))
    assert close(stats["Chỉ số bình quân (%)"][0], hundredths(sum(indexes) / len(indexes)))
    for band, n in results.band_counts().items():
        assert stats[band][1] == n, band
        assert close(stats[band][2], hundredths(D(n * 100) / len(indexes))), band

    fcols, frows = table(sheet_rows(path, SHEET_FIELDS), "STT")
    averages = next(r for r in frows if r[0] == "Bình quân")
    for f in results.framework.fields:
        header = next((h for h in fcols if h.startswith(f"{f.code}. ")), None)
        if header is None:
            continue  # a survey field is not shown when no survey is held
        expected = sum(u.field_index[f.code] for u in results.ranked) / len(results.ranked)
        assert close(averages[fcols[header]], hundredths(expected)), f.code

    for sheet in CalamineWorkbook.from_path(str(path)).sheet_names:
        for r in sheet_rows(path, sheet):
            bad = [v for v in r if isinstance(v, str) and v.startswith(SPREADSHEET_ERRORS)]
            assert not bad, (sheet, bad)


@pytest.mark.libreoffice
@pytest.mark.parametrize("config", [{}, {"tie_rule": "dense"}, {"survey_held": False},
                                    {"missing_policy": "score_readable"}], ids=["competition", "dense", "no-survey",
                                                                               "score-readable"])
def test_libreoffice_recomputes_every_formula_to_parxls_figures(tmp_path, soffice, config):
    results = sample_results(tmp_path, **config)
    ranks = [u.rank for u in results.ranked]
    if not config:
        assert ranks == [1, 2, 2, 4]  # the sample holds a tie
    if config.get("tie_rule") == "dense":
        assert ranks == [1, 2, 2, 3]
    master = write_master(results, tmp_path / "out")
    _check_against_parxl(master, results)  # the cached values parxl wrote

    poisoned = tmp_path / "poisoned" / master.name
    poisoned.parent.mkdir()
    assert poison_cached_values(master, poisoned) > 4 * len(results.ranked)
    assert ranking_rows(poisoned)[1]["U001"][ranking_rows(poisoned)[0]["Chỉ số (%)"]] == -7777
    _check_against_parxl(recalculated(poisoned, tmp_path, soffice), results)


@pytest.mark.libreoffice
def test_change_against_a_previous_campaign(tmp_path, soffice):
    before = sample_results(tmp_path / "y2024", made_at="2024-12-20T08:00:00")
    first = write_master(before, before.campaign.output_dir)
    # a year later: U004 improves, U001 falls back, U006 (missing last year) still missing
    c = before.campaign
    later = consolidate(c, [
        UnitInput(c.units[0], "ok", {**FULL, "1.3": D(0)}, survey_scores={"2.1": D(2)}),
        UnitInput(c.units[1], "ok", FULL, survey_scores={"2.1": D("2.5")}),
        UnitInput(c.units[3], "ok", FULL, survey_scores={"2.1": D(3)}),
        UnitInput(c.units[4], "ok", FULL, survey_scores={"2.1": D(1)}),
    ], made_at="2025-12-20T08:00:00")
    previous = read_previous(c.root)  # a campaign folder: its newest master
    assert previous == read_previous(first)
    assert {k: (v.rank, v.index) for k, v in previous.items()} == {
        u.unit.code: (u.rank, u.index) for u in before.ranked}
    master = write_master(later, tmp_path / "out", previous=previous)
    cols, rows = ranking_rows(master)
    assert rows["U004"][cols["Xếp hạng năm trước"]] == 4 and rows["U004"][cols["Tăng (+) / giảm (−) bậc"]] == 3
    assert rows["U001"][cols["Tăng (+) / giảm (−) bậc"]] == 1 - later.by_code("U001").rank
    assert rows["U005"][cols["Xếp hạng năm trước"]] == ""  # rejected last year: nothing to compare
    _check_against_parxl(recalculated(master, tmp_path, soffice), later, previous)


@pytest.mark.libreoffice
def test_a_clerk_correcting_a_figure_sees_total_index_rank_and_band_follow(tmp_path, soffice):
    results = sample_results(tmp_path)
    master = write_master(results, tmp_path / "out")
    cols, rows = ranking_rows(master)
    row = FIRST_ROW + 1 + list(rows).index("U004")  # 1-based sheet row of U004 (7,3 points, rank 4)
    cell = lambda header: f"{SHEET_RANKING}!{xl_col_to_name(cols[header])}{row}"  # noqa: E731
    edited = uno_fill_and_save(master, tmp_path / "edited.xlsx",
                               {cell("Điểm thưởng"): D(1), cell("Điểm trừ"): D(0)}, sheet=SHEET_RANKING)
    cols, rows = ranking_rows(edited)
    u004 = rows["U004"]
    assert (u004[cols["Tổng điểm"]], u004[cols["Chỉ số (%)"]], u004[cols["Xếp hạng"]], u004[cols["Xếp loại"]]) == (
        9.3, 93, 2, "Tốt")
    assert [rows[code][cols["Xếp hạng"]] for code in ("U001", "U002", "U003")] == [1, 3, 3]
    stats = {r[0]: r[1:] for r in sheet_rows(edited, SHEET_STATS) if r and r[0] != ""}
    assert (stats["Tốt"][1], stats["Trung bình"][1]) == (2, 0)


@pytest.mark.libreoffice
def test_nobody_ranked_yet_still_computes_without_spreadsheet_errors(tmp_path, soffice):
    c = many_units(tmp_path, 3)
    results = consolidate(c, [], made_at="2025-12-20T08:15:00")
    recomputed = recalculated(write_master(results, tmp_path / "out"), tmp_path, soffice)
    stats = {r[0]: r[1:] for r in sheet_rows(recomputed, SHEET_STATS) if r and r[0] != ""}
    assert (stats["Số đơn vị trong danh sách"][0], stats["Số đơn vị được xếp hạng"][0]) == (3, 0)
    assert stats["Chỉ số bình quân (%)"][0] == "" and stats["Tốt"][2] == ""
    missing = table(sheet_rows(recomputed, SHEET_MISSING), "STT")[1]
    assert [r[1] for r in missing if r[1]] == ["U001", "U002", "U003"]
    for sheet in CalamineWorkbook.from_path(str(recomputed)).sheet_names:
        for r in sheet_rows(recomputed, sheet):
            assert not [v for v in r if isinstance(v, str) and v.startswith(SPREADSHEET_ERRORS)], sheet


def test_earlier_masters_are_never_overwritten(tmp_path):
    results = sample_results(tmp_path)
    out = tmp_path / "c" / "output"
    first = write_master(results, out)
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    second = write_master(results, out)  # same moment: a new name all the same
    assert first.name == "tong-hop-chi-so-cchc-2025-20251220-081500.xlsx"
    assert second.name == "tong-hop-chi-so-cchc-2025-20251220-081500-2.xlsx"
    assert hashlib.sha256(first.read_bytes()).hexdigest() == digest
    assert {p.name for p in out.iterdir()} == {first.name, second.name}  # no temporary file left


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    import parxl.master as master

    results = sample_results(tmp_path)
    out = tmp_path / "out"

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(master, "write_sources", broken)
    with pytest.raises(OSError):
        write_master(results, out)
    assert list(out.iterdir()) == []


def test_sheets_printing_filters_and_charts(tmp_path):
    results = sample_results(tmp_path)
    path = write_master(results, tmp_path / "out")
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEET_RANKING, SHEET_FIELDS, SHEET_DETAIL, SHEET_STATS, SHEET_MISSING, SHEET_SOURCES,
                             "Điều tra XHH"]  # parxl.master.survey_sheet.SHEET_SURVEY
    ranking = wb[SHEET_RANKING]
    assert ranking.page_setup.orientation == "landscape" and ranking.page_setup.paperSize == 9
    assert ranking.print_title_rows == "$4:$4"
    # one page wide (an absent fitToWidth means 1 in OOXML), as many pages tall as needed
    assert (ranking.page_setup.fitToWidth or 1, ranking.page_setup.fitToHeight) == (1, 0)
    assert ranking.sheet_properties.pageSetUpPr.fitToPage
    rules = [r for cf in ranking.conditional_formatting for r in cf.rules]
    assert [r.formula[0] for r in rules] == [f'$O5="{b.label}"' for b in results.bands]
    assert ranking["M5"].value == "=ROUND(L5*100/10,2)"
    assert ranking["L5"].value == "=ROUND(MIN(10,MAX(0,H5+I5+J5-K5)),2)"
    assert ranking["H5"].value == "=ROUND(SUM(E5),2)" and ranking["N5"].value == "=RANK(M5,$M$5:$M$8,0)"
    heat = [r for cf in wb[SHEET_FIELDS].conditional_formatting for r in cf.rules]
    assert [r.type for r in heat] == ["colorScale"]
    detail = wb[SHEET_DETAIL]
    items = len(results.framework.items)
    assert detail.auto_filter.ref == f"A4:P{4 + 5 * items}"  # five units sent a file; 16 columns
    rows = list(detail.iter_rows(min_row=5, values_only=True))
    u2 = {r[4]: r for r in rows if r[0] == "U002"}
    assert u2["1.3"][8:13] == (2, 1, 1, 0, 1)  # self, appraised, final, evidence, findings
    with zipfile.ZipFile(path) as z:
        assert sorted(n for n in z.namelist() if n.startswith("xl/charts/chart")) == [
            "xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"]


@pytest.mark.parametrize("policy, expected", [
    ("exclude", {"U005": ("Bị trả lại: tệp còn 3 lỗi", "Không xếp hạng"),
                 "U006": ("Chưa nộp tệp tự đánh giá", "Không xếp hạng")}),
    ("score_readable", {"U005": ("Tệp còn 3 lỗi", "Xếp hạng trên phần đọc được"),
                        "U006": ("Chưa nộp tệp tự đánh giá", "Không xếp hạng")}),
])
def test_missing_and_rejected_units_and_their_treatment(tmp_path, policy, expected):
    results = sample_results(tmp_path, missing_policy=policy)
    path = write_master(results, tmp_path / "out")
    cols, rows = table(sheet_rows(path, SHEET_MISSING), "STT")
    got = {r[cols["Mã"]]: (r[cols["Tình trạng"]], r[cols["Cách xử lý"]]) for r in rows if r[cols["Mã"]]}
    assert got == expected
    ranked_codes = set(ranking_rows(path)[1])
    assert ("U005" in ranked_codes) is (policy == "score_readable")


def test_sources_name_the_criteria_set_and_each_file(tmp_path):
    results = sample_results(tmp_path)
    path = write_master(results, tmp_path / "out")
    rows = sheet_rows(path, SHEET_SOURCES)
    facts = {r[0]: r[1] for r in rows if r[0]}
    assert facts["Dấu vân tay bộ chỉ số (SHA-256)"] == results.framework.fingerprint
    assert facts["Thời điểm lập bảng tổng hợp"] == "20/12/2025 08:15:00"
    cols, units = table(rows, "Mã")
    by = {r[0]: r for r in units if r[0]}
    assert by["U002"][cols["Mã băm SHA-256 của tệp"]] == f"{2:064x}"
    assert by["U002"][cols["Thời điểm nhận"]] == "2025-12-02T10:00:00"
    assert by["U006"][cols["Tệp đã dùng"]] == "(chưa nộp)"


def test_survey_not_held_hides_survey_columns_and_scales(tmp_path):
    results = sample_results(tmp_path, survey_held=False)
    path = write_master(results, tmp_path / "out")
    cols, _ = ranking_rows(path)
    assert "Điểm điều tra XHH" not in cols and not any(h.startswith("2. ") for h in cols)
    wb = load_workbook(path)
    assert "=ROUND(" in wb[SHEET_RANKING]["K5"].value and "*100/7,2)" in wb[SHEET_RANKING]["K5"].value
    assert "quy về 100" in wb[SHEET_RANKING]["A3"].value
