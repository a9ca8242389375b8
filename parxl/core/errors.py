"""Exceptions for what cannot go on, exit codes, and the log of parxl's own errors.

Problems *inside* a returned workbook are not exceptions but findings (see
``parxl.core.findings``): validation collects them all and carries on.

Exit codes of every command (README lists them): ``EXIT_OK`` 0, ``EXIT_DATA``
1 (the user's data has problems), ``EXIT_USAGE`` 2 (click: a mistyped
command), ``EXIT_INTERNAL`` 3 (parxl itself failed: a bug to send to the
developers, never the unit's or the clerk's fault). A command that judges
files takes its exit code from its ``parxl.core.report.CommandReport``; an
exception takes it from ``ParxlError.exit_code`` (or 3 for any other), in
``parxl.cli``.

``log_internal_error(state_dir, exc, context=…, key=…) -> Path | None`` writes
the traceback of one internal error to ``STATE/errors/<UTC time>-<key>.txt``
(``STATE`` is the campaign's ``.parxl`` folder, or ``<tmp>/parxl-errors`` when no
campaign is known) and never raises; ``internal_error_text(log)`` is the
Vietnamese line that tells the clerk where that log is.
"""
from __future__ import annotations

import datetime as dt
import errno
import platform
import re
import tempfile
import traceback
from pathlib import Path

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_STOPPED = 130  # Ctrl+C (128 + SIGINT, as shells report it)
STOPPED = "Đã dừng theo yêu cầu."  # what every command says when Ctrl+C stops it

ERRORS_DIR = "errors"  # inside the campaign's state folder


class ParxlError(Exception):
    """A problem with the user's input that stops the command (exit code 1)."""

    exit_code = EXIT_DATA


class UnitsError(ParxlError):
    """The units list cannot be read."""


class CampaignError(ParxlError):
    """The campaign folder or campaign.yaml is not usable."""


class OutputWriteError(ParxlError, OSError):
    """A file parxl must write cannot be written for a reason the user can fix (exit code 1).

    Raised by the atomic writers of ``parxl.core.files`` ``from`` the ``OSError``: the
    target open in Excel (permission), a folder where the file should be, ``output``
    being a file, a full disk, a read-only drive. ``path`` is the file that was to be
    written; the message (Vietnamese) names it and says what to do. The file that was
    there before is left as it was, and no temp file is left. It is also an ``OSError``
    (with the cause's ``errno``), so code that catches a failed write as one still does;
    its text is only the Vietnamese message.
    """

    def __init__(self, path: Path | str, cause: OSError):
        super().__init__(output_write_text(Path(path), cause))
        self.path = Path(path)
        self.cause = cause
        self.errno = cause.errno


def output_write_text(path: Path, cause: OSError) -> str:
    """The Vietnamese message of an ``OutputWriteError``: which file, why (from ``errno``), what to do."""
    folder = path.parent
    code = getattr(cause, "errno", None)
    if isinstance(cause, IsADirectoryError) or code == errno.EISDIR:
        why = f"đã có một thư mục cùng tên «{path.name}» ở đó"
        todo = f"Đổi tên hoặc chuyển thư mục «{path}» đi, rồi chạy lại."
    elif isinstance(cause, (NotADirectoryError, FileExistsError)) or code in (errno.ENOTDIR, errno.EEXIST):
        why = f"một phần của đường dẫn «{folder}» là tệp chứ không phải thư mục"
        todo = f"Đổi tên hoặc chuyển tệp đang nằm ở chỗ thư mục «{folder}» đi, rồi chạy lại."
    elif code == errno.ENOSPC or code == getattr(errno, "EDQUOT", None):
        why = "ổ đĩa đã đầy"
        todo = "Giải phóng dung lượng ổ đĩa, rồi chạy lại."
    elif code == errno.EROFS:
        why = "ổ đĩa chỉ cho đọc"
        todo = f"Chép thư mục đợt sang ổ đĩa ghi được (hoặc kiểm tra quyền ghi thư mục «{folder}»), rồi chạy lại."
    else:
        why = "tệp đang bị khóa hoặc không có quyền ghi"
        todo = (f"Đóng tệp «{path.name}» nếu đang mở (trong Excel, Word…), hoặc kiểm tra quyền ghi thư mục «{folder}», "
                "rồi chạy lại.")
    return f"Không ghi được tệp «{path}»: {why}. Tệp cũ (nếu có) vẫn giữ nguyên. {todo}"


# The OS errors a user can cause when parxl writes a file (and so can fix): not parxl's bug.
USER_WRITE_ERRNOS = frozenset(getattr(errno, n) for n in (
    "EACCES", "EPERM", "EISDIR", "ENOTDIR", "EEXIST", "ENOSPC", "EDQUOT", "EROFS", "EBUSY", "ETXTBSY")
    if hasattr(errno, n))


def is_user_write_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an ``OSError`` a user can cause by where or how parxl is asked to write."""
    if isinstance(exc, (PermissionError, IsADirectoryError, NotADirectoryError, FileExistsError)):
        return True
    return isinstance(exc, OSError) and exc.errno in USER_WRITE_ERRNOS


def fallback_errors_dir() -> Path:
    """Where internal errors are logged when no campaign folder is known."""
    return Path(tempfile.gettempdir()) / "parxl-errors"


def format_internal_error(exc: BaseException, context: str = "") -> str:
    """The text of one internal-error log: what parxl was doing, versions, and the full traceback."""
    from .. import __version__

    lines = [f"parxl {__version__}, Python {platform.python_version()} ({platform.platform()})",
             f"time: {dt.datetime.now(dt.timezone.utc).isoformat()}"]
    if context:
        lines.append(f"while: {context}")
    lines.append("")
    lines.extend(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


def log_internal_error(state_dir: Path | None, exc: BaseException, *, context: str = "",
                       key: str = "") -> Path | None:
    """Write ``exc``'s traceback to ``state_dir/errors/<UTC time>-<key>.txt``; the log's path.

    ``key`` (e.g. the file's sha256) is cut to 12 safe characters. Without a
    ``state_dir``, or when it cannot be written, the log goes to
    ``fallback_errors_dir()``. Never raises: returns None when no log could be written.
    """
    from .files import write_atomic

    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    safe = re.sub(r"[^0-9A-Za-z_-]", "", key)[:12] or type(exc).__name__
    try:
        text = format_internal_error(exc, context).encode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the log must never hide the error it reports
        text = repr(exc).encode("utf-8", "replace")
    for folder in ([state_dir / ERRORS_DIR] if state_dir is not None else []) + [fallback_errors_dir()]:
        try:
            return write_atomic(folder / f"{stamp}-{safe}.txt", text)
        except (OSError, OutputWriteError):
            continue
    return None


def internal_error_text(log: Path | str | None, what: str = "", *, about_a_file: bool = True) -> str:
    """The Vietnamese words for one internal error: parxl's fault, where its log is, what to do.

    ``what`` says what parxl was doing («đọc tệp «…»»); ``about_a_file`` adds that
    the file's sender is not at fault.
    """
    where = f"chi tiết đã ghi vào «{log}»" if log else "không ghi được tệp nhật ký lỗi"
    head = "Lỗi của chương trình parxl" + (" (không phải lỗi của đơn vị gửi tệp)" if about_a_file else "")
    if what:
        head += f" khi {what}"
    send = "Hãy gửi tệp nhật ký này cho nhóm phát triển parxl." if log else "Hãy báo cho nhóm phát triển parxl."
    return f"{head}; {where}. {send}"
