"""Windows that open within the screens there are now: a default size that fits the available screen, a place over
the parent window, and a remembered geometry that is brought back onto a screen that still exists.

Geometries are compared with a window's frame (title bar and borders included) where the frame is known, so a
window is never placed with its title bar off the screen. :class:`RememberedGeometry` does it all for one window:
shown, the window gets its saved geometry (clamped onto a screen) or, the first time, its default size centred over
its parent; hidden (closed), it saves its geometry in the settings.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QEvent, QMargins, QObject, QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from ziya_desktop.ui.common.settings import settings

# Of the available screen, a new window takes this share, up to the cap its owner gives; a window whose parts need
# more room to show without scrolling takes up to the larger share.
DEFAULT_SHARE = 0.8
MOST_SHARE = 0.92


def screen_of(rect: QRect) -> QScreen:
    """The screen that shows the centre of ``rect``, else the one showing most of it, else the primary screen."""
    screens = QGuiApplication.screens()
    for screen in screens:
        if screen.geometry().contains(rect.center()):
            return screen
    best, best_area = QGuiApplication.primaryScreen(), 0
    for screen in screens:
        common = screen.geometry().intersected(rect)
        if not common.isEmpty() and common.width() * common.height() > best_area:
            best, best_area = screen, common.width() * common.height()
    return best


def fit_rect(rect: QRect, available: QRect) -> QRect:
    """``rect`` made no larger than ``available``, then moved the least distance to lie wholly inside it."""
    width = min(rect.width(), available.width())
    height = min(rect.height(), available.height())
    x = max(available.x(), min(rect.x(), available.x() + available.width() - width))
    y = max(available.y(), min(rect.y(), available.y() + available.height() - height))
    return QRect(x, y, width, height)


def default_size(
    available: QSize, cap: QSize, minimum: QSize, wanted: QSize | None = None, share: float = DEFAULT_SHARE
) -> QSize:
    """``share`` of the ``available`` screen up to ``cap``, or as much of ``wanted`` (the size at which nothing
    scrolls) as :data:`MOST_SHARE` of the screen allows when that is more; never smaller than ``minimum`` unless the
    screen itself is smaller."""

    def one(room: int, most: int, least: int, want: int) -> int:
        size = max(min(most, int(room * share)), min(want, int(room * MOST_SHARE)))
        return min(room, max(least, size))

    wanted = wanted if wanted is not None else QSize(0, 0)
    return QSize(
        one(available.width(), cap.width(), minimum.width(), wanted.width()),
        one(available.height(), cap.height(), minimum.height(), wanted.height()),
    )


def frame_margins(window: QWidget) -> QMargins:
    """What the window manager's frame adds around ``window``: its own frame once shown, else its parent window's
    (the same window manager draws both), else nothing."""
    for widget in (window, window.parentWidget()):
        if widget is None:
            continue
        top = widget.window()
        frame, inner = top.frameGeometry(), top.geometry()
        if top.isVisible() and frame != inner:
            return QMargins(
                inner.left() - frame.left(),
                inner.top() - frame.top(),
                frame.right() - inner.right(),
                frame.bottom() - inner.bottom(),
            )
    return QMargins()


def _set_frame_rect(window: QWidget, frame: QRect, margins: QMargins) -> None:
    # The inner geometry, not move() to the frame's corner: before a window is first shown, some window managers
    # take that corner for the inner one and put the title bar above it.
    window.setGeometry(frame.marginsRemoved(margins))


def clamp_onto_screen(window: QWidget) -> None:
    """Shrink and move ``window`` so that its frame lies within the available area of the screen it is (mostly)
    on, or of the primary screen when it is on none. A maximized or full-screen window is left alone."""
    if window.isMaximized() or window.isFullScreen():
        return
    margins = frame_margins(window)
    frame = window.geometry().marginsAdded(margins)
    fitted = fit_rect(frame, screen_of(frame).availableGeometry())
    if fitted != frame:
        _set_frame_rect(window, fitted, margins)


def place_new(window: QWidget, cap: QSize, wanted: QSize | None = None, share: float = DEFAULT_SHARE) -> None:
    """Give ``window`` its default size (:func:`default_size` with its minimum size) on the screen of its parent
    window (or the primary screen), centred over the parent (or the screen), wholly on that screen."""
    parent = window.parentWidget()
    over = parent.window().frameGeometry() if parent is not None and parent.window().isVisible() else None
    screen = screen_of(over) if over is not None else (window.screen() or QGuiApplication.primaryScreen())
    available = screen.availableGeometry()
    margins = frame_margins(window)
    size = default_size(available.size().shrunkBy(margins), cap, window.minimumSize(), wanted, share)
    frame = QRect(available.topLeft(), size.grownBy(margins))
    frame.moveCenter((over or available).center())
    _set_frame_rect(window, fit_rect(frame, available), margins)


def resize_within_screen(window: QWidget, wanted: QSize) -> None:
    """Resize ``window`` (a dialog, before it is shown) to ``wanted``, or to as much of it as fits
    :data:`MOST_SHARE` of the available area of its parent's screen (or the primary screen)."""
    parent = window.parentWidget()
    screen = parent.window().screen() if parent is not None else QGuiApplication.primaryScreen()
    room = screen.availableGeometry().size().shrunkBy(frame_margins(window))
    most = QSize(int(room.width() * MOST_SHARE), int(room.height() * MOST_SHARE))
    window.resize(wanted.boundedTo(most).expandedTo(window.minimumSizeHint()).boundedTo(room))


