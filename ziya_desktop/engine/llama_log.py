"""Route llama.cpp's log into :mod:`logging` (logger ``llama.cpp``) instead of raw stderr."""

from __future__ import annotations

import ctypes
import logging

import llama_cpp

log = logging.getLogger("llama.cpp")
# ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5.
_LEVELS = {0: logging.INFO, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}


class _Pending:
    level = logging.INFO
    text = ""


def _on_log(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
    # Level 5 (CONT) continues the previous message; llama.cpp sends lines in pieces, so buffer until newline.
    if level != 5:
        _Pending.level = _LEVELS.get(level, logging.INFO)
    _Pending.text += text.decode("utf-8", errors="replace")
    if _Pending.text.endswith("\n"):
        message = _Pending.text.rstrip("\n")
        _Pending.text = ""
        if log.isEnabledFor(_Pending.level):
            log.log(_Pending.level, "%s", message)


_callback = llama_cpp.llama_log_callback(_on_log)


def route_llama_log() -> None:
    """Install the callback (idempotent). The callback object lives at module level so it is never freed."""
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
