"""The journal of unsaved edits: one small JSON file per open document, rewritten atomically about once a second.

llama.cpp runs inside our process and aborts it on some failures (GPU out of memory, malformed files), so the app
must expect to die at any instant. Each modified document has a journal file in :func:`ziya_desktop.paths.
journal_dir` holding its whole text, the cursor, the saved file it belongs to (size, mtime and sha256 at the time,
so recovery can tell whether the file changed since), and, while the model writes into it, the model and sampling
settings of that run. Files are written with :func:`~ziya_desktop.atomic_write.atomic_write_bytes`, so a kill
mid-write leaves the previous journal, never a torn one.

Reading is bounded and strict: a file over :data:`MAX_JOURNAL_BYTES`, not a regular file, not UTF-8, not JSON, of
another format version or with a field of the wrong type raises :class:`JournalFormatError` with a message a writer
understands; nothing else escapes. A journal is data we did not necessarily write (anything can put a file in the
folder), so its document path is used only when absolute and free of control characters, and files are opened
without blocking and read only when they are regular files: a named pipe would otherwise hang the start. A time
stamp out of any calendar's range is kept as an unknown time, not a reason to lose the text. The module is Qt-free:
those messages are marked for translation (``QT_TRANSLATE_NOOP``) and translated where the UI shows them.
"""

from __future__ import annotations

import json
import logging
import math
import os
import stat
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from ziya_desktop.atomic_write import atomic_write_bytes
from ziya_desktop.documents.storage import MAX_DOCUMENT_BYTES, document_sha256
from ziya_desktop.errors import ZiyaError
from ziya_desktop.regular_file import NotRegularFileError, open_regular_file
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = [
    "JOURNAL_SUFFIX",
    "JOURNAL_VERSION",
    "MAX_JOURNAL_BYTES",
    "GenerationInfo",
    "JournalEntry",
    "JournalFormatError",
    "SavedFileState",
    "decode_entry",
    "encode_entry",
    "journal_path",
    "list_journals",
    "new_document_id",
    "read_journal",
    "remove_journal",
    "saved_file_state",
    "write_journal",
]

log = logging.getLogger(__name__)

JOURNAL_VERSION = 1
JOURNAL_SUFFIX = ".journal.json"
# The text of the largest document we open, JSON-escaped (a control character becomes six bytes, most text one to
# three), plus room for the other fields. Anything bigger was not written by us.
MAX_JOURNAL_BYTES = MAX_DOCUMENT_BYTES * 2 + (1 << 20)
_ID_CHARS = frozenset("0123456789abcdef")
_T = TypeVar("_T")


class JournalFormatError(ZiyaError, ValueError):
    """A journal file is empty, truncated, too large, not JSON or not in our format. The message is for writers.

    Also a ``ValueError``: the file's contents, not the disk, are at fault.
    """


@dataclass(frozen=True)
class SavedFileState:
    """What the saved file looked like when the journal was written: recovery compares it with the file now."""

    size: int
    mtime_ns: int
    sha256: str


@dataclass(frozen=True)
class GenerationInfo:
    """The model run that was writing into the document: its model file and sampling settings (plain values)."""

    model_path: str
    sampling: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JournalEntry:
    """One journal: the document's unsaved text and where it belongs.

    Attributes:
        document_id: 32 hex digits, fixed for the life of the tab; the file name derives from it.
        title: the name the tab showed (``Untitled 2`` or the file name).
        path: the file the document was opened from or saved to, or None for a new document.
        saved: the saved file's state when the journal was written (None when there is no file or it was missing).
        text: the whole document text with ``"\\n"`` line ends.
        cursor: the cursor position (Qt document position).
        written_at: seconds since the epoch.
        pid: the process that wrote the journal; a journal of a process that still runs is not a crash.
        generation: the model run in progress, or None.
    """

    document_id: str
    title: str
    path: Path | None
    saved: SavedFileState | None
    text: str
    cursor: int
    written_at: float
    pid: int
    generation: GenerationInfo | None = None

    def written_time(self) -> datetime | None:
        """When the journal was written, in local time; None when ``written_at`` is no representable time (not
        finite, or beyond the calendar: a damaged or foreign journal)."""
        if not math.isfinite(self.written_at):
            return None
        try:
            return datetime.fromtimestamp(self.written_at)
        except (OverflowError, OSError, ValueError) as err:
            log.info("journal %s has no usable time stamp (%r): %s", self.document_id, self.written_at, err)
            return None


