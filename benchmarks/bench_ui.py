"""Editor smoothness while text streams in: the real main window, offscreen, a document of 50,000 characters.

    QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_ui [--model tiny.gguf] [--seconds 3] [--json]

Text streams through the same path a draft takes (engine worker thread → queued chunk signals → generation
controller → batched stream inserter) from a fake token source at 20, 200 and 2,000 tokens/s, and again from the
real tiny model at whatever speed it runs (one generation after another at the document's end until ``--seconds``
have passed: the tiny model writes 1,500 tokens in well under a second, and a p99 needs hundreds of gaps); the
document is in paragraphs of about 200 characters. Three more runs stream at 200 tokens/s into a document that is a
single 50,000-character paragraph (text pasted without line breaks), the worst case for the editor's layout, and
report the median with the lowest and highest run. A 5 ms precise QTimer on the GUI thread records the gaps between
its ticks: a gap is how long the event loop could not react (a keystroke would wait that long). Reported: p99 and
max gap, against a baseline of the same heartbeat with nothing streaming, and the GUI thread's CPU time per
1,000 tokens. A run counts only if every generation in it ended with the engine's statistics and exactly the tokens
asked for; rates divide the tokens the engine reports having streamed.
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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ziya_desktop.bench import Figure, figure, figures_json, format_table
from ziya_desktop.engine.engine import Engine, GenerationStats, LoadOptions
from ziya_desktop.engine.sampling import MODEL_CARD, SamplingParams

if TYPE_CHECKING:  # Qt is imported only once the offscreen platform is chosen
    from ziya_desktop.ui.editor.document_tab import DocumentTab

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


def _generate_into(window: object, tab: DocumentTab, tokens: int, timeout_s: float) -> int:
    """One generation of ``tokens`` at the end of ``tab``'s document; returns the tokens the engine generated.

    Raises:
        RuntimeError: the run failed (``ended`` without statistics) or stopped before ``tokens``.
        TimeoutError: it did not end within ``timeout_s``.
    """
    from PySide6.QtCore import QTimer

    from ziya_desktop.ui.generation.generation import RunEnded, text_prompt_builder
    from ziya_desktop.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    sampling = SamplingParams(seed=1, max_tokens=tokens, ignore_eos=True)
    ended: list[RunEnded] = []
    window.generation.ended.connect(ended.append)
    try:
        # Connected before the request is queued, so an answer cannot end before anyone listens.
        end = len(tab.editor.toPlainText())
        QTimer.singleShot(0, lambda: window.generation.insert(tab, end, text_prompt_builder("写一篇通知"), sampling))
        _run_until(timeout_s, window.generation.ended)
    finally:
        window.generation.ended.disconnect(ended.append)
    stats = ended[0].stats
    if stats is None:
        raise RuntimeError(f"the generation failed: {ended[0].message}")
    if stats.generated_tokens != tokens or stats.stop_reason != "max_tokens":
        raise RuntimeError(
            f"the generation stopped at {stats.generated_tokens} of {tokens} tokens ({stats.stop_reason})"
        )
    return stats.generated_tokens


def _stream_run(
    window: object, label: str, tokens: int, timeout_s: float, text: str | None = None, min_seconds: float = 0.0
) -> list[Figure]:
    """Stream ``tokens`` into the current document of ``window`` (a MainWindow) and measure the event loop; with
    ``min_seconds``, generations of ``tokens`` follow each other at the document's end until that much time passed.
    """
    from ziya_desktop.ui.shell.main_window import MainWindow

    assert isinstance(window, MainWindow)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText(document_text() if text is None else text)
    before = len(tab.editor.toPlainText())
    beat = Heartbeat()
    cpu0 = time.thread_time()
    wall0 = time.perf_counter()
    beat.start()
    streamed = runs = 0
    while runs == 0 or time.perf_counter() - wall0 < min_seconds:
        streamed += _generate_into(window, tab, tokens, timeout_s)
        runs += 1
    beat.stop()
    wall = time.perf_counter() - wall0
    cpu = time.thread_time() - cpu0
    inserted = len(tab.editor.toPlainText()) - before
    p99, worst = _p99(beat.gaps), max(beat.gaps, default=math.nan)
    g = f"UI, {label}"
    return [
        figure(g, "tokens streamed (engine's count, every run finished)", streamed, "tokens"),
        figure(g, "generations", runs, "runs"),
        figure(g, "characters inserted", inserted, "chars"),
        figure(g, "seconds watched", wall, "s"),
        figure(g, "achieved rate", streamed / wall, "tokens/s"),
        figure(g, "heartbeat gaps recorded", len(beat.gaps), "gaps"),
        figure(g, "heartbeat gap p99", p99, "ms", "<= 16", p99 <= 16),
        figure(g, "heartbeat gap max", worst, "ms", "<= 50", worst <= 50),
        figure(g, "GUI thread CPU per 1,000 tokens", cpu / streamed * 1000 * 1000, "ms"),
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


def measure_ui(*, model: Path | None, seconds: float = 3.0, model_tokens: int = 1500, repeats: int = 3) -> list[Figure]:
    """Every UI run: the idle heartbeat, the fake source at each rate, the one-paragraph document ``repeats``
    times, then the real model when given (generations of ``model_tokens`` until ``seconds`` have passed).

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
    figures += _one_paragraph(seconds, repeats)
    if model is not None:
        figures += _model_run(model, model_tokens, seconds)
    del app
    return figures


def _one_paragraph(seconds: float, repeats: int) -> list[Figure]:
    """The worst case for layout, ``repeats`` times: a document that is one paragraph (text pasted without line
    breaks) of the same length. Every run's rows, then the median p99 with the range over the runs."""
    from ziya_desktop.ui.shell.main_window import MainWindow

    window = MainWindow(engine_factory=functools.partial(PacedTextEngine, 200), lang="zh")
    window.show()
    one_block = document_text().replace("\n", "")
    label = "fake source at 200 tokens/s, one 50,000-character paragraph"
    figures: list[Figure] = []
    try:
        for i in range(repeats):
            run = _stream_run(window, label, max(20, int(200 * seconds)), seconds * 4 + 30, one_block)
            figures += [replace(f, group=f"{f.group}, run {i + 1}", goal="", met=None) for f in run]
    finally:
        window.engine.shutdown()
        window.deleteLater()
    g = f"UI, {label}, {repeats} runs"
    out: list[Figure] = []
    for name, goal in (("heartbeat gap p99", 16.0), ("heartbeat gap max", 50.0)):
        values = [f.value for f in figures if f.name == name]
        median = statistics.median(values)
        out += [
            figure(g, f"{name}, median of the runs", median, "ms", f"<= {goal:.0f}", median <= goal),
            figure(g, f"{name}, lowest run", min(values), "ms"),
            figure(g, f"{name}, highest run", max(values), "ms"),
        ]
    return figures + out


def _model_run(model: Path, tokens: int, seconds: float) -> list[Figure]:
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
        return _stream_run(window, f"real model {model.name}", tokens, 120, min_seconds=seconds)
    finally:
        window.engine.shutdown()
        window.deleteLater()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="also stream from this GGUF (the tiny model)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each run (at least 3 for a p99)")
    parser.add_argument("--repeats", type=int, default=3, help="runs into the one-paragraph document")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ziya-bench-ui-") as home:
        os.environ["ZIYA_HOME"] = home  # the window's settings and journal go there, not to the user's
        figures = measure_ui(model=args.model, seconds=args.seconds, repeats=args.repeats)
    print(figures_json(figures) if args.json else format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
