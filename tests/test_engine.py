"""The Engine on a real tiny GGUF: streaming, detokenizing, cancelling, prefix reuse, context limits, fallback."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import llama_cpp
import pytest

from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.hardware import HardwareInfo, probe
from ziya_desktop.engine.llama_api import LlamaModel, ModelParams, Sampler, SamplerSpec
from ziya_desktop.engine.prompt import MIN_ANSWER_TOKENS, fit_prompt, ziya_prompt
from ziya_desktop.engine.sampling import MODEL_CARD, SamplingParams
from ziya_desktop.errors import LoadCancelledError, ModelLoadError, PromptTooLongError

pytestmark = pytest.mark.slow


@pytest.fixture()
def engine(q4: Path) -> Iterator[Engine]:
    e = Engine()
    e.load(q4, LoadOptions(n_ctx=512))
    yield e
    e.close()


class CountingEvent(threading.Event):
    """Reports set after ``after`` checks: a cancel that arrives at an exact, reproducible moment."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.checks = 0

    def is_set(self) -> bool:
        self.checks += 1
        return self.checks > self.after or super().is_set()


def _answer_ids(engine: Engine, prompt: str) -> list[int]:
    return engine._cached[len(engine.tokenize(prompt)) :]


def test_stream_is_deterministic_for_a_seed_and_equals_whole_detokenization(engine: Engine) -> None:
    prompt = ziya_prompt("写一封感谢信")
    sampling = SamplingParams(seed=7, max_tokens=200, ignore_eos=True)
    first = "".join(engine.stream(prompt, sampling))
    assert engine.last_stats is not None
    assert engine.last_stats.generated_tokens == 200
    assert engine.last_stats.stop_reason == "max_tokens"
    chunks = list(engine.stream(prompt, sampling))
    assert "".join(chunks) == first
    assert all(chunks), "an empty chunk was yielded"
    # The cache holds every generated token but the last (it is sampled, never evaluated).
    model = engine._model
    assert model is not None
    ids = _answer_ids(engine, prompt)
    assert len(ids) == 199
    whole = b"".join(model.piece(t) for t in ids).decode("utf-8", errors="replace")
    whole = whole[1:] if whole.startswith(" ") else whole
    assert "".join(chunks).startswith(whole)


def _chain_names(n_vocab: int, spec: SamplerSpec) -> list[str]:
    sampler = Sampler(n_vocab, spec)
    try:
        chain = sampler.ptr
        n = llama_cpp.llama_sampler_chain_n(chain)
        return [llama_cpp.llama_sampler_name(llama_cpp.llama_sampler_chain_get(chain, i)).decode() for i in range(n)]
    finally:
        sampler.close()


def test_every_sampler_of_the_chain_is_made_with_the_installed_bindings(engine: Engine) -> None:
    """Each llama.cpp sampler init is called with the signature of the llama-cpp-python in use: a wrong argument
    count is a TypeError at the first generation that needs that sampler (the penalties sampler once was)."""
    model = engine._model
    assert model is not None
    every = SamplerSpec(
        temperature=0.7, top_p=0.9, top_k=40, min_p=0.05, repeat_penalty=1.3, repeat_last_n=64, seed=1, banned=(3,)
    )
    assert _chain_names(model.n_vocab, every) == ["logit-bias", "penalties", "temp", "top-k", "top-p", "min-p", "dist"]
    greedy = SamplerSpec(temperature=0.0, top_p=1.0, top_k=0, min_p=0.0, repeat_penalty=2.0, repeat_last_n=64, seed=1)
    assert _chain_names(model.n_vocab, greedy) == ["penalties", "greedy"]
    neutral = SamplerSpec(temperature=0.7, top_p=1.0, top_k=0, min_p=0.0, repeat_penalty=1.0, repeat_last_n=64, seed=1)
    assert _chain_names(model.n_vocab, neutral) == ["temp", "dist"]


def test_the_penalty_looks_back_over_the_prompt_and_the_answer(engine: Engine) -> None:
    """Greedy, the tiny model loops over a few tokens; a repetition penalty breaks the loop."""
    prompt = ziya_prompt("写一封感谢信")
    greedy = SamplingParams(temperature=0.0, max_tokens=64, ignore_eos=True)
    list(engine.stream(prompt, greedy))
    looping = _answer_ids(engine, prompt)
    list(engine.stream(prompt, greedy.with_(repeat_penalty=1.5)))
    penalised = _answer_ids(engine, prompt)
    assert engine.last_stats is not None and engine.last_stats.generated_tokens == 64
    assert len(set(penalised)) > len(set(looping))
    list(engine.stream(prompt, greedy.with_(repeat_penalty=1.5, repeat_last_n=0)))
    assert _answer_ids(engine, prompt) == looping, "a window of 0 tokens turns the penalty off"


