"""The elements of a laid-out 公文: paragraphs with their faces, sizes, alignment and indents, rules, the page.

:mod:`~ziya_desktop.documents.export.gongwen_layout` builds them; the PDF and DOCX exporters render them.
Indents are in characters of the paragraph's own size; vertical space is in points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.gongwen import Role, mm_to_pt
from ziya_desktop.writing.gongwen_parts import GongwenFormat

__all__ = [
    "BLACK",
    "FACE_STACKS",
    "LINE",
    "RED",
    "Align",
    "Face",
    "GongwenLayout",
    "Para",
    "Rule",
    "Run",
]

RED = "E60012"  # the red of 发文机关标志 and 分隔线 in print templates
BLACK = "000000"
LINE = gongwen.LINE_PITCH_PT
MARK_TOP_PT = mm_to_pt(35.0)  # 发文机关标志 / 纪要标志: top edge 35 mm below the type area's top
LETTER_MARK_TOP_FROM_PAGE_PT = mm_to_pt(30.0)  # 信函格式: 30 mm from the page's top edge
RULE_GAP_PT = mm_to_pt(4.0)  # 分隔线 4 mm below the 发文字号
RED_RULE_PT = 1.0
RECORD_THICK_PT = mm_to_pt(0.35)
RECORD_THIN_PT = mm_to_pt(0.25)
RECORD_SIZE_PT = 14.0  # 四号
MARK_MAX_PT = 42.0  # 初号; longer names shrink to fit the type area
LETTER_RULE_LENGTH_MM = 170.0


class Face(StrEnum):
    """The faces the standard names; each exporter maps them to installed or requested fonts."""

    FANGSONG = "fangsong"  # 仿宋_GB2312: every element by default
    XIAOBIAOSONG = "xiaobiaosong"  # 小标宋: title and marks
    HEITI = "heiti"  # 黑体: first-level headings, 密级, 紧急程度, “附件” on an attachment page, “出席：”
    KAITI = "kaiti"  # 楷体_GB2312: second-level headings, the 签发人's names
    SONGTI = "songti"  # 宋体: page numbers


class Align(StrEnum):
    JUSTIFY = "justify"  # on the grid, full lines fill the type area
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


# The names each face goes by, the standard's first (what a DOCX asks for), then the same faces elsewhere, then the
# open CJK faces a PDF falls back to.
FACE_STACKS: dict[Face, tuple[str, ...]] = {
    Face.FANGSONG: gongwen.BODY_FONTS,
    Face.XIAOBIAOSONG: gongwen.TITLE_FONTS,
    Face.HEITI: gongwen.HEADING_FONTS[1],
    Face.KAITI: gongwen.HEADING_FONTS[2],
    Face.SONGTI: gongwen.PAGE_NUMBER_FONTS,
}


@dataclass(frozen=True)
class Run:
    text: str
    face: Face = Face.FANGSONG
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    """A line across the type area (or ``length_mm``, centred), ``gap_pt`` below the paragraph's last line box.

    ``double`` draws two lines 1 pt apart: thick over thin, or thin over thick when ``thin_first``.
    """

    gap_pt: float
    thickness_pt: float
    color: str = BLACK
    length_mm: float = gongwen.BODY_WIDTH_MM
    double: bool = False
    thin_first: bool = False


@dataclass(frozen=True)
class Para:
    """One paragraph: runs, size, alignment, indents (characters of ``size_pt``) and space before (points).

    ``lines`` (the title, a stacked mark) are forced line breaks; otherwise the renderer wraps. ``right_runs`` is
    text on the same line flush right (签发人 beside an upward 发文字号, 印发日期 beside the 印发机关). ``grid``:
    characters sit on the 28-a-line grid (the body); off, they keep their natural width (title, marks).
    """

    role: Role
    runs: tuple[Run, ...]
    size_pt: float = gongwen.BODY_SIZE_PT
    line_pt: float = LINE
    align: Align = Align.JUSTIFY
    first_indent: float = 0.0
    left_indent: float = 0.0
    right_indent: float = 0.0
    space_before_pt: float = 0.0
    color: str = BLACK
    new_page: bool = False
    grid: bool = True
    lines: tuple[tuple[Run, ...], ...] = ()
    right_runs: tuple[Run, ...] = ()
    rule_below: Rule | None = None
    keep_with_next: bool = False

    @property
    def text(self) -> str:
        if self.lines:
            return "\n".join("".join(r.text for r in line) for line in self.lines)
        return "".join(r.text for r in self.runs) + "".join(r.text for r in self.right_runs)


@dataclass(frozen=True)
class GongwenLayout:
    """The whole 公文: the flow, the 版记 (each paragraph a line between rules), and the page format."""

    format: GongwenFormat
    flow: tuple[Para, ...]
    record: tuple[Para, ...] = ()
    record_rules: bool = True  # 信函格式 prints its 版记 without the rules
    # 信函格式: the first page carries the double lines and no page number.
    letter_first_page: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)
