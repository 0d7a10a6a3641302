"""Memory: the app process against a bare llama.cpp process on the same file, and what the KV cache type saves.

    python -m benchmarks.bench_memory --model M.gguf [--model N.gguf ...] [--json]
    python -m benchmarks.bench_memory --sweep [--layers 1 2 4] [--json]

Each app measurement is a fresh process with an offscreen main window and a private ``ZIYA_HOME``; the model loads
and generates through the window's engine controller (the worker thread the editor uses). Peak RSS comes from
VmHWM; growth over 10 generations from the resident size after the first and after the last.

``--sweep`` writes the synthetic real-width model (``make_synthetic``) with 1, 2 and 4 layers and measures, for an
f16 and a q8_0 KV cache, the app process and a bare llama.cpp process (``benchmarks/bare_llama.py``:
llama-cpp-python's low-level API alone, same file, context, batch, threads, mapping, repacking and KV type, same
number of generations). Both are fitted with a straight line over the layer counts and extrapolated to the 13B's
40 layers; the goal is on the app's own cost (app minus bare). The KV cache and llama.cpp's compute buffer are
reported on their own rows: computed from the model's dimensions and as llama.cpp reported creating them.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.bare_llama import parse_buffers
from benchmarks.make_synthetic import HIDDEN
from ziya_desktop.bench import (
    DECODE_PROMPT,
    MB,
    MEMORY_GENERATIONS,
    Figure,
    figure,
    figures_json,
    format_table,
    memory_figures,
    peak_rss_bytes,
)

SWEEP_LAYERS = (1, 2, 4)
FULL_LAYERS = 40
APP_COST_GOAL_MB = 300
N_CTX = 2048
# Bytes per KV element: f16 2; q8_0 34 bytes per block of 32.
KV_BYTES = {"f16": 2.0, "q8_0": 34 / 32}


class _LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _child(model: Path | None, tokens: int, generations: int, kv: str, threads: int | None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_ui import _run_until
    from ziya_desktop.engine.engine import LoadOptions
    from ziya_desktop.engine.sampling import SamplingParams
    from ziya_desktop.ui.shell.main_window import MainWindow

    lines = _LogLines()
    llama_log = logging.getLogger("llama.cpp")
    llama_log.setLevel(logging.INFO)
    llama_log.addHandler(lines)
    app = QApplication([sys.argv[0]])
    window = MainWindow(lang="zh")
    window.show()
    app.processEvents()
    result: dict[str, object] = {"baseline": peak_rss_bytes()}
    try:
        if model is not None:
            options = LoadOptions(n_ctx=N_CTX, gpu_layers=0, threads=threads, kv_cache_type=kv)  # type: ignore[arg-type]
            QTimer.singleShot(0, lambda: window.engine.load(model, options))
            if _run_until(120, window.engine.loaded, window.engine.loadFailed) != 0:
                raise RuntimeError(f"{model} did not load")
            result["loaded"] = peak_rss_bytes()
            result["anon_loaded"] = peak_rss_bytes("RssAnon")
            after, current = [], []
            for i in range(generations):
                sampling = SamplingParams(seed=i, max_tokens=tokens, ignore_eos=True)
                QTimer.singleShot(0, lambda s=sampling: window.engine.generate(DECODE_PROMPT, s))
                if _run_until(120, window.engine.finished, window.engine.failed) != 0:
                    raise RuntimeError(f"generation {i + 1} failed")
                after.append(peak_rss_bytes())
                current.append(peak_rss_bytes("VmRSS"))
            result["after_generation"] = after
            result["rss_after_generation"] = current
            result["peak"] = max(after, default=result["loaded"])
            result["buffers"] = parse_buffers(lines.lines)
    finally:
        window.engine.shutdown()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


def _run_child(args: list[str], home: Path | None = None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="ziya-bench-mem-") as tmp:
        env = {**os.environ, "ZIYA_HOME": str(home or tmp), "QT_QPA_PLATFORM": "offscreen"}
        proc = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child {args[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def launch_app(
    model: Path | None, *, tokens: int = 32, generations: int = MEMORY_GENERATIONS, kv: str = "f16",
    threads: int | None = None,
) -> dict[str, object]:  # fmt: skip
    """The app child's report (see :func:`_child`).

    Raises:
        RuntimeError: the child failed.
    """
    args = ["benchmarks.bench_memory", "--child", "--tokens", str(tokens), "--generations", str(generations)]
    args += ["--kv", kv] + (["--threads", str(threads)] if threads else [])
    return _run_child(args + (["--model", str(model)] if model is not None else []))


def launch_bare(model: Path, *, threads: int, tokens: int, generations: int, kv: str) -> dict[str, object]:
    """The bare llama.cpp child's report, with the engine's CPU settings (``benchmarks/bare_llama.py``).

    Raises:
        RuntimeError: the child failed.
    """
    from ziya_desktop.engine.hardware import probe

    extra_bufts = not probe().has_amx  # as LoadSetup decides; the engine then reads the file instead of mapping it
    args = ["benchmarks.bare_llama", "--model", str(model), "--prompt", DECODE_PROMPT, "--threads", str(threads)]
    args += ["--kv", kv, "--mmap", str(int(not extra_bufts)), "--extra-bufts", str(int(extra_bufts))]
    return _run_child([*args, "--generations", str(generations), "--tokens", str(tokens)])


def measure_app_memory(models: list[tuple[str, Path]], *, tokens: int = 32) -> list[Figure]:
    """The app with no model, then with each ``(label, path)``, 10 generations each.

    Raises:
        RuntimeError: a child process failed.
    """
    base = launch_app(None, tokens=tokens)["baseline"]
    assert isinstance(base, int)
    figures = [figure("memory", "peak RSS, app with no model", base / MB, "MB")]
    for label, path in models:
        figures += memory_figures(f"app, {label}", path, launch_app(path, tokens=tokens), base)
    return figures


def _fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares slope and intercept."""
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return slope, my - slope * mx


