"""Hostile prompts and cancels through the real main window and the tiny model: no crash, no hang, a clear
message or visible windowing, and a journal that matches the document afterwards.

Engine-level coverage is in tests/test_engine.py (prompts just over the limit, odd prompts, cancel in prompt
evaluation and generation, cancelled load) and tests/test_engine_worker.py (shutdown while generating, loads
cancelled while queued); these tests check what the writer sees and what the journal holds. Where a test needs the
worker at a known point (a load running, a generation a few pieces in), the worker is held there until the test has
done its part, so no outcome depends on how fast the machine is; the waits only guard against hangs.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ziya_desktop import paths
from ziya_desktop.documents.journal import list_journals, read_journal
from ziya_desktop.engine.engine import Engine
from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.ui.common.notice_bar import NoticeLevel
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.generation.generation import PromptTokens
from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY
from ziya_desktop.ui.shell.main_window import MainWindow

pytestmark = pytest.mark.slow

WAIT_MS = 120_000
# Only guards against a hang (a wait that never ends when the behaviour under test is broken), never a speed claim.
HANG_GUARD_S = 60.0
N_CTX = 2048
MAX_TOKENS = 1200


class HoldingEngine(Engine):
    """The real engine. With ``hold_after`` set, a stream that has handed on that many pieces (the worker emitted
    them as chunks) waits until it is cancelled before it goes on: the generation cannot end by itself, only a stop
    or a close ends it. ``cached_at_hold`` is the number of tokens in the cache then (the prompt and every generated
    token but the last sampled one)."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_after: int | None = None
        self.cached_at_hold: int | None = None

    def stream(self, *args: object, **kwargs: object) -> Iterator[str]:
        pieces = super().stream(*args, **kwargs)  # type: ignore[arg-type]
        cancel = kwargs.get("cancel")
        if self.hold_after is None or not isinstance(cancel, threading.Event):
            return pieces
        return self._held(pieces, self.hold_after, cancel)

    def _held(self, pieces: Iterator[str], hold_after: int, cancel: threading.Event) -> Iterator[str]:
        for count, piece in enumerate(pieces, 1):
            yield piece
            if count == hold_after:
                self.cached_at_hold = len(self._cached)
                cancel.wait(HANG_GUARD_S)


