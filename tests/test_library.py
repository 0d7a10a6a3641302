"""The local model library: scanning, copy and link imports, cancel, disk space, delete, damaged files."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from helpers import HOSTILE_GGUF_DIR, hostile_gguf_script

from ziya_desktop.errors import (
    ImportCancelledError,
    InsufficientDiskSpaceError,
    InvalidModelError,
    ModelImportError,
    ModelNotFoundError,
    UnsupportedModelError,
)
from ziya_desktop.models.library import INDEX_NAME, LocalModel, ModelLibrary

N_EMBD = 64
N_HEAD = 4


def write_tiny_gguf(path: Path, *, n_layer: int = 2, file_type: int = 15, pad_bytes: int = 0) -> Path:
    """A small LLaMA GGUF that passes the load gate (F32 tensors; ``file_type`` is only the header's claim).

    ``pad_bytes`` widens the feed-forward layers so that the file is at least that much larger.
    """
    n_ff = 4 * N_EMBD + -(-pad_bytes // (3 * 4 * N_EMBD * n_layer))
    hostile_gguf_script().write(
        path, n_layer=n_layer, n_embd=N_EMBD, n_head=N_HEAD, n_ff=n_ff, file_type=file_type, name="tiny ziya"
    )
    return path


@pytest.fixture
def library(tmp_path: Path) -> ModelLibrary:
    return ModelLibrary(tmp_path / "models")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return write_tiny_gguf(folder / "ziya-q4_k_m.gguf")


def test_default_folder_is_the_apps_models_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIYA_HOME", str(tmp_path / "home"))
    assert ModelLibrary().models_dir == tmp_path / "home" / "models"


def test_scan_lists_valid_and_damaged_files_with_reasons(library: ModelLibrary) -> None:
    write_tiny_gguf(library.models_dir / "good.gguf", n_layer=3, file_type=7)
    (library.models_dir / "broken.gguf").write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 40)
    (library.models_dir / "notes.txt").write_text("not a model")
    (library.models_dir / ".good.gguf.import-1234.partial").write_bytes(b"half")

    models = {m.name: m for m in library.scan()}
    assert set(models) == {"good", "broken"}
    good = models["good"]
    assert good.valid and good.problem == "" and not good.linked
    assert (good.file_type, good.n_layer) == ("Q8_0", 3)
    assert good.size_bytes == (library.models_dir / "good.gguf").stat().st_size
    broken = models["broken"]
    assert not broken.valid and broken.file_type == "" and "broken.gguf" in broken.problem


def test_copy_import_validates_copies_and_reports_progress(library: ModelLibrary, outside: Path) -> None:
    seen: list[tuple[int, int]] = []
    model = library.import_gguf(outside, mode="copy", progress=lambda done, total: seen.append((done, total)))
    assert model.path == library.models_dir / outside.name
    assert model.valid and not model.linked and model.file_type == "Q4_K_M"
    assert model.path.read_bytes() == outside.read_bytes()
    assert seen[-1] == (outside.stat().st_size, outside.stat().st_size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert outside.exists(), "a copy leaves the source alone"
    # Same name again: a second file, not an overwrite.
    again = library.import_gguf(outside, mode="copy")
    assert again.path.name == "ziya-q4_k_m-2.gguf"
    assert len(library.scan()) == 2


def test_link_import_registers_the_path_without_copying(library: ModelLibrary, outside: Path) -> None:
    model = library.import_gguf(outside, mode="link")
    assert model.linked and model.valid and model.path == outside.resolve()
    assert list(library.models_dir.glob("*.gguf")) == []
    assert library.scan() == [model]
    assert library.import_gguf(outside, mode="link") == model
    assert library.linked_paths() == [outside.resolve()], "linking twice registers once"
    index = json.loads((library.models_dir / INDEX_NAME).read_text(encoding="utf-8"))
    assert index["linked"] == [{"path": str(outside.resolve())}]


def test_a_moved_linked_file_is_listed_as_invalid(library: ModelLibrary, outside: Path) -> None:
    library.import_gguf(outside, mode="link")
    outside.rename(outside.with_name("moved.gguf"))
    [model] = library.scan()
    assert model.linked and not model.valid and "moved or deleted" in model.problem


def test_invalid_files_are_refused_before_anything_changes(library: ModelLibrary, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf at all")
    for mode in ("copy", "link"):
        with pytest.raises(InvalidModelError):
            library.import_gguf(bad, mode=mode)  # type: ignore[arg-type]
    with pytest.raises(ModelNotFoundError):
        library.import_gguf(tmp_path / "missing.gguf", mode="copy")
    assert library.scan() == []
    assert not (library.models_dir / INDEX_NAME).exists()


def test_cancelled_copy_leaves_nothing_behind(
    library: ModelLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = write_tiny_gguf(tmp_path / "big.gguf", pad_bytes=3 << 20)
    monkeypatch.setattr("ziya_desktop.models.library.COPY_CHUNK_BYTES", 1 << 20)
    cancel = threading.Event()

    def on_progress(done: int, total: int) -> None:
        cancel.set()

    with pytest.raises(ImportCancelledError):
        library.import_gguf(big, mode="copy", progress=on_progress, cancel=cancel)
    assert list(library.models_dir.iterdir()) == []


def test_copy_is_refused_when_the_disk_is_too_full(tmp_path: Path, outside: Path) -> None:
    library = ModelLibrary(tmp_path / "models", free_space=lambda folder: 1000)
    with pytest.raises(InsufficientDiskSpaceError, match=r"only 1\.0 KB is free") as info:
        library.import_gguf(outside, mode="copy")
    assert info.value.free == 1000 and info.value.needed > outside.stat().st_size
    assert list(library.models_dir.iterdir()) == []
    # Linking needs no space and still works.
    assert library.import_gguf(outside, mode="link").linked


def test_delete_removes_copies_and_only_unregisters_links(library: ModelLibrary, outside: Path) -> None:
    copied = library.import_gguf(outside, mode="copy")
    linked = library.import_gguf(outside, mode="link")
    assert library.reveal_path(copied) == library.models_dir
    assert library.reveal_path(linked) == outside.resolve().parent
    library.delete(linked)
    assert outside.exists(), "deleting a link never deletes the writer's file"
    assert library.linked_paths() == []
    library.delete(copied)
    assert not copied.path.exists()
    assert library.scan() == []


def test_delete_refuses_files_outside_the_library(library: ModelLibrary, outside: Path) -> None:
    stranger = LocalModel(outside, "x", "Q4_K_M", 1, 2, True, "", linked=False)
    with pytest.raises(ModelImportError):
        library.delete(stranger)
    assert outside.exists()


def test_a_file_already_in_the_folder_is_not_copied_again(library: ModelLibrary) -> None:
    inside = write_tiny_gguf(library.models_dir / "here.gguf")
    model = library.import_gguf(inside, mode="copy")
    assert model.path == inside and not model.linked
    assert len(list(library.models_dir.iterdir())) == 1


def test_a_damaged_index_is_listed_and_can_be_deleted(library: ModelLibrary) -> None:
    write_tiny_gguf(library.models_dir / "ok.gguf")
    (library.models_dir / INDEX_NAME).write_text("{ not json", encoding="utf-8")
    models = {m.name: m for m in library.scan()}
    assert models["ok"].valid
    broken = models[INDEX_NAME]
    assert not broken.valid and "damaged" in broken.problem
    with pytest.raises(ModelImportError):
        library.linked_paths()
    library.delete(broken)
    assert [m.name for m in library.scan()] == ["ok"]


@pytest.mark.parametrize(
    "entry",
    [
        "relative/model.gguf",
        "../../escape/model.gguf",
        "/models/../../etc/model.gguf",
        "/tmp/nul\x00byte.gguf",
        "/tmp/new\nline.gguf",
        "",
    ],
    ids=["relative", "dotdot-relative", "dotdot-absolute", "nul", "newline", "empty"],
)
def test_a_hostile_index_entry_is_refused_by_name_and_the_folder_still_lists(
    library: ModelLibrary, outside: Path, entry: str
) -> None:
    write_tiny_gguf(library.models_dir / "ok.gguf")
    index = {"format_version": 1, "linked": [{"path": str(outside.resolve())}, {"path": entry}]}
    (library.models_dir / INDEX_NAME).write_text(json.dumps(index), encoding="utf-8")

    models = {m.name: m for m in library.scan()}
    assert set(models) == {"ok", INDEX_NAME}, "no path from a refused index is followed"
    assert models["ok"].valid
    problem = models[INDEX_NAME].problem
    assert not models[INDEX_NAME].valid and repr(entry) in problem, problem
    with pytest.raises(ModelImportError, match=re.escape(repr(entry))):
        library.linked_paths()
    with pytest.raises(ModelImportError, match=re.escape(repr(entry))):
        library.import_gguf(outside, mode="link")
    # Deleting the listed index entry clears it, and linking works again.
    library.delete(models[INDEX_NAME])
    assert library.import_gguf(outside, mode="link").linked


@pytest.mark.parametrize("name", ["duplicate-token", "tokenizer-bert", "tokenizer-none", "one-token"])
def test_files_llama_cpp_would_abort_on_are_listed_invalid_and_refused(
    library: ModelLibrary, tmp_path: Path, name: str
) -> None:
    """The library applies the load gate, so a file that would take the app down is never offered as usable."""
    hostile = HOSTILE_GGUF_DIR / f"{name}.gguf"
    (library.models_dir / hostile.name).write_bytes(hostile.read_bytes())
    (listed,) = library.scan()
    assert not listed.valid
    assert listed.problem
    with pytest.raises((InvalidModelError, UnsupportedModelError)):
        library.import_gguf(hostile, mode="link")
    assert library.linked_paths() == []
