"""Crash recovery: read the journals a dead process left behind and compare each with its saved file.

:func:`scan_journals` is called at start. Every journal is read with the bounded reader of
:mod:`ziya_desktop.documents.journal`; a corrupt one (empty, truncated, garbage, another version) is moved into a
``corrupt/`` sub-folder and reported, and never touches the saved document it names. A journal whose writer process
is still running belongs to another open window of the app and is left alone.

Everything here is bounded, so start-up cannot hang on what a crash (or anyone) left behind: journals and saved
files are opened only when they are regular files (a named pipe in a document's place is reported, never opened),
reads are capped at the largest document, and the diff against the saved file runs under a step budget
(:class:`~ziya_desktop.writing.diff.DiffBudget`).

Temp files of interrupted saves are removed only by :func:`remove_stale_temps_of`, after the writer has seen what
was recovered, and only those provably ours: named after a document the writer restored or opened recently, in its
folder, a plain file of this user, older than a minute.

Qt-free: the messages are marked for translation (``QT_TRANSLATE_NOOP``) and translated by the dialog that shows
the result, :mod:`ziya_desktop.ui.files.recovery_dialog`.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
from ziya_desktop.processes import process_alive
from ziya_desktop.translatable import QT_TRANSLATE_NOOP
from ziya_desktop.writing.diff import Change, DiffBudget, diff_changes

__all__ = [
    "CORRUPT_FOLDER",
    "CorruptJournal",
    "RecoveredDocument",
    "RecoveryScan",
    "describe_corrupt",
    "discard_recovered",
    "remove_stale_temps_of",
    "scan_journals",
]

log = logging.getLogger(__name__)

CORRUPT_FOLDER = "corrupt"
PREVIEW_CHARS = 2000
# Process ids are C ints; a journal with a larger one was not written by a process of this machine.


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
        path_is_special: the journal's path names a named pipe, device or folder, not a document: it was not
            opened, and a restored document does not take that path.
    """

    entry: JournalEntry
    journal: Path
    saved_text: str | None
    saved_problem: str = ""
    saved_changed: bool = False
    path_is_special: bool = False

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

    def changes(self, budget: DiffBudget | None = None) -> list[Change]:
        """The changes from the saved text (or from nothing) to the recovered text, within ``budget`` (see
        :func:`~ziya_desktop.writing.diff.diff_changes`): bounded however long the document and its edits."""
        return diff_changes(self.saved_text or "", self.entry.text, budget=budget)


@dataclass
class RecoveryScan:
    """What :func:`scan_journals` found."""

    documents: list[RecoveredDocument] = field(default_factory=list)
    corrupt: list[CorruptJournal] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.documents or self.corrupt)


def scan_journals(folder: Path, *, own_pid: int | None = None, started_at: float | None = None) -> RecoveryScan:
    """Read every journal in ``folder``; move corrupt ones aside; skip those of processes still running.

    Args:
        folder: the journal folder (:func:`ziya_desktop.paths.journal_dir`).
        own_pid: this process (default ``os.getpid()``). A journal with this pid is a crashed earlier process's
            whose pid the system gave again, and is recovered; but when ``started_at`` is given, one written at or
            after it is this process's own (the scan runs while the writer already edits) and is left alone.
        started_at: when this process began writing journals (``time.time()``), or None.

    Returns:
        The recovered documents, oldest first, and the corrupt journals with the reason each was refused.
    """
    own = os.getpid() if own_pid is None else own_pid
    scan = RecoveryScan()
    for path in list_journals(folder):
        try:
            entry = read_journal(path)
        except JournalFormatError as err:
            scan.corrupt.append(CorruptJournal(path, _move_aside(path), err.message))
            continue
        if entry.pid != own and process_alive(entry.pid):
            log.info("journal %s belongs to running process %d; left alone", path, entry.pid)
            continue
        if entry.pid == own and started_at is not None and entry.written_at >= started_at:
            continue  # written by this run since it started
        scan.documents.append(_compare(entry, path))
    return scan


def _compare(entry: JournalEntry, journal: Path) -> RecoveredDocument:
    if entry.path is None:
        return RecoveredDocument(entry, journal, None)
    if _is_special(entry.path):
        # Opening a named pipe for reading waits for a writer: the whole start would hang.
        problem = QT_TRANSLATE_NOOP(
            "DocumentRecovery", "“{name}” is not a regular file (a named pipe, device or folder); it was not opened."
        )
        return RecoveredDocument(
            entry, journal, None, saved_problem=problem.format(name=str(entry.path)), path_is_special=True
        )
    try:
        saved = read_document(entry.path)
    except DocumentReadError as err:
        return RecoveredDocument(entry, journal, None, saved_problem=err.message)
    now_state = saved_file_state(entry.path)
    changed = entry.saved is not None and (now_state is None or now_state.sha256 != entry.saved.sha256)
    return RecoveredDocument(entry, journal, saved.text, saved_changed=changed)


def _is_special(path: Path) -> bool:
    """``path`` exists and is not a regular file (follows symlinks: a link to a document is a document)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False  # missing or unreadable: reading it says which, without blocking


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


def remove_stale_temps_of(documents: Iterable[Path]) -> list[Path]:
    """Remove the temp files interrupted saves of ``documents`` left next to them.

    Only files provably ours are removed: in the document's own folder, named exactly as
    :func:`~ziya_desktop.atomic_write.atomic_write_bytes` names the temp file of that document, a regular file (not a
    link) owned by this user, last written more than :data:`~ziya_desktop.atomic_write.STRAY_TEMP_AGE_S` ago (a
    save in progress in another window is left alone). Call it once the writer has decided what to recover: until
    then a temp file may hold the only copy of a save the crash interrupted.

    Returns:
        Every file removed. One that cannot be removed is logged and left for the next start.
    """
    names: dict[Path, set[str]] = {}
    for document in documents:
        names.setdefault(document.parent, set()).add(document.name)
    removed: list[Path] = []
    for folder, targets in names.items():
        removed.extend(remove_stray_temps(folder, targets))
    return removed


def describe_corrupt(corrupt: CorruptJournal) -> str:
    """One line for the writer: which journal, why, and where it went."""
    if corrupt.moved_to is not None:
        return QT_TRANSLATE_NOOP("DocumentRecovery", "{name}: {reason}. It was moved to {target}.").format(
            name=corrupt.path.name, reason=corrupt.reason, target=str(corrupt.moved_to)
        )
    return QT_TRANSLATE_NOOP("DocumentRecovery", "{name}: {reason}.").format(
        name=corrupt.path.name, reason=corrupt.reason
    )
