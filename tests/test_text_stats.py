"""The 字数 / word-count rule of ``ziya_desktop.writing.text_stats``: pure functions, no Qt."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ziya_desktop.writing.text_stats import (
    READING_PER_MINUTE,
    SPOKEN_PER_MINUTE,
    TextStats,
    count_text,
    format_duration,
    reading_minutes,
    speaking_minutes,
)


def counts(text: str) -> tuple[int, int]:
    stats = count_text(text)
    return stats.cjk_chars, stats.words


@pytest.mark.parametrize("text", ["", " ", "\n\t  \r\n", "\u3000\u3000", "— … ·", "!!! ??? ..."])
def test_nothing_to_count(text: str) -> None:
    assert counts(text) == (0, 0)
    assert count_text(text).total == 0


def test_chinese_counts_every_character_not_whitespace_runs() -> None:
    # Whitespace splitting would call this one word.
    assert counts("今天天气很好我们去公园散步吧") == (14, 0)


def test_english_counts_words() -> None:
    assert counts("The quick brown fox jumps over the lazy dog.") == (0, 9)
    assert counts("  leading\tand\ntrailing  ") == (0, 3)


def test_contractions_and_hyphenated_words_are_one_word() -> None:
    assert counts("don't stop, well-known isn’t it") == (0, 5)


@pytest.mark.parametrize("punctuation", list("，。！？、；：「」『』《》（）【】～〇・"))
def test_each_full_width_punctuation_mark_counts_one(punctuation: str) -> None:
    assert counts(punctuation) == (1, 0)
    assert counts(f"好{punctuation}好") == (3, 0)


def test_chinese_sentence_with_punctuation() -> None:
    # 今天天气很好 6 + ， 1 + 我们去公园散步吧 8 + ！ 1
    assert counts("今天天气很好，我们去公园散步吧！") == (16, 0)


def test_ambiguous_quotes_dashes_and_ellipses_count_inside_chinese() -> None:
    # 他说 2, ： 1, “ 1, 好吧 2, …… 2, ” 1, —— 2, 然后走了 4, 。 1
    assert counts("他说：“好吧……”——然后走了。") == (16, 0)
    # Before a CJK character too, not only after one.
    assert counts("“你好”") == (4, 0)
    assert counts("马克·吐温") == (5, 0)


def test_ambiguous_punctuation_inside_english_counts_nothing() -> None:
    assert counts("“Hello,” she said — “bye…”") == (0, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我爱Python编程", (4, 1)),
        ("hello你好world", (2, 2)),
        ("我用 Qt 6 写了一个 app。", (7, 3)),
        ("Ziya 是一个写作助手, it runs offline.", (7, 4)),
    ],
)
def test_mixed_text_counts_both(text: str, expected: tuple[int, int]) -> None:
    assert counts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年", (1, 1)),
        ("共100人", (2, 1)),
        ("3.14 1,000 42", (0, 3)),
        ("２０２３年", (1, 1)),  # full-width digits are a number, like half-width ones
        ("ＡＢＣ ｄｅｆ", (0, 2)),  # full-width Latin letters are words
    ],
)
def test_digits_are_words(text: str, expected: tuple[int, int]) -> None:
    assert counts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😀", (0, 0)),
        ("你好😀", (2, 0)),
        ("great 👍🏽 work", (0, 2)),
        ("👨\u200d👩\u200d👧", (0, 0)),  # ZWJ family: several code points, still nothing
        ("❤️🇨🇳", (0, 0)),  # variation selector and flag
        ("好😀好", (2, 0)),
    ],
)
def test_emoji_count_nothing(text: str, expected: tuple[int, int]) -> None:
    assert counts(text) == expected


def test_ideographic_space_separates_and_counts_nothing() -> None:
    assert counts("你\u3000好") == (2, 0)
    assert counts("one\u3000two") == (0, 2)


def test_other_cjk_scripts() -> None:
    assert counts("こんにちは") == (5, 0)  # hiragana, counted like hanzi
    assert counts("カタカナー") == (5, 0)
    assert counts("ㄅㄆㄇ") == (3, 0)  # bopomofo
    assert counts("안녕하세요 세계") == (0, 2)  # Korean writes spaces between words
    # Extension B, outside the Basic Multilingual Plane.
    assert counts("\U00020000\U0002a700") == (2, 0)


def test_other_scripts_are_words() -> None:
    assert counts("café naïve Привет мир") == (0, 4)
    assert counts("नमस्ते दुनिया") == (0, 2)  # combining vowel signs stay inside the word


def test_total_is_characters_plus_words() -> None:
    stats = count_text("我爱Python编程 and Qt")
    assert stats == TextStats(cjk_chars=4, words=3)
    assert stats.total == 7


def test_long_runs_of_ambiguous_punctuation_stay_linear() -> None:
    # A backtracking pattern would take minutes on this; the rule's regular expressions are linear.
    text = "—…" * 100_000 + "x"
    start = time.perf_counter()
    assert counts(text) == (0, 1)
    # A hang guard, not a speed figure: linear takes milliseconds, backtracking would take hours.
    assert time.perf_counter() - start < 60


_PIECES = st.sampled_from(
    ["你好", "世界", "，", "。", "“", "”", "……", "hello", "world", "don't", "2023", "😀", " ", "\u3000", "—", "Ω"]
)


@given(st.lists(_PIECES, max_size=20), st.lists(_PIECES, max_size=20))
def test_counts_add_up_across_lines(left: list[str], right: list[str]) -> None:
    # A line break ends every word and every CJK run, so lines count independently.
    first, second = "".join(left), "".join(right)
    joined = count_text(f"{first}\n{second}")
    assert joined.cjk_chars == count_text(first).cjk_chars + count_text(second).cjk_chars
    assert joined.words == count_text(first).words + count_text(second).words


@given(st.text(max_size=200))
def test_counts_are_bounded_by_length(text: str) -> None:
    stats = count_text(text)
    assert 0 <= stats.cjk_chars <= len(text)
    assert 0 <= stats.words <= len(text)


# ------------------------------------------------------------------------------------------ reading and speaking


def test_speaking_time_uses_the_spoken_pace() -> None:
    assert speaking_minutes(count_text("好" * 225)) == pytest.approx(1.0)
    assert speaking_minutes(count_text("word " * 140)) == pytest.approx(1.0)
    # Mixed text adds its Chinese and its English part.
    assert speaking_minutes(TextStats(cjk_chars=450, words=70)) == pytest.approx(2.5)


def test_reading_is_faster_than_speaking() -> None:
    assert reading_minutes(count_text("好" * 350)) == pytest.approx(1.0)
    assert reading_minutes(count_text("word " * 230)) == pytest.approx(1.0)
    stats = count_text("我们用 Qt 写了一个 app。" * 50)
    assert 0 < reading_minutes(stats) < speaking_minutes(stats)
    assert reading_minutes(count_text("")) == speaking_minutes(count_text("")) == 0


def test_speech_templates_share_the_spoken_pace() -> None:
    from ziya_desktop.writing import templates

    assert templates.SPOKEN_PER_MINUTE is SPOKEN_PER_MINUTE
    assert SPOKEN_PER_MINUTE == {"zh": 225, "en": 140}
    assert READING_PER_MINUTE["en"] == 230 and 300 <= READING_PER_MINUTE["zh"] <= 400


@pytest.mark.parametrize(
    ("minutes", "zh", "en"),
    [
        (0, "0 分钟", "0 min"),
        (0.2, "不到 1 分钟", "under 1 min"),
        (0.99, "不到 1 分钟", "under 1 min"),
        (1.0, "约 1 分钟", "about 1 min"),
        (2.5, "约 3 分钟", "about 3 min"),
        (3.49, "约 3 分钟", "about 3 min"),
        (59.6, "约 1 小时", "about 1 h"),
        (125.2, "约 2 小时 5 分钟", "about 2 h 5 min"),
    ],
)
def test_format_duration(minutes: float, zh: str, en: str) -> None:
    assert format_duration(minutes, "zh") == zh
    assert format_duration(minutes, "en") == en


@pytest.mark.parametrize("minutes", [-1.0, float("nan"), float("inf")])
def test_format_duration_refuses_what_is_not_a_duration(minutes: float) -> None:
    with pytest.raises(ValueError):
        format_duration(minutes, "zh")
