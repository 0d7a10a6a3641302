"""The recovery dialog on the real main window: what it lists and shows, Restore and Discard, damaged journals, and
the clean-up at start. No model is needed: journals are written as a crashed run would have left them."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import math
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import Qt, QTextDocument  # QtGui's Qt also has mightBeRichText
from pytestqt.qtbot import QtBot

from benchmarks.bench_recovery import measure_recovery
from ziya_desktop import paths
from ziya_desktop.documents.journal import (
    GenerationInfo,
    JournalEntry,
    encode_entry,
    journal_path,
    list_journals,
    new_document_id,
    read_journal,
    saved_file_state,
    write_journal,
)
from ziya_desktop.documents.recovery import CORRUPT_FOLDER, RecoveryScan
from ziya_desktop.documents.storage import save_document
from ziya_desktop.ui.files.recovery_dialog import RecoveryDialog, offer_recovery, start_recovery
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.diff import diff_changes

DEAD_PID = 999_999_999
OLD = time.time() - 3600


def started(qtbot: QtBot, window: MainWindow) -> RecoveryDialog | None:
    """Start-up recovery as the app runs it, waited for: the dialog it opened, or None."""
    start = start_recovery(window)
    with qtbot.waitSignal(start.finished, timeout=30_000) as blocker:
        pass
    result = blocker.args[0]
    assert result is None or isinstance(result, RecoveryDialog)
    return result


def test_the_start_up_scan_never_blocks_the_window(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journal folder on a drive that does not answer: the window keeps handling events until the scan returns."""
    from ziya_desktop.ui.files import recovery_dialog

    crashed_journal("text from before the crash")
    # An earlier process that had this pid (pids are reused) crashed too: its journal is a crash's.
    reused_pid = replace(crashed_journal("an earlier run with this pid"), pid=os.getpid(), written_at=time.time() - 60)
    write_journal(paths.journal_dir(), reused_pid)
    drive_answers = threading.Event()
    real_scan = recovery_dialog.scan_journals

    def slow_drive_scan(folder: Path, **kwargs: Any) -> RecoveryScan:
        assert drive_answers.wait(30), "the test never let the drive answer"
        return real_scan(folder, **kwargs)

    monkeypatch.setattr(recovery_dialog, "scan_journals", slow_drive_scan)
    start = start_recovery(window)  # returns at once although the scan is stuck
    ticks: list[int] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=5_000)  # the GUI thread runs its event loop meanwhile
    assert window.findChildren(RecoveryDialog) == []
    # Meanwhile the writer works, and this run journals it: that is not a crash's leftover.
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText("typed while the scan was stuck")
    own = crashed_journal("typed while the scan was stuck")
    write_journal(paths.journal_dir(), replace(own, pid=os.getpid(), written_at=time.time()))
    with qtbot.waitSignal(start.finished, timeout=30_000) as blocker:
        drive_answers.set()
    dialog = blocker.args[0]
    assert isinstance(dialog, RecoveryDialog) and dialog.isVisible()
    assert sorted(d.entry.text for d in dialog.recovered()) == [
        "an earlier run with this pid",
        "text from before the crash",
    ]
    dialog.reject()


def crashed_journal(text: str, *, path: Path | None = None, model: str = "", cursor: int = 0) -> JournalEntry:
    entry = JournalEntry(
        document_id=new_document_id(),
        title=path.name if path else "Untitled 1",
        path=path,
        saved=saved_file_state(path) if path else None,
        text=text,
        cursor=cursor,
        written_at=time.time() - 5,
        pid=DEAD_PID,
        generation=GenerationInfo(model, {"temperature": 0.7, "top_p": 0.9, "max_tokens": 512}) if model else None,
    )
    write_journal(paths.journal_dir(), entry)
    return entry


def test_nothing_to_recover_opens_nothing(window: MainWindow) -> None:
    assert offer_recovery(window) is None
    assert window.findChild(RecoveryDialog) is None
    assert not window.notice.isVisible()


def test_dialog_lists_previews_diffs_and_names_the_model(window: MainWindow, tmp_path: Path) -> None:
    saved = tmp_path / "通知.md"
    save_document(saved, "各部门：\n请按时参会。\n")
    crashed_journal("各部门：\n请按时参会，不得缺席。\n", path=saved)
    crashed_journal("Dear Ms Li,\nThank you", model="/models/ziya-writing-q4_k_m.gguf")

    dialog = offer_recovery(window)

    assert dialog is not None and dialog.isVisible()
    assert [d.name for d in dialog.recovered()] == ["通知.md", "Untitled 1"]
    assert str(saved) in dialog.details.text()
    assert dialog.preview.toPlainText() == "各部门：\n请按时参会，不得缺席。\n"
    diff = dialog.diff_view.toPlainText()
    assert "不得缺席" in diff and "请按时参会" in diff
    dialog.select(1)
    details = dialog.details.text()
    assert "ziya-writing-q4_k_m.gguf" in details and "temperature 0.7" in details and "max_tokens 512" in details
    assert "never saved" in details
    assert not dialog.corrupt_label.isVisible()
    dialog.reject()


