"""The main window's commands as QActions: menus, toolbar and shortcuts are built from this one list.

The actions bind to the command objects themselves (file commands, writing commands, the generation) and to the
window's own view commands; :class:`ActionTargets` names what they need, so this module imports no window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypedDict, TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QToolBar

from ziya_desktop.ui.common.i18n import UiLanguage
from ziya_desktop.ui.files.file_commands import FileCommands
from ziya_desktop.ui.generation.action_labels import plain_label, rewrite_labels
from ziya_desktop.ui.generation.generation import GenerationController
from ziya_desktop.ui.generation.writing_commands import WritingCommands
from ziya_desktop.ui.shell.themes import Theme
from ziya_desktop.writing.actions import ActionKind

_Key = QKeySequence.StandardKey
# A theme or a language: the View menu's exclusive choices.
_Choice = TypeVar("_Choice", Theme, UiLanguage)


@dataclass
class WindowActions:
    """Every command of the window; ``rewrite`` holds one action per selection action."""

    new: QAction
    open: QAction
    save: QAction
    save_as: QAction
    export_html: QAction
    export_pdf: QAction
    export_docx: QAction
    gongwen_layout: QAction
    close_tab: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    find: QAction
    replace: QAction
    zoom_in: QAction
    zoom_out: QAction
    zoom_reset: QAction
    preview: QAction
    templates_panel: QAction
    generate: QAction
    continue_: QAction
    regenerate: QAction
    previous_alternative: QAction
    next_alternative: QAction
    stop: QAction
    sampling: QAction
    template_sampling: QAction
    load_model: QAction
    model_library: QAction
    unload_model: QAction
    rewrite: dict[ActionKind, QAction] = field(default_factory=dict)
    themes: dict[Theme, QAction] = field(default_factory=dict)
    languages: dict[UiLanguage, QAction] = field(default_factory=dict)
    recent_menu: QMenu | None = None


def _action(
    window: QMainWindow,
    text: str,
    slot: Callable[[], object],
    shortcut: QKeySequence | _Key | str | None = None,
    *,
    tip: str = "",
    name: str = "",
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")
    if name:
        action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    return action


_REWRITE_KEYS = {
    ActionKind.POLISH: "Ctrl+Alt+P",
    ActionKind.EXPAND: "Ctrl+Alt+E",
    ActionKind.SHORTEN: "Ctrl+Alt+S",
    ActionKind.FORMAL: "Ctrl+Alt+F",
    ActionKind.WARM: "Ctrl+Alt+W",
    ActionKind.TRANSLATE: "Ctrl+Alt+T",
    ActionKind.REWRITE: "Ctrl+Shift+R",
}


class ActionTargets(Protocol):
    """What the actions call: the command objects, and the window's own document and view commands."""

    files: FileCommands
    writing: WritingCommands
    generation: GenerationController

    def new_document(self) -> object: ...
    def close_current_tab(self) -> None: ...
    def undo(self) -> None: ...
    def redo(self) -> None: ...
    def show_find(self) -> None: ...
    def show_replace(self) -> None: ...
    def zoom(self, step: int) -> None: ...
    def toggle_preview(self) -> None: ...
    def toggle_templates(self) -> None: ...
    def sync_layout_choice(self) -> None: ...
    def set_theme(self, theme: Theme) -> None: ...
    def set_language(self, language: UiLanguage) -> None: ...
    def show_model_library(self) -> object: ...


def build_actions(window: QMainWindow, targets: ActionTargets) -> WindowActions:
    """Create the actions of ``window``, bound to ``targets`` (the window and its command objects), and fill the
    window's menus and toolbar."""
    actions = _command_actions(window, targets)
    rewrite = targets.writing.rewrite_selection
    for kind, label in rewrite_labels().items():
        actions.rewrite[kind] = _action(
            window, label, partial(rewrite, kind), _REWRITE_KEYS[kind], name=f"action_{kind.value}"
        )
    actions.gongwen_layout.setCheckable(True)
    actions.preview.setCheckable(True)
    actions.templates_panel.setCheckable(True)
    actions.stop.setEnabled(False)
    themes = [
        (Theme.SYSTEM, QCoreApplication.translate("WindowActions", "Follow System")),
        (Theme.LIGHT, QCoreApplication.translate("WindowActions", "Light")),
        (Theme.DARK, QCoreApplication.translate("WindowActions", "Dark")),
    ]
    actions.themes.update(_choice_actions(window, themes, targets.set_theme))
    languages = [
        (UiLanguage.SYSTEM, QCoreApplication.translate("WindowActions", "Follow System")),
        (UiLanguage.CHINESE, "中文"),
        (UiLanguage.ENGLISH, "English"),
    ]
    actions.languages.update(_choice_actions(window, languages, targets.set_language))
    _fill_menus(window.menuBar(), actions)
    window.addToolBar(_writing_toolbar(window, actions))
    return actions


