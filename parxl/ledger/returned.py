"""Units whose file arrived but gave nothing readable: never «chưa gửi».

A unit that sent a file is never listed as not having sent one. When none of the
unit's files in the ledger reads (``ok`` or ``errors``), its newest file that
could not be read puts it in one of two states:

- ``unreadable`` («bị trả lại / không đọc được»): the reader's verdict on the file
  (an encrypted, corrupt, foreign or unidentifiable file); the unit must resend;
- ``internal`` («parxl lỗi khi đọc»): parxl itself failed on the file (its own
  bug, logged in ``.parxl/errors/``); the unit is not at fault and need not resend.

Such a file is attributed to a unit by the identity read inside it when there is
one, else by its file name (``Report.named_unit``, from
``parxl.intake.checks.identity.units_named_by``); ``by_name`` says which.
Files that point at no unit of the campaign are attributed to nobody.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..core.findings import FINDING_TYPES
from .store import SELF, Ledger

ReturnedState = Literal["unreadable", "internal"]
INTERNAL_STATUS = "internal-error"  # the ledger status of a file parxl failed on (receive.INTERNAL)
INTERNAL_REASON = "parxl lỗi khi đọc tệp (lỗi của chương trình, không phải của đơn vị; đơn vị không cần gửi lại)"
BY_NAME = "nhận theo tên tệp"


@dataclass(frozen=True)
class ReturnedFile:
    """The newest file of a unit that arrived but could not be read.

    ``path`` is the file's original path relative to the campaign folder
    («inbox/X02 - Xã B.xlsx», «inbox/a.zip!/X02.xlsx»); ``received_at`` its
    ISO 8601 UTC receipt time; ``reason`` a short Vietnamese title of what is
    wrong («Tệp có mật khẩu»), ``detail`` the full finding message (empty for an
    internal error); ``by_name`` is True when the unit was recognised by the file
    name because the identity inside could not be read.
    """

    unit_code: str
    path: str
    sha256: str
    received_at: str
    state: ReturnedState
    reason: str
    detail: str
    by_name: bool

    @property
    def how_matched(self) -> str:
        """«nhận theo tên tệp» when matched by the file name, else the empty string."""
        return BY_NAME if self.by_name else ""

    def as_dict(self, name: str = "") -> dict:
        """``{"code", "name", "file", "sha256", "received_at", "state", "reason", "detail", "matched_by_name"}``."""
        return {"code": self.unit_code, "name": name, "file": self.path, "sha256": self.sha256,
                "received_at": self.received_at, "state": self.state, "reason": self.reason,
                "detail": self.detail, "matched_by_name": self.by_name}


def returned_files(ledger: Ledger, units: Iterable[str], sent: Iterable[str],
                   round: str = SELF) -> list[ReturnedFile]:
    """For each unit code of ``units`` (kept in that order) not in ``sent`` (units with a readable
    file), its newest unreadable or internal-error file in ``round``, if any.

    Reads the ledger only; never raises for a unit (a version without receipt is skipped).
    """
    done = set(sent)
    wanted = [c for c in units if c not in done]
    rows = ledger.db.execute(
        "SELECT v.id, v.sha256, v.unit_code, v.named_unit, v.status, MIN(r.received_at) AS t, MIN(r.id) "
        "FROM versions v JOIN receipts r ON r.sha256 = v.sha256 "
        "WHERE v.round = ? AND v.status IN ('unreadable', ?) GROUP BY v.id ORDER BY t, MIN(r.id)",
        (round, INTERNAL_STATUS)).fetchall()
    newest: dict[str, tuple] = {}
    for row in rows:
        code = row[2] or row[3]
        if code:
            newest[code] = row  # ordered by receipt: the last one wins
    out = []
    for code in wanted:
        row = newest.get(code)
        if row is None:
            continue
        vid, sha, inside, _named, status, received_at, first_receipt = row
        path, = ledger.db.execute("SELECT original_path FROM receipts WHERE id = ?", (first_receipt,)).fetchone()
        if status == INTERNAL_STATUS:
            state: ReturnedState = "internal"
            reason, detail = INTERNAL_REASON, ""
        else:
            state = "unreadable"
            first = ledger.db.execute(
                "SELECT code, message FROM findings WHERE version_id = ? AND severity = 'error' ORDER BY seq LIMIT 1",
                (vid,)).fetchone()
            if first is None:
                reason, detail = "không đọc được", ""
            else:
                kind = FINDING_TYPES.get(first[0])
                reason, detail = (kind.title if kind else first[0]), first[1]
        out.append(ReturnedFile(code, path, sha, received_at, state, reason, detail, by_name=inside is None))
    return out
