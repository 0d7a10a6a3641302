"""The model gate: everything llama.cpp asserts on for a LLaMA GGUF, checked before llama.cpp sees the file.

:mod:`ziya_desktop.engine.gguf_check` proves the file is well-formed GGUF and :mod:`ziya_desktop.engine.model_info`
reads what the app needs from it; this module adds what loading requires. llama.cpp reads every key with one exact
type, asserts on hyper-parameters out of its limits (more than 512 blocks, experts on a dense model, an unknown
rope scaling), and builds every tensor from the hyper-parameters, so here each key's type, each hyper-parameter's
range and consistency, and each tensor's name, shape and data type are checked against the same rules. Nothing is
sized from the file before its numbers passed their limits.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ziya_desktop.engine.gguf_check import GGUFHeader, TensorInfo, read_gguf_header
from ziya_desktop.engine.model_info import ModelInfo, model_info_from_header
from ziya_desktop.engine.vocab_check import (
    GGUF_ARRAY,
    GGUF_BOOL,
    GGUF_FLOAT32,
    GGUF_STRING,
    GGUF_UINT32,
    VocabFacts,
    check_key_type,
    check_vocab,
)
from ziya_desktop.errors import InvalidModelError, UnsupportedModelError

_U32 = (GGUF_UINT32, None)
_F32 = (GGUF_FLOAT32, None)
_STR = (GGUF_STRING, None)
_BOOL = (GGUF_BOOL, None)

# The llama.* keys a dense LLaMA model has and the type llama.cpp reads each with. Any other llama.* key is
# refused: llama.cpp reads more (experts, sliding windows, multi-token prediction) and asserts on their values.
LLAMA_KEYS: dict[str, tuple[int, tuple[int, ...] | None]] = {
    "context_length": _U32,
    "embedding_length": _U32,
    "block_count": _U32,
    "feed_forward_length": _U32,
    "attention.head_count": _U32,
    "attention.head_count_kv": _U32,
    "attention.layer_norm_rms_epsilon": _F32,
    "attention.key_length": _U32,
    "attention.value_length": _U32,
    "rope.dimension_count": _U32,
    "rope.freq_base": _F32,
    "rope.scaling.type": _STR,
    "rope.scaling.factor": _F32,
    "rope.scale_linear": _F32,
    "rope.scaling.original_context_length": _U32,
    "rope.scaling.finetuned": _BOOL,
    "vocab_size": _U32,
    "expert_count": _U32,
    "expert_used_count": _U32,
}
GENERAL_KEYS: dict[str, tuple[int, tuple[int, ...] | None]] = {
    "general.architecture": _STR,
    "general.name": _STR,
    "general.file_type": _U32,
    "general.quantization_version": _U32,
}
# llama.cpp's LLAMA_ROPE_SCALING_TYPES less 'longrope', which needs per-layer factor tensors a LLaMA does not have.
ROPE_SCALING_TYPES = ("none", "linear", "yarn")

# ggml types a LLaMA weight matrix may have on every backend (F32, F16, BF16 and the usual quantizations).
WEIGHT_TYPES = frozenset({0, 1, 2, 3, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 22, 23, 29, 30})
GGML_F32 = 0


def gate_model(path: Path) -> ModelInfo:
    """The whole static gate: bounded header check, model info, then :func:`check_loadable`.

    Raises:
        ModelNotFoundError: no such file.
        InvalidModelError: the file is damaged, or would make llama.cpp abort (the message says what).
        UnsupportedModelError: a well-formed GGUF of a kind this app does not run.
    """
    header = read_gguf_header(Path(path))
    info = model_info_from_header(header)
    check_loadable(header, info)
    return info


def check_loadable(header: GGUFHeader, info: ModelInfo) -> VocabFacts:
    """Check ``header`` against what llama.cpp's LLaMA loader asserts on; ``info`` came from the same header."""
    label = header.path.name if header.path else "model file"
    md = header.metadata
    _check_key_types(label, header)
    vocab = check_vocab(label, md, header.types)
    head_dim = _check_hparams(label, md, info, vocab.n_vocab)
    _check_tensors(label, header, info, head_dim)
    return vocab


def _check_key_types(label: str, header: GGUFHeader) -> None:
    for key, want in GENERAL_KEYS.items():
        check_key_type(label, key, header.types, want)
    for key in header.metadata:
        if not key.startswith("llama."):
            continue
        expected = LLAMA_KEYS.get(key.removeprefix("llama."))
        if expected is None:
            raise UnsupportedModelError(f"{label}: metadata '{key[:80]}' is not part of a LLaMA model this app runs")
        if header.types[key][0] == GGUF_ARRAY:
            raise UnsupportedModelError(f"{label}: metadata '{key}' varies per layer, which this app does not run")
        check_key_type(label, key, header.types, expected)


