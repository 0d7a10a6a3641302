"""The 公文 DOCX: the layout model of :mod:`~ziya_desktop.documents.export.gongwen_layout` as Word paragraphs.

The page is A4 with the standard's margins and a line grid of 22 lines; 28 三号 characters fill the 156 mm line
through the Normal style's character spacing (see :func:`~ziya_desktop.documents.export.docx_common.set_doc_grid`),
with the defaults and the Normal style both at 16 pt. The title and the red mark keep their natural width; lines
are exact 28.95 pt; Chinese line breaking with hanging closing punctuation, as the PDF export does. The 版记 is
pushed to the foot of the last, even, page by a spacer whose height comes from the same pagination the PDF uses.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.base import ExportDocument
from ziya_desktop.documents.export.docx_common import (
    GONGWEN_CHAR_SPACING_TWIPS,
    TWIPS_PER_PT,
    page_number_paragraph,
    set_doc_grid,
    set_document_fonts,
    set_outline_level,
    set_page,
    set_rfonts,
)
from ziya_desktop.documents.export.gongwen import Role, heading_level
from ziya_desktop.documents.export.gongwen_layout import layout_for
from ziya_desktop.documents.export.gongwen_lines import AREA_WIDTH_PT, paginate
from ziya_desktop.documents.export.gongwen_model import BLACK, FACE_STACKS, Align, GongwenLayout, Para, Run

__all__ = ["build_gongwen"]

_ALIGN = {
    Align.JUSTIFY: WD_ALIGN_PARAGRAPH.JUSTIFY,
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
    Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
}
# Paragraph properties that must come after the ones added here, in the schema's order.
_PPR_AFTER_TYPOGRAPHY = (
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
# The run properties after w:snapToGrid and after w:spacing, in the schema's order (python-docx may have added some).
_RPR_ORDER = ("w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs")
_RPR_AFTER_SNAP = (*_RPR_ORDER, "w:highlight", "w:u", "w:effect", "w:lang")
_RPR_AFTER_SPACING = _RPR_AFTER_SNAP[4:]


def _half_width(text: str, _run: Run, size: float) -> float:
    """Times New Roman digits and Latin letters are about half an em; only the pagination estimate uses this."""
    return len(text) * size / 2


def _on_off(ppr_or_rpr: object, tag: str, value: bool, after: tuple[str, ...]) -> None:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "1" if value else "0")
    ppr_or_rpr.insert_element_before(element, *after)  # type: ignore[attr-defined]


def _set_typography(document: DocxDocument) -> None:
    """Normal: exact 28.95 pt lines, no spacing, Chinese line breaking with hanging punctuation, no extra space
    between Chinese and Latin text (it would push characters off the grid)."""
    normal = document.styles["Normal"]
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(gongwen.LINE_PITCH_PT)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.widow_control = False  # moving a lone line would break the 22-line grid
    ppr = normal.element.get_or_add_pPr()
    # Every line is exactly 28.95 pt: LibreOffice would otherwise give a line of the 42 pt mark or the 22 pt title
    # two lines of the grid.
    _on_off(ppr, "w:snapToGrid", False, ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:jc"))
    for tag, value in (
        ("w:kinsoku", True),
        ("w:overflowPunct", True),
        ("w:autoSpaceDE", False),
        ("w:autoSpaceDN", False),
    ):
        _on_off(
            ppr, tag, value, ("w:wordWrap", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", *_PPR_AFTER_TYPOGRAPHY)
        )


def _set_defaults_size(document: DocxDocument) -> None:
    """The document defaults at 三号 too (a suite that reads sizes from them gets the Normal style's), and the body's
    character spacing on the Normal style."""
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if defaults is not None:
        for tag in ("w:sz", "w:szCs"):
            element = defaults.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                defaults.append(element)
            element.set(qn("w:val"), str(round(gongwen.BODY_SIZE_PT * 2)))
    _set_spacing(document.styles["Normal"].element.get_or_add_rPr(), GONGWEN_CHAR_SPACING_TWIPS)


def _set_spacing(rpr: object, twips: int) -> None:
    spacing = rpr.find(qn("w:spacing"))  # type: ignore[attr-defined]
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_RPR_AFTER_SPACING)  # type: ignore[attr-defined]
    spacing.set(qn("w:val"), str(twips))


def _indent(paragraph: Paragraph, para: Para) -> None:
    """Indents in characters (``w:*Chars``, hundredths) with the same lengths in twips for suites that ignore them."""
    unit = gongwen.CHAR_PITCH_PT * para.size_pt / gongwen.BODY_SIZE_PT if para.grid else para.size_pt
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    if para.left_indent:
        ind.set(qn("w:left"), str(round(para.left_indent * unit * TWIPS_PER_PT)))
        ind.set(qn("w:leftChars"), str(round(para.left_indent * 100)))
    if para.right_indent and para.rule_below is None:
        # A bottom border spans the paragraph between its indents: the 分隔线 must stay as wide as the type area,
        # so a ruled line keeps its right indent in its tab stop only.
        ind.set(qn("w:right"), str(round(para.right_indent * unit * TWIPS_PER_PT)))
        ind.set(qn("w:rightChars"), str(round(para.right_indent * 100)))
    if para.first_indent > 0:
        ind.set(qn("w:firstLine"), str(round(para.first_indent * unit * TWIPS_PER_PT)))
        ind.set(qn("w:firstLineChars"), str(round(para.first_indent * 100)))
    elif para.first_indent < 0:
        ind.set(qn("w:hanging"), str(round(-para.first_indent * unit * TWIPS_PER_PT)))
        ind.set(qn("w:hangingChars"), str(round(-para.first_indent * 100)))


def _border_below(paragraph: Paragraph, para: Para) -> None:
    rule = para.rule_below
    if rule is None:
        return
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "thickThinSmallGap" if rule.double else "single")
    bottom.set(qn("w:sz"), str(max(2, round(rule.thickness_pt * 8 * (2 if rule.double else 1)))))
    bottom.set(qn("w:space"), str(min(31, round(rule.gap_pt))))
    bottom.set(qn("w:color"), rule.color)
    borders.append(bottom)
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:spacing", "w:ind")


def _add_run(paragraph: Paragraph, run: Run, para: Para) -> None:
    r = paragraph.add_run(run.text)
    r.bold = run.bold or None
    if para.size_pt != gongwen.BODY_SIZE_PT:
        r.font.size = Pt(para.size_pt)
    if para.color != BLACK:
        r.font.color.rgb = RGBColor.from_string(para.color)
    set_rfonts(r._r, gongwen.LATIN_FONT, FACE_STACKS[run.face][0])
    if not para.grid:
        # Off the grid: the title, the mark and the 版记 keep their natural width.
        _on_off(r._r.get_or_add_rPr(), "w:snapToGrid", False, _RPR_AFTER_SNAP)
        _set_spacing(r._r.get_or_add_rPr(), 0)


def _rule_height(para: Para) -> float:
    """How much a bottom border adds below its paragraph in Word and LibreOffice: its spacing and its width."""
    rule = para.rule_below
    return 0.0 if rule is None else min(31, round(rule.gap_pt)) + rule.thickness_pt * (2 if rule.double else 1)


def _add_para(document: DocxDocument, para: Para, taken_pt: float = 0.0) -> Paragraph:
    """``taken_pt``: space the paragraph before already added (its rule), which this one's space before absorbs."""
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    paragraph.alignment = _ALIGN[para.align]
    if para.line_pt != gongwen.LINE_PITCH_PT:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(para.line_pt)
    if para.space_before_pt - taken_pt > 0:
        fmt.space_before = Pt(para.space_before_pt - taken_pt)
    if para.new_page:
        fmt.page_break_before = True
    _indent(paragraph, para)
    if para.role is Role.HEADING and (level := heading_level(para.text)) in (1, 2):
        set_outline_level(paragraph, level)
    if para.lines:
        for index, line in enumerate(para.lines):
            if index:
                paragraph.add_run().add_break(WD_BREAK.LINE)
            for run in line:
                _add_run(paragraph, run, para)
    else:
        for run in para.runs:
            _add_run(paragraph, run, para)
    if para.right_runs:
        unit = gongwen.CHAR_PITCH_PT if para.grid else para.size_pt
        position = AREA_WIDTH_PT - (para.left_indent + para.right_indent) * unit
        fmt.tab_stops.add_tab_stop(Pt(position), WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run("\t")
        for run in para.right_runs:
            _add_run(paragraph, run, para)
    _border_below(paragraph, para)
    return paragraph


def _record_borders(paragraph: Paragraph, top_pt: float, bottom_pt: float | None) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side, width in (("w:top", top_pt), ("w:bottom", bottom_pt)):
        if width is None:
            continue
        edge = OxmlElement(side)
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), str(max(2, round(width * 8))))
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "000000")
        borders.append(edge)
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:spacing", "w:ind")


