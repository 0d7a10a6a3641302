"""Hostile prompts and cancels through the real main window and the tiny model: no crash, no hang, a clear
message or visible windowing, and a journal that matches the document afterwards.

Engine-level coverage is in tests/test_engine.py (prompts just over the limit, odd prompts, cancel in prompt
evaluation and generation, cancelled load) and tests/test_engine_worker.py (shutdown while generating); these
tests check what the writer sees and what the journal holds.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ziya_desktop import paths
from ziya_desktop.documents.journal import list_journals, read_journal
from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.ui.common.notice_bar import NoticeLevel
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.generation.generation import PromptTokens
from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY
from ziya_desktop.ui.shell.main_window import MainWindow

pytestmark = pytest.mark.slow

WAIT_MS = 120_000
N_CTX = 2048


@pytest.fixture()
def window(main_window: Callable[..., MainWindow]) -> MainWindow:
    # Before the window exists: it reads the sampling settings when it starts.
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(MODEL_CARD.with_(ignore_eos=True, max_tokens=1200))))
    return main_window(load_options={"threads": 1, "n_ctx": N_CTX})


def load(qtbot: QtBot, window: MainWindow, model: Path) -> None:
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS):
        window.writing.load_model(model)


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.generation.busy, timeout=WAIT_MS)


def journal_matches(window: MainWindow) -> None:
    """After a run: every modified tab's journal holds exactly its text; no other journal exists."""
    window.journal.flush_all()
    expected = {window.journal.journal_of(t): t.text() for t in window.all_tabs() if t.modified}
    found = {p: read_journal(p).text for p in list_journals(paths.journal_dir())}
    assert found == expected


@pytest.mark.parametrize("length", [N_CTX - 1, N_CTX, N_CTX + 1])
def test_prompts_at_the_context_size_are_refused_with_a_message(
    qtbot: QtBot, window: MainWindow, q4: Path, length: int
) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("开头")

    def build(tokenize: Callable[[str], list[int]], n_ctx: int) -> PromptTokens:
        tokens = tokenize("年" * (2 * n_ctx))[:length]
        assert len(tokens) == length
        return PromptTokens(tokens)

    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS):
        window.generation.insert(tab, 2, build, MODEL_CARD)  # type: ignore[arg-type]
    assert window.notice.isVisible() and window.notice.level is NoticeLevel.ERROR
    assert f"the prompt is {length} tokens" in window.notice.text() and str(N_CTX) in window.notice.text()
    assert tab.text() == "开头" and not window.generation.busy
    journal_matches(window)


def test_a_document_longer_than_the_context_is_windowed_visibly(qtbot: QtBot, window: MainWindow, q4: Path) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("".join(f"第{i}段：这是文档中的一句话。\n" for i in range(600)))
    window.writing.continue_writing()
    qtbot.waitUntil(lambda: "left out" in window.notice.text(), timeout=WAIT_MS)
    idle(qtbot, window)
    assert tab.text().startswith("第0段")
    journal_matches(window)


@pytest.mark.parametrize("text", ["", "   \n\t", "🎉🎉🎉👨‍👩‍👧", "\x01\x02\x1b[31m\x7f", "\u200b\u200d\ufeff"])
def test_empty_emoji_and_control_character_documents(qtbot: QtBot, window: MainWindow, q4: Path, text: str) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText(text)
    before = tab.text()
    window.writing.continue_writing()
    idle(qtbot, window)
    if not before.strip():
        assert window.notice.isVisible() and "nothing to continue from" in window.notice.text()
        assert tab.text() == before
    else:
        # Either the model wrote something after the text, or the writer was told why not.
        assert tab.text().startswith(before)
        assert len(tab.text()) > len(before) or window.notice.isVisible()
    journal_matches(window)


def test_cancel_while_loading_leaves_no_model_and_a_working_app(qtbot: QtBot, window: MainWindow, q4: Path) -> None:
    outcome: list[str] = []
    window.engine.loaded.connect(lambda _r: outcome.append("loaded"))
    window.engine.loadFailed.connect(lambda message, _hint: outcome.append(message))
    window.writing.load_model(q4)
    window.engine.cancel_load()
    qtbot.waitUntil(lambda: bool(outcome), timeout=WAIT_MS)
    if outcome[0] != "loaded":  # the tiny model may finish loading before the cancel lands
        assert "cancel" in outcome[0].lower()
        assert window.writing.report is None and "No model loaded" in window.status.model_label.text()
    load(qtbot, window, q4)
    assert window.writing.report is not None


def test_cancel_while_evaluating_a_long_prompt(qtbot: QtBot, window: MainWindow, q4: Path) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("这是一段很长的文档。" * 800)
    before = tab.text()
    started = time.monotonic()
    window.writing.continue_writing()
    window.generation.stop()  # before the worker has even built the prompt
    idle(qtbot, window)
    assert time.monotonic() - started < 30
    assert tab.text().startswith(before)
    journal_matches(window)


def test_cancel_while_generating_keeps_the_text_and_the_journal(qtbot: QtBot, window: MainWindow, q4: Path) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("尊敬的各位来宾：")

    def stop_after_three(chunks: int, _rate: float, _ctx: int) -> None:
        if chunks == 3:
            window.generation.stop()

    window.generation.progress.connect(stop_after_three)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS) as ended:
        window.writing.continue_writing()
    stats = ended.args[0].stats
    assert stats is not None and stats.stop_reason == "cancelled" and stats.generated_tokens < 1200
    assert tab.text().startswith("尊敬的各位来宾：") and len(tab.text()) > len("尊敬的各位来宾：")
    journal_matches(window)


def test_close_while_generating_does_not_hang_and_leaves_no_journal(qtbot: QtBot, window: MainWindow, q4: Path) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("致辞：")
    closed: list[float] = []

    def close_now(chunks: int, _rate: float, _ctx: int) -> None:
        if chunks == 2 and not closed:
            started = time.monotonic()
            window.close()
            closed.append(time.monotonic() - started)

    window.generation.progress.connect(close_now)
    window.writing.continue_writing()
    qtbot.waitUntil(lambda: bool(closed), timeout=WAIT_MS)
    assert closed[0] < 5.0
    assert not window.isVisible()
    assert window.engine.worker_thread.isFinished()
    assert list_journals(paths.journal_dir()) == []


def test_a_cancelled_close_while_generating_keeps_the_journal_current(
    qtbot: QtBot, window: MainWindow, q4: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(qtbot, window, q4)
    monkeypatch.setattr(window, "ask_unsaved", lambda _tab: QMessageBox.StandardButton.Cancel)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("致辞：")

    def close_after_two(chunks: int, _rate: float, _ctx: int) -> None:
        if chunks == 2:
            window.close()

    window.generation.progress.connect(close_after_two)
    window.writing.continue_writing()
    idle(qtbot, window)
    assert window.isVisible()
    journal_matches(window)
    monkeypatch.setattr(window, "ask_unsaved", lambda _tab: QMessageBox.StandardButton.Discard)
