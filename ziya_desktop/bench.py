"""Benchmarks of the engine on any GGUF: decode overhead, time to first token, memory (``ziya-desktop bench``).

Every figure is a ratio against a baseline measured in the same process and run, never an absolute to assert on:

- decode: tokens/s of :meth:`Engine.stream` on the calling thread (decode, sampler chain, incremental detokenizer,
  text appended to a list; the editor's own path is ``benchmarks/bench_editor_decode.py``) against a bare loop of
  llama-cpp-python's low-level ``llama_decode`` and a sampler chain on the same file, threads, sampling and seed,
  interleaved token by token so load from other processes hits both alike; rates at shorter lengths are read off
  the same run (first token to the N-th). ``Llama.create_completion(stream=True)`` is the naive baseline (whole
  calls up to NAIVE_MAX_TOKENS, each interleaved with a whole bare call). Every model and context is made before a
  clock starts.
- TTFT: a ~300-token template prompt, cold and warm, then a regenerate and a continue that reuse the prefix.
- memory: peak RSS of a child process that loads the model and generates 10 times, against the file's size.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.engine.sampling import SamplingParams

SEED = 1234
TEMPERATURE = 0.85
TOP_P = 0.85
DECODE_PROMPT = ziya_prompt("写一封感谢信")
TTFT_PROMPT_TOKENS = 300
MEMORY_GENERATIONS = 10
MB = 1024 * 1024
# create_completion's stream slows down as the answer grows (about 0.4 s for 128 tokens but 30 s for 512 on the
# tiny model): past this length the naive baseline alone would take minutes, so it is not run further.
NAIVE_MAX_TOKENS = 512


@dataclass(frozen=True)
class Figure:
    """One measured figure, with its goal when it has one (``met`` is None when there is no goal)."""

    group: str
    name: str
    value: float
    unit: str
    goal: str = ""
    met: bool | None = None


def figure(group: str, name: str, value: float, unit: str, goal: str = "", ok: bool | None = None) -> Figure:
    """A :class:`Figure`; a value that is not finite never meets its goal."""
    met = None if ok is None else bool(ok and math.isfinite(value))
    return Figure(group, name, float(value), unit, goal, met)


def format_table(figures: Sequence[Figure]) -> str:
    """The figures as an aligned text table, grouped, with the goal and ``yes``/``NO`` when there is one."""
    lines = [f"{'figure':<58} {'value':>12} {'unit':<10} {'goal':<24} met"]
    group = None
    for f in figures:
        if f.group != group:
            group = f.group
            lines.append(f"-- {group}")
        met = "" if f.met is None else ("yes" if f.met else "NO")
        value = f"{f.value:12.3f}" if abs(f.value) < 1e6 else f"{f.value:12.4g}"
        lines.append(f"  {f.name:<56} {value} {f.unit:<10} {f.goal:<24} {met}")
    return "\n".join(lines)


def figures_json(figures: Sequence[Figure], **context: object) -> str:
    """The figures as JSON (``{"context": ..., "figures": [...]}``); non-finite values become null."""
    rows = [{**asdict(f), "value": f.value if math.isfinite(f.value) else None} for f in figures]
    return json.dumps({"context": context, "figures": rows}, ensure_ascii=False, indent=2)


# -- decode ---------------------------------------------------------------------------------------------------------


def _rates(times: Sequence[float], lengths: Sequence[int]) -> dict[int, float]:
    """tokens/s from the first token to the N-th, for each N in ``lengths`` (``times[i]`` = when token i came)."""
    return {n: (n - 1) / (times[n - 1] - times[0]) for n in lengths if n <= len(times) and times[n - 1] > times[0]}


class BareLoop:
    """A loop of nothing but llama.cpp calls (the ceiling) on its own model and context, both made here, outside
    any timing; :meth:`steps` is what is timed."""

    def __init__(self, model_path: Path, *, threads: int, n_ctx: int = 2048, gpu_layers: int = 0) -> None:
        import llama_cpp

        from ziya_desktop.engine.llama_api import ensure_backend

        ensure_backend()
        self._llama = llama_cpp
        mp = llama_cpp.llama_model_default_params()
        mp.n_gpu_layers = gpu_layers
        self.model = llama_cpp.llama_model_load_from_file(str(model_path).encode(), mp)
        if not self.model:
            raise RuntimeError(f"llama.cpp could not load {model_path}")
        cp = llama_cpp.llama_context_default_params()
        cp.n_ctx, cp.n_batch, cp.n_ubatch = n_ctx, 256, 256
        cp.n_threads = cp.n_threads_batch = threads
        cp.no_perf = True
        self.ctx = llama_cpp.llama_init_from_model(self.model, cp)
        if not self.ctx:
            llama_cpp.llama_model_free(self.model)
            raise RuntimeError(f"llama.cpp could not make a context of {n_ctx} tokens")

    def steps(self, n_tokens: int) -> Iterator[int]:
        """One step per ``next``: the first evaluates the prompt and samples, each later one decodes the previous
        token and samples; yields how many tokens were sampled so far."""
        llama_cpp = self._llama
        vocab = llama_cpp.llama_model_get_vocab(self.model)
        raw = DECODE_PROMPT.encode()
        toks = (llama_cpp.llama_token * (len(raw) + 8))()
        n = llama_cpp.llama_tokenize(vocab, raw, len(raw), toks, len(raw) + 8, True, False)
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.ctx), True)
        chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(TEMPERATURE))
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(TOP_P, 1))
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(SEED))
        try:
            if llama_cpp.llama_decode(self.ctx, llama_cpp.llama_batch_get_one(toks, n)) != 0:
                raise RuntimeError("llama_decode failed on the prompt")
            one = (llama_cpp.llama_token * 1)()
            for i in range(n_tokens):
                if i and llama_cpp.llama_decode(self.ctx, llama_cpp.llama_batch_get_one(one, 1)) != 0:
                    raise RuntimeError(f"llama_decode failed at token {i + 1} of {n_tokens}")
                one[0] = llama_cpp.llama_sampler_sample(chain, self.ctx, -1)
                yield i + 1
        finally:
            llama_cpp.llama_sampler_free(chain)

    def whole(self, n_tokens: int) -> float:
        """tokens/s of a whole run of ``n_tokens`` (prompt evaluation included)."""
        start = time.perf_counter()
        for _ in self.steps(n_tokens):
            pass
        return n_tokens / (time.perf_counter() - start)

    def close(self) -> None:
        if self.ctx:
            self._llama.llama_free(self.ctx)
            self._llama.llama_model_free(self.model)
            self.ctx = self.model = None


def forget_prefix(engine: Engine) -> None:
    """Make the next generation evaluate its whole prompt (no prefix reuse), as a first generation would."""
    engine._cached = []


def engine_steps(engine: Engine, n_tokens: int, sink: list[str]) -> Iterator[int]:
    """:meth:`Engine.stream` on the calling thread with its text appended to ``sink``, one chunk per ``next``
    (no worker thread, signals or editor: ``benchmarks/bench_editor_decode.py`` measures that path); yields how
    many tokens were sampled so far.

    A chunk may carry more than one token (a character split over byte tokens): the count comes from the engine's
    evaluated sequence, which holds the prompt and every token but the one just sampled.
    """
    forget_prefix(engine)
    prompt = engine.tokenize(DECODE_PROMPT)
    base = len(prompt) - 1
    sampling = SamplingParams(seed=SEED, max_tokens=n_tokens, ignore_eos=True, temperature=TEMPERATURE, top_p=TOP_P)
    for chunk in engine.stream(prompt, sampling):
        sink.append(chunk)
        yield len(engine._cached) - base
    stats = engine.last_stats
    if stats is None or stats.generated_tokens != n_tokens:
        raise RuntimeError(f"the engine generated {stats.generated_tokens if stats else 0} of {n_tokens} tokens")
    yield n_tokens


def interleaved_decode(runs: Sequence[Iterator[int]]) -> list[list[float]]:
    """Advance the runs in turn, one step each, timing every step on the run's own clock.

    Alternating at token granularity means a burst of load from other processes hits every run alike; each run's
    clock counts only its own steps. Returns, per run, the clock reading at which each token had been handed over.
    """
    clocks = [0.0] * len(runs)
    times: list[list[float]] = [[] for _ in runs]
    active = set(range(len(runs)))
    while active:
        for k in sorted(active):
            start = time.perf_counter()
            try:
                count = next(runs[k])
            except StopIteration:
                active.discard(k)
                continue
            clocks[k] += time.perf_counter() - start
            times[k].extend([clocks[k]] * (count - len(times[k])))
    return times


def naive_steps(model_path: Path, n_tokens: int, *, threads: int, gpu_layers: int = 0) -> Iterator[int]:
    """``Llama.create_completion(stream=True)``, one chunk per ``next`` (yields 0), ``n_tokens`` once it is done.

    The model is loaded when the generator is made, outside any timing. Only the whole call's time means anything:
    create_completion holds text back (stop-sequence matching) and hands chunks over in bursts."""
    import llama_cpp

    llm = llama_cpp.Llama(
        str(model_path), n_ctx=2048, n_batch=256, n_threads=threads, n_gpu_layers=gpu_layers, seed=SEED, verbose=False
    )

    def steps() -> Iterator[int]:
        try:
            stream = llm.create_completion(
                DECODE_PROMPT, max_tokens=n_tokens, temperature=TEMPERATURE, top_p=TOP_P, top_k=0, min_p=0.0,
                repeat_penalty=1.0, seed=SEED, stream=True, logit_bias={llm.token_eos(): -1e9},
            )  # fmt: skip
            assert isinstance(stream, Iterator)
            for _ in stream:
                yield 0
            yield n_tokens
        finally:
            llm.close()

    return steps()


@dataclass(frozen=True)
class DecodeResult:
    """tokens/s by length. ``bare``, ``engine``: first token to the N-th; ``bare_whole``: N tokens over the bare clock
    from its prompt evaluation on (what a whole call allows); ``naive_bare``: a whole bare call interleaved with each
    create_completion call, its baseline; ``text``: what ``Engine.stream`` wrote at the longest length (the editor
    path, ``benchmarks/bench_editor_decode.py``, must write the same)."""

    lengths: tuple[int, ...]
    bare: dict[int, float]
    engine: dict[int, float]
    bare_whole: dict[int, float]
    naive: dict[int, float]
    text: str = ""
    naive_bare: dict[int, float] = field(default_factory=dict)

    def ratio(self, n: int) -> float:
        return self.engine.get(n, math.nan) / self.bare.get(n, math.nan)

    def naive_ratio(self, n: int) -> float:
        return self.naive.get(n, math.nan) / self.naive_bare.get(n, math.nan)

    def per_token_growth(self) -> float:
        """Engine per-token cost at the longest length over that at the shortest, relative to the bare loop's (1.0:
        it grows exactly as llama.cpp's own does, with the KV cache; the app adds no cost that grows with length)."""
        lo, hi = min(self.lengths), max(self.lengths)
        return self.ratio(lo) / self.ratio(hi)


