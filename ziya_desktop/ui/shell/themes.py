"""Light, dark, or following the system: the colour scheme of the whole app.

Following the system asks Qt for no colour scheme, so it tracks the desktop (and changes of it) where the platform
reports one. An explicit light or dark choice also sets a Fusion palette of that scheme: not every platform
plugin honours a colour-scheme request (offscreen, plain X11 without a desktop theme), and the choice must hold.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory


class Theme(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


_SCHEMES = {
    Theme.SYSTEM: Qt.ColorScheme.Unknown,  # Unknown = no override: follow the platform
    Theme.LIGHT: Qt.ColorScheme.Light,
    Theme.DARK: Qt.ColorScheme.Dark,
}

_Role = QPalette.ColorRole
_DARK = {
    _Role.Window: "#2b2b2b",
    _Role.WindowText: "#e6e6e6",
    _Role.Base: "#1e1e1e",
    _Role.AlternateBase: "#2b2b2b",
    _Role.Text: "#e6e6e6",
    _Role.Button: "#353535",
    _Role.ButtonText: "#e6e6e6",
    _Role.BrightText: "#ffffff",
    _Role.Highlight: "#3d6fb4",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#6ea8fe",
    _Role.ToolTipBase: "#2b2b2b",
    _Role.ToolTipText: "#e6e6e6",
    _Role.PlaceholderText: "#8a8a8a",
}
_DARK_DISABLED = "#7f7f7f"

_system_style: str | None = None


def parse_theme(value: object) -> Theme:
    """A stored setting back to a :class:`Theme`; anything unknown means "follow the system"."""
    try:
        return Theme(str(value))
    except ValueError:
        return Theme.SYSTEM


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DARK_DISABLED))
    return palette


def apply_theme(theme: Theme) -> None:
    """Switch the whole app to ``theme``; widgets repaint with the new palette."""
    global _system_style
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return
    app.styleHints().setColorScheme(_SCHEMES[theme])
    if not isinstance(app, QApplication):
        return
    if _system_style is None:
        _system_style = app.style().name()
    if theme is Theme.SYSTEM:
        app.setStyle(QStyleFactory.create(_system_style))
        app.setPalette(app.style().standardPalette())
        return
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(dark_palette() if theme is Theme.DARK else app.style().standardPalette())


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` paints light text on a dark background (for colours chosen in code)."""
    return palette.color(_Role.Window).lightness() < palette.color(_Role.WindowText).lightness()
