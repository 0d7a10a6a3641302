"""The form a writer fills for one genre template: one widget per field, built from ``Template.fields``.

Text fields become line edits, lists (key points, attachments, names) a plain-text box (one entry per line),
choices a combo box that shows the chosen option's note and channel limits under it, dates a date edit with a
calendar, and target lengths a spin box with its unit (for speeches in minutes, with the length that duration makes
at the spoken pace).

:func:`preview_prompt` builds the prompt for a form that is not finished yet, for the live previews of the template
panel and the template editor.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.writing.templates import (
    ChoiceOption,
    Field,
    FieldKind,
    MissingFieldError,
    Template,
    TemplateValueError,
)
from ziya_desktop.writing.text_stats import SPOKEN_PER_MINUTE

# A blank date: QDateEdit cannot be empty, so its minimum date stands for "no date" and shows as blank text.
_NO_DATE = QDate(1900, 1, 1)
_ISO_FORMAT = "yyyy-MM-dd"
_MAX_LENGTH = {"chars": 100_000, "words": 100_000, "minutes": 600}
_MULTILINE_ROWS = 4
_ERROR_COLOR = "#c62828"


@dataclass(frozen=True)
class PromptPreview:
    """What :func:`preview_prompt` made of a form.

    Attributes:
        prompt: the prompt, with a visible marker (【标题】 / [Title]) where a required field is still empty;
            "" when ``error`` prevented rendering.
        missing: the required fields that are still empty, in form order.
        error: a value that does not fit its field (e.g. a length of 0), or None.
    """

    prompt: str
    missing: tuple[Field, ...]
    error: TemplateValueError | None


def preview_prompt(
    template: Template, values: Mapping[str, object], lang: str, *, today: _dt.date | None = None
) -> PromptPreview:
    """The prompt ``template`` makes from ``values``, also while required fields are still empty.

    With every required field filled this is exactly ``template.prompt(values, lang)``; an empty required field
    shows as its label in brackets so the writer sees where it will go.
    """
    filled = dict(values)
    missing: list[Field] = []
    # Each round fills one more missing field, so this ends after at most one round per field.
    for _ in range(len(template.fields) + 1):
        try:
            return PromptPreview(template.prompt(filled, lang, today=today), tuple(missing), None)
        except MissingFieldError as err:
            f = template.field(err.field_name)
            if f is None or f in missing:
                return PromptPreview("", tuple(missing), err)
            missing.append(f)
            filled[f.name] = _marker(f, template.language)
        except TemplateValueError as err:
            return PromptPreview("", tuple(missing), err)
    return PromptPreview("", tuple(missing), None)


def _marker(f: Field, language: str) -> object:
    if f.kind is FieldKind.CHOICE:
        return f.options[0].value  # a choice can only take one of its options
    if f.kind is FieldKind.LENGTH:
        return 1
    return f"【{f.label.zh}】" if language == "zh" else f"[{f.label.en}]"


@dataclass
class _Row:
    field: Field
    label: QLabel
    editor: QWidget
    info: QLabel | None
    error: QLabel


class TemplateForm(QWidget):
    """The fields of one template, laid out top to bottom so the form fits a narrow side panel.

    Required fields are marked with an asterisk; a field's help is its placeholder and tooltip; defaults are
    filled in when the template is set.

    Signals:
        changed(): the writer edited a field, or :meth:`set_values` replaced values (once per call).
            :meth:`set_template` does not emit it.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._template: Template | None = None
        self._lang = "zh"
        self._rows: dict[str, _Row] = {}
        self._loading = False

        self._general_error = QLabel(self)
        self._general_error.setObjectName("formError")
        self._general_error.setWordWrap(True)
        self._general_error.setStyleSheet(f"color: {_ERROR_COLOR};")
        self._general_error.hide()
        self._layout = QFormLayout()
        # Labels above their fields: a 360 px panel has no room for a label column.
        self._layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._general_error)
        outer.addLayout(self._layout)
        outer.addStretch(1)

    # -- building ------------------------------------------------------------------------------------------------

    def template(self) -> Template | None:
        return self._template

    def set_template(self, template: Template | None, lang: str) -> None:
        """Show the fields of ``template`` (labels in the UI language ``lang``) filled with their defaults."""
        self._loading = True
        try:
            while self._layout.rowCount():
                self._layout.removeRow(0)
            self._rows.clear()
            self._general_error.hide()
            self._template, self._lang = template, lang
            for f in template.fields if template is not None else ():
                self._add_row(f)
        finally:
            self._loading = False

    def _add_row(self, f: Field) -> None:
        text = f.label.get(self._lang) + (" *" if f.required else "")
        label = QLabel(text, self)
        help_text = f.help.get(self._lang) if f.help is not None else ""
        if f.required:
            label.setToolTip(self.tr("Required"))
        editor = self._make_editor(f, help_text)
        editor.setObjectName(f"field_{f.name}")
        if help_text:
            editor.setToolTip(help_text)
        label.setBuddy(editor)
        info: QLabel | None = None
        if f.kind in (FieldKind.CHOICE, FieldKind.LENGTH):
            info = QLabel(self)
            info.setWordWrap(True)
            info.setObjectName(f"info_{f.name}")
            info.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        error = QLabel(self)
        error.setWordWrap(True)
        error.setObjectName(f"error_{f.name}")
        error.setStyleSheet(f"color: {_ERROR_COLOR};")
        error.hide()
        box = QWidget(self)
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(2)
        for w in (editor, info, error):
            if w is not None:
                box_layout.addWidget(w)
        self._layout.addRow(label, box)
        row = _Row(f, label, editor, info, error)
        self._rows[f.name] = row
        self._set_value(row, f.default)
        self._update_info(row)

    def _make_editor(self, f: Field, help_text: str) -> QWidget:
        if f.kind is FieldKind.MULTILINE:
            box = QPlainTextEdit(self)
            box.setTabChangesFocus(True)
            # The field's own help says what goes on each line (“one attachment title per line”); without it, a
            # generic hint: the field may hold attachments or names, not key points.
            box.setPlaceholderText(help_text or self.tr("One per line"))
            margins = 2 * (box.frameWidth() + int(box.document().documentMargin()))
            box.setFixedHeight(box.fontMetrics().lineSpacing() * _MULTILINE_ROWS + margins)
            box.textChanged.connect(lambda: self._edited(f.name))
            return box
        if f.kind is FieldKind.CHOICE:
            combo = QComboBox(self)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            if not f.default:
                combo.addItem(self.tr("— choose —") if f.required else "—", "")
            for option in f.options:
                combo.addItem(option.label.get(self._lang), option.value)
                if option.note is not None:
                    combo.setItemData(combo.count() - 1, option.note.get(self._lang), Qt.ItemDataRole.ToolTipRole)
            combo.currentIndexChanged.connect(lambda _i: self._edited(f.name))
            return combo
        if f.kind is FieldKind.DATE:
            date = QDateEdit(self)
            date.setCalendarPopup(True)
            date.setDisplayFormat(_ISO_FORMAT)
            if f.default == "":
                # Only a field without a default date can be left blank; an empty value would otherwise
                # fall back to the default when the template is filled.
                date.setMinimumDate(_NO_DATE)
                date.setSpecialValueText(" ")
            date.dateChanged.connect(lambda _d: self._edited(f.name))
            return date
        if f.kind is FieldKind.LENGTH:
            spin = QSpinBox(self)
            spin.setMaximum(_MAX_LENGTH.get(f.unit, 100_000))
            # A positive default means the field always has a length; 0 stands for "not set".
            spin.setMinimum(1 if isinstance(f.default, int) and f.default > 0 else 0)
            spin.setSpecialValueText("—")
            spin.setSuffix(self._unit_suffix(f.unit))
            spin.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            spin.valueChanged.connect(lambda _v: self._edited(f.name))
            return spin
        line = QLineEdit(self)
        line.setPlaceholderText(help_text)
        line.textChanged.connect(lambda _t: self._edited(f.name))
        return line

    def _unit_suffix(self, unit: str) -> str:
        if unit == "minutes":
            return self.tr(" minutes")
        if unit == "words":
            return self.tr(" words")
        return self.tr(" characters")

    # -- values --------------------------------------------------------------------------------------------------

    def values(self) -> dict[str, object]:
        """The current values by field name: str for text, key points (one per line), choices (the option's
        value), dates (ISO ``2026-11-25``, "" when blank); int for lengths ("" when not set)."""
        return {name: self._value(row) for name, row in self._rows.items()}

    def set_values(self, values: Mapping[str, object]) -> None:
        """Fill fields from ``values``; unknown names, unknown options and unreadable dates are ignored."""
        self._loading = True
        try:
            for name, value in values.items():
                row = self._rows.get(name)
                if row is not None and value is not None:
                    self._set_value(row, value)
                    self._update_info(row)
        finally:
            self._loading = False
        self.changed.emit()

    def _value(self, row: _Row) -> object:
        editor = row.editor
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            return data if isinstance(data, str) else ""
        if isinstance(editor, QDateEdit):
            day = editor.date()
            return "" if day == editor.minimumDate() and day == _NO_DATE else day.toString(_ISO_FORMAT)
        if isinstance(editor, QSpinBox):
            return editor.value() if editor.value() > 0 else ""
        assert isinstance(editor, QLineEdit)
        return editor.text()

    def _set_value(self, row: _Row, value: object) -> None:
        editor = row.editor
        if isinstance(editor, QPlainTextEdit):
            lines = value if isinstance(value, list | tuple) else [value]
            editor.setPlainText("\n".join(str(x) for x in lines))
        elif isinstance(editor, QComboBox):
            index = editor.findData(str(value))
            if index >= 0:
                editor.setCurrentIndex(index)
        elif isinstance(editor, QDateEdit):
            day = _to_qdate(value or row.field.default)
            if day is not None:
                editor.setDate(day)
        elif isinstance(editor, QSpinBox):
            if isinstance(value, int) and not isinstance(value, bool):
                editor.setValue(value)
            elif isinstance(value, str) and (value.strip().isdigit() or not value.strip()):
                editor.setValue(int(value) if value.strip() else 0)
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value))

    def _edited(self, name: str) -> None:
        row = self._rows.get(name)
        if row is None:
            return  # a signal from a row being torn down
        self._update_info(row)
        if self._loading:
            return
        self._clear_error(row)
        self.changed.emit()

    def _update_info(self, row: _Row) -> None:
        if row.info is None:
            return
        f = row.field
        text = ""
        if f.kind is FieldKind.CHOICE:
            value = self._value(row)
            option = f.option(value) if isinstance(value, str) else None
            text = self._option_info(option) if option is not None else ""
        elif f.kind is FieldKind.LENGTH and f.unit == "minutes" and self._template is not None:
            n = self._value(row)
            if isinstance(n, int):
                count = n * SPOKEN_PER_MINUTE[self._template.language]
                if self._template.language == "zh":
                    text = self.tr("about {count} characters").format(count=count)
                else:
                    text = self.tr("about {count} words").format(count=count)
        row.info.setText(text)
        row.info.setVisible(bool(text))

    def _option_info(self, option: ChoiceOption) -> str:
        parts = [self.format_limit(key, count) for key, count in option.limits.items()]
        lines = [" · ".join(parts)] if parts else []
        if option.note is not None:
            lines.append(option.note.get(self._lang))
        return "\n".join(lines)

    def format_limit(self, key: str, count: int) -> str:
        """One channel limit as a writer reads it, e.g. ``title_max`` 20 → "Title ≤ 20 characters"."""
        if key == "title_max":
            return self.tr("Title ≤ {count} characters").format(count=count)
        if key == "body_max":
            return self.tr("Body ≤ {count} characters").format(count=count)
        if key == "headline_max":
            return self.tr("Headline ≤ {count} characters").format(count=count)
        if key == "segment":
            return self.tr("{count} characters a segment").format(count=count)
        if key == "lead":
            return self.tr("The first {count} characters count most").format(count=count)
        return self.tr("{name}: {count}").format(name=key.replace("_", " "), count=count)

    # -- errors --------------------------------------------------------------------------------------------------

    def field_editor(self, field_name: str) -> QWidget | None:
        """The widget that edits ``field_name`` (to scroll to or focus), or None."""
        row = self._rows.get(field_name)
        return row.editor if row is not None else None

    def info_text(self, field_name: str) -> str:
        """The note under a choice or length field ("" when there is none)."""
        row = self._rows.get(field_name)
        return row.info.text() if row is not None and row.info is not None else ""

    def error_message(self, field_name: str) -> str:
        """The error shown on ``field_name`` ("" when none); "" names the error shown above the fields."""
        if not field_name:
            return self._general_error.text() if not self._general_error.isHidden() else ""
        row = self._rows.get(field_name)
        return row.error.text() if row is not None and not row.error.isHidden() else ""

    def show_error(self, field_name: str, message: str) -> None:
        """Mark ``field_name`` in red with ``message`` under it and focus it; an unknown name shows the message
        above the fields. The mark goes when the writer edits the field or :meth:`clear_errors` is called."""
        row = self._rows.get(field_name)
        if row is None:
            self._general_error.setText(message)
            self._general_error.show()
            return
        row.error.setText(message)
        row.error.show()
        cls = row.editor.metaObject().className()
        # The selector names the editor's own class so a combo's popup or a date's calendar keep their look.
        row.editor.setStyleSheet(f"{cls} {{ border: 1px solid {_ERROR_COLOR}; }}")
        row.editor.setFocus()

    def clear_errors(self) -> None:
        self._general_error.clear()
        self._general_error.hide()
        for row in self._rows.values():
            self._clear_error(row)

    def _clear_error(self, row: _Row) -> None:
        if not row.error.isHidden():
            row.error.clear()
            row.error.hide()
            row.editor.setStyleSheet("")


def _to_qdate(value: object) -> QDate | None:
    if isinstance(value, _dt.date):
        return QDate(value.year, value.month, value.day)
    if value == "today":
        return QDate.currentDate()
    if value == "":
        return _NO_DATE
    if isinstance(value, str):
        try:
            day = _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
        return QDate(day.year, day.month, day.day)
    return None
