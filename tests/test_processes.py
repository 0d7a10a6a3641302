"""The one process probe behind journals and partial conversion files."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ziya_desktop.processes import MAX_PID, process_alive


def test_this_process_and_a_running_child_are_alive() -> None:
    assert process_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert process_alive(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not process_alive(child.pid)  # reaped: gone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="zombies are read from /proc")
def test_an_unreaped_dead_child_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # ended, but left unreaped: a zombie
    try:
        assert not process_alive(child.pid)
    finally:
        child.wait()


@pytest.mark.parametrize("pid", [0, -1, MAX_PID + 1, 10**30])
def test_impossible_pids_are_not_alive(pid: int) -> None:
    assert not process_alive(pid)
