"""What the benchmarks share: a synthetic campaign of N units on the commune set, and filled workbooks.

Filled workbooks are built for a few units (``variants``) with the demo's
simulated answers and stamped with every other unit's identity, so 3,321
realistic files cost seconds to make (making them is never what is timed).
"""
from __future__ import annotations

import hashlib
import os
import resource
import sys
from pathlib import Path

from parxl.campaign.folder import Campaign, init_campaign, load_campaign
from parxl.demo.simulate import fill_for, pick_scenario
from parxl.workbook.build import build_bytes
from parxl.workbook.stamping import TOKENS, Template

REPO = Path(__file__).resolve().parent.parent
COMMUNE_SET = REPO / "templates" / "criteria" / "xa-mau-2025.yaml"
KINDS = ("Xã", "Phường", "Đặc khu")
NAMES = ("An Lưu", "Hiệp An", "Lê Ninh", "Bạch Đằng", "Quang Thành", "Thất Hùng", "Hoành Sơn", "Nhị Chiểu",
         "Phạm Thái", "Ấp Bắc", "Đồng Hỷ", "Tân Phú", "Hưng Đạo", "Minh Tân", "Duy Tân", "Thăng Long")


def make_campaign(root: Path, n_units: int, criteria: Path = COMMUNE_SET) -> Campaign:
    """A campaign folder ``root/campaign`` with ``n_units`` units of Vietnamese names."""
    units = root / "units.csv"
    lines = ["Mã,Tên đơn vị,Loại"]
    for i in range(n_units):
        kind = KINDS[i % len(KINDS)]
        lines.append(f"{10000 + i:05d},{kind} {NAMES[i % len(NAMES)]} {i // len(NAMES) + 1},{kind}")
    units.write_text("\n".join(lines) + "\n", encoding="utf-8")
    init_campaign(root / "campaign", str(criteria), units, 2025, issuer_name="ỦY BAN NHÂN DÂN TỈNH MẪU", place="Mẫu")
    return load_campaign(root / "campaign")


def filled_templates(campaign: Campaign, variants: int) -> list[Template]:
    """Filled workbooks of the first ``variants`` units (the demo's broken ones among them), ready to stamp."""
    scenario = pick_scenario(campaign)
    return [Template(build_bytes(campaign, TOKENS, fill_for(unit, campaign, scenario, seed=2025)))
            for unit in campaign.units[:variants]]


# Files as real programs save them -------------------------------------------------------------------------
def machine_line() -> str:
    """CPU count and load (1, 5, 15 min): every benchmark prints it, since timings depend on both."""
    load = ", ".join(f"{x:.1f}".replace(".", ",") for x in os.getloadavg())
    return f"CPUs: {os.cpu_count()}, load: {load}"


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    """Peak resident memory of the largest finished child process (a worker), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _uno_values(fill) -> dict:
    from parxl.workbook import layout
    values: dict = {}
    for code, inputs in fill.answers.items():
        for key, value in inputs.items():
            values[layout.name_input(code, key)] = value if value is None or isinstance(value, str) else float(value)
    for code, links in fill.evidence.items():
        values[layout.name_evidence(code)] = "\n".join(links)
    for code, text in fill.explanations.items():
        values[layout.name_explanation(code)] = text
    return values


def libreoffice_templates(campaign: Campaign, variants: int, cache: Path | None = None) -> list[Template]:
    """Filled workbooks saved by LibreOffice, ready to stamp with every unit's identity.

    The blank workbook (placeholder identity, as ``generate`` sends it) is filled
    through UNO with the demo's answers of the first ``variants`` units, recalculated
    and saved by LibreOffice («Calc Office Open XML»): restyled, shared strings
    rewritten, LibreOffice's own cached values. Kept in ``cache`` (default
    ``~/.cache/parxl-bench``) under the criteria set's fingerprint and the layout, since
    LibreOffice takes a while.
    """
    sys.path.insert(0, str(REPO / "tests"))
    from support.libreoffice import uno_fill_and_save_many
    from parxl.workbook.layout import layout_version

    key = hashlib.sha256(f"{campaign.framework.fingerprint}:{layout_version()}:{campaign.id}".encode()).hexdigest()[:16]
    folder = (cache or Path.home() / ".cache" / "parxl-bench") / f"lo-{key}"
    folder.mkdir(parents=True, exist_ok=True)
    scenario = pick_scenario(campaign)
    wanted = [folder / f"variant-{i:03d}.xlsx" for i in range(variants)]
    todo = [(i, p) for i, p in enumerate(wanted) if not p.is_file()]
    if todo:
        blank = folder / "blank.xlsx"
        blank.write_bytes(build_bytes(campaign, TOKENS))
        jobs = [(blank, folder / f"tmp-{p.name}", _uno_values(fill_for(campaign.units[i], campaign, scenario, 2025)))
                for i, p in todo]
        uno_fill_and_save_many(jobs, timeout=1800)
        for (_, p), (_, dest, _) in zip(todo, jobs):
            dest.replace(p)
    return [Template(p.read_bytes()) for p in wanted]


def fill_inbox_with(campaign: Campaign, templates: list[Template], silent_share: float = 0.0) -> list[Path]:
    """Each unit's returned workbook in inbox/: a template (round robin, seeded) stamped with its identity;
    about ``silent_share`` of the units send nothing. Returns the paths written."""
    import random
    from parxl.workbook.build import Identity
    from parxl.workbook.stamping import workbook_filename
    rng = random.Random(2025)
    campaign.inbox_dir.mkdir(exist_ok=True)
    paths = []
    for unit in campaign.units:
        if silent_share and rng.random() < silent_share:
            continue
        path = campaign.inbox_dir / workbook_filename(unit)
        path.write_bytes(rng.choice(templates).stamp(Identity.of(unit)))
        paths.append(path)
    return paths


def run_cli(*args: str, env_extra: dict | None = None) -> tuple[float, float, int]:
    """``parxl ARGS`` in a fresh process with this tree's code: (wall seconds, that process's peak RSS in MB,
    exit code). Output is discarded; progress bars are off (not a terminal)."""
    import subprocess
    import time
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env_extra or {}))
    code = ("import resource, sys\nfrom parxl.cli import main\n"
            "try:\n    rc = main.main(args=sys.argv[1:], standalone_mode=False) or 0\n"
            "except SystemExit as e:\n    rc = e.code or 0\n"
            "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(rc)\n")
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    peak = next((int(line.split()[1]) / 1024 for line in done.stderr.splitlines() if line.startswith("PEAK ")), 0.0)
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr[-3000:])
    return wall, peak, done.returncode


def verdict(label: str, figure: float, target: float, baseline: float | None = None, ratio_target: float | None = None,
            unit: str = "s") -> bool:
    """Print one figure against its target (and its baseline and ratio when given); whether it is reached."""
    ok = figure < target
    line = f"  {label:<46} {figure:8.2f} {unit} (target < {target:g} {unit}: {'yes' if ok else 'NO'})"
    if baseline is not None:
        ratio = baseline / figure if figure else float("inf")
        line += f"; baseline {baseline:.2f} {unit}, ratio {ratio:.1f}x"
        if ratio_target is not None:
            line += f" (target >= {ratio_target:g}x: {'yes' if ratio >= ratio_target else 'NO'})"
            ok = ok and ratio >= ratio_target
    print(line, flush=True)
    return ok
