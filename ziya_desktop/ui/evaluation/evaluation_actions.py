"""The Evaluation menu: Open Evaluation Run… (a run folder, opened in the judging window) and New Evaluation Run…
(the dialog that makes a run's answers). Each collection retranslates its own actions (see ``ui.common``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow, QWidget

from ziya_desktop import paths
from ziya_desktop.errors import ZiyaError
from ziya_desktop.evaluation.run_store import EvalRun
from ziya_desktop.ui.common.action_collection import make_action, set_texts
from ziya_desktop.ui.common.error_text import error_message
from ziya_desktop.ui.evaluation.judging_window import JudgingWindow
from ziya_desktop.ui.evaluation.new_run_dialog import NewRunDialog

log = logging.getLogger(__name__)


class EvaluationCommands(QObject):
    """Opens runs in judging windows and the New Evaluation Run dialog, over ``window``.

    Args:
        window: the main window (the parent of the dialogs; errors go to its ``show_error``).
        editor_model_loaded, unload_editor_model: the editor's model, unloaded before a run makes answers.

    Attributes:
        judging_windows: the judging windows open now, by run folder (a run opened again is raised, not doubled).
        new_run: the New Evaluation Run dialog, once made.
    """

    def __init__(
        self,
        window: QWidget,
        *,
        show_error: Callable[[str, str], None],
        editor_model_loaded: Callable[[], bool],
        unload_editor_model: Callable[[], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._show_error = show_error
        self._editor_model_loaded = editor_model_loaded
        self._unload_editor_model = unload_editor_model
        self.judging_windows: dict[Path, JudgingWindow] = {}
        self.new_run: NewRunDialog | None = None

    def ask_run_folder(self) -> Path | None:
        """Ask for a run folder (a method, so tests can answer it); None when cancelled."""
        start = paths.data_dir() / "evaluations"
        chosen = QFileDialog.getExistingDirectory(
            self._window, QCoreApplication.translate("EvaluationCommands", "Open Evaluation Run"), str(start)
        )
        return Path(chosen) if chosen else None

    def open_run_dialog(self) -> JudgingWindow | None:
        folder = self.ask_run_folder()
        return None if folder is None else self.open_run(folder)

    def open_run(self, folder: Path) -> JudgingWindow | None:
        """The judging window on the run in ``folder``; None (and the error shown) when it is not a run."""
        folder = Path(folder).resolve()
        window = self.judging_windows.get(folder)
        if window is None:
            try:
                run = EvalRun.open(folder)
            except ZiyaError as exc:  # not a run, or a damaged one: said in the main window's notice strip
                self._show_error(error_message(exc), exc.hint)
                return None
            window = JudgingWindow(run, self._window)
            window.destroyed.connect(lambda _obj=None, key=folder: self.judging_windows.pop(key, None))
            self.judging_windows[folder] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def new_run_dialog(self) -> NewRunDialog:
        """The New Evaluation Run dialog (made on first use, kept: a run in progress goes on while it is hidden)."""
        if self.new_run is None:
            self.new_run = NewRunDialog(
                self._window,
                editor_model_loaded=self._editor_model_loaded,
                unload_editor_model=self._unload_editor_model,
            )
            self.new_run.runReady.connect(self.open_run)
        self.new_run.show()
        self.new_run.raise_()
        return self.new_run

    def shutdown(self) -> None:
        """Stop a run that is making answers (between answers) and close the judging windows."""
        if self.new_run is not None:
            self.new_run.runner.shutdown()
        for window in list(self.judging_windows.values()):
            window.close()


class EvaluationActions:
    """The Evaluation menu's actions, bound to :class:`EvaluationCommands`."""

    def __init__(self, window: QMainWindow, commands: EvaluationCommands) -> None:
        self.open_run = make_action(window, commands.open_run_dialog, name="openEvaluationRun")
        self.new_run = make_action(window, commands.new_run_dialog, name="newEvaluationRun")
        self.retranslate()

    def retranslate(self) -> None:
        """Set the actions' texts in the current UI language."""
        set_texts(self.open_run, QCoreApplication.translate("WindowActions", "&Open Evaluation Run…"))
        set_texts(self.new_run, QCoreApplication.translate("WindowActions", "&New Evaluation Run…"))
