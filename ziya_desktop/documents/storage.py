"""Open and save documents: strict UTF-8 in, atomic and checked writes out.

Reading refuses what would be lost or garbled in the editor (binary files, other encodings, huge files) with a
message that names the file and the offending byte. Saving never writes a document in place: it goes through
:func:`ziya_desktop.atomic_write.atomic_write_bytes`, so a failure leaves the old file byte-identical.

Qt's ``QSaveFile`` is not used: it can commit a truncated file on a full disk and ignores fsync errors.
"""

from __future__ import annotations

import errno
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from ziya_desktop.atomic_write import AtomicWriteError, atomic_write_bytes
from ziya_desktop.errors import DocumentReadError, DocumentSaveError

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "SUPPORTED_SUFFIXES",
    "LoadedDocument",
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


@dataclass(frozen=True)
class LoadedDocument:
    """A document as read from disk: ``text`` uses ``"\\n"`` only; ``newline`` and ``bom`` say how to write it back."""

    path: Path
    text: str
    newline: str = "\n"
    bom: bool = False


def _tr(text: str) -> str:
    return QCoreApplication.translate("DocumentStorage", text)


# -- reading ---------------------------------------------------------------------------------------------------------


def read_document(path: Path) -> LoadedDocument:
    """Read a UTF-8 text document, strip a BOM and normalise CRLF/CR line ends to ``"\\n"``.

    Args:
        path: the file to read.

    Returns:
        The text plus what :func:`save_document` needs to write it back the same way: ``newline`` is ``"\\r\\n"``
        when most line ends were CRLF, else ``"\\n"``; ``bom`` is True when the file started with a UTF-8 BOM.

    Raises:
        DocumentReadError: the file is missing, unreadable, a folder, over :data:`MAX_DOCUMENT_BYTES`, binary
            (contains NUL bytes), UTF-16, or not valid UTF-8 (the message names the offset of the first bad byte).
    """
    name = str(path)
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_DOCUMENT_BYTES:
                raise _too_large(name, size)
            # Read one byte past the limit: the file may have grown since fstat.
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
    except FileNotFoundError as err:
        raise DocumentReadError(
            _tr("“{name}” was not found.").format(name=name),
            hint=_tr("It may have been moved, renamed or deleted."),
        ) from err
    except PermissionError as err:
        raise DocumentReadError(
            _tr("You do not have permission to read “{name}”.").format(name=name),
            hint=_tr("Ask the owner of the file for access, or copy it somewhere you can read it."),
        ) from err
    except IsADirectoryError as err:
        raise DocumentReadError(_tr("“{name}” is a folder, not a document.").format(name=name)) from err
    except OSError as err:
        raise DocumentReadError(
            _tr("“{name}” could not be read: {cause}.").format(name=name, cause=err.strerror or err)
        ) from err
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _too_large(name, len(data))
    return _decode(path, data)


def _too_large(name: str, size: int) -> DocumentReadError:
    return DocumentReadError(
        _tr("“{name}” is {size} MiB; documents larger than {limit} MiB are not opened.").format(
            name=name, size=f"{size / (1 << 20):.1f}", limit=MAX_DOCUMENT_BYTES >> 20
        ),
        hint=_tr("Split it into smaller documents."),
    )


