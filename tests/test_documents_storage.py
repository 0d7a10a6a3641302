"""Reading and atomic saving of documents: round trips, refusals, and failures that must leave the old file intact."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ziya_desktop.atomic_write import remove_stray_temps
from ziya_desktop.documents import storage
from ziya_desktop.documents.storage import (
    MAX_DOCUMENT_BYTES,
    SUPPORTED_SUFFIXES,
    DiskChange,
    LoadedDocument,
    check_disk,
    read_document,
    save_document,
)
from ziya_desktop.errors import DocumentReadError, DocumentSaveError, ZiyaError

NOBODY = 65534
TEXTS = {
    "chinese": "关于召开年度工作会议的通知\n\n各部门：\n\n经研究，定于2026年11月25日召开年度工作会议。\n特此通知。",
    "english": "Dear Ms Li,\n\nThank you for your letter.\n\nSincerely,\nWang Wei",
    "emoji": "新品上市 🎉🚀\n限时优惠 👍🏽 — don't miss it!\n",
    "mixed": "# 标题 Title\n\n- 要点 one\n- **加粗** bold\n\n1. 第一\n2. second",
}


def _only_file(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize(("newline", "bom"), [("\n", False), ("\r\n", False), ("\n", True), ("\r\n", True)])
def test_round_trip(tmp_path: Path, name: str, newline: str, bom: bool) -> None:
    path = tmp_path / "doc.md"
    text = TEXTS[name]
    save_document(path, text, newline=newline, bom=bom)
    raw = path.read_bytes()
    assert raw.startswith(storage.UTF8_BOM) == bom
    body = raw[3:] if bom else raw
    assert body == text.replace("\n", newline).encode("utf-8")
    loaded = read_document(path)
    assert loaded == LoadedDocument(path=path, text=text, newline=newline, bom=bom)
    assert _only_file(tmp_path) == ["doc.md"]


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00\r"), max_size=300))
def test_any_text_round_trips(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.txt"
        save_document(path, text)
        assert read_document(path).text == text


def test_read_normalises_cr_and_mixed_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(b"one\rtwo\r\nthree\r\nfour\n")
    loaded = read_document(path)
    assert loaded.text == "one\ntwo\nthree\nfour\n"
    assert loaded.newline == "\r\n"  # two CRLF against one lone LF
    path.write_bytes(b"a\r\nb\nc\n")
    assert read_document(path).newline == "\n"


def test_save_rewrites_line_ends_in_the_text(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    save_document(path, "a\r\nb\rc\n", newline="\r\n")
    assert path.read_bytes() == b"a\r\nb\r\nc\r\n"
    with pytest.raises(ValueError):
        save_document(path, "x", newline="\r")


def test_non_utf8_names_file_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(b"abc" + "关于".encode("gbk"))
    with pytest.raises(DocumentReadError) as info:
        read_document(path)
    message = str(info.value)
    assert str(path) in message
    assert "byte 3 " in message and "0xB9" in message
    assert "UTF-8" in info.value.hint and "GBK" in info.value.hint


def test_non_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(storage.UTF8_BOM + b"ok\xff")
    with pytest.raises(DocumentReadError, match="byte 5 "):
        read_document(path)


def test_binary_and_utf16_files_are_refused(tmp_path: Path) -> None:
    png = tmp_path / "image.md"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DocumentReadError, match="binary data"):
        read_document(png)
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("关于".encode("utf-16"))
    with pytest.raises(DocumentReadError, match="UTF-16"):
        read_document(utf16)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no 64 MiB written
    with pytest.raises(DocumentReadError, match="64 MiB"):
        read_document(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DocumentReadError, match="was not found"):
        read_document(tmp_path / "nope.md")
    with pytest.raises(DocumentReadError, match="is a folder"):
        read_document(tmp_path)


def test_symlink_stays_a_link_and_its_target_changes(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "doc.md"
    real.write_text("旧内容", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    save_document(link, "新内容")
    assert link.is_symlink()
    assert link.readlink() == real
    assert real.read_text(encoding="utf-8") == "新内容"
    assert _only_file(real_dir) == ["doc.md"]
    assert _only_file(tmp_path) == ["link.md", "real"]


def test_permissions_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    save_document(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.md"
    save_document(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


def test_short_writes_are_continued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    calls: list[int] = []

    def dribble(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        return real_write(fd, bytes(data[:7]))

    monkeypatch.setattr(os, "write", dribble)
    path = tmp_path / "doc.md"
    text = "短写入测试 short writes " * 20
    save_document(path, text)
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == text
    assert len(calls) > 10


def test_zero_byte_write_is_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.md"
    path.write_bytes(b"old contents")
    monkeypatch.setattr(os, "write", lambda fd, data: 0)
    with pytest.raises(DocumentSaveError, match="the disk is full"):
        save_document(path, "new contents")
    monkeypatch.undo()
    assert path.read_bytes() == b"old contents"
    assert _only_file(tmp_path) == ["doc.md"]


def test_fsync_failure_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "报告.md"
    old = "原来的报告\r\n".encode() * 50
    path.write_bytes(old)

    def failing_fsync(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(DocumentSaveError) as info:
        save_document(path, "全新的内容" * 1000)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert _only_file(tmp_path) == ["报告.md"]
    assert str(path) in str(info.value)
    assert "input/output error" in str(info.value)
    assert info.value.hint == "Nothing was changed on disk; use Save As to save elsewhere."
    assert isinstance(info.value, ZiyaError)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DocumentSaveError, match="does not exist"):
        save_document(tmp_path / "gone" / "doc.md", "x")


_FULL_DISK_SCRIPT = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    from ziya_desktop.documents.storage import save_document
    from ziya_desktop.errors import DocumentSaveError

    # Past the limit the kernel sends SIGXFSZ; ignored, the write fails with EFBIG like a full disk would.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
    try:
        save_document(Path(sys.argv[1]), "很长的文档 a long document\\n" * 40000)
    except DocumentSaveError as err:
        print(json.dumps({"message": str(err), "hint": err.hint}))
    else:
        print(json.dumps({"message": None}))
    """
)


