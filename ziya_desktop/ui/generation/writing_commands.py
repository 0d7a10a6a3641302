"""The writing commands of the main window: draft from a template, continue, regenerate and switch alternatives,
rewrite a selection, sampling settings, and loading the model (or connecting to a server, see server_commands).

Everything that needs the tokenizer is packed into a prompt builder that runs in the engine's worker thread.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QFileDialog, QInputDialog, QMainWindow

from ziya_desktop import paths
from ziya_desktop.documents.front_matter import DocumentHead
from ziya_desktop.engine.engine import LoadOptions, LoadReport
from ziya_desktop.engine.interface import EngineReport
from ziya_desktop.engine.remote import RemoteReport
from ziya_desktop.engine.sampling import LLAMA_MAX_SEED, MODEL_CARD, SamplingParams
from ziya_desktop.ui.common.notice_bar import NoticeLevel
from ziya_desktop.ui.common.settings import ENGINE_KIND_KEY, settings
from ziya_desktop.ui.common.window_services import WindowServices
from ziya_desktop.ui.editor.text_positions import qt_to_py
from ziya_desktop.ui.generation.action_labels import plain_label, rewrite_labels
from ziya_desktop.ui.generation.engine_worker import EngineController
from ziya_desktop.ui.generation.generation import GenerationController, RunEnded, text_prompt_builder
from ziya_desktop.ui.generation.sampling_dialog import SamplingDialog
from ziya_desktop.ui.generation.server_commands import ServerCommands
from ziya_desktop.ui.templates.template_panel import DraftRequest, TemplatePanel
from ziya_desktop.writing.actions import ActionKind, build_action, suggested_answer_tokens
from ziya_desktop.writing.prompt_builder import PromptBuilder

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

MODEL_PATH_KEY = "model/path"
STATUS_INTERVAL_S = 0.25
SAMPLING_KEY = "sampling/default"
TEMPLATE_SAMPLING_PREFIX = "sampling/template/"
GONGWEN_CATEGORY = "gongwen"
# The rewrite review opens at this share of the window's width; the document keeps the rest.
REVIEW_WIDTH_SHARE = 0.34


class WritingCommands(QObject):
    """Writing commands of the window ``host``; reacts to the engine's and the generation's signals.

    Args:
        host: the window's documents, notice strip and status bar.
        engine: the engine's controller (load, unload).
        generation: runs the generations; its review is where a rewrite shows.
        templates: the template panel (the chosen template, its Draft button).
        review_dock: the dock holding the rewrite review, shown when a rewrite starts.
        open_model_library: opens the model library (offered when no model is loaded).

    Signals:
        layoutChanged(): a draft set the current document's export layout (公文 or plain).
    """

    layoutChanged = Signal()

    def __init__(
        self,
        host: WindowServices,
        *,
        engine: EngineController,
        generation: GenerationController,
        templates: TemplatePanel,
        review_dock: QDockWidget,
        open_model_library: Callable[[], object],
    ) -> None:
        super().__init__(host.window())
        self._host = host
        self._engine = engine
        self._generation = generation
        self._templates = templates
        self._review_dock = review_dock
        self._open_model_library = open_model_library
        self.report: EngineReport | None = None
        self.model_path: Path | None = None
        self._loading: Path | None = None
        # The model settings dialog of the model library will edit these; defaults are the engine's plan.
        self.load_options = LoadOptions()
        self._status_shown_at = 0.0
        self._no_model_notice = ""
        engine.loadProgress.connect(self._load_progress)
        engine.loaded.connect(self._loaded)
        engine.loadFailed.connect(self._load_failed)
        engine.unloaded.connect(self._unloaded)
        generation.started.connect(self._run_started)
        generation.progress.connect(self._run_progress)
        generation.windowed.connect(self._windowed)
        generation.ended.connect(self._run_ended)
        templates.draftRequested.connect(self.draft)
        generation.review.applyRequested.connect(self._review_done)
        generation.review.discarded.connect(self._review_done)
        # After the handlers above: it warns on the notice strip once the status bar says what is loaded.
        self.server = ServerCommands(host, engine, last_model=self._last_local_model)

    # -- model ---------------------------------------------------------------------------------------------------

    @property
    def n_ctx(self) -> int:
        return self.report.n_ctx if self.report is not None else LoadOptions().n_ctx

    def load_model_dialog(self) -> None:
        start = str(self.model_path.parent if self.model_path else paths.models_dir())
        name, _ = QFileDialog.getOpenFileName(
            self._host.window(), self.tr("Load Model"), start, self.tr("GGUF models (*.gguf);;All files (*)")
        )
        if name:
            self.load_model(Path(name))

    def load_model(self, path: Path) -> None:
        """Load ``path`` in the background; the editor stays usable and the status bar shows progress."""
        self._loading = path
        self._host.status.set_model(self.tr("Loading {name}…").format(name=path.name))
        self._engine.load(path, self.load_options)

    def connect_server_dialog(self) -> None:
        """Model ▸ Connect to Server…: write with an inference server instead of the model on this computer."""
        self.server.connect_dialog()

    def use_local_model(self) -> None:
        """Model ▸ Use Local Model: back to the in-process engine with the model used last (or choose one)."""
        if not self.load_last_local():
            self.load_model_dialog()

    def load_last_model(self) -> bool:
        """Reconnect to the server or load the model used last, whichever was in use, if it is still there."""
        return self.server.reconnect_last() or self.load_last_local()

    def load_last_local(self) -> bool:
        """Load the model file used last time, if it is still there."""
        path = self._last_local_model()
        if path is not None:
            self.load_model(path)
        return path is not None

    def _last_local_model(self) -> Path | None:
        stored = settings().value(MODEL_PATH_KEY, "")
        return Path(stored) if isinstance(stored, str) and stored and Path(stored).is_file() else None

    def unload_model(self) -> None:
        self._generation.stop()
        self._engine.unload()

    def _load_progress(self, fraction: float) -> None:
        name = self._loading.name if self._loading else ""
        self._host.status.set_model(
            self.tr("Loading {name}… {percent}%").format(name=name, percent=round(fraction * 100))
        )

    def _loaded(self, report: EngineReport) -> None:
        self.report = report
        if self._no_model_notice and self._host.notice.text().startswith(self._no_model_notice):
            self._host.notice.dismiss()  # it is not true any more
        if isinstance(report, RemoteReport):
            self.model_path = None
            self._host.status.set_model(
                lambda: self.tr("Remote: {model} at {host}").format(model=report.model, host=report.host),
                lambda: self.tr("Server {url} · context {n_ctx} tokens · connected in {seconds} s").format(
                    url=report.base_url, n_ctx=report.n_ctx, seconds=f"{report.seconds:.1f}"
                ),
            )
            self._host.status.set_context(0, report.n_ctx)
            return
        assert isinstance(report, LoadReport)
        self.model_path = self._loading
        settings().setValue(ENGINE_KIND_KEY, "local")
        name = self.model_path.stem if self.model_path else report.info.name
        self._host.status.set_model(
            f"{name} · {report.status}",
            lambda: self.tr("{threads} threads · context {n_ctx} tokens · loaded in {seconds} s").format(
                threads=report.threads, n_ctx=report.n_ctx, seconds=f"{report.seconds:.1f}"
            ),
        )
        if report.fell_back:
            self._host.notice.show_notice(
                self.tr("The GPU could not load the model, so it runs on the CPU (slower).")
                if report.plan.n_gpu_layers == 0
                else self.tr("The model did not fit on the GPU as planned and runs with fewer GPU layers."),
                hint=report.status,
                level=NoticeLevel.WARNING,
            )
        if self.model_path is not None:
            settings().setValue(MODEL_PATH_KEY, str(self.model_path))
        self._host.status.set_context(0, report.n_ctx)

    def _load_failed(self, message: str, hint: str) -> None:
        self.report = None
        self._host.status.set_model(lambda: self.tr("No model loaded"))
        if self.server.connecting is not None:  # (it forgets the server after this handler)
            text = self.tr("Could not connect to the server: {message}")
        else:
            text = self.tr("The model could not be loaded: {message}")
        self._host.show_error(text.format(message=message), hint)

    def _unloaded(self) -> None:
        self.report = None
        self._host.status.set_model(lambda: self.tr("No model loaded"))
        self._host.status.set_context(None, self.n_ctx)

    # -- guards --------------------------------------------------------------------------------------------------

    def _ready(self) -> bool:
        # A new command: what the window said about the last one no longer applies.
        self._host.notice.dismiss()
        if self._generation.busy:
            self._host.notice.show_notice(self.tr("The model is still writing. Stop it first (Esc)."))
            return False
        if self.report is None:
            self._no_model_notice = self.tr(
                "No model is loaded, so nothing can be generated yet. You can keep writing."
            )
            self._host.notice.show_notice(
                self._no_model_notice,
                hint=self.tr(
                    "Open the model library to download and convert Ziya-Writing, or to import a GGUF file you "
                    "already have. On the command line: ziya-convert CHECKPOINT_DIR --outfile "
                    "ziya-q4_k_m.gguf --outtype q4_k_m"
                ),
                level=NoticeLevel.WARNING,
                action_text=self.tr("Model Library…"),
                action=self._open_model_library,
            )
            return False
        return True

    # -- sampling ------------------------------------------------------------------------------------------------

    def sampling_for(self, template_id: str = "") -> SamplingParams:
        """The template's override when there is one, else the writer's default settings."""
        store = settings()
        for key in ((TEMPLATE_SAMPLING_PREFIX + template_id) if template_id else "", SAMPLING_KEY):
            raw = store.value(key, "") if key else ""
            if isinstance(raw, str) and raw:
                try:
                    values = json.loads(raw)
                    known = {f.name for f in fields(SamplingParams)}
                    return SamplingParams(**{k: v for k, v in values.items() if k in known})
                except (ValueError, TypeError, AttributeError) as exc:
                    log.warning("ignoring stored sampling settings %s: %s", key, exc)
        return MODEL_CARD

    def _store_sampling(self, key: str, params: SamplingParams | None) -> None:
        store = settings()
        if params is None:
            store.remove(key)
        else:
            store.setValue(key, json.dumps(asdict(params)))

    def edit_sampling(self) -> None:
        dialog = SamplingDialog(self._host.window())
        dialog.set_params(self.sampling_for())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._store_sampling(SAMPLING_KEY, dialog.params())

    def edit_template_sampling(self) -> None:
        template = self._templates.current_template()
        if template is None:
            self._host.notice.show_notice(self.tr("Choose a template in the Templates panel first."))
            return
        dialog = SamplingDialog(self._host.window())
        dialog.set_note(self.tr("Overrides for the template “{name}”").format(name=template.names.get(self._host.lang)))
        dialog.set_params(self.sampling_for(template.id))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._store_sampling(TEMPLATE_SAMPLING_PREFIX + template.id, dialog.params())

    # -- draft ---------------------------------------------------------------------------------------------------

    def generate(self) -> None:
        """Ctrl+Enter: in the template panel or into a blank document, draft from the chosen template; in the
        rewrite review, apply the checked changes; otherwise continue from the cursor."""
        focus = QApplication.focusWidget()
        if focus is not None and self._generation.review.isAncestorOf(focus):
            self._generation.review.apply_selected()
            return
        tab = self._host.current_tab()
        in_panel = focus is not None and self._templates.isAncestorOf(focus)
        blank = tab is not None and tab.is_blank()
        if (in_panel or blank) and self._templates.current_template() is not None:
            self._templates.request_draft()
        else:
            self.continue_writing()

    def draft(self, request: DraftRequest) -> None:
        """Lay out the template's fixed parts and stream the body between them."""
        if not self._ready():
            return
        current = self._host.current_tab()
        tab = current if current is not None and current.is_blank() else self._host.new_document()
        template = request.template
        header, footer = request.rendered.header.strip("\n"), request.rendered.footer.strip("\n")
        cursor = QTextCursor(tab.editor.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        if header:
            cursor.insertText(header + "\n\n")
        body = cursor.position()
        if footer:
            cursor.insertText("\n\n" + footer)
        cursor.endEditBlock()
        # The 公文 parts (发文字号, 标题, 主送, 附件, 署名 …) are the document's data, shown in the form beside it.
        layout: Literal["plain", "gongwen"] = "gongwen" if template.category == GONGWEN_CATEGORY else "plain"
        tab.set_head(DocumentHead(layout=layout, template=template.id, parts=request.rendered.gongwen_parts()))
        self.layoutChanged.emit()
        self._generation.insert(
            tab,
            body,
            text_prompt_builder(request.prompt),
            self.sampling_for(template.id),
            join_previous=bool(header or footer),
        )

    # -- continue, regenerate, alternatives ----------------------------------------------------------------------

    def continue_writing(self) -> None:
        tab = self._host.current_tab()
        if tab is None or not self._ready():
            return
        text = tab.text()
        position = tab.editor.textCursor().position()
        cursor = qt_to_py(text, position)
        sampling = self.sampling_for(tab.template_id)
        answer = suggested_answer_tokens(ActionKind.CONTINUE, 0, sampling.max_tokens)

        def build(tokenize: Callable[[str], list[int]], n_ctx: int) -> object:
            return build_action(
                ActionKind.CONTINUE,
                text=text,
                cursor=cursor,
                selection=None,
                tokenize=tokenize,
                n_ctx=n_ctx,
                answer_tokens=answer,
            )

        self._generation.insert(tab, position, _builder(build), sampling)

    def regenerate(self) -> None:
        tab = self._host.current_tab()
        if tab is None:
            return
        alternatives = tab.alternatives
        if alternatives is None or alternatives.builder is None or alternatives.sampling is None:
            self._host.notice.show_notice(self.tr("Nothing to regenerate yet: generate a passage first."))
            return
        if not self._ready():
            return
        start, end = alternatives.span()
        sampling = alternatives.sampling
        # A fixed seed would write the same text again; each alternative gets its own.
        seed = None if sampling.seed is None else (sampling.seed + len(alternatives.texts)) % (LLAMA_MAX_SEED + 1)
        self._generation.insert(
            tab, start, alternatives.builder, sampling.with_(seed=seed), replace_end=end, keep_alternatives=True
        )

    def switch_alternative(self, step: int) -> None:
        """Show the previous (-1) or next (+1) version of the last generated passage, as one undo step."""
        tab = self._host.current_tab()
        alternatives = tab.alternatives if tab is not None else None
        if tab is None or alternatives is None or len(alternatives.texts) < 2 or self._generation.busy:
            return
        alternatives.index = (alternatives.index + step) % len(alternatives.texts)
        start, end = alternatives.span()
        cursor = QTextCursor(tab.editor.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()
        cursor.insertText(alternatives.texts[alternatives.index])
        cursor.endEditBlock()
        alternatives.end.setPosition(cursor.position())
        self._host.statusBar().showMessage(
            self.tr("Alternative {index} of {count}").format(
                index=alternatives.index + 1, count=len(alternatives.texts)
            ),
            4000,
        )

    # -- rewrite a selection -------------------------------------------------------------------------------------

    def rewrite_selection(self, kind: object, instruction: str | None = None) -> None:
        """Polish/expand/shorten/formal/warm/translate/free-rewrite the selection; the result goes to the review."""
        kind = ActionKind(str(kind))
        tab = self._host.current_tab()
        if tab is None:
            return
        label = plain_label(rewrite_labels()[kind]).rstrip("…")
        qt_cursor = tab.editor.textCursor()
        if not qt_cursor.hasSelection():
            self._host.notice.show_notice(
                self.tr("Select the text first, then choose “{action}”.").format(action=label)
            )
            return
        if not self._ready():
            return
        if kind is ActionKind.REWRITE and instruction is None:
            instruction, accepted = QInputDialog.getText(
                self._host.window(), label, self.tr("How should the selection be rewritten?")
            )
            if not accepted or not instruction.strip():
                return
        start, end = qt_cursor.selectionStart(), qt_cursor.selectionEnd()
        text = tab.text()
        selection = (qt_to_py(text, start), qt_to_py(text, end))
        sampling = self.sampling_for(tab.template_id)
        given = instruction or ""

        def build(tokenize: Callable[[str], list[int]], n_ctx: int) -> object:
            selected_tokens = len(tokenize(text[selection[0] : selection[1]]))
            return build_action(
                kind,
                text=text,
                cursor=selection[1],
                selection=selection,
                tokenize=tokenize,
                n_ctx=n_ctx,
                answer_tokens=suggested_answer_tokens(kind, selected_tokens, sampling.max_tokens),
                instruction=given,
            )

        self._show_review()
        original = text[selection[0] : selection[1]]
        self._generation.rewrite(tab, start, end, original, label, _builder(build), sampling, source=text)

    def _show_review(self) -> None:
        """Open the review beside the document at about a third of the window: the text stays readable."""
        dock, window = self._review_dock, self._host.window()
        opening = dock.isHidden()
        dock.show()
        dock.raise_()
        if opening and isinstance(window, QMainWindow) and not dock.isFloating():
            width = max(dock.minimumSizeHint().width(), int(window.width() * REVIEW_WIDTH_SHARE))
            window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def _review_done(self, *_args: object) -> None:
        """Applied or discarded: the review has nothing left to act on; it goes, and the document gets its width."""
        self._review_dock.hide()
        self._generation.review.reset()

    # -- generation feedback -------------------------------------------------------------------------------------

    def _run_started(self, _mode: str) -> None:
        self._status_shown_at = 0.0
        self._host.status.set_speed(0.0, running=True)

    def _run_progress(self, chunks: int, tokens_per_s: float, context_used: int) -> None:
        # Progress comes once per token; relabelling the status bar that often costs the GUI thread more than the
        # text itself. A few updates a second read the same; the run's end shows the final figures.
        now = time.monotonic()
        if chunks > 1 and now - self._status_shown_at < STATUS_INTERVAL_S:
            return
        self._status_shown_at = now
        if chunks > 1:
            self._host.status.set_speed(tokens_per_s, running=True)
        self._host.status.set_context(context_used, self.n_ctx)

    def _windowed(self, dropped_chars: int) -> None:
        self._host.notice.show_notice(
            self.tr(
                "The document is longer than the model can read at once: it saw the text nearest the cursor, "
                "and {count} characters before that were left out."
            ).format(count=dropped_chars),
            level=NoticeLevel.INFO,
        )

    def _run_ended(self, end: RunEnded) -> None:
        stats = end.stats
        if stats is not None:
            self._host.status.set_speed(stats.tokens_per_s, running=False)
            self._host.status.set_context(stats.prompt_tokens + stats.generated_tokens, self.n_ctx)
        else:
            self._host.status.set_speed(None, running=False)  # it failed: no “▶ 0.0 tokens/s” left running
        if end.message:
            self._host.show_error(end.message, end.hint)
        tab = self._host.current_tab()
        if tab is not None:
            tab.editor.setFocus()


def _builder(build: Callable[[Callable[[str], list[int]], int], object]) -> PromptBuilder:
    # ActionRequest satisfies PreparedPrompt structurally; the closures are typed loosely to keep them short.
    return build  # type: ignore[return-value]


__all__ = ["WritingCommands"]
