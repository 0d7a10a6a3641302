"""The 字数 / word count of a document, counted the way Chinese and English writers each expect.

Chinese has no spaces between words, so splitting on whitespace counts a whole Chinese paragraph as one word.
The rule here follows Microsoft Word's 字数统计 (and what editors and contests mean by 字数):

* Every CJK character counts 1: ideographs (all extensions), kana, bopomofo, and full-width punctuation such as
  ，。！？、；：「」《》（）～.
* Punctuation of ambiguous width that Chinese typesetting sets full width (“ ” ‘ ’ — … ·) counts 1 per character
  when it touches CJK text (``他说：“好……”`` counts every mark) and 0 inside English (``“Hi”`` is one word).
* Other text counts by words: a run of non-space characters with at least one letter or digit. Numbers are words
  (``2023年`` is 1 word + 1 character), as are full-width Latin letters and digits and Korean eojeol.
* Emoji, symbols, lone punctuation and whitespace count nothing.

Both passes are regular expressions that run in linear time, so recounting a novel-length document on the GUI
thread costs milliseconds.

Reading and speaking time follow from the counts: characters at the Chinese pace plus words at the English pace.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

# Characters that count one each. U+3000 (ideographic space) is left out: it is whitespace.
_CJK = (
    "\u2e80-\u2fdf"  # CJK radicals supplement, Kangxi radicals
    "\u2ff0-\u2fff"  # ideographic description characters
    "\u3001-\u303f"  # CJK symbols and punctuation: 、。〈〉《》「」『』【】〔〕〇 ...
    "\u3040-\u30ff"  # hiragana, katakana (incl. ・ and ー)
    "\u3100-\u312f"  # bopomofo
    "\u3190-\u31ff"  # kanbun, bopomofo extended, CJK strokes, katakana phonetic extensions
    "\u3200-\u33ff"  # enclosed CJK letters and months, CJK compatibility (㈠ ㎡)
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\ufe10-\ufe1f"  # vertical forms
    "\ufe30-\ufe6f"  # CJK compatibility forms, small form variants
    "\uff01-\uff0f"  # full-width ！＂＃＄％＆＇（）＊＋，－．／
    "\uff1a-\uff20"  # full-width ：；＜＝＞？＠
    "\uff3b-\uff40"  # full-width ［＼］＾＿｀
    "\uff5b-\uff65"  # full-width ｛｜｝～ and half-width CJK punctuation ｡｢｣､･
    "\uff66-\uff9f"  # half-width katakana
    "\uffe0-\uffe6"  # full-width signs ￠￡￢￣￤￥￦
    "\U0001aff0-\U0001b16f"  # kana extended / supplement
    "\U00020000-\U0002fa1f"  # extensions B-F, I and the compatibility supplement
    "\U00030000-\U0003fffd"  # extensions G, H and the rest of the tertiary ideographic plane
)
# Width-ambiguous punctuation: full width (and counted) next to CJK, part of English text otherwise.
_AMBIGUOUS = "\u00b7\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u2027\u2e3a\u2e3b"

# A CJK run may carry ambiguous punctuation inside or after it; ambiguous punctuation directly before a CJK
# character belongs to it too. The look-behind stops the second branch from restarting inside a long run of
# ambiguous marks, which keeps the whole search linear.
_CJK_RUN = re.compile(f"[{_CJK}][{_CJK}{_AMBIGUOUS}]*|(?<![{_AMBIGUOUS}])[{_AMBIGUOUS}]+(?=[{_CJK}])")
# A letter or digit of any script; `\w` minus the underscore.
_ALNUM = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class TextStats:
    """Counts for one text.

    Attributes:
        cjk_chars: CJK characters and full-width punctuation, one each.
        words: words of the other scripts (English, numbers, Korean ...).
        total: ``cjk_chars + words``, the single number Word shows as 字数.
    """

    cjk_chars: int
    words: int

    @property
    def total(self) -> int:
        return self.cjk_chars + self.words


def count_text(text: str) -> TextStats:
    """Count *text* by the rule in this module's docstring."""
    cjk_chars = sum(match.end() - match.start() for match in _CJK_RUN.finditer(text))
    # Replace CJK runs with a space so "hello你好world" splits into two English words.
    rest = _CJK_RUN.sub(" ", text) if cjk_chars else text
    words = sum(1 for token in rest.split() if _ALNUM.search(token))
    return TextStats(cjk_chars=cjk_chars, words=words)


# ----------------------------------------------------------------------------------------------- reading time

# Silent reading: Chinese readers take in about 300-400 characters a minute, English readers about 230 words.
READING_PER_MINUTE: Final[Mapping[str, int]] = MappingProxyType({"zh": 350, "en": 230})
# Spoken pace (GENRES.md): Chinese about 200-250 characters a minute, English about 130-150 words a minute.
# Speech templates turn a duration into a target length with the same figures.
SPOKEN_PER_MINUTE: Final[Mapping[str, int]] = MappingProxyType({"zh": 225, "en": 140})


def reading_minutes(stats: TextStats) -> float:
    """Minutes a reader needs to read the text silently; mixed text adds its Chinese and its English part."""
    return _minutes(stats, READING_PER_MINUTE)


def speaking_minutes(stats: TextStats) -> float:
    """Minutes the text takes to deliver as a speech; mixed text adds its Chinese and its English part."""
    return _minutes(stats, SPOKEN_PER_MINUTE)


def _minutes(stats: TextStats, pace: Mapping[str, int]) -> float:
    # Numbers and Latin words inside Chinese text are counted as words, and read at the English pace.
    return stats.cjk_chars / pace["zh"] + stats.words / pace["en"]


def format_duration(minutes: float, lang: str) -> str:
    """A duration as a writer reads it: "约 3 分钟" / "about 3 min", "不到 1 分钟" / "under 1 min".

    Whole minutes, rounded half up; an hour or more reads "约 1 小时 5 分钟" / "about 1 h 5 min". Nothing to read is
    "0 分钟" / "0 min". ``lang`` is "zh" for Chinese, anything else gives English.

    Raises:
        ValueError: ``minutes`` is negative or not a finite number.
    """
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"not a duration: {minutes!r}")
    zh = lang == "zh"
    if minutes == 0:
        return "0 分钟" if zh else "0 min"
    # Rounding would call 20 seconds "about 0 min" and 40 seconds "about 1 min"; both are under a minute.
    if minutes < 1:
        return "不到 1 分钟" if zh else "under 1 min"
    whole = math.floor(minutes + 0.5)
    hours, rest = divmod(whole, 60)
    if not hours:
        return f"约 {whole} 分钟" if zh else f"about {whole} min"
    if not rest:
        return f"约 {hours} 小时" if zh else f"about {hours} h"
    return f"约 {hours} 小时 {rest} 分钟" if zh else f"about {hours} h {rest} min"
