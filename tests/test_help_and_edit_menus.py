"""The menus a writer expects, through the real window: Edit's Cut, Copy, Paste and Select All on the focused text
(the document, or a field), with enabled states that follow the selection and the clipboard; the Help menu's
keyboard shortcuts (read from the actions), model licence and About (versions and folders)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import importlib.metadata
import platform
from collections.abc import Callable, Iterator
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QCoreApplication, Qt, QUrl, qVersion
from PySide6.QtGui import QClipboard, QDesktopServices, QGuiApplication, QKeySequence, QTextCursor
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from ziya_desktop import paths
from ziya_desktop.models.catalog import load_catalog
from ziya_desktop.ui.common.i18n import UiLanguage, install_translations
from ziya_desktop.ui.generation.action_labels import plain_label
from ziya_desktop.ui.shell.about_dialog import AboutDialog
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.ui.shell.shortcuts_dialog import ShortcutRow

_Key = QKeySequence.StandardKey
NATIVE = QKeySequence.SequenceFormat.NativeText


@pytest.fixture()
def clipboard(qapp: QApplication) -> Iterator[QClipboard]:
    """The clipboard, empty at the start and emptied again after the test."""
    board = QGuiApplication.clipboard()
    board.clear()
    yield board
    board.clear()


def _editor_text(window: MainWindow, text: str) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText(text)


def _states(window: MainWindow) -> dict[str, bool]:
    edit = window.menu_actions.edit
    return {
        "cut": edit.cut.isEnabled(),
        "copy": edit.copy.isEnabled(),
        "paste": edit.paste.isEnabled(),
        "select all": edit.select_all.isEnabled(),
    }


# -- Edit --------------------------------------------------------------------------------------------------------


def test_the_edit_menu_has_cut_copy_paste_and_select_all_with_the_standard_keys(window: MainWindow) -> None:
    a = window.menu_actions
    edit = a.edit
    menu = a.menus["edit"].actions()
    for action, key in ((edit.cut, _Key.Cut), (edit.copy, _Key.Copy), (edit.paste, _Key.Paste)):
        assert action in menu
        assert action.shortcut() == QKeySequence(key)
    assert edit.select_all in menu and edit.select_all.shortcut() == QKeySequence(_Key.SelectAll)
    assert [plain_label(x.text()) for x in (edit.cut, edit.copy, edit.paste, edit.select_all)] == [
        "Cut",
        "Copy",
        "Paste",
        "Select All",
    ]
    # Between undo/redo and find/replace, in the usual order.
    order = [menu.index(x) for x in (edit.redo, edit.cut, edit.copy, edit.paste, edit.select_all, edit.find)]
    assert order == sorted(order)


def test_cut_copy_paste_and_select_all_on_the_document(qtbot: QtBot, window: MainWindow, clipboard: QClipboard) -> None:
    edit = window.menu_actions.edit
    tab = window.current_tab()
    assert tab is not None
    _editor_text(window, "各位同事：请按时参会。")
    assert edit.text_target() is tab.editor
    assert _states(window) == {"cut": False, "copy": False, "paste": False, "select all": True}

    edit.select_all.trigger()
    assert tab.editor.textCursor().selectedText() == "各位同事：请按时参会。"
    assert _states(window)["cut"] and _states(window)["copy"]

    edit.copy.trigger()
    assert clipboard.text() == "各位同事：请按时参会。"
    qtbot.waitUntil(lambda: edit.paste.isEnabled(), timeout=2000)

    cursor = tab.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    tab.editor.setTextCursor(cursor)
    assert not edit.copy.isEnabled() and not edit.cut.isEnabled(), "no selection any more"
    edit.paste.trigger()
    assert tab.text() == "各位同事：请按时参会。" * 2

    cursor.setPosition(0)
    cursor.setPosition(5, QTextCursor.MoveMode.KeepAnchor)
    tab.editor.setTextCursor(cursor)
    assert edit.cut.isEnabled()
    edit.cut.trigger()
    assert clipboard.text() == "各位同事："
    assert tab.text() == "请按时参会。各位同事：请按时参会。"
    assert tab.modified

    clipboard.clear()
    qtbot.waitUntil(lambda: not edit.paste.isEnabled(), timeout=2000)
    edit.paste.trigger()  # a disabled action does nothing
    assert tab.text() == "请按时参会。各位同事：请按时参会。"


def test_a_read_only_document_can_be_copied_but_not_cut_or_pasted_into(
    qtbot: QtBot, window: MainWindow, clipboard: QClipboard
) -> None:
    edit = window.menu_actions.edit
    tab = window.current_tab()
    assert tab is not None
    _editor_text(window, "Dear Ms Li,")
    clipboard.setText("pasted")
    tab.editor.setReadOnly(True)
    edit.select_all.trigger()
    assert _states(window) == {"cut": False, "copy": True, "paste": False, "select all": True}
    edit.copy.trigger()
    assert clipboard.text() == "Dear Ms Li,"


def test_the_edit_actions_act_on_the_focused_field_not_the_document(
    qtbot: QtBot, window: MainWindow, clipboard: QClipboard
) -> None:
    edit = window.menu_actions.edit
    tab = window.current_tab()
    assert tab is not None
    _editor_text(window, "the document")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    search = window.templates.search_edit
    assert isinstance(search, QLineEdit)
    search.setText("通知")
    search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search, timeout=2000)
    assert edit.text_target() is search
    assert not edit.copy.isEnabled(), "the field has no selection, whatever the document has"

    edit.select_all.trigger()
    assert search.selectedText() == "通知"
    assert edit.copy.isEnabled() and edit.cut.isEnabled()
    edit.copy.trigger()
    assert clipboard.text() == "通知"
    edit.cut.trigger()
    assert search.text() == "" and clipboard.text() == "通知"
    edit.paste.trigger()
    assert search.text() == "通知"
    assert tab.text() == "the document" and not tab.editor.textCursor().hasSelection()


# -- Help --------------------------------------------------------------------------------------------------------


def test_the_help_menu_has_shortcuts_licence_and_about(window: MainWindow) -> None:
    a = window.menu_actions
    bar_menus = [action.menu() for action in window.menuBar().actions()]
    assert bar_menus[-1] is a.menus["help"], "Help is the last menu"
    assert plain_label(a.menus["help"].title()) == "Help"
    shown = [plain_label(x.text()) for x in a.menus["help"].actions() if not x.isSeparator()]
    assert shown == ["Keyboard Shortcuts", "Model Licence", "About Ziya Desktop"]


def test_the_shortcuts_dialog_lists_the_actions_keys_and_names(qtbot: QtBot, window: MainWindow) -> None:
    a = window.menu_actions
    a.help.shortcuts.trigger()
    dialog = a.help.shortcuts_dialog
    assert dialog is not None and dialog.isVisible()
    rows = dialog.rows()
    assert ShortcutRow("Writing", "Generate", QKeySequence("Ctrl+Return").toString(NATIVE)) in rows
    assert ShortcutRow("Writing", "Stop", QKeySequence("Esc").toString(NATIVE)) in rows
    assert ShortcutRow("Edit", "Copy", QKeySequence(_Key.Copy).toString(NATIVE)) in rows
    assert ShortcutRow("View", "Templates Panel", "F9") in rows
    # Every action of the menus with a shortcut is listed, and nothing else.
    with_keys = {
        plain_label(x.text()).rstrip("…")
        for menu in a.menus.values()
        for x in menu.actions()
        if not x.shortcut().isEmpty() and x.menu() is None
    }
    assert {row.command for row in rows} == with_keys
    # The list shows them: one group per menu, one line per command.
    shown = {
        dialog.tree.topLevelItem(i).child(j).text(0): dialog.tree.topLevelItem(i).child(j).text(1)
        for i in range(dialog.tree.topLevelItemCount())
        for j in range(dialog.tree.topLevelItem(i).childCount())
    }
    assert shown["Generate"] == QKeySequence("Ctrl+Return").toString(NATIVE)

    # Read from the actions each time: a changed shortcut is listed as it is now.
    a.writing.generate.setShortcut(QKeySequence("F5"))
    dialog.close()
    a.help.shortcuts.trigger()
    assert ShortcutRow("Writing", "Generate", "F5") in dialog.rows()
    assert dialog.tree.findItems("F5", Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly, 1)

    # Esc closes it, as a dialog should.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_shortcuts_dialog_names_the_actions_in_chinese(
    qtbot: QtBot, qapp: QApplication, main_window: Callable[..., MainWindow]
) -> None:
    try:
        assert install_translations(qapp, "zh")
        window = main_window(lang="zh")
        dialog = window.menu_actions.help.show_shortcuts()
        generate = plain_label(QCoreApplication.translate("WindowActions", "&Generate"))
        assert generate == "生成"
        writing = plain_label(window.menu_actions.menus["writing"].title())
        assert ShortcutRow(writing, generate, "Ctrl+Return") in _portable(dialog.rows())
        assert dialog.windowTitle() == "键盘快捷键"
    finally:
        install_translations(qapp, "en")


def test_the_licence_dialog_says_non_commercial_and_where_the_terms_are(qtbot: QtBot, window: MainWindow) -> None:
    a = window.menu_actions
    a.help.licence.trigger()
    dialog = a.help.licence_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.text.text()
    (model,) = load_catalog()
    assert model.name in text and model.license_note in text, "the catalog's own licence note"
    assert "non-commercial" in text and "LLaMA-1" in text
    assert f'href="https://huggingface.co/{model.repo_id}"' in text
    assert "facebookresearch/llama" in text
    assert dialog.text.openExternalLinks()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_about_shows_the_versions_and_the_folders(
    qtbot: QtBot, window: MainWindow, clipboard: QClipboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = window.menu_actions
    a.help.about.trigger()
    dialog = a.help.about_dialog
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.version_values["llama.cpp"].text() != "…", timeout=30_000)
    shown = {name: label.text() for name, label in dialog.version_values.items()}
    assert shown["Ziya Desktop"] == importlib.metadata.version("ziya-desktop")
    assert shown["llama-cpp-python"] == importlib.metadata.version("llama_cpp_python")
    assert shown["Qt"] == qVersion()
    assert shown["PySide6"] == PySide6.__version__
    assert shown["Python"].startswith(platform.python_version())
    assert "CPU" in shown["llama.cpp"], "llama.cpp's system info names its CPU backend"
    assert importlib.metadata.version("ziya-desktop") in dialog.heading.text()

    expected = {
        "data": paths.data_dir(),
        "models": paths.models_dir(),
        "templates": paths.templates_dir(),
        "logs": paths.log_dir(),
        "journal": paths.journal_dir(),
        "settings": paths.settings_path(),
    }
    assert {key: field.text() for key, field in dialog.path_fields.items()} == {
        key: str(path) for key, path in expected.items()
    }
    assert all(field.isReadOnly() for field in dialog.path_fields.values())

    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    dialog.open_buttons["logs"].click()
    dialog.open_buttons["settings"].click()
    assert [Path(url.toLocalFile()) for url in opened] == [paths.log_dir(), paths.config_dir()]

    dialog.copy_button.click()
    copied = clipboard.text()
    assert str(paths.journal_dir()) in copied and qVersion() in copied and shown["llama.cpp"] in copied

    # Close and Esc both close it; asked again, it comes back.
    dialog.buttons.button(dialog.buttons.StandardButton.Close).click()
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    a.help.about.trigger()
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_help_dialogs_follow_a_language_switch(
    qtbot: QtBot, qapp: QApplication, main_window: Callable[..., MainWindow]
) -> None:
    window = main_window(lang="en")
    help_actions = window.menu_actions.help
    shortcuts, licence, about = help_actions.show_shortcuts(), help_actions.show_licence(), help_actions.show_about()
    try:
        window.menu_actions.view.languages[UiLanguage.CHINESE].trigger()
        qtbot.waitUntil(lambda: shortcuts.windowTitle() == "键盘快捷键", timeout=5000)
        # The list is made again after the actions took their Chinese names.
        qtbot.waitUntil(lambda: ShortcutRow("写作", "生成", "Ctrl+Return") in _portable(shortcuts.rows()), timeout=5000)
        assert shortcuts.tree.topLevelItem(0).text(0) == "文件"
        assert licence.windowTitle() == "模型许可" and "非商业" in licence.text.text()
        assert about.windowTitle() == "关于 Ziya Desktop" and about.open_buttons["logs"].text() == "打开文件夹"
        assert plain_label(window.menu_actions.menus["help"].title()) == "帮助"
    finally:
        install_translations(qapp, "en")


def _portable(rows: list[ShortcutRow]) -> list[ShortcutRow]:
    return [
        ShortcutRow(r.menu, r.command, QKeySequence(r.keys).toString(QKeySequence.SequenceFormat.PortableText))
        for r in rows
    ]
