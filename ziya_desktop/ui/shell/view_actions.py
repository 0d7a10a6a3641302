"""The window's own actions: closing and quitting, the current document's edit commands, and the View menu (zoom,
panels, theme, language).

They bind to the window's commands, which :class:`ViewTargets` names, so this module imports no window. Their texts
keep the translation context of the window's actions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol, TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow

from ziya_desktop.ui.common.action_collection import make_action, set_texts
from ziya_desktop.ui.common.i18n import UiLanguage
from ziya_desktop.ui.shell.themes import Theme

_Key = QKeySequence.StandardKey
# A theme or a language: the View menu's exclusive choices.
_Choice = TypeVar("_Choice", Theme, UiLanguage)


class ViewTargets(Protocol):
    """The window's commands that its own actions call."""

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


class EditActions:
    """The Edit menu: undo, redo, find and replace in the current document."""

    def __init__(self, window: QMainWindow, targets: ViewTargets) -> None:
        self.undo = make_action(window, targets.undo, _Key.Undo)
        self.redo = make_action(window, targets.redo, _Key.Redo)
        self.find = make_action(window, targets.show_find, _Key.Find)
        self.replace = make_action(window, targets.show_replace, "Ctrl+H")
        self.retranslate()

    def retranslate(self) -> None:
        set_texts(self.undo, QCoreApplication.translate("WindowActions", "&Undo"))
        set_texts(self.redo, QCoreApplication.translate("WindowActions", "&Redo"))
        set_texts(self.find, QCoreApplication.translate("WindowActions", "&Find…"))
        set_texts(self.replace, QCoreApplication.translate("WindowActions", "&Replace…"))


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
