"""The «Chạy» button without Excel: the ``do_*`` functions on a real campaign, and ``main()`` (what
the button runs through xlwings) against a fake ``xlwings``: each task of the dropdown calls the same
library function as the CLI and writes its outcome, or a Vietnamese error, into the status area."""
from __future__ import annotations

import re
import subprocess
import sys
import types
import unicodedata
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from parxl.core.errors import CampaignError, ParxlError
from parxl.documents.source import MasterNeededError
from parxl.demo.simulate import type_over_formula
from parxl.excel import xl
from parxl.excel.control import MODULE_FILE, STATUS_NAME, STATUS_ROWS, TASK_NAME, build_control
from parxl.excel.tasks import (APPRAISAL_RETURNS, CAMPAIGN_HERE, EACH_TABLE, IN_CAMPAIGN, SURVEY_RETURNS, TASKS,
                               survey_tables)
from parxl.workbook.build import Fill, build_workbook
from parxl.workbook.layout import COLUMNS, plan_rows
from parxl.workbook.stamping import workbook_filename

from conftest import REPO, make_campaign

FILL = Fill(
    answers={"1.1": {"choice": "Ban hành kịp thời"}, "1.2": {"choice": "Đạt"},
             "1.3": {"numerator": Decimal(248), "denominator": Decimal(249)}, "1.4": {"count": Decimal(0)},
             "1.5": {"score": Decimal("0.5")}},
    evidence={code: [f"https://vanban.example.gov.vn/x01/{code}.pdf"] for code in ("1.1", "1.2", "1.3", "1.4", "1.5")},
)


@pytest.fixture
def campaign(tmp_path):
    return make_campaign(tmp_path / "dot-danh-gia")


def send(campaign, code: str, typed_over: bool = False) -> Path:
    """A unit's filled workbook in inbox/, optionally with a number typed over the first score formula."""
    unit = campaign.unit(code)
    data = build_workbook(campaign, unit, FILL)
    if typed_over:
        row = next(r.row for r in plan_rows(campaign.framework) if r.code == "1.1" and r.kind == "item")
        data = type_over_formula(data, f"{COLUMNS['score']}{row}", Decimal(1))
    dest = campaign.inbox_dir / workbook_filename(unit)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return dest


def nfc(lines: list[str]) -> bool:
    return all(unicodedata.is_normalized("NFC", line) for line in lines)


# --- do_* -----------------------------------------------------------------------------------

def test_generate_writes_one_workbook_per_unit(campaign):
    outcome = xl.do_generate(campaign.root)
    assert outcome.counts == {"workbooks": 3}
    assert sorted(p.name for p in outcome.paths) == sorted(p.name for p in campaign.workbooks_dir.glob("*.xlsx"))
    assert [p.name for p in outcome.paths] == ["X01 - Phường An Lưu.xlsx", "X02 - Xã Lê Ninh.xlsx",
                                               "X03 - Phường Hiệp An.xlsx"]
    assert outcome.lines[0] == f"Đã tạo 3 biểu mẫu tự đánh giá tại «{campaign.workbooks_dir}»."
    assert "bộ MẪU" in outcome.lines[1]  # mini.yaml is marked as a sample set
    assert nfc(outcome.lines)


def test_check_reports_the_returned_workbooks(campaign):
    send(campaign, "X01")
    send(campaign, "X02", typed_over=True)
    outcome = xl.do_check(campaign.root)
    assert outcome.counts == {"files": 2, "ok": 1, "with_errors": 1, "unreadable": 0, "missing": 1,
                              "returned_unreadable": 0, "parxl_errors": 0, "errors": outcome.counts["errors"]}
    assert outcome.counts["errors"] >= 1
    assert outcome.lines[0] == ("Đã kiểm tra 2 tệp nhận được: 1 đơn vị đạt yêu cầu, 1 đơn vị có lỗi cần gửi lại, "
                                "0 tệp không đọc được.")
    assert f"• X02 Xã Lê Ninh: {outcome.counts['errors']} lỗi phải sửa" in outcome.lines
    assert "Chưa gửi (1): X03 Phường Hiệp An." in outcome.lines
    assert outcome.paths[0] == campaign.output_dir / "ket-qua-kiem-tra.xlsx"
    assert all(p.is_file() for p in outcome.paths) and len(outcome.paths) == 3  # findings + one feedback per unit
    assert not any("X01" in line for line in outcome.lines if line.startswith("•"))
    assert nfc(outcome.lines)


