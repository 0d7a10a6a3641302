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
import io
import os
import pickle
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from converters.errors import CheckpointError, UnsafeCheckpointError
from converters.pickle_scan import scan_pickle
from converters.safe_files import open_regular, short_repr

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
# A state dict's pickle takes a few hundred bytes per tensor; the largest real ones are well under a megabyte.
_MAX_PICKLE_BYTES = 16 * 1024 * 1024
# A 13B shard holds a few hundred storages; the bounds leave room for far larger models.
_MAX_ZIP_ENTRIES = 100_000
# zipfile reads entries until it has consumed the stated table size, whatever the stated count: both are bounded.
_MAX_CENTRAL_DIRECTORY_BYTES = 8 * 1024 * 1024
# The end record is 22 bytes plus a comment of at most 65,535.
_EOCD_SEARCH_BYTES = 22 + 65_535
# What reading a damaged or exotic zip member raises (bad CRC, bad deflate stream, unknown method, encryption).
_DAMAGED_MEMBER = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError)


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
        dtype = _STORAGE_DTYPES[self._storage.kind]
        self.check_layout()
        flat = self._archive.read_storage(self._storage, dtype)
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

    def check_layout(self) -> None:
        """The view must lie inside its storage and never read one element twice (no stride 0, no overlap).

        A stride-0 or overlapping view turns a few bytes on disk into a tensor of any size; real checkpoints
        never hold one.
        """
        name = self._archive.path.name
        if not (isinstance(self._offset, int) and self._offset >= 0):
            raise CheckpointError(f"{name}: invalid storage offset {short_repr(self._offset)}")
        if any(d == 0 for d in self.shape):
            return
        reach = 1  # elements spanned by the dimensions checked so far
        for stride, size in sorted((s, d) for d, s in zip(self.shape, self._stride, strict=True) if d > 1):
            if stride < reach:
                raise CheckpointError(
                    f"{name}: a tensor of storage {self._storage.key} has overlapping or zero strides "
                    f"{short_repr(self._stride)} for shape {short_repr(self.shape)}"
                )
            reach += stride * (size - 1)
        needed = self._offset + reach
        if needed > self._storage.numel:
            raise CheckpointError(
                f"{name}: tensor needs {needed} elements of storage {self._storage.key}, "
                f"which holds {self._storage.numel}"
            )


class _Reconstructor(_NoBuild):
    """An allowed global: calls ``function``; BUILD on it is refused, so a pickle cannot change it for the process."""

    def __init__(self, function: Any) -> None:
        self._function = function

    def __call__(self, *args: Any) -> Any:
        return self._function(*args)


class _StateDict(collections.OrderedDict[Any, Any]):
    """The state dict a pickle builds: fresh for each pickle; BUILD's state (torch's ``_metadata``) is dropped."""

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict):
            raise CheckpointError("the pickle sets state that a state dict does not have")


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
    if not isinstance(value, tuple | list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
    ):
        raise CheckpointError(f"tensor {what} is not a tuple of non-negative integers: {short_repr(value)}")
    return tuple(value)


@dataclass
class _BoundStorage(_NoBuild):
    archive: TorchZipCheckpoint
    storage: _Storage


def _ordered_dict(*args: Any) -> _StateDict:
    return _StateDict(*args)


_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): _Reconstructor(_ordered_dict),
    ("torch._utils", "_rebuild_tensor_v2"): _Reconstructor(_rebuild_tensor),
    ("torch._utils", "_rebuild_tensor"): _Reconstructor(_rebuild_tensor),
    ("torch._utils", "_rebuild_parameter"): _Reconstructor(_rebuild_parameter),
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
    **{("torch", name): _TorchDtype(name) for name in _TORCH_DTYPES},
}


