"""New Evaluation Run…: pick two or more GGUF models (from the model library or files) and a prompt set (the
built-in one or a file), then make every answer in the background, with a progress bar and Stop.

The answers are made by :func:`ziya_desktop.evaluation.runner.run_answers` in a worker thread
(:class:`~ziya_desktop.ui.models.job_runner.JobRunner`); that worker loads each contender's model into an engine
of its own, one model after the other. The editor's model is unloaded first (the writer is asked): a 13B model
takes about 8 GB at Q4_K_M and 14 GB at Q8_0, and two of them at once do not fit most machines, while one at a
time does. Every answer is on disk the moment it is made, so Stop (or closing the dialog) loses at most the answer
in progress; choosing the same folder again resumes the run with only the missing answers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop import paths
from ziya_desktop.engine import api_keys
from ziya_desktop.engine.engine import LoadOptions
from ziya_desktop.engine.remote import RemoteTarget
from ziya_desktop.engine.remote_http import parse_base_url
from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.errors import ZiyaError
from ziya_desktop.evaluation.contenders import Contender
from ziya_desktop.evaluation.prompt_sets import builtin_prompt_set, load_prompt_set
from ziya_desktop.evaluation.run_store import RUN_FILE, EvalRun
from ziya_desktop.evaluation.runner import local_engine_factory, run_answers
from ziya_desktop.models.convert_job import JobProgress, JobProgressCallback
from ziya_desktop.models.library import ModelLibrary
from ziya_desktop.ui.common.error_text import error_message, localized_hint
from ziya_desktop.ui.generation.server_commands import offline_setting
from ziya_desktop.ui.models.gpu_settings import stored_load_options
from ziya_desktop.ui.models.job_runner import JobRunner
from ziya_desktop.ui.models.server_dialog import ServerDialog

log = logging.getLogger(__name__)

_UNSAFE_NAME = re.compile(r"[,:=/\s]+")
# An item of the models list that is a server, not a file: its data is this prefix and the server's key.
_SERVER = "server:"


def contender_names(models: list[Path | str]) -> list[str]:
    """A short name per model, unique within the run: the file's stem (or the text given for a server) without the
    characters a contender's name may not hold (``tiny-q4_k_m``, ``tiny-q4_k_m-2`` for a second of the same name)."""
    names: list[str] = []
    for model in models:
        stem = model.stem if isinstance(model, Path) else model
        base = _UNSAFE_NAME.sub("-", stem).strip("-")[:60] or "model"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base}-{n}"
        names.append(name)
    return names


