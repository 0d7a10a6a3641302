"""The real main window on both engines: the in-process one and llama-cpp-python's own server on 127.0.0.1.

The same writing loop (continue, stop mid-stream, continue again, rewrite a selection) runs through the window on
either engine; the status bar names the one in use. The server is killed mid-stream (the text stays and the window
says why), the Connect to Server dialog warns about unencrypted addresses and fetches the server's models, the
server is remembered and reconnected at start-up, Use Local Model goes back, and offline mode contacts nobody.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, ClassVar

import helpers
import keyring
import pytest
from hostile_sse_server import HostileServer
from keyring.backend import KeyringBackend
from keyring.compat import properties
from llama_server import LlamaServer
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from ziya_desktop.engine.engine import LoadReport
from ziya_desktop.engine.remote import RemoteEngine, RemoteReport, RemoteTarget
from ziya_desktop.engine.sampling import MODEL_CARD
from ziya_desktop.ui.common.settings import ENGINE_KIND_KEY, SERVER_API_KEY_KEY, SERVER_URL_KEY, settings
from ziya_desktop.ui.generation.writing_commands import MODEL_PATH_KEY, SAMPLING_KEY
from ziya_desktop.ui.models.model_library import OFFLINE_KEY
from ziya_desktop.ui.models.server_dialog import ServerDialog
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.actions import ActionKind

pytestmark = pytest.mark.slow

WAIT_MS = 120_000
KEY = "sk-window-5b2d-never-logged"
START = "春天来了。"


@pytest.fixture(scope="module")
def server(q4: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    running = LlamaServer(q4, tmp_path_factory.mktemp("llama_server") / "server.log")
    yield running
    running.kill()


def set_sampling(**changes: object) -> None:
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(replace(MODEL_CARD, **changes))))  # type: ignore[arg-type]


class _RecordingRemote(RemoteEngine):
    """The real remote engine, noting every prompt it sends."""

    prompts: ClassVar[list[str]] = []

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        self.prompts.append(args[0])
        return super().stream(*args, **kwargs)


def use_engine(qtbot: QtBot, window: MainWindow, kind: str, q4: Path, url: str, key: str = "") -> None:
    with qtbot.waitSignal(window.engine.loaded, timeout=WAIT_MS):
        if kind == "local":
            window.writing.load_options = replace(window.writing.load_options, threads=1)
            window.writing.load_model(q4)
        else:
            window.writing.server.connect_to(RemoteTarget(url, api_key=key))


def wait_idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.generation.busy, timeout=WAIT_MS)


def document(window: MainWindow, text: str) -> Any:
    tab = window.current_tab()
    assert tab is not None
    tab.editor.setPlainText(text)
    cursor = tab.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    tab.editor.setTextCursor(cursor)
    return tab


@pytest.mark.parametrize("kind", ["local", "remote"])
def test_the_writing_loop_runs_on_both_engines(
    qtbot: QtBot, window: MainWindow, q4: Path, server: LlamaServer, kind: str
) -> None:
    sent = _RecordingRemote.prompts = []
    window.engine.worker.remote_factory = _RecordingRemote
    use_engine(qtbot, window, kind, q4, server.url)
    label = window.status.model_label.text()
    assert label == f"Remote: {server.model_id} at 127.0.0.1:{server.port}" if kind == "remote" else "CPU" in label
    tab = document(window, START)

    # Continue from the cursor.
    set_sampling(max_tokens=16, seed=1, ignore_eos=True)
    window.writing.continue_writing()
    wait_idle(qtbot, window)
    first = tab.text()
    assert first.startswith(START) and len(first) > len(START), window.notice.text()
    # The server gets the raw Ziya prompt the in-process engine would tokenize.
    assert len(sent) == (kind == "remote")
    assert all(p.startswith(f"<human>:{START}\n") and p.endswith("\n<bot>:") for p in sent)

    # Stop mid-stream: the text so far stays.
    set_sampling(max_tokens=400, seed=1, ignore_eos=True)
    chunks: list[int] = []
    window.generation.progress.connect(lambda n, _rate, _ctx: chunks.append(n))
    window.writing.continue_writing()
    qtbot.waitUntil(lambda: max(chunks, default=0) >= 2 or not window.generation.busy, timeout=WAIT_MS)
    with qtbot.waitSignal(window.generation.ended, timeout=WAIT_MS) as ended:
        window.menu_actions.writing.stop.trigger()
    assert ended.args is not None and ended.args[0].stats.stop_reason == "cancelled"
    stopped = tab.text()
    assert stopped.startswith(first) and len(stopped) > len(first)

    # Continue again after the stop.
    set_sampling(max_tokens=8, seed=2, ignore_eos=True)
    window.writing.continue_writing()
    wait_idle(qtbot, window)
    assert tab.text().startswith(stopped) and len(tab.text()) > len(stopped), window.notice.text()

    # Draft from a template into a new document.
    panel = window.templates
    assert panel.select_template("gongwen.notice")
    template = panel.current_template()
    assert template is not None
    panel.form.set_values(helpers.fill_template(template))
    window.new_document()
    panel.draft_button.click()
    wait_idle(qtbot, window)
    drafted = window.current_tab()
    assert drafted is not None and drafted is not tab
    rendered = template.render(panel.form.values(), "zh")
    assert len(drafted.text()) > len(rendered.header.strip()) + len(rendered.footer.strip()), window.notice.text()
    assert sent[-1:] == ([panel.preview.toPlainText()] if kind == "remote" else [])
    window.tabs.setCurrentIndex(window.tabs.indexOf(tab))

    # Rewrite a selection: the answer goes to the review, accepting applies it.
    before = tab.text()
    cursor = tab.editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(4, cursor.MoveMode.KeepAnchor)
    tab.editor.setTextCursor(cursor)
    window.writing.rewrite_selection(ActionKind.POLISH)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.review.is_finished, timeout=WAIT_MS)
    original, revised = window.review.original_text(), window.review.final_text()
    assert original == START[:4]
    window.review.accept_all()
    assert tab.text() == before.replace(original, revised, 1)


class _KillingRemote(RemoteEngine):
    """The real remote engine; after the first piece of the next stream it runs ``on_first`` (in the worker)."""

    on_first: Callable[[], None] | None = None

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        for count, piece in enumerate(super().stream(*args, **kwargs), 1):
            yield piece
            if count == 1 and self.on_first is not None:
                self.on_first()


def test_killing_the_server_mid_stream_keeps_the_text_and_says_why(
    qtbot: QtBot, window: MainWindow, q4: Path, tmp_path: Path
) -> None:
    dying = LlamaServer(q4, tmp_path / "server.log")
    try:
        _KillingRemote.on_first = dying.kill
        window.engine.worker.remote_factory = _KillingRemote
        use_engine(qtbot, window, "remote", q4, dying.url)
        tab = document(window, START)
        set_sampling(max_tokens=400, seed=1)
        window.writing.continue_writing()
        wait_idle(qtbot, window)
    finally:
        _KillingRemote.on_first = None
        dying.kill()
    assert "broke after" in window.notice.text()
    assert "The text written so far was kept" in window.notice.text()
    assert tab.text().startswith(START) and len(tab.text()) > len(START)
    assert tab.alternatives is not None and tab.alternatives.texts == [tab.text()[len(START) :]]


def fill_dialog(url: str, key: str, model: str = "") -> Callable[[ServerDialog], QDialog.DialogCode]:
    """A stand-in for the writer at the dialog: types the fields and presses OK."""

    def answer(dialog: ServerDialog) -> QDialog.DialogCode:
        dialog.url_edit.setText(url)
        dialog.key_edit.setText(key)
        dialog.model_box.setEditText(model)
        return QDialog.DialogCode.Accepted

    return answer


def test_the_dialog_warns_about_unencrypted_text_and_fetches_models(qtbot: QtBot, server: LlamaServer) -> None:
    dialog = ServerDialog(keyring=False)
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("http://10.1.2.3:8080")
    assert not dialog.warning_label.isHidden() and "unencrypted to 10.1.2.3:8080" in dialog.warning_label.text()
    dialog.url_edit.setText("https://10.1.2.3")
    assert dialog.warning_label.isHidden()
    dialog.url_edit.setText(server.url)
    assert dialog.warning_label.isHidden()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert [label.text() for label in dialog.form_labels] == ["Server address:", "Model:", "API key:", "Timeout:"]
    assert "settings file" in dialog.key_note.text()
    dialog.fetch_models()
    qtbot.waitUntil(lambda: dialog.fetch_button.isEnabled(), timeout=WAIT_MS)
    assert [dialog.model_box.itemText(i) for i in range(dialog.model_box.count())] == [server.model_id]
    assert dialog.target().model == server.model_id


def test_the_server_is_remembered_reconnected_and_left_for_the_local_model(
    qtbot: QtBot,
    main_window: Callable[..., MainWindow],
    q4: Path,
    server: LlamaServer,
    monkeypatch: pytest.MonkeyPatch,
    ziya_home: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(ServerDialog, "exec", fill_dialog(server.url, KEY))
    first = main_window()
    with qtbot.waitSignal(first.engine.loaded, timeout=WAIT_MS):
        first.menu_actions.models.connect_server.trigger()
    # No system keyring here: the key goes to the settings file, and the window says so.
    assert "No system keyring" in first.notice.text()
    assert settings().value(SERVER_API_KEY_KEY) == KEY and settings().value(ENGINE_KIND_KEY) == "remote"
    tab = document(first, START)
    set_sampling(max_tokens=8, seed=1)
    first.writing.continue_writing()
    wait_idle(qtbot, first)
    first.close()

    second = main_window()
    with qtbot.waitSignal(second.engine.loaded, timeout=WAIT_MS) as loaded:
        assert second.writing.load_last_model()
    assert isinstance(loaded.args[0], RemoteReport) and second.status.model_label.text().startswith("Remote:")
    assert second.writing.server.connected == RemoteTarget(server.url, api_key=KEY)
    settings().setValue(MODEL_PATH_KEY, str(q4))
    with qtbot.waitSignal(second.engine.loaded, timeout=WAIT_MS) as loaded:
        second.menu_actions.models.use_local_model.trigger()
    assert isinstance(loaded.args[0], LoadReport) and "CPU" in second.status.model_label.text()
    assert settings().value(ENGINE_KIND_KEY) == "local" and settings().value(SERVER_URL_KEY) == server.url

    # The key is in the settings file (as the window said) and nowhere else: not in a log, nor in the journal.
    assert tab.text() != START
    assert KEY not in caplog.text
    leaks = [
        p for p in ziya_home.rglob("*") if p.is_file() and p.name != "settings.ini" and KEY.encode() in p.read_bytes()
    ]
    assert leaks == []


def test_offline_mode_contacts_no_server(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = HostileServer()
    try:
        settings().setValue(OFFLINE_KEY, True)
        monkeypatch.setattr(ServerDialog, "exec", fill_dialog(hostile.url, KEY))
        with qtbot.waitSignal(window.engine.loadFailed, timeout=WAIT_MS):
            window.menu_actions.models.connect_server.trigger()
        assert window.notice.text().startswith("Could not connect to the server: offline mode is on")
        dialog = ServerDialog(offline=True)
        qtbot.addWidget(dialog)
        dialog.url_edit.setText(hostile.url)
        dialog.fetch_models()
        qtbot.waitUntil(lambda: dialog.fetch_button.isEnabled(), timeout=WAIT_MS)
        assert "offline mode is on" in dialog.status_label.text()
        assert hostile.accepted == 0
    finally:
        hostile.close()


def test_an_unencrypted_server_elsewhere_is_warned_about(qtbot: QtBot, window: MainWindow) -> None:
    # 192.0.2.0/24 is reserved for documentation: nothing answers there, and the warning comes before the answer.
    done = threading.Event()
    window.engine.loadFailed.connect(lambda *_: done.set())
    window.writing.server.connect_to(RemoteTarget("http://192.0.2.7:8080", timeout_s=1.0, offline=True))
    assert "unencrypted to 192.0.2.7:8080" in window.notice.text()
    qtbot.waitUntil(done.is_set, timeout=WAIT_MS)


class _MemoryKeyring(KeyringBackend):
    """A keyring backend holding passwords in memory (a system keyring's part, without a desktop session).

    Never viable for keyring's own discovery (its priority raises), so it is only used where a test sets it.
    """

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("only used when set explicitly")

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


def test_with_a_system_keyring_the_key_stays_out_of_the_settings(
    qtbot: QtBot,
    main_window: Callable[..., MainWindow],
    server: LlamaServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    memory = _MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    try:
        monkeypatch.setattr(ServerDialog, "exec", fill_dialog(server.url, KEY))
        first = main_window()
        with qtbot.waitSignal(first.engine.loaded, timeout=WAIT_MS):
            first.menu_actions.models.connect_server.trigger()
        assert memory.passwords == {("ziya-desktop", server.url): KEY}
        assert settings().value(SERVER_API_KEY_KEY) is None and "keyring" not in first.notice.text()
        second = main_window()
        with qtbot.waitSignal(second.engine.loaded, timeout=WAIT_MS):
            assert second.writing.load_last_model()
        assert second.writing.server.connected is not None and second.writing.server.connected.api_key == KEY
    finally:
        keyring.set_keyring(previous)


def test_cancelling_a_connection_to_a_silent_server_ends_it(qtbot: QtBot, window: MainWindow) -> None:
    hostile = HostileServer("hang")
    try:
        with qtbot.waitSignal(window.engine.loadFailed, timeout=WAIT_MS) as failed:
            window.writing.server.connect_to(RemoteTarget(hostile.url, timeout_s=3600.0))
            qtbot.waitUntil(lambda: hostile.accepted > 0, timeout=WAIT_MS)
            window.engine.cancel_load()
        assert failed.args is not None and failed.args[0] == "model load cancelled"
        assert window.writing.report is None and window.status.model_label.text() == "No model loaded"
    finally:
        hostile.close()
