"""A first start without any model: the editor area says what the app needs and offers the three ways to get it;
the notices and the Model menu tell the truth about the model; a notice belongs to one command."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from ziya_desktop import paths
from ziya_desktop.ui.shell.main_window import MainWindow

WAIT_MS = 120_000


def _load(qtbot: QtBot, window: MainWindow, model: Path) -> None:
    window.writing.load_options = replace(window.writing.load_options, threads=1)
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS):
        window.writing.load_model(model)


def test_a_first_start_shows_what_the_app_needs(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, main_window: Callable[..., MainWindow]
) -> None:
    window = main_window(lang="en")
    assert window.offer_first_run()
    page = window.first_run
    assert window.editor_area.currentWidget() is page and page.isVisible() and not window.tabs.isVisible()
    assert "needs a writing model" in page.heading.text() and "Ziya-Writing-LLaMa-13B" in page.body.text()
    # The three ways to a model, each opening the model library where it does that.
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (asked.append("gguf"), ("", ""))[1])
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: (asked.append("folder"), "")[1])
    page.import_gguf_button.click()
    page.import_checkpoint_button.click()
    assert asked == ["gguf", "folder"]
    library = window.library_window
    assert library is not None and library.isVisible()
    library.hide()
    page.download_button.click()
    assert library.isVisible()
    library.hide()
    # Writing without a model: the documents take the area, and the page is not offered again.
    page.dismiss_button.click()
    assert window.editor_area.currentWidget() is window.tabs and window.tabs.isVisible()
    assert not main_window(lang="en").offer_first_run()


def test_the_page_says_it_in_chinese(main_window: Callable[..., MainWindow], chinese_ui: object) -> None:
    window = main_window(lang="zh")
    assert window.offer_first_run()
    assert window.first_run.heading.text() == "Ziya Desktop 需要一个写作模型"
    assert window.first_run.download_button.text() == "下载并转换 Ziya-Writing…"


def test_a_model_in_the_library_or_loaded_means_no_page(
    qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path
) -> None:
    window = main_window(lang="en")
    assert window.offer_first_run()
    _load(qtbot, window, q4)
    assert window.editor_area.currentWidget() is window.tabs, "a model loaded closes the page"
    shutil.copy(q4, paths.models_dir() / "ziya-tiny.gguf")
    assert not main_window(lang="en").offer_first_run()


def test_opening_a_document_closes_the_page(main_window: Callable[..., MainWindow], tmp_path: Path) -> None:
    window = main_window(lang="en")
    assert window.offer_first_run()
    note = tmp_path / "note.md"
    note.write_text("A note.\n", encoding="utf-8")
    assert window.files.open_path(note) is not None
    assert window.editor_area.currentWidget() is window.tabs


def test_the_model_menu_and_the_no_model_notice_follow_the_model(
    qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path
) -> None:
    window = main_window(lang="en")
    unload = window.menu_actions.models.unload_model
    assert not unload.isEnabled(), "nothing to unload"
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("各位同事：")
    window.writing.continue_writing()
    assert window.notice.text().startswith("No model is loaded")
    _load(qtbot, window, q4)
    assert unload.isEnabled()
    assert not window.notice.text().startswith("No model is loaded"), "no longer true once a model is loaded"
    with qtbot.waitSignal(window.engine.unloaded, timeout=WAIT_MS):
        unload.trigger()
    assert not unload.isEnabled()


def test_a_notice_belongs_to_one_command(main_window: Callable[..., MainWindow], tmp_path: Path) -> None:
    window = main_window(lang="en")
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("Text.")
    assert not window.files.export_to(tab, tmp_path / "out.odt")  # an export the app cannot make
    assert "not supported" in window.notice.text()
    assert window.files.save_to(tab, tmp_path / "saved.md")  # the next command
    assert not window.notice.isVisible()
