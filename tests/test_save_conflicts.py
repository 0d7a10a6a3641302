"""Save never silently replaces what another program put on disk, and never writes what it could not open again.

The real main window, offscreen; the disk-change question is the real message box, answered by clicking its
buttons as soon as it shows.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from ziya_desktop.documents.storage import read_document
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.shell.main_window import MainWindow

ORIGINAL = "第一行\n"
OUTSIDE_LINE = "另一个程序加的一行\n"
MINE = "我的修改 "
# Polling every 10 ms, the box is looked for during 30 s at most: a hang guard, not a timing assertion.
_POLLS = 3000


class BoxAnswer:
    """Clicks the button named ``button`` in the disk-change box as soon as one shows; records what it said."""

    def __init__(self, button: str) -> None:
        self.button = button
        self.shown: list[dict[str, object]] = []
        self._polls = 0
        QTimer.singleShot(0, self._poll)

    def _poll(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.objectName() == "diskChangeBox" and widget.isVisible():
                buttons = {b.objectName(): b for b in widget.buttons()}
                self.shown.append({"title": widget.windowTitle(), "text": widget.text(), "buttons": set(buttons)})
                buttons[self.button].click()
                return
        self._polls += 1
        if self._polls < _POLLS:
            QTimer.singleShot(10, self._poll)


def open_and_edit(window: MainWindow, path: Path) -> DocumentTab:
    path.write_text(ORIGINAL, encoding="utf-8")
    tab = window.files.open_path(path)
    assert tab is not None
    tab.editor.moveCursor(tab.editor.textCursor().MoveOperation.Start)
    tab.editor.insertPlainText(MINE)
    assert tab.modified
    return tab


def change_elsewhere(path: Path) -> None:
    """What another editor does: append a line to the file."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(OUTSIDE_LINE)