def test_no_chunk_carries_a_half_made_character(engine: Engine) -> None:
    # Byte-fallback tokens split CJK and emoji into single bytes. Streaming must give exactly the text that
    # decoding all bytes at once gives: a half-made character would show up as an extra U+FFFD.
    model = engine._model
    assert model is not None
    prompt = ziya_prompt("新品上市🎉")
    split_chars = 0
    for seed in range(6):
        chunks = list(engine.stream(prompt, SamplingParams(seed=seed, max_tokens=120, ignore_eos=True)))
        ids = _answer_ids(engine, prompt)
        pieces = [model.piece(t) for t in ids]
        split_chars += sum(1 for p in pieces if len(p) == 1 and p[0] >= 0x80)
        whole = b"".join(pieces).decode("utf-8", errors="replace")
        whole = whole[1:] if whole.startswith(" ") else whole
        assert "".join(chunks).startswith(whole)
    assert split_chars > 0, "the test never saw a multibyte character split across tokens"


def test_cancel_during_generation_lands_within_one_token(engine: Engine) -> None:
    prompt = ziya_prompt("hello")
    n_prompt = len(engine.tokenize(prompt))
    cancel = threading.Event()
    stream = engine.stream(prompt, SamplingParams(seed=1, max_tokens=400, ignore_eos=True), cancel=cancel)
    for i, _chunk in enumerate(stream):
        if i == 9:
            # The token behind this chunk is sampled; the cache holds the ones before it.
            generated_at_cancel = len(engine._cached) - n_prompt + 1
            cancel.set()
    stats = engine.last_stats
    assert stats is not None and stats.stop_reason == "cancelled"
    assert stats.generated_tokens == generated_at_cancel, "no token was sampled after the cancel"


def test_cancel_during_prompt_evaluation_lands_within_one_chunk(q4: Path) -> None:
    e = Engine()
    e.load(q4, LoadOptions(n_ctx=2048, n_batch=64))
    try:
        prompt = e.tokenize(ziya_prompt("各单位：为做好年度工作。" * 120))
        assert len(prompt) > 64 * 6
        cancel = CountingEvent(after=3)
        out = list(e.stream(prompt, SamplingParams(seed=1, max_tokens=10), cancel=cancel))
        assert out == []
        assert e.last_stats is not None and e.last_stats.stop_reason == "cancelled"
        assert len(e._cached) == 3 * 64, "exactly three chunks were evaluated before the cancel landed"
    finally:
        e.close()


def test_regenerate_reuses_the_evaluated_prefix(engine: Engine) -> None:
    prompt = ziya_prompt("请写一篇开幕致辞，介绍本次年度工作会议的主要议程。")
    n_prompt = len(engine.tokenize(prompt))
    list(engine.stream(prompt, SamplingParams(seed=1, max_tokens=30)))
    first = engine.last_stats
    list(engine.stream(prompt, SamplingParams(seed=2, max_tokens=30)))
    second = engine.last_stats
    assert first is not None and second is not None
    assert first.reused_tokens == 0
    assert second.reused_tokens == n_prompt - 1


def test_reuse_does_not_change_the_answer(q4: Path, engine: Engine) -> None:
    prompt = ziya_prompt("Write a thank-you letter.")
    sampling = SamplingParams(seed=3, max_tokens=60, ignore_eos=True)
    list(engine.stream(ziya_prompt("Write a thank-you note to a teacher, please."), sampling))
    with_reuse = "".join(engine.stream(prompt, sampling))
    assert engine.last_stats is not None and engine.last_stats.reused_tokens > 0
    fresh = Engine()
    fresh.load(q4, LoadOptions(n_ctx=512))
    try:
        assert "".join(fresh.stream(prompt, sampling)) == with_reuse
    finally:
        fresh.close()


