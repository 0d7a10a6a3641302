"""Start-up of the desktop app: crash log, logging, the ``QApplication`` and the main window.

:func:`run_gui` is the only entry point; the command line (``ziya_desktop.cli``) calls it. Importing this module
does nothing: every hook is installed by :func:`run_gui`, so tests and the CLI can import it freely.

What a start leaves in :func:`ziya_desktop.paths.log_dir`:

``ziya-desktop.log`` (+ ``.1`` ... ``.3``)
    INFO and above from every logger, Qt's own messages (logger ``qt``) and unhandled exceptions; UTF-8,
    rotated at 2 MiB. WARNING and above also go to stderr.
``crash.log``
    ``faulthandler`` tracebacks of every thread when the process dies from a signal: a segfault or abort in
    llama.cpp or Qt leaves no Python traceback anywhere else.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import platform
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TextIO

import PySide6
from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ziya_desktop import __version__, paths
from ziya_desktop.models.convert_job import remove_interrupted_conversions
from ziya_desktop.qt_preflight import preflight_or_message
from ziya_desktop.ui.common.i18n import effective_language, install_translations
from ziya_desktop.ui.common.settings import configure_application_identity
from ziya_desktop.ui.files.recovery_dialog import start_recovery
from ziya_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

LOG_FILE_NAME = "ziya-desktop.log"
LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUP_COUNT = 3
CRASH_LOG_NAME = "crash.log"
# The crash log is appended to on every start; past this size it starts over instead.
CRASH_LOG_MAX_BYTES = 1024 * 1024
# The desktop entry's name without .desktop (Wayland's app id; GNOME and KDE match windows to launchers by it).
DESKTOP_FILE_NAME = "ziya-desktop"
# The documents a command line (the desktop entry's MIME association) may name.
OPENED_SUFFIXES = (".md", ".markdown", ".txt")

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

# faulthandler writes to the file descriptor of this object when the process dies; if the object were
# collected, the descriptor would close (or be reused by another file) and the crash report would be lost.
_crash_log: TextIO | None = None
# The handlers configure_logging added, so a second call adds no duplicates.
_log_handlers: list[logging.Handler] = []


def main() -> int:
    """The GUI launcher's entry point: the window, with Qt's own options taken from the command line."""
    # Before the QApplication: a missing xcb library is a message with what to install, not Qt's abort.
    if (status := preflight_or_message(sys.argv[1:])) is not None:
        return status
    return run_gui(sys.argv)


def run_gui(argv: list[str]) -> int:
    """Start the desktop app and run its event loop.

    Args:
        argv: the command line for Qt (``argv[0]`` is the program); Qt consumes its own options such as
            ``-style`` or ``-platform``.

    Returns:
        The exit status of the event loop, for ``sys.exit``.

    Raises:
        RuntimeError: a ``QCoreApplication`` without widget support already exists in this process.
    """
    configure_application_identity()
    logs = paths.log_dir()
    enable_crash_log(logs / CRASH_LOG_NAME)
    configure_logging(logs / LOG_FILE_NAME)
    install_exception_hooks()
    # A conversion killed together with an earlier run left its partial files (up to tens of GB) behind.
    remove_interrupted_conversions(paths.models_dir())
    # Installed before the QApplication exists, so platform-plugin and font warnings reach the log too.
    qInstallMessageHandler(_log_qt_message)

    app = _application(argv)
    _set_desktop_identity(app)
    log.info(
        "Ziya Desktop %s starting: Qt %s, PySide6 %s, Python %s, %s; logs in %s",
        __version__,
        qVersion(),
        PySide6.__version__,
        platform.python_version(),
        platform.platform(),
        logs,
    )
    lang = effective_language()
    install_translations(app, lang)
    window = MainWindow(lang=lang)
    window.show()
    # Documents named on the command line (a .md or .txt opened with the app from the file manager).
    for arg in argv[1:]:
        if Path(arg).suffix.lower() in OPENED_SUFFIXES and Path(arg).is_file():
            window.files.open_path(Path(arg))
    # After show(): the recovery dialog needs the window, and a crash's leftovers are dealt with before new work.
    # The journals are scanned on a worker thread; the dialog opens when the scan is done.
    start_recovery(window)
    # After show(): the window is up at once and the model loads in the background; without any model, the editor
    # area says what the app needs and how to get it.
    if not window.writing.load_last_model():
        window.offer_first_run()
    status = app.exec()
    log.info("event loop ended with status %d", status)
    return status


def _set_desktop_identity(app: QApplication) -> None:
    """The window icon, and the desktop entry the shell matches the window to (packaging/linux/ziya-desktop.desktop)."""
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    icon = paths.resources_dir() / "icons" / "ziya-desktop.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))


def enable_crash_log(path: Path) -> None:
    """Send ``faulthandler`` output of all threads to *path* (appended; started over past 1 MiB). Idempotent."""
    global _crash_log
    if _crash_log is not None:
        return
    too_big = path.exists() and path.stat().st_size > CRASH_LOG_MAX_BYTES
    crash_log = path.open("w" if too_big else "a", encoding="utf-8")
    # A header per start tells which run a traceback below it belongs to; faulthandler prints no time.
    crash_log.write(f"--- Ziya Desktop {__version__} started {datetime.now():%Y-%m-%d %H:%M:%S}, pid {os.getpid()}\n")
    crash_log.flush()
    faulthandler.enable(file=crash_log, all_threads=True)
    _crash_log = crash_log


def configure_logging(path: Path) -> None:
    """Log INFO and above to a rotating UTF-8 file at *path*, and WARNING and above to stderr. Idempotent."""
    root = logging.getLogger()
    if any(handler in root.handlers for handler in _log_handlers):
        return
    formatter = logging.Formatter(_LOG_FORMAT)

    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUP_COUNT, encoding="utf-8"
    )
    file_handler.setLevel(logging.INFO)
    file_handler.setFormatter(formatter)
    handlers: list[logging.Handler] = [file_handler]

    # A gui-script on Windows (pythonw) has no stderr at all.
    if sys.stderr is not None:
        stderr_handler = logging.StreamHandler(sys.stderr)
        stderr_handler.setLevel(logging.WARNING)
        stderr_handler.setFormatter(formatter)
        handlers.append(stderr_handler)

    for handler in handlers:
        root.addHandler(handler)
    _log_handlers[:] = handlers
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)


def install_exception_hooks() -> None:
    """Log exceptions nobody caught: in Qt slots (PySide reports them through ``sys.excepthook``) and in threads.

    Without this they only reach stderr, which a desktop launch throws away.
    """
    sys.excepthook = _log_unhandled
    threading.excepthook = _log_unhandled_in_thread


def _application(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    if existing is not None:
        raise RuntimeError("a QCoreApplication without widget support already exists in this process")
    # High-DPI: Qt 6 always scales and passes fractional factors through; the Qt 5 attributes
    # (AA_EnableHighDpiScaling and friends) are deprecated no-ops, so nothing is set here on purpose.
    return QApplication(argv or [sys.argv[0] or "ziya-desktop"])


def _log_qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    qt_log.log(_QT_LEVELS.get(mode, logging.WARNING), "%s", message)


def _log_unhandled(
    exc_type: type[BaseException], exc_value: BaseException, exc_traceback: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc_value, exc_traceback)
        return
    log.critical("unhandled exception", exc_info=(exc_type, exc_value, exc_traceback))


def _log_unhandled_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    thread = args.thread.name if args.thread is not None else "?"
    log.critical(
        "unhandled exception in thread %s", thread, exc_info=(args.exc_type, args.exc_value, args.exc_traceback)
    )
