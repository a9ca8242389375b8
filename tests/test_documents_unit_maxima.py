"""The maxima a document shows are the unit's own: items outside its type (``applies_to``) or marked not
applicable («không phát sinh») are out of the maximum its index is over, in the preliminary notice, the notice,
the improvement plan and the decision's appendix.

The oracle is arithmetic by hand on tests/fixtures/mini-kinds.yaml with 1.2 made «Không phát sinh»-able here:
field 1 holds 1.1 (1), 1.2 (1), 1.3 (2), 1.4 (2), 1.5 (1) for every type, 1.6 (1; Xã, Đặc khu), 1.7 (1;
Phường), 1.8 (0,5; Xã); field 2 is the survey (2.1, 3). The set's maxima: appraised 8,5, survey 3, total 11,5
(a Xã's). The units: X01 Phường An Lưu marks 1.2 not applicable, so field 1 is 1 + 2 + 2 + 1 + 1 = 7 and its
total 10; X02 Xã Lê Ninh: 8,5 and 11,5; X03 Phường Hiệp An: 1 + 1 + 2 + 2 + 1 + 1 = 8 and 11. Every unit gets
1 of 2 points on 1.3 and the rest in full: totals 9, 10,5 and 10.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
import yaml
from docx import Document

from conftest import FIXTURES, make_campaign
from parxl.explanation.contested import UnitOpen
from parxl.results.compute import UnitInput, consolidate
from test_documents_common import docx_texts, pdf_text, table_rows

D = Decimal
NA = "Không phát sinh"
FULL = {"1.1": D(1), "1.2": D(1), "1.3": D(1), "1.4": D(2), "1.5": D(1), "1.6": D(1), "1.7": D(1),
        "1.8": D("0.5")}
SELF_ONLY = {"1.1": D(1), "1.2": D(0), "1.3": D(1), "1.4": D(2), "1.5": D(1), "1.6": D(1), "1.7": D(1),
             "1.8": D("0.5")}


def _criteria(folder, ward_field: bool = False) -> str:
    data = yaml.safe_load((FIXTURES / "mini-kinds.yaml").read_text(encoding="utf-8"))
    data["id"] = "mini-kinds-na-test"
    data["fields"][0]["items"][1]["not_applicable"] = NA  # 1.2
    if ward_field:  # a third field for the Phường alone: a Phường's appraised part 8 + 1 = 9, its total 12
        data["fields"].append({"code": 3, "title": "Chỉnh trang đô thị", "max": 1, "part": "appraised",
                               "applies_to": ["Phường"], "items": [
                                   {"code": "3.1", "title": "Chỉnh trang vỉa hè", "max": 1, "rule": {"type": "binary"}}]})
        data["parts"]["appraised"]["max"], data["total"] = 9, 12
    path = folder / "mini-kinds-na.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def _campaign(tmp_path, units_csv: str | None = None, ward_field: bool = False):
    tmp_path.mkdir(parents=True, exist_ok=True)
    kwargs = {"units_csv": units_csv} if units_csv else {}
    return make_campaign(tmp_path / "c", criteria=_criteria(tmp_path, ward_field), **kwargs)


def _results(campaign, appraised: dict | None = None, extra: dict | None = None):
    """X01 (and any unit of code ending «1») marks 1.2 not applicable; ``appraised``: unit code → round scores;
    ``extra``: unit code → more self-assessed scores."""
    inputs = []
    for unit in campaign.units:
        na = unit.code.endswith("1")
        own = {**(SELF_ONLY if na else FULL), **(extra or {}).get(unit.code, {})}
        inputs.append(UnitInput(unit, "ok", own, survey_scores={"2.1": D(3)},
                                not_applicable=frozenset({"1.2"}) if na else frozenset(),
                                appraised_scores=(appraised or {}).get(unit.code)))
    return consolidate(campaign, inputs, made_at="2026-01-10T08:00:00")


def _index(total: str, top: str) -> str:
    """Total ÷ maximum × 100, both read as printed («10,5», «11,5»), to two decimals half-up, printed back."""
    value = (D(total.replace(",", ".")) * 100 / D(top.replace(",", "."))).quantize(D("0.01"), ROUND_HALF_UP)
    return f"{value:.2f}".replace(".", ",")


# --- the preliminary notice ---------------------------------------------------------------------------------
def _preliminary(campaign, before, after, codes):
    from parxl.documents.preliminary import render_preliminary
    units = [UnitOpen(c, campaign.unit(c).name) for c in codes]
    paths = render_preliminary(campaign, "appraisal-1", units, before, after)
    return dict(zip(codes, paths))


def _field_table(path):
    doc = Document(str(path))
    table = next(t for t in doc.tables if table_rows(t)[0][:3] == ["STT", "Lĩnh vực", "Điểm tối đa"])
    return [row[2:] for row in table_rows(table)[1:]]


def test_the_preliminary_notice_shows_each_units_own_field_maxima_and_total(tmp_path):
    c = _campaign(tmp_path)
    before = _results(c)
    after = _results(c, {"X02": {"1.3": D(0)}})  # round 1 takes 1.3's point off X02
    paths = _preliminary(c, before, after, ["X01", "X02", "X03"])
    # [max, self, appraised, diff] per field; field 2 is survey only: its maximum, no scores
    assert _field_table(paths["X01"]) == [["7,00", "6,00", "6,00", "0,00"], ["3,00", "—", "—", "—"]]
    assert _field_table(paths["X02"]) == [["8,50", "7,50", "6,50", "-1,00"], ["3,00", "—", "—", "—"]]
    assert _field_table(paths["X03"]) == [["8,00", "7,00", "7,00", "0,00"], ["3,00", "—", "—", "—"]]
    want = {"X01": ("6,00", "6,00", "7,00"), "X02": ("7,50", "6,50", "8,50"), "X03": ("7,00", "7,00", "8,00")}
    for code, (own, appraised, top) in want.items():
        texts = docx_texts(paths[code])
        assert f"- Tổng điểm tự đánh giá: {own} điểm; tổng điểm sau thẩm định: {appraised} điểm" in "\n".join(texts)
        # the set has survey items and a bonus: the totals count the bonus, the maximum neither
        assert (f"- Điểm tối đa của đơn vị: {top} điểm (không gồm điểm điều tra xã hội học và điểm thưởng)."
                in texts), texts


def test_an_overturned_claim_puts_the_item_back_in_the_preliminary_maximum(tmp_path):
    """The appraisers score X01's 1.2 (0): the claim no longer stands, 1.2 is back in X01's maximum (7 + 1)."""
    c = _campaign(tmp_path)
    before = _results(c)
    after = _results(c, {"X01": {"1.2": D(0)}})
    path = _preliminary(c, before, after, ["X01"])["X01"]
    assert _field_table(path)[0][0] == "8,00"
    assert next(t for t in docx_texts(path) if t.startswith("- Điểm tối đa")).startswith(
        "- Điểm tối đa của đơn vị: 8,00 điểm")


# --- the notice and the improvement plan --------------------------------------------------------------------
def test_the_notice_and_the_improvement_plan_show_the_units_maximum(tmp_path):
    from parxl.documents.improvement import render_improvement_plans
    from parxl.documents.notices import render_notices

    c = _campaign(tmp_path)
    results = _results(c)
    want = {"X01": ("9,00", "10,00", "6,00", "7,00", "7,00"), "X02": ("10,50", "11,50", "7,50", "8,50", "8,50"),
            "X03": ("10,00", "11,00", "7,00", "8,00", "8,00")}
    notices = {p.name.split("-")[2].upper(): p for p in render_notices(results)}
    plans = {p.name.split("-")[4].upper(): p for p in render_improvement_plans(results)}
    for code, (total, top, appraised, top_appraised, field1) in want.items():
        texts = docx_texts(notices[code])
        line = next(t for t in texts if t.startswith("- Tổng điểm đạt"))
        assert line.startswith(f"- Tổng điểm đạt: {total}/{top} điểm, gồm: điểm thẩm định "
                               f"{appraised}/{top_appraised}; "), line
        texts = docx_texts(plans[code])
        line = next(t for t in texts if t.startswith("- Tổng điểm đạt"))
        assert line.startswith(f"- Tổng điểm đạt: {total}/{top} điểm; Chỉ số cải cách hành chính: "
                               f"{_index(total, top)}%"), line
        for path in (notices[code], plans[code]):
            doc = Document(str(path))
            table = next(t for t in doc.tables if table_rows(t)[0][:3] == ["STT", "Lĩnh vực", "Điểm tối đa"])
            rows = {r[1]: r for r in table_rows(table)[1:]}
            field1_row = rows["Công tác chỉ đạo, điều hành CCHC"]
            assert field1_row[2] == field1
            # points + points lost = the maximum, and the sub-index is points over it
            assert D(field1_row[3].replace(",", ".")) + D(field1_row[4].replace(",", ".")) == D(field1.replace(",", "."))
            assert field1_row[5] == _index(field1_row[3], field1)


# --- the decision's appendix --------------------------------------------------------------------------------
def _appendix(path):
    doc = Document(str(path))
    rows = table_rows(doc.tables[-1])
    texts = docx_texts(path)
    at = next((n for n, t in enumerate(texts) if t.startswith("Ghi chú:")), None)
    notes = [] if at is None else [t for t in texts[at + 1:] if t.startswith("- ")]
    return rows, notes


def _check_every_index(rows, notes, head_total):
    """Every unit's index is its total over the maximum the appendix gives it: its own line, else its type's
    line, else the «Điểm tối đa» row's."""
    own = {}
    for line in notes:
        kind = re.match(r"^- (Các [^:]+): (\S+) điểm", line)  # «- Các phường: 11 điểm (…).»
        if kind:
            own[kind.group(1)] = kind.group(2)
            continue
        units = re.match(r"^- (\S+) điểm[^:]*: (.+)\.$", line)  # «- 10 điểm (…), 2 đơn vị: A, B.»
        for name in units.group(2).split(", "):
            own[name] = units.group(1)
    for row in rows[2:]:
        if len(row) < 9 or not row[0].isdigit():
            continue
        kind = "Các " + row[1].split()[0].lower()
        top = own.get(row[1]) or own.get(kind) or head_total
        assert row[6] == _index(row[5], top), (row, top)


