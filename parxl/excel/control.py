"""The control workbook of a campaign: ``parxl_dieu_khien.xlsm``, one sheet a clerk works from.

Its VBA is not ours: it is the ``vbaProject.bin`` of ``quickstart_standalone.xlsm`` that the
*installed* xlwings ships (so the VBA and the Python side are always the same version), embedded
byte for byte with XlsxWriter. That project holds the whole xlwings VBA module and a ``SampleCall``
macro running ``import <workbook name>; <workbook name>.main()`` through ``RunPython``, with the
workbook's folder on ``sys.path``; so the workbook is named ``parxl_dieu_khien`` (a valid ASCII
module name) and ``parxl_dieu_khien.py`` is written beside it, its ``main()`` calling
``parxl.xl.main``. The sheet has a dropdown of the tasks (``tasks.TASKS``, the defined name
``parxl_task``), one «Chạy» button bound to ``SampleCall``, the list of the tasks with their
launchers and commands, and a status area (``parxl_status``). A hidden ``xlwings.conf`` sheet pins
the interpreter to the Python that ran ``parxl control`` (on Windows). The project's document
modules are ThisWorkbook, Sheet1 and Sheet2: the workbook and its two sheets carry those code names.

``plain=True`` writes ``parxl_dieu_khien.xlsx`` instead: the same sheet without macros, run from
the xlwings add-in's «Run main» (which imports the same module and calls the same ``main()``).

Without xlwings nothing is written but the launchers, and ``XlwingsMissingError`` says what to
install: a workbook whose button cannot work is never produced.
"""
from __future__ import annotations

import importlib.metadata
import io
import os
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from ..campaign.folder import CONTROL_STEM, Campaign, load_campaign
from ..core.errors import ParxlError
from ..core.files import write_atomic
from ..core.numbers import vi_number
from ..workbook.build import generated_at
from ..workbook.styles import text_format
from ..xlsx.safety import OLE_MAGIC
from .launchers import LauncherError, write_launchers
from .tasks import APPRAISAL_RETURNS, SURVEY_RETURNS, TASKS, command_line

SHEET = "Điều khiển"
CONF_SHEET = "xlwings.conf"
STEM = CONTROL_STEM  # the workbook's name is the Python module SampleCall imports
MODULE_FILE = f"{STEM}.py"
TASK_NAME = "parxl_task"
TASKS_NAME = "parxl_tasks"
STATUS_NAME = "parxl_status"
STATUS_ROWS = 30
MACRO = "SampleCall"
BUTTON = "Chạy"
QUICKSTART = "quickstart_standalone.xlsm"
VBA_PART = "xl/vbaProject.bin"
CODE_NAMES = ("ThisWorkbook", "Sheet1", "Sheet2")  # the document modules of xlwings' project
INSTALL = 'pip install "parxl[excel]"'
NOTICES = Path(__file__).with_name("THIRD-PARTY-NOTICES.txt")

MODULE_TEXT = '''"""Bảng điều khiển parxl của đợt đánh giá (tạo bởi lệnh «parxl control»; đừng sửa, đừng đổi tên).

Nút «Chạy» của parxl_dieu_khien.xlsm (macro SampleCall của xlwings), hoặc nút «Run main» của
add-in xlwings với parxl_dieu_khien.xlsx, chạy «import parxl_dieu_khien; parxl_dieu_khien.main()».
"""
import parxl.xl


def main():
    """Làm việc đã chọn trong ô «Việc cần làm» và ghi kết quả vào phần «Kết quả lần chạy gần nhất»."""
    parxl.xl.main()
'''


class XlwingsMissingError(ParxlError):
    """xlwings (or its quickstart workbook) is not installed: the control workbook cannot get its button."""


@dataclass(frozen=True)
class XlwingsProject:
    """The VBA project of the installed xlwings: its bytes, where they came from, its version and licence."""

    data: bytes
    source: Path
    version: str
    licence: str


@dataclass(frozen=True)
class ControlResult:
    """What ``build_control`` wrote: the workbook (None without xlwings), its module, the launchers."""

    workbook: Path | None
    module: Path | None
    launchers: list[Path]
    backup: Path | None = None        # the previous, different workbook, kept under a new name
    unchanged: bool = False            # the workbook already held exactly this
    interpreter: str | None = None     # the Python pinned in the xlwings.conf sheet
    xlwings_version: str | None = None
    problems: list[str] = field(default_factory=list)  # what could not be made, in Vietnamese


