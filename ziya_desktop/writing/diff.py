"""Differences between a passage and the model's rewrite of it, as changes a writer can accept one by one.

A character diff of Chinese prose is noise and a word diff cannot split Chinese at all, so both texts are cut into
*diff units* first: every CJK ideograph or full-width punctuation mark is one unit (Chinese is edited a character
at a time), a run of other letters and digits is one unit (an English word is replaced whole, never spelt
differently), a run of whitespace is one unit and every other character is one unit (with the combining marks and
zero-width joiners that belong to it, so an accent or a family emoji is never cut in half).

The units go to ``difflib.SequenceMatcher`` with ``autojunk=False``: its junk heuristic drops any unit that makes
up more than 1 % of a text longer than 200 units, which in Chinese means 的, 了 and ，, and it would then align
sentences badly.

That matcher takes time quadratic in the length of the texts (a 100 KB document with many edits: over a minute),
and crash recovery diffs whole documents. Every diff therefore runs under a :class:`DiffBudget` of steps. A text
whose diff fits a small share of it is matched whole, exactly as before. A longer one is diffed in stages, each
near-linear: the common start and end are cut off, paragraphs and then sentences that occur once in each text
anchor the rest (patience diff), and only the small regions between anchors go to the matcher. A region the budget
cannot pay for is reported whole, as one change ("this passage changed"); ``DiffBudget.fallbacks`` counts them.

Two views of one diff:

* :func:`diff_changes` — what the writer reviews: :class:`Change` objects, merged into readable phrases.
* :func:`minimal_edits` — what an editor applies: the smallest :class:`Edit` objects, so unchanged text (and its
  formatting, and the cursors in it) is left alone.

This module is Qt-free; offsets are Python ``str`` indices (code points), not UTF-16 positions.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from difflib import Match, SequenceMatcher
from typing import Literal

__all__ = [
    "CJK_RANGES",
    "DIFF_STEP_LIMIT",
    "Change",
    "ChangeKind",
    "DiffBudget",
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

# Steps one diff may take (about half a second of Python): a step is one unit or chunk a linear
# pass reads, or one candidate pair the matcher looks at.
DIFF_STEP_LIMIT = 3_000_000
# A diff whose whole-text match costs at most this many steps is done whole, exactly as the plain matcher does it;
# rewrites of a selection always are.
EXACT_STEP_LIMIT = 1_000_000
# The most one region between anchors may spend before it is reported whole, so one hard region cannot use up what
# the rest of the document needs.
REGION_STEP_LIMIT = 500_000
# Where a chunk ends at each staged level: after a line break, then after a sentence's end.
_SENTENCE_ENDS = frozenset("。！？；…!?;.")
_Hunk = tuple[int, int, int, int]


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


@dataclass(slots=True)
class DiffBudget:
    """The work one diff may do, and what it did.

    Attributes:
        limit: the most steps; past it, what is left is reported in whole regions.
        steps: the steps taken: one per unit or chunk a linear pass read, one per candidate pair the matcher
            looked at. Bounds the diff's running time whatever the texts.
        fallbacks: regions reported whole because the budget could not pay for a finer diff of them.
    """

    limit: int = DIFF_STEP_LIMIT
    steps: int = 0
    fallbacks: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.steps)


class _OverBudget(Exception):
    """The matcher reached its step limit (caught inside this module only)."""


class _CountedMatcher(SequenceMatcher[str]):
    """``SequenceMatcher(None, a, b, autojunk=False)`` whose longest-match search counts its steps and stops at
    ``stop_at``. The search is the standard one (earliest in ``a``, then earliest in ``b``), so a match that finishes
    gives exactly the standard result; it only skips the positions before ``blo`` by bisection instead of one by one.
    """

    def __init__(self, a: Sequence[str], b: Sequence[str], budget: DiffBudget, stop_at: int) -> None:
        self._budget = budget
        self._stop_at = stop_at
        self._a, self._b = a, b
        budget.steps += len(b)  # indexing b
        super().__init__(None, a, b, autojunk=False)  # type: ignore[arg-type]
        # Where each unit occurs in b, ascending: built by the base class, not declared in its stubs.
        self._where: dict[str, list[int]] = vars(self)["b2j"]

    def find_longest_match(self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None) -> Match:
        ahi = len(self._a) if ahi is None else ahi
        bhi = len(self._b) if bhi is None else bhi
        a, where, budget = self._a, self._where, self._budget
        best_i, best_j, best_size = alo, blo, 0
        # Length of the match ending at each position of b, for the previous position of a.
        ending: dict[int, int] = {}
        for i in range(alo, ahi):
            found: dict[int, int] = {}
            spots = where.get(a[i], ())
            first, last = bisect_left(spots, blo), bisect_left(spots, bhi)
            budget.steps += last - first + 1
            if budget.steps > self._stop_at:
                raise _OverBudget
            for j in spots[first:last]:
                size = found[j] = ending.get(j - 1, 0) + 1
                if size > best_size:
                    best_i, best_j, best_size = i - size + 1, j - size + 1, size
            ending = found
        return Match(best_i, best_j, best_size)


def _matched_hunks(a: Sequence[str], b: Sequence[str], budget: DiffBudget, steps: int) -> list[_Hunk]:
    """The non-equal regions of the standard matcher's diff, if it finishes within ``steps``.

    Raises:
        _OverBudget: it did not.
    """
    matcher = _CountedMatcher(a, b, budget, budget.steps + steps)
    return [(a1, a2, b1, b2) for tag, a1, a2, b1, b2 in matcher.get_opcodes() if tag != "equal"]


def _pair_count(a: Sequence[str], b: Sequence[str], budget: DiffBudget) -> int:
    """The steps of the matcher's first search over the whole texts: pairs of equal units."""
    budget.steps += len(a) + len(b)
    in_b = Counter(b)
    return sum(n * in_b[unit] for unit, n in Counter(a).items())


