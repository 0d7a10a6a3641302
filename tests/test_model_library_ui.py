"""The model library window, offscreen, on real files: listing and checking, imports, background conversion with
cancel, Use, offline mode, the load settings, and download & convert against the fake hub."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import helpers
import pytest
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from ziya_desktop import paths
from ziya_desktop.engine.engine import LoadOptions
from ziya_desktop.engine.hardware import GpuDevice, HardwareInfo
from ziya_desktop.models.convert_job import ConvertPlan, JobProgress
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.models.gpu_settings import GPU_LAYERS_KEY, GpuSettingsWidget, stored_load_options
from ziya_desktop.ui.models.job_runner import format_time_left
from ziya_desktop.ui.models.model_library import OFFLINE_KEY, ModelLibraryWindow

WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def ziya_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZIYA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ZIYA_OFFLINE", raising=False)
    return tmp_path / "home"


@pytest.fixture()
def open_window(qtbot: QtBot) -> Iterator[Callable[..., ModelLibraryWindow]]:
    opened: list[ModelLibraryWindow] = []

    def make(**kwargs: object) -> ModelLibraryWindow:
        kwargs.setdefault("hardware", helpers.machine(8 << 30))
        window = ModelLibraryWindow(lang="en", **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        opened.append(window)
        wait_scan(qtbot, window)
        return window

    yield make
    for window in opened:
        window.shutdown()


def wait_scan(qtbot: QtBot, window: ModelLibraryWindow) -> None:
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=WAIT_MS)


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None, (row, column)
    return item


def row_texts(window: ModelLibraryWindow, row: int) -> list[str]:
    table = window.local_table
    return [cell(table, row, c).text() for c in range(table.columnCount())]


def leftovers(folder: Path) -> list[str]:
    """Files in the models folder other than finished models and the library's index."""
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".gguf" and p.name != "library.json")


@pytest.mark.slow
def test_lists_a_valid_model_and_a_corrupt_one_with_its_problem(
    open_window: Callable[..., ModelLibraryWindow], tiny_gguf: Callable[[str], Path]
) -> None:
    models = paths.models_dir()
    shutil.copy(tiny_gguf("q4_k_m"), models / "tiny-q4.gguf")
    (models / "broken.gguf").write_bytes(b"GGUF" + b"\xff" * 64)
    window = open_window()
    assert [m.path.name for m in window.models] == ["broken.gguf", "tiny-q4.gguf"]
    broken, tiny = row_texts(window, 0), row_texts(window, 1)
    assert tiny[1] == "Q4_K_M" and tiny[3] == "✓" and tiny[4] == "fits on GPU"
    assert tiny[5] == str(models / "tiny-q4.gguf")
    assert broken[3] == "✗" and broken[4] == "—"
    problem = cell(window.local_table, 0, 3).toolTip()
    assert problem and problem == window.models[0].problem
    window.local_table.selectRow(0)
    assert not window.use_button.isEnabled(), "a model that failed the check cannot be used"
    window.local_table.selectRow(1)
    assert window.use_button.isEnabled()


@pytest.mark.slow
def test_use_emits_the_path_and_the_load_settings(
    qtbot: QtBot, open_window: Callable[..., ModelLibraryWindow], tiny_gguf: Callable[[str], Path]
) -> None:
    target = paths.models_dir() / "tiny.gguf"
    shutil.copy(tiny_gguf("q4_k_m"), target)
    window = open_window()
    window.gpu_settings.auto_layers.setChecked(False)
    window.gpu_settings.layers.setValue(2)
    window.gpu_settings.n_ctx.setValue(1024)
    wait_scan(qtbot, window)  # a settings change re-assesses the fit in the background
    window.select_model(target)
    with qtbot.waitSignal(window.useRequested) as blocker:
        window.use_button.click()
    path, options = blocker.args
    assert path == target
    assert options == LoadOptions(gpu_layers=2, n_ctx=1024, threads=None)


