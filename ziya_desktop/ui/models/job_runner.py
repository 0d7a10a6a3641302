"""Run one long job (download, convert, import, scan) off the GUI thread and hear about it through signals.

A job is a plain function ``job(progress, cancel)`` from :mod:`ziya_desktop.models`: it calls ``progress`` with
:class:`~ziya_desktop.models.convert_job.JobProgress` reports and checks the :class:`threading.Event` ``cancel``
between steps (cancellation is cooperative; the thread is never terminated). :class:`JobRunner` runs it in a
:class:`QThread` and re-emits what happens on the GUI thread, where the window updates its progress bar.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QThread, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from ziya_desktop.errors import CancelledError, ZiyaError
from ziya_desktop.models.convert_job import JobProgress, JobProgressCallback
from ziya_desktop.ui.common.error_text import localized_hint

log = logging.getLogger(__name__)

Job = Callable[[JobProgressCallback, threading.Event], object]

# Downloads report many times a second; the window needs a handful. Stage changes always go through.
PROGRESS_INTERVAL_S = 0.1
_UNEXPECTED_HINT = "This is a bug in Ziya Desktop; the log file has the details. Try again."


class _JobThread(QThread):
    """Runs the job; its signals are emitted in this thread and queued to the runner on the GUI thread."""

    progressed = Signal(JobProgress)
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()

    def __init__(self, job: Job, cancel: threading.Event, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._job = job
        self._cancel = cancel
        self._last_emit = 0.0
        self._last_stage = ""

    def _progress(self, report: JobProgress) -> None:
        now = time.monotonic()
        if report.stage != self._last_stage or report.fraction >= 1.0 or now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit, self._last_stage = now, report.stage
            self.progressed.emit(report)

    def run(self) -> None:
        try:
            result = self._job(self._progress, self._cancel)
        except CancelledError:
            self.cancelled.emit()
            return
        except ZiyaError as exc:
            # A job that was asked to stop may end with the error its interrupted step raised: that is a cancel.
            if self._cancel.is_set():
                self.cancelled.emit()
            else:
                self.failed.emit(str(exc), exc.hint)
            return
        except Exception as exc:  # a bug: the writer still gets a message, the log gets the traceback
            if self._cancel.is_set():
                log.info("job %s ended after cancel with %s: %s", self.objectName(), type(exc).__name__, exc)
                self.cancelled.emit()
                return
            log.exception("job %s failed unexpectedly", self.objectName())
            self.failed.emit(f"unexpected error: {type(exc).__name__}: {exc}", _UNEXPECTED_HINT)
            return
        self.succeeded.emit(result)


class JobRunner(QObject):
    """Runs one job at a time in a worker thread.

    Signals (all delivered on the GUI thread):
        started(): :meth:`start` began a job.
        progress(JobProgress): the job reported progress (at most about ten times a second, every stage change).
        succeeded(object): the job returned; its result.
        failed(str, str): the job raised; message and hint for the writer.
        cancelled(): the job stopped because :meth:`cancel` was called; it left nothing half-made behind.
        ended(): after exactly one of ``succeeded``, ``failed`` and ``cancelled``; the runner is free again.

    Call :meth:`shutdown` before the owner is destroyed: a running QThread that is destroyed aborts the process.
    """

    started = Signal()
    progress = Signal(JobProgress)
    succeeded = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()
    ended = Signal()

    def __init__(self, name: str = "ZiyaJob", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._thread: _JobThread | None = None
        self._cancel = threading.Event()

    @property
    def running(self) -> bool:
        """True from :meth:`start` until ``ended``."""
        return self._thread is not None

    def start(self, job: Job) -> bool:
        """Run ``job(progress, cancel)`` in a worker thread; False (and nothing started) while another runs."""
        if self._thread is not None:
            return False
        self._cancel = threading.Event()
        thread = _JobThread(job, self._cancel, self._name, self)
        thread.progressed.connect(self.progress)
        thread.succeeded.connect(self.succeeded)
        thread.failed.connect(self.failed)
        thread.cancelled.connect(self.cancelled)
        # QThread.finished comes after run() returned, so after the result signals: the runner is free then.
        thread.finished.connect(self._finished)
        self._thread = thread
        thread.start()
        self.started.emit()
        return True

    def cancel(self) -> None:
        """Ask the running job to stop; ``cancelled`` follows once it has cleaned up (returns at once)."""
        self._cancel.set()

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until the job's thread ended (``timeout_ms`` < 0: no limit); True when it has."""
        thread = self._thread
        if thread is None:
            return True
        return thread.wait() if timeout_ms < 0 else thread.wait(timeout_ms)

    def shutdown(self) -> None:
        """Cancel the job and join its thread (never terminates it); for close events and application exit."""
        thread = self._thread
        if thread is None:
            return
        self.cancel()
        thread.wait()

    def _finished(self) -> None:
        thread = self._thread
        self._thread = None
        if thread is not None:
            thread.deleteLater()
        self.ended.emit()


