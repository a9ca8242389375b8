"""``python -m parxl.excel.run NUMBER CAMPAIGN``: run the control workbook's task number NUMBER on the campaign
folder CAMPAIGN exactly as its «Chạy» button does (the same ``parxl.excel.xl`` ``do_*`` function), printing
the lines the button writes into its status area. A ``.cmd`` launcher whose task has no single ``parxl``
command (the survey import over the tables of a folder) runs this, so launcher and button refuse alike.
Exit code 0 when done, 1 when refused (the reason in Vietnamese on stderr), 2 for a wrong NUMBER.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .tasks import TASKS


def run_task(number: int, campaign_dir: str | Path) -> int:
    """Run task ``number`` (``Task.number``) on ``campaign_dir`` as the button does; its lines on stdout, or
    what stopped it on stderr (``xl.error_lines``). Returns the exit code (0 done, 1 refused, 2 no such task).
    Raises what the task raises beyond a problem with the user's input (after printing it), as the button."""
    from . import xl

    task = next((t for t in TASKS if t.number == number), None)
    if task is None:
        click.echo(f"Không có việc số {number} trong danh sách việc của bảng điều khiển.", err=True)
        return 2
    try:
        outcome = getattr(xl, task.action)(Path(campaign_dir))
    except Exception as exc:
        lines = xl.error_lines(exc)
        click.echo(f"{task.label}: KHÔNG thực hiện được.", err=True)
        for line in lines:
            click.echo(line, err=True)
        if lines and lines[0].startswith(xl.UNEXPECTED):
            raise
        return 1
    click.echo(f"{task.label}: đã xong.")
    for line in outcome.lines:
        click.echo(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``NUMBER CAMPAIGN`` from ``argv`` (default ``sys.argv[1:]``) → ``run_task``'s exit code; 2 when the
    arguments are not a task number and a folder."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not args[0].isdigit():
        click.echo("Cách dùng: python -m parxl.excel.run SỐ_VIỆC THƯ_MỤC_ĐỢT", err=True)
        return 2
    return run_task(int(args[0]), args[1])


if __name__ == "__main__":
    sys.exit(main())
