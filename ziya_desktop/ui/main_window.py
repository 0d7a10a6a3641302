"""The main window: the document editor in the middle, model state and the live 字数 / word count below it.

This is the bare frame the writing actions, model library and file handling will be added to. It owns no
document logic: counting lives in :mod:`ziya_desktop.writing.text_stats`, locations in :mod:`ziya_desktop.paths`.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QLocale, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QPlainTextEdit, QWidget

from ziya_desktop import paths
from ziya_desktop.writing.text_stats import TextStats, count_text

# Tried in order; the first one installed wins. Each of these carries Latin glyphs too, so mixed text stays in
# one typeface. Windows, macOS and Linux each ship at least one; the widget's own family is the last resort.
CJK_FONT_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans SC",
    "WenQuanYi Micro Hei",
)

# Recounting waits for a pause in typing (or in streamed model output) instead of running on every keystroke.
WORD_COUNT_DELAY_MS = 150

_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"


class MainWindow(QMainWindow):
    """The application window.

    Attributes:
        editor: the document; its ``document().modificationChanged`` drives the ``[*]`` mark in the title.
        model_status_label: left side of the status bar; see :meth:`set_model_status`.
        word_count_label: right side of the status bar, e.g. ``字数 12 · 3 words``; refreshed
            :data:`WORD_COUNT_DELAY_MS` after the last edit.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MainWindow")
        # "[*]" is where Qt shows the unsaved-changes mark (or, on macOS, the dot in the close button).
        self.setWindowTitle(self.tr("Ziya Desktop") + "[*]")

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("documentEditor")
        self.editor.setFont(self._document_font())
        self.setCentralWidget(self.editor)

        self.model_status_label = QLabel(self)
        self.model_status_label.setObjectName("modelStatusLabel")
        self.word_count_label = QLabel(self)
        self.word_count_label.setObjectName("wordCountLabel")
        self.statusBar().addWidget(self.model_status_label, 1)
        self.statusBar().addPermanentWidget(self.word_count_label)
        self.set_model_status(self.tr("No model loaded"))

        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(WORD_COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self.refresh_word_count)
        self.editor.textChanged.connect(self._count_timer.start)

        document = self.editor.document()
        document.modificationChanged.connect(self.setWindowModified)
        self.setWindowModified(document.isModified())

        self._create_menus()
        self.refresh_word_count()
        self._restore_geometry()

    def set_model_status(self, text: str) -> None:
        """Show *text* (already translated) as the model state in the status bar."""
        self.model_status_label.setText(text)

    def refresh_word_count(self) -> None:
        """Recount the document now and update the status bar."""
        self._count_timer.stop()
        stats = count_text(self.editor.toPlainText())
        self.word_count_label.setText(self._format_count(stats))

    def closeEvent(self, event: QCloseEvent) -> None:
        store = paths.settings()
        store.setValue(_GEOMETRY_KEY, self.saveGeometry())
        store.setValue(_STATE_KEY, self.saveState())
        super().closeEvent(event)

    def _format_count(self, stats: TextStats) -> str:
        locale = self.locale()
        parts: list[str] = []
        if stats.cjk_chars:
            parts.append(self.tr("字数 {count}").format(count=locale.toString(stats.cjk_chars)))
        if stats.words:
            words = locale.toString(stats.words)
            parts.append(
                self.tr("{count} word").format(count=words)
                if stats.words == 1
                else self.tr("{count} words").format(count=words)
            )
        if not parts:
            # An empty document speaks the writer's language: 字数 for a Chinese UI, words otherwise.
            if locale.language() == QLocale.Language.Chinese:
                return self.tr("字数 {count}").format(count=locale.toString(0))
            return self.tr("{count} words").format(count=locale.toString(0))
        return " · ".join(parts)

    def _document_font(self) -> QFont:
        font = QFont(self.editor.font())
        font.setFamilies([*CJK_FONT_FAMILIES, font.family()])
        return font

    def _create_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

    def _restore_geometry(self) -> None:
        store = paths.settings()
        geometry = store.value(_GEOMETRY_KEY)
        state = store.value(_STATE_KEY)
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            if isinstance(state, QByteArray):
                self.restoreState(state)
        else:
            self.resize(960, 720)