def _buffer(report: dict[str, object], kind: str) -> float:
    buffers = report.get("buffers")
    assert isinstance(buffers, dict)
    return float(sum(v for k, v in buffers.items() if k.endswith(" " + kind)))


def _peak(report: dict[str, object]) -> float:
    peak = report["peak"]
    assert isinstance(peak, int)
    return peak / MB


def _sweep_rows(
    kv: str, bare: dict[int, dict[str, object]], app: dict[int, dict[str, object]], n_embd_kv: int
) -> list[Figure]:
    width = "real width" if n_embd_kv == HIDDEN else f"{n_embd_kv} wide"
    g = f"memory vs bare llama.cpp, synthetic {width}, {kv} KV cache"
    layers = sorted(bare)
    out: list[Figure] = []
    for n in layers:
        out += [
            figure(g, f"bare llama.cpp process, {n} layers, peak RSS", _peak(bare[n]), "MB"),
            figure(g, f"app process, {n} layers, peak RSS", _peak(app[n]), "MB"),
            figure(g, f"app − bare, {n} layers", _peak(app[n]) - _peak(bare[n]), "MB"),
            figure(g, f"KV buffer reported by llama.cpp, {n} layers", _buffer(bare[n], "KV"), "MB"),
            figure(g, f"compute buffer reported by llama.cpp, {n} layers", _buffer(bare[n], "compute"), "MB"),
        ]
    bare_slope, bare_icpt = _fit(layers, [_peak(bare[n]) for n in layers])
    app_slope, app_icpt = _fit(layers, [_peak(app[n]) for n in layers])
    own = (app_slope - bare_slope) * FULL_LAYERS + app_icpt - bare_icpt
    kv_layer = 2 * N_CTX * n_embd_kv * KV_BYTES[kv] / MB  # K and V: n_embd_kv values per token each
    top = layers[-1]
    return [
        *out,
        figure(g, "bare, per layer (straight-line fit)", bare_slope, "MB"),
        figure(g, "app, per layer (straight-line fit)", app_slope, "MB"),
        figure(g, f"bare, extrapolated to {FULL_LAYERS} layers", bare_slope * FULL_LAYERS + bare_icpt, "MB"),
        figure(g, f"app, extrapolated to {FULL_LAYERS} layers", app_slope * FULL_LAYERS + app_icpt, "MB"),
        figure(
            g, f"app − bare (the app's own cost) at {FULL_LAYERS} layers", own, "MB", f"<= {APP_COST_GOAL_MB}",
            own <= APP_COST_GOAL_MB,
        ),
        figure(g, f"KV cache at {N_CTX} tokens per layer, computed", kv_layer, "MB"),
        figure(g, f"KV reported / computed, {top} layers", _buffer(bare[top], "KV") / (kv_layer * top), "ratio"),
        figure(g, f"KV cache at {FULL_LAYERS} layers, computed", kv_layer * FULL_LAYERS, "MB"),
    ]  # fmt: skip


