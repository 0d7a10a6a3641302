"""The app killed at random moments of a generation: the child that is killed, and the parent side that launches
it, reads what it reports and kills it (used by :func:`benchmarks.bench_recovery.measure_kill_recovery`).

    python -m benchmarks.fuzz_kill_timing MODEL DOC stream|final      (one start; the parent runs it)

A start restores what the recovery dialog offers (or opens ``DOC`` when no journal was left), prints the text it
starts from, then, unless ``final``, loads ``MODEL``, continues the document at its end and saves it every
``SAVE_INTERVAL_MS`` until it is killed; the ``final`` start quits cleanly after restoring. It prints one JSON
event a line: ``up`` (the window is shown), ``dialog``, ``start``, ``generate``, ``text`` (every change of the
text, with its SHA-256 and the tokens streamed so far), ``save`` (a save begins: the text's hash) and ``saved``
(it returned: the file's hash). The model is paced: each streamed token is delayed ``TOKEN_DELAY_S``.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN_DELAY_S = 0.015  # about 60 tokens/s: a fast GPU's pace for a 13B model (the tiny model writes thousands)
# A save makes the document unmodified, which drops its journal until the next change is a second old: saves far
# apart, as a writer makes them, leave the journal to do its work in between.
SAVE_INTERVAL_MS = 1500
KILL_AFTER_S = (0.3, 2.2)  # a kill comes this long after the stream began (uniform), or at the next save after it
START_TIMEOUT_S = 180.0


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _emit(event: str, **values: object) -> None:
    print(json.dumps({"ev": event, "t": time.time(), **values}, ensure_ascii=False), flush=True)


def _pace_the_model() -> list[int]:
    """Delay every streamed token by TOKEN_DELAY_S; returns the counter of tokens streamed so far."""
    from ziya_desktop.engine.engine import Engine

    streamed = [0]
    original = Engine.stream

    def paced(self: Engine, *args: Any, **kwargs: Any) -> Any:
        for piece in original(self, *args, **kwargs):
            time.sleep(TOKEN_DELAY_S)
            streamed[0] += 1
            yield piece

    Engine.stream = paced  # type: ignore[method-assign]
    return streamed


def _stream_and_save(window: Any, tab: Any, model: Path, streamed: list[int]) -> None:
    """Report every change of ``tab``'s text, continue it with ``model``, and save it every SAVE_INTERVAL_MS."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QTextCursor

    from ziya_desktop.engine.engine import LoadOptions

    cursor = tab.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    tab.editor.setTextCursor(cursor)

    def changed() -> None:
        text = tab.text()
        _emit("text", sha=text_sha(text), chars=len(text), tokens=streamed[0])

    def save() -> None:
        if tab.modified and tab.path is not None:
            _emit("save", sha=text_sha(tab.text()))
            ok = window.files.save(tab)
            _emit("saved", ok=ok, file=hashlib.sha256(Path(tab.path).read_bytes()).hexdigest())

    def generate(_report: object) -> None:
        _emit("generate")
        window.writing.continue_writing()
        timer.start()

    tab.editor.document().contentsChanged.connect(changed)
    timer = QTimer(window)
    timer.setInterval(SAVE_INTERVAL_MS)
    timer.timeout.connect(save)
    window.writing.load_options = LoadOptions(threads=1)
    window.engine.loaded.connect(generate)
    window.writing.load_model(model)


