"""An inference server's API key in the system keyring (macOS Keychain, Windows Credential Locker, Secret Service).

When no usable keyring backend exists (a headless Linux box without Secret Service, say), :func:`save_key` says so
and the UI keeps the key in its settings file instead, with a visible warning. The key itself is never logged.
"""

from __future__ import annotations

import logging

__all__ = ["SERVICE", "delete_key", "keyring_usable", "load_key", "save_key"]

log = logging.getLogger(__name__)

SERVICE = "ziya-desktop"


# What a keyring backend raises when it is locked, refuses or loses its service (D-Bus, the Keychain).
try:
    from keyring.errors import KeyringError as _KeyringError
except ImportError:  # no keyring package: nothing can raise its errors
    _KeyringError = OSError  # type: ignore[assignment,misc]
_KEYRING_FAILURES: tuple[type[BaseException], ...] = (_KeyringError, OSError)


def _keyring() -> object | None:
    """The keyring module when a backend that stores anything is configured, else None."""
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:  # the package is optional at run time: the settings file is the fallback
        log.info("the keyring package is not installed")
        return None
    # keyring falls back to these when no real backend exists: one refuses everything, the other forgets it.
    if isinstance(keyring.get_keyring(), fail.Keyring | null.Keyring):
        return None
    return keyring


def keyring_usable() -> bool:
    """Whether a system keyring can hold the key."""
    return _keyring() is not None


def save_key(server_url: str, key: str) -> bool:
    """Keep ``key`` for ``server_url`` in the keyring; False when there is no usable one (or it refused)."""
    keyring = _keyring()
    if keyring is None:
        return False
    try:
        keyring.set_password(SERVICE, server_url, key)  # type: ignore[attr-defined]
    except (
        _KEYRING_FAILURES
    ) as exc:  # a locked or broken keyring: the caller falls back (the key is not in the message)
        log.warning("the keyring did not store the API key for %s: %s", server_url, type(exc).__name__)
        return False
    return True


def load_key(server_url: str) -> str:
    """The key kept for ``server_url`` in the keyring, or "" when there is none (or no keyring)."""
    keyring = _keyring()
    if keyring is None:
        return ""
    try:
        found = keyring.get_password(SERVICE, server_url)  # type: ignore[attr-defined]
    except _KEYRING_FAILURES as exc:  # a locked or broken keyring reads as no key; the writer is asked again
        log.warning("the keyring did not give the API key for %s: %s", server_url, type(exc).__name__)
        return ""
    return found if isinstance(found, str) else ""


def delete_key(server_url: str) -> None:
    """Forget the key kept for ``server_url`` (nothing happens when there is none)."""
    keyring = _keyring()
    if keyring is None:
        return
    try:
        keyring.delete_password(SERVICE, server_url)  # type: ignore[attr-defined]
    except _KEYRING_FAILURES as exc:  # PasswordDeleteError when there was none: nothing to forget
        log.debug("no API key to delete for %s: %s", server_url, type(exc).__name__)
