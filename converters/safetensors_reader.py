"""A bounded reader for ``.safetensors`` files that returns memory-mapped numpy arrays.

The header is untrusted input: its length, JSON, dtypes, shapes and offsets are all checked against the file
before any tensor is mapped.
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np

from converters.errors import CheckpointError
from converters.safe_files import open_regular, short_repr

# A header takes about 100 bytes per tensor: 16 MiB is far more than any real checkpoint needs, and parsing it
# stays within a few hundred MB.
_MAX_HEADER = 16 * 1024 * 1024
_DTYPES: dict[str, np.dtype[Any]] = {
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),
    "F64": np.dtype("<f8"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


class SafetensorsTensor:
    """One tensor of a safetensors file; :meth:`numpy` maps it (bf16 widened to f32)."""

    def __init__(self, path: Path, dtype: str, shape: tuple[int, ...], start: int, end: int) -> None:
        self.path = path
        self.dtype = dtype
        self.shape = shape
        self._start = start
        self._end = end

    @property
    def nbytes(self) -> int:
        return self._end - self._start

    def numpy(self) -> np.ndarray:
        dt = _DTYPES[self.dtype]
        count = self.nbytes // dt.itemsize
        if count == 0:
            return np.zeros(self.shape, dtype=np.float32 if self.dtype == "BF16" else dt)
        with open_regular(self.path) as f:
            if self._end > os.fstat(f.fileno()).st_size:
                raise CheckpointError(f"{self.path.name}: the file became shorter after it was opened")
            arr = np.memmap(f, dtype=dt, mode="r", offset=self._start, shape=(count,)).reshape(self.shape)
        if self.dtype == "BF16":
            return (arr.astype(np.uint32) << 16).view(np.float32)
        return arr


def read_safetensors(path: Path) -> dict[str, SafetensorsTensor]:
    """Parse and check a safetensors header.

    Raises:
        CheckpointError: the header is malformed, absurd, or points outside the file.
    """
    path = Path(path)
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        raw_len = f.read(8)
        if len(raw_len) != 8:
            raise CheckpointError(f"{path.name}: too short to be a safetensors file")
        (header_len,) = struct.unpack("<Q", raw_len)
        if header_len > _MAX_HEADER or 8 + header_len > size:
            raise CheckpointError(f"{path.name}: header length {header_len} is impossible for a {size}-byte file")
        raw = f.read(header_len)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CheckpointError(f"{path.name}: header is not valid JSON ({str(exc)[:80]})") from exc
    if not isinstance(header, dict):
        raise CheckpointError(f"{path.name}: header is not a JSON object")
    data_start = 8 + header_len
    data_len = size - data_start
    tensors: dict[str, SafetensorsTensor] = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        tensors[name] = _check_entry(path, name, spec, data_start, data_len)
    return tensors


def _check_entry(path: Path, name: str, spec: Any, data_start: int, data_len: int) -> SafetensorsTensor:
    if not isinstance(spec, dict):
        raise CheckpointError(f"{path.name}: entry {short_repr(name)} is not an object")
    dtype = spec.get("dtype")
    shape = spec.get("shape")
    offsets = spec.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in _DTYPES:
        raise CheckpointError(f"{path.name}: tensor {short_repr(name)} has unsupported dtype {short_repr(dtype)}")
    if not isinstance(shape, list) or not all(isinstance(d, int) and 0 <= d < 2**40 for d in shape):
        raise CheckpointError(f"{path.name}: tensor {short_repr(name)} has an invalid shape {short_repr(shape)}")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(isinstance(o, int) for o in offsets)
        or not 0 <= offsets[0] <= offsets[1] <= data_len
    ):
        raise CheckpointError(
            f"{path.name}: tensor {short_repr(name)} has offsets outside the file: {short_repr(offsets)}"
        )
    n = 1
    for d in shape:
        n *= d
    if n * _DTYPES[dtype].itemsize != offsets[1] - offsets[0]:
        raise CheckpointError(
            f"{path.name}: tensor {short_repr(name)}: shape {short_repr(shape)} does not match its byte length"
        )
    return SafetensorsTensor(path, dtype, tuple(shape), data_start + offsets[0], data_start + offsets[1])