@pytest.mark.slow
def test_import_gguf_by_copy_and_by_link(
    qtbot: QtBot, tmp_path: Path, open_window: Callable[..., ModelLibraryWindow], tiny_gguf: Callable[[str], Path]
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    copied_src = shutil.copy(tiny_gguf("q8_0"), outside / "copied.gguf")
    linked_src = shutil.copy(tiny_gguf("f16"), outside / "linked.gguf")
    window = open_window()
    assert window.models == [] and window.empty_label.isVisible()

    with qtbot.waitSignal(window.jobFinished, timeout=WAIT_MS):
        assert window.import_gguf(Path(copied_src), "copy")
    wait_scan(qtbot, window)
    assert (paths.models_dir() / "copied.gguf").is_file() and Path(copied_src).is_file()

    with qtbot.waitSignal(window.jobFinished, timeout=WAIT_MS):
        assert window.import_gguf(Path(linked_src), "link")
    wait_scan(qtbot, window)
    assert not (paths.models_dir() / "linked.gguf").exists()
    by_name = {m.path.name: m for m in window.models}
    assert set(by_name) == {"copied.gguf", "linked.gguf"}
    assert by_name["linked.gguf"].linked and by_name["linked.gguf"].valid
    assert not by_name["copied.gguf"].linked and by_name["copied.gguf"].valid
    linked_row = window.models.index(by_name["linked.gguf"])
    assert row_texts(window, linked_row)[5].endswith("(link)")
    assert window.selected_model() == by_name["linked.gguf"], "the new model is selected"
    assert "Ready: linked.gguf" in window.progress.result_label.text()
    assert leftovers(paths.models_dir()) == []


@pytest.mark.slow
def test_checkpoint_import_converts_in_the_background(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    open_window: Callable[..., ModelLibraryWindow],
    tiny_checkpoint: Path,
) -> None:
    window = open_window()
    plans: list[ConvertPlan] = []

    def confirm(plan: ConvertPlan) -> bool:
        plans.append(plan)
        return True

    monkeypatch.setattr(window, "confirm_plan", confirm)
    with qtbot.waitSignal(window.jobFinished, timeout=WAIT_MS) as blocker:
        assert window.import_checkpoint(tiny_checkpoint, "q8_0")
        assert window.progress.running_box.isVisible() and window.progress.cancel_button.isEnabled()
        assert not window.import_button.isEnabled(), "one job at a time"
    wait_scan(qtbot, window)
    (plan,) = plans
    assert plan.fits and plan.outtype == "q8_0"
    assert blocker.args == [plan.outfile]
    (model,) = window.models
    assert model.path == plan.outfile and model.valid and model.file_type == "Q8_0"
    assert not window.progress.running_box.isVisible()
    assert window.import_button.isEnabled()
    assert leftovers(paths.models_dir()) == []


@pytest.mark.slow
def test_cancelling_a_conversion_leaves_no_stray_files(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    open_window: Callable[..., ModelLibraryWindow],
    tiny_checkpoint: Path,
) -> None:
    window = open_window()
    monkeypatch.setattr(window, "confirm_plan", lambda _plan: True)
    starts: list[int] = []

    def on_started() -> None:
        # The first job reads the checkpoint; the second converts: press Cancel as soon as that one runs.
        starts.append(1)
        if len(starts) == 2:
            window.progress.cancel_button.click()

    window.jobs.started.connect(on_started)
    with qtbot.waitSignal(window.jobs.cancelled, timeout=WAIT_MS):
        window.import_checkpoint(tiny_checkpoint, "q4_k_m")
    qtbot.waitUntil(lambda: not window.jobs.running, timeout=WAIT_MS)
    wait_scan(qtbot, window)
    assert len(starts) == 2
    assert list(paths.models_dir().iterdir()) == []
    assert window.models == []
    assert "Cancelled" in window.progress.result_label.text()
    assert window.checkpoint_button.isEnabled()


def test_a_folder_that_is_not_a_checkpoint_is_refused_with_the_reason(
    qtbot: QtBot, tmp_path: Path, open_window: Callable[..., ModelLibraryWindow]
) -> None:
    window = open_window()
    with qtbot.waitSignal(window.jobs.failed, timeout=WAIT_MS) as blocker:
        window.import_checkpoint(tmp_path, "q4_k_m")
    assert "config.json is missing" in blocker.args[0]
    qtbot.waitUntil(lambda: window.progress.result_label.isVisible())
    assert "config.json is missing" in window.progress.result_label.text()


def test_offline_setting_disables_download_and_says_so(
    qtbot: QtBot, open_window: Callable[..., ModelLibraryWindow]
) -> None:
    window = open_window()
    assert not window.offline and window.download_button.isEnabled()
    assert not window.offline_label.isVisible()
    window.offline_box.setChecked(True)
    assert not window.download_button.isEnabled()
    assert window.offline_label.isVisible() and window.offline_label.text() == "Offline: working from disk only"
    assert "Offline mode is on" in window.download_note.text()
    assert not window.download_selected()
    assert settings().value(OFFLINE_KEY, False, type=bool) is True
    again = open_window()
    assert again.offline and not again.download_button.isEnabled()


def test_ziya_offline_forces_offline_mode(
    monkeypatch: pytest.MonkeyPatch, open_window: Callable[..., ModelLibraryWindow]
) -> None:
    monkeypatch.setenv("ZIYA_OFFLINE", "1")
    window = open_window()
    assert window.offline_box.isChecked() and not window.offline_box.isEnabled()
    assert not window.download_button.isEnabled()
    assert window.offline_label.isVisible()


def test_catalog_shows_sizes_notes_fit_and_marks_the_recommended_file(
    open_window: Callable[..., ModelLibraryWindow],
) -> None:
    window = open_window(hardware=helpers.machine(None))
    table = window.catalog_table
    rows = {cell(table, r, 0).text().split()[0]: [cell(table, r, c).text() for c in range(4)] for r in range(5)}
    assert set(rows) == {"F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M"}
    assert "best for this computer" in rows["Q4_K_M"][0] and "best" not in rows["Q8_0"][0]
    assert rows["Q4_K_M"][1] == "7.9 GB" and "perplexity +0.046" in rows["Q4_K_M"][2]
    # 16 GB of RAM and no GPU: Q4_K_M runs on the CPU, F16 (26 GB) cannot.
    assert rows["Q4_K_M"][3] == "CPU" and rows["F16"][3] == "too big"
    entry = window.selected_catalog_entry()
    assert entry is not None and entry[1] == "q4_k_m"
    assert "no GPU" in window.hardware_label.text()
    big = open_window(hardware=helpers.machine(24 << 30))
    fits = {cell(big.catalog_table, r, 0).text().split()[0]: cell(big.catalog_table, r, 3).text() for r in range(5)}
    assert fits["Q4_K_M"] == "fits on GPU"
    assert fits["F16"].startswith("partly on GPU (") and fits["F16"].endswith(" of 41 layers)")


def test_gpu_settings_persist_and_build_load_options(qtbot: QtBot) -> None:
    widget = GpuSettingsWidget(helpers.machine(8 << 30))
    qtbot.addWidget(widget)
    assert widget.load_options() == LoadOptions(gpu_layers="auto", n_ctx=2048, threads=None)
    assert widget.layers.maximum() == 41 and not widget.layers.isEnabled()
    assert widget.device_name() == "CUDA0" and not widget.device.isEnabled(), "one GPU: nothing to choose"
    assert "4 physical cores" in widget.auto_threads.text()
    with qtbot.waitSignal(widget.optionsChanged):
        widget.auto_layers.setChecked(False)
    widget.layers.setValue(10)
    widget.auto_threads.setChecked(False)
    widget.threads.setValue(3)
    widget.n_ctx.setValue(512)
    assert widget.load_options() == LoadOptions(gpu_layers=10, n_ctx=512, threads=3)
    assert str(settings().value(GPU_LAYERS_KEY)) == "10"
    again = GpuSettingsWidget(helpers.machine(8 << 30))
    qtbot.addWidget(again)
    assert again.load_options() == LoadOptions(gpu_layers=10, n_ctx=512, threads=3)
    assert stored_load_options() == LoadOptions(gpu_layers=10, n_ctx=512, threads=3)
    again.auto_layers.setChecked(True)
    assert stored_load_options().gpu_layers == "auto"
    # The KV cache type: a choice of its own, remembered, and the engine's option.
    assert again.kv_cache.currentData() == "f16" and again.load_options().kv_cache_type == "f16"
    again.kv_cache.setCurrentIndex(again.kv_cache.findData("q8_0"))
    assert again.load_options().kv_cache_type == "q8_0"
    assert stored_load_options().kv_cache_type == "q8_0"
    third = GpuSettingsWidget(helpers.machine(8 << 30))
    qtbot.addWidget(third)
    assert third.kv_cache.currentData() == "q8_0" and third.kv_cache.currentText().startswith("q8_0")


def test_gpu_settings_without_a_gpu_and_with_several(qtbot: QtBot) -> None:
    cpu = GpuSettingsWidget(helpers.machine(None))
    qtbot.addWidget(cpu)
    assert cpu.device_note.text() == "No GPU found: runs on the CPU"
    assert not cpu.device.isEnabled() and not cpu.auto_layers.isEnabled() and not cpu.layers.isEnabled()
    assert cpu.load_options().gpu_layers == 0 and cpu.device_name() is None
    two = helpers.machine(8 << 30)
    two = HardwareInfo(**{**two.__dict__, "gpus": (*two.gpus, GpuDevice("CUDA1", "Second", "gpu", 4 << 30, 4 << 30))})
    widget = GpuSettingsWidget(two)
    qtbot.addWidget(widget)
    assert widget.device.isEnabled() and widget.device.count() == 2
    widget.device.setCurrentIndex(1)
    assert widget.device_name() == "CUDA1"
    again = GpuSettingsWidget(two)
    qtbot.addWidget(again)
    assert again.device_name() == "CUDA1"


def test_time_left_reads_naturally() -> None:
    assert format_time_left(None) == ""
    assert format_time_left(0.2) == "about 1 s left"
    assert format_time_left(150) == "about 3 min left"
    assert format_time_left(7500) == "about 2 h 5 min left"


@pytest.mark.slow
def test_download_and_convert_from_the_hub_ends_with_a_usable_model(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_window: Callable[..., ModelLibraryWindow]
) -> None:
    from hub_server import FakeHub, tiny_catalog_model

    tiny = tiny_catalog_model()
    with FakeHub(helpers.TINY_DIR) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
        monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        window = open_window(catalog=(tiny,))
        # On an 8 GB GPU the tiny F16 runs entirely on the GPU: the best quality that does is recommended.
        assert window.selected_catalog_entry() == (tiny, "f16"), "the file recommended for this computer"
        assert "best for this computer" in cell(window.catalog_table, 0, 0).text()
        assert window.select_catalog_entry("q4_k_m")
        progress: list[JobProgress] = []
        window.jobs.progress.connect(progress.append)
        with qtbot.waitSignal(window.jobFinished, timeout=WAIT_MS) as blocker:
            window.download_button.click()
        wait_scan(qtbot, window)
    path = blocker.args[0]
    assert path == paths.models_dir() / "tiny-ziya-Q4_K_M.gguf"
    assert {r.stage for r in progress} >= {"download", "convert"}
    selected = window.selected_model()
    assert selected is not None and selected.path == path and selected.valid
    with qtbot.waitSignal(window.useRequested) as used:
        window.use_button.click()
    assert used.args[0] == path
    assert leftovers(paths.models_dir()) == ["checkpoints"]


@pytest.mark.slow
def test_delete_asks_first_and_removes_the_file(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    open_window: Callable[..., ModelLibraryWindow],
    tiny_gguf: Callable[[str], Path],
) -> None:
    target = paths.models_dir() / "tiny.gguf"
    shutil.copy(tiny_gguf("q4_k_m"), target)
    window = open_window()
    answers = [False, True]
    asked: list[str] = []

    def confirm(model: object) -> bool:
        asked.append(str(getattr(model, "path", "")))
        return answers.pop(0)

    monkeypatch.setattr(window, "confirm_delete", confirm)
    window.select_model(target)
    window.delete_button.click()
    assert target.is_file(), "declined: nothing deleted"
    window.delete_button.click()
    wait_scan(qtbot, window)
    assert asked == [str(target), str(target)]
    assert not target.exists() and window.models == []
    assert "Deleted: tiny" in window.progress.result_label.text()
