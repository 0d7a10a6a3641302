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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.base import ExportDocument, Exporter, ExportFormat
from ziya_desktop.documents.export.gongwen import GongwenParagraph, Role
from ziya_desktop.documents.export.markdown_blocks import Block, BlockKind, Span

__all__ = ["PLAIN_EAST_ASIA_FONT", "PLAIN_LATIN_FONT", "DocxExporter", "build_docx"]

PLAIN_LATIN_FONT = "Calibri"
PLAIN_EAST_ASIA_FONT = "Microsoft YaHei"
PLAIN_SIZE_PT = 12.0
PLAIN_MARGIN_MM = 25.0
_PLAIN_HEADING_SIZES_PT = {1: 20.0, 2: 16.0, 3: 14.0}
_LIST_INDENT_PT = 18.0
_MAX_LIST_STYLE_LEVEL = 3
_TWIPS_PER_PT = 20
# w:charSpace is the extra pitch per character over the Normal font size, in 1/4096 pt.
_GONGWEN_CHAR_SPACE = round((gongwen.CHAR_PITCH_PT - gongwen.BODY_SIZE_PT) * 4096)
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_PPR_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _set_rfonts(owner: BaseOxmlElement, latin: str, east_asia: str) -> None:
    """Name ``latin`` and ``east_asia`` fonts in the rPr of ``owner`` (a run or a style element)."""
    _set_rpr_fonts(owner.get_or_add_rPr(), latin, east_asia)  # type: ignore[attr-defined]


def _set_rpr_fonts(rpr: CT_RPr, latin: str, east_asia: str) -> None:
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:  # a theme attribute would win over the explicit name
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _set_lang(rpr: CT_RPr, tag: str) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, *_RPR_AFTER_LANG)
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _doc_defaults_rpr(document: DocxDocument) -> CT_RPr | None:
    """The ``w:docDefaults/w:rPrDefault/w:rPr`` of styles.xml, created when the template lacks it."""
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    if defaults is None:
        return None
    rpr = defaults.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        defaults.append(rpr)
    return rpr if isinstance(rpr, CT_RPr) else None


def _set_document_fonts(document: DocxDocument, doc: ExportDocument, latin: str, east_asia: str, size: float) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(size)
    _set_rfonts(normal.element, latin, east_asia)
    _set_lang(normal.element.get_or_add_rPr(), doc.language_tag)
    # Styles not based on Normal (footers in some templates, table styles) fall back to the document defaults.
    defaults = _doc_defaults_rpr(document)
    if defaults is not None:
        _set_rpr_fonts(defaults, latin, east_asia)
        _set_lang(defaults, doc.language_tag)


def _add_spans(
    paragraph: Paragraph,
    spans: tuple[Span, ...],
    *,
    latin: str,
    east_asia: str,
    size: float | None = None,
    bold: bool = False,
) -> None:
    for span in spans:
        run = paragraph.add_run(span.text)
        run.bold = span.bold or bold or None
        if size is not None:
            run.font.size = Pt(size)
        _set_rfonts(run._r, latin, east_asia)


def _set_page(section: Section, *, top: float, bottom: float, left: float, right: float) -> None:
    section.page_width = Mm(gongwen.PAGE_WIDTH_MM)
    section.page_height = Mm(gongwen.PAGE_HEIGHT_MM)
    section.top_margin = Mm(top)
    section.bottom_margin = Mm(bottom)
    section.left_margin = Mm(left)
    section.right_margin = Mm(right)


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


# -- plain -----------------------------------------------------------------------------------------------------------


def _build_plain(document: DocxDocument, doc: ExportDocument) -> None:
    latin, east_asia = PLAIN_LATIN_FONT, PLAIN_EAST_ASIA_FONT
    _set_page(
        document.sections[0], top=PLAIN_MARGIN_MM, bottom=PLAIN_MARGIN_MM, left=PLAIN_MARGIN_MM, right=PLAIN_MARGIN_MM
    )
    _set_document_fonts(document, doc, latin, east_asia, PLAIN_SIZE_PT)
    normal = document.styles["Normal"].paragraph_format
    normal.space_after = Pt(6)
    normal.line_spacing = 1.3
    for level in range(1, 7):
        style = document.styles[f"Heading {level}"]
        _set_rfonts(style.element, latin, east_asia)
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
        _add_spans(paragraph, (Span(f"{block.number}.\t"),), latin=latin, east_asia=east_asia)
    else:
        paragraph = document.add_paragraph()
        if doc.language == "zh":
            paragraph.paragraph_format.first_line_indent = Pt(2 * PLAIN_SIZE_PT)
    _add_spans(paragraph, block.spans, latin=latin, east_asia=east_asia)


# -- 公文 ------------------------------------------------------------------------------------------------------------


