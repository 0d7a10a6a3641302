"""After a crash: offer each recovered document with a preview and a diff against its saved file.

:func:`offer_recovery` is what start-up calls once the main window is shown. It scans the journal folder; when
documents were recovered it opens a :class:`RecoveryDialog` (window-modal, not blocking the caller), where the
writer restores each one into a tab (marked modified, so nothing is written to disk until they save) or discards
it. Journals that could not be read are listed in the dialog, or in the window's notice bar when nothing else was
found; they were already moved aside and never touch the saved documents.

A journal is data anyone could have put there: its path, title, model and settings are shown as plain text only
(labels in ``Qt.PlainText``, escaped where our own markup wraps them), cut to a sensible length, and a time stamp no
calendar holds reads "unknown". The diff is bounded (``DiffBudget``); one too changed is shown whole, with a note.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop import paths
from ziya_desktop.atomic_write import remove_stray_temps
from ziya_desktop.documents.front_matter import DocumentHead, split_front_matter
from ziya_desktop.documents.recovery import (
    RecoveredDocument,
    RecoveryScan,
    describe_corrupt,
    discard_recovered,
    remove_stale_temps_of,
    scan_journals,
)
from ziya_desktop.errors import ZiyaError
from ziya_desktop.ui.common.error_text import localized
from ziya_desktop.ui.common.notice_bar import NoticeLevel
from ziya_desktop.ui.common.window_placement import resize_within_screen
from ziya_desktop.ui.common.window_services import WindowServices
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.files.file_commands import FileCommands
from ziya_desktop.ui.files.journal_controller import JournalController
from ziya_desktop.writing.diff import Change, DiffBudget

__all__ = ["RecoveryDialog", "diff_html", "offer_recovery", "restore_document", "start_recovery"]

log = logging.getLogger(__name__)

# Characters of unchanged text shown on each side of a change, and the most changes listed.
DIFF_CONTEXT_CHARS = 40
MAX_DIFF_CHANGES = 200
# The most characters of one side of a change shown (a passage shown whole can be the entire document).
MAX_CHANGE_CHARS = 600
# The most characters of a name, path or setting from a journal shown.
MAX_FIELD_CHARS = 300
_SAMPLING_SHOWN = ("temperature", "top_p", "top_k", "repeat_penalty", "max_tokens", "seed")


class RecoveryWindow(WindowServices, Protocol):
    """The window recovered documents open in: its tabs, its journal (a restored document is journaled again at
    once) and its file commands (the recent files, whose interrupted saves may have left temp files)."""

    journal: JournalController
    files: FileCommands


def diff_html(base: str, changes: list[Change], *, simplified: bool = False) -> str:
    """The changes as HTML: a little unchanged text around each, deletions struck through, insertions underlined.

    Every piece of text is escaped. ``simplified`` adds a note that some passages are shown whole (the diff's
    budget ran out); a side of a change longer than :data:`MAX_CHANGE_CHARS` is cut short, saying by how much.
    """
    if not changes:
        return (
            "<p>"
            + html.escape(QCoreApplication.translate("RecoveryDialog", "No difference from the saved file."))
            + "</p>"
        )
    parts: list[str] = []
    if simplified:
        note = QCoreApplication.translate(
            "RecoveryDialog", "Some passages have too many changes to compare in detail; each is shown as one change."
        )
        parts.append("<p><i>" + html.escape(note) + "</i></p>")
    for change in changes[:MAX_DIFF_CHANGES]:
        before = base[max(0, change.start - DIFF_CONTEXT_CHARS) : change.start]
        after = base[change.end : change.end + DIFF_CONTEXT_CHARS]
        parts.append(
            "<p>…{before}{old}{new}{after}…</p>".format(
                before=html.escape(before),
                old=f'<s style="color:#c0392b">{_cut(change.old)}</s>' if change.old else "",
                new=f'<u style="color:#1e8449">{_cut(change.new)}</u>' if change.new else "",
                after=html.escape(after),
            )
        )
    if len(changes) > MAX_DIFF_CHANGES:
        more = QCoreApplication.translate("RecoveryDialog", "… and {count} more changes.").format(
            count=len(changes) - MAX_DIFF_CHANGES
        )
        parts.append("<p>" + html.escape(more) + "</p>")
    return "".join(parts).replace("\n", "<br>")


def _cut(text: str) -> str:
    """``text`` escaped, cut at :data:`MAX_CHANGE_CHARS` with a count of what was left out."""
    if len(text) <= MAX_CHANGE_CHARS:
        return html.escape(text)
    rest = QCoreApplication.translate("RecoveryDialog", "… ({count} more characters)").format(
        count=len(text) - MAX_CHANGE_CHARS
    )
    return html.escape(text[:MAX_CHANGE_CHARS]) + " " + html.escape(rest)


def _field(text: str) -> str:
    """A name or setting from a journal, cut to :data:`MAX_FIELD_CHARS` (it is shown as plain text)."""
    return text if len(text) <= MAX_FIELD_CHARS else text[:MAX_FIELD_CHARS] + "…"


def _tool_tip(text: str) -> str:
    """A tool tip showing ``text`` literally: Qt renders a tool tip as rich text when it looks like HTML."""
    return '<p style="white-space:pre-wrap">' + html.escape(_field(text)) + "</p>"


def _describe(document: RecoveredDocument) -> str:
    entry = document.entry
    written = entry.written_time()
    # A damaged or foreign journal's time stamp can lie beyond any calendar; its text still matters.
    when = (
        written.strftime("%Y-%m-%d %H:%M:%S")
        if written is not None
        else QCoreApplication.translate("RecoveryDialog", "unknown")
    )
    lines = [
        QCoreApplication.translate("RecoveryDialog", "File: {path}").format(path=_field(str(entry.path)))
        if entry.path
        else QCoreApplication.translate("RecoveryDialog", "A new document, never saved"),
        QCoreApplication.translate("RecoveryDialog", "Last backed up: {time}").format(time=when),
    ]
    generation = entry.generation
    if generation is not None:
        model = _field(Path(generation.model_path).name) or QCoreApplication.translate(
            "RecoveryDialog", "unknown model"
        )
        sampling = generation.sampling
        shown = [f"{key} {_field(str(sampling[key]))}" for key in _SAMPLING_SHOWN if sampling.get(key) is not None]
        if "seed" in sampling and sampling["seed"] is None:  # a new seed was drawn for the run (seed is last)
            shown.append(QCoreApplication.translate("RecoveryDialog", "random seed"))
        lines.append(
            QCoreApplication.translate(
                "RecoveryDialog", "The model was writing when the app stopped: {model} ({settings})"
            ).format(model=model, settings=", ".join(shown))
        )
    if document.saved_problem:
        lines.append(
            QCoreApplication.translate("RecoveryDialog", "The saved file cannot be read: {problem}").format(
                problem=_field(localized(document.saved_problem))
            )
        )
    elif document.saved_changed:
        lines.append(
            QCoreApplication.translate(
                "RecoveryDialog", "The saved file was changed after this backup was made; compare before restoring."
            )
        )
    return "\n".join(lines)


class RecoveryDialog(QDialog):
    """Lists the recovered documents; the writer restores or discards each one.

    Args:
        scan: what :func:`~ziya_desktop.documents.recovery.scan_journals` found.

    Signals:
        restoreRequested(RecoveredDocument): Restore was pressed for a :class:`RecoveredDocument` (it leaves the list).
        discardRequested(RecoveredDocument): Discard was pressed for a :class:`RecoveredDocument` (it leaves the list).

    The dialog accepts itself when the list is empty. "Decide Later" closes it and keeps the remaining journals
    for the next start.
    """

    restoreRequested = Signal(RecoveredDocument)
    discardRequested = Signal(RecoveredDocument)

    def __init__(self, scan: RecoveryScan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryDialog")
        self.setWindowTitle(self.tr("Recover Unsaved Work"))
        resize_within_screen(self, QSize(900, 600))
        intro = QLabel(
            self.tr(
                "Ziya Desktop did not close properly last time. These documents had changes that were not saved. "
                "Restore opens one in a tab, where you can check and save it; Discard deletes the backup. "
                "Your saved files have not been changed."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.documents = QListWidget(self)
        self.documents.setObjectName("recoveredDocuments")
        self.details = QLabel(self)
        self.details.setObjectName("recoveryDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)  # paths and settings come from the journal
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("recoveryPreview")
        self.preview.setReadOnly(True)
        self.diff_view = QTextBrowser(self)
        self.diff_view.setObjectName("recoveryDiff")
        views = QTabWidget(self)
        views.addTab(self.preview, self.tr("Recovered Text"))
        views.addTab(self.diff_view, self.tr("Changes Since Saved"))
        right = QWidget(self)
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.details)
        right_column.addWidget(views, 1)
        split = QSplitter(self)
        split.addWidget(self.documents)
        split.addWidget(right)
        split.setStretchFactor(1, 3)

        self.corrupt_label = QLabel(self)
        self.corrupt_label.setObjectName("corruptJournals")
        self.corrupt_label.setWordWrap(True)
        self.corrupt_label.setTextFormat(Qt.TextFormat.PlainText)  # journal file names are anyone's
        if scan.corrupt:
            heading = self.tr("These backups were damaged and could not be read:")
            self.corrupt_label.setText("\n".join([heading, *(localized(describe_corrupt(c)) for c in scan.corrupt)]))
        else:
            self.corrupt_label.hide()

        self.restore_button = QPushButton(self.tr("&Restore"), self)
        self.discard_button = QPushButton(self.tr("&Discard"), self)
        self.later_button = QPushButton(self.tr("Decide &Later"), self)
        self.restore_button.clicked.connect(self._restore)
        self.discard_button.clicked.connect(self._discard)
        self.later_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)

        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(split, 1)
        column.addWidget(self.corrupt_label)
        column.addLayout(buttons)

        for document in scan.documents:
            item = QListWidgetItem(_field(document.name), self.documents)
            item.setData(Qt.ItemDataRole.UserRole, document)
            item.setToolTip(_tool_tip(str(document.entry.path) if document.entry.path else document.name))
        self.documents.currentRowChanged.connect(self._show_current)
        self.documents.setCurrentRow(0)
        self._sync_buttons()

    def recovered(self) -> list[RecoveredDocument]:
        """The documents still listed."""
        return [self._document(self.documents.item(i)) for i in range(self.documents.count())]

    def current(self) -> RecoveredDocument | None:
        item = self.documents.currentItem()
        return self._document(item) if item is not None else None

    def select(self, row: int) -> None:
        self.documents.setCurrentRow(row)

    @staticmethod
    def _document(item: QListWidgetItem) -> RecoveredDocument:
        document = item.data(Qt.ItemDataRole.UserRole)
        assert isinstance(document, RecoveredDocument)
        return document

    def _show_current(self, _row: int) -> None:
        document = self.current()
        if document is None:
            self.details.clear()
            self.preview.clear()
            self.diff_view.clear()
            return
        self.details.setText(_describe(document))
        self.preview.setPlainText(document.preview())
        budget = DiffBudget()
        changes = document.changes(budget)
        self.diff_view.setHtml(diff_html(document.saved_text or "", changes, simplified=budget.fallbacks > 0))

    def _take_current(self) -> RecoveredDocument | None:
        row = self.documents.currentRow()
        if row < 0:
            return None
        item = self.documents.takeItem(row)
        return self._document(item) if item is not None else None

    def _restore(self) -> None:
        document = self._take_current()
        if document is not None:
            self.restoreRequested.emit(document)
        self._after_action()

    def _discard(self) -> None:
        document = self._take_current()
        if document is not None:
            self.discardRequested.emit(document)
        self._after_action()

    def _after_action(self) -> None:
        self._sync_buttons()
        if self.documents.count() == 0:
            self.accept()
        else:
            self._show_current(self.documents.currentRow())

    def _sync_buttons(self) -> None:
        has = self.documents.count() > 0
        self.restore_button.setEnabled(has)
        self.discard_button.setEnabled(has)


def restore_document(window: RecoveryWindow, document: RecoveredDocument) -> DocumentTab:
    """Open ``document`` in a tab of ``window``, modified, with the cursor where it was; then drop its old journal.

    The saved file (when readable) is loaded first and the recovered text replaces it as one undo step, so Undo
    shows the saved version and Save writes to the same file with the same line ends. The tab is journaled again
    before the old journal is removed, so a crash in between still loses nothing.

    Returns:
        The tab holding the recovered text.
    """
    entry = document.entry
    current = window.current_tab()
    tab = current if current is not None and current.is_blank() else window.new_document()
    if entry.path is not None and document.path_is_special:
        # A named pipe or device is no document: the text opens untitled, and Save asks where it goes.
        log.info("restoring %s without its path: not a regular file", entry.path)
    elif entry.path is not None:
        try:
            tab.load(entry.path)
        except ZiyaError as exc:
            # The file is gone or unreadable; the recovered text still belongs there, and Save will ask nothing.
            log.info("restoring %s without its saved file: %s", entry.path, exc)
            tab.path = entry.path
            tab.titleChanged.emit()
    # The journal holds the file's text: its front matter is the document's head (a 公文's parts).
    head, body = split_front_matter(entry.text)
    head_utf16 = len(entry.text[: len(entry.text) - len(body)].encode("utf-16-le")) // 2
    cursor = QTextCursor(tab.editor.document())
    cursor.beginEditBlock()
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.insertText(body)
    cursor.endEditBlock()
    tab.set_head(head or DocumentHead())
    tab.editor.document().setModified(True)
    place = QTextCursor(tab.editor.document())
    place.setPosition(max(0, min(entry.cursor - head_utf16, tab.editor.document().characterCount() - 1)))
    tab.editor.setTextCursor(place)
    window.tabs.setCurrentWidget(tab)
    window.journal.flush(tab)
    discard_recovered(document)
    return tab


def offer_recovery(
    window: RecoveryWindow, folder: Path | None = None, *, scan: RecoveryScan | None = None
) -> RecoveryDialog | None:
    """Scan the journals and, if a crash left documents behind, open the recovery dialog over ``window``.

    Args:
        window: the main window; restored documents open in its tabs.
        folder: the journal folder (default :func:`ziya_desktop.paths.journal_dir`).
        scan: what a scan of ``folder`` already found (it is not scanned again).

    Returns:
        The dialog (already open, window-modal) when documents were recovered, else None. Damaged journals with
        nothing else to recover are reported in the window's notice bar.
    """
    if scan is None:
        scan = scan_journals(folder if folder is not None else paths.journal_dir())
    if not scan.documents:
        if scan.corrupt:
            window.notice.show_notice(
                QCoreApplication.translate(
                    "RecoveryDialog", "{count} damaged backup file(s) could not be read and were set aside."
                ).format(count=len(scan.corrupt)),
                hint=" ".join(localized(describe_corrupt(c)) for c in scan.corrupt),
                level=NoticeLevel.WARNING,
            )
        return None
    dialog = RecoveryDialog(scan, window.window())
    dialog.restoreRequested.connect(lambda d: restore_document(window, d))
    dialog.discardRequested.connect(discard_recovered)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog


class RecoveryStart(QObject):
    """Start-up recovery: the journals are scanned on a worker thread, then the dialog opens on the GUI thread.

    The scan reads files (the journals and the documents they name) that may sit on a slow or hung network drive;
    the window stays responsive meanwhile, and the dialog appears when the scan is done. Parented to the window:
    closing the window before the scan ends drops the result.

    Signals:
        finished(object): the recovery dialog (open, window-modal) when one was opened, else None.
    """

    finished = Signal(object)
    _scanned = Signal(RecoveryScan)

    def __init__(self, window: RecoveryWindow) -> None:
        super().__init__(window.window())
        self._window = window
        self._folder = paths.journal_dir()
        # Before the event loop runs, so before the writer can type: every journal of this run is written later.
        self._started_at = time.time()
        # Queued: the worker thread emits, the GUI thread opens the dialog.
        self._scanned.connect(self._open, Qt.ConnectionType.QueuedConnection)
        threading.Thread(target=self._scan, name="recovery-scan", daemon=True).start()

    def _scan(self) -> None:
        try:
            half_written = remove_stray_temps(self._folder)
            if half_written:
                log.info("removed %d half-written journal file(s): %s", len(half_written), half_written)
            scan = scan_journals(self._folder, started_at=self._started_at)
        except Exception:
            log.exception("the start-up scan of %s failed", self._folder)
            scan = RecoveryScan()
        self._scanned.emit(scan)

    def _open(self, scan: RecoveryScan) -> None:
        window = self._window
        dialog = offer_recovery(window, self._folder, scan=scan)
        if dialog is None:
            _remove_temps(window, window.files.recent(), undecided=[])
            self.finished.emit(None)
            return
        restored: list[Path] = []

        def restoring(document: RecoveredDocument) -> None:
            if document.entry.path is not None and not document.path_is_special:
                restored.append(document.entry.path)

        def decided(_result: int) -> None:
            undecided = [d.entry.path for d in dialog.recovered() if d.entry.path is not None]
            _remove_temps(window, [*window.files.recent(), *restored], undecided=undecided)

        dialog.restoreRequested.connect(restoring)
        dialog.finished.connect(decided)
        self.finished.emit(dialog)


def start_recovery(window: RecoveryWindow) -> RecoveryStart:
    """At start: scan the journals off the GUI thread, then :func:`offer_recovery` and remove the temp files
    crashed saves left.

    The journal folder's own temp files (half-written journals; the journal before them is whole) go at once.
    Temp files next to documents go only once the writer has decided in the dialog (at once when there is none),
    and only those of documents restored or opened recently, never of a journal still undecided (see
    :func:`~ziya_desktop.documents.recovery.remove_stale_temps_of`); the notice bar says what was removed.

    Returns:
        The running start; its ``finished`` signal carries the dialog (or None) once the scan is done.
    """
    return RecoveryStart(window)


def _remove_temps(window: RecoveryWindow, documents: list[Path], *, undecided: list[Path]) -> None:
    keep = set(undecided)
    removed = remove_stale_temps_of(p for p in documents if p not in keep)
    if not removed:
        return
    log.info("removed %d temp file(s) of interrupted saves: %s", len(removed), removed)
    window.notice.show_notice(
        QCoreApplication.translate(
            "RecoveryDialog", "Removed {count} unfinished temporary file(s) left by interrupted saves."
        ).format(count=len(removed)),
        hint=", ".join(str(p) for p in removed[:10]) + (" …" if len(removed) > 10 else ""),
        level=NoticeLevel.INFO,
    )
