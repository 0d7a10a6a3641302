"""HTTP to an inference server with the standard library: JSON requests, a streamed response, clear errors.

Every failure becomes a :class:`~ziya_desktop.errors.RemoteError` subclass that says what happened (refused, unknown
host, timeout, HTTP status with the server's own message, API key refused, TLS certificate not verified). TLS uses
``ssl.create_default_context()``: the certificate and the host name are always checked, an unverifiable server is
an error, never a silent fallback. The API key travels in the ``Authorization`` header only; it is never logged
and is blanked out of any server message that would repeat it.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from ziya_desktop.errors import (
    RemoteError,
    ServerAddressError,
    ServerAuthError,
    ServerCertificateError,
    ServerHTTPError,
    ServerProtocolError,
    ServerTimeoutError,
    ServerUnreachableError,
)
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["HttpSession", "ServerAddress", "StreamingResponse", "is_loopback", "parse_base_url"]

log = logging.getLogger(__name__)

# An error body is read for its message only; a server that sends megabytes is cut short.
_ERROR_BODY_LIMIT = 64 * 1024
_JSON_BODY_LIMIT = 16 * 1024 * 1024
_DETAIL_CHARS = 300
# How often the cancel watcher looks at the stream's end (it wakes at once when cancel is set).
_WATCH_POLL_S = 0.05


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this computer (``localhost`` or a loopback address): text to it never leaves it."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:  # a host name: not known to be local
        return False


@dataclass(frozen=True)
class ServerAddress:
    """A server's base URL taken apart; ``base_path`` has no trailing slash and ends before ``/v1``."""

    scheme: str
    host: str
    port: int
    base_path: str

    @property
    def secure(self) -> bool:
        return self.scheme == "https"

    @property
    def netloc(self) -> str:
        """``host:port`` as shown in messages and the status bar."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def unencrypted_remote(self) -> bool:
        """Text would travel unencrypted over a network: http:// to anything but this computer."""
        return not self.secure and not is_loopback(self.host)


