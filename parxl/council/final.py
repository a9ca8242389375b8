"""Finalised results (chốt kết quả): the results of a master frozen with it, and reopening them.

``finalize(campaign, who, why)`` takes the snapshot of the newest master
(``master.snapshot``: the results that master shows), refuses when the ledger,
the survey table, the units or the settings changed since it was made (run
``parxl consolidate`` first), copies the snapshot and the master into
``.parxl/final/`` (nothing is overwritten: each finalisation has its own
copies), records the event in the ledger (who, when, why) and writes the marker
``.parxl/final/current.json``. While it stands, the documents render from that
frozen snapshot (``frozen_snapshot``) and say no more «dự thảo»; ``check``,
``appraise --import``, ``survey`` and ``consolidate`` still record what they
read, but it changes nothing the documents say (``frozen_notice``).
``reopen(campaign, who, why)`` records the reopening in the ledger and removes the
marker; the frozen copies stay.
"""
from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from pathlib import Path

from ..campaign.folder import Campaign
from ..core.errors import ParxlError
from ..core.files import copy_atomic, write_text_atomic
from ..core.times import utc_iso
from ..intake.submission import file_sha256
from ..ledger.store import Ledger
from ..master.consolidation import current_fingerprint
from ..master.reuse import check_snapshot
from ..master.snapshot import Snapshot, SnapshotError, latest_snapshot, load_snapshot

FINAL_DIR = "final"
MARKER = "current.json"


@dataclass(frozen=True)
class FinalState:
    """The results as finalised: the frozen snapshot and master copies (in ``.parxl/final/``), when, who, why."""

    snapshot: Path
    master: Path
    master_name: str  # the master's file name in output/ when it was finalised
    made_at: str      # when the frozen results were made (ISO local time)
    at: str           # when they were finalised (ISO 8601 UTC)
    who: str
    why: str
    snapshot_sha256: str | None = None  # the frozen copy's as written (None: finalised before it was kept)


def final_dir(campaign: Campaign) -> Path:
    """``.parxl/final/``: the frozen snapshots and masters, and the marker of the current finalisation."""
    return campaign.state_dir / FINAL_DIR


def current_user() -> str:
    """The login name of whoever runs parxl («không rõ» when it cannot be told)."""
    try:
        return getpass.getuser() or "không rõ"
    except Exception:  # noqa: BLE001 - no user name is not a reason to stop
        return "không rõ"


