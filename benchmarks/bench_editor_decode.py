"""Decode through the editor's own path: the real main window, offscreen, on a running event loop.

    QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_editor_decode --model M.gguf [--lengths 128 512 2048]

The window loads the model through its engine controller (the worker thread owns the engine); each run asks the
generation controller to insert the answer into an empty document, as a draft does: the prompt is tokenized in the
worker, chunks cross to the GUI thread as queued signals, the controller cleans them and the batched stream inserter
puts them into the document every ~30 ms. A run is timed from the request on the GUI thread to the moment its
``ended`` signal reaches us (the inserter's last flush has then put the last text in the document), so it is a whole
call, prompt evaluation included. The baseline is a whole call of the bare llama.cpp loop
(``ziya_desktop.bench.BareLoop``) of the same length on the same file, run in the same process just before each
editor run (the editor path runs on two threads and an event loop, so it cannot be interleaved token by token);
both models and contexts are made before any clock. Same prompt, sampling and seed as ``ziya_desktop.bench``; every
run evaluates its whole prompt (no prefix reuse).

A run counts only if it ended with the engine's statistics (not ``failed``), generated exactly the tokens asked for,
and the document holds exactly the text that streamed (the controller's chunks, cleaned as the editor cleans them);
with the same seed, the longest run's document must also equal what ``Engine.stream`` wrote in the decode run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ziya_desktop.bench import DECODE_PROMPT, SEED, TEMPERATURE, TOP_P, BareLoop, Figure, figure, forget_prefix
from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.sampling import SamplingParams


@dataclass(frozen=True)
class EditorRun:
    tokens: int  # tokens the engine generated for the run (checked equal to those asked for)
    seconds: float  # request on the GUI thread to ``ended`` (the last text is in the document)
    text: str  # what the run left in the document
    chunks: int  # chunk signals the GUI thread received
    bare_seconds: float  # the bare loop's whole call of the same length, just before

    @property
    def rate(self) -> float:
        return self.tokens / self.seconds

    @property
    def bare_rate(self) -> float:
        return self.tokens / self.bare_seconds


def _editor_run(window: object, engine: Engine, n_tokens: int, timeout_s: float, bare_s: float) -> EditorRun:
    from PySide6.QtCore import QTimer

    from benchmarks.bench_ui import _run_until
    from ziya_desktop.ui.generation.generation import RunEnded, text_prompt_builder
    from ziya_desktop.ui.shell.main_window import MainWindow
    from ziya_desktop.writing.clean_text import clean_model_text

    assert isinstance(window, MainWindow)
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("")
    forget_prefix(engine)  # the worker is idle between runs: the next run evaluates its whole prompt
    sampling = SamplingParams(seed=SEED, max_tokens=n_tokens, ignore_eos=True, temperature=TEMPERATURE, top_p=TOP_P)
    chunks: list[str] = []
    times: list[float] = []
    ended: list[RunEnded] = []

    def on_chunk(_request: int, text: str) -> None:
        chunks.append(text)

    def on_ended(result: RunEnded) -> None:
        times.append(time.perf_counter())
        ended.append(result)

    def request() -> None:
        times.append(time.perf_counter())
        window.generation.insert(tab, 0, text_prompt_builder(DECODE_PROMPT), sampling)

    window.engine.chunk.connect(on_chunk)
    window.generation.ended.connect(on_ended)
    try:
        QTimer.singleShot(0, request)
        _run_until(timeout_s, window.generation.ended)
    finally:
        window.engine.chunk.disconnect(on_chunk)
        window.generation.ended.disconnect(on_ended)
    stats = ended[0].stats
    if stats is None:
        raise RuntimeError(f"the editor's generation failed: {ended[0].message}")
    if stats.generated_tokens != n_tokens or stats.stop_reason != "max_tokens":
        raise RuntimeError(f"the editor's generation ended early: {stats.generated_tokens} of {n_tokens} tokens")
    text = tab.editor.toPlainText()
    if text != clean_model_text("".join(chunks))[0]:
        raise RuntimeError("the document does not hold the text that streamed")
    return EditorRun(stats.generated_tokens, times[1] - times[0], text, len(chunks), bare_s)


def measure_editor_decode(
    model: Path, lengths: Sequence[int], *, threads: int, timeout_s: float = 600.0
) -> dict[int, EditorRun]:
    """One run per length through a fresh offscreen main window that loads ``model``.

    Raises:
        RuntimeError: the model did not load, a run failed or ended early, or the document lost text.
        TimeoutError: a load or a run did not end within ``timeout_s``.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_ui import _run_until
    from ziya_desktop.ui.shell.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    engines: list[Engine] = []

    def factory() -> Engine:
        engines.append(Engine())
        return engines[-1]

    window = MainWindow(engine_factory=factory, lang="zh")
    window.show()
    failure: list[str] = []
    window.engine.loadFailed.connect(lambda message, _hint: failure.append(message))
    try:
        options = LoadOptions(n_ctx=2048, threads=threads, n_batch=256, gpu_layers=0)
        QTimer.singleShot(0, lambda: window.engine.load(model, options))
        _run_until(timeout_s, window.engine.loaded, window.engine.loadFailed)
        if failure:
            raise RuntimeError(f"the window could not load {model.name}: {failure[0]}")
        bare = BareLoop(model, threads=threads)
        try:
            return {n: _editor_run(window, engines[0], n, timeout_s, n / bare.whole(n)) for n in lengths}
        finally:
            bare.close()
    finally:
        window.engine.shutdown()
        window.deleteLater()
        del app


