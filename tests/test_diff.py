"""The rewrite diff: diff units, readable changes, any accepted subset, minimal edits (property tests included)."""

from __future__ import annotations

import itertools
from difflib import SequenceMatcher

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.bench_recovery import heavy_edit_pair
from ziya_desktop.writing.diff import (
    DIFF_STEP_LIMIT,
    MERGE_EQUAL_UNITS,
    Change,
    DiffBudget,
    Edit,
    apply_changes,
    apply_edits,
    diff_changes,
    diff_units,
    minimal_edits,
)

# Chinese, full-width punctuation, English, digits, whitespace, emoji (astral, with ZWJ and skin tone), accents.
_PIECES = [
    "的",
    "了",
    "我们",
    "提高",
    "效率",
    "，",
    "。",
    "“",
    "”",
    "（一）",
    "the",
    "The",
    "quick",
    "fox",
    "2026",
    "年",
    " ",
    "  ",
    "\n",
    "\n\n",
    "🎉",
    "👍🏽",
    "👨\u200d👩\u200d👧",
    "e\u0301",
    "naïve",
    "_",
    "!",
    "𠀀",
    "\u3000",
]
texts = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
any_text = st.text(max_size=60)


@st.composite
def text_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """An original and a rewrite of it: a few pieces replaced, dropped or added, as a model would."""
    pieces = draw(st.lists(st.sampled_from(_PIECES), max_size=40))
    revised = list(pieces)
    for _ in range(draw(st.integers(0, 6))):
        pos = draw(st.integers(0, len(revised)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        if op == "insert" or pos == len(revised):
            revised.insert(pos, draw(st.sampled_from(_PIECES)))
        elif op == "delete":
            del revised[pos]
        else:
            revised[pos] = draw(st.sampled_from(_PIECES))
    return "".join(pieces), "".join(revised)


def test_units_cut_chinese_by_character_and_english_by_word() -> None:
    assert diff_units("我们提高了efficiency 42%，好！") == [
        "我",
        "们",
        "提",
        "高",
        "了",
        "efficiency",
        " ",
        "42",
        "%",
        "，",
        "好",
        "！",
    ]


def test_units_keep_emoji_sequences_and_accents_whole() -> None:
    assert diff_units("a👨\u200d👩\u200d👧 👍🏽 cafe\u0301 \n\n x") == [
        "a",
        "👨\u200d👩\u200d👧",
        " ",
        "👍🏽",
        " ",
        "cafe\u0301",
        " \n\n ",
        "x",
    ]


def test_change_kinds_and_offsets() -> None:
    original = "The quick brown fox."
    changes = diff_changes(original, "The quick red fox jumps.")
    assert [(c.kind, c.old, c.new) for c in changes] == [("replace", "brown", "red"), ("insert", "", " jumps")]
    assert [c.index for c in changes] == [0, 1]
    first = changes[0]
    assert original[first.start : first.end] == "brown"
    assert diff_changes("甲乙丙", "甲丙")[0].kind == "delete"
    assert diff_changes("same 一样", "same 一样") == []


def test_one_equal_unit_between_changes_is_folded_into_one_change() -> None:
    # 提 is common to both; without folding this would be two changes, 提高工作 → 大幅提升办事 read in pieces.
    changes = diff_changes("要提高工作效率", "要大幅提升办事效率")
    assert [(c.old, c.new) for c in changes] == [("提高工作", "大幅提升办事")]


def test_two_equal_units_keep_changes_apart() -> None:
    changes = diff_changes("甲乙的了丙丁", "子丑的了寅卯")
    assert [(c.old, c.new) for c in changes] == [("甲乙", "子丑"), ("丙丁", "寅卯")]


def test_subset_of_changes_gives_consistent_text() -> None:
    original = "The quick brown fox jumps over the lazy dog."
    revised = "The quick red fox leaped over the lazy cat."
    changes = diff_changes(original, revised)
    assert len(changes) == 3
    assert apply_changes(original, changes, {0, 2}) == "The quick red fox jumps over the lazy cat."
    assert apply_changes(original, changes, {1}) == "The quick brown fox leaped over the lazy dog."


def test_apply_changes_refuses_changes_of_another_text() -> None:
    changes = diff_changes("hello world", "hello there")
    with pytest.raises(ValueError, match="does not fit"):
        apply_changes("hello earth", changes, {0})
    overlapping = [Change(0, 0, 3, "abc", "x"), Change(1, 2, 4, "cd", "y")]
    with pytest.raises(ValueError, match="does not fit"):
        apply_changes("abcdef", overlapping, {0, 1})


def test_minimal_edits_touch_only_what_changed() -> None:
    assert minimal_edits("one word here", "one words here") == [Edit(8, 8, "s")]
    assert minimal_edits("我们提高效率", "我们大幅提高效率") == [Edit(2, 2, "大幅")]
    assert minimal_edits("same", "same") == []
    assert minimal_edits("", "新") == [Edit(0, 0, "新")]
    assert minimal_edits("旧", "") == [Edit(0, 1, "")]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_units_join_back_to_the_text(text: str) -> None:
    assert "".join(diff_units(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.one_of(text_pairs(), st.tuples(texts, texts), st.tuples(any_text, any_text)))
def test_apply_all_gives_revised_and_none_gives_original(pair: tuple[str, str]) -> None:
    original, revised = pair
    changes = diff_changes(original, revised)
    assert apply_changes(original, changes, {c.index for c in changes}) == revised
    assert apply_changes(original, changes, ()) == original
    for change in changes:
        assert original[change.start : change.end] == change.old
        assert change.old != change.new


@settings(max_examples=300, deadline=None)
@given(text_pairs(), st.data())
def test_any_subset_applies_each_change_in_place(pair: tuple[str, str], data: st.DataObject) -> None:
    original, revised = pair
    changes = diff_changes(original, revised)
    accepted = data.draw(st.sets(st.sampled_from([c.index for c in changes]))) if changes else set()
    result = apply_changes(original, changes, accepted)
    # Rebuild the expected text by hand: the original between changes, old or new text for each change.
    expected, pos = [], 0
    for change in changes:
        expected += [original[pos : change.start], change.new if change.index in accepted else change.old]
        pos = change.end
    expected.append(original[pos:])
    assert result == "".join(expected)


@settings(max_examples=300, deadline=None)
@given(st.one_of(text_pairs(), st.tuples(texts, texts), st.tuples(any_text, any_text)))
def test_minimal_edits_in_reverse_order_give_revised(pair: tuple[str, str]) -> None:
    original, revised = pair
    edits = minimal_edits(original, revised)
    text = original
    for edit in reversed(edits):
        text = text[: edit.start] + edit.text + text[edit.end :]
    assert text == revised
    assert apply_edits(original, edits) == revised
    assert all(a.end <= b.start for a, b in itertools.pairwise(edits))
    # Minimal: no edit is a no-op, and none rewrites more than the two texts differ by.
    assert all(original[e.start : e.end] != e.text for e in edits)
    assert sum(e.end - e.start for e in edits) <= len(original)


# -- bounded work ----------------------------------------------------------------------------------------------------


def plain_matcher_changes(original: str, revised: str) -> list[tuple[int, int, str, str]]:
    """What the diff gave before it was bounded: the whole texts through difflib, gaps folded the same way."""
    a_units, b_units = diff_units(original), diff_units(revised)
    a_off = [sum(len(u) for u in a_units[:i]) for i in range(len(a_units) + 1)]
    b_off = [sum(len(u) for u in b_units[:i]) for i in range(len(b_units) + 1)]
    hunks: list[tuple[int, int, int, int]] = []
    for tag, a1, a2, b1, b2 in SequenceMatcher(None, a_units, b_units, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if hunks and a1 - hunks[-1][1] <= MERGE_EQUAL_UNITS:
            hunks[-1] = (hunks[-1][0], a2, hunks[-1][2], b2)
        else:
            hunks.append((a1, a2, b1, b2))
    return [
        (a_off[a1], a_off[a2], original[a_off[a1] : a_off[a2]], revised[b_off[b1] : b_off[b2]])
        for a1, a2, b1, b2 in hunks
    ]


@settings(max_examples=300, deadline=None)
@given(st.one_of(text_pairs(), st.tuples(texts, texts), st.tuples(any_text, any_text)))
def test_ordinary_texts_diff_exactly_as_the_plain_matcher(pair: tuple[str, str]) -> None:
    original, revised = pair
    got = [(c.start, c.end, c.old, c.new) for c in diff_changes(original, revised)]
    assert got == plain_matcher_changes(original, revised)


def test_a_rewritten_page_diffs_exactly_as_the_plain_matcher() -> None:
    # A long selection handed to the rewrite review (about 5 KB) still gets the plain matcher's exact result.
    original, revised = heavy_edit_pair(5_000, seed=3)
    budget = DiffBudget()
    got = [(c.start, c.end, c.old, c.new) for c in diff_changes(original, revised, budget=budget)]
    assert got == plain_matcher_changes(original, revised)
    assert budget.fallbacks == 0


def test_a_100_kb_document_with_heavy_edits_diffs_in_near_linear_steps() -> None:
    original, revised = heavy_edit_pair(100_000)
    assert len(original.encode("utf-8")) >= 100_000
    budget = DiffBudget()
    changes = diff_changes(original, revised, budget=budget)
    units = len(diff_units(original)) + len(diff_units(revised))
    # The plain matcher looks at up to every pair of units (over a billion here); the bounded diff at a few dozen
    # steps per unit, within its budget, and still finds every edit in detail.
    assert budget.steps <= 30 * units, budget
    assert budget.steps <= DIFF_STEP_LIMIT
    assert budget.fallbacks == 0
    assert len(changes) > 300 and max(len(c.old) + len(c.new) for c in changes) < 400
    assert apply_changes(original, changes, {c.index for c in changes}) == revised
    assert apply_edits(original, minimal_edits(original, revised)) == revised


@pytest.mark.parametrize(
    ("original", "revised"),
    [
        ("的" * 40_000, "的了" * 20_000),  # one unit over and over: every pair matches
        ("同上。\n" * 10_000, "同上。\n不同。\n" * 5_000),  # no line or sentence occurs once
        (" ".join(["the", "of", "and"] * 8_000), " ".join(["of", "the", "and"] * 8_000)),
    ],
    ids=["one-unit", "repeated-lines", "few-words"],
)
def test_pathological_texts_stay_within_the_budget_and_still_apply(original: str, revised: str) -> None:
    budget = DiffBudget()
    changes = diff_changes(original, revised, budget=budget)
    units = len(diff_units(original)) + len(diff_units(revised))
    # The budget, plus at most one linear pass that was already under way when it ran out.
    assert budget.steps <= DIFF_STEP_LIMIT + 4 * units, budget
    assert budget.fallbacks >= 1
    assert apply_changes(original, changes, {c.index for c in changes}) == revised
    assert apply_changes(original, changes, ()) == original
    assert apply_edits(original, minimal_edits(original, revised)) == revised


def test_a_spent_budget_reports_the_rest_whole() -> None:
    original, revised = heavy_edit_pair(20_000)
    budget = DiffBudget(limit=1)
    changes = diff_changes(original, revised, budget=budget)
    assert budget.fallbacks >= 1 and len(changes) == 1
    assert apply_changes(original, changes, {0}) == revised
