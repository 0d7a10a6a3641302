"""The find/replace bar under the editor: incremental search, every match highlighted, replace one or all.

Matching runs Python's ``re`` over the document's plain text and converts the offsets to document positions
(UTF-16 code units, see :class:`ziya_desktop.ui.editor.apply_edits.Utf16Index`). "Whole words" guards only Latin words:
Chinese has no spaces, so a CJK character next to a match never makes it part of a longer word (``文件`` is found
inside ``本文件中``, ``cat`` inside ``猫cat猫`` but not inside ``concat``).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QKeyEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.ui.editor.text_positions import Utf16Index
from ziya_desktop.writing.diff import CJK_RANGES

__all__ = ["MAX_HIGHLIGHTS", "FindReplaceBar", "compile_search"]

# Thousands of extra selections make every repaint slow; past this many only those around the current match show.
MAX_HIGHLIGHTS = 2000
PREFILL_MAX_CHARS = 200
# Re-search after the writer pauses typing in the editor, not on every keystroke.
REFRESH_DELAY_MS = 200

# A letter, digit or underscore of a script that separates words with spaces (anything but CJK).
_LATIN_WORD = rf"[^\W{CJK_RANGES}]"
# True unless the position lies inside a Latin word: not both a word character before it and one after it.
_NOT_INSIDE_WORD = rf"(?:(?<!{_LATIN_WORD})|(?!{_LATIN_WORD}))"
# Marks our extra selections, so the editor's others (current line, spelling) are left alone.
_HIGHLIGHT_PROPERTY = int(QTextFormat.Property.UserProperty) + 0x46D
_MATCH_COLOUR = QColor(255, 200, 0, 90)
_CURRENT_COLOUR = QColor(255, 140, 0, 170)


def compile_search(text: str, *, match_case: bool, whole_words: bool, regex: bool) -> re.Pattern[str]:
    """The pattern the bar searches with.

    Raises:
        re.error: ``regex`` is set and ``text`` is not a valid regular expression.
    """
    pattern = text if regex else re.escape(text)
    if whole_words:
        pattern = f"{_NOT_INSIDE_WORD}(?:{pattern}){_NOT_INSIDE_WORD}"
    flags = re.MULTILINE if match_case else re.MULTILINE | re.IGNORECASE
    return re.compile(pattern, flags)


class FindReplaceBar(QWidget):
    """Find and replace in a :class:`QPlainTextEdit` given with :meth:`set_editor`.

    Typing in the find field selects the first match from where the search began; Enter goes to the next match
    and Shift+Enter to the previous one, wrapping around the document ("Wrapped around" shows when it did). All
    matches are highlighted (at most :data:`MAX_HIGHLIGHTS`); the status shows "3 / 12", "No matches" or why a
    regular expression is invalid. Enter in the replace field replaces the current match. Replace all is one undo
    step. Esc hides the bar and gives the focus back to the editor.

    Signals:
        closed(): the bar was hidden with Esc or its close button.
        replacedAll(int): after :meth:`replace_all` replaced at least one match; how many.

    Attributes:
        find_edit, replace_edit, case_check, words_check, regex_check, previous_button, next_button,
        replace_button, replace_all_button, close_button, status_label: the bar's widgets.
    """

    closed = Signal()
    replacedAll = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindReplaceBar")
        self._editor: QPlainTextEdit | None = None
        self._pattern: re.Pattern[str] | None = None
        self._error = ""
        # (start, end) document positions of every non-empty match; None when the text or the query changed.
        self._matches: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._origin = 0
        self._wrapped = False

        self.find_edit = QLineEdit(self)
        self.find_edit.setClearButtonEnabled(True)
        self.replace_edit = QLineEdit(self)
        self.case_check = QCheckBox(self)
        self.words_check = QCheckBox(self)
        self.regex_check = QCheckBox(self)
        self.previous_button = QPushButton(self)
        self.next_button = QPushButton(self)
        self.replace_button = QPushButton(self)
        self.replace_all_button = QPushButton(self)
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.status_label = QLabel(self)
        self.retranslate()
        self.status_label.setObjectName("findStatus")

        find_row = QHBoxLayout()
        find_widgets: tuple[QWidget, ...] = (
            self.find_edit,
            self.previous_button,
            self.next_button,
            self.case_check,
            self.words_check,
            self.regex_check,
            self.status_label,
        )
        for widget in find_widgets:
            find_row.addWidget(widget)
        find_row.addStretch(1)
        find_row.addWidget(self.close_button)
        self._replace_row = QWidget(self)
        replace_row = QHBoxLayout(self._replace_row)
        replace_row.setContentsMargins(0, 0, 0, 0)
        replace_row.addWidget(self.replace_edit)
        replace_row.addWidget(self.replace_button)
        replace_row.addWidget(self.replace_all_button)
        replace_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(find_row)
        layout.addWidget(self._replace_row)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._refresh)

        self.find_edit.textChanged.connect(self._query_changed)
        for check in (self.case_check, self.words_check, self.regex_check):
            check.toggled.connect(self._query_changed)
        self.previous_button.clicked.connect(self.find_previous)
        self.next_button.clicked.connect(self.find_next)
        self.replace_button.clicked.connect(self.replace)
        self.replace_all_button.clicked.connect(self.replace_all)
        self.close_button.clicked.connect(self.hide_bar)
        self.find_edit.installEventFilter(self)
        self.replace_edit.installEventFilter(self)
        self._replace_row.hide()
        self.hide()

    def retranslate(self) -> None:
        """Set the bar's texts in the current UI language."""
        self.find_edit.setPlaceholderText(self.tr("Find"))
        self.replace_edit.setPlaceholderText(self.tr("Replace with"))
        self.case_check.setText(self.tr("Match case"))
        self.words_check.setText(self.tr("Whole words"))
        self.words_check.setToolTip(self.tr("Do not match inside longer English words; Chinese is never split"))
        self.regex_check.setText(self.tr("Regular expression"))
        self.regex_check.setToolTip(self.tr("Python syntax; use \\1 or \\g<name> in the replacement"))
        self.previous_button.setText(self.tr("Previous"))
        self.previous_button.setToolTip(self.tr("Previous match (Shift+Enter)"))
        self.next_button.setText(self.tr("Next"))
        self.next_button.setToolTip(self.tr("Next match (Enter)"))
        self.replace_button.setText(self.tr("Replace"))
        self.replace_all_button.setText(self.tr("Replace all"))
        self.close_button.setToolTip(self.tr("Close (Esc)"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            if self.isVisible() and self.find_edit.text():
                self._update_view()

    # -- editor --------------------------------------------------------------------------------------------------

    def set_editor(self, editor: QPlainTextEdit | None) -> None:
        """Search ``editor`` from now on (None detaches the bar)."""
        if self._editor is not None:
            self._set_highlights([])
            self._editor.document().contentsChanged.disconnect(self._document_changed)
        self._editor = editor
        self._matches = None
        if editor is not None:
            editor.document().contentsChanged.connect(self._document_changed)

    def editor(self) -> QPlainTextEdit | None:
        return self._editor

    # -- showing -------------------------------------------------------------------------------------------------

    @property
    def replace_mode(self) -> bool:
        return not self._replace_row.isHidden()

    def show_find(self) -> None:
        """Show the bar for finding; the editor's selection (one line) becomes the query."""
        self._open(replace=False)

    def show_replace(self) -> None:
        """Show the bar with the replace field."""
        self._open(replace=True)

    def hide_bar(self) -> None:
        """Hide the bar, clear the highlights, give the focus back to the editor and emit ``closed``."""
        self.hide()
        if self._editor is not None:
            self._editor.setFocus()
        self.closed.emit()

    def _open(self, *, replace: bool) -> None:
        self._replace_row.setVisible(replace)
        if self._editor is not None:
            cursor = self._editor.textCursor()
            self._origin = cursor.selectionStart()
            selected = cursor.selectedText()
            if selected and "\u2029" not in selected and len(selected) <= PREFILL_MAX_CHARS:
                self.find_edit.setText(re.escape(selected) if self.regex_check.isChecked() else selected)
        self.show()
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        self._wrapped = False
        self._refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self._refresh_timer.stop()
        self._set_highlights([])
        super().hideEvent(event)

    # -- keys ----------------------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if watched is self.replace_edit:
                    self.replace()
                elif event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.find_previous()
                else:
                    self.find_next()
                return True
            if key == Qt.Key.Key_Escape:
                self.hide_bar()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide_bar()
            return
        super().keyPressEvent(event)

    # -- matches -------------------------------------------------------------------------------------------------

    def matches(self) -> list[tuple[int, int]]:
        """Every match as (start, end) document positions; empty when nothing matches or the query is invalid."""
        if self._matches is None:
            self._search()
        return list(self._matches or [])

    def current_index(self) -> int:
        """Index of the match the editor's selection is on, or -1."""
        if self._editor is None:
            return -1
        cursor = self._editor.textCursor()
        matches = self.matches()
        i = bisect_left(self._starts, cursor.selectionStart())
        if i < len(matches) and matches[i] == (cursor.selectionStart(), cursor.selectionEnd()):
            return i
        return -1

    def _search(self) -> None:
        self._matches, self._starts, self._pattern, self._error = [], [], None, ""
        query = self.find_edit.text()
        if self._editor is None or not query:
            return
        try:
            self._pattern = compile_search(
                query,
                match_case=self.case_check.isChecked(),
                whole_words=self.words_check.isChecked(),
                regex=self.regex_check.isChecked(),
            )
        except re.error as exc:
            self._error = self.tr("Invalid regular expression: {error}").format(error=str(exc))
            return
        text = self._editor.document().toPlainText()
        index = Utf16Index(text)
        # Empty matches (``a*``, ``^``) cannot be shown or stepped through; they are left out.
        self._matches = [
            (index.to_utf16(m.start()), index.to_utf16(m.end()))
            for m in self._pattern.finditer(text)
            if m.end() > m.start()
        ]
        self._starts = [start for start, _ in self._matches]

    # -- navigation ----------------------------------------------------------------------------------------------

    def find_next(self) -> bool:
        """Select the next match after the editor's cursor (wrapping); False when there is none."""
        return self._step(forward=True)

    def find_previous(self) -> bool:
        """Select the match before the editor's cursor (wrapping); False when there is none."""
        return self._step(forward=False)

    def _step(self, *, forward: bool) -> bool:
        matches = self.matches()
        if self._editor is None or not matches:
            self._refresh()
            return False
        cursor = self._editor.textCursor()
        if forward:
            i = bisect_left(self._starts, cursor.selectionEnd())
            self._wrapped = i == len(matches)
            i = 0 if self._wrapped else i
        else:
            i = bisect_left(self._starts, cursor.selectionStart()) - 1
            self._wrapped = i < 0
            i = len(matches) - 1 if self._wrapped else i
        self._select(matches[i])
        self._origin = matches[i][0]
        self._update_view()
        return True

    def _select(self, span: tuple[int, int]) -> None:
        assert self._editor is not None
        cursor = QTextCursor(self._editor.document())
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        self._editor.setTextCursor(cursor)
        self._editor.ensureCursorVisible()

    def _query_changed(self) -> None:
        """Find as you type: select the first match from where the search began."""
        self._matches = None
        self._wrapped = False
        matches = self.matches()
        if self._editor is not None and matches:
            i = bisect_left(self._starts, self._origin)
            self._select(matches[i if i < len(matches) else 0])
        self._update_view()

    # -- replacing -----------------------------------------------------------------------------------------------

    def replace(self) -> bool:
        """Replace the selected match (if the selection is one) and go to the next match.

        Returns:
            True when a match was replaced.
        """
        index = self.current_index()
        if index < 0 or self._editor is None or self._pattern is None:
            self.find_next()
            return False
        start, end = self.matches()[index]
        text = self._editor.document().toPlainText()
        positions = Utf16Index(text)
        match = self._pattern.match(text, positions.to_python(start))
        if match is None or positions.to_utf16(match.end()) != end:
            # The text changed under the selection since the last search; find again instead of guessing.
            self._matches = None
            self.find_next()
            return False
        replacement = self._expand(match)
        if replacement is None:
            return False
        cursor = self._editor.textCursor()
        cursor.insertText(replacement)
        self._editor.setTextCursor(cursor)
        self._matches = None
        self.find_next()
        return True

    def replace_all(self) -> int:
        """Replace every match in the document as one undo step.

        Returns:
            How many matches were replaced (0 when none, or when the replacement is invalid).
        """
        self.matches()
        if self._editor is None or self._pattern is None:
            return 0
        text = self._editor.document().toPlainText()
        positions = Utf16Index(text)
        edits: list[tuple[int, int, str]] = []
        for match in self._pattern.finditer(text):
            if match.end() == match.start():
                continue
            replacement = self._expand(match)
            if replacement is None:
                return 0
            edits.append((positions.to_utf16(match.start()), positions.to_utf16(match.end()), replacement))
        if not edits:
            return 0
        cursor = QTextCursor(self._editor.document())
        cursor.beginEditBlock()
        try:
            for start, end, replacement in reversed(edits):
                cursor.setPosition(start)
                cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
                cursor.insertText(replacement)
        finally:
            cursor.endEditBlock()
        self._matches = None
        self._refresh()
        count = len(edits)
        self.status_label.setText(
            self.tr("Replaced {count}").format(count=self.locale().toString(count)) if count else ""
        )
        self.replacedAll.emit(count)
        return count

    def _expand(self, match: re.Match[str]) -> str | None:
        """The replacement for ``match``; None (and the reason in the status) when the template is invalid."""
        template = self.replace_edit.text()
        if not self.regex_check.isChecked():
            return template
        try:
            return match.expand(template)
        except (re.error, IndexError) as exc:
            self.status_label.setText(self.tr("Invalid replacement: {error}").format(error=str(exc)))
            return None

    # -- view ----------------------------------------------------------------------------------------------------

    def _document_changed(self) -> None:
        self._matches = None
        if self.isVisible():
            self._refresh_timer.start()

    def _refresh(self) -> None:
        self._refresh_timer.stop()
        self.matches()
        self._update_view()

    def _update_view(self) -> None:
        """Highlights and status for the current matches and selection."""
        matches = self.matches()
        current = self.current_index()
        if self._error:
            status = self._error
        elif not self.find_edit.text():
            status = ""
        elif not matches:
            status = self.tr("No matches")
        elif current >= 0:
            status = self.tr("{current} / {total}").format(
                current=self.locale().toString(current + 1), total=self.locale().toString(len(matches))
            )
        else:
            status = self.tr("{total} matches").format(total=self.locale().toString(len(matches)))
        if self._wrapped and current >= 0:
            status = self.tr("{status} · Wrapped around").format(status=status)
        self.status_label.setText(status)
        if len(matches) > MAX_HIGHLIGHTS:
            first = max(0, min(current - MAX_HIGHLIGHTS // 2, len(matches) - MAX_HIGHLIGHTS))
            shown = matches[first : first + MAX_HIGHLIGHTS]
            current -= first
        else:
            shown = matches
        self._set_highlights(shown if self.isVisible() else [], current)

    def _set_highlights(self, spans: list[tuple[int, int]], current: int = -1) -> None:
        editor = self._editor
        if editor is None:
            return
        others = [s for s in editor.extraSelections() if not s.format.hasProperty(_HIGHLIGHT_PROPERTY)]
        ours: list[QTextEdit.ExtraSelection] = []
        document = editor.document()
        for i, (start, end) in enumerate(spans):
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(document)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            fmt = selection.format
            fmt.setBackground(_CURRENT_COLOUR if i == current else _MATCH_COLOUR)
            fmt.setProperty(_HIGHLIGHT_PROPERTY, True)
            selection.format = fmt
            ours.append(selection)
        if ours or len(others) != len(editor.extraSelections()):
            editor.setExtraSelections([*others, *ours])

    def highlight_count(self) -> int:
        """How many matches are highlighted in the editor now."""
        if self._editor is None:
            return 0
        return sum(1 for s in self._editor.extraSelections() if s.format.hasProperty(_HIGHLIGHT_PROPERTY))
