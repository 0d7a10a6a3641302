"""Open and save documents: strict UTF-8 in, atomic and checked writes out.

Reading refuses what would be lost or garbled in the editor (binary files, other encodings, huge files) with a
message that names the file and the offending byte. Saving never writes a document in place: it goes through
:func:`ziya_desktop.atomic_write.atomic_write_bytes`, so a failure leaves the old file byte-identical.

Qt's ``QSaveFile`` is not used: it can commit a truncated file on a full disk and ignores fsync errors.

What was on disk when a document was opened or saved is kept as a :class:`DiskState`; :func:`check_disk` tells a
Save whether another program changed, deleted or write-protected the file since, so the window can ask first.
Special files (named pipes, devices) are neither read nor written: opening one would block, replacing one would
quietly turn it into a plain file.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from ziya_desktop.atomic_write import AtomicWriteError, atomic_write_bytes
from ziya_desktop.errors import DocumentReadError, DocumentSaveError
from ziya_desktop.regular_file import NotRegularFileError, open_regular_file
from ziya_desktop.translatable import QT_TRANSLATE_NOOP
from ziya_desktop.writing.clean_text import first_unsavable

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "SUPPORTED_SUFFIXES",
    "DiskChange",
    "DiskState",
    "LoadedDocument",
    "check_disk",
    "describe_write_error",
    "read_document",
    "save_document",
]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt")
# A writer's document is kilobytes; 64 MiB of text would freeze the editor long before it was useful.
MAX_DOCUMENT_BYTES = 64 << 20
UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class DiskState:
    """What a document's file looked like when it was last read or written: the stat fields that change on any
    write (cheap to compare) and the SHA-256 of its bytes (compared only when the stat differs)."""

    size: int
    mtime_ns: int
    inode: int
    device: int
    sha256: str

    def same_stat(self, st: os.stat_result) -> bool:
        return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev) == (
            self.size,
            self.mtime_ns,
            self.inode,
            self.device,
        )


def _state(st: os.stat_result, data: bytes) -> DiskState:
    return DiskState(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, hashlib.sha256(data).hexdigest())


class DiskChange(StrEnum):
    """How the file at a document's path differs from what the document last read or wrote there."""

    UNCHANGED = "unchanged"
    MODIFIED = "modified"  # another program wrote other bytes
    DELETED = "deleted"  # it was there and is gone (moved, renamed, deleted)
    READ_ONLY = "read_only"  # unchanged, but its permissions say it is not to be written
    NOT_REGULAR = "not_regular"  # a named pipe, a device, a folder: never written into


@dataclass(frozen=True)
class LoadedDocument:
    """A document as read from disk: ``text`` uses ``"\\n"`` only; ``newline`` and ``bom`` say how to write it back.

    ``disk`` is the file as it was read, for :func:`check_disk` before the next save.
    """

    path: Path
    text: str
    newline: str = "\n"
    bom: bool = False
    disk: DiskState | None = field(default=None, compare=False)


# -- reading ---------------------------------------------------------------------------------------------------------


