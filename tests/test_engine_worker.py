"""EngineController / EngineWorker with the real tiny GGUF: load, stream, stop and shutdown across threads.

The GUI thread must never call into llama.cpp and never block on it: in the middle of a generation the worker waits
until a timer on the GUI thread has fired (it would wait forever if the GUI thread were the one generating), and the
engine's own methods record which thread ran them. Nothing here measures time: the waits below only guard hangs.
"""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThread, QTimer
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.engine import Engine, GenerationStats, LoadOptions, LoadReport
from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.engine.sampling import SamplingParams
from ziya_desktop.ui.generation.engine_worker import EngineController

pytestmark = pytest.mark.slow

PROMPT = ziya_prompt("写一首关于春天的诗")
# Only guards against a hang (a wait that can never end when the behaviour under test is broken), never a speed claim.
HANG_GUARD_S = 60.0

# Called in the worker thread each time a stream has handed on a piece (the worker emitted it as a chunk) and asks
# for the next one: how many pieces it has handed on so far, and the stream's cancel event.
PieceHook = Callable[[int, threading.Event | None], None]


class ThreadRecordingEngine(Engine):
    """The real engine, noting the thread of every call (creation included) into ``calls``; ``on_piece``, when
    set, runs in the worker thread after each streamed piece was handed on, before the engine goes on."""

    calls: list[tuple[str, int]]

    def __init__(self) -> None:
        super().__init__()
        self.calls = [("__init__", threading.get_ident())]
        self.on_piece: PieceHook | None = None

    def load(self, *args: Any, **kwargs: Any) -> LoadReport:
        self.calls.append(("load", threading.get_ident()))
        return super().load(*args, **kwargs)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        self.calls.append(("stream", threading.get_ident()))
        pieces = super().stream(*args, **kwargs)
        hook = self.on_piece
        return pieces if hook is None else self._hooked(pieces, hook, kwargs.get("cancel"))

    @staticmethod
    def _hooked(pieces: Iterator[str], hook: PieceHook, cancel: threading.Event | None) -> Iterator[str]:
        for count, piece in enumerate(pieces, 1):
            yield piece
            hook(count, cancel)

    def unload(self) -> None:
        self.calls.append(("unload", threading.get_ident()))
        super().unload()


@pytest.fixture()
def engines() -> list[ThreadRecordingEngine]:
    return []


@pytest.fixture()
def controller(qtbot: QtBot, engines: list[ThreadRecordingEngine]) -> Iterator[EngineController]:
    def factory() -> Engine:
        engine = ThreadRecordingEngine()
        engines.append(engine)
        return engine

    ctl = EngineController(engine_factory=factory)
    yield ctl
    ctl.shutdown()  # idempotent: tests that shut down themselves are fine
    assert ctl.worker_thread.isFinished()


def _load(qtbot: QtBot, controller: EngineController, path: Path) -> LoadReport:
    progress: list[float] = []
    controller.loadProgress.connect(progress.append)
    with qtbot.waitSignal(controller.loaded, timeout=60_000) as blocker:
        controller.load(path, LoadOptions(n_ctx=2048, threads=2))
    report = blocker.args[0]
    assert isinstance(report, LoadReport)
    assert report.status
    assert progress, "no loadProgress before loaded"
    return report


class Collector:
    """Collects one request's chunks; optionally stops it after ``stop_after`` chunks (from the GUI thread)."""

    def __init__(self, controller: EngineController, stop_after: int | None = None) -> None:
        self.controller = controller
        self.stop_after = stop_after
        self.request_id = -1
        self.chunks: list[str] = []
        self.gui_thread = threading.get_ident()
        self.wrong_thread = False
        controller.chunk.connect(self.on_chunk)

    def on_chunk(self, request_id: int, text: str) -> None:
        self.wrong_thread |= threading.get_ident() != self.gui_thread
        if request_id != self.request_id:
            return
        self.chunks.append(text)
        if self.stop_after is not None and len(self.chunks) == self.stop_after:
            self.controller.stop(request_id)