def test_check_with_nothing_wrong_says_so(campaign):
    send(campaign, "X01")
    outcome = xl.do_check(campaign.root)
    assert outcome.counts["ok"] == 1 and outcome.counts["errors"] == 0
    assert "Không có lỗi phải sửa." in outcome.lines


def test_consolidate_returns_the_master_workbook(campaign):
    send(campaign, "X01")
    outcome = xl.do_consolidate(campaign.root)
    master = outcome.paths[0]
    assert outcome.paths == [master] and master.parent == campaign.output_dir and master.suffix == ".xlsx"
    openpyxl.load_workbook(master)  # a real workbook
    assert outcome.counts == {"units": 3, "ranked": 1, "left_out": 2, "files": 1}
    assert outcome.lines[0].startswith("Xếp hạng 1/3 đơn vị; chỉ số bình quân ")
    assert "• X02 Xã Lê Ninh: chưa nộp tệp tự đánh giá — không xếp hạng" in outcome.lines
    assert outcome.lines[-1] == f"Bảng tổng hợp: {master}"


def test_consolidate_names_the_missing_survey_table(campaign):
    send(campaign, "X01")
    outcome = xl.do_consolidate(campaign.root)
    # mini.yaml: one survey item, 2.1, worth 3 points; the campaign has no survey table
    (warning,) = [line for line in outcome.lines if line.startswith("Cảnh báo: ")]
    assert "Không tìm thấy bảng kết quả điều tra xã hội học" in warning
    assert "(2.1; tối đa 3 điểm) tính 0 điểm cho mọi đơn vị" in warning and "parxl survey" in warning
    assert "Chưa có kết quả điều tra xã hội học: điểm điều tra tạm tính bằng 0." not in " ".join(outcome.lines)


def test_consolidate_lists_the_files_parxl_failed_on_as_its_own_error(campaign, monkeypatch):
    import parxl.ledger.receive
    from parxl.intake.validation import validate

    def buggy(campaign_, sub):
        if "X02" in sub.name:
            raise ZeroDivisionError("lỗi giả lập trong parxl")
        return validate(campaign_, sub)

    send(campaign, "X01")
    send(campaign, "X02")
    monkeypatch.setattr(parxl.ledger.receive, "validate", buggy)
    outcome = xl.do_consolidate(campaign.root)
    assert ("• X02 Xã Lê Ninh: parxl lỗi khi đọc tệp (lỗi của chương trình, không phải của đơn vị) "
            "(nhận theo tên tệp) — tạm chưa xếp hạng; đơn vị không cần gửi lại, báo nhóm phát triển parxl"
            ) in outcome.lines
    at = next(i for i, line in enumerate(outcome.lines) if line.startswith("parxl gặp lỗi của chính chương trình"))
    assert outcome.lines[at].startswith("parxl gặp lỗi của chính chương trình với 1 tệp (không phải lỗi của đơn vị")
    assert outcome.lines[at + 1].startswith("• «X02 - Xã Lê Ninh.xlsx» (đơn vị X02): nhật ký lỗi «")
    assert outcome.lines[-1].startswith("Bảng tổng hợp: ")


def test_documents_writes_the_decision_from_the_consolidated_results(campaign):
    send(campaign, "X01")
    xl.do_consolidate(campaign.root)
    outcome = xl.do_documents(campaign.root)
    decision = campaign.output_dir / "quyet-dinh-cong-bo-chi-so-cchc-2025.docx"
    assert outcome.paths[0] == decision and decision.is_file()
    text = "\n".join(p.text for p in docx.Document(decision).paragraphs)
    text += "\n".join(c.text for t in docx.Document(decision).tables for row in t.rows for c in row.cells)
    assert "Phường An Lưu" in text
    assert outcome.counts == {"ranked": 1, "notices": 1}
    assert [p.parent.name for p in outcome.paths[1:-1]] == ["thong-bao"]
    assert outcome.paths[-1].name == "bao-cao-ket-qua-chi-so-cchc-2025.docx"
    assert outcome.lines[0] == f"Quyết định công bố: {decision}"
    master = next(campaign.output_dir.glob("tong-hop-*.xlsx"))
    assert any(line.startswith(f"Theo bảng tổng hợp «{master.name}» (lập lúc ") for line in outcome.lines)
    # as the CLI warns: the placeholders the mini campaign leaves, and its SAMPLE criteria set
    notes = [line for line in outcome.lines if line.startswith("Lưu ý: ")]
    assert any("«decision.number» chưa điền" in line for line in notes)
    assert any("bộ MẪU" in line for line in notes)
    assert not any("chưa có đơn vị nào được xếp hạng" in line for line in outcome.lines)


