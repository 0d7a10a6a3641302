"""converters.hf_to_gguf.convert end to end on the tiny Ziya-layout checkpoint.

Tokenization and logits are compared with references stored by tests/data/make_tiny_checkpoint.py (the slow
LlamaTokenizer's ids and transformers' logits), so neither torch nor transformers is needed here.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest
import sentencepiece as spm
from helpers import (
    BIN_INDEX,
    ROOT,
    SHARDS,
    TINY_SAFETENSORS,
    copy_checkpoint,
    nmse,
    run_converter_cli,
    write_torch_zip,
)

from converters.checkpoint import Checkpoint
from converters.errors import (
    CheckpointError,
    ConversionCancelled,
    ConversionError,
    InsufficientDiskSpaceError,
    UnsafeCheckpointError,
)
from converters.hf_to_gguf import ConversionProgress, convert, estimate_bytes
from converters.verify import verify_tokenizer
from converters.verify_strings import VERIFY_STRINGS
from ziya_desktop.engine.gguf_check import read_gguf_header
from ziya_desktop.engine.llama_api import LlamaModel, ModelParams

OUTTYPES = ("f32", "f16", "q8_0", "q5_k_m", "q4_k_m")
N_LAYERS = 2
TOKEN_USER_DEFINED = 4
TOKEN_UNUSED = 5
LogitsOf = Callable[[Path, Sequence[int]], np.ndarray]


def _gguf_nmse(path: Path, reference: dict[str, Any], logits_of: LogitsOf) -> float:
    pairs = []
    for prompt, want in zip(reference["prompts"], reference["logits"], strict=True):
        got = logits_of(path, prompt["ids"])
        assert got.shape == want.shape == (len(prompt["ids"]), reference["vocab_size"])
        pairs.append((got, want))
    return nmse(pairs)


def _files(folder: Path) -> list[str]:
    # ziya_home is the test's own settings folder (conftest), not converter output.
    return sorted(p.name for p in folder.iterdir() if p.name != "ziya_home")


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_converter_cli(*args, timeout=120)


# --------------------------------------------------------------------------------------------- tokenization


@pytest.mark.slow
@pytest.mark.parametrize("outtype", ["f16", "q4_k_m"])
def test_llama_cpp_tokenizes_like_the_slow_tokenizer(
    tiny_gguf: Callable[[str], Path], reference: dict[str, Any], outtype: str
) -> None:
    entries = reference["token_ids"] + reference["prompts"]
    assert {e["text"] for e in reference["token_ids"]} == set(VERIFY_STRINGS)
    model = LlamaModel(tiny_gguf(outtype), ModelParams(vocab_only=True))
    try:
        mismatches = [(e["text"], e["ids"], got) for e in entries if (got := model.tokenize(e["text"])) != e["ids"]]
    finally:
        model.close()
    assert mismatches == []


@pytest.mark.slow
def test_verify_tokenizer_reports_ok(tiny_checkpoint: Path, tiny_gguf: Callable[[str], Path]) -> None:
    report = verify_tokenizer(tiny_checkpoint, tiny_gguf("q4_k_m"))
    assert report.ok, report.summary()
    assert report.checked == len(VERIFY_STRINGS)
    assert "OK" in report.summary()


@pytest.mark.slow
def test_verify_tokenizer_catches_swapped_added_tokens(
    tiny_checkpoint: Path, tmp_path: Path, reference: dict[str, Any]
) -> None:
    # A GGUF made from a checkpoint whose <human>/<bot> ids are swapped must fail against the real checkpoint.
    swapped = copy_checkpoint(tmp_path / "swapped")
    n = reference["n_pieces"]
    (swapped / "added_tokens.json").write_text(json.dumps({"<human>": n + 1, "<bot>": n}), encoding="utf-8")
    out = tmp_path / "swapped.gguf"
    convert(swapped, out, "f16")
    report = verify_tokenizer(tiny_checkpoint, out)
    assert not report.ok
    assert any("<human>" in p for p in report.problems)
    assert any("<human>" in text for text, _, _ in report.mismatches)


# -------------------------------------------------------------------------------------------- GGUF contents


def _field(reader: gguf.GGUFReader, key: str) -> Any:
    return reader.fields[key].contents()


@pytest.mark.slow
@pytest.mark.parametrize("outtype", OUTTYPES)
def test_gguf_vocabulary_layout(
    tiny_checkpoint: Path, tiny_gguf: Callable[[str], Path], reference: dict[str, Any], outtype: str
) -> None:
    reader = gguf.GGUFReader(tiny_gguf(outtype))  # our own output, never a downloaded file
    tokens = _field(reader, "tokenizer.ggml.tokens")
    types_ = _field(reader, "tokenizer.ggml.token_type")
    scores = _field(reader, "tokenizer.ggml.scores")
    vocab_size, n_pieces = reference["vocab_size"], reference["n_pieces"]
    assert vocab_size == 1016 and n_pieces == 1000
    assert len(tokens) == len(types_) == len(scores) == vocab_size
    assert _field(reader, "llama.vocab_size") == vocab_size

    sp = spm.SentencePieceProcessor(model_file=str(tiny_checkpoint / "tokenizer.model"))
    assert tokens[:n_pieces] == [sp.id_to_piece(i) for i in range(n_pieces)]
    assert types_[0] == 2 and types_[1] == 3 and types_[2] == 3  # <unk>, <s>, </s>
    assert tokens[3:6] == ["<0x00>", "<0x01>", "<0x02>"] and set(types_[3:259]) == {6}
    assert TOKEN_UNUSED not in types_[:n_pieces] and TOKEN_USER_DEFINED not in types_[:n_pieces]

    assert (tokens[n_pieces], types_[n_pieces]) == ("<human>", TOKEN_USER_DEFINED)
    assert (tokens[n_pieces + 1], types_[n_pieces + 1]) == ("<bot>", TOKEN_USER_DEFINED)
    for i in range(n_pieces + 2, vocab_size):
        assert (tokens[i], types_[i], scores[i]) == (f"[PAD{i}]", TOKEN_UNUSED, -1000.0)

    assert _field(reader, "tokenizer.ggml.bos_token_id") == 1
    assert _field(reader, "tokenizer.ggml.eos_token_id") == 2
    assert _field(reader, "general.architecture") == "llama"


@pytest.mark.slow
@pytest.mark.parametrize("outtype", OUTTYPES)
def test_gguf_tensors(tiny_gguf: Callable[[str], Path], outtype: str) -> None:
    path = tiny_gguf(outtype)
    reader = gguf.GGUFReader(path)
    per_layer = ["attn_q", "attn_k", "attn_v", "attn_output", "attn_norm", "ffn_gate", "ffn_up", "ffn_down", "ffn_norm"]
    want = {f"blk.{i}.{n}.weight" for i in range(N_LAYERS) for n in per_layer}
    want |= {"token_embd.weight", "output_norm.weight", "output.weight"}
    assert len(want) == 2 * 9 + 3 == 21
    kinds = {t.name: t.tensor_type.name for t in reader.tensors}
    assert set(kinds) == want
    assert len(read_gguf_header(path).tensors) == 21
    norms = {n for n in kinds if n.endswith("norm.weight")}
    assert len(norms) == 2 * N_LAYERS + 1
    assert {kinds[n] for n in norms} == {"F32"}
    others = {kinds[n] for n in kinds if n not in norms}
    expected = {"f32": {"F32"}, "f16": {"F16"}, "q8_0": {"Q8_0"}}.get(outtype)
    if expected is not None:
        assert others == expected
    else:
        assert others <= {"Q4_K", "Q5_K", "Q6_K"} and "F16" not in others


@pytest.mark.slow
def test_llama_cpp_sees_padding_rows_as_unused(tiny_gguf: Callable[[str], Path], reference: dict[str, Any]) -> None:
    model = LlamaModel(tiny_gguf("q4_k_m"), ModelParams(vocab_only=True))
    try:
        assert model.n_vocab == reference["vocab_size"]
        assert model.unused_tokens() == list(range(reference["n_pieces"] + 2, reference["vocab_size"]))
        assert model.piece(reference["n_pieces"]) == b"<human>"
    finally:
        model.close()


# ------------------------------------------------------------------------------------------------- logits


@pytest.fixture(scope="module")
def nmse_by_outtype(
    tiny_gguf: Callable[[str], Path], reference: dict[str, Any], logits_of: LogitsOf
) -> dict[str, float]:
    values = {t: _gguf_nmse(tiny_gguf(t), reference, logits_of) for t in OUTTYPES}
    print("\nlogits NMSE vs transformers: " + ", ".join(f"{t} {v:.3g}" for t, v in values.items()))
    return values


@pytest.mark.slow
@pytest.mark.parametrize("outtype", ["f32", "f16"])
def test_float_logits_match_transformers(nmse_by_outtype: dict[str, float], outtype: str) -> None:
    assert nmse_by_outtype[outtype] <= 1e-4


@pytest.mark.slow
def test_q8_0_logits_close_to_transformers(nmse_by_outtype: dict[str, float]) -> None:
    assert nmse_by_outtype["q8_0"] <= 1e-2


@pytest.mark.slow
def test_nmse_grows_with_quantization(nmse_by_outtype: dict[str, float]) -> None:
    order = ["f32", "q8_0", "q5_k_m", "q4_k_m"]
    values = [nmse_by_outtype[t] for t in order]
    assert values == sorted(values), dict(zip(order, values, strict=True))


@pytest.mark.slow
def test_f32_top1_agrees_everywhere(
    tiny_gguf: Callable[[str], Path], reference: dict[str, Any], logits_of: LogitsOf
) -> None:
    for prompt, want in zip(reference["prompts"], reference["logits"], strict=True):
        got = logits_of(tiny_gguf("f32"), prompt["ids"])
        np.testing.assert_array_equal(got.argmax(axis=1), want.argmax(axis=1))


@pytest.mark.slow
def test_missing_qk_permutation_is_caught(
    tiny_checkpoint: Path, tmp_path: Path, reference: dict[str, Any], logits_of: LogitsOf
) -> None:
    out = tmp_path / "no-permute.gguf"
    convert(tiny_checkpoint, out, "f32", apply_qk_permutation=False)
    value = _gguf_nmse(out, reference, logits_of)
    print(f"\nlogits NMSE without the Q/K permutation: {value:.3g}")
    assert value > 1e-2


# ------------------------------------------------------------------------------------ safetensors == .bin


@pytest.mark.slow
def test_safetensors_and_bin_give_the_same_tensors(tmp_path: Path) -> None:
    both = copy_checkpoint(tmp_path / "both")
    shutil.copy(TINY_SAFETENSORS, both / "model.safetensors")

    st, pt = Checkpoint(both, prefer="safetensors"), Checkpoint(both, prefer="bin")
    assert (st.weight_format, pt.weight_format) == ("safetensors", "bin")
    assert Checkpoint(both).weight_format == "safetensors"
    assert st.tensor_names() == pt.tensor_names()
    for name in st.tensor_names():
        a, b = st.tensor(name).numpy(), pt.tensor(name).numpy()
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes(), name

    out = tmp_path / "out"
    out.mkdir()
    r_st = convert(both, out / "st.gguf", "f32", prefer="safetensors")
    r_pt = convert(both, out / "pt.gguf", "f32", prefer="bin")
    assert (r_st.weight_format, r_pt.weight_format) == ("safetensors", "bin")
    t_st = {t.name: t for t in gguf.GGUFReader(r_st.outfile).tensors}
    t_pt = {t.name: t for t in gguf.GGUFReader(r_pt.outfile).tensors}
    assert set(t_st) == set(t_pt) and len(t_st) == 21
    for name, t in t_st.items():
        assert t.tensor_type == t_pt[name].tensor_type
        assert bytes(t.data) == bytes(t_pt[name].data), name
    assert r_st.outfile.read_bytes() == r_pt.outfile.read_bytes()


# ------------------------------------------------------------------------------------------ hostile pickles


class _System:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch '{self.marker}'",))


class _Exec:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (exec, (f"open({str(self.marker)!r}, 'w').close()",))


SYSTEM = f"{os.system.__module__}.system"  # 'posix.system' on Linux and macOS


def _evil_pickle(kind: str, marker: Path) -> bytes:
    if kind == "system":
        return pickle.dumps(_System(marker), protocol=2)
    if kind == "exec":
        return pickle.dumps(_Exec(marker), protocol=pickle.HIGHEST_PROTOCOL)
    if kind == "nested":  # the allowed OrderedDict wrapping a hostile value, like a state dict would
        return pickle.dumps(OrderedDict([("model.embed_tokens.weight", _System(marker))]), protocol=2)
    raise AssertionError(kind)


EVIL = {"system": SYSTEM, "exec": "builtins.exec", "nested": SYSTEM}


@pytest.mark.parametrize("kind", list(EVIL))
@pytest.mark.parametrize("outtype", ["f16", "q4_k_m"])
def test_malicious_pickle_refused_and_nothing_runs(tmp_path: Path, kind: str, outtype: str) -> None:
    marker = tmp_path / "MARKER"
    folder = copy_checkpoint(tmp_path / "evil", shards=False, index=False)
    write_torch_zip(folder / "pytorch_model.bin", _evil_pickle(kind, marker))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UnsafeCheckpointError) as info:
        convert(folder, out / "model.gguf", outtype)
    err = info.value
    assert err.global_name == EVIL[kind]
    assert err.path == folder / "pytorch_model.bin"
    assert "pytorch_model.bin" in str(err) and EVIL[kind] in str(err)
    assert not marker.exists()
    assert _files(out) == []


def test_malicious_shard_named_in_the_index(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    folder = copy_checkpoint(tmp_path / "evil", shards=False, index=True)
    shutil.copy(ROOT / "tests" / "data" / "tiny_ziya" / SHARDS[0], folder / SHARDS[0])
    write_torch_zip(folder / SHARDS[1], _evil_pickle("nested", marker), prefix=SHARDS[1].removesuffix(".bin"))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UnsafeCheckpointError, match=SHARDS[1]) as info:
        convert(folder, out / "model.gguf", "f16")
    assert info.value.global_name == SYSTEM
    assert not marker.exists()
    assert _files(out) == []


@pytest.mark.slow
def test_cli_refuses_malicious_pickle_cleanly(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    folder = copy_checkpoint(tmp_path / "evil", shards=False, index=False)
    write_torch_zip(folder / "pytorch_model.bin", _evil_pickle("system", marker))
    out = tmp_path / "out"
    out.mkdir()
    proc = _run_cli(str(folder), "--outfile", str(out / "model.gguf"), "--outtype", "q4_k_m")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1, proc.stderr
    assert SYSTEM in errors[0] and "pytorch_model.bin" in errors[0]
    assert not marker.exists()
    assert _files(out) == []


# ---------------------------------------------------------------------------------------- failure handling


@pytest.mark.parametrize("outtype", ["f16", "q4_k_m"])
def test_insufficient_disk_space(
    tiny_checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, outtype: str
) -> None:
    free = types.SimpleNamespace(total=10**12, used=10**12 - 4096, free=4096)
    monkeypatch.setattr("converters.atomic.shutil.disk_usage", lambda _path: free)
    with pytest.raises(InsufficientDiskSpaceError, match="free"):
        convert(tiny_checkpoint, tmp_path / "model.gguf", outtype)
    assert _files(tmp_path) == []


@pytest.mark.slow
def test_disk_space_counts_the_intermediate_file(
    tiny_checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    final, intermediate = estimate_bytes(Checkpoint(tiny_checkpoint), "q4_k_m")
    assert intermediate > 0
    reported = types.SimpleNamespace(free=final + intermediate - 1)
    monkeypatch.setattr("converters.atomic.shutil.disk_usage", lambda _path: reported)
    with pytest.raises(InsufficientDiskSpaceError):
        convert(tiny_checkpoint, tmp_path / "model.gguf", "q4_k_m")
    assert _files(tmp_path) == []
    reported.free = final + intermediate
    convert(tiny_checkpoint, tmp_path / "model.gguf", "q4_k_m")
    assert _files(tmp_path) == ["model.gguf"]


@pytest.mark.parametrize("outtype", ["f16", "q4_k_m"])
def test_cancel_before_start(tiny_checkpoint: Path, tmp_path: Path, outtype: str) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ConversionCancelled):
        convert(tiny_checkpoint, tmp_path / "model.gguf", outtype, cancel=cancel)
    assert _files(tmp_path) == []


@pytest.mark.parametrize("outtype", ["f32", "q4_k_m"])
def test_cancel_midway_from_progress(tiny_checkpoint: Path, tmp_path: Path, outtype: str) -> None:
    cancel = threading.Event()
    seen: list[ConversionProgress] = []

    def on_progress(p: ConversionProgress) -> None:
        seen.append(p)
        if len(seen) == 5:
            cancel.set()

    with pytest.raises(ConversionCancelled):
        convert(tiny_checkpoint, tmp_path / "model.gguf", outtype, cancel=cancel, progress=on_progress)
    assert len(seen) == 5 and all(p.stage == "convert" for p in seen)
    assert _files(tmp_path) == []


def test_missing_shard_named_in_the_index(tmp_path: Path) -> None:
    folder = copy_checkpoint(tmp_path / "ckpt")
    (folder / SHARDS[1]).unlink()
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(CheckpointError, match=f"missing: {SHARDS[1]}") as info:
        convert(folder, out / "model.gguf", "f16")
    assert "incomplete" in info.value.hint
    assert _files(out) == []


@pytest.mark.parametrize(
    "key,value,message",
    [
        ("hidden_size", 512, "weight files hold only"),
        ("intermediate_size", 1024, "config implies"),
        ("vocab_size", 1020, "config implies"),
        ("num_key_value_heads", 2, "config implies"),
        ("num_hidden_layers", 3, "tensors the config requires are missing"),
        ("num_hidden_layers", 1, "tensors the config does not describe"),
        ("tie_word_embeddings", True, "does not describe"),
    ],
)
def test_config_that_does_not_match_the_tensors(tmp_path: Path, key: str, value: object, message: str) -> None:
    folder = copy_checkpoint(tmp_path / "ckpt")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config[key] != value
    config[key] = value
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(CheckpointError, match=message):
        convert(folder, out / "model.gguf", "f16")
    assert _files(out) == []


def test_bad_arguments(tiny_checkpoint: Path, tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="unknown output type"):
        convert(tiny_checkpoint, tmp_path / "model.gguf", "q3_k")
    with pytest.raises(ConversionError, match="does not exist"):
        convert(tiny_checkpoint, tmp_path / "absent" / "model.gguf", "f16")
    with pytest.raises(CheckpointError, match=r"config\.json is missing"):
        convert(tmp_path, tmp_path / "model.gguf", "f16")
    assert _files(tmp_path) == []


# ------------------------------------------------------------------------------------------------- progress


@pytest.mark.slow
def test_progress_f16_increases_and_ends_done(tiny_checkpoint: Path, tmp_path: Path) -> None:
    seen: list[ConversionProgress] = []
    result = convert(tiny_checkpoint, tmp_path / "model.gguf", "f16", progress=seen.append)
    assert [p.stage for p in seen] == ["convert"] * 21 + ["done"]
    done = [p.done_bytes for p in seen]
    assert all(a < b for a, b in itertools.pairwise(done[:-1])) and done[-1] == done[-2]
    assert {p.total_bytes for p in seen} == {result.source_bytes}
    assert seen[-1].done_bytes == seen[-1].total_bytes == result.source_bytes
    assert seen[-1].fraction == 1.0
    assert seen[0].tensor == "token_embd.weight"


@pytest.mark.slow
def test_progress_q4_k_m_stages(tiny_checkpoint: Path, tmp_path: Path) -> None:
    seen: list[ConversionProgress] = []
    result = convert(tiny_checkpoint, tmp_path / "model.gguf", "q4_k_m", progress=seen.append)
    assert [p.stage for p in seen] == ["convert"] * 21 + ["quantize", "done"]
    converting = [p.done_bytes for p in seen if p.stage == "convert"]
    assert all(a < b for a, b in itertools.pairwise(converting))
    assert converting[-1] == result.source_bytes
    assert seen[-1].stage == "done" and seen[-1].done_bytes == seen[-1].total_bytes == result.source_bytes
    elapsed = [p.elapsed_s for p in seen]
    assert elapsed == sorted(elapsed)


# ------------------------------------------------------------------------------------------------------ CLI


@pytest.mark.slow
def test_cli_q4_k_m_with_verify(tmp_path: Path) -> None:
    out = tmp_path / "tiny-q4.gguf"
    proc = _run_cli("tests/data/tiny_ziya", "--outfile", str(out), "--outtype", "q4_k_m", "--verify")
    assert proc.returncode == 0, proc.stderr
    assert "OK" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert len(read_gguf_header(out).tensors) == 21
    assert _files(tmp_path) == ["tiny-q4.gguf"]


@pytest.mark.slow
def test_cli_missing_shard_exit_code(tmp_path: Path) -> None:
    folder = copy_checkpoint(tmp_path / "ckpt")
    (folder / BIN_INDEX).write_text(
        json.dumps({"weight_map": {"model.norm.weight": "pytorch_model-00003-of-00003.bin"}}), encoding="utf-8"
    )
    proc = _run_cli(str(folder), "--outfile", str(tmp_path / "x.gguf"), "--quiet")
    assert proc.returncode == 2
    assert [line for line in proc.stderr.splitlines() if "error:" in line] == [
        f"ziya-convert: error: {folder}: shards named in {BIN_INDEX} are missing: pytorch_model-00003-of-00003.bin"
    ]
    assert "Traceback" not in proc.stderr


# ------------------------------------------------------------------------------------ interrupted conversions


def _stalled_cli(out: Path) -> tuple[subprocess.Popen[bytes], int, int]:
    """Start ziya-convert with a stderr pipe that is already full: the child stops at its first progress line.

    Returns the process, the pipe's read end and how many filler bytes come before the child's own output.
    """
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    filler = 0
    with contextlib.suppress(BlockingIOError):
        while True:
            filler += os.write(write_end, b"#" * 4096)
    os.set_blocking(write_end, True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "converters", "tests/data/tiny_ziya", "--outfile", str(out), "--outtype", "f16"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=write_end,
    )
    os.close(write_end)
    return proc, read_end, filler


def _wait_for_partial(folder: Path, proc: subprocess.Popen[bytes]) -> list[str]:
    for _ in range(1200):  # a hang guard only: the child cannot finish without writing to the full pipe
        partials = [p.name for p in folder.iterdir() if p.name.endswith(".partial")]
        if partials:
            return partials
        assert proc.poll() is None, "the converter ended before it wrote anything"
        time.sleep(0.05)
    raise AssertionError("no partial file appeared")


def test_sigterm_removes_the_partial_file_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    proc, read_end, filler = _stalled_cli(out / "model.gguf")
    try:
        _wait_for_partial(out, proc)
        proc.send_signal(signal.SIGTERM)
        with os.fdopen(read_end, "rb") as pipe:
            stderr = pipe.read()[filler:].decode("utf-8", errors="replace")
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        proc.kill()
        proc.wait()
    assert "Traceback" not in stderr
    assert "ziya-convert: stopped by SIGTERM; partial files were removed" in stderr.splitlines()
    assert _files(out) == []


def test_partial_of_a_killed_converter_is_removed_by_the_next_run(tmp_path: Path) -> None:
    from converters.atomic import temp_sibling

    out = tmp_path / "out"
    out.mkdir()
    proc, read_end, _filler = _stalled_cli(out / "model.gguf")
    try:
        stale = _wait_for_partial(out, proc)
        proc.send_signal(signal.SIGKILL)  # no handler runs: the partial file stays
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        os.close(read_end)
        proc.kill()
        proc.wait()
    assert _files(out) == stale
    live = temp_sibling(out / "other.gguf", "f16")  # a conversion still running in this process
    live.write_bytes(b"in progress")
    again = _run_cli("tests/data/tiny_ziya", "--outfile", str(out / "model.gguf"), "--outtype", "f16", "--quiet")
    assert again.returncode == 0, again.stderr
    assert f"ziya-convert: removed {stale[0]}, left by an interrupted conversion" in again.stderr.splitlines()
    assert _files(out) == sorted([live.name, "model.gguf"])


def test_padding_names_never_repeat_an_added_token(tmp_path: Path, reference: dict[str, Any]) -> None:
    # An added token spelled like a padding row ("[PAD1005]") must not give the GGUF one token text twice.
    folder = copy_checkpoint(tmp_path / "ckpt")
    n = reference["n_pieces"]
    added = {"<human>": n, "<bot>": n + 1, f"[PAD{n + 5}]": n + 2}
    (folder / "added_tokens.json").write_text(json.dumps(added), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = convert(folder, out / "model.gguf", "f16")
    tokens = _field(gguf.GGUFReader(result.outfile), "tokenizer.ggml.tokens")
    assert len(set(tokens)) == len(tokens) == reference["vocab_size"]
    assert tokens[n + 2] == f"[PAD{n + 5}]" and tokens[n + 5] == f"[PAD{n + 5}.1]"


def _processes_naming(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if text.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_a_cancel_stops_the_quantizer_itself(tiny_gguf: Callable[[str], Path], tmp_path: Path) -> None:
    """llama.cpp's quantizer cannot be interrupted in-process; it runs as a child that a cancel kills at once."""
    from converters.quantize import quantize

    target = tmp_path / "model-q4_k_m.gguf"
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ConversionCancelled):
        quantize(tiny_gguf("f16"), target, "q4_k_m", cancel=cancel)
    assert not target.exists()
    assert _processes_naming(str(target)) == []
    # Without a cancel the same call quantizes, in a child process too.
    quantize(tiny_gguf("f16"), target, "q4_k_m")
    assert gguf.GGUFReader(target).fields["general.file_type"].parts[-1][0] == 15
