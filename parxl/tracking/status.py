"""Where the campaign stands against its schedule, read from the ledger and campaign.yaml (nothing is written).

``campaign_status(campaign, today)`` gives:

- per unit (units-list order): when its self-assessment file was received (the earliest receipt of any
  file recorded for it, readable or not, or the time the clerk recorded with ``parxl status --received``),
  on time or how many days late against the self-assessment deadline (a unit that sent nothing is late by
  the days since the deadline), and its state: ``ok``, ``must-fix`` (its latest readable file has errors),
  ``unreadable`` (its file arrived but does not read), ``internal`` (parxl failed on its file: not the
  unit's fault), ``not-sent``; and the explanation round (giải trình): ``requested`` when the latest
  appraisal round recorded leaves it contested items (scored below its self-assessment, or flagged «Cần
  giải trình»), ``received`` once its giải trình workbook for that round is recorded (with the time),
  ``must-fix`` when the latest version recorded has errors (a later one without errors replaces it);
  and the same for every appraisal round recorded (``explanations``: round 1's explanation and, when a
  later round asked again, that one too);
- per appraisal round whose workbooks were generated or recorded: per workbook (a field, or the bonus and
  penalty items) its appraising office and whether it came back (some item of it is recorded in the round);
- per task of the schedule: its deadline, done, overdue (not done and ``today`` after its last day).

A task tied to a stage is done when the stage has finished: ``self-assessment`` when every unit's file is
ok (or an appraisal round is recorded), ``appraisal-N`` when every workbook of the round came back,
``explanation`` when the second appraisal round has started, ``council`` when the results are finalised
(``parxl finalize``) or the decision is issued, ``decision`` when campaign.yaml's decision has
a number (without «…») and a date, ``report`` when a report was
drafted in output/. A task without a stage is done when a later task of the schedule is.

Times: receipts are ISO 8601 UTC in the ledger; days are counted on the clerk's local calendar.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..appraisal import layout as appraisal_layout
from ..appraisal.record import returned_groups
from ..campaign.folder import Campaign
from ..council.final import final_state
from ..campaign.schedule import ScheduleTask, campaign_schedule, self_assessment_deadline
from ..explanation.contested import contested
from ..explanation.layout import explanation_round
from ..explanation.read import open_round
from ..ledger.returned import returned_files
from ..ledger.store import SELF, Ledger
from ..ledger.unseen import unseen_inbox_files

UnitState = str  # "ok" | "must-fix" | "unreadable" | "internal" | "not-sent"
STATE_TITLES = {"ok": "Đạt yêu cầu", "must-fix": "Có lỗi, cần sửa và gửi lại", "unreadable": "Không đọc được, cần gửi lại",
                "internal": "parxl lỗi khi đọc (không phải lỗi của đơn vị)", "not-sent": "Chưa gửi",
                "recorded": "Đã nhận theo văn thư ghi (chưa có tệp trong inbox/ để kiểm tra)"}
REPORT_PREFIX = "bao-cao-ket-qua-chi-so-cchc-"


def local_day(utc_text: str) -> dt.date:
    """The clerk's calendar day of an ISO 8601 UTC time («2026-01-09T17:30:00Z» → 2026-01-10 at UTC+7)."""
    when = dt.datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone().date()


@dataclass
class ExplanationProgress:
    """A unit's explanation (giải trình) of one appraisal round's results: ``round`` («appraisal-1»), ``state``
    ``requested`` (the round left it contested items; nothing recorded yet), ``received`` (its giải trình
    workbook of that round is recorded) or ``must-fix`` (recorded, but its latest version was checked with
    errors: to send again), ``received_at`` (ISO 8601 UTC of the first one, None until then)."""

    round: str
    state: str
    received_at: str | None = None


@dataclass
class UnitProgress:
    """One unit's self-assessment against the deadline: ``received_at`` (ISO 8601 UTC or None), ``received_on``
    (local day), ``on_time`` (None without a deadline or a file), ``days_late`` (0 when on time; for a unit that
    sent nothing, the days since the deadline), ``state``, ``corrected`` (the time is the clerk's)."""

    code: str
    name: str
    received_at: str | None
    received_on: dt.date | None
    on_time: bool | None
    days_late: int | None
    state: UnitState
    corrected: bool = False
    note: str = ""
    explanation: str = ""                      # "" | "requested" | "received" | "must-fix" (latest round's)
    explanation_received_at: str | None = None  # ISO 8601 UTC of its first giải trình workbook of that round
    explanations: list[ExplanationProgress] = field(default_factory=list)  # every round's, in round order

    def explanation_overdue(self, deadline: dt.date | None, today: dt.date) -> bool:
        """The unit owes its giải trình workbook: requested, not received, and ``deadline`` is past."""
        return self.explanation == "requested" and deadline is not None and today > deadline

    @property
    def overdue(self) -> bool:
        """The unit owes its self-assessment: nothing (readable) sent and the deadline is past, or a file to fix."""
        return (self.state in ("not-sent", "unreadable") and bool(self.days_late)) or self.state == "must-fix"


