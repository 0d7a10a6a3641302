"""Every benchmark in one run (``make bench``): a table of figures with goals, and JSON with ``--json``.

    python -m benchmarks.run_all [--threads N] [--layers 2] [--json] [--out figures.json] [--markdown]

1. decode overhead on the tiny GGUF and on a real-width synthetic GGUF (engine, bare llama.cpp, create_completion);
2. time to first token (cold, warm, regenerate, continue) on both;
3. UI smoothness (fake source at 20/200/2,000 tokens/s, then the tiny model);
4. the synthetic model's weight traffic per token against this machine's memory bandwidth, extrapolated to 40
   layers;
5. memory of the app with no model, the tiny model and the synthetic model;
6. start-up to a responsive window while the synthetic model loads;
7. conversion throughput and peak RSS on a real-width fp32 checkpoint;
8. crash recovery of a 100 KB heavily edited document up to the shown dialog, against plain difflib.

The tiny GGUF is converted from tests/data/tiny_ziya and the synthetic one written into a temporary folder that is
deleted at the end. Every ratio's baseline is measured in this same run.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_convert import TINY_DIR, measure_convert
from benchmarks.bench_memory import measure_app_memory
from benchmarks.bench_recovery import measure_recovery
from benchmarks.bench_startup import measure_startup
from benchmarks.bench_ui import measure_ui
from benchmarks.make_synthetic import FULL_LAYERS, SyntheticModel, write_synthetic
from benchmarks.membw import copy_bandwidth
from ziya_desktop.bench import (
    DecodeResult,
    Figure,
    decode_figures,
    figure,
    figures_json,
    format_table,
    measure_decode,
    measure_ttft,
)
from ziya_desktop.engine.engine import Engine, LoadOptions

LENGTHS = (128, 512, 2048)


def bandwidth_figures(model: SyntheticModel, decode: DecodeResult, membw: float) -> list[Figure]:
    """Weights streamed per second at the shortest length against the copy bandwidth, and the 40-layer estimate."""
    g = "bandwidth, synthetic real-width model"
    n = min(decode.lengths)
    tps = decode.engine.get(n, math.nan)
    streamed = model.bytes_per_token() * tps / 1e9
    full_tps = tps * model.bytes_per_token() / model.bytes_per_token(FULL_LAYERS)
    return [
        figure(g, "numpy copy bandwidth (read + write)", membw / 1e9, "GB/s"),
        figure(g, f"weights per token, {model.n_layers} layers", model.bytes_per_token() / 1e9, "GB"),
        figure(g, f"weights streamed per second at {n} tokens", streamed, "GB/s"),
        figure(g, "streamed / copy bandwidth", streamed * 1e9 / membw, "ratio"),
        figure(g, f"weights per token, {FULL_LAYERS} layers", model.bytes_per_token(FULL_LAYERS) / 1e9, "GB"),
        figure(g, f"extrapolated tokens/s at {FULL_LAYERS} layers", full_tps, "tokens/s"),
        figure(
            g,
            f"ceiling at {FULL_LAYERS} layers (copy bandwidth / bytes)",
            membw / model.bytes_per_token(FULL_LAYERS),
            "tokens/s",
        ),
    ]


def model_figures(
    label: str, path: Path, threads: int, goal: float, lengths: tuple[int, ...]
) -> tuple[list[Figure], DecodeResult]:
    engine = Engine()
    engine.load(path, LoadOptions(n_ctx=2048, threads=threads, n_batch=256, gpu_layers=0))
    try:
        ttft = [dataclasses.replace(f, group=f"{f.group}, {label}") for f in measure_ttft(engine)]
        decode = measure_decode(path, lengths, threads=threads, engine=engine)
    finally:
        engine.close()
    return decode_figures(label, decode, goal_ratio=goal) + ttft, decode


def _step(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def markdown(figures: list[Figure]) -> str:
    """The figures as a Markdown table (for benchmarks/README.md)."""
    rows = ["| group | figure | value | unit | goal | met |", "|---|---|---:|---|---|---|"]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "**no**")
        rows.append(f"| {f.group} | {f.name} | {f.value:.4g} | {f.unit} | {f.goal} | {met} |")
    return "\n".join(rows)


def run_all(
    *, threads: int, layers: int, work: Path | None, tiny_only: bool = False, quick: bool = False
) -> list[Figure]:
    """Run everything and return the figures in the order of the issue.

    ``quick`` shrinks every run (short lengths, a 1 s UI run, one start-up) for the smoke test.

    Raises:
        RuntimeError, TimeoutError: a benchmark's child process or generation failed.
    """
    from converters.hf_to_gguf import convert

    lengths = (16, 64) if quick else LENGTHS
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="ziya-bench-", dir=work) as tmp:
        root = Path(tmp)
        _step("converting the tiny model")
        tiny = convert(TINY_DIR, root / "tiny-q4_k_m.gguf", "q4_k_m", threads=threads).outfile
        _step("decode and TTFT, tiny model")
        tiny_figs, _ = model_figures("tiny Q4_K_M", tiny, threads, 0.9, lengths)
        figures += tiny_figs
        synthetic: SyntheticModel | None = None
        if not tiny_only:
            _step(f"writing the synthetic {layers}-layer real-width model")
            synthetic = write_synthetic(root / f"synthetic-{layers}l.gguf", layers)
            _step("decode and TTFT, synthetic model")
            syn_figs, syn_decode = model_figures(
                f"synthetic {layers}-layer real width", synthetic.path, threads, 0.98, lengths
            )
            figures += syn_figs
            _step("memory bandwidth")
            figures += bandwidth_figures(synthetic, syn_decode, copy_bandwidth())
        _step("UI smoothness")
        figures += measure_ui(model=tiny, seconds=1.0 if quick else 3.0, model_tokens=200 if quick else 1500)
        _step("app memory")
        models = [("tiny", tiny)] + ([("synthetic", synthetic.path)] if synthetic is not None else [])
        figures += measure_app_memory(models, tokens=8 if quick else 32)
        _step("start-up")
        figures += measure_startup(synthetic.path if synthetic is not None else tiny, runs=1 if quick else 3)
        if not tiny_only:
            _step("conversion")
            figures += measure_convert(layers, "f16", work)
        _step("crash recovery")
        figures += measure_recovery(12 if quick else 100)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: physical cores)")
    parser.add_argument("--layers", type=int, default=2, choices=(1, 2, 3, 4), help="layers of the synthetic models")
    parser.add_argument("--work", type=Path, default=None, help="folder for the temporary models (default: /tmp)")
    parser.add_argument("--tiny-only", action="store_true", help="skip the real-width models and the conversion")
    parser.add_argument("--quick", action="store_true", help="tiny sizes everywhere (a smoke test, not figures)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON to this file")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)
    from ziya_desktop.engine.hardware import probe

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    hw = probe()
    threads = args.threads or hw.physical_cores
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ziya-bench-home-") as home:
        os.environ["ZIYA_HOME"] = home  # the app's settings, journal and logs stay out of the user's folders
        figures = run_all(
            threads=threads, layers=args.layers, work=args.work, tiny_only=args.tiny_only, quick=args.quick
        )
    context = {
        "machine": platform.processor() or platform.machine(),
        "cpu": _cpu_name(),
        "physical_cores": hw.physical_cores,
        "threads": threads,
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "seconds": round(time.perf_counter() - start, 1),
    }
    text = figures_json(figures, **context)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(text)
    else:
        print(format_table(figures))
        missed = [f for f in figures if f.met is False]
        print(
            f"\n{len(figures)} figures, {sum(f.met is True for f in figures)} goals met, {len(missed)} missed; "
            f"{context['seconds']} s, {threads} threads, load average {context['load_average']}"
        )
    if args.markdown:
        print(markdown(figures))
    return 0


def _cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


if __name__ == "__main__":
    raise SystemExit(main())
