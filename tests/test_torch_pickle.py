"""converters.torch_pickle: the allow-list reader of zip-format torch checkpoints, on real and hostile files."""

from __future__ import annotations

import json
import os
import pickle
import struct
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    BIN_INDEX,
    SHARDS,
    TINY_DIR,
    TINY_SAFETENSORS,
    TensorSpec,
    p_global,
    p_int,
    p_str,
    p_tensor,
    p_tuple,
    state_dict_pickle,
    tensor_pickle,
    write_torch_zip,
)

from converters.checkpoint import LlamaConfig
from converters.errors import CheckpointError, UnsafeCheckpointError
from converters.safetensors_reader import read_safetensors
from converters.torch_pickle import LazyTensor, TorchZipCheckpoint

VALUES = np.arange(64, dtype="<f4") * 0.5 - 7.0


def _one_tensor_zip(
    path: Path, spec: TensorSpec, records: dict[str, bytes] | None = None, *, compression: int = zipfile.ZIP_STORED
) -> Path:
    """A one-tensor archive ('w' viewing storage '0', which holds VALUES unless ``records`` says otherwise)."""
    records = {"0": VALUES.tobytes()} if records is None else records
    return write_torch_zip(path, tensor_pickle({"w": spec}), records, compression=compression)


# ------------------------------------------------------------------------------------------------ real shards


@pytest.fixture(scope="module")
def real_tensors() -> dict[str, LazyTensor]:
    tensors: dict[str, LazyTensor] = {}
    for shard in SHARDS:
        ckpt = TorchZipCheckpoint(TINY_DIR / shard)
        assert not set(tensors) & set(ckpt.tensors), "a tensor appears in both shards"
        tensors.update(ckpt.tensors)
    return tensors


def test_real_shards_hold_every_tensor_of_the_index(real_tensors: dict[str, LazyTensor]) -> None:
    index = json.loads((TINY_DIR / BIN_INDEX).read_text(encoding="utf-8"))["weight_map"]
    assert set(real_tensors) == set(index)
    for shard in SHARDS:
        names = set(TorchZipCheckpoint(TINY_DIR / shard).tensors)
        assert names == {n for n, f in index.items() if f == shard}


def test_real_shards_shapes_and_dtypes(real_tensors: dict[str, LazyTensor]) -> None:
    raw = json.loads((TINY_DIR / "config.json").read_text(encoding="utf-8"))
    expected = LlamaConfig.from_dict(raw, "config.json").expected_shapes()
    expected["model.layers.0.self_attn.rotary_emb.inv_freq"] = (32,)
    assert {n: t.shape for n, t in real_tensors.items()} == expected
    assert expected["model.embed_tokens.weight"] == (1016, 256)
    for name, tensor in real_tensors.items():
        assert tensor.storage_kind == "FloatStorage", name
        arr = tensor.numpy()
        assert arr.dtype == np.float32, name
        assert arr.shape == expected[name], name
        assert arr.flags.c_contiguous
        assert tensor.nbytes == arr.nbytes
        assert np.isfinite(arr).all()


def test_real_shards_match_the_safetensors_copy(real_tensors: dict[str, LazyTensor]) -> None:
    st = read_safetensors(TINY_SAFETENSORS)
    assert set(st) == set(real_tensors)
    for name, tensor in real_tensors.items():
        np.testing.assert_array_equal(tensor.numpy(), st[name].numpy(), err_msg=name)


def test_real_rotary_buffer_values(real_tensors: dict[str, LazyTensor]) -> None:
    inv_freq = real_tensors["model.layers.0.self_attn.rotary_emb.inv_freq"].numpy()
    want = 1.0 / (10000 ** (np.arange(0, 64, 2, dtype=np.float32) / 64))
    np.testing.assert_allclose(inv_freq, want, rtol=1e-6)


def test_real_norms_are_not_all_ones(real_tensors: dict[str, LazyTensor]) -> None:
    # The fixture randomised the norms so that mixed-up norm tensors change the logits.
    norm = real_tensors["model.layers.1.input_layernorm.weight"].numpy()
    assert not np.allclose(norm, 1.0)


# ------------------------------------------------------------------------------------- hand-made, well-formed


