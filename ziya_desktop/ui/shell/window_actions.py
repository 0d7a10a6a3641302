"""The main window's commands as QActions: menus, toolbar and shortcuts are built from this one list.

The texts are kept apart from the bindings (:func:`_command_texts`, :func:`_writing_texts`, the menu titles), so
:meth:`WindowActions.retranslate` can set them again when the UI language changes, on the same actions.

The actions bind to the command objects themselves (file commands, writing commands, the generation) and to the
window's own view commands; :class:`ActionTargets` names what they need, so this module imports no window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, TypeVar

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
    """Every command of the window; ``rewrite`` holds one action per selection action, ``menus`` the menus by key
    (``file``, ``recent``, ``export``, ``edit``, ``view``, ``theme``, ``language``, ``writing``, ``model``)."""

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
    menus: dict[str, QMenu] = field(default_factory=dict)
    toolbar: QToolBar | None = None

    def retranslate(self) -> None:
        """Set every text in the current UI language: the actions' texts and tips, the menu titles and the toolbar's
        buttons. The actions stay the same objects, with their shortcuts, checked states and connections."""
        for name, (text, tip) in (_command_texts() | _writing_texts()).items():
            _set_texts(getattr(self, name), text, tip)
        for kind, label in rewrite_labels().items():
            _set_texts(self.rewrite[kind], label)
        for theme, label in _theme_labels().items():
            self.themes[theme].setText(label)
        for language, label in _language_labels().items():
            self.languages[language].setText(label)
        for key, title in _menu_titles().items():
            if (menu := self.menus.get(key)) is not None:
                menu.setTitle(title)
        if self.toolbar is not None:
            self.toolbar.setWindowTitle(QCoreApplication.translate("WindowActions", "Writing"))
            for action in self.toolbar.actions():
                # A toolbar button shows no mnemonic; "润色(P)" would be noise.
                if not action.isSeparator():
                    action.setIconText(plain_label(action.text()).rstrip("…"))
        self.previous_alternative.setIconText("◀")
        self.next_alternative.setIconText("▶")


def _action(
    window: QMainWindow,
    slot: Callable[[], object],
    shortcut: QKeySequence | _Key | str | None = None,
    *,
    name: str = "",
) -> QAction:
    """An action without text (:meth:`WindowActions.retranslate` gives it its text)."""
    action = QAction(window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if name:
        action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def _set_texts(action: QAction, text: str, tip: str = "") -> None:
    action.setText(text)
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})")


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
    for kind, key in _REWRITE_KEYS.items():
        actions.rewrite[kind] = _action(window, partial(rewrite, kind), key, name=f"action_{kind.value}")
    actions.gongwen_layout.setCheckable(True)
    actions.preview.setCheckable(True)
    actions.templates_panel.setCheckable(True)
    actions.stop.setEnabled(False)
    actions.themes.update(_choice_actions(window, list(Theme), targets.set_theme))
    actions.languages.update(_choice_actions(window, list(UiLanguage), targets.set_language))
    _fill_menus(window.menuBar(), actions)
    actions.toolbar = _writing_toolbar(window, actions)
    window.addToolBar(actions.toolbar)
    actions.retranslate()
    return actions


def _command_actions(w: QMainWindow, t: ActionTargets) -> WindowActions:
    """Every one-off command, bound to its slot with its shortcut; the groups are added by the caller."""
    files, writing = t.files, t.writing
    return WindowActions(
        new=_action(w, t.new_document, _Key.New, name="actionNew"),
        open=_action(w, files.open_dialog, _Key.Open, name="actionOpen"),
        save=_action(w, files.save_current, _Key.Save, name="actionSave"),
        save_as=_action(w, files.save_current_as, _Key.SaveAs, name="actionSaveAs"),
        export_html=_action(w, lambda: files.export_dialog("html")),
        export_pdf=_action(w, lambda: files.export_dialog("pdf"), "Ctrl+Shift+E"),
        export_docx=_action(w, lambda: files.export_dialog("docx")),
        gongwen_layout=_action(w, t.sync_layout_choice),
        close_tab=_action(w, t.close_current_tab, _Key.Close),
        quit=_action(w, w.close, _Key.Quit),
        undo=_action(w, t.undo, _Key.Undo),
        redo=_action(w, t.redo, _Key.Redo),
        find=_action(w, t.show_find, _Key.Find),
        replace=_action(w, t.show_replace, "Ctrl+H"),
        zoom_in=_action(w, lambda: t.zoom(+1), _Key.ZoomIn),
        zoom_out=_action(w, lambda: t.zoom(-1), _Key.ZoomOut),
        zoom_reset=_action(w, lambda: t.zoom(0), "Ctrl+0"),
        preview=_action(w, t.toggle_preview, "Ctrl+Shift+M"),
        templates_panel=_action(w, t.toggle_templates, "F9"),
        generate=_action(w, writing.generate, "Ctrl+Return", name="actionGenerate"),
        continue_=_action(w, writing.continue_writing, "Ctrl+Shift+Return"),
        regenerate=_action(w, writing.regenerate, "Ctrl+R"),
        previous_alternative=_action(w, lambda: writing.switch_alternative(-1), "Alt+Left"),
        next_alternative=_action(w, lambda: writing.switch_alternative(+1), "Alt+Right"),
        stop=_action(w, t.generation.stop, "Esc"),
        sampling=_action(w, writing.edit_sampling),
        template_sampling=_action(w, writing.edit_template_sampling),
        load_model=_action(w, writing.load_model_dialog, "Ctrl+L"),
        model_library=_action(w, t.show_model_library, "Ctrl+Shift+L"),
        unload_model=_action(w, writing.unload_model),
    )


def _command_texts() -> dict[str, tuple[str, str]]:
    """The file, edit and view actions' texts and tips ("" for none), by :class:`WindowActions` field."""
    return {
        "new": (QCoreApplication.translate("WindowActions", "&New"), ""),
        "open": (QCoreApplication.translate("WindowActions", "&Open…"), ""),
        "save": (QCoreApplication.translate("WindowActions", "&Save"), ""),
        "save_as": (QCoreApplication.translate("WindowActions", "Save &As…"), ""),
        "export_html": (QCoreApplication.translate("WindowActions", "Export as &HTML…"), ""),
        "export_pdf": (QCoreApplication.translate("WindowActions", "Export as &PDF…"), ""),
        "export_docx": (QCoreApplication.translate("WindowActions", "Export as &Word (DOCX)…"), ""),
        "gongwen_layout": (QCoreApplication.translate("WindowActions", "公文 layout (GB/T 9704-2012)"), ""),
        "close_tab": (QCoreApplication.translate("WindowActions", "&Close"), ""),
        "quit": (QCoreApplication.translate("WindowActions", "&Quit"), ""),
        "undo": (QCoreApplication.translate("WindowActions", "&Undo"), ""),
        "redo": (QCoreApplication.translate("WindowActions", "&Redo"), ""),
        "find": (QCoreApplication.translate("WindowActions", "&Find…"), ""),
        "replace": (QCoreApplication.translate("WindowActions", "&Replace…"), ""),
        "zoom_in": (QCoreApplication.translate("WindowActions", "Zoom &In"), ""),
        "zoom_out": (QCoreApplication.translate("WindowActions", "Zoom &Out"), ""),
        "zoom_reset": (QCoreApplication.translate("WindowActions", "&Actual Size"), ""),
        "preview": (QCoreApplication.translate("WindowActions", "Markdown &Preview"), ""),
        "templates_panel": (QCoreApplication.translate("WindowActions", "&Templates Panel"), ""),
    }


