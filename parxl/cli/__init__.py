"""The ``parxl`` command: Vietnamese messages, exit 0 / 1 (input problems) / 2 (usage) / 3 (parxl's own error).

Each command lives in its own module below; this one only assembles them and
turns exceptions into one clear line (a traceback only with ``--debug``). An
unexpected exception is parxl's own error: its traceback is logged in the
campaign's ``.parxl/errors/`` when the command names a campaign folder, else in
``<tmp>/parxl-errors/``, and the command exits with 3.

May import: every stage. Never a later stage (see parxl/__init__.py for the order).
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import click

from .. import __version__
from ..campaign.folder import CAMPAIGN_FILE, STATE_DIR
from ..core.errors import EXIT_INTERNAL, EXIT_STOPPED, STOPPED, ParxlError, internal_error_text, log_internal_error
from ..criteria.framework import FrameworkError
from . import i18n
from .console import err_console, print_framework_error

i18n.install()

# One module per command (or group); each exposes ``command``.
COMMAND_MODULES = ("framework_cmd", "init_cmd", "generate_cmd", "decision_cmd", "notices_cmd", "report_cmd", "check_cmd", "appraise_cmd", "consolidate_cmd", "survey_cmd", "demo_cmd", "control_cmd", "templates_cmd")
COMMAND_MODULES += ("plan_cmd", "status_cmd", "improvement_cmd")  # issue 14: plans, deadlines and progress
COMMAND_MODULES += ("preliminary_cmd", "council_cmd", "finalize_cmd")  # the second half of the year (issue 13)


class _Main(click.Group):
    def invoke(self, ctx: click.Context):
        """Run the command, turning what it raises into one Vietnamese line on stderr and an exit code.

        FrameworkError: its problems, exit 1; ParxlError: «Lỗi: …», its ``exit_code``; Ctrl+C: 130;
        any other exception: parxl's own error, its traceback logged (see the module docstring), exit 3.
        click's own exits pass through; with ``--debug`` every exception propagates with its traceback.
        """
        debug = bool(ctx.params.get("debug"))
        argv = _args(ctx)  # before click consumes them
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except FrameworkError as exc:
            if debug:
                raise
            print_framework_error(exc)
            ctx.exit(1)
        except ParxlError as exc:
            if debug:
                raise
            err_console.print(f"[bold red]Lỗi:[/] {exc}", highlight=False)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            err_console.print(STOPPED)
            ctx.exit(EXIT_STOPPED)
        except Exception as exc:  # the last resort: parxl's own error, logged with its traceback
            if debug:
                raise
            log = log_internal_error(_state_dir_named_in(argv), exc, context="parxl " + " ".join(argv))
            err_console.print(
                f"[bold red]Lỗi không mong đợi:[/] {type(exc).__name__}: {exc}\n"
                + internal_error_text(log, "chạy lệnh", about_a_file=False) + " Có thể chạy lại với «parxl --debug …» để xem chi tiết.",
                highlight=False, soft_wrap=True)
            ctx.exit(EXIT_INTERNAL)


def _args(ctx: click.Context) -> list[str]:
    return [str(a) for a in (*getattr(ctx, "_protected_args", ()), *ctx.args)]


def _state_dir_named_in(argv: list[str]) -> Path | None:
    """The state folder of the first campaign folder among the command's arguments, if any."""
    for arg in argv:
        try:
            if (Path(arg) / CAMPAIGN_FILE).is_file():
                return Path(arg) / STATE_DIR
        except (OSError, ValueError):
            continue
    return None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--debug", is_flag=True, help="Hiện đầy đủ chi tiết lỗi (traceback).")
@click.version_option(__version__, prog_name="parxl")
def main(debug: bool) -> None:
    """parxl — tổ chức đánh giá Chỉ số cải cách hành chính (Chỉ số CCHC) bằng Excel.

    Tạo biểu mẫu tự đánh giá cho từng đơn vị, kiểm tra tệp gửi về, tổng hợp
    xếp hạng và soạn quyết định công bố.
    """


def _vietnamese_usage(cmd: click.Command) -> None:
    """Usage lines read «[TÙY_CHỌN] LỆNH [THAM_SỐ]...» on every command, not click's English."""
    cmd.options_metavar = "[TÙY_CHỌN]"
    if isinstance(cmd, click.Group):
        cmd.subcommand_metavar = "LỆNH [THAM_SỐ]..."
        for sub in cmd.commands.values():
            _vietnamese_usage(sub)


class LazyCommands(MutableMapping):
    """``main.commands``: every command's name, its module imported only when the command is asked for
    (click's lazy loading of subcommands): ``parxl consolidate`` imports consolidate_cmd and what it needs,
    not every command's libraries. Names and modules in ``COMMAND_MODULES`` order; a module's
    ``command.name`` must be the name listed here (tests/test_campaign.py checks every command's help)."""

    def __init__(self, modules: dict[str, str]):
        self._modules = dict(modules)  # command name -> module name in parxl.cli
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in self._modules:
                raise KeyError(name)
            cmd = importlib.import_module(f"{__name__}.{self._modules[name]}").command
            _vietnamese_usage(cmd)
            self._loaded[name] = cmd
        return self._loaded[name]

    def __setitem__(self, name: str, cmd: click.Command) -> None:  # ``Group.add_command``
        self._modules.setdefault(name, "")
        self._loaded[name] = cmd

    def __delitem__(self, name: str) -> None:
        self._modules.pop(name)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


# The command each module defines, by the name it is called with (``<name>_cmd``).
main.commands = LazyCommands({m.removesuffix("_cmd"): m for m in COMMAND_MODULES})
main.options_metavar = "[TÙY_CHỌN]"
main.subcommand_metavar = "LỆNH [THAM_SỐ]..."
