"""The template side panel of the main window: pick a genre template, fill its form, check the prompt, draft.

The panel shows the library as a tree (公文, 讲稿, 书信, 创意文案 with their templates), filtered as the writer types
in the search box. Below it, the selected template's form, and the exact prompt the model will receive, kept up to
date while the writer fills the form. The writer may edit that prompt; from then on it no longer follows the form
until "Reset prompt" is pressed. What is shown is what is sent.

It also manages the writer's own templates (new, edit, duplicate, delete) in the user template folder, through
:class:`~ziya_desktop.ui.templates.template_editor.TemplateEditorDialog` and
:mod:`~ziya_desktop.ui.templates.user_templates`, and reloads the library after every change. The tree and the
load warning come from :mod:`~ziya_desktop.ui.templates.template_library_view`.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop import paths
from ziya_desktop.ui.templates.draft_request import DraftRequest as DraftRequest  # callers import it from here
from ziya_desktop.ui.templates.template_editor import TemplateEditorDialog
from ziya_desktop.ui.templates.template_form import TemplateForm, preview_prompt
from ziya_desktop.ui.templates.template_library_view import TemplateTree, load_errors_summary
from ziya_desktop.ui.templates.user_templates import delete_user_template, open_templates_folder, save_duplicate
from ziya_desktop.writing.template_files import load_templates
from ziya_desktop.writing.templates import (
    Template,
    TemplateError,
    TemplateLibrary,
    TemplateValueError,
)

# The preview follows the form after a pause in typing rather than on every keystroke.
PREVIEW_DELAY_MS = 150
_SPLIT_UNIT = 100
# The side panel shrinks to this width (its form and prompt scroll), so a small window keeps its editor wide.
# Labels up to this width stay on one line (the panel's narrowest form is a little wider).
_LABEL_LINE_WIDTH = 150
MIN_WIDTH = 220
_WARNING_STYLE = "background: #fff3cd; color: #664d03; border: 1px solid #ffe69c; border-radius: 3px; padding: 4px;"


class TemplatePanel(QWidget):
    """The template picker, form, prompt preview and template management, for a side panel 220 to 360 px wide.

    A draft the writer asks for arrives as a :class:`~ziya_desktop.ui.templates.draft_request.DraftRequest`.

    Attributes:
        search_edit, tree, form, preview, draft_button, reset_prompt_button, new_button, edit_button,
        duplicate_button, delete_button, open_folder_button, warning_label, prompt_note_label: the widgets.
        editor_dialog: the template editor while it is open, else None.

    Signals:
        draftRequested(DraftRequest): "Draft" was pressed and the form is complete; carries a :class:`DraftRequest`.
            Not emitted when a field is missing or invalid; the field shows the error instead.
        libraryChanged(): the panel reloaded the library after a template was saved, duplicated or deleted.
    """

    draftRequested = Signal(DraftRequest)
    libraryChanged = Signal()

    def __init__(
        self,
        library: TemplateLibrary,
        *,
        builtin_dir: Path,
        user_dir: Path | None = None,
        lang: str = "zh",
        parent: QWidget | None = None,
    ) -> None:
        """``library`` is shown as given; later reloads read ``builtin_dir`` and ``user_dir`` (default: the user
        template folder of :func:`ziya_desktop.paths.templates_dir`). ``lang`` ("zh"/"en") picks the names shown."""
        super().__init__(parent)
        self._library = library
        self._builtin_dir = builtin_dir
        self._user_dir = user_dir if user_dir is not None else paths.templates_dir()
        self._lang = lang
        self._template: Template | None = None
        self._builtin_ids: frozenset[str] | None = None
        self._prompt_edited = False
        self._setting_preview = False
        self.editor_dialog: TemplateEditorDialog | None = None

        self.warning_label = QLabel(self)
        self.warning_label.setObjectName("templateWarning")
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet(_WARNING_STYLE)
        self.warning_label.hide()

        self.search_edit = QLineEdit(self)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._apply_filter)
        self.search_edit.returnPressed.connect(self._select_first_match)
        self.no_match_label = QLabel(self)
        self.no_match_label.hide()

        self.tree = TemplateTree(self)
        self.tree.itemSelectionChanged.connect(self._on_selection)

        self.new_button = QPushButton(self)
        self.edit_button = QPushButton(self)
        self.duplicate_button = QPushButton(self)
        self.delete_button = QPushButton(self)
        self.open_folder_button = QPushButton(self)
        self.open_folder_button.setFlat(True)
        self.new_button.clicked.connect(lambda: self._open_editor(None))
        self.edit_button.clicked.connect(self._edit_current)
        self.duplicate_button.clicked.connect(self._duplicate_current)
        self.delete_button.clicked.connect(self._delete_current)
        self.open_folder_button.clicked.connect(lambda: open_templates_folder(self, self._user_dir))

        self.title_label = QLabel(self)
        title_font = QFont(self.title_label.font())
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setWordWrap(True)
        self.form = TemplateForm(self)
        self.form.changed.connect(self._on_form_changed)

        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("promptPreview")
        self.preview.textChanged.connect(self._on_preview_edited)
        self.reset_prompt_button = QPushButton(self)
        self.reset_prompt_button.setFlat(True)
        self.reset_prompt_button.clicked.connect(self.reset_prompt)
        self.reset_prompt_button.hide()
        self.prompt_note_label = QLabel(self)
        self.prompt_note_label.setWordWrap(True)
        self.prompt_note_label.setObjectName("promptNote")
        self.prompt_note_label.hide()

        self.draft_button = QPushButton(self)
        self.draft_button.setDefault(True)
        self.draft_button.clicked.connect(self.request_draft)
        # Ctrl+Enter is the main window's Generate, which drafts when focus is in this panel.

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._refresh_preview)

        self._build_layout()
        self.retranslate()
        self.set_library(library)

    def retranslate(self) -> None:
        """Set the panel's own texts in the current UI language (template names follow :meth:`set_language`)."""
        self.search_edit.setPlaceholderText(self.tr("Search templates"))
        self.no_match_label.setText(self.tr("No template matches."))
        self.new_button.setText(self.tr("New…"))
        self.edit_button.setText(self.tr("Edit…"))
        self.duplicate_button.setText(self.tr("Duplicate…"))
        self.delete_button.setText(self.tr("Delete"))
        self.open_folder_button.setText(self.tr("Open templates folder"))
        self.reset_prompt_button.setText(self.tr("Reset prompt"))
        self.draft_button.setText(self.tr("Draft"))
        self.preview.setToolTip(self.tr("The exact text the model receives. You can edit it."))
        self.reset_prompt_button.setToolTip(self.tr("Discard your edits; the prompt follows the form again."))
        self.draft_button.setToolTip(self.tr("Write the document from this template (Ctrl+Enter)"))
        self.prompt_label.setText(self.tr("Prompt"))

    def minimumSizeHint(self) -> QSize:
        return super().minimumSizeHint().expandedTo(QSize(MIN_WIDTH, 0))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self._show_load_errors(self._library.errors)
            self._refresh_preview()

    def set_language(self, lang: str) -> None:
        """Name the templates and label the form in ``lang`` ("zh"/"en"); the selected template, the values the
        writer entered and a prompt edited by hand stay."""
        self._lang = lang
        template, values = self._template, self.form.values()
        self.tree.show_library(self._library, lang)
        self._apply_filter()
        self.form.set_template(template, lang)
        self._wrap_form_labels()
        if template is not None:
            self.form.set_values(values)
            if (item := self.tree.item_of(template.id)) is not None:
                self.tree.setCurrentItem(item)
        self.title_label.setText(template.names.get(lang) if template is not None else "")
        self._refresh_preview()

    def _build_layout(self) -> None:
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.tree, 1)
        top_layout.addWidget(self.no_match_label)
        buttons = QGridLayout()  # two by two: four in a row would hold the panel wide
        for i, button in enumerate((self.new_button, self.edit_button, self.duplicate_button, self.delete_button)):
            buttons.addWidget(button, i // 2, i % 2)
        top_layout.addLayout(buttons)
        top_layout.addWidget(self.open_folder_button, 0, Qt.AlignmentFlag.AlignLeft)

        form_box = QWidget(self)
        form_layout = QVBoxLayout(form_box)
        form_layout.addWidget(self.title_label)
        form_layout.addWidget(self.form, 1)
        self._form_scroll = QScrollArea(self)
        self._form_scroll.setWidgetResizable(True)
        self._form_scroll.setWidget(form_box)

        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.prompt_label = QLabel(bottom)
        header.addWidget(self.prompt_label, 1)
        header.addWidget(self.reset_prompt_button)
        bottom_layout.addLayout(header)
        bottom_layout.addWidget(self.preview, 1)
        bottom_layout.addWidget(self.prompt_note_label)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        for i, (part, stretch) in enumerate(((top, 2), (self._form_scroll, 4), (bottom, 2))):
            splitter.addWidget(part)
            splitter.setStretchFactor(i, stretch)
        # The scroll area's size hint is tiny; without initial sizes the form would get the least room.
        splitter.setSizes([2 * _SPLIT_UNIT, 4 * _SPLIT_UNIT, 2 * _SPLIT_UNIT])

        layout = QVBoxLayout(self)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.search_edit)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.draft_button)

    # -- the library ---------------------------------------------------------------------------------------------

    @property
    def library(self) -> TemplateLibrary:
        return self._library

    @property
    def user_dir(self) -> Path:
        return self._user_dir

    def set_library(self, library: TemplateLibrary) -> None:
        """Show ``library``; the selected template stays selected (with the writer's values) if it still exists."""
        self._library = library
        current = self._template.id if self._template is not None else None
        self.tree.show_library(library, self._lang)
        self._show_load_errors(library.errors)
        self._apply_filter()
        if current is not None and self.tree.item_of(current) is not None:
            self.select_template(current)
        else:
            self._show_template(None)

    def reload(self) -> None:
        """Load the library again from the built-in and user folders, show it and emit ``libraryChanged``."""
        self.set_library(load_templates(self._builtin_dir, self._user_dir))
        self.libraryChanged.emit()

    def _show_load_errors(self, errors: list[TemplateError]) -> None:
        if not errors:
            self.warning_label.hide()
            self.warning_label.clear()
            return
        text, details = load_errors_summary(errors)
        self.warning_label.setText(text)
        self.warning_label.setToolTip(details)
        self.warning_label.show()

    # -- picking a template --------------------------------------------------------------------------------------

    def current_template(self) -> Template | None:
        return self._template

    def select_template(self, template_id: str) -> bool:
        """Select and show the template ``template_id``; False when the library has no such template."""
        item = self.tree.item_of(template_id)
        if item is None:
            return False
        if item.isHidden():
            self.search_edit.clear()
        self.tree.setCurrentItem(item)
        item.setSelected(True)
        # Selecting an already selected item emits nothing; the library behind it may still be new.
        self._show_template(self._library.get(template_id))
        return True

    def _on_selection(self) -> None:
        template_id = self.tree.selected_template_id()
        if template_id is not None:
            self._show_template(self._library.get(template_id))

    def _apply_filter(self) -> None:
        query = self.search_edit.text().strip()
        hits = {t.id for t in self._library.search(query, self._lang)}
        self.tree.show_only(hits, expand=bool(query))
        self.no_match_label.setVisible(bool(query) and not hits)

    def _select_first_match(self) -> None:
        first = self.tree.first_shown()
        if first is not None:
            self.select_template(first)

    def _show_template(self, template: Template | None) -> None:
        previous = self._template
        if template is not None and template == previous:
            self._template = template  # the same template reloaded (its source may have moved); keep the form
            self._update_buttons()
            return
        same_id = template is not None and previous is not None and template.id == previous.id
        carried = self.form.values() if same_id else {}
        self._template = template
        self.form.set_template(template, self._lang)
        self._wrap_form_labels()
        if same_id:
            self.form.set_values(carried)  # the writer's values survive an edit of the template they are using
        else:
            self._form_scroll.verticalScrollBar().setValue(0)
        self.title_label.setText(template.names.get(self._lang) if template is not None else "")
        self._set_prompt_edited(False)
        self._refresh_preview()
        self._update_buttons()

    def _wrap_form_labels(self) -> None:
        # A long field label wraps in a narrow panel rather than making the form scroll sideways. A wrapping label
        # asks for a balanced, narrow shape, so each keeps the width of its one line up to what a narrow panel has.
        for label in self.form.findChildren(QLabel):
            label.setWordWrap(True)
            one_line = label.fontMetrics().horizontalAdvance(label.text()) + 2
            label.setMinimumWidth(min(one_line, _LABEL_LINE_WIDTH))

    def _update_buttons(self) -> None:
        template = self._template
        self.draft_button.setEnabled(template is not None)
        self.duplicate_button.setEnabled(template is not None)
        mine = template is not None and not template.builtin
        self.edit_button.setEnabled(mine)
        self.delete_button.setEnabled(mine)
        self.preview.setEnabled(template is not None)

    # -- the prompt preview --------------------------------------------------------------------------------------

    @property
    def prompt_edited(self) -> bool:
        """Whether the writer edited the prompt, so it no longer follows the form."""
        return self._prompt_edited

    def reset_prompt(self) -> None:
        """Throw away the writer's edits of the prompt; it follows the form again."""
        self._set_prompt_edited(False)
        self._refresh_preview()

    def _on_form_changed(self) -> None:
        self._preview_timer.start()

    def _on_preview_edited(self) -> None:
        if not self._setting_preview and self._template is not None and not self._prompt_edited:
            self._set_prompt_edited(True)
            self._refresh_preview()  # the note now says the prompt no longer follows the form

    def _set_prompt_edited(self, edited: bool) -> None:
        self._prompt_edited = edited
        self.reset_prompt_button.setVisible(edited)

    def _set_preview_text(self, text: str) -> None:
        if self.preview.toPlainText() == text:
            return
        self._setting_preview = True
        try:
            self.preview.setPlainText(text)
        finally:
            self._setting_preview = False

    def _refresh_preview(self) -> None:
        self._preview_timer.stop()
        template = self._template
        if template is None:
            self._set_preview_text("")
            self._set_note("")
            return
        result = preview_prompt(template, self.form.values(), self._lang)
        if not self._prompt_edited and result.prompt:
            self._set_preview_text(result.prompt)
        if result.error is not None:
            self._set_note(str(result.error))
        elif result.missing:
            sep = "、" if self._lang == "zh" else ", "
            names = sep.join(f.label.get(self._lang) for f in result.missing)
            self._set_note(self.tr("Fill in before drafting: {fields}").format(fields=names))
        elif self._prompt_edited:
            self._set_note(self.tr("Edited by hand: the prompt no longer follows the form."))
        else:
            self._set_note("")

    def _set_note(self, text: str) -> None:
        self.prompt_note_label.setText(text)
        self.prompt_note_label.setVisible(bool(text))

    # -- drafting ------------------------------------------------------------------------------------------------

    def request_draft(self) -> None:
        """Check the form and emit ``draftRequested``; a missing or invalid field shows its error instead."""
        template = self._template
        if template is None:
            return
        self.form.clear_errors()
        values = self.form.values()
        today = _dt.date.today()  # one date for the header and the prompt, also across midnight
        try:
            rendered = template.render(values, self._lang, today=today)
        except TemplateValueError as err:
            self.form.show_error(err.field_name, str(err))
            editor = self.form.field_editor(err.field_name)
            if editor is not None:
                self._form_scroll.ensureWidgetVisible(editor)
            self._refresh_preview()
            return
        if self._prompt_edited:
            prompt = self.preview.toPlainText()
            if not prompt.strip():
                self._set_note(self.tr("The prompt is empty. Write one, or press “Reset prompt”."))
                return
        else:
            prompt = template.prompt(values, self._lang, today=today)
            self._set_preview_text(prompt)  # a draft within the debounce delay still shows what is sent
            self._set_note("")
        self.draftRequested.emit(DraftRequest(template, dict(values), rendered, prompt, self._prompt_edited))

    # -- managing the writer's templates ---------------------------------------------------------------------------

    def _builtin_template_ids(self) -> frozenset[str]:
        if self._builtin_ids is None:
            self._builtin_ids = frozenset(load_templates(self._builtin_dir, None).templates)
        return self._builtin_ids

    def _open_editor(self, template: Template | None) -> None:
        if self.editor_dialog is not None:
            self.editor_dialog.raise_()
            self.editor_dialog.activateWindow()
            return
        dialog = TemplateEditorDialog(
            self._user_dir,
            template=template,
            builtin_ids=self._builtin_template_ids(),
            categories=self._library.categories(),
            lang=self._lang,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._on_template_saved)
        dialog.finished.connect(self._on_editor_closed)
        self.editor_dialog = dialog
        dialog.open()

    def _on_editor_closed(self) -> None:
        self.editor_dialog = None

    def _on_template_saved(self, template: Template) -> None:
        self.reload()
        self.select_template(template.id)

    def _edit_current(self) -> None:
        if self._template is not None and not self._template.builtin:
            self._open_editor(self._template)

    def _duplicate_current(self) -> None:
        """Save a user copy of the selected template under a free id, select it and open it in the editor."""
        template = self._template
        if template is None:
            return
        copy = save_duplicate(self, template, self._library, self._user_dir)
        if copy is None:
            return
        self.reload()
        self.select_template(copy.id)
        self._open_editor(self._library.get(copy.id) or copy)

    def _delete_current(self) -> None:
        template = self._template
        if template is None or template.builtin or template.source is None:
            return
        if delete_user_template(
            self, template, template.source, self._library, self._builtin_template_ids(), self._lang
        ):
            self.reload()
