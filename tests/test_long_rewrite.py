"""A rewrite of a selection longer than the model's window: it says so before anything is written, in the UI's
language, with the largest selection that fits; the review deletes nothing and the status bar is not left running;
a selection of that size then goes through."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.actions import ActionKind

WAIT_MS = 120_000
PARAGRAPH = "为全面总结今年的教育工作，研究部署明年的重点任务，经研究决定召开全市教育工作会议，请各单位认真准备。"
LONG = "\n\n".join(PARAGRAPH for _ in range(60))  # about 3,000 字: more than a 2,048-token window holds


@pytest.fixture()
def window(qtbot: QtBot, main_window: Callable[..., MainWindow], q4: Path, chinese_ui: QApplication) -> MainWindow:
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(replace(MODEL_CARD, max_tokens=64, seed=5, ignore_eos=True))))
    win = main_window(lang="zh")
    win.writing.load_options = replace(win.writing.load_options, threads=1)
    with qtbot.waitSignal(win.engine.loaded, timeout=WAIT_MS):
        win.writing.load_model(q4)
    return win


def _polish(qtbot: QtBot, window: MainWindow, length: int) -> str:
    tab = window.current_tab()
    assert tab is not None
    cursor = tab.editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(length, cursor.MoveMode.KeepAnchor)
    tab.editor.setTextCursor(cursor)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS) as ended:
        window.writing.rewrite_selection(ActionKind.POLISH)
    assert ended.args is not None
    return ended.args[0].message


def test_a_selection_too_long_says_how_much_fits_in_chinese(qtbot: QtBot, window: MainWindow) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText(LONG)
    message = _polish(qtbot, window, len(LONG))
    shown = window.notice.text()
    assert message and shown.startswith("选中的文字太长，无法一次润色：共 "), shown
    fits = int(shown.split("大约只能容纳 ")[1].split(" 个字符")[0])
    assert 100 < fits < len(LONG)
    assert f"请一次最多选中约 {fits} 个字符" in shown
    # Nothing was written and nothing is marked deleted; the status bar does not keep a running speed.
    assert tab.text() == LONG
    assert window.review.changes() == [] and window.review.diff_view.toPlainText() == LONG.strip()
    assert "▶" not in window.status.speed_label.text()
    # A selection of the size the message names goes through.
    window.review.discard()
    assert not _polish(qtbot, window, fits)
    assert window.review.is_finished and window.review.original_text()
