"""The window's own actions: closing and quitting, the edit commands, and the View menu (zoom, panels, theme,
language).

They bind to the window's commands, which :class:`ViewTargets` names, so this module imports no window. Their texts
keep the translation context of the window's actions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QMetaObject, QObject
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QPlainTextEdit, QTabWidget, QTextEdit, QWidget

from ziya_desktop.ui.common.action_collection import make_action, set_texts
from ziya_desktop.ui.common.i18n import UiLanguage
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.shell.themes import Theme

_Key = QKeySequence.StandardKey
# What Cut, Copy, Paste and Select All act on: a text field of the window, or the document's editor.
TextWidget = QLineEdit | QPlainTextEdit | QTextEdit
# A theme or a language: the View menu's exclusive choices.
_Choice = TypeVar("_Choice", Theme, UiLanguage)


class ViewTargets(Protocol):
    """The window's commands that its own actions call, and its documents (the edit commands' target: the current
    one)."""

    tabs: QTabWidget

    def current_tab(self) -> DocumentTab | None: ...
    def close_current_tab(self) -> None: ...
    def undo(self) -> None: ...
    def redo(self) -> None: ...
    def show_find(self) -> None: ...
    def show_replace(self) -> None: ...
    def zoom(self, step: int) -> None: ...
    def toggle_preview(self) -> None: ...
    def toggle_templates(self) -> None: ...
    def set_theme(self, theme: Theme) -> None: ...
    def set_language(self, language: UiLanguage) -> None: ...


class WindowLevelActions:
    """Close the current document, quit the window."""

    def __init__(self, window: QMainWindow, targets: ViewTargets) -> None:
        self.close_tab = make_action(window, targets.close_current_tab, _Key.Close)
        self.quit = make_action(window, window.close, _Key.Quit)
        self.retranslate()

    def retranslate(self) -> None:
        set_texts(self.close_tab, QCoreApplication.translate("WindowActions", "&Close"))
        set_texts(self.quit, QCoreApplication.translate("WindowActions", "&Quit"))


class EditActions(QObject):
    """The Edit menu: undo, redo, cut, copy, paste, select all, find and replace.

    Undo, redo, find and replace act on the current document. Cut, copy, paste and select all act on the window's
    text field that has the keyboard focus (a line edit, a form's text box, the preview), else on the current
    document's editor (:meth:`text_target`). A focused field takes their standard keys itself, so the actions run
    from the menu, or by their keys while the focus is elsewhere (the tab bar, a panel's button). Cut is enabled
    with a selection in editable text, copy with any selection, paste with text on the clipboard and editable text,
    select all with any target; :meth:`update_states` follows the focus, the selection and the clipboard.
    """

    def __init__(self, window: QMainWindow, targets: ViewTargets) -> None:
        super().__init__(window)
        self._window = window
        self._targets = targets
        self._watched: QMetaObject.Connection | None = None
        self._watched_widget: TextWidget | None = None
        self.undo = make_action(window, targets.undo, _Key.Undo)
        self.redo = make_action(window, targets.redo, _Key.Redo)
        self.cut = make_action(window, lambda: self._apply(lambda text: text.cut()), _Key.Cut, name="actionCut")
        self.copy = make_action(window, lambda: self._apply(lambda text: text.copy()), _Key.Copy, name="actionCopy")
        self.paste = make_action(window, lambda: self._apply(lambda text: text.paste()), _Key.Paste, name="actionPaste")
        self.select_all = make_action(
            window, lambda: self._apply(lambda text: text.selectAll()), _Key.SelectAll, name="actionSelectAll"
        )
        self.find = make_action(window, targets.show_find, _Key.Find)
        self.replace = make_action(window, targets.show_replace, "Ctrl+H")
        clipboard = QGuiApplication.clipboard()
        self._clipboard_has_text = bool(clipboard.text())
        # Read once per clipboard change, not per selection change: asking another program for the clipboard
        # can take a while.
        clipboard.dataChanged.connect(self._clipboard_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
        targets.tabs.currentChanged.connect(self._tab_changed)
        self.retranslate()
        self.update_states()

    def retranslate(self) -> None:
        set_texts(self.undo, QCoreApplication.translate("WindowActions", "&Undo"))
        set_texts(self.redo, QCoreApplication.translate("WindowActions", "&Redo"))
        set_texts(self.cut, QCoreApplication.translate("WindowActions", "Cu&t"))
        set_texts(self.copy, QCoreApplication.translate("WindowActions", "&Copy"))
        set_texts(self.paste, QCoreApplication.translate("WindowActions", "&Paste"))
        set_texts(self.select_all, QCoreApplication.translate("WindowActions", "Select &All"))
        set_texts(self.find, QCoreApplication.translate("WindowActions", "&Find…"))
        set_texts(self.replace, QCoreApplication.translate("WindowActions", "&Replace…"))

    def text_target(self) -> TextWidget | None:
        """The text cut, copy, paste and select all act on: the window's focused text field, else the current
        document's editor (None without a document)."""
        focused = QApplication.focusWidget()
        if isinstance(focused, QLineEdit | QPlainTextEdit | QTextEdit) and focused.window() is self._window:
            return focused
        tab = self._targets.current_tab()
        return tab.editor if tab is not None else None

    def update_states(self) -> None:
        """Enable cut, copy, paste and select all for what :meth:`text_target` holds now."""
        if not shiboken6.isValid(self._window):
            return  # the window is being torn down, child by child (the focus moves on the way)
        target = self.text_target()
        self._watch(target)
        selected = target is not None and _has_selection(target)
        editable = target is not None and not target.isReadOnly()
        self.cut.setEnabled(selected and editable)
        self.copy.setEnabled(selected)
        self.paste.setEnabled(editable and self._clipboard_has_text)
        self.select_all.setEnabled(target is not None)

    def _apply(self, command: Callable[[TextWidget], object]) -> None:
        target = self.text_target()
        if target is not None:
            command(target)
        self.update_states()

    def _watch(self, target: TextWidget | None) -> None:
        """Follow the selection of ``target`` (only: the one the actions act on)."""
        if target is self._watched_widget:
            return
        if self._watched is not None:
            QObject.disconnect(self._watched)  # a no-op when the widget is already gone
        self._watched_widget = target
        self._watched = target.selectionChanged.connect(self.update_states) if target is not None else None

    def _focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        self.update_states()

    def _tab_changed(self, _index: int) -> None:
        self.update_states()

    def _clipboard_changed(self) -> None:
        self._clipboard_has_text = bool(QGuiApplication.clipboard().text())
        self.update_states()


def _has_selection(target: TextWidget) -> bool:
    return target.hasSelectedText() if isinstance(target, QLineEdit) else target.textCursor().hasSelection()


class ViewActions:
    """The View menu: zoom, the templates panel and the preview (checked while shown), one checkable action per
    theme and per UI language (``themes``, ``languages``; each an exclusive group)."""

    def __init__(self, window: QMainWindow, targets: ViewTargets) -> None:
        self.zoom_in = make_action(window, lambda: targets.zoom(+1), _Key.ZoomIn)
        self.zoom_out = make_action(window, lambda: targets.zoom(-1), _Key.ZoomOut)
        self.zoom_reset = make_action(window, lambda: targets.zoom(0), "Ctrl+0")
        self.templates_panel = make_action(window, targets.toggle_templates, "F9")
        self.templates_panel.setCheckable(True)
        self.preview = make_action(window, targets.toggle_preview, "Ctrl+Shift+M")
        self.preview.setCheckable(True)
        self.themes = _choice_actions(window, list(Theme), targets.set_theme)
        self.languages = _choice_actions(window, list(UiLanguage), targets.set_language)
        self.retranslate()

    def retranslate(self) -> None:
        set_texts(self.zoom_in, QCoreApplication.translate("WindowActions", "Zoom &In"))
        set_texts(self.zoom_out, QCoreApplication.translate("WindowActions", "Zoom &Out"))
        set_texts(self.zoom_reset, QCoreApplication.translate("WindowActions", "&Actual Size"))
        set_texts(self.preview, QCoreApplication.translate("WindowActions", "Markdown &Preview"))
        set_texts(self.templates_panel, QCoreApplication.translate("WindowActions", "&Templates Panel"))
        for theme, label in _theme_labels().items():
            self.themes[theme].setText(label)
        for language, label in _language_labels().items():
            self.languages[language].setText(label)


def _theme_labels() -> dict[Theme, str]:
    return {
        Theme.SYSTEM: QCoreApplication.translate("WindowActions", "Follow System"),
        Theme.LIGHT: QCoreApplication.translate("WindowActions", "Light"),
        Theme.DARK: QCoreApplication.translate("WindowActions", "Dark"),
    }


def _language_labels() -> dict[UiLanguage, str]:
    # Each language is named in itself, so a writer finds their own in a UI they cannot read.
    return {
        UiLanguage.SYSTEM: QCoreApplication.translate("WindowActions", "Follow System"),
        UiLanguage.CHINESE: "中文",
        UiLanguage.ENGLISH: "English",
    }


def _choice_actions(
    window: QMainWindow, choices: Sequence[_Choice], choose: Callable[[_Choice], object]
) -> dict[_Choice, QAction]:
    """One checkable action per choice, exclusive like radio buttons; triggering one calls ``choose`` with it."""
    group = QActionGroup(window)
    actions: dict[_Choice, QAction] = {}
    for choice in choices:
        action = make_action(window, partial(choose, choice))
        action.setCheckable(True)
        group.addAction(action)
        actions[choice] = action
    return actions