def read_document(path: Path) -> LoadedDocument:
    """Read a UTF-8 text document, strip a BOM and normalise CRLF/CR line ends to ``"\\n"``.

    Args:
        path: the file to read.

    Returns:
        The text plus what :func:`save_document` needs to write it back the same way: ``newline`` is ``"\\r\\n"``
        when most line ends were CRLF, else ``"\\n"``; ``bom`` is True when the file started with a UTF-8 BOM.

    Raises:
        DocumentReadError: the file is missing, unreadable, a folder, a named pipe or device, over
            :data:`MAX_DOCUMENT_BYTES`, binary (contains NUL bytes), UTF-16, or not valid UTF-8 (the message names
            the offset of the first bad byte).
    """
    name = str(path)
    try:
        # Non-blocking: opening a named pipe for reading would otherwise wait for a writer, freezing the window.
        with open_regular_file(path) as fh:
            st = os.fstat(fh.fileno())
            if st.st_size > MAX_DOCUMENT_BYTES:
                raise _too_large(name, st.st_size)
            # Read one byte past the limit: the file may have grown since fstat.
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError as err:
        raise DocumentReadError(
            QT_TRANSLATE_NOOP("DocumentStorage", "“{name}” was not found.").format(name=name),
            hint=QT_TRANSLATE_NOOP("DocumentStorage", "It may have been moved, renamed or deleted."),
        ) from err
    except PermissionError as err:
        raise DocumentReadError(
            QT_TRANSLATE_NOOP("DocumentStorage", "You do not have permission to read “{name}”.").format(name=name),
            hint=QT_TRANSLATE_NOOP(
                "DocumentStorage", "Ask the owner of the file for access, or copy it somewhere you can read it."
            ),
        ) from err
    except NotRegularFileError as err:
        if stat.S_ISDIR(err.mode):
            raise _is_a_folder(name) from err
        raise DocumentReadError(
            QT_TRANSLATE_NOOP("DocumentStorage", "“{name}” is {kind}, not a document.").format(
                name=name, kind=_special_kind(err.mode)
            )
        ) from err
    except IsADirectoryError as err:  # where the system refuses to open a folder at all
        raise _is_a_folder(name) from err
    except OSError as err:
        raise DocumentReadError(
            QT_TRANSLATE_NOOP("DocumentStorage", "“{name}” could not be read: {cause}.").format(
                name=name, cause=err.strerror or err
            )
        ) from err
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _too_large(name, len(data))
    return replace(_decode(path, data), disk=_state(st, data))


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return QT_TRANSLATE_NOOP("DocumentStorage", "a named pipe (FIFO)")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return QT_TRANSLATE_NOOP("DocumentStorage", "a device")
    if stat.S_ISSOCK(mode):
        return QT_TRANSLATE_NOOP("DocumentStorage", "a socket")
    return QT_TRANSLATE_NOOP("DocumentStorage", "a special file")


def _is_a_folder(name: str) -> DocumentReadError:
    return DocumentReadError(
        QT_TRANSLATE_NOOP("DocumentStorage", "“{name}” is a folder, not a document.").format(name=name)
    )


def _too_large(name: str, size: int) -> DocumentReadError:
    return DocumentReadError(
        QT_TRANSLATE_NOOP(
            "DocumentStorage", "“{name}” is {size} MiB; documents larger than {limit} MiB are not opened."
        ).format(name=name, size=f"{size / (1 << 20):.1f}", limit=MAX_DOCUMENT_BYTES >> 20),
        hint=QT_TRANSLATE_NOOP("DocumentStorage", "Split it into smaller documents."),
    )


def _decode(path: Path, data: bytes) -> LoadedDocument:
    name = str(path)
    if data.startswith(_UTF16_BOMS):
        raise DocumentReadError(
            QT_TRANSLATE_NOOP("DocumentStorage", "“{name}” is UTF-16 text; Ziya Desktop reads UTF-8 only.").format(
                name=name
            ),
            hint=QT_TRANSLATE_NOOP(
                "DocumentStorage",
                "Convert the file to UTF-8 in another editor (Save As… with the UTF-8 encoding) and open it again.",
            ),
        )
    if b"\x00" in data:
        raise DocumentReadError(
            QT_TRANSLATE_NOOP(
                "DocumentStorage", "“{name}” is not a text document (it contains binary data at byte {offset})."
            ).format(name=name, offset=data.index(b"\x00")),
            hint=QT_TRANSLATE_NOOP(
                "DocumentStorage", "Open a .md or .txt file. To bring in a Word document, save it as plain text first."
            ),
        )
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM) :] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + (len(UTF8_BOM) if bom else 0)
        raise DocumentReadError(
            QT_TRANSLATE_NOOP(
                "DocumentStorage", "“{name}” is not UTF-8 text: byte {offset} (0x{byte}) cannot be read."
            ).format(name=name, offset=offset, byte=f"{data[offset]:02X}"),
            hint=QT_TRANSLATE_NOOP(
                "DocumentStorage",
                "The file may be in GBK, GB 18030 or another encoding. Convert it to UTF-8 in another editor "
                "(Save As… with the UTF-8 encoding) and open it again.",
            ),
        ) from err
    crlf = text.count("\r\n")
    lone_lf = text.count("\n") - crlf
    newline = "\r\n" if crlf and crlf >= lone_lf else "\n"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return LoadedDocument(path=path, text=text, newline=newline, bom=bom)


