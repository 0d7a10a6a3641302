"""Sampling settings, with the Ziya-Writing model card's values as defaults, and the ranges that generate.

llama-cpp-python's own defaults (top_k 40, min_p 0.05, repeat_penalty 1.1) are not the model card's; every value
is set here and passed to llama.cpp explicitly, and the samplers the card does not use are neutral.

Every value is checked where a :class:`SamplingParams` is made (constructor, :meth:`SamplingParams.with_`,
``dataclasses.replace``): a NaN, an infinity, a value of the wrong type or one outside its range below raises
:class:`~ziya_desktop.errors.InvalidSamplingError` (a ``ValueError``) naming the setting, the value and the range.
So a SamplingParams that exists always generates. The ranges are what llama.cpp's samplers take without their
float32 arithmetic overflowing; the sampling dialog and the command line offer values inside them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields, replace
from typing import NoReturn

from ziya_desktop.errors import InvalidSamplingError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP, Translatable

__all__ = [
    "LLAMA_MAX_SEED",
    "MAX_NEW_TOKENS_LIMIT",
    "MAX_REPEAT_LAST_N",
    "MAX_TEMPERATURE",
    "MAX_TOP_K",
    "MIN_POSITIVE_TEMPERATURE",
    "MODEL_CARD",
    "MODEL_CARD_MAX_NEW_TOKENS",
    "REPEAT_PENALTY_RANGE",
    "SamplingParams",
    "validate_setting",
]

MODEL_CARD_MAX_NEW_TOKENS = 2048

# llama.cpp divides the logits by the temperature (0 picks the likeliest token). Just above 0 they overflow float32
# and it draws one token over and over (1e-45 did); 0.01, the dialog's least step, already writes as greedily.
MIN_POSITIVE_TEMPERATURE = 0.01
MAX_TEMPERATURE = 100.0
# llama.cpp divides positive logits by the penalty and multiplies negative ones (1 is off; it must be > 0): these
# ends keep them far from float32's limits, where a tiny penalty would overflow the same way.
REPEAT_PENALTY_RANGE = (0.01, 100.0)
# llama.cpp takes top-k as an int32 (0 is off) and keeps a ring buffer of the last n tokens for the penalty.
MAX_TOP_K = (1 << 31) - 1
MAX_REPEAT_LAST_N = 1 << 16
MAX_NEW_TOKENS_LIMIT = (1 << 31) - 1
# llama.cpp's seed is a uint32, and 0xFFFFFFFF (LLAMA_DEFAULT_SEED) would make it draw a random one.
LLAMA_MAX_SEED = 0xFFFFFFFE

_BETWEEN = QT_TRANSLATE_NOOP("SamplingParams", "{setting} must be between {low} and {high}, not {value}")
_ABOVE_UP_TO = QT_TRANSLATE_NOOP("SamplingParams", "{setting} must be more than {low} and at most {high}, not {value}")
_ZERO_OR_BETWEEN = QT_TRANSLATE_NOOP("SamplingParams", "{setting} must be 0 or between {low} and {high}, not {value}")
_NOT_A_NUMBER = QT_TRANSLATE_NOOP("SamplingParams", "{setting} must be a number, not {value}")
_NOT_WHOLE = QT_TRANSLATE_NOOP("SamplingParams", "{setting} must be a whole number, not {value}")
_NOT_A_FLAG = QT_TRANSLATE_NOOP("SamplingParams", "{setting} must be true or false, not {value}")

_NAMES: dict[str, Translatable] = {
    "temperature": QT_TRANSLATE_NOOP("SamplingParams", "temperature"),
    "top_p": QT_TRANSLATE_NOOP("SamplingParams", "top-p"),
    "top_k": QT_TRANSLATE_NOOP("SamplingParams", "top-k"),
    "min_p": QT_TRANSLATE_NOOP("SamplingParams", "min-p"),
    "repeat_penalty": QT_TRANSLATE_NOOP("SamplingParams", "repetition penalty"),
    "repeat_last_n": QT_TRANSLATE_NOOP("SamplingParams", "repetition window"),
    "max_tokens": QT_TRANSLATE_NOOP("SamplingParams", "max new tokens"),
    "seed": QT_TRANSLATE_NOOP("SamplingParams", "seed"),
    "ignore_eos": QT_TRANSLATE_NOOP("SamplingParams", "ignore end of text"),
}


def _bound(limit: object) -> str:
    """A range's end as a message shows it: 100, not 100.0."""
    return str(int(limit)) if isinstance(limit, float) and limit.is_integer() else str(limit)