class WorkerHold:
    """Connected directly (``Qt.DirectConnection``) to a worker signal: the first time it fires, the worker thread
    waits there until :meth:`release`; ``inside`` is set once it got there."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self._release = threading.Event()

    def wait_once(self, *_args: object) -> None:  # worker thread
        if not self.inside.is_set():
            self.inside.set()
            self._release.wait(HANG_GUARD_S)

    def release(self) -> None:
        self._release.set()


@pytest.fixture()
def engines() -> list[HoldingEngine]:
    return []


@pytest.fixture()
def window(main_window: Callable[..., MainWindow], engines: list[HoldingEngine]) -> MainWindow:
    # Before the window exists: it reads the sampling settings when it starts.
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(MODEL_CARD.with_(ignore_eos=True, max_tokens=MAX_TOKENS))))

    def factory() -> Engine:
        engine = HoldingEngine()
        engines.append(engine)
        return engine

    return main_window(engine_factory=factory, load_options={"threads": 1, "n_ctx": N_CTX})


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


def test_cancel_while_loading_leaves_no_model_and_a_working_app(
    qtbot: QtBot, window: MainWindow, engines: list[HoldingEngine], q4: Path
) -> None:
    outcome: list[str] = []
    window.engine.loaded.connect(lambda _r: outcome.append("loaded"))
    window.engine.loadFailed.connect(lambda message, _hint: outcome.append(message))
    # The worker is held inside the first load's first progress report (llama.cpp's callback, in the worker thread)
    # until both loads are cancelled: the first is then running and the second still queued behind it.
    hold = WorkerHold()
    window.engine.worker.loadProgress.connect(hold.wait_once, Qt.ConnectionType.DirectConnection)
    window.writing.load_model(q4)
    qtbot.waitUntil(hold.inside.is_set, timeout=WAIT_MS)
    window.writing.load_model(q4)
    window.engine.cancel_load()  # every load queued up to now: the running one and the queued one
    hold.release()
    qtbot.waitUntil(lambda: len(outcome) == 2, timeout=WAIT_MS)
    assert all("cancelled" in message for message in outcome), outcome
    assert window.writing.report is None and "No model loaded" in window.status.model_label.text()
    assert "The model could not be loaded: model load cancelled" in window.notice.text()
    (engine,) = engines
    assert not engine.loaded
    load(qtbot, window, q4)
    assert window.writing.report is not None and outcome[2:] == ["loaded"]


def test_cancel_while_evaluating_a_long_prompt(
    qtbot: QtBot, window: MainWindow, engines: list[HoldingEngine], q4: Path
) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("这是一段很长的文档。" * 800)
    before = tab.text()
    # The worker is held after it built the prompt, before it evaluates it, until the writer pressed stop.
    hold = WorkerHold()
    window.engine.worker.prepared.connect(hold.wait_once, Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS) as ended:
        window.writing.continue_writing()
        qtbot.waitUntil(hold.inside.is_set, timeout=WAIT_MS)
        window.generation.stop()
        hold.release()
    # Prompt evaluation saw the stop (the engine checks it before every chunk of the prompt) and nothing was
    # generated: the long prompt was not evaluated and then answered with up to 1200 tokens.
    stats = ended.args[0].stats
    assert stats is not None and stats.stop_reason == "cancelled" and stats.generated_tokens == 0, stats
    assert stats.prompt_tokens > N_CTX // 2, "the prompt was not a long one"
    (engine,) = engines
    assert engine._cached == [], "the prompt was evaluated although the stop came before"
    assert not window.generation.busy
    assert tab.text() == before
    journal_matches(window)


def test_cancel_while_generating_keeps_the_text_and_the_journal(
    qtbot: QtBot, window: MainWindow, engines: list[HoldingEngine], q4: Path
) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("尊敬的各位来宾：")
    (engine,) = engines
    engine.hold_after = 3  # the worker waits after three chunks until it is stopped

    def stop_after_three(chunks: int, _rate: float, _ctx: int) -> None:
        if chunks == 3:
            window.generation.stop()

    window.generation.progress.connect(stop_after_three)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS) as ended:
        window.writing.continue_writing()
    stats = ended.args[0].stats
    assert stats is not None and stats.stop_reason == "cancelled"
    assert engine.cached_at_hold is not None
    assert stats.generated_tokens == engine.cached_at_hold - stats.prompt_tokens + 1, "a token came after the stop"
    assert tab.text().startswith("尊敬的各位来宾：") and len(tab.text()) > len("尊敬的各位来宾：")
    journal_matches(window)


def test_close_while_generating_does_not_hang_and_leaves_no_journal(
    qtbot: QtBot, window: MainWindow, engines: list[HoldingEngine], q4: Path
) -> None:
    load(qtbot, window, q4)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("致辞：")
    (engine,) = engines
    engine.hold_after = 2  # the worker waits after two chunks until the generation is stopped: only the close can
    closed: list[bool] = []

    def close_now(chunks: int, _rate: float, _ctx: int) -> None:
        if chunks == 2 and not closed:
            closed.append(window.close())

    window.generation.progress.connect(close_now)
    window.writing.continue_writing()
    qtbot.waitUntil(lambda: bool(closed), timeout=WAIT_MS)
    assert closed == [True]
    # The close stopped the generation before its next token instead of waiting for its 1200 tokens.
    stats = engine.last_stats
    assert stats is not None and stats.stop_reason == "cancelled", stats
    assert engine.cached_at_hold is not None
    assert stats.generated_tokens == engine.cached_at_hold - stats.prompt_tokens + 1, stats
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
