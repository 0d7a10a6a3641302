"""The writer's own templates in the user template folder: duplicating a template into it, deleting a template's
file after asking, and opening the folder in the file manager, each telling the writer when it fails.

Their strings belong to the template panel, so they are translated in its context ("TemplatePanel").
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from ziya_desktop.ui.common.error_text import localized_hint
from ziya_desktop.ui.templates.template_editor import free_template_id
from ziya_desktop.writing.template_files import duplicate, save_user_template
from ziya_desktop.writing.templates import Template, TemplateError, TemplateLibrary


def save_duplicate(parent: QWidget, template: Template, library: TemplateLibrary, user_dir: Path) -> Template | None:
    """Save a copy of ``template`` in ``user_dir`` under an id neither ``library`` nor the folder uses.

    Returns the copy, or None after telling the writer why it could not be saved.
    """
    try:
        taken = set(library.templates)
        copy = duplicate(template, free_template_id(f"{template.id[:55]}.copy", taken, user_dir))
        save_user_template(copy, user_dir)
    except TemplateError as err:
        QMessageBox.warning(
            parent,
            QCoreApplication.translate("TemplatePanel", "Duplicate template"),
            f"{err}\n\n{localized_hint(err.hint)}",
        )
        return None
    return copy


def delete_user_template(
    parent: QWidget, template: Template, path: Path, library: TemplateLibrary, builtin_ids: Collection[str], lang: str
) -> bool:
    """Ask, then delete ``path``, the file of the writer's ``template``; True when the file was deleted."""
    answer = QMessageBox.question(
        parent,
        QCoreApplication.translate("TemplatePanel", "Delete template"),
        _delete_question(template, path, library, builtin_ids, lang),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        path.unlink()
    except OSError as err:
        QMessageBox.warning(
            parent,
            QCoreApplication.translate("TemplatePanel", "Delete template"),
            QCoreApplication.translate("TemplatePanel", "{file} could not be deleted: {reason}").format(
                file=path, reason=err.strerror or err
            ),
        )
        return False
    return True


def _delete_question(
    template: Template, path: Path, library: TemplateLibrary, builtin_ids: Collection[str], lang: str
) -> str:
    """Whether to delete ``template``'s file, naming the other templates of ``library`` the file also holds, and
    saying when a built-in template of the same id (one of ``builtin_ids``) takes its place."""
    text = QCoreApplication.translate(
        "TemplatePanel", "Delete the template “{name}”? Its file {file} is removed."
    ).format(name=template.names.get(lang), file=path.name)
    others = [t for t in library.templates.values() if t.source == path and t.id != template.id]
    if others:
        text += "\n" + QCoreApplication.translate(
            "TemplatePanel", "The file also holds {count} other template(s); they are removed too."
        ).format(count=len(others))
    if template.id in builtin_ids:
        text += "\n" + QCoreApplication.translate(
            "TemplatePanel", "The built-in template of the same id is used again."
        )
    return text


def open_templates_folder(parent: QWidget, user_dir: Path) -> None:
    """Open ``user_dir`` (created if missing) in the file manager, or say where it is when none opens."""
    try:
        user_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        QMessageBox.warning(
            parent,
            QCoreApplication.translate("TemplatePanel", "Open templates folder"),
            QCoreApplication.translate("TemplatePanel", "{folder} could not be created: {reason}").format(
                folder=user_dir, reason=err.strerror or err
            ),
        )
        return
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(user_dir))):
        QMessageBox.information(
            parent,
            QCoreApplication.translate("TemplatePanel", "Open templates folder"),
            QCoreApplication.translate("TemplatePanel", "Your templates are in {folder}").format(folder=user_dir),
        )
