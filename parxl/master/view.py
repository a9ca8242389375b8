"""What every sheet of the master needs to know about the results, worked out once."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..core.numbers import vi_number
from ..criteria.framework import Node
from ..results.compute import Results


@dataclass
class View:
    """What every sheet of the master needs: the results, the fields shown, the maximum the index divides by."""

    results: Results
    fields: list[Node]                      # the fields shown (survey fields hidden when no survey is held)
    survey_held: bool
    max_points: Decimal                     # what the index divides by
    part_fields: dict[str, list[str]]       # part -> its fields' codes; empty when a field mixes parts
    made_at: dt.datetime

    @property
    def per_unit_max(self) -> bool:
        """Whether units may have maxima of their own (items not applicable, items by unit type): the ranking
        then shows each unit's."""
        fw = self.results.framework
        return fw.has_not_applicable or fw.has_applies_to

    @property
    def heading(self) -> str:
        """The master's title line: «KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM … – KHỐI …»."""
        c = self.results.campaign
        if c.block_id:  # one block of a campaign with ``blocks:``: its own title («Khối sở, ban, ngành»)
            return f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {c.year} – {c.blocks[0].title.upper()}"
        return (f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {c.year} "
                f"– KHỐI {c.framework.block_title.upper()}")

    @property
    def subheading(self) -> str:
        """The criteria set's legal basis and when the results were made (local time)."""
        fw = self.results.framework
        return (f"(Bộ chỉ số: {fw.model.legal_basis}; tổng hợp lúc {self.made_at:%H:%M} ngày "
                f"{self.made_at:%d/%m/%Y})")

    @property
    def survey_note(self) -> str:
        """See ``survey_note``."""
        return survey_note(self.results)


def survey_note(results: Results) -> str:
    """How the survey entered the index, for a reader ('' when its results are in)."""
    fw = results.framework
    if not results.campaign.config.survey_held:
        return (f"Không tổ chức điều tra xã hội học: chỉ số tính trên phần thẩm định "
                f"(tối đa {vi_number(fw.part_max('appraised'))} điểm) quy về 100.")
    if not results.has_survey:
        return "Chưa có kết quả điều tra xã hội học: điểm điều tra tạm tính bằng 0."
    return ""


def make_view(results: Results) -> View:
    """The ``View`` of ``results``: survey fields hidden when no survey is held."""
    fw = results.framework
    held = results.campaign.config.survey_held
    parts_of = {f.code: {i.part for i in fw.items_of_field(f.code)} for f in fw.fields}
    fields = [f for f in fw.fields if held or parts_of[f.code] != {"survey"}]
    part_fields: dict[str, list[str]] = {}
    if all(len(p) == 1 for p in parts_of.values()):
        for part in ("appraised", "survey"):
            part_fields[part] = [f.code for f in fw.fields if parts_of[f.code] == {part}]
    return View(results, fields, held, fw.total if held else fw.part_max("appraised"), part_fields,
                dt.datetime.fromisoformat(results.made_at))

