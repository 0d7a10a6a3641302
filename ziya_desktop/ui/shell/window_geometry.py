"""The main window's size and place: the geometry and panel layout of the last session, brought back onto a screen
that exists now; on first start, a default size within the screen and a template panel that leaves the editor most
of the window; and the limit that keeps the editor usable in a small window (the side panels give way first).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.common.window_placement import clamp_when_shown, place_new, restore_geometry

GEOMETRY_KEY = "main_window/geometry"
STATE_KEY = "main_window/state"
# On first start the window takes 90 % of the screen, up to this size.
DEFAULT_SHARE = 0.9
DEFAULT_CAP = QSize(1400, 900)
# The document area (editor and notice strip) is never narrower than this; the side panels shrink first.
EDITOR_MIN_WIDTH = 360
# On first start the side panel takes this share of the window's width, no less than its minimum, at most the width
# it was designed for.
SIDE_PANEL_SHARE = 0.28
SIDE_PANEL_MAX_WIDTH = 360


def set_size_limits(window: QMainWindow) -> None:
    """Keep the document area of ``window`` wide enough to write in; the window's minimum follows from it."""
    central = window.centralWidget()
    if central is not None:
        central.setMinimumWidth(EDITOR_MIN_WIDTH)


def restore(window: QMainWindow, side_panel: QDockWidget) -> bool:
    """Give ``window`` the geometry and panel layout saved at the last close, clamped onto a screen that exists now.

    Without a saved geometry (first start), the window gets its default size and place, and ``side_panel`` a width
    that leaves the editor most of the room. Returns whether a saved geometry was restored.
    """
    clamp_when_shown(window)
    if restore_geometry(window, GEOMETRY_KEY):
        state = settings().value(STATE_KEY)
        if isinstance(state, QByteArray):
            window.restoreState(state)
        return True
    place_new(window, DEFAULT_CAP, share=DEFAULT_SHARE)
    least = side_panel.minimumSizeHint().width()
    width = max(least, min(SIDE_PANEL_MAX_WIDTH, int(window.width() * SIDE_PANEL_SHARE)))
    window.resizeDocks([side_panel], [width], Qt.Orientation.Horizontal)
    return False


def save(window: QMainWindow) -> None:
    """Save the geometry and the panel layout of ``window`` for the next start."""
    store = settings()
    store.setValue(GEOMETRY_KEY, window.saveGeometry())
    store.setValue(STATE_KEY, window.saveState())
    store.sync()
