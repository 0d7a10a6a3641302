"""The rewrite review panel and the minimal-diff apply, for real on Qt's offscreen platform."""

from __future__ import annotations

import os

# Before Qt is imported and before pytest-qt creates the QApplication: no display needed, no window on screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.editor.apply_edits import apply_minimal_diff
from ziya_desktop.ui.editor.text_positions import Utf16Index, utf16_len
from ziya_desktop.ui.generation.rewrite_review import RewriteReview, change_summary
from ziya_desktop.writing.diff import Change, apply_changes, diff_changes

ORIGINAL = "我们要提高工作效率，加强团队协作。The quick brown fox jumps over the lazy dog."
REVISED = "我们必须大幅提升办事效率，并加强团队之间的协作。The quick red fox leaped over the lazy cat."


def _chunks(text: str, size: int = 3) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


# -- apply_minimal_diff ------------------------------------------------------------------------------------------


def test_minimal_diff_is_one_undo_step(qtbot: QtBot) -> None:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("前言\n" + ORIGINAL + "\n后记")
    document = editor.document()
    start = utf16_len("前言\n")
    end = start + utf16_len(ORIGINAL)
    new_end = apply_minimal_diff(document, start, end, REVISED)
    assert document.toPlainText() == "前言\n" + REVISED + "\n后记"
    assert new_end == start + utf16_len(REVISED)
    document.undo()
    assert document.toPlainText() == "前言\n" + ORIGINAL + "\n后记"
    assert not document.isUndoAvailable()
    document.redo()
    assert document.toPlainText() == "前言\n" + REVISED + "\n后记"


def test_minimal_diff_counts_emoji_as_two_positions(qtbot: QtBot) -> None:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    before, original, after = "🎉开头🎉\n", "好🎉消息：we 👍🏽 won\n第二段", "🎉结尾"
    revised = "大好🎉🎉消息！We 👍🏽 won again\n第二段落"
    editor.setPlainText(before + original + after)
    document = editor.document()
    start = utf16_len(before)
    end = start + utf16_len(original)
    tail = QTextCursor(document)
    tail.setPosition(end + 2)  # after the 🎉 that follows the span: two positions
    new_end = apply_minimal_diff(document, start, end, revised)
    assert document.toPlainText() == before + revised + after
    assert new_end == start + utf16_len(revised)
    assert tail.position() == new_end + 2
    selection = QTextCursor(document)
    selection.setPosition(new_end)
    selection.setPosition(document.characterCount() - 1, QTextCursor.MoveMode.KeepAnchor)
    assert selection.selectedText() == after
    document.undo()
    assert document.toPlainText() == before + original + after
    assert tail.position() == end + 2


def test_minimal_diff_keeps_cursors_in_unchanged_text(qtbot: QtBot) -> None:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("The quick brown fox jumps.")
    document = editor.document()
    on_fox = QTextCursor(document)
    on_fox.setPosition(len("The quick brown "))
    on_the = QTextCursor(document)
    on_the.setPosition(1)
    apply_minimal_diff(document, 0, len("The quick brown fox jumps."), "The quick red fox leaps.")
    assert on_fox.position() == len("The quick red ")
    assert on_the.position() == 1


def test_minimal_diff_keeps_formats_of_untouched_characters(qtbot: QtBot) -> None:
    editor = QTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("粗体在这里，其余改写。")
    document = editor.document()
    bold = QTextCharFormat()
    bold.setFontWeight(700)
    cursor = QTextCursor(document)
    cursor.setPosition(0)
    cursor.setPosition(2, QTextCursor.MoveMode.KeepAnchor)
    cursor.mergeCharFormat(bold)
    apply_minimal_diff(document, 0, len("粗体在这里，其余改写。"), "粗体在这里，其他全部重写了。")
    assert document.toPlainText() == "粗体在这里，其他全部重写了。"
    probe = QTextCursor(document)
    for position, weight in ((1, 700), (2, 700), (3, 400), (8, 400)):
        probe.setPosition(position)
        assert probe.charFormat().fontWeight() == weight, position


