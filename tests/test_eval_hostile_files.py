"""Evaluation files from outside that are not files: a named pipe where a prompt set, a contenders file, a run's
``run.json``, its answers or its verdicts should be is refused with a clear error instead of waiting for a writer
that never comes (which would freeze the window or the command line)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ziya_desktop.errors import EvalFormatError
from ziya_desktop.evaluation.contenders import Contender, load_contenders
from ziya_desktop.evaluation.judgements import JudgementStore
from ziya_desktop.evaluation.prompt_sets import EvalPrompt, PromptSet, load_prompt_set
from ziya_desktop.evaluation.run_store import EvalRun

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")

# Only a guard against a hang (the reader is then released by opening the pipe's other end), never a speed claim.
HANG_GUARD_S = 30.0


def outcome_of(read: Callable[[], object], fifo: Path) -> Exception | None:
    """What ``read`` raised (None if it returned); fails the test when it blocked on the pipe."""
    result: list[Exception | None] = []

    def target() -> None:
        try:
            read()
            result.append(None)
        except Exception as exc:  # noqa: BLE001  (handed to the test thread, which asserts on it)
            result.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_S)
    if thread.is_alive():
        with fifo.open("wb"):  # releases the reader blocked in open()
            pass
        thread.join()
        pytest.fail(f"reading {fifo.name} waited on the named pipe")
    return result[0]


def make_run(folder: Path) -> EvalRun:
    prompts = PromptSet("one", (EvalPrompt("a", "letter", "en", "easy", "Write a note."),))
    model = folder.parent / "m.gguf"
    model.write_bytes(b"GGUF")
    return EvalRun.create(folder, prompts, [Contender("x", model), Contender("y", model)])


@pytest.mark.parametrize("name", ["prompts.jsonl", "prompts.toml"])
def test_a_prompt_set_that_is_a_pipe(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    error = outcome_of(lambda: load_prompt_set(fifo), fifo)
    assert isinstance(error, EvalFormatError) and "not a regular file" in str(error)


def test_a_contenders_file_that_is_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "contenders.toml"
    os.mkfifo(fifo)
    error = outcome_of(lambda: load_contenders(fifo), fifo)
    assert isinstance(error, EvalFormatError) and "not a regular file" in str(error)


@pytest.mark.parametrize("which", ["run.json", "answers.jsonl", "judgements.jsonl"])
def test_run_files_that_are_pipes(tmp_path: Path, which: str) -> None:
    run = make_run(tmp_path / "run")
    fifo = run.folder / which
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    readers: dict[str, Callable[[], object]] = {
        "run.json": lambda: EvalRun.open(run.folder),
        "answers.jsonl": run.answers,
        "judgements.jsonl": JudgementStore(run).judgements,
    }
    error = outcome_of(readers[which], fifo)
    assert isinstance(error, EvalFormatError) and "not a regular file" in str(error), error
