"""Replace a file atomically and durably: the one way the app writes documents, journals, exports and templates.

The new bytes go to a hidden temp file in the same folder, every ``os.write`` count is checked, the file is fsynced,
and only then is it renamed over the target (and the folder fsynced so the rename survives a power cut). Any failure
before the rename leaves the old file byte-identical and removes the temp file. Qt-free, so every layer can use it.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import stat
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = ["STRAY_TEMP_AGE_S", "AtomicWriteError", "atomic_write_bytes", "remove_stray_temps", "temp_name_pattern"]

log = logging.getLogger(__name__)

_TEMP_SUFFIX = ".ziya-tmp"
# Hidden, tied to the target's name (cut short so a long Chinese name plus the suffix stays under 255 bytes).
_TEMP_NAME_CHARS = 60
_ANY_TEMP_RE = re.compile(r"\..*\.[0-9a-f]{12}" + re.escape(_TEMP_SUFFIX), re.DOTALL)
STRAY_TEMP_AGE_S = 60.0
_WRITE_CHUNK = 1 << 20


class AtomicWriteError(OSError):
    """:func:`atomic_write_bytes` failed. ``replaced`` is True when the new file already took the target's place
    (only the final folder fsync failed), False when the target is untouched."""

    def __init__(self, err: OSError, *, replaced: bool) -> None:
        super().__init__(err.errno, err.strerror or str(err), err.filename)
        self.replaced = replaced


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` (or the file a symlink at ``path`` points to) with ``data``, atomically and durably.

    Args:
        path: the target file; its folder must exist.
        data: the complete new contents.

    Raises:
        AtomicWriteError: with the ``errno`` of the failing step. ``replaced`` is False when the target is
            untouched and the temp file removed; True when only the fsync of the folder after the rename failed.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    folder = target.parent
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode) & 0o777
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise AtomicWriteError(err, replaced=False) from err
    tmp = folder / f".{target.name[:_TEMP_NAME_CHARS]}.{secrets.token_hex(6)}{_TEMP_SUFFIX}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o666)  # new files get the usual umask-derived mode, like any editor's
    except OSError as err:
        raise AtomicWriteError(err, replaced=False) from err
    try:
        try:
            if mode is not None:
                _keep_mode(tmp, mode)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(target)
    except BaseException as err:
        _discard(tmp)
        if isinstance(err, OSError):
            raise AtomicWriteError(err, replaced=False) from err
        raise
    try:
        _fsync_folder(folder)
    except OSError as err:
        raise AtomicWriteError(err, replaced=True) from err


def _keep_mode(tmp: Path, mode: int) -> None:
    if stat.S_IMODE(tmp.stat().st_mode) == mode:
        return
    try:
        tmp.chmod(mode)
    except OSError as err:
        # FAT and some network file systems keep no Unix permissions; the save itself is still sound there.
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        log.debug("permission bits not kept on %s: %s", tmp, err)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:_WRITE_CHUNK])
        if written <= 0:
            # A regular file that accepts nothing is out of space even when the system does not say so.
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _fsync_folder(folder: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):  # Windows: the rename is durable once MoveFileEx returns
        return
    dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    except OSError as err:
        # Some file systems (FUSE, network mounts) cannot fsync a folder at all; that is no failure of this save.
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
        log.debug("folder fsync not supported on %s: %s", folder, err)
    finally:
        os.close(dfd)


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink(missing_ok=True)
    except OSError as err:
        # The save already failed and that error is what the writer sees; this one goes to the log, and
        # remove_stray_temps() deletes the file on a later start.
        log.warning("could not remove temp file %s: %s", tmp, err)


def temp_name_pattern(targets: Iterable[str] | None = None) -> re.Pattern[str]:
    """The names :func:`atomic_write_bytes` gives its temp files: of the ``targets`` (file names), or of any file."""
    if targets is None:
        return _ANY_TEMP_RE
    names = "|".join(re.escape(name[:_TEMP_NAME_CHARS]) for name in sorted(set(targets)))
    return re.compile(r"\.(?:" + names + r")\.[0-9a-f]{12}" + re.escape(_TEMP_SUFFIX), re.DOTALL)


def remove_stray_temps(folder: Path, targets: Iterable[str] | None = None) -> list[Path]:
    """Delete the hidden temp files crashed saves left in ``folder``: of the ``targets`` (file names) only, or of
    any file when ``targets`` is None.

    Only files provably ours go: named as :func:`atomic_write_bytes` names them (the whole name, matched exactly), a
    regular file (not a link) owned by this user, last written more than :data:`STRAY_TEMP_AGE_S` ago, so that a
    save in progress in another window is left alone.

    Returns:
        The files removed. A file that cannot be removed is logged and left for the next attempt.
    """
    pattern = temp_name_pattern(targets)
    removed: list[Path] = []
    try:
        entries = [e for e in os.scandir(folder) if pattern.fullmatch(e.name)]
    except OSError as err:
        log.warning("cannot list %s for stray temp files: %s", folder, err)
        return removed
    cutoff = time.time() - STRAY_TEMP_AGE_S
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        try:
            st = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) or st.st_mtime > cutoff or (uid is not None and st.st_uid != uid):
                continue
            Path(entry.path).unlink()
        except OSError as err:
            log.warning("could not remove stray temp file %s: %s", entry.path, err)
            continue
        removed.append(Path(entry.path))
    return removed
