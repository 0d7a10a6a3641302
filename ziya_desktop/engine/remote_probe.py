"""What a server is and offers: its models, its context window, and how it counts tokens.

llama.cpp's ``llama-server`` answers ``GET /props`` (its context size) and ``POST /tokenize`` with
``{"content", "add_special"}``; vLLM lists ``max_model_len`` with each model and tokenizes with
``{"prompt", "model", "add_special_tokens"}``; llama-cpp-python's server tokenizes at ``POST /extras/tokenize``
(``{"input"}``, always with BOS). A server with none of these is counted with the local tokenizer of the same
model when one is given, else by a bound that never undercounts (one token per UTF-8 byte, LLaMA's byte fallback).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ziya_desktop.engine.llama_api import LlamaModel, ModelParams
from ziya_desktop.engine.model_gate import gate_model
from ziya_desktop.engine.remote_http import HttpSession
from ziya_desktop.engine.trial_load import ensure_loadable
from ziya_desktop.errors import ServerHTTPError, ServerModelError, ServerProtocolError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["DEFAULT_N_CTX", "ServerInfo", "ServerKind", "Tokenizer", "list_models", "probe_server"]

log = logging.getLogger(__name__)

ServerKind = Literal["llama.cpp", "llama-cpp-python", "vllm", "openai"]
# Ziya-Writing's window; a server that does not say its own is assumed to run the model as the README starts it.
DEFAULT_N_CTX = 2048
_NOT_THERE = (404, 405, 501)


@dataclass(frozen=True)
class ServerInfo:
    kind: ServerKind
    model: str
    models: tuple[str, ...]
    n_ctx: int


def list_models(session: HttpSession, cancel: threading.Event | None = None) -> list[dict[str, object]]:
    """The entries of ``GET /v1/models`` (each with at least an ``id``).

    Raises:
        ServerProtocolError: the answer is not a model list. RemoteError: the request failed.
    """
    body = session.get_json("/v1/models", cancel)
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ServerProtocolError(
            QT_TRANSLATE_NOOP("RemoteEngine", "{server} did not answer /v1/models with a model list").format(
                server=session.address.netloc
            )
        )
    return [m for m in data if isinstance(m, dict) and isinstance(m.get("id"), str) and m["id"]]


def probe_server(session: HttpSession, wanted: str, cancel: threading.Event | None = None) -> ServerInfo:
    """The server's models, the one to use (``wanted``, or the first when empty), its kind and context window.

    Raises:
        ServerModelError: no model, or not ``wanted``. RemoteError: a request failed.
    """
    entries = list_models(session, cancel)
    ids = tuple(str(m["id"]) for m in entries)
    if not ids:
        raise ServerModelError(
            QT_TRANSLATE_NOOP("RemoteEngine", "{server} serves no model").format(server=session.address.netloc)
        )
    model = wanted or ids[0]
    if model not in ids:
        raise ServerModelError(
            QT_TRANSLATE_NOOP("RemoteEngine", "{server} has no model “{model}”; it serves: {models}").format(
                server=session.address.netloc, model=model, models=", ".join(ids[:10])
            )
        )
    entry = entries[ids.index(model)]
    max_len = entry.get("max_model_len")
    if isinstance(max_len, int) and max_len > 0:
        return ServerInfo("vllm", model, ids, max_len)
    props = _optional(session, "GET", "/props", None, cancel)
    if isinstance(props, dict):
        return ServerInfo("llama.cpp", model, ids, _props_n_ctx(props))
    if _optional(session, "POST", "/extras/tokenize", {"input": ""}, cancel) is not None:
        return ServerInfo("llama-cpp-python", model, ids, DEFAULT_N_CTX)
    return ServerInfo("openai", model, ids, DEFAULT_N_CTX)


def _props_n_ctx(props: dict[str, object]) -> int:
    settings = props.get("default_generation_settings")
    for source in (settings if isinstance(settings, dict) else {}, props):
        n_ctx = source.get("n_ctx")
        if isinstance(n_ctx, int) and n_ctx > 0:
            return n_ctx
    return DEFAULT_N_CTX


def _optional(
    session: HttpSession, method: str, path: str, body: dict[str, object] | None, cancel: threading.Event | None
) -> object | None:
    """The JSON answer of an endpoint some servers lack; None when this one answers that it has none."""
    try:
        if method == "GET":
            return session.get_json(path, cancel)
        return session.post_json(path, body or {}, cancel)
    except ServerHTTPError as exc:
        if exc.status in _NOT_THERE:
            return None
        raise
    except ServerProtocolError as exc:  # answered, but not with JSON: not the endpoint we know
        log.info("%s is not usable: %s", path, exc)
        return None


class Tokenizer:
    """Counts tokens as the served model does: through the server, a local GGUF's vocabulary, or a safe bound.

    Args:
        session: the server.
        info: what :func:`probe_server` found.
        local_path: a GGUF of the same model, used when the server has no tokenize endpoint.
    """

    def __init__(self, session: HttpSession, info: ServerInfo, local_path: Path | None) -> None:
        self._session = session
        self._info = info
        self._bos: list[int] = []
        self._local: LlamaModel | None = None
        # The last text counted: a prompt builder counts the prompt it settles on, then the generation checks the
        # same text against the window; with a server that would be a second request before the first token.
        self._last: tuple[str, bool, tuple[int, ...]] | None = None
        self.source: Literal["server", "local", "estimate"] = "estimate"
        if info.kind != "openai":
            self.source = "server"
            # llama-cpp-python always adds BOS: what it returns for "" is the prefix to drop for add_bos=False.
            self._bos = self._server("") if info.kind == "llama-cpp-python" else []
        elif local_path is not None:
            # The same doors as the engine's own load: the gate, then a trial in a child process (remembered), so
            # a crafted file aborts a child and not the app.
            path = gate_model(local_path).path
            ensure_loadable(path)
            self._local = LlamaModel(path, ModelParams(vocab_only=True))
            self.source = "local"
        else:
            log.warning("%s has no tokenize endpoint and no local tokenizer was given: counting bytes", info.model)

    def tokenize(self, text: str, *, add_bos: bool = True) -> list[int]:
        if self._local is not None:
            return self._local.tokenize(text, add_bos=add_bos)
        if self.source == "server":
            if self._last is not None and self._last[:2] == (text, add_bos):
                return list(self._last[2])
            tokens = self._server(text, add_bos=add_bos)
            self._last = (text, add_bos, tuple(tokens))
            return tokens
        # Byte fallback: no UTF-8 byte takes more than one token, so this never undercounts.
        return [0] * (len(text.encode("utf-8")) + (1 if add_bos else 0))

    def _server(self, text: str, *, add_bos: bool = True) -> list[int]:
        kind = self._info.kind
        if kind == "llama-cpp-python":
            tokens = _tokens(self._session.post_json("/extras/tokenize", {"input": text}), self._session)
            if not add_bos and self._bos and tokens[: len(self._bos)] == self._bos:
                tokens = tokens[len(self._bos) :]
            return tokens
        if kind == "llama.cpp":
            body: dict[str, object] = {"content": text, "add_special": add_bos}
            return _tokens(self._session.post_json("/tokenize", body), self._session)
        body = {"prompt": text, "model": self._info.model, "add_special_tokens": add_bos}
        return _tokens(self._session.post_json("/tokenize", body), self._session)

    def close(self) -> None:
        if self._local is not None:
            self._local.close()
            self._local = None


def _tokens(body: object, session: HttpSession) -> list[int]:
    tokens = body.get("tokens") if isinstance(body, dict) else None
    if not isinstance(tokens, list) or not all(isinstance(t, int) for t in tokens):
        raise ServerProtocolError(
            QT_TRANSLATE_NOOP("RemoteEngine", "{server} did not answer the tokenize request with tokens").format(
                server=session.address.netloc
            )
        )
    return tokens
