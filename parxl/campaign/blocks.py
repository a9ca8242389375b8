"""Blocks (khối) of a campaign: each with its own criteria set, units, bands and ranking settings.

A province publishes several blocks in one decision (the departments and the communes; the province's
own self-assessment against the national set, evaluated and not ranked). ``campaign.yaml`` may list
them under ``blocks:``::

    blocks:
      - id: so
        title: Khối sở, ban, ngành
        criteria: criteria-so.yaml
        units: units-so.csv          # its own units list …
      - id: xa
        title: Khối UBND cấp xã
        criteria: criteria-xa.yaml   # … or none: the campaign's units list, by its «Khối» column
        bands: [...]                 # optional: else the block's criteria set's bands
        tie_rule: dense              # optional: else the campaign's
        missing_policy: exclude      # optional: else the campaign's
        ranked: true                 # false: index, sub-indices and band, no rank

A campaign without ``blocks:`` is one block made from today's settings (``single_block``), so every
single-block code path stays as it was. Commands loop over ``Campaign.blocks`` and hand each stage the
block's view of the campaign (``Campaign.for_block``): a ``Campaign`` whose framework, units, bands and
ranking settings are the block's, and whose ``id`` names the block.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.errors import CampaignError
from ..core.texts import fold, normalize_text
from ..criteria.framework import Band, Framework, load_framework
from .units import Unit, load_units, read_rows

if TYPE_CHECKING:  # pragma: no cover
    from .folder import CampaignConfig

BLOCK_COLUMN = "khoi"  # the units list's «Khối» column, folded
TieRule = Literal["competition", "dense"]
MissingPolicy = Literal["exclude", "score_readable"]


class BlockConfig(BaseModel):
    """One entry of ``campaign.yaml`` ``blocks:`` as written (paths relative to the campaign folder).

    ``units`` None: the block's units are the rows of the campaign's units list whose «Khối» column
    names the block (its ``id`` or its ``title``). ``bands``, ``tie_rule``, ``missing_policy`` None:
    the block's criteria set's bands, the campaign's tie rule and missing policy.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$",
                    description="Mã khối, không dấu, không khoảng trắng, tối đa 20 ký tự: «so», «xa»")
    title: str = Field(min_length=1, description="Tên khối: «Khối sở, ban, ngành»")
    criteria: str = Field(description="Tệp bộ chỉ số của khối, tương đối với thư mục đợt đánh giá")
    units: str | None = Field(None, description="Danh sách đơn vị của khối; bỏ trống: dùng cột «Khối» của units.csv")
    bands: list[Band] | None = Field(None, description="Thay các khoảng xếp loại của bộ chỉ số của khối")
    tie_rule: TieRule | None = Field(None, description="competition: 1, 2, 2, 4 · dense: 1, 2, 2, 3")
    missing_policy: MissingPolicy | None = Field(None, description="exclude hoặc score_readable")
    ranked: bool = Field(True, description="false: chỉ tính chỉ số, chỉ số thành phần và xếp loại, không xếp hạng")


@dataclass
class Block:
    """One block of a campaign: ``id`` (as in campaign.yaml; the set's block, «xa», for a campaign without
    ``blocks:``), ``title`` («Khối UBND cấp xã»), its ``framework``, its ``units`` (list order), the
    ``bands`` in force, ``tie_rule``, ``missing_policy``, whether it is ``ranked``, and the files it came
    from (``criteria``, relative to the campaign folder; ``units_file``).
    """

    id: str
    title: str
    framework: Framework
    units: list[Unit]
    bands: list[Band]
    tie_rule: TieRule
    missing_policy: MissingPolicy
    ranked: bool
    criteria: str
    units_file: Path
    own_bands: bool = False  # bands given in campaign.yaml (not the set's)

    def has(self, code: str) -> bool:
        """Whether the unit with ``code`` belongs to this block."""
        return any(u.code == code for u in self.units)


def block_title(level: str) -> str:
    """«Khối UBND cấp xã» / «Khối sở, ban, ngành» / «Khối UBND cấp huyện» for a criteria set's block."""
    return {"xa": "Khối UBND cấp xã", "so": "Khối sở, ban, ngành", "huyen": "Khối UBND cấp huyện"}.get(
        level, f"Khối {level}")


def single_block(config: "CampaignConfig", framework: Framework, units: list[Unit], units_file: Path) -> Block:
    """The one block of a campaign without ``blocks:``, from today's settings (``block``, ``criteria``,
    ``bands``, ``tie_rule``, ``missing_policy``); always ranked."""
    return Block(id=str(config.block), title=block_title(str(config.block)), framework=framework,
                 units=list(units), bands=list(config.bands or framework.model.bands),
                 tie_rule=config.tie_rule, missing_policy=config.missing_policy, ranked=True,
                 criteria=config.criteria, units_file=units_file, own_bands=config.bands is not None)


def _where(config_path: Path, n: int, key: str) -> str:
    return f"«{config_path}», mục «blocks[{n}].{key}»"