def xlwings_project() -> XlwingsProject:
    """The ``vbaProject.bin`` of the installed xlwings' ``quickstart_standalone.xlsm``, with its licence.

    Raises XlwingsMissingError (saying what to install) when xlwings or that workbook is missing, or
    when what it holds is no VBA project.
    """
    dist = xlwings_distribution()
    if dist is None:
        raise XlwingsMissingError(
            f"Chưa cài xlwings nên không tạo được bảng điều khiển Excel có nút bấm. Hãy cài bằng lệnh: {INSTALL} "
            "rồi chạy lại lệnh này.")
    source = Path(dist.locate_file(f"xlwings/{QUICKSTART}"))
    try:
        with zipfile.ZipFile(source) as z:
            data = z.read(VBA_PART)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise XlwingsMissingError(
            f"Bản xlwings đã cài không có tệp mẫu «{QUICKSTART}» (cần để tạo nút bấm). Hãy cài lại bằng lệnh: "
            f'pip install --force-reinstall "xlwings>=0.30" rồi chạy lại lệnh này.') from exc
    if not data.startswith(OLE_MAGIC):
        raise XlwingsMissingError(f"«{source}» không chứa phần macro VBA; hãy cài lại xlwings ({INSTALL}).")
    return XlwingsProject(data, source, dist.version, xlwings_licence(dist))


def xlwings_distribution() -> importlib.metadata.Distribution | None:
    """The installed xlwings distribution (found without importing it), or None."""
    try:
        return importlib.metadata.distribution("xlwings")
    except importlib.metadata.PackageNotFoundError:
        return None


def xlwings_licence(dist: importlib.metadata.Distribution) -> str:
    """The BSD 3-clause licence text of the installed xlwings (its LICENSE.txt), else parxl's copy of it."""
    for name in ("licenses/LICENSE.txt", "LICENSE.txt", "LICENSE"):
        text = dist.read_text(name)
        if text:
            return text.strip()
    text = NOTICES.read_text(encoding="utf-8")
    start = text.index("xlwings (Open Source)")
    return text[start:text.index("=====", start)].strip()


def pinned_interpreter() -> str | None:
    """The Python the control workbook's button runs: this one on Windows; None elsewhere (the
    workbook then uses the xlwings add-in's setting or ``python`` on PATH)."""
    return sys.executable if os.name == "nt" and sys.executable else None


def _facts(campaign: Campaign) -> tuple[tuple[str, str], ...]:
    fw = campaign.framework
    return (("Cơ quan:", campaign.config.issuer.name), ("Năm đánh giá:", str(campaign.year)),
            ("Bộ chỉ số:", f"{fw.title} (mã «{fw.id}»)"), ("Số đơn vị:", vi_number(len(campaign.units))),
            ("Thư mục đợt đánh giá:", "thư mục chứa tệp này"))


