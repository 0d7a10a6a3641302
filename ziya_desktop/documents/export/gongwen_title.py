"""Breaking a 公文 title into lines the way GB/T 9704-2012 §7.3.1 asks: words kept whole, lines in a trapezoid
(each line no longer than the one below) or a diamond, never a ragged last line of one or two characters.

Chinese has no spaces, so "words" are judged by the places where a title reads naturally broken: after 关于, before
the 的 that introduces the 文种, after 、 and around 和/与/及. The writer can also break the title by hand with a
line break; such lines are kept as they are.
"""

from __future__ import annotations

import math
from itertools import combinations, pairwise

from ziya_desktop.documents.export.gongwen import BODY_WIDTH_MM, mm_to_pt, text_width_chars

__all__ = ["break_title", "title_chars_per_line"]

_MAX_LINES = 4
# Where a break reads well (the break goes after the character at the index) and what each costs.
_GOOD_AFTER = {"于": 0.0, "、": 0.5, "，": 0.5, "和": 1.5, "与": 1.5, "及": 1.5, "的": 2.0}
_GOOD_BEFORE = {"的": 0.5, "和": 1.5, "与": 1.5, "及": 1.5, "《": 0.5, "“": 0.5}
# Never break inside these pairs: a digit run, a Latin word, or before closing punctuation.
_NO_START = "，。、；：？！）》”’〕】"
_NO_END = "（《“‘〔【"
_OTHER_BREAK = 4.0


def title_chars_per_line(size_pt: float) -> int:
    """Full characters of ``size_pt`` in the type area's width (20 for 二号)."""
    return int(mm_to_pt(BODY_WIDTH_MM) // size_pt)


def _break_cost(text: str, at: int) -> float | None:
    """The cost of breaking between ``text[at - 1]`` and ``text[at]``; None where it is not allowed."""
    before, after = text[at - 1], text[at]
    if after in _NO_START or before in _NO_END:
        return None
    if before.isascii() and after.isascii() and (before.isalnum() and after.isalnum()):
        return None
    if before in _GOOD_AFTER:
        return _GOOD_AFTER[before]
    if after in _GOOD_BEFORE:
        return _GOOD_BEFORE[after]
    return _OTHER_BREAK


def _shape_cost(widths: list[float], capacity: int) -> float | None:
    if any(w > capacity for w in widths) or min(widths) < 3:
        return None
    cost = 0.0
    for upper, lower in pairwise(widths):
        # Trapezoid: each line a little shorter than the next; a diamond (middle longest) is allowed too.
        if upper > lower:
            cost += 0.6 * (upper - lower)
    spread = max(widths) - min(widths)
    return cost + 0.15 * spread


def break_title(title: str, size_pt: float) -> list[str]:
    """The title's lines at ``size_pt``: the writer's own line breaks kept, long lines broken by the rules above."""
    lines: list[str] = []
    for part in title.replace("\r", "").split("\n"):
        if part.strip():
            lines.extend(_break_one(part.strip(), title_chars_per_line(size_pt)))
    return lines


def _break_one(text: str, capacity: int) -> list[str]:
    width = text_width_chars(text)
    if width <= capacity:
        return [text]
    count = max(2, math.ceil(width / capacity))
    candidates = [(i, c) for i in range(1, len(text)) if (c := _break_cost(text, i)) is not None]
    for lines in range(count, _MAX_LINES + 1):
        best: tuple[float, tuple[int, ...]] | None = None
        for cuts in combinations(candidates, lines - 1):
            positions = [0, *(i for i, _ in cuts), len(text)]
            widths = [text_width_chars(text[a:b]) for a, b in pairwise(positions)]
            shape = _shape_cost(widths, capacity)
            if shape is None:
                continue
            total = shape + sum(c for _, c in cuts)
            if best is None or total < best[0]:
                best = (total, tuple(i for i, _ in cuts))
        if best is not None:
            positions = [0, *best[1], len(text)]
            return [text[a:b] for a, b in pairwise(positions)]
    # Nothing fits the rules (a title of one long Latin word): fill lines to the width.
    return [text[i : i + capacity] for i in range(0, len(text), capacity)]
