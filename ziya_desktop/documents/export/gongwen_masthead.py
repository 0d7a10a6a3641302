"""The 版头 of a 公文 (GB/T 9704-2012 §7.2, §10): 份号, 密级, 紧急程度, the red mark, 发文字号 and 签发人, the red
separator line; and the 信函格式's head with its double line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ziya_desktop.documents.export import gongwen
from ziya_desktop.documents.export.gongwen import Role, mm_to_pt, text_width_chars
from ziya_desktop.documents.export.gongwen_model import (
    LETTER_MARK_TOP_FROM_PAGE_PT,
    LETTER_RULE_LENGTH_MM,
    LINE,
    MARK_MAX_PT,
    MARK_TOP_PT,
    RED,
    RED_RULE_PT,
    RULE_GAP_PT,
    Align,
    Face,
    Para,
    Rule,
    Run,
)
from ziya_desktop.writing.gongwen_parts import GongwenFormat, GongwenParts

__all__ = ["letter_head", "masthead", "plain_runs"]


def plain_runs(text: str, face: Face = Face.FANGSONG) -> tuple[Run, ...]:
    return (Run(text, face),) if text else ()


def _mark_size(lines: Sequence[str]) -> float:
    widest = max((text_width_chars(line) for line in lines), default=1.0) or 1.0
    return min(MARK_MAX_PT, mm_to_pt(gongwen.BODY_WIDTH_MM) / widest)


def _head_lines(parts: GongwenParts) -> list[Para]:
    """份号, 密级和保密期限, 紧急程度: flush left, one a line, from the first line of the type area."""
    out = []
    if parts.copy_number:
        out.append(Para(Role.COPY_NUMBER, plain_runs(parts.copy_number), align=Align.LEFT))
    if parts.shown_classification():
        out.append(Para(Role.CLASSIFICATION, plain_runs(parts.shown_classification(), Face.HEITI), align=Align.LEFT))
    if parts.urgency:
        out.append(Para(Role.URGENCY, plain_runs(parts.urgency, Face.HEITI), align=Align.LEFT))
    return out


def _mark(parts: GongwenParts, used_pt: float, top_pt: float) -> Para | None:
    text = parts.shown_mark()
    if not text:
        return None
    if len(parts.issuers) > 1 and parts.format is GongwenFormat.FILE and not parts.mark:
        stacked = [*parts.issuers[:-1], f"{parts.issuers[-1]}文件"]
    else:
        stacked = [text]
    size = _mark_size(stacked)
    lines = tuple((Run(line, Face.XIAOBIAOSONG),) for line in stacked)
    # Each line box is the mark's own size plus a little, so that the glyphs' top edge is where the line box starts.
    return Para(
        Role.MARK,
        (),
        size_pt=size,
        line_pt=size * 1.2,
        align=Align.CENTER,
        space_before_pt=max(0.0, top_pt - used_pt - size * 0.1),
        color=RED,
        grid=False,
        lines=lines,
    )


def _number_line(parts: GongwenParts, space_before: float, rule: Rule | None) -> list[Para]:
    """发文字号 centred, or for 上行文 flush left (one character in) beside the last 签发人 line."""
    if parts.upward and parts.signers:
        pairs = [parts.signers[i : i + 2] for i in range(0, len(parts.signers), 2)]
        out = []
        for index, names in enumerate(pairs):
            last = index == len(pairs) - 1
            out.append(
                Para(
                    Role.SIGNER,
                    plain_runs(parts.doc_number) if last else (),
                    align=Align.LEFT,
                    first_indent=1.0,
                    right_indent=1.0,
                    space_before_pt=space_before if index == 0 else 0.0,
                    right_runs=(Run("签发人："), Run("　".join(names), Face.KAITI)),
                    rule_below=rule if last else None,
                )
            )
        return out
    if not parts.doc_number:
        return []
    if parts.upward:
        return [
            Para(
                Role.DOC_NUMBER,
                plain_runs(parts.doc_number),
                align=Align.LEFT,
                first_indent=1.0,
                space_before_pt=space_before,
                rule_below=rule,
            )
        ]
    return [
        Para(
            Role.DOC_NUMBER,
            plain_runs(parts.doc_number),
            align=Align.CENTER,
            space_before_pt=space_before,
            rule_below=rule,
        )
    ]


def masthead(parts: GongwenParts) -> tuple[list[Para], float]:
    """The 版头 of the file and minutes formats, and the space left before the title (in points)."""
    out = _head_lines(parts)
    used = LINE * len(out)
    mark = _mark(parts, used, MARK_TOP_PT)
    red = Rule(RULE_GAP_PT, RED_RULE_PT, RED)
    if mark is None:
        numbers = _number_line(parts, 0.0, None)
        return [*out, *numbers], 0.0
    out.append(mark)
    numbers = _number_line(parts, 2 * LINE, red)
    if numbers:
        out.extend(numbers)
    else:
        # No 发文字号 (a 纪要 often has none): the red line still closes the 版头, under the mark.
        out[-1] = _with_rule(mark, red)
    return out, 2 * LINE


def _with_rule(para: Para, rule: Rule) -> Para:
    return replace(para, rule_below=rule)


def letter_head(parts: GongwenParts) -> tuple[list[Para], float]:
    """信函格式: the mark 30 mm from the page's top edge, a double line, then 份号… left and 发文字号 right."""
    out: list[Para] = []
    top_from_area = LETTER_MARK_TOP_FROM_PAGE_PT - mm_to_pt(gongwen.MARGIN_TOP_MM)  # above the type area
    mark = _mark(parts, 0.0, 0.0)
    double = Rule(RULE_GAP_PT, 1.5, RED, LETTER_RULE_LENGTH_MM, double=True)
    if mark is not None:
        out.append(replace(mark, space_before_pt=top_from_area - mark.size_pt * 0.1, rule_below=double))
    heads = _head_lines(parts)
    if parts.doc_number:
        # 发文字号 flush right on the line of the last of 份号, 密级 and 紧急程度, or on a line of its own.
        last = heads.pop() if heads else Para(Role.DOC_NUMBER, (), align=Align.LEFT)
        heads.append(replace(last, right_runs=plain_runs(parts.doc_number)))
    if heads and mark is not None:
        # Right under the double line, which lies 4 mm below the mark's glyphs.
        heads[0] = replace(heads[0], space_before_pt=RULE_GAP_PT)
    out.extend(heads)
    return out, 2 * LINE
