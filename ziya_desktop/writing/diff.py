"""Differences between a passage and the model's rewrite of it, as changes a writer can accept one by one.

A character diff of Chinese prose is noise and a word diff cannot split Chinese at all, so both texts are cut into
*diff units* first: every CJK ideograph or full-width punctuation mark is one unit (Chinese is edited a character
at a time), a run of other letters and digits is one unit (an English word is replaced whole, never spelt
differently), a run of whitespace is one unit and every other character is one unit (with the combining marks and
zero-width joiners that belong to it, so an accent or a family emoji is never cut in half).

The units go to ``difflib.SequenceMatcher`` with ``autojunk=False``: its junk heuristic drops any unit that makes
up more than 1 % of a text longer than 200 units, which in Chinese means 的, 了 and ，, and it would then align
sentences badly.

Two views of one diff:

* :func:`diff_changes` — what the writer reviews: :class:`Change` objects, merged into readable phrases.
* :func:`minimal_edits` — what an editor applies: the smallest :class:`Edit` objects, so unchanged text (and its
  formatting, and the cursors in it) is left alone.

This module is Qt-free; offsets are Python ``str`` indices (code points), not UTF-16 positions.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

__all__ = [
    "CJK_RANGES",
    "Change",
    "ChangeKind",
    "Edit",
    "apply_changes",
    "apply_edits",
    "diff_changes",
    "diff_units",
    "minimal_edits",
]

ChangeKind = Literal["insert", "delete", "replace"]

# One unit each: CJK ideographs (all planes), kana, bopomofo, CJK and full-width punctuation and forms. The ranges
# go inside a regular expression character class.
CJK_RANGES = (
    "\u2e80-\u2fff"
    "\u3001-\u303f"
    "\u3040-\u30ff"
    "\u3100-\u312f"
    "\u3190-\u33ff"
    "\u3400-\u4dbf"
    "\u4e00-\u9fff"
    "\uf900-\ufaff"
    "\ufe10-\ufe1f"
    "\ufe30-\ufe6f"
    "\uff01-\uff65"
    "\uffe0-\uffe6"
    "\U00020000-\U0003fffd"
)
# Marks that belong to the character before them: combining diacritics, variation selectors, emoji skin tones.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\U0001f3fb-\U0001f3ff"
_UNIT_RE = re.compile(
    rf"[{CJK_RANGES}]"
    rf"|(?:(?![{CJK_RANGES}])[^\W_][{_MARKS}]*)+"
    r"|\s+"
    rf"|.[{_MARKS}]*(?:\u200d.[{_MARKS}]*)*",
    re.DOTALL,
)

# An equal run this many units long or shorter, lying between two changes, is folded into one change. A rewritten
# Chinese sentence shares stray characters with the original (的, 和, a comma) that the matcher happily aligns;
# without folding, "提高工作效率" → "大幅提升办事效率" reads as four fragments, and accepting some of them but
# not others yields words neither text contains. One unit is enough to keep a sentence whole; two or more equal
# units in a row are usually a real anchor (a kept word or phrase) worth keeping apart.
MERGE_EQUAL_UNITS = 1


@dataclass(frozen=True, slots=True)
class Change:
    """One change a writer can accept or reject.

    Attributes:
        index: position in the list :func:`diff_changes` returned; :func:`apply_changes` takes these.
        start: where ``old`` starts in the original text.
        end: where ``old`` ends in the original text (``start == end`` for an insertion).
        old: the original text the change removes (empty for an insertion).
        new: the text the change puts in its place (empty for a deletion).
    """

    index: int
    start: int
    end: int
    old: str
    new: str

    @property
    def kind(self) -> ChangeKind:
        if not self.old:
            return "insert"
        if not self.new:
            return "delete"
        return "replace"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``original[start:end]`` with ``text``."""

    start: int
    end: int
    text: str


def diff_units(text: str) -> list[str]:
    """Cut ``text`` into diff units (see the module docstring); ``"".join(diff_units(t)) == t``."""
    return _UNIT_RE.findall(text)


