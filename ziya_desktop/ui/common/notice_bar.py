"""A strip above the editor for things the writer should read without being interrupted by a dialog.

Used for "no model loaded", failed generations, prompts that were windowed, and save errors: each says what
happened, what to do, and may carry one action button (e.g. "Load model…").
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class NoticeLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_COLOURS = {
    NoticeLevel.INFO: ("#2f6fb3", "rgba(47, 111, 179, 0.12)"),
    NoticeLevel.WARNING: ("#b07a00", "rgba(176, 122, 0, 0.14)"),
    NoticeLevel.ERROR: ("#c0392b", "rgba(192, 57, 43, 0.14)"),
}


class NoticeBar(QFrame):
    """Shows one notice at a time; hidden when there is none.

    Signals:
        dismissed(): the writer closed the notice.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.action_button = QPushButton(self)
        self.action_button.hide()
        self._action: Callable[[], object] | None = None
        self.action_button.clicked.connect(self._run_action)
        self.close_button = close = QToolButton(self)
        close.setText("×")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.message_label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(close)
        self.level = NoticeLevel.INFO
        self.retranslate()
        self.hide()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """The strip's own texts in the current UI language (a notice shown keeps its words)."""
        self.close_button.setToolTip(self.tr("Dismiss"))

    def show_notice(
        self,
        message: str,
        *,
        hint: str = "",
        level: NoticeLevel = NoticeLevel.INFO,
        action_text: str = "",
        action: Callable[[], object] | None = None,
    ) -> None:
        """Replace the current notice by ``message`` (and ``hint`` on the next line)."""
        self.level = level
        border, fill = _COLOURS[level]
        self.setStyleSheet(
            f"QFrame#noticeBar {{ border: 1px solid {border}; border-radius: 4px; background: {fill}; }}"
        )
        self.message_label.setText(f"{message}\n{hint}" if hint else message)
        self._action = action
        self.action_button.setVisible(action is not None)
        self.action_button.setText(action_text)
        self.show()

    def text(self) -> str:
        return self.message_label.text() if self.isVisible() else ""

    def dismiss(self) -> None:
        self.hide()
        self._action = None
        self.dismissed.emit()

    def _run_action(self) -> None:
        action = self._action
        self.dismiss()
        if action is not None:
            action()
