"""Editor smoothness while text streams in: the real main window, offscreen, a document of 50,000 characters.

    QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_ui [--model tiny.gguf] [--seconds 3] [--json]

Text streams through the same path a draft takes (engine worker thread → queued chunk signals → generation
controller → batched stream inserter) from a fake token source at 20, 200 and 2,000 tokens/s, and again from the
real tiny model at whatever speed it runs; the document is in paragraphs of about 200 characters. One more run
streams at 200 tokens/s into a document that is a single 50,000-character paragraph (text pasted without line
breaks), the worst case for the editor's layout. A 5 ms precise QTimer on the GUI thread records the gaps between its
ticks: a gap is how long the event loop could not react (a keystroke would wait that long). Reported: p99 and
max gap, against a baseline of the same heartbeat with nothing streaming, and the GUI thread's CPU time per
1,000 tokens.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ziya_desktop.bench import Figure, figure, figures_json, format_table
from ziya_desktop.engine.engine import Engine, GenerationStats, LoadOptions
from ziya_desktop.engine.sampling import MODEL_CARD, SamplingParams

DOCUMENT_CHARS = 50_000
HEARTBEAT_MS = 5
FAKE_RATES = (20, 200, 2000)
# One token of Chinese prose is about one character; a paragraph break now and then re-lays out a new block.
_PROSE = "各单位要切实提高思想认识，压紧压实安全生产责任，全面排查整治各类隐患，确保人民群众生命财产安全。"


def document_text(chars: int = DOCUMENT_CHARS) -> str:
    """``chars`` characters of prose in paragraphs of about 200 characters, like a long 公文 or 讲稿."""
    paragraph = _PROSE * 4 + "\n"
    return (paragraph * (chars // len(paragraph) + 1))[:chars]


class PacedTextEngine(Engine):
    """An engine whose ``stream`` yields one character of prose per token at a fixed rate (no model needed).

    Everything else the window uses (tokenize, n_ctx, last_stats) behaves like a loaded model's.
    """

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = rate

    def tokenize(self, text: str, *, add_bos: bool = True) -> list[int]:
        return list(range(len(text) // 2 + int(add_bos)))

    @property
    def n_ctx(self) -> int:
        return 1 << 20

    def stream(
        self,
        prompt: str | list[int],
        sampling: SamplingParams = MODEL_CARD,
        *,
        cancel: threading.Event | None = None,
        strip_leading_space: bool = True,
    ) -> Iterator[str]:
        stats = GenerationStats(prompt_tokens=len(prompt), stop_reason="max_tokens")
        self.last_stats = stats
        start = time.perf_counter()
        for i in range(sampling.max_tokens):
            if cancel is not None and cancel.is_set():
                stats.stop_reason = "cancelled"
                break
            # Pace against the schedule, not the last token, so sleep overshoot does not lower the rate.
            delay = start + i / self.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            stats.generated_tokens = i + 1
            yield "\n\n" if i % 200 == 199 else _PROSE[i % len(_PROSE)]
        stats.total_s = time.perf_counter() - start
        if stats.generated_tokens > 1:
            stats.tokens_per_s = stats.generated_tokens / stats.total_s


class Heartbeat:
    """A precise timer on the GUI thread that records the gaps between its ticks (milliseconds)."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last:
            self.gaps.append((now - self._last) * 1000)
        self._last = now

    def start(self) -> None:
        self.gaps.clear()
        self._last = 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()


def _p99(values: list[float]) -> float:
    if len(values) < 2:
        return math.nan
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def _run_until(timeout_s: float, *signals: object) -> int:
    """Run a real event loop (it sleeps when idle, as the app's does) until one of ``signals`` fires.

    Returns:
        The index of the signal that fired.

    Raises:
        TimeoutError: none fired within ``timeout_s``.
    """
    from PySide6.QtCore import QEventLoop, QTimer, SignalInstance

    loop = QEventLoop()
    fired: list[int] = []
    slots = []
    for i, signal in enumerate(signals):
        assert isinstance(signal, SignalInstance)

        def done(*_args: object, index: int = i) -> None:
            fired.append(index)
            loop.quit()

        signal.connect(done)
        slots.append((signal, done))
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    for signal, slot in slots:
        signal.disconnect(slot)
    if not fired:
        raise TimeoutError(f"no answer within {timeout_s:.0f} s")
    return fired[0]


