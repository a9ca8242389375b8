"""``parxl status`` lists each unit's explanation (giải trình) of every appraisal round, not only the latest's.

The campaign is test_explanation's (its module doc gives the scores). Expected states by hand: round 1 leaves
X01 (1.3 lowered, 1.5 lowered) and X02 (1.2 lowered, 1.5 flagged) contested, X03 sent nothing; round 2 gives
X01 1.3 back and keeps X01 1.5 at 0,25 (below its 0,75) and X02 1.2 at 0 (below its 1): both asked again.
The status workbook is read back with openpyxl.
"""
from __future__ import annotations

import json

import openpyxl
from test_explanation import (  # noqa: F401 - pytest fixtures
    FIELD1, check, cli, explained, explanation_src, fill_appraisal, fill_explanation, round1, round2, sent,
)

from parxl.explanation import layout as EL


def status(c) -> dict:
    out = cli("status", str(c.root), "--json", "--today", "20/03/2026")  # after the 15/03/2026 deadline
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def explanation_column(c) -> dict[str, str]:
    ws = openpyxl.load_workbook(c.root / "output" / "tien-do.xlsx")["Đơn vị"]
    head = [cell.value for cell in ws[3]]
    return {row[0]: row[head.index("Giải trình")] or "" for row in ws.iter_rows(min_row=4, values_only=True)}


def test_status_lists_the_explanation_of_every_round(round2):
    c = round2
    # X02 answers round 2 too (its second giải trình workbook, from «parxl preliminary --round appraisal-2»)
    assert cli("preliminary", str(c.root), "--round", "appraisal-2").exit_code == 0
    src = c.root / "output" / "so-bo" / EL.workbook_name("X02", c.unit("X02").name, "appraisal-2")
    fill_explanation(src, c.inbox_dir / "giai-trinh-X02-lan-2.xlsx", {"1.2": ("Đã gửi bản chụp công văn", None, None)})
    assert check(c)[0] == 0
    doc = status(c)
    units = {u["code"]: u for u in doc["units"]}
    got = {code: [(e["round"], e["state"]) for e in u["explanations"]] for code, u in units.items()}
    assert got == {"X01": [("appraisal-1", "received"), ("appraisal-2", "requested")],
                   "X02": [("appraisal-1", "received"), ("appraisal-2", "received")],
                   "X03": []}
    x02 = units["X02"]["explanations"]
    assert x02[0]["received_at"] and x02[1]["received_at"] and x02[0]["received_at"] <= x02[1]["received_at"]
    assert units["X01"]["explanations"][1]["received_at"] is None
    # the latest round's fields stay what they were
    assert (units["X01"]["explanation"], units["X02"]["explanation"]) == ("requested", "received")
    assert units["X02"]["explanation_received_at"] == x02[1]["received_at"]
    assert doc["appraisal_rounds"] == ["appraisal-1", "appraisal-2"]
    # the status workbook: one line per round
    column = explanation_column(c)
    first, second = column["X01"].split("\n")
    assert first.startswith("Lần 1: Đã nhận lúc ") and second == "Lần 2: Chưa nhận, quá hạn"
    assert [line.split(":")[0] for line in column["X02"].split("\n")] == ["Lần 1", "Lần 2"]
    assert all("Đã nhận lúc" in line for line in column["X02"].split("\n"))
    assert column["X03"] == ""
    # the console names both rounds
    said = " ".join(cli("status", str(c.root), "--today", "20/03/2026").output.split())
    assert "giải trình lần 1: đã nhận, lần 2: chưa nhận" in said
    assert "giải trình lần 1: đã nhận, lần 2: đã nhận" in said


