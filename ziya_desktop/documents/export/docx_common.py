"""What the DOCX exports share: full font names on runs and styles, languages, page size, the character grid,
outline levels and the “— N —” page number footer.

python-docx's ``font.name`` sets only the Latin slots (``w:ascii``/``w:hAnsi``); Word then shows Chinese in the
theme's East Asian font. Every run, the Normal style, the heading styles and the document defaults therefore get a
full ``w:rFonts`` (Latin, ``w:eastAsia`` and complex script) with the theme attributes removed, and a ``w:lang``.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.base import ExportDocument
from ziya_desktop.documents.export.markdown_blocks import Span

__all__ = [
    "GONGWEN_CHAR_SPACING_TWIPS",
    "TWIPS_PER_PT",
    "add_spans",
    "doc_defaults_rpr",
    "page_number_paragraph",
    "set_doc_grid",
    "set_document_fonts",
    "set_lang",
    "set_outline_level",
    "set_page",
    "set_rfonts",
    "set_rpr_fonts",
]

TWIPS_PER_PT = 20
# Character spacing of the 公文 body in twips: 16 pt − 0.25 pt, so that 28 characters fit the 156 mm line.
GONGWEN_CHAR_SPACING_TWIPS = -5
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_PPR_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def set_rfonts(owner: BaseOxmlElement, latin: str, east_asia: str) -> None:
    """Name ``latin`` and ``east_asia`` fonts in the rPr of ``owner`` (a run or a style element)."""
    set_rpr_fonts(owner.get_or_add_rPr(), latin, east_asia)  # type: ignore[attr-defined]


def set_rpr_fonts(rpr: CT_RPr, latin: str, east_asia: str) -> None:
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:  # a theme attribute would win over the explicit name
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def set_lang(rpr: CT_RPr, tag: str) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, *_RPR_AFTER_LANG)
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), "zh-CN")


def doc_defaults_rpr(document: DocxDocument) -> CT_RPr | None:
    """The ``w:docDefaults/w:rPrDefault/w:rPr`` of styles.xml, created when the template lacks it."""
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    if defaults is None:
        return None
    rpr = defaults.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        defaults.append(rpr)
    return rpr if isinstance(rpr, CT_RPr) else None


def set_document_fonts(document: DocxDocument, doc: ExportDocument, latin: str, east_asia: str, size: float) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(size)
    set_rfonts(normal.element, latin, east_asia)
    set_lang(normal.element.get_or_add_rPr(), doc.language_tag)
    # Styles not based on Normal (footers in some templates, table styles) fall back to the document defaults.
    defaults = doc_defaults_rpr(document)
    if defaults is not None:
        set_rpr_fonts(defaults, latin, east_asia)
        set_lang(defaults, doc.language_tag)


def add_spans(
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
        set_rfonts(run._r, latin, east_asia)


def set_page(section: Section, *, top: float, bottom: float, left: float, right: float) -> None:
    section.page_width = Mm(gongwen.PAGE_WIDTH_MM)
    section.page_height = Mm(gongwen.PAGE_HEIGHT_MM)
    section.top_margin = Mm(top)
    section.bottom_margin = Mm(bottom)
    section.left_margin = Mm(left)
    section.right_margin = Mm(right)


def set_doc_grid(section: Section) -> None:
    """A line grid of 22 lines; the 28 characters a line come from the Normal style's character spacing.

    A character grid (``linesAndChars``) cannot give 28 三号 characters in every suite: Word squeezes each character
    to the 15.79 pt pitch, but LibreOffice gives a character wider than a cell two cells, and 16 pt is wider than
    15.79 pt, so it showed 14 characters a line. A spacing of −0.25 pt on every character (15.75 pt, 28 of them in
    441 of the line's 442.2 pt) is honoured alike by Word, WPS and LibreOffice.
    """
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.insert_element_before(grid, "w:printerSettings", "w:sectPrChange")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(gongwen.LINE_PITCH_PT * TWIPS_PER_PT)))
    grid.attrib.pop(qn("w:charSpace"), None)


def set_outline_level(paragraph: Paragraph, level: int) -> None:
    """Show 一、 and （一） headings in Word's navigation pane without a heading style's own look."""
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), str(level - 1))
    paragraph._p.get_or_add_pPr().insert_element_before(outline, *_PPR_AFTER_OUTLINE)


def page_number_paragraph(paragraph: Paragraph, *, odd: bool) -> None:
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
        set_rfonts(r._r, font, font)
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