def _decode(path: Path, data: bytes) -> LoadedDocument:
    name = str(path)
    if data.startswith(_UTF16_BOMS):
        raise DocumentReadError(
            _tr("“{name}” is UTF-16 text; Ziya Desktop reads UTF-8 only.").format(name=name),
            hint=_tr(
                "Convert the file to UTF-8 in another editor (Save As… with the UTF-8 encoding) and open it again."
            ),
        )
    if b"\x00" in data:
        raise DocumentReadError(
            _tr("“{name}” is not a text document (it contains binary data at byte {offset}).").format(
                name=name, offset=data.index(b"\x00")
            ),
            hint=_tr("Open a .md or .txt file. To bring in a Word document, save it as plain text first."),
        )
    bom = data.startswith(UTF8_BOM)
    body = data[len(UTF8_BOM) :] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + (len(UTF8_BOM) if bom else 0)
        raise DocumentReadError(
            _tr("“{name}” is not UTF-8 text: byte {offset} (0x{byte}) cannot be read.").format(
                name=name, offset=offset, byte=f"{data[offset]:02X}"
            ),
            hint=_tr(
                "The file may be in GBK, GB 18030 or another encoding. Convert it to UTF-8 in another editor "
                "(Save As… with the UTF-8 encoding) and open it again."
            ),
        ) from err
    crlf = text.count("\r\n")
    lone_lf = text.count("\n") - crlf
    newline = "\r\n" if crlf and crlf >= lone_lf else "\n"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return LoadedDocument(path=path, text=text, newline=newline, bom=bom)


# -- saving ----------------------------------------------------------------------------------------------------------


def save_document(path: Path, text: str, *, newline: str = "\n", bom: bool = False) -> None:
    """Save ``text`` as UTF-8 to ``path`` atomically: the file on disk is either the old one or the whole new one.

    Line ends in ``text`` (``"\\n"``, ``"\\r\\n"`` or ``"\\r"``) are written as ``newline``. When ``path`` is a
    symbolic link the file it points to is replaced, so the link stays a link. The permission bits of an existing
    file are kept.

    Args:
        path: where to save.
        text: the document.
        newline: ``"\\n"`` or ``"\\r\\n"``.
        bom: start the file with a UTF-8 byte order mark.

    Raises:
        DocumentSaveError: the disk is full or read-only, there is no permission, the file is too large, an I/O
            error, or the text holds characters UTF-8 cannot store. The old file is unchanged and no temp file is
            left behind, except where the message says the file was replaced but could not be confirmed on disk.
        ValueError: ``newline`` is neither ``"\\n"`` nor ``"\\r\\n"``.
    """
    if newline not in ("\n", "\r\n"):
        raise ValueError(f"newline must be '\\n' or '\\r\\n', not {newline!r}")
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    if newline != "\n":
        normalised = normalised.replace("\n", newline)
    try:
        data = normalised.encode("utf-8")
    except UnicodeEncodeError as err:
        raise DocumentSaveError(
            _tr("“{name}” was not saved: the text contains a character UTF-8 cannot store at position {pos}.").format(
                name=str(path), pos=err.start
            )
        ) from err
    if bom:
        data = UTF8_BOM + data
    try:
        atomic_write_bytes(path, data)
    except AtomicWriteError as err:
        if err.replaced:
            raise DocumentSaveError(
                _tr("“{name}” was saved, but the system could not confirm it reached the disk: {cause}.").format(
                    name=str(path), cause=describe_write_error(err, path)
                ),
                hint=_tr("Save again; if this keeps happening, save to another disk as well."),
            ) from err
        raise DocumentSaveError(
            _tr("“{name}” could not be saved: {cause}.").format(name=str(path), cause=describe_write_error(err, path))
        ) from err


def describe_write_error(err: OSError, path: Path) -> str:
    """A writer-friendly cause for a failed write of ``path`` (``"the disk is full"``), from ``err.errno``."""
    folder = str(path.parent)
    code = err.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return _tr("the disk is full")
    if code == errno.EROFS:
        return _tr("the disk is read-only")
    if code in (errno.EACCES, errno.EPERM):
        return _tr("no permission to write in {folder}").format(folder=folder)
    if code == errno.EFBIG:
        return _tr("the file is larger than this disk or system allows")
    if code == errno.EIO:
        return _tr("the disk reported an input/output error")
    if code == errno.ENOENT:
        return _tr("the folder {folder} does not exist").format(folder=folder)
    if code == errno.EISDIR:
        return _tr("a folder with that name is in the way")
    if code == errno.ENAMETOOLONG:
        return _tr("the file name is too long")
    return err.strerror or str(err)
