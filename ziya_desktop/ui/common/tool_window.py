"""A window of its own beside the main window (such as the model library): its body scrolls when the window is
small, so no part is ever squeezed over another; a Close button and Esc close it; it opens at a size that fits the
screen, centred over the main window, and it remembers its geometry (:mod:`~ziya_desktop.ui.common.window_placement`).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialogButtonBox, QFrame, QScrollArea, QVBoxLayout, QWidget

from ziya_desktop.ui.common.window_placement import RememberedGeometry


class ToolWindow(QWidget):
    """A top-level window with a scrolling ``body`` (lay it out) above a Close button.

    Args:
        geometry_key: the settings key its geometry is remembered under.
        cap: the first time it opens at 80 % of the screen up to this size, or larger where its body needs the room.
        minimum: its minimum size; below the size its body needs, the body scrolls.

    Attributes:
        body: the widget to lay the window's parts out in; scroll_area: the scroll area around it;
        button_box: the Close button (more buttons may be added); remembered_geometry: saves and restores it.
    """

    def __init__(self, geometry_key: str, *, cap: QSize, minimum: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.body = QWidget(self)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.body)
        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.button_box.rejected.connect(self.close)
        self.close_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self._outer = outer = QVBoxLayout(self)
        outer.addWidget(self.scroll_area, 1)
        outer.addWidget(self.button_box)
        self.setMinimumSize(minimum)
        self.remembered_geometry = RememberedGeometry(self, geometry_key, cap, wanted=self.preferred_size)

    def preferred_size(self) -> QSize:
        """The size at which the whole body shows without scrolling (the first time, it opens this large where the
        screen has room)."""
        body = self.body.sizeHint()
        margins = self._outer.contentsMargins()
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        below = self._outer.spacing() + self.button_box.sizeHint().height()
        return QSize(
            body.width() + margins.left() + margins.right() + bar,
            body.height() + margins.top() + margins.bottom() + below,
        )
