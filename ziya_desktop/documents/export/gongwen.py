"""The 公文 page (GB/T 9704-2012《党政机关公文格式》): its measures, fonts, heading levels, and the role of each line.

The standard sets an A4 page with a 156 × 225 mm type area (版心) of 22 lines × 28 characters, the body in 三号
仿宋_GB2312, the title in 二号小标宋, the body's heading levels 一、 → （一） → 1. → （1） in 黑体, 楷体_GB2312,
仿宋 and 仿宋 (§7.3.3: not bold), and page numbers in 四号宋体 as “— 1 —”.

:func:`layout_gongwen` reads the blocks of a document and gives every line its role (title, 主送机关, body,
heading, 署名, 成文日期); the DOCX and HTML/PDF exporters only turn roles into formatting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ziya_desktop.documents.export.markdown_blocks import Block, BlockKind, Span, spans_text, split_spans
from ziya_desktop.writing.gongwen_parts import GongwenParts, parts_from_mapping

__all__ = [
    "BODY_FONTS",
    "BODY_HEIGHT_MM",
    "BODY_SIZE_PT",
    "BODY_WIDTH_MM",
    "CHARS_PER_LINE",
    "CHAR_PITCH_PT",
    "FIRST_LINE_INDENT_PT",
    "HEADING_FONTS",
    "LATIN_FONT",
    "LINES_PER_PAGE",
    "LINE_PITCH_PT",
    "MARGIN_BOTTOM_MM",
    "MARGIN_LEFT_MM",
    "MARGIN_RIGHT_MM",
    "MARGIN_TOP_MM",
    "PAGE_HEIGHT_MM",
    "PAGE_NUMBER_FONTS",
    "PAGE_NUMBER_GAP_MM",
    "PAGE_NUMBER_SIZE_PT",
    "PAGE_WIDTH_MM",
    "TITLE_FONTS",
    "TITLE_SIZE_PT",
    "GongwenParagraph",
    "Role",
    "guess_parts",
    "heading_end",
    "heading_level",
    "layout_gongwen",
    "mm_to_pt",
    "page_number_text",
    "text_width_chars",
]

MM_PER_INCH = 25.4
PT_PER_INCH = 72.0

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 37.0  # 天头
MARGIN_BOTTOM_MM = 35.0
MARGIN_LEFT_MM = 28.0  # 订口
MARGIN_RIGHT_MM = 26.0
BODY_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
BODY_HEIGHT_MM = PAGE_HEIGHT_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM  # 225
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

BODY_SIZE_PT = 16.0  # 三号
TITLE_SIZE_PT = 22.0  # 二号
PAGE_NUMBER_SIZE_PT = 14.0  # 四号
# 225 mm / 22 lines = 28.99 pt; rounded down to whole twips (579) so 22 lines always fit, in Word and in the PDF.
LINE_PITCH_PT = 28.95
FIRST_LINE_INDENT_PT = 2 * BODY_SIZE_PT
# 一字线上距版心下边缘 7 mm; the number sits one character in from the outer edge (单页居右, 双页居左).
PAGE_NUMBER_GAP_MM = 7.0
DATE_RIGHT_INDENT_CHARS = 4.0  # 成文日期右空四字

LATIN_FONT = "Times New Roman"
# The first name of each stack is what the standard names and what a DOCX asks for; the rest are the same faces
# under their Windows/macOS names, then the open CJK faces a PDF falls back to.
TITLE_FONTS = ("方正小标宋简体", "小标宋", "FZXiaoBiaoSong-B05S", "SimSun", "宋体", "STSong", "Noto Serif CJK SC")
BODY_FONTS = ("仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC")
HEADING_FONTS = {
    1: ("黑体", "SimHei", "STHeiti", "Heiti SC", "Noto Sans CJK SC", "Source Han Sans SC"),
    2: ("楷体_GB2312", "KaiTi", "楷体", "STKaiti", "Noto Serif CJK SC", "Source Han Serif SC"),
    3: BODY_FONTS,
    4: BODY_FONTS,
}
PAGE_NUMBER_FONTS = ("宋体", "SimSun", "STSong", "Noto Serif CJK SC", "Source Han Serif SC")

_CN_NUM = "一二三四五六七八九十百零〇"
_LEVEL_RES = (
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    (2, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (3, re.compile(r"^\d{1,3}[.．](?![\d.．])")),  # “1.” but not “1.5亿元” or “1.2.”
    (4, re.compile(r"^[（(]\d{1,3}[）)]")),
)
_SENTENCE_END = "。！？"
_DATE_DIGITS = "\\d〇○零一二三四五六七八九十"
_DATE_RE = re.compile(
    rf"^(\d{{4}}|[〇○零一二三四五六七八九]{{4}})年[{_DATE_DIGITS}]{{1,3}}月[{_DATE_DIGITS}]{{1,3}}日$"
)
_NO_SIGNATURE_END = "。！？：；，、,.;:!?"
# 发文字号 (§7.2.4): 发文机关代字, the year in 六角括号 〔〕 and the 序号 with 号, e.g. “教办〔2026〕12号”.
# Square or round brackets are accepted as typed by hand; the line is never a title.
_DOC_NUMBER_RE = re.compile(r"[^\s。，：；！？]{1,20}[〔\[（(]\d{4}[〕\]）)]\d{1,5}号")
_MAX_SIGNATURE_CHARS = 30


def mm_to_pt(mm: float) -> float:
    return mm / MM_PER_INCH * PT_PER_INCH


# 156 mm / 28 = 15.79 pt: a little under 三号, which Word's character grid squeezes to fit 28 a line.
CHAR_PITCH_PT = mm_to_pt(BODY_WIDTH_MM) / CHARS_PER_LINE


def heading_level(text: str) -> int:
    """The 公文 heading level a line starts with: 1 for “一、”, 2 for “（一）”, 3 for “1.”, 4 for “（1）”; else 0.

    Full-width and half-width brackets and full stops are both accepted, since writers mix them.
    """
    stripped = text.lstrip()
    for level, pattern in _LEVEL_RES:
        if pattern.match(stripped):
            return level
    return 0


def heading_end(text: str) -> int:
    """Where the heading part of a heading line ends.

    A heading line often runs on into body text (“（一）总体要求。全面贯彻……”): only the part up to and including
    the first 。！？ takes the heading font. A line with nothing after its first sentence is all heading.
    """
    for i, char in enumerate(text):
        if char in _SENTENCE_END:
            return i + 1 if text[i + 1 :].strip() else len(text)
    return len(text)


def text_width_chars(text: str) -> float:
    """Width in full characters: CJK and full-width forms count 1, Latin letters and digits ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.5 for c in text)


