"""The Writing menu's actions: generate, continue, regenerate, the alternatives, the selection actions (polish,
expand … rewrite), stop and the sampling settings.

They bind to :class:`~ziya_desktop.ui.generation.writing_commands.WritingCommands` and the generation in flight;
Stop is enabled while a generation runs. Their texts keep the translation context of the window's actions.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from ziya_desktop.ui.common.action_collection import make_action, set_texts
from ziya_desktop.ui.generation.action_labels import rewrite_labels
from ziya_desktop.ui.generation.generation import GenerationController
from ziya_desktop.ui.generation.writing_commands import WritingCommands
from ziya_desktop.writing.actions import ActionKind

_REWRITE_KEYS = {
    ActionKind.POLISH: "Ctrl+Alt+P",
    ActionKind.EXPAND: "Ctrl+Alt+E",
    ActionKind.SHORTEN: "Ctrl+Alt+S",
    ActionKind.FORMAL: "Ctrl+Alt+F",
    ActionKind.WARM: "Ctrl+Alt+W",
    ActionKind.TRANSLATE: "Ctrl+Alt+T",
    ActionKind.REWRITE: "Ctrl+Shift+R",
}


class WritingActions:
    """The Writing menu's actions; ``rewrite`` holds one action per selection action, in the menu's order.

    Args:
        window: the parent of the actions.
        writing: the writing commands the actions call.
        generation: the generation in flight (Stop stops it, and is enabled only while it runs).
    """

    def __init__(self, window: QMainWindow, writing: WritingCommands, generation: GenerationController) -> None:
        self.generate = make_action(window, writing.generate, "Ctrl+Return", name="actionGenerate")
        self.continue_ = make_action(window, writing.continue_writing, "Ctrl+Shift+Return")
        self.regenerate = make_action(window, writing.regenerate, "Ctrl+R")
        self.previous_alternative = make_action(window, lambda: writing.switch_alternative(-1), "Alt+Left")
        self.next_alternative = make_action(window, lambda: writing.switch_alternative(+1), "Alt+Right")
        self.rewrite: dict[ActionKind, QAction] = {
            kind: make_action(window, partial(writing.rewrite_selection, kind), key, name=f"action_{kind.value}")
            for kind, key in _REWRITE_KEYS.items()
        }
        self.stop = make_action(window, generation.stop, "Esc")
        self.stop.setEnabled(False)
        generation.started.connect(lambda _mode: self.stop.setEnabled(True))
        generation.ended.connect(lambda *_run: self.stop.setEnabled(False))
        self.sampling = make_action(window, writing.edit_sampling)
        self.template_sampling = make_action(window, writing.edit_template_sampling)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the actions' texts and tips in the current UI language."""
        set_texts(
            self.generate,
            QCoreApplication.translate("WindowActions", "&Generate"),
            QCoreApplication.translate(
                "WindowActions", "Draft from the chosen template into an empty document, or continue from the cursor"
            ),
        )
        set_texts(
            self.continue_,
            QCoreApplication.translate("WindowActions", "&Continue from Cursor"),
            QCoreApplication.translate("WindowActions", "Continue writing"),
        )
        set_texts(
            self.regenerate,
            QCoreApplication.translate("WindowActions", "&Regenerate"),
            QCoreApplication.translate("WindowActions", "Write the last passage again, keeping the others"),
        )
        set_texts(self.previous_alternative, QCoreApplication.translate("WindowActions", "Previous Alternative"))
        set_texts(self.next_alternative, QCoreApplication.translate("WindowActions", "Next Alternative"))
        for kind, label in rewrite_labels().items():
            set_texts(self.rewrite[kind], label)
        set_texts(
            self.stop,
            QCoreApplication.translate("WindowActions", "&Stop"),
            QCoreApplication.translate("WindowActions", "Stop generating; the text so far stays"),
        )
        set_texts(self.sampling, QCoreApplication.translate("WindowActions", "Sampling &Settings…"))
        set_texts(self.template_sampling, QCoreApplication.translate("WindowActions", "Sampling for This &Template…"))
