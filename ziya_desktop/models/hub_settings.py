"""Where the Hugging Face hub and its cache are, and whether the network may be used at all.

Read from the environment on every call, not at import, so that a change of ``HF_ENDPOINT``, ``HF_HUB_CACHE``,
``HF_HOME``, ``HF_HUB_OFFLINE`` or ``ZIYA_OFFLINE`` takes effect at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from huggingface_hub import constants

from ziya_desktop import paths


def hub_endpoint() -> str:
    """The hub's URL: ``HF_ENDPOINT`` now, else huggingface_hub's default."""
    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def hub_cache_dir() -> Path:
    """huggingface_hub's cache folder, with its precedence: ``HF_HUB_CACHE``, ``HUGGINGFACE_HUB_CACHE``, ``HF_HOME``."""
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        value = os.environ.get(var)
        if value:
            return Path(os.path.expandvars(value)).expanduser()
    home = os.environ.get("HF_HOME")
    if home:
        return Path(os.path.expandvars(home)).expanduser() / "hub"
    return Path(constants.HF_HUB_CACHE)


def is_offline(offline: bool = False) -> bool:
    """Whether network access is forbidden: the caller's setting, ``ZIYA_OFFLINE``, or ``HF_HUB_OFFLINE``."""
    hf_offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
    return offline or paths.offline_mode() or hf_offline or constants.is_offline_mode()
