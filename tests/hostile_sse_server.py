"""A small, hostile OpenAI-compatible server on 127.0.0.1 for the remote engine's failure tests.

It lists one model and tokenizes (BOS, then one token per UTF-8 byte) with the endpoints of the server it plays,
:attr:`HostileServer.flavour`: ``llama-cpp-python`` (``/extras/tokenize``), ``llama.cpp`` (``/props`` with its
context size, ``/tokenize``), ``vllm`` (``max_model_len`` in the model list, ``/tokenize``) or ``plain`` (no
tokenizer, no context size). It answers ``/v1/completions`` as :attr:`HostileServer.mode` says:

- ``ok``: a few text events, a finish reason and ``[DONE]``.
- ``cut``: a few text events, then the connection is closed (no finish, no ``[DONE]``).
- ``cut-close``: the same in a body without chunked encoding, which ends where the connection closes.
- ``stall``: a few text events, then nothing more until the server is closed (a read timeout).
- ``hang``: accepts and never answers at all, on every endpoint (a timeout before any status).
- ``error500`` / ``error401``: the status with an OpenAI-style JSON error body (the 401 repeats the key it got,
  as some proxies do).
- ``malformed``: an event whose data is not JSON.
- ``deep``: an event whose data is JSON nested deeper than Python's parser goes.

Every accepted connection is counted (:attr:`accepted`), also one that never sends a request; the requests'
paths, headers and bodies are kept (:attr:`requests`). With ``tls`` (a cert and key file) it speaks HTTPS.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# The first piece starts a word, SentencePiece style; the answer shown drops that space.
TEXT_EVENTS = (" 春", "风", "又", "绿")
ANSWER = "春风又绿"
MODEL_ID = "hostile-ziya"
LLAMA_CPP_N_CTX = 4096
VLLM_MAX_MODEL_LEN = 3072


def byte_tokens(text: str, bos: bool) -> list[int]:
    return [1] * bos + list(text.encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: HostileServer

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        with self.owner.lock:
            self.owner.accepted += 1
        return sock, address


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the tests read `requests`, not stderr

    def _record(self, body: dict[str, Any] | None) -> None:
        owner = self.server.owner
        with owner.lock:
            owner.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _hang(self) -> None:
        self.server.owner.release.wait()
        self.close_connection = True

    def do_GET(self) -> None:
        self._record(None)
        owner = self.server.owner
        if owner.mode == "hang":
            self._hang()
        elif self.path == "/v1/models":
            model: dict[str, object] = {"id": MODEL_ID, "object": "model"}
            if owner.flavour == "vllm":
                model["max_model_len"] = VLLM_MAX_MODEL_LEN
            self._json(200, {"object": "list", "data": [model]})
        elif self.path == "/props" and owner.flavour == "llama.cpp":
            self._json(200, {"default_generation_settings": {"n_ctx": LLAMA_CPP_N_CTX}, "total_slots": 1})
        else:
            self._json(404, {"detail": "Not Found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        self._record(body)
        owner = self.server.owner
        if owner.mode == "hang":
            self._hang()
        elif self.path == "/extras/tokenize" and owner.flavour == "llama-cpp-python":
            self._json(200, {"tokens": byte_tokens(body["input"], True)})
        elif self.path == "/tokenize" and owner.flavour == "llama.cpp":
            self._json(200, {"tokens": byte_tokens(body["content"], body["add_special"])})
        elif self.path == "/tokenize" and owner.flavour == "vllm" and body["model"] == MODEL_ID:
            self._json(200, {"tokens": byte_tokens(body["prompt"], body["add_special_tokens"]), "count": 0})
        elif self.path != "/v1/completions":
            self._json(404, {"detail": "Not Found"})
        elif owner.mode == "error500":
            self._json(500, {"error": {"message": "CUDA out of memory", "type": "internal_server_error"}})
        elif owner.mode == "error401":
            given = self.headers.get("Authorization", "").removeprefix("Bearer ")
            self._json(401, {"error": {"message": f"Invalid API key {given}", "type": "invalid_request_error"}})
        else:
            self._stream(owner.mode)

    def _event(self, data: str) -> None:
        payload = f"data: {data}\r\n\r\n".encode()
        if self.chunked:
            payload = f"{len(payload):x}\r\n".encode() + payload + b"\r\n"
        self.wfile.write(payload)
        self.wfile.flush()

    def _stream(self, mode: str) -> None:
        self.chunked = mode != "cut-close"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        if self.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        if mode == "malformed":
            self._event("{this is not json")
            return
        if mode == "deep":
            self._event("[" * 200_000 + "]" * 200_000)
            return
        for text in TEXT_EVENTS:
            self._event(json.dumps({"choices": [{"text": text, "index": 0, "finish_reason": None}]}))
        if mode in ("cut", "cut-close"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if mode == "stall":
            self._hang()
            return
        self._event(json.dumps({"choices": [{"text": "", "index": 0, "finish_reason": "stop"}]}))
        self._event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class HostileServer:
    """The server, serving in a background thread from construction until :meth:`close`."""

    def __init__(
        self, mode: str = "ok", *, flavour: str = "llama-cpp-python", tls: tuple[Path, Path] | None = None
    ) -> None:
        self.mode = mode
        self.flavour = flavour
        self.accepted = 0
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="HostileServer", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
