"""Whether a process is still running: the one probe behind every file named after its writer's process id.

Crash journals and partial conversion files both carry their writer's pid; what a dead writer left behind is
recovered or removed, what a live one is writing is left alone. Pure Python, for every layer.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

__all__ = ["MAX_PID", "process_alive"]

log = logging.getLogger(__name__)

# Past this no system hands out process ids; a larger value in a file did not come from one.
MAX_PID = 2**31 - 1
_STILL_ACTIVE = 259
_PROCESS_QUERY_LIMITED_INFORMATION = 0x1000


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (this process included); an impossible pid is not."""
    if pid == os.getpid():
        return True
    if pid <= 0 or pid > MAX_PID:
        return False
    if sys.platform == "win32":
        # os.kill(pid, 0) would terminate the process on Windows instead of probing it.
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    except OSError as err:
        log.debug("cannot probe process %d: %s", pid, err)
        return False
    return _is_not_zombie(pid)


def _is_not_zombie(pid: int) -> bool:
    # A killed child that its parent has not reaped yet still answers kill(pid, 0) on Linux.
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    state = fields.rpartition(")")[2].split()
    return not (state and state[0] in ("Z", "X"))


def _windows_process_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == _STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