def _drive_kill_trial(model: Path, doc: Path, final: bool) -> int:
    """One start of the kill trials: restore what the recovery dialog offers (or open ``doc``), report the text,
    then stream and save until killed; the ``final`` start quits after restoring."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ziya_desktop import paths
    from ziya_desktop.app import run_gui
    from ziya_desktop.documents.journal import list_journals
    from ziya_desktop.engine.sampling import MODEL_CARD
    from ziya_desktop.ui.common.settings import settings
    from ziya_desktop.ui.files.recovery_dialog import RecoveryDialog
    from ziya_desktop.ui.generation.writing_commands import MODEL_PATH_KEY, SAMPLING_KEY
    from ziya_desktop.ui.shell.main_window import MainWindow

    streamed = _pace_the_model()
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(MODEL_CARD.with_(ignore_eos=True, max_tokens=1800, seed=11))))
    settings().setValue(MODEL_PATH_KEY, "")  # the trial loads the model itself, after the recovery
    expect_dialog = bool(list_journals(paths.journal_dir()))
    app = QApplication([sys.argv[0]])
    deadline = time.monotonic() + 30.0
    shown: list[bool] = []

    def proceed(window: MainWindow, tab: Any) -> None:
        text = tab.text()
        _emit("start", sha=text_sha(text), chars=len(text))
        if final:
            window.ask_unsaved = lambda _tab: QMessageBox.StandardButton.Discard  # type: ignore[method-assign,assignment]
            window.close()
        else:
            _stream_and_save(window, tab, model, streamed)

    def poll() -> None:
        window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        if not shown:
            shown.append(True)
            _emit("up")  # the window is shown and start_recovery has begun its scan
        dialog = window.findChild(RecoveryDialog)
        if not expect_dialog:
            proceed(window, window.files.open_path(doc))
        elif dialog is not None and dialog.isVisible():
            _emit("dialog", names=[d.name for d in dialog.recovered()], details=dialog.details.text())
            dialog.restore_button.click()
            proceed(window, window.current_tab())
        elif time.monotonic() < deadline:
            QTimer.singleShot(5, poll)
        else:
            _emit("error", what="no recovery dialog although journals were left")
            app.exit(3)

    QTimer.singleShot(0, poll)
    return run_gui([sys.argv[0]])


@dataclass
class Run:
    """What one start of the app reported, and the file as the kill left it."""

    launched: float
    events: list[dict[str, Any]] = field(default_factory=list)
    killed_at: float = 0.0
    aimed_mid_save: bool = False
    file_after: bytes = b""
    temps_left: int = 0

    def first(self, event: str) -> dict[str, Any] | None:
        return next((e for e in self.events if e["ev"] == event), None)

    def states(self) -> list[tuple[float, str]]:
        """Every text the editor showed, in order: the one it started from, then each change."""
        return [(e["t"], e["sha"]) for e in self.events if e["ev"] in ("start", "text")]

    def save_in_flight(self) -> str | None:
        """The text hash of a save that began and had not returned when the process died."""
        saves = [e for e in self.events if e["ev"] in ("save", "saved")]
        return saves[-1]["sha"] if saves and saves[-1]["ev"] == "save" else None


def _read_events(proc: subprocess.Popen[str], run: Run, kill_at: float | None, timeout_s: float, home: Path) -> None:
    """Collect the child's events; kill it at ``kill_at`` seconds into the stream (at the next save, if aimed)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    stream_began: float | None = None
    while True:
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(
                f"a kill trial did not reach its kill in {timeout_s:.0f} s: {run.events[-3:]}; {_log_tail(home)}"
            )
        timed = kill_at is not None and stream_began is not None and not run.aimed_mid_save
        if timed and time.time() >= stream_began + kill_at:  # type: ignore[operator]
            break
        ready, _, _ = select.select([proc.stdout], [], [], 0.02)
        if not ready:
            continue
        line = proc.stdout.readline()
        if not line:
            return
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        run.events.append(event)
        if event["ev"] == "error":
            raise RuntimeError(f"a kill trial failed: {event}")
        if event["ev"] == "text" and stream_began is None and run.first("generate") is not None:
            stream_began = event["t"]
        aimed = run.aimed_mid_save and kill_at is not None and stream_began is not None
        if aimed and event["ev"] == "save" and event["t"] >= stream_began + kill_at:  # type: ignore[operator]
            break
    os.kill(proc.pid, signal.SIGKILL)
    run.killed_at = time.time()
    run.events += [json.loads(ln) for ln in proc.stdout.read().splitlines() if ln.startswith("{")]


def _log_tail(home: Path) -> str:
    log = home / "logs" / "ziya-desktop.log"
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log"
    return " | ".join(ln[-300:] for ln in lines[-12:] if "llama.cpp" not in ln)


def launch(model: Path, doc: Path, env: dict[str, str], *, final: bool, rng: random.Random, aim: bool) -> Run:
    command = [sys.executable, "-m", "benchmarks.fuzz_kill_timing", str(model), str(doc)]
    temps_before = set(doc.parent.glob(".*.ziya-tmp"))
    run = Run(time.time(), aimed_mid_save=aim)
    err = doc.parent / "trial-stderr.txt"
    with err.open("ab") as stderr:
        proc = subprocess.Popen(
            [*command, "final" if final else "stream"], stdout=subprocess.PIPE, stderr=stderr, text=True, env=env
        )
    try:
        _read_events(proc, run, None if final else rng.uniform(*KILL_AFTER_S), START_TIMEOUT_S, Path(env["ZIYA_HOME"]))
    finally:
        if proc.poll() is None and final:
            proc.wait(timeout=60)
        elif proc.poll() is None:
            proc.kill()
        proc.wait(timeout=60)
        if proc.stdout is not None:
            proc.stdout.close()
    if final and proc.returncode != 0:
        raise RuntimeError(f"the last recovery start failed ({proc.returncode}); see {err}")
    run.file_after = doc.read_bytes()
    run.temps_left = len(set(doc.parent.glob(".*.ziya-tmp")) - temps_before)  # a later start removes old ones
    return run


if __name__ == "__main__":
    sys.exit(_drive_kill_trial(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "final"))
