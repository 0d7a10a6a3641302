"""Window sizes through the real main window, offscreen: the model library closes with its Close button and Esc,
opens within the screen, never lays one part over another, and remembers its geometry; the main window starts
within the screen and comes back where it was (clamped when that is off-screen); the template panel shrinks so that
a small window keeps a usable editor."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterable
from itertools import combinations

import helpers
import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.models.model_library import ModelLibraryWindow
from ziya_desktop.ui.shell.main_window import MainWindow

WAIT_MS = 60_000
# The model library must be usable on an 800×600 screen: its minimum size fits 80 % of one.
SMALL_SCREEN = QSize(800, 600)


def available() -> QRect:
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    return screen.availableGeometry()


def open_library(qtbot: QtBot, main: MainWindow) -> ModelLibraryWindow:
    """The model library as the Model menu opens it, on a fixed test computer (no hardware probe)."""
    if main.library_window is None:
        main.library_window = ModelLibraryWindow(hardware=helpers.machine(None), lang="en", parent=main)
    library = main.show_model_library()
    qtbot.waitUntil(lambda: not library.scanner.running, timeout=WAIT_MS)
    qtbot.wait(50)  # the clamp that follows the first show, once the frame is known
    return library


def rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def overlaps(widgets: Iterable[QWidget], window: QWidget) -> list[tuple[str, str]]:
    """The pairs of visible widgets whose rectangles intersect (none contains the other)."""
    shown = [w for w in widgets if w.isVisible() and not w.size().isEmpty()]
    return [
        (a.objectName() or type(a).__name__, b.objectName() or type(b).__name__)
        for a, b in combinations(shown, 2)
        if rect_in(a, window).intersects(rect_in(b, window))
    ]


def test_model_library_closes_with_its_close_button_and_with_esc(
    qtbot: QtBot, main_window: Callable[..., MainWindow]
) -> None:
    main = main_window()
    library = open_library(qtbot, main)
    close = library.button_box.button(QDialogButtonBox.StandardButton.Close)
    assert close is not None and close.isVisible()
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not library.isVisible()

    library = open_library(qtbot, main)
    library.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is library)
    library.local_table.setFocus()
    qtbot.keyClick(library.local_table, Qt.Key.Key_Escape)
    assert not library.isVisible()
    assert main.isVisible()  # Esc closed the library, not the window behind it


def test_model_library_opens_within_the_screen_over_the_main_window(
    qtbot: QtBot, main_window: Callable[..., MainWindow]
) -> None:
    main = main_window()
    screen = available()
    main.resize(screen.width() // 2, screen.height() // 2)
    main.move(screen.topLeft() + QPoint(screen.width() // 3, screen.height() // 3))
    QApplication.processEvents()
    library = open_library(qtbot, main)
    frame = library.frameGeometry()
    assert screen.contains(frame), (frame, screen)
    assert library.width() >= library.minimumWidth() and library.height() >= library.minimumHeight()
    # Centred over the main window, as far as the screen allows.
    over = main.frameGeometry().center()
    left = min(max(over.x() - frame.width() // 2, screen.left()), screen.right() + 1 - frame.width())
    top = min(max(over.y() - frame.height() // 2, screen.top()), screen.bottom() + 1 - frame.height())
    assert abs(frame.left() - left) <= 2 and abs(frame.top() - top) <= 2, (frame, main.frameGeometry())


def test_model_library_parts_never_overlap_at_its_minimum_size(
    qtbot: QtBot, main_window: Callable[..., MainWindow]
) -> None:
    main = main_window()
    library = open_library(qtbot, main)
    minimum = library.minimumSize()
    assert minimum.width() <= SMALL_SCREEN.width() * 0.8 and minimum.height() <= SMALL_SCREEN.height() * 0.8
    library.resize(minimum)
    qtbot.waitUntil(lambda: library.size() == minimum)
    QApplication.processEvents()

    areas = [library.local_panel, library.catalog_panel, library.progress, library.settings_group]
    assert overlaps(areas, library) == []
    for area in areas:  # none squeezed below what it needs
        assert area.height() >= area.minimumSizeHint().height(), area.objectName() or type(area).__name__
    catalog = [library.catalog_label, library.catalog_table, library.download_button]
    assert overlaps([library.local_table, *catalog], library) == []
    assert overlaps([library.catalog_table, library.download_note], library) == []
    box = rect_in(library.catalog_panel, library)
    for part in catalog:
        assert box.contains(rect_in(part, library)), part.objectName()
    # The Close button stays clear of the scrolling parts, and every part is reachable by scrolling.
    assert overlaps([library.scroll_area, library.button_box], library) == []
    assert library.scroll_area.widget().height() >= library.settings_group.geometry().bottom()


def test_model_library_remembers_its_geometry_across_openings_and_restarts(
    qtbot: QtBot, main_window: Callable[..., MainWindow]
) -> None:
    main = main_window()
    library = open_library(qtbot, main)
    library.resize(560, 430)
    library.move(available().topLeft() + QPoint(37, 29))
    QApplication.processEvents()
    where = library.geometry()

    library.close()
    library = open_library(qtbot, main)
    assert library.geometry() == where

    main.close()  # the app quits: the next start reads the same settings
    assert not main.isVisible()
    restarted = main_window()
    again = open_library(qtbot, restarted)
    assert again is not library
    assert again.geometry() == where


def test_main_window_starts_within_the_screen(main_window: Callable[..., MainWindow], qtbot: QtBot) -> None:
    main = main_window()
    qtbot.wait(50)
    screen = available()
    assert screen.contains(main.frameGeometry()), (main.frameGeometry(), screen)
    # A default size with room around it, not a window that was too big and got cut down to the whole screen.
    assert main.width() <= screen.width() * 0.9 + 1 and main.height() <= screen.height() * 0.9 + 1
    minimum = main.minimumSize()
    assert minimum.width() <= SMALL_SCREEN.width() and minimum.height() <= SMALL_SCREEN.height()


def test_main_window_comes_back_where_it_was(main_window: Callable[..., MainWindow], qtbot: QtBot) -> None:
    main = main_window()
    main.resize(700, 520)
    main.move(available().topLeft() + QPoint(41, 23))
    QApplication.processEvents()
    where = main.geometry()
    main.close()

    again = main_window()
    qtbot.wait(50)
    assert again.geometry() == where


@pytest.mark.parametrize("place", [QPoint(3000, 2500), QPoint(-2500, -1800)])
def test_main_window_saved_off_screen_comes_back_on_screen(
    main_window: Callable[..., MainWindow], qtbot: QtBot, place: QPoint
) -> None:
    main = main_window()
    main.resize(available().width() + 300, available().height() + 200)
    main.move(place)
    QApplication.processEvents()
    main.close()

    again = main_window()
    qtbot.wait(50)
    screen = available()
    assert screen.contains(again.frameGeometry()), (again.frameGeometry(), screen)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_template_panel_leaves_the_editor_a_usable_width(
    main_window: Callable[..., MainWindow], qtbot: QtBot, lang: str
) -> None:
    main = main_window(lang=lang)
    panel = main.templates
    # The template with the most fields, so the longest labels and editors.
    busiest = max(panel.library.templates.values(), key=lambda t: len(t.fields))
    assert panel.select_template(busiest.id)
    main.resize(800, 600)
    QApplication.processEvents()
    tab = main.current_tab()
    assert tab is not None
    assert main.templates_dock.isVisible()
    assert tab.editor.width() >= 400, (tab.editor.width(), main.templates_dock.width())

    # The panel shrinks to a narrow side panel, and every template's form still fits it: long labels wrap.
    assert main.templates_dock.minimumSizeHint().width() <= 240
    main.resizeDocks([main.templates_dock], [1], Qt.Orientation.Horizontal)
    QApplication.processEvents()
    assert main.templates_dock.width() <= 240
    assert tab.editor.width() >= 500
    page = panel.title_label.parentWidget()  # the form's page in its scroll area
    viewport = page.parentWidget() if page is not None else None
    assert page is not None and viewport is not None
    for template_id in panel.library.templates:
        assert panel.select_template(template_id)
        QApplication.processEvents()
        assert page.width() <= viewport.width(), (template_id, page.width(), viewport.width())

    # However small the window is made, the editor keeps a width to write in.
    main.resize(main.minimumSize())
    QApplication.processEvents()
    assert main.templates_dock.isVisible()
    assert tab.editor.width() >= 320, (main.width(), tab.editor.width())


def test_placement_arithmetic() -> None:
    from ziya_desktop.ui.common.window_placement import default_size, fit_rect

    screen = QRect(0, 0, 800, 600)
    assert fit_rect(QRect(3000, 2500, 400, 300), screen) == QRect(400, 300, 400, 300)
    assert fit_rect(QRect(-50, -20, 1000, 900), screen) == screen
    assert fit_rect(QRect(10, 20, 300, 200), screen) == QRect(10, 20, 300, 200)
    assert fit_rect(QRect(0, 0, 300, 200), QRect(1920, -100, 1280, 1024)) == QRect(1920, 0, 300, 200)
    cap, minimum = QSize(1100, 860), QSize(480, 360)
    assert default_size(QSize(800, 600), cap, minimum) == QSize(640, 480)
    assert default_size(QSize(2560, 1440), cap, minimum) == cap
    assert default_size(QSize(800, 600), cap, minimum, wanted=QSize(700, 900)) == QSize(700, 552)
    assert default_size(QSize(400, 300), cap, minimum) == QSize(400, 300)  # a screen smaller than the minimum


def test_a_dialog_too_big_for_the_screen_is_made_to_fit(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QDialog

    from ziya_desktop.ui.common.window_placement import resize_within_screen

    dialog = QDialog()
    qtbot.addWidget(dialog)
    resize_within_screen(dialog, QSize(5000, 4000))
    screen = available()
    assert dialog.width() <= screen.width() * 0.92 and dialog.height() <= screen.height() * 0.92
    resize_within_screen(dialog, QSize(300, 200))
    assert dialog.size() == QSize(300, 200)
