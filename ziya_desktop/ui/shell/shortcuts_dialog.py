"""Help → Keyboard Shortcuts: every menu command that has a shortcut, read from the window's actions themselves, so
the list never goes stale and shows the commands' names in the UI language."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QSize, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QMenuBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.ui.common.window_placement import resize_within_screen
from ziya_desktop.ui.generation.action_labels import plain_label

__all__ = ["ShortcutRow", "ShortcutsDialog", "shortcut_rows"]


@dataclass(frozen=True)
class ShortcutRow:
    """One command: the menu it is in (top-level title), its name and its keys, as the writer reads them."""

    menu: str
    command: str
    keys: str


def _name(text: str) -> str:
    """A menu text as a name: no accelerator, no trailing "…"."""
    return plain_label(text).rstrip("…").strip()


def _keys(action: QAction) -> str:
    return ", ".join(
        key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts() if not key.isEmpty()
    )


def shortcut_rows(bar: QMenuBar) -> list[ShortcutRow]:
    """The commands with a shortcut in the menus of ``bar``, in menu order (a submenu's under its top menu)."""
    rows: list[ShortcutRow] = []
    seen: set[int] = set()

    def walk(menu: QMenu, title: str) -> None:
        for action in menu.actions():
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                walk(submenu, title)
            elif not action.isSeparator() and id(action) not in seen and (keys := _keys(action)):
                seen.add(id(action))
                rows.append(ShortcutRow(title, _name(action.text()), keys))

    for top in bar.actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, _name(menu.title()))
    return rows


class ShortcutsDialog(QDialog):
    """The keyboard shortcuts of the menus of ``bar``, grouped by menu; refreshed each time it is shown and when the
    UI language changes (after the actions took their new texts).

    Attributes:
        tree: the list: one top-level item per menu, one child per command (name, keys).
    """

    def __init__(self, bar: QMenuBar, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self._bar = bar
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcutsTree")
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.tree, 1)
        column.addWidget(self.buttons)
        self.retranslate()
        resize_within_screen(self, QSize(560, 640))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            # The window retranslates its actions on the same event, perhaps after this dialog: list them after.
            QTimer.singleShot(0, self, self.retranslate)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Keyboard Shortcuts"))
        self.tree.setHeaderLabels([self.tr("Command"), self.tr("Shortcut")])
        self.refresh()

    def rows(self) -> list[ShortcutRow]:
        """What the list shows."""
        return shortcut_rows(self._bar)

    def refresh(self) -> None:
        """List the shortcuts as the actions have them now."""
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for row in self.rows():
            group = groups.get(row.menu)
            if group is None:
                group = groups[row.menu] = QTreeWidgetItem(self.tree, [row.menu])
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setFirstColumnSpanned(True)
            QTreeWidgetItem(group, [row.command, row.keys])
        self.tree.expandAll()
