"""The remote engine: Ziya-Writing served by llama.cpp's server, llama-cpp-python's or vLLM, over the
OpenAI-compatible completions API.

The raw ``/v1/completions`` endpoint gets the Ziya prompt text itself (never a chat template the server would
guess), streams with server-sent events parsed as they arrive, and stops at ``<human>`` like the in-process engine.
Stopping closes the stream at once, even while a read waits on the server. Offline mode refuses before any socket
is opened. The API key is never in a repr, a log line or a message.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ziya_desktop import paths
from ziya_desktop.engine.engine import GenerationStats
from ziya_desktop.engine.prompt import HUMAN, MIN_ANSWER_TOKENS
from ziya_desktop.engine.remote_http import HttpSession, StreamingResponse, parse_base_url
from ziya_desktop.engine.remote_probe import ServerInfo, Tokenizer, list_models, probe_server
from ziya_desktop.engine.remote_sse import DONE, CompletionEvent, SseParser, completion_event
from ziya_desktop.engine.sampling import MODEL_CARD, SamplingParams
from ziya_desktop.errors import (
    NoModelLoadedError,
    OfflineError,
    PromptTooLongError,
    ServerStreamCutError,
    ServerTimeoutError,
    ZiyaError,
)
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["RemoteEngine", "RemoteReport", "RemoteTarget", "fetch_model_names", "refuse_offline"]

log = logging.getLogger(__name__)

REMOTE_BACKEND = "server"
_OFFLINE_HINT = QT_TRANSLATE_NOOP(
    "ErrorHints", "Turn off offline mode (or unset ZIYA_OFFLINE) to use a server, or use the local model."
)


@dataclass(frozen=True)
class RemoteTarget:
    """Where the model is served. ``model`` empty takes the server's first; ``tokenizer_path`` is a GGUF of the
    same model for servers without a tokenize endpoint; ``offline`` is the writer's offline setting."""

    base_url: str
    model: str = ""
    api_key: str = field(default="", repr=False)
    timeout_s: float = 120.0
    tokenizer_path: Path | None = None
    offline: bool = False


@dataclass(frozen=True)
class RemoteReport:
    """A connection made: what the status bar and the context budget read (see ``EngineReport``)."""

    base_url: str
    host: str
    model: str
    n_ctx: int
    server_kind: str
    tokenizer: str
    seconds: float
    unencrypted: bool
    threads: int = 0
    fell_back: bool = False

    @property
    def status(self) -> str:
        return f"Remote: {self.model} at {self.host}"


def refuse_offline(target: RemoteTarget) -> None:
    """Raise :class:`OfflineError` when offline mode is on (the writer's setting or ``ZIYA_OFFLINE``)."""
    if target.offline or paths.offline_mode():
        raise OfflineError(
            QT_TRANSLATE_NOOP("RemoteEngine", "offline mode is on, so the server at {url} is not contacted").format(
                url=target.base_url
            ),
            hint=_OFFLINE_HINT,
        )


def _session(target: RemoteTarget) -> HttpSession:
    return HttpSession(parse_base_url(target.base_url), api_key=target.api_key, timeout_s=target.timeout_s)


def fetch_model_names(target: RemoteTarget, cancel: threading.Event | None = None) -> list[str]:
    """The ids of the models the server serves (for a model chooser); refuses in offline mode."""
    refuse_offline(target)
    return [str(m["id"]) for m in list_models(_session(target), cancel)]


