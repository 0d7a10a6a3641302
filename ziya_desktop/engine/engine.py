"""The Engine: load a GGUF (GPU first, falling back), stream text, cancel between tokens, reuse prefixes.

The engine is not thread-safe by design: one worker thread owns it (and so the llama.cpp objects) for its whole
life; the GUI talks to that thread, never to the engine. ``cancel`` events are the one thing other threads touch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ziya_desktop.engine.detokenizer import IncrementalDetokenizer
from ziya_desktop.engine.hardware import HardwareInfo, probe
from ziya_desktop.engine.llama_api import (
    LlamaContext,
    LlamaModel,
    ModelParams,
    Sampler,
    SamplerSpec,
)
from ziya_desktop.engine.load_setup import LoadOptions, LoadSetup
from ziya_desktop.engine.model_gate import gate_model
from ziya_desktop.engine.model_info import ModelInfo
from ziya_desktop.engine.offload import OffloadPlan
from ziya_desktop.engine.prompt import HUMAN, MIN_ANSWER_TOKENS
from ziya_desktop.engine.sampling import MODEL_CARD, SamplingParams
from ziya_desktop.engine.trial_load import ensure_loadable
from ziya_desktop.errors import (
    GenerationError,
    LoadCancelledError,
    ModelLoadError,
    NoModelLoadedError,
    PromptTooLongError,
)
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["Engine", "GenerationStats", "LoadOptions", "LoadReport", "ModelOpener"]

log = logging.getLogger(__name__)

# LoadOptions is frozen, so every call may share one default.
_DEFAULT_OPTIONS = LoadOptions()

ModelOpener = Callable[[Path, ModelParams, Callable[[float], bool] | None], LlamaModel]


@dataclass(frozen=True)
class LoadReport:
    info: ModelInfo
    plan: OffloadPlan
    requested_plan: OffloadPlan
    failures: tuple[str, ...]
    threads: int
    n_ctx: int
    n_batch: int
    seconds: float
    use_extra_bufts: bool

    @property
    def fell_back(self) -> bool:
        return bool(self.failures)

    @property
    def status(self) -> str:
        """One line for a status bar: backend and layers, and why when it fell back."""
        if not self.fell_back:
            return self.plan.label
        return f"{self.plan.label} (GPU load failed at {self.requested_plan.n_gpu_layers} layers: {self.failures[0]})"


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    reused_tokens: int = 0
    generated_tokens: int = 0
    ttft_s: float = 0.0
    tokens_per_s: float = 0.0
    total_s: float = 0.0
    backend: str = "CPU"
    gpu_layers: int = 0
    threads: int = 0
    stop_reason: str = ""  # eos | max_tokens | context | cancelled
    seed: int = 0

    def as_json_dict(self) -> dict[str, object]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "generated_tokens": self.generated_tokens,
            "ttft_s": round(self.ttft_s, 6),
            "tokens_per_s": round(self.tokens_per_s, 3),
            "backend": self.backend,
            "gpu_layers": self.gpu_layers,
            "threads": self.threads,
            "reused_tokens": self.reused_tokens,
            "stop_reason": self.stop_reason,
            "seed": self.seed,
        }


def _default_opener(path: Path, params: ModelParams, progress: Callable[[float], bool] | None) -> LlamaModel:
    return LlamaModel(path, params, progress)


def _progress_until(
    progress: Callable[[float], None] | None, cancel: threading.Event | None
) -> Callable[[float], bool]:
    """llama.cpp's progress callback: reports ``progress`` and asks it to stop once ``cancel`` is set."""

    def on_progress(fraction: float) -> bool:
        if progress is not None:
            progress(fraction)
        return not (cancel is not None and cancel.is_set())

    return on_progress


