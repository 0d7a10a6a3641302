"""A Hugging Face LLaMA checkpoint folder: its config and a lazy view of its tensors.

Weights come from safetensors when the folder has them, otherwise from zip-format torch ``.bin`` shards read by
the allow-list unpickler. Shards are found through the index json when there is one, else by glob. Every tensor
the config implies must be present with the shape the config implies, before anything is written.
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from converters.errors import CheckpointError
from converters.safe_files import read_json_object, regular_file_size, short_repr
from converters.safetensors_reader import read_safetensors
from converters.torch_pickle import TorchZipCheckpoint

_IGNORED_SUFFIXES = ("rotary_emb.inv_freq",)
# llama.cpp's own limit on layers (LLAMA_MAX_LAYERS); token ids are 32-bit signed there.
MAX_LAYERS = 512
MAX_VOCAB = 2**31 - 1
MAX_WIDTH = 1 << 20
MAX_CONTEXT = 1 << 24
MAX_CONFIG_BYTES = 1 << 20
MAX_INDEX_BYTES = 16 << 20
# Every weight of a float checkpoint takes at least two bytes (F16, BF16); F32 takes four.
MIN_BYTES_PER_WEIGHT = 2


class TensorSource(Protocol):
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int: ...

    def numpy(self) -> np.ndarray: ...


@dataclass(frozen=True)
class LlamaConfig:
    """The hyper-parameters the converter needs; leftover keys in config.json are ignored."""

    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    max_position_embeddings: int
    rms_norm_eps: float
    rope_theta: float
    bos_token_id: int
    eos_token_id: int
    pad_token_id: int | None
    tie_word_embeddings: bool

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_dict(cls, raw: dict[str, Any], source: str) -> LlamaConfig:
        arch = raw.get("architectures") or ["LlamaForCausalLM"]
        if arch != ["LlamaForCausalLM"] and raw.get("model_type") != "llama":
            raise CheckpointError(f"{source}: architecture {short_repr(arch)} is not LLaMA")

        def need_int(key: str, default: Any = None, *, maximum: int = MAX_WIDTH) -> int:
            value = raw.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= maximum:
                raise CheckpointError(
                    f"{source}: '{key}' must be a positive integer of at most {maximum}, got {short_repr(value)}"
                )
            return value

        def need_float(key: str, default: float, low: float, high: float) -> float:
            value = raw.get(key, default)
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not math.isfinite(value)
                or not low < value < high
            ):
                raise CheckpointError(
                    f"{source}: '{key}' must be a number between {low:g} and {high:g}, got {short_repr(value)}"
                )
            return float(value)

        vocab_size = need_int("vocab_size", maximum=MAX_VOCAB)

        def token_id(key: str, default: int | None) -> int:
            # -1 or null: the config names no such token and the tokenizer's own id is used.
            value = raw.get(key, default)
            if value is None:
                return -1
            if not isinstance(value, int) or isinstance(value, bool) or not -1 <= value < vocab_size:
                raise CheckpointError(
                    f"{source}: '{key}' must be a token id below vocab_size {vocab_size}, got {short_repr(value)}"
                )
            return value

        pad = raw.get("pad_token_id")
        if pad is not None and (not isinstance(pad, int) or isinstance(pad, bool)):
            raise CheckpointError(f"{source}: 'pad_token_id' must be a token id, got {short_repr(pad)}")
        tie = raw.get("tie_word_embeddings", False)
        if not isinstance(tie, bool):
            raise CheckpointError(f"{source}: 'tie_word_embeddings' must be true or false, got {short_repr(tie)}")
        cfg = cls(
            vocab_size=vocab_size,
            hidden_size=need_int("hidden_size"),
            intermediate_size=need_int("intermediate_size"),
            num_hidden_layers=need_int("num_hidden_layers", maximum=MAX_LAYERS),
            num_attention_heads=need_int("num_attention_heads"),
            num_key_value_heads=need_int("num_key_value_heads", raw.get("num_attention_heads")),
            max_position_embeddings=need_int("max_position_embeddings", 2048, maximum=MAX_CONTEXT),
            rms_norm_eps=need_float("rms_norm_eps", 1e-6, 0.0, 1.0),
            rope_theta=need_float("rope_theta", 10000.0, 0.0, 1e12),
            bos_token_id=token_id("bos_token_id", 1),
            eos_token_id=token_id("eos_token_id", 2),
            pad_token_id=pad,
            tie_word_embeddings=tie,
        )
        if cfg.hidden_size % cfg.num_attention_heads:
            raise CheckpointError(f"{source}: hidden_size is not a multiple of num_attention_heads")
        if cfg.num_attention_heads % cfg.num_key_value_heads:
            raise CheckpointError(f"{source}: num_attention_heads is not a multiple of num_key_value_heads")
        if cfg.head_dim % 2:
            # Rotary embeddings turn the head's dimensions in pairs; llama.cpp refuses an odd head size.
            raise CheckpointError(
                f"{source}: the head size hidden_size / num_attention_heads is {cfg.head_dim}; it must be even"
            )
        if raw.get("rope_scaling"):
            raise CheckpointError(f"{source}: rope_scaling is not supported by this converter")
        return cfg

    def implied_weights(self) -> int:
        """How many weights the config implies, counted without building the list of tensors."""
        h, f, v = self.hidden_size, self.intermediate_size, self.vocab_size
        kv = self.num_key_value_heads * self.head_dim
        per_layer = 2 * h + 2 * h * h + 2 * kv * h + 3 * f * h
        return v * h * (1 if self.tie_word_embeddings else 2) + h + self.num_hidden_layers * per_layer

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        """HF tensor name → shape, for every tensor the model must have."""
        h, f, v = self.hidden_size, self.intermediate_size, self.vocab_size
        kv = self.num_key_value_heads * self.head_dim
        shapes: dict[str, tuple[int, ...]] = {
            "model.embed_tokens.weight": (v, h),
            "model.norm.weight": (h,),
        }
        if not self.tie_word_embeddings:
            shapes["lm_head.weight"] = (v, h)
        for i in range(self.num_hidden_layers):
            p = f"model.layers.{i}."
            shapes.update(
                {
                    p + "input_layernorm.weight": (h,),
                    p + "post_attention_layernorm.weight": (h,),
                    p + "self_attn.q_proj.weight": (h, h),
                    p + "self_attn.k_proj.weight": (kv, h),
                    p + "self_attn.v_proj.weight": (kv, h),
                    p + "self_attn.o_proj.weight": (h, h),
                    p + "mlp.gate_proj.weight": (f, h),
                    p + "mlp.up_proj.weight": (f, h),
                    p + "mlp.down_proj.weight": (h, f),
                }
            )
        return shapes


class Checkpoint:
    """A checkpoint folder opened for conversion.

    Raises:
        CheckpointError: missing or malformed config, missing shards, tensors that do not match the config.
        UnsafeCheckpointError: a ``.bin`` shard's pickle asks for a global outside the allow-list.
    """

    def __init__(self, folder: Path, *, prefer: str = "auto") -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise CheckpointError(f"{self.folder} is not a folder")
        config_path = self.folder / "config.json"
        if not os.path.lexists(config_path):
            raise CheckpointError(f"{self.folder}: config.json is missing")
        raw = read_json_object(config_path, MAX_CONFIG_BYTES)
        self.config = LlamaConfig.from_dict(raw, str(config_path))
        self.weight_format, self._tensors = self._open_weights(prefer, config_path)
        self._check_against_config()

    def _open_weights(self, prefer: str, config_path: Path) -> tuple[str, dict[str, TensorSource]]:
        st_files = self._shards("model.safetensors.index.json", "*.safetensors")
        bin_files = self._shards("pytorch_model.bin.index.json", "pytorch_model*.bin")
        use_bin = prefer == "bin" or (prefer == "auto" and not st_files)
        files = bin_files if use_bin else st_files
        if not files:
            what = "*.safetensors or pytorch_model*.bin" if prefer == "auto" else prefer
            raise CheckpointError(f"{self.folder}: no weights ({what}) found")
        # Opening reads only headers and pickles, each bounded; no tensor is read before the size check below.
        tensors: dict[str, TensorSource] = {}
        if use_bin:
            for path in files:
                tensors.update(_unique(tensors, TorchZipCheckpoint(path).tensors, path))
        else:
            for path in files:
                tensors.update(_unique(tensors, read_safetensors(path), path))
        self._check_size_against_files(files, config_path)
        return ("bin" if use_bin else "safetensors"), tensors

    def _check_size_against_files(self, files: list[Path], config_path: Path) -> None:
        # Before any tensor is read and before the list of tensors the config implies is built.
        present = sum(regular_file_size(p) for p in files)
        implied = self.config.implied_weights()
        if implied * MIN_BYTES_PER_WEIGHT > present:
            raise CheckpointError(
                f"{config_path}: describes a model of {implied} weights (at least "
                f"{implied * MIN_BYTES_PER_WEIGHT} bytes), but its weight files hold only {present} bytes",
                hint="config.json does not match the weights.",
            )

    def _shards(self, index_name: str, pattern: str) -> list[Path]:
        index = self.folder / index_name
        if not os.path.lexists(index):
            return sorted(self.folder.glob(pattern))
        try:
            weight_map = read_json_object(index, MAX_INDEX_BYTES)["weight_map"]
        except KeyError:
            raise CheckpointError(f"{index}: malformed index (no weight_map)") from None
        if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
            raise CheckpointError(f"{index}: weight_map is not a mapping of tensor names to files")
        names = sorted(set(weight_map.values()))
        for name in names:
            _check_shard_name(index, name)
        missing = [n for n in names if not os.path.lexists(self.folder / n)]
        if missing:
            raise CheckpointError(
                f"{self.folder}: shards named in {index_name} are missing: {', '.join(missing)}",
                hint="The download may be incomplete; fetch the missing files again.",
            )
        return [self.folder / n for n in names]

    def _check_against_config(self) -> None:
        expected = self.config.expected_shapes()
        for name in list(self._tensors):
            if name.endswith(_IGNORED_SUFFIXES):
                del self._tensors[name]
        missing = sorted(set(expected) - set(self._tensors))
        if missing:
            raise CheckpointError(
                f"{self.folder}: {len(missing)} tensors the config requires are missing, e.g. {missing[0]}"
            )
        unexpected = sorted(set(self._tensors) - set(expected))
        if unexpected:
            raise CheckpointError(f"{self.folder}: tensors the config does not describe, e.g. {unexpected[0]}")
        for name, shape in expected.items():
            if tuple(self._tensors[name].shape) != shape:
                raise CheckpointError(
                    f"{self.folder}: tensor {name} has shape {tuple(self._tensors[name].shape)}, "
                    f"the config implies {shape}",
                    hint="config.json does not match the weights.",
                )

    def tensor_names(self) -> list[str]:
        return list(self.config.expected_shapes())

    def tensor(self, name: str) -> TensorSource:
        return self._tensors[name]

    def items(self) -> Iterator[tuple[str, TensorSource]]:
        for name in self.tensor_names():
            yield name, self._tensors[name]

    @property
    def total_bytes(self) -> int:
        return sum(t.nbytes for t in self._tensors.values())


def _check_shard_name(index: Path, name: str) -> None:
    """A shard name from an index file must be a plain file name in the checkpoint folder."""
    bad = (
        not name
        or name in (".", "..")
        or any(c in name for c in "/\\:")
        or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name)
    )
    if bad:
        raise CheckpointError(
            f"{index}: shard name {short_repr(name)} is not a plain file name in the checkpoint folder"
        )


def _unique(existing: dict[str, TensorSource], new: dict[str, Any], path: Path) -> dict[str, TensorSource]:
    dup = set(existing) & set(new)
    if dup:
        raise CheckpointError(f"{path.name}: tensor {sorted(dup)[0]} also appears in another shard")
    return new