def test_documents_follow_the_master_not_the_current_data(campaign):
    send(campaign, "X01")
    xl.do_consolidate(campaign.root)
    send(campaign, "X02")  # arrives after the master was made
    xl.do_check(campaign.root)
    with pytest.raises(MasterNeededError, match="parxl consolidate"):
        xl.do_documents(campaign.root)
    assert not list(campaign.output_dir.glob("*.docx"))


def test_a_folder_that_is_no_campaign_is_a_parxl_error(tmp_path):
    for action in (xl.do_generate, xl.do_check, xl.do_consolidate, xl.do_documents):
        with pytest.raises(CampaignError, match="campaign.yaml"):
            action(tmp_path)


# --- main(), what the «Chạy» button runs, with a fake xlwings ---------------------------------

WORKBOOK = "parxl_dieu_khien.xlsm"
DOCUMENTS = "Soạn văn bản (quyết định, thông báo, báo cáo)"


class FakeRange:
    def __init__(self, rows: int, value=None):
        self.rows = rows
        self.writes: list[list[str]] = []
        self.cell = value

    @property
    def value(self):
        if self.rows == 1:
            return self.cell
        return [[line] for line in self.writes[-1]] if self.writes else None

    @value.setter
    def value(self, data):
        assert len(data) == self.rows and all(len(row) == 1 for row in data), "write exactly the status cells"
        self.writes.append([row[0] for row in data])

    @property
    def shown(self) -> list[str]:
        """The last status written, without the blank padding."""
        return [line for line in self.writes[-1] if line]


class FakeName:
    def __init__(self, rng: FakeRange):
        self.refers_to_range = rng


class FakeBook:
    def __init__(self, fullname: Path | str, status: FakeRange | None, task: str | None):
        self.fullname = str(fullname)
        self.names = {TASK_NAME: FakeName(FakeRange(1, task))}
        if status:
            self.names[STATUS_NAME] = FakeName(status)


@pytest.fixture
def excel(monkeypatch):
    """Install a fake ``xlwings`` whose ``Book.caller()`` returns the book set by ``excel(path, task)``:
    its status area (``rows`` cells, none when None) and its dropdown cell holding ``task``."""
    state = {}
    module = types.ModuleType("xlwings")
    module.Book = type("Book", (), {"caller": staticmethod(lambda: state["book"])})
    monkeypatch.setitem(sys.modules, "xlwings", module)

    def open_book(fullname, task: str | None = TASKS[0].label, rows: int | None = STATUS_ROWS) -> FakeRange:
        status = FakeRange(rows) if rows else None
        state["book"] = FakeBook(fullname, status, task)
        return status

    return open_book


def status_size(control: Path) -> int:
    """The number of cells the control workbook's ``parxl_status`` name covers."""
    wb = openpyxl.load_workbook(control)
    [(sheet, ref)] = list(wb.defined_names[STATUS_NAME].destinations)
    return sum(1 for row in wb[sheet][ref] for _ in row)


def test_the_button_runs_the_chosen_task_and_writes_the_summary(campaign, excel):
    control = build_control(campaign.root).workbook
    status = excel(control, "Tạo biểu mẫu tự đánh giá", rows=status_size(control))
    xl.main()
    assert status.writes[0] == ["Tạo biểu mẫu tự đánh giá: đang chạy…"] + [""] * (STATUS_ROWS - 1)
    assert status.shown[0].startswith("Tạo biểu mẫu tự đánh giá: đã xong (lúc ")
    assert status.shown[1:] == xl.do_generate(campaign.root).lines
    assert len(list(campaign.workbooks_dir.glob("*.xlsx"))) == 3


def test_the_module_beside_the_workbook_calls_parxl_xl_main(campaign, excel, monkeypatch):
    """What xlwings' SampleCall does: import the module named as the workbook, from its folder, and call main()."""
    build_control(campaign.root)
    status = excel(campaign.root / WORKBOOK, "Tổng hợp xếp hạng")
    monkeypatch.syspath_prepend(str(campaign.root))
    monkeypatch.delitem(sys.modules, Path(MODULE_FILE).stem, raising=False)
    module = __import__(Path(MODULE_FILE).stem)
    assert Path(module.__file__) == campaign.root / MODULE_FILE
    module.main()
    assert status.shown[0].startswith("Tổng hợp xếp hạng: đã xong (lúc ")
    assert len(list(campaign.output_dir.glob("tong-hop-*.xlsx"))) == 1


