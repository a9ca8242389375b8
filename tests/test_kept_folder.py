"""The kept copies' folder asks ext4 to spread its sub-folders (``core.files.spread_subfolders``, the flag
``chattr +T`` sets), a placement hint that changes nothing in the files.

Oracles: ``lsattr -d`` (e2fsprogs) reading the folder's flags; the kept copies' bytes hashed with hashlib
against their names."""
from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from parxl.core import files
from parxl.ledger.inbox import scan_inbox
from parxl.ledger.store import Ledger

from conftest import make_campaign


def test_the_kept_copies_folder_asks_for_its_subfolders_spread_and_nothing_else_changes(tmp_path):
    c = make_campaign(tmp_path / "c")
    c.inbox_dir.mkdir(parents=True, exist_ok=True)
    sent = {f"a{i}.pdf": b"%PDF-1.4\n" + bytes([i]) * (500 + i) for i in range(5)}
    for name, data in sent.items():
        (c.inbox_dir / name).write_bytes(data)
    with Ledger.open(c) as ledger:
        scan_inbox(c, ledger, [])
    folder = c.state_dir / "files"
    kept = {p.name: p.read_bytes() for p in folder.rglob("*.pdf")}
    assert kept == {f"{hashlib.sha256(d).hexdigest()}.pdf": d for d in sent.values()}
    lsattr = shutil.which("lsattr")
    if lsattr is None:
        pytest.skip("no lsattr here")
    shown = subprocess.run([lsattr, "-d", str(folder)], capture_output=True, text=True)
    if shown.returncode != 0 or "T" not in shown.stdout.split()[0]:
        # a file system without the flag (tmpfs…): the hint is skipped, never an error, and says so
        assert files.spread_subfolders(folder) is False
    else:
        assert files.spread_subfolders(folder) is True


def test_spread_subfolders_never_raises(tmp_path):
    assert files.spread_subfolders(tmp_path / "missing") is False
    (tmp_path / "a-file").write_bytes(b"x")
    assert files.spread_subfolders(tmp_path / "a-file") in (True, False)
