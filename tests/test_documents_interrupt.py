"""Ctrl+C while ``parxl notices``, ``improvement`` or ``preliminary`` renders its documents in two worker
processes (``documents.render.render_each``) stops it cleanly, whenever it comes.

The Ctrl+C is sent as a terminal sends it: SIGINT to the whole process group (the command and its workers),
at one of these moments: right after the first or the second worker process is started (a hook on
``multiprocessing``'s ``Process.start``), while the workers render (a worker sends it from its first job,
the parent waiting for documents), and while the documents are saved (from the items the writer takes, or
from the writer itself). The command runs in a new session with SIGINT at its default (a test runner started
in the background would have it ignored). Oracles: the exit code (130), stderr (the Vietnamese line, no
Python traceback, no English), the output folder (no temp file; no document at all when the Ctrl+C came
before saving), and no worker process left behind.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from parxl.cli import main
from support.ctrl_c import START_HOOK
from test_appraisal_interrupt import _alive
from test_explanation import round1  # noqa: F401  (fixture)

DRIVER = textwrap.dedent("""
    import os, signal, sys
    import multiprocessing.process as P
    from parxl.documents import render
    render.PARALLEL_FROM = 0  # the small campaign's documents rendered in two worker processes
    at, command = os.environ["CTRL_C_AT"], sys.argv[1]
    pids = open(sys.argv[3], "a")
""") + START_HOOK + textwrap.dedent("""

    if at == "render":  # from the first job of a worker (forked: it runs this module's function)
        rendering = render._render_in_worker
        def render_then_ctrl_c(job):
            if not os.environ.get("SENT"):
                os.environ["SENT"] = "1"
                ctrl_c()
            return rendering(job)
        render._render_in_worker = render_then_ctrl_c

    if at == "save":
        if command == "preliminary":  # all rendered, then written one by one
            from parxl.documents import preliminary
            writing = preliminary.write_atomic
            def ctrl_c_then_write(path, data, *a):
                ctrl_c()
                return writing(path, data, *a)
            preliminary.write_atomic = ctrl_c_then_write
        else:  # saved as they come: Ctrl+C when the writer asks for the second document
            module = __import__(f"parxl.documents.{'notices' if command == 'notices' else 'improvement'}",
                                fromlist=["x"])
            saving = module.write_new_many
            def ctrl_c_on_second(items):
                def watched():
                    for n, item in enumerate(items):
                        if n == 1:
                            ctrl_c()
                        yield item
                return saving(watched())
            module.write_new_many = ctrl_c_on_second

    from parxl.cli import main
    main([command, sys.argv[2]], prog_name="parxl")
""")

OUTPUT = {"notices": "thong-bao", "improvement": "ke-hoach-cai-thien", "preliminary": "so-bo"}


@pytest.fixture
def consolidated(round1):  # noqa: F811
    """X01 and X02 appraised in round 1 (tests/test_explanation.py), consolidated: ready for every command."""
    assert CliRunner().invoke(main, ["consolidate", str(round1.root)]).exit_code in (0, 1)
    return round1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc: Linux")
@pytest.mark.parametrize("command,at", [("notices", "start-1"), ("notices", "start-2"), ("notices", "render"),
                                        ("notices", "save"), ("improvement", "start-2"), ("improvement", "render"),
                                        ("improvement", "save"), ("preliminary", "start-1"),
                                        ("preliminary", "render"), ("preliminary", "save")])
def test_ctrl_c_while_documents_render_stops_in_vietnamese_and_leaves_nothing_half_done(consolidated, tmp_path,
                                                                                      command, at):
    c = consolidated
    pids = tmp_path / "pids.txt"
    env = {**os.environ, "CTRL_C_AT": at, "PYTHONPATH": os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    env.pop("SENT", None)
    done = subprocess.run([sys.executable, "-c", DRIVER, command, str(c.root), str(pids)], env=env,
                          capture_output=True, text=True, timeout=120, start_new_session=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert "Đã dừng theo yêu cầu" in done.stderr
    for english in ("Traceback", "KeyboardInterrupt", "Error", "Exception", "Process"):
        assert english not in done.stderr, done.stderr
    folder = c.root / "output" / OUTPUT[command]
    names = [p.name for p in folder.rglob("*")] if folder.exists() else []
    assert not [n for n in names if n.startswith(".parxl-") or n.endswith(".tmp")], names
    assert not [n for n in names if n.endswith(".docx")], names  # none rendered was named
    workers = [int(line) for line in pids.read_text().split()]
    assert len(workers) == 2 and not any(_alive(pid) for pid in workers)
