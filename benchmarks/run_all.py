"""Every benchmark in one run (``make bench``): a table of figures with goals, and JSON with ``--json``.

    python -m benchmarks.run_all [--threads N] [--layers 2] [--json] [--out figures.json] [--readme] [--markdown]
                                 [--lengths 128 512 2048] [--ui-seconds 3] [--quick]

1. decode overhead on the tiny GGUF and on a real-width synthetic GGUF: bare llama.cpp, ``Engine.stream`` on the
   calling thread, create_completion, and the editor's own path (real main window, offscreen);
2. time to first token (cold, warm, regenerate, continue) on both;
3. UI smoothness (fake source at 20/200/2,000 tokens/s, the one-paragraph worst case three times, the tiny model);
4. the synthetic model's weight traffic per token against this machine's memory bandwidth, extrapolated to 40
   layers;
5. memory: the app with no model and the tiny model; the app against a bare llama.cpp process on 1, 2 and 4
   synthetic layers with an f16 and a q8_0 KV cache, extrapolated to 40 layers;
6. start-up to a responsive window, watched while the synthetic model loads;
7. conversion throughput (from a cold page cache) and peak RSS on a real-width fp32 checkpoint;
8. crash recovery of a 100 KB heavily edited document up to the shown dialog, against plain difflib;
9. the robustness report (``benchmarks/robustness_report.py``: kill trials of the save, every reader fuzzed, 20
   SIGKILLs of the app mid-generation), skipped with ``--no-robustness``.

The tiny GGUF is converted from tests/data/tiny_ziya and the synthetic ones written into a temporary folder that is
deleted at the end. Every ratio's baseline is measured in this same run. ``--out`` writes the figures file the README
tables are generated from (``--readme`` regenerates them from it: ``benchmarks/render_tables.py``).
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
from benchmarks.bench_editor_decode import editor_figures, measure_editor_decode
from benchmarks.bench_memory import SWEEP_LAYERS, measure_memory
from benchmarks.bench_recovery import measure_recovery
from benchmarks.bench_startup import measure_startup
from benchmarks.bench_ui import measure_ui
from benchmarks.make_synthetic import FULL_LAYERS, SyntheticModel, write_synthetic
from benchmarks.membw import copy_bandwidth
from benchmarks.robustness_report import Sizes as RobustnessSizes
from benchmarks.robustness_report import measure_robustness
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
# create_completion up to 128 tokens only (bench_decode goes to 512): it slows down as the answer grows (half a
# minute for 512 tokens on the tiny model), and at real width 512 tokens would add half a minute for a ratio of about
# 1. The editor path runs at the shortest and the longest length. Both keep `make bench` under 10 minutes on 2 cores.
NAIVE_MAX = 128
# Half the report's own 200 kill trials of the save (they are cheap to judge and the goal is zero losses) keeps
# `make bench` under 10 minutes on 2 cores; the fuzzing and the 20 app kills are the report's full size.
ROBUSTNESS = RobustnessSizes(trials=100)
EDITOR_GOAL = 0.95  # editor path / bare, whole calls, real width (tiny-model runs are too short for a goal)


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
    label: str, path: Path, threads: int, goal: float, lengths: tuple[int, ...], editor_goal: float | None,
    naive_max: int = NAIVE_MAX,
) -> tuple[list[Figure], DecodeResult]:  # fmt: skip
    """TTFT, decode (bare, Engine.stream, create_completion up to ``naive_max``) and the editor path (at the shortest
    and the longest length) on one model."""
    engine = Engine()
    engine.load(path, LoadOptions(n_ctx=2048, threads=threads, n_batch=256, gpu_layers=0))
    try:
        ttft = [dataclasses.replace(f, group=f"{f.group}, {label}") for f in measure_ttft(engine)]
        decode = measure_decode(path, lengths, threads=threads, engine=engine, naive_max=naive_max)
    finally:
        engine.close()
    runs = measure_editor_decode(path, sorted({decode.lengths[0], decode.lengths[-1]}), threads=threads)
    editor = editor_figures(label, runs, expected_text=decode.text, goal=editor_goal)
    return decode_figures(label, decode, goal_ratio=goal) + editor + ttft, decode


STEP_SECONDS: dict[str, float] = {}  # seconds each step took, for the figures file's context
_current: list[tuple[str, float]] = []


def _step(what: str | None) -> None:
    """Print the step starting now (None: the last one ended) and book the time of the one before it."""
    now = time.perf_counter()
    if _current:
        name, began = _current.pop()
        STEP_SECONDS[name] = round(STEP_SECONDS.get(name, 0.0) + now - began, 1)
    if what is not None:
        _current.append((what, now))
        print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def markdown(figures: list[Figure]) -> str:
    """The figures as a Markdown table (for benchmarks/README.md)."""
    rows = ["| group | figure | value | unit | goal | met |", "|---|---|---:|---|---|---|"]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "**no**")
        rows.append(f"| {f.group} | {f.name} | {f.value:.4g} | {f.unit} | {f.goal} | {met} |")
    return "\n".join(rows)


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How big each run is; the defaults are ``make bench``'s, ``quick()`` the smoke test's."""

    lengths: tuple[int, ...] = LENGTHS
    ui_seconds: float = 3.0
    ui_repeats: int = 3
    model_tokens: int = 1500
    memory_tokens: int = 32
    sweep_layers: tuple[int, ...] = SWEEP_LAYERS
    sweep_tokens: int = 16  # one generation per process in the sweep: peak RSS, not growth
    startup_runs: int = 3
    recovery_kb: int = 100
    robustness: RobustnessSizes = dataclasses.field(default_factory=lambda: dataclasses.replace(ROBUSTNESS))

    @classmethod
    def quick(cls) -> Sizes:
        return cls((16, 64), 1.0, 2, 200, 8, (1, 2), 8, 1, 12, RobustnessSizes.quick())