def load_blocks(root: Path, config: "CampaignConfig", config_path: Path,
                campaign_units_file: Path | None) -> list[Block]:
    """The blocks ``config.blocks`` lists, each with its criteria set and units loaded and checked.

    ``campaign_units_file``: the campaign's units list (``units.csv``/``units.xlsx``), read for the
    blocks without their own ``units`` (by its «Khối» column). Raises CampaignError, in Vietnamese with
    the YAML path (``blocks[1].id``): two blocks with one id; a criteria or units file missing; a block
    without units; a unit in two blocks; a «Khối» value that names no block; top-level ``bands`` (each
    block has its own). FrameworkError or UnitsError for a block's criteria set or units list.
    """
    if not config.blocks:
        raise CampaignError(f"«{config_path}», mục «blocks»: danh sách khối trống; hãy liệt kê ít nhất một khối "
                            "(id, title, criteria) hoặc xóa mục «blocks».")
    if config.bands is not None:
        raise CampaignError(f"«{config_path}», mục «bands»: đợt đánh giá có nhiều khối thì khoảng xếp loại đặt "
                            "trong từng khối («blocks[…].bands»); hãy chuyển mục «bands» vào khối cần dùng.")
    seen: dict[str, int] = {}
    for n, b in enumerate(config.blocks):
        key = fold(b.id)
        if key in seen:
            raise CampaignError(f"{_where(config_path, n, 'id')}: mã khối «{b.id}» trùng với "
                                f"«blocks[{seen[key]}].id»; mỗi khối một mã riêng.")
        seen[key] = n
    by_column = _units_by_block_column(config, config_path, campaign_units_file)
    blocks: list[Block] = []
    owner: dict[str, str] = {}
    for n, b in enumerate(config.blocks):
        criteria_path = root / b.criteria
        if not criteria_path.is_file():
            raise CampaignError(f"{_where(config_path, n, 'criteria')}: không tìm thấy tệp bộ chỉ số «{criteria_path}».")
        framework = load_framework(criteria_path)
        if b.units is not None:
            units_file = root / b.units
            if not units_file.is_file():
                raise CampaignError(f"{_where(config_path, n, 'units')}: không tìm thấy danh sách đơn vị «{units_file}».")
            units = load_units(units_file)
        else:
            if campaign_units_file is None:
                raise CampaignError(f"{_where(config_path, n, 'units')}: khối «{b.id}» không có danh sách đơn vị riêng "
                                    "và thư mục đợt đánh giá không có units.csv hoặc units.xlsx có cột «Khối».")
            units_file = campaign_units_file
            units = by_column.get(fold(b.id), [])
        if not units:
            raise CampaignError(f"{_where(config_path, n, 'units')}: khối «{b.id}» chưa có đơn vị nào"
                                + ("" if b.units else f" (cột «Khối» của «{campaign_units_file.name}» không có "
                                   f"dòng nào ghi «{b.id}» hoặc «{b.title}»)") + ".")  # type: ignore[union-attr]
        for u in units:
            if u.code in owner:
                raise CampaignError(f"{_where(config_path, n, 'units')}: đơn vị «{u.code} {u.name}» đã thuộc khối "
                                    f"«{owner[u.code]}»; mỗi đơn vị chỉ thuộc một khối (mã đơn vị không được trùng "
                                    "giữa các khối).")
            owner[u.code] = b.id
        blocks.append(Block(
            id=b.id, title=normalize_text(b.title), framework=framework, units=units,
            bands=list(b.bands or framework.model.bands), tie_rule=b.tie_rule or config.tie_rule,
            missing_policy=b.missing_policy or config.missing_policy, ranked=b.ranked, criteria=b.criteria,
            units_file=units_file, own_bands=b.bands is not None))
    return blocks


def _units_by_block_column(config: "CampaignConfig", config_path: Path,
                           units_file: Path | None) -> dict[str, list[Unit]]:
    """Folded block id → units, from the campaign's units list's «Khối» column (blocks without ``units``).

    The column holds a block's ``id`` or ``title`` (matched ignoring case and diacritics). Raises
    CampaignError when the column is missing or a row names no block.
    """
    if units_file is None or not config.blocks or all(b.units is not None for b in config.blocks):
        return {}
    units = load_units(units_file)
    rows = read_rows(units_file, CampaignError)
    header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), 0)
    header = [fold(normalize_text(c)) for c in rows[header_at]]
    if BLOCK_COLUMN not in header:
        raise CampaignError(f"«{units_file.name}» thiếu cột «Khối»: có khối trong «{config_path.name}» không ghi "
                            "«units» (danh sách riêng) thì danh sách đơn vị chung phải có cột «Khối» ghi mã hoặc "
                            "tên khối của từng đơn vị.")
    col, code_col = header.index(BLOCK_COLUMN), header.index("ma")
    names = {}
    for b in config.blocks:
        names[fold(b.id)] = fold(b.id)
        names[fold(normalize_text(b.title))] = fold(b.id)
    block_of: dict[str, str] = {}
    for n, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        code = normalize_text(row[code_col].strip()) if code_col < len(row) else ""
        value = normalize_text(row[col].strip()) if col < len(row) else ""
        if not code:
            continue
        if fold(value) not in names:
            listed = ", ".join(f"«{b.id}»" for b in config.blocks)
            raise CampaignError(f"«{units_file.name}», dòng {n}: cột «Khối» của đơn vị «{code}» ghi "
                                f"«{value}», không phải khối nào trong «{config_path.name}»; hãy ghi một trong: {listed}.")
        block_of[code] = names[fold(value)]
    out: dict[str, list[Unit]] = {}
    for u in units:
        out.setdefault(block_of[u.code], []).append(u)
    return out