def test_restore_opens_a_modified_tab_that_undoes_to_the_saved_file(window: MainWindow, tmp_path: Path) -> None:
    saved = tmp_path / "speech.md"
    save_document(saved, "尊敬的各位来宾：\r\n大家好！\r\n", newline="\r\n")
    before = saved.read_bytes()
    recovered = "尊敬的各位来宾：\n大家好！今天我们在这里欢聚一堂。\n"
    old = crashed_journal(recovered, path=saved, cursor=12)

    dialog = offer_recovery(window)
    assert dialog is not None
    dialog.restore_button.click()

    assert dialog.result() == RecoveryDialog.DialogCode.Accepted
    tab = window.current_tab()
    assert tab is not None
    assert tab.text() == recovered and tab.modified and tab.path == saved and tab.newline == "\r\n"
    assert tab.editor.textCursor().position() == 12
    assert len(window.all_tabs()) == 1, "the blank start-up tab takes the recovered document"
    assert saved.read_bytes() == before, "nothing is written until the writer saves"
    # The old journal is gone, and the tab is journaled under its new id before that.
    journals = list_journals(paths.journal_dir())
    assert [read_journal(p).text for p in journals] == [recovered]
    assert read_journal(journals[0]).document_id != old.document_id
    tab.editor.undo()
    assert tab.text() == "尊敬的各位来宾：\n大家好！\n"


def test_restore_of_a_deleted_file_keeps_its_path(window: MainWindow, tmp_path: Path) -> None:
    gone = tmp_path / "deleted.md"
    crashed_journal("still here", path=gone)
    dialog = offer_recovery(window)
    assert dialog is not None
    assert "was not found" in dialog.details.text()
    dialog.restore_button.click()
    tab = window.current_tab()
    assert tab is not None and tab.path == gone and tab.text() == "still here" and tab.modified
    assert window.files.save(tab)
    assert gone.read_text(encoding="utf-8") == "still here"


def test_discard_removes_only_the_journal(window: MainWindow, tmp_path: Path) -> None:
    saved = tmp_path / "a.md"
    save_document(saved, "saved text")
    crashed_journal("saved text plus lost edits", path=saved)
    crashed_journal("keep me")
    dialog = offer_recovery(window)
    assert dialog is not None
    dialog.discard_button.click()
    assert saved.read_text(encoding="utf-8") == "saved text"
    assert [d.name for d in dialog.recovered()] == ["Untitled 1"]
    assert dialog.isVisible()
    assert [read_journal(p).text for p in list_journals(paths.journal_dir())] == ["keep me"]
    dialog.later_button.click()
    assert not dialog.isVisible()
    assert [read_journal(p).text for p in list_journals(paths.journal_dir())] == ["keep me"]
    assert window.current_tab() is not None and window.current_tab().text() == ""  # type: ignore[union-attr]


def test_damaged_journals_alone_give_a_notice(window: MainWindow) -> None:
    folder = paths.journal_dir()
    (folder / "a.journal.json").write_bytes(b"")
    (folder / "b.journal.json").write_bytes(b'{"format": "ziya-journal", "version": 1, "te')
    assert offer_recovery(window) is None
    assert window.notice.isVisible() and "2 damaged backup" in window.notice.text()
    assert sorted(p.name.split(".")[0] for p in (folder / CORRUPT_FOLDER).iterdir()) == ["a", "b"]
    assert list_journals(folder) == []


def test_damaged_journals_are_listed_next_to_good_ones(window: MainWindow) -> None:
    (paths.journal_dir() / "junk.journal.json").write_bytes(os.urandom(300))
    crashed_journal("good")
    dialog = offer_recovery(window)
    assert dialog is not None
    assert not dialog.corrupt_label.isHidden()
    assert "junk.journal.json" in dialog.corrupt_label.text()
    dialog.reject()


