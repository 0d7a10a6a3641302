"""Export a document to HTML, PDF or DOCX, in the plain layout or the GB/T 9704-2012 公文 layout.

``export_document(doc, path)`` picks the exporter by the file's suffix; each format is one
:class:`~ziya_desktop.documents.export.base.Exporter` subclass. PDF export needs a ``QGuiApplication``.
"""

from __future__ import annotations

from pathlib import Path

from ziya_desktop.documents.export.base import SUFFIX_FORMATS, ExportDocument, Exporter, ExportFormat, format_for_path
from ziya_desktop.documents.export.docx_export import DocxExporter
from ziya_desktop.documents.export.html_export import HtmlExporter
from ziya_desktop.documents.export.pdf_export import PdfExporter
from ziya_desktop.errors import ExportError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = [
    "EXPORTERS",
    "SUFFIX_FORMATS",
    "DocxExporter",
    "ExportDocument",
    "ExportFormat",
    "Exporter",
    "HtmlExporter",
    "PdfExporter",
    "export_document",
    "exporter_for",
    "format_for_path",
]

EXPORTERS: dict[ExportFormat, type[Exporter]] = {
    ExportFormat.HTML: HtmlExporter,
    ExportFormat.PDF: PdfExporter,
    ExportFormat.DOCX: DocxExporter,
}


def exporter_for(fmt: ExportFormat | str) -> Exporter:
    """A new exporter for ``fmt`` (``"html"``, ``"pdf"``, ``"docx"`` or an :class:`ExportFormat`).

    Raises:
        ExportError: an unknown format.
    """
    try:
        return EXPORTERS[ExportFormat(fmt)]()
    except ValueError as err:
        raise ExportError(
            QT_TRANSLATE_NOOP("Export", "The export format “{fmt}” is not supported.").format(fmt=fmt),
            hint=QT_TRANSLATE_NOOP("Export", "Export to HTML, PDF or DOCX."),
        ) from err


def export_document(doc: ExportDocument, path: Path, fmt: ExportFormat | str | None = None) -> list[str]:
    """Export ``doc`` to ``path`` in ``fmt``, or in the format its suffix names (.html/.htm, .pdf, .docx).

    Returns:
        Notes for the writer (which installed font stood in for a face the standard names), marked for
        translation; empty when there is nothing to say.

    Raises:
        ExportError: an unknown format, or rendering or writing failed (no partial file is left at ``path``).
    """
    exporter = exporter_for(fmt if fmt is not None else format_for_path(path))
    exporter.export(doc, path)
    return list(exporter.notes)
