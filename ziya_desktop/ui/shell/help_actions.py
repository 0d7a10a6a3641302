"""The Help menu's actions: the keyboard shortcuts, the model's licence and About Ziya Desktop.

Each opens its dialog (:mod:`ziya_desktop.ui.shell.shortcuts_dialog`, :mod:`ziya_desktop.ui.shell.about_dialog`),
made on first use and brought to the front when asked for again; the shortcuts are read again from the window's
menus each time. Their texts keep the translation context of the window's actions.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow

from ziya_desktop.ui.common.action_collection import make_action, set_texts
from ziya_desktop.ui.shell.about_dialog import AboutDialog, LicenceDialog
from ziya_desktop.ui.shell.shortcuts_dialog import ShortcutsDialog

_Dialog = TypeVar("_Dialog", bound=QDialog)


class HelpActions:
    """The Help menu's actions, and the dialogs they opened (None until first asked for)."""

    def __init__(self, window: QMainWindow) -> None:
        self._window = window
        self.shortcuts_dialog: ShortcutsDialog | None = None
        self.licence_dialog: LicenceDialog | None = None
        self.about_dialog: AboutDialog | None = None
        self.shortcuts = make_action(window, self.show_shortcuts, name="actionKeyboardShortcuts")
        self.licence = make_action(window, self.show_licence, name="actionModelLicence")
        self.about = make_action(window, self.show_about, name="actionAbout")
        # On macOS it moves to the application menu, where a Mac user looks for it.
        self.about.setMenuRole(QAction.MenuRole.AboutRole)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the actions' texts in the current UI language."""
        set_texts(self.shortcuts, QCoreApplication.translate("WindowActions", "&Keyboard Shortcuts"))
        set_texts(self.licence, QCoreApplication.translate("WindowActions", "Model &Licence"))
        set_texts(self.about, QCoreApplication.translate("WindowActions", "&About Ziya Desktop"))

    def show_shortcuts(self) -> ShortcutsDialog:
        """Show the list of keyboard shortcuts, as the window's actions have them now."""
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self._window.menuBar(), self._window)
        else:
            self.shortcuts_dialog.refresh()
        return _present(self.shortcuts_dialog)

    def show_licence(self) -> LicenceDialog:
        """Show the model's licence."""
        self.licence_dialog = self.licence_dialog or LicenceDialog(self._window)
        return _present(self.licence_dialog)

    def show_about(self) -> AboutDialog:
        """Show the versions and the folders."""
        self.about_dialog = self.about_dialog or AboutDialog(self._window)
        return _present(self.about_dialog)


def _present(dialog: _Dialog) -> _Dialog:
    # Not modal: the writer can keep the shortcuts open beside the text.
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
