"""converters.safetensors_reader: the real fixture file, and crafted headers that must all be CheckpointErrors."""

from __future__ import annotations

import itertools
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import SHARDS, TINY_DIR, TINY_SAFETENSORS

from converters.checkpoint import LlamaConfig
from converters.errors import CheckpointError
from converters.safetensors_reader import read_safetensors
from converters.torch_pickle import TorchZipCheckpoint

DATA = np.arange(12, dtype="<f4") - 3.5


def _write(path: Path, header: Any, data: bytes = DATA.tobytes(), *, raw_header: bytes | None = None) -> Path:
    body = raw_header if raw_header is not None else json.dumps(header).encode("utf-8")
    path.write_bytes(struct.pack("<Q", len(body)) + body + data)
    return path


def _entry(dtype: str = "F32", shape: list[int] | None = None, offsets: list[int] | None = None) -> dict[str, Any]:
    return {"dtype": dtype, "shape": [3, 4] if shape is None else shape, "data_offsets": offsets or [0, 48]}


# ------------------------------------------------------------------------------------------------- real file


def test_real_file_has_every_tensor_with_the_config_shapes() -> None:
    tensors = read_safetensors(TINY_SAFETENSORS)
    raw = json.loads((TINY_DIR / "config.json").read_text(encoding="utf-8"))
    expected = LlamaConfig.from_dict(raw, "config.json").expected_shapes()
    expected["model.layers.0.self_attn.rotary_emb.inv_freq"] = (32,)
    assert {n: t.shape for n, t in tensors.items()} == expected
    for name, t in tensors.items():
        assert t.dtype == "F32", name
        arr = t.numpy()
        assert arr.dtype == np.float32 and arr.shape == expected[name]
        assert t.nbytes == arr.nbytes


def test_real_file_values_equal_the_bin_shards() -> None:
    tensors = read_safetensors(TINY_SAFETENSORS)
    seen = 0
    for shard in SHARDS:
        for name, t in TorchZipCheckpoint(TINY_DIR / shard).tensors.items():
            np.testing.assert_array_equal(tensors[name].numpy(), t.numpy(), err_msg=name)
            seen += 1
    assert seen == len(tensors)


def test_real_file_tensor_offsets_are_inside_the_file_and_disjoint() -> None:
    tensors = read_safetensors(TINY_SAFETENSORS)
    size = TINY_SAFETENSORS.stat().st_size
    spans = sorted((t._start, t._end) for t in tensors.values())
    assert all(0 < s < e <= size for s, e in spans)
    assert all(e0 <= s1 for (_, e0), (s1, _) in itertools.pairwise(spans))


# --------------------------------------------------------------------------------------------- hand-made, valid


def test_hand_made_file_reads_back(tmp_path: Path) -> None:
    header = {"__metadata__": {"format": "pt"}, "a": _entry(), "b": _entry("F16", [4], [48, 56])}
    data = DATA.tobytes() + np.arange(4, dtype="<f2").tobytes()
    tensors = read_safetensors(_write(tmp_path / "m.safetensors", header, data))
    assert set(tensors) == {"a", "b"}
    np.testing.assert_array_equal(tensors["a"].numpy(), DATA.reshape(3, 4))
    np.testing.assert_array_equal(tensors["b"].numpy(), np.arange(4, dtype=np.float16))


def test_bf16_is_widened(tmp_path: Path) -> None:
    want = np.array([1.0, -0.5, 2.0, 96.0], dtype=np.float32)
    raw = (want.view(np.uint32) >> 16).astype("<u2").tobytes()
    tensors = read_safetensors(_write(tmp_path / "m.safetensors", {"w": _entry("BF16", [4], [0, 8])}, raw))
    arr = tensors["w"].numpy()
    assert arr.dtype == np.float32
    np.testing.assert_array_equal(arr, want)


def test_empty_tensor(tmp_path: Path) -> None:
    tensors = read_safetensors(_write(tmp_path / "m.safetensors", {"w": _entry("F32", [0, 4], [0, 0])}, b""))
    assert tensors["w"].numpy().shape == (0, 4)


# ----------------------------------------------------------------------------------------------------- hostile


@pytest.mark.parametrize("content", [b"", b"\x01\x00\x00", b"1234567"], ids=["empty", "3-bytes", "7-bytes"])
def test_too_short(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="too short"):
        read_safetensors(path)


@pytest.mark.parametrize("header_len", [2**64 - 1, 2**63, 100 * 1024 * 1024 + 1, 10**6, -1])
def test_absurd_header_length(tmp_path: Path, header_len: int) -> None:
    path = tmp_path / "m.safetensors"
    body = json.dumps({"w": _entry()}).encode()
    if header_len == -1:  # one byte more than the file holds
        header_len = len(body) + 1
    path.write_bytes(struct.pack("<Q", header_len) + body)  # no tensor data: the file is 8 + len(body) bytes
    with pytest.raises(CheckpointError, match="header length"):
        read_safetensors(path)


