"""The find/replace bar against a real QPlainTextEdit on Qt's offscreen platform."""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.editor.find_replace import MAX_HIGHLIGHTS, FindReplaceBar
from ziya_desktop.ui.editor.text_positions import utf16_len

TEXT = "关于召开年度工作会议的通知。\nThe cat sat on the concat mat.\n会议🎉通知：Cat 猫cat猫。"


class Host(QWidget):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.editor = QPlainTextEdit(self)
        self.editor.setPlainText(text)
        self.bar = FindReplaceBar(self)
        self.bar.set_editor(self.editor)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor)
        layout.addWidget(self.bar)


@pytest.fixture
def host(qtbot: QtBot) -> Host:
    widget = Host(TEXT)
    qtbot.addWidget(widget)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def _type(qtbot: QtBot, host: Host, text: str) -> None:
    """Type ``text`` into the find field: key clicks for ASCII, an input method commit (as a Chinese IME sends)."""
    host.bar.find_edit.clear()
    if text.isascii():
        QTest.keyClicks(host.bar.find_edit, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(host.bar.find_edit, event)
    assert host.bar.find_edit.text() == text


def _selected(host: Host) -> tuple[int, int]:
    cursor = host.editor.textCursor()
    return cursor.selectionStart(), cursor.selectionEnd()


def test_typing_selects_first_match_and_counts(qtbot: QtBot, host: Host) -> None:
    host.bar.show_find()
    assert host.bar.isVisible() and not host.bar.replace_mode
    assert host.bar.find_edit.hasFocus()
    _type(qtbot, host, "通知")
    assert host.bar.matches() == [(11, 13), (TEXT.index("通知：") + 1, TEXT.index("通知：") + 3)]
    assert _selected(host) == (11, 13)
    assert host.bar.status_label.text() == "1 / 2"
    assert host.bar.highlight_count() == 2


def test_enter_and_shift_enter_wrap_around(qtbot: QtBot, host: Host) -> None:
    host.bar.show_find()
    _type(qtbot, host, "cat")
    spans = host.bar.matches()
    assert len(spans) == 4  # case-insensitive: cat, concat, Cat, cat
    assert _selected(host) == spans[0]
    for expected in spans[1:]:
        QTest.keyClick(host.bar.find_edit, Qt.Key.Key_Return)
        assert _selected(host) == expected
    assert "Wrapped" not in host.bar.status_label.text()
    QTest.keyClick(host.bar.find_edit, Qt.Key.Key_Return)
    assert _selected(host) == spans[0]
    assert host.bar.status_label.text() == "1 / 4 · Wrapped around"
    QTest.keyClick(host.bar.find_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert _selected(host) == spans[-1]
    assert "Wrapped" in host.bar.status_label.text()
    QTest.keyClick(host.bar.find_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert _selected(host) == spans[-2]
    assert host.bar.status_label.text() == "3 / 4"


def test_positions_count_emoji_as_two(qtbot: QtBot, host: Host) -> None:
    host.bar.show_find()
    _type(qtbot, host, "Cat")
    host.bar.case_check.setChecked(True)
    start = utf16_len(TEXT[: TEXT.index("Cat")])
    assert host.bar.matches() == [(start, start + 3)]
    assert host.editor.textCursor().selectedText() == "Cat"


def test_whole_words_guard_latin_words_only(qtbot: QtBot, host: Host) -> None:
    host.bar.show_find()
    host.bar.words_check.setChecked(True)
    _type(qtbot, host, "cat")
    found = [_text_at(host, span) for span in host.bar.matches()]
    assert found == ["cat", "Cat", "cat"]  # not the one inside "concat"; 猫cat猫 counts as a whole word
    _type(qtbot, host, "会议")
    assert len(host.bar.matches()) == 2  # Chinese is never split into "words"
    _type(qtbot, host, "con")
    assert host.bar.matches() == []
    assert host.bar.status_label.text() == "No matches"


def _text_at(host: Host, span: tuple[int, int]) -> str:
    cursor = QTextCursor(host.editor.document())
    cursor.setPosition(span[0])
    cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText()


def test_regular_expressions_and_invalid_ones(qtbot: QtBot, host: Host) -> None:
    host.bar.show_find()
    host.bar.regex_check.setChecked(True)
    _type(qtbot, host, r"[会通][议知]")
    assert len(host.bar.matches()) == 4
    _type(qtbot, host, "(unclosed")
    assert host.bar.matches() == []
    assert host.bar.status_label.text().startswith("Invalid regular expression:")
    _type(qtbot, host, "x*")  # matches only empty strings: nothing to show, no endless loop
    assert host.bar.matches() == []


def test_replace_one_then_all_in_one_undo_step(qtbot: QtBot, host: Host) -> None:
    host.bar.show_replace()
    assert host.bar.replace_mode
    _type(qtbot, host, "通知")
    host.bar.replace_edit.setText("公告")
    QTest.keyClick(host.bar.replace_edit, Qt.Key.Key_Return)
    assert host.editor.toPlainText() == TEXT.replace("通知", "公告", 1)
    assert host.editor.textCursor().selectedText() == "通知"  # moved on to the next match
    host.editor.document().undo()
    assert host.editor.toPlainText() == TEXT
    _type(qtbot, host, "cat")
    host.bar.replace_edit.setText("dog")
    with qtbot.waitSignal(host.bar.replacedAll) as blocker:
        count = host.bar.replace_all()
    assert count == 4 and blocker.args == [4]
    assert host.editor.toPlainText() == TEXT.replace("concat", "condog").replace("cat", "dog").replace("Cat", "dog")
    assert host.bar.status_label.text() == "Replaced 4"
    host.editor.document().undo()
    assert host.editor.toPlainText() == TEXT


def test_regex_replacement_uses_groups(qtbot: QtBot, host: Host) -> None:
    host.bar.show_replace()
    host.bar.regex_check.setChecked(True)
    host.bar.case_check.setChecked(True)
    _type(qtbot, host, r"(会议)(🎉)?(通知)")
    host.bar.replace_edit.setText(r"\3\1")
    assert host.bar.replace_all() == 1
    assert "通知会议：" in host.editor.toPlainText()
    host.bar.replace_edit.setText(r"\9")
    _type(qtbot, host, "cat")
    assert host.bar.replace_all() == 0
    assert host.bar.status_label.text().startswith("Invalid replacement:")
    assert "cat" in host.editor.toPlainText()


def test_escape_hides_and_focuses_editor(qtbot: QtBot, host: Host) -> None:
    host.bar.show_find()
    _type(qtbot, host, "会议")
    assert host.bar.highlight_count() == 2
    with qtbot.waitSignal(host.bar.closed):
        QTest.keyClick(host.bar.find_edit, Qt.Key.Key_Escape)
    assert not host.bar.isVisible()
    assert host.editor.hasFocus()
    assert host.bar.highlight_count() == 0


def test_prefill_from_selection_and_other_extra_selections_kept(qtbot: QtBot, host: Host) -> None:
    line = QTextEdit.ExtraSelection()
    line.cursor = host.editor.textCursor()
    host.editor.setExtraSelections([line])
    cursor = host.editor.textCursor()
    cursor.setPosition(2)
    cursor.setPosition(4, QTextCursor.MoveMode.KeepAnchor)
    host.editor.setTextCursor(cursor)
    host.bar.show_find()
    assert host.bar.find_edit.text() == "召开"
    assert host.bar.find_edit.selectedText() == "召开"
    assert host.bar.status_label.text() == "1 / 1"
    assert len(host.editor.extraSelections()) == 2
    host.bar.hide_bar()
    assert len(host.editor.extraSelections()) == 1


def test_document_edits_update_the_matches(qtbot: QtBot, host: Host) -> None:
    host.bar.show_find()
    _type(qtbot, host, "会议")
    host.editor.appendPlainText("再开一次会议。")
    qtbot.waitUntil(lambda: host.bar.status_label.text().endswith("/ 3") or "3" in host.bar.status_label.text())
    assert len(host.bar.matches()) == 3
    assert host.bar.highlight_count() == 3


def test_highlights_are_capped_in_huge_documents(qtbot: QtBot) -> None:
    total = MAX_HIGHLIGHTS * 2
    widget = Host("字a" * total)
    qtbot.addWidget(widget)
    widget.show()
    widget.bar.show_find()
    widget.bar.find_edit.setText("a")
    assert len(widget.bar.matches()) == total
    assert widget.bar.highlight_count() == MAX_HIGHLIGHTS
    assert widget.bar.status_label.text() == f"1 / {widget.locale().toString(total)}"
    # Far down the document the highlighted window follows the current match.
    cursor = widget.editor.textCursor()
    cursor.setPosition(2 * (total - 10))
    widget.editor.setTextCursor(cursor)
    widget.bar.find_next()
    current = widget.bar.matches()[total - 10]
    assert _selected(widget) == current
    assert widget.bar.highlight_count() == MAX_HIGHLIGHTS
    highlighted = {(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in widget.editor.extraSelections()}
    assert current in highlighted
