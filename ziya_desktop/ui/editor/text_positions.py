"""Qt document positions count UTF-16 code units; Python strings count code points. These convert between them.

They differ only after characters outside the Basic Multilingual Plane (emoji, rare CJK extension ideographs),
which is exactly where an off-by-one would cut a character in half.
"""

from __future__ import annotations

from bisect import bisect_left


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, i.e. in Qt document positions."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class Utf16Index:
    """Converts offsets in one string between Python indices and UTF-16 positions, in O(log n) each."""

    def __init__(self, text: str) -> None:
        astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        self._astral_py = astral
        # Where each astral character starts in UTF-16: every earlier astral character adds one unit.
        self._astral_u16 = [i + k for k, i in enumerate(astral)]
        self._length = len(text)

    def to_utf16(self, index: int) -> int:
        """The UTF-16 position of Python index ``index`` (0 … len(text))."""
        return index + bisect_left(self._astral_py, index)

    def to_python(self, position: int) -> int:
        """The Python index of UTF-16 position ``position``.

        Raises:
            ValueError: ``position`` falls between the two halves of a surrogate pair.
        """
        before = bisect_left(self._astral_u16, position)
        if before and self._astral_u16[before - 1] + 1 == position:
            raise ValueError(f"position {position} splits a character outside the Basic Multilingual Plane")
        return position - before


def py_to_qt(text: str, index: int) -> int:
    """The document position of string index ``index`` in ``text``."""
    return utf16_len(text[:index])


def qt_to_py(text: str, position: int) -> int:
    """The string index of document position ``position`` in ``text`` (clamped; inside a surrogate pair: after it).

    A cursor cannot rest inside a surrogate pair, but a stale position can point there; rounding up keeps the
    character whole instead of failing.
    """
    position = max(0, position)
    index = Utf16Index(text)
    try:
        return min(index.to_python(position), len(text))
    except ValueError:
        return min(index.to_python(position + 1), len(text))
