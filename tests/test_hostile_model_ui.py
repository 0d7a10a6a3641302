"""The real main window asked to load model files that make llama.cpp abort: each is refused, the window stays up.

The files under tests/data/hostile_gguf each carry one defect that took the whole process down before the load gate
existed (see the script there). They are loaded the way a writer loads a model, through the window's engine
worker; the window must say why the file was refused and then load a good model as if nothing had happened. The
second test takes the static gate away, so that only the trial load in a child process stands between the
abort and the window.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ziya_desktop.engine import engine as engine_module
from ziya_desktop.engine import model_info, trial_load
from ziya_desktop.ui.shell.main_window import MainWindow

pytestmark = pytest.mark.slow

WAIT_MS = 120_000
HOSTILE = Path(__file__).resolve().parent / "data" / "hostile_gguf"
ABORTING = ("duplicate-token", "tokenizer-bert", "tokenizer-none", "one-token")
ALL_HOSTILE = (*ABORTING, "empty-token", "block-count-2e26", "block-count-2e40")


@pytest.fixture()
def window(main_window: Callable[..., MainWindow]) -> MainWindow:
    return main_window(load_options={"threads": 1, "n_ctx": 256})


def _refused(qtbot: QtBot, window: MainWindow, path: Path) -> str:
    with qtbot.waitSignal(window.engine.loadFailed, timeout=WAIT_MS) as blocker:
        window.writing.load_model(path)
    message = str(blocker.args[0])
    assert path.name in message
    assert window.isVisible()
    assert path.name in window.notice.text()
    return message


def _loads(qtbot: QtBot, window: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS):
        window.writing.load_model(path)
    assert window.status.model_label.text().startswith(path.stem)


@pytest.mark.parametrize("name", ALL_HOSTILE)
def test_each_hostile_model_is_refused_and_a_good_one_loads_after(
    qtbot: QtBot, window: MainWindow, tiny_gguf: Callable[[str], Path], name: str
) -> None:
    _refused(qtbot, window, HOSTILE / f"{name}.gguf")
    _loads(qtbot, window, tiny_gguf("q4_k_m"))


@pytest.mark.parametrize("name", ABORTING)
def test_without_the_static_gate_the_trial_load_keeps_the_window_up(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
) -> None:
    # A file the gate does not know how to refuse: only the header check runs before the trial.
    monkeypatch.setattr(engine_module, "gate_model", model_info.inspect_model)
    copy = tmp_path / f"{name}.gguf"  # a fresh path: no remembered verdict
    copy.write_bytes((HOSTILE / f"{name}.gguf").read_bytes())
    before = trial_load.children_started()
    message = _refused(qtbot, window, copy)
    assert "llama.cpp rejected the file" in message
    assert trial_load.children_started() == before + 1
    _loads(qtbot, window, HOSTILE / "control.gguf")
