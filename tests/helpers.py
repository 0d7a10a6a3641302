"""Helpers shared by the converter and GGUF tests (plain functions; the fixtures live in conftest.py).

- :func:`logits_of`: per-position logits of a GGUF through llama.cpp.
- :func:`nmse`: normalised mean squared error over a list of (ours, reference) pairs.
- A tiny pickle assembler (:func:`tensor_pickle`) and :func:`write_torch_zip` that build zip-format torch
  checkpoints by hand, without torch, so hostile archives can be crafted byte by byte.
- :func:`copy_checkpoint`: a writable copy of the tiny checkpoint folder.
- GGUF builders (:func:`gguf_str`, :func:`gguf_kv`, :func:`gguf_tensor_info`, :func:`build_gguf`) for crafted
  headers made with ``struct.pack``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import types
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ziya_desktop.engine.hardware import GpuDevice, HardwareInfo
from ziya_desktop.writing.templates import FieldKind, Template

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "tests" / "data"
TINY_DIR = DATA_DIR / "tiny_ziya"
TINY_SAFETENSORS = DATA_DIR / "tiny_ziya_safetensors" / "model.safetensors"
CONFIG_FILES = (
    "config.json",
    "tokenizer.model",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
)
SHARDS = ("pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin")
BIN_INDEX = "pytorch_model.bin.index.json"


# --------------------------------------------------------------------------------------------- llama.cpp logits


def logits_of(gguf_path: Path, token_ids: Sequence[int], *, threads: int = 1) -> np.ndarray:
    """Logits for every position of ``token_ids`` (shape (seq, n_vocab), float32), CPU only.

    Tokens are fed one at a time; after each, llama.cpp holds the logits of that position. One thread: the model
    is tiny, and on a 2-core machine with another busy process llama.cpp's spinning thread barrier made
    ``threads=2`` about 200x slower (3 s instead of 15 ms per prompt).
    """
    import llama_cpp

    from ziya_desktop.engine.llama_api import ContextParams, LlamaContext, LlamaModel, ModelParams

    model = LlamaModel(Path(gguf_path), ModelParams(n_gpu_layers=0))
    try:
        ctx = LlamaContext(model, ContextParams(n_ctx=256, n_batch=64, threads=threads, flash_attn=False))
        try:
            rows = []
            for token in token_ids:
                ctx.decode_one(int(token))
                ptr = llama_cpp.llama_get_logits_ith(ctx.ptr, -1)
                rows.append(np.ctypeslib.as_array(ptr, shape=(model.n_vocab,)).copy())
            return np.stack(rows)
        finally:
            ctx.close()
    finally:
        model.close()


def nmse(pairs: Iterable[tuple[np.ndarray, np.ndarray]]) -> float:
    """sum((a - b)^2) / sum(b^2) over all pairs (b is the reference), in float64."""
    num = 0.0
    den = 0.0
    for a, b in pairs:
        a64 = np.asarray(a, dtype=np.float64)
        b64 = np.asarray(b, dtype=np.float64)
        assert a64.shape == b64.shape, (a64.shape, b64.shape)
        num += float(((a64 - b64) ** 2).sum())
        den += float((b64**2).sum())
    return num / den


# ------------------------------------------------------------------------------------------- checkpoint copies


def copy_checkpoint(dst: Path, *, shards: bool = True, index: bool = True) -> Path:
    """Copy the tiny checkpoint's config and tokenizer files (and optionally its shards and index) to ``dst``."""
    dst.mkdir(parents=True, exist_ok=True)
    names = list(CONFIG_FILES)
    if shards:
        names += list(SHARDS)
    if index:
        names.append(BIN_INDEX)
    for name in names:
        shutil.copy(TINY_DIR / name, dst / name)
    return dst


# ---------------------------------------------------------------------------------------- hand-made torch zips

_PROTO2 = b"\x80\x02"


def p_global(module: str, name: str) -> bytes:
    """GLOBAL opcode: ``c<module>\\n<name>\\n``."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def p_str(s: str) -> bytes:
    raw = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(raw)) + raw


def p_int(i: int) -> bytes:
    return b"J" + struct.pack("<i", i)


def p_tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


@dataclass(frozen=True)
class TensorSpec:
    """One entry of a hand-made state dict: a view of storage ``key``."""

    key: str
    numel: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]
    offset: int = 0
    storage: tuple[str, str] = ("torch", "FloatStorage")


def p_tensor(spec: TensorSpec, *, rebuild: tuple[str, str] = ("torch._utils", "_rebuild_tensor_v2")) -> bytes:
    """Pickle opcodes that push ``_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())``."""
    pid = p_tuple(p_str("storage"), p_global(*spec.storage), p_str(spec.key), p_str("cpu"), p_int(spec.numel))
    args = p_tuple(
        pid + b"Q",
        p_int(spec.offset),
        p_tuple(*(p_int(d) for d in spec.shape)),
        p_tuple(*(p_int(s) for s in spec.stride)),
        b"\x89",
        p_global("collections", "OrderedDict") + b")R",
    )
    return p_global(*rebuild) + args + b"R"


def state_dict_pickle(entries: dict[str, bytes]) -> bytes:
    """A protocol-2 pickle of an OrderedDict whose values are the given (already assembled) opcodes."""
    body = b"".join(p_str(name) + value for name, value in entries.items())
    return _PROTO2 + p_global("collections", "OrderedDict") + b")R(" + body + b"u."


def tensor_pickle(
    entries: dict[str, TensorSpec], *, rebuild: tuple[str, str] = ("torch._utils", "_rebuild_tensor_v2")
) -> bytes:
    """A pickle shaped like torch.save's data.pkl: an OrderedDict of _rebuild_tensor_v2 calls."""
    return state_dict_pickle({name: p_tensor(spec, rebuild=rebuild) for name, spec in entries.items()})


