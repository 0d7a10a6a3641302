"""Crash recovery: read the journals a dead process left behind and compare each with its saved file.

:func:`scan_journals` is called at start. Every journal is read with the bounded reader of
:mod:`ziya_desktop.documents.journal`; a corrupt one (empty, truncated, garbage, another version) is moved into a
``corrupt/`` sub-folder and reported, and never touches the saved document it names. A journal whose writer process
is still running belongs to another open window of the app and is left alone.

Qt-free apart from ``QCoreApplication.translate``; the dialog that shows the result is
:mod:`ziya_desktop.ui.recovery_dialog`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from ziya_desktop.atomic_write import remove_stray_temps
from ziya_desktop.documents.journal import (
    JournalEntry,
    JournalFormatError,
    list_journals,
    read_journal,
    saved_file_state,
)
from ziya_desktop.documents.storage import read_document
from ziya_desktop.errors import DocumentReadError
from ziya_desktop.writing.diff import Change, diff_changes

__all__ = [
    "CORRUPT_FOLDER",
    "CorruptJournal",
    "RecoveredDocument",
    "RecoveryScan",
    "describe_corrupt",
    "discard_recovered",
    "remove_stray_temps_in",
    "scan_journals",
]

log = logging.getLogger(__name__)

CORRUPT_FOLDER = "corrupt"
PREVIEW_CHARS = 2000


def _tr(text: str) -> str:
    return QCoreApplication.translate("DocumentRecovery", text)


@dataclass(frozen=True)
class CorruptJournal:
    """A journal that could not be read: where it was, where it was moved to (None if it could not be) and why."""

    path: Path
    moved_to: Path | None
    reason: str


@dataclass(frozen=True)
class RecoveredDocument:
    """A document recovered from a journal, next to what is saved on disk.

    Attributes:
        entry: the journal's contents.
        journal: the journal file (removed by :func:`discard_recovered`, or once the restored text is journaled
            again).
        saved_text: the saved file's text now, or None when the document was never saved or the file is gone.
        saved_problem: why the saved file could not be read (empty when it was read or there is none).
        saved_changed: the saved file changed since the journal was written (saved from elsewhere after the crash).
    """

    entry: JournalEntry
    journal: Path
    saved_text: str | None
    saved_problem: str = ""
    saved_changed: bool = False

    @property
    def name(self) -> str:
        return self.entry.path.name if self.entry.path is not None else self.entry.title

    @property
    def differs(self) -> bool:
        """The journal holds something the saved file does not."""
        return self.saved_text != self.entry.text

    def preview(self, limit: int = PREVIEW_CHARS) -> str:
        """The start of the recovered text, cut at ``limit`` characters."""
        text = self.entry.text
        return text if len(text) <= limit else text[:limit] + "…"

    def changes(self) -> list[Change]:
        """The changes from the saved text (or from nothing) to the recovered text."""
        return diff_changes(self.saved_text or "", self.entry.text)


@dataclass
class RecoveryScan:
    """What :func:`scan_journals` found."""

    documents: list[RecoveredDocument] = field(default_factory=list)
    corrupt: list[CorruptJournal] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.documents or self.corrupt)


def scan_journals(folder: Path, *, own_pid: int | None = None) -> RecoveryScan:
    """Read every journal in ``folder``; move corrupt ones aside; skip those of processes still running.

    Args:
        folder: the journal folder (:func:`ziya_desktop.paths.journal_dir`).
        own_pid: this process (default ``os.getpid()``); its own journals are recovered too, never skipped.

    Returns:
        The recovered documents, oldest first, and the corrupt journals with the reason each was refused.
    """
    own = os.getpid() if own_pid is None else own_pid
    scan = RecoveryScan()
    for path in list_journals(folder):
        try:
            entry = read_journal(path)
        except JournalFormatError as err:
            scan.corrupt.append(CorruptJournal(path, _move_aside(path), str(err)))
            continue
        if entry.pid != own and _process_alive(entry.pid):
            log.info("journal %s belongs to running process %d; left alone", path, entry.pid)
            continue
        scan.documents.append(_compare(entry, path))
    return scan


def _compare(entry: JournalEntry, journal: Path) -> RecoveredDocument:
    if entry.path is None:
        return RecoveredDocument(entry, journal, None)
    try:
        saved = read_document(entry.path)
    except DocumentReadError as err:
        return RecoveredDocument(entry, journal, None, saved_problem=str(err))
    now_state = saved_file_state(entry.path)
    changed = entry.saved is not None and (now_state is None or now_state.sha256 != entry.saved.sha256)
    return RecoveredDocument(entry, journal, saved.text, saved_changed=changed)


def _process_alive(pid: int) -> bool:
    if pid <= 0 or not hasattr(os, "kill") or os.name == "nt":
        # Windows' os.kill(pid, 0) terminates the process instead of probing it: treat the journal as a crash's.
        return False
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
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    state = stat.rpartition(")")[2].split()
    return not (state and state[0] in ("Z", "X"))


def _move_aside(path: Path) -> Path | None:
    target_dir = path.parent / CORRUPT_FOLDER
    target = target_dir / f"{path.name}.{time.strftime('%Y%m%d-%H%M%S')}"
    try:
        target_dir.mkdir(exist_ok=True)
        path.replace(target)
    except OSError as err:
        log.warning("could not move corrupt journal %s aside: %s", path, err)
        return None
    return target


def discard_recovered(document: RecoveredDocument) -> bool:
    """Delete the journal of ``document`` (the writer chose Discard). The saved file is never touched.

    Returns:
        True when the journal was removed (or was already gone); False when it could not be (logged).
    """
    try:
        document.journal.unlink(missing_ok=True)
    except OSError as err:
        log.warning("could not remove journal %s: %s", document.journal, err)
        return False
    return True


def remove_stray_temps_in(folders: Iterable[Path]) -> list[Path]:
    """Remove the temp files crashed saves left in each existing folder of ``folders`` (each folder once).

    Returns:
        Every file removed.
    """
    removed: list[Path] = []
    seen: set[Path] = set()
    for folder in folders:
        if folder in seen or not folder.is_dir():
            continue
        seen.add(folder)
        removed.extend(remove_stray_temps(folder))
    return removed


def describe_corrupt(corrupt: CorruptJournal) -> str:
    """One line for the writer: which journal, why, and where it went."""
    if corrupt.moved_to is not None:
        return _tr("{name}: {reason}. It was moved to {target}.").format(
            name=corrupt.path.name, reason=corrupt.reason, target=str(corrupt.moved_to)
        )
    return _tr("{name}: {reason}.").format(name=corrupt.path.name, reason=corrupt.reason)
