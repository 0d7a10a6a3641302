"""Thin owners of llama.cpp's C objects (model, context, sampler) over llama-cpp-python's low-level binding.

The high-level ``llama_cpp.Llama`` class is not used: its defaults differ from ours, it re-detokenizes the whole
output at every streamed token, and it hides the load progress callback (needed to cancel a load). These classes
set every parameter explicitly and free what they own exactly once.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
import numpy as np

from ziya_desktop.engine.llama_log import route_llama_log
from ziya_desktop.errors import GenerationError, ModelLoadError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

_backend_lock = threading.Lock()
_backend_ready = False


def ensure_backend() -> None:
    """Initialise llama.cpp's backends once per process and route its log into :mod:`logging`."""
    global _backend_ready
    with _backend_lock:
        if not _backend_ready:
            route_llama_log()
            llama_cpp.llama_backend_init()
            _backend_ready = True


@dataclass(frozen=True)
class ModelParams:
    n_gpu_layers: int = 0
    vocab_only: bool = False
    use_mmap: bool = True
    use_extra_bufts: bool = True
    # Index among the GPU devices to hold the whole model; None lets llama.cpp split layers over every GPU.
    main_gpu: int | None = None


class LlamaModel:
    """A loaded ``llama_model``. ``progress`` receives 0..1 and returns False to cancel the load.

    Raises:
        ModelLoadError: llama.cpp returned no model (out of memory, unsupported tensors, cancelled).
    """

    def __init__(self, path: Path, params: ModelParams, progress: Callable[[float], bool] | None = None) -> None:
        ensure_backend()
        self.path = Path(path)
        mp = llama_cpp.llama_model_default_params()
        mp.n_gpu_layers = params.n_gpu_layers
        mp.vocab_only = params.vocab_only
        mp.load_mode = llama_cpp.LLAMA_LOAD_MODE_MMAP if params.use_mmap else llama_cpp.LLAMA_LOAD_MODE_NONE
        mp.use_extra_bufts = params.use_extra_bufts
        if params.main_gpu is not None:
            mp.split_mode = llama_cpp.LLAMA_SPLIT_MODE_NONE
            mp.main_gpu = params.main_gpu
        self._progress_cb = None
        self.cancelled = False
        if progress is not None:

            def _on_progress(fraction: float, _data: ctypes.c_void_p) -> bool:
                keep_going = bool(progress(float(fraction)))
                self.cancelled = not keep_going
                return keep_going

            self._progress_cb = llama_cpp.llama_progress_callback(_on_progress)
            mp.progress_callback = self._progress_cb
        ptr = llama_cpp.llama_model_load_from_file(str(self.path).encode(), mp)
        if not ptr:
            why = "the load was cancelled" if self.cancelled else "llama.cpp could not load it (see the log)"
            raise ModelLoadError(f"{self.path.name}: {why}")
        self.ptr = ptr
        self.vocab = llama_cpp.llama_model_get_vocab(ptr)
        self.n_vocab = int(llama_cpp.llama_vocab_n_tokens(self.vocab))
        self.eos = int(llama_cpp.llama_vocab_eos(self.vocab))
        self.bos = int(llama_cpp.llama_vocab_bos(self.vocab))
        self._piece_buf = ctypes.create_string_buffer(256)
        self._pieces: dict[int, bytes] = {}

    def tokenize(self, text: str, *, add_bos: bool = True) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 8
        arr = (llama_cpp.llama_token * cap)()
        n = llama_cpp.llama_tokenize(self.vocab, raw, len(raw), arr, cap, add_bos, False)
        if n < 0:
            cap = -n
            arr = (llama_cpp.llama_token * cap)()
            n = llama_cpp.llama_tokenize(self.vocab, raw, len(raw), arr, cap, add_bos, False)
        if n < 0:
            raise GenerationError(f"tokenizing {len(raw)} bytes failed")
        return list(arr[:n])

    def piece(self, token: int) -> bytes:
        """The bytes a token stands for (cached: O(1) after the first time)."""
        cached = self._pieces.get(token)
        if cached is not None:
            return cached
        n = llama_cpp.llama_token_to_piece(self.vocab, token, self._piece_buf, len(self._piece_buf), 0, False)
        if n < 0:
            self._piece_buf = ctypes.create_string_buffer(-n)
            n = llama_cpp.llama_token_to_piece(self.vocab, token, self._piece_buf, len(self._piece_buf), 0, False)
        data = self._piece_buf.raw[: max(n, 0)]
        self._pieces[token] = data
        return data

    def unused_tokens(self) -> list[int]:
        """Ids typed UNUSED (padding rows past the tokenizer): they must never be sampled."""
        unused = llama_cpp.LLAMA_TOKEN_ATTR_UNUSED
        return [i for i in range(self.n_vocab) if llama_cpp.llama_vocab_get_attr(self.vocab, i) & unused]

    def close(self) -> None:
        if getattr(self, "ptr", None):
            llama_cpp.llama_model_free(self.ptr)
            self.ptr = None