class GuiCheckpoints:
    """Makes the worker wait, after it emitted given numbers of chunks, until a timer on the GUI thread has fired
    after the GUI received all of them. If the GUI thread were blocked (or were the thread generating), the wait
    could never end: ``reached`` then holds False (after the hang guard) instead of True."""

    def __init__(self, collector: Collector, at: tuple[int, ...]) -> None:
        self.collector = collector
        self.at = at
        self.reached: list[bool] = []
        self._want: int | None = None
        self._caught_up = threading.Event()
        self.heartbeat = QTimer()
        self.heartbeat.setInterval(5)
        self.heartbeat.timeout.connect(self._tick)
        self.heartbeat.start()

    def _tick(self) -> None:  # GUI thread
        want = self._want
        if want is not None and len(self.collector.chunks) >= want:
            self._caught_up.set()

    def on_piece(self, count: int, _cancel: threading.Event | None) -> None:  # worker thread
        if count not in self.at or (self.reached and not self.reached[-1]):
            return
        self._caught_up.clear()
        self._want = count
        self.reached.append(self._caught_up.wait(HANG_GUARD_S))
        self._want = None


def test_load_generate_and_stream_without_blocking_the_gui(
    qtbot: QtBot, controller: EngineController, engines: list[ThreadRecordingEngine], q4: Path
) -> None:
    gui_thread = threading.get_ident()
    _load(qtbot, controller, q4)
    (engine,) = engines

    collector = Collector(controller)
    checkpoints = GuiCheckpoints(collector, at=(10, 500, 1000))
    engine.on_piece = checkpoints.on_piece
    sampling = SamplingParams(seed=3, max_tokens=1500, ignore_eos=True)
    with qtbot.waitSignal(controller.finished, timeout=120_000) as blocker:
        collector.request_id = controller.generate(PROMPT, sampling)
    checkpoints.heartbeat.stop()
    engine.on_piece = None
    # Early, halfway and late in the generation the GUI thread had the chunks so far and ran its timers while the
    # worker waited for it: the GUI event loop ran during the generation, which streamed (not one burst at the end).
    assert checkpoints.reached == [True, True, True], "the GUI thread did not run while the worker generated"

    request_id, stats = blocker.args
    assert request_id == collector.request_id
    assert isinstance(stats, GenerationStats)
    assert stats.stop_reason == "max_tokens"
    assert stats.generated_tokens == 1500
    assert len(collector.chunks) > 100 and all(collector.chunks)
    assert not collector.wrong_thread, "a chunk was delivered outside the GUI thread"

    # Same seed, same text: the chunks are the whole answer, in order.
    again = Collector(controller)
    with qtbot.waitSignal(controller.finished, timeout=120_000):
        again.request_id = controller.generate(PROMPT, sampling)
    assert "".join(again.chunks) == "".join(collector.chunks)

    # Every engine call, creation included, ran in one thread that is not the GUI thread.
    threads = {ident for _name, ident in engine.calls}
    assert len(threads) == 1 and gui_thread not in threads, engine.calls
    assert {name for name, _ in engine.calls} >= {"__init__", "load", "stream"}


def test_stop_lands_within_a_token(qtbot: QtBot, controller: EngineController, q4: Path) -> None:
    _load(qtbot, controller, q4)
    collector = Collector(controller, stop_after=20)
    sampling = SamplingParams(seed=5, max_tokens=2000, ignore_eos=True)
    with qtbot.waitSignal(controller.finished, timeout=120_000) as blocker:
        collector.request_id = controller.generate(PROMPT, sampling)
    request_id, stats = blocker.args
    assert request_id == collector.request_id
    assert stats.stop_reason == "cancelled"
    assert 20 <= stats.generated_tokens < 1000, stats.generated_tokens
    # Chunks already queued when stop was called still arrive, before finished, and none after it.
    assert len(collector.chunks) >= 20
    count = len(collector.chunks)
    qtbot.wait(50)
    assert len(collector.chunks) == count

    # The worker is free again: a new generation runs to its end.
    with qtbot.waitSignal(controller.finished, timeout=60_000) as blocker:
        controller.generate(PROMPT, SamplingParams(seed=5, max_tokens=10, ignore_eos=True))
    assert blocker.args[1].stop_reason == "max_tokens"


