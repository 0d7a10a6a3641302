"""Robustness report: kill trials of the atomic save, fuzzing of every reader of outside files, and SIGKILLs of the
real app in the middle of a generation.

    python -m benchmarks.robustness_report [--quick] [--trials 200] [--fuzz 1000] [--readers R ...] [--workers 2]
        [--kill-trials 20] [--model M.gguf | --no-app] [--findings DIR] [--json]

1. Kill trials of the save: a child process saves a 4 MiB document over and over (``atomic_write_bytes``) and is
   killed with SIGKILL at a random moment; after each kill the file must be one complete version, never torn or
   empty, and never older than a version seen on disk before; kills that landed inside a save (its temp file was
   left) are counted.
2. Fuzzing (``benchmarks.fuzz_campaign``): the GGUF check and then llama.cpp's load of what it accepted, the torch
   pickle reader, the safetensors reader, config.json and the weights index, the tokenizer files, template TOML,
   the model catalog, the journal, the model library's index and the front matter of documents. Each mutated input
   runs in a worker process under a timeout, coverage-guided; per reader: inputs, accepted, refused with the
   reader's own error, unexpected exceptions, hangs and crashes, with every failing input saved (``--findings``,
   default a new folder under /tmp/ziya-fuzz-findings). The unmutated seeds are run and reported apart. A planted
   reader that crashes, hangs and raises proves the harness counts each.
3. App kills (``benchmarks.bench_recovery.measure_kill_recovery``): ``--kill-trials`` SIGKILLs of the app while a
   paced model streams into a document that is saved every 1.5 s; loss window and time to the recovery dialog
   (p95, max) against 2 s, the recovered text compared by hash with what the editor showed, the saved file checked
   for completeness and rollback, kills that landed mid-save counted.

The tiny test checkpoint is converted to a Q4_K_M GGUF in a temp folder first (the GGUF seed, and the app's model
without ``--model``). ``measure_robustness`` returns all of it as figures (``run_all`` calls it). The tests use
these functions (tests/test_kill_save.py, tests/test_robustness.py; ``measure_recovery_loss``, one kill with the
older single measure, for tests/test_crash_recovery.py; ``fuzz_journal_reader`` for tests/test_journal.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.bench_recovery import KILL_TRIALS, kill_recovery_figures, measure_kill_recovery, tiny_model
from benchmarks.fuzz_campaign import (
    ReaderReport,
    fuzz_all,
    fuzz_figures,
    fuzz_journal_reader,
    summary_lines,
    write_manifest,
)
from benchmarks.fuzz_targets import TARGETS, Kit
from ziya_desktop.bench import Figure, figure, figures_json, format_table

__all__ = ["fuzz_journal_reader", "measure_recovery_loss", "measure_robustness", "run_kill_trials"]

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT_BYTES = 4 << 20
SEED_TEXT = "关于召开年度工作会议的通知\n\n各部门：\n"
# The tiny model writes thousands of tokens a second; the app is driven at a large model's pace (about 60 tokens
# a second) so that a kill lands in the middle of a stream, as it would with a 13B model.
TOKEN_DELAY_S = 0.015
PRINT_INTERVAL_MS = 100

# A child that saves version after version of a document until it is killed. It is forked by a small server so
# that a trial costs a fork, not an interpreter start; the server itself never writes the document.
_KILL_SERVER = r"""
import os, sys
from pathlib import Path
from ziya_desktop.atomic_write import atomic_write_bytes

target, size = Path(sys.argv[1]), int(sys.argv[2])

