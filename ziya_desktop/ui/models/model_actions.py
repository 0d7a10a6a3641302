"""The Model menu's actions: the model library, loading a model file and unloading the model.

Loading and unloading are the writing commands' (the model writes), which this package sits below, so the actions
bind to :class:`ModelCommands`, the part of them they call. Their texts keep the translation context of the
window's actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMainWindow

from ziya_desktop.ui.common.action_collection import make_action, set_texts


class ModelCommands(Protocol):
    """What the Model menu calls to load and unload the model."""

    def load_model_dialog(self) -> None: ...
    def unload_model(self) -> None: ...


class ModelActions:
    """The Model menu's actions.

    Args:
        window: the parent of the actions.
        commands: loads (through a file dialog) and unloads the model.
        show_library: opens the model library window.
    """

    def __init__(self, window: QMainWindow, commands: ModelCommands, *, show_library: Callable[[], object]) -> None:
        self.model_library = make_action(window, show_library, "Ctrl+Shift+L")
        self.load_model = make_action(window, commands.load_model_dialog, "Ctrl+L")
        self.unload_model = make_action(window, commands.unload_model)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the actions' texts in the current UI language."""
        set_texts(self.load_model, QCoreApplication.translate("WindowActions", "Load Model &File…"))
        set_texts(
            self.model_library,
            QCoreApplication.translate("WindowActions", "Model &Library…"),
            QCoreApplication.translate("WindowActions", "Download, convert, import and choose models; GPU settings"),
        )
        set_texts(self.unload_model, QCoreApplication.translate("WindowActions", "&Unload Model"))
