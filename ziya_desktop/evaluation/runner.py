"""Making a run's answers: every missing answer, contender by contender, each model loaded once.

An answer is written to disk the moment it is made, so stopping (``cancel``, Ctrl-C, a crash) loses at most the
answer in progress, and the next :func:`run_answers` makes only what is still missing. The query is sent in
Ziya's prompt format, with the contender's sampling settings, seed and max_tokens.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from ziya_desktop.engine.engine import Engine, GenerationStats, LoadOptions
from ziya_desktop.engine.prompt import ziya_prompt
from ziya_desktop.engine.sampling import SamplingParams
from ziya_desktop.errors import CancelledError, EvaluationError, ZiyaError
from ziya_desktop.evaluation.contenders import Contender
from ziya_desktop.evaluation.prompt_sets import EvalPrompt
from ziya_desktop.evaluation.run_store import Answer, EvalRun
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

__all__ = ["AnswerEngine", "EngineFactory", "Progress", "local_engine_factory", "open_engine", "run_answers"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
LOADING = "loading "  # the progress label's start while a contender's model is being loaded
# The same variable the command line's ``generate --server`` reads the key from.
API_KEY_ENV = "ZIYA_API_KEY"


class AnswerEngine(Protocol):
    """What a run needs of an engine: the in-process :class:`Engine` or the remote one."""

    last_stats: GenerationStats | None

    def stream(
        self, prompt: str | list[int], sampling: SamplingParams, *, cancel: threading.Event | None = None
    ) -> Iterator[str]: ...

    def close(self) -> None: ...


EngineFactory = Callable[[Contender, "threading.Event | None"], AnswerEngine]


def open_engine(
    contender: Contender,
    cancel: threading.Event | None,
    options: LoadOptions | None = None,
    api_key_for: Callable[[str], str] | None = None,
) -> AnswerEngine:
    """An engine ready to answer for ``contender``: its GGUF loaded in-process, or a client of its server.

    A server's API key is ``api_key_for(url)`` when that gives one (the window's), else the one the system keyring
    keeps for the URL, else ``ZIYA_API_KEY``; it is never written to the run.

    Raises:
        ZiyaError: the model could not be loaded, or the server not reached (the engine's own error).
    """
    if contender.server is not None:
        from ziya_desktop.engine.api_keys import load_key
        from ziya_desktop.engine.remote import RemoteEngine, RemoteTarget

        # The key the window keeps for this server (system keyring), else the command line's variable; never in
        # the run's files.
        given = api_key_for(contender.server) if api_key_for is not None else ""
        key = given or load_key(contender.server) or os.environ.get(API_KEY_ENV, "")
        remote = RemoteEngine(RemoteTarget(contender.server, contender.server_model, api_key=key))
        remote.connect(cancel)
        return remote
    assert contender.model is not None  # a contender has a model or a server
    local = Engine()
    local.load(Path(contender.model), options or LoadOptions(), cancel=cancel)
    return local


def local_engine_factory(options: LoadOptions, api_key_for: Callable[[str], str] | None = None) -> EngineFactory:
    """A factory that loads local models with ``options`` (threads, context size, GPU layers) and connects to
    servers with the keys ``api_key_for`` gives (see :func:`open_engine`)."""

    def factory(contender: Contender, cancel: threading.Event | None) -> AnswerEngine:
        return open_engine(contender, cancel, options, api_key_for)

    return factory


def _cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def _grouped(missing: list[tuple[Contender, EvalPrompt]]) -> list[tuple[Contender, list[EvalPrompt]]]:
    groups: list[tuple[Contender, list[EvalPrompt]]] = []
    for contender, prompt in missing:
        if not groups or groups[-1][0].name != contender.name:
            groups.append((contender, []))
        groups[-1][1].append(prompt)
    return groups


def _load(factory: EngineFactory, contender: Contender, cancel: threading.Event | None) -> AnswerEngine | None:
    """The contender's engine, or None when the load was cancelled.

    Raises:
        EvaluationError: the model did not load; the message names the contender, the engine's error follows.
    """
    try:
        return factory(contender, cancel)
    except CancelledError:
        return None
    except ZiyaError as err:
        raise EvaluationError(
            QT_TRANSLATE_NOOP("EvalRunner", "contender {name}: {problem}").format(
                name=contender.name, problem=str(err)
            ),
            hint=err.hint,
        ) from err


def _answer(
    engine: AnswerEngine, contender: Contender, prompt: EvalPrompt, cancel: threading.Event | None
) -> Answer | None:
    """The contender's answer to ``prompt``; None when it was cancelled before the end (nothing is kept)."""
    try:
        text = "".join(engine.stream(ziya_prompt(prompt.query()), contender.run_sampling(), cancel=cancel))
    except CancelledError:
        return None
    except ZiyaError as err:
        # This prompt failed (too long for the context, a failed decode, a server error): recorded with its
        # reason, the next prompts go on, and a resumed run tries it again.
        log.warning("%s on %s: %s", contender.name, prompt.id, err)
        return Answer(contender.name, prompt.id, "", {}, error=str(err))
    stats = engine.last_stats
    if _cancelled(cancel) or (stats is not None and stats.stop_reason == "cancelled"):
        return None
    return Answer(contender.name, prompt.id, text, stats.as_json_dict() if stats is not None else {})


def run_answers(
    run: EvalRun,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    engine_factory: EngineFactory = open_engine,
) -> int:
    """Make every missing answer of ``run``; returns how many were made.

    ``progress(done, total, label)`` is called before each model load (label ``"loading NAME"``) and after each
    answer (label ``"NAME: PROMPT_ID"``), ``done`` counting the answers on disk out of ``total``. ``cancel`` stops
    between prompts and inside an answer (the half-made answer is dropped); the run resumes later.

    Raises:
        EvaluationError: a contender's model did not load (naming it; answers made so far are kept), or an answer
            could not be saved.
    """
    missing = run.missing()
    total = len(run.contenders) * len(run.prompt_set.prompts)
    done = total - len(missing)
    made = 0
    for contender, prompts in _grouped(missing):
        if _cancelled(cancel):
            break
        if progress is not None:
            progress(done, total, LOADING + contender.name)
        engine = _load(engine_factory, contender, cancel)
        if engine is None:
            break
        try:
            for prompt in prompts:
                answer = None if _cancelled(cancel) else _answer(engine, contender, prompt, cancel)
                if answer is None:
                    break
                run.add_answer(answer)
                made += 1
                done += 1
                if progress is not None:
                    progress(done, total, f"{contender.name}: {prompt.id}")
        finally:
            engine.close()
    return made