@dataclass
class AppraisalProgress:
    """One appraisal workbook of a round: its group (field code, or bonus/penalty), title, office, returned, and
    (a campaign with blocks) the title of its block."""

    round: str
    group: str
    title: str
    office: str
    returned: bool
    block: str = ""


@dataclass
class TaskProgress:
    """One task of the schedule: ``no``, ``task``, ``due`` (last day, None for a heading), ``due_text``, ``stage``,
    ``done``, ``overdue``, ``lead``."""

    no: str
    task: str
    due: dt.date | None
    due_text: str
    stage: str | None
    done: bool
    overdue: bool
    lead: str


@dataclass
class CampaignStatus:
    """What ``campaign_status`` found: the day it was judged on, the self-assessment deadline, units, appraisal
    workbooks, tasks, and the inbox files the ledger has not seen yet (``parxl check`` reads them)."""

    today: dt.date
    deadline: dt.date | None
    units: list[UnitProgress]
    appraisals: list[AppraisalProgress]
    tasks: list[TaskProgress]
    unseen: list[str] = field(default_factory=list)
    explanation_deadline: dt.date | None = None  # campaign.yaml's ``explanation_deadline``
    appraisal_rounds: list[str] = field(default_factory=list)  # recorded in the ledger, in round order

    def as_json(self) -> dict:
        """Plain JSON: ``{"today", "deadline", "explanation_deadline", "units": [{code, name, received_at, received_on,
        on_time, days_late, state, corrected, explanation, explanation_received_at, explanations: [{round, state,
        received_at}]}], "appraisals": [{round, group, title, office, returned, block}], "tasks": [{no, task, due,
        due_text, stage, done, overdue, lead}], "unseen": [path], "appraisal_rounds": [round]}``; dates ISO 8601."""
        def day(d):
            return d.isoformat() if d else None
        return {
            "today": day(self.today), "deadline": day(self.deadline),
            "units": [{**{k: v for k, v in asdict(u).items() if k not in ("received_on", "note")},
                       "received_on": day(u.received_on)} for u in self.units],
            "appraisals": [asdict(a) for a in self.appraisals],
            "tasks": [{**asdict(t), "due": day(t.due)} for t in self.tasks],
            "unseen": list(self.unseen), "explanation_deadline": day(self.explanation_deadline),
            "appraisal_rounds": list(self.appraisal_rounds),
        }

    @property
    def overdue_units(self) -> list[UnitProgress]:
        """Units that owe their self-assessment (``UnitProgress.overdue``), in units-list order."""
        return [u for u in self.units if u.overdue]

    def missing_appraisals(self) -> list[AppraisalProgress]:
        """Appraisal workbooks not returned, in round and criteria-set order."""
        return [a for a in self.appraisals if not a.returned]


def _unit_states(campaign: Campaign, ledger: Ledger) -> dict[str, str]:
    states: dict[str, str] = {}
    for sub in ledger.latest_submissions(SELF):
        states[sub.unit_code] = "ok" if sub.status == "ok" else "must-fix"
    codes = [u.code for u in campaign.units]
    for r in returned_files(ledger, codes, set(states)):
        states[r.unit_code] = "internal" if r.state == "internal" else "unreadable"
    return states


def unit_progress(campaign: Campaign, ledger: Ledger, deadline: dt.date | None, today: dt.date) -> list[UnitProgress]:
    """Every unit's ``UnitProgress`` (units-list order), from the ledger's receipts and the clerk's corrections."""
    states = _unit_states(campaign, ledger)
    first = ledger.first_received(SELF)
    overrides = ledger.received_overrides(SELF)
    out = []
    for unit in campaign.units:
        corrected = unit.code in overrides
        received = overrides[unit.code][0] if corrected else first.get(unit.code)
        state = states.get(unit.code, "recorded" if corrected else "not-sent")
        on = local_day(received) if received else None
        if on is not None and on > today:  # received after the day the status is taken on: not yet then
            received, on, corrected, state = None, None, False, "not-sent"
        if deadline is None:
            on_time, late = None, None
        elif on is not None:
            late = max(0, (on - deadline).days)
            on_time = late == 0
        else:
            late = max(0, (today - deadline).days)
            on_time = None if late == 0 else False
        out.append(UnitProgress(unit.code, unit.name, received, on, on_time, late, state, corrected,
                                overrides[unit.code][1] if corrected else ""))
    return out


