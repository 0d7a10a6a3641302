"""What each writing action asks of the model: the kinds of action and their instructions in Chinese and English.

The instructions are plain sentences in the language of the text, worded the way an editor briefs a writer; Ziya
takes no system prompt. A continuation is told which text follows the cursor so that it leads into it; the
selection actions state a length target in the units a writer counts (characters for Chinese, words for English).
"""

from __future__ import annotations

import math
import re
from enum import StrEnum

from ziya_desktop.writing.language import Language
from ziya_desktop.writing.text_stats import count_text

# How much of the text after the cursor a continuation is told to lead into.
_AFTER_CHARS = {"zh": 60, "en": 120}


class ActionKind(StrEnum):
    CONTINUE = "continue"  # insert at the cursor
    POLISH = "polish"  # the rest replace the selection
    EXPAND = "expand"
    SHORTEN = "shorten"
    FORMAL = "formal"
    WARM = "warm"
    TRANSLATE = "translate"
    REWRITE = "rewrite"

    @property
    def needs_selection(self) -> bool:
        return self is not ActionKind.CONTINUE


_CONTINUE = {
    "zh": "请接着上文继续写，保持文风和格式一致{bridge}，只输出续写的内容。",
    "en": "Continue the text above in the same style and format{bridge}. Output only the continuation.",
}
_BRIDGE = {
    "zh": "，并与后文“{after}”自然衔接（不要重复后文）",
    "en": ", leading naturally into the text that follows it, “{after}” (do not repeat that text)",
}
_GENRE = {
    "zh": "文体：{genre}。请符合该文体的规范和用语习惯。",
    "en": "Genre: {genre}. Keep to its conventions.",
}
_TASKS: dict[ActionKind, dict[str, str]] = {
    ActionKind.POLISH: {
        "zh": "请润色下面这段文字：修改不通顺、不准确、不规范的字词和句子，使表达更加准确、简洁、流畅；"
        "不改变原意，不增删观点，篇幅与原文大致相当。",
        "en": "Polish the following text: fix awkward, inaccurate or ungrammatical wording so that it reads clearly "
        "and smoothly. Keep the meaning, add or drop no points, and keep about the same length.",
    },
    ActionKind.EXPAND: {
        "zh": "请扩写下面这段文字：在保持原意、文风和格式不变的前提下，补充必要的细节、事例或论述，使内容更加充实具体，"
        "篇幅扩展到原文的1.5至2倍（约{low}至{high}字）。",
        "en": "Expand the following text: keeping its meaning, style and format, add the details, examples or "
        "reasoning it needs, to about 1.5 to 2 times its length (about {low} to {high} words).",
    },
    ActionKind.SHORTEN: {
        "zh": "请缩写下面这段文字：保留核心观点和关键信息，删去重复、次要的内容，压缩到原文的一半左右（约{half}字）；"
        "保持原有文风，语句通顺完整。",
        "en": "Shorten the following text to about half its length (about {half} words): keep the key points and "
        "essential facts, cut repetition and minor details, and keep the style and complete sentences.",
    },
    ActionKind.FORMAL: {
        "zh": "请把下面这段文字改写为规范、庄重的书面语，符合公文或正式商务文书的语体：用词准确严谨，句式简洁规范，"
        "不用口语、网络用语和感叹句；不改变原意，篇幅与原文大致相当。",
        "en": "Rewrite the following text in a formal, professional register fit for official or business "
        "correspondence: precise wording, clear and concise sentences, no slang, contractions or exclamations. "
        "Keep the meaning and about the same length.",
    },
    ActionKind.WARM: {
        "zh": "请把下面这段文字改写得更亲切、温暖，更有人情味：语气真诚自然，像对熟悉的人说话一样，"
        "可以适当表达关心和谢意，但不要过分煽情；不改变原意，篇幅与原文大致相当。",
        "en": "Rewrite the following text to sound warmer, friendlier and more personal: sincere and natural, as if "
        "speaking to someone you know, showing care or thanks where it fits without overdoing it. Keep the "
        "meaning and about the same length.",
    },
    ActionKind.TRANSLATE: {
        "zh": "请把下面这段中文翻译成英文：译文要忠实原文，准确、通顺、地道，符合英文的表达习惯；"
        "人名、地名、机构名等专有名词采用通行译法。",
        "en": "Translate the following English text into Chinese: faithful to the original, accurate, fluent and "
        "idiomatic, with the standard Chinese renderings of names and terms.",
    },
    ActionKind.REWRITE: {
        "zh": "请按以下要求修改下面这段文字：{instruction}",
        "en": "Revise the following text as instructed: {instruction}",
    },
}
_RESULT = {
    "zh": {
        ActionKind.POLISH: "润色后的文字",
        ActionKind.EXPAND: "扩写后的文字",
        ActionKind.SHORTEN: "缩写后的文字",
        ActionKind.FORMAL: "改写后的文字",
        ActionKind.WARM: "改写后的文字",
        ActionKind.TRANSLATE: "译文",
        ActionKind.REWRITE: "修改后的文字",
    },
    "en": {
        ActionKind.POLISH: "polished text",
        ActionKind.EXPAND: "expanded text",
        ActionKind.SHORTEN: "shortened text",
        ActionKind.FORMAL: "rewritten text",
        ActionKind.WARM: "rewritten text",
        ActionKind.TRANSLATE: "translation",
        ActionKind.REWRITE: "revised text",
    },
}
_ONLY = {
    "zh": "只输出{result}，不要添加任何解释、说明或标题。",
    "en": "Output only the {result}, without any explanation, notes or heading.",
}


