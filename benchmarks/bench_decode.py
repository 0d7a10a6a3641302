"""Decode speed of the app's engine against a bare llama.cpp loop in the same process.

    python -m benchmarks.bench_decode --model M.gguf [--lengths 128 512 2048] [--threads N] [--no-naive] [--json]

Same GGUF, threads, sampling and seed for every contender (see :mod:`ziya_desktop.bench` for how):
- bare: llama-cpp-python's low-level llama_decode + a sampler chain, no detokenization (the ceiling);
- engine: ``Engine.stream`` handing text to a consumer (the code path the editor uses), interleaved with the bare
  loop token by token;
- naive: ``Llama.create_completion(stream=True)``, whole calls up to 512 tokens.
Prints tokens/s after the first token and the ratio to bare; a ratio, not an absolute, is the figure of merit.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ziya_desktop.bench import decode_figures, figures_json, format_table, measure_decode
from ziya_desktop.engine.hardware import probe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 512, 2048])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--goal", type=float, default=0.98, help="engine / bare ratio to meet")
    parser.add_argument("--no-naive", action="store_true", help="skip create_completion")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    threads = args.threads or probe().physical_cores
    result = measure_decode(args.model, args.lengths, threads=threads, naive=not args.no_naive)
    figures = decode_figures(args.model.name, result, goal_ratio=args.goal)
    if args.json:
        print(figures_json(figures, model=str(args.model), threads=threads))
    else:
        print(f"model {args.model.name}, {threads} threads", file=sys.stderr)
        print(format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
