"""Which characters a document can hold, and cleaning the model's text before it reaches a document.

Two sets, one inside the other:

* **Unsavable**: what a saved document cannot hold and still be opened again — NUL (``read_document`` takes a NUL
  byte for binary data) and lone surrogates (UTF-8 cannot encode them). Saving refuses such text up-front; the
  window removes these characters (one undo step) and says so before it saves.
* **Model noise**: every control character except tab and newline (C0, DEL, C1), lone surrogates and the
  noncharacters U+FFFE / U+FFFF. Prose never needs them; a model writes them only by mistake, so they are removed
  from generated text before it is inserted. Unsavable characters are all model noise, so cleaned model text can
  always be saved and read back.

Documents the writer opens may hold other control characters (a form feed from an old text file): those load, save
and load again unchanged, and are left alone.

Qt-free and linear-time (one regular expression pass).
"""

from __future__ import annotations

import re

__all__ = ["clean_model_text", "first_unsavable", "remove_unsavable", "unsavable_positions"]

# NUL and the surrogate range: what a document file cannot carry through a save and a read.
_UNSAVABLE = "\x00\ud800-\udfff"
_UNSAVABLE_RE = re.compile(f"[{_UNSAVABLE}]")
# C0 except \t (09) and \n (0a), DEL and C1 (7f-9f), the unsavable ones, and the two BMP noncharacters.
_MODEL_NOISE_RE = re.compile(f"[{_UNSAVABLE}\x01-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_model_text(text: str) -> tuple[str, int]:
    """``text`` without model noise, and how many characters were removed."""
    cleaned, removed = _MODEL_NOISE_RE.subn("", text)
    return cleaned, removed


def first_unsavable(text: str) -> int:
    """Index of the first character a saved document cannot hold, or -1."""
    found = _UNSAVABLE_RE.search(text)
    return found.start() if found else -1


def unsavable_positions(text: str) -> list[int]:
    """Indexes (Python ``str`` positions) of every character a saved document cannot hold, in order."""
    return [m.start() for m in _UNSAVABLE_RE.finditer(text)]


def remove_unsavable(text: str) -> tuple[str, int]:
    """``text`` without the characters a saved document cannot hold, and how many were removed."""
    cleaned, removed = _UNSAVABLE_RE.subn("", text)
    return cleaned, removed