def test_the_decision_keeps_the_sets_maximum_and_names_the_units_scored_over_less(tmp_path):
    from parxl.documents import render_decision

    c = _campaign(tmp_path)
    rows, notes = _appendix(render_decision(_results(c)))
    assert rows[1][1:6] == ["Điểm tối đa", "8,5", "3", "", "11,5"]  # the set's: a Xã's maxima
    assert notes == ["- Các phường: 11 điểm (các tiêu chí 1.6, 1.8 không áp dụng đối với phường).",
                     "- 10 điểm (tiêu chí 1.2 không phát sinh): Phường An Lưu."]
    _check_every_index(rows, notes, "11,5")


def test_a_decision_on_one_unit_type_shows_that_types_maximum(tmp_path):
    from parxl.documents import render_decision

    units = "Mã,Tên đơn vị,Loại\nP01,Phường Một,Phường\nP02,Phường Hai,Phường\nP03,Phường Ba,Phường\n"
    c = _campaign(tmp_path, units)
    rows, notes = _appendix(render_decision(_results(c)))
    assert rows[1][1:6] == ["Điểm tối đa", "8", "3", "", "11"]  # a Phường: 8,5 − 1.6 − 1.8 + 1.7
    assert notes == ["- 10 điểm (tiêu chí 1.2 không phát sinh): Phường Một."]
    _check_every_index(rows, notes, "11")


