"""New, open, save, save as, recent files and export for the main window's documents."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ziya_desktop import paths
from ziya_desktop.documents.export import ExportDocument, export_document
from ziya_desktop.errors import ZiyaError
from ziya_desktop.ui.document_tab import DocumentTab
from ziya_desktop.writing.actions import detect_language

if TYPE_CHECKING:
    from ziya_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

RECENT_KEY = "files/recent"
MAX_RECENT = 10
_EXPORT_SUFFIX = {"html": ".html", "pdf": ".pdf", "docx": ".docx"}


class FileCommands(QObject):
    """File commands of ``window``. Errors become a notice in the window; the document is never lost."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    # -- open ----------------------------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self.window,
            self.tr("Open"),
            self._last_folder(),
            self.tr("Documents (*.md *.markdown *.txt);;All files (*)"),
        )
        for name in names:
            self.open_path(Path(name))

    def open_path(self, path: Path) -> DocumentTab | None:
        """Open ``path`` in a tab (the one already showing it, or the current blank one, or a new one)."""
        path = path.absolute()
        for tab in self.window.all_tabs():
            if tab.path == path:
                self.window.tabs.setCurrentWidget(tab)
                return tab
        current = self.window.current_tab()
        tab = current if current is not None and current.is_blank() else self.window.new_document()
        try:
            tab.load(path)
        except ZiyaError as exc:
            self.window.show_error(str(exc), exc.hint)
            if tab is not current:
                self.window.close_tab_at(self.window.tabs.indexOf(tab))
            return None
        self.window.tabs.setCurrentWidget(tab)
        self.add_recent(path)
        return tab

    # -- save ----------------------------------------------------------------------------------------------------

    def save_current(self) -> bool:
        tab = self.window.current_tab()
        return tab is not None and self.save(tab)

    def save_current_as(self) -> bool:
        tab = self.window.current_tab()
        return tab is not None and self.save_as(tab)

    def save(self, tab: DocumentTab) -> bool:
        if tab.path is None:
            return self.save_as(tab)
        return self.save_to(tab, tab.path)

    def save_as(self, tab: DocumentTab) -> bool:
        suggested = str(tab.path) if tab.path else str(Path(self._last_folder()) / f"{tab.display_name()}.md")
        name, _ = QFileDialog.getSaveFileName(
            self.window, self.tr("Save As"), suggested, self.tr("Markdown (*.md);;Plain text (*.txt)")
        )
        return bool(name) and self.save_to(tab, Path(name))

    def save_to(self, tab: DocumentTab, path: Path) -> bool:
        """Save ``tab`` to ``path``; on failure the document stays unsaved and the notice says why."""
        if not path.suffix:
            path = path.with_suffix(".md")
        try:
            tab.save(path.absolute())
        except ZiyaError as exc:
            self.window.show_error(str(exc), exc.hint)
            return False
        self.add_recent(path.absolute())
        self.window.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 4000)
        return True

    def maybe_save(self, tab: DocumentTab) -> bool:
        """Before closing ``tab``: True when it may close (saved, discarded, or unmodified)."""
        if not tab.modified:
            return True
        self.window.tabs.setCurrentWidget(tab)
        answer = self.window.ask_unsaved(tab)
        if answer == QMessageBox.StandardButton.Save:
            return self.save(tab)
        return answer == QMessageBox.StandardButton.Discard

    # -- export --------------------------------------------------------------------------------------------------

    def export_dialog(self, fmt: str) -> None:
        tab = self.window.current_tab()
        if tab is None:
            return
        suffix = _EXPORT_SUFFIX[fmt]
        base = tab.path.with_suffix(suffix) if tab.path else Path(self._last_folder()) / f"{tab.display_name()}{suffix}"
        name, _ = QFileDialog.getSaveFileName(self.window, self.tr("Export"), str(base), f"*{suffix}")
        if name:
            self.export_to(tab, Path(name))

    def export_to(self, tab: DocumentTab, path: Path) -> bool:
        """Export ``tab`` to ``path`` (format by suffix), in the 公文 layout when the document uses it."""
        text = tab.text()
        document = ExportDocument(
            text=text,
            title=_title_of(text) or tab.display_name(),
            language=detect_language(text) if text.strip() else ("zh" if self.window.lang == "zh" else "en"),
            layout=tab.layout_kind,
        )
        try:
            export_document(document, path)
        except ZiyaError as exc:
            self.window.show_error(str(exc), exc.hint)
            return False
        self.window.statusBar().showMessage(self.tr("Exported {path}").format(path=path), 4000)
        return True

    # -- recent --------------------------------------------------------------------------------------------------

    def recent(self) -> list[Path]:
        raw = paths.settings().value(RECENT_KEY, [])
        items = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) and raw else []
        return [Path(str(p)) for p in items]

    def add_recent(self, path: Path) -> None:
        items = [p for p in self.recent() if p != path]
        items.insert(0, path)
        paths.settings().setValue(RECENT_KEY, [str(p) for p in items[:MAX_RECENT]])
        self.refresh_recent_menu()

    def refresh_recent_menu(self) -> None:
        actions = getattr(self.window, "menu_actions", None)
        menu = actions.recent_menu if actions is not None else None
        if menu is None:
            return
        menu.clear()
        for path in self.recent():
            action = menu.addAction(str(path))
            action.triggered.connect(lambda _c=False, p=path: self.open_path(p))
        menu.setEnabled(not menu.isEmpty())

    def _last_folder(self) -> str:
        recent = self.recent()
        return str(recent[0].parent) if recent else str(Path.home())


def _title_of(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:120]
    return ""
