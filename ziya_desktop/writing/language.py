"""Which of the app's two writing languages a text is in: Chinese or English.

Writing actions speak to the model in the language of the text they work on, and translation goes the other way,
so the choice has to be right for the mixed text writers really produce: a Chinese report full of product names
(“我们在 LLaMA 模型上用 llama.cpp 部署”) is Chinese, an English letter that quotes a name (“Li Bai (李白)”) is English.
"""

from __future__ import annotations

import re
from typing import Literal, TypeAlias

__all__ = ["Language", "detect_language", "other_language"]

Language: TypeAlias = Literal["zh", "en"]

# Han ideographs: unified, extension A, compatibility, and the supplementary planes (extensions B-I).
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003fffd]")
# A letter of any script (ideographs included): ``\w`` minus digits and the underscore.
_LETTER = re.compile(r"[^\W\d_]")
# An English word averages about 4.7 letters and says about as much as one and a half Chinese characters, so text
# with as much Chinese as English content has about 1.5 / (1.5 + 4.7) ≈ 0.24 of its letters ideographs. Above that
# share the Chinese part carries most of the meaning.
_CHINESE_SHARE = 0.24
# Enough text to judge by; a whole novel would only cost time.
_SAMPLE_CHARS = 4000


def detect_language(text: str, *, default: Language = "zh") -> Language:
    """ "zh" when Chinese carries most of ``text``, else "en"; ``default`` when it has no letters at all.

    Judged by the share of Han ideographs among the letters, over at most the last 4000 characters (the text
    nearest the cursor when ``text`` is what precedes it).
    """
    sample = text[-_SAMPLE_CHARS:]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return default
    ideographs = len(_IDEOGRAPH.findall(sample))
    return "zh" if ideographs / letters >= _CHINESE_SHARE else "en"


def other_language(language: Language) -> Language:
    """The language a translation goes to."""
    return "en" if language == "zh" else "zh"
