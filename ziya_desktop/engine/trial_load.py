"""Trial loads: the first load of a model file runs in a short-lived child process, where an abort costs nothing.

The static gate (:mod:`ziya_desktop.engine.model_gate`) refuses every file we know llama.cpp aborts on, but
llama.cpp is large and a crafted file may find an assertion the gate does not know. So before the app's own
process loads a file it has not seen, ``python -m ziya_desktop.engine.trial_load`` loads it the way the engine
does — vocabulary (every token turned back into text, sample texts tokenized), hyper-parameters, every tensor
created, a context built — but with ``no_alloc``, so no weights are read and no memory is taken, which keeps the
trial fast on a 13B. A child killed by a signal (llama.cpp's GGML_ASSERT calls abort) becomes a clear
:class:`InvalidModelError` naming the file with llama.cpp's last words, and the app stays up. Verdicts are
remembered per file (:mod:`ziya_desktop.engine.trial_verdicts`), so later loads start at once.

One child can trial many files (it reports each as it finishes, and a crash ends only the file it was on; the
parent starts a new child for the rest).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from ziya_desktop.engine import trial_verdicts
from ziya_desktop.errors import InvalidModelError, LoadCancelledError, ModelLoadError, ModelNotFoundError
from ziya_desktop.translatable import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

MODULE = "ziya_desktop.engine.trial_load"
TIMEOUT_S = 120.0  # per file, since the last one finished: a hang guard, far above a trial's second or two
OK, REFUSED, CRASHED, TIMEOUT, ERROR = "ok", "refused", "crashed", "timeout", "error"
_MARK = "@@ziya-trial "
_CHILD_FAILED = 70  # the child's own exit code when it could not run at all (EX_SOFTWARE)
_TAIL_BYTES = 256 * 1024
_TAIL_LINES = 8
_POLL_S = 0.05

# Texts tokenized in the trial: the prompt format, both scripts, emoji, control and rare characters (every byte
# fallback path of the tokenizer).
SAMPLES = (
    "<human>:写一封感谢信\n<bot>:",
    "Dear colleagues, the quick brown fox jumps over the lazy dog. 1234567890",
    "中文、English 混合 😀 \t\r\n  end",
    "".join(chr(c) for c in range(1, 128)),
    "\u00ff\u0100\u07ff\u0800\uffef\U0001f600\U0010fffd é ß ﬁ",
)

_started_lock = threading.Lock()
_started = 0


@dataclass(frozen=True)
class TrialOutcome:
    path: Path
    verdict: str  # OK, REFUSED (llama.cpp returned an error), CRASHED, TIMEOUT or ERROR (the trial could not run)
    detail: str = ""


def children_started() -> int:
    """How many trial processes this process has started (each costs a second or so)."""
    with _started_lock:
        return _started


def ensure_loadable(path: Path, *, cancel: threading.Event | None = None, timeout_s: float = TIMEOUT_S) -> None:
    """Return when ``path`` is known to load without taking the process down; trial it first if it is not.

    Raises:
        InvalidModelError: llama.cpp aborted or refused the file in the trial (the message has its last words).
        ModelLoadError: the trial did not finish in time, or could not run at all.
        LoadCancelledError: ``cancel`` was set during the trial.
        ModelNotFoundError: the file is gone or cannot be examined.
    """
    try:
        key = trial_verdicts.FileKey.of(path)
    except OSError as err:
        raise ModelNotFoundError(f"{Path(path).name}: cannot be examined ({err.strerror})") from err
    remembered = trial_verdicts.lookup(key)
    if remembered is not None:
        outcome = TrialOutcome(Path(path), remembered.verdict, remembered.detail)
    else:
        outcome = run_trials([Path(path)], cancel=cancel, timeout_s=timeout_s)[0]
        if outcome.verdict in (OK, CRASHED):
            trial_verdicts.record(key, trial_verdicts.Verdict(outcome.verdict, outcome.detail))
    raise_for(outcome)


def raise_for(outcome: TrialOutcome) -> None:
    """Turn a trial's outcome into the error the writer sees (nothing for OK)."""
    name = outcome.path.name
    if outcome.verdict == OK:
        return
    if outcome.verdict == CRASHED:
        raise InvalidModelError(f"{name}: llama.cpp rejected the file: {outcome.detail}")
    if outcome.verdict == REFUSED:
        raise InvalidModelError(f"{name}: llama.cpp cannot load the file: {outcome.detail}")
    if outcome.verdict == TIMEOUT:
        raise ModelLoadError(f"{name}: a trial load did not finish: {outcome.detail}")
    raise ModelLoadError(f"{name}: the trial load could not run: {outcome.detail}")


