"""The main window's menus and toolbar, composed from the action collections of the features.

Each feature builds its own actions, bound to its own commands, and sets their texts again when the UI language
changes: the file actions (:mod:`ziya_desktop.ui.files.file_actions`), the writing actions
(:mod:`ziya_desktop.ui.generation.writing_actions`), the Model menu (:mod:`ziya_desktop.ui.models.model_actions`),
the window's own edit, view and window-level actions (:mod:`ziya_desktop.ui.shell.view_actions`) and the Help menu
(:mod:`ziya_desktop.ui.shell.help_actions`). This module puts them into the menus and the toolbar and titles those;
:class:`ActionTargets` names what the collections are bound to, so it imports no window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QToolBar

from ziya_desktop.ui.evaluation.evaluation_actions import EvaluationActions, EvaluationCommands
from ziya_desktop.ui.files.file_actions import FileActions
from ziya_desktop.ui.files.file_commands import FileCommands
from ziya_desktop.ui.generation.action_labels import plain_label
from ziya_desktop.ui.generation.generation import GenerationController
from ziya_desktop.ui.generation.writing_actions import WritingActions
from ziya_desktop.ui.generation.writing_commands import WritingCommands
from ziya_desktop.ui.models.model_actions import ModelActions
from ziya_desktop.ui.shell.help_actions import HelpActions
from ziya_desktop.ui.shell.view_actions import EditActions, ViewActions, ViewTargets, WindowLevelActions
from ziya_desktop.writing.actions import ActionKind


@dataclass
class WindowActions:
    """The window's action collections, and the menus (by key: ``file``, ``recent``, ``export``, ``edit``,
    ``view``, ``theme``, ``language``, ``writing``, ``model``, ``evaluation``, ``help``) and the toolbar they are
    shown in."""

    files: FileActions
    window_level: WindowLevelActions
    edit: EditActions
    view: ViewActions
    writing: WritingActions
    models: ModelActions
    evaluation: EvaluationActions
    help: HelpActions
    recent_menu: QMenu | None = None
    menus: dict[str, QMenu] = field(default_factory=dict)
    toolbar: QToolBar | None = None

    def retranslate(self) -> None:
        """Set every text in the current UI language: each collection's actions, the menu titles and the toolbar's
        buttons. The actions stay the same objects, with their shortcuts, checked states and connections."""
        collections = (self.files, self.window_level, self.edit, self.view, self.writing, self.models)
        for collection in (*collections, self.evaluation, self.help):
            collection.retranslate()
        for key, title in _menu_titles().items():
            if (menu := self.menus.get(key)) is not None:
                menu.setTitle(title)
        if self.toolbar is not None:
            self.toolbar.setWindowTitle(QCoreApplication.translate("WindowActions", "Writing"))
            for action in self.toolbar.actions():
                # A toolbar button shows no mnemonic; "润色(P)" would be noise.
                if not action.isSeparator():
                    action.setIconText(plain_label(action.text()).rstrip("…"))
        self.writing.previous_alternative.setIconText("◀")
        self.writing.next_alternative.setIconText("▶")


class ActionTargets(ViewTargets, Protocol):
    """What the collections are bound to: the command objects, and the window's own commands."""

    files: FileCommands
    writing: WritingCommands
    generation: GenerationController
    evaluation: EvaluationCommands

    def new_document(self) -> object: ...
    def sync_layout_choice(self) -> None: ...
    def show_model_library(self) -> object: ...


def build_actions(window: QMainWindow, targets: ActionTargets) -> WindowActions:
    """Create the action collections of ``window``, bound to ``targets`` (the window and its command objects), and
    fill the window's menus and toolbar."""
    actions = WindowActions(
        files=FileActions(
            window, targets.files, new_document=targets.new_document, layout_chosen=targets.sync_layout_choice
        ),
        window_level=WindowLevelActions(window, targets),
        edit=EditActions(window, targets),
        view=ViewActions(window, targets),
        writing=WritingActions(window, targets.writing, targets.generation),
        models=ModelActions(window, targets.writing, show_library=targets.show_model_library),
        evaluation=EvaluationActions(window, targets.evaluation),
        help=HelpActions(window),
    )
    _fill_menus(window.menuBar(), actions)
    actions.toolbar = _writing_toolbar(window, actions)
    window.addToolBar(actions.toolbar)
    actions.retranslate()
    return actions


