"""Every long step reports to the one progress callback: ``progress(done, total, label)``."""
from __future__ import annotations

from parxl.core.progress import labelled, silent
from parxl.ledger.receive import run_intake
from parxl.master import write_master
from parxl.master.consolidation import run_consolidation
from parxl.results.compute import consolidate
from parxl.workbook.stamping import generate
from support.tamper import filled


def _recorder():
    seen: list[tuple[int, int | None, str]] = []
    return seen, lambda done, total, label: seen.append((done, total, label))


def test_generate_reports_each_workbook_with_its_file_name(campaign):
    seen, progress = _recorder()
    paths = generate(campaign, progress)
    assert seen == [(1, 3, paths[0].name), (2, 3, paths[1].name), (3, 3, paths[2].name)]
    assert seen[0][2] == "X01 - Phường An Lưu.xlsx"


def test_intake_reports_each_file_read_with_its_path(campaign):
    campaign.inbox_dir.mkdir(parents=True, exist_ok=True)
    (campaign.inbox_dir / "a.xlsx").write_bytes(filled(campaign, campaign.unit("X01")))
    (campaign.inbox_dir / "b.xlsx").write_bytes(filled(campaign, campaign.unit("X02")))
    seen, progress = _recorder()
    run_intake(campaign, progress, workers=1)
    assert seen == [(1, 2, "inbox/a.xlsx"), (2, 2, "inbox/b.xlsx")]


def test_master_reports_its_steps_out_of_five_with_the_sheet_written(campaign, tmp_path):
    seen, progress = _recorder()
    write_master(consolidate(campaign, []), tmp_path / "out", progress=progress)
    assert [(done, total) for done, total, _ in seen] == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5)]
    assert seen[0][2] == "Trang «Xếp hạng»"
    assert seen[-1][2].endswith(": 3 đơn vị")


def test_consolidation_reports_intake_and_master_to_their_own_callbacks(campaign):
    campaign.inbox_dir.mkdir(parents=True, exist_ok=True)
    (campaign.inbox_dir / "a.xlsx").write_bytes(filled(campaign, campaign.unit("X01")))
    reading, intake_progress = _recorder()
    writing, master_progress = _recorder()
    run_consolidation(campaign, None, intake_progress, master_progress)
    assert reading == [(1, 1, "inbox/a.xlsx")]
    assert [total for _, total, _ in writing] == [5] * 5


def test_labelled_reports_under_the_stage_title_and_none_is_silent():
    seen, progress = _recorder()
    labelled(progress, "Tạo biểu mẫu")(2, 7, "X01.xlsx")
    assert seen == [(2, 7, "Tạo biểu mẫu")]
    assert labelled(None, "Tạo biểu mẫu") is silent
    assert silent(1, None, "") is None


def test_cli_bars_show_count_rate_and_label_on_a_terminal_and_nothing_on_a_pipe():
    import io

    from rich.console import Console

    from parxl.cli.progress_bar import steps
    shown = io.StringIO()
    terminal = Console(file=shown, force_terminal=True, width=150, color_system=None)
    with steps(terminal, True) as bars:
        reading = bars.step("Đang đọc tệp")
        for done in range(1, 4):
            reading(done, 3, f"inbox/a.zip!/X0{done} - Phường An Lưu.xlsx")
        bars.step("Ghi tệp phản hồi")(1, 1, "X01 - phản hồi.xlsx")
    text = shown.getvalue()
    assert "Đang đọc tệp" in text and "3/3" in text and "tệp/giây" in text
    assert "X03 - Phường An Lưu.xlsx" in text and "inbox/a.zip" not in text
    piped = io.StringIO()
    with steps(Console(file=piped), False) as bars:
        bars.step("Đang đọc tệp")(1, 1, "x.xlsx")
    assert piped.getvalue() == ""


def test_rate_is_written_with_a_decimal_comma_in_the_steps_unit():
    from types import SimpleNamespace

    from parxl.cli.progress_bar import _Rate
    task = SimpleNamespace(finished_speed=None, speed=152.34, fields={"unit": "tệp"})
    assert _Rate().render(task).plain == "152,3 tệp/giây"
    assert _Rate().render(SimpleNamespace(finished_speed=None, speed=None, fields={"unit": "bước"})).plain == "– bước/giây"


def test_a_phase_shows_its_title_while_it_runs_and_full_when_done_and_nothing_on_a_pipe():
    import io

    from rich.console import Console

    from parxl.cli.progress_bar import steps
    shown = io.StringIO()
    with steps(Console(file=shown, force_terminal=True, width=150, color_system=None), True) as bars:
        with bars.phase("Đang soạn quyết định"):
            pass
    assert "Đang soạn quyết định" in shown.getvalue() and "1/1" in shown.getvalue()
    piped = io.StringIO()
    with steps(Console(file=piped), False) as bars:
        with bars.phase("Đang soạn quyết định"):
            pass
    assert piped.getvalue() == ""
