"""Ctrl+C while the ``parxl`` command's modules load (its first half second) ends as Ctrl+C during a command
does: the Vietnamese line on stderr, exit 130, no Python traceback. Both entry points (``python -m parxl``
and the console script) go through ``parxl.__main__.run``.

The Ctrl+C is made deterministic: the child's import of ``parxl.cli`` raises ``KeyboardInterrupt``, as the
signal would in the middle of an import."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import builtins, sys
real = builtins.__import__
def interrupted(name, globals=None, locals=None, fromlist=(), level=0):
    if (level == 1 and name == "cli") or name == "parxl.cli":
        raise KeyboardInterrupt
    return real(name, globals, locals, fromlist, level)
builtins.__import__ = interrupted
from parxl.__main__ import run
run("parxl")
"""


def test_ctrl_c_while_the_command_loads_says_stopped_in_vietnamese_and_exits_130():
    done = subprocess.run([sys.executable, "-c", CHILD, "--help"], cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == 130
    assert done.stderr.decode("utf-8") == "Đã dừng theo yêu cầu.\n"
    assert done.stdout == b""


def test_the_console_script_is_the_same_entry_point():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["parxl"] == "parxl.__main__:run"


STUCK = """
import sys, threading
import parxl.cli.check_cmd as check_cmd
threading.Thread(target=threading.Event().wait, name="stuck").start()  # never ends, as a pool's thread left
def interrupted(*args, **kwargs):                                       # reading a half-sent result
    raise KeyboardInterrupt
check_cmd.load_campaign = interrupted
from parxl.__main__ import run
sys.argv = ["parxl", "check", "."]
run("parxl")
"""


def test_ctrl_c_ends_the_process_even_with_a_thread_left_that_never_ends(tmp_path):
    # core.workers.stop_pool kills a pool's workers; the standard library's own thread may be left waiting on
    # a pipe for ever, and the interpreter's exit would join it: the command must end all the same
    done = subprocess.run([sys.executable, "-c", STUCK], cwd=tmp_path, capture_output=True, timeout=60,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 130
    assert done.stderr.decode("utf-8").strip() == "Đã dừng theo yêu cầu."


STUCK_ERROR = STUCK.replace("raise KeyboardInterrupt", "from parxl.core.errors import ParxlError; raise ParxlError('Tệp hỏng.')")


def test_an_error_ends_the_process_even_with_a_thread_left_that_never_ends(tmp_path):
    # the same after an error (an output file that cannot be written stops the documents' pool): exit 1
    done = subprocess.run([sys.executable, "-c", STUCK_ERROR], cwd=tmp_path, capture_output=True, timeout=60,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1
    assert done.stderr.decode("utf-8").strip() == "Lỗi: Tệp hỏng."


STUCK_DAEMON = STUCK.replace(
    'threading.Thread(target=threading.Event().wait, name="stuck").start()',
    # a daemon thread the interpreter's exit joins all the same, as multiprocessing joins a queue's feeder
    'import atexit; t = threading.Thread(target=threading.Event().wait, daemon=True); t.start(); atexit.register(t.join)')


def test_ctrl_c_ends_the_process_even_with_a_daemon_thread_the_exit_would_join(tmp_path):
    assert STUCK_DAEMON != STUCK
    done = subprocess.run([sys.executable, "-c", STUCK_DAEMON], cwd=tmp_path, capture_output=True, timeout=60,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 130
    assert done.stderr.decode("utf-8").strip() == "Đã dừng theo yêu cầu."


LATE_CTRL_C = """
import os, signal, sys, threading, time
import parxl.__main__ as entry
ended = threading.Event()
real_end = entry._end
def end(code):
    ended.set()
    real_end(code)
entry._end = end
def late():  # Ctrl+C once the command has succeeded, while its exit waits for this thread
    ended.wait()
    time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.3)
threading.Thread(target=late).start()
sys.argv = ["parxl", "--help"]
entry.run("parxl")
"""


def test_ctrl_c_after_the_command_succeeded_prints_no_english_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-c", LATE_CTRL_C], cwd=tmp_path, capture_output=True, timeout=60,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and done.stderr.decode("utf-8") == "", done.stderr.decode("utf-8")
