"""The 公文 DOCX: the layout model of :mod:`~ziya_desktop.documents.export.gongwen_layout` as Word paragraphs.

The page is A4 with the standard's margins and a line grid of 22 lines; 28 三号 characters fill the 156 mm line
through the Normal style's character spacing (see :func:`~ziya_desktop.documents.export.docx_common.set_doc_grid`),
with the defaults and the Normal style both at 16 pt. The title and the red mark keep their natural width; lines
are exact 28.95 pt; Chinese line breaking.

The pages are decided here, from the layout model's pagination (:func:`_docx_pages`), not left to the suite: one
section with the page numbers, the text flowing as in every suite it breaks alike, and the 版记 a table floating
at the foot of its page. That page is the one where the text ends when there is room, else the next one, after an
explicit page break, or the one after a blank page; the blank page and the 版记 page then carry no number (a
section of their own, its footers empty). No even-page section break: LibreOffice numbers the blank page such a
break inserts and leaves it out of its PDF and its print by default.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.base import ExportDocument
from ziya_desktop.documents.export.docx_common import (
    GONGWEN_CHAR_SPACING_TWIPS,
    TWIPS_PER_PT,
    float_at_page_foot,
    page_number_paragraph,
    set_cell_edge,
    set_doc_grid,
    set_document_fonts,
    set_outline_level,
    set_page,
    set_rfonts,
    set_row_height,
)
from ziya_desktop.documents.export.gongwen import Role, heading_level
from ziya_desktop.documents.export.gongwen_layout import addressees_to_record, layout_for
from ziya_desktop.documents.export.gongwen_lines import (
    AREA_WIDTH_PT,
    NO_LINE_START,
    LaidLine,
    PageContent,
    break_para,
    paginate,
)
from ziya_desktop.documents.export.gongwen_model import BLACK, FACE_STACKS, Align, GongwenLayout, Para, Run

__all__ = ["build_gongwen"]

_ALIGN = {
    Align.JUSTIFY: WD_ALIGN_PARAGRAPH.JUSTIFY,
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
    Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
}
# The paragraph properties in the schema's order (CT_PPrBase, then what CT_PPr adds): each one added here goes
# before the first of those after it that the paragraph already has.
_PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
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
# What 22 lines take: the most a page holds in LibreOffice, whose line grid shrinks the body to it.
_FULL_PAGE_PT = gongwen.LINES_PER_PAGE * gongwen.LINE_PITCH_PT
_SHAVE_MARGIN_PT = 0.1  # for the twips each space is rounded to
_EPS_PT = 0.01


def _half_width(text: str, _run: Run, size: float) -> float:
    """Times New Roman digits and Latin letters are about half an em; only the pagination estimate uses this."""
    return len(text) * size / 2


def _on_off(ppr_or_rpr: object, tag: str, value: bool, after: tuple[str, ...]) -> None:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "1" if value else "0")
    ppr_or_rpr.insert_element_before(element, *after)  # type: ignore[attr-defined]


def _after(tag: str) -> tuple[str, ...]:
    """The paragraph properties that come after ``tag``."""
    return _PPR_ORDER[_PPR_ORDER.index(tag) + 1 :]


def _set_typography(document: DocxDocument) -> None:
    """Normal: exact 28.95 pt lines, no spacing, Chinese line breaking with hanging punctuation, no extra space
    between Chinese and Latin text (it would push characters off the grid).

    Word and WPS hang a closing mark past the margin; LibreOffice moves the last character down with it instead
    (and with ``w:overflowPunct`` off it loses marks at line ends). See :func:`_pushes` for how the pages stay the
    same in every suite.
    """
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
    for tag, value in (
        ("w:snapToGrid", False),
        ("w:kinsoku", True),
        ("w:overflowPunct", True),
        ("w:autoSpaceDE", False),
        ("w:autoSpaceDN", False),
    ):
        _on_off(ppr, tag, value, _after(tag))


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
    bottom.set(qn("w:space"), str(_rule_space(para)))
    bottom.set(qn("w:color"), rule.color)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_after("w:pBdr"))


def _pushed(para: Para) -> Para:
    """``para`` as the line breaker breaks it without hanging closing marks: it hangs them only in justified or
    left-aligned text, and alignment plays no other part in where lines (and so pages) break."""
    return replace(para, align=Align.CENTER) if para.grid and not para.lines else para


def _pushes(para: Para) -> list[int]:
    """Where a forced line break keeps a paragraph's lines the same in every suite: offsets in its runs' text.

    The DOCX is paginated as LibreOffice breaks lines, a closing mark that does not fit moving down with the
    character before it (:func:`_docx_pages`). Where Word and WPS, which hang the mark, would give the paragraph
    fewer lines, every such line ends with a line break before the character that moves down, so that they break
    it the same way. Elsewhere a hanging mark changes no page and the text is left to flow.
    """
    if not para.grid or para.lines:
        return []
    pushed = break_para(_pushed(para), _half_width)
    if len(pushed) == len(break_para(para, _half_width)):
        return []
    out: list[int] = []
    offset = 0
    for line, following in itertools.pairwise(pushed):
        offset += sum(len(glyph.text) for glyph in line.glyphs)
        marks = following.glyphs[1:2]
        if marks and marks[0].text[:1] in NO_LINE_START:
            out.append(offset)
    return out


def _add_runs(paragraph: Paragraph, para: Para) -> None:
    """The paragraph's runs, with the line breaks of :func:`_pushes`."""
    breaks = _pushes(para)
    offset = 0
    for run in para.runs:
        cuts = [cut - offset for cut in breaks if offset < cut <= offset + len(run.text)]
        start = 0
        for cut in cuts:
            _add_run(paragraph, replace(run, text=run.text[start:cut]), para)
            paragraph.add_run().add_break(WD_BREAK.LINE)
            start = cut
        if start < len(run.text) or not cuts:
            _add_run(paragraph, replace(run, text=run.text[start:]), para)
        offset += len(run.text)


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