def page_number_text(page: int) -> str:
    """“— 1 —”: the page number between two 一字线 (em dashes), as GB/T 9704 prints it."""
    return f"— {page} —"


class Role(StrEnum):
    COPY_NUMBER = "copy-number"  # 份号
    CLASSIFICATION = "classification"  # 密级和保密期限
    URGENCY = "urgency"  # 紧急程度
    MARK = "mark"  # 发文机关标志 / 纪要标志
    DOC_NUMBER = "doc-number"  # 发文字号: centred above the title
    SIGNER = "signer"  # 签发人 (上行文), on the line of the 发文字号
    TITLE = "title"
    ADDRESSEE = "addressee"  # 主送机关: flush left, no indent
    BODY = "body"
    HEADING = "heading"
    ATTACHMENT_NOTE = "attachment-note"  # 附件说明
    ATTENDANCE = "attendance"  # 纪要: 出席、请假、列席
    SIGNATURE = "signature"  # 发文机关署名: centred over the date
    DATE = "date"  # 成文日期: right, four characters in
    NOTES = "notes"  # 附注
    ATTACHMENT_LABEL = "attachment-label"  # “附件1” on the first line of an attachment's page
    COPIES_TO = "copies-to"  # 版记: 抄送机关
    PRINTED_BY = "printed-by"  # 版记: 印发机关和印发日期


@dataclass(frozen=True)
class GongwenParagraph:
    """One line of a 公文 with its role.

    For headings, ``head`` is the part in the heading font and ``body`` the run-on text; for every other role
    ``head`` is empty. ``right_indent_chars`` places the signature and the date.
    """

    role: Role
    body: tuple[Span, ...]
    head: tuple[Span, ...] = ()
    level: int = 0
    right_indent_chars: float = 0.0

    @property
    def text(self) -> str:
        return spans_text(self.head) + spans_text(self.body)


def _paragraph_for(block: Block) -> GongwenParagraph:
    spans = block.spans
    if block.kind is BlockKind.ORDERED:
        # Markdown turned “1. 标题” into a numbered item; in a 公文 the number is the third heading level.
        spans = (Span(f"{block.number}."), *spans)
    text = spans_text(spans)
    level = heading_level(text)
    if block.kind is BlockKind.HEADING and not level:
        return GongwenParagraph(Role.HEADING, (), head=spans, level=1)
    if not level:
        return GongwenParagraph(Role.BODY, spans)
    head, body = split_spans(spans, heading_end(text))
    return GongwenParagraph(Role.HEADING, body, head=head, level=level)


