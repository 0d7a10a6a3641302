"""Read zip-format PyTorch checkpoints (``pytorch_model-*.bin``) without torch and without executing them.

A torch checkpoint is a zip archive holding ``data.pkl`` (a pickle that describes the tensors) and one record per
storage (the raw bytes). Unpickling with :mod:`pickle` would import and call whatever the pickle names, so this
module uses an allow-list unpickler: only the few globals that rebuild tensors and storages resolve, and they
resolve to our own harmless stand-ins. Any other global stops the read with :class:`UnsafeCheckpointError`
naming the file and the global; nothing from the file is ever called.

Tensors come back as :class:`LazyTensor` objects; their data is read (memory-mapped where the zip stores the
record uncompressed) only when :meth:`LazyTensor.numpy` is called, so a converter holds one tensor at a time.
"""

from __future__ import annotations

import collections
import pickle
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from converters.errors import CheckpointError, UnsafeCheckpointError

_STORAGE_DTYPES: dict[str, np.dtype[Any]] = {
    "FloatStorage": np.dtype("<f4"),
    "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": np.dtype("<u2"),  # widened to f32 on read
    "DoubleStorage": np.dtype("<f8"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}
_TORCH_DTYPES: dict[str, str] = {
    "float32": "FloatStorage",
    "float": "FloatStorage",
    "float16": "HalfStorage",
    "half": "HalfStorage",
    "bfloat16": "BFloat16Storage",
    "float64": "DoubleStorage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "int16": "ShortStorage",
    "int8": "CharStorage",
    "uint8": "ByteStorage",
    "bool": "BoolStorage",
}
_MAX_PICKLE_BYTES = 64 * 1024 * 1024


class _NoBuild:
    """Refuses pickle's BUILD opcode: a crafted pickle could otherwise rewrite offsets or shared objects."""

    def __setstate__(self, _state: Any) -> None:
        raise CheckpointError("the pickle tries to modify a tensor or storage after creating it")


@dataclass(frozen=True)
class _StorageType(_NoBuild):
    name: str


@dataclass(frozen=True)
class _TorchDtype(_NoBuild):
    name: str


@dataclass
class _Storage(_NoBuild):
    kind: str
    key: str
    numel: int


class LazyTensor(_NoBuild):
    """A tensor described by a checkpoint; its bytes are read on :meth:`numpy`."""

    def __init__(
        self,
        archive: TorchZipCheckpoint,
        storage: _Storage,
        offset: int,
        shape: tuple[int, ...],
        stride: tuple[int, ...],
    ) -> None:
        self._archive = archive
        self._storage = storage
        self._offset = offset
        self.shape = shape
        self._stride = stride

    @property
    def storage_kind(self) -> str:
        return self._storage.kind

    @property
    def nbytes(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n * _STORAGE_DTYPES[self._storage.kind].itemsize

    def numpy(self) -> np.ndarray:
        """Return the tensor as a C-contiguous array (bf16 widened to f32)."""
        if not (isinstance(self._offset, int) and self._offset >= 0):
            raise CheckpointError(f"{self._archive.path.name}: invalid storage offset {self._offset!r:.40}")
        dtype = _STORAGE_DTYPES[self._storage.kind]
        flat = self._archive.read_storage(self._storage, dtype)
        needed = self._offset + _span(self.shape, self._stride)
        if needed > flat.size:
            raise CheckpointError(
                f"{self._archive.path.name}: tensor needs {needed} elements of storage "
                f"{self._storage.key}, which holds {flat.size}"
            )
        if any(s < 0 for s in self._stride):
            raise CheckpointError(f"{self._archive.path.name}: negative stride {self._stride}")
        view = np.lib.stride_tricks.as_strided(
            flat[self._offset :],
            shape=self.shape,
            strides=tuple(s * dtype.itemsize for s in self._stride),
            writeable=False,
        )
        arr = np.ascontiguousarray(view)
        if self._storage.kind == "BFloat16Storage":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        return arr


def _span(shape: tuple[int, ...], stride: tuple[int, ...]) -> int:
    if any(d == 0 for d in shape):
        return 0
    return 1 + sum((d - 1) * s for d, s in zip(shape, stride, strict=True))


def _rebuild_tensor(storage: Any, storage_offset: Any, size: Any, stride: Any, *_rest: Any) -> LazyTensor:
    if not isinstance(storage, _BoundStorage):
        raise CheckpointError("tensor rebuilt from something that is not a storage")
    shape = _int_tuple(size, "size")
    strides = _int_tuple(stride, "stride")
    if len(shape) != len(strides) or not isinstance(storage_offset, int) or storage_offset < 0:
        raise CheckpointError("tensor with inconsistent size, stride or offset")
    return LazyTensor(storage.archive, storage.storage, storage_offset, shape, strides)


def _rebuild_parameter(data: Any, *_rest: Any) -> Any:
    return data


def _int_tuple(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, tuple | list) or not all(isinstance(v, int) and v >= 0 for v in value):
        raise CheckpointError(f"tensor {what} is not a tuple of non-negative integers: {value!r}")
    return tuple(value)


@dataclass
class _BoundStorage(_NoBuild):
    archive: TorchZipCheckpoint
    storage: _Storage


def _ordered_dict(*args: Any) -> collections.OrderedDict[Any, Any]:
    return collections.OrderedDict(*args)


_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): _ordered_dict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
    **{("torch", name): _TorchDtype(name) for name in _TORCH_DTYPES},
}