def _set_doc_grid(section: Section) -> None:
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.insert_element_before(grid, "w:printerSettings", "w:sectPrChange")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(gongwen.LINE_PITCH_PT * _TWIPS_PER_PT)))
    grid.set(qn("w:charSpace"), str(_GONGWEN_CHAR_SPACE))


def _set_outline_level(paragraph: Paragraph, level: int) -> None:
    """Show 一、 and （一） headings in Word's navigation pane without a heading style's own look."""
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level - 1))
    paragraph._p.get_or_add_pPr().insert_element_before(outline, *_PPR_AFTER_OUTLINE)


def _page_number_paragraph(paragraph: Paragraph, *, odd: bool) -> None:
    """“— PAGE —” in 四号宋体, one character in from the outer edge."""
    fmt = paragraph.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if odd:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(gongwen.PAGE_NUMBER_SIZE_PT)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = Pt(gongwen.PAGE_NUMBER_SIZE_PT)
    font = gongwen.PAGE_NUMBER_FONTS[0]

    def run(text: str = "") -> BaseOxmlElement:
        r = paragraph.add_run(text)
        r.font.size = Pt(gongwen.PAGE_NUMBER_SIZE_PT)
        _set_rfonts(r._r, font, font)
        return r._r

    run("— ")
    begin, separate, end = (OxmlElement("w:fldChar") for _ in range(3))
    begin.set(qn("w:fldCharType"), "begin")
    separate.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run().append(begin)
    run().append(instruction)
    run().append(separate)
    run("1")  # the field's last shown result, until Word or LibreOffice updates it
    run().append(end)
    run(" —")


def _build_gongwen(document: DocxDocument, doc: ExportDocument) -> None:
    latin = gongwen.LATIN_FONT
    body_font = gongwen.BODY_FONTS[0]
    section = document.sections[0]
    _set_page(
        section,
        top=gongwen.MARGIN_TOP_MM,
        bottom=gongwen.MARGIN_BOTTOM_MM,
        left=gongwen.MARGIN_LEFT_MM,
        right=gongwen.MARGIN_RIGHT_MM,
    )
    # The footer line's top sits 7 mm under the type area; Word measures the footer from the page's bottom edge.
    footer_line_mm = gongwen.PAGE_NUMBER_SIZE_PT / gongwen.PT_PER_INCH * gongwen.MM_PER_INCH
    section.footer_distance = Mm(gongwen.MARGIN_BOTTOM_MM - gongwen.PAGE_NUMBER_GAP_MM - footer_line_mm)
    _set_doc_grid(section)
    _set_document_fonts(document, doc, latin, body_font, gongwen.BODY_SIZE_PT)
    normal = document.styles["Normal"].paragraph_format
    normal.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.line_spacing = Pt(gongwen.LINE_PITCH_PT)
    normal.space_before = Pt(0)
    normal.space_after = Pt(0)
    normal.widow_control = False  # moving a lone line would break the 22-line grid
    for paragraph in gongwen.layout_gongwen(doc.blocks()):
        _add_gongwen_paragraph(document, paragraph, latin, body_font)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number_paragraph(section.footer.paragraphs[0], odd=True)
    _page_number_paragraph(section.even_page_footer.paragraphs[0], odd=False)


def _add_gongwen_paragraph(document: DocxDocument, item: GongwenParagraph, latin: str, body_font: str) -> None:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    if item.role is Role.DOC_NUMBER:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(gongwen.LINE_PITCH_PT)  # one empty line between 发文字号 and title
        _add_spans(paragraph, item.body, latin=latin, east_asia=body_font)
        return
    if item.role is Role.TITLE:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.space_after = Pt(gongwen.LINE_PITCH_PT)  # 主送机关 one line under the title
        _add_spans(paragraph, item.body, latin=latin, east_asia=gongwen.TITLE_FONTS[0], size=gongwen.TITLE_SIZE_PT)
        return
    if item.role in (Role.SIGNATURE, Role.DATE):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(item.right_indent_chars * gongwen.BODY_SIZE_PT)
    elif item.role is not Role.ADDRESSEE:
        fmt.first_line_indent = Pt(gongwen.FIRST_LINE_INDENT_PT)
        # Word measures in grid characters when this is present, so the indent is exactly two of the 28.
        paragraph._p.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    if item.role is Role.HEADING:
        if item.level <= 2:
            _set_outline_level(paragraph, item.level)
        _add_spans(
            paragraph,
            item.head,
            latin=latin,
            east_asia=gongwen.HEADING_FONTS[item.level][0],
            bold=item.level == 3,
        )
    _add_spans(paragraph, item.body, latin=latin, east_asia=body_font)


def build_docx(doc: ExportDocument) -> DocxDocument:
    """The python-docx document for ``doc`` (plain or 公文 layout), not yet saved."""
    document = Document()
    _set_core_properties(document, doc)
    if doc.gongwen:
        _build_gongwen(document, doc)
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
