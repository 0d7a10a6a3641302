"""The review panel a writer sees after asking to polish, expand, shorten, translate or rewrite a selection.

The model's text streams in while the panel shows it as an inline diff against the original: deletions struck
out in red, insertions underlined in green. Below the diff every change is listed with a check box, so the writer
keeps what they like and drops the rest; the inline view greys out the changes they reject. Nothing touches the
document until the writer applies: the owner receives the final text and puts it in with
:func:`ziya_desktop.ui.editor.apply_edits.apply_minimal_diff`, one undo step.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.ui.common.status_panel import format_counts
from ziya_desktop.writing.diff import Change, apply_changes, diff_changes
from ziya_desktop.writing.text_stats import count_text

__all__ = ["REDIFF_INTERVAL_MS", "RewriteReview", "change_summary"]

# Re-diffing is quadratic in the worst case; at most ten times a second keeps a long stream smooth while the
# diff still visibly follows the text.
REDIFF_INTERVAL_MS = 100
SUMMARY_CHARS = 60

# Colours readable on both a light and a dark background, chosen by the palette's base lightness.
_LIGHT_COLOURS = {"delete": "#b3261e", "insert": "#1a7f37"}
_DARK_COLOURS = {"delete": "#ff7b72", "insert": "#56d364"}

_ChangeKey = tuple[int, int, str, str]


def _visible(text: str) -> str:
    """``text`` on one line: line breaks as ↵, and a whitespace-only text made visible (␣)."""
    shown = text.replace("\r\n", "\n").replace("\n", "↵").replace("\t", "⇥")
    return shown.replace(" ", "␣") if not text.strip() else " ".join(shown.split())


def _shorten(text: str, limit: int) -> str:
    """``text`` cut in the middle with … when longer than ``limit`` characters."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def change_summary(change: Change, delete_label: str, insert_label: str, *, limit: int = SUMMARY_CHARS) -> str:
    """One line for the change list, such as ``Delete old → Add new`` (删 … → 增 … in Chinese), about ``limit``
    characters long."""
    old, new = _visible(change.old), _visible(change.new)
    if change.kind == "insert":
        return f"{insert_label} {_shorten(new, limit - len(insert_label) - 1)}"
    if change.kind == "delete":
        return f"{delete_label} {_shorten(old, limit - len(delete_label) - 1)}"
    room = max(8, (limit - len(delete_label) - len(insert_label) - 5) // 2)
    return f"{delete_label} {_shorten(old, room)} → {insert_label} {_shorten(new, room)}"


def _key(change: Change) -> _ChangeKey:
    # The list is rebuilt on every re-diff; a change the writer rejected stays rejected while it is the same change.
    return (change.start, change.end, change.old, change.new)


class RewriteReview(QWidget):
    """Shows a streamed rewrite as a diff against the original and lets the writer accept changes one by one.

    Use: :meth:`start` with the selected text, :meth:`append_revised` for every streamed chunk, then
    :meth:`finish` (or :meth:`fail`). The accept buttons are enabled once the stream is finished; Discard works
    at any time (an owner should cancel a running generation on ``discarded``).

    Keyboard: Ctrl+Enter applies the checked changes (all of them unless the writer unchecked some), Esc discards.

    Signals:
        applyRequested(str): "Accept all" or "Apply selected" was pressed; the text to put in place of the
            original (the revised text, or the original with only the accepted changes applied).
        discarded(): "Discard" or Esc; the original stays as it is.
        regenerateRequested(): "Regenerate"; the owner starts a new generation and calls :meth:`start` again.

    Attributes:
        title_label, diff_view, show_revised_check, change_list, stats_label, accept_all_button,
        apply_selected_button, discard_button, regenerate_button: the panel's widgets.
    """

    applyRequested = Signal(str)
    discarded = Signal()
    regenerateRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, rediff_interval_ms: int = REDIFF_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.setObjectName("RewriteReview")
        self._original = ""
        self._revised_parts: list[str] = []
        self._changes: list[Change] = []
        self._rejected: set[_ChangeKey] = set()
        self._streaming = False
        self._finished = False
        self._action = ""
        # Where each change starts in the inline view, for scrolling to the change picked in the list.
        self._change_positions: list[int] = []

        self.title_label = QLabel(self)
        self.title_label.setObjectName("rewriteTitle")
        self.title_label.setWordWrap(True)
        self.diff_view = QTextBrowser(self)
        self.diff_view.setObjectName("rewriteDiffView")
        self.diff_view.setOpenLinks(False)
        self.show_revised_check = QCheckBox(self)
        self.show_revised_check.setObjectName("showRevisedCheck")
        self.change_list = QListWidget(self)
        self.change_list.setObjectName("rewriteChangeList")
        self.stats_label = QLabel(self)
        self.stats_label.setObjectName("rewriteStats")
        self.accept_all_button = QPushButton(self)
        self.apply_selected_button = QPushButton(self)
        self.discard_button = QPushButton(self)
        self.regenerate_button = QPushButton(self)
        self.retranslate()

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.diff_view)
        splitter.addWidget(self.change_list)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.show_revised_check)
        # The counts on a line of their own, wrapping, and the buttons two by two under them: the panel stays narrow
        # enough to sit beside the document and the templates panel on a small screen.
        self.stats_label.setWordWrap(True)
        buttons = QGridLayout()
        buttons.setColumnStretch(0, 1)
        buttons.addWidget(self.regenerate_button, 0, 1)
        buttons.addWidget(self.discard_button, 0, 2)
        buttons.addWidget(self.apply_selected_button, 1, 1)
        buttons.addWidget(self.accept_all_button, 1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.stats_label)
        layout.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(rediff_interval_ms)
        self._base_interval_ms = rediff_interval_ms
        self._timer.timeout.connect(self._rediff)

        self.accept_all_button.clicked.connect(self.accept_all)
        self.apply_selected_button.clicked.connect(self.apply_selected)
        self.discard_button.clicked.connect(self.discard)
        self.regenerate_button.clicked.connect(self._regenerate)
        self.show_revised_check.toggled.connect(self._render)
        self.change_list.itemChanged.connect(self._item_changed)
        self.change_list.currentRowChanged.connect(self._scroll_to_change)
        # Ctrl+Enter is the main window's Generate; it applies the review when focus is in here (see
        # WritingCommands.generate). Two shortcuts on one key would cancel each other out as ambiguous.
        # Esc discards only while nothing streams: during a stream it is the window's Stop.
        self._escape = self._shortcut(QKeySequence(Qt.Key.Key_Escape), self.discard)
        self._update_state()

    def _shortcut(self, sequence: QKeySequence, slot: Callable[[], None]) -> QShortcut:
        # Only while focus is in the panel: the editor beside it keeps its own Esc.
        shortcut = QShortcut(sequence, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    # -- the stream ----------------------------------------------------------------------------------------------

    def start(self, original: str, action_label: str) -> None:
        """Begin reviewing a new rewrite of ``original``; ``action_label`` (translated) names it, e.g. "Polish"."""
        self._timer.stop()
        self._original = original
        self._revised_parts = []
        self._changes = []
        self._rejected = set()
        self._streaming = True
        self._finished = False
        self._action = action_label
        self.title_label.setText(self.tr("{action}: writing…").format(action=action_label))
        self._refresh_all()

    def append_revised(self, chunk: str) -> None:
        """Add a streamed chunk of the rewrite; the diff follows at most every ``rediff_interval_ms``."""
        if not self._streaming or not chunk:
            return
        self._revised_parts.append(chunk)
        # A throttle, not a debounce: a steady stream must still update the view while it runs.
        if not self._timer.isActive():
            self._timer.start()

    def finish(self) -> None:
        """The stream is complete: diff the whole text and enable the accept buttons."""
        if not self._streaming:
            return
        self._timer.stop()
        self._streaming = False
        self._finished = True
        self.title_label.setText(self._action)
        self._refresh_all()

    def fail(self, message: str) -> None:
        """The generation failed with ``message`` (translated); the writer can regenerate or discard.

        The original is shown as it is, unmarked: a rewrite that did not happen deletes nothing.
        """
        self._timer.stop()
        self._streaming = False
        self._finished = False
        self._revised_parts = [self._original]
        self._rejected = set()
        self.title_label.setText(self.tr("{action} failed: {message}").format(action=self._action, message=message))
        self._refresh_all()

    # -- state ---------------------------------------------------------------------------------------------------

    @property
    def is_streaming(self) -> bool:
        return self._streaming

    @property
    def is_finished(self) -> bool:
        """True after :meth:`finish` (until the next :meth:`start`); only then can the writer apply."""
        return self._finished

    def original_text(self) -> str:
        return self._original

    def revised_text(self) -> str:
        """Everything streamed so far, as the model wrote it."""
        if len(self._revised_parts) > 1:
            self._revised_parts = ["".join(self._revised_parts)]
        return self._revised_parts[0] if self._revised_parts else ""

    def changes(self) -> list[Change]:
        """The changes as last diffed (at most ``rediff_interval_ms`` behind the stream)."""
        return list(self._changes)

    def accepted_indices(self) -> set[int]:
        return {change.index for change in self._changes if _key(change) not in self._rejected}

    def set_change_accepted(self, index: int, accepted: bool) -> None:
        """Check or uncheck change ``index``, as the writer would in the list."""
        item = self.change_list.item(index)
        if item is None:
            raise IndexError(f"no change {index}")
        item.setCheckState(Qt.CheckState.Checked if accepted else Qt.CheckState.Unchecked)

    def final_text(self) -> str:
        """The original with the accepted changes applied."""
        return apply_changes(self._original, self._changes, self.accepted_indices())

    # -- actions -------------------------------------------------------------------------------------------------

    def accept_all(self) -> None:
        """Emit ``applyRequested`` with the whole revised text; ignored until the stream is finished, and after."""
        if self._finished:
            self._applied(self.revised_text())

    def apply_selected(self) -> None:
        """Emit ``applyRequested`` with the accepted changes applied; ignored until the stream is finished, and
        after (a rewrite is applied once)."""
        if self._finished:
            self._applied(self.final_text())

    def _applied(self, text: str) -> None:
        self._finished = False
        self._update_state()
        self.applyRequested.emit(text)

    def reset(self) -> None:
        """Empty the panel: the rewrite was applied or discarded, and nothing of it is left to act on."""
        self._timer.stop()
        self._original = ""
        self._revised_parts = []
        self._changes = []
        self._rejected = set()
        self._streaming = self._finished = False
        self._action = ""
        self.title_label.clear()
        self._refresh_all()

    def discard(self) -> None:
        """Stop any pending re-diff and emit ``discarded``."""
        self._timer.stop()
        self._streaming = False
        self._finished = False
        self._update_state()
        self.discarded.emit()

    def _regenerate(self) -> None:
        self.regenerateRequested.emit()

    # -- views ---------------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set the panel's own texts in the current UI language."""
        self.show_revised_check.setText(self.tr("Show revised text"))
        self.show_revised_check.setToolTip(self.tr("Show the text as it will read, without the changes marked"))
        self.accept_all_button.setText(self.tr("Accept all"))
        self.apply_selected_button.setText(self.tr("Apply selected"))
        self.apply_selected_button.setToolTip(self.tr("Apply the checked changes (Ctrl+Enter)"))
        self.discard_button.setText(self.tr("Discard"))
        self.discard_button.setToolTip(self.tr("Keep the original text (Esc)"))
        self.regenerate_button.setText(self.tr("Regenerate"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._render()
        elif event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._render()
            self._update_state()

    def _rediff(self) -> None:
        self._refresh_all()

    def _refresh_all(self) -> None:
        began = time.perf_counter()
        self._changes = diff_changes(self._original, self.revised_text())
        # Long texts diff slowly; spacing re-diffs at three times their cost keeps the GUI thread two-thirds free.
        cost_ms = int((time.perf_counter() - began) * 1000)
        self._timer.setInterval(max(self._base_interval_ms, 3 * cost_ms))
        self._fill_list()
        self._render()
        self._update_state()

    def _fill_list(self) -> None:
        delete_label, insert_label = self.tr("Delete"), self.tr("Add")
        row = self.change_list.currentRow()
        self.change_list.blockSignals(True)
        try:
            self.change_list.clear()
            for change in self._changes:
                item = QListWidgetItem(change_summary(change, delete_label, insert_label))
                item.setToolTip(self._change_tooltip(change))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                rejected = _key(change) in self._rejected
                item.setCheckState(Qt.CheckState.Unchecked if rejected else Qt.CheckState.Checked)
                self.change_list.addItem(item)
            if 0 <= row < self.change_list.count():
                self.change_list.setCurrentRow(row)
        finally:
            self.change_list.blockSignals(False)

    def _change_tooltip(self, change: Change) -> str:
        if change.kind == "insert":
            return self.tr("Insert: {new}").format(new=change.new)
        if change.kind == "delete":
            return self.tr("Delete: {old}").format(old=change.old)
        return self.tr("Replace: {old}\nWith: {new}").format(old=change.old, new=change.new)

    def _item_changed(self, item: QListWidgetItem) -> None:
        row = self.change_list.row(item)
        if not 0 <= row < len(self._changes):
            return
        key = _key(self._changes[row])
        if item.checkState() == Qt.CheckState.Checked:
            self._rejected.discard(key)
        else:
            self._rejected.add(key)
        self._render()
        self._update_state()

    def _formats(self) -> dict[str, QTextCharFormat]:
        palette = self.diff_view.palette()
        colours = _DARK_COLOURS if palette.color(QPalette.ColorRole.Base).lightness() < 128 else _LIGHT_COLOURS
        grey = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        formats = {name: QTextCharFormat() for name in ("equal", "delete", "insert", "kept", "dropped", "pending")}
        formats["delete"].setForeground(QColor(colours["delete"]))
        formats["delete"].setFontStrikeOut(True)
        formats["insert"].setForeground(QColor(colours["insert"]))
        formats["insert"].setFontUnderline(True)
        formats["kept"].setForeground(grey)
        formats["dropped"].setForeground(grey)
        formats["dropped"].setFontStrikeOut(True)
        formats["pending"].setForeground(grey)
        formats["pending"].setFontItalic(True)
        return formats

    def _render(self) -> None:
        """Rebuild the inline view from the current changes and check states."""
        bar = self.diff_view.verticalScrollBar()
        scroll = bar.value()
        document = self.diff_view.document()
        document.clear()
        cursor = QTextCursor(document)
        formats = self._formats()
        if self.show_revised_check.isChecked():
            cursor.insertText(self.final_text(), formats["equal"])
            bar.setValue(scroll)
            return
        self._change_positions = []
        accepted = self.accepted_indices()
        pos = 0
        for change in self._changes:
            cursor.insertText(self._original[pos : change.start], formats["equal"])
            self._change_positions.append(cursor.position())
            # While streaming, the original's tail is not "deleted" yet: the model has simply not got there.
            pending = self._streaming and change is self._changes[-1] and change.end == len(self._original)
            if pending:
                cursor.insertText(change.new, formats["insert"])
                cursor.insertText(change.old, formats["pending"])
            elif change.index in accepted:
                cursor.insertText(change.old, formats["delete"])
                cursor.insertText(change.new, formats["insert"])
            else:
                cursor.insertText(change.old, formats["kept"])
                cursor.insertText(change.new, formats["dropped"])
            pos = change.end
        cursor.insertText(self._original[pos:], formats["equal"])
        bar.setValue(scroll)

    def _scroll_to_change(self, row: int) -> None:
        if self.show_revised_check.isChecked() or not 0 <= row < len(self._change_positions):
            return
        cursor = QTextCursor(self.diff_view.document())
        cursor.setPosition(self._change_positions[row])
        self.diff_view.setTextCursor(cursor)
        self.diff_view.ensureCursorVisible()

    def _update_state(self) -> None:
        self._escape.setEnabled(not self._streaming)
        self.accept_all_button.setEnabled(self._finished)
        self.apply_selected_button.setEnabled(self._finished)
        self.regenerate_button.setEnabled(not self._streaming)
        if not self._original and not self._revised_parts:
            self.stats_label.clear()
            return
        locale = self.locale()
        # Counted as the status bar counts a selection (字数 for Chinese, words for English), so both agree.
        before = count_text(self._original)
        after = count_text(self.final_text())
        lang = "zh" if before.cjk_chars >= before.words else "en"
        count = len(self._changes)
        changes = (
            self.tr("{count} change").format(count=locale.toString(count))
            if count == 1
            else self.tr("{count} changes").format(count=locale.toString(count))
        )
        sizes = f"{format_counts(before, lang)} → {format_counts(after, lang)}"
        self.stats_label.setText(f"{changes} · {sizes}")
