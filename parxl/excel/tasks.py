"""The tasks a Phòng Nội vụ clerk runs in a year, one list for the control workbook's dropdown, the
``.cmd`` launchers and ``parxl.xl.main``.

Each task is one or more ``parxl`` commands on the campaign folder; the control workbook's
«Chạy» button and the launcher of a task run exactly those commands' library functions.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APPRAISAL_RETURNS = "tham-dinh-gui-ve"  # the campaign's folder for the appraisal workbooks filled and sent back
SURVEY_RETURNS = "dieu-tra-xhh-gui-ve"  # the campaign's folder for the survey results tables (one per block)
SURVEY_SUFFIXES = (".xlsx", ".csv")  # the tables ``parxl survey`` imports
IN_CAMPAIGN = "@/"  # an argument starting so is a path inside the campaign folder
CAMPAIGN_HERE = "@."  # the campaign folder at this place (then it is not appended at the end)
EACH_TABLE = "@*/"  # each survey table (``SURVEY_SUFFIXES``) in this folder of the campaign: one run per table


@dataclass(frozen=True)
class Task:
    """One task: its dropdown label, its launcher's ASCII name and the ``parxl`` commands it equals.

    ``commands``: each an argument list for ``parxl`` to which the campaign folder is appended
    (or put where ``CAMPAIGN_HERE`` stands); an argument starting with ``IN_CAMPAIGN`` is a path
    inside the campaign folder, one starting with ``EACH_TABLE`` stands for each survey table in
    that folder of the campaign (the command runs once per table). ``action`` is the name of the
    ``parxl.excel.xl`` function (campaign folder → ``Outcome``) the button runs.
    """

    number: int
    label: str
    slug: str
    about: str
    commands: tuple[tuple[str, ...], ...]
    action: str

    @property
    def launcher(self) -> str:
        """The launcher's file name, e.g. «1-tao-bieu-mau.cmd» (ASCII)."""
        return f"{self.number}-{self.slug}.cmd"


