"""The CLI's consoles: wrapped for a terminal, never hard-wrapped or cut for a pipe, a log or a test."""
import io

from click.testing import CliRunner

from parxl.cli import main
from parxl.cli.console import CliConsole
from parxl.demo.run import run_demo


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_messages_for_a_pipe_stay_on_one_line_whatever_the_width_and_path(tmp_path):
    folder = tmp_path / ("mot-thu-muc-co-ten-rat-dai-" * 6)
    folder.mkdir()
    (folder / "thu.txt").write_text("của người dùng", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", str(folder)], env={"COLUMNS": "40"})
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if line.startswith("Lỗi:"))
    assert str(folder) in line and line.endswith("cho bản chạy thử.")


def test_a_console_on_a_pipe_ignores_columns_and_a_terminal_keeps_wrapping(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    text = "Thư mục «" + "x" * 100 + "» đã có tệp khác; hãy chọn một thư mục trống cho bản chạy thử."
    piped, terminal = io.StringIO(), _Terminal()
    CliConsole(file=piped, highlight=False).print(text)
    CliConsole(file=terminal, highlight=False).print(text)
    assert piped.getvalue() == text + "\n"
    assert all(len(line) <= 40 for line in terminal.getvalue().splitlines())
    assert "".join(terminal.getvalue().split()) == "".join(text.split())


def test_check_table_is_whole_on_a_pipe_and_in_a_narrow_terminal(tmp_path, monkeypatch):
    outcome = run_demo(tmp_path / "d")
    units = outcome.campaign.units
    result = CliRunner().invoke(main, ["check", str(outcome.campaign.root)], env={"COLUMNS": "40"})
    lines = result.output.splitlines()
    for unit in units:
        if unit.code == outcome.scenario.silent:
            continue
        assert any(f"{unit.code} {unit.name}" in line and f"{unit.code} - {unit.name}.xlsx" in line for line in lines)
    assert "…" not in result.output

    # A 40-column terminal folds the cells; no character is dropped.
    from parxl.cli import check_cmd
    from parxl.ledger.receive import run_intake
    from parxl.ledger.check_report import unit_lines
    terminal = _Terminal()
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setattr(check_cmd, "console", CliConsole(file=terminal, highlight=False, color_system=None))
    intake = run_intake(outcome.campaign)
    check_cmd._print_table(outcome.campaign, intake, unit_lines(outcome.campaign, intake))
    shown = terminal.getvalue()
    assert all(len(line) <= 40 for line in shown.splitlines())
    assert "…" not in shown