def _in_bottom_frame(paragraph: Paragraph) -> None:
    """Put ``paragraph`` in a frame at the foot of the type area, as wide as it; consecutive paragraphs with the
    same frame share it. The frame stays at the bottom whatever the suite's line breaks did above it."""
    frame = OxmlElement("w:framePr")
    frame.set(qn("w:w"), str(round(AREA_WIDTH_PT * TWIPS_PER_PT)))
    frame.set(qn("w:wrap"), "around")
    frame.set(qn("w:vAnchor"), "margin")
    frame.set(qn("w:hAnchor"), "margin")
    frame.set(qn("w:xAlign"), "center")
    frame.set(qn("w:yAlign"), "bottom")
    paragraph._p.get_or_add_pPr().insert_element_before(
        frame, "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:spacing", "w:ind"
    )


def _add_record(document: DocxDocument, layout: GongwenLayout) -> None:
    """The 版记 in a frame at the foot of the last page, an even one.

    When the pagination puts it on the page where the text ends, it follows the text there; otherwise it opens a
    section that starts on an even page, so the suite itself inserts the blank page a short odd page needs, however
    its line breaks differ from ours.
    """
    pages = paginate(layout, _half_width)
    on_page = next(i for i, page in enumerate(pages) if any(line.para in layout.record for line in page.lines))
    text_ends = max(
        (i for i, page in enumerate(pages) if any(line.para in layout.flow for line in page.lines)), default=0
    )
    if on_page != text_ends:
        document.add_section(WD_SECTION_START.EVEN_PAGE if layout.record_rules else WD_SECTION_START.NEW_PAGE)
    thick, thin = gongwen.mm_to_pt(0.35), gongwen.mm_to_pt(0.25)
    for index, para in enumerate(layout.record):
        paragraph = _add_para(document, para)
        _in_bottom_frame(paragraph)
        if layout.record_rules:
            last = index == len(layout.record) - 1
            _record_borders(paragraph, thick if index == 0 else thin, thick if last else None)


