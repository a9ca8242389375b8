"""Double-clickable ``.cmd`` launchers, one per task, written into the campaign folder: they need no Excel.

Each runs the Python that installed parxl, ``"<python>" -m parxl <task> "<campaign folder>"`` (the survey
import, over a folder of tables: ``-m parxl.excel.run <number>``, the button's own function), then
``pause`` so the window stays open on the result. The file is ASCII with CRLF line ends (cmd.exe
reads a batch file in the console's code page, so a Vietnamese letter in it would be garbled): the
campaign folder is written as ``%~dp0.``, the folder of the launcher itself, which cmd.exe expands
at run time to the real path whatever letters, spaces, parentheses, apostrophes or ``%`` it holds
(an expanded value is never parsed again). ``%~dp0`` ends with a backslash, hence the ``.``: a
backslash right before the closing quote would escape it. A Python installed under a folder with a
Vietnamese name (a user profile «C:\\Users\\Nguyễn…») is written with ``%LOCALAPPDATA%``,
``%APPDATA%`` or ``%USERPROFILE%`` for that part.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from .. import __version__
from ..core.errors import ParxlError
from ..core.files import write_atomic
from ..core.texts import strip_diacritics
from .tasks import CAMPAIGN_HERE, EACH_TABLE, IN_CAMPAIGN, TASKS, Task

HERE = "%~dp0"  # the launcher's folder, with its trailing backslash
CAMPAIGN_ARG = '"%~dp0."'
PROFILE_VARIABLES = ("LOCALAPPDATA", "APPDATA", "USERPROFILE")


class LauncherError(ParxlError):
    """The launchers cannot name this Python in a batch file."""


def batch_python(executable: str, environ: Mapping[str, str] | None = None) -> str:
    """``executable`` as a batch file must write it (without quotes): ASCII, a literal ``%`` doubled.

    A non-ASCII path is rewritten with the first of ``PROFILE_VARIABLES`` (from ``environ``,
    default ``os.environ``) whose value starts it. Raises LauncherError when the path still has a
    non-ASCII letter or holds a double quote.
    """
    environ = os.environ if environ is None else environ
    prefix, rest = "", executable
    if not executable.isascii():
        for name in PROFILE_VARIABLES:
            value = (environ.get(name) or "").rstrip("\\/")
            if value and executable.lower().startswith(value.lower()) and executable[len(value):][:1] in ("\\", "/"):
                prefix, rest = f"%{name}%", executable[len(value):]
                break
    if not rest.isascii() or '"' in rest:
        raise LauncherError(
            f"Không tạo được tệp chạy nhanh (.cmd): Python nằm ở «{executable}», đường dẫn có chữ có dấu mà tệp .cmd "
            "không ghi được. Hãy cài Python vào thư mục không dấu (ví dụ C:\\Python311) rồi chạy lại lệnh.")
    return prefix + rest.replace("%", "%%")


def _arg(a: str) -> str:
    if a == CAMPAIGN_HERE:
        return CAMPAIGN_ARG
    if a.startswith(IN_CAMPAIGN):
        return f'"{HERE}{a[len(IN_CAMPAIGN):]}"'
    return a


def _run(args: tuple[str, ...], python: str, task: Task) -> str:
    """One command's line: ``parxl`` with ``args`` and the campaign folder. A command over each survey table
    (an ``EACH_TABLE`` argument) runs ``python -m parxl.excel.run`` with the task's number instead: the same
    library function as the control workbook's button, which refuses two tables of one block before importing
    any (a ``for`` loop over the tables would let the later silently replace the earlier)."""
    if any(a.startswith(EACH_TABLE) for a in args):
        return f'"{python}" -m parxl.excel.run {task.number} {CAMPAIGN_ARG}'
    return f'"{python}" -m parxl {" ".join(map(_arg, args))}' + ("" if CAMPAIGN_HERE in args else f" {CAMPAIGN_ARG}")


def launcher_text(task: Task, python: str) -> str:
    """The text of ``task``'s launcher; ``python`` as ``batch_python`` returns it. ASCII, CRLF line ends.

    Several commands (the documents) stop at the first that fails; a command over each survey table
    (``EACH_TABLE``) runs the button's function (``parxl.excel.run``).
    """
    title = strip_diacritics(task.label).encode("ascii", "ignore").decode()
    runs = [_run(args, python, task) for args in task.commands]
    body: list[str] = []
    for n, run in enumerate(runs):
        body.append(run)
        if n < len(runs) - 1:
            body.append("if errorlevel 1 goto done")
    lines = ["@echo off",
             "setlocal DisableDelayedExpansion",
             f"rem parxl {__version__}: {title}.",
             "rem Tao boi lenh \"parxl control\". Nhan dup de chay; thu muc dot danh gia la thu muc chua tep nay.",
             f"title parxl - {title}",
             *body,
             *([":done"] if len(runs) > 1 else []),
             "echo.",
             "pause",
             ""]
    return "\r\n".join(lines)


def write_launchers(campaign_root: Path, executable: str | None = None,
                    environ: Mapping[str, str] | None = None) -> list[Path]:
    """Write one launcher per task into ``campaign_root`` (overwriting older ones); returns their paths.

    ``executable``: the Python to run (default ``sys.executable``, the one running parxl now).
    Raises LauncherError (see ``batch_python``), or what ``write_atomic`` raises.
    """
    python = batch_python(executable or sys.executable, environ)
    paths = []
    for task in TASKS:
        path = Path(campaign_root) / task.launcher
        write_atomic(path, launcher_text(task, python).encode("ascii"))
        paths.append(path)
    return paths
