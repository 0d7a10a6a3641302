"""EngineController / EngineWorker with the real tiny GGUF: load, stream, stop and shutdown across threads.

The GUI thread must never call into llama.cpp and never block on it: a 5 ms heartbeat timer on the GUI thread keeps
ticking while the worker generates, and the engine's own methods record which thread ran them.
"""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QThread, QTimer
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.engine import Engine, GenerationStats, LoadOptions, LoadReport
from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.engine.sampling import SamplingParams
from ziya_desktop.ui.generation.engine_worker import EngineController

pytestmark = pytest.mark.slow

PROMPT = ziya_prompt("写一首关于春天的诗")


class ThreadRecordingEngine(Engine):
    """The real engine, noting the thread of every call (creation included) into ``calls``."""

    calls: list[tuple[str, int]]

    def __init__(self) -> None:
        super().__init__()
        self.calls = [("__init__", threading.get_ident())]

    def load(self, *args: Any, **kwargs: Any) -> LoadReport:
        self.calls.append(("load", threading.get_ident()))
        return super().load(*args, **kwargs)

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        self.calls.append(("stream", threading.get_ident()))
        return super().stream(*args, **kwargs)

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


def test_load_generate_and_stream_without_blocking_the_gui(
    qtbot: QtBot, controller: EngineController, engines: list[ThreadRecordingEngine], q4: Path
) -> None:
    gui_thread = threading.get_ident()
    _load(qtbot, controller, q4)

    ticks: list[float] = []
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks.append(time.monotonic()))
    heartbeat.start()
    collector = Collector(controller)
    sampling = SamplingParams(seed=3, max_tokens=1500, ignore_eos=True)
    started = time.monotonic()
    with qtbot.waitSignal(controller.finished, timeout=120_000) as blocker:
        collector.request_id = controller.generate(PROMPT, sampling)
    elapsed = time.monotonic() - started
    heartbeat.stop()

    request_id, stats = blocker.args
    assert request_id == collector.request_id
    assert isinstance(stats, GenerationStats)
    assert stats.stop_reason == "max_tokens"
    assert stats.generated_tokens == 1500
    assert len(collector.chunks) > 100 and all(collector.chunks)
    assert not collector.wrong_thread, "a chunk was delivered outside the GUI thread"
    # The GUI thread kept running its event loop the whole time: ticks about every 5 ms, none missing for long.
    in_run = [t for t in ticks if started <= t <= started + elapsed]
    assert len(in_run) >= max(5, int(elapsed / 0.005 * 0.3)), (len(in_run), elapsed)
    longest_gap = max((b - a for a, b in itertools.pairwise(in_run)), default=0.0)
    assert longest_gap < 0.5, longest_gap

    # Same seed, same text: the chunks are the whole answer, in order.
    again = Collector(controller)
    with qtbot.waitSignal(controller.finished, timeout=120_000):
        again.request_id = controller.generate(PROMPT, sampling)
    assert "".join(again.chunks) == "".join(collector.chunks)

    # Every engine call, creation included, ran in one thread that is not the GUI thread.
    (engine,) = engines
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
    collector = Collector(controller)
    collector.request_id = controller.generate(PROMPT, SamplingParams(max_tokens=2000, ignore_eos=True))
    qtbot.waitUntil(lambda: len(collector.chunks) >= 5, timeout=60_000)
    started = time.monotonic()
    controller.shutdown()
    assert time.monotonic() - started < 5.0
    assert controller.worker_thread.isFinished()
    assert not controller.running
    (engine,) = engines
    assert not engine.loaded, "shutdown did not release the model"
    assert engine.calls[-1][0] == "unload" and engine.calls[-1][1] != threading.get_ident()
    assert QThread.currentThread() is not controller.worker_thread
