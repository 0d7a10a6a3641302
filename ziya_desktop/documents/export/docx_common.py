"""What the DOCX exports share: full font names on runs and styles, languages, page size, the character grid,
outline levels, the “— N —” page number footer and a table floating at the foot of a page.

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
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.base import ExportDocument
from ziya_desktop.documents.export.markdown_blocks import Span

__all__ = [
    "GONGWEN_CHAR_SPACING_TWIPS",
    "TWIPS_PER_PT",
    "add_spans",
    "doc_defaults_rpr",
    "float_at_page_foot",
    "page_number_paragraph",
    "set_cell_edge",
    "set_doc_grid",
    "set_document_fonts",
    "set_lang",
    "set_outline_level",
    "set_page",
    "set_rfonts",
    "set_row_height",
    "set_rpr_fonts",
]

TWIPS_PER_PT = 20
# Character spacing of the 公文 body in twips: 16 pt − 0.25 pt, so that 28 characters fit the 156 mm line.
GONGWEN_CHAR_SPACING_TWIPS = -5
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_RPR_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_PPR_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
# The table properties after w:tblpPr, after w:tblLayout and after w:tblCellMar, in the schema's order.
_TBLPR_AFTER_POSITION = (
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
)
_TBLPR_AFTER_CELL_MARGINS = _TBLPR_AFTER_POSITION[-4:]
_TCPR_AFTER_BORDERS = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")
_TCBORDERS_ORDER = ("w:top", "w:start", "w:left", "w:bottom", "w:end", "w:right", "w:insideH", "w:insideV")


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


def float_at_page_foot(table: Table, *, left_mm: float, width_mm: float) -> None:
    """Make ``table`` a floating table whose bottom edge is the bottom margin of the page its anchor is on.

    The anchor is the paragraph that follows the table (Word, WPS and LibreOffice alike); the table takes no room
    in the text. It is placed from the page's left edge rather than centred on the margins: a table as wide as the
    type area placed relative to the margins stays an inline table in LibreOffice. No cell margins, so that the
    paragraphs' indents are measured from the type area's edge.
    """
    tbl_pr = table._tbl.tblPr
    position = OxmlElement("w:tblpPr")
    for name, value in (
        ("w:leftFromText", "0"),
        ("w:rightFromText", "0"),
        ("w:topFromText", "0"),
        ("w:bottomFromText", "0"),
        ("w:vertAnchor", "margin"),
        ("w:horzAnchor", "page"),
        ("w:tblpX", str(_twips(left_mm))),
        ("w:tblpYSpec", "bottom"),
    ):
        position.set(qn(name), value)
    tbl_pr.insert_element_before(position, *_TBLPR_AFTER_POSITION)
    overlap = OxmlElement("w:tblOverlap")
    overlap.set(qn("w:val"), "never")
    tbl_pr.insert_element_before(overlap, *_TBLPR_AFTER_POSITION[1:])
    width = _twips(width_mm)
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(width))
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.insert_element_before(layout, "w:tblCellMar", *_TBLPR_AFTER_CELL_MARGINS)
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:top", "w:left", "w:bottom", "w:right"):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.insert_element_before(margins, *_TBLPR_AFTER_CELL_MARGINS)
    for column in table._tbl.tblGrid.gridCol_lst:
        column.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell in row.cells:
            cell.width = Mm(width_mm)


def set_row_height(table: Table, index: int, height_pt: float) -> None:
    """An exact row height: its borders included, whatever the suite."""
    tr_pr = table.rows[index]._tr.get_or_add_trPr()
    height = OxmlElement("w:trHeight")
    height.set(qn("w:val"), str(round(height_pt * TWIPS_PER_PT)))
    height.set(qn("w:hRule"), "exact")
    tr_pr.append(height)


def set_cell_edge(cell: _Cell, side: str, width_pt: float, color: str = "000000") -> None:
    """A single line of ``width_pt`` on the ``side`` (``"top"``, ``"bottom"``, …) of ``cell``."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tc_pr.insert_element_before(borders, *_TCPR_AFTER_BORDERS)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(max(2, round(width_pt * 8))))
    edge.set(qn("w:space"), "0")
    edge.set(qn("w:color"), color)
    later = _TCBORDERS_ORDER[_TCBORDERS_ORDER.index(f"w:{side}") + 1 :]
    following = next((child for child in borders if child.tag in {qn(tag) for tag in later}), None)
    if following is None:
        borders.append(edge)
    else:
        following.addprevious(edge)


def _twips(mm: float) -> int:
    return round(gongwen.mm_to_pt(mm) * TWIPS_PER_PT)