def _command_actions(w: QMainWindow, t: ActionTargets) -> WindowActions:
    """The window's one-off commands, each bound to its slot with its shortcut; the groups are added by the caller."""
    files = t.files
    return WindowActions(
        new=_action(w, QCoreApplication.translate("WindowActions", "&New"), t.new_document, _Key.New, name="actionNew"),
        open=_action(
            w, QCoreApplication.translate("WindowActions", "&Open…"), files.open_dialog, _Key.Open, name="actionOpen"
        ),
        save=_action(
            w, QCoreApplication.translate("WindowActions", "&Save"), files.save_current, _Key.Save, name="actionSave"
        ),
        save_as=_action(
            w,
            QCoreApplication.translate("WindowActions", "Save &As…"),
            files.save_current_as,
            _Key.SaveAs,
            name="actionSaveAs",
        ),
        export_html=_action(
            w, QCoreApplication.translate("WindowActions", "Export as &HTML…"), lambda: files.export_dialog("html")
        ),
        export_pdf=_action(
            w,
            QCoreApplication.translate("WindowActions", "Export as &PDF…"),
            lambda: files.export_dialog("pdf"),
            "Ctrl+Shift+E",
        ),
        export_docx=_action(
            w,
            QCoreApplication.translate("WindowActions", "Export as &Word (DOCX)…"),
            lambda: files.export_dialog("docx"),
        ),
        gongwen_layout=_action(
            w, QCoreApplication.translate("WindowActions", "公文 layout (GB/T 9704-2012)"), t.sync_layout_choice
        ),
        close_tab=_action(w, QCoreApplication.translate("WindowActions", "&Close"), t.close_current_tab, _Key.Close),
        quit=_action(w, QCoreApplication.translate("WindowActions", "&Quit"), w.close, _Key.Quit),
        undo=_action(w, QCoreApplication.translate("WindowActions", "&Undo"), t.undo, _Key.Undo),
        redo=_action(w, QCoreApplication.translate("WindowActions", "&Redo"), t.redo, _Key.Redo),
        find=_action(w, QCoreApplication.translate("WindowActions", "&Find…"), t.show_find, _Key.Find),
        replace=_action(w, QCoreApplication.translate("WindowActions", "&Replace…"), t.show_replace, "Ctrl+H"),
        zoom_in=_action(w, QCoreApplication.translate("WindowActions", "Zoom &In"), lambda: t.zoom(+1), _Key.ZoomIn),
        zoom_out=_action(w, QCoreApplication.translate("WindowActions", "Zoom &Out"), lambda: t.zoom(-1), _Key.ZoomOut),
        zoom_reset=_action(w, QCoreApplication.translate("WindowActions", "&Actual Size"), lambda: t.zoom(0), "Ctrl+0"),
        preview=_action(
            w, QCoreApplication.translate("WindowActions", "Markdown &Preview"), t.toggle_preview, "Ctrl+Shift+M"
        ),
        templates_panel=_action(
            w, QCoreApplication.translate("WindowActions", "&Templates Panel"), t.toggle_templates, "F9"
        ),
        **_writing_actions(w, t),
    )


class _WritingActions(TypedDict):
    generate: QAction
    continue_: QAction
    regenerate: QAction
    previous_alternative: QAction
    next_alternative: QAction
    stop: QAction
    sampling: QAction
    template_sampling: QAction
    load_model: QAction
    model_library: QAction
    unload_model: QAction


def _writing_actions(w: QMainWindow, t: ActionTargets) -> _WritingActions:
    """The generation and model commands of :func:`_command_actions`."""
    writing = t.writing
    return _WritingActions(
        generate=_action(
            w,
            QCoreApplication.translate("WindowActions", "&Generate"),
            writing.generate,
            "Ctrl+Return",
            tip=QCoreApplication.translate(
                "WindowActions", "Draft from the chosen template into an empty document, or continue from the cursor"
            ),
            name="actionGenerate",
        ),
        continue_=_action(
            w,
            QCoreApplication.translate("WindowActions", "&Continue from Cursor"),
            writing.continue_writing,
            "Ctrl+Shift+Return",
            tip=QCoreApplication.translate("WindowActions", "Continue writing"),
        ),
        regenerate=_action(
            w,
            QCoreApplication.translate("WindowActions", "&Regenerate"),
            writing.regenerate,
            "Ctrl+R",
            tip=QCoreApplication.translate("WindowActions", "Write the last passage again, keeping the others"),
        ),
        previous_alternative=_action(
            w,
            QCoreApplication.translate("WindowActions", "Previous Alternative"),
            lambda: writing.switch_alternative(-1),
            "Alt+Left",
        ),
        next_alternative=_action(
            w,
            QCoreApplication.translate("WindowActions", "Next Alternative"),
            lambda: writing.switch_alternative(+1),
            "Alt+Right",
        ),
        stop=_action(
            w,
            QCoreApplication.translate("WindowActions", "&Stop"),
            t.generation.stop,
            "Esc",
            tip=QCoreApplication.translate("WindowActions", "Stop generating; the text so far stays"),
        ),
        sampling=_action(w, QCoreApplication.translate("WindowActions", "Sampling &Settings…"), writing.edit_sampling),
        template_sampling=_action(
            w,
            QCoreApplication.translate("WindowActions", "Sampling for This &Template…"),
            writing.edit_template_sampling,
        ),
        load_model=_action(
            w, QCoreApplication.translate("WindowActions", "Load Model &File…"), writing.load_model_dialog, "Ctrl+L"
        ),
        model_library=_action(
            w,
            QCoreApplication.translate("WindowActions", "Model &Library…"),
            t.show_model_library,
            "Ctrl+Shift+L",
            tip=QCoreApplication.translate(
                "WindowActions", "Download, convert, import and choose models; GPU settings"
            ),
        ),
        unload_model=_action(w, QCoreApplication.translate("WindowActions", "&Unload Model"), writing.unload_model),
    )


