"""How a prompt is asked for: a builder that runs with the loaded model's tokenizer and context size.

Building a prompt that fits the model's window needs the tokenizer, and only the engine's worker thread calls into
llama.cpp; so the GUI hands the worker a :data:`PromptBuilder`, and a document keeps the builder of its last
generated passage, so a regenerate sends the same prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class PreparedPrompt(Protocol):
    """What a :data:`PromptBuilder` returns: the prompt's text and tokens, and how the answer's first token is
    treated. The in-process engine generates from ``tokens``; a server gets ``prompt`` (the same prompt as text)."""

    @property
    def prompt(self) -> str: ...

    @property
    def tokens(self) -> list[int]: ...

    @property
    def strip_leading_space(self) -> bool: ...


# Called with the model's tokenize function and its context size (in tokens).
PromptBuilder = Callable[[Callable[[str], list[int]], int], PreparedPrompt]
