"""The light Markdown the editor holds, parsed into blocks that the DOCX and 公文 layouts can place one by one.

The editor is a plain-text editor: every non-empty line is a paragraph of its own (a Chinese writer presses Enter
once between paragraphs), blank lines only separate. On top of that: ``#`` headings, ``-``/``*``/``+`` bullet items,
``1.``/``1)`` numbered items (indentation nests both), and ``**bold**`` runs. Anything else is kept as literal text.

The HTML export hands the full Markdown to the ``markdown`` package instead; :func:`lines_as_paragraphs` gives it
the same one-line-one-paragraph reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Block",
    "BlockKind",
    "Span",
    "clean_text",
    "lines_as_paragraphs",
    "parse_blocks",
    "parse_inline",
    "spans_text",
    "split_spans",
]

_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_BULLET_RE = re.compile(r"^([ \t]*)[-*+][ \t]+(.*)$")
_ORDERED_RE = re.compile(r"^([ \t]*)(\d{1,9})[.)][ \t]+(.*)$")
_FENCE_RE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
# XML 1.0 forbids C0 controls other than tab/LF/CR, and lone surrogates; lxml refuses them and browsers mangle them.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_INDENT_STEP = 2
_ESCAPED_STAR = "\x00"  # never in cleaned text, so it can stand in for "\*" while bold runs are matched


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"
    ORDERED = "ordered"


@dataclass(frozen=True)
class Span:
    """A run of text, bold or not."""

    text: str
    bold: bool = False


@dataclass(frozen=True)
class Block:
    """One paragraph-level element.

    ``level`` is the heading level (1-6) for headings and the nesting depth (0 = top) for list items; ``number`` is
    the written number of a numbered item.
    """

    kind: BlockKind
    spans: tuple[Span, ...]
    level: int = 0
    number: int = 0

    @property
    def text(self) -> str:
        return spans_text(self.spans)


def clean_text(text: str) -> str:
    """``text`` with line ends normalised to ``"\\n"`` and characters XML cannot hold (control codes) removed."""
    return _XML_INVALID_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def spans_text(spans: tuple[Span, ...]) -> str:
    return "".join(span.text for span in spans)


def parse_inline(text: str) -> tuple[Span, ...]:
    """Split ``text`` into plain and ``**bold**`` spans; ``\\*`` and other backslash escapes give the literal
    character. An unmatched ``**`` stays literal."""
    marked = text.replace("\\*", _ESCAPED_STAR)
    spans: list[Span] = []
    pos = 0
    for match in _BOLD_RE.finditer(marked):
        if match.start() > pos:
            spans.append(Span(_unescape(marked[pos : match.start()])))
        spans.append(Span(_unescape(match.group(1)), bold=True))
        pos = match.end()
    if pos < len(marked):
        spans.append(Span(_unescape(marked[pos:])))
    return tuple(span for span in spans if span.text)


def _unescape(text: str) -> str:
    return _ESCAPE_RE.sub(r"\1", text).replace(_ESCAPED_STAR, "*")


def _depth(indent: str) -> int:
    return len(indent.replace("\t", " " * 4)) // _INDENT_STEP


def parse_blocks(text: str) -> list[Block]:
    """Parse the editor's text into blocks, one per non-empty line.

    Args:
        text: the document as the editor holds it.

    Returns:
        Headings, paragraphs and list items in document order; blank lines produce nothing.
    """
    blocks: list[Block] = []
    for raw in clean_text(text).split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        if match := _HEADING_RE.match(line.lstrip()):
            blocks.append(Block(BlockKind.HEADING, parse_inline(match.group(2)), level=len(match.group(1))))
        elif match := _BULLET_RE.match(line):
            blocks.append(Block(BlockKind.BULLET, parse_inline(match.group(2)), level=_depth(match.group(1))))
        elif match := _ORDERED_RE.match(line):
            blocks.append(
                Block(
                    BlockKind.ORDERED,
                    parse_inline(match.group(3)),
                    level=_depth(match.group(1)),
                    number=int(match.group(2)),
                )
            )
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, parse_inline(line.strip())))
    return blocks


def split_spans(spans: tuple[Span, ...], at: int) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """Split ``spans`` at character offset ``at`` of their joined text, keeping each part's boldness."""
    head: list[Span] = []
    tail: list[Span] = []
    pos = 0
    for span in spans:
        end = pos + len(span.text)
        if end <= at:
            head.append(span)
        elif pos >= at:
            tail.append(span)
        else:
            head.append(Span(span.text[: at - pos], span.bold))
            tail.append(Span(span.text[at - pos :], span.bold))
        pos = end
    return tuple(head), tuple(tail)


def _is_list_line(line: str) -> bool:
    return bool(_BULLET_RE.match(line) or _ORDERED_RE.match(line))


def _joins_previous(prev: str, line: str) -> bool:
    """Whether ``line`` continues the Markdown construct on ``prev`` (so no blank line may go between them)."""
    if _is_list_line(line) and (_is_list_line(prev) or prev[:1] in (" ", "\t")):
        return True
    if line[:1] in (" ", "\t") and (_is_list_line(prev) or prev[:1] in (" ", "\t")):
        return True  # a list item's indented continuation or nested content
    stripped_prev, stripped = prev.lstrip(), line.lstrip()
    if stripped.startswith("|") and stripped_prev.startswith("|"):
        return True  # table rows
    return stripped.startswith(">") and stripped_prev.startswith(">")


def lines_as_paragraphs(text: str) -> str:
    """Rewrite ``text`` for a standard Markdown parser so that every non-empty line is its own paragraph.

    A blank line goes between two adjacent lines unless they belong together: list items and their indented
    continuations, table rows, block-quote lines, and everything inside a fenced code block.
    """
    out: list[str] = []
    prev = ""
    in_fence = False
    for line in clean_text(text).split("\n"):
        if _FENCE_RE.match(line):
            if not in_fence and prev.strip():
                out.append("")
            in_fence = not in_fence
            out.append(line)
            prev = line if in_fence else ""
            if not in_fence:
                out.append("")
            continue
        if in_fence:
            out.append(line)
            continue
        if line.strip() and prev.strip() and not _joins_previous(prev, line):
            out.append("")
        out.append(line)
        prev = line
    return "\n".join(out)