def test_hand_made_archive_reads_a_strided_view(tmp_path: Path) -> None:
    path = _one_tensor_zip(tmp_path / "w.bin", TensorSpec("0", 64, (3, 4), (8, 2), offset=5))
    arr = TorchZipCheckpoint(path).tensors["w"].numpy()
    want = np.lib.stride_tricks.as_strided(VALUES[5:], shape=(3, 4), strides=(32, 8))
    np.testing.assert_array_equal(arr, want)
    assert arr.flags.c_contiguous


def test_hand_made_archive_transposed(tmp_path: Path) -> None:
    path = _one_tensor_zip(tmp_path / "w.bin", TensorSpec("0", 64, (8, 8), (1, 8)))
    np.testing.assert_array_equal(TorchZipCheckpoint(path).tensors["w"].numpy(), VALUES.reshape(8, 8).T)


def test_compressed_storage_record_is_refused_when_opened(tmp_path: Path) -> None:
    # torch.save stores records uncompressed; a deflated one could unpack to any size, so it is never read.
    spec = TensorSpec("0", 64, (8, 8), (1, 8))
    path = _one_tensor_zip(tmp_path / "w.bin", spec, compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(CheckpointError, match="storage record 0 is compressed"):
        TorchZipCheckpoint(path)


def test_torch2_dtype_storage_type_and_rebuild_parameter(tmp_path: Path) -> None:
    # torch >= 2 may name the dtype (torch.float16) instead of a storage class; nn.Parameter wraps its tensor
    # in _rebuild_parameter(tensor, requires_grad, hooks).
    half = np.arange(6, dtype="<f2")
    tensor_ops = p_tensor(TensorSpec("k", 6, (2, 3), (3, 1), storage=("torch", "float16")))
    param_ops = (
        p_global("torch._utils", "_rebuild_parameter")
        + p_tuple(tensor_ops, b"\x88", p_global("collections", "OrderedDict") + b")R")
        + b"R"
    )
    path = write_torch_zip(tmp_path / "w.bin", state_dict_pickle({"w": param_ops}), {"k": half.tobytes()})
    tensor = TorchZipCheckpoint(path).tensors["w"]
    assert tensor.storage_kind == "HalfStorage"
    arr = tensor.numpy()
    assert arr.dtype == np.float16
    np.testing.assert_array_equal(arr, half.reshape(2, 3))


def test_bfloat16_is_widened_to_float32(tmp_path: Path) -> None:
    want = np.array([1.0, -2.5, 3.140625, 0.0], dtype=np.float32)
    bf16 = (want.view(np.uint32) >> 16).astype("<u2")
    spec = TensorSpec("0", 4, (4,), (1,), storage=("torch", "BFloat16Storage"))
    path = _one_tensor_zip(tmp_path / "w.bin", spec, {"0": bf16.tobytes()})
    arr = TorchZipCheckpoint(path).tensors["w"].numpy()
    assert arr.dtype == np.float32
    np.testing.assert_array_equal(arr, want)


def test_shared_storage_between_tensors(tmp_path: Path) -> None:
    pkl = tensor_pickle({"a": TensorSpec("0", 64, (32,), (1,)), "b": TensorSpec("0", 64, (32,), (1,), offset=32)})
    path = write_torch_zip(tmp_path / "w.bin", pkl, {"0": VALUES.tobytes()})
    t = TorchZipCheckpoint(path).tensors
    np.testing.assert_array_equal(np.concatenate([t["a"].numpy(), t["b"].numpy()]), VALUES)


# ----------------------------------------------------------------------------------------------------- hostile


@pytest.mark.parametrize(
    "content",
    [b"", b"not a zip at all", b"\x80\x02}q\x00.", b"PK\x03\x04" + b"\x00" * 64],
    ids=["empty", "text", "legacy-pickle", "zip-magic-only"],
)
def test_non_zip_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "pytorch_model.bin"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="not a zip-format PyTorch checkpoint"):
        TorchZipCheckpoint(path)


def test_missing_file_is_a_checkpoint_error(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError):
        TorchZipCheckpoint(tmp_path / "nope.bin")


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.5, 0.999])
def test_truncated_real_shard_is_refused(tmp_path: Path, fraction: float) -> None:
    data = (TINY_DIR / SHARDS[1]).read_bytes()
    path = tmp_path / "pytorch_model.bin"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(CheckpointError):
        TorchZipCheckpoint(path)


def test_truncated_by_one_byte_is_refused(tmp_path: Path) -> None:
    data = (TINY_DIR / SHARDS[0]).read_bytes()
    path = tmp_path / "pytorch_model.bin"
    path.write_bytes(data[:-1])
    with pytest.raises(CheckpointError):
        TorchZipCheckpoint(path)