def _check_hparams(label: str, md: dict[str, Any], info: ModelInfo, n_vocab: int) -> int:
    """Consistency of the (already bounded) hyper-parameters; returns the head dimension."""
    if info.n_embd % info.n_head:
        raise InvalidModelError(f"{label}: embedding length {info.n_embd} is not a multiple of {info.n_head} heads")
    if info.n_head_kv > info.n_head or info.n_head % info.n_head_kv:
        raise InvalidModelError(f"{label}: {info.n_head_kv} key/value heads do not divide {info.n_head} heads")
    head_dim = info.n_embd // info.n_head
    # Rotary embeddings turn pairs of values: ggml asserts on an odd rotary dimension when it first evaluates.
    if head_dim % 2:
        raise InvalidModelError(f"{label}: the head dimension {head_dim} is odd; rotary embeddings need it even")
    for key in ("attention.key_length", "attention.value_length", "rope.dimension_count"):
        value = md.get(f"llama.{key}")
        if value is not None and value != head_dim:
            raise InvalidModelError(f"{label}: llama.{key} is {value}, expected the head dimension {head_dim}")
    vocab_size = md.get("llama.vocab_size")
    if vocab_size is not None and vocab_size != n_vocab:
        raise InvalidModelError(f"{label}: llama.vocab_size is {vocab_size} but the vocabulary has {n_vocab} tokens")
    for key in ("expert_count", "expert_used_count"):
        if md.get(f"llama.{key}", 0) != 0:
            raise UnsupportedModelError(f"{label}: llama.{key} is set; mixture-of-experts models are not supported")
    scaling = md.get("llama.rope.scaling.type", "linear")
    if scaling not in ROPE_SCALING_TYPES:
        raise UnsupportedModelError(f"{label}: rope scaling '{str(scaling)[:40]}' is not supported")
    _positive_finite(label, md, "attention.layer_norm_rms_epsilon", upper=1.0)
    _positive_finite(label, md, "rope.freq_base", upper=1e12)
    for key in ("rope.scaling.factor", "rope.scale_linear"):
        value = md.get(f"llama.{key}")
        if value is not None and (not math.isfinite(value) or not 0.0 <= value <= 1e6):
            raise InvalidModelError(f"{label}: llama.{key} is {value!r}, not a usable scale")
    return head_dim


def _positive_finite(label: str, md: dict[str, Any], key: str, *, upper: float) -> None:
    value = md.get(f"llama.{key}")
    if value is not None and (not math.isfinite(value) or not 0.0 < value <= upper):
        raise InvalidModelError(f"{label}: llama.{key} is {value!r}, outside (0, {upper:g}]")


def expected_tensors(info: ModelInfo, head_dim: int) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """(required, optional) tensor shapes in GGUF order (contiguous dimension first), as llama.cpp creates them."""
    n_embd, n_ff, n_vocab = info.n_embd, info.n_ff, info.n_vocab
    n_gqa = head_dim * info.n_head_kv
    required: dict[str, tuple[int, ...]] = {"token_embd.weight": (n_embd, n_vocab), "output_norm.weight": (n_embd,)}
    optional: dict[str, tuple[int, ...]] = {"output.weight": (n_embd, n_vocab), "rope_freqs.weight": (head_dim // 2,)}
    for i in range(info.n_layer):
        b = f"blk.{i}."
        required |= {
            b + "attn_norm.weight": (n_embd,),
            b + "attn_q.weight": (n_embd, n_embd),
            b + "attn_k.weight": (n_embd, n_gqa),
            b + "attn_v.weight": (n_embd, n_gqa),
            b + "attn_output.weight": (n_embd, n_embd),
            b + "ffn_norm.weight": (n_embd,),
            b + "ffn_gate.weight": (n_embd, n_ff),
            b + "ffn_down.weight": (n_ff, n_embd),
            b + "ffn_up.weight": (n_embd, n_ff),
        }
        optional |= {
            b + "attn_q.bias": (n_embd,),
            b + "attn_k.bias": (n_gqa,),
            b + "attn_v.bias": (n_gqa,),
            b + "attn_output.bias": (n_embd,),
            b + "ffn_gate.bias": (n_ff,),
            b + "ffn_down.bias": (n_embd,),
            b + "ffn_up.bias": (n_ff,),
        }
    return required, optional


def _check_tensors(label: str, header: GGUFHeader, info: ModelInfo, head_dim: int) -> None:
    required, optional = expected_tensors(info, head_dim)
    by_name = {t.name: t for t in header.tensors}
    for name in required:
        if name not in by_name:
            raise InvalidModelError(f"{label}: required tensor {name} is missing")
    for t in header.tensors:
        want = required.get(t.name) or optional.get(t.name)
        if want is None:
            raise UnsupportedModelError(f"{label}: tensor {t.name[:80]} is not part of a LLaMA model this app runs")
        _check_tensor(label, t, want)


def _check_tensor(label: str, t: TensorInfo, want: tuple[int, ...]) -> None:
    if t.shape != want:
        raise InvalidModelError(f"{label}: tensor {t.name} has the shape {list(t.shape)}, expected {list(want)}")
    if len(want) == 1 and t.ggml_type != GGML_F32:
        raise InvalidModelError(f"{label}: tensor {t.name} is {t.type_name}; norms and biases must be F32")
    if t.ggml_type not in WEIGHT_TYPES:
        raise UnsupportedModelError(f"{label}: tensor {t.name} has the data type {t.type_name}, not one for weights")