def test_continue_reuses_prompt_and_answer(engine: Engine) -> None:
    prompt = ziya_prompt("写一封邀请函")
    answer = "".join(engine.stream(prompt, SamplingParams(seed=5, max_tokens=40, ignore_eos=True)))
    cached = list(engine._cached)
    continued = cached + engine.tokenize("。", add_bos=False)
    list(engine.stream(continued, SamplingParams(seed=5, max_tokens=5)))
    assert answer
    assert engine.last_stats is not None
    assert engine.last_stats.reused_tokens == len(cached)


def test_prompt_that_does_not_fit_is_refused_not_cut(engine: Engine) -> None:
    n_ctx = engine.n_ctx
    bos = engine.tokenize("")
    filler = engine.tokenize("年" * 4000, add_bos=False)
    fits = bos + filler[: n_ctx - MIN_ANSWER_TOKENS - 1]
    list(engine.stream(fits, SamplingParams(seed=1, max_tokens=4)))
    for extra in (0, 1, 2):
        too_long = bos + filler[: n_ctx - MIN_ANSWER_TOKENS + extra]
        with pytest.raises(PromptTooLongError) as info:
            list(engine.stream(too_long, SamplingParams(seed=1, max_tokens=4)))
        assert str(n_ctx) in str(info.value)


def test_generation_stops_at_the_end_of_the_context(engine: Engine) -> None:
    bos = engine.tokenize("")
    filler = engine.tokenize("年" * 4000, add_bos=False)
    prompt = bos + filler[: engine.n_ctx - MIN_ANSWER_TOKENS - 1]
    list(engine.stream(prompt, SamplingParams(seed=1, max_tokens=2048, ignore_eos=True)))
    assert engine.last_stats is not None
    assert engine.last_stats.stop_reason == "context"
    assert engine.last_stats.generated_tokens == engine.n_ctx - len(prompt)


def test_empty_and_odd_prompts_do_not_crash(engine: Engine) -> None:
    """Each odd prompt, wrapped in Ziya's turn or raw, is answered in full (8 tokens, no empty chunk) and leaves the
    engine as it was: a normal prompt gives the same answer after them as before. The characters reach the
    tokenizer instead of being dropped."""
    sampling = SamplingParams(seed=1, max_tokens=8, ignore_eos=True)
    normal = ziya_prompt("写一封感谢信")
    before = "".join(engine.stream(normal, sampling))
    bos = engine.tokenize("")
    for text in ("", "🎉🎉🎉", "\x00\x01\x02\x1b[31m", "\u200b\u200d"):
        # Only the empty text tokenizes to the BOS alone: NUL and control characters are not cut off.
        assert (engine.tokenize(text) == bos) == (text == ""), text
        for prompt in (ziya_prompt(text), text):
            chunks = list(engine.stream(prompt, sampling))
            stats = engine.last_stats
            assert stats is not None and stats.stop_reason == "max_tokens", (prompt, stats)
            assert stats.generated_tokens == 8 and stats.prompt_tokens == len(engine.tokenize(prompt)), (prompt, stats)
            assert all(chunks), (prompt, chunks)
    assert before and "".join(engine.stream(normal, sampling)) == before


def test_windowing_keeps_the_instruction_and_the_nearest_text(engine: Engine) -> None:
    context = "".join(f"第{i}段：这是文档中的一句话。\n" for i in range(400))
    fitted = fit_prompt("请续写下文。", context, engine.tokenize, n_ctx=engine.n_ctx, answer_tokens=128)
    assert fitted.windowed and fitted.dropped_chars > 0
    assert len(fitted.tokens) <= engine.n_ctx - 128
    assert "请续写下文。" in fitted.text
    assert "第399段" in fitted.text and "第0段" not in fitted.text
    short = fit_prompt("请续写下文。", "短文。", engine.tokenize, n_ctx=engine.n_ctx, answer_tokens=128)
    assert not short.windowed
    with pytest.raises(PromptTooLongError):
        fit_prompt("很长的指令" * 500, "", engine.tokenize, n_ctx=engine.n_ctx, answer_tokens=128)


def test_padding_rows_and_stop_tokens_are_never_sampled(engine: Engine) -> None:
    model = engine._model
    assert model is not None
    unused = set(model.unused_tokens())
    assert len(unused) == 14, "the tiny checkpoint has 14 padding rows"
    prompt = ziya_prompt("x")
    n_prompt = len(engine.tokenize(prompt))
    for seed in range(3):
        list(
            engine.stream(
                prompt, SamplingParams(seed=seed, temperature=5.0, top_p=1.0, max_tokens=300, ignore_eos=True)
            )
        )
        generated = set(engine._cached[n_prompt:])
        assert not generated & unused
        assert model.eos not in generated


