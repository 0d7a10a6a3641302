"""ziya_desktop.engine.gguf_check: the bounded GGUF header gate, on the real tiny GGUF and on crafted files."""

from __future__ import annotations

import contextlib
import struct
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import gguf
import pytest
from helpers import (
    DATA_DIR,
    GGML_F32,
    GGML_Q4_0,
    GGUF_ARRAY,
    GGUF_STRING,
    GGUF_U32,
    GGUF_U64,
    TINY_SAFETENSORS,
    build_gguf,
    gguf_kv,
    gguf_kv_str,
    gguf_kv_u32,
    gguf_str,
    gguf_tensor_info,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ziya_desktop.engine import gguf_check
from ziya_desktop.engine.gguf_check import GGUFHeader, parse_gguf_header, read_gguf_header
from ziya_desktop.engine.model_info import inspect_model
from ziya_desktop.errors import InvalidModelError, ModelNotFoundError, UnsupportedModelError

ARCH = gguf_kv_str("general.architecture", "llama")


def _ab(off_a: int = 0, off_b: int = 32, shape_a: tuple[int, ...] = (8,), type_b: int = GGML_F32) -> list[bytes]:
    """Two tensor infos: 'a' (F32) and 'b' (8 elements of ``type_b``)."""
    return [gguf_tensor_info("a", shape_a, GGML_F32, off_a), gguf_tensor_info("b", (8,), type_b, off_b)]


VALID = build_gguf([ARCH], _ab(), bytes(64))


def _parse(data: bytes) -> GGUFHeader:
    return parse_gguf_header(data, len(data), "crafted.gguf")


class ReadBudget:
    """Counts the parser's reads (each one goes through ``_Cursor.need``) and fails the parse at once when it makes
    more than one read per three bytes it was given, plus two. Every read consumes bytes (a bool value takes 4
    reads for its 14 bytes, the densest case), so the parser's work is bounded by the bytes present, never by a
    count the file claims: a loop driven by a claimed count fails here on the spot instead of running for ages."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads = 0
        self.most = 0
        real = gguf_check._Cursor.need
        budget = self

        def need(cursor: gguf_check._Cursor, n: int, what: str) -> None:
            budget.reads += 1
            if budget.reads > budget.most:
                raise AssertionError(f"{budget.reads} reads of a {len(cursor.buf)}-byte header (at the {what})")
            real(cursor, n, what)

        monkeypatch.setattr(gguf_check._Cursor, "need", need)

    def start(self, n_bytes: int) -> None:
        """A new parse of ``n_bytes``."""
        self.reads = 0
        self.most = n_bytes // 3 + 2


@pytest.fixture()
def read_budget(monkeypatch: pytest.MonkeyPatch) -> ReadBudget:
    return ReadBudget(monkeypatch)


@pytest.fixture(scope="module")
def q4_path(tiny_gguf: Callable[[str], Path]) -> Path:
    return tiny_gguf("q4_k_m")


@pytest.fixture(scope="module")
def q4_bytes(q4_path: Path) -> bytes:
    return q4_path.read_bytes()


# ------------------------------------------------------------------------------------------------ real GGUF


@pytest.mark.slow
def test_tiny_q4_k_m_passes(q4_path: Path) -> None:
    header = read_gguf_header(q4_path)
    assert header.path == q4_path
    assert header.version == 3
    assert len(header.tensors) == 21
    assert header.metadata["general.architecture"] == "llama"
    assert header.metadata["llama.block_count"] == 2
    assert len(header.metadata["tokenizer.ggml.tokens"]) == 1016
    assert header.file_size == q4_path.stat().st_size
    assert header.data_offset % header.alignment == 0
    assert {t.type_name for t in header.tensors} >= {"F32", "Q4_K"}


@pytest.mark.slow
def test_tiny_header_agrees_with_gguf_reader(q4_path: Path) -> None:
    # GGUFReader only ever sees our own converter's output here.
    header = read_gguf_header(q4_path)
    reader = gguf.GGUFReader(q4_path)
    ours = {t.name: (tuple(t.shape), t.ggml_type, header.data_offset + t.offset, t.nbytes) for t in header.tensors}
    theirs = {
        t.name: (tuple(int(d) for d in t.shape), int(t.tensor_type), int(t.data_offset), int(t.n_bytes))
        for t in reader.tensors
    }
    assert ours == theirs


@pytest.mark.slow
def test_every_truncation_is_rejected(q4_bytes: bytes, q4_path: Path, read_budget: ReadBudget) -> None:
    """Every prefix of the header region, and ~300 cut points through the tensor data, must be refused, each with
    a number of reads bounded by the bytes of that prefix."""
    read_budget.start(len(q4_bytes))
    header = read_gguf_header(q4_path)
    data_end = max(header.data_offset + t.offset + t.nbytes for t in header.tensors)
    assert data_end <= len(q4_bytes)
    view = memoryview(q4_bytes)  # slices without copying
    step = max(1, (data_end - header.data_offset) // 300)
    cuts = list(range(header.data_offset + 1)) + list(range(header.data_offset + step, data_end, step))
    accepted: list[int] = []
    for n in cuts:
        read_budget.start(n)
        try:
            parse_gguf_header(view[:n], n, "tiny.gguf")
        except InvalidModelError:
            pass
        else:
            accepted.append(n)
    assert accepted == [], f"truncated files accepted at lengths {accepted[:10]}"
    # The untruncated file still passes (so the sweep fails only because of the cuts).
    read_budget.start(len(q4_bytes))
    parse_gguf_header(view, len(q4_bytes))
    # The whole header was read (its 1016-token vocabulary among it) within the same bound.
    assert read_budget.reads > 1016


@pytest.mark.slow
def test_header_limit_is_reported_separately_from_truncation(q4_bytes: bytes) -> None:
    # Only a prefix was read but the file is whole: the message must not call the file truncated.
    with pytest.raises(InvalidModelError, match="header limit"):
        parse_gguf_header(q4_bytes[:1000], len(q4_bytes))


def test_non_gguf_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidModelError, match="not a GGUF"):
        read_gguf_header(TINY_SAFETENSORS)
    for i, content in enumerate([b"", b"GGU", b"GGML" + bytes(60), b"ggufggufgguf", b"\x00" * 100]):
        path = tmp_path / f"f{i}.gguf"
        path.write_bytes(content)
        with pytest.raises(InvalidModelError, match="not a GGUF"):
            read_gguf_header(path)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="not found"):
        read_gguf_header(tmp_path / "absent.gguf")


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "model.gguf"
    folder.mkdir()
    with pytest.raises(ModelNotFoundError, match="not a file"):
        read_gguf_header(folder)


# ------------------------------------------------------------------------------------------- crafted headers


def test_crafted_valid_control(tmp_path: Path) -> None:
    header = _parse(VALID)
    assert [(t.name, t.shape, t.offset, t.nbytes) for t in header.tensors] == [("a", (8,), 0, 32), ("b", (8,), 32, 32)]
    assert header.data_offset % 32 == 0 and header.data_offset + 64 == len(VALID)
    path = tmp_path / "ok.gguf"
    path.write_bytes(VALID)
    assert read_gguf_header(path).metadata == {"general.architecture": "llama"}


def test_crafted_valid_with_alignment_quant_and_nested_array() -> None:
    nested = gguf_kv(
        "x.nested",
        GGUF_ARRAY,
        struct.pack("<IQ", GGUF_ARRAY, 2)
        + struct.pack("<IQ", GGUF_U32, 1)
        + struct.pack("<I", 7)
        + struct.pack("<IQ", GGUF_STRING, 1)
        + gguf_str("hi"),
    )
    kvs = [ARCH, gguf_kv_u32("general.alignment", 64), nested]
    infos = [gguf_tensor_info("q", (32,), GGML_Q4_0, 0), gguf_tensor_info("f", (4,), GGML_F32, 64)]
    header = _parse(build_gguf(kvs, infos, bytes(64 + 16), alignment=64))
    assert header.alignment == 64 and header.data_offset % 64 == 0
    assert header.metadata["x.nested"] == [[7], ["hi"]]
    assert [t.nbytes for t in header.tensors] == [18, 16]


def _kv_raw(key: bytes, vtype: int, payload: bytes) -> bytes:
    return struct.pack("<Q", len(key)) + key + struct.pack("<I", vtype) + payload


CRAFTED: dict[str, tuple[bytes, str]] = {
    "magic": (b"GGUX" + VALID[4:], "not a GGUF"),
    "version-1": (build_gguf([ARCH], _ab(), bytes(64), version=1), "version 1 is not supported"),
    "version-4": (build_gguf([ARCH], _ab(), bytes(64), version=4), "version 4"),
    "version-max": (build_gguf([ARCH], _ab(), bytes(64), version=0xFFFFFFFF), "version"),
    "tensor-count-max": (build_gguf([ARCH], _ab(), bytes(64), n_tensors=2**64 - 1), "tensors, more than the file"),
    "tensor-count-1e6": (build_gguf([ARCH], _ab(), bytes(64), n_tensors=10**6), "tensors, more than the file"),
    "kv-count-max": (build_gguf([ARCH], _ab(), bytes(64), n_kv=2**64 - 1), "metadata entries"),
    "kv-count-2^40": (build_gguf([ARCH], _ab(), bytes(64), n_kv=2**40), "metadata entries"),
    "key-length-max": (
        build_gguf([struct.pack("<Q", 2**64 - 1) + b"general.architecture"], _ab(), bytes(64)),
        "metadata key claims .* more than the limit",
    ),
    "string-length-2^40": (
        build_gguf([gguf_kv("s", GGUF_STRING, struct.pack("<Q", 2**40) + b"x")], _ab(), bytes(64)),
        "claims 1099511627776 bytes, more than the limit",
    ),
    "string-past-eof": (
        build_gguf([gguf_kv("s", GGUF_STRING, struct.pack("<Q", 10**6) + b"x")], _ab(), bytes(64)),
        "file ends inside",
    ),
    "tensor-name-length-max": (
        build_gguf([ARCH], [struct.pack("<Q", 2**63) + b"a" + bytes(28)], bytes(64)),
        "tensor name claims",
    ),
    "value-type-13": (build_gguf([gguf_kv("k", 13, bytes(8))], _ab(), bytes(64)), "unknown value type 13"),
    "value-type-max": (build_gguf([gguf_kv("k", 0xFFFFFFFF, bytes(8))], _ab(), bytes(64)), "unknown value type"),
    "array-elem-type": (
        build_gguf([gguf_kv("k", GGUF_ARRAY, struct.pack("<IQ", 13, 1) + bytes(8))], _ab(), bytes(64)),
        "unknown element type 13",
    ),
    "array-count-max": (
        build_gguf([gguf_kv("k", GGUF_ARRAY, struct.pack("<IQ", 0, 2**64 - 1))], _ab(), bytes(64)),
        "claims 18446744073709551615 elements",
    ),
    "string-array-count": (
        build_gguf([gguf_kv("k", GGUF_ARRAY, struct.pack("<IQ", GGUF_STRING, 2**60))], _ab(), bytes(64)),
        "elements, more than the file can hold",
    ),
    "deep-nested-arrays": (
        build_gguf(
            [
                gguf_kv(
                    "k",
                    GGUF_ARRAY,
                    struct.pack("<IQ", GGUF_ARRAY, 1)
                    + struct.pack("<IQ", GGUF_ARRAY, 1)
                    + struct.pack("<IQ", GGUF_ARRAY, 1)
                    + struct.pack("<IQ", GGUF_U32, 0),
                )
            ],
            _ab(),
            bytes(64),
        ),
        "nests arrays deeper",
    ),
    "key-not-utf8": (build_gguf([_kv_raw(b"\xff\xfe", GGUF_U32, bytes(4))], _ab(), bytes(64)), "not valid UTF-8"),
    "duplicate-key": (build_gguf([ARCH, ARCH], _ab(), bytes(64)), "appears twice"),
    "duplicate-tensor": (
        build_gguf([ARCH], [gguf_tensor_info("a", (8,)), gguf_tensor_info("a", (8,), offset=32)], bytes(64)),
        "tensor 'a' appears twice",
    ),
    "ggml-type-4": (build_gguf([ARCH], _ab(type_b=4), bytes(64)), "unknown data type 4"),
    "ggml-type-36": (build_gguf([ARCH], _ab(type_b=36), bytes(64)), "unknown data type 36"),
    "ggml-type-max": (build_gguf([ARCH], _ab(type_b=0xFFFFFFFF), bytes(64)), "unknown data type"),
    "misaligned-offset": (build_gguf([ARCH], _ab(off_b=36), bytes(96)), "not aligned to 32"),
    "misaligned-custom": (
        build_gguf([ARCH, gguf_kv_u32("general.alignment", 64)], _ab(off_b=32), bytes(128), alignment=64),
        "not aligned to 64",
    ),
    "alignment-48": (build_gguf([ARCH, gguf_kv_u32("general.alignment", 48)], _ab(), bytes(64)), "power of two"),
    "alignment-0": (build_gguf([ARCH, gguf_kv_u32("general.alignment", 0)], _ab(), bytes(64)), "power of two"),
    "alignment-string": (build_gguf([ARCH, gguf_kv_str("general.alignment", "32")], _ab(), bytes(64)), "power of two"),
    "data-past-eof": (build_gguf([ARCH], _ab(), bytes(60)), "tensor 'b' ends at byte"),
    "offset-past-eof": (build_gguf([ARCH], _ab(off_b=2**40), bytes(64)), "beyond the end of the file"),
    "no-data-at-all": (build_gguf([ARCH], _ab(), b""), "truncated"),
    "overlap-same-offset": (build_gguf([ARCH], _ab(off_b=0), bytes(64)), "overlap"),
    "overlap-partial": (build_gguf([ARCH], _ab(shape_a=(16,)), bytes(64)), "'a' and 'b' overlap"),
    "n-dims-0": (build_gguf([ARCH], [gguf_tensor_info("a", ())], bytes(32)), "0 dimensions"),
    "n-dims-5": (build_gguf([ARCH], [gguf_tensor_info("a", (1, 1, 1, 1, 8))], bytes(32)), "5 dimensions"),
    "dim-0": (build_gguf([ARCH], [gguf_tensor_info("a", (8, 0))], bytes(32)), "impossible dimension 0"),
    "dim-2^41": (build_gguf([ARCH], [gguf_tensor_info("a", (2**41,))], bytes(32)), "impossible dimension"),
    "elements-overflow": (
        build_gguf([ARCH], [gguf_tensor_info("a", (2**40, 2**40, 2**40, 2**40))], bytes(32)),
        "elements",
    ),
    "block-size": (build_gguf([ARCH], [gguf_tensor_info("a", (33,), GGML_Q4_0)], bytes(64)), "block size 32"),
    # What llama.cpp's own GGUF reader refuses, refused here first with our words.
    "empty-key": (build_gguf([gguf_kv_str("", "x")], _ab(), bytes(64)), "key '' is empty"),
    "key-with-nul": (build_gguf([gguf_kv_str("general.archi\x00tecture", "x")], _ab(), bytes(64)), "NUL"),
    "tensor-name-64-bytes": (build_gguf([ARCH], [gguf_tensor_info("t" * 64, (8,))], bytes(32)), "longer than 63"),
    "tensor-name-nul": (build_gguf([ARCH], [gguf_tensor_info("a\x00b", (8,))], bytes(32)), "contains a NUL"),
    "alignment-u64": (
        build_gguf([ARCH, gguf_kv("general.alignment", GGUF_U64, struct.pack("<Q", 32))], _ab(), bytes(64)),
        "not stored as a 32-bit unsigned integer",
    ),
    "gap-between-tensors": (
        build_gguf([ARCH], _ab(off_b=64), bytes(96)),
        "tensor 'b' data starts at offset 64, expected 32",
    ),
    "out-of-order": (
        build_gguf([ARCH], [gguf_tensor_info("a", (8,), offset=32), gguf_tensor_info("b", (8,), offset=0)], bytes(64)),
        "tensor 'a' data starts at offset 32, expected 0",
    ),
    "array-over-the-element-limit": (
        build_gguf([gguf_kv("k", GGUF_ARRAY, struct.pack("<IQ", 0, (1 << 20) + 1) + bytes((1 << 20) + 1))], [], b""),
        "more than the limit of 1048576",
    ),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_header_is_rejected(name: str, read_budget: ReadBudget) -> None:
    data, message = CRAFTED[name]
    read_budget.start(len(data))
    with pytest.raises(InvalidModelError, match=message):
        _parse(data)


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_header_is_rejected_from_disk(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.gguf"
    path.write_bytes(CRAFTED[name][0])
    with pytest.raises(InvalidModelError) as info:
        read_gguf_header(path)
    assert str(info.value).startswith(f"{name}.gguf: ")


def _forty_nine(body: bytes) -> bytes:
    data = b"GGUF" + struct.pack("<I", 3) + body
    assert len(data) == 49, len(data)
    return data


FORTY_NINE = {
    # 0 tensors, 1 kv: key 'a', an array of arrays claiming 2^64-1 elements; the file ends right after the count.
    "array-of-arrays": _forty_nine(struct.pack("<QQ", 0, 1) + gguf_str("a") + struct.pack("<IIQ", 9, 9, 2**64 - 1)),
    # An array of strings claiming 2^62 elements.
    "array-of-strings": _forty_nine(struct.pack("<QQ", 0, 1) + gguf_str("a") + struct.pack("<IIQ", 9, 8, 2**62)),
    # A string value whose length runs off the end.
    "string-off-end": _forty_nine(struct.pack("<QQ", 0, 1) + gguf_str("abcd") + struct.pack("<IQ", 8, 2**20) + b"x"),
    # Absurd counts and nothing else.
    "counts-only": _forty_nine(struct.pack("<QQ", 2**63, 2**63) + bytes(25)),
    # One tensor info with a huge dimension and no data.
    "tensor-no-data": _forty_nine(struct.pack("<QQ", 1, 0) + gguf_str("t") + struct.pack("<IQI", 1, 2**40, 0)),
}


@pytest.mark.parametrize("name", list(FORTY_NINE))
def test_crafted_49_byte_files(tmp_path: Path, name: str, read_budget: ReadBudget) -> None:
    path = tmp_path / "short.gguf"
    path.write_bytes(FORTY_NINE[name])
    read_budget.start(49)  # whatever the counts in them claim, these files get at most 18 reads
    with pytest.raises(InvalidModelError):
        read_gguf_header(path)


# ------------------------------------------------------------------------------- hyper-parameters before sizes


@pytest.mark.parametrize(
    ("name", "value"), [("block-count-2e26", 67108864), ("block-count-2e40", 1099511627776)], ids=["2e26", "2e40"]
)
def test_a_huge_block_count_is_refused_before_anything_is_sized_from_it(name: str, value: int) -> None:
    """A 12 KB file claiming 2**26 blocks cost 6.7 GB (a list per block was built first); 2**40 a MemoryError."""
    tracemalloc.start()
    try:
        with pytest.raises(UnsupportedModelError, match=f"'llama.block_count' is {value}, more than the limit of 512"):
            inspect_model(DATA_DIR / "hostile_gguf" / f"{name}.gguf")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"{peak} bytes allocated to refuse a 12 KB file"


def test_the_header_records_each_keys_type() -> None:
    header = _parse(build_gguf([ARCH, gguf_kv_u32("general.alignment", 32)], _ab(), bytes(64)))
    assert header.types == {"general.architecture": (GGUF_STRING, None), "general.alignment": (GGUF_U32, None)}


# ------------------------------------------------------------------------------------------------------ fuzz

_FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _only_invalid_model_error(data: bytes, file_size: int) -> None:
    with contextlib.suppress(InvalidModelError):
        parse_gguf_header(data, file_size, "fuzz.gguf")


@pytest.mark.slow
@_FUZZ
@given(
    edits=st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255), st.booleans()), min_size=1, max_size=12),
    cut=st.one_of(st.none(), st.integers(0, 4096)),
    claim_whole=st.booleans(),
)
def test_fuzz_mutated_tiny_header(
    q4_bytes: bytes, edits: list[tuple[int, int, bool]], cut: int | None, claim_whole: bool
) -> None:
    """Flip or overwrite bytes in the first 4 KiB, maybe cut the file: parse succeeds or raises InvalidModelError."""
    buf = bytearray(q4_bytes)
    for pos, value, xor in edits:
        buf[pos] = buf[pos] ^ (value or 1) if xor else value
    data = bytes(buf)
    if cut is not None:
        # Either a truncated file, or a whole file of which only a prefix was read.
        _only_invalid_model_error(data[:cut], len(data) if claim_whole else cut)
    else:
        _only_invalid_model_error(data, len(data))


@_FUZZ
@given(body=st.binary(min_size=0, max_size=200), version=st.sampled_from([2, 3]))
def test_fuzz_random_bytes_after_magic(body: bytes, version: int) -> None:
    data = b"GGUF" + struct.pack("<I", version) + body
    _only_invalid_model_error(data, len(data))


@_FUZZ
@given(
    n_tensors=st.integers(0, 3),
    n_kv=st.integers(0, 3),
    rest=st.lists(
        st.one_of(
            st.integers(0, 2**32 - 1).map(lambda v: struct.pack("<I", v)),
            st.integers(0, 2**64 - 1).map(lambda v: struct.pack("<Q", v)),
            st.sampled_from([struct.pack("<I", t) for t in (0, 4, 6, 8, 9, 10, 12, 13)]),
            st.sampled_from([gguf_str("a"), gguf_str("general.alignment"), gguf_str("t")]),
        ),
        max_size=16,
    ),
)
def test_fuzz_structured_fields(n_tensors: int, n_kv: int, rest: list[bytes]) -> None:
    """Headers assembled from plausible field values: every outcome is success or InvalidModelError."""
    data = b"GGUF" + struct.pack("<IQQ", 3, n_tensors, n_kv) + b"".join(rest) + bytes(64)
    _only_invalid_model_error(data, len(data))