@dataclass(frozen=True)
class ContextParams:
    n_ctx: int
    n_batch: int
    threads: int
    flash_attn: bool | None  # None: llama.cpp decides per device
    kv_cache_type: str = "f16"  # K and V alike: "f16" or "q8_0" (LoadOptions checks it)


# ggml element types of the KV cache by name.
KV_GGML_TYPES = {"f16": llama_cpp.GGML_TYPE_F16, "q8_0": llama_cpp.GGML_TYPE_Q8_0}


class LlamaContext:
    """A ``llama_context`` over one model, holding the KV cache of a single sequence."""

    def __init__(self, model: LlamaModel, params: ContextParams) -> None:
        cp = llama_cpp.llama_context_default_params()
        cp.n_ctx = params.n_ctx
        cp.n_batch = params.n_batch
        cp.n_ubatch = params.n_batch
        cp.n_seq_max = 1
        cp.n_threads = params.threads
        cp.n_threads_batch = params.threads
        cp.flash_attn_type = {
            None: llama_cpp.LLAMA_FLASH_ATTN_TYPE_AUTO,
            True: llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED,
            False: llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED,
        }[params.flash_attn]
        cp.type_k = cp.type_v = KV_GGML_TYPES[params.kv_cache_type]
        cp.no_perf = True
        ptr = llama_cpp.llama_init_from_model(model.ptr, cp)
        if not ptr:
            raise ModelLoadError(
                QT_TRANSLATE_NOOP("LlamaApi", "{name}: llama.cpp could not create a context of {n_ctx} tokens").format(
                    name=model.path.name, n_ctx=params.n_ctx
                )
            )
        self.ptr = ptr
        # llama.cpp pads the context up (to a multiple of 256) but clamps the batch to the context asked for, and
        # asserts that no decode carries more than that batch: both limits are read back rather than assumed, and
        # the window promised to callers is never larger than the one they asked for.
        self.n_ctx = min(int(llama_cpp.llama_n_ctx(ptr)), params.n_ctx)
        self.n_batch = max(1, min(int(llama_cpp.llama_n_batch(ptr)), self.n_ctx))
        self._memory = llama_cpp.llama_get_memory(ptr)
        self._one = (llama_cpp.llama_token * 1)()

    def decode(self, tokens: Sequence[int]) -> None:
        """Evaluate ``tokens`` (at most n_batch) after what is already in the cache."""
        arr = (llama_cpp.llama_token * len(tokens))(*tokens)
        rc = llama_cpp.llama_decode(self.ptr, llama_cpp.llama_batch_get_one(arr, len(tokens)))
        if rc != 0:
            raise GenerationError(f"llama.cpp could not evaluate {len(tokens)} tokens (code {rc})")

    def decode_one(self, token: int) -> None:
        self._one[0] = token
        rc = llama_cpp.llama_decode(self.ptr, llama_cpp.llama_batch_get_one(self._one, 1))
        if rc != 0:
            raise GenerationError(f"llama.cpp could not evaluate a token (code {rc})")

    def decode_with_logits(self, tokens: Sequence[int], outputs: Sequence[bool], n_vocab: int) -> np.ndarray:
        """Evaluate ``tokens`` (at most n_batch) after what is in the cache, returning the logits of every token
        whose ``outputs`` flag is set, in order: shape (flagged, n_vocab), float32, copied out of llama.cpp.

        One decode yields all the positions at once (teacher forcing), where :meth:`decode` keeps only the last.
        """
        n = len(tokens)
        start = int(llama_cpp.llama_memory_seq_pos_max(self._memory, 0)) + 1  # -1 when the cache is empty
        batch = llama_cpp.llama_batch_init(n, 0, 1)
        try:
            for i, (token, wanted) in enumerate(zip(tokens, outputs, strict=True)):
                batch.token[i] = token
                batch.pos[i] = start + i
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                batch.logits[i] = 1 if wanted else 0
            batch.n_tokens = n
            rc = llama_cpp.llama_decode(self.ptr, batch)
            if rc != 0:
                raise GenerationError(f"llama.cpp could not evaluate {n} tokens (code {rc})")
            rows = sum(1 for wanted in outputs if wanted)
            if rows == 0:
                return np.zeros((0, n_vocab), dtype=np.float32)
            ptr = llama_cpp.llama_get_logits(self.ptr)
            return np.ctypeslib.as_array(ptr, shape=(rows, n_vocab)).copy()
        finally:
            llama_cpp.llama_batch_free(batch)

    def truncate(self, n_keep: int) -> None:
        """Drop cached positions from ``n_keep`` on."""
        if not llama_cpp.llama_memory_seq_rm(self._memory, 0, n_keep, -1):
            llama_cpp.llama_memory_clear(self._memory, True)
            if n_keep:
                raise GenerationError("the KV cache could not be trimmed")

    def close(self) -> None:
        if getattr(self, "ptr", None):
            llama_cpp.llama_free(self.ptr)
            self.ptr = None