class _AllowListUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, archive: TorchZipCheckpoint) -> None:
        import io

        super().__init__(io.BytesIO(data))
        self._archive = archive
        self._storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafeCheckpointError(self._archive.path, f"{module}.{name}") from None

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise CheckpointError(f"{self._archive.path.name}: unknown persistent id {pid!r:.80}")
        _tag, stype, key, _location, numel = pid
        if isinstance(stype, _TorchDtype):  # torch >= 2 writes the dtype, not a storage class
            kind = _TORCH_DTYPES[stype.name]
        elif isinstance(stype, _StorageType):
            kind = stype.name
        else:
            raise CheckpointError(f"{self._archive.path.name}: unknown storage type {stype!r:.80}")
        if not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            raise CheckpointError(f"{self._archive.path.name}: malformed storage reference")
        storage = self._storages.setdefault(key, _Storage(kind, key, numel))
        return _BoundStorage(self._archive, storage)


class TorchZipCheckpoint:
    """One zip-format torch checkpoint file, opened for safe, lazy reading.

    Raises:
        UnsafeCheckpointError: the pickle names a global outside the allow-list.
        CheckpointError: the file is not a readable zip-format torch checkpoint.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise CheckpointError(
                f"{self.path.name} is not a zip-format PyTorch checkpoint ({exc}); "
                "legacy (pre-1.6) torch files are not supported"
            ) from exc
        names = self._zip.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise CheckpointError(f"{self.path.name}: expected one data.pkl in the archive, found {len(pkl)}")
        self._prefix = pkl[0][: -len("data.pkl")]
        info = self._zip.getinfo(pkl[0])
        if info.file_size > _MAX_PICKLE_BYTES:
            raise CheckpointError(f"{self.path.name}: data.pkl is {info.file_size} bytes, too large")
        data = self._zip.read(pkl[0])
        try:
            obj = _AllowListUnpickler(data, self).load()
        except (UnsafeCheckpointError, CheckpointError):
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
            raise CheckpointError(f"{self.path.name}: malformed pickle ({exc})") from exc
        if not isinstance(obj, dict) or not all(
            isinstance(k, str) and isinstance(v, LazyTensor) for k, v in obj.items()
        ):
            raise CheckpointError(f"{self.path.name}: not a state dict of tensors")
        self.tensors: dict[str, LazyTensor] = dict(obj)

    def read_storage(self, storage: _Storage, dtype: np.dtype[Any]) -> np.ndarray:
        name = f"{self._prefix}data/{storage.key}"
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            raise CheckpointError(f"{self.path.name}: storage record {storage.key} is missing") from None
        expected = storage.numel * dtype.itemsize
        if info.file_size < expected:
            raise CheckpointError(
                f"{self.path.name}: storage {storage.key} holds {info.file_size} bytes, needs {expected}"
            )
        if info.compress_type == zipfile.ZIP_STORED:
            offset = _data_offset(self.path, info)
            if offset + expected > self.path.stat().st_size:
                raise CheckpointError(f"{self.path.name}: storage {storage.key} runs past the end of the file")
            return np.memmap(self.path, dtype=dtype, mode="r", offset=offset, shape=(storage.numel,))
        try:
            raw = self._zip.read(name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise CheckpointError(f"{self.path.name}: storage record {storage.key} is corrupt ({exc})") from exc
        return np.frombuffer(raw, dtype=dtype, count=storage.numel)

    def close(self) -> None:
        self._zip.close()


def _data_offset(path: Path, info: zipfile.ZipInfo) -> int:
    with path.open("rb") as f:
        f.seek(info.header_offset)
        header = f.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise CheckpointError(f"{path.name}: corrupt zip local header for {info.filename}")
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    return info.header_offset + 30 + name_len + extra_len