def test_minimal_diff_selects_the_result_with_a_given_cursor(qtbot: QtBot) -> None:
    document = QTextDocument()
    document.setPlainText("甲乙丙\r\n丁")
    cursor = QTextCursor(document)
    new_end = apply_minimal_diff(document, 0, 3, "甲\r\n乙丙戊", cursor=cursor)
    assert document.toPlainText() == "甲\n乙丙戊\n丁"
    assert (cursor.selectionStart(), cursor.selectionEnd()) == (0, new_end) == (0, 5)


def test_minimal_diff_without_changes_adds_no_undo_step() -> None:
    document = QTextDocument()
    document.setPlainText("不变")
    assert apply_minimal_diff(document, 0, 2, "不变") == 2
    assert not document.isUndoAvailable()


def test_minimal_diff_refuses_bad_spans() -> None:
    document = QTextDocument()
    document.setPlainText("a🎉b")
    with pytest.raises(ValueError, match="outside"):
        apply_minimal_diff(document, 2, 1, "x")
    with pytest.raises(ValueError, match="outside"):
        apply_minimal_diff(document, 0, 10, "x")
    with pytest.raises(ValueError, match="splits"):
        apply_minimal_diff(document, 0, 2, "x")


def test_utf16_index_round_trip() -> None:
    text = "a🎉b👍🏽c"
    index = Utf16Index(text)
    for i in range(len(text) + 1):
        position = index.to_utf16(i)
        assert position == utf16_len(text[:i])
        assert index.to_python(position) == i


# -- the review panel ----------------------------------------------------------------------------------------------


@pytest.fixture
def review(qtbot: QtBot) -> RewriteReview:
    widget = RewriteReview(rediff_interval_ms=20)
    qtbot.addWidget(widget)
    widget.resize(700, 500)
    return widget


def _stream(qtbot: QtBot, review: RewriteReview, original: str, revised: str) -> None:
    review.start(original, "Polish")
    for chunk in _chunks(revised):
        review.append_revised(chunk)
    review.finish()


def test_streamed_rewrite_lists_its_changes(qtbot: QtBot, review: RewriteReview) -> None:
    review.start(ORIGINAL, "Polish")
    assert not review.accept_all_button.isEnabled()
    for chunk in _chunks(REVISED):
        review.append_revised(chunk)
    assert not review.apply_selected_button.isEnabled()
    review.finish()
    expected = diff_changes(ORIGINAL, REVISED)
    assert review.changes() == expected
    assert review.change_list.count() == len(expected) == 6
    assert review.change_list.item(0).text() == "Delete 要提高工作 → Add 必须大幅提升办事"  # 删 … → 增 … in Chinese
    assert all(review.change_list.item(i).checkState() == Qt.CheckState.Checked for i in range(len(expected)))
    assert review.accept_all_button.isEnabled() and review.apply_selected_button.isEnabled()
    assert review.stats_label.text().startswith("6 changes · 字数 ")


