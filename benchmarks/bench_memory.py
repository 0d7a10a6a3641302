"""Memory: peak RSS of the app (main window, engine thread) with no model and with a model, against the file size.

    python -m benchmarks.bench_memory --model M.gguf [--model N.gguf ...] [--json]

Each measurement is a fresh process with an offscreen main window and a private ``ZIYA_HOME``; the model loads and
generates 10 answers through the window's engine controller (the worker thread the editor uses). Peak RSS comes
from VmHWM; growth over the 10 generations from the resident size after the first and after the last.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from ziya_desktop.bench import (
    MB,
    MEMORY_GENERATIONS,
    Figure,
    figure,
    figures_json,
    format_table,
    memory_figures,
    peak_rss_bytes,
)


def _child(model: Path | None, tokens: int) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_ui import _run_until
    from ziya_desktop.engine.engine import LoadOptions
    from ziya_desktop.engine.prompt import ziya_prompt
    from ziya_desktop.engine.sampling import SamplingParams
    from ziya_desktop.ui.shell.main_window import MainWindow

    app = QApplication([sys.argv[0]])
    window = MainWindow(lang="zh")
    window.show()
    app.processEvents()
    result: dict[str, object] = {"baseline": peak_rss_bytes()}
    try:
        if model is not None:
            QTimer.singleShot(0, lambda: window.engine.load(model, LoadOptions(n_ctx=2048, gpu_layers=0)))
            if _run_until(120, window.engine.loaded, window.engine.loadFailed) != 0:
                raise RuntimeError(f"{model} did not load")
            result["loaded"] = peak_rss_bytes()
            result["anon_loaded"] = peak_rss_bytes("RssAnon")
            after, current = [], []
            for i in range(MEMORY_GENERATIONS):
                sampling = SamplingParams(seed=i, max_tokens=tokens, ignore_eos=True)
                QTimer.singleShot(0, lambda s=sampling: window.engine.generate(ziya_prompt("写一封感谢信"), s))
                _run_until(120, window.engine.finished, window.engine.failed)
                after.append(peak_rss_bytes())
                current.append(peak_rss_bytes("VmRSS"))
            result["after_generation"] = after
            result["rss_after_generation"] = current
    finally:
        window.engine.shutdown()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


def _launch(model: Path | None, tokens: int) -> dict[str, object]:
    import subprocess

    with tempfile.TemporaryDirectory(prefix="ziya-bench-mem-") as home:
        env = {**os.environ, "ZIYA_HOME": home, "QT_QPA_PLATFORM": "offscreen"}
        args = [sys.executable, "-m", "benchmarks.bench_memory", "--child", "--tokens", str(tokens)]
        if model is not None:
            args += ["--model", str(model)]
        proc = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    parsed = json.loads(proc.stdout.strip().splitlines()[-1])
    assert isinstance(parsed, dict)
    return parsed


def measure_app_memory(models: list[tuple[str, Path]], *, tokens: int = 32) -> list[Figure]:
    """The app with no model, then with each ``(label, path)``.

    Raises:
        RuntimeError: a child process failed.
    """
    base = _launch(None, tokens)["baseline"]
    assert isinstance(base, int)
    figures = [figure("memory", "peak RSS, app with no model", base / MB, "MB")]
    for label, path in models:
        figures += memory_figures(f"app, {label}", path, _launch(path, tokens), base)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", default=[])
    parser.add_argument("--tokens", type=int, default=32, help="tokens per generation")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.model[0] if args.model else None, args.tokens)
    figures = measure_app_memory([(p.name, p) for p in args.model], tokens=args.tokens)
    print(figures_json(figures) if args.json else format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
