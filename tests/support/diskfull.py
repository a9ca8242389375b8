"""Simulate a disk that fills up in the middle of writing one file, whatever writes it.

``disk_full_while_writing(monkeypatch, marker)`` makes every file opened for writing through
``open``/``io.open`` (``Path.write_text``, ``shutil`` copies, the atomic writer) write half of any
chunk that contains ``marker`` and then raise ``OSError(ENOSPC)``, as a full disk does.
"""
from __future__ import annotations

import builtins
import errno
import io


class _Filling:
    def __init__(self, handle, marker):
        self._handle = handle
        self._marker = marker

    def write(self, data):
        if self._marker in data:
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


def disk_full_while_writing(monkeypatch, marker: str) -> None:
    real_open = builtins.open

    def filling_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if any(c in mode for c in "wax+"):
            return _Filling(handle, marker.encode("utf-8") if "b" in mode else marker)
        return handle

    monkeypatch.setattr(builtins, "open", filling_open)
    monkeypatch.setattr(io, "open", filling_open)
