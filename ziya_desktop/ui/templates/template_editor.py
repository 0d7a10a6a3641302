"""The editor of the writer's own templates: the template as TOML text, checked while typing, with a live preview.

The text is checked the way the app loads template files (:func:`parse_template_text`), so what the editor accepts
is what the template panel will list. Problems show with their line; the form and prompt the template makes are
previewed next to the text. Saving writes ``<id>.toml`` into the user template folder.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.ui.common.error_text import localized_hint
from ziya_desktop.ui.common.window_placement import resize_within_screen
from ziya_desktop.ui.templates.template_form import TemplateForm, preview_prompt
from ziya_desktop.writing.template_files import load_templates, save_user_template, template_to_toml
from ziya_desktop.writing.templates import Category, Template, TemplateError

# Checking waits for a pause in typing; a check reads and parses a small file, a few milliseconds.
CHECK_DELAY_MS = 400
_LINE_ROLE = Qt.ItemDataRole.UserRole
_ERROR_LINE_COLOR = QColor(255, 205, 210)
_DEFAULT_CATEGORIES = "gongwen (公文), speech (讲稿), letter (书信), copywriting (创意文案)"

_SKELETON_BODY = '''
[[templates]]
id = "{id}"
category = "gongwen"
names = {{ zh = "我的模板", en = "My template" }}
language = "zh"
header = """
{{title}}"""
instruction = """
请以“{{title}}”为题，写一篇{{tone}}的短文。
要点：
{{points_numbered}}
篇幅约{{length}}字。"""
footer = """
{{date}}"""

[[templates.fields]]
name = "title"
kind = "text"
label = {{ zh = "标题", en = "Title" }}
required = true
help = {{ zh = "如：关于做好节能工作的几点意见", en = "e.g. 关于做好节能工作的几点意见" }}

[[templates.fields]]
name = "points"
kind = "multiline"
label = {{ zh = "要点", en = "Key points" }}
help = {{ zh = "每行一条", en = "One per line" }}

[[templates.fields]]
name = "tone"
kind = "choice"
label = {{ zh = "语气", en = "Tone" }}
default = "formal"

[[templates.fields.options]]
value = "formal"
label = {{ zh = "庄重", en = "Formal" }}

[[templates.fields.options]]
value = "warm"
label = {{ zh = "亲切", en = "Warm" }}
note = {{ zh = "多用具体事例", en = "Use concrete examples" }}

[[templates.fields]]
name = "date"
kind = "date"
label = {{ zh = "日期", en = "Date" }}
default = "today"

[[templates.fields]]
name = "length"
kind = "length"
label = {{ zh = "篇幅（字）", en = "Length (characters)" }}
default = 500
unit = "chars"
'''


def template_skeleton(template_id: str, categories: Sequence[Category] = (), lang: str = "zh") -> str:
    """A small documented template to start a new one from, with the id ``template_id``."""
    listed = ", ".join(f"{c.id} ({c.names.get(lang)})" for c in categories) or _DEFAULT_CATEGORIES
    head = QCoreApplication.translate(
        "TemplateEditorDialog",
        "# A template of your own. Lines starting with # are notes; they are not kept when the template is saved.\n"
        "# id: lowercase letters, digits, '.', '_' or '-'; it is saved as <id>.toml in your templates folder.\n"
        "# category: one of {categories}.\n"
        "# language: the language of the document, zh or en. names: the name in the list, in both languages.\n"
        "# header and footer: the fixed parts the app lays out; instruction: what the model is asked to write.\n"
        "# {{name}} puts a field's value in. A multiline field also gives {{name_numbered}} (1. 2. 3.), a choice\n"
        "# {{name_note}} (the chosen option's note), a length in minutes {{name_estimate}} (the length it makes).\n"
        "# Field kinds: text, multiline (one item per line), choice (with options), date, length (chars, words or\n"
        "# minutes).",
    ).format(categories=listed)
    return head + "\n" + _SKELETON_BODY.format(id=template_id)


def free_template_id(base: str, taken: Collection[str], user_dir: Path) -> str:
    """``base``, or ``base2``, ``base3``… : the first id not in ``taken`` and without a file in ``user_dir``.

    Raises:
        TemplateError: no such id (a thousand taken), or ``base`` is too long to be an id.
    """
    if len(base) > 60:
        raise TemplateError(
            QCoreApplication.translate("TemplateEditorDialog", "the id {id} is too long for a copy").format(id=base)
        )
    for n in range(1, 1000):
        candidate = base if n == 1 else f"{base}{n}"
        if candidate not in taken and not (user_dir / f"{candidate}.toml").exists():
            return candidate
    raise TemplateError(
        QCoreApplication.translate("TemplateEditorDialog", "no free id starting with {id}").format(id=base)
    )


def parse_template_text(text: str) -> tuple[Template | None, list[TemplateError]]:
    """Check ``text`` as a template file holding exactly one template, as the app would load it.

    Returns:
        The template (None when there is any problem) and the problems, each with its line where known.
    """
    try:
        with tempfile.TemporaryDirectory(prefix="ziya-template-") as tmp:
            folder = Path(tmp)
            # Lone surrogates cannot be encoded; written as they are, the loader reports the file as not UTF-8.
            (folder / "template.toml").write_bytes(text.encode("utf-8", "surrogatepass"))
            library = load_templates(folder / "no-builtins", folder)
    except OSError as err:
        return None, [
            TemplateError(
                QCoreApplication.translate("TemplateEditorDialog", "cannot check the text: {reason}").format(
                    reason=err.strerror or err
                )
            )
        ]
    errors = list(library.errors)
    templates = list(library.templates.values())
    if not errors and not templates:
        errors.append(
            TemplateError(
                QCoreApplication.translate(
                    "TemplateEditorDialog", "the text defines no template; it needs a [[templates]] table"
                )
            )
        )
    if len(templates) > 1:
        errors.append(
            TemplateError(
                QCoreApplication.translate(
                    "TemplateEditorDialog", "the text defines {count} templates; write one here"
                ).format(count=len(templates))
            )
        )
    if errors or len(templates) != 1:
        return None, errors
    return replace(templates[0], source=None, builtin=False), []


class TemplateEditorDialog(QDialog):
    """Edit one of the writer's templates, or write a new one, as TOML text.

    The text starts as ``template_to_toml(template)``, or as :func:`template_skeleton` for a new template. Saving
    refuses text with problems, asks before a template replaces a built-in of the same id or another template's
    file, and keeps the dialog open with the text when writing fails.

    Attributes:
        text_edit, problems, check_button, save_button, form, prompt_preview, status_label, notes_label: widgets.
        saved_path: the file written by the last save, or None.

    Signals:
        saved(Template): a template was written to the user folder; carries the :class:`Template` (its ``source``
            is the file). The dialog then closes with ``accept()``.
    """

    saved = Signal(Template)

    def __init__(
        self,
        user_dir: Path,
        *,
        template: Template | None = None,
        builtin_ids: Collection[str] = (),
        categories: Sequence[Category] = (),
        lang: str = "zh",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._user_dir = user_dir
        self._original = template
        self._builtin_ids = frozenset(builtin_ids)
        self._category_ids = {c.id for c in categories}
        self._lang = lang
        self._template: Template | None = None
        self.saved_path: Path | None = None
        if template is None:
            self.setWindowTitle(self.tr("New template"))
            text = template_skeleton(free_template_id("my.template", self._builtin_ids, user_dir), categories, lang)
        else:
            self.setWindowTitle(self.tr("Edit template: {name}").format(name=template.names.get(lang)))
            text = template_to_toml(template)

        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("templateText")
        self.text_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text_edit.setPlainText(text)
        self.text_edit.document().setModified(False)
        self.problems = QListWidget(self)
        self.problems.setObjectName("templateProblems")
        self.problems.setMaximumHeight(110)
        self.problems.itemActivated.connect(self._go_to_problem)
        self.problems.itemClicked.connect(self._go_to_problem)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.notes_label = QLabel(self)
        self.notes_label.setWordWrap(True)
        self.notes_label.hide()

        self.form = TemplateForm(self)
        self.form.changed.connect(self._update_prompt)
        form_scroll = QScrollArea(self)
        form_scroll.setWidgetResizable(True)
        form_scroll.setWidget(self.form)
        self.prompt_preview = QPlainTextEdit(self)
        self.prompt_preview.setReadOnly(True)

        self.check_button = QPushButton(self.tr("Check"), self)
        self.check_button.clicked.connect(lambda: self.check(move_cursor=True))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        assert save_button is not None
        self.save_button = save_button
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.text_edit, 1)
        left_layout.addWidget(self.problems)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel(self.tr("Form preview"), right))
        right_layout.addWidget(form_scroll, 3)
        right_layout.addWidget(QLabel(self.tr("Prompt preview"), right))
        right_layout.addWidget(self.prompt_preview, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.notes_label)
        layout.addWidget(buttons)
        resize_within_screen(self, QSize(1000, 680))

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(lambda: self.check(move_cursor=False))
        self.text_edit.textChanged.connect(self._check_timer.start)
        self.check(move_cursor=False)

    # -- checking ------------------------------------------------------------------------------------------------

    def template(self) -> Template | None:
        """The template the text defines, as of the last check (None while it has problems)."""
        return self._template

    def check(self, *, move_cursor: bool = True) -> Template | None:
        """Check the text now, show its problems and the preview; with ``move_cursor`` the text cursor goes to
        the first problem's line. Returns the template, or None when the text has problems."""
        self._check_timer.stop()
        template, errors = parse_template_text(self.text_edit.toPlainText())
        self._template = template
        self._show_problems(errors)
        self._show_notes(template)
        if template is not None:
            carried = self.form.values() if self.form.template() is not None else {}
            self.form.set_template(template, self._lang)
            self.form.set_values(carried)
            self._update_prompt()
            self.status_label.setText(
                self.tr("No problems: “{name}”, {count} fields.").format(
                    name=template.names.get(self._lang), count=len(template.fields)
                )
            )
        self.form.setEnabled(template is not None)
        self.prompt_preview.setEnabled(template is not None)
        if errors and move_cursor:
            line = next((e.line for e in errors if e.line is not None), None)
            if line is not None:
                self.go_to_line(line)
        return template

    def _show_problems(self, errors: list[TemplateError]) -> None:
        self.problems.clear()
        selections = []
        for error in errors:
            if error.line is not None:
                text = self.tr("Line {line}: {problem}").format(line=error.line, problem=error.detail)
            else:
                text = error.detail
            item = QListWidgetItem(text, self.problems)
            item.setData(_LINE_ROLE, error.line)
            item.setToolTip(text)
            if error.line is not None:
                block = self.text_edit.document().findBlockByNumber(error.line - 1)
                if block.isValid():
                    selection = QTextEdit.ExtraSelection()
                    selection.format.setBackground(_ERROR_LINE_COLOR)
                    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                    selection.cursor = QTextCursor(block)
                    selections.append(selection)
        self.text_edit.setExtraSelections(selections)
        self.problems.setVisible(bool(errors))
        if errors:
            self.status_label.setText(self.tr("{count} problem(s) found.").format(count=len(errors)))
            self.status_label.setStyleSheet("color: #c62828;")
        else:
            self.status_label.setStyleSheet("")

    def _show_notes(self, template: Template | None) -> None:
        notes = []
        if template is not None:
            target = self._user_dir / f"{template.id}.toml"
            if self._category_ids and template.category not in self._category_ids:
                notes.append(
                    self.tr("The category “{id}” is new; the template is listed under that name.").format(
                        id=template.category
                    )
                )
            original = self._original
            if original is not None and template.id != original.id:
                notes.append(
                    self.tr("The id changed: saving creates {file}; the template “{old}” stays.").format(
                        file=target.name, old=original.id
                    )
                )
            elif original is not None and original.source is not None and not _same_file(original.source, target):
                notes.append(
                    self.tr(
                        "This template comes from {source}; saving writes {file} and leaves {source} as is."
                    ).format(source=original.source.name, file=target.name)
                )
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))

    def _update_prompt(self) -> None:
        template = self._template
        if template is None:
            return
        result = preview_prompt(template, self.form.values(), self._lang)
        self.prompt_preview.setPlainText(result.prompt if result.error is None else str(result.error))

    def go_to_line(self, line: int) -> None:
        """Put the text cursor at the start of ``line`` (1-based) and show it."""
        block = self.text_edit.document().findBlockByNumber(max(line - 1, 0))
        if block.isValid():
            self.text_edit.setTextCursor(QTextCursor(block))
            self.text_edit.ensureCursorVisible()
            self.text_edit.setFocus()

    def _go_to_problem(self, item: QListWidgetItem) -> None:
        line = item.data(_LINE_ROLE)
        if isinstance(line, int):
            self.go_to_line(line)

    # -- saving --------------------------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save the template into the user folder, emit ``saved`` and close; True when it was written.

        Text with problems is not saved (the cursor goes to the first one). A failed write is shown in the dialog,
        which stays open with the text.
        """
        template = self.check(move_cursor=True)
        if template is None:
            return False
        target = self._user_dir / f"{template.id}.toml"
        own_file = self._original is not None and _same_file(self._original.source, target)
        question = ""
        if target.exists() and not own_file:
            question = self.tr("{file} already exists in your templates folder. Replace it?").format(file=target.name)
        elif template.id in self._builtin_ids and not target.exists():
            question = self.tr(
                "A built-in template has the id “{id}”. Yours will be used instead of it. Save anyway?"
            ).format(id=template.id)
        if question:
            answer = QMessageBox.question(
                self,
                self.windowTitle(),
                question,
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            path = save_user_template(template, self._user_dir)
        except TemplateError as err:
            self.status_label.setText(self.tr("Not saved: {error}").format(error=f"{err} {localized_hint(err.hint)}"))
            self.status_label.setStyleSheet("color: #c62828;")
            return False
        self.saved_path = path
        saved = replace(template, source=path, builtin=False)
        self._original = saved
        self.text_edit.document().setModified(False)
        self.saved.emit(saved)
        self.accept()
        return True


def _same_file(a: Path | None, b: Path) -> bool:
    return a is not None and a.resolve() == b.resolve()