def run_trials(
    paths: list[Path], *, cancel: threading.Event | None = None, timeout_s: float = TIMEOUT_S
) -> list[TrialOutcome]:
    """Trial-load every file in ``paths`` in child processes; one outcome per file, in order.

    A child that crashes or hangs costs only the file it was on: a new child takes the rest.

    Raises:
        LoadCancelledError: ``cancel`` was set (the child is killed).
    """
    outcomes: list[TrialOutcome] = []
    remaining = [Path(p) for p in paths]
    while remaining:
        done, culprit = _run_child(remaining, cancel, timeout_s)
        outcomes += done
        remaining = remaining[len(done) :]
        if culprit is not None:
            outcomes.append(culprit)
            remaining = remaining[1:]
    return outcomes


def _run_child(
    paths: list[Path], cancel: threading.Event | None, timeout_s: float
) -> tuple[list[TrialOutcome], TrialOutcome | None]:
    """One child over ``paths``: the outcomes it reported, and the outcome of the file it died on (if it did)."""
    global _started
    with tempfile.TemporaryDirectory(prefix="ziya-trial-") as tmp:
        results_path = Path(tmp) / "results.jsonl"
        stderr_path = Path(tmp) / "stderr.txt"
        results_path.touch()
        command = [sys.executable, "-m", MODULE, "--results", str(results_path), *map(str, paths)]
        with stderr_path.open("wb") as err:
            proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=_child_env()
            )
            with _started_lock:
                _started += 1
            try:
                done, timed_out = _watch(proc, paths, results_path, cancel, timeout_s)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        if len(done) == len(paths):
            return done, None
        culprit = paths[len(done)]
        last_words = _last_words(stderr_path, len(done))
        rc = proc.returncode
        if timed_out:
            outcome = TrialOutcome(culprit, TIMEOUT, f"no answer within {timeout_s:.0f} s")
        elif rc in (0, 1, _CHILD_FAILED):
            outcome = TrialOutcome(culprit, ERROR, f"the trial process failed (exit code {rc}){last_words}")
        else:
            outcome = TrialOutcome(culprit, CRASHED, f"loading it aborted a test process ({_describe(rc)}){last_words}")
        log.warning("trial load of %s: %s: %s", culprit, outcome.verdict, outcome.detail)
        return done, outcome


def _watch(
    proc: subprocess.Popen[bytes],
    paths: list[Path],
    results_path: Path,
    cancel: threading.Event | None,
    timeout_s: float,
) -> tuple[list[TrialOutcome], bool]:
    """Wait for the child; returns the outcomes it reported and whether it was killed for taking too long."""
    done: list[TrialOutcome] = []
    deadline = time.monotonic() + timeout_s
    while True:
        exited = proc.poll() is not None
        before = len(done)
        done = _read_results(results_path, paths)
        if len(done) != before:
            deadline = time.monotonic() + timeout_s
        if exited:
            return done, False
        if cancel is not None and cancel.is_set():
            proc.kill()
            proc.wait()
            raise LoadCancelledError(QT_TRANSLATE_NOOP("Engine", "model load cancelled"))
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return _read_results(results_path, paths), True
        # Still working: wait a moment, then look at its results and the clock again.
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=_POLL_S)


def _read_results(results_path: Path, paths: list[Path]) -> list[TrialOutcome]:
    outcomes: list[TrialOutcome] = []
    text = results_path.read_text(encoding="utf-8", errors="replace")
    # Only whole lines count: the child may be writing the next one.
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n") or len(outcomes) >= len(paths):
            break
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            break
        verdict = item.get("verdict") if isinstance(item, dict) else None
        if verdict not in (OK, REFUSED):
            break
        outcomes.append(TrialOutcome(paths[len(outcomes)], str(verdict), str(item.get("detail", ""))[:2000]))
    return outcomes


def _describe(rc: int) -> str:
    if rc < 0:
        try:
            return f"signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"signal {-rc}"
    return f"exit code {rc}"


def _last_words(stderr_path: Path, index: int) -> str:
    """The last lines the child wrote to stderr while it worked on file ``index``, for the error message."""
    try:
        with stderr_path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - _TAIL_BYTES))
            text = f.read().decode("utf-8", errors="replace")
    except OSError as err:
        log.warning("could not read the trial's stderr %s: %s", stderr_path, err)
        return ""
    mark = f"{_MARK}{index}\n"
    if mark in text:
        text = text.rsplit(mark, 1)[1]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith(_MARK)]
    tail = " | ".join(ln[:300] for ln in lines[-_TAIL_LINES:])
    return f"; llama.cpp said: {tail}" if tail else ""


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # ggml prints a backtrace on abort by attaching a debugger when one is installed: slow, and not for writers.
    env["GGML_NO_BACKTRACE"] = "1"
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