def measure_decode(
    model_path: Path, lengths: Sequence[int], *, threads: int, engine: Engine | None = None, naive: bool = True,
    gpu_layers: int = 0, naive_max: int = NAIVE_MAX_TOKENS,
) -> DecodeResult:  # fmt: skip
    """Bare and engine runs to ``max(lengths)`` tokens interleaved token by token, then for each naive length a
    whole bare call interleaved with a create_completion call, step by step.

    Prompt and answer share the 2048-token window: a length past its end is measured at the end of the window
    (2048 minus the prompt); :attr:`DecodeResult.lengths` holds the lengths measured."""
    eng = engine if engine is not None else Engine()
    if engine is None:
        eng.load(model_path, LoadOptions(n_ctx=2048, threads=threads, n_batch=256, gpu_layers=gpu_layers))
    bare_loop = BareLoop(model_path, threads=threads, gpu_layers=gpu_layers)
    try:
        lengths = sorted({min(n, eng.n_ctx - len(eng.tokenize(DECODE_PROMPT))) for n in lengths})
        sink: list[str] = []
        bare_times, engine_times = interleaved_decode(
            [bare_loop.steps(lengths[-1]), engine_steps(eng, lengths[-1], sink)]
        )
        plain: dict[int, float] = {}
        plain_bare: dict[int, float] = {}
        for n in [n for n in lengths if naive and n <= naive_max]:
            naive_run = naive_steps(model_path, n, threads=threads, gpu_layers=gpu_layers)
            bare_n, naive_n = interleaved_decode([bare_loop.steps(n), naive_run])
            plain_bare[n], plain[n] = n / bare_n[-1], n / naive_n[-1]
    finally:
        bare_loop.close()
        if engine is None:
            eng.close()
    # The bare clock starts at its prompt evaluation, as a create_completion call's does after its load.
    bare_whole = {n: n / bare_times[n - 1] for n in lengths}
    rates = _rates(bare_times, lengths), _rates(engine_times, lengths)
    return DecodeResult(tuple(lengths), *rates, bare_whole, plain, text="".join(sink), naive_bare=plain_bare)


