"""What every export shares: the document to export, the abstract :class:`Exporter`, and the all-or-nothing write.

One :class:`Exporter` subclass per format renders the whole file to bytes in memory; :meth:`Exporter.export` then
writes those bytes through a temp file and a rename (:func:`ziya_desktop.atomic_write.atomic_write_bytes`), so
an export that fails never leaves a half-written file where the writer expects a finished one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, Literal

from ziya_desktop.atomic_write import AtomicWriteError, atomic_write_bytes
from ziya_desktop.documents.export.markdown_blocks import Block, parse_blocks
from ziya_desktop.documents.storage import describe_write_error
from ziya_desktop.errors import ExportError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP
from ziya_desktop.writing.gongwen_parts import GongwenParts

__all__ = [
    "SUFFIX_FORMATS",
    "ExportDocument",
    "ExportFormat",
    "Exporter",
    "Language",
    "Layout",
    "format_for_path",
    "write_export",
]

Language = Literal["zh", "en"]
Layout = Literal["plain", "gongwen"]
_LANGUAGES = ("zh", "en")
_LAYOUTS = ("plain", "gongwen")
_MAX_DERIVED_TITLE = 80


class ExportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"


SUFFIX_FORMATS = {
    ".html": ExportFormat.HTML,
    ".htm": ExportFormat.HTML,
    ".pdf": ExportFormat.PDF,
    ".docx": ExportFormat.DOCX,
}


@dataclass(frozen=True)
class ExportDocument:
    """A document to export.

    Args:
        text: the light Markdown the editor holds (``#`` headings, ``-``/``1.`` lists, ``**bold**``; every
            non-empty line is a paragraph).
        title: for the file's metadata (HTML ``<title>``, PDF and DOCX properties); empty takes the first line.
        language: ``"zh"`` or ``"en"``; sets the language tags and the plain layout's paragraph style.
        layout: ``"plain"``, or ``"gongwen"`` for the GB/T 9704-2012 official-document page (DOCX and PDF;
            HTML gets the same fonts and indents).
        parts: the 公文's 版头, 主送, 附件, 署名 and 版记 as the document keeps them; None for a 公文 typed by
            hand, whose parts are then read off its lines (``text`` is then the whole document, else the body).

    Raises:
        ValueError: an unknown language or layout.
    """

    text: str
    title: str = ""
    language: Language = "zh"
    layout: Layout = "plain"
    parts: GongwenParts | None = None

    def __post_init__(self) -> None:
        if self.language not in _LANGUAGES:
            raise ValueError(f"language must be one of {_LANGUAGES}, not {self.language!r}")
        if self.layout not in _LAYOUTS:
            raise ValueError(f"layout must be one of {_LAYOUTS}, not {self.layout!r}")

    @property
    def gongwen(self) -> bool:
        return self.layout == "gongwen"

    @property
    def language_tag(self) -> str:
        """BCP 47 tag: ``zh-CN`` or ``en``."""
        return "zh-CN" if self.language == "zh" else "en"

    def blocks(self) -> list[Block]:
        return parse_blocks(self.text)

    def display_title(self) -> str:
        """The title, else the 公文's title, else the first non-empty line without Markdown marks, else “Untitled”."""
        if self.title.strip():
            return self.title.strip()
        if self.parts is not None and self.parts.title.strip():
            return self.parts.title.replace("\n", "").strip()[:_MAX_DERIVED_TITLE]
        blocks = self.blocks()
        if blocks and blocks[0].text.strip():
            return blocks[0].text.strip()[:_MAX_DERIVED_TITLE]
        return QT_TRANSLATE_NOOP("Export", "Untitled")


class Exporter(ABC):
    """Turns an :class:`ExportDocument` into one file format. Subclasses implement :meth:`render` only."""

    format: ClassVar[ExportFormat]

    def __init__(self) -> None:
        # What the writer should know about the last render (a font that stood in for another); marked for
        # translation where made.
        self.notes: list[str] = []

    @abstractmethod
    def render(self, doc: ExportDocument) -> bytes:
        """The complete file, in memory.

        Raises:
            ExportError: the document cannot be rendered in this format.
        """

    def export(self, doc: ExportDocument, path: Path) -> None:
        """Render ``doc`` and write it to ``path`` all at once (temp file, fsync, rename).

        Raises:
            ExportError: rendering or writing failed; no partial file is left at ``path``.
        """
        write_export(path, self.render(doc))


def format_for_path(path: Path) -> ExportFormat:
    """The export format a file name asks for, by its suffix (case-insensitive).

    Raises:
        ExportError: the suffix is not .html, .htm, .pdf or .docx.
    """
    fmt = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ExportError(
            QT_TRANSLATE_NOOP("Export", "Cannot export “{name}”: the format “{suffix}” is not supported.").format(
                name=path.name, suffix=path.suffix or QT_TRANSLATE_NOOP("Export", "(none)")
            ),
            hint=QT_TRANSLATE_NOOP("Export", "Choose a file name ending in .html, .pdf or .docx."),
        )
    return fmt


def write_export(path: Path, data: bytes) -> None:
    """Write an exported file atomically.

    Raises:
        ExportError: naming the file and the cause (disk full, read-only, no permission, …).
    """
    try:
        atomic_write_bytes(path, data)
    except AtomicWriteError as err:
        cause = describe_write_error(err, path)
        if err.replaced:
            raise ExportError(
                QT_TRANSLATE_NOOP(
                    "Export", "“{name}” was exported, but the system could not confirm it reached the disk: {cause}."
                ).format(name=str(path), cause=cause),
                hint=QT_TRANSLATE_NOOP("Export", "Export again; if this keeps happening, export to another disk."),
            ) from err
        raise ExportError(
            QT_TRANSLATE_NOOP("Export", "“{name}” could not be exported: {cause}.").format(name=str(path), cause=cause)
        ) from err
