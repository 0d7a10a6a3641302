"""A bare llama.cpp process: llama-cpp-python's low-level API and nothing of the app, for memory baselines.

    python -m benchmarks.bare_llama --model M.gguf --prompt TEXT [--threads N] [--kv f16|q8_0] [--mmap 0|1]
        [--extra-bufts 0|1] [--generations 2] [--tokens 32]

It loads the file with the settings the engine uses on the CPU (the caller passes them: context 2048, batch and
micro-batch 256, one sequence, flash attention left to llama.cpp, the same mapping and repacking choice and KV cache
type), generates ``--generations`` answers of ``--tokens`` tokens, and prints one JSON line: peak RSS (VmHWM) at
start, after load and after generating, anonymous RSS after load, and the buffers llama.cpp reported creating
(``{"CPU KV": MiB, "CPU compute": MiB, ...}``). This module imports nothing but the standard library and
llama_cpp, so the process holds what llama.cpp itself needs and nothing the app adds.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import re
import sys
from pathlib import Path

import llama_cpp

# "llama_kv_cache:        CPU KV buffer size =    80.00 MiB", "sched_reserve:        CPU compute buffer size = ..."
_BUFFER = re.compile(r"(\S+(?: \S+)?) (KV|compute|output|model) buffer size =\s*([\d.]+) MiB")


def parse_buffers(lines: list[str]) -> dict[str, float]:
    """llama.cpp's "<device> <kind> buffer size = N MiB" log lines, summed per "<device> <kind>" (MiB)."""
    sizes: dict[str, float] = {}
    for line in lines:
        for device, kind, mib in _BUFFER.findall(line):
            key = f"{device.split()[-1]} {kind}"
            sizes[key] = sizes.get(key, 0.0) + float(mib)
    return sizes


def rss(field: str = "VmHWM") -> int:
    """A field of /proc/self/status in bytes (VmHWM: peak resident set; VmRSS, RssAnon: now)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return -1


def _generate(model: object, ctx: object, prompt: str, tokens: int, seed: int) -> None:
    vocab = llama_cpp.llama_model_get_vocab(model)
    raw = prompt.encode()
    toks = (llama_cpp.llama_token * (len(raw) + 8))()
    n = llama_cpp.llama_tokenize(vocab, raw, len(raw), toks, len(raw) + 8, True, False)
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
    chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(0.85))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(0.85, 1))
    llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(seed))
    try:
        if llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(toks, n)) != 0:
            raise RuntimeError("llama_decode failed on the prompt")
        one = (llama_cpp.llama_token * 1)()
        for _ in range(tokens):
            one[0] = llama_cpp.llama_sampler_sample(chain, ctx, -1)
            if llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(one, 1)) != 0:
                raise RuntimeError("llama_decode failed")
    finally:
        llama_cpp.llama_sampler_free(chain)


def run(args: argparse.Namespace) -> dict[str, object]:
    """Load, generate, measure (see the module's docstring)."""
    result: dict[str, object] = {"baseline": rss()}
    log: list[str] = []

    def on_log(_level: int, text: bytes, _data: ctypes.c_void_p) -> None:
        log.append(text.decode("utf-8", errors="replace"))

    callback = llama_cpp.llama_log_callback(on_log)
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    llama_cpp.llama_backend_init()
    mp = llama_cpp.llama_model_default_params()
    mp.n_gpu_layers = 0
    mp.load_mode = llama_cpp.LLAMA_LOAD_MODE_MMAP if args.mmap else llama_cpp.LLAMA_LOAD_MODE_NONE
    mp.use_extra_bufts = bool(args.extra_bufts)
    model = llama_cpp.llama_model_load_from_file(str(args.model).encode(), mp)
    if not model:
        raise RuntimeError(f"llama.cpp could not load {args.model}")
    cp = llama_cpp.llama_context_default_params()
    cp.n_ctx, cp.n_batch, cp.n_ubatch, cp.n_seq_max = 2048, 256, 256, 1
    cp.n_threads = cp.n_threads_batch = args.threads
    cp.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_AUTO
    cp.type_k = cp.type_v = {"f16": llama_cpp.GGML_TYPE_F16, "q8_0": llama_cpp.GGML_TYPE_Q8_0}[args.kv]
    cp.no_perf = True
    ctx = llama_cpp.llama_init_from_model(model, cp)
    if not ctx:
        raise RuntimeError(f"llama.cpp could not make the context ({args.kv} KV cache)")
    result["loaded"] = rss()
    result["anon_loaded"] = rss("RssAnon")
    for i in range(args.generations):
        _generate(model, ctx, args.prompt, args.tokens, 1234 + i)
    result["peak"] = rss()
    result["buffers"] = parse_buffers("".join(log).splitlines())
    llama_cpp.llama_free(ctx)
    llama_cpp.llama_model_free(model)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--prompt", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--kv", choices=("f16", "q8_0"), default="f16")
    parser.add_argument("--mmap", type=int, choices=(0, 1), default=0)
    parser.add_argument("--extra-bufts", type=int, choices=(0, 1), default=1)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=32)
    sys.stdout.write(json.dumps(run(parser.parse_args(argv))) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
