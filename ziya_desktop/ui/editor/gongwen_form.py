"""The 公文's own parts as a form beside the editor: 版头, 标题, 主送, 附件, 署名, 成文日期, 附注 and 版记.

A 公文 drafted from a template keeps these as data of the document (:class:`~ziya_desktop.writing.gongwen_parts.
GongwenParts`, saved as front matter), not as lines of its text: the writer edits them here, the export lays each one
out where GB/T 9704-2012 puts it, and the editor holds only the body.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.writing.gongwen_parts import (
    KIND_DEFAULTS,
    MAX_LIST_ITEMS,
    MAX_PART_CHARS,
    GongwenFormat,
    GongwenParts,
    parts_from_mapping,
)

__all__ = ["GongwenPartsForm"]

# 密级 and 紧急程度 as §7.2.2 and §7.2.3 name them; the empty entry means "not marked".
_CLASSIFICATIONS = ("", "秘密", "机密", "绝密")
_URGENCIES = ("", "特急", "加急")
_LIST_HEIGHT_LINES = 3


class _Lines(QPlainTextEdit):
    """A short multi-line box: one name a line (发文机关, 签发人, 附件)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        height = self.fontMetrics().lineSpacing() * _LIST_HEIGHT_LINES + 12
        self.setFixedHeight(height)

    def items(self) -> tuple[str, ...]:
        # Within what a saved document can hold and read back (see GongwenParts' limits).
        lines = (line.strip()[:MAX_PART_CHARS] for line in self.toPlainText().splitlines())
        return tuple(line for line in lines if line)[:MAX_LIST_ITEMS]

    def set_items(self, items: tuple[str, ...]) -> None:
        if self.items() != items:
            self.setPlainText("\n".join(items))


