"""LibreOffice as the reference spreadsheet engine for tests: recalculate, or fill like a user.

Two entry points, stable for every test module that needs a real engine:

``recalculate(paths, outdir, soffice=None) -> list[Path]``
    One ``soffice --headless --convert-to xlsx`` call for all ``paths`` with a
    throw-away profile whose ``OOXMLRecalcMode`` is 0 ("always recalculate"),
    so every formula is computed afresh even where the file carries a cached
    value. Returns ``outdir/<stem>.xlsx`` for each input, in order. Inputs
    must have distinct stems and must not live in ``outdir``.

``uno_fill_and_save(src, dest, values, sheet=SHEET_ASSESS, soffice=None)``
    Opens ``src`` in a headless LibreOffice driven over a UNO pipe by the
    system Python (``/usr/bin/python3`` with python3-uno; the test Python
    cannot import ``uno``), sets cells as a user would (numbers as numbers,
    text as text, ``None`` clears the cell; sheet protection does not stop the
    API), runs ``calculateAll()`` and saves ``dest`` as "Calc Office Open XML".
    Keys of ``values`` are a workbook defined name (``parxl_in_1_1_choice``),
    ``"Sheet!A1"``, or a bare ``"A1"`` on ``sheet``.
    ``uno_fill_and_save_many(jobs)`` does several (src, dest, values) in one
    LibreOffice start.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from parxl.workbook.layout import SHEET_ASSESS

SYSTEM_PYTHON = "/usr/bin/python3"

_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    return path


def make_profile(root: Path) -> str:
    """A fresh LibreOffice profile under ``root`` forcing full recalculation on load; its file URL."""
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    return root.resolve().as_uri()


def recalculate(paths: Iterable[str | Path], outdir: str | Path, soffice: str | None = None,
                timeout: float = 600) -> list[Path]:
    paths = [Path(p).resolve() for p in paths]
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise ValueError("recalculate: input files must have distinct names")
    if any(p.parent == outdir for p in paths):
        raise ValueError("recalculate: outdir must differ from the inputs' folder (it would overwrite them)")
    if not paths:
        return []
    with tempfile.TemporaryDirectory(prefix="parxl-lo-") as profile:
        cmd = [soffice or find_soffice(), f"-env:UserInstallation={make_profile(Path(profile))}",
               "--headless", "--norestore", "--nologo", "--convert-to", "xlsx:Calc Office Open XML",
               "--outdir", str(outdir), *map(str, paths)]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    outputs = [outdir / f"{stem}.xlsx" for stem in stems]
    missing = [str(p) for p in outputs if not p.is_file()]
    if run.returncode != 0 or missing:
        raise RuntimeError(f"soffice failed (exit {run.returncode}); missing {missing}\n{run.stdout}\n{run.stderr}")
    return outputs


# The UNO scripts run under the system Python (which has the uno module): a prelude, the script's
# own run_jobs(desktop), then the part that starts soffice, connects, runs the jobs and stops it.
UNO_PRELUDE = r'''
import json, subprocess, sys, time, uuid
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

'''

UNO_MAIN = r'''
args = json.load(sys.stdin)
pipe = "parxluno" + uuid.uuid4().hex
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

_EDIT_JOBS = r'''
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

'''

def run_uno_jobs(run_jobs: str, payload: dict, tmp: Path, timeout: float, what: str) -> list[Path]:
    """Run ``run_jobs`` (the source of a ``run_jobs(desktop)`` function) in one LibreOffice start.

    ``payload`` (JSON, read by the script as ``args``) holds ``soffice``, ``profile`` and ``jobs``,
    each job with a ``dest``. Returns the destinations; raises RuntimeError naming ``what`` when
    LibreOffice fails or a destination is missing.
    """
    script = tmp / f"uno-{what}.py"
    script.write_text(UNO_PRELUDE + "\n" + run_jobs + "\n" + UNO_MAIN, encoding="utf-8")
    run = subprocess.run([SYSTEM_PYTHON, str(script)], input=json.dumps(payload), capture_output=True,
                         text=True, timeout=timeout)
    dests = [Path(j["dest"]) for j in payload["jobs"]]
    missing = [str(d) for d in dests if not d.is_file()]
    if run.returncode != 0 or missing:
        raise RuntimeError(f"UNO {what} failed (exit {run.returncode}); missing {missing}\n{run.stdout}\n{run.stderr}")
    return dests


CellValue = str | int | float | Decimal | None


def _jsonable(value: CellValue) -> str | float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


XLSX = "Calc Office Open XML"
XLS = "MS Excel 97"
ODS = "calc8"


def uno_edit_many(jobs: Sequence[dict], sheet: str = SHEET_ASSESS, soffice: str | None = None,
                  timeout: float = 600) -> list[Path]:
    """Edit and save workbooks in one LibreOffice start. Each job: {"src", "dest", "ops": [...], "filter": XLSX}.

    Operations, applied as a user would: ``("set", key, value)`` a value into a
    defined name, ``"Sheet!A1"`` or a cell of ``sheet`` (None clears it);
    ``("insert_rows"|"delete_rows", sheet, row, count)`` with a 1-based row
    (formulas and defined names follow); ``("remove_sheet", name)``. ``filter``
    is an export filter: XLSX, XLS ("MS Excel 97") or ODS ("calc8"). LibreOffice
    7.4 does not write password-encrypted xlsx through this API.
    """
    with tempfile.TemporaryDirectory(prefix="parxl-uno-edit-") as tmp:
        payload = {
            "soffice": soffice or find_soffice(),
            "profile": make_profile(Path(tmp) / "profile"),
            "sheet": sheet,
            "jobs": [{"src": str(Path(j["src"]).resolve()), "dest": str(Path(j["dest"]).resolve()),
                      "ops": [[_jsonable(x) for x in op] for op in j.get("ops", ())], "filter": j.get("filter", XLSX)}
                     for j in jobs],
        }
        return run_uno_jobs(_EDIT_JOBS, payload, Path(tmp), timeout, "edit")


def uno_fill_and_save_many(jobs: Sequence[tuple[str | Path, str | Path, Mapping[str, CellValue]]],
                           sheet: str = SHEET_ASSESS, soffice: str | None = None, timeout: float = 600) -> list[Path]:
    """Fill and save several workbooks in one LibreOffice start; returns the destinations."""
    return uno_edit_many([{"src": src, "dest": dest, "ops": [("set", k, v) for k, v in values.items()]}
                          for src, dest, values in jobs], sheet=sheet, soffice=soffice, timeout=timeout)


def uno_fill_and_save(src: str | Path, dest: str | Path, values: Mapping[str, CellValue],
                      sheet: str = SHEET_ASSESS, soffice: str | None = None, timeout: float = 300) -> Path:
    """Fill one workbook like a user, recalculate everything, save as xlsx at ``dest``."""
    return uno_fill_and_save_many([(src, dest, values)], sheet=sheet, soffice=soffice, timeout=timeout)[0]


if __name__ == "__main__":  # manual check: python -m support.libreoffice FILE... OUTDIR
    print(recalculate(sys.argv[1:-1], sys.argv[-1]))