TASKS = (
    Task(1, "Tạo biểu mẫu tự đánh giá", "tao-bieu-mau",
         "Tạo biểu mẫu tự đánh giá cho từng đơn vị vào thư mục «workbooks» để gửi đi.",
         (("generate",),), "do_generate"),
    Task(2, "Kiểm tra tệp gửi về", "kiem-tra-tep-gui-ve",
         "Kiểm tra mọi tệp các đơn vị gửi về trong thư mục «inbox»; ghi kết quả kiểm tra và tệp phản hồi "
         "cho từng đơn vị vào thư mục «output».",
         (("check",),), "do_check"),
    Task(3, "Thẩm định: tạo biểu mẫu thẩm định", "tao-bieu-mau-tham-dinh",
         "Tạo biểu mẫu thẩm định theo lĩnh vực (vòng kế tiếp) vào thư mục «output/tham-dinh» để gửi "
         "cơ quan thẩm định.",
         (("appraise",),), "do_appraise"),
    Task(4, "Thẩm định: nhập điểm thẩm định", "nhap-diem-tham-dinh",
         f"Nhập điểm từ các biểu mẫu thẩm định đã điền, đặt trong thư mục «{APPRAISAL_RETURNS}» của đợt; "
         "tệp còn lỗi không được ghi.",
         (("appraise", "--import", IN_CAMPAIGN + APPRAISAL_RETURNS),), "do_appraise_import"),
    Task(5, "Tổng hợp xếp hạng", "tong-hop-xep-hang",
         "Kiểm tra lại thư mục «inbox», tính chỉ số, xếp hạng, xếp loại và lập bảng tổng hợp mới "
         "trong thư mục «output».",
         (("consolidate",),), "do_consolidate"),
    Task(6, "Soạn văn bản (quyết định, thông báo, báo cáo)", "soan-van-ban",
         "Soạn quyết định công bố, thông báo kết quả cho từng đơn vị và báo cáo kết quả theo bảng tổng hợp "
         "gần nhất (dùng mẫu văn bản trong thư mục «templates» của đợt nếu có).",
         (("decision",), ("notices",), ("report",)), "do_documents"),
    Task(7, "Kết quả sơ bộ, phiếu giải trình", "ket-qua-so-bo",
         "Soạn thông báo kết quả thẩm định sơ bộ và phiếu giải trình cho từng đơn vị đã được thẩm định "
         "(vòng đã nhập điểm gần nhất) vào thư mục «output/so-bo».",
         (("preliminary",),), "do_preliminary"),
    Task(8, "Tài liệu cho Hội đồng thẩm định", "tai-lieu-hoi-dong",
         "Lập bảng tổng hợp và tờ trình Hội đồng thẩm định vào thư mục «output/hoi-dong».",
         (("council",),), "do_council"),
    Task(9, "Theo dõi tiến độ, danh sách đôn đốc", "theo-doi-tien-do",
         "Ghi bảng tiến độ theo kế hoạch (output/tien-do.xlsx) và soạn danh sách đôn đốc các đơn vị, "
         "cơ quan chưa gửi.",
         (("status",),), "do_status"),
    Task(10, "Kế hoạch triển khai", "ke-hoach-trien-khai",
         "Soạn Kế hoạch triển khai xác định Chỉ số CCHC theo campaign.yaml vào thư mục «output».",
         (("plan",),), "do_plan"),
    Task(11, "Kế hoạch cải thiện cho từng đơn vị", "ke-hoach-cai-thien",
         "Soạn kế hoạch cải thiện, nâng cao Chỉ số CCHC cho từng đơn vị được xếp hạng theo bảng tổng hợp "
         "gần nhất vào thư mục «output/ke-hoach-cai-thien».",
         (("improvement",),), "do_improvement"),
    Task(12, "Chốt kết quả", "chot-ket-qua",
         "Chốt kết quả theo bảng tổng hợp mới nhất (sau khi Hội đồng thẩm định thống nhất): từ đó quyết định, "
         "thông báo, báo cáo soạn theo kết quả đã chốt; người chốt là tên đăng nhập máy tính. Muốn mở lại: "
         "lệnh «parxl finalize … --reopen».",
         (("finalize",),), "do_finalize"),
    Task(13, "Nhập phiếu khảo sát", "nhap-phieu-khao-sat",
         f"Nhập kết quả điều tra xã hội học từ bảng đặt trong thư mục «{SURVEY_RETURNS}» của đợt (.xlsx hoặc .csv "
         "UTF-8: sổ nhập phiếu đã điền hoặc bảng kết quả; đợt nhiều khối: mỗi khối một bảng). Bảng có lỗi không "
         "được nhận; sau đó chọn «Tổng hợp xếp hạng».",
         (("survey", CAMPAIGN_HERE, EACH_TABLE + SURVEY_RETURNS),), "do_survey_import"),
)


def task_named(label: str) -> Task:
    """The task whose dropdown label is ``label`` (spaces around it ignored); KeyError if none."""
    wanted = " ".join(str(label or "").split())
    for task in TASKS:
        if task.label == wanted:
            return task
    raise KeyError(label)


def command_line(task: Task, campaign: str) -> list[str]:
    """The ``parxl …`` commands of ``task`` on the folder ``campaign``, as the clerk would type them (a survey
    table of ``EACH_TABLE`` as «<folder>/TÊN_BẢNG.xlsx»)."""
    def arg(a: str) -> str:
        if a == CAMPAIGN_HERE:
            return f'"{campaign}"'
        if a.startswith(EACH_TABLE):
            return f'"{os.path.join(campaign, a[len(EACH_TABLE):], "TÊN_BẢNG.xlsx")}"'
        return f'"{os.path.join(campaign, a[len(IN_CAMPAIGN):])}"' if a.startswith(IN_CAMPAIGN) else a
    return [" ".join(["parxl", *map(arg, args), *([] if CAMPAIGN_HERE in args else [f'"{campaign}"'])])
            for args in task.commands]


def survey_tables(folder: Path) -> list[Path]:
    """The survey tables in ``folder`` (``SURVEY_SUFFIXES``, by name; Excel's «~$» lock files and
    hidden dot files left out); [] when the folder is not there."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SURVEY_SUFFIXES
                      and not p.name.startswith(("~$", ".")))
    except OSError:
        return []