def _latest_has_errors(ledger: Ledger, code: str, round: str) -> bool:
    """Whether the unit's latest readable version in ``round`` was checked with errors (a later version without
    errors replaces it)."""
    readable = [v for v in ledger.versions(code, round) if v[2] in ("ok", "errors")]
    return bool(readable) and readable[-1][2] == "errors"


def add_explanations(campaign: Campaign, units: list[UnitProgress]) -> str | None:
    """Set each unit's ``explanations`` (every appraisal round recorded, in round order: the rounds that asked it
    to explain or whose giải trình workbook of it is recorded) and, from the latest round recorded
    (``explanation.read.open_round``), its ``explanation`` and ``explanation_received_at``; that round, or None
    when no round is recorded (nothing set). Raises ``LedgerError`` when the ledger cannot be opened."""
    round = open_round(campaign)
    if round is None:
        return None
    with Ledger.open(campaign) as ledger:
        rounds = sorted((r for r in ledger.rounds() if appraisal_layout.round_number(r)),
                        key=appraisal_layout.round_number)
        received = {r: ledger.first_received(explanation_round(r)) for r in rounds}
        faulty = {r: {code for code in received[r] if _latest_has_errors(ledger, code, explanation_round(r))}
                  for r in rounds}
    views = campaign.views()
    for r in rounds:
        requested = {u.code for view in views  # each block's units against its own criteria set
                     for u in contested(view, r) if u.items}
        for u in units:
            if u.code in received[r]:
                u.explanations.append(ExplanationProgress(r, "must-fix" if u.code in faulty[r] else "received",
                                                          received[r][u.code]))
            elif u.code in requested:
                u.explanations.append(ExplanationProgress(r, "requested"))
    for u in units:
        latest = next((e for e in u.explanations if e.round == round), None)
        if latest is not None:
            u.explanation, u.explanation_received_at = latest.state, latest.received_at
    return round


def appraisal_progress(campaign: Campaign, ledger: Ledger) -> list[AppraisalProgress]:
    """Per appraisal round generated (output/tham-dinh/) or recorded, per workbook, whether it came back."""
    rounds = sorted(set(appraisal_layout.generated_rounds(campaign.root))
                    | {r for r in ledger.rounds() if appraisal_layout.round_number(r)},
                    key=appraisal_layout.round_number)
    out = []
    imported = returned_groups(ledger)  # workbooks imported with every score blank record no item
    for round in rounds:
        for view in campaign.views():  # a campaign with blocks: each block's own workbooks, for its own units
            recorded = ledger.items_recorded(round, {u.code for u in view.units})
            block = view.blocks[0].title if campaign.has_blocks else ""
            for g in appraisal_layout.groups(view.framework):
                back = (round, g.code, view.block_id) in imported or any(i.code in recorded for i in g.items)
                out.append(AppraisalProgress(round, g.code, g.title, g.appraiser or campaign.config.contact.office,
                                             back, block))
    return out


def _report_drafted(campaign: Campaign) -> bool:
    try:
        return any(p.name.startswith(REPORT_PREFIX) and p.suffix == ".docx" for p in campaign.output_dir.iterdir())
    except OSError:
        return False


def _decision_issued(campaign: Campaign) -> bool:
    d = campaign.config.decision
    return d is not None and d.date is not None and bool(d.number) and "…" not in d.number and "..." not in d.number


def stages_done(campaign: Campaign, units: list[UnitProgress], appraisals: list[AppraisalProgress],
                recorded_rounds: list[str]) -> dict[str, bool]:
    """Stage → finished, as the module doc says."""
    by_round: dict[str, list[bool]] = {}
    for a in appraisals:
        by_round.setdefault(a.round, []).append(a.returned)
    appraised_any = any(any(v) for v in by_round.values()) or any(appraisal_layout.round_number(r)
                                                                    for r in recorded_rounds)
    decision = _decision_issued(campaign)
    second = by_round.get("appraisal-2", [])
    return {
        "self-assessment": bool(units) and all(u.state == "ok" for u in units) or appraised_any,
        "appraisal-1": bool(by_round.get("appraisal-1")) and all(by_round["appraisal-1"]),
        "explanation": any(second),
        "appraisal-2": bool(second) and all(second),
        "council": decision or final_state(campaign) is not None,  # the council agreed: results finalised
        "decision": decision,
        "report": _report_drafted(campaign),
    }


