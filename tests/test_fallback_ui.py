"""The real main window on a machine whose GPU load fails: the model ends up on the CPU and the window says so.

The engine sees one GPU with plenty of free memory, so its plan puts every layer there; the opener (the boundary
where llama.cpp is called) fails like a CUDA out-of-memory for any GPU layer and opens the tiny GGUF on the CPU
otherwise. The writer must be told, in the status bar and in the notice bar, that the model fell back and why.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.engine import Engine
from ziya_desktop.engine.hardware import GpuDevice, HardwareInfo
from ziya_desktop.engine.llama_api import LlamaModel, ModelParams
from ziya_desktop.errors import ModelLoadError
from ziya_desktop.ui.shell.main_window import MainWindow

pytestmark = pytest.mark.slow

WAIT_MS = 60_000
OOM = "CUDA error: out of memory"


def roomy_gpu_machine() -> HardwareInfo:
    gpu = GpuDevice("CUDA0", "Test GPU 80GB", "gpu", free_bytes=80 << 30, total_bytes=80 << 30)
    return HardwareInfo(
        gpu_offload=True,
        backend="CUDA",
        gpus=(gpu,),
        physical_cores=1,
        logical_cpus=1,
        total_ram=16 << 30,
        available_ram=8 << 30,
        cpu_features=frozenset({"AVX2"}),
        system_info="test machine",
    )


@pytest.fixture()
def attempts() -> list[int]:
    return []


@pytest.fixture()
def window(main_window: Callable[..., MainWindow], attempts: list[int]) -> MainWindow:
    def opener(path: Path, params: ModelParams, progress: Callable[[float], bool] | None) -> LlamaModel:
        attempts.append(params.n_gpu_layers)
        if params.n_gpu_layers > 0:
            raise ModelLoadError(f"{OOM} ({params.n_gpu_layers} layers)")
        return LlamaModel(path, params, progress)

    return main_window(engine_factory=lambda: Engine(opener=opener, hardware=roomy_gpu_machine))


def test_gpu_failure_falls_back_to_cpu_and_the_window_says_why(
    qtbot: QtBot, window: MainWindow, attempts: list[int], tiny_gguf: Callable[[str], Path]
) -> None:
    model = tiny_gguf("q4_k_m")
    window.writing.load_options = replace(window.writing.load_options, threads=1, n_ctx=256)
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS) as blocker:
        window.writing.load_model(model)
    report = blocker.args[0]

    # The plan put both layers and the output layer on the roomy GPU; every GPU attempt failed, the CPU one held.
    assert attempts[0] == 3 and attempts[-1] == 0
    assert all(n > 0 for n in attempts[:-1])
    assert report.fell_back and report.plan.n_gpu_layers == 0 and report.plan.backend == "CPU"

    label = window.status.model_label.text()
    assert label.startswith(model.stem)
    assert "CPU" in label
    assert "GPU load failed at 3 layers" in label and OOM in label

    notice = window.notice.text()
    assert window.notice.isVisible()
    assert "could not load the model, so it runs on the CPU" in notice
    assert OOM in notice and "CPU" in notice
    assert window.writing.report is report


def test_a_plain_cpu_load_states_no_fallback(
    qtbot: QtBot, main_window: Callable[..., MainWindow], tiny_gguf: Callable[[str], Path]
) -> None:
    """The counter-check: without a GPU the same window loads on the CPU and shows no fallback notice."""
    cpu_only = replace(roomy_gpu_machine(), gpu_offload=False, backend="CPU", gpus=())
    main = main_window(
        engine_factory=lambda: Engine(hardware=lambda: cpu_only), show=False, load_options={"threads": 1, "n_ctx": 256}
    )
    with qtbot.waitSignal(main.engine.loaded, timeout=WAIT_MS):
        main.writing.load_model(tiny_gguf("q4_k_m"))
    assert main.status.model_label.text().endswith("· CPU")
    assert "failed" not in main.status.model_label.text()
    assert main.notice.text() == ""
    main.close()
