"""The writer's settings (``settings.ini``) and the application identity Qt derives its own folders from.

Only the UI reads and writes settings; the file's location comes from :func:`ziya_desktop.paths.settings_path`.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings

from ziya_desktop import paths


def configure_application_identity() -> None:
    """Set the organisation and application names Qt uses for its own folders and caches.

    Idempotent, and valid before a ``QCoreApplication`` exists (the names are static).
    """
    if QCoreApplication.organizationName() != paths.ORGANIZATION_NAME:
        QCoreApplication.setOrganizationName(paths.ORGANIZATION_NAME)
    if QCoreApplication.applicationName() != paths.APPLICATION_NAME:
        QCoreApplication.setApplicationName(paths.APPLICATION_NAME)


def settings() -> QSettings:
    """A ``QSettings`` on :func:`~ziya_desktop.paths.settings_path` in INI format (UTF-8, readable, portable with
    ``ZIYA_HOME``).

    A new object per call: ``QSettings`` is cheap, and objects on the same file share Qt's cache, so there is
    no need to keep one alive. Qt writes changes back when the object is destroyed or ``sync()`` is called.
    """
    return QSettings(str(paths.settings_path()), QSettings.Format.IniFormat)


# The engine used last ("local" or "remote"), reconnected at start-up like the last model is reloaded.
ENGINE_KIND_KEY = "engine/kind"
# The inference server used last. The API key is kept here only when no system keyring can hold it (the window
# warns when it is); otherwise it is in the keyring under the server's URL (ziya_desktop.engine.api_keys).
SERVER_URL_KEY = "server/url"
SERVER_MODEL_KEY = "server/model"
SERVER_TIMEOUT_KEY = "server/timeout"
SERVER_API_KEY_KEY = "server/api_key"
