"""Download → convert → quantize → ready, end to end against the fake hub serving the tiny checkpoint."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import helpers
import pytest
from hub_server import FakeHub, tiny_catalog_model

from converters.errors import CheckpointError, ConversionCancelled
from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.errors import CatalogError, DownloadCancelledError, InsufficientDiskSpaceError, OfflineError
from ziya_desktop.models.convert_job import JobProgress
from ziya_desktop.models.library import ModelLibrary
from ziya_desktop.models.pipeline import STAGE_WEIGHTS, checkpoint_folder, prepare_catalog_model


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with FakeHub(helpers.TINY_DIR) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        monkeypatch.setenv("ZIYA_HOME", str(tmp_path / "ziya"))
        monkeypatch.delenv("ZIYA_OFFLINE", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        yield server


def model_files(models: Path) -> list[str]:
    """What the models folder holds at top level, hidden partial files included."""
    return sorted(p.name for p in models.iterdir())


@pytest.mark.slow
def test_download_convert_quantize_ends_with_a_model_the_engine_loads(hub: FakeHub, tmp_path: Path) -> None:
    models = tmp_path / "models"
    reports: list[JobProgress] = []
    path = prepare_catalog_model(
        tiny_catalog_model(), "q4_k_m", models_dir=models, progress=reports.append, cancel=threading.Event()
    )
    assert path == models / "tiny-ziya-Q4_K_M.gguf"
    assert model_files(models) == ["checkpoints", path.name], "no partial files; the checkpoint is kept apart"
    kept = checkpoint_folder(tiny_catalog_model(), models)
    assert (kept / "config.json").read_bytes() == (helpers.TINY_DIR / "config.json").read_bytes()
    (listed,) = ModelLibrary(models).scan()
    assert listed.path == path and listed.valid and listed.file_type == "Q4_K_M"

    stages = [r.stage for r in reports]
    order = ["download", "convert", "quantize", "register", "done"]
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == order
    fractions = [r.fraction for r in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert reports[-1].seconds_left == 0.0 and path.name in reports[-1].message
    download_share = STAGE_WEIGHTS["download"] / sum(STAGE_WEIGHTS.values())
    first_convert = next(r for r in reports if r.stage == "convert")
    assert first_convert.fraction > download_share - 1e-9
    assert any("Downloading" in r.message for r in reports)

    engine = Engine()
    try:
        report = engine.load(path, LoadOptions(threads=1, n_ctx=256))
        assert report.info.file_type == "Q4_K_M"
    finally:
        engine.close()


@pytest.mark.slow
def test_remove_checkpoint_deletes_the_download_after_converting(hub: FakeHub, tmp_path: Path) -> None:
    models = tmp_path / "models"
    path = prepare_catalog_model(
        tiny_catalog_model(),
        "f16",
        models_dir=models,
        progress=lambda _r: None,
        cancel=threading.Event(),
        remove_checkpoint=True,
    )
    assert path.is_file() and path.name == "tiny-ziya-F16.gguf"
    assert not checkpoint_folder(tiny_catalog_model(), models).exists()


def test_the_disk_budget_is_checked_before_anything_is_fetched(hub: FakeHub, tmp_path: Path) -> None:
    huge = tiny_catalog_model(checkpoint_bytes=1 << 60)
    with pytest.raises(InsufficientDiskSpaceError, match="needs about"):
        prepare_catalog_model(
            huge, "q4_k_m", models_dir=tmp_path / "m", progress=lambda _r: None, cancel=threading.Event()
        )
    assert hub.requests == []
    with pytest.raises(KeyError):
        prepare_catalog_model(
            tiny_catalog_model(), "q8_0", models_dir=tmp_path / "m", progress=lambda _r: None, cancel=threading.Event()
        )


def test_offline_without_a_download_refuses_and_makes_no_request(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(OfflineError):
        prepare_catalog_model(
            tiny_catalog_model(),
            "q4_k_m",
            models_dir=tmp_path / "models",
            progress=lambda _r: None,
            cancel=threading.Event(),
            offline=True,
        )
    assert hub.requests == []
    assert not list((tmp_path / "models").glob("*.gguf"))


@pytest.mark.slow
def test_cancel_during_download_then_again_during_conversion_leaves_no_model(hub: FakeHub, tmp_path: Path) -> None:
    models = tmp_path / "models"
    cancel = threading.Event()
    hub.chunk_delay_s = 0.01

    def stop_in(stage: str) -> Callable[[JobProgress], None]:
        def progress(report: JobProgress) -> None:
            if report.stage == stage and report.fraction > 0:
                cancel.set()

        return progress

    with pytest.raises(DownloadCancelledError):
        prepare_catalog_model(
            tiny_catalog_model(), "q4_k_m", models_dir=models, progress=stop_in("download"), cancel=cancel
        )
    assert model_files(models) == ["checkpoints"]

    hub.chunk_delay_s = 0.0
    cancel.clear()
    with pytest.raises(ConversionCancelled):
        prepare_catalog_model(
            tiny_catalog_model(), "q4_k_m", models_dir=models, progress=stop_in("convert"), cancel=cancel
        )
    assert model_files(models) == ["checkpoints"], "the conversion's temporary files are gone"
    kept = checkpoint_folder(tiny_catalog_model(), models)
    assert all((kept / p.name).is_file() for p in helpers.TINY_DIR.iterdir()), "the checkpoint is kept"

    hub.clear_log()
    cancel.clear()
    path = prepare_catalog_model(
        tiny_catalog_model(), "q4_k_m", models_dir=models, progress=lambda _r: None, cancel=cancel
    )
    assert path.is_file()
    assert not any(r.method == "GET" and "/resolve/" in r.path for r in hub.requests), "nothing downloaded twice"


@pytest.mark.parametrize("model_id", ["../../escape", "a/b", "..", "nul\x00"])
def test_a_catalog_id_that_is_not_a_plain_name_is_refused_before_anything_happens(
    hub: FakeHub, tmp_path: Path, model_id: str
) -> None:
    hostile = dataclasses.replace(tiny_catalog_model(), id=model_id)
    with pytest.raises(CatalogError, match=re.escape(repr(model_id))):
        prepare_catalog_model(
            hostile, "f16", models_dir=tmp_path / "models", progress=lambda _r: None, cancel=threading.Event()
        )
    with pytest.raises(CatalogError, match=re.escape(repr(model_id))):
        checkpoint_folder(hostile, tmp_path / "models")
    assert hub.requests == []
    assert not (tmp_path / "models").exists() and not (tmp_path / "escape").exists()


@pytest.mark.parametrize("shard", ["../escape.bin", "/abs/escape.bin", "sub\\x.bin", "nul\x00.bin", ".."])
def test_a_shard_index_naming_a_path_is_refused_naming_the_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shard: str
) -> None:
    source = helpers.copy_checkpoint(tmp_path / "served")
    index_path = source / helpers.BIN_INDEX
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index["weight_map"]["model.norm.weight"] = shard
    index_path.write_text(json.dumps(index), encoding="utf-8")
    models = tmp_path / "models"
    with FakeHub(source) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        monkeypatch.delenv("ZIYA_OFFLINE", raising=False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        with pytest.raises(CheckpointError, match=re.escape(repr(shard))):
            prepare_catalog_model(
                tiny_catalog_model(), "f16", models_dir=models, progress=lambda _r: None, cancel=threading.Event()
            )
    assert model_files(models) == ["checkpoints"], "nothing was converted"
