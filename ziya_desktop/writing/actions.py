"""Writing actions: continue, polish, expand, shorten, formal, warm, translate and free rewrite as model requests.

An action turns the editor's state (its text, cursor and selection) into an :class:`ActionRequest`: the prompt in
the Ziya format with its tokens, where the answer goes (inserted at the cursor, or replacing the selection) and how
much of the document was left out to fit the context window. The instructions are plain sentences in the language
of the text, worded the way an editor briefs a writer; Ziya takes no system prompt.

Nothing is cut silently. CONTINUE sends the text nearest the cursor that fits and reports ``dropped_chars``; a
selection that does not fit together with room for the answer raises :class:`PromptTooLongError`.

Offsets are Python string indices (code points). Qt counts UTF-16 code units, so positions in a document with
characters outside the Basic Multilingual Plane (emoji, rare ideographs) are converted at the UI boundary.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from ziya_desktop.engine.prompt import MIN_ANSWER_TOKENS, WindowedPrompt, fit_prompt, ziya_prompt
from ziya_desktop.errors import PromptTooLongError, ZiyaError
from ziya_desktop.writing.language import Language, detect_language, other_language
from ziya_desktop.writing.text_stats import count_text

__all__ = [
    "CONTINUE_ANSWER_TOKENS",
    "ActionError",
    "ActionKind",
    "ActionRequest",
    "build_action",
    "clean_model_output",
    "detect_language",
    "suggested_answer_tokens",
]

# Room kept for a continuation: a few paragraphs, leaving most of a 2048-token window for the text it follows.
CONTINUE_ANSWER_TOKENS = 512
# No real token spans more characters than this, so a longer tail of the document can never fit the window; cutting
# it first keeps the window search cheap on a book-length document (what is cut is still counted as dropped).
_MAX_CHARS_PER_TOKEN = 16
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


class ActionError(ZiyaError):
    """An action that cannot start: nothing selected, nothing to continue from, no rewrite instruction."""

    hint = "Place the cursor after some text, or select the text the action should work on."


@dataclass(frozen=True)
class ActionRequest:
    """A model request for one action; it satisfies the engine worker's ``PreparedPrompt``.

    Attributes:
        kind: the action.
        prompt: the Ziya-format prompt; ``tokens`` is its tokenization.
        mode: "insert" the answer at ``target[0]``, or "replace" the span ``target`` with it.
        target: the span in the text (start == end for insert). A selection's surrounding whitespace stays in the
            document, so the span is the selection without it.
        original: the text of ``target`` (empty for insert).
        language: the language of the text and of the instruction; a translation's answer is in the other one.
        dropped_chars: characters of context left out to fit the window (the far end of the text before the cursor).
        strip_leading_space: the answer's leading space is dropped (replacing, or continuing after whitespace or
            inside Chinese text, where no space separates words).
        answer_tokens: tokens of the window kept free for the answer.
    """

    kind: ActionKind
    prompt: str
    tokens: list[int]
    mode: Literal["insert", "replace"]
    target: tuple[int, int]
    original: str
    language: Language
    dropped_chars: int
    strip_leading_space: bool
    answer_tokens: int

    @property
    def output_language(self) -> Language:
        """The language the answer is written in."""
        return other_language(self.language) if self.kind is ActionKind.TRANSLATE else self.language


# ------------------------------------------------------------------------------------------------------ prompts

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
_VERBS = {
    ActionKind.POLISH: "polish",
    ActionKind.EXPAND: "expand",
    ActionKind.SHORTEN: "shorten",
    ActionKind.FORMAL: "make formal",
    ActionKind.WARM: "make warmer",
    ActionKind.TRANSLATE: "translate",
    ActionKind.REWRITE: "rewrite",
}
# Answer room relative to the selection: an expansion needs more than a polish, a summary less. The slack covers
# short selections and the model's habit of overshooting a length target.
_ANSWER_RATIO = {
    ActionKind.POLISH: 1.3,
    ActionKind.EXPAND: 2.5,
    ActionKind.SHORTEN: 0.8,
    ActionKind.FORMAL: 1.4,
    ActionKind.WARM: 1.5,
    ActionKind.TRANSLATE: 2.0,
    ActionKind.REWRITE: 2.0,
}
_ANSWER_SLACK = 32


def suggested_answer_tokens(kind: ActionKind | str, selection_tokens: int, max_tokens: int) -> int:
    """Tokens to keep free for the answer to ``kind`` on a selection of ``selection_tokens`` tokens.

    CONTINUE asks for :data:`CONTINUE_ANSWER_TOKENS`; the others scale with the selection. The result is at least
    ``MIN_ANSWER_TOKENS`` and at most ``max_tokens``.

    Raises:
        ValueError: ``max_tokens`` < 1 or ``selection_tokens`` < 0.
    """
    kind = ActionKind(kind)
    if max_tokens < 1 or selection_tokens < 0:
        raise ValueError(f"bad token counts: selection {selection_tokens}, max {max_tokens}")
    if kind is ActionKind.CONTINUE:
        wanted = CONTINUE_ANSWER_TOKENS
    else:
        wanted = math.ceil(selection_tokens * _ANSWER_RATIO[kind]) + _ANSWER_SLACK
    return min(max(wanted, MIN_ANSWER_TOKENS), max_tokens)


def build_action(
    kind: ActionKind | str,
    *,
    text: str,
    cursor: int,
    selection: tuple[int, int] | None,
    tokenize: Callable[[str], list[int]],
    n_ctx: int,
    answer_tokens: int,
    instruction: str = "",
    genre_hint: str = "",
) -> ActionRequest:
    """The model request for ``kind`` on the editor's ``text``.

    Args:
        kind: the action; CONTINUE inserts at ``cursor``, the others replace ``selection``.
        text: the whole document as plain text.
        cursor: the cursor position, 0..len(text).
        selection: (start, end) of the selection in either order, or None.
        tokenize: the loaded model's tokenizer (prompt tokens are counted with it).
        n_ctx: the context window in tokens.
        answer_tokens: tokens to keep free for the answer (see :func:`suggested_answer_tokens`).
        instruction: the writer's own instruction, required for REWRITE.
        genre_hint: the document's genre (e.g. "公文 通知"), added to the instruction when given.

    Raises:
        ActionError: nothing to continue from, no selection (or only whitespace) for a selection action, or an
            empty instruction for REWRITE.
        PromptTooLongError: the selection (or, for CONTINUE, the instruction alone) leaves no room for the answer.
        ValueError: ``cursor`` or ``selection`` lies outside ``text``.
    """
    kind = ActionKind(kind)
    if not 0 <= cursor <= len(text):
        raise ValueError(f"cursor {cursor} outside a text of {len(text)} characters")
    if kind is ActionKind.CONTINUE:
        return _build_continue(text, cursor, tokenize, n_ctx, answer_tokens, genre_hint)
    return _build_replace(kind, text, selection, tokenize, n_ctx, answer_tokens, instruction, genre_hint)


def _build_continue(
    text: str, cursor: int, tokenize: Callable[[str], list[int]], n_ctx: int, answer_tokens: int, genre_hint: str
) -> ActionRequest:
    before = text[:cursor]
    if not before.strip():
        raise ActionError(
            "There is nothing to continue from: the text before the cursor is empty.",
            hint="Write a first sentence, or place the cursor after the text to continue.",
        )
    language = detect_language(before)
    context = before.rstrip()
    limit = max(n_ctx, 0) * _MAX_CHARS_PER_TOKEN
    pre_dropped = max(len(context) - limit, 0)
    context = context[pre_dropped:]
    after = _after_snippet(text[cursor:], language)

    def fit(instruction: str) -> WindowedPrompt:
        return fit_prompt(instruction, context, tokenize, n_ctx=n_ctx, answer_tokens=answer_tokens, context_first=True)

    try:
        fitted = fit(_continue_instruction(language, after, genre_hint))
    except PromptTooLongError:
        if not after:
            raise
        # The text after the cursor is a nicety; without it the instruction may still fit.
        fitted = fit(_continue_instruction(language, "", genre_hint))
    # Chinese runs words together, and after whitespace a space would double it; only English continued
    # mid-line may need the space the model puts before its first word.
    strip = before[-1].isspace() or language == "zh"
    return ActionRequest(
        kind=ActionKind.CONTINUE,
        prompt=fitted.text,
        tokens=fitted.tokens,
        mode="insert",
        target=(cursor, cursor),
        original="",
        language=language,
        dropped_chars=pre_dropped + fitted.dropped_chars,
        strip_leading_space=strip,
        answer_tokens=max(answer_tokens, MIN_ANSWER_TOKENS),
    )


def _continue_instruction(language: Language, after: str, genre_hint: str) -> str:
    bridge = _BRIDGE[language].format(after=after) if after else ""
    return _with_genre(_CONTINUE[language].format(bridge=bridge), language, genre_hint)


def _after_snippet(after: str, language: Language) -> str:
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


def _build_replace(
    kind: ActionKind,
    text: str,
    selection: tuple[int, int] | None,
    tokenize: Callable[[str], list[int]],
    n_ctx: int,
    answer_tokens: int,
    instruction: str,
    genre_hint: str,
) -> ActionRequest:
    verb = _VERBS[kind]
    if selection is None or selection[0] == selection[1]:
        raise ActionError(f"Nothing is selected: select the text to {verb} first.")
    start, end = sorted(selection)
    if start < 0 or end > len(text):
        raise ValueError(f"selection {selection} outside a text of {len(text)} characters")
    chunk = text[start:end]
    core = chunk.strip()
    if not core:
        raise ActionError(f"The selection holds only spaces and line breaks: select the text to {verb}.")
    start += len(chunk) - len(chunk.lstrip())
    end = start + len(core)
    if kind is ActionKind.REWRITE and not instruction.strip():
        raise ActionError(
            "The rewrite has no instruction.", hint="Say how to rewrite the selection, e.g. “改成第一人称”."
        )
    # Digits or symbols alone say nothing about the language; the document around them does.
    language = detect_language(core, default=detect_language(text))
    prompt = ziya_prompt(f"{_replace_instruction(kind, core, language, instruction, genre_hint)}\n\n{core}")
    tokens = tokenize(prompt)
    reserve = max(answer_tokens, MIN_ANSWER_TOKENS)
    if len(tokens) + reserve > n_ctx:
        raise PromptTooLongError(len(tokens), n_ctx, min_answer=reserve)
    return ActionRequest(
        kind=kind,
        prompt=prompt,
        tokens=tokens,
        mode="replace",
        target=(start, end),
        original=core,
        language=language,
        dropped_chars=0,
        strip_leading_space=True,
        answer_tokens=reserve,
    )


def _replace_instruction(kind: ActionKind, selected: str, language: Language, instruction: str, genre_hint: str) -> str:
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


# ------------------------------------------------------------------------------------------------ cleaning output

_ZH_ACK = r"(?:好的|好|嗯|当然(?:可以)?|可以|没问题|明白了?|收到)[，,。！!～~]\s*"
_ZH_ACT = r"(?:润色|修改|改写|修订|扩写|扩充|缩写|精简|压缩|翻译|续写|优化|调整|重写)"
_ZH_NOUN = r"(?:文本|文字|内容|版本|段落|结果|译文|文稿|全文|文章|句子)"
_ZH_RESULT = (
    rf"(?:{_ZH_ACT}(?:成|为)?(?:英文|中文|英语|汉语)?(?:过|好)?(?:后|之后)?的?{_ZH_NOUN}?"
    r"|(?:英文|中文|英语|汉语)?译文|翻译结果)"
)
_ZH_TAIL = r"(?:[，,]?(?:供您?参考|请您?参考|请查收))?(?:如下)?\s*[：:]"
_ZH_STRONG = re.compile(
    rf"(?:{_ZH_ACK})?(?:(?:以下|下面|如下)(?:是|为)?|这是|这里是)(?:我|为您|给您|帮您)*{_ZH_RESULT}{_ZH_TAIL}"
    rf"|{_ZH_ACK}(?:我来|我将)?(?:为您|帮您)?{_ZH_RESULT}(?:一下)?(?:这段|这篇)?(?:文字|文本|内容|话)?{_ZH_TAIL}"
    rf"|(?:{_ZH_ACK})?(?:我来|我将)(?:为您|帮您)?{_ZH_ACT}(?:一下)?(?:这段|这篇)?(?:文字|文本|内容|话)?{_ZH_TAIL}"
)
# A bare label needs a result word ("润色后：", "修改后的文本：", "译文："): "修改：" alone opens real sentences.
_ZH_LABEL = re.compile(
    rf"(?:{_ZH_ACT}(?:成|为)?(?:英文|中文|英语|汉语)?(?:过|好)?(?:后|之后)(?:的{_ZH_NOUN})?|{_ZH_ACT}的?{_ZH_NOUN}"
    rf"|(?:英文|中文|英语|汉语)?译文|翻译结果){_ZH_TAIL}"
)

_EN_ACK = r"(?:sure|certainly|of course|ok(?:ay)?|alright|absolutely|no problem)[,.!]?\s*"
_EN_ADJ = (
    r"(?:revised|polished|rewritten|edited|improved|refined|expanded|extended|shortened|condensed|shorter|longer"
    r"|more formal|formal|warmer|friendlier|more personal|translated|continued|updated)"
)
_EN_NOUN = r"(?:version|text|translation|paragraph|passage|draft|rewrite|continuation|revision)"
_EN_RESULT = (
    rf"(?:(?:the|your|a|my)\s+)?(?:{_EN_ADJ}\s+)?{_EN_NOUN}"
    r"(?:\s+of\s+(?:the|your)\s+(?:text|paragraph|passage))?(?:\s+(?:in|into)\s+(?:english|chinese))?"
)
_EN_STRONG = re.compile(
    rf"(?:{_EN_ACK})?(?:here\s+is|here's|below\s+is)\s+{_EN_RESULT}\s*[:：]|{_EN_ACK}{_EN_RESULT}\s*[:：]",
    re.IGNORECASE,
)
_EN_LABEL = re.compile(rf"(?:{_EN_ADJ}\s+)?{_EN_NOUN}\s*[:：]", re.IGNORECASE)

# Wrapping quotation marks: a model sometimes returns the revised text quoted, as if citing it.
_QUOTES = {"“": "”", "「": "」", "『": "』", '"': '"', "‘": "’"}
_FENCE = re.compile(r"```[^\n`]*\n(.*)\n```", re.DOTALL)


def clean_model_output(kind: ActionKind | str, text: str, language: Language, *, original: str = "") -> str:
    """The model's answer without the wrapping it sometimes adds; everything else is kept verbatim.

    Removed: a leading preamble ("好的，以下是润色后的文本：", "Here is the revised text:"), trailing whitespace,
    and for the selection actions leading whitespace and quotation marks or a code fence around the whole answer
    that ``original`` (the selected text) did not have. A bare label ("译文：", "Revised text:") only counts as a
    preamble when ``original`` does not start with it too. A continuation keeps its quotes (dialogue is content).

    Args:
        kind: the action that produced ``text``.
        text: the model's whole answer.
        language: the request's or the answer's language (they differ only for a translation, whose labels are
            looked for in both languages, so either works).
        original: the text the action worked on (``ActionRequest.original``).
    """
    kind = ActionKind(kind)
    out = text.rstrip()
    body = out.lstrip()
    body, cut = _strip_preamble(body, kind, language, original)
    if kind.needs_selection:
        body = _strip_wrapping(body, original)
    elif not cut:
        return out  # a continuation's leading space or line break is the writer's layout
    return body.lstrip()


def _strip_preamble(body: str, kind: ActionKind, language: Language, original: str) -> tuple[str, bool]:
    for strong in (_ZH_STRONG, _EN_STRONG):
        m = strong.match(body)
        if m is not None:
            return body[m.end() :].lstrip(), True
    if not kind.needs_selection:
        return body, False  # a continuation has no original to tell a label from its own text
    labels = []
    if language == "zh" or kind is ActionKind.TRANSLATE:
        labels.append(_ZH_LABEL)
    if language == "en" or kind is ActionKind.TRANSLATE:
        labels.append(_EN_LABEL)
    head = original.lstrip()
    for label in labels:
        m = label.match(body)
        # A label the original starts with too is the text's own ("译文：" in a document about translation).
        if m is not None and not label.match(head):
            return body[m.end() :].lstrip(), True
    return body, False


def _strip_wrapping(body: str, original: str) -> str:
    head = original.strip()
    fence = _FENCE.fullmatch(body)
    if fence is not None and "```" not in head:
        body = fence.group(1).strip()
    if len(body) >= 2 and body[0] in _QUOTES:
        opening, closing = body[0], _QUOTES[body[0]]
        inner = body[1:-1]
        # Only a pair around the whole answer: "“甲”和“乙”" starts and ends with quotes that are not a pair.
        if body[-1] == closing and opening not in inner and closing not in inner and not head.startswith(opening):
            body = inner.strip()
    return body
