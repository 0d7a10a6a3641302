"""A pool of long-lived fuzz worker processes, fed one input at a time, each input under its own timeout.

A worker that dies while it holds an input has crashed on it (the exit status or signal is recorded with the last
lines it wrote to stderr); one that does not answer within the target's timeout is hung on it and is killed. Either
way a fresh worker takes its place and the run goes on. Inputs are pulled from an iterator only when a worker is
free, so the results of earlier inputs (new coverage) shape the mutations of later ones.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.fuzz_targets import ROOT, Kit, Target, prepare

HANG, CRASH = "hang", "crash"
START_TIMEOUT_S = 120.0
_TAIL_BYTES = 4000


@dataclass
class Job:
    target: Target
    name: str
    data: bytes
    trace: bool = True
    tag: Any = None  # the caller's own reference (the corpus entry it came from)


@dataclass
class Outcome:
    kind: str  # accepted, rejected, unexpected, hang or crash
    stage: str
    detail: str
    where: str = ""
    arcs: list[int] = field(default_factory=list)
    seconds: float = 0.0


def describe_status(rc: int) -> str:
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exited with status {rc}"


class _Worker:
    def __init__(self, index: int, scratch: Path, env: dict[str, str]) -> None:
        self.index = index
        self.scratch = scratch
        self.env = env
        self.stderr_path = scratch / f"worker-{index}.stderr"
        self.proc: subprocess.Popen[bytes] | None = None
        self.buffer = b""
        self.ready = False
        self.job: Job | None = None
        self.ident = 0
        self.stage = ""
        self.started = 0.0
        self.deadline = 0.0
        self.stderr_at = 0
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with self.stderr_path.open("ab") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.fuzz_worker", "--serve"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                env=self.env,
                cwd=ROOT,
            )
        self.buffer, self.ready, self.job = b"", False, None
        self.deadline = time.monotonic() + START_TIMEOUT_S

    def fileno(self) -> int:
        assert self.proc is not None and self.proc.stdout is not None
        return self.proc.stdout.fileno()

    def folder(self, t: Target) -> Path:
        return self.scratch / f"w{self.index}" / "".join(c if c.isalnum() else "_" for c in t.name)

    def send(self, job: Job, ident: int, kit: Kit) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        folder = self.folder(job.target)
        prepare(job.target, kit, folder, job.name, job.data)
        self.job, self.ident, self.stage = job, ident, job.target.stages[0]
        self.started = time.monotonic()
        self.deadline = self.started + job.target.timeout_s
        self.stderr_at = self.stderr_path.stat().st_size if self.stderr_path.exists() else 0
        request = {"id": ident, "reader": job.target.name, "folder": str(folder), "name": job.name, "trace": job.trace}
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()

    def read(self) -> tuple[list[dict[str, Any]], bool]:
        """The whole lines that arrived, and whether the worker's end of the pipe closed (it died)."""
        chunk = os.read(self.fileno(), 1 << 20)
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()], not chunk

    def last_words(self) -> str:
        try:
            with self.stderr_path.open("rb") as f:
                f.seek(max(self.stderr_at, self.stderr_path.stat().st_size - _TAIL_BYTES))
                text = f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        return " | ".join(ln[:200] for ln in lines[-4:])

    def stop(self, *, kill: bool) -> int:
        assert self.proc is not None
        if kill and self.proc.poll() is None:
            self.proc.kill()
        elif self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return rc


class WorkerPool:
    """``size`` worker processes; :meth:`run` feeds them jobs and reports every job's outcome."""

    def __init__(self, size: int, scratch: Path, kit: Kit) -> None:
        scratch.mkdir(parents=True, exist_ok=True)
        home = scratch / "home"
        home.mkdir(exist_ok=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="0", GGML_NO_BACKTRACE="1", ZIYA_HOME=str(home))
        env["ZIYA_OFFLINE"] = "1"
        self.kit = kit
        self.workers = [_Worker(i, scratch, env) for i in range(max(1, size))]
        self.restarts = 0
        self._ident = 0
        for worker in self.workers:
            worker.start()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(kill=worker.job is not None)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def run(self, jobs: Iterator[Job], on_result: Callable[[Job, Outcome], None]) -> None:
        """Run every job from ``jobs`` (pulled one at a time as workers free up); ``on_result`` gets each outcome."""
        more = True
        while True:
            for worker in self.workers:
                if more and worker.ready and worker.job is None:
                    job = next(jobs, None)
                    if job is None:
                        more = False
                        break
                    self._ident += 1
                    worker.send(job, self._ident, self.kit)
            waiting = [w for w in self.workers if w.job is not None or not w.ready]
            if not more and not any(w.job is not None for w in waiting):
                return
            timeout = max(0.0, min(w.deadline for w in waiting) - time.monotonic())
            readable, _, _ = select.select(waiting, [], [], min(timeout, 1.0))
            for worker in readable:
                self._take(worker, on_result)
            for worker in waiting:
                if time.monotonic() > worker.deadline and worker not in readable:
                    if select.select([worker], [], [], 0)[0]:
                        self._take(worker, on_result)  # it answered just now
                    if time.monotonic() > worker.deadline:
                        self._expired(worker, on_result)

    def _take(self, worker: _Worker, on_result: Callable[[Job, Outcome], None]) -> None:
        messages, closed = worker.read()
        for message in messages:
            if "ready" in message:
                worker.ready = True
            elif worker.job is not None and message.get("id") == worker.ident:
                if "outcome" in message:
                    job, worker.job = worker.job, None
                    elapsed = time.monotonic() - worker.started
                    outcome = Outcome(
                        message["outcome"], message["stage"], message["detail"], message["where"], message["arcs"]
                    )
                    outcome.seconds = elapsed
                    on_result(job, outcome)
                else:
                    worker.stage = message["stage"]
        if closed:
            rc = worker.stop(kill=False)
            if worker.job is None and not worker.ready:
                raise RuntimeError(f"a fuzz worker could not start ({describe_status(rc)}): {worker.last_words()}")
            if worker.job is not None:
                job, stage = worker.job, worker.stage
                detail = f"{describe_status(rc)}; stderr: {worker.last_words()}"
                on_result(job, Outcome(CRASH, stage, detail, seconds=time.monotonic() - worker.started))
            self.restarts += 1
            worker.start()

    def _expired(self, worker: _Worker, on_result: Callable[[Job, Outcome], None]) -> None:
        if worker.job is None:
            raise RuntimeError(f"a fuzz worker did not start within {START_TIMEOUT_S:.0f} s")
        job, stage = worker.job, worker.stage
        worker.stop(kill=True)
        on_result(
            job, Outcome(HANG, stage, f"no answer within {job.target.timeout_s:g} s", seconds=job.target.timeout_s)
        )
        self.restarts += 1
        worker.start()