def _raw_hunks(a: Sequence[str], b: Sequence[str], budget: DiffBudget) -> list[_Hunk]:
    """Non-equal regions as unit ranges ``(a1, a2, b1, b2)`` in text order, everything between them equal."""
    exact = min(EXACT_STEP_LIMIT, budget.remaining)
    if _pair_count(a, b, budget) <= exact:
        try:
            return _matched_hunks(a, b, budget, exact)
        except _OverBudget:
            pass  # a pathological text (the same unit over and over): the staged diff below bounds it
    return _staged_hunks(a, b, budget)


def _staged_hunks(a: Sequence[str], b: Sequence[str], budget: DiffBudget) -> list[_Hunk]:
    """The staged diff (see the module docstring), regions processed depth first so hunks come out in order."""
    hunks: list[_Hunk] = []
    # (alo, ahi, blo, bhi, level): level 0 anchors on lines, 1 on sentences, 2 is the matcher.
    todo: list[tuple[int, int, int, int, int]] = [(0, len(a), 0, len(b), 0)]
    while todo:
        alo, ahi, blo, bhi, level = todo.pop()
        alo, ahi, blo, bhi = _trim(a, b, alo, ahi, blo, bhi, budget)
        if alo == ahi and blo == bhi:
            continue
        if alo == ahi or blo == bhi or budget.remaining == 0:
            hunks.append((alo, ahi, blo, bhi))
            budget.fallbacks += alo != ahi and blo != bhi
            continue
        if level < 2:
            anchors = _anchors(a, b, alo, ahi, blo, bhi, level, budget)
            if not anchors:
                todo.append((alo, ahi, blo, bhi, level + 1))
                continue
            gaps, pa, pb = [], alo, blo
            for a1, a2, b1, b2 in anchors:
                gaps.append((pa, a1, pb, b1, level))
                pa, pb = a2, b2
            gaps.append((pa, ahi, pb, bhi, level))
            todo.extend(reversed(gaps))
            continue
        try:
            inner = _matched_hunks(a[alo:ahi], b[blo:bhi], budget, min(REGION_STEP_LIMIT, budget.remaining))
        except _OverBudget:
            hunks.append((alo, ahi, blo, bhi))
            budget.fallbacks += 1
            continue
        hunks.extend((alo + a1, alo + a2, blo + b1, blo + b2) for a1, a2, b1, b2 in inner)
    return hunks


def _trim(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int, budget: DiffBudget
) -> tuple[int, int, int, int]:
    """The region without its common start and end."""
    width = (ahi - alo) + (bhi - blo)
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        alo, blo = alo + 1, blo + 1
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
    budget.steps += width - (ahi - alo) - (bhi - blo) + 1
    return alo, ahi, blo, bhi


def _chunks(units: Sequence[str], lo: int, hi: int, level: int) -> list[tuple[int, int]]:
    """``units[lo:hi]`` cut into lines (level 0) or sentences (level 1), as unit ranges."""
    cuts: list[tuple[int, int]] = []
    start = lo
    for i in range(lo, hi):
        unit = units[i]
        if "\n" in unit or (level == 1 and unit[-1] in _SENTENCE_ENDS):
            cuts.append((start, i + 1))
            start = i + 1
    if start < hi:
        cuts.append((start, hi))
    return cuts


