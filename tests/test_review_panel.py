"""The rewrite review as a writer meets it: it opens beside the text without crowding it, counts a selection as
the status bar does, speaks the UI's language, and goes away once the rewrite is applied or discarded."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.actions import ActionKind

WAIT_MS = 120_000
# Mixed Chinese and English, where 字数 (characters) and words differ from their sum.
TEXT = "各位同事：\n\n本次 annual meeting 将在 Shenzhen 举行，请大家 prepare the slides 并按时参加。\n\n谢谢。"
SELECTED = "本次 annual meeting 将在 Shenzhen 举行，请大家 prepare the slides 并按时参加。"


@pytest.fixture()
def window(qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path) -> MainWindow:
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(replace(MODEL_CARD, max_tokens=40, seed=5, ignore_eos=True))))
    win = main_window(lang="en")
    win.resize(1400, 800)
    win.writing.load_options = replace(win.writing.load_options, threads=1)
    with qtbot.waitSignal(win.engine.loaded, timeout=WAIT_MS):
        win.writing.load_model(q4)
    return win


def _polish(qtbot: QtBot, window: MainWindow) -> DocumentTab:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText(TEXT)
    cursor = tab.editor.textCursor()
    start = TEXT.index(SELECTED)
    cursor.setPosition(start)
    cursor.setPosition(start + len(SELECTED), cursor.MoveMode.KeepAnchor)
    tab.editor.setTextCursor(cursor)
    window.refresh_counts()
    window.writing.rewrite_selection(ActionKind.POLISH)
    qtbot.waitUntil(lambda: window.review.is_finished, timeout=WAIT_MS)
    return tab


def test_the_review_opens_beside_the_text_without_crowding_it(qtbot: QtBot, window: MainWindow) -> None:
    tab = _polish(qtbot, window)
    qtbot.wait(50)
    assert window.review_dock.isVisible()
    assert window.review_dock.width() <= 0.4 * window.width(), (window.review_dock.width(), window.width())
    assert tab.editor.width() >= window.review_dock.width(), "the document stays the widest part"


def test_the_review_counts_a_selection_as_the_status_bar_does(qtbot: QtBot, window: MainWindow) -> None:
    _polish(qtbot, window)
    # 14 characters and 2 marks of Chinese, 6 English words: “Selected 字数 16 · 6 words of …”.
    status = window.status.count_label.text()
    before = window.review.stats_label.text().split(" · ", 1)[1].split(" → ")[0]
    assert before == "字数 16 · 6 words" and f"Selected {before} of" in status


def test_the_change_list_speaks_english_in_the_english_ui(qtbot: QtBot, window: MainWindow) -> None:
    _polish(qtbot, window)
    items = [window.review.change_list.item(i).text() for i in range(window.review.change_list.count())]
    assert items
    assert not any(item.startswith(("删", "增")) or "→ 增" in item for item in items), items
    assert all(item.startswith(("Delete ", "Add ")) for item in items), items


def test_apply_selected_applies_once_and_closes_the_review(qtbot: QtBot, window: MainWindow) -> None:
    tab = _polish(qtbot, window)
    expected = window.review.final_text()
    window.review.apply_selected_button.click()
    applied = tab.text()
    assert applied == TEXT.replace(SELECTED, expected, 1)
    assert not window.review_dock.isVisible()
    assert window.review.change_list.count() == 0 and not window.review.stats_label.text()
    # A second press (Ctrl+Enter again, a double click) does nothing more.
    window.review.apply_selected()
    window.review.accept_all()
    assert tab.text() == applied


def test_discard_keeps_the_text_and_closes_the_review(qtbot: QtBot, window: MainWindow) -> None:
    tab = _polish(qtbot, window)
    window.review.discard_button.click()
    assert tab.text() == TEXT
    assert not window.review_dock.isVisible() and window.review.change_list.count() == 0
