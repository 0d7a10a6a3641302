"""The 公文's lines and pages: each paragraph broken into lines on the 28-character grid, the lines put on pages of
22, the 版记 at the foot of the last even page, and the pages that carry a number.

No Qt here: the width of half-width text (Latin words, digits) comes from a ``measure`` function the renderer
passes in. Full-width characters in a grid paragraph take exactly one cell of
:data:`~ziya_desktop.documents.export.gongwen.CHAR_PITCH_PT` (156 mm / 28), so a full line holds 28 of them,
as Word, WPS and LibreOffice place them on the DOCX's character grid.

Line breaking follows the Chinese rules (禁则): a closing mark never starts a line and an opening one never ends
one. A closing mark that would be the 29th character hangs past the right edge (hanging punctuation, the default of
Word and LibreOffice for Chinese), so the line still holds 28 characters; otherwise the last character moves down
and the line is spread to the full width. Every position is in points from the type area's top-left corner.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.gongwen import Role, mm_to_pt
from ziya_desktop.documents.export.gongwen_layout import addressees_to_record
from ziya_desktop.documents.export.gongwen_model import Align, GongwenLayout, Para, Rule, Run

__all__ = [
    "AREA_HEIGHT_PT",
    "AREA_WIDTH_PT",
    "Glyph",
    "LaidLine",
    "Measure",
    "PageContent",
    "PlacedRule",
    "break_para",
    "paginate",
]

AREA_WIDTH_PT = mm_to_pt(gongwen.BODY_WIDTH_MM)
AREA_HEIGHT_PT = mm_to_pt(gongwen.BODY_HEIGHT_MM)
# The ideographic em box of CJK faces: 0.88 above the baseline, 0.12 below.
ASCENT = 0.88
DESCENT = 0.12
_EPS = 0.01
# Marks that may not start a line (and may hang), and those that may not end one.
NO_LINE_START = "，。、；：？！）》」』”’〕】〉…—·%‰,.;:?!)]}"
NO_LINE_END = "（《「『“‘〔【〈([{"
_HANGING = "，。、；：？！）》」』”’〕】,.;:?!)"
# Interrupted 一字线/省略号 pairs are never split.
_PAIRS = ("——", "……")
_RECORD_RULE_GAP = 0.0

Measure = Callable[[str, Run, float], float]
"""``measure(text, run, size_pt)``: the natural advance of ``text`` in points."""


@dataclass(frozen=True)
class Glyph:
    """Text drawn at ``x`` (points from the type area's left edge); one character, or one half-width word."""

    x: float
    text: str
    run: Run
    width: float


@dataclass
class LaidLine:
    """One line of a paragraph, placed: ``top`` is its line box's top edge, ``baseline`` where the text sits."""

    para: Para
    glyphs: list[Glyph]
    top: float = 0.0
    page: int = 0

    @property
    def baseline(self) -> float:
        return self.top + (self.para.line_pt - self.para.size_pt) / 2 + ASCENT * self.para.size_pt

    @property
    def glyph_bottom(self) -> float:
        return self.baseline + DESCENT * self.para.size_pt

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)


@dataclass(frozen=True)
class PlacedRule:
    y: float
    rule: Rule


@dataclass
class PageContent:
    lines: list[LaidLine] = field(default_factory=list)
    rules: list[PlacedRule] = field(default_factory=list)
    number: int | None = None


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _tokens(runs: Sequence[Run]) -> list[tuple[str, Run]]:
    """Unbreakable pieces: one full-width character (or a ——/…… pair), or a half-width word with its space."""
    out: list[tuple[str, Run]] = []
    for run in runs:
        text, i = run.text, 0
        while i < len(text):
            if text[i : i + 2] in _PAIRS:
                out.append((text[i : i + 2], run))
                i += 2
            elif _wide(text[i]):
                out.append((text[i], run))
                i += 1
            else:
                j = i
                while j < len(text) and not _wide(text[j]) and text[j] != " ":
                    j += 1
                while j < len(text) and text[j] == " ":
                    j += 1
                out.append((text[i : max(j, i + 1)], run))
                i = max(j, i + 1)
    return out


