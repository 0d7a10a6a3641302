"""The tokenizer half of the model gate: what llama.cpp's vocabulary loader and tokenizer assert on.

llama.cpp aborts the whole process (GGML_ASSERT, or a C++ exception escaping ``llama_tokenize``) on vocabularies
that a GGUF can easily hold: a token text twice, a tokenizer type without a tokenizer ('none', 'bert' pieces
turned into bytes), too few tokens for the default special ids, no byte tokens to fall back on. Each is refused
here with a message that names the token, before llama.cpp is called.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ziya_desktop.errors import InvalidModelError, UnsupportedModelError

GGUF_INT32 = 5
GGUF_FLOAT32 = 6
GGUF_UINT32 = 4
GGUF_BOOL = 7
GGUF_STRING = 8
GGUF_ARRAY = 9

# llama.cpp's 'llama' tokenizer is sentencepiece with byte fallback: the one Ziya (and every LLaMA-1/2) uses.
SUPPORTED_TOKENIZERS = ("llama",)
# enum llama_token_type: NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6.
TOKEN_TYPE_MIN = 1
TOKEN_TYPE_MAX = 6
TOKEN_TYPE_BYTE = 6
MAX_VOCAB = 1 << 20
# The sentencepiece defaults (unk 0, bos 1, eos 2) plus the 256 byte tokens every text falls back to.
MIN_VOCAB = 3 + 256
_BYTE_TOKEN = re.compile(r"<0x[0-9A-Fa-f]{2}>")

SPECIAL_ID_KEYS = (
    "tokenizer.ggml.bos_token_id",
    "tokenizer.ggml.eos_token_id",
    "tokenizer.ggml.eot_token_id",
    "tokenizer.ggml.eom_token_id",
    "tokenizer.ggml.unknown_token_id",
    "tokenizer.ggml.seperator_token_id",
    "tokenizer.ggml.padding_token_id",
    "tokenizer.ggml.cls_token_id",
    "tokenizer.ggml.mask_token_id",
    "tokenizer.ggml.fim_pre_token_id",
    "tokenizer.ggml.fim_suf_token_id",
    "tokenizer.ggml.fim_mid_token_id",
    "tokenizer.ggml.fim_pad_token_id",
    "tokenizer.ggml.fim_rep_token_id",
    "tokenizer.ggml.fim_sep_token_id",
    "tokenizer.ggml.prefix_token_id",
    "tokenizer.ggml.suffix_token_id",
    "tokenizer.ggml.middle_token_id",
)
# The type llama.cpp reads each tokenizer key with; any other type makes it refuse the file.
TOKENIZER_KEY_TYPES: dict[str, tuple[int, tuple[int, ...] | None]] = {
    "tokenizer.ggml.model": (GGUF_STRING, None),
    "tokenizer.ggml.pre": (GGUF_STRING, None),
    "tokenizer.ggml.tokens": (GGUF_ARRAY, (GGUF_STRING,)),
    "tokenizer.ggml.scores": (GGUF_ARRAY, (GGUF_FLOAT32, GGUF_INT32)),
    "tokenizer.ggml.token_type": (GGUF_ARRAY, (GGUF_INT32,)),
    "tokenizer.ggml.token_type_count": (GGUF_UINT32, None),
    "tokenizer.ggml.add_bos_token": (GGUF_BOOL, None),
    "tokenizer.ggml.add_eos_token": (GGUF_BOOL, None),
    "tokenizer.ggml.add_sep_token": (GGUF_BOOL, None),
    "tokenizer.ggml.add_space_prefix": (GGUF_BOOL, None),
    "tokenizer.ggml.remove_extra_whitespaces": (GGUF_BOOL, None),
    "tokenizer.ggml.suppress_tokens": (GGUF_ARRAY, (GGUF_INT32,)),
    **{key: (GGUF_UINT32, None) for key in SPECIAL_ID_KEYS},
}


@dataclass(frozen=True)
class VocabFacts:
    n_vocab: int
    bos: int
    eos: int


def check_key_type(
    label: str, key: str, types: dict[str, tuple[int, int | None]], want: tuple[int, tuple[int, ...] | None]
) -> None:
    """Refuse ``key`` when it is stored with another type than llama.cpp reads it with."""
    if key not in types:
        return
    vtype, etype = types[key]
    wtype, wetypes = want
    if vtype != wtype or (wetypes is not None and etype not in wetypes):
        raise InvalidModelError(f"{label}: metadata '{key}' has the wrong value type for llama.cpp")


def check_vocab(label: str, md: dict[str, Any], types: dict[str, tuple[int, int | None]]) -> VocabFacts:
    """Check the tokenizer metadata as llama.cpp's 'llama' vocabulary loader and tokenizer will use it.

    Raises:
        UnsupportedModelError: another tokenizer type than LLaMA's sentencepiece.
        InvalidModelError: the vocabulary would abort llama.cpp or tokenize wrongly (the message names the token).
    """
    for key, want in TOKENIZER_KEY_TYPES.items():
        check_key_type(label, key, types, want)
    model = md.get("tokenizer.ggml.model")
    if model not in SUPPORTED_TOKENIZERS:
        shown = "missing" if model is None else f"'{str(model)[:40]}'"
        raise UnsupportedModelError(
            f"{label}: tokenizer model {shown} is not supported (Ziya Desktop runs LLaMA's sentencepiece "
            "tokenizer, 'llama')"
        )
    tokens = md.get("tokenizer.ggml.tokens")
    if not isinstance(tokens, list):
        raise InvalidModelError(f"{label}: the file has no tokenizer vocabulary (tokenizer.ggml.tokens)")
    n_vocab = len(tokens)
    if not MIN_VOCAB <= n_vocab <= MAX_VOCAB:
        raise InvalidModelError(
            f"{label}: the vocabulary has {n_vocab} tokens; a LLaMA vocabulary has between {MIN_VOCAB} and {MAX_VOCAB}"
        )
    _check_texts(label, tokens)
    types_list = _check_token_types(label, md.get("tokenizer.ggml.token_type"), n_vocab)
    _check_scores(label, md.get("tokenizer.ggml.scores"), n_vocab)
    present = set(tokens)
    missing = [b for b in range(256) if f"<0x{b:02X}>" not in present]
    if missing:
        raise InvalidModelError(
            f"{label}: the vocabulary lacks the byte token <0x{missing[0]:02X}> (and {len(missing) - 1} more); "
            "llama.cpp needs all 256 to tokenize arbitrary text"
        )
    if types_list is not None:
        for i, (text, ttype) in enumerate(zip(tokens, types_list, strict=True)):
            if ttype == TOKEN_TYPE_BYTE and not _BYTE_TOKEN.fullmatch(text):
                raise InvalidModelError(f"{label}: token {i} {_show(text)} is typed as a byte but is not <0xXX>")
    ids = {key: _special_id(label, md, key, n_vocab) for key in SPECIAL_ID_KEYS}
    # Without ids in the file llama.cpp uses sentencepiece's defaults, which MIN_VOCAB keeps in range.
    bos = ids["tokenizer.ggml.bos_token_id"]
    eos = ids["tokenizer.ggml.eos_token_id"]
    return VocabFacts(n_vocab, 1 if bos is None else bos, 2 if eos is None else eos)


def _check_texts(label: str, tokens: list[Any]) -> None:
    seen: dict[str, int] = {}
    for i, text in enumerate(tokens):
        if not isinstance(text, str):
            raise InvalidModelError(f"{label}: token {i} is not a string")
        if not text:
            raise InvalidModelError(f"{label}: token {i} has an empty text")
        if "\x00" in text:
            # llama.cpp reads token texts as C strings: the text would end at the NUL and collide.
            raise InvalidModelError(f"{label}: token {i} {_show(text)} contains a NUL character")
        first = seen.setdefault(text, i)
        if first != i:
            raise InvalidModelError(f"{label}: token {i} {_show(text)} has the same text as token {first}")


def _check_token_types(label: str, values: Any, n_vocab: int) -> list[int] | None:
    if values is None:
        return None
    if not isinstance(values, list) or len(values) != n_vocab:
        count = len(values) if isinstance(values, list) else "no"
        raise InvalidModelError(f"{label}: tokenizer.ggml.token_type has {count} entries for {n_vocab} tokens")
    for i, t in enumerate(values):
        if not isinstance(t, int) or not TOKEN_TYPE_MIN <= t <= TOKEN_TYPE_MAX:
            raise InvalidModelError(f"{label}: token {i} has the unknown token type {t!r}")
    return values


def _check_scores(label: str, values: Any, n_vocab: int) -> None:
    if values is None:
        return
    if not isinstance(values, list) or len(values) != n_vocab:
        count = len(values) if isinstance(values, list) else "no"
        raise InvalidModelError(f"{label}: tokenizer.ggml.scores has {count} entries for {n_vocab} tokens")
    for i, s in enumerate(values):
        if not isinstance(s, int | float) or not math.isfinite(s):
            raise InvalidModelError(f"{label}: token {i} has the score {s!r}, not a finite number")


def _special_id(label: str, md: dict[str, Any], key: str, n_vocab: int) -> int | None:
    value = md.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < n_vocab:
        raise InvalidModelError(f"{label}: {key} is {value!r}, outside the vocabulary of {n_vocab} tokens")
    return value


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")
