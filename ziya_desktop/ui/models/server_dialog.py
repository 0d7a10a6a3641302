"""Connect to Server: the address of an inference server (llama-server, vLLM), its model, API key and timeout.

"Fetch Models" asks the server for its models in a background thread (the window never waits on the network).
An http:// address to another computer shows that text would travel unencrypted; the key field never shows the
key, and the note under it says where the key will be kept (the system keyring, or the settings file).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.engine.remote import RemoteTarget, fetch_model_names
from ziya_desktop.engine.remote_http import parse_base_url
from ziya_desktop.errors import ServerAddressError, ZiyaError
from ziya_desktop.ui.common.error_text import error_message

__all__ = ["ServerDialog", "unencrypted_host"]

log = logging.getLogger(__name__)

TIMEOUT_RANGE_S = (5.0, 3600.0)
DEFAULT_URL = "http://127.0.0.1:8080"


def unencrypted_host(url: str) -> str:
    """The host text would travel to unencrypted (http:// to another computer), or "" when it would not."""
    try:
        address = parse_base_url(url)
    except ServerAddressError:  # not an address yet: nothing to warn about
        return ""
    return address.netloc if address.unencrypted_remote else ""


class _Fetcher(QObject):
    """Carries the model list (or the failure) from the fetching thread to the dialog (a queued signal)."""

    done = Signal(object, str)


class ServerDialog(QDialog):
    """The server to connect to; :meth:`target` is what the writer entered.

    Args:
        parent: the window.
        offline: offline mode is on: Fetch Models refuses (and says so) instead of contacting the server.
        keyring: whether a system keyring will hold the key (else the note warns it goes to the settings file).
    """

    def __init__(self, parent: QWidget | None = None, *, offline: bool = False, keyring: bool = True) -> None:
        super().__init__(parent)
        # Wide enough for a team server's address and a model name without cutting them.
        self.setMinimumWidth(480)
        self.setObjectName("serverDialog")
        self._offline = offline
        self._keyring = keyring
        # Not a child of the dialog: the fetching thread may still hold it after the dialog is gone.
        self._fetcher = _Fetcher()
        self._fetcher.done.connect(self._fetched)
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("serverUrl")
        self.url_edit.setPlaceholderText(DEFAULT_URL)
        self.url_edit.textChanged.connect(self._url_changed)
        self.model_box = QComboBox(self)
        self.model_box.setObjectName("serverModel")
        self.model_box.setEditable(True)
        self.fetch_button = QPushButton(self)
        self.fetch_button.setObjectName("fetchModels")
        self.fetch_button.clicked.connect(self.fetch_models)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_box, 1)
        model_row.addWidget(self.fetch_button)
        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("serverApiKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.timeout_box = QDoubleSpinBox(self)
        self.timeout_box.setObjectName("serverTimeout")
        self.timeout_box.setRange(*TIMEOUT_RANGE_S)
        self.timeout_box.setDecimals(0)
        self.timeout_box.setValue(RemoteTarget("").timeout_s)
        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("unencryptedWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("color: #b07a00; font-weight: bold;")
        self.warning_label.hide()
        self.key_note = QLabel(self)
        self.key_note.setObjectName("keyNote")
        self.key_note.setWordWrap(True)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("fetchStatus")
        self.status_label.setWordWrap(True)
        self.form = QFormLayout()
        self.form_labels = [QLabel(self) for _ in range(4)]
        self.form.addRow(self.form_labels[0], self.url_edit)
        self.form.addRow(self.form_labels[1], model_row)
        self.form.addRow(self.form_labels[2], self.key_edit)
        self.form.addRow(self.form_labels[3], self.timeout_box)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.key_note)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Connect to Server"))
        labels = (self.tr("Server address:"), self.tr("Model:"), self.tr("API key:"), self.tr("Timeout:"))
        for label, text in zip(self.form_labels, labels, strict=True):
            label.setText(text)
        line = self.model_box.lineEdit()
        if line is not None:  # the box is editable, so it has one
            line.setPlaceholderText(self.tr("the server's first model"))
        self.fetch_button.setText(self.tr("Fetch Models"))
        self.key_edit.setPlaceholderText(self.tr("none"))
        self.timeout_box.setSuffix(self.tr(" s"))
        self.key_note.setText(
            self.tr("The API key is kept in the system keyring.")
            if self._keyring
            else self.tr(
                "No system keyring is available: the API key will be kept in the settings file, readable by anyone "
                "who can read your files."
            )
        )
        self._url_changed(self.url_edit.text())

    # -- values --------------------------------------------------------------------------------------------------

    def set_target(self, target: RemoteTarget | None) -> None:
        """Fill the fields from ``target`` (the server used last), or the defaults when None."""
        if target is None:
            return
        self.url_edit.setText(target.base_url)
        self.model_box.setEditText(target.model)
        self.key_edit.setText(target.api_key)
        self.timeout_box.setValue(target.timeout_s)

    def target(self) -> RemoteTarget:
        """What the writer entered (the address as typed, or the default one when left empty)."""
        return RemoteTarget(
            base_url=self.url_edit.text().strip() or DEFAULT_URL,
            model=self.model_box.currentText().strip(),
            api_key=self.key_edit.text().strip(),
            timeout_s=self.timeout_box.value(),
            offline=self._offline,
        )

    def _url_changed(self, text: str) -> None:
        host = unencrypted_host(text.strip() or DEFAULT_URL)
        self.warning_label.setVisible(bool(host))
        if host:
            self.warning_label.setText(
                self.tr(
                    "Text travels unencrypted to {host}: anyone on the network between can read it. Use https:// "
                    "for a server on another computer."
                ).format(host=host)
            )

    # -- fetching the model list -----------------------------------------------------------------------------------

    def fetch_models(self) -> None:
        """Ask the server for its models in the background; the list fills when it answers."""
        target = self.target()
        self.fetch_button.setEnabled(False)
        self.status_label.setText(self.tr("Asking the server for its models…"))
        fetcher = self._fetcher

        def run() -> None:
            try:
                fetcher.done.emit(fetch_model_names(target), "")
            except ZiyaError as exc:
                fetcher.done.emit(None, error_message(exc))
            except Exception as exc:  # a bug must not end silently in a thread: logged, and the dialog says so
                log.exception("fetching the model list failed")
                fetcher.done.emit(None, f"{type(exc).__name__}: {exc}")

        threading.Thread(target=run, name="ZiyaFetchModels", daemon=True).start()

    def _fetched(self, names: object, message: str) -> None:
        self.fetch_button.setEnabled(True)
        if not isinstance(names, list):
            self.status_label.setText(self.tr("The models could not be fetched: {message}").format(message=message))
            return
        current = self.model_box.currentText()
        self.model_box.clear()
        self.model_box.addItems([str(n) for n in names])
        self.model_box.setEditText(current if current in names else (str(names[0]) if names else ""))
        self.status_label.setText(self.tr("The server serves {count} model(s).").format(count=len(names)))
