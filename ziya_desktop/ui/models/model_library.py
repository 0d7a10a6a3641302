"""The model library window: the models on this computer, the catalog to download from, and the load settings.

The window composes the local models panel (:mod:`~ziya_desktop.ui.models.local_models_panel`), the catalog panel
(:mod:`~ziya_desktop.ui.models.model_catalog_panel`) and the load settings, owns what they show, and carries out the
writer's commands. Every slow step (checking the machine, scanning the models folder, copying a GGUF, converting a
checkpoint, downloading) runs as one of :mod:`~ziya_desktop.ui.models.model_jobs` in a
:class:`~ziya_desktop.ui.models.job_runner.JobRunner`; the window only shows progress, time left and a Cancel
button, and never blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from converters.atomic import format_bytes
from ziya_desktop import paths
from ziya_desktop.engine.engine import LoadOptions
from ziya_desktop.engine.hardware import HardwareInfo
from ziya_desktop.errors import CatalogError, ZiyaError
from ziya_desktop.models.catalog import CatalogModel, load_catalog
from ziya_desktop.models.convert_job import ConvertPlan
from ziya_desktop.models.fit import FitVerdict, recommend
from ziya_desktop.models.library import LocalModel, ModelLibrary
from ziya_desktop.ui.common.error_text import localized_hint
from ziya_desktop.ui.common.i18n import effective_language
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.common.tool_window import ToolWindow
from ziya_desktop.ui.models import model_dialogs
from ziya_desktop.ui.models.gpu_settings import GpuSettingsWidget
from ziya_desktop.ui.models.job_runner import Job, JobProgressPanel, JobRunner
from ziya_desktop.ui.models.local_models_panel import LocalModelsPanel
from ziya_desktop.ui.models.model_catalog_panel import CatalogEntry, ModelCatalogPanel
from ziya_desktop.ui.models.model_jobs import ScanResult, convert_job, download_job, import_gguf_job, plan_job, scan_job
from ziya_desktop.ui.models.model_tables import verdict_text

log = logging.getLogger(__name__)

OFFLINE_KEY = "network/offline"
GEOMETRY_KEY = "model_library/geometry"
# The window opens no larger than this the first time (80 % of the screen up to it), and may be made this small.
DEFAULT_CAP = QSize(1100, 860)
MINIMUM_SIZE = QSize(480, 360)


class ModelLibraryWindow(ToolWindow):
    """Lists, imports, converts, downloads and deletes models, and chooses how the model is loaded.

    Args:
        models_dir: the library folder (default: :func:`ziya_desktop.paths.models_dir`).
        catalog: the models on offer (default: the shipped catalog).
        hardware: this machine (default: probed in the background when the window opens).
        lang: ``zh`` or ``en`` for the catalog's quality notes (default: the UI language).

    Signals:
        useRequested(Path, LoadOptions): the writer pressed Use on a checked model; load it with these options.
        modelsChanged(): the scan of the models folder finished and the table shows its result.
        jobFinished(Path): a long job (import, conversion, download) succeeded; the new model's path.
    """

    useRequested = Signal(Path, LoadOptions)
    modelsChanged = Signal()
    jobFinished = Signal(Path)

    def __init__(
        self,
        *,
        models_dir: Path | None = None,
        catalog: Sequence[CatalogModel] | None = None,
        hardware: HardwareInfo | None = None,
        lang: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        # Its parts scroll in a small window rather than overlap; Close and Esc hide it, and it keeps its geometry.
        super().__init__(GEOMETRY_KEY, cap=DEFAULT_CAP, minimum=MINIMUM_SIZE, parent=parent)
        self.setObjectName("modelLibraryWindow")
        self.models_dir = Path(models_dir) if models_dir is not None else paths.models_dir()
        self.library = ModelLibrary(self.models_dir)
        self.catalog_problem = ""
        if catalog is not None:
            self.catalog: tuple[CatalogModel, ...] = tuple(catalog)
        else:
            try:
                self.catalog = load_catalog()
            except CatalogError as exc:
                # The models on disk stay usable; only downloading is off until the app is reinstalled.
                log.error("model catalog unusable: %s", exc)
                self.catalog, self.catalog_problem = (), f"{exc}\n{localized_hint(exc.hint)}"
        self.hardware = hardware
        self.lang = lang if lang is not None else effective_language()
        self.models: list[LocalModel] = []
        self._verdicts: list[FitVerdict | None] = []
        # One row per catalog file, in the catalog's order; the catalog does not change while the window is open.
        self._catalog_rows: list[CatalogEntry] = [(m, f.outtype) for m in self.catalog for f in m.files]
        self._after_job: Callable[[object], None] | None = None
        self._job_result: tuple[object] | None = None
        self._rescan = False
        self._select_after_scan: Path | None = None

        self.scanner = JobRunner("ZiyaModelScan", self)
        self.scanner.succeeded.connect(self._scanned)
        self.scanner.failed.connect(self._scan_failed)
        self.jobs = JobRunner("ZiyaModelJob", self)
        self.jobs.succeeded.connect(self._job_succeeded)
        self.jobs.failed.connect(self._job_ended_without_result)
        self.jobs.cancelled.connect(self._job_ended_without_result)
        self.jobs.ended.connect(self._job_ended)

        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_offline_row())
        layout.addWidget(self._build_local_panel(), 1)
        layout.addWidget(self._build_catalog_panel())
        self.progress = JobProgressPanel(self.jobs, self)
        layout.addWidget(self.progress)
        self.settings_group = QGroupBox(self)
        self.gpu_settings = GpuSettingsWidget(hardware, parent=self.settings_group)
        QVBoxLayout(self.settings_group).addWidget(self.gpu_settings)
        layout.addWidget(self.settings_group)
        self.retranslate()
        self.gpu_settings.optionsChanged.connect(lambda _o: self.refresh())

        app = QCoreApplication.instance()
        if app is not None:
            # A running QThread that is destroyed aborts the process: join the jobs before the app goes.
            app.aboutToQuit.connect(self.shutdown)
        self._fill_catalog()
        self._apply_offline()
        self.refresh()

    # -- building ------------------------------------------------------------------------------------------------

    def _build_offline_row(self) -> QHBoxLayout:
        self.offline_box = QCheckBox(self)
        self.offline_box.setObjectName("offlineMode")
        forced = paths.offline_mode()
        stored = settings().value(OFFLINE_KEY, False, type=bool)
        self.offline_box.setChecked(forced or bool(stored))
        self.offline_box.setEnabled(not forced)
        self.offline_box.toggled.connect(self._offline_toggled)
        self.offline_label = QLabel(self)
        self.offline_label.setObjectName("offlineLabel")
        self.offline_label.setStyleSheet("color: #b07a00; font-weight: bold;")
        self.hardware_label = QLabel(self)
        self.hardware_label.setObjectName("hardwareLabel")
        row = QHBoxLayout()
        row.addWidget(self.offline_box)
        row.addWidget(self.offline_label)
        row.addStretch(1)
        row.addWidget(self.hardware_label)
        return row

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._fill_local()
            self._fill_catalog()
            self._apply_offline()

    def retranslate(self) -> None:
        """Set the window's own texts in the current UI language (its panels retranslate themselves)."""
        self.setWindowTitle(self.tr("Model Library"))
        self.settings_group.setTitle(self.tr("Loading"))
        self.offline_box.setText(self.tr("Offline mode (never use the network)"))
        if paths.offline_mode():
            self.offline_box.setToolTip(self.tr("ZIYA_OFFLINE is set, so offline mode stays on."))
        self.offline_label.setText(self.tr("Offline: working from disk only"))
        if self.hardware is None or not self.hardware_label.text():
            self.hardware_label.setText(self.tr("Checking this computer…"))
        else:
            self._show_hardware()

    def set_language(self, lang: str) -> None:
        """Show the quality notes of the catalog in ``lang`` ("zh"/"en")."""
        self.lang = lang
        self._fill_catalog()

    def _build_local_panel(self) -> LocalModelsPanel:
        self.local_panel = panel = LocalModelsPanel(self)
        # The panel's widgets are the window's too: the commands below and their callers reach them by these names.
        self.local_table, self.empty_label = panel.table, panel.empty_label
        self.use_button, self.import_button = panel.use_button, panel.import_button
        self.checkpoint_button, self.delete_button = panel.checkpoint_button, panel.delete_button
        self.reveal_button = panel.reveal_button
        self.local_table.itemSelectionChanged.connect(self._sync_buttons)
        self.local_table.itemDoubleClicked.connect(lambda _i: self.use_selected())
        self.use_button.clicked.connect(self.use_selected)
        self.import_button.clicked.connect(self.import_gguf_dialog)
        self.checkpoint_button.clicked.connect(self.import_checkpoint_dialog)
        self.delete_button.clicked.connect(self.delete_selected)
        self.reveal_button.clicked.connect(self.reveal_selected)
        return panel

    def _build_catalog_panel(self) -> ModelCatalogPanel:
        self.catalog_panel = panel = ModelCatalogPanel(self)
        self.catalog_label, self.catalog_table = panel.catalog_label, panel.table
        self.download_button, self.download_note = panel.download_button, panel.download_note
        self.catalog_table.itemSelectionChanged.connect(self._sync_buttons)
        self.download_button.clicked.connect(self.download_selected)
        return panel

    # -- local models --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rescan the models folder in the background; ``modelsChanged`` follows."""
        if self.scanner.running:
            # The running scan used the old settings or missed a new file: scan again when it is done.
            self._rescan = True
            return
        self._rescan = False
        self.scanner.start(scan_job(self.library, self.hardware, self.gpu_settings.load_options().n_ctx))

    def _scanned(self, result: object) -> None:
        assert isinstance(result, ScanResult)
        hw, models, verdicts = result.hardware, result.models, result.verdicts
        if self.hardware is None:
            self.hardware = hw
            self.gpu_settings.set_hardware(hw)
        self._show_hardware()
        self.models, self._verdicts = list(models), list(verdicts)
        self._fill_local()
        self._fill_catalog()
        self.modelsChanged.emit()
        if self._rescan:
            self.scanner.ended.connect(self._rescan_once, Qt.ConnectionType.SingleShotConnection)

    def _rescan_once(self) -> None:
        self.refresh()

    def _scan_failed(self, message: str, hint: str) -> None:
        self._show_result(self.tr("The models folder could not be read: {message}").format(message=message), hint)

    def _show_hardware(self) -> None:
        hw = self.hardware
        if hw is None:
            return
        ram = format_bytes(hw.total_ram)
        if hw.gpu_offload and hw.gpus:
            gpu = max(hw.gpus, key=lambda g: g.free_bytes)
            text = self.tr("This computer: {gpu} ({free} of GPU memory free), {ram} RAM").format(
                gpu=gpu.description or gpu.name, free=format_bytes(gpu.free_bytes), ram=ram
            )
        else:
            text = self.tr("This computer: no GPU, {cores} cores, {ram} RAM").format(cores=hw.physical_cores, ram=ram)
        self.hardware_label.setText(text)

    def _fill_local(self) -> None:
        selected = self._select_after_scan or (m.path if (m := self.selected_model()) is not None else None)
        self._select_after_scan = None
        self.local_panel.show_models(self.models, self._verdicts, Path(selected) if selected is not None else None)
        self._sync_buttons()

    def selected_model(self) -> LocalModel | None:
        rows = self.local_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.models):
            return None
        return self.models[rows[0].row()]

    def select_model(self, path: Path) -> bool:
        """Select the row of ``path``; False when it is not listed."""
        for row, model in enumerate(self.models):
            if Path(model.path) == Path(path):
                self.local_table.selectRow(row)
                return True
        return False

    def use_selected(self) -> None:
        """Emit ``useRequested`` for the selected model when it passed the check."""
        model = self.selected_model()
        if model is not None and model.valid:
            self.useRequested.emit(Path(model.path), self.gpu_settings.load_options())

    def reveal_selected(self) -> None:
        model = self.selected_model()
        if model is None:
            return
        folder = self.library.reveal_path(model)
        folder = folder if folder.is_dir() else folder.parent
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._show_result(self.tr("No file manager could be opened for {folder}.").format(folder=folder))

    # Asked through the window, so tests can answer it.
    confirm_delete = model_dialogs.confirm_delete

    def delete_selected(self) -> None:
        model = self.selected_model()
        if model is None or self.jobs.running or not self.confirm_delete(model):
            return
        try:
            self.library.delete(model)
        except ZiyaError as exc:
            self._show_result(
                self.tr("“{name}” could not be deleted: {error}").format(name=model.name, error=exc),
                exc.hint,
                error=True,
            )
        else:
            self._show_result(self.tr("Deleted: {name}").format(name=model.name))
        self.refresh()

    # -- imports -------------------------------------------------------------------------------------------------

    # Asked through the window, so tests can answer them.
    ask_import_mode = model_dialogs.ask_import_mode
    confirm_plan = model_dialogs.confirm_plan

    def import_gguf_dialog(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import GGUF"), str(Path.home()), self.tr("GGUF models (*.gguf);;All files (*)")
        )
        if name:
            mode = self.ask_import_mode(Path(name))
            if mode is not None:
                self.import_gguf(Path(name), mode)

    def import_gguf(self, path: Path, mode: str) -> bool:
        """Copy or link ``path`` into the library in the background; False while another job runs."""
        title = self.tr("Copying {name}…") if mode == "copy" else self.tr("Linking {name}…")
        job = import_gguf_job(self.library, path, mode)
        return self._start_job(job, title.format(name=path.name), self._job_added_model)

    def import_checkpoint_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import Checkpoint Folder"), str(Path.home()))
        if not folder:
            return
        outtype = model_dialogs.ask_outtype(self, self._recommended_outtype())
        if outtype is not None:
            self.import_checkpoint(Path(folder), outtype)

    def _recommended_outtype(self) -> str:
        if self.catalog:
            if self.hardware is not None:
                return recommend(self.catalog[0].files, self.hardware, n_layer=self.catalog[0].n_layer).outtype
            return self.catalog[0].recommended.outtype
        return "q4_k_m"

    def import_checkpoint(self, folder: Path, outtype: str) -> bool:
        """Plan converting ``folder`` in the background, confirm the disk use, then convert; False when busy."""
        title = self.tr("Reading the checkpoint in {folder}…").format(folder=folder.name)
        return self._start_job(plan_job(folder, outtype, self.models_dir), title, self._plan_ready)

    def _plan_ready(self, result: object) -> None:
        assert isinstance(result, ConvertPlan)
        plan = result
        if not plan.fits:
            self._show_result(
                self.tr(
                    "Not enough disk space: converting to {outtype} needs about {needed}, only {free} is free."
                ).format(
                    outtype=plan.outtype.upper(),
                    needed=format_bytes(plan.needed_bytes),
                    free=format_bytes(plan.free_bytes),
                ),
                self.tr("Free some disk space or choose a smaller file type."),
            )
            return
        if not self.confirm_plan(plan):
            self._show_result(self.tr("Conversion not started."))
            return
        title = self.tr("Converting {folder} to {outtype}…").format(
            folder=plan.checkpoint_dir.name, outtype=plan.outtype.upper()
        )
        self._start_job(convert_job(plan), title, self._job_added_model)

    # -- catalog -------------------------------------------------------------------------------------------------

    def _fill_catalog(self) -> None:
        self.catalog_panel.show_catalog(
            self.catalog,
            problem=self.catalog_problem,
            hardware=self.hardware,
            lang=self.lang,
            select=self.selected_catalog_entry(),
        )
        self._sync_buttons()

    def selected_catalog_entry(self) -> CatalogEntry | None:
        rows = self.catalog_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._catalog_rows):
            return None
        return self._catalog_rows[rows[0].row()]

    def select_catalog_entry(self, outtype: str) -> bool:
        for row, (_model, entry) in enumerate(self._catalog_rows):
            if entry == outtype:
                self.catalog_table.selectRow(row)
                return True
        return False

    @property
    def offline(self) -> bool:
        return self.offline_box.isChecked()

    def _offline_toggled(self, checked: bool) -> None:
        store = settings()
        store.setValue(OFFLINE_KEY, checked)
        store.sync()
        self._apply_offline()

    def _apply_offline(self) -> None:
        self.offline_label.setVisible(self.offline)
        self.catalog_panel.show_offline(self.offline)
        self._sync_buttons()

    def download_selected(self) -> bool:
        """Download, convert and register the selected catalog entry in the background; False when not started."""
        entry = self.selected_catalog_entry()
        if entry is None or self.offline:
            return False
        model, outtype = entry
        title = self.tr("Downloading and converting {name} to {outtype}…").format(
            name=model.name, outtype=outtype.upper()
        )
        return self._start_job(download_job(model, outtype, self.models_dir), title, self._job_added_model)

    # -- jobs ----------------------------------------------------------------------------------------------------

    def _start_job(self, job: Job, title: str, after: Callable[[object], None]) -> bool:
        if self.jobs.running:
            return False
        self._after_job = after
        self.progress.begin(title)
        started = self.jobs.start(job)
        self._sync_buttons()
        return started

    def cancel_job(self) -> None:
        """Stop the running job (as its Cancel button does); it cleans up before ``cancelled`` arrives."""
        self.progress.cancel()

    def _job_succeeded(self, result: object) -> None:
        self._job_result = (result,)

    def _job_ended(self) -> None:
        # The follow-up runs once the runner is free, so it may start the next job (plan → convert).
        after, self._after_job = self._after_job, None
        outcome, self._job_result = self._job_result, None
        self._sync_buttons()
        if after is not None and outcome is not None:
            after(outcome[0])

    def _job_added_model(self, result: object) -> None:
        path = Path(str(result))
        self._show_result(self.tr("Ready: {name}").format(name=path.name))
        self._select_after_scan = path
        self.refresh()
        self.jobFinished.emit(path)

    def _job_ended_without_result(self) -> None:
        self.refresh()

    def _show_result(self, message: str, hint: str = "", *, error: bool = False) -> None:
        self.progress.show_result(message, hint, error=error)

    def _sync_buttons(self) -> None:
        busy = self.jobs.running
        model = self.selected_model()
        self.use_button.setEnabled(model is not None and model.valid)
        self.delete_button.setEnabled(model is not None and not busy)
        self.reveal_button.setEnabled(model is not None)
        self.import_button.setEnabled(not busy)
        self.checkpoint_button.setEnabled(not busy)
        self.download_button.setEnabled(not busy and not self.offline and self.selected_catalog_entry() is not None)

    def shutdown(self) -> None:
        """Cancel a running job and join the worker threads; call before the window is destroyed or at exit.

        Closing the window only hides it, so a download keeps going while the writer works on.
        """
        if self.isVisible():
            self.remembered_geometry.save()
        self.jobs.shutdown()
        self.scanner.shutdown()


__all__ = ["ModelLibraryWindow", "verdict_text"]