# each task's library function: its name in parxl.excel.xl, and the CLI module (and name) calling it
LIBRARY = {
    "do_generate": ("generate_workbooks", "parxl.cli.generate_cmd", "generate"),
    "do_check": ("run_intake", "parxl.cli.check_cmd", "run_intake"),
    "do_appraise": ("write_appraisal_workbooks", "parxl.cli.appraise_cmd", "write_appraisal_workbooks"),
    "do_appraise_import": ("import_appraisals", "parxl.cli.appraise_cmd", "import_appraisals"),
    "do_consolidate": ("run_consolidation", "parxl.cli.consolidate_cmd", "run_consolidation"),
    "do_documents": (None, "parxl.documents", "render_decision"),  # both import it from there when they run
    "do_preliminary": (None, "parxl.documents.preliminary", "draft_preliminary"),
    "do_council": (None, "parxl.council.view", "council_view"),
    "do_status": (None, "parxl.tracking.status", "campaign_status"),
    "do_plan": (None, "parxl.documents.plan", "render_plan"),
    "do_improvement": (None, "parxl.documents.improvement", "render_improvement_plans"),
    "do_finalize": (None, "parxl.council.final", "finalize"),
    "do_survey_import": ("import_survey", "parxl.cli.survey_cmd", "import_survey"),
}


def cli_args(args: tuple[str, ...], root: Path) -> list[str]:
    """A task's command as the clerk types it on the campaign ``root`` (the first survey table for ``EACH_TABLE``)."""
    out = []
    for a in args:
        if a == CAMPAIGN_HERE:
            out.append(str(root))
        elif a.startswith(EACH_TABLE):
            out.append(str(survey_tables(root / a[len(EACH_TABLE):])[0]))
        elif a.startswith(IN_CAMPAIGN):
            out.append(str(root / a[len(IN_CAMPAIGN):]))
        else:
            out.append(a)
    return out if CAMPAIGN_HERE in args else [*out, str(root)]


@pytest.mark.parametrize("task", TASKS, ids=[t.slug for t in TASKS])
def test_each_task_calls_the_same_library_function_as_the_cli(campaign, excel, monkeypatch, task):
    import importlib

    from click.testing import CliRunner

    from parxl.cli import main as cli

    if task.action in ("do_documents", "do_improvement"):
        send(campaign, "X01")
        xl.do_consolidate(campaign.root)
    if task.action == "do_appraise_import":
        xl.do_appraise(campaign.root)
        (campaign.root / APPRAISAL_RETURNS).mkdir()
    if task.action == "do_survey_import":
        (campaign.root / SURVEY_RETURNS).mkdir()
        (campaign.root / SURVEY_RETURNS / "dieu-tra.csv").write_text("Mã,2.1\nX01,1\n", encoding="utf-8")
    xl_name, cli_module, cli_name = LIBRARY[task.action]
    module = importlib.import_module(cli_module)
    if xl_name:
        assert getattr(xl, xl_name) is getattr(module, cli_name)
    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        raise ParxlError(f"giả lập {cli_name}")

    if xl_name:
        monkeypatch.setattr(xl, xl_name, spy)
    monkeypatch.setattr(module, cli_name, spy)

    status = excel(campaign.root / WORKBOOK, task.label)
    xl.main()
    assert status.shown == [status.shown[0], f"Lỗi: giả lập {cli_name}"]
    assert status.shown[0].startswith(f"{task.label}: KHÔNG thực hiện được (lúc ")
    assert len(calls) == 1 and campaign_of(calls[0][0]).root == campaign.root

    out = CliRunner().invoke(cli, cli_args(task.commands[0], campaign.root))
    assert out.exit_code == 1 and f"giả lập {cli_name}" in out.output
    assert len(calls) == 2 and campaign_of(calls[1][0]).root == campaign.root


def campaign_of(first_argument):
    """The campaign a library function was called on: given itself, or the results of it."""
    return getattr(first_argument, "campaign", first_argument)


@pytest.mark.parametrize("task", TASKS, ids=[t.slug for t in TASKS])
def test_every_task_turns_a_parxl_error_into_a_vietnamese_message(tmp_path, excel, task):
    status = excel(tmp_path / "khong-phai-dot" / WORKBOOK, task.label)
    xl.main()  # no exception reaches Excel
    assert status.shown[0].startswith(f"{task.label}: KHÔNG thực hiện được (lúc ")
    assert status.shown[1] == (f"Lỗi: «{tmp_path / 'khong-phai-dot'}» không phải thư mục đợt đánh giá: "
                               "thiếu campaign.yaml. Tạo bằng «parxl init».")
    assert len(status.shown) == 2 and nfc(status.shown)