@pytest.mark.parametrize(
    "offsets",
    [[0, 52], [48, 96], [4, 2**64], [-4, 44], [8, 4], [0], [0, 48, 96], ["0", "48"], [0.0, 48.0], None, "0-48"],
)
def test_offsets_outside_the_file_or_malformed(tmp_path: Path, offsets: Any) -> None:
    header = {"w": {"dtype": "F32", "shape": [3, 4], "data_offsets": offsets}}
    with pytest.raises(CheckpointError, match="offsets"):
        read_safetensors(_write(tmp_path / "m.safetensors", header))


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"w": ', b"\xff\xfe{}", b"", b"{} trailing"],
    ids=["syntax", "truncated", "not-utf8", "empty", "trailing"],
)
def test_bad_json(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(CheckpointError, match="not valid JSON"):
        read_safetensors(_write(tmp_path / "m.safetensors", None, raw_header=raw))


@pytest.mark.parametrize("header", [[1, 2], "str", 3, None], ids=["list", "string", "number", "null"])
def test_header_not_an_object(tmp_path: Path, header: Any) -> None:
    with pytest.raises(CheckpointError, match="not a JSON object"):
        read_safetensors(_write(tmp_path / "m.safetensors", header))


def test_deeply_nested_json_header(tmp_path: Path) -> None:
    raw = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(CheckpointError):
        read_safetensors(_write(tmp_path / "m.safetensors", None, raw_header=raw))


def test_huge_integer_literal_in_header(tmp_path: Path) -> None:
    raw = b'{"w": {"dtype": "F32", "shape": [1' + b"0" * 5000 + b'], "data_offsets": [0, 48]}}'
    with pytest.raises(CheckpointError):
        read_safetensors(_write(tmp_path / "m.safetensors", None, raw_header=raw))


@pytest.mark.parametrize("dtype", ["F8_E4M3", "Q4_0", "f32", "", None, 6, 1.5, True])
def test_unknown_dtype(tmp_path: Path, dtype: Any) -> None:
    header = {"w": {"dtype": dtype, "shape": [3, 4], "data_offsets": [0, 48]}}
    with pytest.raises(CheckpointError, match="unsupported dtype"):
        read_safetensors(_write(tmp_path / "m.safetensors", header))


@pytest.mark.parametrize("dtype", [["F32"], {"F32": 1}], ids=["list", "object"])
def test_unhashable_dtype(tmp_path: Path, dtype: Any) -> None:
    header = {"w": {"dtype": dtype, "shape": [3, 4], "data_offsets": [0, 48]}}
    with pytest.raises(CheckpointError):
        read_safetensors(_write(tmp_path / "m.safetensors", header))


@pytest.mark.parametrize(
    "dtype,shape,offsets",
    [
        ("F32", [3, 5], [0, 48]),
        ("F32", [12], [0, 44]),
        ("F16", [3, 4], [0, 48]),
        ("F64", [3, 4], [0, 48]),
        ("F32", [], [0, 48]),
        ("F32", [2**39, 2**39], [0, 48]),
    ],
)
def test_shape_does_not_match_bytes(tmp_path: Path, dtype: str, shape: list[int], offsets: list[int]) -> None:
    header = {"w": _entry(dtype, shape, offsets)}
    with pytest.raises(CheckpointError, match="does not match its byte length"):
        read_safetensors(_write(tmp_path / "m.safetensors", header))


@pytest.mark.parametrize("shape", [[-1, 4], [3.0, 4], ["3", 4], [2**40], "3x4", None, {"0": 3}])
def test_invalid_shape(tmp_path: Path, shape: Any) -> None:
    header = {"w": {"dtype": "F32", "shape": shape, "data_offsets": [0, 48]}}
    with pytest.raises(CheckpointError, match="invalid shape"):
        read_safetensors(_write(tmp_path / "m.safetensors", header))


@pytest.mark.parametrize("spec", [[1, 2], "F32", None, 7])
def test_entry_not_an_object(tmp_path: Path, spec: Any) -> None:
    with pytest.raises(CheckpointError, match="is not an object"):
        read_safetensors(_write(tmp_path / "m.safetensors", {"w": spec}))


def test_one_bad_entry_among_good_ones(tmp_path: Path) -> None:
    header = {"a": _entry(shape=[2, 4], offsets=[0, 32]), "b": _entry(shape=[2, 4], offsets=[32, 64])}
    with pytest.raises(CheckpointError, match="'b'"):
        read_safetensors(_write(tmp_path / "m.safetensors", header))
