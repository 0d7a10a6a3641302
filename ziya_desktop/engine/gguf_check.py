"""A bounded GGUF header reader: the gate every model file passes before llama.cpp sees it.

llama.cpp aborts the process on some malformed files and ``gguf.GGUFReader`` can hang on crafted ones, so this
reader trusts nothing: every count and length is checked against fixed limits and against the bytes actually
present, every type is known, every tensor's data lies inside the file at an aligned offset. It reads at most
``MAX_HEADER_BYTES`` and never loops more than the file's size allows, so it is fast on any input.

This is the format-level half of the gate, for any GGUF; :mod:`ziya_desktop.engine.model_gate` adds what a LLaMA
model must hold before llama.cpp may load it.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

from ziya_desktop.errors import InvalidModelError

GGUF_MAGIC = b"GGUF"
MAX_HEADER_BYTES = 256 * 1024 * 1024
MAX_STRING = 64 * 1024 * 1024
MAX_KEY = 65535
MAX_DIMS = 4
MAX_ARRAY_DEPTH = 2
# The largest vocabularies and merge lists in use hold a few hundred thousand entries; a cap keeps a header of
# millions of tiny strings from costing gigabytes of Python objects.
MAX_ARRAY_ELEMENTS = 1 << 20
# ggml's GGML_MAX_NAME (64) counts the terminating NUL.
MAX_TENSOR_NAME = 63
DEFAULT_ALIGNMENT = 32
GGUF_TYPE_UINT32 = 4
GGUF_TYPE_STRING = 8
GGUF_TYPE_ARRAY = 9

_SCALARS: dict[int, tuple[str, int]] = {
    0: ("<B", 1),
    1: ("<b", 1),
    2: ("<H", 2),
    3: ("<h", 2),
    4: ("<I", 4),
    5: ("<i", 4),
    6: ("<f", 4),
    7: ("<?", 1),
    10: ("<Q", 8),
    11: ("<q", 8),
    12: ("<d", 8),
}
_STRING = 8
_ARRAY = 9
_KNOWN_GGML_TYPES = {int(t): GGML_QUANT_SIZES[t] for t in GGMLQuantizationType if t in GGML_QUANT_SIZES}


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int
    nbytes: int

    @property
    def type_name(self) -> str:
        return GGMLQuantizationType(self.ggml_type).name


@dataclass
class GGUFHeader:
    """What the header says, after every check passed."""

    path: Path | None
    version: int
    metadata: dict[str, Any]
    tensors: list[TensorInfo]
    data_offset: int
    file_size: int
    alignment: int = DEFAULT_ALIGNMENT
    notes: list[str] = field(default_factory=list)
    # Each key's GGUF value type, and for arrays the element type (None for scalars): llama.cpp reads every key
    # with one exact type and refuses the file when it differs.
    types: dict[str, tuple[int, int | None]] = field(default_factory=dict)


class _Cursor:
    def __init__(self, buf: bytes, file_size: int, label: str) -> None:
        self.buf = memoryview(buf)
        self.pos = 0
        self.file_size = file_size
        self.label = label

    def fail(self, what: str) -> InvalidModelError:
        return InvalidModelError(f"{self.label}: {what} (at byte {self.pos})")

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > len(self.buf):
            if self.pos + n > self.file_size:
                raise self.fail(f"file ends inside the {what}; it is truncated or not a GGUF model")
            raise self.fail(f"the {what} lies beyond the {MAX_HEADER_BYTES >> 20} MiB header limit")

    def scalar(self, fmt: str, size: int, what: str) -> Any:
        self.need(size, what)
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return value

    def u32(self, what: str) -> int:
        return int(self.scalar("<I", 4, what))

    def u64(self, what: str) -> int:
        return int(self.scalar("<Q", 8, what))

    def string(self, what: str, limit: int = MAX_STRING) -> str:
        n = self.u64(f"length of {what}")
        if n > limit:
            raise self.fail(f"{what} claims {n} bytes, more than the limit of {limit}")
        self.need(n, what)
        raw = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail(f"{what} is not valid UTF-8") from None

    def value(self, vtype: int, what: str, depth: int = 0) -> Any:
        if vtype in _SCALARS:
            fmt, size = _SCALARS[vtype]
            return self.scalar(fmt, size, what)
        if vtype == _STRING:
            return self.string(what)
        if vtype == _ARRAY:
            if depth >= MAX_ARRAY_DEPTH:
                raise self.fail(f"{what} nests arrays deeper than {MAX_ARRAY_DEPTH}")
            etype = self.u32(f"element type of {what}")
            count = self.u64(f"length of {what}")
            min_size = _SCALARS[etype][1] if etype in _SCALARS else 8 if etype in (_STRING, _ARRAY) else 0
            if min_size == 0:
                raise self.fail(f"{what} has unknown element type {etype}")
            if count * min_size > self.file_size - self.pos:
                raise self.fail(f"{what} claims {count} elements, more than the file can hold")
            if count > MAX_ARRAY_ELEMENTS:
                raise self.fail(f"{what} claims {count} elements, more than the limit of {MAX_ARRAY_ELEMENTS}")
            if etype in _SCALARS:
                fmt, size = _SCALARS[etype]
                self.need(count * size, what)
                values = list(struct.unpack_from(f"<{count}{fmt[1]}", self.buf, self.pos))
                self.pos += count * size
                return values
            return [self.value(etype, what, depth + 1) for _ in range(count)]
        raise self.fail(f"{what} has unknown value type {vtype}")


def parse_gguf_header(buf: bytes, file_size: int, label: str = "model file") -> GGUFHeader:
    """Check and parse a GGUF header from the first bytes of a file of ``file_size`` bytes.

    Raises:
        InvalidModelError: anything is out of bounds, unknown, misaligned or truncated.
    """
    cur = _Cursor(buf, file_size, label)
    if file_size < 4 or bytes(cur.buf[:4]) != GGUF_MAGIC:
        raise InvalidModelError(f"{label}: not a GGUF model file (it does not start with 'GGUF')")
    cur.pos = 4
    version = cur.u32("version")
    if version not in (2, 3):
        raise cur.fail(f"GGUF version {version} is not supported (2 and 3 are)")
    n_tensors = cur.u64("tensor count")
    n_kv = cur.u64("metadata count")
    # Each metadata entry takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor at least 8+4+8+4+8.
    if n_kv * 13 > file_size - cur.pos:
        raise cur.fail(f"header claims {n_kv} metadata entries, more than the file can hold")
    if n_tensors * 32 > file_size - cur.pos:
        raise cur.fail(f"header claims {n_tensors} tensors, more than the file can hold")
    metadata: dict[str, Any] = {}
    types: dict[str, tuple[int, int | None]] = {}
    for _ in range(n_kv):
        key = cur.string("metadata key", MAX_KEY)
        if not key or "\x00" in key:
            raise cur.fail(f"metadata key {key[:80]!r} is empty or contains a NUL character")
        if key in metadata:
            raise cur.fail(f"metadata key '{key}' appears twice")
        vtype = cur.u32(f"type of '{key}'")
        etype = _peek_u32(cur) if vtype == GGUF_TYPE_ARRAY else None
        metadata[key] = cur.value(vtype, f"value of '{key}'")
        types[key] = (vtype, etype)
    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1) or alignment > 1 << 20:
        raise cur.fail(f"general.alignment {alignment!r} is not a power of two")
    if "general.alignment" in types and types["general.alignment"][0] != GGUF_TYPE_UINT32:
        raise cur.fail("general.alignment is not stored as a 32-bit unsigned integer, as GGUF requires")
    tensors: list[TensorInfo] = []
    seen: set[str] = set()
    for _ in range(n_tensors):
        tensors.append(_tensor_info(cur, alignment, seen))
    data_offset = -(-cur.pos // alignment) * alignment
    if data_offset > file_size:
        raise cur.fail("file ends before its tensor data begins; it is truncated")
    for t in tensors:
        end = data_offset + t.offset + t.nbytes
        if end > file_size:
            raise InvalidModelError(
                f"{label}: tensor '{t.name}' ends at byte {end} but the file has {file_size} bytes; "
                "the file is truncated (an interrupted download or copy?)"
            )
    _check_overlaps(tensors, label)
    _check_sequential(tensors, alignment, label)
    return GGUFHeader(None, version, metadata, tensors, data_offset, file_size, alignment, types=types)


def _peek_u32(cur: _Cursor) -> int | None:
    if cur.pos + 4 > len(cur.buf):
        return None  # value() reports the truncation with its own message
    return int(struct.unpack_from("<I", cur.buf, cur.pos)[0])


def _tensor_info(cur: _Cursor, alignment: int, seen: set[str]) -> TensorInfo:
    name = cur.string("tensor name", MAX_KEY)
    if not name or "\x00" in name or len(name.encode("utf-8")) > MAX_TENSOR_NAME:
        raise cur.fail(f"tensor name {name[:80]!r} is empty, contains a NUL or is longer than {MAX_TENSOR_NAME} bytes")
    if name in seen:
        raise cur.fail(f"tensor '{name}' appears twice")
    seen.add(name)
    n_dims = cur.u32(f"dimension count of '{name}'")
    if not 1 <= n_dims <= MAX_DIMS:
        raise cur.fail(f"tensor '{name}' has {n_dims} dimensions")
    shape = tuple(cur.u64(f"dimensions of '{name}'") for _ in range(n_dims))
    ggml_type = cur.u32(f"type of '{name}'")
    offset = cur.u64(f"offset of '{name}'")
    if ggml_type not in _KNOWN_GGML_TYPES:
        raise cur.fail(f"tensor '{name}' has unknown data type {ggml_type}")
    block, type_size = _KNOWN_GGML_TYPES[ggml_type]
    n = 1
    for d in shape:
        if d == 0 or d > 1 << 40:
            raise cur.fail(f"tensor '{name}' has an impossible dimension {d}")
        n *= d
        if n > 1 << 48:
            raise cur.fail(f"tensor '{name}' claims {n}+ elements")
    if shape[0] % block:
        raise cur.fail(f"tensor '{name}' row of {shape[0]} is not a multiple of its block size {block}")
    if offset % alignment:
        raise cur.fail(f"tensor '{name}' data offset {offset} is not aligned to {alignment}")
    nbytes = n // block * type_size
    if offset + nbytes > cur.file_size:
        raise cur.fail(f"tensor '{name}' claims data beyond the end of the file")
    return TensorInfo(name, shape, ggml_type, offset, nbytes)


def _check_overlaps(tensors: list[TensorInfo], label: str) -> None:
    spans = sorted((t.offset, t.offset + t.nbytes, t.name) for t in tensors)
    for (_s0, e0, n0), (s1, _e1, n1) in itertools.pairwise(spans):
        if s1 < e0:
            raise InvalidModelError(f"{label}: tensors '{n0}' and '{n1}' overlap")


def _check_sequential(tensors: list[TensorInfo], alignment: int, label: str) -> None:
    # GGUF stores tensor data in the order of the tensor infos, each padded to the alignment; llama.cpp refuses
    # any other layout, so a file with gaps or a different order would pass here and fail there.
    expected = 0
    for t in tensors:
        if t.offset != expected:
            raise InvalidModelError(
                f"{label}: tensor '{t.name}' data starts at offset {t.offset}, expected {expected} "
                "(tensor data must follow the tensor list in order)"
            )
        expected += -(-t.nbytes // alignment) * alignment


def read_gguf_header(path: Path) -> GGUFHeader:
    """Open ``path`` and check its header; reads at most MAX_HEADER_BYTES.

    Raises:
        ModelNotFoundError: no such file, or it is a folder.
        InvalidModelError: the file is not a well-formed GGUF.
    """
    from ziya_desktop.errors import ModelNotFoundError

    path = Path(path)
    try:
        exists, is_file = path.exists(), path.is_file()
    except OSError as exc:  # a name too long, a folder we may not enter
        raise ModelNotFoundError(f"{path.name[:80]}: cannot be examined ({exc.strerror})") from exc
    if not exists:
        raise ModelNotFoundError(f"model file not found: {path}")
    if not is_file:
        raise ModelNotFoundError(f"{path} is not a file")
    try:
        with path.open("rb") as f:
            size = f.seek(0, 2)
            f.seek(0)
            buf = f.read(min(size, MAX_HEADER_BYTES))
    except OSError as exc:
        raise InvalidModelError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    header = parse_gguf_header(buf, size, path.name)
    header.path = path
    return header
