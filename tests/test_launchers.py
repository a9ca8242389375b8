"""``python -m parxl`` and the .cmd launchers: their exact text, and the command they run works here."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from parxl import __version__
from parxl.excel.launchers import LauncherError, batch_python, launcher_text, write_launchers
from parxl.excel.tasks import TASKS, task_named

from conftest import REPO, make_campaign

# spaces, parentheses, an apostrophe, Vietnamese letters and a percent sign
AWKWARD = "Đợt (2025) của Phòng Nội vụ's 100% A&B"


def env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"}


def windows_split(line: str) -> list[str]:
    """Split a batch command line as cmd.exe passes it to a program: quoted parts, no escapes inside."""
    return [a.replace('"', "") for a in re.findall(r'(?:"[^"]*"|[^\s"])+', line)]


def run_as_cmd(launcher: Path) -> list[subprocess.CompletedProcess]:
    """Run the launcher's command lines here as cmd.exe would: ``%~dp0`` is the launcher's folder with
    its separator, ``%%`` a single ``%``; stops at the first failure when the launcher says so."""
    lines = launcher.read_bytes().decode("ascii").split("\r\n")
    runs = []
    for line in lines:
        if not line.startswith('"'):
            continue
        expanded = line.replace("%~dp0", str(launcher.parent) + os.sep).replace("%%", "%")
        argv = windows_split(expanded)
        runs.append(subprocess.run(argv, capture_output=True, text=True, env=env(), encoding="utf-8"))
        if runs[-1].returncode and "if errorlevel 1 goto done" in lines:
            break
    return runs


def test_python_m_parxl_runs_the_command():
    out = subprocess.run([sys.executable, "-m", "parxl", "--version"], capture_output=True, text=True, env=env(),
                         cwd=REPO / "tests")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"parxl, phiên bản {__version__}"
    usage = subprocess.run([sys.executable, "-m", "parxl", "khong-co-lenh"], capture_output=True, text=True,
                           env=env(), cwd=REPO / "tests")
    assert usage.returncode == 2 and "parxl" in usage.stderr and "__main__" not in usage.stderr


def test_launcher_text_is_exact():
    text = launcher_text(task_named("Tổng hợp xếp hạng"), r"C:\Python311\python.exe")
    assert text == (
        "@echo off\r\n"
        "setlocal DisableDelayedExpansion\r\n"
        f"rem parxl {__version__}: Tong hop xep hang.\r\n"
        "rem Tao boi lenh \"parxl control\". Nhan dup de chay; thu muc dot danh gia la thu muc chua tep nay.\r\n"
        "title parxl - Tong hop xep hang\r\n"
        "\"C:\\Python311\\python.exe\" -m parxl consolidate \"%~dp0.\"\r\n"
        "echo.\r\n"
        "pause\r\n")


@pytest.mark.parametrize("label, launcher, title, command", [
    ("Kết quả sơ bộ, phiếu giải trình", "7-ket-qua-so-bo.cmd", "Ket qua so bo, phieu giai trinh", "preliminary"),
    ("Tài liệu cho Hội đồng thẩm định", "8-tai-lieu-hoi-dong.cmd", "Tai lieu cho Hoi dong tham dinh", "council"),
    ("Theo dõi tiến độ, danh sách đôn đốc", "9-theo-doi-tien-do.cmd", "Theo doi tien do, danh sach don doc",
     "status"),
    ("Kế hoạch triển khai", "10-ke-hoach-trien-khai.cmd", "Ke hoach trien khai", "plan"),
    ("Kế hoạch cải thiện cho từng đơn vị", "11-ke-hoach-cai-thien.cmd", "Ke hoach cai thien cho tung don vi",
     "improvement"),
    ("Chốt kết quả", "12-chot-ket-qua.cmd", "Chot ket qua", "finalize"),
])
def test_the_later_tasks_launchers_text_is_exact(label, launcher, title, command):
    task = task_named(label)
    assert task.launcher == launcher
    assert launcher_text(task, r"C:\Python311\python.exe") == (
        "@echo off\r\n"
        "setlocal DisableDelayedExpansion\r\n"
        f"rem parxl {__version__}: {title}.\r\n"
        "rem Tao boi lenh \"parxl control\". Nhan dup de chay; thu muc dot danh gia la thu muc chua tep nay.\r\n"
        f"title parxl - {title}\r\n"
        f"\"C:\\Python311\\python.exe\" -m parxl {command} \"%~dp0.\"\r\n"
        "echo.\r\n"
        "pause\r\n")


def test_documents_launcher_stops_at_the_first_failure():
    text = launcher_text(task_named("Soạn văn bản (quyết định, thông báo, báo cáo)"), r"C:\P\python.exe")
    body = text.split("\r\n")[5:-1]
    assert body == ['"C:\\P\\python.exe" -m parxl decision "%~dp0."', "if errorlevel 1 goto done",
                    '"C:\\P\\python.exe" -m parxl notices "%~dp0."', "if errorlevel 1 goto done",
                    '"C:\\P\\python.exe" -m parxl report "%~dp0."', ":done", "echo.", "pause"]


def test_every_launcher_is_ascii_crlf_and_named_in_ascii(tmp_path):
    campaign = make_campaign(tmp_path / AWKWARD)
    paths = write_launchers(campaign.root)
    assert [p.name for p in paths] == ["1-tao-bieu-mau.cmd", "2-kiem-tra-tep-gui-ve.cmd",
                                       "3-tao-bieu-mau-tham-dinh.cmd", "4-nhap-diem-tham-dinh.cmd",
                                       "5-tong-hop-xep-hang.cmd", "6-soan-van-ban.cmd",
                                       "7-ket-qua-so-bo.cmd", "8-tai-lieu-hoi-dong.cmd", "9-theo-doi-tien-do.cmd",
                                       "10-ke-hoach-trien-khai.cmd", "11-ke-hoach-cai-thien.cmd",
                                       "12-chot-ket-qua.cmd", "13-nhap-phieu-khao-sat.cmd"]
    for p in paths:
        raw = p.read_bytes()
        assert raw.isascii() and p.name.isascii()
        assert raw.count(b"\r\n") == raw.count(b"\n") and raw.endswith(b"pause\r\n")
        assert f'"{sys.executable}" -m parxl'.encode() in raw  # the Python running parxl now
        assert b"%~dp0." in raw and AWKWARD.encode() not in raw


def test_the_python_path_in_a_batch_file():
    assert batch_python(r"C:\Python311\python.exe", {}) == r"C:\Python311\python.exe"
    assert batch_python(r"C:\Py 100%\python.exe", {}) == r"C:\Py 100%%\python.exe"  # % is literal only doubled
    profile = {"LOCALAPPDATA": "C:\\Users\\Nguyễn Văn Án\\AppData\\Local", "USERPROFILE": "C:\\Users\\Nguyễn Văn Án"}
    assert batch_python("C:\\Users\\Nguyễn Văn Án\\AppData\\Local\\Programs\\Python\\Python311\\python.exe",
                        profile) == r"%LOCALAPPDATA%\Programs\Python\Python311\python.exe"
    assert batch_python("C:\\Users\\Nguyễn Văn Án\\venv\\Scripts\\python.exe", profile) == \
        r"%USERPROFILE%\venv\Scripts\python.exe"
    with pytest.raises(LauncherError, match="thư mục không dấu"):
        batch_python("D:\\Chương trình\\python.exe", profile)


def test_the_launchers_commands_work_here_in_an_awkward_folder(tmp_path):
    campaign = make_campaign(tmp_path / AWKWARD)
    (campaign.root / "tham-dinh-gui-ve").mkdir()
    launchers = {p.name: p for p in write_launchers(campaign.root)}
    [generate] = run_as_cmd(launchers["1-tao-bieu-mau.cmd"])
    assert generate.returncode == 0, generate.stderr
    assert sorted(p.name for p in campaign.workbooks_dir.glob("*.xlsx")) == [
        "X01 - Phường An Lưu.xlsx", "X02 - Xã Lê Ninh.xlsx", "X03 - Phường Hiệp An.xlsx"]
    [check] = run_as_cmd(launchers["2-kiem-tra-tep-gui-ve.cmd"])
    assert check.returncode == 0, check.stderr
    assert (campaign.output_dir / "ket-qua-kiem-tra.xlsx").is_file()
    [consolidate] = run_as_cmd(launchers["5-tong-hop-xep-hang.cmd"])
    assert consolidate.returncode == 0, consolidate.stderr
    assert len(list(campaign.output_dir.glob("tong-hop-*.xlsx"))) == 1
    [appraise] = run_as_cmd(launchers["3-tao-bieu-mau-tham-dinh.cmd"])
    assert appraise.returncode == 0, appraise.stderr
    assert list((campaign.output_dir / "tham-dinh").rglob("*.xlsx"))
    [nothing] = run_as_cmd(launchers["4-nhap-diem-tham-dinh.cmd"])
    assert nothing.returncode == 0, nothing.stderr
    assert "Không có tệp nào để nhập." in nothing.stdout
    # nobody sent a file: the decision is refused, and the documents launcher stops there
    runs = run_as_cmd(launchers["6-soan-van-ban.cmd"])
    assert len(runs) == 1 and runs[0].returncode == 1
    assert "chưa xếp hạng đơn vị nào" in " ".join(runs[0].stderr.split())
    assert not list(campaign.output_dir.glob("*.docx"))
    [plan] = run_as_cmd(launchers["10-ke-hoach-trien-khai.cmd"])
    assert plan.returncode == 0, plan.stderr
    assert [p.name for p in campaign.output_dir.glob("ke-hoach-trien-khai-*.docx")] == [
        f"ke-hoach-trien-khai-{campaign.config.year}.docx"]
    [status] = run_as_cmd(launchers["9-theo-doi-tien-do.cmd"])
    assert status.returncode == 0, status.stderr
    assert (campaign.output_dir / "tien-do.xlsx").is_file()
    [preliminary] = run_as_cmd(launchers["7-ket-qua-so-bo.cmd"])
    assert preliminary.returncode == 1 and "Chưa có kết quả thẩm định nào" in " ".join(preliminary.stderr.split())


def test_every_task_has_a_launcher_and_a_cli_command():
    from parxl.cli import main

    for task in TASKS:
        for args in task.commands:
            assert args[0] in main.commands, args
    assert len({t.launcher for t in TASKS}) == len(TASKS)


def test_the_windows_guide_names_every_task_and_launcher():
    guide = (REPO / "docs" / "windows.md").read_text(encoding="utf-8")
    for task in TASKS:
        assert task.label in guide and task.launcher in guide, task.label
    for words in ('pip install "parxl[excel]"', "xlwings addin install", "Enable Content", "Unblock", "Run main",
                  "parxl_dieu_khien.xlsm", "parxl templates"):
        assert words in guide, words


def test_the_survey_launcher_runs_the_buttons_function_by_the_tasks_number():
    task = task_named("Nhập phiếu khảo sát")
    body = launcher_text(task, r"C:\P\python.exe").split("\r\n")[5:-1]
    assert body == [f'"C:\\P\\python.exe" -m parxl.excel.run {task.number} "%~dp0."', "echo.", "pause"]