def run_all(
    *, threads: int, layers: int, work: Path | None, tiny_only: bool = False, sizes: Sizes | None = None,
    robustness: bool = True,
) -> list[Figure]:  # fmt: skip
    """Run everything and return the figures in the order of the issue.

    Raises:
        RuntimeError, TimeoutError: a benchmark's child process or generation failed.
    """
    from converters.hf_to_gguf import convert

    size = sizes or Sizes()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="ziya-bench-", dir=work) as tmp:
        root = Path(tmp)
        _step("converting the tiny model")
        tiny = convert(TINY_DIR, root / "tiny-q4_k_m.gguf", "q4_k_m", threads=threads).outfile
        _step("decode, editor path and TTFT, tiny model")
        figures += model_figures("tiny Q4_K_M", tiny, threads, 0.9, size.lengths, None)[0]
        synthetic: dict[int, SyntheticModel] = {}
        if not tiny_only:
            for n in sorted({layers, *size.sweep_layers}):
                _step(f"writing the synthetic {n}-layer real-width model")
                synthetic[n] = write_synthetic(root / f"synthetic-{n}l.gguf", n)
            _step("decode, editor path and TTFT, synthetic model")
            label = f"synthetic {layers}-layer real width"
            syn_figs, syn_decode = model_figures(
                label, synthetic[layers].path, threads, 0.98, size.lengths, EDITOR_GOAL
            )
            figures += syn_figs
            _step("memory bandwidth")
            figures += bandwidth_figures(synthetic[layers], syn_decode, copy_bandwidth())
        _step("UI smoothness")
        figures += measure_ui(
            model=tiny, seconds=size.ui_seconds, model_tokens=size.model_tokens, repeats=size.ui_repeats
        )
        _step("memory: app, bare llama.cpp, KV cache types")
        sweep = {n: synthetic[n].path for n in size.sweep_layers if n in synthetic}
        figures += measure_memory(
            tiny, sweep, threads=threads, tokens=size.memory_tokens, growth_layers=layers,
            sweep_tokens=size.sweep_tokens,
        )  # fmt: skip
        _step("start-up")
        figures += measure_startup(synthetic[layers].path if synthetic else tiny, runs=size.startup_runs)
        if not tiny_only:
            _step("conversion")
            figures += measure_convert(layers, "f16", work)
        _step("crash recovery")
        figures += measure_recovery(size.recovery_kb)
        if robustness:
            _step("robustness: kill trials of the save, fuzzing every reader, SIGKILLs of the app")
            figures += measure_robustness(work, sizes=size.robustness, model=tiny)[0]
        _step(None)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: physical cores)")
    parser.add_argument("--layers", type=int, default=2, choices=(1, 2, 3, 4), help="layers of the synthetic models")
    parser.add_argument("--work", type=Path, default=None, help="folder for the temporary models (default: /tmp)")
    parser.add_argument("--tiny-only", action="store_true", help="skip the real-width models and the conversion")
    parser.add_argument("--quick", action="store_true", help="tiny sizes everywhere (a smoke test, not figures)")
    parser.add_argument("--lengths", type=int, nargs="+", default=None, help="decode lengths (default 128 512 2048)")
    parser.add_argument("--ui-seconds", type=float, default=None, help="length of each UI run (default 3)")
    parser.add_argument("--no-robustness", action="store_true", help="skip benchmarks.robustness_report")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON to this file")
    parser.add_argument("--readme", action="store_true", help="regenerate the README tables from the --out file")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    args = parser.parse_args(argv)
    if args.readme and args.out is None:
        parser.error("--readme needs --out (the tables are generated from the figures file)")
    from ziya_desktop.engine.hardware import probe

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    hw = probe()
    threads = args.threads or hw.physical_cores
    sizes = Sizes.quick() if args.quick else Sizes()
    sizes = dataclasses.replace(
        sizes,
        lengths=tuple(args.lengths or sizes.lengths),
        ui_seconds=args.ui_seconds if args.ui_seconds is not None else sizes.ui_seconds,
    )
    start = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="ziya-bench-home-") as home:
        os.environ["ZIYA_HOME"] = home  # the app's settings, journal and logs stay out of the user's folders
        figures = run_all(
            threads=threads, layers=args.layers, work=args.work, tiny_only=args.tiny_only, sizes=sizes,
            robustness=not args.no_robustness,
        )  # fmt: skip
    full = sizes == Sizes() and args.layers == 2 and not (args.tiny_only or args.quick or args.no_robustness)
    context = _context(hw.physical_cores, threads, load_before, time.perf_counter() - start, argv, sizes, full)
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
    if args.readme:
        from benchmarks.render_tables import write_readmes

        for path in write_readmes(args.out):
            print(f"regenerated the tables of {path}", file=sys.stderr)
    return 0


def _context(
    cores: int, threads: int, load_before: tuple[float, float, float], seconds: float, argv: list[str] | None,
    sizes: Sizes, full: bool,
) -> dict[str, object]:  # fmt: skip
    """Where and how the figures were taken (the README's tables quote it)."""
    from importlib.metadata import version

    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": platform.processor() or platform.machine(),
        "cpu": _cpu_name(),
        "physical_cores": cores,
        "threads": threads,
        "load_average": os.getloadavg(),
        "load_average_before": load_before,
        "python": platform.python_version(),
        "llama_cpp_python": version("llama_cpp_python"),
        "arguments": list(sys.argv[1:] if argv is None else argv),
        "full_size": full,
        "sizes": dataclasses.asdict(sizes),
        "seconds": round(seconds, 1),
        "step_seconds": dict(STEP_SECONDS),
    }


def _cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


if __name__ == "__main__":
    raise SystemExit(main())
