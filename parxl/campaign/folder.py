"""A campaign is a folder: campaign.yaml, the units list, the criteria set and work folders.

```
CAMPAIGN/
  campaign.yaml    year, block, issuing body, signer, plan and decision numbers…
  criteria.yaml    the criteria set, copied in so the campaign never changes under it
  units.csv        (or units.xlsx) Mã, Tên đơn vị, Loại
  workbooks/       what is sent to the units
  inbox/           what comes back
  output/          what parxl produces
  .parxl/          private state (the ledger, kept copies of received files)
```
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..core.errors import CampaignError
from ..core.files import copy_atomic, ensure_folder, write_text_atomic
from ..core.resources import resolve_criteria
from ..core.numbers import parse_text_number
from ..core.texts import normalize_text
from ..criteria.framework import Band, BlockId, Framework, FrameworkError, load_framework
from ..criteria.messages import band_problems, load_yaml, loc_path, vi_error, yaml_problem
from .blocks import Block, BlockConfig, load_blocks, single_block
from .units import Unit, load_units
from .schedule import ScheduleTask, config_date, default_schedule, schedule_yaml, validate_schedule

CAMPAIGN_FILE = "campaign.yaml"
CRITERIA_FILE = "criteria.yaml"
STATE_DIR = ".parxl"
CONTROL_STEM = "parxl_dieu_khien"  # the control workbook (.xlsm) and its .py that parxl control writes here
WORK_DIRS = ("workbooks", "inbox", "output", STATE_DIR)


class _ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Issuer(_ConfigModel):
    """The issuing body as the documents' header and signature block show it.

    The layout (parent body above the issuer, both in capitals; place before the date; the
    abbreviation in the document symbol, e.g. «QĐ-UBND») follows Nghị định 30/2020/NĐ-CP, Phụ lục I.
    All fields are Vietnamese text, as printed.
    """

    name: str = Field(description="Cơ quan ban hành, viết hoa: «ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN»")
    parent: str | None = Field(None, description="Cơ quan chủ quản (nếu có), viết hoa")
    place: str = Field(description="Địa danh ghi ngày tháng: «Kinh Môn»")
    short: str = Field("UBND", description="Viết tắt tên cơ quan trong số hiệu: QĐ-UBND")
    authority: str = Field(description="Thẩm quyền ban hành: «CHỦ TỊCH ỦY BAN NHÂN DÂN THỊ XÃ KINH MÔN»")
    proposer: str = Field("Trưởng phòng Nội vụ", description="«Theo đề nghị của …»")


class Signer(_ConfigModel):
    """Who signs the documents: name, title, and the «TM.» (on behalf of the collective body) or
    «KT.» (deputy signing for the head) line, as Nghị định 30/2020/NĐ-CP, Phụ lục I lays them out.
    """

    name: str
    title: str = Field("CHỦ TỊCH", description="Chức vụ người ký: CHỦ TỊCH / PHÓ CHỦ TỊCH")
    on_behalf: str | None = Field("TM. ỦY BAN NHÂN DÂN", description="Dòng TM. (nếu có)")
    deputy_of: str | None = Field(None, description="Dòng KT. (nếu người ký là cấp phó): «KT. CHỦ TỊCH»")


class CampaignDocument(_ConfigModel):
    """A document of the campaign (the plan, the decision): its number and symbol («184/KH-UBND», or
    «…» while it has none), date and title, as cited in the generated documents.
    """

    number: str = Field(description="Số, ký hiệu: «184/KH-UBND»; để «…» nếu chưa có số")
    date: dt.date | None = None
    title: str | None = None


class Contact(_ConfigModel):
    """The office and person units may contact, printed in the workbook instructions and the notices."""

    office: str = "Phòng Nội vụ"
    person: str | None = None
    phone: str | None = None
    email: str | None = None


class SurveyGroup(_ConfigModel):
    """A respondent group of the survey (điều tra xã hội học): its code (the «Nhóm» column of the
    survey tables may hold the code or the name), its name, its sampling per unit (a fixed ``n``, or
    the ``population`` column of the units list with margin ``margin``: n = N / (1 + N·e²), rounded
    up) and its optional ``weight`` in the survey items' points (relative; all groups or none).
    """

    code: str = Field(min_length=1, description="Mã nhóm, ví dụ «CD»")
    name: str = Field(min_length=1, description="Tên nhóm, ví dụ «Người dân, tổ chức»")
    n: int | None = Field(None, ge=1, description="Số phiếu cố định mỗi đơn vị")
    population: str | None = Field(None, description="Tên cột số lượng (N) trong danh sách đơn vị, ví dụ «Dân số»")
    margin: Decimal = Field(Decimal("0.05"), gt=0, lt=1, description="Sai số e (mặc định 5%)")
    weight: Decimal | None = Field(None, ge=0, description="Trọng số của nhóm trong điểm tiêu chí điều tra")

    @field_validator("margin", mode="before")
    @classmethod
    def _margin(cls, v):
        if isinstance(v, str) and v.strip().endswith("%"):
            share = parse_text_number(v)
            return v if share is None else share / 100
        return v

    @model_validator(mode="after")
    def _one_sampling(self):
        if (self.n is None) == (self.population is None):
            raise ValueError("mỗi nhóm cần đúng một cách lấy mẫu: «n» (số phiếu cố định) hoặc «population» "
                             "(tên cột số lượng trong danh sách đơn vị)")
        return self


class CampaignConfig(_ConfigModel):
    """``campaign.yaml``, validated: extra keys are refused.

    ``year`` is 2000–2100; ``block`` the criteria set's block (must match the set, checked by
    ``load_campaign``); ``criteria`` a path relative to the campaign folder; ``bands`` replaces the
    set's classification bands (index intervals in %); ``tie_rule`` numbers equal indexes
    (competition 1, 2, 2, 4 or dense 1, 2, 2, 3); ``missing_policy`` says whether a unit whose file
    still has errors is ranked. Validation raises pydantic's ``ValidationError``; ``load_campaign``
    turns it into a Vietnamese ``CampaignError``.
    """

    year: int = Field(ge=2000, le=2100)
    block: BlockId | None = None  # required without ``blocks`` (checked below)
    criteria: str = Field(CRITERIA_FILE, description="Tệp bộ chỉ số, tương đối với thư mục đợt đánh giá")
    title: str | None = None
    issuer: Issuer
    signer: Signer
    plan: CampaignDocument | None = None
    decision: CampaignDocument | None = None
    deadline: dt.date | None = Field(None, description="Hạn gửi kết quả tự đánh giá")
    submit_to: str | None = Field(None, description="Nơi gửi tệp: địa chỉ thư điện tử, phần mềm…")
    contact: Contact = Field(default_factory=Contact)
    bands: list[Band] | None = Field(None, description="Thay các khoảng xếp loại của bộ chỉ số")
    survey_held: bool = Field(True, description="false: không điều tra XHH, chỉ số quy về 100 từ phần thẩm định")
    tie_rule: Literal["competition", "dense"] = Field(
        "competition", description="competition: 1, 2, 2, 4 · dense: 1, 2, 2, 3")
    missing_policy: Literal["exclude", "score_readable"] = Field(
        "exclude", description="Đơn vị còn lỗi: exclude = không xếp hạng; score_readable = chấm trên phần đọc được")
    recipients: list[str] = Field(default_factory=list, description="Nơi nhận của quyết định")
    schedule: list[ScheduleTask] | None = Field(None, description="Tiến độ: các nhiệm vụ của kế hoạch triển khai")
    survey_groups: list[SurveyGroup] = Field(default_factory=list, description="Các nhóm đối tượng điều tra XHH")
    blocks: list[BlockConfig] | None = Field(
        None, description="Các khối của đợt đánh giá (mỗi khối một bộ chỉ số, danh sách đơn vị, xếp hạng riêng)")
    tie_break: list[Literal["appraised", "survey"]] = Field(
        default_factory=list, description="Chỉ số bằng nhau: xếp trước đơn vị có điểm thẩm định (appraised), rồi điểm "
        "điều tra XHH (survey) cao hơn, theo thứ tự ghi; còn bằng nhau mới theo tie_rule")
    explanation_deadline: dt.date | None = Field(None, description="Hạn gửi giải trình kết quả sơ bộ")

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value, info):
        return validate_schedule(value, info)

    @field_validator("explanation_deadline", mode="before")
    @classmethod
    def _explanation_deadline(cls, value):
        return config_date(value)

    @model_validator(mode="after")
    def _block_or_blocks(self) -> "CampaignConfig":
        if self.blocks is None and self.block is None:
            raise ValueError("thiếu mục bắt buộc «block» (khối của bộ chỉ số, ví dụ xa, so, huyen), "
                             "hoặc danh sách «blocks» khi đợt đánh giá có nhiều khối")
        return self

    @field_validator("tie_break", mode="before")
    @classmethod
    def _no_tie_break(cls, v):
        """``tie_break: none`` (or empty) is no tie-break: equal indexes share a rank per ``tie_rule``."""
        return [] if v is None or (isinstance(v, str) and v.strip().lower() in ("none", "")) else v


@dataclass
class Campaign:
    """A loaded campaign: its folder, ``campaign.yaml``, criteria set and units (in the units file's order).

    Made by ``load_campaign`` or ``init_campaign``. The ``*_dir`` properties are the work folders
    under ``root`` (workbooks/, inbox/, output/, .parxl/).
    """

    root: Path
    config: CampaignConfig
    framework: Framework
    units: list[Unit]
    units_file: Path
    _by_code: dict[str, Unit] = field(default_factory=dict, repr=False)
    blocks: list[Block] = field(default_factory=list)  # [] → the one block of today's settings
    block_id: str | None = None  # set on a block's view (``for_block``) of a campaign with ``blocks:``

    def __post_init__(self) -> None:
        self._by_code = {u.code: u for u in self.units}
        if not self.blocks:
            self.blocks = [single_block(self.config, self.framework, self.units, self.units_file)]

    @property
    def has_blocks(self) -> bool:
        """Whether ``campaign.yaml`` lists ``blocks:`` (then commands loop over ``blocks``)."""
        return self.config.blocks is not None

    def block_of(self, code: str) -> Block | None:
        """The block the unit with ``code`` belongs to, or None (the first such block in ``blocks`` order).

        Looked up in an index of unit codes made once (rebuilt when ``blocks`` or a block's units list is
        replaced or changes length): the intake asks it for every file."""
        signature = (id(self.blocks), *((id(b.units), len(b.units)) for b in self.blocks))
        index = self.__dict__.get("_block_index")
        if index is None or index[0] != signature:
            by_code: dict[str, Block] = {}
            for block in self.blocks:
                for unit in block.units:
                    by_code.setdefault(unit.code, block)
            index = self.__dict__["_block_index"] = (signature, by_code)
        return index[1].get(code)

    def for_block(self, block: Block) -> "Campaign":
        """The campaign as one of its blocks sees it: the block's criteria set, units, bands, tie rule and
        missing policy, its id naming the block; the same folder, ledger and settings otherwise. A campaign
        without ``blocks:`` is its own (only) block's view."""
        if not self.has_blocks:
            return self
        config = self.config.model_copy(update={
            "block": block.framework.model.block, "criteria": block.criteria,
            "bands": block.bands if block.own_bands else None, "tie_rule": block.tie_rule,
            "missing_policy": block.missing_policy, "blocks": None})
        return Campaign(self.root, without_survey_part(config, block.framework), block.framework, block.units,
                        block.units_file, blocks=[block], block_id=block.id)

    def views(self) -> list["Campaign"]:
        """``for_block`` of every block, in campaign.yaml order (one view: the campaign itself)."""
        return [self.for_block(b) for b in self.blocks]

    def unit(self, code: str) -> Unit | None:
        """The unit with code ``code`` (exact, case-sensitive), or None."""
        return self._by_code.get(code)

    @property
    def id(self) -> str:
        """Identifies the campaign inside generated workbooks: the issuer, the year and the set."""
        return f"{self.config.year}:{self.block_id or self.config.block}:{self.framework.id}:{self.config.issuer.name}"

    @property
    def year(self) -> int:
        """The campaign's year (``campaign.yaml`` ``year``)."""
        return self.config.year

    @property
    def title(self) -> str:
        """The campaign's title, by default «Xác định Chỉ số cải cách hành chính năm <year>»."""
        return self.config.title or f"Xác định Chỉ số cải cách hành chính năm {self.config.year}"

    @property
    def bands(self) -> list[Band]:
        """The classification bands in force: ``campaign.yaml``'s ``bands`` when given, else the criteria
        set's (which come from the province's decision the set cites in ``legal_basis``).
        """
        return self.config.bands or self.framework.model.bands

    workbooks_dir = property(lambda self: self.root / "workbooks")
    inbox_dir = property(lambda self: self.root / "inbox")
    output_dir = property(lambda self: self.root / "output")
    state_dir = property(lambda self: self.root / STATE_DIR)


def parse_campaign_config(config_path: Path) -> CampaignConfig:
    """``campaign.yaml`` read and validated.

    Raises CampaignError naming the file: a YAML syntax error with its line and column, or every
    problem of the content at once, one per line, each with its YAML path and what to write, in
    Vietnamese (the criteria loader's translation of pydantic's errors, ``vi_error``).
    """
    try:
        text = normalize_text(config_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignError(f"«{config_path}»: không đọc được tệp (cần tệp văn bản UTF-8).") from exc
    try:
        data, duplicates = load_yaml(text)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date that does not exist
        problem = yaml_problem(exc)
        raise CampaignError(f"«{config_path}», {problem.path}: {problem.message}.") from exc
    if data is None:
        raise CampaignError(f"«{config_path}» trống. Hãy tạo lại bằng «parxl init» hoặc chép từ một đợt "
                            "đánh giá khác, rồi điền các mục (year, block, issuer, signer…).")
    if not isinstance(data, dict):
        raise CampaignError(f"«{config_path}» phải gồm các dòng «tên: giá trị» (ví dụ «year: 2025»), "
                            "không phải một giá trị hay danh sách.")
    lines = [f"  - {d.path}: {d.message}" for d in duplicates]
    try:
        config = CampaignConfig.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        lines += [f"  - mục «{loc_path(e['loc'])}»: {vi_error(e, _keys_at(CampaignConfig, e['loc'][:-1]))}"
                  for e in errors]
        raise CampaignError(f"«{config_path}» có {len(lines)} lỗi:\n" + "\n".join(lines)) from exc
    if lines:
        raise CampaignError(f"«{config_path}» có {len(lines)} lỗi:\n" + "\n".join(lines))
    return config


def _keys_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys ``campaign.yaml`` accepts at ``loc`` (a pydantic location), following nested models and
    lists of them; [] when ``loc`` leads elsewhere."""
    current: object = model
    for part in loc:
        if isinstance(part, int):
            continue
        found = _model_in(current)
        if found is None or part not in found.model_fields:
            return []
        current = found.model_fields[part].annotation
    found = _model_in(current)
    return list(found.model_fields) if found is not None else []


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def find_units_file(root: Path) -> Path:
    """The units list in ``root``: ``units.csv`` if present, else ``units.xlsx``.

    Raises CampaignError when neither is a file.
    """
    for name in ("units.csv", "units.xlsx"):
        if (root / name).is_file():
            return root / name
    raise CampaignError(f"«{root}» chưa có danh sách đơn vị (units.csv hoặc units.xlsx).")


def load_campaign(root: str | Path) -> Campaign:
    """Load the campaign in folder ``root``: ``campaign.yaml``, its criteria set and its units list.

    Creates any missing work folder (workbooks/, inbox/, output/, .parxl/); writes nothing else.
    Raises CampaignError (no ``campaign.yaml``, invalid YAML, an invalid or unknown key, or a criteria
    set for another block than ``block``), FrameworkError (the criteria set) or UnitsError (the
    units list), each with a Vietnamese message naming the file.
    """
    root = Path(root)
    config_path = root / CAMPAIGN_FILE
    if not config_path.is_file():
        raise CampaignError(f"«{root}» không phải thư mục đợt đánh giá: thiếu {CAMPAIGN_FILE}. Tạo bằng «parxl init».")
    config = parse_campaign_config(config_path)
    if config.blocks is not None:
        return _load_with_blocks(root, config, config_path)
    framework = load_framework(root / config.criteria)
    problems = []
    if framework.model.block != config.block:
        problems.append(f"mục «block»: đợt đánh giá khối «{config.block}» nhưng bộ chỉ số «{framework.id}» dành cho "
                        f"khối «{framework.model.block}»; ghi block: {framework.model.block} hoặc đổi bộ chỉ số")
    if config.bands:  # the campaign's own bands: the same checks as the set's
        problems += [f"mục «{p.path}»: {p.message}" for p in band_problems(config.bands, framework.model, "bands")]
    if len(problems) == 1 and framework.model.block != config.block:
        raise CampaignError(
            f"«{config_path}»: đợt đánh giá khối «{config.block}» nhưng bộ chỉ số «{framework.id}» dành cho khối «{framework.model.block}».")
    if problems:
        raise CampaignError(f"«{config_path}» có {len(problems)} lỗi:\n" + "\n".join(f"  - {p}" for p in problems))
    units_file = find_units_file(root)
    for sub in WORK_DIRS:  # a campaign copied or cloned without its empty folders
        ensure_folder(root / sub)
    return Campaign(root, without_survey_part(config, framework), framework, load_units(units_file), units_file)


def without_survey_part(config: CampaignConfig, framework: Framework) -> CampaignConfig:
    """``config`` with ``survey_held`` off when ``framework`` has no survey item: such a set has no survey to hold,
    so no survey wording, column or warning appears (its total is its appraised part, the index is the same)."""
    if config.survey_held and not any(i.rule.type == "survey" for i in framework.items):
        return config.model_copy(update={"survey_held": False})
    return config


def _load_with_blocks(root: Path, config: CampaignConfig, config_path: Path) -> Campaign:
    """A campaign whose ``campaign.yaml`` lists ``blocks:``: every unit of every block, the first block's
    criteria set as ``framework`` (and its set's block as ``config.block``, for code that reads one); the
    stages are handed each block's view (``Campaign.for_block``)."""
    try:
        units_file: Path | None = find_units_file(root)
    except CampaignError:
        units_file = None
    blocks = load_blocks(root, config, config_path, units_file)
    for sub in WORK_DIRS:
        ensure_folder(root / sub)
    first = blocks[0]
    config = config.model_copy(update={"block": first.framework.model.block})
    units = [u for b in blocks for u in b.units]
    return Campaign(root, config, first.framework, units, units_file or first.units_file, blocks=blocks)


def init_campaign(root: str | Path, criteria: str, units_file: str | Path, year: int,
                  issuer_name: str | None = None, place: str | None = None) -> Campaign:
    """Create a campaign folder and return it loaded; refuses to touch a folder that already holds one.

    Writes ``criteria.yaml`` (a copy of the set), ``units.csv``/``units.xlsx`` (a copy of
    ``units_file``), the work folders and, last, ``campaign.yaml``, each atomically. Raises
    ``CampaignError`` (folder already a campaign, year outside the set's validity),
    ``FrameworkError`` or ``UnitsError`` before anything is written.
    """
    root = Path(root)
    if (root / CAMPAIGN_FILE).exists():
        raise CampaignError(f"«{root}» đã có đợt đánh giá ({CAMPAIGN_FILE}); chọn thư mục khác.")
    criteria_path = resolve_criteria(criteria)
    try:
        framework = load_framework(criteria_path)
    except FrameworkError:
        raise
    units = load_units(units_file)  # validate before creating anything
    if not (framework.model.valid_from <= year <= framework.model.valid_to):
        raise CampaignError(
            f"Bộ chỉ số «{framework.id}» áp dụng cho các năm {framework.model.valid_from}–{framework.model.valid_to}, không gồm năm {year}.")
    ensure_folder(root)
    for sub in WORK_DIRS:
        ensure_folder(root / sub)
    # Every file goes through the atomic writer, campaign.yaml last: a crash at any point leaves no
    # campaign.yaml (so «parxl init» can simply be run again) or a whole one, never half of one.
    copy_atomic(criteria_path, root / CRITERIA_FILE)
    units_file = Path(units_file)
    copy_atomic(units_file, root / ("units" + units_file.suffix.lower()))
    issuer = issuer_name or "ỦY BAN NHÂN DÂN …"
    config = {
        "year": year,
        "block": framework.model.block,
        "criteria": CRITERIA_FILE,
        "title": f"Xác định Chỉ số cải cách hành chính năm {year}",
        "issuer": {
            "name": issuer,
            "place": place or "…",
            "short": "UBND",
            "authority": "CHỦ TỊCH " + issuer,
            "proposer": "Trưởng phòng Nội vụ",
        },
        "signer": {"name": "…", "title": "CHỦ TỊCH", "on_behalf": "TM. ỦY BAN NHÂN DÂN"},
        "plan": {"number": "…/KH-UBND", "date": None},
        "decision": {"number": "…/QĐ-UBND", "date": None},
        "deadline": None,
        "submit_to": None,
        "contact": {"office": "Phòng Nội vụ", "person": None, "phone": None, "email": None},
        "survey_held": any(i.rule.type == "survey" for i in framework.items),
        "tie_rule": "competition",
        "missing_policy": "exclude",
        "recipients": ["Sở Nội vụ", "Chủ tịch, các PCT UBND", "Các đơn vị có tên tại Điều 1", "Lưu: VT, NV"],
    }
    schedule = default_schedule(year, framework.model.block, config["contact"]["office"])
    config["schedule"] = schedule_yaml(schedule)
    text = (
        f"# Đợt đánh giá Chỉ số CCHC năm {year} — sửa các mục có «…» trước khi gửi biểu mẫu.\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    )
    write_text_atomic(root / CAMPAIGN_FILE, text)
    return Campaign(root, CampaignConfig.model_validate(config), framework, units, root / ("units" + units_file.suffix.lower()))
