"""Hostile checkpoints against the real ``ziya-convert`` command, each in a child process held to 1 GiB of address
space and 30 s: every case ends with exit code 2, one ``error:`` line naming the file, no traceback, and nothing
in the output folder.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import (
    BIN_INDEX,
    SHARDS,
    TINY_DIR,
    TensorSpec,
    copy_checkpoint,
    p_global,
    p_int,
    p_str,
    p_tuple,
    run_converter_cli,
    state_dict_pickle,
    tensor_pickle,
    write_torch_zip,
)

from converters.checkpoint import LlamaConfig

GIB = 1 << 30
HANG_GUARD_S = 30
PROGRAM = "ziya-convert: "


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def run_limited(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m converters ARGS`` in a child limited to 1 GiB of address space; 30 s is only a hang guard."""
    return run_converter_cli(*args, timeout=HANG_GUARD_S, preexec_fn=_limit_memory)


def assert_one_clear_error(proc: subprocess.CompletedProcess[str], names: str) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
    lines = proc.stderr.splitlines()
    errors = [line for line in lines if line.startswith(PROGRAM + "error: ")]
    assert len(errors) == 1, proc.stderr[-3000:]
    assert all(line.startswith(PROGRAM) for line in lines), proc.stderr[-3000:]
    assert names in errors[0], errors[0]
    assert len(errors[0]) < 600, "the message is one readable line, not a dump"
    return errors[0]


# ------------------------------------------------------------------------------------------------- builders


def _config(folder: Path) -> dict[str, object]:
    return dict(json.loads((folder / "config.json").read_text(encoding="utf-8")))


def set_config(folder: Path, **changes: object) -> None:
    config = _config(folder)
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")


def single_shard(folder: Path, pickle_bytes: bytes, records: dict[str, bytes] | None = None) -> None:
    """Replace the tiny shards and index by one ``pytorch_model.bin`` holding ``pickle_bytes``.

    Without ``records`` the archive carries 4 MB of padding, as many bytes as the tiny config's weights need, so
    the pickle itself is what gets read.
    """
    for name in (*SHARDS, BIN_INDEX):
        (folder / name).unlink()
    write_torch_zip(folder / "pytorch_model.bin", pickle_bytes, {"pad": bytes(4 << 20)} if records is None else records)


def stride_zero_checkpoint(folder: Path) -> None:
    # Every tensor the config implies is a stride-0 view of one float: 8 bytes on disk, gigabytes once copied.
    set_config(folder, vocab_size=2**18, hidden_size=1024, intermediate_size=1024, num_hidden_layers=1)
    shapes = LlamaConfig.from_dict(_config(folder), "config.json").expected_shapes()
    specs = {name: TensorSpec("0", 1, shape, (0,) * len(shape)) for name, shape in shapes.items()}
    single_shard(folder, tensor_pickle(specs), {"0": b"\x00\x00\x80\x3f"})


def deflate_bomb_checkpoint(folder: Path) -> None:
    # The embedding (1 GiB of float32 zeros) compresses to about 1 MB: a zip member that unpacks to 1 GiB.
    set_config(
        folder,
        vocab_size=2**18,
        hidden_size=1024,
        intermediate_size=1024,
        num_hidden_layers=1,
        num_attention_heads=8,
        num_key_value_heads=8,
        tie_word_embeddings=True,
    )
    shapes = LlamaConfig.from_dict(_config(folder), "config.json").expected_shapes()
    for name in (*SHARDS, BIN_INDEX):
        (folder / name).unlink()
    specs = {}
    for i, (name, shape) in enumerate(shapes.items()):
        numel = 1
        for d in shape:
            numel *= d
        stride = (shape[1], 1) if len(shape) == 2 else (1,)
        specs[name] = (TensorSpec(str(i), numel, shape, stride), numel * 4)
    chunk = bytes(64 << 20)
    with zipfile.ZipFile(folder / "pytorch_model.bin", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive/data.pkl", tensor_pickle({n: s for n, (s, _) in specs.items()}))
        for spec, size in specs.values():
            with zf.open(f"archive/data/{spec.key}", "w", force_zip64=True) as out:
                left = size
                while left:
                    out.write(chunk[: min(left, len(chunk))])
                    left -= min(left, len(chunk))
        zf.writestr("archive/version", b"3\n")


def nested_shared_list(depth: int) -> bytes:
    """Opcodes pushing l_depth where l_0 = [] and l_{i+1} = [l_i, l_i]: 2**depth elements in its repr."""
    ops = b"]r" + struct.pack("<I", 0) + b"0"
    for i in range(depth):
        get = b"j" + struct.pack("<I", i)
        ops += b"]" + get + b"a" + get + b"a" + b"r" + struct.pack("<I", i + 1) + b"0"
    return ops + b"j" + struct.pack("<I", depth)


def repr_bomb_pickle() -> bytes:
    pid = p_tuple(p_str("storage"), p_global("torch", "FloatStorage"), p_str("0"), p_str("cpu"), p_int(4)) + b"Q"
    args = p_tuple(pid, p_int(0), nested_shared_list(48), p_tuple(p_int(1)), b"\x89")
    return state_dict_pickle({"w": p_global("torch._utils", "_rebuild_tensor_v2") + args + b"R"})


def corrupt_data_pkl_crc(folder: Path) -> None:
    shard = folder / SHARDS[0]
    with zipfile.ZipFile(shard) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith("data.pkl"))
    raw = bytearray(shard.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + info.file_size // 2] ^= 0x01
    shard.write_bytes(bytes(raw))


def deflated_shards(folder: Path) -> None:
    # torch.save never compresses; a compressed record is either a bomb or not a torch file.
    for name in SHARDS:
        with zipfile.ZipFile(TINY_DIR / name) as src, zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info.filename, src.read(info.filename))