def test_a_decision_where_every_unit_is_over_the_sets_maximum_has_no_note(tmp_path):
    from parxl.documents import render_decision

    units = "Mã,Tên đơn vị,Loại\nA02,Xã Hai,Xã\nA03,Xã Ba,Xã\n"
    c = _campaign(tmp_path, units)
    rows, notes = _appendix(render_decision(_results(c)))
    assert rows[1][1:6] == ["Điểm tối đa", "8,5", "3", "", "11,5"]
    assert notes == [] and not any(t.startswith("Ghi chú") for t in docx_texts(render_decision(_results(c))))


def test_a_clerks_template_without_the_notes_still_renders(tmp_path):
    """A template edited before the notes existed (no ``max_notes`` anywhere) renders as it did."""
    from parxl.documents import render_decision
    from parxl.documents.render import bundled_template, template_variables

    doc = Document(str(bundled_template("quyet-dinh-cong-bo.docx")))
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("{%p if max_notes %}")
    block = doc.paragraphs[at:at + 6]  # if, «Ghi chú», for, the line, endfor, endif: the block under the table
    assert [p.text for p in block][2:] == ["{%p for n in max_notes %}", "- {{ n }}", "{%p endfor %}", "{%p endif %}"]
    for p in block:
        p._element.getparent().remove(p._element)
    old = tmp_path / "old.docx"
    doc.save(str(old))
    assert "max_notes" not in template_variables(old)
    c = _campaign(tmp_path)
    rows, notes = _appendix(render_decision(_results(c), template=old))
    assert rows[1][1:6] == ["Điểm tối đa", "8,5", "3", "", "11,5"] and notes == []


