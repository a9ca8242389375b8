"""The control workbook: the installed xlwings' VBA project embedded byte for byte, its macro and code
names as olevba and LibreOffice see them, the dropdown and status area as openpyxl reads them, the
hidden xlwings.conf sheet, and what happens without xlwings."""
from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from parxl.cli import main
from parxl.excel import control
from parxl.excel.control import (CONF_SHEET, MODULE_FILE, SHEET, STATUS_NAME, STATUS_ROWS, TASK_NAME, TASKS_NAME,
                                 build_control)
from parxl.excel.tasks import TASKS

from conftest import make_campaign

xlwings = pytest.importorskip("xlwings")  # the `test` extra installs it; CI must have it
oletools_olevba = pytest.importorskip("oletools.olevba")

QUICKSTART = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"


@pytest.fixture
def campaign(tmp_path):
    return make_campaign(tmp_path / "dot-danh-gia")


def quickstart_part(name: str) -> bytes:
    with zipfile.ZipFile(QUICKSTART) as z:
        return z.read(name)


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def code_names(path: Path) -> list[str]:
    """The workbook's codeName, then each sheet's, in sheet order, straight from the XML."""
    workbook = part(path, "xl/workbook.xml").decode()
    names = re.findall(r'<workbookPr[^>]*codeName="(\w+)"', workbook)
    with zipfile.ZipFile(path) as z:
        sheets = sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        for name in sheets:
            names += re.findall(r'<sheetPr[^>]*codeName="(\w+)"', z.read(name).decode())
    return names


def test_the_xlsm_embeds_the_installed_xlwings_project_byte_for_byte(campaign):
    made = build_control(campaign.root)
    assert made.workbook == campaign.root / "parxl_dieu_khien.xlsm"
    assert made.module == campaign.root / MODULE_FILE and made.xlwings_version == xlwings.__version__
    assert part(made.workbook, "xl/vbaProject.bin") == quickstart_part("xl/vbaProject.bin")
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in part(made.workbook, "[Content_Types].xml").decode()
    # the code names are those of the document modules xlwings' own workbook has
    assert code_names(made.workbook) == code_names(QUICKSTART) == ["ThisWorkbook", "Sheet1", "Sheet2"]
    # SampleCall imports the module named as the workbook: a valid ASCII module name, the .py beside it
    stem = made.workbook.stem
    assert stem.isascii() and stem.isidentifier() and made.module.name == f"{stem}.py"
    assert "parxl.xl.main()" in made.module.read_text(encoding="utf-8")


def test_olevba_lists_the_modules_and_the_macro_the_button_calls(campaign):
    made = build_control(campaign.root)
    parser = oletools_olevba.VBA_Parser(str(made.workbook))
    try:
        modules = {Path(filename).stem: code for (_, _, filename, code) in parser.extract_macros()}
    finally:
        parser.close()
    assert set(modules) == {"ThisWorkbook", "Sheet1", "Sheet2", "Module1", "xlwings", "Dictionary"}
    vml = "".join(part(made.workbook, n).decode() for n in zipfile.ZipFile(made.workbook).namelist()
                  if n.endswith(".vml"))
    assert re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml) == ["SampleCall"]
    assert ">Chạy<" in vml or "Chạy" in vml
    sample = re.search(r"^Sub SampleCall\(\)\s*$(.*?)^End Sub", modules["Module1"], re.M | re.S)
    assert sample, "the macro the button calls is in Module1"
    assert "ThisWorkbook.Name" in sample[1]
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in sample[1]
    assert re.search(r"^Public Function RunPython\(", modules["xlwings"], re.M)
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in modules["xlwings"]