def test_model_card_sampling_defaults() -> None:
    assert (MODEL_CARD.temperature, MODEL_CARD.top_p, MODEL_CARD.repeat_penalty) == (0.85, 0.85, 1.0)
    assert (MODEL_CARD.top_k, MODEL_CARD.min_p, MODEL_CARD.max_tokens) == (0, 0.0, 2048)
    with pytest.raises(ValueError):
        SamplingParams(top_p=0)


def _gpu_machine() -> HardwareInfo:
    from ziya_desktop.engine.hardware import GpuDevice

    real = probe()
    gpu = GpuDevice("CUDA0", "Test GPU", "gpu", free_bytes=8 << 30, total_bytes=8 << 30)
    return replace(real, gpu_offload=True, backend="CUDA", gpus=(gpu,))


def test_gpu_load_failure_falls_back_to_cpu_and_says_why(q4: Path) -> None:
    tried: list[int] = []

    def opener(path: Path, params: ModelParams, progress: Callable[[float], bool] | None) -> LlamaModel:
        tried.append(params.n_gpu_layers)
        if params.n_gpu_layers > 0:
            raise ModelLoadError(f"CUDA out of memory at {params.n_gpu_layers} layers")
        return LlamaModel(path, params, progress)

    e = Engine(opener=opener, hardware=_gpu_machine)
    try:
        report = e.load(q4, LoadOptions(n_ctx=256))
        assert tried[0] == 3, "auto plan puts both layers and the output layer on an 8 GiB GPU"
        assert tried[-1] == 0
        assert report.fell_back and report.plan.n_gpu_layers == 0
        assert "CUDA out of memory" in report.status and "CPU" in report.status
        # The model it fell back to works: it answers in full, not with an empty stream.
        text = "".join(e.stream(ziya_prompt("hi"), SamplingParams(seed=1, max_tokens=5, ignore_eos=True)))
        assert e.last_stats is not None and e.last_stats.stop_reason == "max_tokens"
        assert e.last_stats.generated_tokens == 5 and text.strip(), (e.last_stats, text)
    finally:
        e.close()


def test_a_chosen_gpu_holds_the_model_alone_and_is_planned_by_its_own_memory(q4: Path) -> None:
    from ziya_desktop.engine.hardware import GpuDevice

    small = GpuDevice("CUDA0", "Small GPU", "gpu", free_bytes=1 << 20, total_bytes=2 << 30)
    big = GpuDevice("CUDA1", "Big GPU", "gpu", free_bytes=8 << 30, total_bytes=8 << 30)
    two_gpus = replace(probe(), gpu_offload=True, backend="CUDA", gpus=(small, big))
    seen: list[ModelParams] = []

    def opener(path: Path, params: ModelParams, progress: Callable[[float], bool] | None) -> LlamaModel:
        seen.append(params)
        # No GPU here: the real load runs on the CPU with the same file.
        return LlamaModel(path, replace(params, n_gpu_layers=0, main_gpu=None), progress)

    for device, expected_gpu, expected_layers in (("CUDA1", 1, 3), ("CUDA0", 0, 0), (None, None, 3)):
        seen.clear()
        e = Engine(opener=opener, hardware=lambda: two_gpus)
        try:
            e.load(q4, LoadOptions(n_ctx=128, gpu_device=device))
        finally:
            e.close()
        assert seen[0].n_gpu_layers == expected_layers, device
        # main_gpu only matters when layers go to the GPU; without a choice llama.cpp splits over all GPUs.
        assert seen[0].main_gpu == (expected_gpu if expected_layers else None), device


