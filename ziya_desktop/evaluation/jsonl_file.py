"""Appending one JSON line to a file that only grows (a run's answers, its verdicts), durably.

Each line is written at the end and fsynced before the call returns. A crash can leave a last line without its
newline; the next append first drops it when it is not a whole record (it is made again), or ends it when it is
one (a record written by hand without a newline), so a torn line never glues itself to the next record.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["append_line"]

log = logging.getLogger(__name__)

# How far back a torn last line is looked for; a record longer than this is kept and ended instead.
_TAIL_WINDOW = 1 << 20


def append_line(path: Path, line: bytes, *, is_whole: Callable[[bytes], bool]) -> None:
    """Append ``line`` (which ends with a newline) to ``path`` and fsync it, after mending a torn last line.

    ``is_whole(raw)`` says whether a last line found without its newline is a whole record.

    Raises:
        OSError: the file cannot be opened, written or synced.
    """
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o644)
    try:
        _mend_tail(fd, path, is_whole)
        written = 0
        while written < len(line):
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)


def _mend_tail(fd: int, path: Path, is_whole: Callable[[bytes], bool]) -> None:
    size = os.fstat(fd).st_size
    if size == 0:
        return
    tail_start = max(0, size - _TAIL_WINDOW)
    tail = os.pread(fd, size - tail_start, tail_start)
    if tail.endswith(b"\n"):
        return
    cut = tail.rfind(b"\n")
    if cut < 0 and tail_start > 0:  # a torn line longer than the window read: keep it, start on a new line
        os.write(fd, b"\n")
        return
    if not is_whole(tail[cut + 1 :]):  # the rest of the record never reached the disk
        keep = tail_start + cut + 1
        log.warning("%s: dropping a torn last line of %d bytes", path, size - keep)
        os.ftruncate(fd, keep)
        return
    os.write(fd, b"\n")  # a whole record written without its newline (by hand): keep it
