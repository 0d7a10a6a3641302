"""StreamInserter for real on Qt's offscreen platform: batched inserts, one undo step, edits during a stream."""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.generation.stream_inserter import StreamInserter

N_CHUNKS = 400
PIECES = ("春", "风", "又绿", "江南岸，", " the ", "moon", "明月", "何时照我还。", "\n", "🎉", "字", "ok ")
BEFORE, AFTER = "开头：", "【结尾】"


def _chunks(n: int = N_CHUNKS) -> list[str]:
    return [PIECES[(i * 7) % len(PIECES)] for i in range(n)]


class FakeChunkSource(QObject):
    """Emits one chunk per timer tick (like the engine worker's queued ``chunk`` signal), then ``done``."""

    chunk = Signal(str)
    done = Signal()

    def __init__(self, chunks: list[str], *, interval_ms: int = 1) -> None:
        super().__init__()
        self.chunks = chunks
        self.sent = 0
        self.on_sent: Callable[[int], None] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._timer.start()

    def _tick(self) -> None:
        if self.sent == len(self.chunks):
            self._timer.stop()
            self.done.emit()
            return
        self.chunk.emit(self.chunks[self.sent])
        self.sent += 1
        if self.on_sent is not None:
            self.on_sent(self.sent)


def _stream(qtbot: QtBot, inserter: StreamInserter, source: FakeChunkSource) -> None:
    source.chunk.connect(inserter.feed)
    source.done.connect(inserter.finish)
    with qtbot.waitSignal(source.done, timeout=20_000):
        source.start()


@pytest.fixture()
def editor(qtbot: QtBot) -> QPlainTextEdit:
    widget = QPlainTextEdit()
    qtbot.addWidget(widget)
    widget.setPlainText(BEFORE + AFTER)  # also clears the undo stack: only the generation can be undone
    return widget


def test_stream_arrives_in_batches_exactly_and_is_one_undo_step(qtbot: QtBot, editor: QPlainTextEdit) -> None:
    chunks = _chunks()
    expected = BEFORE + "".join(chunks) + AFTER
    inserter = StreamInserter(editor, interval_ms=30)
    totals: list[int] = []
    inserter.inserted.connect(totals.append)
    source = FakeChunkSource(chunks)
    inserter.begin(len(BEFORE))
    _stream(qtbot, inserter, source)

    document = editor.document()
    assert document.toPlainText() == expected
    assert not inserter.active
    assert 1 < inserter.flush_count < len(chunks), inserter.flush_count
    assert len(totals) == inserter.flush_count
    assert totals == sorted(totals) and totals[-1] == len("".join(chunks)) == inserter.chars_total

    assert document.isUndoAvailable()
    document.undo()
    assert document.toPlainText() == BEFORE + AFTER
    assert not document.isUndoAvailable(), "the generation took more than one undo step"
    document.redo()
    assert document.toPlainText() == expected


def test_qtextedit_and_finish_flushes_the_rest(qtbot: QtBot) -> None:
    editor = QTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("ab")
    # A timer that never fires during the test: finish() alone must insert everything.
    inserter = StreamInserter(editor, interval_ms=60_000)
    inserter.begin(1)
    for piece in ("一", "二", "三"):
        inserter.feed(piece)
    assert editor.toPlainText() == "ab"
    assert inserter.finish() == 3
    assert editor.toPlainText() == "a一二三b"
    assert inserter.flush_count == 1
    inserter.feed("late")  # a chunk after finish is dropped, not inserted somewhere stale
    inserter.flush()
    assert editor.toPlainText() == "a一二三b"


def test_typing_before_the_stream_keeps_generated_text_contiguous(qtbot: QtBot, editor: QPlainTextEdit) -> None:
    chunks = _chunks()
    generated = "".join(chunks)
    inserter = StreamInserter(editor, interval_ms=30)
    source = FakeChunkSource(chunks)
    typed: list[str] = []

    def type_at_start(sent: int) -> None:
        # The writer edits the opening while the model writes further down: type at position 0 with the editor's
        # own cursor, as keystrokes would, several times during the stream.
        if sent % 100 == 50:
            cursor = editor.textCursor()
            cursor.setPosition(0)
            editor.setTextCursor(cursor)
            text = f"改{sent}"
            qtbot.keyClicks(editor, "x")
            editor.textCursor().insertText(text)
            typed.append("x" + text)

    source.on_sent = type_at_start
    inserter.begin(len(BEFORE))
    spans: list[tuple[int, int]] = []
    inserter.inserted.connect(lambda _total: spans.append(inserter.span()))
    _stream(qtbot, inserter, source)

    assert len(typed) == 4
    prefix = "".join(reversed(typed))  # each edit went in at position 0, in front of the earlier ones
    assert editor.toPlainText() == prefix + BEFORE + generated + AFTER
    # Document positions count UTF-16 code units (an emoji is two), so read the span back through a cursor.
    start, end = spans[-1]
    cursor = QTextCursor(editor.document())
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText().replace("\u2029", "\n") == generated


def test_writer_cursor_and_selection_stay_on_their_text(qtbot: QtBot, editor: QPlainTextEdit) -> None:
    # Select "结尾" (after the insertion point): it must still be selected after the generation went in before it.
    full = BEFORE + AFTER
    sel_start = full.index("结尾")
    cursor = editor.textCursor()
    cursor.setPosition(sel_start)
    cursor.setPosition(sel_start + 2, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    inserter = StreamInserter(editor, interval_ms=5)
    source = FakeChunkSource(_chunks(60))
    inserter.begin(len(BEFORE))
    _stream(qtbot, inserter, source)
    assert editor.textCursor().selectedText() == "结尾"

    # A cursor at the insertion point follows the generated text, as if the writer were typing it.
    editor.setPlainText("甲乙")
    cursor = editor.textCursor()
    cursor.setPosition(1)
    editor.setTextCursor(cursor)
    inserter.begin(1)
    inserter.feed("丙丁")
    inserter.finish()
    assert editor.toPlainText() == "甲丙丁乙"
    assert editor.textCursor().position() == 3
