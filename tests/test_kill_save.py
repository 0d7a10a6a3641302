"""A save killed at any instant leaves the complete old or the complete new file; a save that fails (full disk,
fsync error) leaves the old file, shows the error in the window's notice bar, and keeps the tab modified and
journaled. The storage layer's own failure tests are in tests/test_documents_storage.py."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import errno
import resource
import signal
from pathlib import Path

import pytest

from benchmarks.robustness_report import DOCUMENT_BYTES, complete_version, document_version, run_kill_trials
from ziya_desktop.documents.journal import read_journal
from ziya_desktop.ui.shell.main_window import MainWindow

KILL_TRIALS = 200


@pytest.mark.slow
def test_sigkill_at_random_moments_never_tears_a_4_mib_document(tmp_path: Path) -> None:
    result = run_kill_trials(tmp_path, KILL_TRIALS, size=DOCUMENT_BYTES)
    assert result.trials == KILL_TRIALS
    assert result.lost == 0, result.problems[:5]
    # Both outcomes happened: kills before the first save of a trial finished, and after it.
    assert 0 < result.changed < KILL_TRIALS
    assert complete_version((tmp_path / "报告.md").read_bytes()) is not None


def test_the_check_tells_torn_files_from_whole_ones() -> None:
    whole = document_version(7, 4096)
    assert complete_version(whole, 4096) == 7
    assert complete_version(whole[:-1], 4096) is None
    assert complete_version(b"", 4096) is None
    assert complete_version(whole[:2048] + document_version(8, 4096)[2048:], 4096) is None


# -- the window when a save fails ------------------------------------------------------------------------------------


def _edited(window: MainWindow, path: Path, old: bytes, new_text: str) -> None:
    path.write_bytes(old)
    tab = window.files.open_path(path)
    assert tab is not None
    tab.editor.selectAll()
    tab.editor.insertPlainText(new_text)
    assert tab.modified


def _assert_failed_save_kept_everything(window: MainWindow, path: Path, old: bytes, new_text: str, cause: str) -> None:
    tab = window.current_tab()
    assert tab is not None
    assert path.read_bytes() == old
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "no temp file may stay behind"
    assert window.notice.isVisible() and cause in window.notice.text() and str(path) in window.notice.text()
    assert tab.modified and window.isWindowModified()
    assert "•" in window.tabs.tabText(window.tabs.indexOf(tab))
    # The unsaved text is still safe from a crash.
    journal = window.journal.journal_of(tab)
    assert journal is not None and read_journal(journal).text == new_text


def test_fsync_failure_shows_the_error_and_keeps_the_tab_modified(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / "报告.md"
    old = "原来的报告\n".encode() * 100
    new_text = "全新的内容\n" * 1000
    _edited(window, path, old, new_text)
    window.journal.flush_all()
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        # Only the document's temp file fails; the journal (another folder) still reaches the disk.
        if os.path.realpath(f"/proc/self/fd/{fd}").startswith(str(folder.resolve())):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    with monkeypatch.context() as patched:
        patched.setattr(os, "fsync", failing_fsync)
        assert not window.files.save_current()
    _assert_failed_save_kept_everything(window, path, old, new_text, "input/output error")


def test_full_disk_shows_the_error_and_keeps_the_tab_modified(window: MainWindow, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    path = folder / "speech.md"
    old = "尊敬的各位来宾：\n".encode() * 40
    new_text = "很长的讲稿 a long speech\n" * 40_000  # about 1.2 MB, over the limit below
    _edited(window, path, old, new_text)
    window.journal.flush_all()
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit: EFBIG instead of a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, limits[1]))
    try:
        saved = window.files.save_current()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, previous)
    assert not saved
    _assert_failed_save_kept_everything(window, path, old, new_text, "larger than this disk or system allows")
