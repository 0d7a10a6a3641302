"""Robustness report: kill trials of the atomic save, fuzzing of the journal reader, and the crash loss window.

    python -m benchmarks.robustness_report [--trials 200] [--fuzz 5000] [--model M.gguf | --no-app] [--json]

Prints three figures:

- kill trials run and documents lost: a child process saves a 4 MiB document over and over and is killed with
  SIGKILL at a random moment; after each kill the file must be one complete version (never torn, never empty);
- fuzz inputs tried and failures: random bytes and damaged journals fed to the journal reader, which must either
  parse them or refuse them with ``JournalFormatError`` (anything else is a failure);
- recovery loss window measured: the real app (``ziya_desktop.app.run_gui``, offscreen, ``ZIYA_HOME`` in a temp
  folder) streams a generation into a document and is killed with SIGKILL mid-stream; a second start recovers the
  document, and the loss is the time between the kill and the newest moment whose text the recovery still holds.

Without ``--model`` the tiny test checkpoint is converted to a Q4_K_M GGUF in a temp folder first. The tests use
these same functions (tests/test_kill_save.py, tests/test_crash_recovery.py).
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
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def run_kill_trials(
    folder: Path, trials: int = 200, *, size: int = DOCUMENT_BYTES, seed: int = 20261125, max_delay_s: float = 0.25
) -> KillTrials:
    """Kill a saving child ``trials`` times at random moments; check the document after every kill.

    Returns:
        The count of trials, of documents lost (not one complete version) and of trials in which the file moved
        on to a newer version; ``problems`` describes each loss.
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
            elif after != before:
                result.changed += 1
            # A killed save leaves its hidden temp file (start-up removes those); 200 of 4 MiB would fill the disk.
            for leftover in folder.glob(".*.ziya-tmp"):
                leftover.unlink()
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    result.seconds = time.perf_counter() - started
    return result


# -- fuzzing the journal reader --------------------------------------------------------------------------------------


@dataclass
class FuzzResult:
    tried: int = 0
    refused: int = 0
    parsed: int = 0
    failures: list[str] = field(default_factory=list)


def _valid_journal(rng: random.Random) -> bytes:
    from ziya_desktop.documents.journal import GenerationInfo, JournalEntry, SavedFileState, encode_entry

    text = "".join(rng.choice("年度工作会议通知。\n🎉abc\x00\u200b") for _ in range(rng.randrange(0, 60)))
    entry = JournalEntry(
        document_id=f"{rng.getrandbits(128):032x}",
        title="Untitled 1",
        path=Path("/tmp/报告.md") if rng.random() < 0.5 else None,
        saved=SavedFileState(10, 123, "ab" * 32) if rng.random() < 0.5 else None,
        text=text,
        cursor=rng.randrange(0, 100),
        written_at=time.time(),
        pid=1234,
        generation=GenerationInfo("/m/ziya.gguf", {"temperature": 0.85}) if rng.random() < 0.5 else None,
    )
    return encode_entry(entry)


def fuzz_journal_reader(inputs: int = 5000, *, seed: int = 7) -> FuzzResult:
    """Feed random and damaged journals to ``decode_entry``: each must parse or raise ``JournalFormatError``."""
    from ziya_desktop.documents.journal import JournalFormatError, decode_entry

    rng = random.Random(seed)
    result = FuzzResult()
    for i in range(inputs):
        valid = _valid_journal(rng)
        kind = i % 5
        if kind == 0:
            data = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 200)))
        elif kind == 1:
            data = valid[: rng.randrange(0, len(valid))]
        elif kind == 2:
            mutable = bytearray(valid)
            for _ in range(rng.randrange(1, 8)):
                mutable[rng.randrange(len(mutable))] = rng.getrandbits(8)
            data = bytes(mutable)
        elif kind == 3:
            body = json.loads(valid)
            key = rng.choice(sorted(body))
            body[key] = rng.choice([None, True, -1, 1.5, "x", [], {}, "\ud800", 10**30])
            data = json.dumps(body).encode()
        else:
            data = b"[" * rng.randrange(1000, 200_000) if rng.random() < 0.1 else valid
        result.tried += 1
        try:
            decode_entry(data)
        except JournalFormatError:
            result.refused += 1
        except Exception as exc:  # noqa: BLE001  (any other exception is exactly the failure being counted)
            result.failures.append(f"input {i} (kind {kind}): {type(exc).__name__}: {exc}")
        else:
            result.parsed += 1
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

    from ziya_desktop.app import run_gui
    from ziya_desktop.ui.files.recovery_dialog import RecoveryDialog
    from ziya_desktop.ui.shell.main_window import MainWindow

    app = QApplication([sys.argv[0]])

    def drive() -> None:
        window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        dialog = window.findChild(RecoveryDialog)
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

    QTimer.singleShot(200, drive)
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


def _tiny_model(folder: Path) -> Path:
    from converters.hf_to_gguf import convert
    from ziya_desktop.engine.llama_api import ensure_backend

    ensure_backend()  # routes the quantizer's log into logging instead of the report's output
    out = folder / "tiny-q4_k_m.gguf"
    convert(ROOT / "tests" / "data" / "tiny_ziya", out, "q4_k_m", threads=1)
    return out


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["_drive-generation"]:
        return _drive_generation(Path(args[1]))
    if args[:1] == ["_drive-recovery"]:
        return _drive_recovery(Path(args[1]))
    parser = argparse.ArgumentParser(prog="robustness_report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200, help="SIGKILL trials of the 4 MiB save")
    parser.add_argument("--fuzz", type=int, default=5000, help="inputs fed to the journal reader")
    parser.add_argument("--model", type=Path, default=None, help="GGUF for the loss window (default: tiny model)")
    parser.add_argument("--no-app", action="store_true", help="skip the app kill and its loss window")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    opts = parser.parse_args(args)
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="ziya-robustness-") as tmp:
        folder = Path(tmp)
        kills = run_kill_trials(folder, opts.trials)
        report["kill"] = {"trials": kills.trials, "lost": kills.lost, "changed": kills.changed, "s": kills.seconds}
        fuzz = fuzz_journal_reader(opts.fuzz)
        report["fuzz"] = {"tried": fuzz.tried, "failures": len(fuzz.failures), "refused": fuzz.refused}
        if not opts.no_app:
            model = opts.model if opts.model is not None else _tiny_model(folder)
            home = folder / "home"
            home.mkdir()
            loss = measure_recovery_loss(model, home)
            report["recovery"] = {
                "loss_s": round(loss.loss_s, 3),
                "chars_at_kill": loss.chars_at_kill,
                "recovered_chars": loss.recovered_chars,
                "streamed_s": round(loss.streamed_before_kill_s, 3),
                "consistent": loss.recovered_prefix_ok,
            }
    if opts.json:
        print(json.dumps(report))
        return 0
    print(f"kill trials run: {kills.trials}, documents lost: {kills.lost} (file had moved on in {kills.changed})")
    print(f"fuzz inputs tried: {fuzz.tried}, failures: {len(fuzz.failures)} (refused {fuzz.refused})")
    for problem in [*kills.problems, *fuzz.failures][:20]:
        print(f"  {problem}")
    recovery = report.get("recovery")
    if isinstance(recovery, dict):
        print(
            f"recovery loss window measured: {recovery['loss_s']:.2f} s "
            f"({recovery['recovered_chars']} of {recovery['chars_at_kill']} characters recovered after "
            f"{recovery['streamed_s']:.1f} s of streaming; consistent: {recovery['consistent']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