def test_a_field_outside_a_units_maximum_has_no_sub_index_in_the_report_or_the_notice(tmp_path):
    """Field 3 is for the Phường alone: X01 gets 1 of 1 (100 %), X03 0 of 1 (0 %); X02 (Xã) is not scored on it,
    so the report's field 3 is over X01 and X03 only (mean 50, lowest X03 alone) and X02's notice shows its
    maximum 0 without a sub-index."""
    from parxl.documents import render_notices, render_report

    c = _campaign(tmp_path, ward_field=True)
    results = _results(c, extra={"X01": {"3.1": D(1)}, "X03": {"3.1": D(0)}})
    fields = table_rows(Document(str(render_report(results))).tables[2])
    assert fields[3] == ["3", "Chỉnh trang đô thị", "50,00", "100,00% – Phường An Lưu", "0,00% – Phường Hiệp An"]
    notice = next(p for p in render_notices(results) if "-x02-" in p.name)
    table = next(t for t in Document(str(notice)).tables if table_rows(t)[0][:3] == ["STT", "Lĩnh vực", "Điểm tối đa"])
    assert table_rows(table)[-1][1:] == ["Chỉnh trang đô thị", "0,00", "0,00", "0,00", "—"]


@pytest.mark.libreoffice
def test_libreoffice_prints_the_notes_under_the_appendix(tmp_path, soffice):
    from parxl.documents import render_decision

    c = _campaign(tmp_path)
    text = " ".join(pdf_text(soffice, render_decision(_results(c)), tmp_path).split())
    assert "Ghi chú: Chỉ số của các đơn vị dưới đây được tính trên điểm tối đa của đơn vị" in text
    assert "- 10 điểm (tiêu chí 1.2 không phát sinh): Phường An Lưu." in text


def test_each_blocks_appendix_names_its_own_types_maxima(tmp_path):
    """The two-block sample with its commune block on samples/tinh-mau-2025's set, whose 6.1.3 (0,5) is for the
    Xã alone, 6.5 (1) for Xã and Phường, 6.6 (1) for the Đặc khu: a Xã is scored over the set's 100, a Phường
    over 100 − 0,5 = 99,5. The commune appendix keeps 100 in its row and names the Phường under it; the
    department block (no types) has no note."""
    import shutil

    from parxl.core.resources import samples_dir
    from parxl.documents import render_decision
    from parxl.master.consolidation import run_consolidation
    from test_blocks import year_on_copy

    def extended_communes(root):
        shutil.copy(samples_dir() / "tinh-mau-2025" / "criteria.yaml", root / "criteria-xa.yaml")

    c = year_on_copy(tmp_path, extended_communes)
    done = run_consolidation(c)
    path = render_decision(done.results, master=done.master)
    doc = Document(str(path))
    so, xa = (table_rows(t) for t in doc.tables[-2:])
    assert xa[1][1] == "Điểm tối đa" and xa[1][5] == "100"
    texts = docx_texts(path)
    notes = [n for n, t in enumerate(texts) if t.startswith("Ghi chú:")]
    assert len(notes) == 1 and notes[0] > texts.index("Phụ lục II")  # under the commune block's appendix only
    lines = [t for t in texts[notes[0] + 1:] if t.startswith("- ")]
    assert lines[0] == "- Các phường: 99,5 điểm (các tiêu chí 6.1.3, 6.6 không áp dụng đối với phường)."
    _check_every_index(xa, lines, "100")