def version(n):
    head = f"version {n:010d}\n".encode()
    unit = f"{n:010d} 第{n}版 ".encode()
    body = (unit * (size // len(unit) + 1))[: size - len(head)]
    return head + body

atomic_write_bytes(target, version(0))
print("ready", flush=True)
for line in sys.stdin:
    first = int(line)
    pid = os.fork()
    if pid == 0:
        n = first
        while True:
            atomic_write_bytes(target, version(n))
            n += 1
    print(pid, flush=True)
    os.waitpid(pid, 0)
    print("reaped", flush=True)
"""


def document_version(n: int, size: int = DOCUMENT_BYTES) -> bytes:
    """Version ``n`` of the kill-trial document (the same bytes the saving child writes)."""
    head = f"version {n:010d}\n".encode()
    unit = f"{n:010d} 第{n}版 ".encode()
    body = (unit * (size // len(unit) + 1))[: size - len(head)]
    return head + body


def complete_version(data: bytes, size: int = DOCUMENT_BYTES) -> int | None:
    """The version number when ``data`` is exactly one complete version, else None (torn, empty, mixed)."""
    if len(data) != size or not data.startswith(b"version "):
        return None
    try:
        n = int(data[8:18])
    except ValueError:
        return None
    return n if data == document_version(n, size) else None


@dataclass
class KillTrials:
    trials: int = 0
    lost: int = 0  # the file was not one complete version after a kill
    changed: int = 0  # the kill came after at least one save completed in that trial
    rolled_back: int = 0  # the file held an older version than it had before (in this trial or an earlier one)
    mid_save: int = 0  # the kill landed inside a save: the save's temp file was left behind
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def run_kill_trials(
    folder: Path, trials: int = 200, *, size: int = DOCUMENT_BYTES, seed: int = 20261125, max_delay_s: float = 0.25
) -> KillTrials:
    """Kill a saving child ``trials`` times at random moments; check the document after every kill.

    Returns:
        The count of trials, of documents lost (not one complete version), of files that went back to an older
        version than one seen before, of kills that landed inside a save (it had created its temp file and not
        yet renamed it) and of trials in which the file moved on to a newer version; ``problems`` describes each
        loss and rollback.
    """
    rng = random.Random(seed)
    target = folder / "报告.md"
    result = KillTrials()
    started = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [sys.executable, "-c", _KILL_SERVER, str(target), str(size)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the saving process did not start")
        newest = complete_version(target.read_bytes(), size) or 0
        for trial in range(trials):
            before = complete_version(target.read_bytes(), size)
            server.stdin.write(f"{(trial + 1) * 1_000_000}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            time.sleep(rng.uniform(0.0, max_delay_s))
            os.kill(pid, signal.SIGKILL)
            if server.stdout.readline().strip() != "reaped":
                raise RuntimeError("the saving process did not report the killed child")
            after = complete_version(target.read_bytes(), size)
            result.trials += 1
            if after is None:
                result.lost += 1
                result.problems.append(f"trial {trial}: the document is not one complete version")
            elif after < newest or (before is not None and after < before):
                result.rolled_back += 1
                result.problems.append(f"trial {trial}: version {after} after version {newest} had been on disk")
            elif after != before:
                result.changed += 1
            newest = max(newest, after or 0)
            # A killed save leaves its hidden temp file (start-up removes those); 200 of 4 MiB would fill the disk.
            leftovers = list(folder.glob(".*.ziya-tmp"))
            result.mid_save += bool(leftovers)
            for leftover in leftovers:
                leftover.unlink()
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    result.seconds = time.perf_counter() - started
    return result


# -- the crash loss window -------------------------------------------------------------------------------------------


@dataclass
class LossMeasurement:
    loss_s: float = 0.0
    chars_at_kill: int = 0
    recovered_chars: int = 0
    streamed_before_kill_s: float = 0.0
    recovered_prefix_ok: bool = False
    details: str = ""
    samples: list[tuple[float, int]] = field(default_factory=list)


def _app_env(home: Path) -> dict[str, str]:
    return dict(os.environ, ZIYA_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))


def _drive_generation(model: Path) -> int:
    """Start the app, load ``model`` (one thread), continue a document and print its length every 100 ms."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ziya_desktop.app import run_gui
    from ziya_desktop.engine.engine import Engine, LoadOptions
    from ziya_desktop.engine.sampling import MODEL_CARD
    from ziya_desktop.ui.common.settings import settings
    from ziya_desktop.ui.generation.writing_commands import SAMPLING_KEY
    from ziya_desktop.ui.shell.main_window import MainWindow

    original = Engine.stream

    def paced(self: Engine, *args: object, **kwargs: object) -> object:
        for piece in original(self, *args, **kwargs):  # type: ignore[arg-type]
            time.sleep(TOKEN_DELAY_S)
            yield piece

    Engine.stream = paced  # type: ignore[assignment,method-assign]
    sampling = MODEL_CARD.with_(ignore_eos=True, max_tokens=1800, seed=11)
    settings().setValue(SAMPLING_KEY, json.dumps(asdict(sampling)))
    app = QApplication([sys.argv[0]])  # run_gui takes this one over

    def drive() -> None:
        window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        window.writing.load_options = LoadOptions(threads=1)
        tab = window.current_tab()
        assert tab is not None
        tab.editor.insertPlainText(SEED_TEXT)
        window.engine.loaded.connect(lambda _report: window.writing.continue_writing())
        window.writing.load_model(model)

        def report() -> None:
            print(json.dumps({"t": time.time(), "chars": len(tab.text()), "busy": window.generation.busy}), flush=True)

        timer = QTimer(window)
        timer.setInterval(PRINT_INTERVAL_MS)
        timer.timeout.connect(report)
        timer.start()

    QTimer.singleShot(0, drive)
    return run_gui([sys.argv[0]])


def _drive_recovery(out: Path) -> int:
    """Start the app; restore what its recovery dialog offers; write the result to ``out``; quit cleanly."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ziya_desktop import paths
    from ziya_desktop.app import run_gui
    from ziya_desktop.documents.journal import list_journals
    from ziya_desktop.ui.files.recovery_dialog import RecoveryDialog
    from ziya_desktop.ui.shell.main_window import MainWindow

    # The journals are scanned on a worker thread: wait for the dialog (a fixed wait loses the race on a busy machine).
    deadline = time.monotonic() + (30.0 if list_journals(paths.journal_dir()) else 0.2)
    app = QApplication([sys.argv[0]])

    def drive() -> None:
        window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        dialog = window.findChild(RecoveryDialog)
        if (dialog is None or not dialog.isVisible()) and time.monotonic() < deadline:
            QTimer.singleShot(10, drive)
            return
        result: dict[str, object] = {"dialog": dialog is not None}
        if dialog is not None:
            result["names"] = [d.name for d in dialog.recovered()]
            result["details"] = dialog.details.text()
            dialog.restore_button.click()
        tab = window.current_tab()
        result["text"] = tab.text() if tab is not None else ""
        result["modified"] = bool(tab is not None and tab.modified)
        out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        window.ask_unsaved = lambda _tab: QMessageBox.StandardButton.Discard  # type: ignore[assignment,method-assign]
        window.close()

    QTimer.singleShot(0, drive)
    return run_gui([sys.argv[0]])


def measure_recovery_loss(
    model: Path, home: Path, *, stream_for_s: float = 2.5, seed: int = 3, timeout_s: float = 120.0
) -> LossMeasurement:
    """Kill the app with SIGKILL after ``stream_for_s`` (+ up to 1 s at random) of streaming; recover; measure.

    Returns:
        The loss window (seconds between the kill and the newest printed moment whose text the recovered document
        still covers), the lengths at the kill and recovered, whether the recovered text continues the seed text,
        and the recovery dialog's description of the document.

    Raises:
        RuntimeError: the app exited, stopped streaming, or the recovery start failed.
    """
    rng = random.Random(seed)
    env = _app_env(home)
    cmd = [sys.executable, "-m", "benchmarks.robustness_report", "_drive-generation", str(model)]
    app = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert app.stdout is not None
    measurement = LossMeasurement()
    deadline = time.monotonic() + timeout_s
    stream_started: float | None = None
    kill_after = stream_for_s + rng.uniform(0.0, 1.0)
    killed_at = 0.0
    try:
        while True:
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not stream in time")
            ready, _, _ = select.select([app.stdout], [], [], 1.0)
            if not ready:
                continue
            line = app.stdout.readline()
            if not line:
                raise RuntimeError(f"the app exited before it was killed (status {app.wait()})")
            if not line.startswith("{"):
                continue
            sample = json.loads(line)
            measurement.samples.append((float(sample["t"]), int(sample["chars"])))
            if not sample["busy"]:
                if stream_started is not None:
                    raise RuntimeError("the generation ended before the kill; raise max_tokens")
                continue
            stream_started = stream_started if stream_started is not None else float(sample["t"])
            if float(sample["t"]) - stream_started >= kill_after:
                killed_at = time.time()
                os.kill(app.pid, signal.SIGKILL)
                break
    finally:
        if app.poll() is None and killed_at == 0.0:
            app.kill()
        app.wait(timeout=30)
    assert stream_started is not None
    measurement.streamed_before_kill_s = killed_at - stream_started
    measurement.chars_at_kill = measurement.samples[-1][1]

    out = home / "recovered.json"
    recover = [sys.executable, "-m", "benchmarks.robustness_report", "_drive-recovery", str(out)]
    done = subprocess.run(recover, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"the recovery start failed ({done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(out.read_text(encoding="utf-8"))
    text = str(result["text"])
    measurement.recovered_chars = len(text)
    measurement.recovered_prefix_ok = bool(result["dialog"]) and text.startswith(SEED_TEXT) and bool(result["modified"])
    measurement.details = str(result.get("details", ""))
    covered = [t for t, chars in measurement.samples if chars <= measurement.recovered_chars]
    newest = max(covered) if covered else measurement.samples[0][0]
    measurement.loss_s = max(0.0, killed_at - newest)
    return measurement


# -- the report ------------------------------------------------------------------------------------------------------


@dataclass
class Sizes:
    """How much of everything a run does: full size (``make bench``) or ``quick`` (the tests)."""

    trials: int = 200
    fuzz: int = 1000
    kill_trials: int = KILL_TRIALS
    workers: int = 2

    @classmethod
    def quick(cls) -> Sizes:
        return cls(trials=10, fuzz=25, kill_trials=2, workers=2)


def kill_figures(kills: KillTrials) -> list[Figure]:
    g = f"kill trials: SIGKILL at random moments of a loop saving a {DOCUMENT_BYTES >> 20} MiB document"
    return [
        figure(g, "kill trials", kills.trials, "trials"),
        figure(g, "document lost (not one complete version)", kills.lost, "trials", "= 0", kills.lost == 0),
        figure(
            g, "document rolled back to an older version", kills.rolled_back, "trials", "= 0", not kills.rolled_back
        ),
        figure(g, "kills that landed mid-save (temp file left)", kills.mid_save, "trials"),
        figure(g, "the newer version had landed", kills.changed, "trials"),
    ]


def measure_robustness(
    work: Path | None = None,
    *,
    sizes: Sizes | None = None,
    model: Path | None = None,
    readers: list[str] | None = None,
    findings: Path | None = None,
    app: bool = True,
) -> tuple[list[Figure], list[ReaderReport]]:
    """Everything the report measures, as figures (for ``run_all``) and the fuzzing's per-reader reports.

    Args:
        work: where the temporary files go (default: the system's temp folder).
        sizes: :class:`Sizes` (default: full size; ``Sizes.quick()`` for a smoke test).
        model: the GGUF the app kill trials stream from (default: the tiny checkpoint converted here).
        readers: the fuzz targets (default: every reader, see ``benchmarks.fuzz_targets.TARGETS``).
        findings: where failing fuzz inputs are saved (default: :func:`default_findings`; the folder is made only
            when an input fails).
        app: run the kill trials of the real app mid-generation (``bench_recovery.measure_kill_recovery``).

    Raises:
        RuntimeError: a child process of a trial failed, or the fuzz workers could not start.
    """
    sizes = sizes or Sizes()
    findings = findings or default_findings()
    with tempfile.TemporaryDirectory(prefix="ziya-robustness-", dir=work) as tmp:
        folder = Path(tmp)
        _step(f"{sizes.trials} kill trials of the 4 MiB save")
        figures = kill_figures(run_kill_trials(folder, sizes.trials))
        tiny = tiny_model(folder)  # the fuzzing's GGUF seed, whatever model the app kills stream from
        names = readers if readers is not None else list(TARGETS)
        _step(f"fuzzing {len(names)} readers, {sizes.fuzz} inputs each (× weight), {sizes.workers} workers")
        reports, _planted, planted_ok, _restarts = fuzz_all(
            names, sizes.fuzz, workers=sizes.workers, scratch=folder / "fuzz", kit=Kit(gguf=tiny), findings=findings
        )
        figures += fuzz_figures(reports, planted_ok)
        failing = sum(f.count for r in reports for f in r.findings)
        if failing:
            _step(f"{failing} failing fuzz inputs; examples saved under {findings}")
        if app and sizes.kill_trials > 0:
            _step(f"{sizes.kill_trials} SIGKILLs of the app mid-generation")
            trials = measure_kill_recovery(model or tiny, sizes.kill_trials, work=folder)
            figures += kill_recovery_figures(trials)
    return figures, reports


def default_findings() -> Path:
    """A new folder under the temp folder for this run's failing fuzz inputs (``ziya-fuzz-findings/<time>``)."""
    return Path(tempfile.gettempdir()) / "ziya-fuzz-findings" / time.strftime("%Y%m%d-%H%M%S")


def _step(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["_drive-generation"]:
        return _drive_generation(Path(args[1]))
    if args[:1] == ["_drive-recovery"]:
        return _drive_recovery(Path(args[1]))
    full = Sizes()
    parser = argparse.ArgumentParser(prog="robustness_report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes everywhere (a smoke test, not figures)")
    parser.add_argument("--trials", type=int, default=None, help=f"SIGKILLs of the 4 MiB save ({full.trials})")
    parser.add_argument("--fuzz", type=int, default=None, help=f"mutated inputs per reader ({full.fuzz}; × weight)")
    parser.add_argument("--readers", nargs="+", default=None, choices=list(TARGETS), help="fuzz only these")
    parser.add_argument("--workers", type=int, default=None, help=f"fuzz worker processes ({full.workers})")
    parser.add_argument("--kill-trials", type=int, default=None, help=f"SIGKILLs of the app ({full.kill_trials})")
    parser.add_argument("--model", type=Path, default=None, help="GGUF for the app kills (default: tiny model)")
    parser.add_argument("--no-app", action="store_true", help="skip the app kill trials")
    parser.add_argument("--findings", type=Path, default=None, help="folder for failing inputs (default: in /tmp)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    opts = parser.parse_args(args)
    sizes = Sizes.quick() if opts.quick else Sizes()
    for name in ("trials", "fuzz", "workers", "kill_trials"):
        if getattr(opts, name) is not None:
            setattr(sizes, name, getattr(opts, name))
    findings = opts.findings or default_findings()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    figures, reports = measure_robustness(
        sizes=sizes, model=opts.model, readers=opts.readers, findings=findings, app=not opts.no_app
    )
    manifest = write_manifest(reports, findings) if any(r.findings for r in reports) else None
    seconds = round(time.perf_counter() - started, 1)
    if opts.json:
        readers_json = [r.as_json() for r in reports]
        print(figures_json(figures, seconds=seconds, findings=str(manifest or ""), readers=readers_json))
        return 0
    print(format_table(figures))
    print()
    print("\n".join(summary_lines(reports)))
    print(f"\n{seconds} s; failing inputs: {manifest or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
