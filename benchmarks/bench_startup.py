"""Start-up: time from launching the app to a shown main window whose event loop answers.

    python -m benchmarks.bench_startup [--model M.gguf] [--runs 3] [--json]

Each run launches a fresh interpreter that starts the app exactly as ``ziya-desktop`` does (``app.run_gui``:
logging, crash log, translations, main window, show, then the last model loads in the background) with an
offscreen display and a private ``ZIYA_HOME`` whose settings name ``--model`` as the last model. The first timer
that fires once the event loop runs marks the window responsive; from then a 5 ms heartbeat runs for at least a second
and on until the model has loaded (at most a minute), and its longest gap says whether the loading blocks the GUI
thread. That the model really was loading while watched is checked, not assumed: the window's engine must send its
load-progress and loaded signals before the heartbeat stops (a new file is first trial-loaded in a child process, so
progress starts a little after the window answers); the times of both are reported.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ziya_desktop.bench import Figure, figure, figures_json, format_table

WATCH_S = 1.0  # the heartbeat watches at least this long, and on until the model has loaded
MAX_WATCH_S = 60.0


def _child(model: Path | None) -> int:
    """Runs in the launched process: start the app, report when it answers, watch the event loop, quit."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ziya_desktop.app import run_gui
    from ziya_desktop.ui.common.settings import settings
    from ziya_desktop.ui.generation.writing_commands import MODEL_PATH_KEY
    from ziya_desktop.ui.shell.main_window import MainWindow

    if model is not None:
        settings().setValue(MODEL_PATH_KEY, str(model))
    app = QApplication([sys.argv[0]])
    report: dict[str, float] = {}
    gaps: list[float] = []
    last = [0.0]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now
        watched = time.time() - report["responsive_at"]
        done = model is None or "loaded_at" in report or "failed_at" in report
        if (watched >= WATCH_S and done) or watched >= MAX_WATCH_S:
            finish()

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(beat)

    def loading(what: str) -> None:
        report.setdefault(what, time.time())

    def responsive() -> None:
        shown = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        report["responsive_at"] = time.time()
        report["shown"] = float(bool(shown))
        for window in shown:
            # Queued from the worker thread: a signal sent before this runs still reaches these slots.
            window.engine.loadProgress.connect(lambda _fraction: loading("progress_at"))
            window.engine.loaded.connect(lambda _report: loading("loaded_at"))
            window.engine.loadFailed.connect(lambda _message, _hint: loading("failed_at"))
        last[0] = time.perf_counter()
        heartbeat.start()

    def finish() -> None:
        report["finished_at"] = time.time()
        heartbeat.stop()
        report["max_gap_ms"] = max(gaps, default=0.0)
        app.quit()

    QTimer.singleShot(0, responsive)
    run_gui([sys.argv[0]])
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


def launch(model: Path | None) -> dict[str, float]:
    """One launch in a fresh process; ``seconds`` is from just before the launch to the responsive window.

    Raises:
        RuntimeError: the launched app failed (its stderr is in the message).
    """
    with tempfile.TemporaryDirectory(prefix="ziya-bench-start-") as home:
        env = {**os.environ, "ZIYA_HOME": home, "QT_QPA_PLATFORM": "offscreen"}
        args = [sys.executable, "-m", "benchmarks.bench_startup", "--child"]
        if model is not None:
            args += ["--model", str(model)]
        start = time.time()
        proc = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the app failed to start ({proc.returncode}): {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    answered = report["responsive_at"]

    def after(what: str) -> float:
        # Seconds from the responsive window to the signal; inf when none came while the heartbeat watched.
        at = report.get(what, math.inf)
        return at - answered if at <= report["finished_at"] else math.inf

    return {
        "seconds": answered - start,
        "shown": report["shown"],
        "max_gap_ms": report["max_gap_ms"],
        "watched_s": report["finished_at"] - answered,
        "progress_s": min(after("progress_at"), after("loaded_at")),
        "loaded_s": after("loaded_at"),
    }


def measure_startup(model: Path | None, runs: int = 3) -> list[Figure]:
    """Median of ``runs`` launches, and a bare interpreter start as the baseline."""
    bare = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
    results = [launch(model) for _ in range(runs)]
    seconds = statistics.median(r["seconds"] for r in results)
    gap = max(r["max_gap_ms"] for r in results)
    shown = all(r["shown"] for r in results)
    g = "start-up" + (f", loading {model.name}" if model is not None else "")
    figures = [
        figure(g, "python interpreter alone", statistics.median(bare), "s"),
        figure(g, "launch to shown, responsive window", seconds, "s", "<= 1.5", shown and seconds <= 1.5),
    ]
    if model is None:
        return [
            *figures,
            figure(g, f"longest event-loop gap in the first {WATCH_S:.0f} s", gap, "ms", "<= 50", gap <= 50),
        ]
    progress = max(r["progress_s"] for r in results)
    loaded = max(r["loaded_s"] for r in results)
    # The gap means something only if the model was loading while it was watched: every run must have seen the
    # engine's load progress and its end before the heartbeat stopped.
    loading = math.isfinite(progress) and math.isfinite(loaded)
    return [
        *figures,
        figure(g, f"first load-progress signal after the window answered (latest of {runs})", progress, "s"),
        figure(g, f"model loaded after the window answered (latest of {runs})", loaded, "s"),
        figure(g, "heartbeat watched (longest run)", max(r["watched_s"] for r in results), "s"),
        figure(g, "model loading seen while watched (every run)", float(loading), "yes=1", "= 1", loading),
        figure(
            g, "longest event-loop gap, window answering to model loaded", gap, "ms", "<= 50", loading and gap <= 50
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="the last model, loaded in the background")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.model)
    figures = measure_startup(args.model, args.runs)
    print(figures_json(figures) if args.json else format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