def test_an_unchanged_file_saves_without_a_question(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    tab = open_and_edit(window, path)
    os.utime(path, ns=(10**18, 10**18))  # touched, same bytes: nothing to ask
    answer = BoxAnswer("cancelButton")
    assert window.files.save_current()
    assert path.read_text(encoding="utf-8") == MINE + ORIGINAL
    tab.editor.insertPlainText("再改 ")
    assert window.files.save_current()  # the file is ours again after our own save
    assert answer.shown == []


def test_changed_on_disk_then_overwrite(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    tab = open_and_edit(window, path)
    change_elsewhere(path)
    answer = BoxAnswer("overwriteButton")
    assert window.files.save_current()
    assert len(answer.shown) == 1
    shown = answer.shown[0]
    assert "changed by another program" in str(shown["text"]) and "doc.md" in str(shown["text"])
    assert shown["buttons"] == {"overwriteButton", "reloadButton", "saveAsButton", "cancelButton"}
    assert path.read_text(encoding="utf-8") == MINE + ORIGINAL  # the writer chose to replace it
    assert not tab.modified


def test_changed_on_disk_then_cancel_keeps_both(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    tab = open_and_edit(window, path)
    change_elsewhere(path)
    answer = BoxAnswer("cancelButton")
    assert not window.files.save_current()
    assert len(answer.shown) == 1
    assert path.read_text(encoding="utf-8") == ORIGINAL + OUTSIDE_LINE
    assert tab.text() == MINE + ORIGINAL and tab.modified
    # Asked again next time: cancelling is no permission to overwrite later.
    again = BoxAnswer("cancelButton")
    assert not window.files.save_current()
    assert len(again.shown) == 1


def test_changed_on_disk_then_reload_and_undo(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    tab = open_and_edit(window, path)
    change_elsewhere(path)
    answer = BoxAnswer("reloadButton")
    assert not window.files.save_current()
    assert len(answer.shown) == 1
    assert tab.text() == ORIGINAL + OUTSIDE_LINE and not tab.modified
    assert path.read_text(encoding="utf-8") == ORIGINAL + OUTSIDE_LINE
    assert "reloaded" in window.notice.text()
    # The writer's version is one Undo away.
    tab.editor.undo()
    assert tab.text() == MINE + ORIGINAL
    # After a reload the file is what the tab knows: the next save asks nothing.
    tab.editor.redo()
    tab.editor.appendPlainText("合并后")
    quiet = BoxAnswer("cancelButton")
    assert window.files.save_current()
    assert quiet.shown == []
    assert path.read_text(encoding="utf-8") == ORIGINAL + OUTSIDE_LINE + "\n合并后"


def test_changed_on_disk_then_save_as(window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.md"
    tab = open_and_edit(window, path)
    change_elsewhere(path)
    elsewhere = tmp_path / "mine.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(elsewhere), ""))
    answer = BoxAnswer("saveAsButton")
    assert window.files.save_current()
    assert len(answer.shown) == 1
    assert path.read_text(encoding="utf-8") == ORIGINAL + OUTSIDE_LINE
    assert elsewhere.read_text(encoding="utf-8") == MINE + ORIGINAL
    assert tab.path == elsewhere and not tab.modified


def test_deleted_on_disk_asks_and_can_save_again(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    tab = open_and_edit(window, path)
    path.unlink()
    answer = BoxAnswer("overwriteButton")
    assert window.files.save_current()
    assert len(answer.shown) == 1
    assert "moved or deleted" in str(answer.shown[0]["text"])
    assert "reloadButton" not in answer.shown[0]["buttons"]  # nothing to reload
    assert path.read_text(encoding="utf-8") == MINE + ORIGINAL
    assert not tab.modified


def test_read_only_file_is_asked_about(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    tab = open_and_edit(window, path)
    path.chmod(0o444)
    cancel = BoxAnswer("cancelButton")
    assert not window.files.save_current()
    assert len(cancel.shown) == 1 and "read-only" in str(cancel.shown[0]["text"])
    assert path.read_text(encoding="utf-8") == ORIGINAL and tab.modified

    overwrite = BoxAnswer("overwriteButton")
    assert window.files.save_current()
    assert len(overwrite.shown) == 1
    assert path.read_text(encoding="utf-8") == MINE + ORIGINAL
    assert stat.S_IMODE(path.stat().st_mode) == 0o444  # still read-only, as it was


def test_a_named_pipe_is_refused_with_a_clear_error(window: MainWindow, tmp_path: Path) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("草稿")
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    answer = BoxAnswer("overwriteButton")
    assert not window.files.save_to(tab, fifo)
    assert answer.shown == []  # nothing to ask: it is never written
    assert "named pipe" in window.notice.text() and str(fifo) in window.notice.text()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert tab.text() == "草稿" and tab.modified

    # A document whose file another program replaced by a pipe.
    path = tmp_path / "doc.md"
    opened = open_and_edit(window, path)
    path.unlink()
    os.mkfifo(path)
    assert not window.files.save_current()
    assert answer.shown == []
    assert "named pipe" in window.notice.text()
    assert stat.S_ISFIFO(path.stat().st_mode)
    assert opened.text() == MINE + ORIGINAL and opened.modified


def test_a_typed_nul_is_removed_before_saving_and_the_file_opens_again(window: MainWindow, tmp_path: Path) -> None:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("前\x00后 🎉\x00尾")
    path = tmp_path / "typed.md"
    assert window.files.save_to(tab, path)
    assert "removed before saving" in window.notice.text()
    assert read_document(path).text == "前后 🎉尾"
    assert tab.text() == "前后 🎉尾" and not tab.modified
    # The removal is one undo step in the editor.
    tab.editor.undo()
    assert tab.text() == "前\x00后 🎉\x00尾"


def test_closing_with_save_still_asks_about_the_changed_file(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "doc.md"
    tab = open_and_edit(window, path)
    change_elsewhere(path)
    monkeypatch.setattr(window, "ask_unsaved", lambda _tab: QMessageBox.StandardButton.Save)
    answer = BoxAnswer("cancelButton")
    assert not window.close_tab_at(window.tabs.indexOf(tab))
    assert len(answer.shown) == 1
    assert window.tabs.indexOf(tab) >= 0 and tab.text() == MINE + ORIGINAL
    assert path.read_text(encoding="utf-8") == ORIGINAL + OUTSIDE_LINE
    # The window closes after the test: that close discards instead of asking again with nobody to answer.
    monkeypatch.setattr(window, "ask_unsaved", lambda _tab: QMessageBox.StandardButton.Discard)