def format_time_left(seconds: float | None) -> str:
    """ "about 3 min left", translated; empty while there is no estimate."""
    if seconds is None:
        return ""
    s = round(seconds)
    context = "JobProgressPanel"
    if s < 60:
        return QCoreApplication.translate(context, "about {seconds} s left").format(seconds=max(s, 1))
    if s < 3600:
        return QCoreApplication.translate(context, "about {minutes} min left").format(minutes=(s + 59) // 60)
    return QCoreApplication.translate(context, "about {hours} h {minutes} min left").format(
        hours=s // 3600, minutes=(s % 3600) // 60
    )


class JobProgressPanel(QWidget):
    """What a :class:`JobRunner` is doing: the stage, a progress bar, the time left and Cancel; then the outcome.

    The panel follows the runner by itself: progress updates it, Cancel cancels, and ``failed`` or ``cancelled``
    replace the bar by a line that says so. The owner calls :meth:`begin` when it starts a job and
    :meth:`show_result` for outcomes it words itself (a success, a refusal before any job started).
    """

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobProgress")
        self.runner = runner
        self.stage_label = QLabel(self)
        self.stage_label.setWordWrap(True)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setFormat("%p%")
        self.time_label = QLabel(self)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.cancel)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("jobResult")
        self.result_label.setWordWrap(True)
        self.running_box = QWidget(self)
        row = QHBoxLayout()
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.time_label)
        row.addWidget(self.cancel_button)
        running = QVBoxLayout(self.running_box)
        running.setContentsMargins(0, 0, 0, 0)
        running.addWidget(self.stage_label)
        running.addLayout(row)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.running_box)
        column.addWidget(self.result_label)
        self.running_box.hide()
        self.result_label.hide()
        runner.progress.connect(self._progress)
        runner.succeeded.connect(lambda _r: self.running_box.hide())
        runner.failed.connect(self._failed)
        runner.cancelled.connect(self._cancelled)
        self.retranslate()

    def retranslate(self) -> None:
        """Set the fixed texts in the current UI language (a job's stage and result keep their words)."""
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def begin(self, title: str) -> None:
        """Show ``title`` with an empty bar and an enabled Cancel (call when starting a job)."""
        self.result_label.hide()
        self.stage_label.setText(title)
        self.progress_bar.setValue(0)
        self.time_label.clear()
        self.cancel_button.setEnabled(True)
        self.running_box.show()

    def cancel(self) -> None:
        """Cancel the runner's job; the panel says so until ``cancelled`` arrives."""
        if self.runner.running:
            self.cancel_button.setEnabled(False)
            self.stage_label.setText(self.tr("Cancelling…"))
            self.runner.cancel()

    def show_result(self, message: str, hint: str = "", *, error: bool = False) -> None:
        """Replace the bar by ``message`` (and ``hint`` on the next line); red when ``error``."""
        self.running_box.hide()
        hint = localized_hint(hint)
        self.result_label.setText(f"{message}\n{hint}" if hint else message)
        self.result_label.setStyleSheet("color: #c0392b;" if error else "")
        self.result_label.show()

    def _progress(self, report: JobProgress) -> None:
        if not self.cancel_button.isEnabled():
            return
        self.stage_label.setText(report.message)
        self.progress_bar.setValue(round(report.fraction * 1000))
        self.time_label.setText(format_time_left(report.seconds_left))

    def _failed(self, message: str, hint: str) -> None:
        self.show_result(self.tr("Failed: {message}").format(message=message), hint, error=True)

    def _cancelled(self) -> None:
        self.show_result(self.tr("Cancelled. Nothing half-made was left behind."))


__all__ = ["Job", "JobProgressPanel", "JobRunner", "format_time_left"]