def write_torch_zip(
    path: Path,
    pickle_bytes: bytes,
    records: dict[str, bytes] | None = None,
    *,
    prefix: str = "archive",
    compression: int = zipfile.ZIP_STORED,
) -> Path:
    """A zip laid out like torch.save's: ``<prefix>/data.pkl``, ``<prefix>/data/<key>``, ``<prefix>/version``."""
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        zf.writestr(f"{prefix}/data.pkl", pickle_bytes)
        for key, raw in (records or {}).items():
            zf.writestr(f"{prefix}/data/{key}", raw)
        zf.writestr(f"{prefix}/version", b"3\n")
    return path


# ---------------------------------------------------------------------------------------------- crafted GGUF

GGUF_U32 = 4
GGUF_I32 = 5
GGUF_F32 = 6
GGUF_STRING = 8
GGUF_ARRAY = 9
GGUF_U64 = 10
GGML_F32 = 0
GGML_Q4_0 = 2


def gguf_str(s: str | bytes) -> bytes:
    raw = s.encode("utf-8") if isinstance(s, str) else s
    return struct.pack("<Q", len(raw)) + raw


def gguf_kv(key: str | bytes, vtype: int, payload: bytes) -> bytes:
    """One metadata entry: key, value type, then ``payload`` (the already-packed value)."""
    return gguf_str(key) + struct.pack("<I", vtype) + payload


def gguf_kv_str(key: str, value: str) -> bytes:
    return gguf_kv(key, GGUF_STRING, gguf_str(value))


def gguf_kv_u32(key: str, value: int) -> bytes:
    return gguf_kv(key, GGUF_U32, struct.pack("<I", value))


def gguf_tensor_info(name: str | bytes, shape: Sequence[int], ggml_type: int = GGML_F32, offset: int = 0) -> bytes:
    return (
        gguf_str(name)
        + struct.pack("<I", len(shape))
        + b"".join(struct.pack("<Q", d) for d in shape)
        + struct.pack("<I", ggml_type)
        + struct.pack("<Q", offset)
    )


def build_gguf(
    kvs: Sequence[bytes],
    tensor_infos: Sequence[bytes],
    data: bytes = b"",
    *,
    version: int = 3,
    n_tensors: int | None = None,
    n_kv: int | None = None,
    alignment: int = 32,
    pad: bool = True,
) -> bytes:
    """A GGUF file: magic, version, counts, metadata, tensor infos, padding to ``alignment``, then ``data``."""
    head = (
        b"GGUF"
        + struct.pack("<I", version)
        + struct.pack("<Q", len(tensor_infos) if n_tensors is None else n_tensors)
        + struct.pack("<Q", len(kvs) if n_kv is None else n_kv)
        + b"".join(kvs)
        + b"".join(tensor_infos)
    )
    if pad:
        head += b"\x00" * (-len(head) % alignment)
    return head + data


HOSTILE_GGUF_DIR = DATA_DIR / "hostile_gguf"


def hostile_gguf_script() -> types.ModuleType:
    """tests/data/hostile_gguf/make_hostile_gguf.py as a module (a script beside its files, not a package)."""
    spec = importlib.util.spec_from_file_location("make_hostile_gguf", HOSTILE_GGUF_DIR / "make_hostile_gguf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_converter_cli(
    *args: str, timeout: float, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m converters ARGS`` from the repository root, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "converters", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=preexec_fn,
        check=False,
    )


def machine(gpu_free: int | None) -> HardwareInfo:
    """A 4-core, 16 GB test computer: CPU only, or with one CUDA GPU with ``gpu_free`` bytes free."""
    gpus = () if gpu_free is None else (GpuDevice("CUDA0", "Test GPU", "gpu", gpu_free, gpu_free),)
    return HardwareInfo(
        gpu_offload=bool(gpus),
        backend="CUDA" if gpus else "CPU",
        gpus=gpus,
        physical_cores=4,
        logical_cpus=8,
        total_ram=16 << 30,
        available_ram=12 << 30,
        cpu_features=frozenset({"AVX2"}),
        system_info="test machine",
    )


def fill_template(template: Template) -> dict[str, object]:
    """Values a writer might type into every field of ``template`` (the first option of a choice)."""
    values: dict[str, object] = {}
    for f in template.fields:
        if f.kind is FieldKind.TEXT:
            values[f.name] = "年度工作会议"
        elif f.kind is FieldKind.MULTILINE:
            values[f.name] = "总结全年工作\n部署明年任务"
        elif f.kind is FieldKind.CHOICE and f.options:
            values[f.name] = f.options[0].value
    return values