def test_file_size_limit_leaves_old_file(tmp_path: Path) -> None:
    path = tmp_path / "speech.md"
    old = "尊敬的各位来宾：\n".encode() * 40  # well under the limit
    path.write_bytes(old)
    result = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_SCRIPT, str(path)], capture_output=True, text=True, timeout=120, check=True
    )
    outcome = json.loads(result.stdout)
    assert outcome["message"] is not None, "the save over the file size limit should have failed"
    assert str(path) in outcome["message"]
    assert "larger than this disk or system allows" in outcome["message"]
    assert outcome["hint"].startswith("Nothing was changed on disk")
    assert path.read_bytes() == old
    assert _only_file(tmp_path) == ["speech.md"]


def _save_as_nobody(path: Path, text: str) -> str:
    """Save in a forked child running as an unprivileged user; returns the error message or "" on success.

    A fork rather than a new interpreter: the interpreter lives under /root, which that user cannot enter.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        status = 0
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                save_document(path, text)
                report = ""
            except DocumentSaveError as err:
                report = str(err) + "\n" + err.hint
            os.write(write_fd, report.encode("utf-8"))
        except BaseException:  # noqa: BLE001  (anything else must still end the child, with a failing status)
            status = 1
        finally:
            os._exit(status)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        report = fh.read().decode("utf-8")
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0, "the unprivileged child failed before saving"
    return report


def test_read_only_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores permission bits; the save runs as "nobody" in a folder nobody may write.
        folder = Path(tempfile.mkdtemp(prefix="ziya-ro-"))
        folder.chmod(0o755)
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
    path = folder / "letter.md"
    path.write_text("old letter", encoding="utf-8")
    path.chmod(0o644)
    try:
        if os.geteuid() == 0:
            report = _save_as_nobody(path, "new letter")
        else:
            folder.chmod(0o555)
            try:
                save_document(path, "new letter")
                report = ""
            except DocumentSaveError as err:
                report = str(err) + "\n" + err.hint
        assert f"no permission to write in {folder}" in report
        assert str(path) in report
        assert "use Save As to save elsewhere" in report
        assert path.read_text(encoding="utf-8") == "old letter"
        assert _only_file(folder) == ["letter.md"]
    finally:
        folder.chmod(0o755)
        if os.geteuid() == 0:
            path.unlink()
            folder.rmdir()


def test_remove_stray_temps(tmp_path: Path) -> None:
    old_temp = tmp_path / ".通知.md.0123456789ab.ziya-tmp"
    fresh_temp = tmp_path / ".doc.md.abcdef012345.ziya-tmp"
    other = tmp_path / ".doc.md.swp"
    for p in (old_temp, fresh_temp, other):
        p.write_text("x", encoding="utf-8")
    past = time.time() - 3600
    os.utime(old_temp, (past, past))
    os.utime(other, (past, past))
    assert remove_stray_temps(tmp_path) == [old_temp]
    assert _only_file(tmp_path) == sorted([fresh_temp.name, other.name])
    assert remove_stray_temps(tmp_path / "missing") == []


def test_remove_stray_temps_takes_only_whole_names_of_the_targets(tmp_path: Path) -> None:
    ours = tmp_path / ".通知.md.0123456789ab.ziya-tmp"
    of_another = tmp_path / ".报告.md.0123456789ab.ziya-tmp"
    newline_tail = tmp_path / ".通知.md.0123456789ab.ziya-tmp\n"  # not a name the app gives: never removed
    link = tmp_path / ".通知.md.abcdef012345.ziya-tmp"
    for p in (ours, of_another, newline_tail):
        p.write_text("x", encoding="utf-8")
    link.symlink_to(of_another)
    past = time.time() - 3600
    for p in (ours, of_another, newline_tail):
        os.utime(p, (past, past))
    os.utime(link, (past, past), follow_symlinks=False)
    assert remove_stray_temps(tmp_path, ["通知.md"]) == [ours]
    assert _only_file(tmp_path) == sorted([of_another.name, newline_tail.name, link.name])
    assert remove_stray_temps(tmp_path) == [of_another]
    assert newline_tail.exists() and link.is_symlink()


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".md", ".markdown", ".txt")


# -- everything saved reads back --------------------------------------------------------------------------------------

# Characters that once made a saved document unreadable, or that line ends and byte order marks turn into others.
_AWKWARD = st.sampled_from(
    ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\r", "\r\n", "\n", "\t", "\ufeff", "\ufffe", "\uffff",
     "\ud800", "\udfff", "\u2028", "\u2029", "\x0c", "é", "中", "🎉"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.one_of(st.characters(), _AWKWARD), max_size=60).map("".join),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
def test_everything_saved_reads_back_or_is_refused_up_front(text: str, newline: str, bom: bool) -> None:
    """The app never writes a document it then refuses to open: a save either reads back as the same text (line
    ends normalised to "\\n") or is refused before anything is written, naming the character's line and column."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.md"
        path.write_bytes(b"old")
        expected = text.replace("\r\n", "\n").replace("\r", "\n")
        unsavable = [c for c in expected if c == "\x00" or "\ud800" <= c <= "\udfff"]
        try:
            state = save_document(path, text, newline=newline, bom=bom)
        except DocumentSaveError as err:
            assert unsavable, f"refused a savable text: {err}"
            assert "line " in str(err) and "column " in str(err)
            assert path.read_bytes() == b"old"
            assert [p.name for p in Path(folder).iterdir()] == ["doc.md"]
            return
        assert not unsavable, "saved a text with a character no document can hold"
        loaded = read_document(path)
        assert loaded.text == expected
        assert loaded.disk == state