def continue_instruction(language: Language, after: str, genre_hint: str) -> str:
    """The instruction for a continuation, told to lead into ``after`` (see :func:`after_snippet`) when given."""
    bridge = _BRIDGE[language].format(after=after) if after else ""
    return _with_genre(_CONTINUE[language].format(bridge=bridge), language, genre_hint)


def after_snippet(after: str, language: Language) -> str:
    """The start of the text after the cursor, up to its first sentence end or a few dozen characters."""
    cap = _AFTER_CHARS[language]
    head = after[: cap * 8].strip()
    line = head.split("\n", 1)[0].strip()
    m = re.search(r"[。！？!?…]|\.(?:\s|$)", line)
    if m is not None and m.end() <= cap:
        return line[: m.end()].rstrip()
    if len(line) > cap:
        return line[:cap].rstrip() + ("……" if language == "zh" else "…")
    return line


def replace_instruction(kind: ActionKind, selected: str, language: Language, instruction: str, genre_hint: str) -> str:
    """The instruction for a selection action on ``selected``; ``instruction`` is the writer's own, for REWRITE."""
    size = count_text(selected).total
    task = _TASKS[kind][language].format(
        low=_about(size * 1.5),
        high=_about(size * 2),
        half=_about(size / 2),
        instruction=_as_sentence(instruction.strip(), language),
    )
    only = _ONLY[language].format(result=_RESULT[language][kind])
    return _with_genre(task + ("" if language == "zh" else " ") + only, language, genre_hint)


def _with_genre(instruction: str, language: Language, genre_hint: str) -> str:
    genre = " ".join(genre_hint.split())
    return f"{_GENRE[language].format(genre=genre)}\n{instruction}" if genre else instruction


def _about(n: float) -> int:
    """A length target as a writer states one: whole, and in tens from a hundred up."""
    whole = max(1, math.floor(n + 0.5))
    return whole if whole < 100 else math.floor(whole / 10 + 0.5) * 10


def _as_sentence(instruction: str, language: Language) -> str:
    if not instruction or instruction[-1] in "。！？.!?…；;":
        return instruction
    return instruction + ("。" if language == "zh" else ".")
