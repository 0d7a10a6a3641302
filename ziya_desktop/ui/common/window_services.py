"""The part of the main window that commands may use: the documents, the notice strip, the status bar, and the
window dialogs open over. Commands are typed against :class:`WindowServices`, not the window, so they import nothing
of it and can be tested with any object that has these members."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QMessageBox, QStatusBar, QTabWidget, QWidget

from ziya_desktop.ui.common.notice_bar import NoticeBar
from ziya_desktop.ui.common.status_panel import StatusPanel
from ziya_desktop.ui.editor.document_tab import DocumentTab


class WindowServices(Protocol):
    """What the main window offers its commands.

    Attributes:
        lang: the UI language for template names and counts, ``zh`` or ``en``.
        tabs: the open documents (:class:`DocumentTab` pages).
        notice: the strip above the editor for messages that need no dialog.
        status: the status bar's fields (model, speed, context use, counts).
    """

    lang: str
    tabs: QTabWidget
    notice: NoticeBar
    status: StatusPanel

    def window(self) -> QWidget:
        """The top-level window: the parent of dialogs and of the command objects."""
        ...

    def statusBar(self) -> QStatusBar:
        """The status bar, for short messages (``showMessage``)."""
        ...

    def current_tab(self) -> DocumentTab | None: ...

    def all_tabs(self) -> list[DocumentTab]: ...

    def new_document(self) -> DocumentTab:
        """Open a new untitled document in a tab and make it current."""
        ...

    def close_tab_at(self, index: int) -> bool:
        """Close the tab at ``index`` (asking to save a modified one); False when it stays open."""
        ...

    def show_error(self, message: str, hint: str = "") -> None:
        """Show an error in the notice strip, its hint translated."""
        ...

    def ask_unsaved(self, tab: DocumentTab) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel for a modified document."""
        ...