def control_bytes(campaign: Campaign, project: XlwingsProject, interpreter: str | None = None,
                  plain: bool = False) -> bytes:
    """The control workbook: macro-enabled with the «Chạy» button, or (``plain``) a plain .xlsx.

    ``interpreter``: the Python written as ``Interpreter_Win`` in the hidden xlwings.conf sheet
    (none written when None). Never raises for a loaded campaign.
    """
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": f"Bảng điều khiển: {campaign.title}", "created": generated_at(campaign),
                       "comments": f"Phần macro (VBA) là của xlwings {project.version} (giấy phép BSD 3-clause, "
                                   "xem trang xlwings.conf)." if not plain else ""})
    base = text_format(valign="vcenter")
    title = wb.add_format({**base, "bold": True, "font_size": 15, "font_color": "#1F3864"})
    label = wb.add_format({**base, "bold": True})
    text = wb.add_format(base)
    note = wb.add_format({**base, "italic": True, "text_wrap": True, "valign": "top", "font_size": 10})
    choose = wb.add_format({**base, "bold": True, "border": 2, "bg_color": "#FFF2CC", "font_size": 13})
    head = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#D9E1F2", "text_wrap": True})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})
    code = wb.add_format({**base, "font_name": "Consolas", "font_size": 10, "border": 1, "text_wrap": True,
                          "valign": "top"})
    status = wb.add_format({**base, "font_color": "#1F3864"})

    if not plain:
        wb.add_vba_project(io.BytesIO(project.data), is_stream=True)
        wb.set_vba_name(CODE_NAMES[0])
    ws = wb.add_worksheet(SHEET)
    conf = wb.add_worksheet(CONF_SHEET)
    if not plain:
        ws.set_vba_name(CODE_NAMES[1])
        conf.set_vba_name(CODE_NAMES[2])
    ws.hide_gridlines(2)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    for col, width in enumerate((34, 62, 24, 56)):
        ws.set_column(col, col, width)
    root = str(campaign.root.resolve())

    ws.write_string(0, 0, "BẢNG ĐIỀU KHIỂN ĐỢT ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH", title)
    ws.write_string(1, 0, campaign.title, label)
    facts = _facts(campaign)
    for r, (name, value) in enumerate(facts, start=3):
        ws.write_string(r, 0, name, label)
        ws.write_string(r, 1, value, text)
    row = 3 + len(facts) + 1

    # the dropdown, the button
    choice_row = row
    ws.set_row(choice_row, 30)
    ws.write_string(choice_row, 0, "Việc cần làm:", label)
    ws.write_string(choice_row, 1, TASKS[0].label, choose)
    if plain:
        ws.write_string(choice_row, 2, "Bấm «Run main» trên thẻ xlwings", label)
        how = ("Chọn việc cần làm trong ô tô vàng (bấm vào ô, chọn trong danh sách), rồi bấm nút «Run main» trên "
               "thẻ xlwings của Excel (cần cài add-in: xlwings addin install).")
    else:
        ws.insert_button(choice_row, 2, {"macro": MACRO, "caption": BUTTON, "width": 150, "height": 38,
                                         "x_offset": 6, "y_offset": 2})
        how = ("Chọn việc cần làm trong ô tô vàng (bấm vào ô, chọn trong danh sách), rồi bấm nút «Chạy». Excel "
               "chờ tới khi việc xong (có thể vài phút); kết quả hiện ở phần «Kết quả lần chạy gần nhất» bên dưới.")
    ws.merge_range(choice_row + 1, 0, choice_row + 1, 3, how, note)
    ws.set_row(choice_row + 1, 32)
    wb.define_name(TASK_NAME, f"='{SHEET}'!{xl_rowcol_to_cell(choice_row, 1, True, True)}")

    # the tasks, their launchers and commands
    row = choice_row + 3
    ws.write_row(row, 0, ("Việc", "Làm gì", "Chạy không cần Excel (nhấn đúp tệp)", "Lệnh tương ứng"), head)
    first_task = row + 1
    for task in TASKS:
        row += 1
        ws.set_row(row, 18 * max(3, len(task.commands) + 1))
        ws.write_string(row, 0, task.label, cell)
        ws.write_string(row, 1, task.about, cell)
        ws.write_string(row, 2, task.launcher, code)
        ws.write_string(row, 3, "\n".join(command_line(task, root)), code)
    wb.define_name(TASKS_NAME, f"='{SHEET}'!{xl_range_abs(first_task, 0, row, 0)}")
    ws.data_validation(choice_row, 1, choice_row, 1, {
        "validate": "list", "source": f"={TASKS_NAME}",
        "input_title": "Việc cần làm", "input_message": "Chọn một việc trong danh sách rồi bấm «Chạy».",
        "error_title": "Việc không có trong danh sách", "error_type": "stop",
        "error_message": "Hãy chọn một việc trong danh sách (bấm mũi tên bên phải ô)."})

    # the status area
    row += 2
    ws.write_string(row, 0, "KẾT QUẢ LẦN CHẠY GẦN NHẤT", label)
    first = row + 1
    ws.write_string(first, 0, "Chưa chạy lần nào. Chọn việc cần làm ở trên rồi bấm nút; kết quả sẽ hiện ở đây.",
                    status)
    for r in range(first + 1, first + STATUS_ROWS):
        ws.write_blank(r, 0, None, status)
    wb.define_name(STATUS_NAME, f"='{SHEET}'!{xl_range_abs(first, 0, first + STATUS_ROWS - 1, 0)}")
    row = first + STATUS_ROWS + 1
    ws.merge_range(row, 0, row, 3,
                   (f"Phần macro (VBA) của tệp này là của xlwings {project.version} (© Zoomer Analytics, giấy phép "
                    "BSD 3-clause; toàn văn giấy phép ở trang ẩn «xlwings.conf»). " if not plain else "")
                   + f"Đừng đổi tên tệp này và tệp «{MODULE_FILE}» bên cạnh; tạo lại bằng lệnh «parxl control».",
                   note)
    ws.set_row(row, 30)

    # xlwings' settings, read by its VBA (column A names, column B values, from A1 down to the first blank)
    settings: list[tuple[str, str | bool]] = [("Show Console", False)]
    if interpreter:
        settings.insert(0, ("Interpreter_Win", interpreter))
    for r, (key, value) in enumerate(settings):
        conf.write_string(r, 0, key)
        if isinstance(value, bool):
            conf.write_boolean(r, 1, value)
        else:
            conf.write_string(r, 1, value)
    conf.set_column(0, 0, 18)
    conf.set_column(1, 1, 50)
    conf.set_column(3, 3, 90)
    notice = [f"xlwings {project.version}: phần macro (VBA) của tệp này lấy nguyên vẹn từ tệp {QUICKSTART} của "
              "xlwings; giấy phép của xlwings:", "", *project.licence.splitlines()]
    for r, line in enumerate(notice):
        if line:
            conf.write_string(r, 3, line)
    conf.hide()
    ws.activate()
    wb.close()
    return out.getvalue()


