"""The Qt bridge to the engine: one worker thread owns the engine (and so every llama.cpp object and every
connection to an inference server).

The GUI thread never calls into llama.cpp, not even to load a model. It holds an :class:`EngineController`, whose
methods only emit queued signals to an :class:`EngineWorker` living in its own :class:`QThread`; the worker answers
with signals that Qt delivers back on the GUI thread. Stopping a generation is the one exception to "signals only":
the worker is busy inside a generation loop and processes no events until it ends, so :meth:`EngineWorker.stop` sets
a :class:`threading.Event` directly, and the engine checks it before every token.

The worker runs the in-process :class:`Engine` (a load names a GGUF path) or a :class:`RemoteEngine` (a load names a
:class:`RemoteTarget`): the writing actions do not know which, they only see the
:class:`~ziya_desktop.engine.interface.TextEngine` both offer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ziya_desktop.engine.engine import Engine, GenerationStats, LoadOptions
from ziya_desktop.engine.interface import EngineReport, TextEngine
from ziya_desktop.engine.remote import RemoteEngine, RemoteTarget
from ziya_desktop.engine.sampling import MODEL_CARD, SamplingParams
from ziya_desktop.errors import LoadCancelledError, ZiyaError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP
from ziya_desktop.ui.common.error_text import error_message, localized_hint
from ziya_desktop.writing.prompt_builder import PromptBuilder

log = logging.getLogger(__name__)

EngineFactory = Callable[[], Engine]
RemoteFactory = Callable[[RemoteTarget], RemoteEngine]


# Shown for a failure that is not one of ours (a bug): the traceback is in the log, the writer gets a way out.
_UNEXPECTED_HINT = "This is a bug in Ziya Desktop; the log file has the details. Try again or reload the model."
# How long shutdown waits before it says in the log that it is still waiting (it never terminates the thread).
_SHUTDOWN_WARN_MS = 5000


def _describe(exc: BaseException) -> tuple[str, str]:
    """Message and hint for a failure; unexpected ones are logged with their traceback by the caller. The message is
    translated here, before it crosses a signal as a plain ``str`` (the hint is recognised by its English text)."""
    if isinstance(exc, ZiyaError):
        # A hint made for this error (not a class's) is translated here too, for the same reason.
        return error_message(exc), localized_hint(exc.hint)
    return f"unexpected error: {type(exc).__name__}: {exc}", _UNEXPECTED_HINT


class EngineWorker(QObject):
    """Owns the engine inside the worker thread; every slot runs there, in the order it was requested.

    The engine is created on first use inside the worker thread (``__init__`` runs in the thread that builds the
    worker, before :meth:`moveToThread`), so every llama.cpp call, model load included, happens in the worker thread.

    Loads carry ids like generations: :meth:`prepare_load` makes a load's cancel event before the load is queued,
    so a :meth:`cancel_load` that arrives while the load still waits in the queue is kept, and that load then never
    reads the file. Every load answers with exactly one ``loaded`` or ``loadFailed``, in the order they were queued.

    Signals:
        loadProgress(float): during :meth:`load`, the fraction (0..1) of the model file read so far.
        loaded(EngineReport): :meth:`load` succeeded (a ``LoadReport``, or a ``RemoteReport`` for a server);
            ``report.status`` is a line for the status bar.
        loadFailed(str, str): :meth:`load` failed or was cancelled (while it ran or before it started); message and
            hint. Nothing is loaded then: a load releases the previous model when it starts, and a load cancelled
            while it was queued releases it too.
        unloaded(): :meth:`unload` or :meth:`shutdown` released the model.
        prepared(int, object): a generation queued with a :data:`PromptBuilder` built its prompt; the builder's
            result (e.g. an ``ActionRequest`` with the span it replaces and how much context was windowed out).
            Comes before the request's first ``chunk``; a builder that raises ends in ``failed`` instead.
        chunk(int, str): request id and the next piece of generated text (whole characters only), as it comes.
        finished(int, GenerationStats): the generation with this request id ended: at end of text, at
            ``max_tokens``, at the context limit or because :meth:`stop` was called (``stats.stop_reason`` says which).
            Every ``chunk`` of that request arrives before it.
        failed(int, str, str): the generation with this request id could not run or broke off; message and hint.
            Exactly one of ``finished`` and ``failed`` fires per request.
    """

    loadProgress = Signal(float)
    loaded = Signal(object)
    loadFailed = Signal(str, str)
    unloaded = Signal()
    prepared = Signal(int, object)
    chunk = Signal(int, str)
    finished = Signal(int, GenerationStats)
    failed = Signal(int, str, str)

    def __init__(self, engine_factory: EngineFactory = Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine_factory = engine_factory
        # Makes the engine of a RemoteTarget load (tests wrap it to watch a stream).
        self.remote_factory: RemoteFactory = RemoteEngine
        self._engine: Engine | None = None
        self._remote: RemoteEngine | None = None
        # Guards the cancel events, which the GUI thread touches through stop() and cancel_load() while the worker
        # runs a generation or a load.
        self._lock = threading.Lock()
        self._cancels: dict[int, threading.Event] = {}
        self._load_cancels: dict[int, threading.Event] = {}

    # -- called from any thread (plain methods, not slots) -------------------------------------------------------

    def prepare(self, request_id: int) -> None:
        """Create the cancel event of a request before its ``generate`` is queued, so that a stop() arriving
        between the request and the start of its generation is not lost."""
        with self._lock:
            self._cancels.setdefault(request_id, threading.Event())

    def stop(self, request_id: int | None = None) -> None:
        """Stop the generation ``request_id`` (every pending or running one when None); thread-safe.

        Returns at once; the engine sees the event before its next token, then ``finished`` fires with
        ``stop_reason == "cancelled"``.
        """
        with self._lock:
            if request_id is None:
                events = list(self._cancels.values())
            else:
                # prepare() made the event before the request was queued; none means the request already ended.
                events = [e for e in (self._cancels.get(request_id),) if e is not None]
        for event in events:
            event.set()

    def prepare_load(self, load_id: int) -> None:
        """Create the cancel event of a load before its ``load`` is queued, so that a cancel_load() arriving
        between the request and the start of the load is not lost."""
        with self._lock:
            self._load_cancels.setdefault(load_id, threading.Event())

    def cancel_load(self, load_id: int | None = None) -> None:
        """Cancel the load ``load_id`` (every load queued or running up to now when None); thread-safe.

        A running load stops at its next progress step; a queued one never starts. Either answers ``loadFailed``
        with a cancelled message. Loads queued after this call are not affected.
        """
        with self._lock:
            if load_id is None:
                events = list(self._load_cancels.values())
            else:
                # prepare_load() made the event before the load was queued; none means the load already ended.
                events = [e for e in (self._load_cancels.get(load_id),) if e is not None]
        for event in events:
            event.set()

    # -- slots: run in the worker thread ----------------------------------------------------------------------------

    def _need_engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._engine_factory()
        return self._engine

    def _active(self) -> TextEngine:
        """The engine generations run on: the connected server, else the in-process engine."""
        return self._remote if self._remote is not None else self._need_engine()

    def _release(self) -> None:
        """Let go of whatever is loaded: the model's memory, the server's connection."""
        if self._remote is not None:
            remote, self._remote = self._remote, None
            remote.close()
        if self._engine is not None:
            self._engine.unload()

    def _load_source(
        self, source: Path | str | RemoteTarget, options: LoadOptions | None, cancel: threading.Event
    ) -> EngineReport:
        self._release()
        if isinstance(source, RemoteTarget):
            remote = self.remote_factory(source)
            try:
                report = remote.connect(cancel)
            except BaseException as exc:
                remote.close()
                if cancel.is_set() and isinstance(exc, Exception):  # cancelling broke the connection off
                    raise LoadCancelledError(QT_TRANSLATE_NOOP("Engine", "model load cancelled")) from None
                raise
            if cancel.is_set():
                remote.close()
                raise LoadCancelledError(QT_TRANSLATE_NOOP("Engine", "model load cancelled"))
            self._remote = remote
            return report
        return self._need_engine().load(
            Path(source),
            options if options is not None else LoadOptions(),
            progress=self.loadProgress.emit,
            cancel=cancel,
        )

    @Slot(int, object, object)
    def load(self, load_id: int, source: Path | str | RemoteTarget, options: LoadOptions | None = None) -> None:
        """Load the GGUF ``source``, or connect to the server it names (a :class:`RemoteTarget`), replacing what
        was loaded; answers with ``loaded`` or ``loadFailed``.

        A load cancelled before it started never touches the file or the network: what was loaded before it is
        released (as a load that starts releases it) and ``loadFailed`` says it was cancelled.
        """
        with self._lock:
            cancel = self._load_cancels.setdefault(load_id, threading.Event())
        try:
            if cancel.is_set():
                self._release()
                raise LoadCancelledError(QT_TRANSLATE_NOOP("Engine", "model load cancelled"))
            report = self._load_source(source, options, cancel)
        except Exception as exc:  # every failure becomes loadFailed; unexpected ones are logged
            if not isinstance(exc, ZiyaError):
                log.exception("loading %r failed unexpectedly", source)
            self.loadFailed.emit(*_describe(exc))
            return
        finally:
            with self._lock:
                self._load_cancels.pop(load_id, None)
        self.loaded.emit(report)

    @Slot(int, object, object)
    def generate(
        self, request_id: int, prompt: str | list[int] | PromptBuilder, sampling: SamplingParams | None = None
    ) -> None:
        """Stream the answer to ``prompt``; answers with ``chunk``\\ s, then ``finished`` or ``failed``.

        ``prompt`` may be a :data:`PromptBuilder`: it is called here with the engine's tokenizer and context size,
        ``prepared`` carries its result, and its tokens are generated from (its text, on a server).
        """
        with self._lock:
            cancel = self._cancels.setdefault(request_id, threading.Event())
        try:
            engine = self._active()
            strip = True
            if callable(prompt):
                built = prompt(engine.tokenize, engine.n_ctx)
                self.prepared.emit(request_id, built)
                prompt = built.tokens if engine.accepts_tokens else built.prompt
                strip = built.strip_leading_space
            sampling = sampling if sampling is not None else MODEL_CARD
            for text in engine.stream(prompt, sampling, cancel=cancel, strip_leading_space=strip):
                self.chunk.emit(request_id, text)
            # stream() sets last_stats as soon as it starts; a stale value cannot survive a successful stream.
            stats = engine.last_stats if engine.last_stats is not None else GenerationStats()
        except Exception as exc:  # every failure becomes failed; unexpected ones are logged
            if not isinstance(exc, ZiyaError):
                log.exception("generation %d failed unexpectedly", request_id)
            self.failed.emit(request_id, *_describe(exc))
            return
        finally:
            with self._lock:
                self._cancels.pop(request_id, None)
        self.finished.emit(request_id, stats)

    @Slot()
    def unload(self) -> None:
        """Release the model and its memory (or the server's connection); ``unloaded`` follows."""
        try:
            self._release()
        except Exception:  # freeing must not kill the worker; the log has the traceback
            log.exception("unloading the model failed")
        self.unloaded.emit()

    @Slot()
    def shutdown(self) -> None:
        """Release the model, then end the worker thread's event loop (the last slot the worker runs)."""
        try:
            self._release()
            if self._engine is not None:
                self._engine.close()
                self._engine = None
        except Exception:  # the thread must still end; the log has the traceback
            log.exception("closing the engine failed")
        thread = self.thread()
        if thread is not None:
            thread.quit()


class EngineController(QObject):
    """The GUI thread's handle on the engine: starts the worker thread and talks to it through queued signals.

    Methods never block on llama.cpp; results come back as signals on the GUI thread (re-emitted from the worker,
    same meaning as in :class:`EngineWorker`):

    Signals:
        loadProgress(float): fraction of the model read during a load.
        loaded(EngineReport): a load (or a connection to a server) succeeded.
        loadFailed(str, str): a load failed or was cancelled (message, hint).
        unloaded(): the model was released.
        prepared(int, object): the :data:`PromptBuilder` of request ``id`` built its prompt (its result).
        chunk(int, str): generated text of request ``id``, in order.
        finished(int, GenerationStats): request ``id`` ended (``stats.stop_reason``: eos, max_tokens, context,
            cancelled).
        failed(int, str, str): request ``id`` failed (message, hint); no ``finished`` follows.

    Call :meth:`shutdown` before the application quits (e.g. from ``QApplication.aboutToQuit`` or the main window's
    close event): a QThread that is still running when it is destroyed aborts the process.
    """

    loadProgress = Signal(float)
    loaded = Signal(object)
    loadFailed = Signal(str, str)
    unloaded = Signal()
    prepared = Signal(int, object)
    chunk = Signal(int, str)
    finished = Signal(int, GenerationStats)
    failed = Signal(int, str, str)

    # Requests to the worker; connected across threads, so Qt queues them into the worker's event loop.
    _loadRequested = Signal(int, object, object)
    _generateRequested = Signal(int, object, object)
    _unloadRequested = Signal()
    _shutdownRequested = Signal()

    def __init__(self, engine_factory: EngineFactory = Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._next_id = 0
        self._next_load_id = 0
        self._running = True
        self.worker_thread = QThread(self)
        self.worker_thread.setObjectName("ZiyaEngineThread")
        self.worker = EngineWorker(engine_factory)
        self.worker.moveToThread(self.worker_thread)

        self._loadRequested.connect(self.worker.load)
        self._generateRequested.connect(self.worker.generate)
        self._unloadRequested.connect(self.worker.unload)
        self._shutdownRequested.connect(self.worker.shutdown)

        # Signal-to-signal: emitted in the worker thread, delivered (queued) to our listeners on the GUI thread.
        self.worker.loadProgress.connect(self.loadProgress)
        self.worker.loaded.connect(self.loaded)
        self.worker.loadFailed.connect(self.loadFailed)
        self.worker.unloaded.connect(self.unloaded)
        self.worker.prepared.connect(self.prepared)
        self.worker.chunk.connect(self.chunk)
        self.worker.finished.connect(self.finished)
        self.worker.failed.connect(self.failed)

        self.worker_thread.start()

    @property
    def running(self) -> bool:
        """False once :meth:`shutdown` was called; requests after that are ignored."""
        return self._running

    def load(self, source: Path | str | RemoteTarget, options: LoadOptions | None = None) -> int:
        """Queue a model load (a GGUF path) or a connection to a server (a :class:`RemoteTarget`) and return its
        id; ``loaded`` or ``loadFailed`` follows (one per load, in order)."""
        self._next_load_id += 1
        load_id = self._next_load_id
        if self._running:
            self.worker.prepare_load(load_id)
            target = source if isinstance(source, RemoteTarget) else Path(source)
            self._loadRequested.emit(load_id, target, options if options is not None else LoadOptions())
        return load_id

    def cancel_load(self, load_id: int | None = None) -> None:
        """Cancel the load ``load_id``, or every load queued or running up to now when None; each cancelled load
        ends with ``loadFailed`` (a queued one without reading the file). Does not go through the event loop."""
        self.worker.cancel_load(load_id)

    def generate(self, prompt: str | list[int] | PromptBuilder, sampling: SamplingParams | None = None) -> int:
        """Queue a generation and return its request id; ``chunk``\\ s then ``finished`` or ``failed`` follow.

        With a :data:`PromptBuilder`, ``prepared`` comes first with what it built (see :class:`EngineWorker`).
        """
        self._next_id += 1
        request_id = self._next_id
        if self._running:
            self.worker.prepare(request_id)
            self._generateRequested.emit(request_id, prompt, sampling if sampling is not None else MODEL_CARD)
        return request_id

    def stop(self, request_id: int | None = None) -> None:
        """Stop generation ``request_id`` (all when None) within one token; does not go through the event loop."""
        self.worker.stop(request_id)

    def unload(self) -> None:
        """Queue releasing the model; ``unloaded`` follows."""
        if self._running:
            self._unloadRequested.emit()

    def shutdown(self) -> None:
        """Stop everything, release the model in the worker thread and join the thread (never terminates it).

        Blocks until the worker has finished what it was doing; stop and cancel_load make that one token or one
        load-progress step. Safe to call more than once.
        """
        if not self._running:
            return
        self._running = False
        self.worker.stop()
        self.worker.cancel_load()
        # The worker quits its own loop after closing the engine: quit() from here could end the loop before the
        # queued shutdown (and so the engine's close) ran.
        self._shutdownRequested.emit()
        if not self.worker_thread.wait(_SHUTDOWN_WARN_MS):
            log.warning("the engine thread is still busy after %d ms; waiting for it", _SHUTDOWN_WARN_MS)
            self.worker_thread.wait()
