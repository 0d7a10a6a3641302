"""The journal of unsaved edits: its file format, the bounded reader against damaged files, the start-up scan, and
the controller that writes a tab's journal about once a second."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from benchmarks.robustness_report import fuzz_journal_reader
from ziya_desktop.documents import journal as journal_module
from ziya_desktop.documents.journal import (
    GenerationInfo,
    JournalEntry,
    JournalFormatError,
    SavedFileState,
    decode_entry,
    encode_entry,
    journal_path,
    list_journals,
    new_document_id,
    read_journal,
    saved_file_state,
    write_journal,
)
from ziya_desktop.documents.recovery import CORRUPT_FOLDER, discard_recovered, scan_journals
from ziya_desktop.documents.storage import save_document
from ziya_desktop.ui.editor.document_tab import DocumentTab
from ziya_desktop.ui.files.journal_controller import JournalController

_T = TypeVar("_T")
# Only a hang guard: a read that blocks on a named pipe never returns at all.
HANG_GUARD_S = 30.0


def entry(text: str = "关于召开年度工作会议的通知\n🎉", **changes: object) -> JournalEntry:
    values: dict[str, object] = {
        "document_id": new_document_id(),
        "title": "Untitled 1",
        "path": None,
        "saved": None,
        "text": text,
        "cursor": 3,
        "written_at": 1_700_000_000.5,
        "pid": 999_999_999,
        "generation": None,
    }
    values.update(changes)
    return JournalEntry(**values)  # type: ignore[arg-type]


# -- format ----------------------------------------------------------------------------------------------------------


def test_round_trip_keeps_every_field() -> None:
    original = entry(
        path=Path("/docs/报告.md"),
        saved=SavedFileState(size=12, mtime_ns=34, sha256="ab" * 32),
        generation=GenerationInfo("/models/ziya-q4_k_m.gguf", {"temperature": 0.85, "max_tokens": 2048}),
    )
    assert decode_entry(encode_entry(original)) == original


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_any_text_round_trips(text: str) -> None:
    # Lone surrogates included: the editor can hold half an emoji while the writer types it.
    assert decode_entry(encode_entry(entry(text))).text == text


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"  \n ", "empty"),
        (b"\xff\xfe\x00garbage", "not text"),
        (b'{"format": "ziya-journal", "version": 1, "text": "cut sho', "cut short"),
        (b"[" * 100_000, "damaged"),
        (b"[1, 2, 3]", "not a Ziya Desktop journal"),
        (b'{"format": "ziya-journal", "version": 99}', "version 99"),
    ],
)
def test_damaged_files_are_refused_with_a_message(data: bytes, needle: str) -> None:
    with pytest.raises(JournalFormatError, match=needle):
        decode_entry(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("document_id", "../../etc/passwd"),
        ("document_id", 5),
        ("text", None),
        ("cursor", True),
        ("cursor", "3"),
        ("written_at", "yesterday"),
        ("written_at", True),
        ("pid", 1.5),
        ("path", ""),
        ("path", "a\x00b"),
        # Paths are data we did not create: only an absolute path without control characters is ever used.
        ("path", "relative/报告.md"),
        ("path", "../../etc/passwd"),
        ("path", "/docs/a\x1b[2Jb.md"),
        ("path", "/docs/a\nb.md"),
        ("path", "/docs/a\x85b.md"),
        ("saved", [1, 2]),
        ("saved", {"size": 1}),
        ("generation", "model"),
        ("generation", {"model_path": 3}),
    ],
)
def test_fields_of_the_wrong_type_are_refused(field: str, value: object) -> None:
    body = json.loads(encode_entry(entry()))
    body[field] = value
    with pytest.raises(JournalFormatError, match=r"not valid|document id"):
        decode_entry(json.dumps(body).encode())


@pytest.mark.parametrize("written_at", ["1e300", "-1e300", "NaN", "Infinity", "-Infinity", "1" + "0" * 400])
def test_a_time_stamp_out_of_range_is_an_unknown_time_not_a_lost_journal(written_at: str) -> None:
    # Python's JSON reader takes NaN, Infinity and integers of any length; none may stop the text being offered.
    data = encode_entry(entry("正文")).replace(b'"written_at":1700000000.5', b'"written_at":' + written_at.encode())
    assert written_at.encode() in data
    decoded = decode_entry(data)
    assert decoded.text == "正文"
    assert decoded.written_time() is None


def test_a_time_stamp_in_range_is_a_local_time() -> None:
    when = entry().written_time()
    assert when is not None and when.timestamp() == 1_700_000_000.5


def test_a_process_id_out_of_range_is_not_a_running_process(tmp_path: Path) -> None:
    for pid in (2**70, -(2**70), 0, -1):
        write_journal(tmp_path, entry(f"pid {pid}", pid=pid))
    assert sorted(d.entry.text for d in scan_journals(tmp_path).documents) == sorted(
        f"pid {pid}" for pid in (2**70, -(2**70), 0, -1)
    )


def in_thread(work: Callable[[], _T], fifo: Path) -> _T:
    """Run ``work`` in a thread with a generous hang guard; if it hangs on ``fifo``, release it and fail."""
    result: list[_T] = []
    worker = threading.Thread(target=lambda: result.append(work()), daemon=True)
    worker.start()
    worker.join(timeout=HANG_GUARD_S)
    if worker.is_alive():
        # Blocked opening the pipe for reading: a writer that opens and closes it lets the thread go.
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=HANG_GUARD_S)
        pytest.fail(f"blocked on the named pipe {fifo}")
    return result[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_saved_state_of_a_named_pipe_is_none_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert in_thread(lambda: saved_file_state(fifo), fifo) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_journal_that_is_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / f"{new_document_id()}.journal.json"
    os.mkfifo(fifo)

    def read() -> str:
        with pytest.raises(JournalFormatError, match="not a regular file") as caught:
            read_journal(fifo)
        return str(caught.value)

    assert in_thread(read, fifo)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_scan_of_a_journal_naming_a_named_pipe_does_not_block(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    folder.mkdir()
    fifo = tmp_path / "通知.md"
    os.mkfifo(fifo)
    write_journal(folder, entry("未保存的正文", path=fifo, saved=SavedFileState(5, 1, "ab" * 32), title="通知.md"))
    (document,) = in_thread(lambda: scan_journals(folder), fifo).documents
    assert document.entry.text == "未保存的正文" and document.saved_text is None
    assert "named pipe" in document.saved_problem and document.path_is_special


def test_every_truncation_of_a_journal_is_refused() -> None:
    data = encode_entry(entry("公文" * 20, generation=GenerationInfo("/m.gguf", {"seed": 1})))
    for cut in range(len(data)):
        with pytest.raises(JournalFormatError):
            decode_entry(data[:cut])


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_random_bytes_parse_or_are_refused(data: bytes) -> None:
    with contextlib.suppress(JournalFormatError):
        decode_entry(data)


def test_fuzzing_finds_no_other_exception() -> None:
    result = fuzz_journal_reader(1500)
    assert result.tried == 1500
    assert result.failures == []
    assert result.refused > 0 and result.parsed > 0


def test_reader_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"{new_document_id()}.journal.json"
    path.write_bytes(encode_entry(entry("x" * 5000)))
    monkeypatch.setattr(journal_module, "MAX_JOURNAL_BYTES", 1000)
    with pytest.raises(JournalFormatError, match="too large"):
        read_journal(path)


def test_document_ids_must_be_file_name_safe(tmp_path: Path) -> None:
    for bad in ("../x", "A" * 32, "", "0" * 31):
        with pytest.raises(ValueError):
            journal_path(tmp_path, bad)


def test_write_is_atomic_and_listed(tmp_path: Path) -> None:
    first = entry("第一版")
    path = write_journal(tmp_path, first)
    write_journal(tmp_path, entry("第二版", document_id=first.document_id))
    assert read_journal(path).text == "第二版"
    assert list_journals(tmp_path) == [path]
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_saved_state_hashes_once_per_change(tmp_path: Path) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("一", encoding="utf-8")
    state = saved_file_state(doc)
    assert state is not None and state.size == 3
    # Same size and mtime: the known hash is reused without reading the file.
    assert saved_file_state(doc, known=SavedFileState(state.size, state.mtime_ns, "cached")) == SavedFileState(
        state.size, state.mtime_ns, "cached"
    )
    assert saved_file_state(tmp_path / "missing.md") is None


# -- scan at start ---------------------------------------------------------------------------------------------------


def test_scan_recovers_compares_and_moves_damaged_journals_aside(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    folder.mkdir()
    saved = tmp_path / "通知.md"
    save_document(saved, "原来的正文\n")
    saved_bytes = saved.read_bytes()
    state = saved_file_state(saved)
    good = entry("原来的正文\n新写的一段\n", path=saved, saved=state, title="通知.md")
    write_journal(folder, good)
    untitled = entry("无标题的草稿")
    write_journal(folder, untitled)
    for name, data in (("empty", b""), ("cut", encode_entry(entry())[:40]), ("junk", b"\x00\x01garbage")):
        (folder / f"{name}.journal.json").write_bytes(data)

    scan = scan_journals(folder)

    by_id = {d.entry.document_id: d for d in scan.documents}
    assert set(by_id) == {good.document_id, untitled.document_id}
    recovered = by_id[good.document_id]
    assert recovered.saved_text == "原来的正文\n" and not recovered.saved_changed and recovered.differs
    assert [c.new for c in recovered.changes()] == ["新写的一段\n"]
    assert by_id[untitled.document_id].saved_text is None
    assert {Path(c.path).name for c in scan.corrupt} == {"empty.journal.json", "cut.journal.json", "junk.journal.json"}
    assert all(c.moved_to is not None and c.moved_to.parent.name == CORRUPT_FOLDER for c in scan.corrupt)
    assert all(c.reason for c in scan.corrupt)
    assert saved.read_bytes() == saved_bytes, "recovery must never touch the saved document"
    # Scanned again, the damaged files are gone from the folder and the good ones are still offered.
    again = scan_journals(folder)
    assert not again.corrupt and len(again.documents) == 2

    assert discard_recovered(recovered)
    assert not recovered.journal.exists()
    assert saved.read_bytes() == saved_bytes


def test_scan_notices_a_saved_file_changed_after_the_crash(tmp_path: Path) -> None:
    saved = tmp_path / "a.md"
    save_document(saved, "v1")
    write_journal(tmp_path, entry("v1 + edits", path=saved, saved=saved_file_state(saved)))
    time.sleep(0.01)
    save_document(saved, "v2 from another editor")
    (recovered,) = scan_journals(tmp_path).documents
    assert recovered.saved_changed and recovered.saved_text == "v2 from another editor"


def test_scan_reports_an_unreadable_saved_file(tmp_path: Path) -> None:
    saved = tmp_path / "gone.md"
    write_journal(tmp_path, entry("text", path=saved))
    (recovered,) = scan_journals(tmp_path).documents
    assert recovered.saved_text is None and "not found" in recovered.saved_problem


def test_journals_of_a_running_process_are_left_alone(tmp_path: Path) -> None:
    write_journal(tmp_path, entry("another window's work", pid=os.getppid()))
    write_journal(tmp_path, entry("ours", pid=os.getpid()))
    (mine,) = scan_journals(tmp_path).documents
    assert mine.entry.text == "ours"


# -- controller ------------------------------------------------------------------------------------------------------


@pytest.fixture()
def tab(qtbot: QtBot) -> Iterator[DocumentTab]:
    page = DocumentTab(1)
    qtbot.addWidget(page)
    yield page


def test_controller_writes_within_the_interval_and_removes_on_save(
    qtbot: QtBot, tab: DocumentTab, tmp_path: Path
) -> None:
    journal = JournalController(folder=tmp_path, interval_ms=200)
    document_id = journal.attach(tab)
    path = journal.journal_of(tab)
    assert path == journal_path(tmp_path, document_id) and not path.exists()
    with qtbot.waitSignal(journal.written, timeout=2000):
        QTest.keyClicks(tab.editor, "hello ")
        tab.editor.insertPlainText("世界")  # QTest types Latin keys only
    written = read_journal(path)
    assert written.text == "hello 世界" and written.cursor == len("hello 世界") and written.pid == os.getpid()
    assert written.title == tab.display_name() and written.generation is None

    doc = tmp_path / "saved.md"
    tab.save(doc)
    assert not path.exists(), "a saved document needs no journal"
    with qtbot.waitSignal(journal.written, timeout=2000):
        QTest.keyClicks(tab.editor, "!")
    again = read_journal(path)
    assert again.path == doc and again.saved == saved_file_state(doc)

    tab.editor.undo()  # back to the saved text: unmodified, so the journal goes
    qtbot.waitUntil(lambda: not path.exists(), timeout=2000)


def test_controller_writes_at_most_once_an_interval(qtbot: QtBot, tab: DocumentTab, tmp_path: Path) -> None:
    journal = JournalController(folder=tmp_path, interval_ms=300)
    journal.attach(tab)
    writes: list[float] = []
    journal.written.connect(lambda _id: writes.append(time.monotonic()))
    started = time.monotonic()
    while time.monotonic() - started < 1.0:
        QTest.keyClicks(tab.editor, "z")
        qtbot.wait(20)
    qtbot.wait(400)
    assert 2 <= len(writes) <= 5
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(writes))
    assert read_journal(journal.journal_of(tab)).text == tab.text()  # type: ignore[arg-type]


def test_detach_removes_and_clear_all_removes_every_journal(qtbot: QtBot, tmp_path: Path) -> None:
    tabs = [DocumentTab(i) for i in range(3)]
    journal = JournalController(folder=tmp_path, interval_ms=50)
    for page in tabs:
        qtbot.addWidget(page)
        journal.attach(page)
        page.editor.insertPlainText("未保存")
    journal.flush_all()
    assert len(list_journals(tmp_path)) == 3
    journal.detach(tabs[0])
    assert len(list_journals(tmp_path)) == 2
    journal.detach(tabs[1], keep_journal=True)
    journal.clear_all()
    assert [read_journal(p).text for p in list_journals(tmp_path)] == ["未保存"]


def test_write_failure_is_reported_once_and_retried(qtbot: QtBot, tab: DocumentTab, tmp_path: Path) -> None:
    folder = tmp_path / "missing"
    journal = JournalController(folder=folder, interval_ms=50)
    journal.attach(tab)
    failures: list[tuple[str, str]] = []
    journal.writeFailed.connect(lambda message, hint: failures.append((message, hint)))
    tab.editor.insertPlainText("a")
    assert not journal.flush(tab)
    tab.editor.insertPlainText("b")
    assert not journal.flush(tab)
    assert len(failures) == 1
    assert "could not be backed up" in failures[0][0] and "does not exist" in failures[0][0]
    folder.mkdir()
    assert journal.flush(tab)
    assert read_journal(journal_path(folder, journal.document_id(tab) or "")).text == "ab"
