"""How the template side panel shows the template library: the tree of categories and their templates, filtered by
the search box, and the summary of template files that could not be loaded.

Their strings belong to the template panel, so they are translated in its context ("TemplatePanel").
"""

from __future__ import annotations

from collections.abc import Collection

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from ziya_desktop.ui.common.error_text import localized_hint
from ziya_desktop.writing.templates import Template, TemplateError, TemplateLibrary

# The warning strip lists this many problems; the rest are counted (all of them are in its tooltip).
MAX_LISTED_ERRORS = 5
_ID_ROLE = Qt.ItemDataRole.UserRole


class TemplateTree(QTreeWidget):
    """The library as a tree: each category in bold with its templates under it, the writer's own in italics.

    Each template item carries the template's id; category items cannot be selected.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(True)
        self._items: dict[str, QTreeWidgetItem] = {}  # in tree order
        self._category_items: list[tuple[QTreeWidgetItem, list[str]]] = []

    def show_library(self, library: TemplateLibrary, lang: str) -> None:
        """Show the categories and templates of ``library``, named in ``lang`` ("zh"/"en"), all expanded.

        Emits no selection signals: the items that go away are not a choice of the writer's.
        """
        with QSignalBlocker(self):
            self.clear()
            self._items.clear()
            self._category_items.clear()
            for category in library.categories():
                cat_item = QTreeWidgetItem(self, [category.names.get(lang)])
                cat_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = QFont(cat_item.font(0))
                font.setBold(True)
                cat_item.setFont(0, font)
                templates = library.in_category(category.id)
                self._category_items.append((cat_item, [t.id for t in templates]))
                for template in templates:
                    self._items[template.id] = self._template_item(cat_item, template, lang)
            self.expandAll()

    @staticmethod
    def _template_item(parent: QTreeWidgetItem, template: Template, lang: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [template.names.get(lang)])
        item.setData(0, _ID_ROLE, template.id)
        if template.builtin:
            item.setToolTip(0, QCoreApplication.translate("TemplatePanel", "Built-in template"))
        else:
            font = QFont(item.font(0))
            font.setItalic(True)
            item.setFont(0, font)
            where = str(template.source) if template.source is not None else ""
            item.setToolTip(0, QCoreApplication.translate("TemplatePanel", "Your template: {file}").format(file=where))
        return item

    def item_of(self, template_id: str) -> QTreeWidgetItem | None:
        """The item of the template ``template_id``, or None when the tree does not list it."""
        return self._items.get(template_id)

    def selected_template_id(self) -> str | None:
        """The id of the selected template, or None when nothing or a category is selected."""
        selected = self.selectedItems()
        template_id = selected[0].data(0, _ID_ROLE) if selected else None
        return template_id if isinstance(template_id, str) else None

    def show_only(self, hits: Collection[str], *, expand: bool) -> None:
        """Hide the templates not in ``hits`` and the categories left empty; ``expand`` opens the categories shown."""
        for template_id, item in self._items.items():
            item.setHidden(template_id not in hits)
        for cat_item, ids in self._category_items:
            cat_item.setHidden(not any(i in hits for i in ids))
            if expand:
                cat_item.setExpanded(True)

    def first_shown(self) -> str | None:
        """The id of the first template the filter leaves visible, in tree order."""
        return next((tid for tid, item in self._items.items() if not item.isHidden()), None)


def load_errors_summary(errors: list[TemplateError]) -> tuple[str, str]:
    """The warning strip's text for template files that could not be loaded (at most :data:`MAX_LISTED_ERRORS`
    problems listed) and its tooltip, which lists every problem with its hint."""
    files = {e.path for e in errors}
    lines = [_describe_error(e) for e in errors[:MAX_LISTED_ERRORS]]
    if len(errors) > MAX_LISTED_ERRORS:
        lines.append(
            QCoreApplication.translate("TemplatePanel", "… and {count} more").format(
                count=len(errors) - MAX_LISTED_ERRORS
            )
        )
    if len(files) == 1:
        head = QCoreApplication.translate("TemplatePanel", "1 template file could not be loaded:")
    else:
        head = QCoreApplication.translate("TemplatePanel", "{count} template files could not be loaded:").format(
            count=len(files)
        )
    text = head + (" " if len(lines) == 1 else "\n") + "\n".join(lines)
    return text, "\n".join(f"{e}\n{localized_hint(e.hint)}" for e in errors)


def _describe_error(error: TemplateError) -> str:
    name = error.path.name if error.path is not None else QCoreApplication.translate("TemplatePanel", "template")
    if error.line is not None:
        return QCoreApplication.translate("TemplatePanel", "{file} line {line}: {problem}").format(
            file=name, line=error.line, problem=error.detail
        )
    return QCoreApplication.translate("TemplatePanel", "{file}: {problem}").format(file=name, problem=error.detail)
