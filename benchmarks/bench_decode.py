"""Decode speed of the app's engine against a bare llama.cpp loop in the same process.

    python -m benchmarks.bench_decode --model M.gguf [--lengths 128 512 2000] [--threads N] [--json]

Runs per length, same GGUF, threads, sampling and seed, alternating so drift hits all alike:
- bare: llama-cpp-python's low-level llama_decode + a sampler chain, no detokenization (the ceiling);
- engine: ``Engine.stream`` handing text to a consumer (the code path the editor uses).
Prints tokens/s after the first token and the ratio to bare; a ratio, not an absolute, is the figure of merit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import llama_cpp

from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.hardware import probe
from ziya_desktop.engine.llama_api import ensure_backend
from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.engine.sampling import SamplingParams

PROMPT = ziya_prompt("写一封感谢信")
SEED = 1234


def bare_loop(model_path: Path, n_tokens: int, threads: int, n_ctx: int) -> float:
    """tokens/s after the first token, for a loop with nothing but llama.cpp calls."""
    ensure_backend()
    mp = llama_cpp.llama_model_default_params()
    mp.n_gpu_layers = 0
    model = llama_cpp.llama_model_load_from_file(str(model_path).encode(), mp)
    cp = llama_cpp.llama_context_default_params()
    cp.n_ctx, cp.n_batch, cp.n_ubatch = n_ctx, 256, 256
    cp.n_threads = cp.n_threads_batch = threads
    cp.no_perf = True
    ctx = llama_cpp.llama_init_from_model(model, cp)
    vocab = llama_cpp.llama_model_get_vocab(model)
    raw = PROMPT.encode()
    toks = (llama_cpp.llama_token * (len(raw) + 8))()
    n = llama_cpp.llama_tokenize(vocab, raw, len(raw), toks, len(raw) + 8, True, False)
    chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(0.85))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(0.85, 1))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(SEED))
    llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(toks, n))
    one = (llama_cpp.llama_token * 1)()
    first = 0.0
    for i in range(n_tokens):
        tok = llama_cpp.llama_sampler_sample(chain, ctx, -1)
        if i == 0:
            first = time.perf_counter()
        if i == n_tokens - 1:
            break
        one[0] = tok
        llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(one, 1))
    elapsed = time.perf_counter() - first
    llama_cpp.llama_sampler_free(chain)
    llama_cpp.llama_free(ctx)
    llama_cpp.llama_model_free(model)
    return (n_tokens - 1) / elapsed


def engine_run(engine: Engine, n_tokens: int) -> float:
    sink: list[str] = []
    for chunk in engine.stream(PROMPT, SamplingParams(seed=SEED, max_tokens=n_tokens, ignore_eos=True)):
        sink.append(chunk)
    engine._cached = []  # no prefix reuse between runs: every run evaluates its prompt the same way
    assert engine.last_stats is not None and engine.last_stats.generated_tokens == n_tokens
    return engine.last_stats.tokens_per_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 512, 2000])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    threads = args.threads or probe().physical_cores
    n_ctx = 2048
    engine = Engine()
    engine.load(args.model, LoadOptions(n_ctx=n_ctx, threads=threads, n_batch=256, gpu_layers=0))
    rows = []
    for n in args.lengths:
        bare, eng = [], []
        for _ in range(args.repeats):
            bare.append(bare_loop(args.model, n, threads, n_ctx))
            eng.append(engine_run(engine, n))
        bare_tps, engine_tps = statistics.median(bare), statistics.median(eng)
        rows.append(
            {"tokens": n, "bare_tps": bare_tps, "engine_tps": engine_tps, "engine_ratio": engine_tps / bare_tps}
        )
    engine.close()
    if args.json:
        json.dump({"model": str(args.model), "threads": threads, "rows": rows}, sys.stdout, indent=2)
        print()
        return 0
    print(f"model {args.model.name}, {threads} threads, median of {args.repeats}")
    print(f"{'tokens':>7} {'bare t/s':>10} {'engine t/s':>11} {'ratio':>6}")
    for r in rows:
        print(f"{r['tokens']:7d} {r['bare_tps']:10.1f} {r['engine_tps']:11.1f} {r['engine_ratio']:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
