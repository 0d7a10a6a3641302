"""Writing with an inference server instead of the in-process model: connect, remember, reconnect at start-up.

The engine worker loads a :class:`~ziya_desktop.engine.remote.RemoteTarget` like it loads a GGUF, so every writing
action runs on the server unchanged. The server used last is remembered; its API key goes to the system keyring
when there is one, else into the settings file, and then the window says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog

from ziya_desktop import paths
from ziya_desktop.engine import api_keys
from ziya_desktop.engine.interface import EngineReport
from ziya_desktop.engine.remote import RemoteReport, RemoteTarget
from ziya_desktop.ui.common.notice_bar import NoticeLevel
from ziya_desktop.ui.common.settings import (
    ENGINE_KIND_KEY,
    SERVER_API_KEY_KEY,
    SERVER_MODEL_KEY,
    SERVER_TIMEOUT_KEY,
    SERVER_URL_KEY,
    settings,
)
from ziya_desktop.ui.common.window_services import WindowServices
from ziya_desktop.ui.generation.engine_worker import EngineController
from ziya_desktop.ui.models.model_library import OFFLINE_KEY
from ziya_desktop.ui.models.server_dialog import ServerDialog, unencrypted_host

__all__ = ["ServerCommands"]

log = logging.getLogger(__name__)


def offline_setting() -> bool:
    """Offline mode: the writer's setting (Model Library) or ``ZIYA_OFFLINE``."""
    return paths.offline_mode() or bool(settings().value(OFFLINE_KEY, False, type=bool))


class ServerCommands(QObject):
    """Connects the engine to a server and remembers it.

    Args:
        host: the window's notice strip and status bar.
        engine: the engine's controller.
        last_model: the model file loaded last, if any: it counts tokens for a server without a tokenize endpoint.
    """

    def __init__(
        self, host: WindowServices, engine: EngineController, *, last_model: Callable[[], Path | None] = lambda: None
    ) -> None:
        super().__init__(host.window())
        self._host = host
        self._engine = engine
        self._last_model = last_model
        self.connecting: RemoteTarget | None = None
        self.connected: RemoteTarget | None = None
        engine.loaded.connect(self._loaded)
        engine.loadFailed.connect(self._failed)
        engine.unloaded.connect(self._failed)

    # -- connecting ----------------------------------------------------------------------------------------------

    def connect_dialog(self) -> None:
        """Ask for the server (filled with the one used last) and connect to it."""
        dialog = ServerDialog(self._host.window(), offline=offline_setting(), keyring=api_keys.keyring_usable())
        dialog.set_target(self.remembered())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.connect_to(dialog.target())

    def connect_to(self, target: RemoteTarget) -> None:
        """Connect in the background; the status bar says so, and an unencrypted address is warned about."""
        self.connecting = target
        if target.tokenizer_path is None:
            target = replace(target, tokenizer_path=self._last_model())
        host = unencrypted_host(target.base_url)
        self._host.status.set_model(self.tr("Connecting to {url}…").format(url=target.base_url))
        if host:
            self._warn_unencrypted(host)
        self._engine.load(target)

    def _warn_unencrypted(self, host: str) -> None:
        self._host.notice.show_notice(
            self.tr("Text travels unencrypted to {host}: anyone on the network between can read it.").format(host=host),
            hint=self.tr("Use https:// for a server on another computer."),
            level=NoticeLevel.WARNING,
        )

    def _loaded(self, report: EngineReport) -> None:
        target, self.connecting = self.connecting, None
        if not isinstance(report, RemoteReport) or target is None:
            self.connected = None
            return
        self.connected = target
        self._remember(target)
        if report.unencrypted:
            self._warn_unencrypted(report.host)

    def _failed(self, *_args: object) -> None:
        self.connecting = self.connected = None

    # -- remembering ---------------------------------------------------------------------------------------------

    def remembered(self) -> RemoteTarget | None:
        """The server used last, with its key (from the keyring, or the settings file), or None."""
        store = settings()
        url = store.value(SERVER_URL_KEY, "")
        if not isinstance(url, str) or not url:
            return None
        stored_key = store.value(SERVER_API_KEY_KEY, "")
        key = api_keys.load_key(url) or (stored_key if isinstance(stored_key, str) else "")
        timeout = RemoteTarget("").timeout_s
        try:
            timeout = float(str(store.value(SERVER_TIMEOUT_KEY, timeout)))
        except ValueError:  # a hand-edited settings file: the default timeout
            log.warning("ignoring the stored server timeout")
        model = store.value(SERVER_MODEL_KEY, "")
        return RemoteTarget(
            url,
            model=model if isinstance(model, str) else "",
            api_key=key,
            timeout_s=timeout,
            offline=offline_setting(),
        )

    def _remember(self, target: RemoteTarget) -> None:
        store = settings()
        store.setValue(ENGINE_KIND_KEY, "remote")
        store.setValue(SERVER_URL_KEY, target.base_url)
        store.setValue(SERVER_MODEL_KEY, target.model)
        store.setValue(SERVER_TIMEOUT_KEY, target.timeout_s)
        if not target.api_key:
            store.remove(SERVER_API_KEY_KEY)
            api_keys.delete_key(target.base_url)
        elif api_keys.save_key(target.base_url, target.api_key):
            store.remove(SERVER_API_KEY_KEY)
        else:
            store.setValue(SERVER_API_KEY_KEY, target.api_key)
            self._host.notice.show_notice(
                self.tr("No system keyring is available, so the API key was saved in the settings file."),
                hint=str(paths.settings_path()),
                level=NoticeLevel.WARNING,
            )

    def reconnect_last(self) -> bool:
        """Connect to the server used last when the server was the engine used last; whether it was."""
        if settings().value(ENGINE_KIND_KEY, "") != "remote":
            return False
        target = self.remembered()
        if target is None:
            return False
        self.connect_to(target)
        return True