class GongwenPartsForm(QScrollArea):
    """Edits one document's :class:`GongwenParts`.

    Signals:
        partsChanged(GongwenParts): the writer changed a part (not emitted by :meth:`set_parts`).
    """

    partsChanged = Signal(GongwenParts)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gongwenPartsForm")
        self.setWidgetResizable(True)
        self._parts = GongwenParts()
        self._loading = False
        inner = QWidget(self)
        outer = QVBoxLayout(inner)
        self._heading = QLabel(inner)
        self._heading.setObjectName("gongwenFormHeading")
        font = self._heading.font()
        font.setBold(True)
        self._heading.setFont(font)
        outer.addWidget(self._heading)
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self._form)
        outer.addStretch(1)
        self.setWidget(inner)

        self.kind = self._combo("kind", tuple(KIND_DEFAULTS), editable=True)
        self.upward = self._check("upward")
        self.copy_number = self._line("copy_number")
        self.classification = self._combo("classification", _CLASSIFICATIONS)
        self.secrecy_period = self._line("secrecy_period")
        self.urgency = self._combo("urgency", _URGENCIES)
        self.issuers = self._lines("issuers")
        self.mark = self._line("mark")
        self.doc_number = self._line("doc_number")
        self.signers = self._lines("signers")
        self.title = self._line("title")
        self.addressees = self._line("addressees")
        self.attachments = self._lines("attachments")
        self.signature = self._line("signature")
        self.date = self._line("date")
        self.sealed = self._check("sealed")
        self.notes = self._line("notes")
        self.attendees = self._line("attendees")
        self.absentees = self._line("absentees")
        self.observers = self._line("observers")
        self.copies_to = self._line("copies_to")
        self.printer = self._line("printer")
        self.print_date = self._line("print_date")
        self.retranslate()

    # -- building ------------------------------------------------------------------------------------------------

    def _add(self, widget: QWidget, name: str) -> None:
        widget.setObjectName(f"gongwen_{name}")
        self._form.addRow(QLabel(self), widget)

    def _line(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setMaxLength(MAX_PART_CHARS)
        edit.textEdited.connect(self._edited)
        self._add(edit, name)
        return edit

    def _lines(self, name: str) -> _Lines:
        edit = _Lines(self)
        edit.textChanged.connect(self._edited)
        self._add(edit, name)
        return edit

    def _combo(self, name: str, items: tuple[str, ...], *, editable: bool = False) -> QComboBox:
        combo = QComboBox(self)
        combo.setEditable(editable)
        combo.addItems(list(items))
        combo.currentTextChanged.connect(self._edited)
        self._add(combo, name)
        return combo

    def _check(self, name: str) -> QCheckBox:
        box = QCheckBox(self)
        box.toggled.connect(self._edited)
        self._add(box, name)
        return box

    def retranslate(self) -> None:
        self._heading.setText(self.tr("公文 parts"))
        labels = {
            self.kind: self.tr("Kind (文种)"),
            self.upward: self.tr("Upward document (请示、报告)"),
            self.copy_number: self.tr("Copy number"),
            self.classification: self.tr("Classification"),
            self.secrecy_period: self.tr("Secrecy period"),
            self.urgency: self.tr("Urgency"),
            self.issuers: self.tr("Issuing authorities"),
            self.mark: self.tr("Masthead"),
            self.doc_number: self.tr("Document number"),
            self.signers: self.tr("Signed off by"),
            self.title: self.tr("Title"),
            self.addressees: self.tr("Addressees"),
            self.attachments: self.tr("Attachments"),
            self.signature: self.tr("Signature"),
            self.date: self.tr("Date"),
            self.sealed: self.tr("With seal"),
            self.notes: self.tr("Note (附注)"),
            self.attendees: self.tr("Present"),
            self.absentees: self.tr("Absent"),
            self.observers: self.tr("Also attending"),
            self.copies_to: self.tr("Copies to"),
            self.printer: self.tr("Printed by"),
            self.print_date: self.tr("Printing date"),
        }
        for widget, text in labels.items():
            label = self._form.labelForField(widget)
            if isinstance(label, QLabel):
                label.setText(text)
        self.issuers.setPlaceholderText(self.tr("One per line"))
        self.signers.setPlaceholderText(self.tr("One per line"))
        self.attachments.setPlaceholderText(self.tr("One per line"))
        self.mark.setPlaceholderText(self.tr("Empty: the issuing authorities' names"))
        self.signature.setPlaceholderText(self.tr("Empty: the issuing authorities"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- values --------------------------------------------------------------------------------------------------

    def parts(self) -> GongwenParts:
        return self._parts

    def set_parts(self, parts: GongwenParts) -> None:
        """Show ``parts`` (the document's, as opened or drafted)."""
        self._loading = True
        try:
            self._parts = parts
            self._set_combo(self.kind, parts.kind)
            self.upward.setChecked(parts.upward)
            self.copy_number.setText(parts.copy_number)
            self._set_combo(self.classification, parts.classification)
            self.secrecy_period.setText(parts.secrecy_period)
            self._set_combo(self.urgency, parts.urgency)
            self.issuers.set_items(parts.issuers)
            self.mark.setText(parts.mark)
            self.doc_number.setText(parts.doc_number)
            self.signers.set_items(parts.signers)
            self.title.setText(parts.title)
            self.addressees.setText(parts.addressees)
            self.attachments.set_items(parts.attachments)
            self.signature.setText(parts.signature)
            self.date.setText(parts.date)
            self.sealed.setChecked(parts.sealed)
            self.notes.setText(parts.notes)
            for edit, value in (
                (self.attendees, parts.attendees),
                (self.absentees, parts.absentees),
                (self.observers, parts.observers),
                (self.copies_to, parts.copies_to),
                (self.printer, parts.printer),
                (self.print_date, parts.print_date),
            ):
                edit.setText(value)
            for line in self.findChildren(QLineEdit):
                line.setCursorPosition(0)  # a long title shows its start, not its end
        finally:
            self._loading = False
        self._show_rows_for(parts)

    @staticmethod
    def _set_combo(combo: QComboBox, value: str) -> None:
        index = combo.findText(value)
        if index < 0 and combo.isEditable():
            combo.setEditText(value)
        elif index < 0:
            combo.addItem(value)  # a value from the file that the list does not offer stays as it is
            combo.setCurrentIndex(combo.count() - 1)
        else:
            combo.setCurrentIndex(index)

    def _show_rows_for(self, parts: GongwenParts) -> None:
        """The 签发人 row for an upward document, the attendance rows for 纪要; the rest always."""
        minutes = parts.format is GongwenFormat.MINUTES
        for widget, visible in (
            (self.signers, parts.upward),
            (self.attendees, minutes),
            (self.absentees, minutes),
            (self.observers, minutes),
        ):
            self._form.setRowVisible(widget, visible)

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        kind = self.kind.currentText().strip()
        page_format, upward = self._parts.format, self.upward.isChecked()
        if kind != self._parts.kind and kind in KIND_DEFAULTS:
            # A new 文种 brings its page format and direction (函 → 信函格式, 请示 → 上行文).
            page_format, upward = KIND_DEFAULTS[kind]
            self._loading = True
            self.upward.setChecked(upward)
            self._loading = False
        # Cleaned as a file's front matter is (control characters out), so what is saved reads back the same.
        values = dict(
            kind=kind,
            format=page_format,
            upward=upward,
            copy_number=self.copy_number.text().strip(),
            classification=self.classification.currentText().strip(),
            secrecy_period=self.secrecy_period.text().strip(),
            urgency=self.urgency.currentText().strip(),
            issuers=self.issuers.items(),
            mark=self.mark.text().strip(),
            doc_number=self.doc_number.text().strip(),
            signers=self.signers.items(),
            title=self.title.text().strip(),
            addressees=self.addressees.text().strip(),
            attachments=self.attachments.items(),
            signature=self.signature.text().strip(),
            date=self.date.text().strip(),
            sealed=self.sealed.isChecked(),
            notes=self.notes.text().strip(),
            attendees=self.attendees.text().strip(),
            absentees=self.absentees.text().strip(),
            observers=self.observers.text().strip(),
            copies_to=self.copies_to.text().strip(),
            printer=self.printer.text().strip(),
            print_date=self.print_date.text().strip(),
        )
        parts = parts_from_mapping(values)
        if parts == self._parts:
            return
        self._parts = parts
        self._show_rows_for(parts)
        self.partsChanged.emit(parts)
