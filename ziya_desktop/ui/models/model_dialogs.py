"""The questions the model library window asks before it changes the library: deleting a model, copying or linking
a GGUF, the file type to convert a checkpoint to, and going ahead with a conversion.

Each takes the window as the dialog's parent. Their strings are translated in the window's context
("ModelLibraryWindow").
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from converters.atomic import format_bytes
from converters.hf_to_gguf import OUTTYPE_SIZE_VS_F16
from ziya_desktop.models.convert_job import ConvertPlan
from ziya_desktop.models.library import LocalModel


def confirm_delete(parent: QWidget, model: LocalModel) -> bool:
    """Ask before deleting ``model`` (only its link, when it is linked)."""
    question = (
        QCoreApplication.translate(
            "ModelLibraryWindow", "Remove the link to “{name}” from the library? The file itself stays where it is."
        )
        if model.linked
        else QCoreApplication.translate(
            "ModelLibraryWindow", "Delete “{name}” ({size}) from this computer? This cannot be undone."
        )
    )
    answer = QMessageBox.question(
        parent,
        QCoreApplication.translate("ModelLibraryWindow", "Delete Model"),
        question.format(name=model.name, size=format_bytes(model.size_bytes)),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_import_mode(parent: QWidget, path: Path) -> str | None:
    """``"copy"``, ``"link"`` or None (cancelled): how the GGUF file ``path`` joins the library."""
    box = QMessageBox(parent)
    box.setWindowTitle(QCoreApplication.translate("ModelLibraryWindow", "Import GGUF"))
    box.setText(
        QCoreApplication.translate("ModelLibraryWindow", "How should “{name}” join the library?").format(name=path.name)
    )
    box.setInformativeText(
        QCoreApplication.translate(
            "ModelLibraryWindow",
            "Copy: the library keeps its own copy (needs the disk space). "
            "Link: the file stays where it is; moving it later breaks the link.",
        )
    )
    copy = box.addButton(
        QCoreApplication.translate("ModelLibraryWindow", "Copy into Library"), QMessageBox.ButtonRole.AcceptRole
    )
    link = box.addButton(
        QCoreApplication.translate("ModelLibraryWindow", "Link to File"), QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return "copy" if clicked is copy else "link" if clicked is link else None


def ask_outtype(parent: QWidget, recommended: str) -> str | None:
    """The file type to convert a checkpoint to, or None (cancelled); ``recommended`` is offered first."""
    offered = [t for t in OUTTYPE_SIZE_VS_F16 if t != "f32"]
    chosen, accepted = QInputDialog.getItem(
        parent,
        QCoreApplication.translate("ModelLibraryWindow", "Import Checkpoint Folder"),
        QCoreApplication.translate(
            "ModelLibraryWindow", "Convert to (Q4_K_M is the best balance of size and quality):"
        ),
        [t.upper() for t in offered],
        offered.index(recommended) if recommended in offered else 0,
        False,
    )
    return chosen.lower() if accepted else None


def confirm_plan(parent: QWidget, plan: ConvertPlan) -> bool:
    """Show what converting by ``plan`` writes and how much disk it needs, and ask to go ahead."""
    answer = QMessageBox.question(
        parent,
        QCoreApplication.translate("ModelLibraryWindow", "Convert Checkpoint"),
        QCoreApplication.translate(
            "ModelLibraryWindow",
            "Converting “{folder}” to {outtype} writes {file}.\n"
            "Disk space needed: about {needed} (free: {free}).\nConvert now?",
        ).format(
            folder=plan.checkpoint_dir.name,
            outtype=plan.outtype.upper(),
            file=plan.outfile.name,
            needed=format_bytes(plan.needed_bytes),
            free=format_bytes(plan.free_bytes),
        ),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes
