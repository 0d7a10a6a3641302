"""Decode speed of the app's engine against a bare llama.cpp loop in the same process.

    python -m benchmarks.bench_decode --model M.gguf [--lengths 128 512 2048] [--threads N] [--gpu-layers N]
        [--no-naive] [--editor] [--json]

Same GGUF, threads, sampling and seed for every contender (see :mod:`ziya_desktop.bench` for how); every model and
context is made before any clock starts:
- bare: llama-cpp-python's low-level llama_decode + a sampler chain, no detokenization (the ceiling);
- Engine.stream, no GUI: the engine on the calling thread, its text appended to a list, interleaved with the bare
  loop token by token;
- naive: ``Llama.create_completion(stream=True)``, whole calls up to 512 tokens;
- with ``--editor`` (CPU only), the editor's own path: ``benchmarks/bench_editor_decode.py``.
Prints tokens/s after the first token and the ratio to bare; a ratio, not an absolute, is the figure of merit.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ziya_desktop.bench import decode_figures, figures_json, format_table, measure_decode
from ziya_desktop.engine.hardware import probe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 512, 2048])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--goal", type=float, default=0.98, help="engine / bare ratio to meet")
    parser.add_argument("--gpu-layers", type=int, default=0, help="layers offloaded to the GPU (every contender)")
    parser.add_argument("--no-naive", action="store_true", help="skip create_completion")
    parser.add_argument("--editor", action="store_true", help="also the editor's path (real window, offscreen)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    threads = args.threads or probe().physical_cores
    result = measure_decode(
        args.model, args.lengths, threads=threads, naive=not args.no_naive, gpu_layers=args.gpu_layers
    )
    figures = decode_figures(args.model.name, result, goal_ratio=args.goal)
    if args.editor:
        from benchmarks.bench_editor_decode import editor_figures, measure_editor_decode

        with tempfile.TemporaryDirectory(prefix="ziya-bench-editor-") as home:
            os.environ["ZIYA_HOME"] = home  # the window's settings and journal stay out of the user's folders
            runs = measure_editor_decode(args.model, result.lengths, threads=threads)
        figures += editor_figures(args.model.name, runs, expected_text=result.text)
    if args.json:
        print(figures_json(figures, model=str(args.model), threads=threads, gpu_layers=args.gpu_layers))
    else:
        print(f"model {args.model.name}, {threads} threads", file=sys.stderr)
        print(format_table(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