def test_missing_storage_record(tmp_path: Path) -> None:
    # Records are checked when the archive is opened, before any tensor is converted.
    path = _one_tensor_zip(tmp_path / "w.bin", TensorSpec("0", 64, (8, 8), (8, 1)), records={})
    with pytest.raises(CheckpointError, match="storage record 0 is missing"):
        TorchZipCheckpoint(path)


def test_storage_record_shorter_than_declared(tmp_path: Path) -> None:
    path = _one_tensor_zip(tmp_path / "w.bin", TensorSpec("0", 64, (8, 8), (8, 1)), {"0": VALUES[:10].tobytes()})
    with pytest.raises(CheckpointError, match="needs 256"):
        TorchZipCheckpoint(path).tensors["w"].numpy()


@pytest.mark.parametrize(
    "spec",
    [
        TensorSpec("0", 64, (8, 9), (9, 1)),  # eight elements too many
        TensorSpec("0", 64, (8, 8), (9, 1)),  # row stride walks past the end
        TensorSpec("0", 64, (2, 2), (1, 64)),  # column stride beyond the storage
        TensorSpec("0", 64, (8, 8), (8, 1), offset=1),  # offset pushes the last element out
        TensorSpec("0", 64, (1,), (1,), offset=64),  # offset at the very end
    ],
    ids=["shape", "row-stride", "col-stride", "offset", "offset-end"],
)
def test_stride_beyond_storage(tmp_path: Path, spec: TensorSpec) -> None:
    path = _one_tensor_zip(tmp_path / "w.bin", spec)
    with pytest.raises(CheckpointError, match=r"needs \d+ elements"):
        TorchZipCheckpoint(path).tensors["w"].numpy()


def test_negative_stride_or_size_is_refused(tmp_path: Path) -> None:
    for i, spec in enumerate([TensorSpec("0", 64, (8, 8), (-8, 1)), TensorSpec("0", 64, (-1,), (1,))]):
        path = _one_tensor_zip(tmp_path / f"w{i}.bin", spec)
        with pytest.raises(CheckpointError, match="non-negative"):
            TorchZipCheckpoint(path)


def test_storage_past_end_of_file_via_corrupt_local_header(tmp_path: Path) -> None:
    path = _one_tensor_zip(tmp_path / "w.bin", TensorSpec("0", 64, (64,), (1,)))
    info = zipfile.ZipFile(path).getinfo("archive/data/0")
    raw = bytearray(path.read_bytes())
    # Claim a 65535-byte extra field in the local header: the data would then start past the end of the file.
    raw[info.header_offset + 28 : info.header_offset + 30] = struct.pack("<H", 0xFFFF)
    path.write_bytes(raw)
    with pytest.raises(CheckpointError, match="past the end of the file"):
        TorchZipCheckpoint(path).tensors["w"].numpy()


def test_corrupt_local_header_signature(tmp_path: Path) -> None:
    path = _one_tensor_zip(tmp_path / "w.bin", TensorSpec("0", 64, (64,), (1,)))
    info = zipfile.ZipFile(path).getinfo("archive/data/0")
    raw = bytearray(path.read_bytes())
    raw[info.header_offset : info.header_offset + 4] = b"XXXX"
    path.write_bytes(raw)
    with pytest.raises(CheckpointError, match="corrupt zip local header"):
        TorchZipCheckpoint(path).tensors["w"].numpy()


@pytest.mark.parametrize(
    "spec",
    [
        TensorSpec("0", 1, (1000, 1000), (0, 0)),  # one float seen a million times
        TensorSpec("0", 64, (64, 64), (1, 0)),  # each row the same 64 floats
        TensorSpec("0", 64, (8, 8), (4, 1)),  # rows overlap by half
        TensorSpec("0", 64, (4, 4, 4), (16, 1, 2)),  # two inner dimensions interleave
    ],
    ids=["stride-0", "row-stride-0", "overlapping-rows", "interleaved"],
)
def test_stride_tricks_are_refused_when_opened(tmp_path: Path, spec: TensorSpec) -> None:
    path = _one_tensor_zip(tmp_path / "w.bin", spec)
    with pytest.raises(CheckpointError, match="overlapping or zero strides"):
        TorchZipCheckpoint(path)