def _choice_actions(
    window: QMainWindow, choices: Sequence[tuple[_Choice, str]], choose: Callable[[_Choice], object]
) -> dict[_Choice, QAction]:
    """One checkable action per choice, exclusive like radio buttons; triggering one calls ``choose`` with it."""
    group = QActionGroup(window)
    actions: dict[_Choice, QAction] = {}
    for choice, label in choices:
        action = _action(window, label, partial(choose, choice))
        action.setCheckable(True)
        group.addAction(action)
        actions[choice] = action
    return actions


def _fill_menus(bar: QMenuBar, a: WindowActions) -> None:
    """Add the File, Edit, View, Writing and Model menus to ``bar``; the File menu keeps ``a.recent_menu``."""
    file_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&File"))
    file_menu.addActions([a.new, a.open])
    a.recent_menu = file_menu.addMenu(QCoreApplication.translate("WindowActions", "Open &Recent"))
    file_menu.addSeparator()
    file_menu.addActions([a.save, a.save_as])
    export_menu = file_menu.addMenu(QCoreApplication.translate("WindowActions", "&Export"))
    export_menu.addActions([a.export_html, a.export_pdf, a.export_docx])
    export_menu.addSeparator()
    export_menu.addAction(a.gongwen_layout)
    file_menu.addSeparator()
    file_menu.addActions([a.close_tab, a.quit])

    edit_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&Edit"))
    edit_menu.addActions([a.undo, a.redo])
    edit_menu.addSeparator()
    edit_menu.addActions([a.find, a.replace])

    view_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&View"))
    view_menu.addActions([a.zoom_in, a.zoom_out, a.zoom_reset])
    view_menu.addSeparator()
    view_menu.addActions([a.templates_panel, a.preview])
    theme_menu = view_menu.addMenu(QCoreApplication.translate("WindowActions", "&Theme"))
    theme_menu.addActions(list(a.themes.values()))
    language_menu = view_menu.addMenu(QCoreApplication.translate("WindowActions", "&Language"))
    language_menu.addActions(list(a.languages.values()))

    writing_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&Writing"))
    writing_menu.addActions([a.generate, a.continue_, a.regenerate, a.previous_alternative, a.next_alternative])
    writing_menu.addSeparator()
    writing_menu.addActions(list(a.rewrite.values()))
    writing_menu.addSeparator()
    writing_menu.addActions([a.stop, a.sampling, a.template_sampling])

    model_menu = bar.addMenu(QCoreApplication.translate("WindowActions", "&Model"))
    model_menu.addActions([a.model_library, a.load_model, a.unload_model])


def _writing_toolbar(window: QMainWindow, a: WindowActions) -> QToolBar:
    """The toolbar: file commands, generation, the most used selection actions, and Stop."""
    toolbar = QToolBar(QCoreApplication.translate("WindowActions", "Writing"), window)
    toolbar.setObjectName("writingToolbar")
    toolbar.addActions([a.new, a.open, a.save])
    toolbar.addSeparator()
    toolbar.addActions([a.continue_, a.regenerate, a.previous_alternative, a.next_alternative])
    toolbar.addSeparator()
    for kind in (ActionKind.POLISH, ActionKind.EXPAND, ActionKind.SHORTEN, ActionKind.TRANSLATE, ActionKind.REWRITE):
        toolbar.addAction(a.rewrite[kind])
    toolbar.addSeparator()
    toolbar.addAction(a.stop)
    for action in toolbar.actions():
        # A toolbar button shows no mnemonic; "润色(P)" would be noise.
        if not action.isSeparator():
            action.setIconText(plain_label(action.text()).rstrip("…"))
    return toolbar
