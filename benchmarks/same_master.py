"""Are the master and its snapshot the same, byte for byte, when made by two versions of parxl?

    python3 benchmarks/same_master.py OLD_CODE NEW_CODE demo
    python3 benchmarks/same_master.py OLD_CODE NEW_CODE CAMPAIGN   (a campaign checked once: the intake cached)

OLD_CODE/NEW_CODE: folders holding a ``parxl`` package (e.g. ``git archive`` of main, and the worktree).
Each version runs ``demo`` into, or ``consolidate`` on a copy of CAMPAIGN at, the same path (so the paths the
master shows are the same) with the clock fixed (``made_at`` equal); then every zip member of every master in
``output/`` and every file of the snapshot folder (``.parxl/results``) are compared. With ``demo`` the
simulated files differ per run (their sha256 too), so 64-hex digests are masked there; never for a campaign.
Exit 0 when everything is the same.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

FIXED = r'''
import datetime, sys, types
import parxl.core.times as times
class Fixed(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        at = datetime.datetime(2026, 1, 2, 3, 4, 5)
        return at if tz is None else at.replace(tzinfo=datetime.timezone.utc).astimezone(tz)
times.dt = types.SimpleNamespace(**{k: getattr(datetime, k) for k in dir(datetime) if not k.startswith("__")})
times.dt.datetime = Fixed
from click.testing import CliRunner
from parxl.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
sys.exit(result.exit_code if isinstance(result.exit_code, int) and result.exit_code < 2 else 3)
'''


def run(code: Path, what: str, campaign: Path | None, target: Path, keep: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    if campaign is not None:
        shutil.copytree(campaign, target, symlinks=True)
        for old in list((target / "output").glob("tong-hop*.xlsx")):
            old.unlink()
        shutil.rmtree(target / ".parxl" / "results", ignore_errors=True)
    done = subprocess.run([sys.executable, "-c", FIXED, what, str(target)], cwd=code, env={"PYTHONPATH": str(code),
                          "PATH": "/usr/bin:/bin"}, capture_output=True)
    if done.returncode > 1:
        raise SystemExit(f"{code}: {what} failed\n{done.stderr.decode()[-2000:]}")
    shutil.move(str(target), keep)


def parts(root: Path, masked: bool) -> dict[str, bytes]:
    mask = (lambda b: re.sub(rb"[0-9a-f]{64}", b"X" * 64, b)) if masked else (lambda b: b)
    out = {}
    for master in sorted((root / "output").glob("tong-hop*.xlsx")):
        with zipfile.ZipFile(master) as z:
            out.update({f"{master.name}:{n}": mask(z.read(n)) for n in z.namelist()})
    for f in sorted((root / ".parxl" / "results").glob("*")):
        out[f".parxl/results/{f.name}"] = mask(f.read_bytes())
    return out


def main() -> int:
    old, new, what = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), sys.argv[3]
    campaign = None if what == "demo" else Path(what).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "run"
        for name, code in (("old", old), ("new", new)):
            run(code, "demo" if campaign is None else "consolidate", campaign, target, Path(tmp) / name)
        a, b = parts(Path(tmp) / "old", campaign is None), parts(Path(tmp) / "new", campaign is None)
    differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
    for k in differ:
        print("differs:", k)
    print(f"{len(a)} parts compared, {len(differ)} differ")
    return 1 if differ or not a else 0


if __name__ == "__main__":
    sys.exit(main())
