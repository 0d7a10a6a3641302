"""What each feature's action collection builds its QActions with: an action bound to a command, and its texts.

A collection (``files.file_actions``, ``generation.writing_actions``, ``models.model_actions``, the shell's view
actions) creates its actions without text, parented to the window, and sets their texts in its ``retranslate()``,
so that the same actions follow a change of the UI language.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


def make_action(parent: QObject, slot: Callable[[], object], shortcut: Shortcut = None, *, name: str = "") -> QAction:
    """An action without text that calls ``slot`` when triggered (its collection's ``retranslate()`` names it)."""
    action = QAction(parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if name:
        action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def set_texts(action: QAction, text: str, tip: str = "") -> None:
    """Set the menu text of ``action`` and, with a ``tip``, its status tip and a tooltip naming its shortcut."""
    action.setText(text)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
