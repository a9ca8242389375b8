"""Which results a document renders: those saved with the latest master, and only while they still hold.

``followed_master(campaign)`` finds the snapshot ``parxl consolidate`` saved beside
its newest master and checks, with the same fingerprint function the consolidation
used, that nothing the results depend on has changed since (files and appraisal
rounds in the ledger, the survey table, the units list, the ranking settings of
campaign.yaml, the criteria set), that no file arrived in ``inbox/`` the ledger has
not seen (``ledger.unseen``), and that parxl did not fail on any unit's file (status
``internal``: that unit is held back by parxl's own error, so a draft would misstate
it). The documents are drafted from that snapshot, so they say exactly what the
master the clerk reviewed says, and name it (``master_note``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from ..campaign.folder import Campaign
from ..core.errors import ERRORS_DIR, ParxlError
from ..core.numbers import vi_number
from ..council.final import frozen_snapshot
from ..ledger.unseen import unseen_inbox_files, untaken_inbox_files
from ..master import latest_master
from ..master.consolidation import current_fingerprint
from ..master.reuse import check_snapshot
from ..master.snapshot import Snapshot, latest_snapshot, load_snapshot
from ..results.compute import Results

# What each part of the fingerprint stands for, in the order a clerk would look at them.
CHANGED_PARTS = {
    "ledger": "tệp tự đánh giá hoặc kết quả thẩm định đã nhận",
    "survey": "kết quả điều tra xã hội học",
    "units": "danh sách đơn vị",
    "settings": "thiết lập trong campaign.yaml (năm, khối, điều tra xã hội học, cách xếp hạng, "
                "đơn vị còn lỗi, xếp loại)",
    "criteria": "bộ chỉ số",
}

DOCUMENT_NAMES = {"decision": "quyết định công bố", "notices": "thông báo kết quả", "report": "báo cáo kết quả"}


class MasterNeededError(ParxlError):
    """No master to follow, or the data changed since it was made: run ``parxl consolidate`` first."""


class ParxlFailedError(ParxlError):
    """parxl failed on a unit's file (status ``internal``): no document until ``parxl check`` reads it."""


class NothingRankedError(ParxlError):
    """The master ranks no unit: there is nothing to announce."""


def made_at_text(made_at: str) -> str:
    """«10:00:00 ngày 20/01/2026» from an ISO 8601 time (returned unchanged if it is not one)."""
    try:
        when = dt.datetime.fromisoformat(made_at)
    except ValueError:
        return made_at
    return f"{when:%H:%M:%S} ngày {when:%d/%m/%Y}"


def master_label(master: Path, made_at: str) -> str:
    """«tong-hop-….xlsx» (lập lúc 10:00:00 ngày 20/01/2026)."""
    return f"«{Path(master).name}» (lập lúc {made_at_text(made_at)})"


def master_note(master: Path, made_at: str) -> str:
    """The line every draft carries (as a Word comment): which master it was drafted from."""
    return (f"Dự thảo do parxl soạn từ bảng tổng hợp {master_label(master, made_at)}. "
            "Xóa ghi chú này trước khi trình ký, ban hành.")


def _consolidate_hint(campaign: Campaign, first: bool = False) -> str:
    return (f"hãy chạy «parxl consolidate \"{campaign.root}\"», xem lại bảng tổng hợp "
            f"{'' if first else 'mới '}trong output/, rồi soạn{'' if first else ' lại'}")


SHOWN_FILES = 3  # new inbox files named in a refusal before «và N tệp khác»


def _files_text(paths: list[str]) -> str:
    shown = ", ".join(f"«{p}»" for p in paths[:SHOWN_FILES])
    more = len(paths) - SHOWN_FILES
    return shown + (f" và {vi_number(more)} tệp khác" if more > 0 else "")


def followed_master(campaign: Campaign) -> Snapshot:
    """The snapshot of the newest master, checked against the campaign's data now; once the results are
    finalised (``parxl finalize``), the frozen snapshot, unchecked (later data does not change it).

    Raises MasterNeededError (exit 1) when there is no master with saved results, when
    the ledger, the survey table, the units list, the ranking settings or the criteria
    set changed since it was made, or when ``inbox/`` holds files the ledger has not
    seen (new, or changed since they were checked; named, at most ``SHOWN_FILES``);
    ParxlFailedError (exit 1) when parxl failed on a unit's file (status ``internal``);
    SnapshotError for a damaged snapshot; SurveyError when the survey table no longer
    reads or is there twice; LedgerError when the ledger cannot be opened.
    """
    frozen = frozen_snapshot(campaign)  # finalised (parxl finalize): the frozen results, whatever came since
    if frozen is not None:
        return frozen
    path = latest_snapshot(campaign)
    if path is None:
        older = latest_master(campaign.output_dir)
        if older is not None:
            raise MasterNeededError(
                f"Bảng tổng hợp «{older.name}» trong output/ không có kết quả lưu kèm (lập bằng phiên bản "
                f"parxl cũ hoặc chép từ nơi khác) nên chưa thể soạn văn bản theo đúng bảng đó; "
                f"{_consolidate_hint(campaign)}. Chưa tạo tệp nào.")
        raise MasterNeededError(
            "Chưa có bảng tổng hợp: văn bản được soạn theo kết quả của bảng tổng hợp đã xem lại; "
            f"{_consolidate_hint(campaign, first=True)}. Chưa tạo tệp nào.")
    check_snapshot(campaign, path)  # the one the last consolidation wrote, as it wrote it
    snapshot = load_snapshot(campaign, path)
    # First: a unit parxl failed on is never the ledger's to settle by consolidating again.
    require_no_internal(campaign, snapshot)
    now = current_fingerprint(campaign)
    changed = [text for part, text in CHANGED_PARTS.items() if snapshot.fingerprint.get(part) != now.get(part)]
    if changed:
        raise MasterNeededError(
            f"Sau khi lập bảng tổng hợp {master_label(snapshot.master, snapshot.made_at)} đã có thay đổi về: "
            f"{'; '.join(changed)}. Văn bản phải khớp với bảng tổng hợp đã xem lại: "
            f"{_consolidate_hint(campaign)}. Chưa tạo tệp nào.")
    unseen = unseen_inbox_files(campaign)
    untaken = untaken_inbox_files(campaign) if unseen else []
    if untaken:  # «run consolidate» would not help: the clerk renames the file or lets it be read
        raise MasterNeededError(
            "Thư mục inbox/ có tệp parxl không lấy được: " + " ".join(e.message for e in untaken)
            + f" Sau đó {_consolidate_hint(campaign)}: văn bản phải khớp với bảng tổng hợp đã xem lại. Chưa tạo tệp nào.")
    if unseen:
        raise MasterNeededError(
            f"Sau khi lập bảng tổng hợp {master_label(snapshot.master, snapshot.made_at)}, thư mục inbox/ có "
            f"{vi_number(len(unseen))} tệp mới hoặc đã thay đổi mà parxl chưa kiểm tra: {_files_text(unseen)}. "
            f"Văn bản phải khớp với bảng tổng hợp đã xem lại: {_consolidate_hint(campaign)}. Chưa tạo tệp nào.")
    return snapshot