def test_refused_character_is_located(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    with pytest.raises(DocumentSaveError) as info:
        save_document(path, "第一行\r\n第二行有\x00个零", newline="\r\n")
    assert "U+0000" in str(info.value) and "line 2, column 5" in str(info.value)
    assert str(path) in str(info.value)
    assert not path.exists()


def test_a_leading_zero_width_no_break_space_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    save_document(path, "\ufeff开头", bom=False)
    assert read_document(path).text == "\ufeff开头"


# -- special files ----------------------------------------------------------------------------------------------------


def _read_with_hang_guard(path: Path) -> BaseException | None:
    """``read_document(path)`` in a thread; a read still blocked after a generous guard is released by opening the
    pipe's other end, and the test fails instead of hanging."""
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            read_document(path)
            outcome.append(None)
        except BaseException as err:  # noqa: BLE001  (handed to the test thread, which asserts on it)
            outcome.append(err)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    if reader.is_alive():
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=30)
        pytest.fail("opening a named pipe blocked the reading thread")
    return outcome[0]


def test_a_named_pipe_is_neither_opened_nor_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    error = _read_with_hang_guard(fifo)
    assert isinstance(error, DocumentReadError) and "named pipe" in str(error)
    with pytest.raises(DocumentSaveError, match="named pipe") as info:
        save_document(fifo, "text")
    assert str(fifo) in str(info.value)
    assert info.value.hint.startswith("Nothing was changed on disk")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _only_file(tmp_path) == ["pipe.md"]


def test_a_device_is_not_replaced(tmp_path: Path) -> None:
    # A private null device node: a save that wrongly replaced it harms nothing outside this folder.
    device = tmp_path / "null.md"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root")
    with pytest.raises(DocumentSaveError, match="a device"):
        save_document(device, "text")
    assert stat.S_ISCHR(device.stat().st_mode)
    assert _only_file(tmp_path) == ["null.md"]


# -- comparing with the disk ------------------------------------------------------------------------------------------


def test_disk_state_tells_changes_apart(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("第一行\n", encoding="utf-8")
    loaded = read_document(path)
    assert loaded.disk is not None
    assert check_disk(path, loaded.disk) is DiskChange.UNCHANGED

    # Touched, or rewritten with the same bytes by another program (new inode): the content decides.
    os.utime(path, ns=(1, 1))
    assert check_disk(path, loaded.disk) is DiskChange.UNCHANGED
    other = tmp_path / "other.md"
    other.write_text("第一行\n", encoding="utf-8")
    other.replace(path)
    assert check_disk(path, loaded.disk) is DiskChange.UNCHANGED

    # Another program appends a line, even keeping size and mtime out of the picture.
    with path.open("a", encoding="utf-8") as fh:
        fh.write("外部程序加的一行\n")
    assert check_disk(path, loaded.disk) is DiskChange.MODIFIED

    # Our own save makes it ours again.
    state = save_document(path, "新内容\n")
    assert check_disk(path, state) is DiskChange.UNCHANGED

    path.chmod(0o444)
    assert check_disk(path, state) is DiskChange.READ_ONLY
    assert check_disk(path, None) is DiskChange.READ_ONLY
    path.chmod(0o644)

    path.unlink()
    assert check_disk(path, state) is DiskChange.DELETED
    assert check_disk(path, None) is DiskChange.UNCHANGED  # a new file
    os.mkfifo(path)
    assert check_disk(path, state) is DiskChange.NOT_REGULAR