def test_openpyxl_reads_the_dropdown_the_task_list_and_the_status_area(campaign):
    made = build_control(campaign.root, interpreter=r"C:\Python311\python.exe")
    wb = openpyxl.load_workbook(made.workbook, keep_vba=True)
    assert wb.sheetnames == [SHEET, CONF_SHEET]
    ws = wb[SHEET]
    [(sheet, ref)] = list(wb.defined_names[TASK_NAME].destinations)
    assert sheet == SHEET
    choice = ws[ref.replace("$", "")]
    assert choice.value == TASKS[0].label
    [(sheet, ref)] = list(wb.defined_names[TASKS_NAME].destinations)
    assert [row[0].value for row in ws[ref]] == [t.label for t in TASKS]
    [dv] = [dv for dv in ws.data_validations.dataValidation if choice.coordinate in dv.sqref]
    assert dv.type == "list" and dv.formula1 == TASKS_NAME and dv.showErrorMessage
    [(sheet, ref)] = list(wb.defined_names[STATUS_NAME].destinations)
    cells = [row[0] for row in ws[ref]]
    assert len(cells) == STATUS_ROWS and all(len(row) == 1 for row in ws[ref])
    assert cells[0].value.startswith("Chưa chạy lần nào.") and all(c.value is None for c in cells[1:])
    assert cells[0].offset(-1, 0).value == "KẾT QUẢ LẦN CHẠY GẦN NHẤT"
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    for task in TASKS:
        assert task.launcher in texts
    assert f'parxl generate "{campaign.root.resolve()}"' in texts
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def test_the_hidden_conf_sheet_pins_the_interpreter_and_keeps_the_licence(campaign):
    made = build_control(campaign.root, interpreter=r"C:\Users\An\AppData\Local\Programs\Python\Python311\python.exe")
    conf = openpyxl.load_workbook(made.workbook, keep_vba=True)[CONF_SHEET]
    assert conf.sheet_state == "hidden"
    # xlwings reads column A as keys (upper-cased) and B as values, from A1 down to the first blank
    assert [(conf.cell(r, 1).value, conf.cell(r, 2).value) for r in (1, 2, 3)] == [
        ("Interpreter_Win", r"C:\Users\An\AppData\Local\Programs\Python\Python311\python.exe"),
        ("Show Console", False), (None, None)]
    licence = Path(xlwings.__file__).parent.parent.glob("xlwings-*.dist-info/licenses/LICENSE.txt")
    installed = next(licence).read_text(encoding="utf-8")
    column_d = [conf.cell(r, 4).value for r in range(1, conf.max_row + 1) if conf.cell(r, 4).value]
    assert "Copyright (C) 2014 - present, Zoomer Analytics GmbH." in column_d
    assert [line for line in installed.splitlines() if line.strip()] == column_d[1:]
    notices = control.NOTICES.read_text(encoding="utf-8")
    assert "Copyright (C) 2014 - present, Zoomer Analytics GmbH." in notices and "VBA-Dictionary" in notices


def test_the_interpreter_is_pinned_only_on_windows(monkeypatch):
    monkeypatch.setattr(control, "os", type("os", (), {"name": "posix"}))
    assert control.pinned_interpreter() is None
    monkeypatch.setattr(control, "os", type("os", (), {"name": "nt"}))
    monkeypatch.setattr(control.sys, "executable", r"C:\Python311\python.exe")
    assert control.pinned_interpreter() == r"C:\Python311\python.exe"


