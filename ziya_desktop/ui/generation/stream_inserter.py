"""Put streamed model text into the editor in batches, as one undo step, while the writer keeps working.

The engine yields a chunk per token or so; inserting each one would re-layout the document hundreds of times a
second and fill the undo stack. Chunks are buffered and a timer flushes them every ~30 ms instead.

The model writes at its own anchored place and the writer at their cursor, and neither corrupts the other: what
the writer types where the model is writing goes after the model's text (the model's insertion point keeps its
place when someone else inserts there), so the generated passage stays one piece and the typed text another. The
passage being written is tinted while it streams, so the writer sees where the model is.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

DEFAULT_FLUSH_INTERVAL_MS = 30
# Marks our extra selection among the editor's others (find highlights).
_STREAM_PROPERTY = QTextFormat.Property.UserProperty + 11
_TINT_ALPHA = 48


class StreamInserter(QObject):
    """Inserts one generation at a time into ``editor``'s document at a position that follows the writer's edits.

    Use: :meth:`begin` at a position, :meth:`feed` every chunk, :meth:`finish` at the end. The whole generation is
    one undo step: the first flush opens an edit block, every later flush joins it. A writer's edit that lands
    between two flushes joins that undo step too (the undo stack is linear; the alternative would split the
    generation into pieces).

    The insertion point is a :class:`QTextCursor`, so text the writer types before it moves it along and the
    generated text stays contiguous; text the writer types exactly at it goes after it (the insertion point keeps
    its position on others' inserts), so the two never interleave. The writer's own cursor and selection stay on
    the text they were on; a cursor that sits exactly at the insertion point, while the writer only watches, moves
    along with the generated text (and is kept visible). The passage written so far is tinted until the end.

    Signals:
        inserted(int): after each flush that inserted text; the number of characters (Python ``str`` length)
            of this generation inserted so far.
    """

    inserted = Signal(int)

    def __init__(
        self,
        editor: QPlainTextEdit | QTextEdit,
        *,
        interval_ms: int = DEFAULT_FLUSH_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent if parent is not None else editor)
        self._editor = editor
        self._buffer: list[str] = []
        self._cursor: QTextCursor | None = None
        self._start: QTextCursor | None = None
        self._join_previous = False
        self._replace: QTextCursor | None = None
        self._chars_total = 0
        self._flush_count = 0
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)

    # -- state ---------------------------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """True between :meth:`begin` and :meth:`finish`."""
        return self._cursor is not None

    @property
    def flush_count(self) -> int:
        """Flushes that inserted text in the current (or last) generation."""
        return self._flush_count

    @property
    def chars_total(self) -> int:
        """Characters inserted so far in the current (or last) generation."""
        return self._chars_total

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @interval_ms.setter
    def interval_ms(self, value: int) -> None:
        self._timer.setInterval(value)

    @property
    def position(self) -> int:
        """Where the next text goes (document position), or -1 when no generation is active."""
        return self._cursor.position() if self._cursor is not None else -1

    def span(self) -> tuple[int, int]:
        """(start, end) of the text inserted by the current generation; (-1, -1) when inactive.

        Document positions, i.e. UTF-16 code units (an emoji counts two), not Python string indices.
        """
        if self._cursor is None or self._start is None:
            return (-1, -1)
        return (self._start.position(), self._cursor.position())

    # -- the stream ----------------------------------------------------------------------------------------------

    def begin(self, cursor_position: int, *, replace_end: int | None = None, join_previous: bool = False) -> None:
        """Start a generation at ``cursor_position`` (clamped to the document); finishes one still active.

        Args:
            replace_end: the text from ``cursor_position`` to here is replaced by the generation: it is removed in
                the same undo step as the first text goes in (regenerate), and stays if no text comes at all.
            join_previous: the first flush joins the undo step before it (e.g. the fixed parts of a template that
                were laid out just before), so the writer undoes both at once.
        """
        if self.active:
            self.finish()
        document = self._editor.document()
        last = document.characterCount() - 1
        cursor = QTextCursor(document)
        cursor.setPosition(max(0, min(cursor_position, last)))
        self._replace = None
        if replace_end is not None and replace_end > cursor.position():
            self._replace = QTextCursor(cursor)
            self._replace.setPosition(min(replace_end, last), QTextCursor.MoveMode.KeepAnchor)
        self._join_previous = join_previous
        # The start marker must not move when our own text goes in at the same position; the insertion point must
        # not move when the writer types at it (it moves only with our own text, see flush).
        start = QTextCursor(cursor)
        start.setKeepPositionOnInsert(True)
        cursor.setKeepPositionOnInsert(True)
        self._cursor, self._start = cursor, start
        self._buffer.clear()
        self._chars_total = 0
        self._flush_count = 0
        self._timer.start()

    def feed(self, text: str) -> None:
        """Queue ``text`` for the next flush; ignored when no generation is active (e.g. a late chunk)."""
        if self._cursor is not None and text:
            self._buffer.append(text)

    def flush(self) -> None:
        """Insert everything buffered now (the timer calls this; :meth:`finish` does too)."""
        cursor = self._cursor
        if cursor is None or not self._buffer:
            return
        text = "".join(self._buffer)
        self._buffer.clear()
        # A cursor at the insertion point follows the text (Qt moves cursors at the insert position); keep it in
        # view, as typing would. Everything else stays where it is, on the same text.
        follow = self._editor.textCursor().position() == cursor.position()
        if self._flush_count == 0 and not self._join_previous:
            cursor.beginEditBlock()
        else:
            cursor.joinPreviousEditBlock()
        if self._replace is not None:
            self._replace.removeSelectedText()
            self._replace = None
        # Keeping its position on the writer's insert, Qt still moves the cursor's anchor past their text: drop
        # that selection, or our insert would replace what they typed.
        cursor.setPosition(cursor.position())
        cursor.setKeepPositionOnInsert(False)
        cursor.insertText(text)
        cursor.setKeepPositionOnInsert(True)
        cursor.endEditBlock()
        self._tint()
        self._flush_count += 1
        self._chars_total += len(text)
        if follow:
            self._editor.ensureCursorVisible()
        self.inserted.emit(self._chars_total)

    def finish(self) -> int:
        """Insert what is left, stop the timer and end the generation; returns the characters inserted."""
        self.flush()
        self._timer.stop()
        self._cursor = self._start = self._replace = None
        self._tint()
        return self._chars_total

    def _tint(self) -> None:
        """Tint the passage written so far (none once the generation ended)."""
        others = [s for s in self._editor.extraSelections() if not s.format.hasProperty(_STREAM_PROPERTY)]
        ours: list[QTextEdit.ExtraSelection] = []
        if self._cursor is not None and self._start is not None and self._cursor.position() > self._start.position():
            selection = QTextEdit.ExtraSelection()
            span = QTextCursor(self._editor.document())
            span.setPosition(self._start.position())
            span.setPosition(self._cursor.position(), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = span
            tint = QColor(QGuiApplication.palette().color(QPalette.ColorRole.Highlight))
            tint.setAlpha(_TINT_ALPHA)
            fmt = selection.format
            fmt.setBackground(tint)
            fmt.setProperty(_STREAM_PROPERTY, True)
            selection.format = fmt
            ours.append(selection)
        if ours or len(others) != len(self._editor.extraSelections()):
            self._editor.setExtraSelections([*others, *ours])

    def tinted_span(self) -> tuple[int, int] | None:
        """The tinted passage as (start, end) document positions, or None when nothing is tinted."""
        for selection in self._editor.extraSelections():
            if selection.format.hasProperty(_STREAM_PROPERTY):
                return selection.cursor.selectionStart(), selection.cursor.selectionEnd()
        return None
