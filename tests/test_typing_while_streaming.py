"""The writer types while the model writes: the model's passage and the writer's words both arrive whole.

The model writes at its own anchored place; what the writer types where the model is writing goes after the
model's text, never between its tokens; text typed elsewhere stays where it was typed. The passage being written
is tinted while it streams, and the tint goes when the run ends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.generation.generation import _Run
from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.clean_text import clean_model_text

WAIT_MS = 120_000
OPENING = "各位同事：\n\n今年的工作会议定于下周召开。"
CLOSING = "\n\n特此通知。"
TYPED = "请大家提前准备材料"


@pytest.fixture()
def window(qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path) -> MainWindow:
    # A long, steady stream: the random tiny model never stops before max_tokens.
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(replace(MODEL_CARD, max_tokens=1500, seed=3, ignore_eos=True))))
    win = main_window(lang="zh")
    win.writing.load_options = replace(win.writing.load_options, threads=1)
    with qtbot.waitSignal(win.engine.loaded, timeout=WAIT_MS):
        win.writing.load_model(q4)
    return win


def _start_continue(qtbot: QtBot, window: MainWindow, at: int) -> tuple[DocumentTab, list[str]]:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText(OPENING + CLOSING)
    cursor = tab.editor.textCursor()
    cursor.setPosition(at)
    tab.editor.setTextCursor(cursor)
    streamed: list[str] = []
    window.engine.chunk.connect(lambda _id, text: streamed.append(clean_model_text(text)[0]))
    window.writing.continue_writing()
    # Well into the stream: several batches are in the document.
    qtbot.waitUntil(lambda: len(tab.text()) > len(OPENING + CLOSING) + 40, timeout=WAIT_MS)
    assert window.generation.busy, "the stream must still be running while the writer types"
    return tab, streamed


def _type(qtbot: QtBot, editor: QWidget, text: str) -> None:
    """Key presses as an input method delivers Chinese text: one key event a character, a little apart."""
    for char in text:
        QApplication.sendEvent(editor, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, char))
        QApplication.sendEvent(editor, QKeyEvent(QEvent.Type.KeyRelease, 0, Qt.KeyboardModifier.NoModifier, char))
        qtbot.wait(15)  # a keystroke between flushes, as a person types


def _stop(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS):
        window.menu_actions.writing.stop.trigger()


def test_typing_where_the_model_writes_goes_after_its_text(qtbot: QtBot, window: MainWindow) -> None:
    tab, streamed = _start_continue(qtbot, window, len(OPENING))
    tab.editor.setFocus()
    # The writer's cursor sits where the model writes (they started the continue there), and they type.
    _type(qtbot, tab.editor, TYPED)
    run = window.generation._run
    assert isinstance(run, _Run) and run.inserter is not None
    tinted = run.inserter.tinted_span()
    assert tinted is not None and tinted[1] > tinted[0], "the passage being written is tinted"
    qtbot.wait(200)  # more of the stream arrives after the typing
    _stop(qtbot, window)

    generated = "".join(streamed)
    text = tab.text()
    assert generated.strip() and len(generated) > 40
    assert text.count(TYPED) == 1, "the writer's words arrive whole"
    # Both whole, the model's passage first: its anchored place did not move into the typed text.
    assert text == OPENING + generated.lstrip(" ") + TYPED + CLOSING or text == OPENING + generated + TYPED + CLOSING
    assert tab.editor.extraSelections() == [], "the tint goes when the run ends"
    cursor = tab.editor.textCursor()
    assert cursor.position() == text.index(TYPED) + len(TYPED), "the writer's cursor stays after their own words"


def test_typing_elsewhere_stays_where_it_was_typed(qtbot: QtBot, window: MainWindow) -> None:
    tab, streamed = _start_continue(qtbot, window, len(OPENING))
    cursor = tab.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfLine)  # after 各位同事：
    tab.editor.setTextCursor(cursor)
    tab.editor.setFocus()
    _type(qtbot, tab.editor, "（全体）")
    qtbot.wait(100)
    _stop(qtbot, window)
    generated = "".join(streamed)
    opening = OPENING.replace("各位同事：", "各位同事：（全体）")
    assert tab.text() in (opening + generated + CLOSING, opening + generated.lstrip(" ") + CLOSING)