def new_document_id() -> str:
    return uuid.uuid4().hex


def journal_path(folder: Path, document_id: str) -> Path:
    """The journal file of ``document_id`` in ``folder``.

    Raises:
        ValueError: ``document_id`` is not 32 lower-case hex digits (it becomes a file name).
    """
    if len(document_id) != 32 or not set(document_id) <= _ID_CHARS:
        raise ValueError(f"not a document id: {document_id!r}")
    return folder / f"{document_id}{JOURNAL_SUFFIX}"


def list_journals(folder: Path) -> list[Path]:
    """The journal files in ``folder``, oldest first (an unreadable folder is logged and gives none)."""
    try:
        found = [Path(e.path) for e in os.scandir(folder) if e.name.endswith(JOURNAL_SUFFIX) and e.is_file()]
    except OSError as err:
        log.warning("cannot list journals in %s: %s", folder, err)
        return []

    def written(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:
            return 0.0

    return sorted(found, key=written)


def saved_file_state(path: Path, *, known: SavedFileState | None = None) -> SavedFileState | None:
    """Size, mtime and sha256 of ``path``; None when it is missing, unreadable or larger than a document can be.

    Args:
        path: the saved file.
        known: a state computed earlier; when size and mtime still match, its hash is reused instead of
            reading the file again (the journal is written every second, the file changes only on save).
    """
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return None  # a named pipe or device: reading it could block or never end
        if known is not None and known.size == st.st_size and known.mtime_ns == st.st_mtime_ns:
            return known
        if st.st_size > MAX_DOCUMENT_BYTES:
            return None
        sha256 = document_sha256(path)
    except OSError as err:
        log.debug("no saved state for %s: %s", path, err)
        return None
    return None if sha256 is None else SavedFileState(size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=sha256)


# -- encoding --------------------------------------------------------------------------------------------------------


def encode_entry(entry: JournalEntry) -> bytes:
    """The journal file's bytes (UTF-8 JSON; lone surrogates from the editor are escaped, not refused)."""
    saved = entry.saved
    generation = entry.generation
    body: dict[str, Any] = {
        "format": "ziya-journal",
        "version": JOURNAL_VERSION,
        "document_id": entry.document_id,
        "title": entry.title,
        "path": str(entry.path) if entry.path is not None else None,
        "saved": None if saved is None else {"size": saved.size, "mtime_ns": saved.mtime_ns, "sha256": saved.sha256},
        "cursor": entry.cursor,
        "written_at": entry.written_at,
        "pid": entry.pid,
        "generation": None
        if generation is None
        else {"model_path": generation.model_path, "sampling": generation.sampling},
        "text": entry.text,
    }
    # ensure_ascii keeps a lone surrogate (a half-typed emoji in the editor) as an escape instead of failing.
    return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def decode_entry(data: bytes) -> JournalEntry:
    """Parse and check a journal file's bytes.

    Raises:
        JournalFormatError: empty, over :data:`MAX_JOURNAL_BYTES`, not UTF-8 JSON, another format or version, or a
            field missing or of the wrong type.
    """
    if not data.strip():
        raise JournalFormatError(QT_TRANSLATE_NOOP("DocumentJournal", "the journal file is empty"))
    if len(data) > MAX_JOURNAL_BYTES:
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal file is too large to be one of ours")
        )
    try:
        body = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal file is not text (byte {offset})").format(
                offset=err.start
            )
        ) from err
    except json.JSONDecodeError as err:
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal file is damaged or cut short (at byte {offset})").format(
                offset=err.pos
            )
        ) from err
    except RecursionError as err:
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal file is damaged (nested too deeply)")
        ) from err
    except ValueError as err:
        # JSON that parses but cannot be held, such as an integer of thousands of digits: damaged, like the rest.
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal file is damaged (a value out of any range)")
        ) from err
    if not isinstance(body, dict) or body.get("format") != "ziya-journal":
        raise JournalFormatError(QT_TRANSLATE_NOOP("DocumentJournal", "the file is not a Ziya Desktop journal"))
    if body.get("version") != JOURNAL_VERSION:
        raise JournalFormatError(
            QT_TRANSLATE_NOOP(
                "DocumentJournal", "the journal has format version {version}, this app reads version {ours}"
            ).format(version=body.get("version"), ours=JOURNAL_VERSION)
        )
    document_id = _field(body, "document_id", str)
    if len(document_id) != 32 or not set(document_id) <= _ID_CHARS:
        raise JournalFormatError(QT_TRANSLATE_NOOP("DocumentJournal", "the journal has no valid document id"))
    raw_path = body.get("path")
    if raw_path is not None and not _usable_path(raw_path):
        raise JournalFormatError(QT_TRANSLATE_NOOP("DocumentJournal", "the journal's file path is not valid"))
    return JournalEntry(
        document_id=document_id,
        title=_field(body, "title", str),
        path=Path(raw_path) if raw_path is not None else None,
        saved=_saved(body.get("saved")),
        text=_field(body, "text", str),
        cursor=max(0, _field(body, "cursor", int)),
        written_at=_time_stamp(body, "written_at"),
        pid=_field(body, "pid", int),
        generation=_generation(body.get("generation")),
    )


