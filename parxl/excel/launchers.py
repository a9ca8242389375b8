"""Double-clickable ``.cmd`` launchers, one per task, written into the campaign folder: they need no Excel.

Each runs the Python that installed parxl, ``"<python>" -m parxl <task> "<campaign folder>"``, then
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
from .tasks import CAMPAIGN_HERE, EACH_TABLE, IN_CAMPAIGN, SURVEY_SUFFIXES, TASKS, Task

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
    if a.startswith(EACH_TABLE):
        return '"%%~fF"'  # the ``for`` loop's table (see ``_run``)
    if a.startswith(IN_CAMPAIGN):
        return f'"{HERE}{a[len(IN_CAMPAIGN):]}"'
    return a


def _run(args: tuple[str, ...], python: str) -> str:
    """One command's line: ``parxl`` with ``args`` and the campaign folder; with an ``EACH_TABLE`` argument, a
    ``for`` loop running it once per survey table of that folder (cmd.exe's ``for`` skips hidden files such
    as Excel's «~$» lock files), after a line that says so when the folder holds none."""
    line = f'"{python}" -m parxl {" ".join(map(_arg, args))}' + ("" if CAMPAIGN_HERE in args else f" {CAMPAIGN_ARG}")
    each = next((a[len(EACH_TABLE):] for a in args if a.startswith(EACH_TABLE)), None)
    if each is None:
        return line
    pattern = " ".join(f'"{HERE}{each}\\*{suffix}"' for suffix in SURVEY_SUFFIXES)
    none = " if not exist ".join(f'"{HERE}{each}\\*{suffix}"' for suffix in SURVEY_SUFFIXES)
    return (f"if not exist {none} echo Chua co bang ket qua nao trong thu muc {each} cua dot danh gia.\r\n"
            f"for %%F in ({pattern}) do {line}")


def launcher_text(task: Task, python: str) -> str:
    """The text of ``task``'s launcher; ``python`` as ``batch_python`` returns it. ASCII, CRLF line ends.

    Several commands (the documents) stop at the first that fails; a command over each survey table
    (``EACH_TABLE``) runs once per table.
    """
    title = strip_diacritics(task.label).encode("ascii", "ignore").decode()
    runs = [_run(args, python) for args in task.commands]
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
