"""The Ziya prompt format and fitting a prompt into the context window.

Ziya-Writing was trained on ``'<human>:' + query.strip() + '\\n<bot>:'``. Prompt and answer share the 2048-token
window, so a long document is windowed: the instruction is kept whole and only the text nearest the cursor that
fits is sent, and the caller is told how much was left out. Nothing is cut silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ziya_desktop.errors import PromptTooLongError

HUMAN = "<human>"
BOT = "<bot>"
MIN_ANSWER_TOKENS = 16


def ziya_prompt(query: str) -> str:
    """The model card's format."""
    return f"{HUMAN}:{query.strip()}\n{BOT}:"


@dataclass(frozen=True)
class WindowedPrompt:
    """A prompt that fits; ``dropped_chars`` of context were left out (from the far end)."""

    text: str
    tokens: list[int]
    dropped_chars: int

    @property
    def windowed(self) -> bool:
        return self.dropped_chars > 0


def fit_prompt(
    instruction: str,
    context: str,
    tokenize: Callable[[str], list[int]],
    *,
    n_ctx: int,
    answer_tokens: int,
    context_first: bool = False,
) -> WindowedPrompt:
    """Build a Ziya prompt from an instruction and the text nearest the cursor, keeping what fits.

    The context is cut from its far end (its start: the text right before the cursor matters most) at a line or
    sentence boundary when possible. ``answer_tokens`` are reserved for the answer.

    Raises:
        PromptTooLongError: the instruction alone leaves no room for ``MIN_ANSWER_TOKENS``.
    """
    budget = n_ctx - max(answer_tokens, MIN_ANSWER_TOKENS)

    def build(ctx: str) -> str:
        body = f"{ctx}\n\n{instruction}" if context_first else f"{instruction}\n\n{ctx}"
        return ziya_prompt(body if ctx else instruction)

    text = build(context)
    tokens = tokenize(text)
    if len(tokens) <= budget:
        return WindowedPrompt(text, tokens, 0)
    bare = tokenize(build(""))
    if len(bare) > budget:
        raise PromptTooLongError(len(bare), n_ctx, min_answer=max(answer_tokens, MIN_ANSWER_TOKENS))
    # Binary search on how many trailing characters of the context fit: tokens grow monotonically with length.
    lo, hi = 0, len(context)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(tokenize(build(context[-mid:]))) <= budget:
            lo = mid
        else:
            hi = mid - 1
    kept = _snap_to_boundary(context[-lo:]) if lo else ""
    text = build(kept)
    return WindowedPrompt(text, tokenize(text), len(context) - len(kept))


def _snap_to_boundary(tail: str) -> str:
    """Start the kept text at a line or sentence start when one is near, so it does not begin mid-word."""
    window = tail[: max(1, len(tail) // 5)]
    for sep in ("\n", "。", "！", "？", ". ", "! ", "? "):
        i = window.find(sep)
        if i != -1:
            return tail[i + len(sep) :]
    return tail
