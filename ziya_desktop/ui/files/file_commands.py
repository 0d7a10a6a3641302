"""New, open, save, save as, recent files and export for the main window's documents.

A save never silently replaces what another program put on disk: it first compares the file with what the tab
last read or wrote there and, when it changed, was deleted or is read-only, asks the writer what to do.
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from ziya_desktop.documents.export import ExportDocument, export_document
from ziya_desktop.documents.storage import DiskChange, check_disk
from ziya_desktop.errors import ZiyaError
from ziya_desktop.ui.common.error_text import error_message, localized
from ziya_desktop.ui.common.notice_bar import NoticeLevel
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.common.window_services import WindowServices
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.generation.generation import GenerationController
from ziya_desktop.writing.actions import detect_language

log = logging.getLogger(__name__)

RECENT_KEY = "files/recent"
MAX_RECENT = 10
_EXPORT_SUFFIX = {"html": ".html", "pdf": ".pdf", "docx": ".docx"}
_ASKED = (DiskChange.MODIFIED, DiskChange.DELETED, DiskChange.READ_ONLY)


class DiskAnswer(StrEnum):
    """The writer's answer when the file on disk is not what the document last read or wrote there."""

    OVERWRITE = "overwrite"
    RELOAD = "reload"
    SAVE_AS = "save_as"
    CANCEL = "cancel"


