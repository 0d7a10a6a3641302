"""Every location Ziya Desktop reads or writes, and every environment override, in one place.

Pure Python (no Qt), so every layer may use it: the folders are the ones Qt's ``QStandardPaths`` gives for the
organisation ``Ziya`` and the application ``Ziya Desktop`` (``AppLocalDataLocation`` and ``AppConfigLocation``),
worked out here so that the layers below the UI need no Qt; tests/test_paths.py checks them against Qt's own.

- Linux and other Unix: ``$XDG_DATA_HOME`` (default ``~/.local/share``) and ``$XDG_CONFIG_HOME`` (default
  ``~/.config``), each followed by ``Ziya/Ziya Desktop``;
- macOS: ``~/Library/Application Support/Ziya/Ziya Desktop`` and ``~/Library/Preferences/Ziya/Ziya Desktop``;
- Windows: ``%LOCALAPPDATA%\\Ziya\\Ziya Desktop`` for both (never the roaming profile: multi-gigabyte model files
  must not roam with a user from machine to machine).

One environment variable moves all of them:

``ZIYA_HOME``
    A folder that holds everything (data, ``config/``, ``models/``, ``templates/``, ``logs/``). Tests point it at
    a temporary folder so they never touch the real home; portable installs point it next to the executable.
``ZIYA_OFFLINE``
    ``1``/``true``/``yes``/``on`` forbids every network access (model downloads, catalog refresh).

Environment variables are read on every call, not at import, so a test's ``monkeypatch.setenv`` takes effect.
Folders are created on first use (parents included). The settings file itself is read and written by the UI
(``ziya_desktop.ui.common.settings``).
"""

from __future__ import annotations

import importlib.resources
import os
import sys
from pathlib import Path

ORGANIZATION_NAME = "Ziya"
APPLICATION_NAME = "Ziya Desktop"

RESOURCES_PACKAGE = "ziya_desktop.resources"

ENV_HOME = "ZIYA_HOME"
ENV_OFFLINE = "ZIYA_OFFLINE"

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


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
    return _ensure(_user_folder("data") / ORGANIZATION_NAME / APPLICATION_NAME)


def config_dir() -> Path:
    """The folder of ``settings.ini``; ``ZIYA_HOME/config`` when ``ZIYA_HOME`` is set."""
    home = home_override()
    if home is not None:
        return _ensure(home / "config")
    return _ensure(_user_folder("config") / ORGANIZATION_NAME / APPLICATION_NAME)


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


def _user_folder(kind: str) -> Path:
    """The per-user base folder of ``kind`` (``"data"`` or ``"config"``) on this platform, as Qt finds it."""
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "")
        return Path(local) if local else Path.home() / "AppData" / "Local"
    if sys.platform == "darwin":
        return Path.home() / "Library" / ("Application Support" if kind == "data" else "Preferences")
    variable, default = ("XDG_DATA_HOME", ".local/share") if kind == "data" else ("XDG_CONFIG_HOME", ".config")
    value = os.environ.get(variable, "")
    # The XDG specification: a relative value is invalid and ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / default


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
