"""Runs one generation at a time and routes its text: into a document (draft, continue, regenerate) or into the
rewrite review (polish, expand, shorten, formal, warm, translate, free rewrite of a selection).

The GUI thread builds nothing that needs llama.cpp: it snapshots the document and hands the engine worker a
prompt builder that runs there with the model's tokenizer (see
:data:`~ziya_desktop.writing.prompt_builder.PromptBuilder`).

Every chunk is cleaned of control characters before it goes anywhere (see :mod:`ziya_desktop.writing.clean_text`):
a document never receives text it could not save and open again, and the writer is told once per run when
something was removed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QTextCursor

from ziya_desktop.engine.engine import GenerationStats
from ziya_desktop.engine.sampling import SamplingParams
from ziya_desktop.ui.common.notice_bar import NoticeBar, NoticeLevel
from ziya_desktop.ui.editor.apply_edits import apply_minimal_diff
from ziya_desktop.ui.editor.document_tab import Alternatives, DocumentTab
from ziya_desktop.ui.editor.text_positions import py_to_qt, qt_to_py
from ziya_desktop.ui.generation.engine_worker import EngineController
from ziya_desktop.ui.generation.rewrite_review import RewriteReview
from ziya_desktop.ui.generation.stream_inserter import StreamInserter
from ziya_desktop.writing.actions import ActionRequest, clean_model_output
from ziya_desktop.writing.clean_text import clean_model_text
from ziya_desktop.writing.prompt_builder import PromptBuilder


class RunMode(StrEnum):
    INSERT = "insert"  # text streams into the document
    REVIEW = "review"  # text streams into the rewrite review; the document changes only when the writer accepts


@dataclass(frozen=True)
class PromptTokens:
    """A prompt that is already final text (a template draft): only tokenized in the worker."""

    tokens: list[int]
    strip_leading_space: bool = True
    dropped_chars: int = 0
    prompt: str = ""


def text_prompt_builder(prompt: str) -> PromptBuilder:
    """A builder for a finished prompt (the template's, as the writer may have edited it)."""

    def build(tokenize: Callable[[str], list[int]], n_ctx: int) -> PromptTokens:
        return PromptTokens(tokenize(prompt), prompt=prompt)

    return build


@dataclass
class _Run:
    request_id: int
    mode: RunMode
    tab: DocumentTab
    builder: PromptBuilder
    sampling: SamplingParams
    inserter: StreamInserter | None = None
    # REVIEW: the selection being rewritten, a cursor so that edits elsewhere keep it on the same text.
    target: QTextCursor | None = None
    started: float = 0.0
    first_chunk: float = 0.0
    chunks: int = 0
    prompt_tokens: int = 0
    keep_alternatives: bool = False
    # REVIEW: the document text the builder saw, what was selected, and the answer so far (for cleaning it).
    source: str = ""
    source_start: int = 0  # document position of the selection in ``source``
    original: str = ""
    label: str = ""
    revised: list[str] = field(default_factory=list)
    request: object = None
    removed: int = 0  # control characters taken out of the model's text


@dataclass(frozen=True)
class RunEnded:
    """How a run ended: its statistics (None when it failed), and on failure the message and hint."""

    stats: GenerationStats | None
    message: str = ""
    hint: str = ""


class GenerationController(QObject):
    """The one generation in flight, and what happens to its text.

    Signals:
        started(str): a run began (``insert`` or ``review``).
        progress(int, float, int): chunks so far (about one per token), tokens per second since the first one,
            and context tokens in use (prompt + answer so far).
        windowed(int): the prompt left this many characters of the document out to fit the context window.
        charactersRemoved(int): the run ended and this many control characters were removed from the model's text
            (emitted only when there were some; ``notice``, when given, says so too).
        ended(RunEnded): the run ended: its GenerationStats (None when it failed), and on failure the message and
            hint. The text written so far stays.
    """

    started = Signal(str)
    progress = Signal(int, float, int)
    windowed = Signal(int)
    charactersRemoved = Signal(int)
    ended = Signal(RunEnded)

    def __init__(
        self,
        engine: EngineController,
        review: RewriteReview,
        parent: QObject | None = None,
        *,
        notice: NoticeBar | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self.review = review
        self._notice = notice
        self._run: _Run | None = None
        self._review_tab: DocumentTab | None = None
        self._review_target: QTextCursor | None = None
        self._last_review: tuple[PromptBuilder, SamplingParams, str, str] | None = None
        engine.prepared.connect(self._on_prepared)
        engine.chunk.connect(self._on_chunk)
        engine.finished.connect(self._on_finished)
        engine.failed.connect(self._on_failed)
        review.applyRequested.connect(self._apply_review)
        review.discarded.connect(self._discard_review)
        review.regenerateRequested.connect(self._regenerate_review)

    @property
    def busy(self) -> bool:
        return self._run is not None

    @property
    def current_tab(self) -> DocumentTab | None:
        return self._run.tab if self._run is not None else None

    # -- starting ------------------------------------------------------------------------------------------------

    def insert(
        self,
        tab: DocumentTab,
        position: int,
        builder: PromptBuilder,
        sampling: SamplingParams,
        *,
        replace_end: int | None = None,
        join_previous: bool = False,
        keep_alternatives: bool = False,
    ) -> int:
        """Stream the answer into ``tab`` at document ``position`` (replacing up to ``replace_end``)."""
        inserter = StreamInserter(tab.editor)
        inserter.begin(position, replace_end=replace_end, join_previous=join_previous)
        run = _Run(0, RunMode.INSERT, tab, builder, sampling, inserter=inserter, keep_alternatives=keep_alternatives)
        return self._start(run)

    def rewrite(
        self,
        tab: DocumentTab,
        start: int,
        end: int,
        original: str,
        label: str,
        builder: PromptBuilder,
        sampling: SamplingParams,
        *,
        source: str = "",
    ) -> int:
        """Stream a rewrite of document span [start, end) (``original``) into the review panel.

        ``source`` is the document text the builder works on; when the builder narrows the span (an
        ``ActionRequest`` leaves the selection's surrounding whitespace alone), the target follows it.
        """
        target = QTextCursor(tab.editor.document())
        target.setPosition(start)
        target.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self._review_tab, self._review_target = tab, target
        self._last_review = (builder, sampling, label, source)
        self.review.start(original, label)
        run = _Run(0, RunMode.REVIEW, tab, builder, sampling, target=target, source=source, original=original)
        run.label, run.source_start = label, start
        return self._start(run)

    def _start(self, run: _Run) -> int:
        run.started = time.perf_counter()
        self._run = run
        run.request_id = self._engine.generate(run.builder, run.sampling)
        self.started.emit(run.mode.value)
        return run.request_id

    def stop(self) -> None:
        """Stop the run within one token; the text so far stays."""
        if self._run is not None:
            self._engine.stop(self._run.request_id)

    # -- engine signals ------------------------------------------------------------------------------------------

    def _current(self, request_id: int) -> _Run | None:
        run = self._run
        return run if run is not None and run.request_id == request_id else None

    def _on_prepared(self, request_id: int, built: object) -> None:
        run = self._current(request_id)
        if run is None:
            return
        run.prompt_tokens = len(getattr(built, "tokens", ()))
        run.request = built
        if isinstance(built, ActionRequest) and run.target is not None and run.source:
            self._narrow_target(run, built)
        dropped = int(getattr(built, "dropped_chars", 0))
        if dropped > 0:
            self.windowed.emit(dropped)
        self.progress.emit(0, 0.0, run.prompt_tokens)

    def _on_chunk(self, request_id: int, text: str) -> None:
        run = self._current(request_id)
        if run is None:
            return
        now = time.perf_counter()
        if run.chunks == 0:
            run.first_chunk = now
        run.chunks += 1
        text, removed = clean_model_text(text)
        run.removed += removed
        if run.inserter is not None:
            run.inserter.feed(text)
        else:
            run.revised.append(text)
            self.review.append_revised(text)
        elapsed = now - run.first_chunk
        rate = (run.chunks - 1) / elapsed if elapsed > 0 else 0.0
        self.progress.emit(run.chunks, rate, run.prompt_tokens + run.chunks)

    def _on_finished(self, request_id: int, stats: GenerationStats) -> None:
        run = self._current(request_id)
        if run is None:
            return
        self._finish(run)
        if run.mode is RunMode.REVIEW:
            self._finish_review(run)
        self._report_removed(run)
        self.ended.emit(RunEnded(stats))

    def _on_failed(self, request_id: int, message: str, hint: str) -> None:
        run = self._current(request_id)
        if run is None:
            return
        self._finish(run)
        if run.mode is RunMode.REVIEW:
            self.review.fail(message)
        # Before ``ended``: the failure's own message then takes the notice strip, as it matters more.
        self._report_removed(run)
        self.ended.emit(RunEnded(None, message, hint))

    def _report_removed(self, run: _Run) -> None:
        if not run.removed:
            return
        self.charactersRemoved.emit(run.removed)
        if self._notice is not None:
            self._notice.show_notice(
                self.tr(
                    "The model wrote {count} control character(s) (such as NUL) that do not belong in a document; "
                    "they were left out."
                ).format(count=run.removed),
                level=NoticeLevel.INFO,
            )

    def _finish(self, run: _Run) -> None:
        self._run = None
        inserter = run.inserter
        if inserter is None:
            return
        inserter.flush()
        start, end = inserter.span()
        inserter.finish()
        inserter.deleteLater()
        if start < 0:
            return
        text = run.tab.editor.document().toPlainText()
        generated = _qt_slice(text, start, end)
        if not generated:
            return
        alternatives = run.tab.alternatives if run.keep_alternatives else None
        if alternatives is None:
            begin = QTextCursor(run.tab.editor.document())
            begin.setPosition(start)
            # A regenerate inserts right at the start: the marker must stay in front of the new text.
            begin.setKeepPositionOnInsert(True)
            finish = QTextCursor(run.tab.editor.document())
            finish.setPosition(end)
            alternatives = Alternatives(begin, finish, builder=run.builder, sampling=run.sampling)
            run.tab.alternatives = alternatives
        else:
            alternatives.end.setPosition(end)
        alternatives.texts.append(generated)
        alternatives.index = len(alternatives.texts) - 1

    # -- review --------------------------------------------------------------------------------------------------

    def _narrow_target(self, run: _Run, request: ActionRequest) -> None:
        assert run.target is not None
        selected_from = run.target.selectionStart()
        offset = py_to_qt(run.source, request.target[0]) - run.source_start
        length = py_to_qt(request.original, len(request.original))
        if request.original != run.original:
            run.target.setPosition(selected_from + offset)
            run.target.setPosition(selected_from + offset + length, QTextCursor.MoveMode.KeepAnchor)
            run.original = request.original
            self.review.start(request.original, run.label)

    def _finish_review(self, run: _Run) -> None:
        revised = "".join(run.revised)
        request = run.request
        if isinstance(request, ActionRequest):
            cleaned = clean_model_output(request.kind, revised, request.output_language, original=run.original)
            if cleaned != revised:
                # The model wrapped its answer ("以下是润色后的文本：", quotes): show the writer the text itself.
                self.review.start(run.original, run.label)
                self.review.append_revised(cleaned)
        self.review.finish()

    def _apply_review(self, text: str) -> None:
        tab, target = self._review_tab, self._review_target
        if tab is None or target is None:
            return
        apply_minimal_diff(tab.editor.document(), target.selectionStart(), target.selectionEnd(), text)
        self._review_tab = self._review_target = None

    def _discard_review(self) -> None:
        self.stop()
        self._review_tab = self._review_target = None

    def _regenerate_review(self) -> None:
        tab, target, last = self._review_tab, self._review_target, self._last_review
        if tab is None or target is None or last is None or self.busy:
            return
        builder, sampling, label, source = last
        original = _qt_slice(tab.editor.document().toPlainText(), target.selectionStart(), target.selectionEnd())
        start, end = target.selectionStart(), target.selectionEnd()
        self.rewrite(tab, start, end, original, label, builder, sampling.with_(seed=None), source=source)


def _qt_slice(text: str, start: int, end: int) -> str:
    return text[qt_to_py(text, start) : qt_to_py(text, end)]