def test_the_file_is_mapped_only_where_llama_cpp_does_not_copy_the_weights(q4: Path) -> None:
    seen: list[ModelParams] = []

    def opener(path: Path, params: ModelParams, progress: Callable[[float], bool] | None) -> LlamaModel:
        seen.append(params)
        return LlamaModel(path, replace(params, n_gpu_layers=0, main_gpu=None), progress)

    no_amx = replace(probe(), cpu_features=frozenset({"AVX2"}), gpu_offload=False, gpus=())
    amx = replace(no_amx, cpu_features=frozenset({"AVX2", "AMX_INT8"}))
    cases = [
        (no_amx, LoadOptions(n_ctx=128), False),  # CPU layers are repacked: a mapping would double residency
        (amx, LoadOptions(n_ctx=128), True),  # no repacking without the extra buffer types
        (no_amx, LoadOptions(n_ctx=128, use_mmap=True), True),  # an explicit choice wins
        (_gpu_machine(), LoadOptions(n_ctx=128), True),  # every layer on the GPU: nothing repacked on the CPU
    ]
    for machine, options, mapped in cases:
        seen.clear()
        e = Engine(opener=opener, hardware=lambda m=machine: m)
        try:
            e.load(q4, options)
        finally:
            e.close()
        assert seen[0].use_mmap is mapped, (machine.cpu_features, options)


def test_every_attempt_failing_is_one_clear_error(q4: Path) -> None:
    def opener(path: Path, params: ModelParams, progress: Callable[[float], bool] | None) -> LlamaModel:
        raise ModelLoadError(f"no memory ({params.n_gpu_layers})")

    with pytest.raises(ModelLoadError) as info:
        Engine(opener=opener, hardware=_gpu_machine).load(q4)
    assert "no memory (3)" in str(info.value) and "no memory (0)" in str(info.value)


def test_amx_cpus_load_without_extra_buffer_types(q4: Path) -> None:
    seen: list[ModelParams] = []

    def opener(path: Path, params: ModelParams, progress: Callable[[float], bool] | None) -> LlamaModel:
        seen.append(params)
        return LlamaModel(path, params, progress)

    amx = replace(probe(), cpu_features=probe().cpu_features | {"AMX_INT8"})
    e = Engine(opener=opener, hardware=lambda: amx)
    e.load(q4, LoadOptions(n_ctx=128))
    e.close()
    e2 = Engine(opener=opener, hardware=lambda: replace(amx, cpu_features=frozenset({"AVX2"})))
    e2.load(q4, LoadOptions(n_ctx=128))
    e2.close()
    assert [p.use_extra_bufts for p in seen] == [False, True]


def test_cancelled_load_leaves_nothing_loaded(q4: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    e = Engine()
    with pytest.raises(LoadCancelledError):
        e.load(q4, cancel=cancel)
    assert not e.loaded


def test_threads_never_exceed_physical_cores(q4: Path) -> None:
    e = Engine()
    report = e.load(q4, LoadOptions(n_ctx=128, threads=10_000))
    e.close()
    assert report.threads == probe().physical_cores


_SMALL_WINDOW_SCRIPT = """
import sys
from pathlib import Path
from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.engine.prompt import MIN_ANSWER_TOKENS
from ziya_desktop.engine.sampling import SamplingParams
from ziya_desktop.errors import PromptTooLongError

path = Path(sys.argv[1])
for n_ctx, n_batch in ((128, None), (200, None), (300, 512), (130, 64)):
    engine = Engine()
    report = engine.load(path, LoadOptions(n_ctx=n_ctx, n_batch=n_batch))
    bos = engine.tokenize("")
    filler = engine.tokenize("年" * 1000, add_bos=False)
    # The longest prompt the window takes, then one just past what was asked for (150 tokens into 128).
    longest = bos + filler[: engine.n_ctx - MIN_ANSWER_TOKENS - 1]
    list(engine.stream(longest, SamplingParams(seed=1, max_tokens=4)))
    assert engine.n_ctx <= n_ctx, (engine.n_ctx, n_ctx)
    assert report.n_batch <= engine.n_ctx, (report.n_batch, engine.n_ctx)
    try:
        list(engine.stream(bos + filler[: n_ctx + 22], SamplingParams(seed=1, max_tokens=4)))
    except PromptTooLongError as exc:
        print("refused:", exc)
    else:
        raise SystemExit(f"a {n_ctx + 23}-token prompt was accepted by a {n_ctx}-token window")
    engine.close()
print("survived")
"""


def test_a_window_under_256_tokens_never_aborts_llama_cpp(q4: Path) -> None:
    """llama.cpp pads a small context to 256 but clamps its batch to the size asked for, and aborts (GGML_ASSERT) on
    a longer decode; the run is a child process so that an abort fails this test instead of ending the suite."""
    run = subprocess.run(
        [sys.executable, "-c", _SMALL_WINDOW_SCRIPT, str(q4)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("refused:") == 4
    assert run.stdout.rstrip().endswith("survived")
