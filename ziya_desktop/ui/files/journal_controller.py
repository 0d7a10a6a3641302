"""Keeps a journal of every modified document so that a crash loses at most about a second of work.

The main window attaches each :class:`~ziya_desktop.ui.editor.document_tab.DocumentTab`. A change (typing, or text the
model streams in) marks the tab dirty and starts a one-second timer; when it fires, every dirty and modified tab is
snapshotted (``toPlainText`` is cheap) and written atomically with
:func:`~ziya_desktop.documents.journal.write_journal`. A generation's start and end write at once, so the journal
names the model that was running and holds the last streamed words. A document that becomes unmodified (saved,
reloaded, or undone back to the saved text) loses its journal; so does a tab closed without saving.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ziya_desktop import paths
from ziya_desktop.documents.journal import (
    GenerationInfo,
    JournalEntry,
    SavedFileState,
    journal_path,
    new_document_id,
    now,
    remove_journal,
    saved_file_state,
    write_journal,
)
from ziya_desktop.documents.storage import describe_write_error
from ziya_desktop.engine.sampling import SamplingParams
from ziya_desktop.ui.common.error_text import localized
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.generation.generation import GenerationController, RunEnded

__all__ = ["JOURNAL_INTERVAL_MS", "JournalController", "running_generation"]

log = logging.getLogger(__name__)

# The loss window after a crash: text younger than this may be gone.
JOURNAL_INTERVAL_MS = 1000


def running_generation(generation: GenerationController) -> tuple[DocumentTab, SamplingParams] | None:
    """The tab the model is writing into and the run's sampling settings, or None when nothing runs.

    The controller keeps its run private; this read-only view is all the journal needs of it.
    """
    run = getattr(generation, "_run", None)
    tab = getattr(run, "tab", None)
    sampling = getattr(run, "sampling", None)
    if isinstance(tab, DocumentTab) and isinstance(sampling, SamplingParams):
        return tab, sampling
    return None


@dataclass
class _Tracked:
    document_id: str
    dirty: bool = False
    saved: SavedFileState | None = None
    saved_for: Path | None = None
    slots: list[tuple[object, Callable[..., None]]] = field(default_factory=list)


class JournalController(QObject):
    """Journals the attached tabs' unsaved text.

    Args:
        generation: the window's generation controller; its start and end trigger an immediate write, and its
            run's sampling settings go into the journal of the tab it writes into.
        model_path: returns the loaded model's file (the window passes ``lambda: window.writing.model_path``).
        folder: the journal folder (default :func:`ziya_desktop.paths.journal_dir`).
        interval_ms: the longest a change waits before it is journaled.

    Signals:
        written(str): a journal was written; the document id.
        writeFailed(str, str): a journal could not be written (message, hint); emitted once until a write
            succeeds again, so a full disk does not repeat the message every second.
    """

    written = Signal(str)
    writeFailed = Signal(str, str)

    def __init__(
        self,
        generation: GenerationController | None = None,
        *,
        model_path: Callable[[], Path | None] = lambda: None,
        folder: Path | None = None,
        interval_ms: int = JOURNAL_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder if folder is not None else paths.journal_dir()
        self._generation = generation
        self._model_path = model_path
        self._tabs: dict[DocumentTab, _Tracked] = {}
        self._failing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush_all)
        if generation is not None:
            generation.started.connect(self._generation_started)
            generation.ended.connect(self._generation_ended)

    # -- tabs ----------------------------------------------------------------------------------------------------

    def attach(self, tab: DocumentTab, *, document_id: str | None = None) -> str:
        """Start journaling ``tab``; returns its document id (a new one unless ``document_id`` is given)."""
        if tab in self._tabs:
            return self._tabs[tab].document_id
        tracked = _Tracked(document_id or new_document_id())
        journal_path(self.folder, tracked.document_id)  # refuses an id that is no file name early
        self._tabs[tab] = tracked

        def changed() -> None:
            self._mark(tab)

        def modification(modified: bool) -> None:
            if not modified:
                self._forget_journal(tab)

        document = tab.editor.document()
        document.contentsChanged.connect(changed)
        document.modificationChanged.connect(modification)
        tracked.slots = [(document.contentsChanged, changed), (document.modificationChanged, modification)]
        # A tab deleted without detach (its window went away) is forgotten, its journal kept: nobody chose to drop it.
        tab.destroyed.connect(lambda _obj=None, key=tab: self._tabs.pop(key, None))
        if tab.modified:
            self._mark(tab)
        return tracked.document_id

    def detach(self, tab: DocumentTab, *, keep_journal: bool = False) -> None:
        """Stop journaling ``tab`` and remove its journal (it was saved or discarded) unless ``keep_journal``."""
        tracked = self._tabs.pop(tab, None)
        if tracked is None:
            return
        for signal, slot in tracked.slots:
            signal.disconnect(slot)  # type: ignore[attr-defined]
        if not keep_journal:
            remove_journal(self.folder, tracked.document_id)

    def document_id(self, tab: DocumentTab) -> str | None:
        tracked = self._tabs.get(tab)
        return tracked.document_id if tracked is not None else None

    def journal_of(self, tab: DocumentTab) -> Path | None:
        """The journal file ``tab`` is written to (it exists only while the tab has unsaved changes)."""
        tracked = self._tabs.get(tab)
        return journal_path(self.folder, tracked.document_id) if tracked is not None else None

    def tabs(self) -> list[DocumentTab]:
        return list(self._tabs)

    # -- writing -------------------------------------------------------------------------------------------------

    def flush_all(self) -> None:
        """Write every dirty tab's journal now."""
        self._timer.stop()
        for tab, tracked in list(self._tabs.items()):
            if tracked.dirty:
                self.flush(tab)

    def flush(self, tab: DocumentTab) -> bool:
        """Write ``tab``'s journal now if it has unsaved changes (else remove it).

        Returns:
            True when the journal is current (written, or none needed); False when the write failed (and
            ``writeFailed`` was emitted if this is a new failure).
        """
        tracked = self._tabs.get(tab)
        if tracked is None:
            return False
        tracked.dirty = False
        if not tab.modified:
            self._forget_journal(tab)
            return True
        try:
            write_journal(self.folder, self._entry(tab, tracked))
        except OSError as err:
            tracked.dirty = True  # try again with the next change
            log.warning("journal of %s not written: %s", tab.display_name(), err)
            if not self._failing:
                self._failing = True
                self.writeFailed.emit(
                    self.tr("Unsaved changes could not be backed up: {cause}.").format(
                        cause=localized(describe_write_error(err, self.folder / "journal"))
                    ),
                    self.tr("Save your documents now, or free disk space; until then a crash could lose them."),
                )
            return False
        self._failing = False
        self.written.emit(tracked.document_id)
        return True

    def clear_all(self) -> None:
        """A clean quit: remove every attached tab's journal (the writer chose Save or Discard for each) and stop
        journaling. Text a stopped generation still delivers while the window closes is not journaled again."""
        self._timer.stop()
        for tab in list(self._tabs):
            self.detach(tab)

    # -- internals -----------------------------------------------------------------------------------------------

    def _mark(self, tab: DocumentTab) -> None:
        tracked = self._tabs.get(tab)
        if tracked is None:
            return
        tracked.dirty = True
        if not self._timer.isActive():
            self._timer.start()

    def _forget_journal(self, tab: DocumentTab) -> None:
        tracked = self._tabs.get(tab)
        if tracked is not None:
            tracked.dirty = False
            remove_journal(self.folder, tracked.document_id)

    def _entry(self, tab: DocumentTab, tracked: _Tracked) -> JournalEntry:
        if tab.path is not None:
            known = tracked.saved if tracked.saved_for == tab.path else None
            tracked.saved, tracked.saved_for = saved_file_state(tab.path, known=known), tab.path
        else:
            tracked.saved, tracked.saved_for = None, None
        # The journal holds the file's text (front matter and body), so a recovered 公文 keeps its parts; the
        # cursor is counted in that text.
        body, text = tab.text(), tab.file_text()
        head_utf16 = len(text[: len(text) - len(body)].encode("utf-16-le")) // 2
        return JournalEntry(
            document_id=tracked.document_id,
            title=tab.display_name(),
            path=tab.path,
            saved=tracked.saved,
            text=text,
            cursor=tab.editor.textCursor().position() + head_utf16,
            written_at=now(),
            pid=os.getpid(),
            generation=self._generation_info(tab),
        )

    def _generation_info(self, tab: DocumentTab) -> GenerationInfo | None:
        running = running_generation(self._generation) if self._generation is not None else None
        if running is None or running[0] is not tab:
            return None
        model = self._model_path()
        return GenerationInfo(model_path=str(model) if model is not None else "", sampling=asdict(running[1]))

    def _generation_started(self, _mode: str) -> None:
        running = running_generation(self._generation) if self._generation is not None else None
        if running is not None and running[0] in self._tabs:
            self._mark(running[0])
            self.flush(running[0])

    def _generation_ended(self, _end: RunEnded) -> None:
        # The last streamed words (the inserter flushed them into the editor just before) and no model any more.
        for tab, tracked in list(self._tabs.items()):
            if tracked.dirty or tab.modified:
                self.flush(tab)
