"""The main window's commands as QActions: menus, toolbar and shortcuts are built from this one list."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from ziya_desktop.ui.i18n import UiLanguage
from ziya_desktop.ui.themes import Theme
from ziya_desktop.writing.actions import ActionKind

_Key = QKeySequence.StandardKey


def _tr(text: str) -> str:
    return QCoreApplication.translate("WindowActions", text)


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


def plain_label(text: str) -> str:
    """Menu text without its accelerator: "&Polish" → "Polish", "润色(&P)" → "润色", "Rewrite…" stays."""
    return re.sub(r"\(&.\)", "", text).replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def rewrite_labels() -> dict[ActionKind, str]:
    """The menu text of each selection action (also the review panel's title)."""
    return {
        ActionKind.POLISH: _tr("&Polish"),
        ActionKind.EXPAND: _tr("&Expand"),
        ActionKind.SHORTEN: _tr("S&horten"),
        ActionKind.FORMAL: _tr("Make &formal"),
        ActionKind.WARM: _tr("Make &warm"),
        ActionKind.TRANSLATE: _tr("&Translate zh ↔ en"),
        ActionKind.REWRITE: _tr("&Rewrite with an instruction…"),
    }


_REWRITE_KEYS = {
    ActionKind.POLISH: "Ctrl+Alt+P",
    ActionKind.EXPAND: "Ctrl+Alt+E",
    ActionKind.SHORTEN: "Ctrl+Alt+S",
    ActionKind.FORMAL: "Ctrl+Alt+F",
    ActionKind.WARM: "Ctrl+Alt+W",
    ActionKind.TRANSLATE: "Ctrl+Alt+T",
    ActionKind.REWRITE: "Ctrl+Shift+R",
}


def build_actions(window: object) -> WindowActions:
    """Create the actions of ``window`` (a MainWindow: slots are its methods) and fill its menus and toolbar."""
    from ziya_desktop.ui.main_window import MainWindow  # the window module imports this one

    assert isinstance(window, MainWindow)
    w = window
    a = WindowActions(
        new=_action(w, _tr("&New"), w.new_document, _Key.New, name="actionNew"),
        open=_action(w, _tr("&Open…"), w.open_dialog, _Key.Open, name="actionOpen"),
        save=_action(w, _tr("&Save"), w.save_current, _Key.Save, name="actionSave"),
        save_as=_action(w, _tr("Save &As…"), w.save_current_as, _Key.SaveAs, name="actionSaveAs"),
        export_html=_action(w, _tr("Export as &HTML…"), lambda: w.export_dialog("html")),
        export_pdf=_action(w, _tr("Export as &PDF…"), lambda: w.export_dialog("pdf"), "Ctrl+Shift+E"),
        export_docx=_action(w, _tr("Export as &Word (DOCX)…"), lambda: w.export_dialog("docx")),
        gongwen_layout=_action(w, _tr("公文 layout (GB/T 9704-2012)"), w.sync_layout_choice),
        close_tab=_action(w, _tr("&Close"), w.close_current_tab, _Key.Close),
        quit=_action(w, _tr("&Quit"), w.close, _Key.Quit),
        undo=_action(w, _tr("&Undo"), w.undo, _Key.Undo),
        redo=_action(w, _tr("&Redo"), w.redo, _Key.Redo),
        find=_action(w, _tr("&Find…"), w.show_find, _Key.Find),
        replace=_action(w, _tr("&Replace…"), w.show_replace, "Ctrl+H"),
        zoom_in=_action(w, _tr("Zoom &In"), lambda: w.zoom(+1), _Key.ZoomIn),
        zoom_out=_action(w, _tr("Zoom &Out"), lambda: w.zoom(-1), _Key.ZoomOut),
        zoom_reset=_action(w, _tr("&Actual Size"), lambda: w.zoom(0), "Ctrl+0"),
        preview=_action(w, _tr("Markdown &Preview"), w.toggle_preview, "Ctrl+Shift+M"),
        templates_panel=_action(w, _tr("&Templates Panel"), w.toggle_templates, "F9"),
        generate=_action(
            w,
            _tr("&Generate"),
            w.generate,
            "Ctrl+Return",
            tip=_tr("Draft from the chosen template into an empty document, or continue from the cursor"),
            name="actionGenerate",
        ),
        continue_=_action(
            w, _tr("&Continue from Cursor"), w.continue_writing, "Ctrl+Shift+Return", tip=_tr("Continue writing")
        ),
        regenerate=_action(
            w, _tr("&Regenerate"), w.regenerate, "Ctrl+R", tip=_tr("Write the last passage again, keeping the others")
        ),
        previous_alternative=_action(w, _tr("Previous Alternative"), lambda: w.switch_alternative(-1), "Alt+Left"),
        next_alternative=_action(w, _tr("Next Alternative"), lambda: w.switch_alternative(+1), "Alt+Right"),
        stop=_action(w, _tr("&Stop"), w.stop_generation, "Esc", tip=_tr("Stop generating; the text so far stays")),
        sampling=_action(w, _tr("Sampling &Settings…"), w.edit_sampling),
        template_sampling=_action(w, _tr("Sampling for This &Template…"), w.edit_template_sampling),
        load_model=_action(w, _tr("Load Model &File…"), w.load_model_dialog, "Ctrl+L"),
        model_library=_action(
            w,
            _tr("Model &Library…"),
            w.show_model_library,
            "Ctrl+Shift+L",
            tip=_tr("Download, convert, import and choose models; GPU settings"),
        ),
        unload_model=_action(w, _tr("&Unload Model"), w.unload_model),
    )
    for kind, label in rewrite_labels().items():
        a.rewrite[kind] = _action(
            w, label, partial(w.rewrite_selection, kind), _REWRITE_KEYS[kind], name=f"action_{kind.value}"
        )
    a.gongwen_layout.setCheckable(True)
    a.preview.setCheckable(True)
    a.templates_panel.setCheckable(True)
    a.stop.setEnabled(False)

    theme_group = QActionGroup(w)
    for theme, label in ((Theme.SYSTEM, _tr("Follow System")), (Theme.LIGHT, _tr("Light")), (Theme.DARK, _tr("Dark"))):
        act = _action(w, label, partial(w.set_theme, theme))
        act.setCheckable(True)
        theme_group.addAction(act)
        a.themes[theme] = act
    language_group = QActionGroup(w)
    for lang, label in (
        (UiLanguage.SYSTEM, _tr("Follow System")),
        (UiLanguage.CHINESE, "中文"),
        (UiLanguage.ENGLISH, "English"),
    ):
        act = _action(w, label, partial(w.set_language, lang))
        act.setCheckable(True)
        language_group.addAction(act)
        a.languages[lang] = act

    bar = w.menuBar()
    file_menu = bar.addMenu(_tr("&File"))
    file_menu.addActions([a.new, a.open])
    a.recent_menu = file_menu.addMenu(_tr("Open &Recent"))
    file_menu.addSeparator()
    file_menu.addActions([a.save, a.save_as])
    export_menu = file_menu.addMenu(_tr("&Export"))
    export_menu.addActions([a.export_html, a.export_pdf, a.export_docx])
    export_menu.addSeparator()
    export_menu.addAction(a.gongwen_layout)
    file_menu.addSeparator()
    file_menu.addActions([a.close_tab, a.quit])

    edit_menu = bar.addMenu(_tr("&Edit"))
    edit_menu.addActions([a.undo, a.redo])
    edit_menu.addSeparator()
    edit_menu.addActions([a.find, a.replace])

    view_menu = bar.addMenu(_tr("&View"))
    view_menu.addActions([a.zoom_in, a.zoom_out, a.zoom_reset])
    view_menu.addSeparator()
    view_menu.addActions([a.templates_panel, a.preview])
    theme_menu = view_menu.addMenu(_tr("&Theme"))
    theme_menu.addActions(list(a.themes.values()))
    language_menu = view_menu.addMenu(_tr("&Language"))
    language_menu.addActions(list(a.languages.values()))

    writing_menu = bar.addMenu(_tr("&Writing"))
    writing_menu.addActions([a.generate, a.continue_, a.regenerate, a.previous_alternative, a.next_alternative])
    writing_menu.addSeparator()
    writing_menu.addActions(list(a.rewrite.values()))
    writing_menu.addSeparator()
    writing_menu.addActions([a.stop, a.sampling, a.template_sampling])

    model_menu = bar.addMenu(_tr("&Model"))
    model_menu.addActions([a.model_library, a.load_model, a.unload_model])

    toolbar = QToolBar(_tr("Writing"), w)
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
    w.addToolBar(toolbar)
    return a
