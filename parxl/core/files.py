"""Writing outputs so that nothing is ever half-written: a temp file beside the target, then a rename.

This is the one atomic writer: every file a user sees (campaign.yaml, workbooks, the survey table,
reports) and every file parxl keeps for itself (kept copies of received files, ledger backups) is
written through ``write_atomic``, ``copy_atomic`` or ``atomic_path``. A crash, a full disk or an
exception at any moment leaves either the old file or the new one at the target, never a part of
one, and no temp file behind.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".parxl-"
TEMP_SUFFIX = ".tmp"


def ordinary_mode() -> int:
    """The permissions a plain new file gets under the current umask (mkstemp alone would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_path(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temp path beside ``path`` to write to; on leaving the block it replaces ``path`` in one rename.

    Use it when a library writes the file itself (``sqlite3`` backups, ``shutil`` copies)::

        with atomic_path(target) as tmp:
            make_the_file(tmp)

    If the block raises (or the rename fails), the temp file is removed, ``path`` is left as it
    was, and the exception propagates. ``mode`` defaults to ``ordinary_mode()``. Parent folders
    are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode if mode is not None else ordinary_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` (bytes) to ``path`` via a temp file and a rename: a reader never sees half a file.

    Returns ``path``. ``mode`` defaults to ``ordinary_mode()``; pass it in when writing many
    files. Raises ``TypeError`` for data that is not bytes and ``OSError`` when the folder cannot
    be written; either way the file that was at ``path`` stays untouched.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic needs bytes, not {type(data).__name__}")
    with atomic_path(path, mode) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
    return path


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> Path:
    """``write_atomic`` for text, encoded as UTF-8 (no BOM); returns ``path``."""
    return write_atomic(path, text.encode("utf-8"), mode)


def copy_atomic(source: Path, path: Path, mode: int | None = None) -> Path:
    """Copy the file ``source`` to ``path`` atomically (contents only; the copy gets ``mode``).

    Returns ``path``. Copying a file onto itself leaves it as it is. Raises ``OSError`` when
    ``source`` cannot be read or ``path`` cannot be written; ``path`` is then untouched.
    """
    source, path = Path(source), Path(path)
    if path.exists() and os.path.samefile(source, path):
        return path
    with atomic_path(path, mode) as tmp:
        shutil.copyfile(source, tmp)
    return path
