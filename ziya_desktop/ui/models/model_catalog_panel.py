"""The "Download and convert" part of the model library window: the catalog's files with their size, quality and
fit on this computer, the one that suits it best marked, and the button that downloads the selected one.

The panel only shows what it is given; the window owns the catalog, connects the button and decides when it is
enabled. Its strings are translated in the window's context ("ModelLibraryWindow").
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from converters.atomic import format_bytes
from ziya_desktop.engine.hardware import HardwareInfo
from ziya_desktop.models.catalog import CatalogFile, CatalogModel
from ziya_desktop.models.fit import FitVerdict, assess, recommend
from ziya_desktop.translatable import QT_TRANSLATE_NOOP
from ziya_desktop.ui.common.error_text import localized
from ziya_desktop.ui.models.model_tables import model_table, table_item, verdict_text

# A catalog row: the model and the file type (outtype) of one of its files.
CatalogEntry = tuple[CatalogModel, str]

# The licence note of the shipped catalog (resources/catalog.toml), marked here so that the UI can show it in the UI
# language: the catalog is data, read below the UI. Another note (a changed catalog's) is shown as written.
SHIPPED_LICENCE_NOTE = QT_TRANSLATE_NOOP(
    "ModelLibraryWindow",
    "Non-commercial use only (LLaMA-1 licence). Ziya Desktop does not include the weights; "
    "you download them from the Hugging Face hub yourself.",
)


def licence_note(model: CatalogModel) -> str:
    """The catalog's licence note of ``model`` in the UI language (when it is the shipped catalog's)."""
    return localized(SHIPPED_LICENCE_NOTE) if model.license_note == SHIPPED_LICENCE_NOTE else model.license_note


class ModelCatalogPanel(QGroupBox):
    """The catalog table (file type, size, quality, fit), the license notes above it and the download row below.

    Attributes:
        catalog_label, table, download_button, download_note: the widgets.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.catalog_label = QLabel(self)
        self.catalog_label.setWordWrap(True)
        self.catalog_label.setTextFormat(Qt.TextFormat.PlainText)
        self.table = model_table([""] * 4, self)
        self.table.setObjectName("catalogFiles")
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.download_button = QPushButton(self)
        self.download_button.setObjectName("downloadButton")
        self.download_note = QLabel(self)
        self.download_note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.download_button)
        row.addWidget(self.download_note, 1)
        column = QVBoxLayout(self)
        column.addWidget(self.catalog_label)
        column.addWidget(self.table, 1)
        column.addLayout(row)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """Set the panel's title, column headers and button in the current UI language."""
        self.setTitle(QCoreApplication.translate("ModelLibraryWindow", "Download and convert"))
        headers = [
            QCoreApplication.translate("ModelLibraryWindow", "File type"),
            QCoreApplication.translate("ModelLibraryWindow", "Size"),
            QCoreApplication.translate("ModelLibraryWindow", "Quality"),
            QCoreApplication.translate("ModelLibraryWindow", "On this computer"),
        ]
        self.table.setHorizontalHeaderLabels(headers)
        self.download_button.setText(QCoreApplication.translate("ModelLibraryWindow", "Download && Convert"))

    def show_catalog(
        self,
        catalog: Sequence[CatalogModel],
        *,
        problem: str,
        hardware: HardwareInfo | None,
        lang: str,
        select: CatalogEntry | None,
    ) -> None:
        """List every file of ``catalog`` in order, one row each, judged against ``hardware`` (None: not known yet).

        ``problem`` is shown instead of the license notes when the catalog is empty; ``lang`` picks the quality notes.
        The row of ``select`` is selected, else the file recommended for this computer.
        """
        self.catalog_label.setText("\n".join(f"{m.name} — {licence_note(m)}" for m in catalog) or problem)
        table = self.table
        table.setRowCount(sum(len(m.files) for m in catalog))
        row = 0
        for model in catalog:
            verdicts = assess(model.files, hardware, n_layer=model.n_layer) if hardware else None
            best = (
                recommend(model.files, hardware, n_layer=model.n_layer).outtype
                if hardware
                else model.recommended.outtype
            )
            prefix = f"{model.name} " if len(catalog) > 1 else ""  # one model: its files need no name
            for i, file in enumerate(model.files):
                verdict = verdicts[i] if verdicts is not None else None
                cells = self._cells(file, prefix, file.outtype == best, verdict, lang)
                for column, cell in enumerate(cells):
                    table.setItem(row, column, cell)
                if select == (model, file.outtype) or (select is None and file.outtype == best):
                    table.selectRow(row)
                row += 1
        self._fit_height()

    @staticmethod
    def _cells(
        file: CatalogFile, prefix: str, best: bool, verdict: FitVerdict | None, lang: str
    ) -> list[QTableWidgetItem]:
        star = "  ★ " + QCoreApplication.translate("ModelLibraryWindow", "best for this computer") if best else ""
        name = table_item(prefix + file.file_type + star)
        if best:
            font = QFont(name.font())
            font.setBold(True)
            name.setFont(font)
        fit = (
            table_item(verdict_text(verdict), verdict.note)
            if verdict
            else table_item(QCoreApplication.translate("ModelLibraryWindow", "checking…"))
        )
        note = file.quality_note(lang)
        return [name, table_item(format_bytes(file.size_bytes)), table_item(note, note), fit]

    def _fit_height(self) -> None:
        # Show every offered file without scrolling and without empty rows: the list is short and fixed.
        table = self.table
        table.resizeRowsToContents()
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(r) for r in range(table.rowCount()))
        # Rows measured before the window is shown are too tall (narrow columns wrap): cap, never force, the height.
        table.setMaximumHeight(height)
        table.setMinimumHeight(min(height, 6 * table.verticalHeader().defaultSectionSize()))

    def show_offline(self, offline: bool) -> None:
        """Say under the download button why it is off in offline mode, or what it does."""
        self.download_note.setText(
            QCoreApplication.translate(
                "ModelLibraryWindow",
                "Offline mode is on: downloading needs the network. Import a GGUF file or a checkpoint instead.",
            )
            if offline
            else QCoreApplication.translate(
                "ModelLibraryWindow",
                "Fetches the checkpoint from the Hugging Face hub, converts it here and adds it above.",
            )
        )
