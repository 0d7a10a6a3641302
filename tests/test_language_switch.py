"""Switching the UI language (View → Language) takes effect at once: menus, toolbar, docks, status bar, notice strip,
template panel, find bar, rewrite review, tab titles and the model library follow, and the writer's work stays."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator

import helpers
import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from ziya_desktop.ui.common.i18n import LANGUAGE_KEY, UiLanguage, install_translations
from ziya_desktop.ui.common.settings import settings
from ziya_desktop.ui.generation.action_labels import plain_label
from ziya_desktop.ui.models.model_library import ModelLibraryWindow
from ziya_desktop.ui.shell.main_window import MainWindow
from ziya_desktop.writing.actions import ActionKind

TEMPLATE = "gongwen.notice"
WAIT_MS = 60_000


def tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


@pytest.fixture()
def english_after(qapp: QApplication) -> Iterator[QApplication]:
    try:
        yield qapp
    finally:
        install_translations(qapp, "en")  # the other tests expect the English source strings


def _shown(window: MainWindow) -> dict[str, str]:
    """Representative texts of every part of the window, as shown now."""
    a = window.menu_actions
    tab = window.current_tab()
    library = window.library_window
    assert tab is not None and a.toolbar is not None and library is not None
    return {
        "menu": a.menus["file"].title(),
        "submenu": a.menus["language"].title(),
        "action": a.writing.generate.text(),
        "tip": a.writing.generate.statusTip(),
        "selection action": a.writing.rewrite[ActionKind.POLISH].text(),
        "theme": a.view.themes[next(iter(a.view.themes))].text(),
        "toolbar": a.toolbar.windowTitle(),
        "toolbar button": a.writing.rewrite[ActionKind.POLISH].iconText(),
        "templates dock": window.templates_dock.windowTitle(),
        "review dock": window.review_dock.windowTitle(),
        "model": window.status.model_label.text(),
        "notice": window.notice.close_button.toolTip(),
        "draft": window.templates.draft_button.text(),
        "search": window.templates.search_edit.placeholderText(),
        "find": tab.find_bar.next_button.text(),
        "review": window.review.accept_all_button.text(),
        "tab": window.tabs.tabText(window.tabs.indexOf(tab)),
        "library": library.windowTitle(),
        "library button": library.use_button.text(),
        "library catalog": library.catalog_panel.title(),
        "library settings": library.gpu_settings.layers_label.text(),
        "library job": library.progress.cancel_button.text(),
    }


def _expected(window: MainWindow) -> dict[str, str]:
    """The same texts as the installed translators make them."""
    tab = window.current_tab()
    assert tab is not None
    return {
        "menu": tr("WindowActions", "&File"),
        "submenu": tr("WindowActions", "&Language"),
        "action": tr("WindowActions", "&Generate"),
        "tip": tr(
            "WindowActions", "Draft from the chosen template into an empty document, or continue from the cursor"
        ),
        "selection action": tr("WindowActions", "&Polish"),
        "theme": tr("WindowActions", "Follow System"),
        "toolbar": tr("WindowActions", "Writing"),
        "toolbar button": plain_label(tr("WindowActions", "&Polish")),
        "templates dock": tr("MainWindow", "Templates"),
        "review dock": tr("MainWindow", "Rewrite Review"),
        "model": tr("MainWindow", "No model loaded"),
        "notice": tr("NoticeBar", "Dismiss"),
        "draft": tr("TemplatePanel", "Draft"),
        "search": tr("TemplatePanel", "Search templates"),
        "find": tr("FindReplaceBar", "Next"),
        "review": tr("RewriteReview", "Accept all"),
        "tab": tr("DocumentTab", "Untitled {number}").format(number=tab.untitled_number) + " •",
        "library": tr("ModelLibraryWindow", "Model Library"),
        "library button": tr("ModelLibraryWindow", "Use"),
        "library catalog": tr("ModelLibraryWindow", "Download and convert"),
        "library settings": tr("GpuSettingsWidget", "GPU layers"),
        "library job": tr("JobProgressPanel", "Cancel"),
    }


def _switch(qtbot: QtBot, window: MainWindow, language: UiLanguage) -> None:
    window.menu_actions.view.languages[language].trigger()
    # Qt delivers LanguageChange through the event loop.
    qtbot.waitUntil(lambda: _shown(window) == _expected(window), timeout=5000)


def test_switching_the_language_retranslates_the_window_at_once(
    qtbot: QtBot, english_after: QApplication, main_window: Callable[..., MainWindow]
) -> None:
    window = main_window(lang="en")
    generate = window.menu_actions.writing.generate
    window.library_window = ModelLibraryWindow(hardware=helpers.machine(None), lang="en", parent=window)
    window.library_window.setWindowFlag(Qt.WindowType.Window, True)
    window.library_window.show()
    qtbot.waitUntil(lambda: not window.library_window.scanner.running, timeout=WAIT_MS)  # type: ignore[union-attr]

    tab = window.current_tab()
    assert tab is not None
    tab.editor.insertPlainText("Hello world")
    tab.editor.insertPlainText(" again")
    window.refresh_counts()
    undo_steps = tab.editor.document().availableUndoSteps()
    assert undo_steps > 0
    panel = window.templates
    assert panel.select_template(TEMPLATE)
    template = panel.current_template()
    assert template is not None
    subject = panel.form.field_editor("subject")
    assert isinstance(subject, QLineEdit)
    subject.setText("召开年度工作会议")
    entered = panel.form.values()
    english_shown = _shown(window)
    english_template_title = panel.title_label.text()
    assert english_shown == _expected(window)
    assert english_template_title == template.names.get("en")
    english_counts = window.status.count_label.text()
    assert tr("StatusPanel", "{count} words").format(count=3) in english_counts

    _switch(qtbot, window, UiLanguage.CHINESE)
    assert settings().value(LANGUAGE_KEY) == "zh"
    assert window.lang == "zh"
    chinese_shown = _shown(window)
    assert chinese_shown["menu"] == "文件(&F)"
    assert [k for k in chinese_shown if chinese_shown[k] == english_shown[k]] == []
    assert panel.title_label.text() == template.names.get("zh") != english_template_title
    qtbot.waitUntil(lambda: window.status.count_label.text() != english_counts)
    assert tr("StatusPanel", "{count} words").format(count=3) in window.status.count_label.text()
    assert window.notice.text() == ""  # no "restart to apply" notice

    _switch(qtbot, window, UiLanguage.ENGLISH)
    assert settings().value(LANGUAGE_KEY) == "en"
    assert _shown(window) == english_shown
    assert panel.title_label.text() == english_template_title
    qtbot.waitUntil(lambda: window.status.count_label.text() == english_counts)

    # The actions are the same objects, with their shortcuts and checked states.
    assert window.menu_actions.writing.generate is generate
    assert generate.shortcut().toString() == "Ctrl+Return"
    assert window.menu_actions.view.languages[UiLanguage.ENGLISH].isChecked()
    assert not window.menu_actions.view.languages[UiLanguage.CHINESE].isChecked()

    # The writer's work is untouched: the text, its undo history, the template and the values entered.
    assert tab.text() == "Hello world again"
    assert tab.editor.document().availableUndoSteps() == undo_steps
    assert panel.current_template() == template
    assert panel.form.values() == entered
    tab.editor.undo()
    assert tab.text() != "Hello world again"