def _refuse(template: Translatable, setting: str, value: object, low: object = "", high: object = "") -> NoReturn:
    # repr: 40.0 for a float where a whole number is needed, nan, inf, '1.1' for text.
    message = template.format(setting=_NAMES[setting], value=repr(value), low=_bound(low), high=_bound(high))
    raise InvalidSamplingError(message, setting=setting, value=value)


def _number(setting: str, value: object) -> float:
    """``value`` as a float when it is a number (an int or a float, not a bool); refused otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        _refuse(_NOT_A_NUMBER, setting, value)
    return value  # an int stays exact until its range is checked (float() of a huge int overflows)


def _whole(setting: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        _refuse(_NOT_WHOLE, setting, value)
    if not low <= value <= high:
        _refuse(_BETWEEN, setting, value, low, high)
    return value


def _within(setting: str, value: object, low: float, high: float) -> float:
    number = _number(setting, value)
    if not low <= number <= high:  # NaN is never within
        _refuse(_BETWEEN, setting, value, low, high)
    return float(number)


def _temperature(value: object) -> float:
    number = _number("temperature", value)
    if number != 0 and not MIN_POSITIVE_TEMPERATURE <= number <= MAX_TEMPERATURE:
        _refuse(_ZERO_OR_BETWEEN, "temperature", value, MIN_POSITIVE_TEMPERATURE, MAX_TEMPERATURE)
    return float(number)


def _top_p(value: object) -> float:
    number = _number("top_p", value)
    if not 0 < number <= 1:
        _refuse(_ABOVE_UP_TO, "top_p", value, 0, 1)
    return float(number)


def _seed(value: object) -> int | None:
    return None if value is None else _whole("seed", value, 0, LLAMA_MAX_SEED)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        _refuse(_NOT_A_FLAG, "ignore_eos", value)
    return bool(value)


def validate_setting(setting: str, value: object) -> object:
    """``value`` checked for the field ``setting`` of :class:`SamplingParams`, as the field stores it (a float for
    the float settings, also when given an int).

    Raises:
        InvalidSamplingError: the value is of the wrong type, NaN, infinite or outside the setting's range; the
            message names the setting, the value and the range.
        KeyError: ``setting`` is not a field of SamplingParams.
    """
    checks = {
        "temperature": _temperature,
        "top_p": _top_p,
        "top_k": lambda v: _whole("top_k", v, 0, MAX_TOP_K),
        "min_p": lambda v: _within("min_p", v, 0.0, 1.0),
        "repeat_penalty": lambda v: _within("repeat_penalty", v, *REPEAT_PENALTY_RANGE),
        "repeat_last_n": lambda v: _whole("repeat_last_n", v, 0, MAX_REPEAT_LAST_N),
        "max_tokens": lambda v: _whole("max_tokens", v, 1, MAX_NEW_TOKENS_LIMIT),
        "seed": _seed,
        "ignore_eos": _flag,
    }
    return checks[setting](value)


@dataclass(frozen=True)
class SamplingParams:
    """How the next token is chosen. ``seed`` None draws a fresh seed per generation.

    Raises:
        InvalidSamplingError: (when made) a value llama.cpp cannot generate with; see :func:`validate_setting`.
    """

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
        for field in fields(self):
            object.__setattr__(self, field.name, validate_setting(field.name, getattr(self, field.name)))

    def resolved_seed(self) -> int:
        return self.seed if self.seed is not None else random.SystemRandom().randrange(1 << 31)

    def with_(self, **changes: object) -> SamplingParams:
        return replace(self, **changes)  # type: ignore[arg-type]


MODEL_CARD = SamplingParams()
