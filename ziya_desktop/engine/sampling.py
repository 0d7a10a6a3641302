"""Sampling settings, with the Ziya-Writing model card's values as defaults.

llama-cpp-python's own defaults (top_k 40, min_p 0.05, repeat_penalty 1.1) are not the model card's; every value
is set here and passed to llama.cpp explicitly, and the samplers the card does not use are neutral.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

MODEL_CARD_MAX_NEW_TOKENS = 2048


@dataclass(frozen=True)
class SamplingParams:
    """How the next token is chosen. ``seed`` None draws a fresh seed per generation."""

    temperature: float = 0.85
    top_p: float = 0.85
    top_k: int = 0
    min_p: float = 0.0
    repeat_penalty: float = 1.0
    repeat_last_n: int = 64
    max_tokens: int = MODEL_CARD_MAX_NEW_TOKENS
    seed: int | None = None
    ignore_eos: bool = False

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError("temperature must be >= 0")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if self.top_k < 0 or not 0 <= self.min_p < 1:
            raise ValueError("top_k must be >= 0 and min_p in [0, 1)")
        if self.repeat_penalty <= 0:
            raise ValueError("repeat_penalty must be > 0")
        if self.max_tokens < 1:
            raise ValueError("max_tokens must be >= 1")

    def resolved_seed(self) -> int:
        return self.seed if self.seed is not None else random.SystemRandom().randrange(1 << 31)

    def with_(self, **changes: object) -> SamplingParams:
        return replace(self, **changes)  # type: ignore[arg-type]


MODEL_CARD = SamplingParams()