def _footers(document: DocxDocument, layout: GongwenLayout) -> None:
    section = document.sections[0]
    document.settings.odd_and_even_pages_header_footer = True
    page_number_paragraph(section.footer.paragraphs[0], odd=True)
    page_number_paragraph(section.even_page_footer.paragraphs[0], odd=False)
    if layout.letter_first_page:
        section.different_first_page_header_footer = True  # the 信函格式's first page has no number


def build_gongwen(document: DocxDocument, doc: ExportDocument) -> None:
    """Fill ``document`` with the 公文 ``doc`` (its parts, or parts read off a hand-typed text)."""
    layout = layout_for(doc.parts, doc.blocks())
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    set_page(
        section,
        top=gongwen.MARGIN_TOP_MM,
        bottom=gongwen.MARGIN_BOTTOM_MM,
        left=gongwen.MARGIN_LEFT_MM,
        right=gongwen.MARGIN_RIGHT_MM,
    )
    # The footer line's top sits 7 mm under the type area; Word measures the footer from the page's bottom edge.
    footer_line_mm = gongwen.PAGE_NUMBER_SIZE_PT / gongwen.PT_PER_INCH * gongwen.MM_PER_INCH
    section.footer_distance = Mm(gongwen.MARGIN_BOTTOM_MM - gongwen.PAGE_NUMBER_GAP_MM - footer_line_mm)
    set_doc_grid(section)
    set_document_fonts(document, doc, gongwen.LATIN_FONT, gongwen.BODY_FONTS[0], gongwen.BODY_SIZE_PT)
    _set_defaults_size(document)
    _set_typography(document)
    taken = 0.0
    for para in layout.flow:
        _add_para(document, para, taken)
        taken = _rule_height(para)
    if layout.record:
        _add_record(document, layout)
    _footers(document, layout)
