"""Light Markdown in the editor: headings, list markers and **bold** are shown as such, the text stays plain."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

_HEADING = re.compile(r"^(#{1,6})\s+\S.*$")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)\s*")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


class MarkdownHighlighter(QSyntaxHighlighter):
    """Formats each block of ``document`` as it changes (Qt calls :meth:`highlightBlock` per edited line only)."""

    def __init__(self, document: QTextDocument, *, accent: QColor) -> None:
        super().__init__(document)
        self._heading = QTextCharFormat()
        self._heading.setFontWeight(QFont.Weight.Bold)
        self._heading.setForeground(accent)
        self._marker = QTextCharFormat()
        self._marker.setForeground(accent)
        self._bold = QTextCharFormat()
        self._bold.setFontWeight(QFont.Weight.Bold)
        self._faint = QTextCharFormat()
        self._faint.setForeground(QColor(128, 128, 128))

    def set_accent(self, accent: QColor) -> None:
        """Re-colour after a theme change."""
        self._heading.setForeground(accent)
        self._marker.setForeground(accent)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        heading = _HEADING.match(text)
        if heading:
            self.setFormat(0, len(text), self._heading)
            return
        marker = _LIST_MARK.match(text)
        if marker:
            self.setFormat(0, marker.end(), self._marker)
        for bold in _BOLD.finditer(text):
            self.setFormat(bold.start(), 2, self._faint)
            self.setFormat(bold.start(1), len(bold.group(1)), self._bold)
            self.setFormat(bold.end() - 2, 2, self._faint)
