"""The page a writer sees in the editor area before there is any model: what the app needs and three ways to get it.

The app edits without a model, but it cannot write; a first start says so at once instead of after the first
command that needs the model. The page offers what the model library does (download and convert Ziya-Writing,
import a GGUF file, convert a checkpoint folder already on disk) and a way to start writing without a model.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

__all__ = ["FirstRunPage"]

_TEXT_WIDTH = 560


class FirstRunPage(QWidget):
    """What the app needs, and the buttons that get it.

    Signals:
        downloadRequested(): Download & Convert (the model library's catalog).
        importGgufRequested(): Import a GGUF file.
        importCheckpointRequested(): Convert a checkpoint folder on disk.
        dismissed(): Write without a model: the editor takes the page's place.
    """

    downloadRequested = Signal()
    importGgufRequested = Signal()
    importCheckpointRequested = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunPage")
        self.heading = QLabel(self)
        self.heading.setObjectName("firstRunHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        self.body = QLabel(self)
        self.body.setObjectName("firstRunBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.download_button = QPushButton(self)
        self.download_button.setObjectName("firstRunDownload")
        self.download_button.setDefault(True)
        self.import_gguf_button = QPushButton(self)
        self.import_gguf_button.setObjectName("firstRunImportGguf")
        self.import_checkpoint_button = QPushButton(self)
        self.import_checkpoint_button.setObjectName("firstRunImportCheckpoint")
        self.dismiss_button = QPushButton(self)
        self.dismiss_button.setObjectName("firstRunDismiss")
        self.dismiss_button.setFlat(True)
        self.note = QLabel(self)
        self.note.setObjectName("firstRunNote")
        self.note.setWordWrap(True)

        self.download_button.clicked.connect(self.downloadRequested)
        self.import_gguf_button.clicked.connect(self.importGgufRequested)
        self.import_checkpoint_button.clicked.connect(self.importCheckpointRequested)
        self.dismiss_button.clicked.connect(self.dismissed)

        column = QVBoxLayout()
        column.setSpacing(14)
        for widget in (self.heading, self.body):
            column.addWidget(widget)
        for button in (self.download_button, self.import_gguf_button, self.import_checkpoint_button):
            button.setMinimumHeight(button.sizeHint().height() + 10)
            column.addWidget(button)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        column.addWidget(line)
        column.addWidget(self.note)
        column.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignLeft)
        holder = QWidget(self)
        holder.setLayout(column)
        holder.setMaximumWidth(_TEXT_WIDTH)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(holder, 3)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Ziya Desktop needs a writing model"))
        self.body.setText(
            self.tr(
                "The model that writes is Ziya-Writing-LLaMa-13B, run on this computer through llama.cpp: nothing "
                "you write leaves it. It is a GGUF file of 8–26 GB, depending on the quantization; Q4_K_M "
                "(about 7.9 GB) suits most computers. Get it once, and the app works offline from then on."
            )
        )
        self.download_button.setText(self.tr("Download && Convert Ziya-Writing…"))
        self.download_button.setToolTip(
            self.tr("Download the checkpoint from the Hugging Face Hub and convert it to GGUF on this computer")
        )
        self.import_gguf_button.setText(self.tr("Import a GGUF File…"))
        self.import_gguf_button.setToolTip(self.tr("A Ziya-Writing GGUF you already have, copied or linked"))
        self.import_checkpoint_button.setText(self.tr("Convert a Checkpoint Folder…"))
        self.import_checkpoint_button.setToolTip(
            self.tr("A Hugging Face checkpoint folder already on disk (PyTorch or safetensors), converted to GGUF")
        )
        self.note.setText(
            self.tr("You can write, open, save and export without a model; drafting and rewriting need one.")
        )
        self.dismiss_button.setText(self.tr("Start writing without a model"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
