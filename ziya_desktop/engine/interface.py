"""What every engine offers: the in-process :class:`~ziya_desktop.engine.engine.Engine` and the
:class:`~ziya_desktop.engine.remote.RemoteEngine` that streams from an inference server.

The writing actions, the templates and the evaluation only use these members, so they run on either engine. The
one difference they see is :attr:`TextEngine.accepts_tokens`: the in-process engine generates from prompt tokens,
a server from prompt text (it tokenizes it again itself), so a prepared prompt carries both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ziya_desktop.engine.engine import GenerationStats
    from ziya_desktop.engine.sampling import SamplingParams

__all__ = ["EngineReport", "TextEngine"]


class EngineReport(Protocol):
    """What a load (or a connection to a server) reports; what the status bar and the context budget read."""

    @property
    def n_ctx(self) -> int:
        """The context window in tokens (prompt and answer together)."""
        ...

    @property
    def threads(self) -> int:
        """CPU threads generating on this computer (0 for a server)."""
        ...

    @property
    def seconds(self) -> float:
        """How long the load or the connection took."""
        ...

    @property
    def fell_back(self) -> bool:
        """The engine runs with less than was planned (a GPU load that failed); never for a server."""
        ...

    @property
    def status(self) -> str:
        """One line for a status bar, in English (the UI words its own)."""
        ...


@runtime_checkable
class TextEngine(Protocol):
    """An engine that tokenizes and streams text; one thread owns it, ``cancel`` events may be set from any."""

    @property
    def accepts_tokens(self) -> bool:
        """Whether :meth:`stream` takes prompt tokens; when False it takes the prompt's text only."""
        ...

    @property
    def loaded(self) -> bool: ...

    @property
    def n_ctx(self) -> int: ...

    @property
    def last_stats(self) -> GenerationStats | None:
        """The statistics of the last :meth:`stream` (set when it starts, final when it ends)."""
        ...

    def tokenize(self, text: str, *, add_bos: bool = True) -> list[int]: ...

    def stream(
        self,
        prompt: str | list[int],
        sampling: SamplingParams = ...,
        *,
        cancel: threading.Event | None = None,
        strip_leading_space: bool = True,
    ) -> Iterator[str]:
        """Yield the answer as text chunks (whole characters) until its end, the context's or ``cancel``."""
        ...

    def unload(self) -> None: ...

    def close(self) -> None: ...
