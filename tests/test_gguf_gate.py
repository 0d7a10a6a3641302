"""The model gate and the trial load: GGUFs that make llama.cpp abort are refused, and none takes this process down.

The hostile files under tests/data/hostile_gguf each carry one defect on an otherwise loadable tiny model; the
gate must name the defect, the engine must refuse them in this very process without aborting it, and the trial
load in a child process must catch the same aborts on its own (the safety net for what the gate does not know).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import DATA_DIR, copy_checkpoint, hostile_gguf_script

from converters.errors import ConversionError
from converters.hf_to_gguf import convert
from ziya_desktop.engine import trial_verdicts
from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.model_gate import gate_model
from ziya_desktop.engine.trial_load import (
    CRASHED,
    OK,
    REFUSED,
    children_started,
    ensure_loadable,
    raise_for,
    run_trials,
)
from ziya_desktop.errors import InvalidModelError, LoadCancelledError, UnsupportedModelError, ZiyaError

HOSTILE_DIR = DATA_DIR / "hostile_gguf"
CONTROL = HOSTILE_DIR / "control.gguf"

# file → (error class, what the message must say)
HOSTILE: dict[str, tuple[type[ZiyaError], str]] = {
    "duplicate-token": (InvalidModelError, r"token 261 'a' has the same text as token 260"),
    "tokenizer-bert": (UnsupportedModelError, r"tokenizer model 'bert' is not supported"),
    "tokenizer-none": (UnsupportedModelError, r"tokenizer model 'none' is not supported"),
    "empty-token": (InvalidModelError, r"token 261 has an empty text"),
    "one-token": (InvalidModelError, r"the vocabulary has 1 tokens"),
    "block-count-2e26": (UnsupportedModelError, r"'llama.block_count' is 67108864, more than the limit of 512"),
    "block-count-2e40": (UnsupportedModelError, r"'llama.block_count' is 1099511627776, more than the limit"),
}
# Those llama.cpp itself aborts on (the others it refuses or survives).
ABORTS_LLAMA_CPP = ("duplicate-token", "tokenizer-bert", "tokenizer-none", "one-token", "block-count-2e26")


def _copy(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


def test_the_committed_files_are_what_the_script_writes(tmp_path: Path) -> None:
    hostile_gguf_script().main(tmp_path)
    written = sorted(p.name for p in tmp_path.glob("*.gguf"))
    assert written == sorted(["control.gguf", *(f"{n}.gguf" for n in HOSTILE)])
    for name in written:
        assert (tmp_path / name).read_bytes() == (HOSTILE_DIR / name).read_bytes(), name
        assert (HOSTILE_DIR / name).stat().st_size < 16 * 1024


def test_the_control_file_passes_the_gate_and_really_loads(tmp_path: Path) -> None:
    """Every hostile file is this one plus one defect: so the defect alone is what gets it refused."""
    info = gate_model(CONTROL)
    assert (info.n_layer, info.n_embd, info.n_vocab) == (1, 4, 264)
    engine = Engine()
    try:
        engine.load(_copy(CONTROL, tmp_path / "control.gguf"), LoadOptions(n_ctx=256, gpu_layers=0))
        assert engine.tokenize("ab") != []
    finally:
        engine.close()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_gate_names_each_defect(name: str) -> None:
    cls, message = HOSTILE[name]
    with pytest.raises(cls, match=message) as info:
        gate_model(HOSTILE_DIR / f"{name}.gguf")
    assert str(info.value).startswith(f"{name}.gguf: ")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_the_engine_refuses_each_file_in_this_process_without_aborting(name: str, tmp_path: Path) -> None:
    cls, message = HOSTILE[name]
    engine = Engine()
    started = children_started()
    with pytest.raises(cls, match=message):
        engine.load(_copy(HOSTILE_DIR / f"{name}.gguf", tmp_path / f"{name}.gguf"), LoadOptions(gpu_layers=0))
    assert not engine.loaded
    assert children_started() == started, "a file the gate refuses never reaches llama.cpp, not even in a child"


def test_the_trial_alone_catches_every_abort_and_the_process_survives() -> None:
    """Without the gate, each file goes straight to llama.cpp in a child: aborts become clear errors."""
    names = list(HOSTILE)
    outcomes = run_trials([HOSTILE_DIR / f"{n}.gguf" for n in names])
    by_name = {o.path.stem: o for o in outcomes}
    assert [o.path.stem for o in outcomes] == names
    for name in ABORTS_LLAMA_CPP:
        outcome = by_name[name]
        assert outcome.verdict == CRASHED, (name, outcome)
        with pytest.raises(
            InvalidModelError, match=r"llama\.cpp rejected the file: loading it aborted a test process"
        ) as info:
            raise_for(outcome)
        assert str(info.value).startswith(f"{name}.gguf: ")
        assert "GGML_ASSERT" in str(info.value) or "fatal error" in str(info.value), str(info.value)
    assert by_name["block-count-2e40"].verdict == REFUSED
    assert "wrong type" in by_name["block-count-2e40"].detail
    assert by_name["empty-token"].verdict == OK  # llama.cpp renames it; the gate still refuses it


def test_a_crash_is_remembered_and_a_refusal_is_a_clear_error(tmp_path: Path) -> None:
    path = _copy(HOSTILE_DIR / "duplicate-token.gguf", tmp_path / "dup.gguf")
    started = children_started()
    with pytest.raises(InvalidModelError, match=r"^dup\.gguf: llama\.cpp rejected the file: .*GGML_ASSERT"):
        ensure_loadable(path)
    assert children_started() == started + 1
    with pytest.raises(InvalidModelError, match=r"llama\.cpp rejected the file"):
        ensure_loadable(path)
    assert children_started() == started + 1, "the crash verdict was remembered"


def test_one_child_trials_many_files_and_a_crash_costs_only_its_own_file(tmp_path: Path) -> None:
    ok = _copy(CONTROL, tmp_path / "ok.gguf")
    crash = HOSTILE_DIR / "tokenizer-bert.gguf"
    started = children_started()
    outcomes = run_trials([ok, crash, ok, ok, crash, ok])
    assert [o.verdict for o in outcomes] == [OK, CRASHED, OK, OK, CRASHED, OK]
    assert children_started() == started + 3


def test_the_verdict_is_remembered_and_a_changed_file_is_trialled_again(tmp_path: Path, ziya_home: Path) -> None:
    path = _copy(CONTROL, tmp_path / "model.gguf")
    options = LoadOptions(n_ctx=256, gpu_layers=0)

    def load() -> None:
        engine = Engine()
        try:
            engine.load(path, options)
        finally:
            engine.close()

    started = children_started()
    load()
    assert children_started() == started + 1, "the first load of a new file runs a trial"
    load()
    assert children_started() == started + 1, "the second load is immediate"
    stored = json.loads((ziya_home / trial_verdicts.VERDICTS_NAME).read_text(encoding="utf-8"))
    assert stored["entries"][str(path.resolve())]["verdict"] == "ok"
    # A new process (nothing in memory) finds the verdict in the data folder.
    trial_verdicts.forget_all_in_memory()
    load()
    assert children_started() == started + 1
    # The same path, rewritten: a new modification time is a new file.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    load()
    assert children_started() == started + 2, "a file changed after its verdict is trialled again"
    # Replaced by another file under the same name (new inode): trialled again too.
    path.unlink()
    _copy(CONTROL, path)
    load()
    assert children_started() == started + 3


def test_a_damaged_verdict_file_only_costs_a_trial(tmp_path: Path, ziya_home: Path) -> None:
    path = _copy(CONTROL, tmp_path / "model.gguf")
    ensure_loadable(path)
    trial_verdicts.forget_all_in_memory()
    (ziya_home / trial_verdicts.VERDICTS_NAME).write_bytes(b"\xff{not json")
    started = children_started()
    ensure_loadable(path)
    assert children_started() == started + 1


def test_a_cancelled_trial_raises_and_remembers_nothing(tmp_path: Path) -> None:
    path = _copy(CONTROL, tmp_path / "model.gguf")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(LoadCancelledError):
        ensure_loadable(path, cancel=cancel)
    assert trial_verdicts.lookup(trial_verdicts.FileKey.of(path)) is None


# ---------------------------------------------------------------------------------------------- the converter


@pytest.mark.slow
def test_the_converters_output_is_trusted_without_a_trial(tiny_checkpoint: Path, tmp_path: Path) -> None:
    out = tmp_path / "tiny-f16.gguf"
    convert(tiny_checkpoint, out, "f16")
    remembered = trial_verdicts.lookup(trial_verdicts.FileKey.of(out))
    assert remembered is not None and remembered.verdict == OK
    started = children_started()
    engine = Engine()
    try:
        engine.load(out, LoadOptions(n_ctx=256, gpu_layers=0))
    finally:
        engine.close()
    assert children_started() == started


def _assert_nothing_or_loadable(convert_it: Callable[[], object], out: Path) -> None:
    """A conversion either refuses (and writes nothing at all) or writes a file that passes the gate and loads."""
    try:
        convert_it()
    except ConversionError as err:
        assert not out.exists()
        assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []
        assert str(err) and "Traceback" not in str(err)
        return
    gate_model(out)
    trial_verdicts.forget_all_in_memory()
    [outcome] = run_trials([out])
    assert outcome.verdict == OK, outcome


@pytest.mark.slow
def test_an_added_token_repeating_a_piece_never_becomes_a_gguf_that_aborts(tmp_path: Path) -> None:
    src = copy_checkpoint(tmp_path / "ckpt")
    (src / "added_tokens.json").write_text(json.dumps({"<human>": 1000, "<bot>": 1001, "<s>": 1002}))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "dup.gguf"
    _assert_nothing_or_loadable(lambda: convert(src, out, "f16"), out)


@pytest.mark.slow
def test_a_config_beyond_the_gates_limits_is_not_written(tmp_path: Path) -> None:
    src = copy_checkpoint(tmp_path / "ckpt")
    config = json.loads((src / "config.json").read_text(encoding="utf-8"))
    config["max_position_embeddings"] = 1 << 23
    (src / "config.json").write_text(json.dumps(config), encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "long.gguf"
    with pytest.raises(ConversionError, match=r"context_length|max_position_embeddings"):
        convert(src, out, "f16")
    assert list(out_dir.iterdir()) == []