class RemoteEngine:
    """A :class:`~ziya_desktop.engine.interface.TextEngine` on an inference server; call :meth:`connect` first.

    Like the in-process engine it is owned by one thread; ``cancel`` events may be set from any.
    """

    accepts_tokens = False

    def __init__(self, target: RemoteTarget) -> None:
        self.target = target
        self._session: HttpSession | None = None
        self._info: ServerInfo | None = None
        self._tokenizer: Tokenizer | None = None
        self.report: RemoteReport | None = None
        self.last_stats: GenerationStats | None = None

    def __repr__(self) -> str:
        return f"RemoteEngine({self.target!r})"

    def connect(self, cancel: threading.Event | None = None) -> RemoteReport:
        """Check the server: its models (the target's, or its first), its context window, its tokenizer.

        Raises:
            OfflineError: offline mode is on (nothing was sent).
            ServerAddressError, ServerUnreachableError, ServerTimeoutError, ServerCertificateError,
            ServerAuthError, ServerHTTPError, ServerProtocolError, ServerModelError: see their hints.
        """
        refuse_offline(self.target)
        start = time.monotonic()
        self.unload()
        session = _session(self.target)
        info = probe_server(session, self.target.model.strip(), cancel)
        tokenizer = Tokenizer(session, info, self.target.tokenizer_path)
        self._session, self._info, self._tokenizer = session, info, tokenizer
        address = session.address
        self.report = RemoteReport(
            base_url=self.target.base_url,
            host=address.netloc,
            model=info.model,
            n_ctx=info.n_ctx,
            server_kind=info.kind,
            tokenizer=tokenizer.source,
            seconds=time.monotonic() - start,
            unencrypted=address.unencrypted_remote,
        )
        log.info("connected to %s (%s): %s, n_ctx %d", address.netloc, info.kind, info.model, info.n_ctx)
        return self.report

    @property
    def loaded(self) -> bool:
        return self._session is not None

    @property
    def n_ctx(self) -> int:
        return self._need_info().n_ctx

    def _need_info(self) -> ServerInfo:
        if self._info is None:
            raise NoModelLoadedError("no server is connected")
        return self._info

    def tokenize(self, text: str, *, add_bos: bool = True) -> list[int]:
        if self._tokenizer is None:
            raise NoModelLoadedError("no server is connected")
        refuse_offline(self.target)
        return self._tokenizer.tokenize(text, add_bos=add_bos)

    def unload(self) -> None:
        if self._tokenizer is not None:
            self._tokenizer.close()
        self._session = self._info = self._tokenizer = None
        self.report = None

    def close(self) -> None:
        self.unload()

    # -- generation ----------------------------------------------------------------------------------------------

    def stream(
        self,
        prompt: str | list[int],
        sampling: SamplingParams = MODEL_CARD,
        *,
        cancel: threading.Event | None = None,
        strip_leading_space: bool = True,
    ) -> Iterator[str]:
        """Yield the answer as it streams (whole characters); ``last_stats`` is set when it starts and final when
        it ends, is stopped or is closed.

        Raises:
            TypeError: ``prompt`` is tokens (a server takes text; see ``accepts_tokens``).
            NoModelLoadedError, OfflineError, PromptTooLongError: before any generation request.
            ServerStreamCutError, ServerTimeoutError: the stream broke; what was yielded stays valid.
            RemoteError: the request was refused (see :meth:`connect`).
        """
        if not isinstance(prompt, str):
            raise TypeError("the remote engine takes the prompt as text")
        info = self._need_info()
        session = self._session
        assert session is not None
        prompt_tokens = len(self.tokenize(prompt))
        if prompt_tokens + MIN_ANSWER_TOKENS > info.n_ctx:
            raise PromptTooLongError(prompt_tokens, info.n_ctx, min_answer=MIN_ANSWER_TOKENS)
        limit = min(sampling.max_tokens, info.n_ctx - prompt_tokens)
        seed = sampling.resolved_seed()
        stats = GenerationStats(prompt_tokens=prompt_tokens, backend=REMOTE_BACKEND, seed=seed)
        self.last_stats = stats
        body = _completion_body(info, prompt, sampling, limit, seed)
        start = time.perf_counter()
        response = None
        try:
            response = session.open("POST", "/v1/completions", body, cancel)
            yield from self._answer(response, stats, cancel, strip_leading_space, start, limit)
        except GeneratorExit:
            stats.stop_reason = stats.stop_reason or "cancelled"
            raise
        except Exception:
            if cancel is not None and cancel.is_set():  # stopping broke the request off: that is no failure
                stats.stop_reason = "cancelled"
                return
            raise
        finally:
            if response is not None:
                response.close()
            if cancel is not None and cancel.is_set() and not stats.stop_reason:
                stats.stop_reason = "cancelled"
            _finish_stats(stats, start, limit, sampling.max_tokens)

    def _answer(
        self,
        response: StreamingResponse,
        stats: GenerationStats,
        cancel: threading.Event | None,
        strip: bool,
        start: float,
        limit: int,
    ) -> Iterator[str]:
        """Text of the completion events until the end of the answer; counts its tokens into ``stats``."""
        written = [0]  # characters yielded so far (the cut message says how many were kept)
        counted_by_server = False
        pieces: list[str] = []
        for event in self._events(response, cancel, written):
            if event.completion_tokens is not None:
                stats.generated_tokens, counted_by_server = event.completion_tokens, True
            if event.prompt_tokens is not None:
                stats.prompt_tokens = event.prompt_tokens
            if not event.has_choice:
                continue
            if event.finish_reason is not None:
                stats.stop_reason = event.finish_reason
            elif not counted_by_server:  # one event per token until the server says how many
                stats.generated_tokens += 1
            text = event.text
            if strip and text:
                text, strip = (text[1:] if text.startswith(" ") else text), False
            if text:
                if written[0] == 0:
                    stats.ttft_s = time.perf_counter() - start
                written[0] += len(text)
                pieces.append(text)
                yield text
        if not counted_by_server:
            stats.generated_tokens = self._count_answer("".join(pieces), stats.generated_tokens, limit)

    def _count_answer(self, answer: str, events: int, limit: int) -> int:
        """The answer's tokens when the server did not say: its tokenize endpoint (or the local tokenizer) on the
        text. Events are not tokens: llama-cpp-python's server also sends empty events that carry no token; they are
        counted only when nothing better is at hand."""
        if not answer or self._tokenizer is None or self._tokenizer.source == "estimate":
            return min(events, limit)  # a byte estimate would count worse than the events do
        try:
            return min(len(self.tokenize(answer, add_bos=False)), limit)
        except ZiyaError as exc:  # the count is a statistic: the answer stands, the event count stays
            log.warning("counting the answer's tokens failed (%s); counting the stream's events", exc)
            return min(events, limit)

    def _events(
        self, response: StreamingResponse, cancel: threading.Event | None, written: list[int]
    ) -> Iterator[CompletionEvent]:
        """The stream's completion events; a stream that ends before ``[DONE]`` and a finish reason is cut."""
        parser = SseParser()
        finished = False
        while True:
            if cancel is not None and cancel.is_set():
                return
            try:
                data = response.read_some()
            except TimeoutError:
                raise ServerTimeoutError(self._quiet()) from None
            except (OSError, ValueError, http.client.HTTPException) as exc:
                if cancel is not None and cancel.is_set():
                    return
                raise ServerStreamCutError(self._cut(written, exc)) from None
            if not data:
                if finished:
                    return  # a server that ends with its finish reason but without [DONE]
                raise ServerStreamCutError(self._cut(written, None))
            for payload in parser.feed(data):
                if payload == DONE:
                    return
                event = completion_event(payload)
                finished = finished or event.finish_reason is not None
                yield event

    def _quiet(self) -> str:
        assert self._session is not None
        return QT_TRANSLATE_NOOP("RemoteEngine", "{server} sent nothing for {seconds} s; the answer stopped").format(
            server=self._session.address.netloc, seconds=f"{self.target.timeout_s:g}"
        )

    def _cut(self, written: list[int], exc: BaseException | None) -> str:
        assert self._session is not None
        count = written[0]
        reason = self._session.redact(str(exc) or type(exc).__name__) if exc is not None else "closed"
        log.warning("the stream from %s broke after %d characters: %s", self._session.address.netloc, count, reason)
        return QT_TRANSLATE_NOOP(
            "RemoteEngine", "the connection to {server} broke after {count} characters of the answer"
        ).format(server=self._session.address.netloc, count=count)