def test_the_plain_xlsx_for_the_add_ins_run_main(campaign):
    made = build_control(campaign.root, plain=True)
    assert made.workbook == campaign.root / "parxl_dieu_khien.xlsx" and made.module.is_file()
    with zipfile.ZipFile(made.workbook) as z:
        assert not any("vba" in n.lower() or n.endswith(".vml") for n in z.namelist())
    wb = openpyxl.load_workbook(made.workbook)
    assert list(wb.defined_names) and {TASK_NAME, TASKS_NAME, STATUS_NAME} <= set(wb.defined_names)
    texts = [c.value for row in wb[SHEET].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Bấm «Run main» trên thẻ xlwings" in texts


def test_without_xlwings_no_workbook_and_what_to_install(campaign, monkeypatch):
    monkeypatch.setattr(control, "xlwings_distribution", lambda: None)
    out = CliRunner().invoke(main, ["control", str(campaign.root)])
    assert out.exit_code == 1
    flat = " ".join(out.output.split())
    assert 'Chưa cài xlwings nên không tạo được bảng điều khiển Excel có nút bấm. Hãy cài bằng lệnh: ' \
           'pip install "parxl[excel]" rồi chạy lại lệnh này.' in flat
    assert not list(campaign.root.glob("parxl_dieu_khien*"))
    assert sorted(p.name for p in campaign.root.glob("*.cmd")) == sorted(t.launcher for t in TASKS)


def test_an_xlwings_without_its_quickstart_workbook_is_refused(campaign, monkeypatch, tmp_path):
    class Broken:
        version = "0.0"

        @staticmethod
        def locate_file(name):
            return tmp_path / "khong-co" / name

    monkeypatch.setattr(control, "xlwings_distribution", lambda: Broken())
    made = build_control(campaign.root)
    assert made.workbook is None and "quickstart_standalone.xlsm" in made.problems[-1]
    assert not list(campaign.root.glob("parxl_dieu_khien*"))


def test_an_unchanged_rebuild_writes_nothing_and_a_different_file_is_kept(campaign):
    first = build_control(campaign.root)
    again = build_control(campaign.root)
    assert again.unchanged and again.backup is None
    built = first.workbook.read_bytes()
    first.workbook.write_bytes(b"saved by the clerk, with notes")
    made = build_control(campaign.root)
    assert made.backup == campaign.root / "parxl_dieu_khien.bak-1.xlsm"
    assert made.backup.read_bytes() == b"saved by the clerk, with notes"
    assert made.workbook.read_bytes() == built
    assert not list(campaign.root.glob(".parxl-*"))  # no temporary file left behind


def test_control_command_says_what_it_made(campaign):
    out = CliRunner().invoke(main, ["control", str(campaign.root)])
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())
    assert "Đã tạo 13 tệp chạy nhanh" in flat and "1-tao-bieu-mau.cmd" in flat
    assert f"Đã tạo bảng điều khiển: {campaign.root / 'parxl_dieu_khien.xlsm'}".replace(" ", "") in \
        flat.replace(" ", "")
    assert f"Phần macro là của xlwings {xlwings.__version__}." in flat
    assert (campaign.root / "tham-dinh-gui-ve").is_dir()
    assert (campaign.root / "dieu-tra-xhh-gui-ve").is_dir()  # the tables «Nhập phiếu khảo sát» imports
    again = CliRunner().invoke(main, ["control", str(campaign.root)])
    assert "đã đúng như vậy" in " ".join(again.output.split())


def test_control_command_on_a_folder_that_is_no_campaign(tmp_path):
    out = CliRunner().invoke(main, ["control", str(tmp_path)])
    assert out.exit_code == 1
    assert "campaign.yaml" in out.output
    assert not list(tmp_path.iterdir())


UNO_INSPECT = r'''
def run_jobs(desktop):
    for job in args["jobs"]:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["src"]), "_blank", 0, (prop("Hidden", True),))
        try:
            found = {"sheets": [], "controls": [], "modules": {}, "codename": doc.CodeName}
            for name in doc.Sheets.ElementNames:
                sheet = doc.Sheets.getByName(name)
                found["sheets"].append([name, sheet.IsVisible, sheet.CodeName])
            forms = doc.Sheets.getByName(job["sheet"]).DrawPage.Forms
            for f in range(forms.Count):
                form = forms.getByIndex(f)
                for i in range(form.Count):
                    found["controls"].append({
                        "label": form.getByIndex(i).Label,
                        "events": [[e.EventMethod, e.ScriptType, e.ScriptCode] for e in form.getScriptEvents(i)]})
            libraries = doc.BasicLibraries
            for name in libraries.ElementNames:
                libraries.loadLibrary(name)
                library = libraries.getByName(name)
                for module in library.ElementNames:
                    found["modules"][name + "." + module] = library.getByName(module)
        finally:
            doc.close(True)
        with open(job["dest"], "w", encoding="utf-8") as out:
            json.dump(found, out, ensure_ascii=False)
'''


@pytest.mark.libreoffice
def test_libreoffice_opens_it_and_the_button_runs_samplecall(campaign, soffice, tmp_path):
    from support.libreoffice import make_profile, run_uno_jobs

    made = build_control(campaign.root)
    dest = tmp_path / "inspect.json"
    run_uno_jobs(UNO_INSPECT, {"soffice": soffice, "profile": make_profile(tmp_path / "lo"),
                               "jobs": [{"src": str(made.workbook), "dest": str(dest), "sheet": SHEET}]},
                 tmp_path, 240, "inspect-control")
    found = json.loads(dest.read_text(encoding="utf-8"))
    assert found["codename"] == "ThisWorkbook"
    assert found["sheets"] == [[SHEET, True, "Sheet1"], [CONF_SHEET, False, "Sheet2"]]
    assert found["controls"] == [{"label": "Chạy", "events": [
        ["actionPerformed", "Script",
         "vnd.sun.star.script:VBAProject.Module1.SampleCall?language=Basic&location=document"]]}]
    assert re.search(r"^Sub SampleCall\(\)", found["modules"]["VBAProject.Module1"], re.M)
