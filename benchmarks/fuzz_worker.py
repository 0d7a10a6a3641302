"""The fuzz worker: a long-lived process that runs one input at a time for the pool, or reruns a saved finding.

    python -m benchmarks.fuzz_worker --serve          (started by benchmarks.fuzz_pool)
    python -m benchmarks.fuzz_worker READER FILE      (reproduce a finding in the foreground; prints its outcome)

Serving, it reads one JSON request a line on stdin (``id``, ``reader``, ``folder``, ``name``, ``trace``) and answers
on what was its stdout: ``{"ready": pid}`` once, then per request any ``{"id", "stage"}`` lines as the reader enters
a stage and one ``{"id", "outcome", "stage", "detail", "where", "arcs"}``. File descriptor 1 itself is pointed at
/dev/null first, so nothing a reader or llama.cpp prints can corrupt the answers. With ``trace`` the reader's
modules are traced line by line and ``arcs`` holds the (previous line, line) pairs it took, hashed: the pool keeps
an input that takes a new one (coverage guidance). The address space is capped (``MEMORY_LIMIT``), so a reader
that allocates what a file claims raises MemoryError (a bug, counted) instead of swapping the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from benchmarks.fuzz_targets import REJECTED, Kit, Target, prepare, target

UNEXPECTED = "unexpected"
MEMORY_LIMIT = 4 << 30
_OURS = ("ziya_desktop", "converters", "benchmarks")


class ArcTracer:
    """Records the line-to-line arcs taken in ``files`` (other code runs untraced)."""

    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.arcs: set[int] = set()

    def __enter__(self) -> ArcTracer:
        sys.settrace(self._call)
        return self

    def __exit__(self, *_exc: object) -> None:
        sys.settrace(None)

    def _call(self, frame: FrameType, event: str, _arg: object) -> Any:
        code = frame.f_code
        if code.co_filename not in self.files:
            return None
        base = hash((code.co_filename, code.co_firstlineno))
        arcs = self.arcs
        last = -1

        def line(frame: FrameType, event: str, _arg: object) -> Any:
            nonlocal last
            if event == "line":
                now = frame.f_lineno
                arcs.add((base + last * 1_000_003 + now) & 0xFFFFFFFFFFFF)
                last = now
            return line

        return line


def traced_files(t: Target) -> set[str]:
    files = set()
    for name in t.trace:
        origin = getattr(importlib.import_module(name), "__file__", None)
        if origin:
            files.add(origin)
    return files


def _where(err: BaseException) -> str:
    """The innermost frame of our code in the exception's traceback, else the innermost frame."""
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if any(f"/{pkg}/" in f.filename for pkg in _OURS) and "fuzz_" not in f.filename]
    if not frames:
        return ""
    frame = (ours or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"


def run_one(t: Target, folder: Path, name: str, *, trace: bool, emit: Any = None) -> dict[str, Any]:
    """Run one input; the outcome is accepted, rejected (one of the reader's own errors) or unexpected."""
    current = t.stages[0]

    def stage(entered: str) -> None:
        nonlocal current
        current = entered
        if emit is not None:
            emit({"stage": entered})

    tracer = ArcTracer(traced_files(t)) if trace else None
    where = ""
    try:
        with tracer if tracer is not None else contextlib.nullcontext():
            outcome, detail = t.run(folder, name, stage)
    except t.clean() as err:
        outcome, detail = REJECTED, f"{type(err).__name__}: {err}"
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # noqa: BLE001  (anything else a reader raises is the bug being counted)
        outcome, detail, where = UNEXPECTED, f"{type(err).__name__}: {err}", _where(err)
    arcs = sorted(tracer.arcs) if tracer is not None else []
    return {"outcome": outcome, "stage": current, "detail": detail[:500], "where": where, "arcs": arcs}


def _quiet_logging() -> None:
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    logging.getLogger("llama.cpp").setLevel(logging.CRITICAL)


def serve() -> int:
    reply: TextIO = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115  (lives as long as the process)
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    _quiet_logging()
    reply.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        ident = request["id"]

        def emit(message: dict[str, Any], ident: int = ident) -> None:
            reply.write(json.dumps({"id": ident, **message}) + "\n")

        result = run_one(
            target(request["reader"]), Path(request["folder"]), request["name"], trace=request["trace"], emit=emit
        )
        emit(result)
    return 0


def reproduce(reader: str, file: Path, name: str | None) -> int:
    """Run a saved input the way the pool did (its companions linked beside it) and print the outcome."""
    _quiet_logging()
    t = target(reader)
    saved_name = file.name.split("--", 1)[1] if "--" in file.name else file.name
    with tempfile.TemporaryDirectory(prefix="ziya-fuzz-repro-") as tmp:
        prepare(t, Kit(), Path(tmp), name or saved_name, file.read_bytes())
        result = run_one(t, Path(tmp), name or saved_name, trace=False)
    print(json.dumps({k: v for k, v in result.items() if k != "arcs"}, ensure_ascii=False, indent=2))
    return 0 if result["outcome"] != UNEXPECTED else 1


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--serve"]:
        return serve()
    parser = argparse.ArgumentParser(prog="fuzz_worker", description="Rerun one saved fuzz input in the foreground.")
    parser.add_argument("reader", help="the reader's name as the report prints it, e.g. 'journal'")
    parser.add_argument("file", type=Path, help="the saved input")
    parser.add_argument("--name", default=None, help="the file name the reader sees (default: from the saved name)")
    opts = parser.parse_args(args)
    return reproduce(opts.reader, opts.file, opts.name)


if __name__ == "__main__":
    sys.exit(main())