def _stream_run(window: object, label: str, tokens: int, timeout_s: float, text: str | None = None) -> list[Figure]:
    """Stream ``tokens`` into the current document of ``window`` (a MainWindow) and measure the event loop."""
    from PySide6.QtCore import QTimer

    from ziya_desktop.ui.generation.generation import text_prompt_builder
    from ziya_desktop.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText(document_text() if text is None else text)
    before = len(tab.editor.toPlainText())
    beat = Heartbeat()
    sampling = SamplingParams(seed=1, max_tokens=tokens, ignore_eos=True)
    cpu0 = time.thread_time()
    wall0 = time.perf_counter()
    beat.start()
    # Connected before the request is queued, so an answer cannot end before anyone listens.
    QTimer.singleShot(
        0,
        lambda: window.generation.insert(tab, before, text_prompt_builder("写一篇通知"), sampling),
    )
    _run_until(timeout_s, window.generation.ended)
    beat.stop()
    wall = time.perf_counter() - wall0
    cpu = time.thread_time() - cpu0
    inserted = len(tab.editor.toPlainText()) - before
    p99, worst = _p99(beat.gaps), max(beat.gaps, default=math.nan)
    g = f"UI, {label}"
    return [
        figure(g, "tokens streamed", tokens, "tokens"),
        figure(g, "characters inserted", inserted, "chars"),
        figure(g, "achieved rate", tokens / wall, "tokens/s"),
        figure(g, "heartbeat gap p99", p99, "ms", "<= 16", p99 <= 16),
        figure(g, "heartbeat gap max", worst, "ms", "<= 50", worst <= 50),
        figure(g, "GUI thread CPU per 1,000 tokens", cpu / tokens * 1000 * 1000, "ms"),
    ]


def _idle_baseline(seconds: float) -> list[Figure]:
    from PySide6.QtCore import QEventLoop, QTimer

    beat = Heartbeat()
    beat.start()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    beat.stop()
    g = "UI, idle baseline"
    return [
        figure(g, "heartbeat gap p99", _p99(beat.gaps), "ms"),
        figure(g, "heartbeat gap max", max(beat.gaps, default=math.nan), "ms"),
    ]


def measure_ui(*, model: Path | None, seconds: float = 3.0, model_tokens: int = 1500) -> list[Figure]:
    """Every UI run: the idle heartbeat, the fake source at each rate, then the real model when given.

    Raises:
        TimeoutError: a generation did not end in time.
        ModelLoadError and the other load errors: ``model`` could not be loaded.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ziya_desktop.ui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    figures = _idle_baseline(1.0)
    for rate in FAKE_RATES:
        window = MainWindow(engine_factory=functools.partial(PacedTextEngine, rate), lang="zh")
        window.show()
        try:
            tokens = max(20, int(rate * seconds))
            figures += _stream_run(window, f"fake source at {rate} tokens/s", tokens, seconds * 4 + 30)
        finally:
            window.engine.shutdown()
            window.deleteLater()
    # The worst case for layout: the same length as one paragraph (text pasted without line breaks).
    window = MainWindow(engine_factory=functools.partial(PacedTextEngine, 200), lang="zh")
    window.show()
    try:
        one_block = document_text().replace("\n", "")
        label = "fake source at 200 tokens/s, one 50,000-character paragraph"
        figures += _stream_run(window, label, max(20, int(200 * seconds)), seconds * 4 + 30, one_block)
    finally:
        window.engine.shutdown()
        window.deleteLater()
    if model is not None:
        figures += _model_run(model, model_tokens)
    del app
    return figures


def _model_run(model: Path, tokens: int) -> list[Figure]:
    from PySide6.QtCore import QTimer

    from ziya_desktop.ui.shell.main_window import MainWindow

    window = MainWindow(lang="zh")
    window.show()
    failure: list[str] = []
    window.engine.loadFailed.connect(lambda message, _hint: failure.append(message))
    try:
        QTimer.singleShot(0, lambda: window.engine.load(model, LoadOptions(n_ctx=2048, threads=1, gpu_layers=0)))
        _run_until(60, window.engine.loaded, window.engine.loadFailed)
        if failure:
            raise RuntimeError(f"the model did not load: {failure[0]}")
        return _stream_run(window, f"real model {model.name}", tokens, 120)
    finally:
        window.engine.shutdown()
        window.deleteLater()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="also stream from this GGUF (the tiny model)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each fake-source run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ziya-bench-ui-") as home:
        os.environ["ZIYA_HOME"] = home  # the window's settings and journal go there, not to the user's
        figures = measure_ui(model=args.model, seconds=args.seconds)
    print(figures_json(figures) if args.json else format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
