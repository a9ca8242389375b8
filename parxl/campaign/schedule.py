"""The campaign's schedule (``schedule:`` in campaign.yaml): the tasks of the plan, their deadlines and offices.

Each task is one row of the plan's timetable (Kế hoạch triển khai, seeds 000 and 002)::

    schedule:
      - no: "2"
        task: UBND các xã, phường tự đánh giá, chấm điểm, gửi kết quả và tài liệu kiểm chứng
        due: 2026-01-10             # a date, or a period: «Tháng 12/2025», «Trước 15/12/2025»
        lead: UBND các xã, phường
        partners: [Phòng Nội vụ]
        stage: self-assessment      # the parxl stage it corresponds to (optional)

A task without ``due`` and ``lead`` is a heading row («3. Xác định Chỉ số CCHC …») whose sub-tasks
follow. ``due`` as text is read for its end: the latest date it names (a month «12/2025» ends on its
last day), so «Trước 15/12/2025» is due on 15/12/2025 and «Tháng 12/2025-01/2026» on 31/01/2026.

A campaign.yaml without ``schedule`` (made before it existed) keeps working: ``campaign_schedule``
gives the default schedule of ``parxl init`` for its year, with ``deadline`` as the self-assessment
task's deadline. ``deadline``, when given, is the self-assessment task's deadline: it replaces that
task's ``due`` (``campaign_schedule``), so the workbooks, the plan and the status all say one date.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ..core.texts import normalize_text

Stage = Literal["self-assessment", "appraisal-1", "explanation", "appraisal-2", "council", "decision", "report"]
STAGES: tuple[str, ...] = Stage.__args__  # type: ignore[attr-defined]

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})(?!\d)")
_MY = re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{4})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def due_end(text: str) -> dt.date | None:
    """The last day a due text names: «Trước 15/12/2025» → 2025-12-15, «Tháng 12/2025» → 2025-12-31,
    «Tháng 12/2022-01/2023» → 2023-01-31, «2026-01-10» → 2026-01-10; None when it names no whole date
    or month with its year (or names an impossible one)."""
    found: list[dt.date] = []
    rest = text
    try:
        for m in _ISO.finditer(text):
            found.append(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        rest = _ISO.sub(" ", rest)
        for m in _DMY.finditer(rest):
            found.append(dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        rest = _DMY.sub(" ", rest)
        for m in _MY.finditer(rest):
            year, month = int(m.group(2)), int(m.group(1))
            found.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    except (ValueError, calendar.IllegalMonthError):
        return None
    return max(found) if found else None


def date_text(day: dt.date) -> str:
    """«10/01/2026»: a date as plans write it (dd/mm/yyyy)."""
    return day.strftime("%d/%m/%Y")


class ScheduleTask(BaseModel):
    """One task of the schedule: number, wording, deadline (date or period text), lead and partner offices,
    and the parxl stage it corresponds to. All texts Vietnamese (NFC)."""

    model_config = ConfigDict(extra="forbid")

    no: str = Field(description="Số thứ tự: 1, 3.1, 3.2 … (viết trong ngoặc kép: \"3.10\")")
    task: str = Field(min_length=1, description="Nhiệm vụ")
    due: dt.date | str | None = Field(None, description="Thời gian: một ngày (2026-01-10) hoặc «Tháng 12/2025», «Trước 15/12/2025»")
    lead: str | None = Field(None, description="Cơ quan chủ trì")
    partners: list[str] = Field(default_factory=list, description="Cơ quan phối hợp")
    stage: Stage | None = Field(None, description="Bước tương ứng của parxl: self-assessment, appraisal-1, "
                                                  "explanation, appraisal-2, council, decision, report")

    @model_validator(mode="before")
    @classmethod
    def _yaml_no(cls, data):
        # YAML 1.1 reads an unquoted key «no» as false: «- no: 1» arrives as {False: 1}.
        if isinstance(data, dict) and False in data and "no" not in data:
            data = {("no" if k is False else k): v for k, v in data.items()}
        return data

    @field_validator("no", mode="before")
    @classmethod
    def _no(cls, v):
        return str(v).strip() if isinstance(v, (int, float, str)) else v

    @field_validator("task", "lead", mode="before")
    @classmethod
    def _text(cls, v):
        return normalize_text(v).strip() if isinstance(v, str) else v

    @field_validator("partners", mode="before")
    @classmethod
    def _partners(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            v = [v]
        return [normalize_text(p).strip() for p in v if isinstance(p, str) and p.strip()] if isinstance(v, list) else v

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, v):
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, str):
            text = " ".join(normalize_text(v).split())
            if not text:
                return None
            if due_end(text) is None and (_ISO.search(text) or _DMY.search(text)):
                raise ValueError(f"thời gian «{text}» ghi một ngày không có thật (kiểm tra ngày, tháng); viết một "
                                 "ngày có thật, ví dụ 2026-01-10 hoặc «Trước 28/02/2026»")
            if due_end(text) is None:
                raise ValueError(f"thời gian «{text}» không ghi rõ ngày hoặc tháng kèm năm; viết một ngày "
                                 "(2026-01-10) hoặc «Tháng 12/2025», «Trước 15/12/2025»")
            return text
        return v

    @property
    def due_date(self) -> dt.date | None:
        """The last day of ``due`` (see ``due_end``), None for a heading without a deadline."""
        if isinstance(self.due, dt.date):
            return self.due
        return due_end(self.due) if self.due else None

    @property
    def due_text(self) -> str:
        """``due`` as the plan prints it: «10/01/2026», the period as written, or "" when none."""
        if isinstance(self.due, dt.date):
            return date_text(self.due)
        return self.due or ""

    @property
    def heading(self) -> bool:
        """A heading row: no deadline and no lead office (its sub-tasks follow)."""
        return self.due is None and not self.lead


def check_schedule(tasks: list[ScheduleTask] | None, deadline: dt.date | None) -> list[ScheduleTask] | None:
    """``tasks`` unchanged when their numbers are unique and each stage is named at most once; raises
    ``ValueError`` (Vietnamese) otherwise. ``deadline`` (campaign.yaml's) is not compared: when given, it
    is the self-assessment task's deadline (``campaign_schedule``)."""
    if tasks is None:
        return None
    if not tasks:
        raise ValueError("danh sách nhiệm vụ trống; ghi các nhiệm vụ của kế hoạch, hoặc bỏ hẳn mục «schedule» để "
                         "dùng tiến độ mặc định theo năm")
    seen: set[str] = set()
    stages: set[str] = set()
    for task in tasks:
        if task.no in seen:
            raise ValueError(f"số thứ tự «{task.no}» có hai lần; mỗi nhiệm vụ một số riêng")
        seen.add(task.no)
        if task.stage:
            if task.stage in stages:
                raise ValueError(f"bước «{task.stage}» gắn với hai nhiệm vụ; mỗi bước chỉ gắn với một nhiệm vụ")
            stages.add(task.stage)
    return tasks


def validate_schedule(value, info: ValidationInfo):
    """The pydantic hook of ``CampaignConfig.schedule``: ``check_schedule`` with the config's ``deadline``."""
    return check_schedule(value, info.data.get("deadline"))


def units_lead(block: str) -> str:
    """Who self-assesses, as a plan names them: «UBND các xã, phường» (block xa), «Các sở, ban, ngành» (so),
    «UBND các huyện, thị xã, thành phố» (huyen)."""
    return {"xa": "UBND các xã, phường", "so": "Các sở, ban, ngành"}.get(block, "UBND các huyện, thị xã, thành phố")


def default_schedule(year: int, block: str, office: str = "Phòng Nội vụ",
                     deadline: dt.date | None = None) -> list[ScheduleTask]:
    """The schedule ``parxl init`` writes for a campaign of ``year``, shaped like the sample plans' (seeds 000,
    002): guidance, self-assessment (due ``deadline``, by default 10/01 of the next year), compilation,
    first appraisal, preliminary notice and explanation, second appraisal, council, decision, report."""
    y = year + 1
    units = units_lead(block)
    deadline = deadline or dt.date(y, 1, 10)
    rows = [
        ("1", f"Triển khai, hướng dẫn tự đánh giá, chấm điểm Chỉ số CCHC năm {year}; gửi biểu mẫu cho các đơn vị",
         f"Tháng 12/{year}", office, ["Các cơ quan thẩm định"], None),
        ("2", "Các đơn vị tự đánh giá, chấm điểm; gửi kết quả và tài liệu kiểm chứng", deadline, units, [office],
         "self-assessment"),
        ("3", f"Thẩm định, xác định Chỉ số CCHC năm {year}", None, None, [], None),
        ("3.1", "Tổng hợp kết quả tự đánh giá của các đơn vị", f"Trước {date_text(deadline + dt.timedelta(days=5))}",
         office, [], None),
        ("3.2", "Thẩm định kết quả tự đánh giá theo từng lĩnh vực", f"Trước 31/01/{y}", "Các cơ quan thẩm định",
         [office], "appraisal-1"),
        ("3.3", "Thông báo kết quả sơ bộ; các đơn vị giải trình, bổ sung tài liệu kiểm chứng", f"Trước 10/02/{y}",
         office, [units], "explanation"),
        ("3.4", "Rà soát, thẩm định lại sau giải trình", f"Trước 20/02/{y}", "Các cơ quan thẩm định", [office],
         "appraisal-2"),
        ("3.5", "Họp Hội đồng thẩm định thống nhất kết quả", f"Trước 25/02/{y}", "Hội đồng thẩm định",
         [office, "Các cơ quan thẩm định"], "council"),
        ("3.6", f"Quyết định công bố Chỉ số CCHC năm {year}", f"Trước 01/03/{y}", office,
         ["Văn phòng UBND"], "decision"),
        ("4", f"Báo cáo kết quả xác định Chỉ số CCHC năm {year} lên cấp trên", f"Trước 10/03/{y}", office, [],
         "report"),
    ]
    return [ScheduleTask(no=no, task=task, due=due, lead=lead, partners=partners, stage=stage)
            for no, task, due, lead, partners, stage in rows]


def schedule_yaml(tasks: list[ScheduleTask]) -> list[dict]:
    """``tasks`` as campaign.yaml writes them (plain values, dates as dates, empty keys left out)."""
    out = []
    for t in tasks:
        row: dict = {"no": t.no, "task": t.task}
        if t.due is not None:
            row["due"] = t.due
        if t.lead:
            row["lead"] = t.lead
        if t.partners:
            row["partners"] = list(t.partners)
        if t.stage:
            row["stage"] = t.stage
        out.append(row)
    return out


def campaign_schedule(config) -> list[ScheduleTask]:
    """The schedule in force for a ``CampaignConfig``: its ``schedule``, else ``default_schedule`` for its
    year and block (a campaign.yaml from before ``schedule``); ``deadline``, when given, is the due of the
    self-assessment task."""
    if config.schedule is None:
        return default_schedule(config.year, config.block, config.contact.office, config.deadline)
    if not config.deadline:
        return list(config.schedule)
    return [t.model_copy(update={"due": config.deadline}) if t.stage == "self-assessment" else t
            for t in config.schedule]


def schedule_warnings(config) -> list[str]:
    """What the clerk should know about a ``CampaignConfig``'s schedule (Vietnamese sentences, [] when nothing):
    ``deadline`` replacing a different date of the self-assessment task, and a council task due before the
    self-assessment task."""
    out = []
    tasks = list(config.schedule or [])
    own = stage_task(tasks, "self-assessment")
    if config.deadline and own is not None and own.due_date and own.due_date != config.deadline:
        out.append(f"campaign.yaml: «deadline» ({date_text(config.deadline)}) thay cho thời hạn «{own.due_text}» "
                   f"của nhiệm vụ {own.no} (tự đánh giá) trong «schedule»; hạn tự đánh giá là "
                   f"{date_text(config.deadline)}. Sửa một trong hai cho khớp.")
    first = self_assessment_deadline(config)
    later = getattr(config, "explanation_deadline", None)
    if later and first and later < first:
        out.append(f"campaign.yaml: «explanation_deadline» ({date_text(later)}) trước hạn tự đánh giá "
                   f"({date_text(first)}); hạn gửi giải trình phải sau khi có kết quả thẩm định sơ bộ.")
    council = stage_task(tasks, "council")
    due = config.deadline or (own.due_date if own is not None else None)
    if council is not None and council.due_date and due and council.due_date < due:
        out.append(f"campaign.yaml: nhiệm vụ {council.no} (Hội đồng thẩm định) có hạn {date_text(council.due_date)}, "
                   f"trước hạn tự đánh giá {date_text(due)}; kiểm tra lại «schedule».")
    return out


def config_date(value):
    """A date of campaign.yaml (a pydantic «before» hook): a date, «2026-01-15» or «15/01/2026»; raises
    ``ValueError`` (Vietnamese) for a number, a time of day, another text, or a day that does not exist."""
    example = "viết một ngày, ví dụ 2026-01-15 (hoặc 15/01/2026)"
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        raise ValueError(f"«{value}» có kèm giờ; {example}")
    if isinstance(value, str):
        text = " ".join(normalize_text(value).split())
        m = _ISO.fullmatch(text) or _DMY.fullmatch(text)
        if m is None:
            raise ValueError(f"«{text}» không phải một ngày; {example}")
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.re is _ISO else (m.group(3), m.group(2), m.group(1))
        try:
            return dt.date(int(y), int(mo), int(d))
        except ValueError as exc:
            raise ValueError(f"ngày «{text}» không có thật (kiểm tra ngày, tháng); {example}") from exc
    raise ValueError(f"«{value}» không phải một ngày; {example}")


def self_assessment_deadline(config) -> dt.date | None:
    """The self-assessment deadline of a ``CampaignConfig``: ``deadline``, else the last day of the schedule's
    self-assessment task; None when neither gives one."""
    if config.deadline:
        return config.deadline
    for task in config.schedule or []:
        if task.stage == "self-assessment":
            return task.due_date
    return None


def stage_task(tasks: list[ScheduleTask], stage: str) -> ScheduleTask | None:
    """The task of ``tasks`` tied to ``stage``, None when none is."""
    return next((t for t in tasks if t.stage == stage), None)