def layout_gongwen(blocks: Sequence[Block]) -> list[GongwenParagraph]:
    """Assign 公文 roles to a document's blocks.

    A 发文字号 line (“教办〔2026〕12号”) at the top is the 发文字号, centred; the first block after it is the title
    (a ``#`` heading or a plain line). A line right after the title that ends with a colon is the 主送机关. A date
    line (“2026年11月25日” or “二〇二六年十一月二十五日”) is the 成文日期, and a short line just before it without
    closing punctuation is the 发文机关署名. Bullet items become body lines: a
    公文 has no bullets. Everything else is body text or a heading by :func:`heading_level`.

    Returns:
        One paragraph per block, in order.
    """
    paragraphs: list[GongwenParagraph] = []
    title_at = 0
    while title_at < len(blocks) - 1 and _DOC_NUMBER_RE.fullmatch(blocks[title_at].text.strip()):
        paragraphs.append(GongwenParagraph(Role.DOC_NUMBER, blocks[title_at].spans))
        title_at += 1
    for index, block in enumerate(blocks[title_at:], start=title_at):
        if index == title_at:
            paragraphs.append(GongwenParagraph(Role.TITLE, block.spans))
            continue
        text = block.text.strip()
        if index == title_at + 1 and text.endswith(("：", ":")) and not heading_level(text):
            paragraphs.append(GongwenParagraph(Role.ADDRESSEE, block.spans))
            continue
        if _DATE_RE.match(text):
            paragraphs.append(GongwenParagraph(Role.DATE, block.spans, right_indent_chars=DATE_RIGHT_INDENT_CHARS))
            _mark_signature(paragraphs, text)
            continue
        paragraphs.append(_paragraph_for(block))
    return paragraphs


def _mark_signature(paragraphs: list[GongwenParagraph], date: str) -> None:
    """Turn the line before the date just appended into the signature, when it looks like one."""
    if len(paragraphs) < 3:
        return
    candidate = paragraphs[-2]
    text = candidate.text.strip()
    if candidate.role is not Role.BODY or len(text) > _MAX_SIGNATURE_CHARS or text.endswith(tuple(_NO_SIGNATURE_END)):
        return
    # Centre the signature over the date: its right edge sits half the width difference further in.
    indent = DATE_RIGHT_INDENT_CHARS + max(0.0, (text_width_chars(date) - text_width_chars(text)) / 2)
    paragraphs[-2] = GongwenParagraph(Role.SIGNATURE, candidate.body, right_indent_chars=indent)


_ATTACHMENT_NOTE_RE = re.compile(r"附件[：:]\s*(.+)")
_NUMBERED_NAME_RE = re.compile(r"\d{1,2}[.．]\s*(.+)")
_NOTE_RE = re.compile(r"[（(](.+)[）)]")


def guess_parts(blocks: Sequence[Block]) -> tuple[GongwenParts, list[Block]]:
    """The 公文 parts of a document typed by hand, and the blocks left for the body.

    Roles come from :func:`layout_gongwen`; a body line “附件：…” and the numbered names right under it become the
    附件说明, and a line in parentheses right after the date the 附注.
    """
    values: dict[str, object] = {}
    body: list[Block] = []
    attachments: list[str] = []
    previous = Role.BODY
    for paragraph, block in zip(layout_gongwen(blocks), blocks, strict=True):
        text = block.text.strip()
        role = paragraph.role
        if role is Role.DOC_NUMBER:
            values["doc_number"] = text
        elif role is Role.TITLE:
            values["title"] = text
        elif role is Role.ADDRESSEE:
            values["addressees"] = text.rstrip("：:")
        elif role is Role.SIGNATURE:
            values["signature"] = text
        elif role is Role.DATE:
            values["date"] = text
        elif previous is Role.DATE and (note := _NOTE_RE.fullmatch(text)):
            values["notes"] = note.group(1)
            role = Role.NOTES
        elif not attachments and (first := _ATTACHMENT_NOTE_RE.fullmatch(text)):
            numbered = _NUMBERED_NAME_RE.fullmatch(first.group(1))
            attachments.append(numbered.group(1) if numbered else first.group(1))
            role = Role.ATTACHMENT_NOTE
        elif previous is Role.ATTACHMENT_NOTE and block.kind is BlockKind.ORDERED:
            attachments.append(text)  # Markdown read “2. 名称” as a numbered item
            role = Role.ATTACHMENT_NOTE
        elif previous is Role.ATTACHMENT_NOTE and (numbered := _NUMBERED_NAME_RE.fullmatch(text)):
            attachments.append(numbered.group(1))
            role = Role.ATTACHMENT_NOTE
        else:
            body.append(block)
        previous = role
    if attachments:
        values["attachments"] = attachments
    return parts_from_mapping(values), body
