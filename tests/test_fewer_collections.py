"""``check``/``consolidate`` run Python's collector less often and give the thresholds back; forked
workers collect as usual.

Oracle: ``gc.get_threshold()`` read inside the block, after it (also after a command that exits with an
error) and in a forked child (through a pipe).
"""
from __future__ import annotations

import gc
import os
import sys

import pytest
from click.testing import CliRunner

from parxl.cli import main
from parxl.cli.check_cmd import YOUNG_OBJECTS, fewer_collections


def test_the_thresholds_are_raised_inside_and_given_back_after():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == YOUNG_OBJECTS > before[0]
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("x")
    assert gc.get_threshold() == before


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="fork only")
def test_a_forked_worker_collects_with_the_default_thresholds():
    default = gc.get_threshold()
    with fewer_collections():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: says its thresholds and leaves at once
            os.write(write, repr(gc.get_threshold()).encode())
            os._exit(0)
        os.close(write)
        seen = os.read(read, 200).decode()
        os.close(read)
        os.waitpid(pid, 0)
    assert seen == repr(default)


@pytest.mark.parametrize("command", ["check", "consolidate"])
def test_a_command_gives_the_thresholds_back(tmp_path, command):
    before = gc.get_threshold()
    result = CliRunner().invoke(main, [command, str(tmp_path / "khong-co")])
    assert result.exit_code != 0 and gc.get_threshold() == before


def test_what_the_block_leaves_alive_is_old_after_it():
    """The next collection with the thresholds given back does not walk what the block made (it is in the
    oldest generation, as ``gc.get_objects`` says), and garbage cycles made in the block are still collected."""
    gc.collect()
    with fewer_collections():
        kept = [[i] for i in range(1000)]
        cycle: list = []
        cycle.append(cycle)
        del cycle
    assert all(any(x is o for o in gc.get_objects(generation=2)) for x in (kept, kept[0], kept[-1]))
    assert not any(x is o for o in gc.get_objects(generation=1) + gc.get_objects(generation=0) for x in (kept,))
    assert gc.collect() >= 1  # the cycle left behind is garbage the collector still finds
