"""The table pieces the model library's lists share: read-only cells, a row-selecting table, and a fit verdict in words.

Their strings belong to the model library window, so they are translated in its context ("ModelLibraryWindow").
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ziya_desktop.models.fit import FitVerdict


def verdict_text(verdict: FitVerdict) -> str:
    """ "fits on GPU", "partly on GPU (N of 41 layers)", "CPU" or "too big", translated."""
    if verdict.verdict == "fits_gpu":
        return QCoreApplication.translate("ModelLibraryWindow", "fits on GPU")
    if verdict.verdict == "partial":
        return QCoreApplication.translate("ModelLibraryWindow", "partly on GPU ({layers} of {total} layers)").format(
            layers=verdict.gpu_layers, total=verdict.n_layer + 1
        )
    if verdict.verdict == "cpu":
        return QCoreApplication.translate("ModelLibraryWindow", "CPU")
    return QCoreApplication.translate("ModelLibraryWindow", "too big")


def table_item(text: str, tooltip: str = "") -> QTableWidgetItem:
    """A cell the writer can select but not edit."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def model_table(headers: Sequence[str], parent: QWidget) -> QTableWidget:
    """An empty table with ``headers`` that selects one whole row at a time and wraps long cells."""
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table