def parse_base_url(url: str) -> ServerAddress:
    """The server address in ``url`` (``http(s)://host[:port][/path]``; a trailing ``/v1`` is allowed).

    Raises:
        ServerAddressError: not an http:// or https:// URL with a host, or with a user, query or fragment.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ServerAddressError(_bad_address(text, str(exc))) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerAddressError(
            _bad_address(
                text, QT_TRANSLATE_NOOP("RemoteEngine", "it must start with http:// or https:// and name a host")
            )
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ServerAddressError(
            _bad_address(text, QT_TRANSLATE_NOOP("RemoteEngine", "a user, query or fragment is not allowed"))
        )
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    default = 443 if parts.scheme == "https" else 80
    return ServerAddress(parts.scheme, parts.hostname, port if port is not None else default, path)


def _bad_address(url: str, why: str) -> str:
    return QT_TRANSLATE_NOOP("RemoteEngine", "“{url}” is not a server address: {why}").format(url=url, why=why)


class _CancelWatch:
    """Shuts the connection's socket down as soon as ``cancel`` is set, so a read blocked on the server returns
    at once instead of after the timeout; ends with the request (:meth:`done`)."""

    def __init__(self, conn: http.client.HTTPConnection, cancel: threading.Event | None) -> None:
        self._conn = conn
        self._cancel = cancel
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        if cancel is not None:
            self._thread = threading.Thread(target=self._watch, name="ZiyaRemoteCancel", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        assert self._cancel is not None
        while not self._done.is_set():
            if not self._cancel.wait(_WATCH_POLL_S):
                continue
            sock = self._conn.sock
            if sock is None:  # still connecting: the socket to shut comes shortly
                self._done.wait(_WATCH_POLL_S)
                continue
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError as exc:  # already closed by the reader: nothing left to interrupt
                log.debug("shutting the cancelled stream down: %s", exc)
            return

    def done(self) -> None:
        self._done.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()


class StreamingResponse:
    """A response being read as it arrives; :meth:`close` ends the request (and its cancel watcher)."""

    def __init__(self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse, watch: _CancelWatch):
        self._conn = conn
        self._response = response
        self._watch = watch

    def read_some(self) -> bytes:
        """The next bytes the server sent (b"" at the end); raises what the socket raises (timeout, reset)."""
        return self._response.read1(65536)

    def read_all(self, limit: int) -> bytes:
        """The whole body (at most ``limit`` bytes)."""
        return self._response.read(limit)

    def close(self) -> None:
        self._watch.done()
        self._response.close()
        self._conn.close()


class HttpSession:
    """Requests to one server; a new connection per request (a stream holds its own).

    Args:
        address: the server.
        api_key: sent as ``Authorization: Bearer``; empty sends none.
        timeout_s: for connecting and for every wait on the server's next bytes.
    """

    def __init__(self, address: ServerAddress, *, api_key: str = "", timeout_s: float = 120.0) -> None:
        self.address = address
        self._api_key = api_key
        self.timeout_s = timeout_s

    def __repr__(self) -> str:  # the key stays out of every repr
        return f"HttpSession({self.address.scheme}://{self.address.netloc}{self.address.base_path})"

    def get_json(self, path: str, cancel: threading.Event | None = None) -> object:
        return self._json("GET", path, None, cancel)

    def post_json(self, path: str, body: dict[str, object], cancel: threading.Event | None = None) -> object:
        return self._json("POST", path, body, cancel)

    def _json(self, method: str, path: str, body: dict[str, object] | None, cancel: threading.Event | None) -> object:
        stream = self.open(method, path, body, cancel)
        try:
            raw = stream.read_all(_JSON_BODY_LIMIT)
        except TimeoutError:
            raise ServerTimeoutError(self._timed_out()) from None
        except (OSError, http.client.HTTPException) as exc:
            raise ServerProtocolError(self._broke(exc)) from None
        finally:
            stream.close()
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's parser goes
            raise ServerProtocolError(
                QT_TRANSLATE_NOOP("RemoteEngine", "{server} did not answer {path} with JSON").format(
                    server=self.address.netloc, path=path
                )
            ) from None

    def open(
        self, method: str, path: str, body: dict[str, object] | None, cancel: threading.Event | None = None
    ) -> StreamingResponse:
        """Send the request and return the response once its status is in (an HTTP error raises).

        Raises:
            ServerUnreachableError, ServerTimeoutError, ServerCertificateError, ServerProtocolError: no answer.
            ServerAuthError: 401 or 403. ServerHTTPError: any other status of 400 or more.
        """
        conn = self._connection()
        watch = _CancelWatch(conn, cancel)
        try:
            response = self._send(conn, method, path, body)
        except BaseException:
            watch.done()
            conn.close()
            raise
        if response.status >= 400:
            try:
                raise self._http_error(response)
            finally:
                watch.done()
                conn.close()
        return StreamingResponse(conn, response, watch)

    def _connection(self) -> http.client.HTTPConnection:
        a = self.address
        if a.secure:
            return http.client.HTTPSConnection(
                a.host, a.port, timeout=self.timeout_s, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(a.host, a.port, timeout=self.timeout_s)

    def _send(
        self, conn: http.client.HTTPConnection, method: str, path: str, body: dict[str, object] | None
    ) -> http.client.HTTPResponse:
        headers = {"Accept": "application/json, text/event-stream"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        log.debug("%s %s%s%s", method, self.address.netloc, self.address.base_path, path)
        try:
            conn.request(method, self.address.base_path + path, body=data, headers=headers)
            return conn.getresponse()
        except ssl.SSLCertVerificationError as exc:
            raise ServerCertificateError(
                QT_TRANSLATE_NOOP("RemoteEngine", "the certificate of {server} could not be verified: {reason}").format(
                    server=self.address.netloc, reason=exc.verify_message or exc.reason or str(exc)
                )
            ) from None
        except ssl.SSLError as exc:
            raise ServerProtocolError(
                QT_TRANSLATE_NOOP("RemoteEngine", "the encrypted connection to {server} failed: {reason}").format(
                    server=self.address.netloc, reason=exc.reason or str(exc)
                )
            ) from None
        except TimeoutError:
            raise ServerTimeoutError(self._timed_out()) from None
        except socket.gaierror:
            raise ServerUnreachableError(
                QT_TRANSLATE_NOOP("RemoteEngine", "the server name {host} is unknown").format(host=self.address.host)
            ) from None
        except ConnectionRefusedError:
            raise ServerUnreachableError(
                QT_TRANSLATE_NOOP(
                    "RemoteEngine", "{server} refused the connection (no server is running there)"
                ).format(server=self.address.netloc)
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise ServerUnreachableError(self._broke(exc)) from None

    def _timed_out(self) -> str:
        return QT_TRANSLATE_NOOP("RemoteEngine", "{server} sent nothing for {seconds} s").format(
            server=self.address.netloc, seconds=f"{self.timeout_s:g}"
        )

    def _broke(self, exc: BaseException) -> str:
        return QT_TRANSLATE_NOOP("RemoteEngine", "the connection to {server} failed: {reason}").format(
            server=self.address.netloc, reason=self.redact(str(exc) or type(exc).__name__)
        )

    def redact(self, text: str) -> str:
        """``text`` with the API key blanked out (a server may repeat what it refused)."""
        return text.replace(self._api_key, "***") if self._api_key else text

    def _http_error(self, response: http.client.HTTPResponse) -> RemoteError:
        try:
            raw = response.read(_ERROR_BODY_LIMIT)
        except (OSError, http.client.HTTPException) as exc:  # the status says enough; the body is a bonus
            log.debug("reading the error body failed: %s", exc)
            raw = b""
        detail = self.redact(_error_detail(raw))[:_DETAIL_CHARS]
        status = response.status
        if status in (401, 403):
            return ServerAuthError(
                QT_TRANSLATE_NOOP("RemoteEngine", "{server} refused the API key (HTTP {status}): {detail}").format(
                    server=self.address.netloc, status=status, detail=detail or response.reason
                ),
                status=status,
                detail=detail,
            )
        return ServerHTTPError(
            QT_TRANSLATE_NOOP("RemoteEngine", "{server} answered HTTP {status}: {detail}").format(
                server=self.address.netloc, status=status, detail=detail or response.reason
            ),
            status=status,
            detail=detail,
        )


def _error_detail(raw: bytes) -> str:
    """The message in an error body: OpenAI's ``{"error": {"message"}}``, FastAPI's ``{"detail"}``, or the text."""
    text = raw.decode("utf-8", errors="replace").strip()
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):  # not JSON (or too deep): the text is the message
        return " ".join(text.split())
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return " ".join(str(error["message"]).split())
        for key in ("error", "detail", "message"):
            if body.get(key):
                return " ".join(str(body[key]).split())
    return " ".join(text.split())
