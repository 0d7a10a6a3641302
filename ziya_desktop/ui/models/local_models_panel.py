"""The "Models on this computer" part of the model library window: the table of the library folder's models and the
buttons that act on the selected one.

The panel only shows what it is given; the window owns the list of models, connects the buttons and decides when
they are enabled. Its strings are translated in the window's context ("ModelLibraryWindow").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QTableWidgetItem, QVBoxLayout, QWidget

from converters.atomic import format_bytes
from ziya_desktop.models.fit import FitVerdict
from ziya_desktop.models.library import LocalModel
from ziya_desktop.ui.models.model_tables import model_table, table_item, verdict_text


class LocalModelsPanel(QGroupBox):
    """The table of local models (name, file type, size, check, fit, location) and its buttons.

    Attributes:
        table, empty_label, use_button, import_button, checkpoint_button, delete_button, reveal_button: the widgets.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.table = model_table([""] * 6, self)
        self.table.setObjectName("localModels")
        self.empty_label = QLabel(self)
        self.empty_label.setWordWrap(True)
        self.use_button = QPushButton(self)
        self.use_button.setDefault(True)
        self.import_button = QPushButton(self)
        self.checkpoint_button = QPushButton(self)
        self.delete_button = QPushButton(self)
        self.reveal_button = QPushButton(self)
        self.retranslate()
        buttons = QHBoxLayout()
        for button in (self.use_button, self.import_button, self.checkpoint_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.delete_button)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 1)
        column.addWidget(self.empty_label)
        column.addLayout(buttons)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """Set the panel's title, column headers and buttons in the current UI language."""
        self.setTitle(QCoreApplication.translate("ModelLibraryWindow", "Models on this computer"))
        headers = [
            QCoreApplication.translate("ModelLibraryWindow", "Name"),
            QCoreApplication.translate("ModelLibraryWindow", "File type"),
            QCoreApplication.translate("ModelLibraryWindow", "Size"),
            QCoreApplication.translate("ModelLibraryWindow", "Valid"),
            QCoreApplication.translate("ModelLibraryWindow", "On this computer"),
            QCoreApplication.translate("ModelLibraryWindow", "Location"),
        ]
        self.table.setHorizontalHeaderLabels(headers)
        self.empty_label.setText(
            QCoreApplication.translate(
                "ModelLibraryWindow",
                "No models yet. Download one below, or import a GGUF file or a checkpoint folder.",
            )
        )
        self.use_button.setText(QCoreApplication.translate("ModelLibraryWindow", "Use"))
        self.import_button.setText(QCoreApplication.translate("ModelLibraryWindow", "Import GGUF…"))
        self.checkpoint_button.setText(QCoreApplication.translate("ModelLibraryWindow", "Import Checkpoint Folder…"))
        self.delete_button.setText(QCoreApplication.translate("ModelLibraryWindow", "Delete…"))
        self.reveal_button.setText(QCoreApplication.translate("ModelLibraryWindow", "Show in File Manager"))

    def show_models(
        self, models: Sequence[LocalModel], verdicts: Sequence[FitVerdict | None], select: Path | None
    ) -> None:
        """List ``models`` with their fit ``verdicts`` (None: not checked, the file is broken) and select the row
        of ``select``, else the first row."""
        table = self.table
        table.setRowCount(len(models))
        for row, (model, verdict) in enumerate(zip(models, verdicts, strict=True)):
            for column, cell in enumerate(self._cells(model, verdict)):
                table.setItem(row, column, cell)
            if select is not None and Path(model.path) == Path(select):
                table.selectRow(row)
        if table.currentRow() < 0 and models:
            table.selectRow(0)
        table.resizeRowsToContents()
        self.empty_label.setVisible(not models)

    @staticmethod
    def _cells(model: LocalModel, verdict: FitVerdict | None) -> list[QTableWidgetItem]:
        checked = table_item("✓" if model.valid else "✗", "" if model.valid else model.problem)
        checked.setForeground(Qt.GlobalColor.darkGreen if model.valid else Qt.GlobalColor.red)
        checked.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        linked = QCoreApplication.translate("ModelLibraryWindow", " (link)") if model.linked else ""
        return [
            table_item(model.name, model.problem),
            table_item(model.file_type),
            table_item(format_bytes(model.size_bytes)),
            checked,
            table_item(verdict_text(verdict), verdict.note) if verdict is not None else table_item("—", model.problem),
            table_item(str(model.path) + linked, str(model.path)),
        ]