def _error_log(campaign: Campaign, sha256: str) -> Path | None:
    """The newest traceback log written for the content ``sha256`` (``core.errors.log_internal_error``), if any."""
    if not sha256:
        return None
    folder = campaign.state_dir / ERRORS_DIR
    try:
        logs = sorted(folder.glob(f"*-{sha256[:12]}.txt"))
    except OSError:
        return None
    return logs[-1] if logs else None


def require_no_internal(campaign: Campaign, snapshot: Snapshot) -> None:
    """Raise ParxlFailedError when parxl failed on the file of a unit of the master (status ``internal``).

    Such a unit is «tạm chưa xếp hạng» through no fault of its own: a decision, a notice or a
    report drafted now would misstate it. The message names each unit and file (at most
    ``SHOWN_FILES``), says it is parxl's error, where the traceback log is when it can be found
    in ``.parxl/errors/``, and what to do.
    """
    held = [u for u in snapshot.results.units if u.status == "internal"]
    if not held:
        return
    lines = []
    for u in held[:SHOWN_FILES]:
        file = f"tệp «{u.source.path}»" if u.source and u.source.path else "tệp gửi về"
        log = _error_log(campaign, u.source.sha256 if u.source else "")
        lines.append(f"{u.unit.code} {u.unit.name}: {file}"
                     + (f" (nhật ký lỗi «{log}»)" if log else f" (nhật ký lỗi trong «{campaign.state_dir / ERRORS_DIR}»)"))
    more = f"; và {vi_number(len(held) - SHOWN_FILES)} đơn vị khác" if len(held) > SHOWN_FILES else ""
    raise ParxlFailedError(
        f"Chưa thể soạn văn bản: parxl gặp lỗi của chính chương trình (không phải lỗi của đơn vị) khi đọc "
        f"tệp của {vi_number(len(held))} đơn vị nên {'đơn vị này' if len(held) == 1 else 'các đơn vị này'} tạm chưa được xếp hạng trong bảng tổng hợp "
        f"{master_label(snapshot.master, snapshot.made_at)}: {'; '.join(lines)}{more}. Hãy gửi tệp nhật ký lỗi "
        f"cho nhóm phát triển parxl, cập nhật parxl (hoặc liên hệ nhóm phát triển), rồi chạy lại "
        f"«parxl check \"{campaign.root}\"» và «parxl consolidate \"{campaign.root}\"» trước khi soạn. "
        "Chưa tạo tệp nào.")


def require_ranked(snapshot: Snapshot, document: str) -> None:
    """Raise NothingRankedError when the master ranks no unit (``document``: decision, notices or report)."""
    if not snapshot.results.ranked:
        raise NothingRankedError(
            f"Bảng tổng hợp {master_label(snapshot.master, snapshot.made_at)} chưa xếp hạng đơn vị nào "
            f"nên chưa thể soạn {DOCUMENT_NAMES.get(document, 'văn bản')}: hãy xem các tệp gửi về và lỗi của "
            "từng tệp («parxl check»), nhận đủ tệp hợp lệ, chạy lại «parxl consolidate», rồi soạn. Chưa tạo tệp nào.")


def master_edited(snapshot: Snapshot) -> str | None:
    """A warning when the master file was changed after parxl wrote it (a hand correction is not in the documents)."""
    try:
        digest = hashlib.sha256(snapshot.master.read_bytes()).hexdigest()
    except OSError:
        return None
    if digest == snapshot.master_sha256:
        return None
    return (f"bảng tổng hợp «{snapshot.master.name}» đã được mở và lưu lại hoặc sửa sau khi parxl lập; văn bản "
            "soạn theo kết quả parxl đã tính lúc lập bảng, không theo những chỗ sửa tay trong bảng.")


def note_for(results: Results, master: Path | None) -> str | None:
    """``master_note`` for a draft of ``results`` made with ``master`` (None without a master)."""
    return master_note(master, results.made_at) if master is not None else None