def decode_figures(label: str, result: DecodeResult, *, goal_ratio: float) -> list[Figure]:
    """The decode rows: the bare loop, ``Engine.stream`` on the calling thread, create_completion."""
    out: list[Figure] = []

    def add(name: str, value: float, unit: str = "tokens/s", goal: float | None = None, below: bool = False) -> None:
        if goal is None:
            out.append(figure(f"decode, {label}", name, value, unit))
        else:
            ok = value <= goal if below else value >= goal
            out.append(figure(f"decode, {label}", name, value, unit, f"{'<=' if below else '>='} {goal}", ok))

    for n in result.lengths:
        add(f"bare llama.cpp at {n} tokens", result.bare.get(n, math.nan))
        add(f"Engine.stream, no GUI, at {n} tokens", result.engine.get(n, math.nan))
        add(f"Engine.stream / bare at {n}", result.ratio(n), "ratio", goal_ratio)
        add(f"bare llama.cpp at {n} tokens, whole call", result.bare_whole.get(n, math.nan))
        if n in result.naive:
            add(f"bare llama.cpp beside create_completion at {n} tokens", result.naive_bare[n])
            add(f"create_completion / bare at {n}, whole call", result.naive_ratio(n), "ratio")
    add("Engine.stream per-token cost growth, longest vs shortest", result.per_token_growth(), "ratio", 1.05, True)
    return out