@pytest.mark.parametrize("chosen", [None, "", "Việc không có"])
def test_a_task_not_in_the_list_is_said_in_the_status_area(campaign, excel, chosen):
    status = excel(campaign.root / WORKBOOK, chosen)
    xl.main()
    assert status.shown[0] == f"Chưa chọn việc cần làm («{chosen or ''}» không có trong danh sách)."
    assert "chọn một việc trong danh sách" in status.shown[1]
    assert not campaign.workbooks_dir.exists() or not any(campaign.workbooks_dir.iterdir())


def test_documents_before_consolidating_are_refused_in_the_status_area(campaign, excel):
    status = excel(campaign.root / WORKBOOK, DOCUMENTS)
    xl.main()
    assert status.shown[0].startswith(f"{DOCUMENTS}: KHÔNG thực hiện được (lúc ")
    assert status.shown[1].startswith("Lỗi: Chưa có bảng tổng hợp")
    assert "parxl consolidate" in status.shown[1] and nfc(status.shown)
    assert not list(campaign.output_dir.glob("*.docx")) and not (campaign.output_dir / "thong-bao").exists()


def test_documents_of_a_master_that_ranks_nobody_are_refused_in_the_status_area(campaign, excel):
    xl.do_consolidate(campaign.root)  # nothing was sent: nobody is ranked
    status = excel(campaign.root / WORKBOOK, DOCUMENTS)
    xl.main()
    assert status.shown[1].startswith("Lỗi: Bảng tổng hợp «tong-hop-")
    assert "chưa xếp hạng đơn vị nào" in status.shown[1]
    assert not list(campaign.output_dir.glob("*.docx"))


def test_appraisal_forms_then_their_import_from_the_returns_folder(campaign, excel):
    send(campaign, "X01")
    xl.do_check(campaign.root)
    status = excel(campaign.root / WORKBOOK, "Thẩm định: tạo biểu mẫu thẩm định")
    xl.main()
    forms = sorted((campaign.output_dir / "tham-dinh" / "appraisal-1").glob("*.xlsx"))
    assert forms and status.shown[1].startswith(f"Đã tạo {len(forms)} biểu mẫu thẩm định (")
    status = excel(campaign.root / WORKBOOK, "Thẩm định: nhập điểm thẩm định")
    xl.main()
    assert status.shown[1] == (f"Lỗi: Chưa có thư mục «{campaign.root / APPRAISAL_RETURNS}»: hãy tạo thư mục này, "
                               "đặt các biểu mẫu thẩm định đã điền vào đó rồi chạy lại.")
    (campaign.root / APPRAISAL_RETURNS).mkdir()
    xl.main()
    assert status.shown[1:] == [f"Nhập điểm {xl.L.round_title('appraisal-1').lower()}: 0 tệp, ghi được 0 tệp.",
                                f"Không có tệp nào trong «{campaign.root / APPRAISAL_RETURNS}»."]


def test_a_broken_criteria_set_is_listed_in_the_status_area(campaign, excel):
    criteria = campaign.root / "criteria.yaml"
    criteria.write_text(criteria.read_text(encoding="utf-8").replace("total: 10", "total: 12"), encoding="utf-8")
    status = excel(campaign.root / WORKBOOK, "Tổng hợp xếp hạng")
    xl.main()
    assert re.fullmatch(r"Bộ chỉ số «.*» có \d+ lỗi:", status.shown[1])
    assert status.shown[2].startswith("• ")