def _backup_name(path: Path) -> Path:
    n = 1
    while (candidate := path.with_name(f"{path.stem}.bak-{n}{path.suffix}")).exists():
        n += 1
    return candidate


def write_keeping(path: Path, data: bytes) -> tuple[Path | None, bool]:
    """Write ``data`` to ``path`` atomically; a different file already there is kept as «name.bak-N.ext».

    Returns (the backup or None, whether the file already held ``data``). Raises ParxlError when
    the file is open in Excel or cannot be written.
    """
    backup = None
    try:
        if path.is_file():
            if path.read_bytes() == data:
                return None, True
            backup = _backup_name(path)
            shutil.copy2(path, backup)
        write_atomic(path, data)
    except PermissionError as exc:
        if backup is not None:
            backup.unlink(missing_ok=True)  # the old file is still in place
        raise ParxlError(f"Không ghi được «{path}»: tệp đang mở (có thể trong Excel) hoặc không có quyền ghi. "
                         "Hãy đóng tệp rồi chạy lại lệnh.") from exc
    return backup, False


def build_control(campaign_dir: str | Path, plain: bool = False, interpreter: str | None = None,
                  launcher_python: str | None = None) -> ControlResult:
    """Write the launchers, then the control workbook and its module, into the campaign folder.

    ``plain``: ``parxl_dieu_khien.xlsx`` for the add-in's «Run main» instead of the .xlsm.
    ``interpreter``: pinned in xlwings.conf (default ``pinned_interpreter()``); ``launcher_python``:
    the Python the launchers run (default ``sys.executable``). Without xlwings the result has no
    workbook and one problem saying what to install; a Python path the launchers cannot hold is a
    problem too. Raises CampaignError / FrameworkError for a folder that is no campaign, ParxlError
    for a file that cannot be written.
    """
    campaign = load_campaign(campaign_dir)
    problems: list[str] = []
    (campaign.root / APPRAISAL_RETURNS).mkdir(exist_ok=True)
    if campaign.config.survey_held:
        (campaign.root / SURVEY_RETURNS).mkdir(exist_ok=True)  # «Nhập phiếu khảo sát» reads its tables
    try:
        launchers = write_launchers(campaign.root, launcher_python)
    except LauncherError as exc:
        launchers, problems = [], [str(exc)]
    try:
        project = xlwings_project()
    except XlwingsMissingError as exc:
        return ControlResult(None, None, launchers, problems=[*problems, str(exc)])
    pinned = interpreter if interpreter is not None else pinned_interpreter()
    path = campaign.root / f"{STEM}{'.xlsx' if plain else '.xlsm'}"
    data = control_bytes(campaign, project, pinned, plain)
    module = campaign.root / MODULE_FILE
    write_atomic(module, MODULE_TEXT.encode("utf-8"))
    backup, unchanged = write_keeping(path, data)
    return ControlResult(path, module, launchers, backup, unchanged, pinned, project.version, problems)
