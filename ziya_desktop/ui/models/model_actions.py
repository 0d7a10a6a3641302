"""The Model menu's actions: the model library, loading a model file, connecting to an inference server, going
back to the local model, and unloading.

Loading and unloading are the writing commands' (the model writes), which this package sits below, so the actions
bind to :class:`ModelCommands`, the part of them they call. Their texts keep the translation context of the
window's actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from ziya_desktop.ui.common.action_collection import make_action, set_texts


class ModelCommands(Protocol):
    """What the Model menu calls to load and unload the model, or to use a server instead."""

    def load_model_dialog(self) -> None: ...
    def unload_model(self) -> None: ...
    def connect_server_dialog(self) -> None: ...
    def use_local_model(self) -> None: ...


class ModelActions:
    """The Model menu's actions.

    Args:
        window: the parent of the actions.
        commands: loads (through a file dialog) and unloads the model, connects to a server, goes back to local.
        show_library: opens the model library window.
    """

    def __init__(self, window: QMainWindow, commands: ModelCommands, *, show_library: Callable[[], object]) -> None:
        self.model_library = make_action(window, show_library, "Ctrl+Shift+L")
        self.load_model = make_action(window, commands.load_model_dialog, "Ctrl+L")
        self.unload_model = make_action(window, commands.unload_model)
        self.connect_server = make_action(window, commands.connect_server_dialog, name="connectServer")
        self.use_local_model = make_action(window, commands.use_local_model, name="useLocalModel")
        self.retranslate()

    def menu_order(self) -> list[QAction]:
        """The Model menu's actions, top to bottom."""
        return [self.model_library, self.load_model, self.connect_server, self.use_local_model, self.unload_model]

    def retranslate(self) -> None:
        """Set the actions' texts in the current UI language."""
        set_texts(self.load_model, QCoreApplication.translate("WindowActions", "Load Model &File…"))
        set_texts(
            self.model_library,
            QCoreApplication.translate("WindowActions", "Model &Library…"),
            QCoreApplication.translate("WindowActions", "Download, convert, import and choose models; GPU settings"),
        )
        set_texts(self.unload_model, QCoreApplication.translate("WindowActions", "&Unload Model"))
        set_texts(
            self.connect_server,
            QCoreApplication.translate("WindowActions", "Connect to &Server…"),
            QCoreApplication.translate(
                "WindowActions", "Write with llama.cpp's server or vLLM (a team's GPU box) instead of this computer"
            ),
        )
        set_texts(
            self.use_local_model,
            QCoreApplication.translate("WindowActions", "Use Lo&cal Model"),
            QCoreApplication.translate("WindowActions", "Go back to the model on this computer"),
        )
