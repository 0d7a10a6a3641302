"""Opening a file we did not create for reading, only when it is a regular file, without ever blocking.

Opening a named pipe for reading waits for a writer, and a device may never end: a crash journal, a document, a
checkpoint or a model library entry can name either. The file is opened non-blocking and checked on the opened
descriptor, so nothing swapped in between a check and the open slips through. Pure Python, for every layer.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

__all__ = ["FileTooLargeError", "NotRegularFileError", "open_regular_file", "read_regular_file"]

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegularFileError(OSError):
    """The path names a folder, named pipe, device or socket; ``mode`` is its ``st_mode``."""

    def __init__(self, path: Path | str, mode: int) -> None:
        super().__init__(f"{path} is not a regular file (mode {mode:o})")
        self.path = path
        self.mode = mode


class FileTooLargeError(OSError):
    """The file holds more than ``limit`` bytes (only the first ``limit`` + 1 were read)."""

    def __init__(self, path: Path | str, limit: int) -> None:
        super().__init__(f"{path} is larger than {limit} bytes")
        self.path = path
        self.limit = limit


def open_regular_file(path: Path | str) -> BinaryIO:
    """``path`` (links followed) opened for binary reading, if it is a regular file.

    Raises:
        NotRegularFileError: it is something else.
        OSError: it cannot be opened (missing, no permission …).
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(path, mode)
        if _READ_FLAGS & getattr(os, "O_NONBLOCK", 0):
            # O_NONBLOCK only guarded the open: reads of a regular file never block, and mmap users expect it clear.
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; a larger file is refused unread.

    Raises:
        FileTooLargeError: it holds more than ``limit`` bytes.
        NotRegularFileError: it is a folder, named pipe, device or socket.
        OSError: it cannot be opened or read.
    """
    with open_regular_file(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(path, limit)
    return data