def editor_figures(
    label: str, runs: dict[int, EditorRun], *, expected_text: str | None = None, goal: float | None = None
) -> list[Figure]:
    """Rows per length; ``expected_text`` is ``Engine.stream``'s text at the longest length (same seed)."""
    g = f"decode through the editor, {label}"
    out: list[Figure] = []
    for n, run in sorted(runs.items()):
        ratio = run.rate / run.bare_rate
        out += [
            figure(g, f"bare llama.cpp at {n} tokens, whole call just before", run.bare_rate, "tokens/s"),
            figure(g, f"editor path at {n} tokens, whole call", run.rate, "tokens/s"),
            figure(g, f"editor path / bare at {n}, whole call", ratio, "ratio", *_goal(goal, ratio)),
            figure(g, f"chunk signals at {n} tokens", run.chunks, "chunks"),
            figure(g, f"characters in the document at {n} tokens", len(run.text), "chars"),
        ]
    if expected_text is not None and runs:
        same = runs[max(runs)].text == _clean(expected_text)
        out.append(
            figure(g, "longest run's document = Engine.stream's text, same seed", float(same), "yes=1", "= 1", same)
        )
    return out


def _goal(goal: float | None, ratio: float) -> tuple[str, bool | None]:
    return ("", None) if goal is None else (f">= {goal}", ratio >= goal)


def _clean(text: str) -> str:
    from ziya_desktop.writing.clean_text import clean_model_text

    return clean_model_text(text)[0]


def main(argv: list[str] | None = None) -> int:
    import tempfile

    from ziya_desktop.bench import decode_figures, format_table, measure_decode
    from ziya_desktop.engine.hardware import probe

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 512, 2048])
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    threads = args.threads or probe().physical_cores
    with tempfile.TemporaryDirectory(prefix="ziya-bench-editor-") as home:
        os.environ["ZIYA_HOME"] = home  # the window's settings and journal stay out of the user's folders
        result = measure_decode(args.model, args.lengths, threads=threads, naive=False)
        runs = measure_editor_decode(args.model, result.lengths, threads=threads)
    figures = decode_figures(args.model.name, result, goal_ratio=0.98)
    print(format_table(figures + editor_figures(args.model.name, runs, expected_text=result.text)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
