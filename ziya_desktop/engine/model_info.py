"""What a checked GGUF holds, in the terms the app needs: architecture, sizes, file type, bytes per layer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ziya_desktop.engine.gguf_check import GGUFHeader, read_gguf_header
from ziya_desktop.errors import UnsupportedModelError

# llama.cpp's enum llama_ftype, for the file types users meet.
FILE_TYPES = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    32: "BF16",
}
_LAYER = re.compile(r"^blk\.(\d+)\.")
SUPPORTED_ARCHITECTURES = ("llama",)
# Upper bounds on the hyper-parameters, checked before anything is sized from them. llama.cpp asserts on more than
# LLAMA_MAX_LAYERS blocks; the widths are far beyond any LLaMA (the 65B has 8192 and 22016) yet keep every product
# below (so every list or plan built from them) small.
MAX_LAYERS = 512
MAX_EMBEDDING = 1 << 16
MAX_FEED_FORWARD = 1 << 18
MAX_HEADS = 1 << 12
MAX_CONTEXT = 1 << 22


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    name: str
    architecture: str
    file_type: str
    n_layer: int
    n_embd: int
    n_head: int
    n_head_kv: int
    n_ff: int
    n_ctx_train: int
    n_vocab: int
    file_size: int
    layer_bytes: tuple[int, ...]
    output_bytes: int
    embedding_bytes: int

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def kv_bytes_per_layer(self, n_ctx: int, bytes_per_value: float = 2.0) -> int:
        """K and V caches of one layer for ``n_ctx`` tokens (f16 by default; q8_0 stores 34 bytes per 32 values)."""
        return int(2 * n_ctx * self.n_head_kv * self.head_dim * bytes_per_value)

    def describe(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "name": self.name,
            "architecture": self.architecture,
            "file_type": self.file_type,
            "file_size": self.file_size,
            "n_layer": self.n_layer,
            "n_embd": self.n_embd,
            "n_head": self.n_head,
            "n_head_kv": self.n_head_kv,
            "n_ff": self.n_ff,
            "n_ctx_train": self.n_ctx_train,
            "n_vocab": self.n_vocab,
        }


def inspect_model(path: Path) -> ModelInfo:
    """Check ``path`` with the bounded GGUF reader and that it is a model this app runs.

    Raises:
        ModelNotFoundError, InvalidModelError: see :func:`read_gguf_header`.
        UnsupportedModelError: another architecture, or keys/tensors a LLaMA model must have are missing.
    """
    return model_info_from_header(read_gguf_header(path))


def model_info_from_header(header: GGUFHeader) -> ModelInfo:
    md = header.metadata
    label = header.path.name if header.path else "model file"
    arch = md.get("general.architecture")
    if arch not in SUPPORTED_ARCHITECTURES:
        raise UnsupportedModelError(f"{label}: architecture '{arch}' is not supported (expected LLaMA)")

    def need_int(key: str, limit: int, default: int | None = None) -> int:
        value = md.get(f"{arch}.{key}", default)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise UnsupportedModelError(f"{label}: metadata '{arch}.{key}' is missing or invalid")
        if value > limit:
            raise UnsupportedModelError(f"{label}: metadata '{arch}.{key}' is {value}, more than the limit of {limit}")
        return value

    n_layer = need_int("block_count", MAX_LAYERS)
    n_embd = need_int("embedding_length", MAX_EMBEDDING)
    n_head = need_int("attention.head_count", MAX_HEADS)
    n_head_kv = need_int("attention.head_count_kv", MAX_HEADS, n_head)
    n_ff = need_int("feed_forward_length", MAX_FEED_FORWARD)
    n_ctx_train = need_int("context_length", MAX_CONTEXT, 2048)
    tokens = md.get("tokenizer.ggml.tokens")
    if not isinstance(tokens, list) or not tokens:
        raise UnsupportedModelError(f"{label}: the file has no tokenizer vocabulary")
    if n_embd % n_head or n_head % n_head_kv:
        raise UnsupportedModelError(f"{label}: head counts do not divide the embedding size")
    layer_bytes = [0] * n_layer
    by_name = {t.name: t for t in header.tensors}
    output_bytes = embedding_bytes = 0
    for t in header.tensors:
        m = _LAYER.match(t.name)
        if m:
            i = int(m.group(1))
            if i >= n_layer:
                raise UnsupportedModelError(f"{label}: tensor {t.name} is beyond the {n_layer} layers")
            layer_bytes[i] += t.nbytes
        elif t.name in ("output.weight", "output_norm.weight"):
            output_bytes += t.nbytes
        elif t.name == "token_embd.weight":
            embedding_bytes = t.nbytes
    missing = [n for n in ("token_embd.weight", "output_norm.weight") if n not in by_name]
    missing += [f"blk.{i}.attn_q.weight" for i in range(n_layer) if f"blk.{i}.attn_q.weight" not in by_name]
    if missing:
        raise UnsupportedModelError(f"{label}: required tensor {missing[0]} is missing")
    embd = by_name["token_embd.weight"]
    if embd.shape != (n_embd, len(tokens)):
        raise UnsupportedModelError(
            f"{label}: token_embd.weight is {embd.shape}, expected ({n_embd}, {len(tokens)}) for the vocabulary"
        )
    ftype = md.get("general.file_type")
    return ModelInfo(
        path=header.path or Path(label),
        name=str(md.get("general.name") or label),
        architecture=str(arch),
        file_type=FILE_TYPES.get(ftype, f"type {ftype}") if isinstance(ftype, int) else "unknown",
        n_layer=n_layer,
        n_embd=n_embd,
        n_head=n_head,
        n_head_kv=n_head_kv,
        n_ff=n_ff,
        n_ctx_train=n_ctx_train,
        n_vocab=len(tokens),
        file_size=header.file_size,
        layer_bytes=tuple(layer_bytes),
        output_bytes=output_bytes,
        embedding_bytes=embedding_bytes,
    )