def test_stop_of_a_queued_generation_is_not_lost(qtbot: QtBot, controller: EngineController, q4: Path) -> None:
    _load(qtbot, controller, q4)
    finished: dict[int, GenerationStats] = {}
    controller.finished.connect(lambda rid, stats: finished.__setitem__(rid, stats))
    # ``first`` keeps the worker busy, so ``second`` is still queued (not started) when it is stopped.
    first = Collector(controller, stop_after=5)
    first.request_id = controller.generate(PROMPT, SamplingParams(max_tokens=2000, ignore_eos=True))
    second = controller.generate(PROMPT, SamplingParams(max_tokens=2000, ignore_eos=True))
    controller.stop(second)
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=60_000)
    assert finished[first.request_id].stop_reason == "cancelled"
    assert finished[second].stop_reason == "cancelled"
    assert finished[second].generated_tokens == 0


SMALL = LoadOptions(n_ctx=256, threads=2)


class LoadHold:
    """Holds the worker inside the first progress report of the next load (a real load: llama.cpp's progress
    callback, in the worker thread) until :meth:`release`. While ``inside`` is set, that load is running and every
    load queued after it is still waiting in the worker's queue."""

    def __init__(self, controller: EngineController) -> None:
        self.inside = threading.Event()
        self._release = threading.Event()
        controller.worker.loadProgress.connect(self._on_progress, Qt.ConnectionType.DirectConnection)

    def _on_progress(self, _fraction: float) -> None:  # worker thread
        if not self.inside.is_set():
            self.inside.set()
            self._release.wait(HANG_GUARD_S)

    def release(self) -> None:
        self._release.set()


def _load_outcomes(controller: EngineController) -> list[str]:
    """Each load's answer in order: "loaded" or the loadFailed message."""
    outcomes: list[str] = []
    controller.loaded.connect(lambda _report: outcomes.append("loaded"))
    controller.loadFailed.connect(lambda message, _hint: outcomes.append(message))
    return outcomes


def _load_calls(engine: ThreadRecordingEngine) -> int:
    return [name for name, _ident in engine.calls].count("load")


def test_a_load_cancelled_while_queued_never_starts(
    qtbot: QtBot, controller: EngineController, engines: list[ThreadRecordingEngine], q4: Path
) -> None:
    outcomes = _load_outcomes(controller)
    hold = LoadHold(controller)
    first = controller.load(q4, SMALL)
    qtbot.waitUntil(hold.inside.is_set, timeout=60_000)  # the first load runs; the next two wait behind it
    second = controller.load(q4, SMALL)
    third = controller.load(q4, SMALL)
    assert first < second < third
    controller.cancel_load(second)
    hold.release()
    qtbot.waitUntil(lambda: len(outcomes) == 3, timeout=120_000)
    assert outcomes[0] == "loaded" and outcomes[2] == "loaded", outcomes
    assert "cancelled" in outcomes[1], outcomes
    (engine,) = engines
    assert _load_calls(engine) == 2, "the cancelled load reached the engine (it read the file)"
    assert engine.loaded