class NewRunDialog(QDialog):
    """Make (or resume) a run's answers.

    Args:
        editor_model_loaded: whether the editor has a model in memory now.
        unload_editor_model: unloads it (asked first, see :meth:`confirm_unload`).
        load_options: how the worker loads each model (default: the GPU settings of the model library).

    Signals:
        runReady(Path): every answer of the run in that folder is made; the Judge… button opens it.

    Attributes:
        folder_edit, models_list, prompts_combo, seed_spin, max_tokens_spin: the choices; progress_bar,
        status_label, start_button, stop_button, judge_button: the run; runner: the worker; run: the run made.
    """

    runReady = Signal(Path)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        editor_model_loaded: Callable[[], bool] = lambda: False,
        unload_editor_model: Callable[[], None] = lambda: None,
        load_options: LoadOptions | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newEvaluationRun")
        # Room for a run folder's path and a server's model name without cutting them.
        self.setMinimumWidth(600)
        self._editor_model_loaded = editor_model_loaded
        self._unload_editor_model = unload_editor_model
        self._load_options = load_options
        self.run: EvalRun | None = None
        self._prompt_file: Path | None = None
        # The servers listed, by their item's key; their API keys stay here, never in the run's files.
        self._servers: dict[str, RemoteTarget] = {}
        self.runner = JobRunner("ZiyaEvalRun", self)
        self.runner.progress.connect(self._progress)
        self.runner.succeeded.connect(self._succeeded)
        self.runner.failed.connect(self._failed)
        self.runner.cancelled.connect(self._stopped)
        self.runner.ended.connect(self._sync_buttons)

        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        self.folder_edit = QLineEdit(str(paths.data_dir() / "evaluations" / f"run-{stamp}"), self)
        self.folder_button = QPushButton(self)
        self.folder_button.clicked.connect(self._choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        self.models_list = QListWidget(self)
        self.models_list.setObjectName("evaluationModels")
        self.add_model_button = QPushButton(self)
        self.add_model_button.clicked.connect(self._choose_model_file)
        self.add_server_button = QPushButton(self)
        self.add_server_button.clicked.connect(self._choose_server)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_model_button)
        add_row.addWidget(self.add_server_button)
        add_row.addStretch(1)
        self.prompts_combo = QComboBox(self)
        self.prompts_combo.setObjectName("promptSet")
        self.prompts_button = QPushButton(self)
        self.prompts_button.clicked.connect(self._choose_prompt_file)
        prompts_row = QHBoxLayout()
        prompts_row.addWidget(self.prompts_combo, 1)
        prompts_row.addWidget(self.prompts_button)
        self.seed_spin = QSpinBox(self)
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setValue(1234)
        self.max_tokens_spin = QSpinBox(self)
        self.max_tokens_spin.setRange(1, 8192)
        self.max_tokens_spin.setValue(MODEL_CARD.max_tokens)
        self.form = QFormLayout()
        self.form.addRow("", folder_row)
        self.form.addRow("", self.models_list)
        self.form.addRow("", add_row)
        self.form.addRow("", prompts_row)
        self.form.addRow("", self.seed_spin)
        self.form.addRow("", self.max_tokens_spin)

        self.memory_note = QLabel(self)
        self.memory_note.setWordWrap(True)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("runStatus")
        self.status_label.setWordWrap(True)
        self.start_button, self.stop_button = QPushButton(self), QPushButton(self)
        self.judge_button, self.close_button = QPushButton(self), QPushButton(self)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.judge_button.clicked.connect(self._judge)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.judge_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        column = QVBoxLayout(self)
        column.addLayout(self.form)
        column.addWidget(self.memory_note)
        column.addWidget(self.progress_bar)
        column.addWidget(self.status_label)
        column.addLayout(buttons)
        self._fill_models()
        self.retranslate()
        self._sync_buttons()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """Set the texts in the current UI language."""
        self.setWindowTitle(self.tr("New Evaluation Run"))
        labels = [
            self.tr("Run folder:"),
            self.tr("Models (tick two or more):"),
            "",
            self.tr("Prompt set:"),
            self.tr("Seed:"),
            self.tr("Max new tokens:"),
        ]
        for row, text in enumerate(labels):
            label = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if label is not None and isinstance(label.widget(), QLabel):
                label.widget().setText(text)  # type: ignore[union-attr]
            elif text:
                self.form.setWidget(row, QFormLayout.ItemRole.LabelRole, QLabel(text, self))
        self.folder_button.setText(self.tr("Browse…"))
        self.add_model_button.setText(self.tr("Add Model File…"))
        self.add_server_button.setText(self.tr("Add Server…"))
        self.prompts_button.setText(self.tr("Prompt File…"))
        current = self.prompts_combo.currentIndex()
        self.prompts_combo.clear()
        self.prompts_combo.addItem(self.tr("Built-in writing instructions"))
        if self._prompt_file is not None:
            self.prompts_combo.addItem(str(self._prompt_file))
        self.prompts_combo.setCurrentIndex(max(current, 0))
        self.memory_note.setText(
            self.tr(
                "Each model is loaded in turn, in an engine of its own. The editor's model is unloaded first: two "
                "13B models in memory at once do not fit most computers. A folder that holds a run resumes it."
            )
        )
        self.start_button.setText(self.tr("&Start"))
        self.stop_button.setText(self.tr("S&top"))
        self.judge_button.setText(self.tr("&Judge…"))
        self.close_button.setText(self.tr("Close"))

    # -- choices -------------------------------------------------------------------------------------------------

    def _fill_models(self) -> None:
        try:
            models = [m for m in ModelLibrary().scan() if m.valid]
        except (OSError, ZiyaError) as exc:  # an unreadable models folder: files can still be added by hand
            log.warning("model library not listed: %s", exc)
            models = []
        for model in models:
            self.add_model(model.path, checked=False, label=f"{model.name} ({model.file_type})")

    def add_model(self, path: Path, *, checked: bool = True, label: str = "") -> QListWidgetItem:
        """List ``path`` among the models (ticked by default); a path listed already is only ticked."""
        for row in range(self.models_list.count()):
            item = self.models_list.item(row)
            if Path(item.data(Qt.ItemDataRole.UserRole)) == path:
                item.setCheckState(Qt.CheckState.Checked if checked else item.checkState())
                return item
        item = QListWidgetItem(label or str(path), self.models_list)
        item.setData(Qt.ItemDataRole.UserRole, str(path))
        item.setToolTip(str(path))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        return item

    def add_server(self, target: RemoteTarget) -> QListWidgetItem:
        """List the model ``target`` serves (ticked) as a contender; its answers come from the server."""
        key = f"{_SERVER}{target.base_url}#{target.model}"
        self._servers[key] = target
        host = parse_base_url(target.base_url).netloc
        label = self.tr("{model} on the server {host}").format(
            model=target.model or self.tr("the first model"), host=host
        )
        for row in range(self.models_list.count()):
            item = self.models_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                item.setCheckState(Qt.CheckState.Checked)
                return item
        item = QListWidgetItem(label, self.models_list)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setToolTip(target.base_url)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        return item

    def checked_servers(self) -> list[RemoteTarget]:
        return [self._servers[key] for key in self._checked_data() if key.startswith(_SERVER)]

    def _checked_data(self) -> list[str]:
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for row in range(self.models_list.count())
            if (item := self.models_list.item(row)).checkState() == Qt.CheckState.Checked
        ]

    def _choose_server(self) -> None:
        dialog = ServerDialog(self, offline=offline_setting(), keyring=api_keys.keyring_usable())
        if dialog.exec() == ServerDialog.DialogCode.Accepted:
            self.add_server(dialog.target())

    def set_prompt_file(self, path: Path | None) -> None:
        """Use the prompt set in ``path`` (None: the built-in set)."""
        self._prompt_file = path
        self.retranslate()
        self.prompts_combo.setCurrentIndex(1 if path is not None else 0)

    def checked_models(self) -> list[Path]:
        """The ticked model files (servers: :meth:`checked_servers`)."""
        return [Path(data) for data in self._checked_data() if not data.startswith(_SERVER)]

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Run Folder"), self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)

    def _choose_model_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Add Model File"), str(paths.models_dir()), self.tr("GGUF models (*.gguf)")
        )
        if chosen:
            self.add_model(Path(chosen))

    def _choose_prompt_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Prompt File"), "", self.tr("Prompt sets (*.jsonl *.toml)")
        )
        if chosen:
            self.set_prompt_file(Path(chosen))

    # -- running -------------------------------------------------------------------------------------------------

    def confirm_unload(self) -> bool:
        """Ask whether to unload the editor's model (a method, so tests can answer it)."""
        answer = QMessageBox.question(
            self,
            self.tr("Unload the editor's model?"),
            self.tr(
                "The evaluation loads its models one after the other. The editor's model is unloaded first so that "
                "two models are never in memory at once; load it again when the run is done."
            ),
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Ok,
        )
        return answer == QMessageBox.StandardButton.Ok

    def prepare_run(self) -> EvalRun:
        """The run in the chosen folder: opened when it holds one (to resume), else made from the choices.

        Raises:
            ZiyaError: fewer than two models, a prompt file or folder that cannot be used.
        """
        folder = Path(self.folder_edit.text().strip()).expanduser()
        if (folder / RUN_FILE).is_file():
            return EvalRun.open(folder)
        sampling = MODEL_CARD.with_(max_tokens=self.max_tokens_spin.value())
        models, servers = self.checked_models(), self.checked_servers()
        bases: list[Path | str] = [
            *models,
            *(f"{s.model or 'server'}-{parse_base_url(s.base_url).host}" for s in servers),
        ]
        names = contender_names(bases)
        seed = self.seed_spin.value()
        contenders = [
            Contender(name, model=path, sampling=sampling, seed=seed) for name, path in zip(names, models, strict=False)
        ] + [
            Contender(name, server=s.base_url, server_model=s.model, sampling=sampling, seed=seed)
            for name, s in zip(names[len(models) :], servers, strict=True)
        ]
        prompts = builtin_prompt_set() if self._prompt_file is None or self.prompts_combo.currentIndex() == 0 else (
            load_prompt_set(self._prompt_file)
        )  # fmt: skip
        return EvalRun.create(folder, prompts, contenders)

    def start(self) -> bool:
        """Make the run's missing answers in the background; False (with the reason shown) when it cannot start."""
        if self.runner.running:
            return False
        try:
            run = self.prepare_run()
        except ZiyaError as exc:  # bad choices: said in the dialog, nothing started
            self._say(error_message(exc), localized_hint(exc.hint), error=True)
            return False
        if self._editor_model_loaded():
            if not self.confirm_unload():
                return False
            self._unload_editor_model()
        self.run = run
        options = self._load_options if self._load_options is not None else stored_load_options()
        keys = {s.base_url: s.api_key for s in self.checked_servers() if s.api_key}
        factory = local_engine_factory(options, api_key_for=lambda url: keys.get(url, ""))

        def job(progress: JobProgressCallback, cancel: threading.Event) -> int:
            def report(done: int, total: int, label: str) -> None:
                progress(JobProgress("answers", done / total if total else 1.0, None, f"{done}|{total}|{label}"))

            return run_answers(run, progress=report, cancel=cancel, engine_factory=factory)

        self.runner.start(job)
        self._say(self.tr("Starting…"))
        self._sync_buttons()
        return True

    def stop(self) -> None:
        """Stop after the answer in progress (which is dropped); what was made stays for a resume."""
        if self.runner.running:
            self.stop_button.setEnabled(False)
            self._say(self.tr("Stopping…"))
            self.runner.cancel()

    def _progress(self, report: JobProgress) -> None:
        done, total, label = report.message.split("|", 2)
        self.progress_bar.setRange(0, max(int(total), 1))
        self.progress_bar.setValue(int(done))
        if label.startswith("loading "):
            text = self.tr("Loading {name}…").format(name=label.removeprefix("loading "))
        else:
            text = self.tr("{done} of {total} answers made (last: {label})").format(done=done, total=total, label=label)
        if self.stop_button.isEnabled():
            self._say(text)

    def _succeeded(self, made: object) -> None:
        run = self.run
        if run is None:
            return
        missing = len(run.missing())
        if missing:
            self._say(
                self.tr("Stopped with {missing} answers still to make; Start resumes the run.").format(missing=missing)
            )
            return
        total = len(run.contenders) * len(run.prompt_set.prompts)
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(total)
        self._say(
            self.tr("All {total} answers are made ({made} now). Judge them with Judge…").format(total=total, made=made)
        )
        self.runReady.emit(run.folder)

    def _failed(self, message: str, hint: str) -> None:
        self._say(self.tr("Failed: {message}").format(message=message), localized_hint(hint), error=True)

    def _stopped(self) -> None:
        self._say(self.tr("Stopped. The answers made so far are kept; Start resumes the run."))

    def _judge(self) -> None:
        if self.run is not None:
            self.runReady.emit(self.run.folder)

    def _sync_buttons(self) -> None:
        running = self.runner.running
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.judge_button.setEnabled(not running and self.run is not None and not self.run.missing())
        for widget in (self.folder_edit, self.models_list, self.prompts_combo, self.seed_spin, self.max_tokens_spin):
            widget.setEnabled(not running)

    def _say(self, message: str, hint: str = "", *, error: bool = False) -> None:
        self.status_label.setText(f"{message}\n{hint}" if hint else message)
        self.status_label.setStyleSheet("color: #c0392b;" if error else "")

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing stops the run between answers; the thread is joined, never terminated.
        self.runner.shutdown()
        super().closeEvent(event)
