"""The Results tab of the judging window: the win-rate table in the model card's shape, the per-genre breakdown,
and Export Markdown… / Export CSV… (the report of :mod:`ziya_desktop.evaluation.report`)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ziya_desktop.atomic_write import atomic_write_bytes
from ziya_desktop.errors import ZiyaError
from ziya_desktop.evaluation.report import ReportFormat, interval_text, percent, run_results, write_report
from ziya_desktop.evaluation.run_store import EvalRun
from ziya_desktop.evaluation.win_rates import PairResult
from ziya_desktop.ui.common.error_text import error_message, localized, localized_hint

log = logging.getLogger(__name__)


def genre_label(genre: str) -> str:
    """The genre's name in the UI language (the id itself for a genre this version does not know)."""
    names = {
        "gongwen": QCoreApplication.translate("ResultsView", "Official document (公文)"),
        "speech": QCoreApplication.translate("ResultsView", "Speech (讲稿)"),
        "letter": QCoreApplication.translate("ResultsView", "Letter (书信)"),
        "copy": QCoreApplication.translate("ResultsView", "Copywriting (文案)"),
    }
    return names.get(genre, genre)


class ResultsView(QWidget):
    """The figures of one run, read anew by :meth:`refresh` (the judging window calls it when the tab is shown).

    Attributes:
        summary: judges and judgements; table: one row per pair; genre_table: one row per genre and pair;
        export_markdown, export_csv: the export buttons; message: the outcome of the last export.
    """

    def __init__(self, run: EvalRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluationResults")
        self.run = run
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.table = self._table("winRateTable", 7)
        self.genre_heading = QLabel(self)
        self.genre_table = self._table("genreWinRateTable", 8)
        self.export_markdown = QPushButton(self)
        self.export_markdown.clicked.connect(lambda: self.export("markdown"))
        self.export_csv = QPushButton(self)
        self.export_csv.clicked.connect(lambda: self.export("csv"))
        self.message = QLabel(self)
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_markdown)
        buttons.addWidget(self.export_csv)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(self.table, 2)
        column.addWidget(self.genre_heading)
        column.addWidget(self.genre_table, 3)
        column.addLayout(buttons)
        column.addWidget(self.message)
        self.retranslate()

    def _table(self, name: str, columns: int) -> QTableWidget:
        table = QTableWidget(0, columns, self)
        table.setObjectName(name)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def retranslate(self) -> None:
        """Set the texts in the current UI language and fill the tables again."""
        figures = [
            self.tr("Average win rate"),
            self.tr("Max"),
            self.tr("Min"),
            self.tr("Judgements"),
            self.tr("95 % interval"),
            self.tr("Reading"),
        ]
        self.table.setHorizontalHeaderLabels([self.tr("Pair"), *figures])
        self.genre_table.setHorizontalHeaderLabels([self.tr("Genre"), self.tr("Pair"), *figures])
        self.genre_heading.setText(self.tr("By genre"))
        self.export_markdown.setText(self.tr("Export &Markdown…"))
        self.export_csv.setText(self.tr("Export &CSV…"))
        self.refresh()

    def refresh(self) -> None:
        """Read the verdicts again and fill the summary and both tables."""
        try:
            results = run_results(self.run)
        except ZiyaError as exc:  # a damaged verdicts file: say so here, the window stays usable
            self.summary.setText(error_message(exc))
            return
        judges = ", ".join(results.judges) or self.tr("nobody yet")
        self.summary.setText(
            self.tr(
                "Win rate of the first contender = (wins + ties / 2) / judgements, over every judge's latest "
                "verdict. Above 55 % is a clear win, below 45 % a clear loss. Judges: {judges}. Judgements: {n}."
            ).format(judges=judges, n=results.judgements)
        )
        self._fill(self.table, [([], r) for r in results.overall])
        self._fill(
            self.genre_table,
            [([genre_label(genre)], r) for genre, rows in results.by_genre.items() for r in rows],
        )

    def _fill(self, table: QTableWidget, rows: list[tuple[list[str], PairResult]]) -> None:
        table.setRowCount(len(rows))
        for row, (lead, r) in enumerate(rows):
            pair = self.tr("{first} vs {second}").format(first=r.first, second=r.second)
            cells = [*lead, pair, percent(r.win_rate), percent(r.max_rate), percent(r.min_rate), str(r.n)]
            cells += [interval_text(r.interval), localized(r.reading.label)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= len(lead) + 1 and column < len(cells) - 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)

    # -- export --------------------------------------------------------------------------------------------------

    def ask_save_path(self, fmt: ReportFormat) -> Path | None:
        """Ask where to save the report (a method, so tests can answer it); None when cancelled."""
        if fmt == "markdown":
            title, suffix, filters = self.tr("Export Markdown"), ".md", self.tr("Markdown (*.md)")
        else:
            title, suffix, filters = self.tr("Export CSV"), ".csv", self.tr("CSV (*.csv)")
        start = str(self.run.folder / f"{self.run.name}-results{suffix}")
        chosen, _filter = QFileDialog.getSaveFileName(self, title, start, filters)
        return Path(chosen) if chosen else None

    def export(self, fmt: ReportFormat) -> Path | None:
        """Write the report (with the per-genre tables) where the writer chooses; the written path, or None."""
        path = self.ask_save_path(fmt)
        if path is None:
            return None
        buffer = io.StringIO()
        try:
            write_report(self.run, fmt, buffer, by_genre=True)
            atomic_write_bytes(path, buffer.getvalue().encode("utf-8"))
        except ZiyaError as exc:
            self._say(error_message(exc), localized_hint(exc.hint), error=True)
            return None
        except OSError as exc:  # the folder is not writable or the disk is full; nothing was replaced
            log.warning("report export to %s failed: %s", path, exc)
            self._say(
                self.tr("Could not write {path}: {reason}").format(path=str(path), reason=exc.strerror or str(exc)),
                self.tr("Nothing was written; choose another folder or file name and export again."),
                error=True,
            )
            return None
        self._say(self.tr("Saved {path}").format(path=str(path)))
        return path

    def _say(self, message: str, hint: str = "", *, error: bool = False) -> None:
        self.message.setText(f"{message}\n{hint}" if hint else message)
        self.message.setStyleSheet("color: #c0392b;" if error else "")