@dataclass(frozen=True)
class SamplerSpec:
    temperature: float
    top_p: float
    top_k: int
    min_p: float
    repeat_penalty: float
    repeat_last_n: int
    seed: int
    banned: tuple[int, ...] = ()


class Sampler:
    """A llama.cpp sampler chain in the order Hugging Face's generate applies them.

    logit bias (banned ids → -inf), repetition penalty, temperature, top-k, top-p, min-p, then a seeded draw
    (greedy when the temperature is 0). Samplers at neutral settings are left out of the chain. Each sampler is
    made with the signature of the llama-cpp-python binding in use (0.3.36: the penalties sampler takes the
    vocabulary size first); ``spec`` is expected within the ranges ``engine.sampling`` checks.
    """

    def __init__(self, n_vocab: int, spec: SamplerSpec) -> None:
        params = llama_cpp.llama_sampler_chain_default_params()
        params.no_perf = True
        self.ptr = llama_cpp.llama_sampler_chain_init(params)
        try:
            self._build(n_vocab, spec)
        except BaseException:
            self.close()  # the chain owns (and frees) the samplers added so far
            raise

    def _build(self, n_vocab: int, spec: SamplerSpec) -> None:
        add = self._add
        if spec.banned:
            bias = (llama_cpp.llama_logit_bias * len(spec.banned))()
            for i, tok in enumerate(spec.banned):
                bias[i] = llama_cpp.llama_logit_bias(tok, float("-inf"))
            add(llama_cpp.llama_sampler_init_logit_bias(n_vocab, len(spec.banned), bias))
        if spec.repeat_penalty != 1.0 and spec.repeat_last_n > 0:
            # n_vocab, penalty_last_n, penalty_repeat, penalty_freq (0 = off), penalty_present (0 = off)
            add(llama_cpp.llama_sampler_init_penalties(n_vocab, spec.repeat_last_n, spec.repeat_penalty, 0.0, 0.0))
        if spec.temperature <= 0:
            add(llama_cpp.llama_sampler_init_greedy())
            return
        add(llama_cpp.llama_sampler_init_temp(spec.temperature))
        if spec.top_k > 0:
            add(llama_cpp.llama_sampler_init_top_k(spec.top_k))
        if spec.top_p < 1.0:
            add(llama_cpp.llama_sampler_init_top_p(spec.top_p, 1))
        if spec.min_p > 0.0:
            add(llama_cpp.llama_sampler_init_min_p(spec.min_p, 1))
        add(llama_cpp.llama_sampler_init_dist(spec.seed & 0xFFFFFFFF))

    def _add(self, sampler: llama_cpp.llama_sampler_p) -> None:
        llama_cpp.llama_sampler_chain_add(self.ptr, sampler)

    def sample(self, ctx: LlamaContext) -> int:
        """Sample from the last evaluated position (also records the token for the penalties)."""
        return int(llama_cpp.llama_sampler_sample(self.ptr, ctx.ptr, -1))

    def accept(self, tokens: Sequence[int]) -> None:
        for t in tokens:
            llama_cpp.llama_sampler_accept(self.ptr, t)

    def close(self) -> None:
        if getattr(self, "ptr", None):
            llama_cpp.llama_sampler_free(self.ptr)
            self.ptr = None
