"""Turn a stream of token pieces (bytes) into whole characters, O(1) per token.

A CJK character is three UTF-8 bytes and byte-fallback tokens carry one byte each, so a character is often split
across tokens. The incremental decoder holds back an incomplete sequence until its last byte arrives; a character
is never emitted half-made, and invalid bytes become U+FFFD instead of breaking the stream.
"""

from __future__ import annotations

import codecs


class IncrementalDetokenizer:
    """Feed token bytes, get back the text they complete (possibly empty)."""

    def __init__(self, *, strip_leading_space: bool = False) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._strip = strip_leading_space

    def feed(self, piece: bytes) -> str:
        text = self._decoder.decode(piece)
        if self._strip and text:
            # SentencePiece marks word starts with a space; the first word of an answer should not carry it.
            text = text[1:] if text.startswith(" ") else text
            self._strip = False
        return text

    def flush(self) -> str:
        """What is left at the end: an incomplete sequence becomes U+FFFD."""
        return self._decoder.decode(b"", final=True)

    @property
    def pending(self) -> bool:
        return bool(self._decoder.getstate()[0])