def measure_memory_sweep(
    models: dict[int, Path], *, threads: int, tokens: int = 32, generations: int = 2,
    kv_types: Sequence[str] = ("f16", "q8_0"), n_embd_kv: int = HIDDEN,
) -> tuple[list[Figure], dict[tuple[str, str, int], dict[str, object]]]:  # fmt: skip
    """Bare and app processes on each ``{layers: path}`` for each KV type; the rows and the raw reports.

    ``n_embd_kv`` is the models' K (and V) width per token, for the KV cache computed from the dimensions.

    Raises:
        RuntimeError: a child process failed.
    """
    reports: dict[tuple[str, str, int], dict[str, object]] = {}
    figures: list[Figure] = []
    if not models:
        return figures, reports
    for kv in kv_types:
        for n, path in sorted(models.items()):
            common = {"threads": threads, "tokens": tokens, "generations": generations, "kv": kv}
            reports["bare", kv, n] = launch_bare(path, **common)  # type: ignore[arg-type]
            reports["app", kv, n] = launch_app(path, **common)  # type: ignore[arg-type]
        bare = {n: reports["bare", kv, n] for n in models}
        figures += _sweep_rows(kv, bare, {n: reports["app", kv, n] for n in models}, n_embd_kv)
    if "f16" in kv_types and len(kv_types) > 1:
        figures += _kv_saving_rows(kv_types, models, reports, n_embd_kv)
    return figures, reports


def _kv_saving_rows(
    kv_types: Sequence[str], models: dict[int, Path], reports: dict[tuple[str, str, int], dict[str, object]],
    n_embd_kv: int,
) -> list[Figure]:  # fmt: skip
    layers = sorted(models)
    out: list[Figure] = []
    for kv in (k for k in kv_types if k != "f16"):
        g = f"memory, {kv} KV cache against f16 (synthetic, K and V {n_embd_kv} wide)"
        for who in ("bare", "app"):
            saved = [_peak(reports[who, "f16", n]) - _peak(reports[who, kv, n]) for n in layers]
            slope, icpt = _fit(layers, saved)
            out.append(
                figure(g, f"{who} peak RSS saved at {FULL_LAYERS} layers (fit)", slope * FULL_LAYERS + icpt, "MB")
            )
        computed = 2 * N_CTX * n_embd_kv * (KV_BYTES["f16"] - KV_BYTES[kv]) / MB * FULL_LAYERS
        out.append(figure(g, f"KV cache saved at {FULL_LAYERS} layers, computed", computed, "MB"))
        top = layers[-1]
        extra = _buffer(reports["bare", kv, top], "compute") - _buffer(reports["bare", "f16", top], "compute")
        out.append(figure(g, "compute buffer, quantized minus f16 (llama.cpp's report)", extra, "MB"))
    return out


def measure_memory(
    tiny: Path | None, sweep: dict[int, Path], *, threads: int, tokens: int = 32, generations: int = 1,
    growth_layers: int = 2, kv_types: Sequence[str] = ("f16", "q8_0"), sweep_tokens: int = 16,
) -> list[Figure]:  # fmt: skip
    """Everything ``make bench`` reports on memory: the app with no model and with ``tiny`` (10 generations of
    ``tokens``), the bare-versus-app sweep (``generations`` of ``sweep_tokens`` per process), and the growth over 10
    generations of the app on the ``growth_layers`` synthetic model.

    Raises:
        RuntimeError: a child process failed.
    """
    figures = measure_app_memory([("tiny", tiny)] if tiny is not None else [], tokens=tokens)
    base = int(figures[0].value * MB)
    sweep_figures, _ = measure_memory_sweep(
        sweep, threads=threads, tokens=sweep_tokens, generations=generations, kv_types=kv_types
    )
    if growth_layers in sweep:
        path = sweep[growth_layers]
        grown = launch_app(path, tokens=tokens, threads=threads)
        figures += memory_figures(f"app, synthetic {growth_layers}-layer", path, grown, base)
    return figures + sweep_figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", default=[])
    parser.add_argument("--tokens", type=int, default=32, help="tokens per generation")
    parser.add_argument("--sweep", action="store_true", help="bare llama.cpp vs app on 1, 2 and 4 synthetic layers")
    parser.add_argument("--layers", type=int, nargs="+", default=list(SWEEP_LAYERS))
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generations", type=int, default=MEMORY_GENERATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--kv", default="f16", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.model[0] if args.model else None, args.tokens, args.generations, args.kv, args.threads)
    if not args.sweep:
        figures = measure_app_memory([(p.name, p) for p in args.model], tokens=args.tokens)
    else:
        from benchmarks.make_synthetic import write_synthetic
        from ziya_desktop.engine.hardware import probe

        with tempfile.TemporaryDirectory(prefix="ziya-bench-sweep-") as tmp:
            models = {n: write_synthetic(Path(tmp) / f"syn-{n}l.gguf", n).path for n in args.layers}
            threads = args.threads or probe().physical_cores
            figures, _ = measure_memory_sweep(models, threads=threads, tokens=args.tokens)
    print(figures_json(figures) if args.json else format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