def non_utf8_piece(folder: Path) -> None:
    model = (folder / "tokenizer.model").read_bytes()
    i = model.find("\u2581t".encode())  # the first piece starting '▁t' (3 + 1 bytes)
    assert i > 0
    (folder / "tokenizer.model").write_bytes(model[:i] + b"\xff\xfe\xfd" + model[i + 3 :])


def fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


def dev_zero(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/zero")


def huge_sparse(path: Path) -> None:
    path.unlink(missing_ok=True)
    with path.open("wb") as f:
        f.truncate(2 * GIB)


def index_naming(shard_name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        index = json.loads((folder / BIN_INDEX).read_text(encoding="utf-8"))
        first = next(iter(index["weight_map"]))
        index["weight_map"][first] = shard_name
        (folder / BIN_INDEX).write_text(json.dumps(index), encoding="utf-8")

    return mutate


def in_folder(what: Callable[[Path], None], name: str) -> Callable[[Path], None]:
    return lambda folder: what(folder / name)


def write_json(name: str, value: object) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_text(json.dumps(value), encoding="utf-8")


def tokenizer_config_with(**extra: object) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        config.update(extra)
        (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")

    return mutate


def with_config(**changes: object) -> Callable[[Path], None]:
    return lambda folder: set_config(folder, **changes)


def with_pickle(pickle_bytes: bytes) -> Callable[[Path], None]:
    return lambda folder: single_shard(folder, pickle_bytes)


def shard_in_index(kind: Callable[[Path], None]) -> Callable[[Path], None]:
    return lambda folder: kind(folder / SHARDS[1])


# Each case: (how to spoil a copy of the tiny checkpoint, the name the error line must contain).
CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    # Sizes the config declares, checked against the bytes present before anything is allocated.
    "layers-1e6": (with_config(num_hidden_layers=10**6), "config.json"),
    "layers-1e9": (with_config(num_hidden_layers=10**9), "config.json"),
    "config-bigger-than-the-files": (with_config(vocab_size=2**30), "config.json"),
    "stride-0-tensors": (stride_zero_checkpoint, "pytorch_model.bin"),
    "deflate-bomb": (deflate_bomb_checkpoint, "pytorch_model.bin"),
    "deflated-records": (deflated_shards, SHARDS[0]),
    # Pickles that cost memory or crash the unpickler.
    "memo-index-2**27": (with_pickle(b"\x80\x02K\x01r" + struct.pack("<I", 2**27) + b"."), "pytorch_model.bin"),
    "repr-bomb": (with_pickle(repr_bomb_pickle()), "pytorch_model.bin"),
    "deep-tuple-dict-key": (with_pickle(b"\x80\x02}K\x01" + b"\x85" * 10**6 + b"K\x01s."), "pytorch_model.bin"),
    "deep-marks": (with_pickle(b"\x80\x02" + b"(" * 10**6 + b"K\x01" + b"t" * 10**6 + b"."), "pytorch_model.bin"),
    "binbytes8": (with_pickle(b"\x80\x04\x8e" + struct.pack("<Q", 2**40) + b"xx."), "pytorch_model.bin"),
    "bytearray8": (with_pickle(b"\x80\x05\x96" + struct.pack("<Q", 2**40) + b"xx."), "pytorch_model.bin"),
    "crc-corrupt-data-pkl": (corrupt_data_pkl_crc, SHARDS[0]),
    # Special files where a regular file is expected.
    "config-fifo": (in_folder(fifo, "config.json"), "config.json"),
    "config-dev-zero": (in_folder(dev_zero, "config.json"), "config.json"),
    "config-huge": (in_folder(huge_sparse, "config.json"), "config.json"),
    "safetensors-fifo": (in_folder(fifo, "model.safetensors"), "model.safetensors"),
    "safetensors-dev-zero": (in_folder(dev_zero, "model.safetensors"), "model.safetensors"),
    "index-fifo": (in_folder(fifo, BIN_INDEX), BIN_INDEX),
    "shard-fifo": (shard_in_index(fifo), SHARDS[1]),
    "shard-dev-zero": (shard_in_index(dev_zero), SHARDS[1]),
    "tokenizer-model-fifo": (in_folder(fifo, "tokenizer.model"), "tokenizer.model"),
    "tokenizer-json-fifo": (in_folder(fifo, "tokenizer.json"), "tokenizer.json"),
    "tokenizer-json-huge": (in_folder(huge_sparse, "tokenizer.json"), "tokenizer.json"),
    "added-tokens-fifo": (in_folder(fifo, "added_tokens.json"), "added_tokens.json"),
    "tokenizer-config-dev-zero": (in_folder(dev_zero, "tokenizer_config.json"), "tokenizer_config.json"),
    # Shard names in the index are data we did not create.
    "index-parent": (index_naming("../pytorch_model-00002-of-00002.bin"), BIN_INDEX),
    "index-dotdot": (index_naming(".."), BIN_INDEX),
    "index-absolute": (index_naming(str(TINY_DIR / SHARDS[1])), BIN_INDEX),
    "index-backslash": (index_naming("sub\\pytorch_model-00002-of-00002.bin"), BIN_INDEX),
    "index-control-char": (index_naming("pytorch_model\n.bin"), BIN_INDEX),
    # Wrong types and values that used to end in a traceback.
    "rms-norm-eps-string": (with_config(rms_norm_eps="tiny"), "config.json"),
    "rms-norm-eps-list": (with_config(rms_norm_eps=[1e-6]), "config.json"),
    "rope-theta-list": (with_config(rope_theta=[10000]), "config.json"),
    "rope-theta-nan": (with_config(rope_theta="nan"), "config.json"),
    "bos-id-2**32": (with_config(bos_token_id=2**32), "config.json"),
    "eos-id-2**40": (with_config(eos_token_id=2**40), "config.json"),
    "pad-id-string": (with_config(pad_token_id="0"), "config.json"),
    "head-dim-1": (with_config(num_attention_heads=256, num_key_value_heads=256), "config.json"),
    "non-utf8-piece": (non_utf8_piece, "tokenizer.model"),
    "added-token-id-minus-1": (write_json("added_tokens.json", {"<human>": -1}), "added_tokens.json"),
    "added-token-id-2**32": (write_json("added_tokens.json", {"<human>": 2**32}), "added_tokens.json"),
    "added-token-empty": (write_json("added_tokens.json", {"": 1002}), "added_tokens.json"),
    "added-tokens-list": (write_json("added_tokens.json", ["<human>"]), "added_tokens.json"),
    "added-tokens-decoder-list": (tokenizer_config_with(added_tokens_decoder=[1, 2]), "tokenizer_config.json"),
    "tokenizer-json-added-not-list": (write_json("tokenizer.json", {"added_tokens": 7}), "tokenizer.json"),
    "tokenizer-json-added-entry-int": (write_json("tokenizer.json", {"added_tokens": [7]}), "tokenizer.json"),
    # An added token that repeats a sentencepiece piece would give the GGUF one token text twice.
    "added-token-repeats-a-piece": (write_json("added_tokens.json", {"<s>": 1002}), "added_tokens.json"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_checkpoint_is_one_clear_error(tmp_path: Path, case: str) -> None:
    spoil, names = CASES[case]
    folder = copy_checkpoint(tmp_path / "ckpt")
    spoil(folder)
    out = tmp_path / "out"
    out.mkdir()
    proc = run_limited(str(folder), "--outfile", str(out / "model.gguf"), "--outtype", "f16", "--quiet")
    assert_one_clear_error(proc, names)
    assert sorted(p.name for p in out.iterdir()) == []


def test_outfile_naming_a_folder_is_one_clear_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    target = out / "model.gguf"
    target.mkdir(parents=True)
    proc = run_limited(str(TINY_DIR), "--outfile", str(target), "--outtype", "f16", "--quiet")
    assert_one_clear_error(proc, str(target))
    assert sorted(p.name for p in out.iterdir()) == ["model.gguf"]
    assert list(target.iterdir()) == []


def test_the_tiny_checkpoint_still_converts_under_the_same_limits(tmp_path: Path) -> None:
    # Control: the limits themselves leave room for a real conversion.
    out = tmp_path / "out" / "model.gguf"
    out.parent.mkdir()
    proc = run_limited(str(TINY_DIR), "--outfile", str(out), "--outtype", "q4_k_m", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["model.gguf"]
