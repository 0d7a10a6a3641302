"""The main window's editor commands without a model: files, recent list, unsaved prompts, zoom, themes, preview,
find, and the no-model explanation (the language: test_language_switch.py)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.editor.document_tab import DEFAULT_POINT_SIZE, DocumentTab
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.ui.shell.themes import Theme, is_dark


@pytest.fixture()
def answers() -> list[QMessageBox.StandardButton]:
    """What the unsaved-changes question answers, in order (Discard once the list is empty)."""
    return []


@pytest.fixture()
def window(
    main_window: Callable[..., MainWindow],
    monkeypatch: pytest.MonkeyPatch,
    answers: list[QMessageBox.StandardButton],
) -> Iterator[MainWindow]:
    main = main_window(discard_unsaved=False)
    asked: list[str] = []

    def ask(tab: DocumentTab) -> QMessageBox.StandardButton:
        asked.append(tab.display_name())
        return answers.pop(0) if answers else QMessageBox.StandardButton.Discard

    monkeypatch.setattr(main, "ask_unsaved", ask)
    main.asked = asked  # type: ignore[attr-defined]
    yield main
    answers.clear()  # the shared fixture closes the window next, and that must not be refused


def test_save_open_and_recent_files(window: MainWindow, tmp_path: Path) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("# 标题\n\n正文 text")
    target = tmp_path / "doc"
    assert window.files.save_to(tab, target)
    saved = tmp_path / "doc.md"  # a name without a suffix is saved as Markdown
    assert saved.read_text(encoding="utf-8") == "# 标题\n\n正文 text"
    assert tab.display_name() == "doc.md" and not tab.modified
    assert window.files.recent() == [saved]
    menu = window.menu_actions.recent_menu
    assert menu is not None and [a.text() for a in menu.actions()] == [str(saved)]

    other = tmp_path / "other.txt"
    other.write_bytes("第二\r\n行".encode())
    window.new_document()
    opened = window.files.open_path(other)
    assert opened is not None and opened.text() == "第二\n行" and opened.newline == "\r\n"
    assert window.files.recent()[:2] == [other, saved]
    opened.editor.appendPlainText("新")
    assert window.files.save(opened)
    assert other.read_bytes() == "第二\r\n行\r\n新".encode()  # the file's own line endings are kept


def test_opening_a_broken_file_explains_and_opens_nothing(window: MainWindow, tmp_path: Path) -> None:
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("中文".encode("gbk"))
    assert window.files.open_path(bad) is None
    assert "UTF-8" in window.notice.text()
    assert window.tabs.count() == 1


def test_unsaved_changes_cancel_keeps_the_window_open(
    qtbot: QtBot, window: MainWindow, answers: list[QMessageBox.StandardButton]
) -> None:
    tab = window.current_tab()
    assert tab is not None
    qtbot.keyClicks(tab.editor, "draft")
    answers.append(QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert window.isVisible()
    assert window.asked == ["Untitled 1"]  # type: ignore[attr-defined]
    assert tab.text() == "draft"


def test_closing_a_modified_tab_can_save_it(
    window: MainWindow, answers: list[QMessageBox.StandardButton], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("keep me")
    target = tmp_path / "kept.md"
    monkeypatch.setattr(window.files, "save_as", lambda t: window.files.save_to(t, target))
    answers.append(QMessageBox.StandardButton.Save)
    assert window.close_tab_at(0)
    assert target.read_text(encoding="utf-8") == "keep me"
    assert window.tabs.count() == 1  # a fresh document replaces the last one closed


def test_zoom_is_applied_and_remembered(window: MainWindow) -> None:
    tab = window.current_tab()
    assert tab is not None
    window.menu_actions.view.zoom_in.trigger()
    window.menu_actions.view.zoom_in.trigger()
    assert tab.point_size() == DEFAULT_POINT_SIZE + 2
    assert window.new_document().point_size() == DEFAULT_POINT_SIZE + 2
    assert settings().value("editor/point_size") == DEFAULT_POINT_SIZE + 2
    window.menu_actions.view.zoom_reset.trigger()
    assert tab.point_size() == DEFAULT_POINT_SIZE


def test_dark_and_light_themes(qtbot: QtBot, window: MainWindow) -> None:
    window.set_theme(Theme.DARK)
    qtbot.waitUntil(lambda: is_dark(window.palette()))
    window.set_theme(Theme.LIGHT)
    qtbot.waitUntil(lambda: not is_dark(window.palette()))
    assert settings().value("ui/theme") == "light"
    window.set_theme(Theme.SYSTEM)


def test_markdown_preview_and_find_bar(qtbot: QtBot, window: MainWindow) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("# 关于召开会议的通知\n\n- **第一**点\n- 第二点")
    window.menu_actions.view.preview.trigger()
    assert window.preview_dock.isVisible()

    def heading_rendered() -> bool:
        # The Markdown title is shown as a level-1 heading, without its "#" (the raw text would show "# 关于…").
        first = window.preview_view.document().firstBlock()
        return first.text() == "关于召开会议的通知" and first.blockFormat().headingLevel() == 1

    qtbot.waitUntil(heading_rendered)
    assert "第一点" in window.preview_view.toPlainText().replace("\n", "")
    assert "**" not in window.preview_view.toPlainText()
    # The preview reads Markdown as the exports do: a writer's "<b>" is text, not markup.
    tab.editor.setPlainText("# 标题 {重要}\n\n<b>粗</b>")
    window.refresh_preview()
    assert "<b>粗</b>" in window.preview_view.toPlainText()
    assert "{重要}" in window.preview_view.toPlainText()
    window.menu_actions.edit.find.trigger()
    assert tab.find_bar.isVisible()


def test_generate_commands_without_a_model_explain_how_to_get_one(qtbot: QtBot, window: MainWindow) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("Some text to polish.")
    tab.editor.selectAll()
    window.menu_actions.writing.rewrite[next(iter(window.menu_actions.writing.rewrite))].trigger()
    assert "No model is loaded" in window.notice.text()
    assert "ziya-convert" in window.notice.text()
    window.notice.action_button.click()  # "Model Library…"
    library = window.library_window
    assert library is not None and library.isVisible()
    assert window.menu_actions.models.model_library.shortcut().toString() == "Ctrl+Shift+L"
    window.menu_actions.writing.regenerate.trigger()
    assert "Nothing to regenerate" in window.notice.text()
    assert tab.text() == "Some text to polish."
