"""Write-to-temporary-then-rename for large outputs, so a failed or cancelled run leaves nothing half-made."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from converters.errors import InsufficientDiskSpaceError


def temp_sibling(target: Path, tag: str) -> Path:
    """A hidden name beside ``target`` (same filesystem, so the final rename is atomic)."""
    return target.with_name(f".{target.name}.{tag}-{uuid.uuid4().hex[:8]}.partial")


@contextlib.contextmanager
def removing_on_error(*paths: Path) -> Iterator[None]:
    """Remove ``paths`` if the block raises (including KeyboardInterrupt), then re-raise."""
    try:
        yield
    except BaseException:
        for p in paths:
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        raise


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def commit(temp: Path, target: Path) -> None:
    """fsync ``temp``, rename it over ``target`` and fsync the folder so the rename survives a crash."""
    fsync_file(temp)
    temp.replace(target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def check_free_space(folder: Path, needed: int, what: str) -> None:
    """Raise InsufficientDiskSpaceError when ``folder``'s filesystem has less than ``needed`` bytes free."""
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise InsufficientDiskSpaceError(
            f"{what} needs about {format_bytes(needed)} free in {folder}, but only {format_bytes(free)} is free"
        )


def format_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"