class _Breaker:
    def __init__(self, para: Para, measure: Measure) -> None:
        self.para = para
        self.measure = measure
        scale = para.size_pt / gongwen.BODY_SIZE_PT
        self.cell = gongwen.CHAR_PITCH_PT * scale if para.grid else para.size_pt
        self.unit = self.cell

    def width(self, token: str, run: Run) -> float:
        if self.para.grid and all(_wide(c) for c in token):
            return self.cell * len(token)
        return self.measure(token, run, self.para.size_pt)

    def lines(self, runs: Sequence[Run]) -> list[list[tuple[str, Run, float]]]:
        para = self.para
        tokens = [(t, r, self.width(t, r)) for t, r in _tokens(runs)]
        full = AREA_WIDTH_PT - (para.left_indent + para.right_indent) * self.unit
        out: list[list[tuple[str, Run, float]]] = []
        i = 0
        while i < len(tokens):
            avail = full - (para.first_indent * self.unit if not out else 0.0)
            line: list[tuple[str, Run, float]] = []
            used = 0.0
            while i < len(tokens) and (not line or used + tokens[i][2] <= avail + _EPS):
                line.append(tokens[i])
                used += tokens[i][2]
                i += 1
            if i < len(tokens):
                if self._hangs(line, tokens, i):
                    line.append(tokens[i])
                    i += 1
                else:
                    i -= _fix_break(line, tokens[i])
            out.append(line)
        return out

    def _hangs(self, line: list[tuple[str, Run, float]], tokens: list[tuple[str, Run, float]], i: int) -> bool:
        """Whether the closing mark ``tokens[i]``, which no longer fits, may hang past the right edge."""
        token = tokens[i][0]
        if not self.para.grid or self.para.align not in (Align.JUSTIFY, Align.LEFT) or token not in _HANGING:
            return False
        after = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        return bool(line) and not (after and after[0] in NO_LINE_START)


def _fix_break(line: list[tuple[str, Run, float]], following: tuple[str, Run, float]) -> int:
    """Move tokens down so that no line starts with a closing mark or ends with an opening one; how many moved."""
    moved = 0
    nxt = following
    while len(line) > 1 and nxt[0][0] in NO_LINE_START:
        nxt = line.pop()
        moved += 1
    while len(line) > 1 and line[-1][0][-1] in NO_LINE_END:
        line.pop()
        moved += 1
    return moved


def break_para(para: Para, measure: Measure) -> list[LaidLine]:
    """The paragraph's lines with every glyph's ``x``; ``top`` and ``page`` are set by :func:`paginate`."""
    breaker = _Breaker(para, measure)
    if para.lines:
        pieces = [[(t, r, breaker.width(t, r)) for t, r in _tokens(line)] for line in para.lines]
    else:
        pieces = breaker.lines(para.runs) or [[]]
    unit = breaker.unit
    full = AREA_WIDTH_PT - (para.left_indent + para.right_indent) * unit
    out: list[LaidLine] = []
    for index, piece in enumerate(pieces):
        first = index == 0
        start = (para.left_indent + (para.first_indent if first else 0.0)) * unit
        avail = full - (para.first_indent * unit if first else 0.0)
        last = index == len(pieces) - 1
        out.append(LaidLine(para, _place(piece, start, avail, para.align, last)))
    if para.right_runs and out:
        line = out[-1]
        tokens = [(t, r, breaker.width(t, r)) for t, r in _tokens(para.right_runs)]
        x = AREA_WIDTH_PT - para.right_indent * unit - sum(w for _, _, w in tokens)
        line.glyphs.extend(_place(tokens, x, 0.0, Align.LEFT, True))
    return out


def _place(piece: list[tuple[str, Run, float]], start: float, avail: float, align: Align, last: bool) -> list[Glyph]:
    content = sum(w for _, _, w in piece)
    hanging = 0.0
    if content > avail + _EPS and piece and piece[-1][0] in _HANGING:
        hanging = piece[-1][2]
    slack = avail - (content - hanging)
    x, gap = start, 0.0
    if align is Align.CENTER:
        x += max(0.0, slack) / 2
    elif align is Align.RIGHT:
        x += max(0.0, slack)
    elif align is Align.JUSTIFY and not last and slack > _EPS and len(piece) > 1:
        gap = slack / (len(piece) - 1 - (1 if hanging else 0) or 1)
    glyphs = []
    for index, (text, run, width) in enumerate(piece):
        # A word keeps its space: the PDF's text layer then reads "Hello World", not "HelloWorld".
        glyphs.append(Glyph(x, text, run, width))
        is_hanging = hanging and index == len(piece) - 1
        x += width + (0.0 if is_hanging else gap)
    return glyphs


