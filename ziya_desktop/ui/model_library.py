"""The model library window: the models on this computer, the catalog to download from, and the load settings.

Every slow step (checking the machine, scanning the models folder, copying a GGUF, converting a checkpoint,
downloading) runs in a :class:`~ziya_desktop.ui.job_runner.JobRunner`; the window only shows progress, time left
and a Cancel button, and never blocks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from converters.atomic import format_bytes
from converters.hf_to_gguf import OUTTYPE_SIZE_VS_F16
from ziya_desktop import paths
from ziya_desktop.engine.hardware import HardwareInfo, probe
from ziya_desktop.errors import CatalogError, ZiyaError
from ziya_desktop.models.catalog import CatalogModel, load_catalog
from ziya_desktop.models.convert_job import ConvertPlan, JobProgress, JobProgressCallback, ProgressClock
from ziya_desktop.models.fit import FitVerdict, assess, recommend
from ziya_desktop.models.library import LocalModel, ModelLibrary
from ziya_desktop.ui.gpu_settings import GpuSettingsWidget
from ziya_desktop.ui.i18n import effective_language
from ziya_desktop.ui.job_runner import Job, JobProgressPanel, JobRunner
from ziya_desktop.ui.settings import settings

log = logging.getLogger(__name__)

OFFLINE_KEY = "network/offline"
_CONTEXT = "ModelLibraryWindow"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def verdict_text(verdict: FitVerdict) -> str:
    """ "fits on GPU", "partly on GPU (N of 41 layers)", "CPU" or "too big", translated."""
    if verdict.verdict == "fits_gpu":
        return _tr("fits on GPU")
    if verdict.verdict == "partial":
        return _tr("partly on GPU ({layers} of {total} layers)").format(
            layers=verdict.gpu_layers, total=verdict.n_layer + 1
        )
    if verdict.verdict == "cpu":
        return _tr("CPU")
    return _tr("too big")


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _table(headers: Sequence[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


@dataclass(frozen=True)
class _ScanResult:
    hardware: HardwareInfo
    models: list[LocalModel]
    verdicts: list[FitVerdict | None]


class ModelLibraryWindow(QWidget):
    """Lists, imports, converts, downloads and deletes models, and chooses how the model is loaded.

    Args:
        models_dir: the library folder (default: :func:`ziya_desktop.paths.models_dir`).
        catalog: the models on offer (default: the shipped catalog).
        hardware: this machine (default: probed in the background when the window opens).
        lang: ``zh`` or ``en`` for the catalog's quality notes (default: the UI language).

    Signals:
        useRequested(Path, LoadOptions): the writer pressed Use on a checked model; load it with these options.
        modelsChanged(): the scan of the models folder finished and the table shows its result.
        jobFinished(object): a long job (import, conversion, download) succeeded; the new model's path.
    """

    useRequested = Signal(Path, object)
    modelsChanged = Signal()
    jobFinished = Signal(object)

    def __init__(
        self,
        *,
        models_dir: Path | None = None,
        catalog: Sequence[CatalogModel] | None = None,
        hardware: HardwareInfo | None = None,
        lang: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("modelLibraryWindow")
        self.setWindowTitle(self.tr("Model Library"))
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
                self.catalog, self.catalog_problem = (), f"{exc}\n{exc.hint}"
        self.hardware = hardware
        self.lang = lang if lang is not None else effective_language()
        self.models: list[LocalModel] = []
        self._verdicts: list[FitVerdict | None] = []
        self._catalog_rows: list[tuple[CatalogModel, str]] = []
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

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_offline_row())
        layout.addWidget(self._build_local_group(), 1)
        layout.addWidget(self._build_catalog_group())
        self.progress = JobProgressPanel(self.jobs, self)
        layout.addWidget(self.progress)
        settings_group = QGroupBox(self.tr("Loading"), self)
        self.gpu_settings = GpuSettingsWidget(hardware, parent=settings_group)
        QVBoxLayout(settings_group).addWidget(self.gpu_settings)
        layout.addWidget(settings_group)
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
        self.offline_box = QCheckBox(self.tr("Offline mode (never use the network)"), self)
        self.offline_box.setObjectName("offlineMode")
        forced = paths.offline_mode()
        stored = settings().value(OFFLINE_KEY, False, type=bool)
        self.offline_box.setChecked(forced or bool(stored))
        if forced:
            self.offline_box.setEnabled(False)
            self.offline_box.setToolTip(self.tr("ZIYA_OFFLINE is set, so offline mode stays on."))
        self.offline_box.toggled.connect(self._offline_toggled)
        self.offline_label = QLabel(self.tr("Offline: working from disk only"), self)
        self.offline_label.setObjectName("offlineLabel")
        self.offline_label.setStyleSheet("color: #b07a00; font-weight: bold;")
        self.hardware_label = QLabel(self.tr("Checking this computer…"), self)
        self.hardware_label.setObjectName("hardwareLabel")
        row = QHBoxLayout()
        row.addWidget(self.offline_box)
        row.addWidget(self.offline_label)
        row.addStretch(1)
        row.addWidget(self.hardware_label)
        return row

    def _build_local_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Models on this computer"), self)
        headers = [
            self.tr("Name"),
            self.tr("File type"),
            self.tr("Size"),
            self.tr("Valid"),
            self.tr("On this computer"),
            self.tr("Location"),
        ]
        self.local_table = _table(headers, group)
        self.local_table.setObjectName("localModels")
        self.local_table.itemSelectionChanged.connect(self._sync_buttons)
        self.local_table.itemDoubleClicked.connect(lambda _i: self.use_selected())
        self.empty_label = QLabel(
            self.tr("No models yet. Download one below, or import a GGUF file or a checkpoint folder."), group
        )
        self.empty_label.setWordWrap(True)
        self.use_button = QPushButton(self.tr("Use"), group)
        self.use_button.setDefault(True)
        self.import_button = QPushButton(self.tr("Import GGUF…"), group)
        self.checkpoint_button = QPushButton(self.tr("Import Checkpoint Folder…"), group)
        self.delete_button = QPushButton(self.tr("Delete…"), group)
        self.reveal_button = QPushButton(self.tr("Show in File Manager"), group)
        self.use_button.clicked.connect(self.use_selected)
        self.import_button.clicked.connect(self.import_gguf_dialog)
        self.checkpoint_button.clicked.connect(self.import_checkpoint_dialog)
        self.delete_button.clicked.connect(self.delete_selected)
        self.reveal_button.clicked.connect(self.reveal_selected)
        buttons = QHBoxLayout()
        for button in (self.use_button, self.import_button, self.checkpoint_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.delete_button)
        column = QVBoxLayout(group)
        column.addWidget(self.local_table, 1)
        column.addWidget(self.empty_label)
        column.addLayout(buttons)
        return group

    def _build_catalog_group(self) -> QGroupBox:
        group = QGroupBox(self.tr("Download and convert"), self)
        self.catalog_label = QLabel(group)
        self.catalog_label.setWordWrap(True)
        self.catalog_label.setTextFormat(Qt.TextFormat.PlainText)
        headers = [self.tr("File type"), self.tr("Size"), self.tr("Quality"), self.tr("On this computer")]
        self.catalog_table = _table(headers, group)
        self.catalog_table.setObjectName("catalogFiles")
        self.catalog_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.catalog_table.horizontalHeader().setStretchLastSection(False)
        self.catalog_table.itemSelectionChanged.connect(self._sync_buttons)
        self.download_button = QPushButton(self.tr("Download && Convert"), group)
        self.download_button.setObjectName("downloadButton")
        self.download_button.clicked.connect(self.download_selected)
        self.download_note = QLabel(group)
        self.download_note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.download_button)
        row.addWidget(self.download_note, 1)
        column = QVBoxLayout(group)
        column.addWidget(self.catalog_label)
        column.addWidget(self.catalog_table, 1)
        column.addLayout(row)
        return group

    # -- local models --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Rescan the models folder in the background; ``modelsChanged`` follows."""
        if self.scanner.running:
            # The running scan used the old settings or missed a new file: scan again when it is done.
            self._rescan = True
            return
        self._rescan = False
        library, hardware, n_ctx = self.library, self.hardware, self.gpu_settings.load_options().n_ctx

        def scan(_progress: JobProgressCallback, _cancel: threading.Event) -> object:
            hw = hardware if hardware is not None else probe()
            models = library.scan()
            verdicts: list[FitVerdict | None] = [assess([m], hw, n_ctx=n_ctx)[0] if m.valid else None for m in models]
            return _ScanResult(hw, models, verdicts)

        self.scanner.start(scan)

    def _scanned(self, result: object) -> None:
        assert isinstance(result, _ScanResult)
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
        table = self.local_table
        table.setRowCount(len(self.models))
        for row, (model, verdict) in enumerate(zip(self.models, self._verdicts, strict=True)):
            checked = _item("✓" if model.valid else "✗", "" if model.valid else model.problem)
            checked.setForeground(Qt.GlobalColor.darkGreen if model.valid else Qt.GlobalColor.red)
            checked.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            location = str(model.path) + (self.tr(" (link)") if model.linked else "")
            cells = [
                _item(model.name, model.problem),
                _item(model.file_type),
                _item(format_bytes(model.size_bytes)),
                checked,
                _item(verdict_text(verdict), verdict.note) if verdict is not None else _item("—", model.problem),
                _item(location, str(model.path)),
            ]
            for column, cell in enumerate(cells):
                table.setItem(row, column, cell)
            if selected is not None and Path(model.path) == Path(selected):
                table.selectRow(row)
        if table.currentRow() < 0 and self.models:
            table.selectRow(0)
        table.resizeRowsToContents()
        self.empty_label.setVisible(not self.models)
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

    def confirm_delete(self, model: LocalModel) -> bool:
        """Ask before deleting (a method, so tests can answer it)."""
        question = (
            self.tr("Remove the link to “{name}” from the library? The file itself stays where it is.")
            if model.linked
            else self.tr("Delete “{name}” ({size}) from this computer? This cannot be undone.")
        )
        answer = QMessageBox.question(
            self,
            self.tr("Delete Model"),
            question.format(name=model.name, size=format_bytes(model.size_bytes)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

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

    def ask_import_mode(self, path: Path) -> str | None:
        """``"copy"``, ``"link"`` or None (cancelled); a method, so tests can answer it."""
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("Import GGUF"))
        box.setText(self.tr("How should “{name}” join the library?").format(name=path.name))
        box.setInformativeText(
            self.tr(
                "Copy: the library keeps its own copy (needs the disk space). "
                "Link: the file stays where it is; moving it later breaks the link."
            )
        )
        copy = box.addButton(self.tr("Copy into Library"), QMessageBox.ButtonRole.AcceptRole)
        link = box.addButton(self.tr("Link to File"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "copy" if clicked is copy else "link" if clicked is link else None

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
        library = self.library

        def job(progress: JobProgressCallback, cancel: threading.Event) -> object:
            clock = ProgressClock({"import": 1.0})

            def on_bytes(done: int, total: int) -> None:
                fraction = clock.overall("import", done / total if total else 1.0)
                message = f"Copying {path.name}: {format_bytes(done)} of {format_bytes(total)}"
                progress(JobProgress("import", fraction, clock.seconds_left(fraction), message))

            model = library.import_gguf(path, mode=mode, progress=on_bytes, cancel=cancel)  # type: ignore[arg-type]
            return Path(model.path)

        title = self.tr("Copying {name}…") if mode == "copy" else self.tr("Linking {name}…")
        return self._start_job(job, title.format(name=path.name), self._job_added_model)

    def import_checkpoint_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import Checkpoint Folder"), str(Path.home()))
        if not folder:
            return
        outtype = self.ask_outtype()
        if outtype is not None:
            self.import_checkpoint(Path(folder), outtype)

    def ask_outtype(self) -> str | None:
        """The file type to convert a checkpoint to; the recommended one is offered first."""
        offered = [t for t in OUTTYPE_SIZE_VS_F16 if t != "f32"]
        default = self._recommended_outtype()
        choices = [t.upper() for t in offered]
        chosen, accepted = QInputDialog.getItem(
            self,
            self.tr("Import Checkpoint Folder"),
            self.tr("Convert to (Q4_K_M is the best balance of size and quality):"),
            choices,
            offered.index(default) if default in offered else 0,
            False,
        )
        return chosen.lower() if accepted else None

    def _recommended_outtype(self) -> str:
        if self.catalog:
            if self.hardware is not None:
                return recommend(self.catalog[0].files, self.hardware, n_layer=self.catalog[0].n_layer).outtype
            return self.catalog[0].recommended.outtype
        return "q4_k_m"

    def import_checkpoint(self, folder: Path, outtype: str) -> bool:
        """Plan converting ``folder`` in the background, confirm the disk use, then convert; False when busy."""
        from ziya_desktop.models.convert_job import plan_conversion

        models_dir = self.models_dir

        def plan(_progress: JobProgressCallback, _cancel: threading.Event) -> object:
            return plan_conversion(folder, outtype, models_dir)

        return self._start_job(
            plan, self.tr("Reading the checkpoint in {folder}…").format(folder=folder.name), self._plan_ready
        )

    def confirm_plan(self, plan: ConvertPlan) -> bool:
        """Show what the conversion writes and ask to go ahead (a method, so tests can answer it)."""
        answer = QMessageBox.question(
            self,
            self.tr("Convert Checkpoint"),
            self.tr(
                "Converting “{folder}” to {outtype} writes {file}.\n"
                "Disk space needed: about {needed} (free: {free}).\nConvert now?"
            ).format(
                folder=plan.checkpoint_dir.name,
                outtype=plan.outtype.upper(),
                file=plan.outfile.name,
                needed=format_bytes(plan.needed_bytes),
                free=format_bytes(plan.free_bytes),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

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
        from ziya_desktop.models.convert_job import run_conversion

        def convert(progress: JobProgressCallback, cancel: threading.Event) -> object:
            return run_conversion(plan, progress=progress, cancel=cancel)

        title = self.tr("Converting {folder} to {outtype}…").format(
            folder=plan.checkpoint_dir.name, outtype=plan.outtype.upper()
        )
        self._start_job(convert, title, self._job_added_model)

    # -- catalog -------------------------------------------------------------------------------------------------

    def _fill_catalog(self) -> None:
        lang = self.lang
        notes = [f"{m.name} — {m.license_note}" for m in self.catalog]
        self.catalog_label.setText("\n".join(notes) or self.catalog_problem)
        previous = self.selected_catalog_entry()
        rows: list[tuple[CatalogModel, str]] = []
        table = self.catalog_table
        table.setRowCount(sum(len(m.files) for m in self.catalog))
        for model in self.catalog:
            verdicts = assess(model.files, self.hardware, n_layer=model.n_layer) if self.hardware else None
            best = (
                recommend(model.files, self.hardware, n_layer=model.n_layer).outtype
                if self.hardware
                else model.recommended.outtype
            )
            for i, file in enumerate(model.files):
                row = len(rows)
                rows.append((model, file.outtype))
                label = file.file_type + ("  ★ " + self.tr("best for this computer") if file.outtype == best else "")
                name = _item(label if len(self.catalog) == 1 else f"{model.name} {label}")
                if file.outtype == best:
                    font = QFont(name.font())
                    font.setBold(True)
                    name.setFont(font)
                verdict = verdicts[i] if verdicts is not None else None
                fit = _item(verdict_text(verdict), verdict.note) if verdict else _item(self.tr("checking…"))
                note = file.quality_note(lang)
                cells = [name, _item(format_bytes(file.size_bytes)), _item(note, note), fit]
                for column, cell in enumerate(cells):
                    table.setItem(row, column, cell)
                if previous == (model, file.outtype) or (previous is None and file.outtype == best):
                    table.selectRow(row)
        self._catalog_rows = rows
        table.resizeRowsToContents()
        # Show every offered file without scrolling and without empty rows: the list is short and fixed.
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(r) for r in range(table.rowCount()))
        # Rows measured before the window is shown are too tall (narrow columns wrap): cap, never force, the height.
        table.setMaximumHeight(height)
        table.setMinimumHeight(min(height, 6 * table.verticalHeader().defaultSectionSize()))
        self._sync_buttons()

    def selected_catalog_entry(self) -> tuple[CatalogModel, str] | None:
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
        self.download_note.setText(
            self.tr("Offline mode is on: downloading needs the network. Import a GGUF file or a checkpoint instead.")
            if self.offline
            else self.tr("Fetches the checkpoint from the Hugging Face hub, converts it here and adds it above.")
        )
        self._sync_buttons()

    def download_selected(self) -> bool:
        """Download, convert and register the selected catalog entry in the background; False when not started."""
        entry = self.selected_catalog_entry()
        if entry is None or self.offline:
            return False
        from ziya_desktop.models.pipeline import prepare_catalog_model

        model, outtype = entry
        models_dir = self.models_dir

        def job(progress: JobProgressCallback, cancel: threading.Event) -> object:
            return prepare_catalog_model(model, outtype, models_dir=models_dir, progress=progress, cancel=cancel)

        title = self.tr("Downloading and converting {name} to {outtype}…").format(
            name=model.name, outtype=outtype.upper()
        )
        return self._start_job(job, title, self._job_added_model)

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
        self.jobs.shutdown()
        self.scanner.shutdown()


__all__ = ["ModelLibraryWindow", "verdict_text"]
