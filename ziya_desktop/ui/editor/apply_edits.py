"""Replace a span of a document by new text, touching only what changed, as one undo step.

Replacing a whole rewritten paragraph would drop its character formats, throw every cursor and bookmark in it to
the span's edge and make the undo history useless for comparing. Applying only the parts that differ
(:func:`ziya_desktop.writing.diff.minimal_edits`) keeps all of that, the way Frescobaldi's ``cursordiff`` does.

Qt counts document positions in UTF-16 code units (an emoji is two) and a paragraph separator as one position;
Python counts code points; :class:`~ziya_desktop.ui.editor.text_positions.Utf16Index` converts between the two.
"""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextDocument

from ziya_desktop.ui.editor.text_positions import Utf16Index, utf16_len
from ziya_desktop.writing.diff import minimal_edits

__all__ = ["apply_minimal_diff", "normalize_newlines"]

_PARAGRAPH_SEPARATOR = "\u2029"


def normalize_newlines(text: str) -> str:
    """``text`` with CR LF, CR and U+2029 as ``"\\n"``: what a document's plain text holds after inserting it."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace(_PARAGRAPH_SEPARATOR, "\n")


def apply_minimal_diff(
    document: QTextDocument,
    start: int,
    end: int,
    new_text: str,
    *,
    cursor: QTextCursor | None = None,
) -> int:
    """Make the document text in ``[start, end)`` read ``new_text``, changing only the parts that differ.

    The edits are applied last to first inside one edit block, so a single undo restores the span exactly.
    Unchanged characters keep their formats, and cursors outside the changed parts stay on their characters
    (after the span they move by the change in length). Newlines in ``new_text`` become paragraph breaks.

    Args:
        document: the document to edit.
        start: first position of the span (document positions: UTF-16 code units).
        end: position after the span.
        new_text: the span's new text; ``"\\n"`` (or CR LF) separates paragraphs.
        cursor: the cursor to edit with; when given it is left selecting the new text, so a caller can hand it to
            ``editor.setTextCursor`` to show the result. Another cursor is used otherwise.

    Returns:
        The position after the new text (``start`` plus its length in UTF-16 code units).

    Raises:
        ValueError: ``start``/``end`` are outside the document, reversed, or split a surrogate pair.
    """
    limit = document.characterCount() - 1
    if not 0 <= start <= end <= limit:
        raise ValueError(f"span {start}:{end} is outside the document (0:{limit})")
    raw = document.toRawText()
    index = Utf16Index(raw)
    old = raw[index.to_python(start) : index.to_python(end)].replace(_PARAGRAPH_SEPARATOR, "\n")
    new = normalize_newlines(new_text)
    edits = minimal_edits(old, new)
    work = cursor if cursor is not None else QTextCursor(document)
    if edits:
        span = Utf16Index(old)
        work.beginEditBlock()
        try:
            for edit in reversed(edits):
                work.setPosition(start + span.to_utf16(edit.start))
                work.setPosition(start + span.to_utf16(edit.end), QTextCursor.MoveMode.KeepAnchor)
                if edit.text:
                    work.insertText(edit.text)
                else:
                    work.removeSelectedText()
        finally:
            # Close the block even when an edit fails, or every later edit would join this undo step.
            work.endEditBlock()
    new_end = start + utf16_len(new)
    if cursor is not None:
        cursor.setPosition(start)
        cursor.setPosition(new_end, QTextCursor.MoveMode.KeepAnchor)
    return new_end