def restore_geometry(window: QWidget, key: str) -> bool:
    """Restore the geometry saved under ``key`` and clamp it onto a screen; False when none was saved or it is
    unreadable (the window is unchanged then)."""
    data = settings().value(key)
    if not isinstance(data, QByteArray) or data.isEmpty() or not window.restoreGeometry(data):
        return False
    clamp_onto_screen(window)
    return True


def save_geometry(window: QWidget, key: str) -> None:
    """Save the geometry of ``window`` under ``key``."""
    store = settings()
    store.setValue(key, window.saveGeometry())
    store.sync()


class _ClampWhenShown(QObject):
    """Clamps its window onto a screen once it is shown, when its frame is known (see :func:`clamp_when_shown`)."""

    def __init__(self, window: QWidget, every_time: bool) -> None:
        super().__init__(window)
        self._window, self._every_time = window, every_time
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Show and not event.spontaneous():
            if not self._every_time:
                self._window.removeEventFilter(self)
            QTimer.singleShot(0, self, self.clamp)
        return False

    def clamp(self) -> None:
        if self._window.isVisible():
            clamp_onto_screen(self._window)


def clamp_when_shown(window: QWidget) -> None:
    """Clamp ``window`` onto a screen right after it is first shown: only then is its frame (the title bar) known,
    so a geometry that fit without it may still reach past the screen's edge."""
    _ClampWhenShown(window, every_time=False)


class RememberedGeometry(QObject):
    """Keeps the geometry of one window in the settings under ``key``.

    Each time the window is shown it gets the saved geometry, clamped onto a screen that exists now; with none saved
    yet, its default size (:func:`place_new` with ``cap``, and the size ``wanted()`` returns when given). Each time
    it is hidden or closed, its geometry is saved. Minimizing and restoring (spontaneous show and hide events)
    change nothing.
    """

    def __init__(self, window: QWidget, key: str, cap: QSize, wanted: Callable[[], QSize] | None = None) -> None:
        super().__init__(window)
        self._window, self._key, self._cap, self._wanted = window, key, cap, wanted
        window.installEventFilter(self)
        _ClampWhenShown(window, every_time=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and not event.spontaneous():
            if event.type() == QEvent.Type.Show:
                self.restore()
            elif event.type() == QEvent.Type.Hide:
                self.save()
        return False

    def restore(self) -> None:
        """The saved geometry, else the default size and place."""
        if not restore_geometry(self._window, self._key):
            place_new(self._window, self._cap, self._wanted() if self._wanted is not None else None)

    def save(self) -> None:
        save_geometry(self._window, self._key)