# -- saving ----------------------------------------------------------------------------------------------------------


def save_document(path: Path, text: str, *, newline: str = "\n", bom: bool = False) -> DiskState:
    """Save ``text`` as UTF-8 to ``path`` atomically: the file on disk is either the old one or the whole new one.

    Line ends in ``text`` (``"\\n"``, ``"\\r\\n"`` or ``"\\r"``) are written as ``newline``. When ``path`` is a
    symbolic link the file it points to is replaced, so the link stays a link. The permission bits of an existing
    file are kept. Whatever this writes, :func:`read_document` reads back as the same text (line ends aside): text
    starting with U+FEFF is written after a byte order mark even when ``bom`` is False, so that character is not
    taken for one; text a document cannot hold is refused before anything is written.

    Args:
        path: where to save.
        text: the document.
        newline: ``"\\n"`` or ``"\\r\\n"``.
        bom: start the file with a UTF-8 byte order mark.

    Returns:
        The saved file's state, for :func:`check_disk` before the next save.

    Raises:
        DocumentSaveError: the text holds a character a document cannot hold (NUL, a lone surrogate; the message
            names its line and column), ``path`` is a named pipe or device, the disk is full or read-only, there is
            no permission, the file is too large, or an I/O error. The old file is unchanged and no temp file is
            left behind, except where the message says the file was replaced but could not be confirmed on disk.
        ValueError: ``newline`` is neither ``"\\n"`` nor ``"\\r\\n"``.
    """
    if newline not in ("\n", "\r\n"):
        raise ValueError(f"newline must be '\\n' or '\\r\\n', not {newline!r}")
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    _refuse_unsavable(path, normalised)
    _refuse_special_file(path)
    if newline != "\n":
        normalised = normalised.replace("\n", newline)
    try:
        data = normalised.encode("utf-8")
    except UnicodeEncodeError as err:
        raise DocumentSaveError(
            QT_TRANSLATE_NOOP(
                "DocumentStorage",
                "“{name}” was not saved: the text contains a character UTF-8 cannot store at position {pos}.",
            ).format(name=str(path), pos=err.start)
        ) from err
    if bom or normalised.startswith("\ufeff"):
        data = UTF8_BOM + data
    try:
        atomic_write_bytes(path, data)
    except AtomicWriteError as err:
        if err.replaced:
            raise DocumentSaveError(
                QT_TRANSLATE_NOOP(
                    "DocumentStorage",
                    "“{name}” was saved, but the system could not confirm it reached the disk: {cause}.",
                ).format(name=str(path), cause=describe_write_error(err, path)),
                hint=QT_TRANSLATE_NOOP(
                    "DocumentStorage", "Save again; if this keeps happening, save to another disk as well."
                ),
            ) from err
        raise DocumentSaveError(
            QT_TRANSLATE_NOOP("DocumentStorage", "“{name}” could not be saved: {cause}.").format(
                name=str(path), cause=describe_write_error(err, path)
            )
        ) from err
    try:
        return _state(path.stat(), data)
    except OSError as err:
        # Saved, but not seen: an impossible stat makes the next check compare the bytes instead.
        log.warning("cannot stat %s after saving it: %s", path, err)
        return DiskState(len(data), -1, -1, -1, hashlib.sha256(data).hexdigest())


def _refuse_unsavable(path: Path, text: str) -> None:
    index = first_unsavable(text)
    if index < 0:
        return
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    raise DocumentSaveError(
        QT_TRANSLATE_NOOP(
            "DocumentStorage",
            "“{name}” was not saved: the text contains a character a text document cannot hold (U+{code}) "
            "at line {line}, column {column}.",
        ).format(name=str(path), code=f"{ord(text[index]):04X}", line=line, column=column),
        hint=QT_TRANSLATE_NOOP("DocumentStorage", "Nothing was changed on disk; delete that character and save again."),
    )