class _Pager:
    def __init__(self) -> None:
        self.pages: list[PageContent] = [PageContent()]
        self.y = 0.0

    @property
    def page(self) -> int:
        return len(self.pages) - 1

    def new_page(self) -> None:
        self.pages.append(PageContent())
        self.y = 0.0

    def put(self, para: Para, lines: list[LaidLine]) -> None:
        if para.new_page and (self.pages[-1].lines or self.y > 0):
            self.new_page()
        at_top = self.y == 0.0 and self.page > 0
        # Space before is dropped at the top of a continuation page, as the word processors do after a page break.
        self.y += 0.0 if at_top and not para.new_page else para.space_before_pt
        for line in lines:
            if self.y + para.line_pt > AREA_HEIGHT_PT + 0.5 and self.pages[-1].lines:
                self.new_page()
            line.top, line.page = self.y, self.page
            self.pages[-1].lines.append(line)
            self.y += para.line_pt
        if para.rule_below is not None and lines:
            last = lines[-1]
            self.pages[last.page].rules.append(PlacedRule(last.glyph_bottom + para.rule_below.gap_pt, para.rule_below))


def _place_record(pager: _Pager, record: list[list[LaidLine]], rules: bool) -> set[int]:
    """Put the 版记 at the foot of the last page; the pages that then carry no number.

    With ``rules`` (文件格式, 纪要格式) that page is an even one, the back of the last sheet; the 信函格式 puts its
    版记 (no rules, no 印发 line) on whatever page the text ends.
    """
    height = sum(line.para.line_pt for lines in record for line in lines)
    unnumbered: set[int] = set()
    fits = pager.y + height <= AREA_HEIGHT_PT + 0.5
    if not rules:
        if not fits:
            pager.new_page()
    elif pager.page % 2 == 0:  # an odd page (1, 3, …): the 版记 goes on the back
        pager.new_page()
    elif not fits:
        pager.new_page()  # a blank back page, then the 版记 on the next even page
        pager.new_page()
        unnumbered = {pager.page - 1, pager.page}
    target = pager.pages[pager.page]
    y = AREA_HEIGHT_PT - height
    thick = Rule(0.0, mm_to_pt(0.35))
    thin = Rule(0.0, mm_to_pt(0.25))
    for index, lines in enumerate(record):
        if rules:
            target.rules.append(PlacedRule(y, thick if index == 0 else thin))
        for line in lines:
            line.top, line.page = y, pager.page
            target.lines.append(line)
            y += line.para.line_pt
    if rules:
        target.rules.append(PlacedRule(AREA_HEIGHT_PT, thick))
    return unnumbered


def paginate(layout: GongwenLayout, measure: Measure) -> list[PageContent]:
    """The pages of ``layout``, with their lines, rules and page numbers.

    The first page must show body text: when the 主送机关 are so many that it would not, they move to the 版记.
    """
    pages = _paginate(layout, measure)
    if not any(line.para.role in (Role.BODY, Role.HEADING) for line in pages[0].lines):
        moved = addressees_to_record(layout)
        if moved is not layout:
            return _paginate(moved, measure)
    return pages


def _paginate(layout: GongwenLayout, measure: Measure) -> list[PageContent]:
    pager = _Pager()
    for para in layout.flow:
        pager.put(para, break_para(para, measure))
    unnumbered: set[int] = set()
    if layout.record:
        unnumbered = _place_record(pager, [break_para(p, measure) for p in layout.record], layout.record_rules)
    if layout.letter_first_page:
        unnumbered.add(0)
        bottom = mm_to_pt(gongwen.PAGE_HEIGHT_MM - 20.0 - gongwen.MARGIN_TOP_MM)
        red = next((p.rule_below for p in layout.flow if p.rule_below is not None and p.rule_below.double), None)
        if red is not None:
            pager.pages[0].rules.append(
                PlacedRule(bottom, Rule(0.0, red.thickness_pt, red.color, red.length_mm, True, True))
            )
    for index, page in enumerate(pager.pages):
        page.number = None if index in unnumbered else index + 1
    return pager.pages