def task_progress(tasks: list[ScheduleTask], done_stages: dict[str, bool], today: dt.date) -> list[TaskProgress]:
    """Each task's ``TaskProgress``: done by its stage, or (without one) when a later task is done."""
    done = [bool(t.stage and done_stages.get(t.stage)) for t in tasks]
    later = False
    for k in range(len(tasks) - 1, -1, -1):
        if tasks[k].stage is None and later:
            done[k] = True
        later = later or done[k]
    return [TaskProgress(t.no, t.task, t.due_date, t.due_text, t.stage, d,
                         not d and t.due_date is not None and today > t.due_date, t.lead or "")
            for t, d in zip(tasks, done)]


def campaign_status(campaign: Campaign, today: dt.date | None = None) -> CampaignStatus:
    """The campaign's status on ``today`` (default: the local date); reads the ledger and output/, writes nothing
    but what opening the ledger creates. Raises ``LedgerError`` when the ledger cannot be opened."""
    today = today or dt.date.today()
    deadline = self_assessment_deadline(campaign.config)
    with Ledger.open(campaign) as ledger:
        units = unit_progress(campaign, ledger, deadline, today)
        appraisals = appraisal_progress(campaign, ledger)
        rounds = ledger.rounds()
    add_explanations(campaign, units)
    tasks = task_progress(campaign_schedule(campaign.config), stages_done(campaign, units, appraisals, rounds), today)
    return CampaignStatus(today, deadline, units, appraisals, tasks, unseen_inbox_files(campaign),
                          campaign.config.explanation_deadline,
                          sorted((r for r in rounds if appraisal_layout.round_number(r)),
                                 key=appraisal_layout.round_number))


def record_received(campaign: Campaign, corrections: dict[str, dt.datetime], note: str = "") -> None:
    """Record the clerk's receipt times (unit code → aware or local datetime) in the ledger, replacing what the
    files' times say. Raises ``KeyError`` naming a code that is no unit of the campaign (nothing recorded),
    ``LedgerError`` when the ledger cannot be opened."""
    from ..core.times import utc_iso

    codes = {u.code.casefold(): u.code for u in campaign.units}  # «km21» is KM21
    unknown = [code for code in corrections if code.casefold() not in codes]
    if unknown:
        raise KeyError(unknown[0])
    with Ledger.open(campaign) as ledger:
        for code, when in ((codes[c.casefold()], w) for c, w in corrections.items()):
            aware = when if when.tzinfo else when.astimezone()
            ledger.set_received(code, utc_iso(aware), note)
        ledger.commit()


def check_received_times(campaign: Campaign, corrections: dict[str, dt.datetime], today: dt.date | None) -> None:
    """Refuse a clerk's receipt time (unit code → local datetime) that cannot be: after ``today`` (the day the
    status is taken on) or after now, or before the campaign's year. Raises ``ValueError`` (Vietnamese)."""
    now = dt.datetime.now()
    for code, when in corrections.items():
        local = when.astimezone().replace(tzinfo=None) if when.tzinfo else when
        if local > now or (today is not None and local.date() > today):
            limit = f"ngày tính tiến độ {today:%d/%m/%Y}" if today is not None and today < now.date() else "hôm nay"
            raise ValueError(f"thời gian nhận của «{code}» ({local:%d/%m/%Y %H:%M}) sau {limit}: không thể nhận hồ "
                             "sơ trong tương lai; kiểm tra lại ngày")
        if local.year < campaign.config.year:
            raise ValueError(f"thời gian nhận của «{code}» ({local:%d/%m/%Y}) trước năm đánh giá "
                             f"{campaign.config.year}; kiểm tra lại năm")


def bad_date_folders(campaign: Campaign) -> list[str]:
    """Folders of inbox/ (relative to the campaign, «inbox/2026-13-45») whose name looks like a day that does
    not exist: their files are dated by their own modification time, not by the folder."""
    from ..ledger.inbox import _FOLDER_DATE, shown_path

    out = []
    if not campaign.inbox_dir.is_dir():
        return out
    folders = []
    for folder, dirs, _ in os.walk(campaign.inbox_dir):  # errors ignored: a folder parxl may not open is named
        folders += [Path(folder) / d for d in dirs]       # by the intake and the documents (``ledger.unseen``)
    for folder in sorted(folders):
        for pattern in _FOLDER_DATE:
            m = pattern.search(folder.name)
            if m:
                try:
                    dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
                except ValueError:
                    out.append(shown_path(folder.relative_to(campaign.root).as_posix()))
                break
    return out
