"""Writing outputs so that nothing is ever half-written: a temp file beside the target, then a rename.

This is the one atomic writer: every file a user sees (campaign.yaml, workbooks, the survey table,
reports, the master workbook, documents) and every file parxl keeps for itself (kept copies of
received files, ledger backups) is written through ``write_atomic``, ``copy_atomic``, ``write_kept``
(kept copies, fewer steps) or ``atomic_path`` (replace what is there), or ``write_new`` / ``link_new`` (never overwrite: take the
first free name «stem.ext», «stem-2.ext», …). A crash, a full disk or an exception at any moment
leaves either the old file or the new one at the target, never a part of one, and no temp file
behind.

When a write fails for a reason the user can cause and fix (the target open in Excel, a folder
where the file should be, ``output`` being a file, a full or read-only disk), these writers raise
``parxl.core.errors.OutputWriteError`` (a ``ParxlError``, exit code 1, Vietnamese message naming
the file and what to do) ``from`` the ``OSError``; other ``OSError``s propagate as they are.

It also owns ``safe_file_stem``, the one way a unit's or a field's name becomes a file name.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputWriteError, is_user_write_error
from .texts import strip_diacritics

TEMP_PREFIX = ".parxl-"
TEMP_SUFFIX = ".tmp"


def ensure_folder(path: Path) -> Path:
    """Create the folder ``path`` (and its parents) if missing; returns it.

    Raises ``OutputWriteError`` when it cannot be made for a reason the user can fix (a file of
    that name is in the way, no permission, a read-only disk), else ``OSError``.
    """
    path = Path(path)
    with writing(path):
        path.mkdir(parents=True, exist_ok=True)
    return path


def ordinary_mode() -> int:
    """The permissions a plain new file gets under the current umask (mkstemp alone would give 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an ``OSError`` a user can fix, raised in the block while writing ``path``, into
    ``OutputWriteError(path)`` (raised ``from`` it); other exceptions pass unchanged."""
    try:
        yield
    except OutputWriteError:
        raise
    except OSError as exc:
        if is_user_write_error(exc):
            raise OutputWriteError(path, exc) from exc
        raise


@contextmanager
def temp_path(folder: Path, suffix: str = TEMP_SUFFIX, target: Path | None = None) -> Iterator[Path]:
    """A new empty temp file in ``folder`` («.parxl-….tmp»), removed on leaving the block if still there.

    The building block of the writers below: write to it, then ``os.replace`` it (``atomic_path``)
    or ``link_new`` it. ``folder`` is created. Raises ``OutputWriteError`` (naming ``target``, else
    ``folder``) when it cannot be created for a reason the user can fix, else ``OSError``.
    """
    folder = Path(folder)
    names: list[Path] = []
    try:  # the name is noted before the file exists: a Ctrl+C at any step leaves no temp file
        with writing(target if target is not None else folder):
            folder.mkdir(parents=True, exist_ok=True)
            os.close(_create_temp(folder, suffix, names))
        yield names[-1]
    finally:
        for name in names:
            name.unlink(missing_ok=True)


def _create_temp(folder: Path, suffix: str, names: list[Path]) -> int:
    """Create a new empty temp file «.parxl-<random><suffix>» in ``folder`` (mode 0600), open for writing:
    its file descriptor. Its path is appended to ``names`` *before* it is created (and taken out again when
    that name is taken), so that a caller removing ``names`` in a ``finally`` never leaves it behind, even
    when Ctrl+C comes between its creation and the next statement (``tempfile.mkstemp`` has that gap).
    Raises ``OSError`` when it cannot be created (``FileExistsError`` after 100 names taken).
    """
    for _ in range(100):
        name = folder / f"{TEMP_PREFIX}{secrets.token_hex(6)}{suffix}"
        names.append(name)
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        except FileExistsError:
            names.remove(name)  # another's file: never removed by the caller
    raise FileExistsError(f"no free temp file name in {folder}")


@contextmanager
def atomic_path(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temp path beside ``path`` to write to; on leaving the block it replaces ``path`` in one rename.

    Use it when a library writes the file itself (``sqlite3`` backups, ``shutil`` copies)::

        with atomic_path(target) as tmp:
            make_the_file(tmp)

    If the block raises (or the rename fails), the temp file is removed, ``path`` is left as it
    was, and the exception propagates; a failed rename the user can fix (``path`` open in Excel,
    a folder) raises ``OutputWriteError``. ``mode`` defaults to ``ordinary_mode()``. Parent folders
    are created.
    """
    path = Path(path)
    with temp_path(path.parent, target=path) as tmp:
        yield tmp
        with writing(path):
            os.chmod(tmp, mode if mode is not None else ordinary_mode())
            os.replace(tmp, path)


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` (bytes) to ``path`` via a temp file and a rename: a reader never sees half a file.

    Returns ``path``. ``mode`` defaults to ``ordinary_mode()``; pass it in when writing many
    files. Raises ``TypeError`` for data that is not bytes and ``OutputWriteError`` (``ParxlError``,
    Vietnamese) when the file cannot be written for a reason the user can fix (open in Excel, no
    permission, a folder of that name, a full or read-only disk), else ``OSError``; either way the
    file that was at ``path`` stays untouched and no temp file is left.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic needs bytes, not {type(data).__name__}")
    with atomic_path(path, mode) as tmp:
        with writing(path), open(tmp, "wb") as f:
            f.write(data)
    return path


def write_kept(path: Path, data: bytes) -> Path:
    """``write_atomic`` for the many small files parxl keeps for itself (kept copies of received files):
    the same temp file beside ``path`` and rename, with fewer steps: the temp file is named after ``path``
    and this process («.parxl-<pid>-<name>.tmp», no random name), created with the ordinary permissions
    (no ``chmod``), and the folder must exist. No fsync (as ``write_atomic``): a reader never sees half a
    file, but after a power cut the file may be short; callers that know its size check it.

    Returns ``path``. Raises ``TypeError`` for data that is not bytes and ``OutputWriteError`` or
    ``OSError`` (see ``write_atomic``) when it cannot be written; no temp file is left either way.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_kept needs bytes, not {type(data).__name__}")
    path = Path(path)
    _put_lean(path, data, os.path.join(os.path.dirname(path), f"{TEMP_PREFIX}{os.getpid()}-{path.name}{TEMP_SUFFIX}"))
    return path


def _put_lean(path: Path, data: bytes, tmp: str) -> None:
    """Write ``data`` to ``tmp`` (a name only this process and thread uses: no random name, no ``chmod``), then
    rename it to ``path``; on any failure, Ctrl+C included, ``tmp`` is removed (it can only be this writer's).
    Raises ``OutputWriteError`` (naming ``path``) or ``OSError``, see ``write_atomic``."""
    with writing(path):
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


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


def numbered_names(path: Path) -> Iterator[Path]:
    """``path``, then «stem-2.ext», «stem-3.ext», … beside it (endless): the names ``link_new`` tries."""
    path = Path(path)
    yield path
    n = 2
    while True:
        yield path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1


def link_new(tmp: Path, path: Path, names: Iterable[Path] | None = None) -> Path:
    """Give the finished file ``tmp`` the first free name of ``names`` (default ``numbered_names(path)``).

    Never overwrites: the name is taken with a hard link, which fails when the name exists, so
    two runs at once get two names. On a file system without hard links it falls back to a
    rename after checking the name is free. ``tmp`` is gone afterwards; returns the name it got.
    Raises ``OutputWriteError`` (or ``OSError``) when the folder cannot be written (``tmp`` is then
    left for the caller's ``temp_path`` to remove).
    """
    with writing(Path(path)):
        return _link_new(Path(tmp), Path(path), names)


def _link_new(tmp: Path, path: Path, names: Iterable[Path] | None) -> Path:
    for target in names if names is not None else numbered_names(path):
        try:
            os.link(tmp, target)  # fails if target exists: an atomic "create new"
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            if target.exists():
                continue
            os.rename(tmp, target)
            return target
        tmp.unlink()
        return target
    raise FileExistsError(f"no free name for {path}")


def write_new(path: Path, data: bytes, mode: int | None = None) -> Path:
    """Write ``data`` (bytes) under ``path`` or, when that name is taken, the first free «stem-N.ext».

    The "never overwrite" variant of ``write_atomic`` (documents, master workbooks): a reader never
    sees half a file and an existing file is never replaced. Returns the path written. ``mode``
    defaults to ``ordinary_mode()``. Raises ``TypeError`` for data that is not bytes and
    ``OutputWriteError`` (see ``write_atomic``) or ``OSError`` when the folder cannot be written;
    no temp file is left either way.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_new needs bytes, not {type(data).__name__}")
    path = Path(path)
    with temp_path(path.parent, target=path) as tmp:
        with writing(path), open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # few files (documents): on disk before they get their name
        with writing(path):
            os.chmod(tmp, mode if mode is not None else ordinary_mode())
        return link_new(tmp, path)


_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")


def safe_file_stem(text: str, *, max_chars: int = 120, max_bytes: int = 200, ascii: bool = False,
                   fallback: str = "") -> str:
    """``text`` as a file name without its extension, safe on Windows, macOS and Linux.

    Default: NFC kept, Vietnamese letters kept; ``<>:"/\\|?*`` and control characters removed
    (line breaks and tabs become spaces), runs of white space made one space, cut to ``max_chars``
    characters (Windows' 260-character path leaves room for the folder) and ``max_bytes`` UTF-8
    bytes (Linux allows 255 bytes a name, a Vietnamese letter takes 2–3), no leading space and no
    trailing dot or space: «X01 - Phường An Lưu». With ``ascii=True``: lower-case ASCII words
    joined by ``-`` («phuong-an-luu»), for document names. Returns ``fallback`` when nothing is
    left. Never raises.
    """
    if ascii:
        words = _NOT_ASCII_WORD.sub("-", strip_diacritics(text).lower()).strip("-")
        return words[:min(max_chars, max_bytes)].strip("-") or fallback
    spaced = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))  # a tab or line break is a space
    stem = re.sub(r"\s+", " ", _FORBIDDEN.sub("", spaced))[:max_chars]
    stem = stem.encode("utf-8")[:max_bytes].decode("utf-8", "ignore").rstrip(". ").lstrip()
    return stem or fallback


def write_new_many(items: Iterable[tuple[Path, bytes]], mode: int | None = None) -> list[Path]:
    """``write_new`` for many files (documents, one per unit): each under its path or the first free «stem-N.ext».

    ``items``: (path, data as bytes) pairs, possibly a generator still making them. Each file's bytes go
    to a temp file beside its path as they come; once every item is in, all are put on disk in one pass
    (``syncfs`` of their file systems on Linux, else an ``fsync`` per file: one ``fsync`` per file costs
    ~5 ms each on a journaled disk), then each file gets its name (``link_new``), in order. No file gets
    its name before every one is complete and on disk; if ``items`` raises or a write fails, no file gets
    a name and every temp file is removed. Returns the paths written, in order. ``mode`` defaults to
    ``ordinary_mode()``. Raises ``TypeError`` for data that is not bytes, what ``items`` raises, and
    ``OutputWriteError`` or ``OSError`` as ``write_new`` (a failure while naming leaves the files already
    named).
    """
    mode = mode if mode is not None else ordinary_mode()
    temps: list[Path] = []  # noted before each is created (``_create_temp``): none is left, Ctrl+C or not
    targets: list[Path] = []
    try:
        for path, data in items:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"write_new_many needs bytes, not {type(data).__name__}")
            path = Path(path)
            with writing(path):
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = _create_temp(path.parent, TEMP_SUFFIX, temps)
                targets.append(path)
                with open(fd, "wb") as f:
                    f.write(data)
                os.chmod(temps[-1], mode)
        _sync_all(temps)
        written = []
        for tmp, path in zip(temps, targets):
            written.append(link_new(tmp, path))
        return written
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)


def _sync_all(files: list[Path]) -> None:
    """Put ``files`` (written, closed) on disk: one ``syncfs`` per folder's file system on Linux, else an
    ``fsync`` each. Raises ``OSError``."""
    syncfs = _libc_syncfs()
    if syncfs is not None:
        done: set[int] = set()
        for folder in {f.parent for f in files}:
            device = os.stat(folder).st_dev
            if device in done:
                continue
            fd = os.open(folder, os.O_RDONLY)
            try:
                if syncfs(fd) == 0:
                    done.add(device)
                    continue
            finally:
                os.close(fd)
            break  # syncfs refused: fsync each file instead
        else:
            return
    for f in files:
        fd = os.open(f, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _libc_syncfs():
    """The C library's ``syncfs(fd)`` (Linux), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def write_in_turn(path: Path, data: bytes) -> os.stat_result:
    """``write_atomic`` for many small outputs one thread writes one after another (the check's feedback
    workbooks): the same temp file beside ``path`` and rename, with fewer steps: the temp file is named after
    this process and thread («.parxl-<pid>-<thread>.tmp», no random name: one write at a time per thread),
    created with the ordinary permissions (no ``chmod``), and the folder must exist. No fsync (as
    ``write_atomic``). Returns the written file's ``os.stat_result`` (its size and modification time as
    written).

    Raises ``TypeError`` for data that is not bytes and ``OutputWriteError`` or ``OSError`` (see
    ``write_atomic``) when it cannot be written; ``path`` is then untouched and no temp file is left.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_in_turn needs bytes, not {type(data).__name__}")
    path = Path(path)
    _put_lean(path, data, os.path.join(os.path.dirname(path),
                                       f"{TEMP_PREFIX}{os.getpid()}-{threading.get_ident()}{TEMP_SUFFIX}"))
    return os.stat(path)


_FS_IOC_GETFLAGS, _FS_IOC_SETFLAGS, _FS_TOPDIR_FL = 0x80086601, 0x40086602, 0x00020000


def spread_subfolders(folder: Path) -> bool:
    """Ask the file system to place ``folder``'s new sub-folders apart, as it places top-level folders: on Linux
    the folder's «top of a directory hierarchy» flag (``FS_TOPDIR_FL``, what ``chattr +T`` sets), which ext4's
    allocator honours (other file systems ignore it or refuse it).

    For a folder of many sub-folders made at once and filled with thousands of new files (the kept copies):
    ext4 puts a new folder near its parent, and a new file's inode near its folder, skipping every inode of
    that group freed in the last minutes; after large deletions nearby (campaign copies removed) each new
    file then costs ~0,2 ms of kernel time, against ~0,02 ms in a group of its own. Only a placement hint:
    nothing in the files changes. True when set; never raises (False where there is no such flag).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import fcntl
        import struct
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (ImportError, OSError):
        return False
    try:
        flags = struct.unpack("i", fcntl.ioctl(fd, _FS_IOC_GETFLAGS, struct.pack("i", 0)))[0]  # an int, as chattr
        if not flags & _FS_TOPDIR_FL:
            fcntl.ioctl(fd, _FS_IOC_SETFLAGS, struct.pack("i", flags | _FS_TOPDIR_FL))
        return True
    except (OSError, struct.error, OverflowError):
        return False
    finally:
        os.close(fd)