def test_cancel_load_without_an_id_cancels_the_running_and_queued_loads_only(
    qtbot: QtBot, controller: EngineController, engines: list[ThreadRecordingEngine], q4: Path
) -> None:
    outcomes = _load_outcomes(controller)
    hold = LoadHold(controller)
    controller.load(q4, SMALL)
    qtbot.waitUntil(hold.inside.is_set, timeout=60_000)
    controller.load(q4, SMALL)  # queued behind the running load
    controller.cancel_load()  # every load queued up to now: the running one and the queued one
    controller.load(q4, SMALL)  # queued after the cancel: it loads
    hold.release()
    qtbot.waitUntil(lambda: len(outcomes) == 3, timeout=120_000)
    assert "cancelled" in outcomes[0] and "cancelled" in outcomes[1], outcomes
    assert outcomes[2] == "loaded", outcomes
    (engine,) = engines
    assert _load_calls(engine) == 2, "the load cancelled while queued reached the engine"
    assert engine.loaded


def test_load_of_a_missing_file_fails_with_a_message(
    qtbot: QtBot, controller: EngineController, tmp_path: Path
) -> None:
    with qtbot.waitSignal(controller.loadFailed, timeout=30_000) as blocker:
        controller.load(tmp_path / "nope.gguf")
    message, hint = blocker.args
    assert message and "nope.gguf" in message
    assert hint


def test_generate_before_load_fails_with_no_model_loaded(qtbot: QtBot, controller: EngineController) -> None:
    with qtbot.waitSignal(controller.failed, timeout=30_000) as blocker:
        request_id = controller.generate(PROMPT)
    failed_id, message, hint = blocker.args
    assert failed_id == request_id
    assert "no model is loaded" in message
    assert hint == "Load a model first."


class BrokenEngine(Engine):
    def stream(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        raise RuntimeError("boom")


def test_unexpected_errors_are_logged_and_reported(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    # A bug (not a ZiyaError) must surface as failed, with its traceback in the log: never a silent except.
    controller = EngineController(engine_factory=BrokenEngine)
    try:
        with qtbot.waitSignal(controller.failed, timeout=30_000) as blocker:
            request_id = controller.generate(PROMPT)
    finally:
        controller.shutdown()
    failed_id, message, hint = blocker.args
    assert failed_id == request_id
    assert "boom" in message and hint
    records = [r for r in caplog.records if r.name == "ziya_desktop.ui.generation.engine_worker" and r.exc_info]
    assert records and "RuntimeError" in caplog.text


def test_shutdown_stops_a_generation_and_joins_the_thread(
    qtbot: QtBot, controller: EngineController, engines: list[ThreadRecordingEngine], q4: Path
) -> None:
    _load(qtbot, controller, q4)
    (engine,) = engines

    cached_at_hold: list[int] = []

    def hold_until_stopped(count: int, cancel: threading.Event | None) -> None:
        # The worker waits after five chunks until its generation is stopped: only shutdown() can stop it here,
        # so the generation cannot run to its end before shutdown is called (nor after, unless shutdown stops it).
        if count == 5 and cancel is not None:
            cached_at_hold.append(len(engine._cached))
            cancel.wait(HANG_GUARD_S)

    engine.on_piece = hold_until_stopped
    collector = Collector(controller)
    collector.request_id = controller.generate(PROMPT, SamplingParams(max_tokens=2000, ignore_eos=True))
    qtbot.waitUntil(lambda: len(collector.chunks) >= 5, timeout=60_000)
    controller.shutdown()
    assert controller.worker_thread.isFinished()
    assert not controller.running
    # Shutdown stopped the generation before its next token instead of waiting for its 2000 tokens: the cache held
    # the prompt and every generated token but the last sampled one when the worker was held.
    stats = engine.last_stats
    assert stats is not None and stats.stop_reason == "cancelled", stats
    assert stats.generated_tokens == cached_at_hold[0] - stats.prompt_tokens + 1, (stats, cached_at_hold)
    assert not engine.loaded, "shutdown did not release the model"
    assert engine.calls[-1][0] == "unload" and engine.calls[-1][1] != threading.get_ident()
    assert QThread.currentThread() is not controller.worker_thread