def _writing_texts() -> dict[str, tuple[str, str]]:
    """The generation and model actions' texts and tips ("" for none), by :class:`WindowActions` field."""
    return {
        "generate": (
            QCoreApplication.translate("WindowActions", "&Generate"),
            QCoreApplication.translate(
                "WindowActions", "Draft from the chosen template into an empty document, or continue from the cursor"
            ),
        ),
        "continue_": (
            QCoreApplication.translate("WindowActions", "&Continue from Cursor"),
            QCoreApplication.translate("WindowActions", "Continue writing"),
        ),
        "regenerate": (
            QCoreApplication.translate("WindowActions", "&Regenerate"),
            QCoreApplication.translate("WindowActions", "Write the last passage again, keeping the others"),
        ),
        "previous_alternative": (QCoreApplication.translate("WindowActions", "Previous Alternative"), ""),
        "next_alternative": (QCoreApplication.translate("WindowActions", "Next Alternative"), ""),
        "stop": (
            QCoreApplication.translate("WindowActions", "&Stop"),
            QCoreApplication.translate("WindowActions", "Stop generating; the text so far stays"),
        ),
        "sampling": (QCoreApplication.translate("WindowActions", "Sampling &Settings…"), ""),
        "template_sampling": (QCoreApplication.translate("WindowActions", "Sampling for This &Template…"), ""),
        "load_model": (QCoreApplication.translate("WindowActions", "Load Model &File…"), ""),
        "model_library": (
            QCoreApplication.translate("WindowActions", "Model &Library…"),
            QCoreApplication.translate("WindowActions", "Download, convert, import and choose models; GPU settings"),
        ),
        "unload_model": (QCoreApplication.translate("WindowActions", "&Unload Model"), ""),
    }