# -- time to first token --------------------------------------------------------------------------------------------


def template_prompt(engine: Engine, target_tokens: int = TTFT_PROMPT_TOKENS) -> str:
    """A 公文 request in Ziya's format, grown with background paragraphs to at least ``target_tokens`` tokens."""
    head = "请根据以下要点起草一份关于加强安全生产工作的通知，语气正式，结构完整。\n背景："
    paragraph = "近期多地发生安全生产事故，暴露出责任落实不到位、隐患排查不彻底、应急处置不及时等问题。"
    body = head
    while len(engine.tokenize(ziya_prompt(body))) < target_tokens:
        body += paragraph
    return ziya_prompt(body)


def measure_ttft(engine: Engine, *, answer_tokens: int = 32) -> list[Figure]:
    """Cold, warm, regenerate and continue TTFT on a loaded ``engine`` whose first generation this is."""
    prompt = template_prompt(engine)
    sampling = SamplingParams(seed=SEED, max_tokens=answer_tokens, ignore_eos=True)

    def run(text: str) -> tuple[str, float, int, float]:
        answer = "".join(engine.stream(text, sampling))
        stats = engine.last_stats
        assert stats is not None
        return answer, stats.ttft_s, stats.reused_tokens, stats.tokens_per_s

    forget_prefix(engine)
    _, cold, _, _ = run(prompt)
    forget_prefix(engine)
    answer, warm, _, tps = run(prompt)
    _, regen, regen_reused, _ = run(prompt)
    _, cont, cont_reused, _ = run(prompt + answer)
    step = 1.0 / tps if tps > 0 else math.nan
    n_prompt = len(engine.tokenize(prompt))
    g = "time to first token"
    ratio = regen / step
    return [
        figure(g, "prompt length", n_prompt, "tokens"),
        figure(g, "cold (first generation after load)", cold * 1000, "ms"),
        figure(g, "warm (whole prompt evaluated)", warm * 1000, "ms"),
        figure(g, "one decode step + sampling", step * 1000, "ms"),
        figure(g, "regenerate", regen * 1000, "ms"),
        figure(
            g, "regenerate reused prefix", regen_reused, "tokens", f"= {n_prompt - 1}", regen_reused == n_prompt - 1
        ),
        figure(g, "regenerate / one decode step", ratio, "ratio", "<= 1.2", ratio <= 1.2),
        figure(g, "continue (prompt + answer)", cont * 1000, "ms"),
        figure(g, "continue reused prefix", cont_reused, "tokens", f">= {n_prompt - 1}", cont_reused >= n_prompt - 1),
        figure(g, "warm / regenerate", warm / regen if regen > 0 else math.nan, "ratio"),
    ]


# -- memory ---------------------------------------------------------------------------------------------------------


