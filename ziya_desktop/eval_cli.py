"""``ziya-desktop eval``: generate a run's answers overnight, write its report, measure the KL divergence.

- ``eval run RUN_DIR --contender NAME=PATH.gguf[,temperature=..,top_p=..,seed=..] ...`` creates the run (or
  resumes the one in RUN_DIR) and makes every missing answer; progress goes to stderr, Ctrl-C stops between
  prompts (exit 130) and the same command resumes.
- ``eval report RUN_DIR [--format markdown|csv] [--by-genre] [--kl BASE:OTHER] [--out FILE]``.
- ``eval kl RUN_DIR BASE OTHER [--json]``.

Every failure is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ziya_desktop.errors import EvalFormatError, ZiyaError

if TYPE_CHECKING:
    from ziya_desktop.engine.offload import GpuLayers

PROG = "ziya-desktop"
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
BUILTIN = "builtin"

log = logging.getLogger(__name__)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("expected a number of at least 1")
    return value


def _local_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=_positive, default=None, help="CPU threads (default: physical cores)")
    parser.add_argument(
        "--gpu-layers",
        default=None,
        help="'auto' or a number of layers (default: auto; the KL measure stays on the CPU unless given a number)",
    )


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``eval`` and its commands (run, report, kl) to ``subparsers`` of the main parser; returns its parser."""
    from ziya_desktop.evaluation.prompt_sets import GENRES

    ev: argparse.ArgumentParser = subparsers.add_parser(
        "eval", help="side-by-side evaluation: generate answers, report, KL divergence"
    )
    sub = ev.add_subparsers(dest="eval_command", metavar="{run,report,kl}", required=True)

    run = sub.add_parser("run", help="create or resume a run and make every missing answer")
    run.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    run.add_argument(
        "--contender",
        action="append",
        default=[],
        metavar="NAME=PATH.gguf[,temperature=..,top_p=..,seed=..]",
        help="a contender (give two or more); a server: NAME=http://host:port,model=NAME",
    )
    run.add_argument("--contenders", type=Path, default=None, metavar="FILE.toml", help="contenders from a file")
    run.add_argument("--prompts", default=None, metavar="FILE|builtin", help="prompt set (default: builtin)")
    run.add_argument("--limit", type=_positive, default=None, metavar="N", help="only the first N prompts")
    run.add_argument("--genre", choices=GENRES, default=None, help="only the prompts of one genre")
    run.add_argument("--name", default="", help="the run's name (default: the folder's name)")
    run.add_argument("--ctx", type=_positive, default=2048, help="context window in tokens (default 2048)")
    _local_options(run)

    report = sub.add_parser("report", help="win rates (and KL divergence) as Markdown or CSV")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    report.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    report.add_argument("--by-genre", action="store_true", help="add a breakdown by genre")
    report.add_argument("--kl", default=None, metavar="BASE:OTHER", help="add the KL divergence of OTHER from BASE")
    report.add_argument("--out", type=Path, default=None, metavar="FILE", help="write to FILE instead of stdout")
    _local_options(report)

    kl = sub.add_parser("kl", help="KL divergence and top-1 agreement of OTHER against BASE, per genre")
    kl.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    kl.add_argument("base", metavar="BASE")
    kl.add_argument("other", metavar="OTHER")
    kl.add_argument("--json", action="store_true", help="print JSON instead of a table")
    _local_options(kl)
    return ev


def _gpu_layers(value: str | None, default: int | str) -> int | str:
    if value is None:
        return default
    if value == "auto":
        return value
    if not value.isdigit():
        raise ZiyaError(f"--gpu-layers: expected 'auto' or a number of layers, not {value!r}")
    return int(value)


def _prompt_set(args: argparse.Namespace) -> Any:
    from ziya_desktop.evaluation.prompt_sets import builtin_prompt_set, load_prompt_set

    source = args.prompts or BUILTIN
    prompts = builtin_prompt_set() if source == BUILTIN else load_prompt_set(Path(source))
    chosen = prompts.subset(genre=args.genre, limit=args.limit)
    if not chosen.prompts:
        raise EvalFormatError(f"the prompt set {prompts.name} holds no {args.genre} prompts")
    return chosen


def _contenders(args: argparse.Namespace) -> list[Any]:
    from ziya_desktop.evaluation.contenders import load_contenders, parse_contender_spec

    out = [parse_contender_spec(spec) for spec in args.contender]
    if args.contenders is not None:
        out += load_contenders(args.contenders)
    # Absolute paths: the run may be resumed from another folder.
    return [c if c.model is None else dataclasses.replace(c, model=c.model.resolve()) for c in out]


def _same_contenders(given: list[Any], stored: tuple[Any, ...]) -> bool:
    from ziya_desktop.evaluation.contenders import contender_as_dict

    def key(c: Any) -> dict[str, object]:
        d = contender_as_dict(c)
        d.pop("quantization")  # filled from the GGUF when the run was made
        return d

    return [key(c) for c in given] == [key(c) for c in stored]