def test_a_file_left_open_in_excel_is_explained(campaign, excel, monkeypatch):
    held = campaign.output_dir / "ket-qua-kiem-tra.xlsx"

    def locked(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied", str(held))

    monkeypatch.setattr(xl, "write_outputs", locked)
    status = excel(campaign.root / WORKBOOK, "Kiểm tra tệp gửi về")
    xl.main()
    assert status.shown[1] == (f"Lỗi: không ghi được «{held}»: tệp đang mở (có thể trong Excel hoặc Word) "
                               "hoặc không có quyền ghi.")
    assert status.shown[2] == "Hãy đóng tệp đó rồi bấm lại nút."


def test_an_unexpected_error_is_shown_and_still_raised(campaign, excel, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(xl, "run_consolidation", broken)
    status = excel(campaign.root / WORKBOOK, "Tổng hợp xếp hạng")
    with pytest.raises(RuntimeError):
        xl.main()
    assert status.shown[1] == "Lỗi không mong đợi: RuntimeError: hỏng"


def test_a_workbook_without_the_status_area_is_refused_clearly(campaign, excel):
    excel(campaign.root / "khac.xlsm", rows=None)
    with pytest.raises(ParxlError, match="parxl_status"):
        xl.main()
    assert not campaign.workbooks_dir.exists() or not any(campaign.workbooks_dir.iterdir())


@pytest.mark.parametrize("fullname", ["https://d.docs.live.net/abc/dot/parxl_dieu_khien.xlsm", "Book1"])
def test_a_control_workbook_outside_a_local_folder_is_refused(fullname):
    with pytest.raises(ParxlError):
        xl.campaign_folder(fullname)


def test_campaign_folder_is_the_folder_of_the_workbook(tmp_path):
    assert xl.campaign_folder(str(tmp_path / "dot" / WORKBOOK)) == tmp_path / "dot"


def test_status_rows_are_cut_padded_and_kept_as_text():
    rows = xl.status_rows([f"dòng {n}" for n in range(STATUS_ROWS + 5)])
    assert len(rows) == STATUS_ROWS
    assert rows[-2] == [f"dòng {STATUS_ROWS - 2}"] and rows[-1] == ["… và 6 dòng khác."]
    assert xl.status_rows(["=SUM(A1)", "-5", "bình thường"])[:4] == [["'=SUM(A1)"], ["'-5"], ["bình thường"], [""]]


def test_parxl_imports_without_xlwings():
    code = ("import sys; sys.modules['xlwings'] = None\n"
            "import parxl.xl, parxl.excel.control, parxl.cli\n"
            "try:\n    parxl.xl.main()\nexcept ImportError:\n    print('no xlwings')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "no xlwings"


def test_the_later_tasks_write_their_files_and_say_where(campaign, excel):
    """Kế hoạch triển khai, tiến độ and kế hoạch cải thiện through the button: one unit sent and ranked."""
    send(campaign, "X01")
    xl.do_consolidate(campaign.root)
    status = excel(campaign.root / WORKBOOK, "Kế hoạch triển khai")
    xl.main()
    plan = campaign.output_dir / f"ke-hoach-trien-khai-{campaign.config.year}.docx"
    assert plan.is_file() and status.shown[1] == f"Đã soạn kế hoạch triển khai: {plan}"
    status = excel(campaign.root / WORKBOOK, "Theo dõi tiến độ, danh sách đôn đốc")
    xl.main()
    assert status.shown[0].startswith("Theo dõi tiến độ, danh sách đôn đốc: đã xong (lúc "), status.shown
    assert f"Bảng tiến độ: {campaign.output_dir / 'tien-do.xlsx'}" in status.shown
    assert (campaign.output_dir / "tien-do.xlsx").is_file()
    assert [line for line in status.shown if line.startswith("Danh sách đôn đốc: ")]
    status = excel(campaign.root / WORKBOOK, "Kế hoạch cải thiện cho từng đơn vị")
    xl.main()
    plans = list((campaign.output_dir / "ke-hoach-cai-thien").glob("*.docx"))
    assert len(plans) == 1 and "x01" in plans[0].name.lower()  # only X01 sent, so only X01 is ranked
    assert status.shown[1] == f"Đã soạn 1 kế hoạch cải thiện trong «{plans[0].parent}»."
    assert nfc(status.shown)


def test_preliminary_and_council_before_any_appraisal_are_refused_in_vietnamese(campaign, excel):
    status = excel(campaign.root / WORKBOOK, "Kết quả sơ bộ, phiếu giải trình")
    xl.main()
    assert status.shown[1] == ("Lỗi: Chưa có kết quả thẩm định nào trong sổ theo dõi: chạy «parxl appraise "
                               "THƯ_MỤC_ĐỢT --import THƯ_MỤC_ĐÃ_CHẤM» trước.")
    assert not (campaign.output_dir / "so-bo").exists()
    status = excel(campaign.root / WORKBOOK, "Tài liệu cho Hội đồng thẩm định")
    xl.main()
    assert status.shown[0].startswith("Tài liệu cho Hội đồng thẩm định: KHÔNG thực hiện được (lúc "), status.shown
    assert status.shown[1].startswith("Lỗi: ") and nfc(status.shown)
