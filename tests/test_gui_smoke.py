"""The main window and the start-up path, for real, on Qt's offscreen platform (pytest-qt).

Also a guard against a broken Qt for Python build: PySide6 6.12.0 on Python 3.11 drops a reference to ``None``
on every call of a C++ function returning ``void``, and the process aborts (``Fatal Python error: none_dealloc``)
once ``None``'s count reaches zero, a few thousand calls into a session.
"""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.shell.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
VOID_CALLS = 20_000
# A repaint of the visible window costs ~0.3 ms offscreen; doing one per round would make each guard take seconds.
REPAINT_EVERY = 250
SUBPROCESS_TIMEOUT_S = 120


class _Window:
    """The main window with its current document's editor and the count label at hand."""

    def __init__(self, main: MainWindow) -> None:
        self.main = main
        tab = main.current_tab()
        assert tab is not None
        self.editor = tab.editor

    def count(self) -> str:
        # The speaking time follows the counts; these tests are about the counts.
        return self.main.status.count_label.text().split(" · speaking")[0].split(" · 朗读")[0]


@pytest.fixture
def main(qtbot: QtBot, main_window: Callable[..., MainWindow]) -> MainWindow:
    shown = main_window()
    qtbot.waitExposed(shown)
    return shown


@pytest.fixture
def window(main: MainWindow) -> _Window:
    return _Window(main)


def _subprocess_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ZIYA_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def _run_python(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_subprocess_env(home),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=SUBPROCESS_TIMEOUT_S,
        check=False,
    )


def test_window_opens_with_title_and_status(main: MainWindow, window: _Window) -> None:
    assert main.isVisible()
    assert main.windowTitle() == "Untitled 1[*] — Ziya Desktop"
    assert not main.isWindowModified()
    assert main.status.model_label.text() == "No model loaded"
    assert window.count() == "0 words"
    assert main.tabs.count() == 1
    assert window.editor.font().families()[0] == "Noto Sans CJK SC"


def test_typing_updates_word_count(qtbot: QtBot, window: _Window) -> None:
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, "hello world")
    qtbot.waitUntil(lambda: window.count() == "2 words")

    # Chinese arrives as an input-method commit, as from a real IME; QTest.keyClicks only types Latin-1.
    event = QInputMethodEvent("", [])
    event.setCommitString("你好，世界")
    QApplication.sendEvent(window.editor, event)
    assert window.editor.toPlainText() == "hello world你好，世界"
    qtbot.waitUntil(lambda: window.count() == "字数 5 · 2 words")

    qtbot.keyClicks(window.editor, " one")
    qtbot.waitUntil(lambda: window.count() == "字数 5 · 3 words")


def test_chinese_only_shows_characters_and_one_word_is_singular(qtbot: QtBot, window: _Window) -> None:
    window.editor.setPlainText("他说：“好吧……”")
    qtbot.waitUntil(lambda: window.count() == "字数 9")
    window.editor.setPlainText("hello")
    qtbot.waitUntil(lambda: window.count() == "1 word")


def test_modification_marks_the_title(qtbot: QtBot, main: MainWindow, window: _Window) -> None:
    qtbot.keyClicks(window.editor, "x")
    assert main.isWindowModified()
    assert main.tabs.tabText(0).endswith("•")
    window.editor.document().setModified(False)
    assert not main.isWindowModified()


def test_geometry_is_saved_under_ziya_home(main: MainWindow, ziya_home: Path) -> None:
    main.close()
    settings_file = ziya_home / "config" / "settings.ini"
    assert settings_file.is_file()
    assert "geometry" in settings_file.read_text(encoding="utf-8")


_VOID_CALL_SCRIPT = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtWidgets import QApplication, QMessageBox
    from ziya_desktop.ui.shell.main_window import MainWindow

    app = QApplication(["void-call-guard"])
    window = MainWindow()
    window.show()
    before = sys.getrefcount(None)
    for i in range({VOID_CALLS}):
        QApplication.processEvents()
        window.setWindowModified(False)
        window.status.set_model("No model loaded")
        if i % {REPAINT_EVERY} == 0:
            window.update()
    after = sys.getrefcount(None)
    print("VOID-CALLS-SURVIVED", before - after, flush=True)
    window.close()
    """
)


def test_many_void_calls_do_not_abort_the_process(ziya_home: Path) -> None:
    # In a child process: on an affected build the abort would otherwise take the whole test session down.
    result = _run_python(_VOID_CALL_SCRIPT, ziya_home)
    assert result.returncode == 0, f"exit status {result.returncode}; stderr:\n{result.stderr[-4000:]}"
    marker = [line for line in result.stdout.splitlines() if line.startswith("VOID-CALLS-SURVIVED")]
    assert marker, f"no marker in stdout:\n{result.stdout[-4000:]}"
    none_refs_lost = int(marker[0].split()[1])
    assert none_refs_lost < 1_000, f"{none_refs_lost} references to None lost over {VOID_CALLS} void-call rounds"


def test_void_calls_keep_none_refcount(qtbot: QtBot, main: MainWindow, window: _Window) -> None:
    # A short probe first: an affected build loses ~3 references per round here, and None has only a few
    # thousand, so failing now beats letting the full loop abort the test session.
    def void_calls(rounds: int) -> None:
        for i in range(rounds):
            QApplication.processEvents()
            main.setWindowModified(False)
            window.editor.setReadOnly(False)
            if i % REPAINT_EVERY == 0:
                main.update()

    probe = 500
    before = sys.getrefcount(None)
    void_calls(probe)
    assert before - sys.getrefcount(None) < probe // 2, "void calls leak references to None; stopping early"

    before = sys.getrefcount(None)
    void_calls(VOID_CALLS)
    assert before - sys.getrefcount(None) < 1_000


_START_UP_SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox
    import ziya_desktop.app as app_module

    class QuittingWindow(app_module.MainWindow):
        def show(self) -> None:
            super().show()
            print("IDENTITY", QCoreApplication.organizationName(), "/", QCoreApplication.applicationName())
            QTimer.singleShot(100, QApplication.quit)

    app_module.MainWindow = QuittingWindow
    status = app_module.run_gui(["ziya-desktop"])
    print("RUN-GUI-RETURNED", status, flush=True)
    sys.exit(status)
    """
)


def test_run_gui_starts_logs_and_quits(ziya_home: Path) -> None:
    result = _run_python(_START_UP_SCRIPT, ziya_home)
    assert result.returncode == 0, f"exit status {result.returncode}; stderr:\n{result.stderr[-4000:]}"
    assert "IDENTITY Ziya / Ziya Desktop" in result.stdout
    assert "RUN-GUI-RETURNED 0" in result.stdout

    log_text = (ziya_home / "logs" / "ziya-desktop.log").read_text(encoding="utf-8")
    assert "Ziya Desktop" in log_text
    assert "starting" in log_text
    assert "Ziya Desktop" in (ziya_home / "logs" / "crash.log").read_text(encoding="utf-8")