def _theme_labels() -> dict[Theme, str]:
    return {
        Theme.SYSTEM: QCoreApplication.translate("WindowActions", "Follow System"),
        Theme.LIGHT: QCoreApplication.translate("WindowActions", "Light"),
        Theme.DARK: QCoreApplication.translate("WindowActions", "Dark"),
    }


def _language_labels() -> dict[UiLanguage, str]:
    # Each language is named in itself, so a writer finds their own in a UI they cannot read.
    return {
        UiLanguage.SYSTEM: QCoreApplication.translate("WindowActions", "Follow System"),
        UiLanguage.CHINESE: "中文",
        UiLanguage.ENGLISH: "English",
    }


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
    }


def _choice_actions(
    window: QMainWindow, choices: Sequence[_Choice], choose: Callable[[_Choice], object]
) -> dict[_Choice, QAction]:
    """One checkable action per choice, exclusive like radio buttons; triggering one calls ``choose`` with it."""
    group = QActionGroup(window)
    actions: dict[_Choice, QAction] = {}
    for choice in choices:
        action = _action(window, partial(choose, choice))
        action.setCheckable(True)
        group.addAction(action)
        actions[choice] = action
    return actions


def _fill_menus(bar: QMenuBar, a: WindowActions) -> None:
    """Add the File, Edit, View, Writing and Model menus to ``bar`` (titled by :meth:`WindowActions.retranslate`);
    the File menu keeps ``a.recent_menu``."""
    m = a.menus
    m["file"] = file_menu = bar.addMenu("")
    file_menu.addActions([a.new, a.open])
    m["recent"] = a.recent_menu = file_menu.addMenu("")
    file_menu.addSeparator()
    file_menu.addActions([a.save, a.save_as])
    m["export"] = export_menu = file_menu.addMenu("")
    export_menu.addActions([a.export_html, a.export_pdf, a.export_docx])
    export_menu.addSeparator()
    export_menu.addAction(a.gongwen_layout)
    file_menu.addSeparator()
    file_menu.addActions([a.close_tab, a.quit])

    m["edit"] = edit_menu = bar.addMenu("")
    edit_menu.addActions([a.undo, a.redo])
    edit_menu.addSeparator()
    edit_menu.addActions([a.find, a.replace])

    m["view"] = view_menu = bar.addMenu("")
    view_menu.addActions([a.zoom_in, a.zoom_out, a.zoom_reset])
    view_menu.addSeparator()
    view_menu.addActions([a.templates_panel, a.preview])
    m["theme"] = view_menu.addMenu("")
    m["theme"].addActions(list(a.themes.values()))
    m["language"] = view_menu.addMenu("")
    m["language"].addActions(list(a.languages.values()))

    m["writing"] = writing_menu = bar.addMenu("")
    writing_menu.addActions([a.generate, a.continue_, a.regenerate, a.previous_alternative, a.next_alternative])
    writing_menu.addSeparator()
    writing_menu.addActions(list(a.rewrite.values()))
    writing_menu.addSeparator()
    writing_menu.addActions([a.stop, a.sampling, a.template_sampling])

    m["model"] = model_menu = bar.addMenu("")
    model_menu.addActions([a.model_library, a.load_model, a.unload_model])


def _writing_toolbar(window: QMainWindow, a: WindowActions) -> QToolBar:
    """The toolbar: file commands, generation, the most used selection actions, and Stop."""
    toolbar = QToolBar(window)
    toolbar.setObjectName("writingToolbar")
    toolbar.addActions([a.new, a.open, a.save])
    toolbar.addSeparator()
    toolbar.addActions([a.continue_, a.regenerate, a.previous_alternative, a.next_alternative])
    toolbar.addSeparator()
    for kind in (ActionKind.POLISH, ActionKind.EXPAND, ActionKind.SHORTEN, ActionKind.TRANSLATE, ActionKind.REWRITE):
        toolbar.addAction(a.rewrite[kind])
    toolbar.addSeparator()
    toolbar.addAction(a.stop)
    return toolbar
