"""Server-sent events, parsed as the bytes arrive, and the completion events of an OpenAI-compatible stream.

An event is one or more ``data:`` lines ended by an empty line; ``data: [DONE]`` ends the stream. Bytes are split
into lines before they are decoded, so a character cut between two reads is never decoded in halves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from ziya_desktop.errors import ServerHTTPError, ServerProtocolError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["DONE", "CompletionEvent", "SseParser", "completion_event"]

DONE = "[DONE]"
# One event bigger than this is not a token's worth of text: the stream is not what it claims to be.
_MAX_EVENT_BYTES = 4 * 1024 * 1024


class SseParser:
    """Feed it bytes as they come; it yields the ``data`` of each complete event (comments and other fields are
    skipped, several ``data:`` lines join with a newline)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> Iterator[str]:
        """The events completed by ``chunk``.

        Raises:
            ServerProtocolError: a line that is not UTF-8, or an event larger than the stream can be.
        """
        self._buffer.extend(chunk)
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                break
            raw = bytes(self._buffer[:end]).rstrip(b"\r")
            del self._buffer[: end + 1]
            event = self._line(raw)
            if event is not None:
                yield event
        if len(self._buffer) > _MAX_EVENT_BYTES:
            raise ServerProtocolError(_malformed(QT_TRANSLATE_NOOP("RemoteEngine", "an event without an end")))

    def _line(self, raw: bytes) -> str | None:
        if not raw:
            if not self._data:
                return None
            data, self._data = "\n".join(self._data), []
            return data
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ServerProtocolError(_malformed(QT_TRANSLATE_NOOP("RemoteEngine", "text that is not UTF-8"))) from None
        if line.startswith(":"):  # a comment (keep-alive ping)
            return None
        name, _, value = line.partition(":")
        if name == "data":
            self._data.append(value[1:] if value.startswith(" ") else value)
        return None

    @property
    def pending(self) -> bool:
        """Whether part of an event arrived without its end (a stream cut there lost it)."""
        return bool(self._buffer) or bool(self._data)


@dataclass(frozen=True)
class CompletionEvent:
    """One streamed completion event: its text, the finish reason once there is one, and usage when sent."""

    text: str
    finish_reason: str | None
    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    has_choice: bool = True


def completion_event(data: str) -> CompletionEvent:
    """The completion in one event's data (not ``[DONE]``).

    Raises:
        ServerHTTPError: the event is an error the server reports in the stream.
        ServerProtocolError: not JSON, or not a completion.
    """
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's parser goes
        raise ServerProtocolError(_malformed(QT_TRANSLATE_NOOP("RemoteEngine", "an event that is not JSON"))) from None
    if not isinstance(body, dict):
        raise ServerProtocolError(_malformed(QT_TRANSLATE_NOOP("RemoteEngine", "an event that is not a JSON object")))
    if "error" in body:
        error = body["error"]
        detail = error.get("message", "") if isinstance(error, dict) else str(error)
        raise ServerHTTPError(
            QT_TRANSLATE_NOOP("RemoteEngine", "the server stopped with an error: {detail}").format(
                detail=" ".join(str(detail).split())[:300]
            ),
            detail=str(detail),
        )
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    completion = usage.get("completion_tokens") if isinstance(usage, dict) else None
    prompt = usage.get("prompt_tokens") if isinstance(usage, dict) else None
    choices = body.get("choices")
    if not isinstance(choices, list):
        raise ServerProtocolError(_malformed(QT_TRANSLATE_NOOP("RemoteEngine", "an event without choices")))
    if not choices:  # vLLM's last event carries the usage alone
        return CompletionEvent("", None, _count(completion), _count(prompt), has_choice=False)
    choice = choices[0]
    text = choice.get("text", "") if isinstance(choice, dict) else None
    if not isinstance(text, str):
        raise ServerProtocolError(_malformed(QT_TRANSLATE_NOOP("RemoteEngine", "a choice without text")))
    reason = choice.get("finish_reason")
    return CompletionEvent(text, reason if isinstance(reason, str) else None, _count(completion), _count(prompt))


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _malformed(what: str) -> str:
    return QT_TRANSLATE_NOOP("RemoteEngine", "the server's stream is malformed: {what}").format(what=what)