def _unit_offsets(units: Sequence[str]) -> list[int]:
    """Character offset of each unit, plus the total length at the end."""
    offsets = [0] * (len(units) + 1)
    total = 0
    for i, unit in enumerate(units):
        offsets[i] = total
        total += len(unit)
    offsets[-1] = total
    return offsets


def _hunks(a_units: Sequence[str], b_units: Sequence[str], *, merge_equal: int) -> list[tuple[int, int, int, int]]:
    """Non-equal regions as unit ranges ``(a1, a2, b1, b2)``, touching ones merged, short equal gaps folded in."""
    matcher = SequenceMatcher(None, a_units, b_units, autojunk=False)
    hunks: list[tuple[int, int, int, int]] = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if hunks:
            p1, p2, q1, _ = hunks[-1]
            # An equal run has the same length on both sides, so the gap in ``a`` is the gap in ``b``.
            if a1 - p2 <= merge_equal:
                hunks[-1] = (p1, a2, q1, b2)
                continue
        hunks.append((a1, a2, b1, b2))
    return hunks


def diff_changes(original: str, revised: str) -> list[Change]:
    """The changes that turn ``original`` into ``revised``, in text order, indexed from 0.

    Changes that touch are one change, and a single equal unit between two changes is folded into them (see
    ``MERGE_EQUAL_UNITS``) so a rewritten sentence reads as one change, not as confetti.

    Returns:
        Non-overlapping changes sorted by ``start``; ``apply_changes(original, changes, all indices) == revised``.
    """
    a_units, b_units = diff_units(original), diff_units(revised)
    a_off, b_off = _unit_offsets(a_units), _unit_offsets(b_units)
    changes: list[Change] = []
    for a1, a2, b1, b2 in _hunks(a_units, b_units, merge_equal=MERGE_EQUAL_UNITS):
        start, end = a_off[a1], a_off[a2]
        changes.append(Change(len(changes), start, end, original[start:end], revised[b_off[b1] : b_off[b2]]))
    return changes


def apply_changes(original: str, changes: Iterable[Change], accepted: Collection[int]) -> str:
    """``original`` with the changes whose ``index`` is in ``accepted`` applied and the others left out.

    Every change is independent of the others (they never overlap), so any subset gives a consistent text: all
    of them give the revised text exactly, none gives ``original`` exactly.

    Raises:
        ValueError: a change does not fit ``original`` (its ``old`` is not the text at ``start:end``) or overlaps
            the change before it, i.e. the changes were computed for another text.
    """
    parts: list[str] = []
    pos = 0
    for change in sorted(changes, key=lambda c: (c.start, c.end)):
        if change.start < pos or original[change.start : change.end] != change.old:
            raise ValueError(f"change {change.index} does not fit the text at {change.start}:{change.end}")
        if change.index in accepted:
            parts.append(original[pos : change.start])
            parts.append(change.new)
            pos = change.end
    parts.append(original[pos:])
    return "".join(parts)


def minimal_edits(original: str, revised: str) -> list[Edit]:
    """The smallest edits that turn ``original`` into ``revised``, in text order.

    Unlike :func:`diff_changes` nothing is folded, and a replaced word keeps the characters it shares with its
    replacement at either end ("word" → "words" is an insertion of "s"), so as little text as possible is touched.
    Apply them from the last to the first, so earlier offsets stay valid.

    Returns:
        Non-overlapping edits sorted by ``start``, offsets into ``original``.
    """
    if original == revised:
        return []
    a_units, b_units = diff_units(original), diff_units(revised)
    a_off, b_off = _unit_offsets(a_units), _unit_offsets(b_units)
    edits: list[Edit] = []
    for a1, a2, b1, b2 in _hunks(a_units, b_units, merge_equal=0):
        start, end = a_off[a1], a_off[a2]
        old, new = original[start:end], revised[b_off[b1] : b_off[b2]]
        prefix = _common_prefix(old, new)
        suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
        edits.append(Edit(start + prefix, end - suffix, new[prefix : len(new) - suffix]))
    return edits


def apply_edits(original: str, edits: Iterable[Edit]) -> str:
    """``original`` with ``edits`` applied, last to first (the order an editor applies them in)."""
    text = original
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i
