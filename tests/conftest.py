"""Shared fixtures: the tiny Ziya-layout checkpoint, its GGUF conversions (once per outtype), llama.cpp logits, and
the real main window (``main_window`` factory, ``window``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # so plain `pytest` (not only `python -m pytest`) finds the packages
    sys.path.insert(0, str(_ROOT))

import helpers  # noqa: E402  (tests/ is on sys.path: pytest's rootdir-relative conftest import)

if TYPE_CHECKING:  # Qt is imported only by the tests that use a window, after they chose the offscreen platform
    from PySide6.QtWidgets import QApplication
    from pytestqt.qtbot import QtBot

    from ziya_desktop.ui.generation.engine_worker import EngineFactory
    from ziya_desktop.ui.shell.main_window import MainWindow

OUTTYPES = ("f32", "f16", "q8_0", "q5_k_m", "q4_k_m")


@pytest.fixture(scope="session", autouse=True)
def session_ziya_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home for session- and module-scoped fixtures too (they run outside any test's ``ziya_home``): the
    converter records its verdicts under the data folder, and that must never be the real one."""
    home = tmp_path_factory.mktemp("session_ziya_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ZIYA_HOME", str(home))
        yield home


@pytest.fixture(autouse=True)
def ziya_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every location (settings, logs, journal, models) under a fresh temporary folder, never the real home.

    It is beside the test's ``tmp_path``, not inside it: what the app records there (such as a converted file's
    verdict) must not show up among the files a test finds in its own folder."""
    home = tmp_path_factory.mktemp("ziya_home")
    monkeypatch.setenv("ZIYA_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def tiny_checkpoint() -> Path:
    """The tiny Ziya-layout checkpoint folder (two zip-format torch shards + index, tokenizer, config)."""
    path = helpers.TINY_DIR
    assert (path / "config.json").is_file(), f"fixture checkpoint missing at {path}"
    return path


@pytest.fixture(scope="session")
def reference() -> dict[str, Any]:
    """tiny_ziya_reference.json plus the transformers logits ``logits`` (one (seq, vocab) array per prompt)."""
    ref = json.loads((helpers.DATA_DIR / "tiny_ziya_reference.json").read_text(encoding="utf-8"))
    with np.load(helpers.DATA_DIR / "tiny_ziya_reference.npz") as npz:
        ref["logits"] = [np.array(npz[f"logits_{i}"]) for i in range(len(ref["prompts"]))]
    return ref


@pytest.fixture(scope="session")
def tiny_gguf(tiny_checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Factory: ``tiny_gguf(outtype)`` converts the tiny checkpoint once per outtype and returns the GGUF path."""
    from converters.hf_to_gguf import convert
    from ziya_desktop.engine.llama_api import ensure_backend

    ensure_backend()  # routes llama.cpp's (quantizer) log into logging instead of raw stderr
    out_dir = tmp_path_factory.mktemp("tiny_gguf")
    cache: dict[str, Path] = {}

    def make(outtype: str) -> Path:
        if outtype not in cache:
            path = out_dir / f"tiny-{outtype}.gguf"
            convert(tiny_checkpoint, path, outtype, threads=2)
            cache[outtype] = path
        return cache[outtype]

    return make


@pytest.fixture(scope="session")
def logits_of() -> Callable[[Path, Sequence[int]], np.ndarray]:
    """``logits_of(gguf_path, token_ids)`` → (seq, vocab) float32 logits for every position, via llama.cpp."""
    return helpers.logits_of


@pytest.fixture(scope="session")
def q4(tiny_gguf: Callable[[str], Path]) -> Path:
    """The tiny checkpoint as a Q4_K_M GGUF, the model the engine and window tests load."""
    return tiny_gguf("q4_k_m")


@pytest.fixture()
def main_window(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., MainWindow]]:
    """Factory: ``main_window(lang="en", engine_factory=None, show=True, discard_unsaved=True, load_options=None)``
    makes the real main window, registered with ``qtbot``; every window it made is closed at teardown.

    ``engine_factory`` replaces the window's :class:`Engine`; ``discard_unsaved`` answers the unsaved-changes
    question (on close, on closing a tab) with Discard instead of a modal box only a human could answer, and a test
    that answers otherwise patches ``ask_unsaved`` itself; ``load_options`` are fields of
    ``window.writing.load_options`` to change (e.g. ``{"threads": 1, "n_ctx": 256}``).
    """
    from PySide6.QtWidgets import QMessageBox

    from ziya_desktop.ui.shell.main_window import MainWindow

    made: list[MainWindow] = []

    def make(
        *,
        lang: str = "en",
        engine_factory: EngineFactory | None = None,
        show: bool = True,
        discard_unsaved: bool = True,
        load_options: Mapping[str, Any] | None = None,
    ) -> MainWindow:
        main = MainWindow(lang=lang) if engine_factory is None else MainWindow(engine_factory=engine_factory, lang=lang)
        qtbot.addWidget(main)
        made.append(main)
        if discard_unsaved:
            monkeypatch.setattr(main, "ask_unsaved", lambda _tab: QMessageBox.StandardButton.Discard)
        if load_options:
            main.writing.load_options = replace(main.writing.load_options, **load_options)
        if show:
            main.show()
        return main

    yield make
    for main in made:
        main.close()


@pytest.fixture()
def window(main_window: Callable[..., MainWindow]) -> MainWindow:
    """The real main window in English, shown, answering Discard when asked about unsaved changes; closed after."""
    return main_window()


@pytest.fixture
def chinese_ui(qapp: QApplication) -> Iterator[QApplication]:
    """The Chinese UI translation installed for one test; English again afterwards, as the other tests expect."""
    from ziya_desktop.ui.common.i18n import install_translations

    try:
        assert install_translations(qapp, "zh")
        yield qapp
    finally:
        install_translations(qapp, "en")
