"""A Hugging Face LLaMA checkpoint folder: its config and a lazy view of its tensors.

Weights come from safetensors when the folder has them, otherwise from zip-format torch ``.bin`` shards read by
the allow-list unpickler. Shards are found through the index json when there is one, else by glob. Every tensor
the config implies must be present with the shape the config implies, before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from converters.errors import CheckpointError
from converters.safetensors_reader import read_safetensors
from converters.torch_pickle import TorchZipCheckpoint

_IGNORED_SUFFIXES = ("rotary_emb.inv_freq",)


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
            raise CheckpointError(f"{source}: architecture {arch} is not LLaMA")

        def need_int(key: str, default: int | None = None) -> int:
            value = raw.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise CheckpointError(f"{source}: '{key}' must be a positive integer, got {value!r}")
            return value

        cfg = cls(
            vocab_size=need_int("vocab_size"),
            hidden_size=need_int("hidden_size"),
            intermediate_size=need_int("intermediate_size"),
            num_hidden_layers=need_int("num_hidden_layers"),
            num_attention_heads=need_int("num_attention_heads"),
            num_key_value_heads=need_int("num_key_value_heads", raw.get("num_attention_heads")),
            max_position_embeddings=need_int("max_position_embeddings", 2048),
            rms_norm_eps=float(raw.get("rms_norm_eps", 1e-6)),
            rope_theta=float(raw.get("rope_theta", 10000.0)),
            bos_token_id=int(raw.get("bos_token_id", 1)),
            eos_token_id=int(raw.get("eos_token_id", 2)),
            pad_token_id=raw.get("pad_token_id"),
            tie_word_embeddings=bool(raw.get("tie_word_embeddings", False)),
        )
        if cfg.hidden_size % cfg.num_attention_heads:
            raise CheckpointError(f"{source}: hidden_size is not a multiple of num_attention_heads")
        if cfg.num_attention_heads % cfg.num_key_value_heads:
            raise CheckpointError(f"{source}: num_attention_heads is not a multiple of num_key_value_heads")
        if raw.get("rope_scaling"):
            raise CheckpointError(f"{source}: rope_scaling is not supported by this converter")
        return cfg

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
        try:
            raw = json.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CheckpointError(f"{self.folder}: config.json is missing") from None
        except (ValueError, RecursionError) as exc:
            raise CheckpointError(f"{config_path}: not valid JSON ({str(exc)[:80]})") from exc
        if not isinstance(raw, dict):
            raise CheckpointError(f"{config_path}: not a JSON object")
        self.config = LlamaConfig.from_dict(raw, str(config_path))
        self.weight_format, self._tensors = self._open_weights(prefer)
        self._check_against_config()

    def _open_weights(self, prefer: str) -> tuple[str, dict[str, TensorSource]]:
        st_files = self._shards("model.safetensors.index.json", "*.safetensors")
        bin_files = self._shards("pytorch_model.bin.index.json", "pytorch_model*.bin")
        if prefer == "bin" or (prefer == "auto" and not st_files):
            if not bin_files:
                raise CheckpointError(f"{self.folder}: no weights (*.safetensors or pytorch_model*.bin) found")
            tensors: dict[str, TensorSource] = {}
            for path in bin_files:
                tensors.update(_unique(tensors, TorchZipCheckpoint(path).tensors, path))
            return "bin", tensors
        if not st_files:
            raise CheckpointError(f"{self.folder}: no safetensors weights found")
        tensors = {}
        for path in st_files:
            tensors.update(_unique(tensors, read_safetensors(path), path))
        return "safetensors", tensors

    def _shards(self, index_name: str, pattern: str) -> list[Path]:
        index = self.folder / index_name
        if index.exists():
            try:
                weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
            except (ValueError, RecursionError, KeyError, TypeError) as exc:
                raise CheckpointError(f"{index}: malformed index ({str(exc)[:80]})") from exc
            if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
                raise CheckpointError(f"{index}: weight_map is not a mapping of tensor names to files")
            names = sorted(set(weight_map.values()))
            if any(Path(n).name != n for n in names):
                raise CheckpointError(f"{index}: shard names must be plain file names, not paths")
            missing = [n for n in names if not (self.folder / n).is_file()]
            if missing:
                raise CheckpointError(
                    f"{self.folder}: shards named in {index_name} are missing: {', '.join(missing)}",
                    hint="The download may be incomplete; fetch the missing files again.",
                )
            return [self.folder / n for n in names]
        return sorted(self.folder.glob(pattern))

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


def _unique(existing: dict[str, TensorSource], new: dict[str, Any], path: Path) -> dict[str, TensorSource]:
    dup = set(existing) & set(new)
    if dup:
        raise CheckpointError(f"{path.name}: tensor {sorted(dup)[0]} also appears in another shard")
    return new
