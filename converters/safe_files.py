"""Opening the files of a checkpoint we did not create: regular files only, never more bytes than such a file has.

A FIFO named ``config.json`` would block the read forever and ``/dev/zero`` would fill memory, so every file is
checked with :func:`os.stat` before it is opened, opened with ``O_NONBLOCK`` (a FIFO swapped in after the check
cannot block the open) and checked again on the open descriptor. Symbolic links are followed: the hub cache keeps
a checkpoint's files as links into its blob folder.
"""

from __future__ import annotations

import json
import os
import reprlib
import stat
from pathlib import Path
from typing import Any, BinaryIO

from converters.errors import CheckpointError, ConversionError
from ziya_desktop.regular_file import NotRegularFileError, open_regular_file

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: Path, *, error: type[ConversionError] = CheckpointError) -> BinaryIO:
    """Open ``path`` for binary reading when it is a regular file (after following links).

    Raises:
        ``error``: missing, unreadable, or a folder, FIFO, device or socket.
    """
    try:
        mode = Path(path).stat().st_mode
    except FileNotFoundError:
        raise error(f"{path}: the file is missing") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from exc
    if not stat.S_ISREG(mode):
        raise error(f"{path} is {_kind(mode)}, not a regular file")
    try:
        # The check above is on the path; this one is on the opened file, so a FIFO swapped in meanwhile is refused.
        return open_regular_file(path)
    except NotRegularFileError as exc:
        raise error(f"{path} is {_kind(exc.mode)}, not a regular file") from exc
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from exc


def regular_file_size(path: Path, *, error: type[ConversionError] = CheckpointError) -> int:
    """The size of ``path``, which must be a regular file (see :func:`open_regular`)."""
    with open_regular(path, error=error) as f:
        return os.fstat(f.fileno()).st_size


def read_bounded(path: Path, max_bytes: int, *, error: type[ConversionError] = CheckpointError) -> bytes:
    """All of ``path``'s bytes, refusing a file larger than ``max_bytes`` before reading it."""
    with open_regular(path, error=error) as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_bytes:
            raise error(f"{path} is {size} bytes; a file of this kind is at most {max_bytes} bytes")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(f"{path} grew past {max_bytes} bytes while it was read")
    return data


def read_json_object(path: Path, max_bytes: int, *, error: type[ConversionError] = CheckpointError) -> dict[str, Any]:
    """Parse ``path`` (UTF-8 JSON, at most ``max_bytes``) and return it; it must be a JSON object."""
    raw = read_bounded(path, max_bytes, error=error)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise error(f"{path}: not valid JSON ({str(exc)[:80]})") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: not a JSON object")
    return data


_SHORT = reprlib.Repr()
_SHORT.maxlevel = 3
_SHORT.maxstring = 40
_SHORT.maxother = 40
_SHORT.maxlong = 40
for _attr in ("maxtuple", "maxlist", "maxarray", "maxdict", "maxset", "maxfrozenset", "maxdeque"):
    setattr(_SHORT, _attr, 6)


def short_repr(value: Any, limit: int = 80) -> str:
    """A repr for an error message that stays short whatever ``value`` is (deep, shared or huge structures)."""
    try:
        text = _SHORT.repr(value)
    except (ValueError, RecursionError, MemoryError):  # e.g. an int beyond the digit limit of int → str
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"