class FileCommands(QObject):
    """File commands of the window ``host``. Errors become a notice in the window; the document is never lost.

    Args:
        host: the window's documents, notice strip and status bar.
        generation: the run in flight (a reload stops it when it writes into the reloaded document).

    Attributes:
        recent_menu: the File menu's Open Recent submenu, kept filled (set by the window once it has menus).
    """

    def __init__(self, host: WindowServices, generation: GenerationController) -> None:
        super().__init__(host.window())
        self._host = host
        self._generation = generation
        self.recent_menu: QMenu | None = None

    # -- open ----------------------------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self._host.window(),
            self.tr("Open"),
            self._last_folder(),
            self.tr("Documents (*.md *.markdown *.txt);;All files (*)"),
        )
        for name in names:
            self.open_path(Path(name))

    def open_path(self, path: Path) -> DocumentTab | None:
        """Open ``path`` in a tab (the one already showing it, or the current blank one, or a new one)."""
        # A new command: what the window said about the last one no longer applies.
        self._host.notice.dismiss()
        path = path.absolute()
        for tab in self._host.all_tabs():
            if tab.path == path:
                self._host.tabs.setCurrentWidget(tab)
                return tab
        current = self._host.current_tab()
        tab = current if current is not None and current.is_blank() else self._host.new_document()
        try:
            tab.load(path)
        except ZiyaError as exc:
            self._host.show_error(error_message(exc), exc.hint)
            if tab is not current:
                self._host.close_tab_at(self._host.tabs.indexOf(tab))
            return None
        self._host.tabs.setCurrentWidget(tab)
        self.add_recent(path)
        return tab

    # -- save ----------------------------------------------------------------------------------------------------

    def save_current(self) -> bool:
        tab = self._host.current_tab()
        return tab is not None and self.save(tab)

    def save_current_as(self) -> bool:
        tab = self._host.current_tab()
        return tab is not None and self.save_as(tab)

    def save(self, tab: DocumentTab) -> bool:
        if tab.path is None:
            return self.save_as(tab)
        return self.save_to(tab, tab.path)

    def save_as(self, tab: DocumentTab) -> bool:
        suggested = str(tab.path) if tab.path else str(Path(self._last_folder()) / f"{suggested_name(tab)}.md")
        name, _ = QFileDialog.getSaveFileName(
            self._host.window(), self.tr("Save As"), suggested, self.tr("Markdown (*.md);;Plain text (*.txt)")
        )
        return bool(name) and self.save_to(tab, Path(name))

    def save_to(self, tab: DocumentTab, path: Path) -> bool:
        """Save ``tab`` to ``path``; on failure the document stays unsaved and the notice says why.

        When the file there changed since the tab read or wrote it, was deleted, or is read-only, the writer is
        asked first (overwrite, reload from disk, save as, cancel). Characters a saved document cannot hold (NUL,
        typed or pasted) are removed first, as one undo step, and the notice says so.
        """
        # A new command: what the window said about the last one no longer applies.
        self._host.notice.dismiss()
        if not path.suffix:
            path = path.with_suffix(".md")
        path = path.absolute()
        change = check_disk(path, tab.disk if path == tab.path else None)
        if change in _ASKED:
            answer = self.ask_disk_change(path, change)
            if answer is DiskAnswer.RELOAD:
                self.reload(tab)
                return False
            if answer is DiskAnswer.SAVE_AS:
                return self.save_as(tab)
            if answer is not DiskAnswer.OVERWRITE:
                return False
        removed = tab.remove_unsavable()
        try:
            tab.save(path)
        except ZiyaError as exc:
            self._host.show_error(error_message(exc), exc.hint)
            return False
        self.add_recent(path)
        if removed:
            self._host.notice.show_notice(
                self.tr(
                    "{count} character(s) that a text document cannot hold (such as NUL) were removed before saving."
                ).format(count=removed),
                hint=self.tr("Undo (Ctrl+Z) brings them back in the editor; the saved file does not have them."),
                level=NoticeLevel.WARNING,
            )
        self._host.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 4000)
        return True

    def reload(self, tab: DocumentTab) -> bool:
        """Replace ``tab``'s text by its file's, as one undo step (Undo brings the writer's version back)."""
        if self._generation.current_tab is tab:
            # Streamed text would land in the middle of the reloaded file.
            self._generation.stop()
        try:
            tab.reload()
        except ZiyaError as exc:
            self._host.show_error(error_message(exc), exc.hint)
            return False
        self._host.notice.show_notice(
            self.tr("“{name}” was reloaded from disk.").format(name=tab.display_name()),
            hint=self.tr("Undo (Ctrl+Z) brings back the text you had before."),
        )
        return True

    def ask_disk_change(self, path: Path, change: DiskChange) -> DiskAnswer:
        """Ask what to do with a file that another program changed, deleted or write-protected. Escape cancels,
        Enter picks Save As (neither loses anything); Reload is offered only when there are other contents to load."""
        name = path.name
        if change is DiskChange.MODIFIED:
            title = self.tr("File changed on disk")
            text = self.tr(
                "“{name}” was changed by another program since it was opened or last saved here. Saving now "
                "replaces those changes with your text."
            ).format(name=name)
        elif change is DiskChange.DELETED:
            title = self.tr("File deleted on disk")
            text = self.tr(
                "“{name}” was moved or deleted by another program since it was opened or last saved here."
            ).format(name=name)
        else:
            title = self.tr("File is read-only")
            text = self.tr("“{name}” is marked read-only. Saving replaces it anyway.").format(name=name)
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, self._host.window()
        )
        box.setObjectName("diskChangeBox")
        box.setInformativeText(str(path))
        buttons: dict[object, DiskAnswer] = {}
        overwrite_text = self.tr("Save Anyway") if change is DiskChange.DELETED else self.tr("Overwrite")
        overwrite = box.addButton(overwrite_text, QMessageBox.ButtonRole.DestructiveRole)
        overwrite.setObjectName("overwriteButton")
        buttons[overwrite] = DiskAnswer.OVERWRITE
        if change is DiskChange.MODIFIED:
            reload = box.addButton(self.tr("Reload from Disk"), QMessageBox.ButtonRole.ResetRole)
            reload.setObjectName("reloadButton")
            buttons[reload] = DiskAnswer.RELOAD
        save_as = box.addButton(self.tr("Save As…"), QMessageBox.ButtonRole.AcceptRole)
        save_as.setObjectName("saveAsButton")
        buttons[save_as] = DiskAnswer.SAVE_AS
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("cancelButton")
        box.setDefaultButton(save_as)
        box.setEscapeButton(cancel)
        box.exec()
        answer = buttons.get(box.clickedButton(), DiskAnswer.CANCEL)
        box.deleteLater()
        log.info("%s on disk is %s; the writer chose %s", path, change.value, answer.value)
        return answer

    def maybe_save(self, tab: DocumentTab) -> bool:
        """Before closing ``tab``: True when it may close (saved, discarded, or unmodified)."""
        if not tab.modified:
            return True
        self._host.tabs.setCurrentWidget(tab)
        answer = self._host.ask_unsaved(tab)
        if answer == QMessageBox.StandardButton.Save:
            return self.save(tab)
        return answer == QMessageBox.StandardButton.Discard

    # -- export --------------------------------------------------------------------------------------------------

    def export_dialog(self, fmt: str) -> None:
        tab = self._host.current_tab()
        if tab is None:
            return
        suffix = _EXPORT_SUFFIX[fmt]
        base = (
            tab.path.with_suffix(suffix) if tab.path else Path(self._last_folder()) / f"{suggested_name(tab)}{suffix}"
        )
        name, _ = QFileDialog.getSaveFileName(self._host.window(), self.tr("Export"), str(base), f"*{suffix}")
        if name:
            self.export_to(tab, Path(name))

    def export_to(self, tab: DocumentTab, path: Path) -> bool:
        """Export ``tab`` to ``path`` (format by suffix), in the 公文 layout when the document uses it."""
        # A new command: what the window said about the last one no longer applies.
        self._host.notice.dismiss()
        text = tab.text()
        parts = tab.parts if tab.layout_kind == "gongwen" else None
        document = ExportDocument(
            text=text,
            title=(parts.title.replace("\n", "") if parts is not None else "") or _title_of(text) or tab.display_name(),
            language=detect_language(text) if text.strip() else ("zh" if self._host.lang == "zh" else "en"),
            layout=tab.layout_kind,
            parts=parts,
        )
        try:
            notes = export_document(document, path)
        except ZiyaError as exc:
            self._host.show_error(error_message(exc), exc.hint)
            return False
        self._host.statusBar().showMessage(self.tr("Exported {path}").format(path=path), 4000)
        if notes:
            # A face the standard names (仿宋_GB2312, 方正小标宋) is missing: the writer hears which one stood in.
            self._host.notice.show_notice(
                self.tr("“{name}” was exported with stand-in fonts.").format(name=path.name),
                hint="\n".join(localized(note) for note in notes),
                level=NoticeLevel.WARNING,
            )
        return True

    # -- recent --------------------------------------------------------------------------------------------------

    def recent(self) -> list[Path]:
        raw = settings().value(RECENT_KEY, [])
        items = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) and raw else []
        return [Path(str(p)) for p in items]

    def add_recent(self, path: Path) -> None:
        items = [p for p in self.recent() if p != path]
        items.insert(0, path)
        settings().setValue(RECENT_KEY, [str(p) for p in items[:MAX_RECENT]])
        self.refresh_recent_menu()

    def refresh_recent_menu(self) -> None:
        menu = self.recent_menu
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


# Characters no file name may hold on Windows, macOS or Linux, and the ones a shell or a sync tool trips over.
_UNSAFE_NAME_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_MAX_NAME_CHARS = 60


def suggested_name(tab: DocumentTab) -> str:
    """A file name for a document not saved yet: its 公文 title, else its first line, else “Untitled N”."""
    parts = tab.parts if tab.layout_kind == "gongwen" else None
    title = parts.title.replace("\n", "") if parts is not None else ""
    title = title or _title_of(tab.text())
    name = _UNSAFE_NAME_RE.sub(" ", title).strip(" .")[:_MAX_NAME_CHARS].strip(" .")
    return name or tab.display_name()


def _title_of(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:120]
    return ""