# ----------------------------------------------------------------------------------------------------- the child


class _RecentErrors(logging.Handler):
    """Keeps llama.cpp's last error lines for a refusal's message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: deque[str] = deque(maxlen=_TAIL_LINES)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage().strip())


def _trial_one(path: Path, recent: _RecentErrors) -> tuple[str, str]:
    import llama_cpp

    recent.lines.clear()
    mp = llama_cpp.llama_model_default_params()
    mp.n_gpu_layers = 0
    mp.load_mode = llama_cpp.LLAMA_LOAD_MODE_NONE
    mp.use_extra_bufts = True
    mp.no_alloc = True  # tensors are created and placed, but no weight is read or allocated
    model = llama_cpp.llama_model_load_from_file(str(path).encode(), mp)
    if not model:
        return REFUSED, " | ".join(recent.lines) or "llama.cpp returned no model"
    try:
        _exercise_vocab(llama_cpp.llama_model_get_vocab(model))
        n_ctx = max(1, min(2048, int(llama_cpp.llama_model_n_ctx_train(model))))
        cp = llama_cpp.llama_context_default_params()
        cp.n_ctx = n_ctx
        cp.n_batch = cp.n_ubatch = min(256, n_ctx)
        cp.n_seq_max = 1
        cp.n_threads = cp.n_threads_batch = 1
        cp.no_perf = True
        ctx = llama_cpp.llama_init_from_model(model, cp)
        if not ctx:
            return REFUSED, " | ".join(recent.lines) or "llama.cpp could not build a context"
        llama_cpp.llama_free(ctx)
    finally:
        llama_cpp.llama_model_free(model)
    return OK, ""


def _exercise_vocab(vocab: object) -> None:
    """Everything the engine asks of a vocabulary, for every token: attributes and text, then tokenizing."""
    import llama_cpp

    n_vocab = int(llama_cpp.llama_vocab_n_tokens(vocab))
    buf = ctypes.create_string_buffer(256)
    for token in range(n_vocab):
        llama_cpp.llama_vocab_get_attr(vocab, token)
        for special in (False, True):
            _piece(vocab, token, buf, special)
    llama_cpp.llama_vocab_bos(vocab)
    llama_cpp.llama_vocab_eos(vocab)
    for text in SAMPLES:
        raw = text.encode("utf-8")
        cap = len(raw) + 8
        arr = (llama_cpp.llama_token * cap)()
        for parse_special in (False, True):
            n = llama_cpp.llama_tokenize(vocab, raw, len(raw), arr, cap, True, parse_special)
            for token in arr[: max(n, 0)]:
                _piece(vocab, token, buf, False)


def _piece(vocab: object, token: int, buf: ctypes.Array[ctypes.c_char], special: bool) -> None:
    import llama_cpp

    n = llama_cpp.llama_token_to_piece(vocab, token, buf, len(buf), 0, special)
    if n < 0:
        bigger = ctypes.create_string_buffer(-n)
        llama_cpp.llama_token_to_piece(vocab, token, bigger, len(bigger), 0, special)


def main(argv: list[str] | None = None) -> int:
    """``python -m ziya_desktop.engine.trial_load --results FILE MODEL...``: one JSON line per model in FILE."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[0] != "--results":
        print("usage: python -m ziya_desktop.engine.trial_load --results FILE MODEL...", file=sys.stderr)
        return 2
    results, paths = Path(args[1]), [Path(a) for a in args[2:]]
    try:
        from ziya_desktop.engine.llama_api import ensure_backend

        recent = _RecentErrors()
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(logging.WARNING)
        llama_log = logging.getLogger("llama.cpp")
        llama_log.setLevel(logging.WARNING)
        llama_log.addHandler(stream)
        llama_log.addHandler(recent)
        llama_log.propagate = False
        ensure_backend()
    except Exception as err:  # noqa: BLE001 - the parent reports it, with this line from stderr
        print(f"trial process cannot start: {err!r}", file=sys.stderr)
        return _CHILD_FAILED
    with results.open("a", encoding="utf-8") as out:
        for i, path in enumerate(paths):
            sys.stderr.write(f"{_MARK}{i}\n")
            sys.stderr.flush()
            try:
                verdict, detail = _trial_one(path, recent)
            except Exception as err:  # noqa: BLE001 - a Python-level failure is a refusal of this file, not a crash
                verdict, detail = REFUSED, f"{type(err).__name__}: {err}"
            out.write(json.dumps({"verdict": verdict, "detail": _clean(detail)}) + "\n")
            out.flush()
    return 0


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()[:2000]


if __name__ == "__main__":
    sys.exit(main())