def test_a_round_the_unit_never_answered_stays_listed(sent):
    # Only X01 explains round 1; round 2 keeps X02's 1.2 at 0: X02 was asked twice and answered neither.
    c = sent
    fill_explanation(explanation_src(c, "X01"), c.inbox_dir / "giai-trinh-X01.xlsx", {"1.3": ("Giải trình", None, 2)})
    assert check(c)[0] == 0
    assert cli("appraise", str(c.root)).exit_code == 0
    done = fill_appraisal(c.root / "output" / "tham-dinh" / "appraisal-2" / FIELD1, c.root.parent / "r2" / FIELD1,
                          {("X01", "1.3"): 2})
    assert cli("appraise", str(c.root), "--import", str(done)).exit_code == 0
    units = {u["code"]: u for u in status(c)["units"]}
    assert [(e["round"], e["state"]) for e in units["X02"]["explanations"]] == \
        [("appraisal-1", "requested"), ("appraisal-2", "requested")]
    assert explanation_column(c)["X02"] == "Lần 1: Không gửi\nLần 2: Chưa nhận, quá hạn"


def test_a_giai_trinh_with_errors_is_not_received_until_sent_again(sent):
    """X02 proposes a score for 1.2 without a word of explanation (finding ``explanation-missing``, «còn lỗi»):
    its giải trình is «must-fix» (to send again) in JSON, the status workbook and the console; its corrected
    version, without errors, makes it «received»."""
    c = sent
    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X02 giai trinh.xlsx", {"1.2": (None, None, 1)})
    assert check(c)[0] == 1  # checked: errors
    units = {u["code"]: u for u in status(c)["units"]}
    assert [(e["round"], e["state"]) for e in units["X02"]["explanations"]] == [("appraisal-1", "must-fix")]
    assert units["X02"]["explanation"] == "must-fix" and units["X02"]["explanation_received_at"]
    assert explanation_column(c)["X02"] == "Đã nhận, còn lỗi — cần gửi lại"
    said = " ".join(cli("status", str(c.root), "--today", "20/03/2026").output.split())
    assert "giải trình: đã nhận, còn lỗi — cần gửi lại" in said

    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X02 giai trinh (2).xlsx",
                     {"1.2": ("Đã gửi báo cáo quý III đúng hạn qua hệ thống", None, 1)})
    check(c)
    units = {u["code"]: u for u in status(c)["units"]}
    assert [(e["round"], e["state"]) for e in units["X02"]["explanations"]] == [("appraisal-1", "received")]
    assert explanation_column(c)["X02"].startswith("Đã nhận lúc ")


def test_a_giai_trinh_with_errors_is_in_the_reminder_list_with_what_to_do(sent):
    """X02's giải trình workbook proposes a score for 1.2 without a word of explanation (``explanation-missing``):
    the reminder list (read back with python-docx) names X02 with what to do, to fix and send again; X01, which
    sent nothing, owes its workbook (the deadline 15/03/2026 is 5 days past on 20/03/2026). Corrected, X02
    leaves the list."""
    from docx import Document

    c = sent

    def owed() -> list[list[str]]:
        status(c)  # writes the day's reminder list
        path = max((c.root / "output").glob("danh-sach-don-doc-20260320*.docx"), key=lambda p: p.stat().st_mtime)
        rows = [[cell.text for cell in row.cells] for t in Document(str(path)).tables for row in t.rows]
        return [r for r in rows if "phiếu giải trình" in " ".join(r)]

    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X02 giai trinh.xlsx", {"1.2": (None, None, 1)})
    assert check(c)[0] == 1  # checked: errors
    rows = owed()
    assert [(r[1], r[2]) for r in rows] == [
        (c.unit("X01").name, "Gửi phiếu giải trình kết quả thẩm định sơ bộ (giải trình, tài liệu kiểm chứng bổ sung)"),
        (c.unit("X02").name, "Sửa các lỗi trong phiếu giải trình theo phản hồi, gửi lại")]
    assert all(r[3] == "15/03/2026" and r[4] == "5" for r in rows)

    fill_explanation(explanation_src(c, "X02"), c.inbox_dir / "X02 giai trinh (2).xlsx",
                     {"1.2": ("Đã gửi báo cáo quý III đúng hạn qua hệ thống", None, 1)})
    check(c)
    assert [r[1] for r in owed()] == [c.unit("X01").name]
