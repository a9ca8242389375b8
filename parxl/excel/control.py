"""The control workbook of a campaign (``dieu-khien.xlsm`` or ``.xlsx``): one sheet a clerk works from.

With a ``vbaProject.bin`` (extracted once from a real Excel-saved ``.xlsm`` that
holds ``macros/parxl.bas``, see ``macros/README.md``) the workbook is
macro-enabled and carries four buttons, each calling a Sub of ``parxl.bas``,
which calls ``parxl.xl`` through xlwings. Without it (it cannot be produced on
Linux) the workbook is a plain ``.xlsx`` whose sheet lists the equivalent
``parxl`` commands. Both carry the campaign's name, year and criteria set, and
a status area (the defined name ``parxl_status``) the buttons write into.
"""
from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from ..campaign.folder import Campaign, load_campaign
from ..core.errors import ParxlError
from ..core.files import write_atomic
from ..core.numbers import vi_number
from ..core.resources import macros_dir
from ..workbook.build import generated_at
from ..workbook.styles import text_format
from ..xlsx.safety import OLE_MAGIC

SHEET = "Điều khiển"
STATUS_NAME = "parxl_status"
STATUS_ROWS = 30
STEM = "dieu-khien"
MACROS_DIR = macros_dir()  # beside the package in a checkout, inside it in a wheel
DEFAULT_VBA = MACROS_DIR / "vbaProject.bin"


@dataclass(frozen=True)
class Button:
    """One button of the control workbook: its caption, the VBA Sub it runs and the parxl commands it equals."""

    caption: str               # the button's text
    macro: str                 # the Sub in macros/parxl.bas
    entry: str                 # the function of parxl.xl that Sub runs
    task: str                  # what it does, for the clerk
    commands: tuple[str, ...]  # the parxl commands doing the same


BUTTONS = (
    Button("Tạo biểu mẫu", "TaoBieuMau", "generate",
           "Tạo biểu mẫu tự đánh giá cho từng đơn vị vào thư mục «workbooks» để gửi đi.", ("generate",)),
    Button("Kiểm tra tệp gửi về", "KiemTraTepGuiVe", "check",
           "Kiểm tra mọi tệp các đơn vị gửi về trong thư mục «inbox»; ghi kết quả kiểm tra và tệp phản hồi "
           "cho từng đơn vị vào thư mục «output».", ("check",)),
    Button("Tổng hợp xếp hạng", "TongHopXepHang", "consolidate",
           "Kiểm tra lại thư mục «inbox», tính chỉ số, xếp hạng, xếp loại và lập bảng tổng hợp mới "
           "trong thư mục «output».", ("consolidate",)),
    Button("Soạn quyết định", "SoanQuyetDinh", "documents",
           "Soạn quyết định công bố, thông báo kết quả cho từng đơn vị và báo cáo kết quả "
           "theo bảng tổng hợp gần nhất.", ("decision", "notices", "report")),
)


@dataclass(frozen=True)
class ControlWorkbook:
    """What ``build_control`` did: the file written, whether it has buttons, the backup of an earlier file."""

    path: Path
    with_buttons: bool
    backup: Path | None     # the previous, different file, kept under a new name
    unchanged: bool = False  # the file already held exactly this workbook


def default_vba() -> Path | None:
    """The ``vbaProject.bin`` shipped with parxl, or None when this install has none (no buttons then)."""
    return DEFAULT_VBA if DEFAULT_VBA.is_file() else None