def _refuse_special_file(path: Path) -> None:
    try:
        st = path.stat()
    except OSError:
        return  # missing (a new file) or unreachable: the write itself reports what is wrong
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return  # a folder in the way is reported by the write, in its own words
    raise DocumentSaveError(
        QT_TRANSLATE_NOOP(
            "DocumentStorage", "“{name}” is {kind}, not a document file; nothing was written to it."
        ).format(name=str(path), kind=_special_kind(st.st_mode))
    )


# -- comparing with the disk -----------------------------------------------------------------------------------------


def check_disk(path: Path, known: DiskState | None) -> DiskChange:
    """How the file at ``path`` differs from ``known`` (what the document last read or wrote there).

    The stat is compared first; only when it differs is the file hashed, so a file merely touched (or replaced by
    identical bytes) is unchanged. With ``known`` None (a document saved somewhere new) only the kind of file and
    its permissions matter. A file that cannot be read back to be compared counts as modified: the caller asks.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return DiskChange.DELETED if known is not None else DiskChange.UNCHANGED
    except OSError as err:
        # The folder cannot be searched: the save itself will fail and say why.
        log.warning("cannot compare %s with the disk: %s", path, err)
        return DiskChange.UNCHANGED
    if not stat.S_ISREG(st.st_mode):
        return DiskChange.NOT_REGULAR
    if known is not None and not known.same_stat(st) and _sha256_or_nothing(path) != known.sha256:
        return DiskChange.MODIFIED
    # Root may write anything, so the permission bits count as well as what the system would allow.
    if st.st_mode & 0o222 == 0 or not os.access(path, os.W_OK):
        return DiskChange.READ_ONLY
    return DiskChange.UNCHANGED


def document_sha256(path: Path) -> str | None:
    """The SHA-256 of the document file at ``path``, read whole; None when it is not a regular file or is larger
    than :data:`MAX_DOCUMENT_BYTES` (it may have grown since it was last looked at).

    Raises:
        OSError: it cannot be read.
    """
    try:
        fh = open_regular_file(path)
    except NotRegularFileError:
        return None
    digest = hashlib.sha256()
    total = 0
    with fh:
        while chunk := fh.read(_HASH_CHUNK):
            total += len(chunk)
            if total > MAX_DOCUMENT_BYTES:
                return None
            digest.update(chunk)
    return digest.hexdigest()


def _sha256_or_nothing(path: Path) -> str:
    """:func:`document_sha256`, with "" for a file that cannot be read whole (it then compares as changed)."""
    try:
        return document_sha256(path) or ""
    except OSError as err:
        log.warning("cannot read %s to compare it: %s", path, err)
        return ""


def describe_write_error(err: OSError, path: Path) -> str:
    """A writer-friendly cause for a failed write of ``path`` (``"the disk is full"``), from ``err.errno``."""
    folder = str(path.parent)
    code = err.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return QT_TRANSLATE_NOOP("DocumentStorage", "the disk is full")
    if code == errno.EROFS:
        return QT_TRANSLATE_NOOP("DocumentStorage", "the disk is read-only")
    if code in (errno.EACCES, errno.EPERM):
        return QT_TRANSLATE_NOOP("DocumentStorage", "no permission to write in {folder}").format(folder=folder)
    if code == errno.EFBIG:
        return QT_TRANSLATE_NOOP("DocumentStorage", "the file is larger than this disk or system allows")
    if code == errno.EIO:
        return QT_TRANSLATE_NOOP("DocumentStorage", "the disk reported an input/output error")
    if code == errno.ENOENT:
        return QT_TRANSLATE_NOOP("DocumentStorage", "the folder {folder} does not exist").format(folder=folder)
    if code == errno.EISDIR:
        return QT_TRANSLATE_NOOP("DocumentStorage", "a folder with that name is in the way")
    if code == errno.ENAMETOOLONG:
        return QT_TRANSLATE_NOOP("DocumentStorage", "the file name is too long")
    return err.strerror or str(err)