def test_start_recovery_removes_stray_temps_of_crashed_saves(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    target = docs / "报告.md"
    save_document(target, "v1")
    window.files.add_recent(target)
    stray = docs / ".报告.md.0123456789ab.ziya-tmp"
    stray.write_bytes(b"half a save")
    fresh = docs / ".报告.md.ba9876543210.ziya-tmp"
    fresh.write_bytes(b"a save in progress elsewhere")
    old = time.time() - 3600
    os.utime(stray, (old, old))
    assert started(qtbot, window) is None
    assert not stray.exists() and fresh.exists() and target.read_text(encoding="utf-8") == "v1"


def test_changes_shown_match_the_diff_module(window: MainWindow, tmp_path: Path) -> None:
    saved = tmp_path / "x.md"
    save_document(saved, "one two three")
    crashed_journal("one 2 three four", path=saved)
    dialog = offer_recovery(window)
    assert dialog is not None
    (document,) = dialog.recovered()
    assert document.changes() == diff_changes("one two three", "one 2 three four")
    text = dialog.diff_view.toPlainText()
    assert all(change.new in text for change in document.changes())
    dialog.reject()


# -- hostile and damaged journals ------------------------------------------------------------------------------------


def shown(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt displays for ``text`` in a label (or tool tip) of ``text_format``: rich text is rendered first."""
    rich = text_format == Qt.TextFormat.RichText or (text_format == Qt.TextFormat.AutoText and Qt.mightBeRichText(text))
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def test_text_from_a_journal_is_shown_literally_never_as_html(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "<b>bold<i>&amp;<img src=x>.md"
    entry = crashed_journal("text", path=path, model="/models/<i>model&amp;.gguf")
    body = encode_entry(entry).replace(b'"temperature":0.7', b'"temperature":"<b>hot</b>"')
    journal_path(paths.journal_dir(), entry.document_id).write_bytes(body)
    (paths.journal_dir() / "<i>junk&amp;.journal.json").write_bytes(b"<html>garbage")

    dialog = offer_recovery(window)

    assert dialog is not None
    details = shown(dialog.details.text(), dialog.details.textFormat())
    assert str(path) in details
    assert "<i>model&amp;.gguf" in details and "temperature <b>hot</b>" in details
    assert shown(dialog.documents.item(0).toolTip()) == str(path)
    assert "<i>junk&amp;.journal.json" in shown(dialog.corrupt_label.text(), dialog.corrupt_label.textFormat())
    dialog.reject()


def write_raw_journal(text: str, written_at: bytes) -> None:
    """A journal whose time stamp is ``written_at`` as written in the JSON (no float can hold some of these)."""
    entry = crashed_journal(text)
    data = encode_entry(entry)
    stamp = f'"written_at":{entry.written_at!r}'.encode()
    assert stamp in data
    journal_path(paths.journal_dir(), entry.document_id).write_bytes(data.replace(stamp, b'"written_at":' + written_at))


def test_backup_times_out_of_range_show_as_unknown(window: MainWindow) -> None:
    stamps = [b"1e300", b"-1e300", b"NaN", b"1" + b"0" * 400]
    for stamp in stamps:
        write_raw_journal(f"stamp {stamp[:6].decode()}", stamp)

    dialog = offer_recovery(window)

    assert dialog is not None
    assert len(dialog.recovered()) == len(stamps), "a damaged time stamp must not lose the text"
    for row in range(len(stamps)):
        dialog.select(row)
        assert "Last backed up: unknown" in dialog.details.text()
        assert dialog.preview.toPlainText().startswith("stamp ")
    dialog.reject()


def test_stray_temps_survive_until_the_writer_decided(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    restored, later = docs / "报告.md", docs / "later.md"
    save_document(restored, "v1")
    save_document(later, "w1")
    crashed_journal("v1 and more", path=restored)
    crashed_journal("w1 and more", path=later)
    temps = {
        "restored": docs / ".报告.md.0123456789ab.ziya-tmp",
        "later": docs / ".later.md.0123456789ab.ziya-tmp",
        "unknown document": docs / ".other.md.0123456789ab.ziya-tmp",
    }
    for temp in temps.values():
        temp.write_bytes(b"half a save, maybe the only copy")
        os.utime(temp, (OLD, OLD))

    dialog = started(qtbot, window)

    assert dialog is not None and dialog.isVisible()
    assert all(temp.exists() for temp in temps.values()), "nothing is removed before the writer has decided"
    dialog.restore_button.click()
    assert dialog.isVisible() and all(temp.exists() for temp in temps.values())
    dialog.later_button.click()
    assert not temps["restored"].exists()
    assert temps["later"].exists(), "the journal of that document is still undecided"
    assert temps["unknown document"].exists(), "not provably ours"
    assert window.notice.isVisible() and temps["restored"].name in window.notice.text()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_as_the_document_is_reported_and_restored_without_its_path(
    window: MainWindow, tmp_path: Path
) -> None:
    fifo = tmp_path / "通知.md"
    os.mkfifo(fifo)
    crashed_journal("正文没有丢", path=fifo)
    dialog = offer_recovery(window)
    assert dialog is not None
    assert "not a regular file" in dialog.details.text()
    dialog.restore_button.click()
    tab = window.current_tab()
    assert tab is not None and tab.text() == "正文没有丢" and tab.modified
    assert tab.path is None, "Save must ask where to save, never write into the pipe"


def test_a_diff_beyond_the_budget_is_shown_whole_with_a_note(window: MainWindow, tmp_path: Path) -> None:
    saved = tmp_path / "same.md"
    save_document(saved, "的" * 6000)
    crashed_journal("的了" * 3000, path=saved)
    dialog = offer_recovery(window)
    assert dialog is not None
    text = dialog.diff_view.toPlainText()
    assert "too many changes to compare in detail" in text
    assert len(text) < 5000, "a whole-text change is shown cut short"
    dialog.reject()


def test_recovery_benchmark_reports_every_figure() -> None:
    figures = {f.name: f for f in measure_recovery(5)}
    assert figures["start-up recovery to the shown dialog"].met is not None
    assert figures["regions shown whole (budget exceeded)"].value == 0
    assert figures["changes listed"].value > 0
    assert math.isfinite(figures["plain difflib / diff"].value)
