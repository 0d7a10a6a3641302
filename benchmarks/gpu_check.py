"""The Python steps of ``benchmarks/gpu_check.sh``: fill the GPU, load through the fallback ladder, print ratios.

    python -m benchmarks.gpu_check hog --leave-gib 3 --ready FILE      # hold GPU memory until killed
    python -m benchmarks.gpu_check ladder --model M.gguf --gpu-layers all [--n-ctx N] [--threads N] [--out F]
    python -m benchmarks.gpu_check ratios --llama-bench LB.json --decode D.json [--ladder L.json ...] [--out F]

``ladder`` loads the model with the app's :class:`Engine` (its offload plan and fallback ladder) in this process
and reports what happened as JSON: the plan asked for, each failed attempt, the plan that came true, or the error
when every attempt failed. ``ratios`` reads llama.cpp's own ``llama-bench -o json`` and our decode benchmark's
JSON (``bench_decode --json``) on the same file and card and prints one table of ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

_HELD: list[object] = []


def hog(leave_gib: float, ready: Path) -> int:
    """Allocate all but ``leave_gib`` GiB of the first GPU's free memory, then sleep (the script kills us)."""
    try:
        import torch

        free, _total = torch.cuda.mem_get_info()
        size = max(int(free - leave_gib * 2**30), 0)
        _HELD.append(torch.ones(size, dtype=torch.uint8, device="cuda"))
    except ImportError:
        import cupy

        free, _total = cupy.cuda.runtime.memGetInfo()
        size = max(int(free - leave_gib * 2**30), 0)
        _HELD.append(cupy.ones(size, dtype=cupy.uint8))
    ready.write_text(json.dumps({"held_bytes": size, "free_before": free}))
    while True:
        time.sleep(60)


def ladder(model: Path, gpu_layers: str, n_ctx: int, threads: int | None) -> dict[str, object]:
    """Load ``model`` with the engine and describe the outcome (never raises for a failed load)."""
    from ziya_desktop.engine.engine import Engine, LoadOptions
    from ziya_desktop.engine.hardware import probe
    from ziya_desktop.errors import ZiyaError

    hw = probe()
    layers: int | str = gpu_layers if gpu_layers == "auto" else 10_000 if gpu_layers == "all" else int(gpu_layers)
    result: dict[str, object] = {
        "model": model.name,
        "asked": {"gpu_layers": gpu_layers, "n_ctx": n_ctx},
        "backend": hw.backend,
        "gpus": [{"name": g.name, "free_gib": round(g.free_bytes / 2**30, 2)} for g in hw.gpus],
    }
    engine = Engine()
    start = time.perf_counter()
    try:
        report = engine.load(model, LoadOptions(n_ctx=n_ctx, gpu_layers=layers, threads=threads))  # type: ignore[arg-type]
    except ZiyaError as err:
        result.update(loaded=False, error=str(err), seconds=round(time.perf_counter() - start, 2))
        return result
    try:
        result.update(
            loaded=True,
            seconds=round(report.seconds, 2),
            requested_plan=report.requested_plan.label,
            plan=report.plan.label,
            n_gpu_layers=report.plan.n_gpu_layers,
            failures=list(report.failures),
            fell_back=report.fell_back,
            n_ctx=report.n_ctx,
        )
    finally:
        engine.close()
    return result


def _llama_bench_rate(rows: list[dict[str, object]], kind: str) -> float:
    """tokens/s of llama-bench's text-generation ("tg") or prompt ("pp") test."""
    for row in rows:
        n_gen, n_prompt = int(str(row.get("n_gen", 0))), int(str(row.get("n_prompt", 0)))
        if (kind == "tg" and n_gen > 0 and n_prompt == 0) or (kind == "pp" and n_prompt > 0 and n_gen == 0):
            return float(str(row["avg_ts"]))
    return math.nan


def ratios(llama_bench: Path, decode: Path, ladders: list[Path]) -> dict[str, object]:
    """llama-bench against our bare loop and engine on the same file and card; the ladder outcomes."""
    lb = json.loads(llama_bench.read_text())
    figures = {row["name"]: row["value"] for row in json.loads(decode.read_text())["figures"]}
    tg, pp = _llama_bench_rate(lb, "tg"), _llama_bench_rate(lb, "pp")
    n = min(int(k.split(" at ")[1].split()[0]) for k in figures if k.startswith("bare llama.cpp at "))
    bare = figures.get(f"bare llama.cpp at {n} tokens") or math.nan
    engine = figures.get(f"Engine.stream, no GUI, at {n} tokens") or math.nan
    return {
        "llama-bench tg tokens/s": tg,
        "llama-bench pp tokens/s": pp,
        f"bare llama.cpp at {n} tokens, tokens/s": bare,
        f"Engine.stream at {n} tokens, tokens/s": engine,
        "bare / llama-bench tg": bare / tg,
        "Engine.stream / llama-bench tg": engine / tg,
        "Engine.stream / bare": engine / bare,
        "ladders": [json.loads(p.read_text()) for p in ladders],
        "llama-bench device": lb[0].get("gpu_info", "") if lb else "",
        "llama-bench n_gpu_layers": lb[0].get("n_gpu_layers") if lb else None,
    }


def _print_ratios(result: dict[str, object]) -> None:
    for key, val in result.items():
        if isinstance(val, float):
            print(f"  {key:<46} {val:10.3f}")
        elif key != "ladders":
            print(f"  {key:<46} {val}")
    ladders = result["ladders"]
    assert isinstance(ladders, list)
    for entry in ladders:
        assert isinstance(entry, dict)
        outcome = f"loaded: {entry['plan']}" if entry.get("loaded") else f"refused: {entry.get('error')}"
        print(f"  ladder {entry['asked']} -> {outcome}")
        for failure in entry.get("failures", []):
            print(f"      failed attempt: {failure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_hog = sub.add_parser("hog")
    p_hog.add_argument("--leave-gib", type=float, default=3.0)
    p_hog.add_argument("--ready", type=Path, required=True)
    p_ladder = sub.add_parser("ladder")
    p_ladder.add_argument("--model", type=Path, required=True)
    p_ladder.add_argument("--gpu-layers", default="all", help="all, auto or a number")
    p_ladder.add_argument("--n-ctx", type=int, default=2048)
    p_ladder.add_argument("--threads", type=int, default=None)
    p_ladder.add_argument("--out", type=Path, default=None)
    p_ratios = sub.add_parser("ratios")
    p_ratios.add_argument("--llama-bench", type=Path, required=True)
    p_ratios.add_argument("--decode", type=Path, required=True)
    p_ratios.add_argument("--ladder", type=Path, action="append", default=[])
    p_ratios.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "hog":
        return hog(args.leave_gib, args.ready)
    if args.command == "ladder":
        result = ladder(args.model, args.gpu_layers, args.n_ctx, args.threads)
    else:
        result = ratios(args.llama_bench, args.decode, args.ladder)
        _print_ratios(result)
    text = json.dumps(result, indent=2, default=str)
    if args.out is not None:
        args.out.write_text(text + "\n")
    if args.command == "ladder":
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