def _field(body: dict[str, Any], name: str, kind: type[_T]) -> _T:
    value = body.get(name)
    # bool is an int in Python; a journal with "cursor": true was not written by us.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal's field “{name}” is missing or not valid").format(
                name=name
            )
        )
    return value


def _usable_path(raw: object) -> bool:
    """An absolute path without control characters (a NUL, an escape sequence, a line break): the only document
    paths a journal may name. Anything else was not written by us and is never opened."""
    return (
        isinstance(raw, str)
        and bool(raw)
        and not any(unicodedata.category(ch) == "Cc" for ch in raw)
        and Path(raw).is_absolute()
    )


def _time_stamp(body: dict[str, Any], name: str) -> float:
    """A number of seconds; one no float can hold (JSON allows any integer) is kept as an unknown time, NaN too."""
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal's field “{name}” is missing or not valid").format(
                name=name
            )
        )
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _saved(raw: object) -> SavedFileState | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal's field “{name}” is missing or not valid").format(
                name="saved"
            )
        )
    return SavedFileState(
        size=_field(raw, "size", int), mtime_ns=_field(raw, "mtime_ns", int), sha256=_field(raw, "sha256", str)
    )


def _generation(raw: object) -> GenerationInfo | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal's field “{name}” is missing or not valid").format(
                name="generation"
            )
        )
    sampling = raw.get("sampling", {})
    if not isinstance(sampling, dict):
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal's field “{name}” is missing or not valid").format(
                name="sampling"
            )
        )
    return GenerationInfo(model_path=_field(raw, "model_path", str), sampling=sampling)


# -- files -----------------------------------------------------------------------------------------------------------


def write_journal(folder: Path, entry: JournalEntry) -> Path:
    """Write ``entry`` atomically to its file in ``folder`` (the old journal stays whole if this fails).

    Returns:
        The journal file.

    Raises:
        AtomicWriteError: the write failed (disk full, read-only, no permission); ``errno`` says why.
        ValueError: ``entry.document_id`` is not a document id.
    """
    path = journal_path(folder, entry.document_id)
    atomic_write_bytes(path, encode_entry(entry))
    return path


def read_journal(path: Path) -> JournalEntry:
    """Read and check one journal file, reading at most :data:`MAX_JOURNAL_BYTES` + 1 bytes.

    Raises:
        JournalFormatError: the file cannot be read, is not a regular file (a named pipe is refused without
            waiting on it) or is not a valid journal (see :func:`decode_entry`).
    """
    try:
        with open_regular_file(path) as fh:
            data = fh.read(MAX_JOURNAL_BYTES + 1)
    except NotRegularFileError as err:
        raise JournalFormatError(QT_TRANSLATE_NOOP("DocumentJournal", "the journal is not a regular file")) from err
    except OSError as err:
        raise JournalFormatError(
            QT_TRANSLATE_NOOP("DocumentJournal", "the journal file could not be read: {cause}").format(
                cause=err.strerror or err
            )
        ) from err
    return decode_entry(data)


def remove_journal(folder: Path, document_id: str) -> bool:
    """Delete the journal of ``document_id``; True when one was removed. A failure is logged, not raised: the
    stale journal is offered once more at the next start, which loses nothing."""
    path = journal_path(folder, document_id)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as err:
        log.warning("could not remove journal %s: %s", path, err)
        return False
    return True


def now() -> float:
    """The time stamp journals carry (a function so the controller and tests agree on the clock)."""
    return time.time()