def _rule_space(para: Para) -> int:
    """The border's distance below the paragraph's last line box, in whole points (at most 31): the layout puts
    the rule ``gap_pt`` below the glyphs, which end half the line's leading above the bottom of its box."""
    rule = para.rule_below
    return 0 if rule is None else max(0, min(31, round(rule.gap_pt - (para.line_pt - para.size_pt) / 2)))


def _rule_height(para: Para) -> float:
    """How much a bottom border adds below its paragraph in Word and LibreOffice: its spacing and its width."""
    rule = para.rule_below
    return 0.0 if rule is None else _rule_space(para) + rule.thickness_pt * (2 if rule.double else 1)


def _add_para(container: DocxDocument | _Cell, para: Para, taken_pt: float = 0.0) -> Paragraph:
    """``taken_pt``: space the paragraph before already added (its rule), which this one's space before absorbs."""
    paragraph = container.add_paragraph()
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
        _add_runs(paragraph, para)
    if para.right_runs:
        unit = gongwen.CHAR_PITCH_PT if para.grid else para.size_pt
        position = AREA_WIDTH_PT - (para.left_indent + para.right_indent) * unit
        fmt.tab_stops.add_tab_stop(Pt(position), WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run("\t")
        for run in para.right_runs:
            _add_run(paragraph, run, para)
    _border_below(paragraph, para)
    return paragraph


@dataclass(frozen=True)
class _Plan:
    """What the DOCX takes from its pagination; paragraphs are given by their index in the flow.

    ``shave``: points taken off a paragraph's space before, so that no page holds more than 22 lines: the model
    lets a page run up to half a point past the type area, LibreOffice's line grid shrinks the body to
    22 × 28.95 pt. ``anchor``: the paragraph the 版记 floats on when it shares the page where the text ends.
    ``breaks``: how many pages the 版记 page lies beyond the page where the text ends; ``unnumbered``: whether
    those pages carry no page number (a blank page before the 版记 page, and the 版记 page then).
    """

    shave: dict[int, float] = field(default_factory=dict)
    anchor: int | None = None
    breaks: int = 0
    unnumbered: bool = False


def _docx_pages(layout: GongwenLayout) -> tuple[GongwenLayout, list[PageContent]]:
    """The layout (its 主送机关 moved to the 版记 where the first page would show no body text) and its pages as
    the DOCX lays it out: the PDF's pagination, with closing marks that do not hang (:func:`_pushes`), the rules
    of the 版头 taking room (see :func:`_rule_height`) and no space before a paragraph less than nothing (the
    信函格式's mark, which the PDF puts above the type area, starts at its top)."""
    flow: list[Para] = []
    taken = 0.0
    for para in layout.flow:
        # The space a paragraph takes in the DOCX: none less than nothing, nor than the rule above it adds.
        flow.append(replace(_pushed(para), space_before_pt=max(para.space_before_pt, taken)))
        taken = _rule_height(para)
    unhung = replace(layout, flow=tuple(flow))
    pages = paginate(unhung, _half_width)
    shown = {id(line.para) for page in pages for line in page.lines}
    if any(para.role is Role.ADDRESSEE and id(para) not in shown for para in unhung.flow):
        layout = addressees_to_record(layout)  # as the pagination did: the first page must show body text
        unhung = addressees_to_record(unhung)
    index = {id(para): i for i, para in enumerate(unhung.flow)}
    for page in pages:  # the lines' paragraphs as the layout has them
        for line in page.lines:
            if id(line.para) in index:
                line.para = layout.flow[index[id(line.para)]]
    return layout, pages


def _plan(flow: tuple[Para, ...], pages: list[PageContent]) -> _Plan:
    index = {id(para): i for i, para in enumerate(flow)}
    shave: dict[int, float] = {}
    starts: dict[int, list[LaidLine]] = {}  # each paragraph's first line, by page
    seen: set[int] = set()
    for number, page in enumerate(pages):
        lines = [line for line in page.lines if id(line.para) in index]
        for line in lines:
            if id(line.para) not in seen:
                seen.add(id(line.para))
                starts.setdefault(number, []).append(line)
        # The 版记 on the page where the text ends needs its room below the text.
        record = sum(line.para.line_pt for line in page.lines if id(line.para) not in index)
        excess = max((line.top + line.para.line_pt for line in lines), default=0.0) + record - _FULL_PAGE_PT
        spaced = [line.para for line in starts.get(number, []) if line.top > 0]
        widest = max(spaced, key=lambda para: para.space_before_pt, default=None)
        if excess > _EPS_PT and widest is not None and widest.space_before_pt > excess + _SHAVE_MARGIN_PT:
            shave[index[id(widest)]] = excess + _SHAVE_MARGIN_PT
    text_ends = max((i for i, page in enumerate(pages) if any(id(ln.para) in index for ln in page.lines)), default=0)
    on_page = next((i for i, page in enumerate(pages) if any(id(ln.para) not in index for ln in page.lines)), None)
    if on_page is None or on_page == text_ends:
        first = starts.get(text_ends, [])
        return _Plan(shave, index[id(first[0].para)] if first and on_page is not None else None)
    skipped = range(text_ends + 1, on_page + 1)
    return _Plan(shave, None, on_page - text_ends, any(pages[i].number is None for i in skipped))


def _record_table(document: DocxDocument, layout: GongwenLayout) -> Table:
    """The 版记 as a table of one column floating at the foot of the page: a row a line, between thick and thin
    rules (none in the 信函格式), each row exactly its line high (the first less its rule) so that no suite lets
    the rules add height."""
    table: Table = document.add_table(rows=len(layout.record), cols=1)
    float_at_page_foot(table, left_mm=gongwen.MARGIN_LEFT_MM, width_mm=gongwen.BODY_WIDTH_MM)
    thick, thin = gongwen.mm_to_pt(0.35), gongwen.mm_to_pt(0.25)
    for index, para in enumerate(layout.record):
        cell = table.cell(index, 0)
        empty = cell.paragraphs[0]._p
        _add_para(cell, para)
        cell._tc.remove(empty)
        # The top rule must not touch the text above the table, or the suite moves that text to the next page.
        set_row_height(table, index, para.line_pt - (thick if index == 0 and layout.record_rules else 0.0))
        if layout.record_rules:
            set_cell_edge(cell, "top", thick if index == 0 else thin)
            if index == len(layout.record) - 1:
                set_cell_edge(cell, "bottom", thick)
    return table


def _empty_paragraph(document: DocxDocument, *, page_break: bool = False) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.page_break_before = page_break or None
    return paragraph


def _add_record(document: DocxDocument, layout: GongwenLayout, plan: _Plan, flow: list[Paragraph]) -> None:
    """The 版记 at the foot of the page the pagination gives it, an even one.

    On the page where the text ends it floats on the first paragraph that starts there (on an empty paragraph
    after the text when none does). Otherwise it goes on a page of its own after explicit page breaks, on an empty
    paragraph: the blank page the standard allows before it is one of those pages, and when the pagination numbers
    neither, they are a section without page numbers.
    """
    table = _record_table(document, layout)
    if plan.anchor is not None:
        flow[plan.anchor]._p.addprevious(table._tbl)
        return
    breaks = plan.breaks
    if plan.unnumbered and flow:
        _end_numbered_section(document, flow[-1])
        breaks -= 1  # the new section starts on a new page
        if breaks:
            table._tbl.addprevious(_empty_paragraph(document)._p)  # the blank page
    for _ in range(breaks):
        table._tbl.addprevious(_empty_paragraph(document, page_break=True)._p)
    _empty_paragraph(document)  # the table's anchor, on the same page


def _end_numbered_section(document: DocxDocument, last: Paragraph) -> None:
    """End the numbered section at ``last``; what follows starts a new page without page numbers."""
    sentinel = document.element.body.get_or_add_sectPr()
    last._p.set_sectPr(sentinel.clone())
    for reference in sentinel.xpath("w:headerReference|w:footerReference"):
        sentinel.remove(reference)
    section = document.sections[-1]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.different_first_page_header_footer = False
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False


def _footers(document: DocxDocument, layout: GongwenLayout) -> None:
    section = document.sections[0]
    document.settings.odd_and_even_pages_header_footer = True
    page_number_paragraph(section.footer.paragraphs[0], odd=True)
    page_number_paragraph(section.even_page_footer.paragraphs[0], odd=False)
    if layout.letter_first_page:
        section.different_first_page_header_footer = True  # the 信函格式's first page has no number


def build_gongwen(document: DocxDocument, doc: ExportDocument) -> None:
    """Fill ``document`` with the 公文 ``doc`` (its parts, or parts read off a hand-typed text)."""
    layout, pages = _docx_pages(layout_for(doc.parts, doc.blocks()))
    plan = _plan(layout.flow, pages)
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
    flow: list[Paragraph] = []
    for index, para in enumerate(layout.flow):
        flow.append(_add_para(document, para, taken + plan.shave.get(index, 0.0)))
        taken = _rule_height(para)
    _footers(document, layout)
    if layout.record:
        _add_record(document, layout, plan, flow)
