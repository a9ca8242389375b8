"""Writing outputs so that nothing is ever half-written: a temp file beside the target, then a rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def ordinary_mode() -> int:
    """The permissions a plain new file gets under the current umask (mkstemp alone would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` via a temp file and a rename: a reader never sees half a file.

    ``mode`` defaults to ``ordinary_mode()``; pass it in when writing many files.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".parxl-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode if mode is not None else ordinary_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
