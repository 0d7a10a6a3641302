"""One open document: its editor, its file, its find bar, and the alternatives of its last generation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette, QResizeEvent, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from ziya_desktop.documents.fonts import SANS_CJK_FAMILIES
from ziya_desktop.documents.front_matter import DocumentHead, join_front_matter, split_front_matter
from ziya_desktop.documents.storage import DiskState, LoadedDocument, read_document, save_document
from ziya_desktop.engine.sampling import SamplingParams
from ziya_desktop.ui.editor.find_replace import FindReplaceBar
from ziya_desktop.ui.editor.gongwen_form import GongwenPartsForm
from ziya_desktop.ui.editor.markdown_highlighter import MarkdownHighlighter
from ziya_desktop.ui.editor.text_positions import Utf16Index
from ziya_desktop.writing.clean_text import unsavable_positions
from ziya_desktop.writing.gongwen_parts import GongwenParts
from ziya_desktop.writing.prompt_builder import PromptBuilder

DEFAULT_POINT_SIZE = 13
_FORM_WIDTH = 320
# The text keeps at least this width: in a narrow window the form shrinks first, then folds away.
_MIN_TEXT_WIDTH = 420
_MIN_FORM_WIDTH = 200
MIN_POINT_SIZE = 7
MAX_POINT_SIZE = 48


@dataclass
class Alternatives:
    """The versions of one generated passage: regenerate adds one, the writer switches between them.

    ``start`` and ``end`` are cursors around the passage in the document, so edits elsewhere keep them on it.
    """

    start: QTextCursor
    end: QTextCursor
    texts: list[str] = field(default_factory=list)
    index: int = 0
    # How the passage was asked for, so a regenerate sends the same prompt (and reuses its evaluated prefix).
    builder: PromptBuilder | None = None
    sampling: SamplingParams | None = None

    def span(self) -> tuple[int, int]:
        return self.start.position(), self.end.position()


class DocumentTab(QWidget):
    """An editor page.

    The document is its text (the editor) and its head (:class:`DocumentHead`: the export layout, the template it
    was drafted from and, for a 公文, its parts, edited in a form beside the editor); a save writes the head as the
    file's front matter.

    Signals:
        titleChanged(): the file name or the modified state changed (the tab label follows).
    """

    titleChanged = Signal()

    def __init__(self, untitled_number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.untitled_number = untitled_number
        self.path: Path | None = None
        self.newline = "\n"
        self.bom = False
        # The file as this tab last read or wrote it: a save first checks that nobody else changed it since.
        self.disk: DiskState | None = None
        # Layout, template and 公文 parts: saved with the text as its front matter.
        self.head = DocumentHead()
        self.alternatives: Alternatives | None = None

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("documentEditor")
        self.editor.setTabChangesFocus(False)
        font = QFont(self.editor.font())
        # The first family installed wins; the widget's own family is the last resort.
        font.setFamilies([*SANS_CJK_FAMILIES, font.family()])
        font.setPointSize(DEFAULT_POINT_SIZE)
        self.editor.setFont(font)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.document().setDocumentMargin(24)
        self.highlighter = MarkdownHighlighter(self.editor.document(), accent=_accent())
        self.find_bar = FindReplaceBar(self)
        self.find_bar.set_editor(self.editor)
        self.find_bar.hide()

        self.parts_form = GongwenPartsForm(self)
        self.parts_form.hide()
        self.parts_form.partsChanged.connect(self._parts_edited)

        page = QWidget(self)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.editor, 1)
        column.addWidget(self.find_bar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(page)
        self.splitter.addWidget(self.parts_form)
        # The form can be dragged shut to give the text the whole width; the editor never collapses.
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, True)
        self._form_width = _FORM_WIDTH
        self.splitter.splitterMoved.connect(self._form_moved)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        # Setting the margin and the highlighter marks a fresh document modified; nothing was written yet.
        self.editor.document().setModified(False)
        self.editor.document().modificationChanged.connect(lambda _m: self.titleChanged.emit())

    # -- state ---------------------------------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return self.editor.document().isModified()

    def text(self) -> str:
        """The body: what the editor holds."""
        return self.editor.toPlainText()

    def file_text(self) -> str:
        """What a save writes: the front matter of the head (where there is one to write), then the body."""
        return join_front_matter(self.head, self.text())

    @property
    def layout_kind(self) -> Literal["plain", "gongwen"]:
        """ "gongwen" for a 公文: exports then follow GB/T 9704-2012."""
        return "gongwen" if self.head.layout == "gongwen" else "plain"

    @property
    def template_id(self) -> str:
        return self.head.template

    @property
    def parts(self) -> GongwenParts | None:
        return self.head.parts

    def set_head(self, head: DocumentHead, *, modified: bool = True) -> None:
        """Take ``head`` (a draft's, the layout switch's); a change marks the document modified, as it is saved."""
        if head == self.head:
            return
        self.head = head
        self._show_parts()
        if modified:
            self.editor.document().setModified(True)

    def set_layout(self, layout: Literal["plain", "gongwen"]) -> None:
        self.set_head(replace(self.head, layout=layout))

    def _parts_edited(self, parts: GongwenParts) -> None:
        self.head = replace(self.head, parts=parts)
        self.editor.document().setModified(True)

    def _show_parts(self) -> None:
        parts = self.head.parts
        show = parts is not None and self.head.layout == "gongwen"
        if parts is not None:
            self.parts_form.set_parts(parts)
        if show and self.parts_form.isHidden():
            self.parts_form.show()
            self._fit_form()
        elif not show:
            self.parts_form.hide()

    def _form_moved(self, _pos: int, _index: int) -> None:
        # The writer dragged the divider: that width (0: folded away) is theirs until they drag it again.
        self._form_width = self.splitter.sizes()[1]

    def _fit_form(self) -> None:
        """Give the form the width the writer chose, as far as the text keeps room to be read."""
        if self.parts_form.isHidden():
            return
        total = self.splitter.width() - self.splitter.handleWidth()
        form = min(self._form_width, total - _MIN_TEXT_WIDTH)
        if form < _MIN_FORM_WIDTH:
            form = 0
        self.splitter.setSizes([total - form, form])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_form()

    def set_file_text(self, text: str) -> None:
        """Show a file's text (or a recovered journal's): its front matter becomes the head, the rest the body."""
        head, body = split_front_matter(text)
        self.editor.setPlainText(body)
        self.head = head or DocumentHead()
        self._show_parts()

    def display_name(self) -> str:
        if self.path is not None:
            return self.path.name
        return self.tr("Untitled {number}").format(number=self.untitled_number)

    def is_blank(self) -> bool:
        """An untouched new document: a draft can go here instead of into a new tab."""
        return self.path is None and not self.modified and not self.text().strip()

    # -- files ---------------------------------------------------------------------------------------------------

    def load(self, path: Path) -> None:
        """Replace the content by the file's (raises DocumentReadError; nothing changes then)."""
        loaded: LoadedDocument = read_document(path)
        self.set_file_text(loaded.text)
        self._take_file(loaded)
        self.alternatives = None

    def reload(self) -> None:
        """Replace the content by the file's as one undo step, so Undo brings the writer's version back.

        Raises DocumentReadError; nothing changes then.
        """
        assert self.path is not None
        loaded = read_document(self.path)
        head, body = split_front_matter(loaded.text)
        cursor = QTextCursor(self.editor.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(body)
        cursor.endEditBlock()
        self.head = head or DocumentHead()
        self._show_parts()
        self._take_file(loaded)
        # The passage markers point into text that is gone.
        self.alternatives = None

    def _take_file(self, loaded: LoadedDocument) -> None:
        self.path, self.newline, self.bom, self.disk = loaded.path, loaded.newline, loaded.bom, loaded.disk
        self.editor.document().setModified(False)
        self.titleChanged.emit()

    def remove_unsavable(self) -> int:
        """Delete the characters a saved document cannot hold (NUL, lone surrogates: typed or pasted), as one undo
        step; returns how many were removed."""
        text = self.text()
        positions = unsavable_positions(text)
        if not positions:
            return 0
        utf16 = Utf16Index(text)
        cursor = QTextCursor(self.editor.document())
        cursor.beginEditBlock()
        # From the end, so the positions still to delete do not move.
        for index in reversed(positions):
            cursor.setPosition(utf16.to_utf16(index))
            cursor.setPosition(utf16.to_utf16(index + 1), QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        cursor.endEditBlock()
        return len(positions)

    def save(self, path: Path) -> None:
        """Save atomically to ``path`` (raises DocumentSaveError; the document stays modified then)."""
        self.disk = save_document(path, self.file_text(), newline=self.newline, bom=self.bom)
        self.path = path
        self.editor.document().setModified(False)
        self.titleChanged.emit()

    # -- view ----------------------------------------------------------------------------------------------------

    def set_point_size(self, size: int) -> None:
        font = QFont(self.editor.font())
        font.setPointSize(max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, size)))
        self.editor.setFont(font)

    def point_size(self) -> int:
        return self.editor.font().pointSize()

    def refresh_palette(self) -> None:
        self.highlighter.set_accent(_accent())


def _accent() -> QColor:
    # The application palette, not the widget's: after a theme switch the widget learns of it only later.
    return QGuiApplication.palette().color(QPalette.ColorRole.Link)
