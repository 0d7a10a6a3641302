"""Light, dark, or following the system: the colour scheme of the whole app.

Qt 6.8+ switches its Fusion palettes itself when asked for a colour scheme, and follows the desktop's scheme
(and changes of it) when asked for none, so no palette is hand-made here.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette


class Theme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


_SCHEMES = {
    Theme.SYSTEM: Qt.ColorScheme.Unknown,  # Unknown = no override: follow the platform
    Theme.LIGHT: Qt.ColorScheme.Light,
    Theme.DARK: Qt.ColorScheme.Dark,
}


def parse_theme(value: object) -> Theme:
    """A stored setting back to a :class:`Theme`; anything unknown means "follow the system"."""
    try:
        return Theme(str(value))
    except ValueError:
        return Theme.SYSTEM


def apply_theme(theme: Theme) -> None:
    """Ask Qt for ``theme``'s colour scheme; widgets repaint with the new palette."""
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        app.styleHints().setColorScheme(_SCHEMES[theme])


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` paints light text on a dark background (for colours chosen in code)."""
    return (
        palette.color(QPalette.ColorRole.Window).lightness() < palette.color(QPalette.ColorRole.WindowText).lightness()
    )