def peak_rss_bytes(field: str = "VmHWM") -> int:
    """This process's peak resident set size (``VmRSS`` for the current one; ru_maxrss where /proc is missing)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    import resource

    scale = 1 if sys.platform == "darwin" else 1024
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * scale


def memory_child(model: Path | None, *, threads: int, generations: int, tokens: int) -> dict[str, object]:
    """What the child process of :func:`measure_memory` measures: peak RSS before, after load, after each run."""
    result: dict[str, object] = {"baseline": peak_rss_bytes()}
    if model is None:
        return result
    engine = Engine()
    engine.load(model, LoadOptions(n_ctx=2048, threads=threads, gpu_layers=0))
    result["loaded"] = peak_rss_bytes()
    result["anon_loaded"] = peak_rss_bytes("RssAnon")
    after: list[int] = []
    current: list[int] = []
    for i in range(generations):
        for _ in engine.stream(DECODE_PROMPT, SamplingParams(seed=SEED + i, max_tokens=tokens, ignore_eos=True)):
            pass
        after.append(peak_rss_bytes())
        current.append(peak_rss_bytes("VmRSS"))
    result["after_generation"] = after
    result["rss_after_generation"] = current
    engine.close()
    return result


def run_memory_child(args: Sequence[str]) -> dict[str, object]:
    """Run ``python -m ziya_desktop.bench ARGS`` and parse the JSON line it prints last.

    Raises:
        RuntimeError: the child failed (its stderr is in the message).
    """
    proc = subprocess.run([sys.executable, "-m", "ziya_desktop.bench", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def memory_figures(label: str, model: Path, child: dict[str, object], baseline: int) -> list[Figure]:
    """Peak RSS with ``model`` against the file's size and a no-model baseline (same interpreter and imports)."""
    g = f"memory, {label}"
    size = model.stat().st_size
    loaded = child["loaded"]
    after = child["after_generation"]
    current = child["rss_after_generation"]
    assert isinstance(loaded, int) and isinstance(after, list) and after and isinstance(current, list) and current
    peak = max(loaded, *after)
    overhead = (peak - size) / MB
    # Current RSS, not the peak: a leak shows as resident memory that stays after each generation.
    growth = (current[-1] - current[0]) / MB
    return [
        figure(g, "model file", size / MB, "MB"),
        figure(g, "peak RSS after load", loaded / MB, "MB"),
        # Mapped weights are file pages the kernel can drop; anonymous memory (KV cache, buffers, weights that
        # llama.cpp repacks for its CPU kernels) is what the model really takes from the machine.
        figure(g, "anonymous RSS after load", float(str(child.get("anon_loaded", "nan"))) / MB, "MB"),
        figure(g, f"peak RSS after {len(after)} generations", peak / MB, "MB"),
        # No goal here: the KV cache and compute buffers are in it (benchmarks/bench_memory.py sets the app's own
        # cost against a bare llama.cpp process instead).
        figure(g, "peak RSS beyond the model file", overhead, "MB"),
        figure(g, "peak RSS beyond file and no-model process", (peak - size - baseline) / MB, "MB"),
        figure(g, f"growth from generation 1 to {len(after)}", growth, "MB", "<= 16", growth <= 16),
    ]


def measure_memory(model: Path, *, threads: int, label: str = "model", tokens: int = 32) -> list[Figure]:
    """Peak RSS of a child with no model and one that loads ``model`` and generates 10 times."""
    base = run_memory_child(["--memory-child", "--threads", str(threads)])
    child = run_memory_child(
        ["--memory-child", "--model", str(model), "--threads", str(threads), "--tokens", str(tokens)]
    )
    baseline = base["baseline"]
    assert isinstance(baseline, int)
    no_model = figure("memory", "peak RSS, engine process without a model", baseline / MB, "MB")
    return [no_model, *memory_figures(label, model, child, baseline)]


# -- everything on one file -----------------------------------------------------------------------------------------


def run_model_benchmarks(
    model: Path, *, threads: int | None = None, lengths: Sequence[int] = (128, 512, 2048), goal_ratio: float = 0.98
) -> list[Figure]:
    """Decode, TTFT and memory on one GGUF (what ``ziya-desktop bench --model`` prints).

    Raises:
        ModelNotFoundError, InvalidModelError, UnsupportedModelError, ModelLoadError: the model cannot be loaded.
        RuntimeError: a benchmark child process failed.
    """
    from ziya_desktop.engine.hardware import probe

    n_threads = threads or probe().physical_cores
    engine = Engine()
    engine.load(model, LoadOptions(n_ctx=2048, threads=n_threads, n_batch=256, gpu_layers=0))
    try:
        ttft = measure_ttft(engine)
        decode = measure_decode(model, lengths, threads=n_threads, engine=engine)
    finally:
        engine.close()
    figures = decode_figures(model.name, decode, goal_ratio=goal_ratio) + ttft
    return figures + measure_memory(model, threads=n_threads, label=model.name)


def _child_main(argv: Sequence[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ziya_desktop.bench")
    parser.add_argument("--memory-child", action="store_true", required=True)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--generations", type=int, default=MEMORY_GENERATIONS)
    args = parser.parse_args(argv)
    result = memory_child(args.model, threads=args.threads, generations=args.generations, tokens=args.tokens)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