def read_vba(path: Path) -> bytes:
    """The bytes of a ``vbaProject.bin``, refused unless it is an OLE container as Excel writes it."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ParxlError(f"Không đọc được tệp macro «{path}»: {exc.strerror or exc}.") from exc
    if not data.startswith(OLE_MAGIC):
        raise ParxlError(f"«{path}» không phải tệp vbaProject.bin: tệp này phải được lấy ra từ một tệp .xlsm "
                         "do Excel lưu (bằng lệnh vba_extract.py; xem macros/README.md).")
    return data


def _command_line(name: str, root: Path) -> str:
    return f'parxl {name} "{root}"'


def control_bytes(campaign: Campaign, vba: bytes | None) -> bytes:
    """The control workbook: macro-enabled with buttons when ``vba`` is given, else a plain one."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": f"Bảng điều khiển: {campaign.title}", "created": generated_at(campaign)})
    base = text_format(valign="vcenter")
    title = wb.add_format({**base, "bold": True, "font_size": 15, "font_color": "#1F3864"})
    label = wb.add_format({**base, "bold": True})
    text = wb.add_format(base)
    note = wb.add_format({**base, "italic": True, "text_wrap": True, "valign": "top"})
    head = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#D9E1F2", "text_wrap": True})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})
    code = wb.add_format({**base, "font_name": "Consolas", "font_size": 10, "border": 1, "text_wrap": True,
                          "valign": "top"})
    status = wb.add_format({**base, "font_color": "#1F3864"})

    ws = wb.add_worksheet(SHEET)
    ws.hide_gridlines(2)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_column(0, 0, 30 if vba else 48)
    ws.set_column(1, 1, 48 if vba else 62)
    ws.set_column(2, 2, 62)
    root = campaign.root.resolve()
    fw = campaign.framework

    ws.write_string(0, 0, "BẢNG ĐIỀU KHIỂN ĐỢT ĐÁNH GIÁ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH", title)
    ws.write_string(1, 0, campaign.title, label)
    facts = (("Cơ quan:", campaign.config.issuer.name), ("Năm đánh giá:", str(campaign.year)),
             ("Bộ chỉ số:", f"{fw.title} (mã «{fw.id}»)"), ("Số đơn vị:", vi_number(len(campaign.units))),
             ("Thư mục đợt đánh giá:", "thư mục chứa tệp này"))
    for r, (name, value) in enumerate(facts, start=3):
        ws.write_string(r, 0, name, label)
        ws.write_string(r, 1, value, text)
    row = 3 + len(facts) + 1

    if vba:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
        ws.write_string(row, 0, "Bấm lần lượt từng nút; kết quả hiện ở phần «Kết quả lần chạy gần nhất» bên dưới.",
                        label)
        columns = ("Nút bấm", "Việc cần làm", "Lệnh tương ứng (cửa sổ dòng lệnh)")
    else:
        ws.merge_range(row, 0, row, 1,
                       "Tệp này chưa có nút bấm: khi tạo tệp chưa có phần macro (vbaProject.bin, lấy một lần từ "
                       "tệp .xlsm do Excel lưu; xem macros/README.md). Hãy mở cửa sổ dòng lệnh (Command Prompt) "
                       "và chạy lệnh tương ứng với việc cần làm.", note)
        ws.set_row(row, 64)
        columns = ("Việc cần làm", "Lệnh tương ứng")
    row += 2
    ws.write_row(row, 0, columns, head)
    for button in BUTTONS:
        row += 1
        commands = "\n".join(_command_line(name, root) for name in button.commands)
        task = f"{button.caption}: {button.task}"
        if vba:
            ws.set_row(row, 60)
            ws.write_blank(row, 0, None, cell)
            ws.insert_button(row, 0, {"macro": button.macro, "caption": button.caption,
                                      "width": 200, "height": 64, "x_offset": 8, "y_offset": 8})
            ws.write_string(row, 1, task, cell)
            ws.write_string(row, 2, commands, code)
        else:
            ws.set_row(row, 18 * max(3, len(button.commands)))
            ws.write_string(row, 0, task, cell)
            ws.write_string(row, 1, commands, code)
    if vba:
        ws.set_row(row + 1, 16)

    row += 2
    ws.write_string(row, 0, "KẾT QUẢ LẦN CHẠY GẦN NHẤT", label)
    first = row + 1
    start = ("Chưa chạy lần nào. Bấm một nút ở trên; kết quả sẽ hiện ở đây." if vba else
             "Tệp này không có nút bấm: kết quả các lệnh hiện trong cửa sổ dòng lệnh.")
    ws.write_string(first, 0, start, status)
    for r in range(first + 1, first + STATUS_ROWS):
        ws.write_blank(r, 0, None, status)
    wb.define_name(STATUS_NAME, f"='{SHEET}'!$A${first + 1}:$A${first + STATUS_ROWS}")
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

    Returns (the backup or None, whether the file already held ``data``).
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


def build_control(campaign_dir: str | Path, vba: Path | None = None) -> ControlWorkbook:
    """Write the control workbook into the campaign folder.

    ``vba``: a ``vbaProject.bin``; by default ``macros/vbaProject.bin`` when the
    checkout has one. With it the result is ``dieu-khien.xlsm`` with buttons,
    without it ``dieu-khien.xlsx`` listing the commands.
    """
    campaign = load_campaign(campaign_dir)
    source = Path(vba) if vba is not None else default_vba()
    project = read_vba(source) if source is not None else None
    path = campaign.root / f"{STEM}{'.xlsm' if project else '.xlsx'}"
    backup, unchanged = write_keeping(path, control_bytes(campaign, project))
    return ControlWorkbook(path, project is not None, backup, unchanged)
