"""Writing actions: continue, polish, expand, shorten, formal, warm, translate and free rewrite as model requests.

An action turns the editor's state (its text, cursor and selection) into an :class:`ActionRequest`: the prompt in
the Ziya format with its tokens, where the answer goes (inserted at the cursor, or replacing the selection) and how
much of the document was left out to fit the context window. The instructions themselves are worded in
:mod:`ziya_desktop.writing.action_prompts`. The model's answer comes back through :func:`clean_model_output`, which
removes the preamble and wrapping the model sometimes adds around it.

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
from typing import Literal, NoReturn

from ziya_desktop.engine.prompt import MIN_ANSWER_TOKENS, WindowedPrompt, fit_prompt, ziya_prompt
from ziya_desktop.errors import (
    ActionError,
    NoRewriteInstructionError,
    NothingToContinueError,
    PromptTooLongError,
    SelectionTooLongError,
)
from ziya_desktop.translatable import QT_TRANSLATE_NOOP
from ziya_desktop.writing.action_prompts import ActionKind, after_snippet, continue_instruction, replace_instruction
from ziya_desktop.writing.language import Language, detect_language, other_language

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


# What each selection action does, for its messages ("select the text to polish first"); the messages are marked for
# translation here and translated where the UI shows them (ui.common.error_text).
_VERBS = {
    ActionKind.POLISH: QT_TRANSLATE_NOOP("WritingActions", "polish"),
    ActionKind.EXPAND: QT_TRANSLATE_NOOP("WritingActions", "expand"),
    ActionKind.SHORTEN: QT_TRANSLATE_NOOP("WritingActions", "shorten"),
    ActionKind.FORMAL: QT_TRANSLATE_NOOP("WritingActions", "make formal"),
    ActionKind.WARM: QT_TRANSLATE_NOOP("WritingActions", "make warmer"),
    ActionKind.TRANSLATE: QT_TRANSLATE_NOOP("WritingActions", "translate"),
    ActionKind.REWRITE: QT_TRANSLATE_NOOP("WritingActions", "rewrite"),
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
        raise NothingToContinueError(
            QT_TRANSLATE_NOOP(
                "WritingActions", "There is nothing to continue from: the text before the cursor is empty."
            )
        )
    language = detect_language(before)
    context = before.rstrip()
    limit = max(n_ctx, 0) * _MAX_CHARS_PER_TOKEN
    pre_dropped = max(len(context) - limit, 0)
    context = context[pre_dropped:]
    after = after_snippet(text[cursor:], language)

    def fit(instruction: str) -> WindowedPrompt:
        return fit_prompt(instruction, context, tokenize, n_ctx=n_ctx, answer_tokens=answer_tokens, context_first=True)

    try:
        fitted = fit(continue_instruction(language, after, genre_hint))
    except PromptTooLongError:
        if not after:
            raise
        # The text after the cursor is a nicety; without it the instruction may still fit.
        fitted = fit(continue_instruction(language, "", genre_hint))
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
        raise ActionError(
            QT_TRANSLATE_NOOP("WritingActions", "Nothing is selected: select the text to {verb} first.").format(
                verb=verb
            )
        )
    start, end = sorted(selection)
    if start < 0 or end > len(text):
        raise ValueError(f"selection {selection} outside a text of {len(text)} characters")
    chunk = text[start:end]
    core = chunk.strip()
    if not core:
        raise ActionError(
            QT_TRANSLATE_NOOP(
                "WritingActions", "The selection holds only spaces and line breaks: select the text to {verb}."
            ).format(verb=verb)
        )
    start += len(chunk) - len(chunk.lstrip())
    end = start + len(core)
    if kind is ActionKind.REWRITE and not instruction.strip():
        raise NoRewriteInstructionError(QT_TRANSLATE_NOOP("WritingActions", "The rewrite has no instruction."))
    # Digits or symbols alone say nothing about the language; the document around them does.
    language = detect_language(core, default=detect_language(text))
    prompt = ziya_prompt(f"{replace_instruction(kind, core, language, instruction, genre_hint)}\n\n{core}")
    tokens = tokenize(prompt)
    reserve = max(answer_tokens, MIN_ANSWER_TOKENS)
    if len(tokens) + reserve > n_ctx:
        _too_long(kind, core, language, instruction, genre_hint, tokenize, n_ctx, answer_tokens, len(tokens))
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


def _too_long(
    kind: ActionKind,
    core: str,
    language: Language,
    instruction: str,
    genre_hint: str,
    tokenize: Callable[[str], list[int]],
    n_ctx: int,
    answer_tokens: int,
    prompt_tokens: int,
) -> NoReturn:
    """Raise the error for a selection that does not fit, naming the largest start of it that would.

    The answer's room shrinks with a shorter selection as :func:`suggested_answer_tokens` has it, never beyond what
    the writer's settings allow (``answer_tokens``).
    """

    def fits(length: int) -> bool:
        part = core[:length]
        prompt = ziya_prompt(f"{replace_instruction(kind, part, language, instruction, genre_hint)}\n\n{part}")
        wanted = math.ceil(len(tokenize(part)) * _ANSWER_RATIO[kind]) + _ANSWER_SLACK
        reserve = max(min(wanted, answer_tokens), MIN_ANSWER_TOKENS)
        return len(tokenize(prompt)) + reserve <= n_ctx

    # Tokens grow with the length of the text: a binary search finds the longest start that fits.
    lo, hi = 0, len(core) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid - 1
    reserve = max(answer_tokens, MIN_ANSWER_TOKENS)
    if lo == 0:
        raise PromptTooLongError(prompt_tokens, n_ctx, min_answer=reserve)
    verb = _VERBS[kind]
    raise SelectionTooLongError(
        QT_TRANSLATE_NOOP(
            "WritingActions",
            "The selection is too long to {verb} in one go: it has {selected} characters, and about {fits} fit in "
            "the model's context window of {n_ctx} tokens together with the answer.",
        ).format(verb=verb, selected=len(core), fits=lo, n_ctx=n_ctx),
        hint=QT_TRANSLATE_NOOP(
            "WritingActions",
            "Select at most about {fits} characters (a few paragraphs) and {verb} the text part by part.",
        ).format(fits=lo, verb=verb),
        prompt_tokens=prompt_tokens,
        n_ctx=n_ctx,
        fits_chars=lo,
    )


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
