"""LibreOffice edits that only a real spreadsheet engine does right, for the check tests.

``uno_edit_many(jobs)`` opens each source in one headless LibreOffice (driven
by the system Python, which has python3-uno), applies operations as a user
would, and saves in a chosen format:

- ``("insert_rows", sheet, row, count)`` / ``("delete_rows", sheet, row, count)``:
  rows inserted or deleted (1-based row), formulas and defined names follow;
- ``("set", key, value)``: a value into a defined name, ``"Sheet!A1"`` or a cell
  of the self-assessment sheet (text stays text, numbers stay numbers);
- ``("remove_sheet", name)``.

``filter`` is a LibreOffice export filter ("Calc Office Open XML", "MS Excel 97",
"calc8" for .ods). (LibreOffice 7.4 does not write password-encrypted xlsx through
this API; ``tests/support/tamper.ole_container`` builds that container instead.)
"""
from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from parxl.layout import SHEET_ASSESS

from .libreoffice import SYSTEM_PYTHON, find_soffice, make_profile

_SCRIPT = r'''
import json, subprocess, sys, time, uuid
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

def run_jobs(desktop):
    for job in args["jobs"]:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["src"]), "_blank", 0, (prop("Hidden", True),))
        try:
            for op in job["ops"]:
                kind = op[0]
                if kind in ("insert_rows", "delete_rows"):
                    sheet = doc.Sheets.getByName(op[1])
                    if sheet.isProtected():
                        sheet.unprotect("")  # as a user must first (the protection has no password)
                    rows = sheet.Rows
                    (rows.insertByIndex if kind == "insert_rows" else rows.removeByIndex)(op[2] - 1, op[3])
                elif kind == "remove_sheet":
                    doc.Sheets.removeByName(op[1])
                elif kind == "set":
                    key, value = op[1], op[2]
                    if "!" in key:
                        sheet, ref = key.rsplit("!", 1)
                        cell = doc.Sheets.getByName(sheet.strip("'")).getCellRangeByName(ref)
                    elif doc.NamedRanges.hasByName(key):
                        cell = doc.NamedRanges.getByName(key).getReferredCells().getCellByPosition(0, 0)
                    else:
                        cell = doc.Sheets.getByName(args["sheet"]).getCellRangeByName(key)
                    if value is None:
                        cell.clearContents(1 | 2 | 4 | 16)
                    elif isinstance(value, str):
                        cell.setString(value)
                    else:
                        cell.setValue(float(value))
            doc.calculateAll()
            props = [prop("FilterName", job["filter"]), prop("Overwrite", True)]
            doc.storeToURL(uno.systemPathToFileUrl(job["dest"]), tuple(props))
        finally:
            doc.close(True)

args = json.load(sys.stdin)
pipe = "parxlcheck" + uuid.uuid4().hex
proc = subprocess.Popen([args["soffice"], "-env:UserInstallation=" + args["profile"], "--headless", "--invisible",
                         "--norestore", "--nologo", "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 60
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except NoConnectException:
            if time.time() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.2)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    try:
        run_jobs(desktop)
    finally:
        try:
            desktop.terminate()  # also on failure: soffice.bin must not outlive the script
        except Exception:
            pass
    proc.wait(timeout=30)
finally:
    if proc.poll() is None:
        proc.kill()
'''

XLSX = "Calc Office Open XML"
XLS = "MS Excel 97"
ODS = "calc8"


def uno_edit_many(jobs: Sequence[dict], soffice: str | None = None, timeout: float = 600) -> list[Path]:
    """Each job: {"src", "dest", "ops": [...], "filter": XLSX}."""
    with tempfile.TemporaryDirectory(prefix="parxl-uno-edit-") as tmp:
        payload = {
            "soffice": soffice or find_soffice(),
            "profile": make_profile(Path(tmp) / "profile"),
            "sheet": SHEET_ASSESS,
            "jobs": [{"src": str(Path(j["src"]).resolve()), "dest": str(Path(j["dest"]).resolve()),
                      "ops": [list(op) for op in j.get("ops", ())], "filter": j.get("filter", XLSX)}
                     for j in jobs],
        }
        script = Path(tmp) / "edit.py"
        script.write_text(_SCRIPT, encoding="utf-8")
        run = subprocess.run([SYSTEM_PYTHON, str(script)], input=json.dumps(payload), capture_output=True,
                             text=True, timeout=timeout)
    dests = [Path(j["dest"]) for j in jobs]
    missing = [str(d) for d in dests if not d.is_file()]
    if run.returncode != 0 or missing:
        raise RuntimeError(f"UNO edit failed (exit {run.returncode}); missing {missing}\n{run.stdout}\n{run.stderr}")
    return dests