class Engine:
    """llama.cpp in-process.

    Args:
        opener: builds the model; the boundary where tests inject load failures.
        hardware: returns the hardware probe (tests pass a fixed one).
    """

    # Generates from prompt tokens (see ziya_desktop.engine.interface.TextEngine).
    accepts_tokens = True

    def __init__(self, *, opener: ModelOpener = _default_opener, hardware: Callable[[], HardwareInfo] = probe) -> None:
        self._opener = opener
        self._hardware = hardware
        self._model: LlamaModel | None = None
        self._ctx: LlamaContext | None = None
        self._cached: list[int] = []
        self._banned: tuple[int, ...] = ()
        self._stop_tokens: frozenset[int] = frozenset()
        self._busy = threading.Lock()
        self.report: LoadReport | None = None
        self.last_stats: GenerationStats | None = None

    # -- loading -----------------------------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._ctx is not None

    def load(
        self,
        path: Path,
        options: LoadOptions = _DEFAULT_OPTIONS,
        *,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> LoadReport:
        """Validate and load ``path``; on a GPU failure retry with fewer layers, then on the CPU.

        Raises:
            ModelNotFoundError, InvalidModelError, UnsupportedModelError: the file was refused before llama.cpp
                (by the gate, or because its trial load in a child process failed).
            ModelLoadError: no attempt succeeded (each attempt's reason is in the message).
            LoadCancelledError: ``cancel`` was set.
        """
        start = time.monotonic()
        self.unload()
        info = gate_model(Path(path))
        # A file without a remembered verdict is first loaded in a child process, where an abort inside
        # llama.cpp becomes an error message instead of the end of the app (and of unsaved work).
        ensure_loadable(info.path, cancel=cancel)
        setup = LoadSetup.for_model(info, options, self._hardware())
        failures: list[str] = []
        model, ctx, n_gpu = self._open_with_fallback(setup, failures, _progress_until(progress, cancel), cancel)
        if cancel is not None and cancel.is_set():
            ctx.close()
            model.close()
            raise LoadCancelledError(QT_TRANSLATE_NOOP("Engine", "model load cancelled"))
        self._adopt(model, ctx)
        plan = setup.plan_used(n_gpu, failures)
        self.report = LoadReport(
            info=info,
            plan=plan,
            requested_plan=setup.requested,
            failures=tuple(failures),
            threads=setup.threads,
            n_ctx=ctx.n_ctx,
            n_batch=ctx.n_batch,
            seconds=time.monotonic() - start,
            use_extra_bufts=setup.extra_bufts,
        )
        log.info("loaded %s: %s, %d threads, n_ctx %d", info.path, plan.label, setup.threads, ctx.n_ctx)
        return self.report

    def _open_with_fallback(
        self,
        setup: LoadSetup,
        failures: list[str],
        on_progress: Callable[[float], bool],
        cancel: threading.Event | None,
    ) -> tuple[LlamaModel, LlamaContext, int]:
        """Go down the ladder until a model and its context open; returns them and the GPU layers they use.

        Each failed attempt's reason is appended to ``failures``.

        Raises:
            ModelLoadError: every attempt failed.
            LoadCancelledError: ``cancel`` was set while the model was being read.
        """
        for n_gpu in setup.attempts:
            opened = self._open_attempt(setup, n_gpu, failures, on_progress, cancel)
            if opened is not None:
                return opened[0], opened[1], n_gpu
        raise ModelLoadError(f"{setup.info.path.name} could not be loaded: " + "; ".join(failures))

    def _open_attempt(
        self,
        setup: LoadSetup,
        n_gpu: int,
        failures: list[str],
        on_progress: Callable[[float], bool],
        cancel: threading.Event | None,
    ) -> tuple[LlamaModel, LlamaContext] | None:
        """The model and its context with ``n_gpu`` layers on the GPU, or None with the reason in ``failures``."""
        try:
            model = self._opener(setup.info.path, setup.model_params(n_gpu), on_progress)
        except ModelLoadError as exc:
            if cancel is not None and cancel.is_set():
                raise LoadCancelledError(QT_TRANSLATE_NOOP("Engine", "model load cancelled")) from exc
            failures.append(str(exc))
            log.warning("load with %d GPU layers failed: %s", n_gpu, exc)
            return None
        try:
            ctx = LlamaContext(model, setup.context_params(n_gpu))
        except ModelLoadError as exc:
            model.close()
            failures.append(str(exc))
            log.warning("context with %d GPU layers failed: %s", n_gpu, exc)
            return None
        return model, ctx

    def _adopt(self, model: LlamaModel, ctx: LlamaContext) -> None:
        """Make a freshly opened model and context the engine's, with the tokens it bans and stops at."""
        self._model, self._ctx = model, ctx
        self._cached = []
        self._banned = tuple(model.unused_tokens())
        human = model.tokenize(HUMAN, add_bos=False)
        self._stop_tokens = self._stop_set(model, human)

    @staticmethod
    def _stop_set(model: LlamaModel, human: list[int]) -> frozenset[int]:
        # Ziya may start a new "<human>" turn after its answer: that ends the answer too.
        stops = {model.eos}
        if len(human) == 1:
            stops.add(human[0])
        return frozenset(stops)

    def unload(self) -> None:
        if self._ctx is not None:
            self._ctx.close()
        if self._model is not None:
            self._model.close()
        self._ctx = self._model = None
        self._cached = []
        self.report = None

    # -- text ----------------------------------------------------------------------------------------------------

    def tokenize(self, text: str, *, add_bos: bool = True) -> list[int]:
        return self._need_model().tokenize(text, add_bos=add_bos)

    @property
    def n_ctx(self) -> int:
        return self._need_ctx().n_ctx

    def _need_model(self) -> LlamaModel:
        if self._model is None:
            raise NoModelLoadedError("no model is loaded")
        return self._model

    def _need_ctx(self) -> LlamaContext:
        if self._ctx is None:
            raise NoModelLoadedError("no model is loaded")
        return self._ctx

    def stream(
        self,
        prompt: str | list[int],
        sampling: SamplingParams = MODEL_CARD,
        *,
        cancel: threading.Event | None = None,
        strip_leading_space: bool = True,
    ) -> Iterator[str]:
        """Yield the answer as text chunks (whole characters only) while it is generated.

        The evaluated prefix shared with the previous call is reused (regenerate and continue read only what is
        new). Prompt evaluation runs in chunks of n_batch and generation checks ``cancel`` before every token.
        ``last_stats`` is set when the generator finishes, is cancelled or is closed.

        Raises:
            NoModelLoadedError: nothing is loaded.
            PromptTooLongError: the prompt leaves fewer than MIN_ANSWER_TOKENS of the context for the answer.
            GenerationError: llama.cpp failed to evaluate.
        """
        model, ctx = self._need_model(), self._need_ctx()
        tokens = model.tokenize(prompt) if isinstance(prompt, str) else list(prompt)
        if not tokens:
            tokens = [model.bos]
        if len(tokens) + MIN_ANSWER_TOKENS > ctx.n_ctx:
            raise PromptTooLongError(len(tokens), ctx.n_ctx, min_answer=MIN_ANSWER_TOKENS)
        if not self._busy.acquire(blocking=False):
            raise RuntimeError("the engine is already generating; one worker thread must own it")
        try:
            yield from self._generate(model, ctx, tokens, sampling, cancel, strip_leading_space)
        finally:
            self._busy.release()

    def _generate(
        self,
        model: LlamaModel,
        ctx: LlamaContext,
        tokens: list[int],
        sampling: SamplingParams,
        cancel: threading.Event | None,
        strip_leading_space: bool,
    ) -> Iterator[str]:
        assert self.report is not None
        start = time.perf_counter()
        seed = sampling.resolved_seed()
        stats = GenerationStats(
            prompt_tokens=len(tokens),
            backend=self.report.plan.backend,
            gpu_layers=self.report.plan.n_gpu_layers,
            threads=self.report.threads,
            seed=seed,
        )
        self.last_stats = stats
        banned = self._banned + (tuple(self._stop_tokens) if sampling.ignore_eos else ())
        sampler = Sampler(
            model.n_vocab,
            SamplerSpec(
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                top_k=sampling.top_k,
                min_p=sampling.min_p,
                repeat_penalty=sampling.repeat_penalty,
                repeat_last_n=sampling.repeat_last_n,
                seed=seed,
                banned=banned,
            ),
        )
        detok = IncrementalDetokenizer(strip_leading_space=strip_leading_space)
        first_at = 0.0
        generated = 0
        try:
            stats.reused_tokens = self._evaluate_prompt(ctx, tokens, cancel)
            if stats.reused_tokens < 0:
                stats.reused_tokens = 0
                stats.stop_reason = "cancelled"
                return
            if sampling.repeat_penalty != 1.0 and sampling.repeat_last_n > 0:  # (tokens[-0:] is all of them)
                sampler.accept(tokens[-sampling.repeat_last_n :])
            limit = min(sampling.max_tokens, ctx.n_ctx - len(tokens))
            stop_tokens = self._stop_tokens
            while True:
                if cancel is not None and cancel.is_set():
                    stats.stop_reason = "cancelled"
                    break
                token = sampler.sample(ctx)
                if generated == 0:
                    first_at = time.perf_counter()
                    stats.ttft_s = first_at - start
                if token in stop_tokens and not sampling.ignore_eos:
                    stats.stop_reason = "eos"
                    break
                generated += 1
                text = detok.feed(model.piece(token))
                if text:
                    yield text
                if generated >= limit:
                    stats.stop_reason = "max_tokens" if limit == sampling.max_tokens else "context"
                    break
                ctx.decode_one(token)
                self._cached.append(token)
            tail = detok.flush()
            if tail:
                yield tail
        except GeneratorExit:
            stats.stop_reason = stats.stop_reason or "cancelled"
            raise
        finally:
            sampler.close()
            end = time.perf_counter()
            stats.generated_tokens = generated
            stats.total_s = end - start
            if generated > 1 and end > first_at:
                stats.tokens_per_s = (generated - 1) / (end - first_at)

    def _evaluate_prompt(self, ctx: LlamaContext, tokens: list[int], cancel: threading.Event | None) -> int:
        """Bring the KV cache to exactly ``tokens``; returns how many were reused, or -1 when cancelled."""
        common = 0
        for a, b in zip(self._cached, tokens, strict=False):
            if a != b:
                break
            common += 1
        # The last prompt token is always evaluated again: its logits are what the first sample draws from.
        common = min(common, len(tokens) - 1)
        ctx.truncate(common)
        self._cached = self._cached[:common]
        for i in range(common, len(tokens), ctx.n_batch):
            if cancel is not None and cancel.is_set():
                return -1
            chunk = tokens[i : i + ctx.n_batch]
            try:
                ctx.decode(chunk)
            except GenerationError:
                # What is in the cache is unknown after a failed decode: forget it so nothing is reused wrongly.
                ctx.truncate(0)
                self._cached = []
                raise
            self._cached.extend(chunk)
        return common

    def close(self) -> None:
        self.unload()
