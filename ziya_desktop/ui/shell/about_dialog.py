"""The Help menu's dialogs about the app and the model: About Ziya Desktop (the versions of the app, llama.cpp, Qt
and Python, and the folders the app keeps its data, models, logs, settings and journal in) and the model's licence.

The facts are gathered by plain functions (:func:`version_rows`, :func:`folder_rows`), which the dialogs show as
selectable text; the dialogs only lay them out and translate their labels.
"""

from __future__ import annotations

import contextlib
import html
import importlib.metadata
import logging
import platform
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import PySide6
from PySide6.QtCore import QEvent, QSize, Qt, QUrl, Signal, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

import ziya_desktop
from ziya_desktop import paths
from ziya_desktop.engine.hardware import probe
from ziya_desktop.errors import ZiyaError
from ziya_desktop.models.catalog import CatalogModel, load_catalog
from ziya_desktop.ui.common.error_text import error_message
from ziya_desktop.ui.common.window_placement import resize_within_screen
from ziya_desktop.ui.models.model_catalog_panel import licence_note

__all__ = [
    "AboutDialog",
    "FolderRow",
    "LicenceDialog",
    "app_version",
    "folder_rows",
    "llama_system_info",
    "version_rows",
]

log = logging.getLogger(__name__)

APP_DISTRIBUTION = "ziya-desktop"
LLAMA_DISTRIBUTION = "llama_cpp_python"
HUB_URL = "https://huggingface.co/{repo_id}"
# Meta's card for LLaMA (version 1), which names the weights' licence: a non-commercial bespoke licence.
LLAMA1_MODEL_CARD_URL = "https://github.com/facebookresearch/llama/blob/llama_v1/MODEL_CARD.md"


def app_version() -> str:
    """The installed Ziya Desktop's version (the package's own when it runs from a checkout that is not installed)."""
    try:
        return importlib.metadata.version(APP_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return ziya_desktop.__version__


def _distribution_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def llama_system_info() -> str:
    """llama.cpp's backends and the CPU features it was built for (from the hardware probe, made once per process).

    It calls into llama.cpp the first time: never on the GUI thread (see :class:`AboutDialog`).
    """
    try:
        hardware = probe()
    except (OSError, AttributeError, ZiyaError) as err:  # a llama.cpp build without a symbol, a broken driver
        log.warning("no llama.cpp system info: %s", err)
        return "?"
    return hardware.system_info.strip().rstrip("|").strip() or "?"


def version_rows(system_info: str = "…") -> list[tuple[str, str]]:
    """(component, version) of the app and what it runs on, in the order the About dialog shows them; llama.cpp's
    row is ``system_info`` (see :func:`llama_system_info`)."""
    return [
        ("Ziya Desktop", app_version()),
        ("llama-cpp-python", _distribution_version(LLAMA_DISTRIBUTION)),
        ("llama.cpp", system_info),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("OS", platform.platform()),
    ]


@dataclass(frozen=True)
class FolderRow:
    """A location of the app: ``key`` names it (``data``, ``models``, ``templates``, ``logs``, ``journal``,
    ``settings``); ``path`` is shown; ``folder`` is what "Open" opens (the folder of a file)."""

    key: str
    path: Path
    folder: Path


def folder_rows() -> list[FolderRow]:
    """Where the app keeps its data, models, templates, logs, journal and settings (see :mod:`ziya_desktop.paths`)."""
    settings_file = paths.settings_path()
    return [
        FolderRow("data", paths.data_dir(), paths.data_dir()),
        FolderRow("models", paths.models_dir(), paths.models_dir()),
        FolderRow("templates", paths.templates_dir(), paths.templates_dir()),
        FolderRow("logs", paths.log_dir(), paths.log_dir()),
        FolderRow("journal", paths.journal_dir(), paths.journal_dir()),
        FolderRow("settings", settings_file, settings_file.parent),
    ]


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the system's file manager; False when none could open it."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _selectable(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class AboutDialog(QDialog):
    """About Ziya Desktop: the versions (selectable), the folders (each with a button that opens it) and a button
    that copies all of it, for a bug report.

    llama.cpp's build is asked for on a thread of its own (the GUI thread never calls into llama.cpp, and the first
    hardware probe may wake a GPU driver): its row reads "…" until ``systemInfoShown`` is emitted.

    Attributes:
        versions: (component, version) as shown; folders: the locations as shown (``path_fields`` by key).
    """

    _systemInfoReady = Signal(str)
    systemInfoShown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.versions = version_rows()
        self.folders = folder_rows()
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)

        self.versions_group = QGroupBox(self)
        grid = QGridLayout(self.versions_group)
        self.version_labels: dict[str, QLabel] = {}
        self.version_values: dict[str, QLabel] = {}
        for row, (name, version) in enumerate(self.versions):
            self.version_labels[name] = QLabel(name, self.versions_group)
            grid.addWidget(self.version_labels[name], row, 0, Qt.AlignmentFlag.AlignTop)
            self.version_values[name] = value = _selectable(version, self.versions_group)
            value.setObjectName(f"version_{name}")
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)

        self.folders_group = QGroupBox(self)
        grid = QGridLayout(self.folders_group)
        self.folder_labels: dict[str, QLabel] = {}
        self.path_fields: dict[str, QLineEdit] = {}
        self.open_buttons: dict[str, QPushButton] = {}
        for row, location in enumerate(self.folders):
            label = QLabel(self.folders_group)
            field = QLineEdit(str(location.path), self.folders_group)
            field.setObjectName(f"path_{location.key}")
            field.setReadOnly(True)
            field.setCursorPosition(0)
            button = QPushButton(self.folders_group)
            button.setObjectName(f"open_{location.key}")
            button.clicked.connect(lambda _checked=False, folder=location.folder: open_folder(folder))
            label.setBuddy(field)
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(button, row, 2)
            self.folder_labels[location.key] = label
            self.path_fields[location.key] = field
            self.open_buttons[location.key] = button
        grid.setColumnStretch(1, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setObjectName("copyDetails")
        self.copy_button.clicked.connect(self.copy_details)
        self.buttons.rejected.connect(self.reject)

        column = QVBoxLayout(self)
        column.addWidget(self.heading)
        column.addWidget(self.summary)
        column.addWidget(self.versions_group)
        column.addWidget(self.folders_group)
        column.addStretch(1)
        column.addWidget(self.buttons)
        self.retranslate()
        resize_within_screen(self, QSize(720, 560))
        self._systemInfoReady.connect(self._show_system_info)
        threading.Thread(target=self._probe, name="ZiyaAboutProbe", daemon=True).start()

    def _probe(self) -> None:
        # On the thread: what llama.cpp says, handed to the GUI thread by a queued signal.
        info = llama_system_info()
        with contextlib.suppress(RuntimeError):  # the dialog was deleted meanwhile
            self._systemInfoReady.emit(info)

    def _show_system_info(self, info: str) -> None:
        self.versions = [(name, info if name == "llama.cpp" else value) for name, value in self.versions]
        self.version_values["llama.cpp"].setText(info)
        self.systemInfoShown.emit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """Set the dialog's texts in the current UI language (the versions and paths are the same in every one)."""
        self.setWindowTitle(self.tr("About Ziya Desktop"))
        self.heading.setText(self.tr("Ziya Desktop {version}").format(version=app_version()))
        self.summary.setText(
            self.tr(
                "An offline writing assistant: the Ziya-Writing-LLaMa-13B model runs on this computer through "
                "llama.cpp, and no text leaves it."
            )
        )
        self.versions_group.setTitle(self.tr("Versions"))
        self.version_labels["OS"].setText(self.tr("Operating system"))
        self.folders_group.setTitle(self.tr("Folders"))
        names = self._folder_names()
        for key, label in self.folder_labels.items():
            label.setText(names.get(key, key))
        for button in self.open_buttons.values():
            button.setText(self.tr("Open Folder"))
            button.setToolTip(self.tr("Show this folder in the file manager"))
        self.copy_button.setText(self.tr("Copy Details"))
        self.copy_button.setToolTip(self.tr("Copy the versions and folders, e.g. for a bug report"))

    def _folder_names(self) -> dict[str, str]:
        return {
            "data": self.tr("Data"),
            "models": self.tr("Models"),
            "templates": self.tr("Your templates"),
            "logs": self.tr("Logs"),
            "journal": self.tr("Journal of unsaved edits"),
            "settings": self.tr("Settings"),
        }

    def details(self) -> str:
        """The versions and folders as plain text, one per line."""
        names = self._folder_names()
        lines = [f"{name}: {version}" for name, version in self.versions]
        lines += [f"{names.get(location.key, location.key)}: {location.path}" for location in self.folders]
        return "\n".join(lines)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details())


