"""Write-to-temporary-then-rename for large outputs, so a failed or cancelled run leaves nothing half-made."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from ziya_desktop.errors import InsufficientDiskSpaceError
from ziya_desktop.processes import process_alive

log = logging.getLogger(__name__)

# ".<target>.<tag>.pid<writer's pid>.<8 hex>.partial": the pid tells a later run whether the writer still lives.
_PARTIAL = re.compile(r"\..+\.[a-z0-9_]+\.pid(?P<pid>[0-9]{1,10})\.[0-9a-f]{8}\.partial")


def temp_sibling(target: Path, tag: str) -> Path:
    """A hidden name beside ``target`` (same filesystem, so the final rename is atomic), carrying our pid."""
    return target.with_name(f".{target.name}.{tag}.pid{os.getpid()}.{uuid.uuid4().hex[:8]}.partial")


def remove_stale_partials(folder: Path) -> list[Path]:
    """Remove the partial files in ``folder`` whose writing process is gone (killed, crashed, power cut).

    Only names made by :func:`temp_sibling` are touched, and only when the pid in the name is no longer a running
    process; a conversion still running in another process keeps its files.

    Returns:
        The files removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        log.warning("cannot look for unfinished conversions in %s: %s", folder, exc)
        return removed
    for entry in entries:
        match = _PARTIAL.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False) or process_alive(int(match["pid"])):
            continue
        try:
            Path(entry.path).unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("cannot remove the unfinished conversion file %s: %s", entry.path, exc)
            continue
        removed.append(Path(entry.path))
    return removed


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
            f"{what} needs about {format_bytes(needed)} free in {folder}, but only {format_bytes(free)} is free",
            needed=needed,
            free=free,
        )


def format_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"
