"""The 公文 as the standard lays it out, element by element, for the PDF and the DOCX alike.

:func:`build_layout` turns the document's parts (:class:`~ziya_desktop.writing.gongwen_parts.GongwenParts`) and its
body into a :class:`GongwenLayout`: the flow of paragraphs (版头, 主体, 附件 pages) with their faces, sizes,
alignment, indents in characters and the space before each in points, and the 版记 that goes to the foot of the
last even page. Both exporters only render this; neither decides where an element goes (GB/T 9704-2012 §7–§10).

Lengths: indents are in characters of the paragraph's own size (三号 for the body, 四号 in the 版记); vertical space
is in points; one body line is :data:`~ziya_desktop.documents.export.gongwen.LINE_PITCH_PT`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.gongwen import (
    Role,
    guess_parts,
    heading_end,
    heading_level,
    text_width_chars,
)
from ziya_desktop.documents.export.gongwen_masthead import letter_head, masthead, plain_runs
from ziya_desktop.documents.export.gongwen_model import (
    LINE,
    RECORD_SIZE_PT,
    RED,
    Align,
    Face,
    GongwenLayout,
    Para,
    Rule,
    Run,
)
from ziya_desktop.documents.export.gongwen_title import break_title
from ziya_desktop.documents.export.markdown_blocks import Block, BlockKind, Span, split_spans
from ziya_desktop.writing.gongwen_parts import GongwenFormat, GongwenParts

_ATTACHMENT_RE = re.compile(r"附件\s*(\d{0,3})")
_CLOSING_COLONS = ("：", ":")

__all__ = [
    "RED",
    "Align",
    "Face",
    "GongwenLayout",
    "Para",
    "Rule",
    "Run",
    "addressees_to_record",
    "build_layout",
    "layout_for",
]


def _runs(spans: Sequence[Span], face: Face = Face.FANGSONG) -> tuple[Run, ...]:
    return tuple(Run(s.text, face, s.bold) for s in spans if s.text)


# -- 主体 -------------------------------------------------------------------------------------------------------------


def _title(parts: GongwenParts, space_before: float) -> list[Para]:
    if not parts.title or (
        parts.format is GongwenFormat.MINUTES and not parts.mark and parts.title == parts.shown_mark()
    ):
        return []
    lines = break_title(parts.title, gongwen.TITLE_SIZE_PT)
    return [
        Para(
            Role.TITLE,
            (),
            size_pt=gongwen.TITLE_SIZE_PT,
            align=Align.CENTER,
            space_before_pt=space_before,
            grid=False,
            lines=tuple((Run(line, Face.XIAOBIAOSONG),) for line in lines),
        )
    ]


def _addressees(parts: GongwenParts, space_before: float) -> list[Para]:
    text = parts.addressees.strip()
    if not text:
        return []
    if not text.endswith(_CLOSING_COLONS):
        text += "："
    return [Para(Role.ADDRESSEE, plain_runs(text), align=Align.JUSTIFY, space_before_pt=space_before)]


def _body_para(block: Block) -> Para:
    spans = block.spans
    if block.kind is BlockKind.ORDERED:
        # Markdown made “1. 标题” a numbered item; in a 公文 the number is the third heading level.
        spans = (Span(f"{block.number}."), *spans)
    text = "".join(s.text for s in spans)
    level = heading_level(text)
    if block.kind is BlockKind.HEADING and not level:
        return Para(Role.HEADING, _runs(spans, Face.HEITI), first_indent=2.0)
    if not level:
        return Para(Role.BODY, _runs(spans), first_indent=2.0)
    head, rest = split_spans(spans, heading_end(text))
    face = {1: Face.HEITI, 2: Face.KAITI}.get(level, Face.FANGSONG)
    # §7.3.3: the third and fourth levels are 仿宋 like the body, not bold (the writer's own **bold** stays).
    head_runs = tuple(Run(s.text, face, s.bold) for s in head if s.text)
    return Para(Role.HEADING, (*head_runs, *_runs(rest)), first_indent=2.0)


def _split_attachments(blocks: Sequence[Block]) -> tuple[list[Block], list[tuple[str, list[Block]]]]:
    """The body, and the 附件 pages: each starts at a line that is “附件” or “附件2” alone."""
    body: list[Block] = []
    pages: list[tuple[str, list[Block]]] = []
    for block in blocks:
        match = _ATTACHMENT_RE.fullmatch(block.text.strip())
        if match is not None and block.kind in (BlockKind.PARAGRAPH, BlockKind.HEADING):
            pages.append((block.text.strip().replace(" ", ""), []))
        elif pages:
            pages[-1][1].append(block)
        else:
            body.append(block)
    return body, pages


def _attachments_note(parts: GongwenParts) -> list[Para]:
    """附件说明: one blank line below the body, two characters in; several names numbered and aligned."""
    names = parts.attachments
    if not names:
        return []
    if len(names) == 1:
        items = [f"附件：{names[0]}"]
    else:
        items = [f"附件：1.{names[0]}", *(f"{i}.{name}" for i, name in enumerate(names[1:], start=2))]
    out = []
    for index, item in enumerate(items):
        out.append(
            Para(
                Role.ATTACHMENT_NOTE,
                plain_runs(item.rstrip("。.；;，,")),
                align=Align.LEFT,
                first_indent=-3.0 if index == 0 else 0.0,
                left_indent=5.0,
                space_before_pt=LINE if index == 0 else 0.0,
            )
        )
    return out


def _signature(parts: GongwenParts) -> list[Para]:
    """署名 and 成文日期, with a seal (centred over a date four characters in) or without (two characters in)."""
    names = parts.shown_signature()
    date = parts.date.strip()
    if not names and not date:
        return []
    out: list[Para] = []
    date_width = text_width_chars(date)
    if parts.sealed:
        date_right = 4.0
        for index, name in enumerate(names):
            indent = date_right + (date_width - text_width_chars(name)) / 2
            out.append(
                Para(
                    Role.SIGNATURE,
                    plain_runs(name),
                    align=Align.RIGHT,
                    right_indent=max(0.0, indent),
                    # Room for the upper half of the seal, whose top stays within one line of the text above.
                    space_before_pt=2 * LINE if index == 0 else 0.0,
                )
            )
    else:
        widest = max((text_width_chars(n) for n in names), default=0.0)
        name_right = 2.0
        date_right = gongwen.CHARS_PER_LINE - (gongwen.CHARS_PER_LINE - name_right - widest + 2.0) - date_width
        if date_right < 2.0:  # the date is longer: it keeps two characters, the names move left
            date_right = 2.0
            name_right = gongwen.CHARS_PER_LINE - (gongwen.CHARS_PER_LINE - date_right - date_width - 2.0) - widest
        for index, name in enumerate(names):
            out.append(
                Para(
                    Role.SIGNATURE,
                    plain_runs(name),
                    align=Align.RIGHT,
                    right_indent=name_right + widest - text_width_chars(name),
                    space_before_pt=LINE if index == 0 else 0.0,
                )
            )
    if date:
        out.append(
            Para(
                Role.DATE,
                plain_runs(date),
                align=Align.RIGHT,
                right_indent=date_right,
                space_before_pt=0.0 if out else LINE,
            )
        )
    return out


def _notes(parts: GongwenParts) -> list[Para]:
    text = parts.notes.strip()
    if not text:
        return []
    if not (text.startswith(("（", "(")) and text.endswith(("）", ")"))):
        text = f"（{text}）"
    return [Para(Role.NOTES, plain_runs(text), first_indent=2.0)]


def _attendance(parts: GongwenParts) -> list[Para]:
    """纪要: 出席、请假、列席, one blank line after the body; the names wrap under the first name."""
    out: list[Para] = []
    for label, names in (("出席：", parts.attendees), ("请假：", parts.absentees), ("列席：", parts.observers)):
        if names.strip():
            out.append(
                Para(
                    Role.ATTENDANCE,
                    (Run(label, Face.HEITI), Run(names.strip())),
                    align=Align.LEFT,
                    first_indent=-3.0,
                    left_indent=5.0,
                    space_before_pt=LINE if not out else 0.0,
                )
            )
    return out


def _attachment_pages(pages: Sequence[tuple[str, list[Block]]]) -> list[Para]:
    """Each 附件 on a new page: “附件1” in 黑体 on the first line, its title centred on the third."""
    out: list[Para] = []
    for label, blocks in pages:
        out.append(Para(Role.ATTACHMENT_LABEL, plain_runs(label, Face.HEITI), align=Align.LEFT, new_page=True))
        rest = list(blocks)
        if rest:
            title = rest.pop(0)
            lines = break_title(title.text.strip(), gongwen.TITLE_SIZE_PT)
            out.append(
                Para(
                    Role.TITLE,
                    (),
                    size_pt=gongwen.TITLE_SIZE_PT,
                    align=Align.CENTER,
                    space_before_pt=LINE,
                    grid=False,
                    lines=tuple((Run(line, Face.XIAOBIAOSONG),) for line in lines),
                )
            )
        out.extend(_body_para(block) for block in rest)
    return out


# -- 版记 -------------------------------------------------------------------------------------------------------------


def _record_list(role: Role, label: str, names: str) -> Para:
    """A 版记 line “抄送：…”: 四号, one character in on both sides, wrapped lines aligned after the colon."""
    names = names.strip().rstrip("：:")
    if not names.endswith(("。", ".")):
        names += "。"
    return Para(
        role,
        plain_runs(f"{label}{names}"),
        size_pt=RECORD_SIZE_PT,
        align=Align.LEFT,
        first_indent=-3.0,
        left_indent=4.0,
        right_indent=1.0,
        grid=False,
    )


def addressees_to_record(layout: GongwenLayout) -> GongwenLayout:
    """The layout with its 主送机关 moved to the 版记, above 抄送 (§7.3.2: when there are so many that the first
    page would show no body text)."""
    addressees = [p for p in layout.flow if p.role is Role.ADDRESSEE]
    if not addressees:
        return layout
    flow = [p for p in layout.flow if p.role is not Role.ADDRESSEE]
    record = (_record_list(Role.ADDRESSEE, "主送：", addressees[0].text), *layout.record)
    return replace(layout, flow=tuple(flow), record=record)


def _record(parts: GongwenParts) -> tuple[Para, ...]:
    out: list[Para] = []
    if parts.copies_to.strip():
        out.append(_record_list(Role.COPIES_TO, "抄送：", parts.copies_to))
    if (parts.printer or parts.print_date) and parts.format is not GongwenFormat.LETTER:
        date = parts.print_date.strip()
        if date and not date.endswith("印发"):
            date += "印发"
        out.append(
            Para(
                Role.PRINTED_BY,
                plain_runs(parts.printer.strip()),
                size_pt=RECORD_SIZE_PT,
                align=Align.LEFT,
                first_indent=1.0,
                right_indent=1.0,
                grid=False,
                right_runs=plain_runs(date),
            )
        )
    return tuple(out)


def build_layout(parts: GongwenParts, blocks: Sequence[Block]) -> GongwenLayout:
    """The 公文 page for ``parts`` and the body ``blocks``."""
    body, pages = _split_attachments(blocks)
    if parts.format is GongwenFormat.LETTER:
        flow, title_gap = letter_head(parts)
    else:
        flow, title_gap = masthead(parts)
    title = _title(parts, 0.0)
    # 主送机关 one blank line below the title; the body right after the 主送 (or one line below a title alone).
    main = [*title, *_addressees(parts, LINE if title else 0.0)]
    body_paras = [_body_para(block) for block in body]
    if body_paras and main and main[-1].role is Role.TITLE:
        body_paras[0] = replace(body_paras[0], space_before_pt=LINE)
    main.extend(body_paras)
    if flow and main:
        # Two blank lines below the red line (or the mark) before the title, or before the body of a 纪要.
        main[0] = replace(main[0], space_before_pt=title_gap)
    flow.extend(main)
    flow.extend(_attachments_note(parts))
    if parts.format is GongwenFormat.MINUTES:
        flow.extend(_attendance(parts))
    flow.extend(_signature(parts))
    flow.extend(_notes(parts))
    flow.extend(_attachment_pages(pages))
    return GongwenLayout(
        format=parts.format,
        flow=tuple(flow),
        record=_record(parts),
        record_rules=parts.format is not GongwenFormat.LETTER,
        letter_first_page=parts.format is GongwenFormat.LETTER,
    )


def layout_for(parts: GongwenParts | None, blocks: Sequence[Block]) -> GongwenLayout:
    """The layout of a 公文 with its ``parts``, or of one typed by hand (parts read off its lines)."""
    if parts is None:
        parts, blocks = guess_parts(blocks)
    return build_layout(parts, blocks)