class LicenceDialog(QDialog):
    """The model's licence: what the catalog says of each model, that LLaMA-1's weights (and so Ziya-Writing's) are
    for non-commercial use only, and where the full terms are (links that open in the browser).

    Args:
        catalog: the models to describe (default: the shipped catalog).

    Attributes:
        text: the label with the licence facts (rich text, selectable, links open in the browser).
    """

    def __init__(self, parent: QWidget | None = None, *, catalog: Sequence[CatalogModel] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("licenceDialog")
        self._problem = ""
        if catalog is None:
            try:
                catalog = load_catalog()
            except ZiyaError as err:  # a packaging bug; the general facts still hold
                log.warning("no catalog for the licence dialog: %s", err)
                self._problem = error_message(err)
                catalog = ()
        self.catalog = tuple(catalog)
        self.text = QLabel(self)
        self.text.setObjectName("licenceText")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setOpenExternalLinks(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.text)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(scroll, 1)
        column.addWidget(self.buttons)
        self.retranslate()
        resize_within_screen(self, QSize(620, 420))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Model Licence"))
        self.text.setText("".join(f"<p>{paragraph}</p>" for paragraph in self.paragraphs()))

    def paragraphs(self) -> list[str]:
        """The licence facts as HTML paragraphs (every piece of text escaped)."""
        parts = [f"<b>{html.escape(m.name)}</b> — {html.escape(licence_note(m))}" for m in self.catalog]
        if self._problem:
            parts.append(html.escape(self._problem))
        parts.append(
            html.escape(
                self.tr(
                    "Ziya-Writing-LLaMa-13B-v1, by IDEA-CCNL (the Fengshenbang project), is Meta's LLaMA-1 13B "
                    "trained further for writing. Meta released the LLaMA-1 weights under a non-commercial licence "
                    "meant for research, and the models made from them carry it on: do not use the model, or what "
                    "you build with it, for commercial purposes."
                )
            )
        )
        cards = [_link(HUB_URL.format(repo_id=m.repo_id)) for m in self.catalog]
        parts.append(
            html.escape(
                self.tr(
                    "The full terms: the model card on the Hugging Face hub, {model_card}, and Meta's model card "
                    "for LLaMA-1, {llama_card}, which names its licence (Meta gave the licence's full text with the "
                    "weights)."
                )
            ).format(model_card=", ".join(cards) or "—", llama_card=_link(LLAMA1_MODEL_CARD_URL))
        )
        return parts


def _link(url: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>'