def test_diff_follows_a_chunked_stream(qtbot: QtBot, review: RewriteReview) -> None:
    review.start(ORIGINAL, "Polish")
    assert review.changes() == diff_changes(ORIGINAL, "")
    half = REVISED[: len(REVISED) // 2]
    for chunk in _chunks(half):
        review.append_revised(chunk)
    qtbot.waitUntil(lambda: review.changes() == diff_changes(ORIGINAL, half), timeout=2000)
    # The original's tail the model has not reached yet is shown as pending, not as deleted.
    tail = review.diff_view.document().find("lazy dog").charFormat()
    assert tail.fontItalic() and not tail.fontStrikeOut()
    for chunk in _chunks(REVISED[len(half) :]):
        review.append_revised(chunk)
    qtbot.waitUntil(lambda: review.changes() == diff_changes(ORIGINAL, REVISED), timeout=2000)
    assert review.revised_text() == REVISED
    assert review.is_streaming and not review.is_finished


def test_unchecked_change_is_left_out(qtbot: QtBot, review: RewriteReview) -> None:
    _stream(qtbot, review, ORIGINAL, REVISED)
    review.change_list.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert review.accepted_indices() == {0, 2, 3, 4, 5}
    with qtbot.waitSignal(review.applyRequested) as blocker:
        QTest.mouseClick(review.apply_selected_button, Qt.MouseButton.LeftButton)
    expected = apply_changes(ORIGINAL, review.changes(), {0, 2, 3, 4, 5})
    assert blocker.args == [expected]
    assert "并" not in expected and "大幅提升" in expected


def test_rejected_change_is_greyed_in_the_inline_view(qtbot: QtBot, review: RewriteReview) -> None:
    _stream(qtbot, review, "甲乙的了丙丁", "子丑的了寅卯")

    def colour_at(text: str) -> tuple[QColor, bool]:
        cursor = review.diff_view.document().find(text)
        assert not cursor.isNull(), text
        fmt = cursor.charFormat()
        return fmt.foreground().color(), fmt.fontStrikeOut()

    red, struck = colour_at("甲乙")
    assert struck and red.red() > red.green()
    green, struck = colour_at("子丑")
    assert not struck and green.green() > green.red()
    review.set_change_accepted(0, False)
    grey = review.diff_view.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert colour_at("甲乙") == (grey, False)
    assert colour_at("子丑") == (grey, True)
    assert colour_at("寅卯")[0] == green
    assert review.final_text() == "甲乙的了寅卯"
    review.show_revised_check.setChecked(True)
    assert review.diff_view.toPlainText() == "甲乙的了寅卯"


def test_dark_palette_gets_light_colours(qtbot: QtBot, review: RewriteReview) -> None:
    palette = review.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#dddddd"))
    review.setPalette(palette)
    _stream(qtbot, review, "旧的", "新的")
    fmt = review.diff_view.document().find("新").charFormat()
    assert fmt.foreground().color().lightness() > 128
    assert fmt.fontUnderline()


def test_accept_all_emits_the_revised_text(qtbot: QtBot, review: RewriteReview) -> None:
    _stream(qtbot, review, ORIGINAL, REVISED)
    review.set_change_accepted(0, False)
    with qtbot.waitSignal(review.applyRequested) as blocker:
        QTest.mouseClick(review.accept_all_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [REVISED]


def test_discard_and_regenerate(qtbot: QtBot, review: RewriteReview) -> None:
    review.start(ORIGINAL, "Polish")
    review.append_revised("我们")
    assert not review.regenerate_button.isEnabled()
    with qtbot.waitSignal(review.discarded):
        QTest.mouseClick(review.discard_button, Qt.MouseButton.LeftButton)
    review.start(ORIGINAL, "Polish")
    review.fail("the model stopped")
    assert "the model stopped" in review.title_label.text()
    assert not review.accept_all_button.isEnabled()
    with qtbot.waitSignal(review.regenerateRequested):
        QTest.mouseClick(review.regenerate_button, Qt.MouseButton.LeftButton)


def test_escape_discards_once_the_stream_ended(qtbot: QtBot, review: RewriteReview) -> None:
    # Ctrl+Enter belongs to the main window's Generate, which applies the review when focus is in it
    # (tests/test_main_window.py); Esc is the review's own once nothing streams, the window's Stop before.
    with qtbot.waitActive(review):
        review.show()
        review.activateWindow()
    review.start(ORIGINAL, "Polish")
    review.append_revised(REVISED[:10])
    review.change_list.setFocus()
    with qtbot.assertNotEmitted(review.discarded):
        QTest.keyClick(review.change_list, Qt.Key.Key_Escape)
    review.append_revised(REVISED[10:])
    review.finish()
    with qtbot.waitSignal(review.discarded):
        QTest.keyClick(review.change_list, Qt.Key.Key_Escape)


def test_apply_is_ignored_while_streaming(qtbot: QtBot, review: RewriteReview) -> None:
    review.start(ORIGINAL, "Polish")
    review.append_revised(REVISED)
    with qtbot.assertNotEmitted(review.applyRequested):
        review.apply_selected()
        review.accept_all()


def test_change_summary_is_short_and_one_line() -> None:
    long = Change(0, 0, 200, "旧" * 200, "新\n" * 100)
    summary = change_summary(long, "删", "增")
    assert len(summary) <= 60 and "\n" not in summary and "…" in summary and "↵" in summary
    assert change_summary(Change(0, 3, 3, "", " "), "删", "增") == "增 ␣"
    assert change_summary(Change(0, 0, 2, "旧的", ""), "删", "增") == "删 旧的"