def final_state(campaign: Campaign) -> FinalState | None:
    """The current finalisation of ``campaign``, or None when its results are not finalised (or were reopened)."""
    marker = final_dir(campaign) / MARKER
    if not marker.is_file():
        return None
    try:
        doc = json.loads(marker.read_text(encoding="utf-8"))
        return FinalState(final_dir(campaign) / doc["snapshot"], final_dir(campaign) / doc["master"],
                          doc["master_name"], doc["made_at"], doc["at"], doc["who"], doc["why"],
                          doc.get("snapshot_sha256"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParxlError(f"Không đọc được tệp đánh dấu kết quả đã chốt «{marker}». Hãy khôi phục tệp này từ bản "
                         "sao lưu, hoặc chạy «parxl finalize --reopen» rồi chốt lại.") from exc


def frozen_snapshot(campaign: Campaign) -> Snapshot | None:
    """The frozen results (as ``Snapshot``, naming the master in output/ they came with); None when not final.

    Raises ``SnapshotError`` when the frozen copy cannot be read."""
    state = final_state(campaign)
    if state is None:
        return None
    cause: Exception | None = None  # none: the copy reads but is not the one finalised (edited or replaced)
    try:
        if state.snapshot_sha256 is None or file_sha256(state.snapshot) == state.snapshot_sha256:
            return load_snapshot(campaign, state.snapshot)
    except (SnapshotError, OSError) as exc:
        cause = exc
    # consolidating again would not help: the frozen copy is what the documents follow
    raise SnapshotError(f"Không đọc được kết quả đã chốt «{state.snapshot.name}» (tệp bị hỏng, bị sửa hoặc bị "
                        f"xóa). Hãy khôi phục thư mục «{state.snapshot.parent}» từ bản sao lưu, hoặc chạy «parxl "
                        f"finalize \"{campaign.root}\" --reopen --by \"…\" --reason \"…\"» rồi tổng hợp và chốt "
                        "lại.") from cause


def frozen_notice(campaign: Campaign) -> str:
    """The Vietnamese line a command prints after recording something once the results are final ("" if not)."""
    state = final_state(campaign)
    if state is None:
        return ""
    return (f"Kết quả đã được chốt (bảng tổng hợp «{state.master_name}», chốt lúc {state.at[:16].replace('T', ' ')} "
            f"UTC, người chốt: {state.who}): dữ liệu vừa ghi nhận không làm thay đổi kết quả đã chốt; quyết định, "
            "thông báo, báo cáo vẫn theo kết quả đã chốt. Muốn thay đổi, chạy «parxl finalize THƯ_MỤC_ĐỢT --reopen "
            "--by \"…\" --reason \"…\"» rồi tổng hợp và chốt lại.")


def finalize(campaign: Campaign, who: str | None = None, why: str = "") -> FinalState:
    """Freeze the results of the newest master (see the module doc); the new ``FinalState``.

    Raises ``ParxlError`` when the results are already final, when there is no master with saved results,
    or when the data changed since it was made; ``SnapshotError`` for a damaged snapshot; ``OSError`` when the
    copies cannot be written.
    """
    current = final_state(campaign)
    if current is not None:
        raise ParxlError(f"Kết quả đã được chốt lúc {current.at[:16].replace('T', ' ')} UTC theo bảng tổng hợp "
                         f"«{current.master_name}». Muốn chốt lại, chạy «parxl finalize THƯ_MỤC_ĐỢT --reopen --by "
                         "\"…\" --reason \"…\"» trước.")
    path = latest_snapshot(campaign)
    if path is not None:
        check_snapshot(campaign, path)  # the one the last consolidation wrote, as it wrote it
    if path is None:
        raise ParxlError("Chưa có bảng tổng hợp để chốt kết quả: chạy «parxl consolidate THƯ_MỤC_ĐỢT», xem lại bảng, "
                         "rồi chốt.")
    snapshot = load_snapshot(campaign, path)
    if current_fingerprint(campaign) != snapshot.fingerprint:
        raise ParxlError(f"Sau khi lập bảng tổng hợp «{snapshot.master.name}» dữ liệu đã thay đổi (tệp, điểm thẩm "
                         "định, điều tra, danh sách đơn vị hoặc thiết lập): chạy lại «parxl consolidate», xem lại "
                         "bảng mới, rồi chốt.")
    who = (who or current_user()).strip() or current_user()
    stamp = utc_iso(micro=False).replace(":", "").replace("-", "")
    folder = final_dir(campaign)
    frozen = copy_atomic(path, folder / f"{stamp}-{path.name}")
    master = copy_atomic(snapshot.master, folder / f"{stamp}-{snapshot.master.name}")
    with Ledger.open(campaign) as ledger:
        ledger.record_event("finalize", who, why, {"snapshot": frozen.name, "master": snapshot.master.name,
                                                   "master_sha256": snapshot.master_sha256,
                                                   "made_at": snapshot.made_at})
        ledger.commit()
        at = ledger.events()[-1][1]
    state = FinalState(frozen, master, snapshot.master.name, snapshot.made_at, at, who, why, file_sha256(frozen))
    write_text_atomic(folder / MARKER, json.dumps(
        {"snapshot": frozen.name, "master": master.name, "master_name": state.master_name, "made_at": state.made_at,
         "at": at, "who": who, "why": why, "snapshot_sha256": state.snapshot_sha256}, ensure_ascii=False, indent=2))
    return state


def reopen(campaign: Campaign, who: str | None, why: str) -> FinalState:
    """Reopen finalised results: recorded in the ledger (who, when, why), the marker removed; the state reopened.

    Raises ``ParxlError`` when the results are not final or ``why`` is empty.
    """
    state = final_state(campaign)
    if state is None:
        raise ParxlError("Kết quả chưa được chốt nên không cần mở lại.")
    if not why.strip():
        raise ParxlError("Mở lại kết quả đã chốt cần ghi lý do: thêm «--reason \"…\"» (ví dụ số, ngày văn bản của "
                         "Hội đồng thẩm định).")
    who = (who or current_user()).strip() or current_user()
    with Ledger.open(campaign) as ledger:
        ledger.record_event("reopen", who, why.strip(), {"snapshot": state.snapshot.name,
                                                         "master": state.master_name})
        ledger.commit()
    (final_dir(campaign) / MARKER).unlink()
    return state
