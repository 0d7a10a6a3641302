"""The main window: document tabs in the middle, the template panel at the side, the rewrite review and the
Markdown preview as docks, and the status bar with model, speed, context use and 字数 / word count.

It wires the parts together and owns no document logic: files live in :mod:`ziya_desktop.documents`, prompts in
:mod:`ziya_desktop.writing`, the engine behind :class:`~ziya_desktop.ui.generation.engine_worker.EngineController`.
File commands are in :mod:`ziya_desktop.ui.files.file_commands`, writing commands in
:mod:`ziya_desktop.ui.generation.writing_commands`; both see the window only as
:class:`~ziya_desktop.ui.common.window_services.WindowServices`, and the menus bind to them directly.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QTextCursor
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop import paths
from ziya_desktop.documents.export.html_export import markdown_body
from ziya_desktop.engine.engine import Engine, LoadOptions
from ziya_desktop.ui.common.error_text import localized_hint
from ziya_desktop.ui.common.i18n import (
    LANGUAGE_KEY,
    UiLanguage,
    chosen_language,
    effective_language,
    install_translations,
)
from ziya_desktop.ui.common.notice_bar import NoticeBar, NoticeLevel
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.common.status_panel import StatusPanel
from ziya_desktop.ui.editor.document_tab import DEFAULT_POINT_SIZE, DocumentTab
from ziya_desktop.ui.editor.text_positions import qt_to_py
from ziya_desktop.ui.evaluation.evaluation_actions import EvaluationCommands
from ziya_desktop.ui.files.file_commands import FileCommands
from ziya_desktop.ui.files.journal_controller import JournalController
from ziya_desktop.ui.generation.engine_worker import EngineController, EngineFactory
from ziya_desktop.ui.generation.generation import GenerationController
from ziya_desktop.ui.generation.rewrite_review import RewriteReview
from ziya_desktop.ui.generation.writing_commands import WritingCommands
from ziya_desktop.ui.models.first_run_page import FirstRunPage
from ziya_desktop.ui.models.gpu_settings import stored_load_options
from ziya_desktop.ui.models.model_library import ModelLibraryWindow
from ziya_desktop.ui.shell import window_geometry
from ziya_desktop.ui.shell.themes import Theme, apply_theme, parse_theme
from ziya_desktop.ui.shell.window_actions import WindowActions, build_actions
from ziya_desktop.ui.templates.template_panel import TemplatePanel
from ziya_desktop.writing.template_files import load_templates
from ziya_desktop.writing.text_stats import count_text

log = logging.getLogger(__name__)

# Recounting and re-rendering the preview wait for a pause in typing (or in streamed text).
WORD_COUNT_DELAY_MS = 150
PREVIEW_DELAY_MS = 300

_THEME_KEY = "ui/theme"
# The writer chose to write without a model: the first-run page is not offered again.
FIRST_RUN_DISMISSED_KEY = "ui/first_run_dismissed"
_ZOOM_KEY = "editor/point_size"


class MainWindow(QMainWindow):
    """The application window.

    Args:
        engine_factory: builds the engine inside the worker thread (tests pass one with a fixed hardware probe).
        lang: UI language for template names and counts, ``zh`` or ``en`` (default: the language setting).

    Attributes:
        tabs: the open documents (:class:`DocumentTab` pages).
        templates: the template side panel; its Draft button drafts into the current (or a new) document.
        review: the rewrite review dock's widget.
        notice: the strip above the editor for messages that need no dialog.
        status: the status bar fields.
        engine: the engine controller (worker thread); generation: the run in flight.
        journal: the journal of unsaved changes (crash recovery).
        files, writing: the file and writing commands.
    """

    def __init__(self, *, engine_factory: EngineFactory = Engine, lang: str | None = None) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.lang = lang if lang is not None else effective_language()
        self.setWindowTitle(self.tr("Ziya Desktop"))
        self._untitled = 0
        store = settings()
        stored_size = str(store.value(_ZOOM_KEY, DEFAULT_POINT_SIZE))
        self._point_size = int(stored_size) if stored_size.isdigit() else DEFAULT_POINT_SIZE

        self.notice = NoticeBar(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("documentTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab_at)
        self.tabs.currentChanged.connect(self._current_tab_changed)
        # The editor area: the documents, or, before there is any model, the page that says how to get one.
        self.first_run = FirstRunPage(self)
        self.editor_area = QStackedWidget(self)
        self.editor_area.addWidget(self.tabs)
        self.editor_area.addWidget(self.first_run)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(6, 6, 6, 0)
        column.setSpacing(6)
        column.addWidget(self.notice)
        column.addWidget(self.editor_area, 1)
        self.setCentralWidget(central)

        self.engine = EngineController(engine_factory, self)
        app = QCoreApplication.instance()
        if app is not None:
            # A quit that bypasses closeEvent must still join the worker thread (a running QThread aborts at exit).
            app.aboutToQuit.connect(self.engine.shutdown)
        self.review = RewriteReview(self)
        self.generation = GenerationController(self.engine, self.review, self, notice=self.notice)
        self.status = StatusPanel(self.statusBar())

        library = load_templates(paths.builtin_templates_dir(), paths.templates_dir())
        self.templates = TemplatePanel(
            library, lang=self.lang, builtin_dir=paths.builtin_templates_dir(), user_dir=paths.templates_dir()
        )
        self.templates_dock = self._dock("templatesDock", self.templates)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.templates_dock)
        self.review_dock = self._dock("reviewDock", self.review)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.review_dock)
        self.review_dock.hide()
        self.preview_view = QTextBrowser(self)
        self.preview_view.setObjectName("markdownPreview")
        self.preview_view.setOpenExternalLinks(True)
        self.preview_dock = self._dock("previewDock", self.preview_view)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.preview_dock)
        self.preview_dock.hide()

        self._count_timer = self._timer(WORD_COUNT_DELAY_MS, self.refresh_counts)
        self._preview_timer = self._timer(PREVIEW_DELAY_MS, self.refresh_preview)
        self.files = FileCommands(self, self.generation)
        self.writing = WritingCommands(
            self,
            engine=self.engine,
            generation=self.generation,
            templates=self.templates,
            review_dock=self.review_dock,
            open_model_library=self.show_model_library,
        )
        self.writing.layoutChanged.connect(self._sync_layout_action)
        self.engine.loaded.connect(lambda _report: self.close_first_run())
        self.first_run.downloadRequested.connect(self.show_model_library)
        self.first_run.importGgufRequested.connect(lambda: self.show_model_library().import_gguf_dialog())
        self.first_run.importCheckpointRequested.connect(lambda: self.show_model_library().import_checkpoint_dialog())
        self.first_run.dismissed.connect(self._first_run_dismissed)
        self.writing.load_options = stored_load_options()
        self.library_window: ModelLibraryWindow | None = None
        # Crash safety: every modified document is journaled about once a second (see journal_controller).
        self.journal = JournalController(self.generation, model_path=lambda: self.writing.model_path, parent=self)
        self.journal.writeFailed.connect(self.show_error)
        self.evaluation = EvaluationCommands(
            self,
            show_error=self.show_error,
            editor_model_loaded=lambda: self.writing.report is not None,
            unload_editor_model=self.writing.unload_model,
        )
        self.menu_actions: WindowActions = build_actions(self, self)
        self.templates_dock.visibilityChanged.connect(self.menu_actions.view.templates_panel.setChecked)
        self.preview_dock.visibilityChanged.connect(self.menu_actions.view.preview.setChecked)
        self.preview_dock.visibilityChanged.connect(lambda _v: self._preview_timer.start())
        self.files.recent_menu = self.menu_actions.recent_menu
        # Unload only with a model loaded; after the writing commands' own handlers, which keep the report.
        for signal in (self.engine.loaded, self.engine.loadFailed, self.engine.unloaded):
            signal.connect(self._sync_model_actions)
        self._sync_model_actions()
        self.files.refresh_recent_menu()

        self.theme = parse_theme(store.value(_THEME_KEY, Theme.SYSTEM.value))
        self.menu_actions.view.themes[self.theme].setChecked(True)
        self.menu_actions.view.languages[chosen_language()].setChecked(True)
        apply_theme(self.theme)

        self.new_document()
        self.status.set_model(lambda: self.tr("No model loaded"))
        self.retranslate()
        self._restore_geometry()

    # -- small builders ------------------------------------------------------------------------------------------

    def _dock(self, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        return dock

    def _timer(self, interval_ms: int, slot: object) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        return timer

    # -- tabs ----------------------------------------------------------------------------------------------------

    def current_tab(self) -> DocumentTab | None:
        tab = self.tabs.currentWidget()
        return tab if isinstance(tab, DocumentTab) else None

    def all_tabs(self) -> list[DocumentTab]:
        return [t for i in range(self.tabs.count()) if isinstance(t := self.tabs.widget(i), DocumentTab)]

    def new_document(self) -> DocumentTab:
        self._untitled += 1
        tab = DocumentTab(self._untitled, self.tabs)
        tab.set_point_size(self._point_size)
        tab.titleChanged.connect(lambda t=tab: self._retitle(t))
        tab.editor.textChanged.connect(self._count_timer.start)
        tab.editor.textChanged.connect(self._text_changed)
        tab.editor.selectionChanged.connect(self._count_timer.start)
        self.journal.attach(tab)
        self.tabs.addTab(tab, tab.display_name())
        self.tabs.setCurrentWidget(tab)
        tab.editor.setFocus()
        return tab

    def close_current_tab(self) -> None:
        self.close_tab_at(self.tabs.currentIndex())

    def close_tab_at(self, index: int) -> bool:
        tab = self.tabs.widget(index)
        if not isinstance(tab, DocumentTab):
            return False
        if self.generation.current_tab is tab:
            self.generation.stop()
        if not self.files.maybe_save(tab):
            return False
        self.journal.detach(tab)
        self.tabs.removeTab(index)
        tab.deleteLater()
        if self.tabs.count() == 0:
            self.new_document()
        return True

    def _retitle(self, tab: DocumentTab) -> None:
        index = self.tabs.indexOf(tab)
        if index >= 0:
            self.tabs.setTabText(index, tab.display_name() + (" •" if tab.modified else ""))
            self.tabs.setTabToolTip(index, str(tab.path) if tab.path else tab.display_name())
        if tab is self.current_tab():
            self._update_title()
            # Opened, reloaded or saved: the document's own layout (its front matter) shows in the menu.
            self._sync_layout_action()
            if tab.path is not None:
                self.close_first_run()

    def _update_title(self) -> None:
        tab = self.current_tab()
        name = tab.display_name() if tab else ""
        self.setWindowTitle(f"{name}[*] — " + self.tr("Ziya Desktop"))
        self.setWindowModified(bool(tab and tab.modified))

    def _current_tab_changed(self, _index: int) -> None:
        self._sync_layout_action()
        self._update_title()
        self.refresh_counts()
        self._preview_timer.start()

    def _text_changed(self) -> None:
        if self.preview_dock.isVisible():
            self._preview_timer.start()

    # -- view ----------------------------------------------------------------------------------------------------

    def zoom(self, step: int) -> None:
        """Bigger (+1), smaller (-1) or the default size (0) for every document; remembered."""
        self._point_size = DEFAULT_POINT_SIZE if step == 0 else self._point_size + step
        for tab in self.all_tabs():
            tab.set_point_size(self._point_size)
        current = self.current_tab()
        if current is not None:
            self._point_size = current.point_size()
        settings().setValue(_ZOOM_KEY, self._point_size)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        apply_theme(theme)
        settings().setValue(_THEME_KEY, theme.value)
        for tab in self.all_tabs():
            tab.refresh_palette()

    def set_language(self, language: UiLanguage) -> None:
        """Switch the UI to ``language`` now and remember it.

        The new translators make Qt send every widget a LanguageChange event, on which each one sets its texts
        again (see :meth:`retranslate`); template names, counts and the model library follow the language too.
        Documents, their undo history and the loaded model are not touched.
        """
        settings().setValue(LANGUAGE_KEY, language.value)
        lang = effective_language(language)
        if lang == self.lang:
            return
        app = QCoreApplication.instance()
        if app is not None:
            install_translations(app, lang)
        self.lang = lang
        self.templates.set_language(lang)
        if self.library_window is not None:
            self.library_window.set_language(lang)
        self.refresh_counts()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """Set the window's own texts in the current UI language: menus, toolbar, dock and tab titles."""
        self.menu_actions.retranslate()
        self.templates_dock.setWindowTitle(self.tr("Templates"))
        self.review_dock.setWindowTitle(self.tr("Rewrite Review"))
        self.preview_dock.setWindowTitle(self.tr("Preview"))
        for tab in self.all_tabs():
            self._retitle(tab)
        self._update_title()

    def toggle_preview(self) -> None:
        self.preview_dock.setVisible(not self.preview_dock.isVisible())

    def toggle_templates(self) -> None:
        self.templates_dock.setVisible(not self.templates_dock.isVisible())

    def refresh_preview(self) -> None:
        tab = self.current_tab()
        if tab is None or not self.preview_dock.isVisible():
            return
        html = markdown_body(tab.text())
        bar = self.preview_view.verticalScrollBar()
        where = bar.value()
        self.preview_view.setHtml(html)
        bar.setValue(where)

    def show_find(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.find_bar.show_find()

    def show_replace(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.find_bar.show_replace()

    def undo(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.editor.undo()

    def redo(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.editor.redo()

    def sync_layout_choice(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.set_layout("gongwen" if self.menu_actions.files.gongwen_layout.isChecked() else "plain")

    def _sync_layout_action(self) -> None:
        """Check the 公文 layout action when the current document uses that layout."""
        tab = self.current_tab()
        if tab is not None:
            self.menu_actions.files.gongwen_layout.setChecked(tab.layout_kind == "gongwen")

    # -- status --------------------------------------------------------------------------------------------------

    def refresh_counts(self) -> None:
        """Recount the document (and the selection) now."""
        self._count_timer.stop()
        tab = self.current_tab()
        if tab is None:
            return
        text = tab.text()
        cursor: QTextCursor = tab.editor.textCursor()
        selection = None
        if cursor.hasSelection():
            selected = text[qt_to_py(text, cursor.selectionStart()) : qt_to_py(text, cursor.selectionEnd())]
            selection = count_text(selected)
        self.status.set_counts(count_text(text), selection, self.lang)

    def show_error(self, message: str, hint: str = "") -> None:
        self.notice.show_notice(message, hint=localized_hint(hint), level=NoticeLevel.ERROR)

    # -- models --------------------------------------------------------------------------------------------------------

    def show_model_library(self) -> ModelLibraryWindow:
        """The model library window (made on first use: it probes the hardware and scans the models folder)."""
        if self.library_window is None:
            self.library_window = ModelLibraryWindow(lang=self.lang, parent=self)
            self.library_window.setWindowFlag(Qt.WindowType.Window, True)
            self.library_window.useRequested.connect(self._use_model)
        self.library_window.show()
        self.library_window.raise_()
        self.library_window.activateWindow()
        return self.library_window

    def _sync_model_actions(self, *_args: object) -> None:
        self.menu_actions.models.unload_model.setEnabled(self.writing.report is not None)

    # -- first start ---------------------------------------------------------------------------------------------

    def offer_first_run(self) -> bool:
        """Show the first-run page when there is no model at all (none loaded, none in the library) and the writer
        has not chosen to write without one; returns whether it is shown."""
        if self.writing.report is not None or settings().value(FIRST_RUN_DISMISSED_KEY, False, type=bool):
            return False
        if any(paths.models_dir().glob("*.gguf")):
            return False
        self.editor_area.setCurrentWidget(self.first_run)
        return True

    def close_first_run(self) -> None:
        """The documents take the editor area again (a model was loaded, or a document opened)."""
        if self.editor_area.currentWidget() is self.first_run:
            self.editor_area.setCurrentWidget(self.tabs)
            tab = self.current_tab()
            if tab is not None:
                tab.editor.setFocus()

    def _first_run_dismissed(self) -> None:
        settings().setValue(FIRST_RUN_DISMISSED_KEY, True)
        self.close_first_run()

    def _use_model(self, path: Path, options: LoadOptions) -> None:
        self.writing.load_options = options
        self.writing.load_model(path)

    # -- closing -------------------------------------------------------------------------------------------------

    def ask_unsaved(self, tab: DocumentTab) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel for a modified document (a method, so tests can answer it)."""
        return QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr("“{name}” has changes that are not saved. Save them?").format(name=tab.display_name()),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.generation.stop()
        for tab in self.all_tabs():
            if not self.files.maybe_save(tab):
                event.ignore()
                return
        self.journal.clear_all()
        if self.library_window is not None:
            self.library_window.shutdown()
        self.evaluation.shutdown()
        window_geometry.save(self)
        self.engine.shutdown()
        super().closeEvent(event)

    def _restore_geometry(self) -> None:
        # Last session's geometry and panels clamped onto a screen there is now, else a default size within it.
        window_geometry.set_size_limits(self)
        if window_geometry.restore(self, self.templates_dock):
            # An empty review panel at start only puzzles; it opens with the next rewrite.
            self.review_dock.hide()