def test_size_one_dimensions_may_have_any_stride(tmp_path: Path) -> None:
    # torch writes stride 1 (or anything) for a dimension of size 1; no element is read twice.
    path = _one_tensor_zip(tmp_path / "w.bin", TensorSpec("0", 64, (1, 8, 1), (0, 1, 0)))
    np.testing.assert_array_equal(TorchZipCheckpoint(path).tensors["w"].numpy(), VALUES[:8].reshape(1, 8, 1))


def test_build_opcode_cannot_set_a_negative_offset(tmp_path: Path) -> None:
    # _rebuild_tensor_v2(...) then BUILD {'_offset': -1}; shape (2,) keeps the stray read to 4 bytes of the zip.
    ops = p_tensor(TensorSpec("0", 64, (2,), (1,))) + b"}" + p_str("_offset") + p_int(-1) + b"sb"
    path = write_torch_zip(tmp_path / "w.bin", state_dict_pickle({"w": ops}), {"0": VALUES.tobytes()})
    with pytest.raises(CheckpointError):
        TorchZipCheckpoint(path).tensors["w"].numpy()


@pytest.mark.parametrize(
    "state",
    [
        b"}" + p_str("__qualname__") + p_str("hijacked") + b"s",  # dict state: the function's __dict__
        b"N}" + p_str("__defaults__") + p_tuple(p_int(7)) + b"s\x86",  # slot state: setattr on the function
    ],
    ids=["dict-state", "slot-state"],
)
@pytest.mark.parametrize(
    "target",
    [("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_parameter"), ("collections", "OrderedDict")],
)
def test_build_on_an_allowed_global_is_refused_and_changes_nothing(
    tmp_path: Path, state: bytes, target: tuple[str, str]
) -> None:
    from converters import torch_pickle

    functions = (torch_pickle._rebuild_tensor, torch_pickle._rebuild_parameter, torch_pickle._ordered_dict)
    before = [(f.__qualname__, f.__defaults__, dict(f.__dict__)) for f in functions]
    pkl = b"\x80\x02" + p_global(*target) + state + b"b0" + state_dict_pickle({})[2:]
    path = write_torch_zip(tmp_path / "w.bin", pkl)
    with pytest.raises(CheckpointError, match=r"w\.bin"):
        TorchZipCheckpoint(path)
    assert [(f.__qualname__, f.__defaults__, dict(f.__dict__)) for f in functions] == before
    # And the allow-list still reads a real shard afterwards.
    assert TorchZipCheckpoint(TINY_DIR / SHARDS[0]).tensors


def test_build_on_the_fresh_state_dict_is_allowed(tmp_path: Path) -> None:
    # torch.save pickles a state dict's _metadata with BUILD on the fresh OrderedDict; that stays readable.
    metadata = b"}" + p_str("_metadata") + b"}s"
    body = p_str("w") + p_tensor(TensorSpec("0", 64, (64,), (1,)))
    pkl = b"\x80\x02" + p_global("collections", "OrderedDict") + b")R(" + body + b"u" + metadata + b"b."
    path = write_torch_zip(tmp_path / "w.bin", pkl, {"0": VALUES.tobytes()})
    np.testing.assert_array_equal(TorchZipCheckpoint(path).tensors["w"].numpy(), VALUES)


def test_build_opcode_control_without_build(tmp_path: Path) -> None:
    # The same archive without BUILD reads the first two values, so the test above fails only because of the BUILD.
    ops = p_tensor(TensorSpec("0", 64, (2,), (1,)))
    path = write_torch_zip(tmp_path / "w.bin", state_dict_pickle({"w": ops}), {"0": VALUES.tobytes()})
    np.testing.assert_array_equal(TorchZipCheckpoint(path).tensors["w"].numpy(), VALUES[:2])


@pytest.mark.parametrize("count", [0, 2])
def test_archive_needs_exactly_one_data_pkl(tmp_path: Path, count: int) -> None:
    path = tmp_path / "w.bin"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(count):
            zf.writestr(f"a{i}/data.pkl", tensor_pickle({}))
        zf.writestr("a/other", b"x")
    with pytest.raises(CheckpointError, match=r"expected one data\.pkl"):
        TorchZipCheckpoint(path)


