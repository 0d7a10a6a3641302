"""Export to DOCX with python-docx: headings, list items and bold runs, fonts that cover Chinese, and the 公文 page.

python-docx's ``font.name`` sets only the Latin slots (``w:ascii``/``w:hAnsi``); Word then shows Chinese in the
theme's East Asian font. Every run, the Normal style, the heading styles and the document defaults therefore get a
full ``w:rFonts`` (Latin, ``w:eastAsia`` and complex script) with the theme attributes removed, and a ``w:lang``.

The 公文 layout (GB/T 9704-2012) sets A4 with the standard margins, a line-and-character grid of 22 × 28
(``w:docGrid``), exact line spacing, the title/heading/body fonts per role, and odd/even footers with a PAGE field
as “— 1 —” one character in from the outer edge.
"""

from __future__ import annotations

import datetime as _dt
import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt, RGBColor

from ziya_desktop.documents.export.base import ExportDocument, Exporter, ExportFormat
from ziya_desktop.documents.export.docx_common import add_spans, set_document_fonts, set_page, set_rfonts
from ziya_desktop.documents.export.gongwen_docx import build_gongwen
from ziya_desktop.documents.export.markdown_blocks import Block, BlockKind, Span

__all__ = ["PLAIN_EAST_ASIA_FONT", "PLAIN_LATIN_FONT", "DocxExporter", "build_docx"]

PLAIN_LATIN_FONT = "Calibri"
PLAIN_EAST_ASIA_FONT = "Microsoft YaHei"
PLAIN_SIZE_PT = 12.0
PLAIN_MARGIN_MM = 25.0
_PLAIN_HEADING_SIZES_PT = {1: 20.0, 2: 16.0, 3: 14.0}
_LIST_INDENT_PT = 18.0
_MAX_LIST_STYLE_LEVEL = 3


# -- plain -----------------------------------------------------------------------------------------------------------


def _build_plain(document: DocxDocument, doc: ExportDocument) -> None:
    latin, east_asia = PLAIN_LATIN_FONT, PLAIN_EAST_ASIA_FONT
    set_page(
        document.sections[0], top=PLAIN_MARGIN_MM, bottom=PLAIN_MARGIN_MM, left=PLAIN_MARGIN_MM, right=PLAIN_MARGIN_MM
    )
    set_document_fonts(document, doc, latin, east_asia, PLAIN_SIZE_PT)
    normal = document.styles["Normal"].paragraph_format
    normal.space_after = Pt(6)
    normal.line_spacing = 1.3
    for level in range(1, 7):
        style = document.styles[f"Heading {level}"]
        set_rfonts(style.element, latin, east_asia)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.size = Pt(_PLAIN_HEADING_SIZES_PT.get(level, PLAIN_SIZE_PT))
    for block in doc.blocks():
        _add_plain_block(document, doc, block, latin, east_asia)


def _add_plain_block(document: DocxDocument, doc: ExportDocument, block: Block, latin: str, east_asia: str) -> None:
    if block.kind is BlockKind.HEADING:
        paragraph = document.add_paragraph(style=f"Heading {block.level}")
    elif block.kind is BlockKind.BULLET:
        level = min(block.level + 1, _MAX_LIST_STYLE_LEVEL)
        paragraph = document.add_paragraph(style="List Bullet" if level == 1 else f"List Bullet {level}")
    elif block.kind is BlockKind.ORDERED:
        # The writer's own numbers, as text: Word's list numbering would renumber or continue across lists.
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = Pt(_LIST_INDENT_PT * (block.level + 1))
        paragraph.paragraph_format.first_line_indent = Pt(-_LIST_INDENT_PT)
        add_spans(paragraph, (Span(f"{block.number}.\t"),), latin=latin, east_asia=east_asia)
    else:
        paragraph = document.add_paragraph()
        if doc.language == "zh":
            paragraph.paragraph_format.first_line_indent = Pt(2 * PLAIN_SIZE_PT)
    add_spans(paragraph, block.spans, latin=latin, east_asia=east_asia)


def _set_core_properties(document: DocxDocument, doc: ExportDocument) -> None:
    props = document.core_properties
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    props.title = doc.display_title()
    props.language = doc.language_tag
    props.author = ""  # the template's own author would otherwise stay in the file
    props.last_modified_by = ""
    props.comments = ""
    props.created = now
    props.modified = now
    props.revision = 1


def build_docx(doc: ExportDocument) -> DocxDocument:
    """The python-docx document for ``doc`` (plain or 公文 layout), not yet saved."""
    document = Document()
    _set_core_properties(document, doc)
    if doc.gongwen:
        build_gongwen(document, doc)
    else:
        _build_plain(document, doc)
    return document


class DocxExporter(Exporter):
    """Writes a Word document (.docx)."""

    format = ExportFormat.DOCX

    def render(self, doc: ExportDocument) -> bytes:
        out = io.BytesIO()
        build_docx(doc).save(out)
        return out.getvalue()