def _anchors(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int, level: int, budget: DiffBudget
) -> list[_Hunk]:
    """Chunks that occur exactly once in each side, equal, and in the same order on both (the longest such run):
    the unit ranges ``(a1, a2, b1, b2)`` of each, in order. Empty when there are none, or one chunk a side."""
    budget.steps += 2 * (ahi - alo + bhi - blo)
    a_cuts, b_cuts = _chunks(a, alo, ahi, level), _chunks(b, blo, bhi, level)
    if len(a_cuts) < 2 and len(b_cuts) < 2:
        return []
    a_keys = ["".join(a[s:e]) for s, e in a_cuts]
    b_keys = ["".join(b[s:e]) for s, e in b_cuts]
    pairs = _unique_pairs(a_keys, b_keys)
    budget.steps += len(pairs)
    return [(*a_cuts[i], *b_cuts[j]) for i, j in _longest_increasing(pairs)]


def _unique_pairs(a_keys: Sequence[Hashable], b_keys: Sequence[Hashable]) -> list[tuple[int, int]]:
    """``(i, j)`` for each key found once in ``a_keys`` (at ``i``) and once in ``b_keys`` (at ``j``), by ``i``."""
    in_a, in_b = Counter(a_keys), Counter(b_keys)
    at_b = {key: j for j, key in enumerate(b_keys) if in_b[key] == 1}
    return [(i, at_b[key]) for i, key in enumerate(a_keys) if in_a[key] == 1 and key in at_b]


def _longest_increasing(pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of ``pairs`` (sorted by ``i``) whose ``j`` increases too (patience sorting, n log n)."""
    tails: list[int] = []  # tails[k]: the j ending the best run of length k + 1
    tail_at: list[int] = []  # the index in pairs of that j
    before: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(index)
        else:
            tails[k], tail_at[k] = j, index
        before[index] = tail_at[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    index = tail_at[-1] if tail_at else -1
    while index >= 0:
        run.append(pairs[index])
        index = before[index]
    return run[::-1]


def _hunks(
    a_units: Sequence[str], b_units: Sequence[str], *, merge_equal: int, budget: DiffBudget
) -> list[tuple[int, int, int, int]]:
    """Non-equal regions as unit ranges ``(a1, a2, b1, b2)``, touching ones merged, short equal gaps folded in."""
    hunks: list[tuple[int, int, int, int]] = []
    for a1, a2, b1, b2 in _raw_hunks(a_units, b_units, budget):
        if hunks:
            p1, p2, q1, _ = hunks[-1]
            # An equal run has the same length on both sides, so the gap in ``a`` is the gap in ``b``.
            if a1 - p2 <= merge_equal:
                hunks[-1] = (p1, a2, q1, b2)
                continue
        hunks.append((a1, a2, b1, b2))
    return hunks


def diff_changes(original: str, revised: str, *, budget: DiffBudget | None = None) -> list[Change]:
    """The changes that turn ``original`` into ``revised``, in text order, indexed from 0.

    Changes that touch are one change, and a single equal unit between two changes is folded into them (see
    ``MERGE_EQUAL_UNITS``) so a rewritten sentence reads as one change, not as confetti.

    Args:
        original: the text before.
        revised: the text after.
        budget: the work allowed (default :data:`DIFF_STEP_LIMIT` steps); afterwards it holds the steps taken and
            how many regions were reported whole.

    Returns:
        Non-overlapping changes sorted by ``start``; ``apply_changes(original, changes, all indices) == revised``.
    """
    budget = DiffBudget() if budget is None else budget
    a_units, b_units = diff_units(original), diff_units(revised)
    a_off, b_off = _unit_offsets(a_units), _unit_offsets(b_units)
    changes: list[Change] = []
    for a1, a2, b1, b2 in _hunks(a_units, b_units, merge_equal=MERGE_EQUAL_UNITS, budget=budget):
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


def minimal_edits(original: str, revised: str, *, budget: DiffBudget | None = None) -> list[Edit]:
    """The smallest edits that turn ``original`` into ``revised``, in text order.

    Unlike :func:`diff_changes` nothing is folded, and a replaced word keeps the characters it shares with its
    replacement at either end ("word" → "words" is an insertion of "s"), so as little text as possible is touched.
    Apply them from the last to the first, so earlier offsets stay valid. ``budget`` is as for
    :func:`diff_changes`.

    Returns:
        Non-overlapping edits sorted by ``start``, offsets into ``original``.
    """
    if original == revised:
        return []
    a_units, b_units = diff_units(original), diff_units(revised)
    a_off, b_off = _unit_offsets(a_units), _unit_offsets(b_units)
    edits: list[Edit] = []
    for a1, a2, b1, b2 in _hunks(a_units, b_units, merge_equal=0, budget=DiffBudget() if budget is None else budget):
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
