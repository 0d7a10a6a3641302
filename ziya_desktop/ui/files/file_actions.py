"""The file actions of the window: new, open, save, save as, the exports and the 公文 layout choice.

They bind to :class:`~ziya_desktop.ui.files.file_commands.FileCommands`; the new document and the layout choice are
the window's, given as callables. Their texts keep the translation context of the window's actions.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow

from ziya_desktop.ui.common.action_collection import make_action, set_texts
from ziya_desktop.ui.files.file_commands import FileCommands

_Key = QKeySequence.StandardKey


class FileActions:
    """The File menu's document actions (the Open Recent submenu is filled by :class:`FileCommands`).

    Args:
        window: the parent of the actions.
        files: the file commands the actions call.
        new_document: opens a new untitled document.
        layout_chosen: called when the 公文 layout action is toggled (it reads the action's checked state).
    """

    def __init__(
        self,
        window: QMainWindow,
        files: FileCommands,
        *,
        new_document: Callable[[], object],
        layout_chosen: Callable[[], object],
    ) -> None:
        self.new = make_action(window, new_document, _Key.New, name="actionNew")
        self.open = make_action(window, files.open_dialog, _Key.Open, name="actionOpen")
        self.save = make_action(window, files.save_current, _Key.Save, name="actionSave")
        self.save_as = make_action(window, files.save_current_as, _Key.SaveAs, name="actionSaveAs")
        self.export_html = make_action(window, lambda: files.export_dialog("html"))
        self.export_pdf = make_action(window, lambda: files.export_dialog("pdf"), "Ctrl+Shift+E")
        self.export_docx = make_action(window, lambda: files.export_dialog("docx"))
        self.gongwen_layout = make_action(window, layout_chosen)
        self.gongwen_layout.setCheckable(True)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the actions' texts in the current UI language."""
        set_texts(self.new, QCoreApplication.translate("WindowActions", "&New"))
        set_texts(self.open, QCoreApplication.translate("WindowActions", "&Open…"))
        set_texts(self.save, QCoreApplication.translate("WindowActions", "&Save"))
        set_texts(self.save_as, QCoreApplication.translate("WindowActions", "Save &As…"))
        set_texts(self.export_html, QCoreApplication.translate("WindowActions", "Export as &HTML…"))
        set_texts(self.export_pdf, QCoreApplication.translate("WindowActions", "Export as &PDF…"))
        set_texts(self.export_docx, QCoreApplication.translate("WindowActions", "Export as &Word (DOCX)…"))
        set_texts(self.gongwen_layout, QCoreApplication.translate("WindowActions", "公文 layout (GB/T 9704-2012)"))