class _AllowListUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, archive: TorchZipCheckpoint) -> None:
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
            raise CheckpointError(f"{self._archive.path.name}: unknown persistent id {short_repr(pid)}")
        _tag, stype, key, _location, numel = pid
        if isinstance(stype, _TorchDtype):  # torch >= 2 writes the dtype, not a storage class
            kind = _TORCH_DTYPES[stype.name]
        elif isinstance(stype, _StorageType):
            kind = stype.name
        else:
            raise CheckpointError(f"{self._archive.path.name}: unknown storage type {short_repr(stype)}")
        if not isinstance(key, str) or not isinstance(numel, int) or isinstance(numel, bool) or numel < 0:
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
        self._file = open_regular(self.path)
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        name = self.path.name
        try:
            _check_central_directory(self._file, name)
            self._zip = zipfile.ZipFile(self._file)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise CheckpointError(
                f"{name} is not a zip-format PyTorch checkpoint ({str(exc)[:80]}); "
                "legacy (pre-1.6) torch files are not supported"
            ) from exc
        names = self._zip.namelist()
        pkl = [n for n in names if n.endswith("/data.pkl") or n == "data.pkl"]
        if len(pkl) != 1:
            raise CheckpointError(f"{name}: expected one data.pkl in the archive, found {len(pkl)}")
        self._prefix = pkl[0][: -len("data.pkl")]
        info = self._zip.getinfo(pkl[0])
        if info.file_size > _MAX_PICKLE_BYTES:
            raise CheckpointError(f"{name}: data.pkl is {info.file_size} bytes, too large")
        try:
            with self._zip.open(info) as member:
                data = member.read(_MAX_PICKLE_BYTES + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
            RuntimeError,
        ) as exc:
            raise CheckpointError(f"{name}: data.pkl is damaged ({str(exc)[:80]})") from exc
        if len(data) > _MAX_PICKLE_BYTES:
            raise CheckpointError(f"{name}: data.pkl is more than {_MAX_PICKLE_BYTES} bytes, too large")
        # Before the unpickler runs: memo indices, nesting and opcodes that would cost memory or crash it.
        scan_pickle(data, name)
        try:
            obj = _AllowListUnpickler(data, self).load()
        except UnsafeCheckpointError:
            raise
        except CheckpointError as exc:
            if str(exc).startswith(name):
                raise
            raise CheckpointError(f"{name}: {exc}") from exc
        except (
            pickle.UnpicklingError,
            EOFError,
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
            KeyError,
            RecursionError,
        ) as exc:
            raise CheckpointError(f"{name}: malformed pickle ({type(exc).__name__}: {str(exc)[:80]})") from exc
        if not isinstance(obj, dict) or not all(
            isinstance(k, str) and isinstance(v, LazyTensor) for k, v in obj.items()
        ):
            raise CheckpointError(f"{name}: not a state dict of tensors")
        self.tensors: dict[str, LazyTensor] = dict(obj)
        # Every record must be present, uncompressed and large enough before any tensor is converted.
        for tensor in self.tensors.values():
            self._record(tensor._storage, _STORAGE_DTYPES[tensor._storage.kind])
            tensor.check_layout()

    def _record(self, storage: _Storage, dtype: np.dtype[Any]) -> int:
        """The file offset of ``storage``'s bytes, after checking its record."""
        name = f"{self._prefix}data/{storage.key}"
        try:
            info = self._zip.getinfo(name)
        except KeyError:
            raise CheckpointError(f"{self.path.name}: storage record {storage.key} is missing") from None
        if info.compress_type != zipfile.ZIP_STORED:
            # torch.save never compresses; a compressed record can unpack to any size (a zip bomb).
            raise CheckpointError(
                f"{self.path.name}: storage record {storage.key} is compressed, which torch checkpoints never are"
            )
        expected = storage.numel * dtype.itemsize
        if info.file_size < expected:
            raise CheckpointError(
                f"{self.path.name}: storage {storage.key} holds {info.file_size} bytes, needs {expected}"
            )
        offset = _data_offset(self._file, self.path, info)
        if offset + expected > os.fstat(self._file.fileno()).st_size:
            raise CheckpointError(f"{self.path.name}: storage {storage.key} runs past the end of the file")
        return offset

    def read_storage(self, storage: _Storage, dtype: np.dtype[Any]) -> np.ndarray:
        offset = self._record(storage, dtype)
        if storage.numel == 0:
            return np.zeros(0, dtype=dtype)
        return np.memmap(self._file, dtype=dtype, mode="r", offset=offset, shape=(storage.numel,))

    def close(self) -> None:
        zf = getattr(self, "_zip", None)
        if zf is not None:
            zf.close()
        self._file.close()


def _check_central_directory(file: Any, name: str) -> None:
    """Refuse a zip whose table of contents is larger than a checkpoint's could be, before zipfile reads it all.

    zipfile builds one object per entry of the central directory, whose size the end record states (the ZIP64 one
    for large archives): a small file claiming millions of entries would cost memory far beyond its own size.
    """
    size = file.seek(0, io.SEEK_END)
    tail_len = min(size, _EOCD_SEARCH_BYTES)
    file.seek(size - tail_len)
    tail = file.read(tail_len)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        raise zipfile.BadZipFile("no end of central directory record")
    entries, cd_size = struct.unpack_from("<HI", tail, end + 10)
    locator = end - 20
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        (record_at,) = struct.unpack_from("<Q", tail, locator + 8)
        if record_at + 56 > size:
            raise zipfile.BadZipFile("the ZIP64 end record lies outside the file")
        file.seek(record_at)
        record = file.read(56)
        if record[:4] != b"PK\x06\x06":
            raise zipfile.BadZipFile("no ZIP64 end of central directory record")
        entries, cd_size = struct.unpack_from("<QQ", record, 32)
    if entries > _MAX_ZIP_ENTRIES or cd_size > _MAX_CENTRAL_DIRECTORY_BYTES:
        raise CheckpointError(
            f"{name}: the archive lists {entries} entries in a {cd_size}-byte table of contents, more than a "
            f"checkpoint holds (at most {_MAX_ZIP_ENTRIES} entries, {_MAX_CENTRAL_DIRECTORY_BYTES} bytes)"
        )
    file.seek(0)


def _data_offset(file: Any, path: Path, info: zipfile.ZipInfo) -> int:
    # zipfile seeks before each of its own reads, so moving the shared file's position here is safe.
    file.seek(info.header_offset)
    header = file.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise CheckpointError(f"{path.name}: corrupt zip local header for {info.filename}")
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    return info.header_offset + 30 + name_len + extra_len