@pytest.mark.parametrize(
    "pkl",
    [
        b"garbage that is not a pickle",
        b"\x80\x02",  # truncated
        b"\x80\x02]q\x00.",  # a list, not a state dict
        b"\x80\x02}q\x00X\x01\x00\x00\x00aK\x01s.",  # {'a': 1}: values are not tensors
        b"\x80\x02" + p_tuple(p_str("storage")) + b"Q.",  # persistent id of the wrong shape
        b"\x80\x02" + p_tuple(p_str("storage"), p_str("FloatStorage"), p_str("0"), p_str("cpu"), b"K\x01") + b"Q.",
        b"\x80\x02" + p_global("torch._utils", "_rebuild_tensor_v2") + p_tuple(b"K\x01", b"K\x00", b")", b")") + b"R.",
    ],
    ids=["garbage", "truncated", "list", "dict-of-int", "short-pid", "string-storage-type", "rebuild-from-int"],
)
def test_malformed_pickles_are_checkpoint_errors(tmp_path: Path, pkl: bytes) -> None:
    path = write_torch_zip(tmp_path / "w.bin", pkl)
    with pytest.raises(CheckpointError) as info:
        TorchZipCheckpoint(path)
    assert not isinstance(info.value, UnsafeCheckpointError)


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch '{self.marker}'",))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_disallowed_global_is_refused_without_executing(tmp_path: Path, protocol: int) -> None:
    marker = tmp_path / "MARKER"
    pkl = pickle.dumps(OrderedDict([("w", _Evil(marker))]), protocol=protocol)
    path = write_torch_zip(tmp_path / "evil.bin", pkl)
    with pytest.raises(UnsafeCheckpointError) as info:
        TorchZipCheckpoint(path)
    assert info.value.global_name == f"{os.system.__module__}.system"
    assert info.value.path == path
    assert "evil.bin" in str(info.value) and info.value.global_name in str(info.value)
    assert not marker.exists()


@pytest.mark.parametrize(
    "module,name",
    [
        ("builtins", "eval"),
        ("torch", "load"),
        ("torch._utils", "_rebuild_qtensor"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("collections", "defaultdict"),
        ("torch.nn.modules.linear", "Linear"),
    ],
)
def test_any_global_outside_the_allow_list_is_refused(tmp_path: Path, module: str, name: str) -> None:
    pkl = b"\x80\x02" + p_global(module, name) + b")R."
    path = write_torch_zip(tmp_path / "w.bin", pkl)
    with pytest.raises(UnsafeCheckpointError, match=f"'{module}.{name}'"):
        TorchZipCheckpoint(path)


def test_disallowed_rebuild_function_in_tensor_position(tmp_path: Path) -> None:
    rebuild = ("torch._utils", "_rebuild_device_tensor_from_numpy")
    pkl = tensor_pickle({"w": TensorSpec("0", 64, (64,), (1,))}, rebuild=rebuild)
    path = write_torch_zip(tmp_path / "w.bin", pkl, {"0": VALUES.tobytes()})
    with pytest.raises(UnsafeCheckpointError, match="_rebuild_device_tensor_from_numpy"):
        TorchZipCheckpoint(path)


def test_disallowed_storage_class_is_refused(tmp_path: Path) -> None:
    pkl = tensor_pickle({"w": TensorSpec("0", 64, (64,), (1,), storage=("torch", "QInt8Storage"))})
    path = write_torch_zip(tmp_path / "w.bin", pkl, {"0": VALUES.tobytes()})
    with pytest.raises(UnsafeCheckpointError, match=r"torch\.QInt8Storage"):
        TorchZipCheckpoint(path)


def _zip_with_entries(path: Path, count: int) -> Path:
    """A zip whose central directory lists ``count`` empty stored files (their local headers are never read)."""
    entries = b"".join(
        struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(f"e{i}"), 0, 0, 0, 0, 0, 0)
        + f"e{i}".encode()
        for i in range(count)
    )
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(entries), 0, 0)
    path.write_bytes(entries + end)
    return path


def test_a_table_of_contents_larger_than_any_checkpoint_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # Each listed entry costs zipfile an object: a few MB of table would cost hundreds of MB before any check.
    huge = _zip_with_entries(tmp_path / "pytorch_model.bin", 400_000)
    with pytest.raises(CheckpointError, match=r"table of contents.*more than a checkpoint holds"):
        TorchZipCheckpoint(huge)
    # A table of an ordinary size still opens, and the archive is then refused for what it lacks.
    with pytest.raises(CheckpointError, match=r"expected one data\.pkl"):
        TorchZipCheckpoint(_zip_with_entries(tmp_path / "small.bin", 10))