def _open_or_create(args: argparse.Namespace) -> Any:
    from ziya_desktop.evaluation.contenders import check_contenders
    from ziya_desktop.evaluation.run_store import RUN_FILE, EvalRun

    given = _contenders(args)
    wants_prompts = args.prompts is not None or args.limit is not None or args.genre is not None
    if (args.run_dir / RUN_FILE).exists():
        run = EvalRun.open(args.run_dir)
        if given and not _same_contenders(given, run.contenders):
            raise ZiyaError(
                f"{args.run_dir} holds a run with other contenders ({', '.join(c.name for c in run.contenders)})",
                hint="Leave out --contender and --contenders to resume it, or give a new folder.",
            )
        if wants_prompts and _prompt_set(args).prompts != run.prompt_set.prompts:
            raise ZiyaError(
                f"{args.run_dir} holds a run with other prompts ({run.prompt_set.name})",
                hint="Leave out --prompts, --limit and --genre to resume it, or give a new folder.",
            )
        print(f"{PROG}: resuming {run.name}: {len(run.missing())} answers to make", file=sys.stderr)
        return run
    if not given:
        raise ZiyaError("no run in that folder yet: give two or more --contender NAME=PATH.gguf (or --contenders)")
    contenders = check_contenders(c.with_quantization() for c in given)
    return EvalRun.create(args.run_dir, _prompt_set(args), contenders, name=args.name)


def _run(args: argparse.Namespace) -> int:
    from ziya_desktop.engine.engine import LoadOptions
    from ziya_desktop.evaluation.runner import local_engine_factory, run_answers

    layers = cast("GpuLayers", _gpu_layers(args.gpu_layers, "auto"))
    options = LoadOptions(gpu_layers=layers, n_ctx=args.ctx, threads=args.threads)
    run = _open_or_create(args)
    cancel = threading.Event()

    def progress(done: int, total: int, label: str) -> None:
        print(f"[{done}/{total}] {label}", file=sys.stderr, flush=True)

    def on_interrupt(_signum: int, _frame: object) -> None:
        print(f"{PROG}: stopping after the answer in progress…", file=sys.stderr, flush=True)
        cancel.set()

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_interrupt) if main_thread else None
    try:
        made = run_answers(run, progress=progress, cancel=cancel, engine_factory=local_engine_factory(options))
    finally:
        if main_thread:
            signal.signal(signal.SIGINT, previous)
    failed = sum(1 for a in run.answers().values() if a.error is not None)
    if cancel.is_set():
        print(f"{PROG}: stopped after {made} answers; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    note = f" ({failed} failed; they are tried again on the next run)" if failed else ""
    print(f"{PROG}: {made} answers made{note}; the run is in {run.folder}", file=sys.stderr)
    return 0


def _kl_options(args: argparse.Namespace) -> dict[str, Any]:
    layers = _gpu_layers(args.gpu_layers, 0)
    # The KL measure takes a number of layers; "auto" keeps it on the CPU, where any model fits.
    return {"threads": args.threads, "gpu_layers": 0 if layers == "auto" else layers}


def _kl_pair(text: str) -> tuple[str, str]:
    base, sep, other = text.partition(":")
    if not sep or not base or not other:
        raise ZiyaError(f"--kl: expected BASE:OTHER (two contender names), not {text!r}")
    return base, other


def _report(args: argparse.Namespace) -> int:
    from ziya_desktop.atomic_write import atomic_write_bytes
    from ziya_desktop.evaluation.kl import kl_for_run
    from ziya_desktop.evaluation.run_store import EvalRun

    try:
        from ziya_desktop.evaluation.report import write_report  # type: ignore[attr-defined, unused-ignore]
    except ImportError as err:
        raise ZiyaError("this build cannot write evaluation reports (the report module is missing)") from err
    run = EvalRun.open(args.run_dir)
    kl = None
    if args.kl is not None:
        kl = kl_for_run(run, *_kl_pair(args.kl), **_kl_options(args)).as_dict()
    out = io.StringIO()
    write_report(run, args.format, out, by_genre=args.by_genre, kl=kl)
    if args.out is None:
        sys.stdout.write(out.getvalue())
        return 0
    try:
        atomic_write_bytes(args.out, out.getvalue().encode("utf-8"))
    except OSError as err:
        raise ZiyaError(f"cannot write {args.out}: {err.strerror or err}") from err
    return 0


def _kl(args: argparse.Namespace) -> int:
    from ziya_desktop.evaluation.kl import kl_for_run
    from ziya_desktop.evaluation.run_store import EvalRun

    def progress(done: int, total: int, label: str) -> None:
        print(f"[{done}/{total}] {label}", file=sys.stderr, flush=True)

    report = kl_for_run(EvalRun.open(args.run_dir), args.base, args.other, progress=progress, **_kl_options(args))
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.json else report.format_table())
    return 0


def eval_main(args: argparse.Namespace) -> int:
    """Run the ``eval`` command in ``args``; 0 when done, 130 when Ctrl-C stopped a run, 2 on any error."""
    commands = {"run": _run, "report": _report, "kl": _kl}
    try:
        return commands[args.eval_command](args)
    except ZiyaError as exc:
        message = " ".join(str(exc).split())
        hint = f" Hint: {exc.hint}" if exc.hint else ""
        print(f"{PROG}: error: {message}{hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # Ctrl-C outside a run's answers (a load, the KL measure): nothing half-written
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