def _menu_titles() -> dict[str, str]:
    return {
        "file": QCoreApplication.translate("WindowActions", "&File"),
        "recent": QCoreApplication.translate("WindowActions", "Open &Recent"),
        "export": QCoreApplication.translate("WindowActions", "&Export"),
        "edit": QCoreApplication.translate("WindowActions", "&Edit"),
        "view": QCoreApplication.translate("WindowActions", "&View"),
        "theme": QCoreApplication.translate("WindowActions", "&Theme"),
        "language": QCoreApplication.translate("WindowActions", "&Language"),
        "writing": QCoreApplication.translate("WindowActions", "&Writing"),
        "model": QCoreApplication.translate("WindowActions", "&Model"),
        "evaluation": QCoreApplication.translate("WindowActions", "E&valuation"),
        "help": QCoreApplication.translate("WindowActions", "&Help"),
    }


def _fill_menus(bar: QMenuBar, a: WindowActions) -> None:
    """Add the File, Edit, View, Writing, Model and Help menus to ``bar`` (titled by
    :meth:`WindowActions.retranslate`); the File menu keeps ``a.recent_menu``."""
    m, f, w = a.menus, a.files, a.writing
    m["file"] = file_menu = bar.addMenu("")
    file_menu.addActions([f.new, f.open])
    m["recent"] = a.recent_menu = file_menu.addMenu("")
    file_menu.addSeparator()
    file_menu.addActions([f.save, f.save_as])
    m["export"] = export_menu = file_menu.addMenu("")
    export_menu.addActions([f.export_html, f.export_pdf, f.export_docx])
    export_menu.addSeparator()
    export_menu.addAction(f.gongwen_layout)
    file_menu.addSeparator()
    file_menu.addActions([a.window_level.close_tab, a.window_level.quit])

    m["edit"] = edit_menu = bar.addMenu("")
    edit_menu.addActions([a.edit.undo, a.edit.redo])
    edit_menu.addSeparator()
    edit_menu.addActions([a.edit.cut, a.edit.copy, a.edit.paste, a.edit.select_all])
    edit_menu.addSeparator()
    edit_menu.addActions([a.edit.find, a.edit.replace])
    # The states follow the focus, the selection and the clipboard; the menu checks them once more as it opens.
    edit_menu.aboutToShow.connect(a.edit.update_states)

    m["view"] = view_menu = bar.addMenu("")
    view_menu.addActions([a.view.zoom_in, a.view.zoom_out, a.view.zoom_reset])
    view_menu.addSeparator()
    view_menu.addActions([a.view.templates_panel, a.view.preview])
    m["theme"] = view_menu.addMenu("")
    m["theme"].addActions(list(a.view.themes.values()))
    m["language"] = view_menu.addMenu("")
    m["language"].addActions(list(a.view.languages.values()))

    m["writing"] = writing_menu = bar.addMenu("")
    writing_menu.addActions([w.generate, w.continue_, w.regenerate, w.previous_alternative, w.next_alternative])
    writing_menu.addSeparator()
    writing_menu.addActions(list(w.rewrite.values()))
    writing_menu.addSeparator()
    writing_menu.addActions([w.stop, w.sampling, w.template_sampling])

    m["model"] = model_menu = bar.addMenu("")
    model_menu.addActions(a.models.menu_order())

    m["evaluation"] = evaluation_menu = bar.addMenu("")
    evaluation_menu.addActions([a.evaluation.new_run, a.evaluation.open_run])

    m["help"] = help_menu = bar.addMenu("")
    help_menu.addAction(a.help.shortcuts)
    help_menu.addSeparator()
    help_menu.addActions([a.help.licence, a.help.about])


def _writing_toolbar(window: QMainWindow, a: WindowActions) -> QToolBar:
    """The toolbar: file commands, generation, the most used selection actions, and Stop."""
    toolbar = QToolBar(window)
    toolbar.setObjectName("writingToolbar")
    toolbar.addActions([a.files.new, a.files.open, a.files.save])
    toolbar.addSeparator()
    w = a.writing
    toolbar.addActions([w.continue_, w.regenerate, w.previous_alternative, w.next_alternative])
    toolbar.addSeparator()
    for kind in (ActionKind.POLISH, ActionKind.EXPAND, ActionKind.SHORTEN, ActionKind.TRANSLATE, ActionKind.REWRITE):
        toolbar.addAction(w.rewrite[kind])
    toolbar.addSeparator()
    toolbar.addAction(w.stop)
    return toolbar
