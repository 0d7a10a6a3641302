"""Every location Ziya Desktop reads or writes, and every environment override, in one place.

Locations come from :class:`QStandardPaths` under the organisation ``Ziya`` and the application ``Ziya Desktop``
(on Linux ``~/.local/share/Ziya/Ziya Desktop`` and ``~/.config/Ziya/Ziya Desktop``). One environment variable
moves all of them:

``ZIYA_HOME``
    A folder that holds everything (data, ``config/``, ``models/``, ``templates/``, ``logs/``). Tests point it at
    a temporary folder so they never touch the real home; portable installs point it next to the executable.
``ZIYA_OFFLINE``
    ``1``/``true``/``yes``/``on`` forbids every network access (model downloads, catalog refresh).

Environment variables are read on every call, not at import, so a test's ``monkeypatch.setenv`` takes effect.
Folders are created on first use (parents included). Only QtCore is imported, and nothing here needs a
``QApplication``: the command line and headless tests use these functions too.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

ORGANIZATION_NAME = "Ziya"
APPLICATION_NAME = "Ziya Desktop"

RESOURCES_PACKAGE = "ziya_desktop.resources"

ENV_HOME = "ZIYA_HOME"
ENV_OFFLINE = "ZIYA_OFFLINE"

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def configure_application_identity() -> None:
    """Set the organisation and application names that QStandardPaths and QSettings derive folders from.

    Idempotent, and valid before a ``QCoreApplication`` exists (the names are static). Every location function
    below calls it, so the folders never depend on the name of the Python executable.
    """
    if QCoreApplication.organizationName() != ORGANIZATION_NAME:
        QCoreApplication.setOrganizationName(ORGANIZATION_NAME)
    if QCoreApplication.applicationName() != APPLICATION_NAME:
        QCoreApplication.setApplicationName(APPLICATION_NAME)


def home_override() -> Path | None:
    """The folder named by ``ZIYA_HOME`` (``~`` expanded), or ``None`` when it is unset or empty."""
    value = os.environ.get(ENV_HOME, "").strip()
    return Path(value).expanduser() if value else None


def offline_mode() -> bool:
    """Whether ``ZIYA_OFFLINE`` forbids network access (``1``, ``true``, ``yes`` or ``on``, any case)."""
    return os.environ.get(ENV_OFFLINE, "").strip().lower() in _TRUE_WORDS


def resources_dir() -> Path:
    """The read-only data shipped with the app (catalog, templates, translations).

    The top-level ``resources/`` folder is the package ``ziya_desktop.resources`` (a ``package-dir`` mapping in
    pyproject.toml), so the same lookup finds it in a checkout, an editable install and an installed wheel.
    """
    found = importlib.resources.files(RESOURCES_PACKAGE)
    if not isinstance(found, Path):
        # Only a zipped install gives something else; the app reads these with Qt, which needs real files.
        raise RuntimeError(f"{RESOURCES_PACKAGE} is not a folder on disk ({found!r}); install Ziya Desktop unzipped")
    return found


def builtin_templates_dir() -> Path:
    return resources_dir() / "templates"


def translations_dir() -> Path:
    return resources_dir() / "translations"


def data_dir() -> Path:
    """The app's own data folder: models, templates, logs, journals live below it.

    Without ``ZIYA_HOME`` this is ``AppLocalDataLocation``, not ``AppDataLocation``: on Windows the latter is the
    roaming profile, and multi-gigabyte model files must not roam with a user from machine to machine.
    """
    home = home_override()
    if home is not None:
        return _ensure(home)
    return _ensure(_standard_location(QStandardPaths.StandardLocation.AppLocalDataLocation))


def config_dir() -> Path:
    """The folder of ``settings.ini``; ``ZIYA_HOME/config`` when ``ZIYA_HOME`` is set."""
    home = home_override()
    if home is not None:
        return _ensure(home / "config")
    return _ensure(_standard_location(QStandardPaths.StandardLocation.AppConfigLocation))


def models_dir() -> Path:
    """The local model library (GGUF files and their metadata)."""
    return _ensure(data_dir() / "models")


def templates_dir() -> Path:
    """The writer's own genre templates (the built-in ones ship inside the package)."""
    return _ensure(data_dir() / "templates")


def log_dir() -> Path:
    """The application log and the crash log (``faulthandler`` output)."""
    return _ensure(data_dir() / "logs")


def journal_dir() -> Path:
    """Journals of unsaved edits and streamed text, read back after a crash."""
    return _ensure(data_dir() / "journal")


def settings_path() -> Path:
    """``settings.ini`` in :func:`config_dir`."""
    return config_dir() / "settings.ini"


def settings() -> QSettings:
    """A ``QSettings`` on :func:`settings_path` in INI format (UTF-8, readable, portable with ``ZIYA_HOME``).

    A new object per call: ``QSettings`` is cheap, and objects on the same file share Qt's cache, so there is
    no need to keep one alive. Qt writes changes back when the object is destroyed or ``sync()`` is called.
    """
    return QSettings(str(settings_path()), QSettings.Format.IniFormat)


def _standard_location(location: QStandardPaths.StandardLocation) -> Path:
    configure_application_identity()
    found = QStandardPaths.writableLocation(location)
    if found:
        return Path(found)
    # Qt returns "" when the platform has no such location (seen on stripped-down containers without $HOME);
    # a dot folder in the home directory keeps the app usable instead of writing into the working directory.
    return Path.home() / ".ziya-desktop"


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