def _finish_stats(stats: GenerationStats, start: float, limit: int, max_tokens: int) -> None:
    end = time.perf_counter()
    stats.total_s = end - start
    reasons = {"stop": "eos", "length": "max_tokens" if limit == max_tokens else "context"}
    stats.stop_reason = reasons.get(stats.stop_reason, stats.stop_reason)
    first_at = start + stats.ttft_s
    if stats.generated_tokens > 1 and stats.ttft_s > 0 and end > first_at:
        stats.tokens_per_s = (stats.generated_tokens - 1) / (end - first_at)


def _completion_body(
    info: ServerInfo, prompt: str, sampling: SamplingParams, limit: int, seed: int
) -> dict[str, object]:
    """The streaming completion request, with the sampling names the server's kind accepts."""
    body: dict[str, object] = {
        "model": info.model,
        "prompt": prompt,
        "max_tokens": limit,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "seed": seed,
        "stop": [HUMAN],
        "stream": True,
    }
    if info.kind == "openai":
        return body  # a server we do not know may refuse fields it does not know
    body["min_p"] = sampling.min_p
    if info.kind == "vllm":
        body["top_k"] = sampling.top_k if sampling.top_k > 0 else -1  # vLLM's "off"
        body["repetition_penalty"] = sampling.repeat_penalty
        body["stream_options"] = {"include_usage": True}
    else:
        body["top_k"] = sampling.top_k
        body["repeat_penalty"] = sampling.repeat_penalty
        body["repeat_last_n"] = sampling.repeat_last_n
    if sampling.ignore_eos:
        body["ignore_eos"] = True  # llama-server and vLLM; llama-cpp-python's server has no such option
    return body
