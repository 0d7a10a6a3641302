"""Command line: no arguments opens the app; ``generate`` streams an answer to stdout (from the model in-process, or
from an inference server with ``--server``); ``info`` describes a model."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ziya_desktop.errors import ZiyaError
from ziya_desktop.eval_cli import add_eval_parser, eval_main

if TYPE_CHECKING:
    from ziya_desktop.engine.interface import TextEngine
    from ziya_desktop.engine.sampling import SamplingParams

PROG = "ziya-desktop"
API_KEY_ENV = "ZIYA_API_KEY"


def _gpu_layers(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected 'auto' or a number of layers") from None
    if n < 0:
        raise argparse.ArgumentTypeError("the number of layers cannot be negative")
    return n


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError("the timeout must be more than 0 and at most 86400 seconds")
    return value


def _sampling(setting: str, kind: type[int] | type[float]) -> Callable[[str], object]:
    """An argparse type for the sampling setting ``setting``: the same checks as SamplingParams, before any load."""

    def parse(text: str) -> object:
        from ziya_desktop.engine.sampling import validate_setting
        from ziya_desktop.errors import InvalidSamplingError

        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if kind is int else 'a number'}, not {text!r}"
            ) from None
        try:
            return validate_setting(setting, value)
        except InvalidSamplingError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Offline writing assistant running Ziya-Writing.")
    parser.add_argument("-v", "--verbose", action="store_true", help="show llama.cpp's log")
    parser.add_argument(
        "--self-test", action="store_true", help="check this installation offscreen (model, draft, PDF, DOCX) and exit"
    )
    parser.add_argument("--self-test-model", type=Path, default=None, help="the GGUF the self-test loads")
    sub = parser.add_subparsers(dest="command")

    gen = sub.add_parser("generate", help="stream an answer to stdout")
    gen.add_argument(
        "--model",
        type=Path,
        default=None,
        help="GGUF model file (with --server: its tokenizer if the server has none)",
    )
    gen.add_argument(
        "--server", default=None, metavar="URL", help="stream from this OpenAI-compatible server (llama-server, vLLM)"
    )
    gen.add_argument("--api-key", default=None, help=f"the server's API key (or set {API_KEY_ENV})")
    gen.add_argument("--server-model", default="", metavar="NAME", help="the server's model (default: its first)")
    gen.add_argument(
        "--server-timeout", type=_positive_seconds, default=120.0, metavar="S", help="seconds to wait for the server"
    )
    gen.add_argument("--prompt", required=True, help="what to write (wrapped in Ziya's prompt format)")
    gen.add_argument("--raw", action="store_true", help="send the prompt as is, without Ziya's format")
    gen.add_argument(
        "--max-tokens", type=_sampling("max_tokens", int), default=None, help="most tokens to generate (default 2048)"
    )
    gen.add_argument(
        "--temperature", type=_sampling("temperature", float), default=None, help="0, or 0.01 to 100 (default 0.85)"
    )
    gen.add_argument("--top-p", type=_sampling("top_p", float), default=None, help="above 0, at most 1 (default 0.85)")
    gen.add_argument(
        "--repeat-penalty",
        type=_sampling("repeat_penalty", float),
        default=None,
        help="0.01 to 100; 1 is off (default)",
    )
    gen.add_argument("--seed", type=_sampling("seed", int), default=None, help="0 to 4294967294 (default: random)")
    gen.add_argument("--threads", type=int, default=None, help="CPU threads (default: physical cores)")
    gen.add_argument("--gpu-layers", type=_gpu_layers, default="auto", help="'auto' or a number")
    gen.add_argument("--ctx", type=int, default=2048, help="context window in tokens")
    gen.add_argument("--ignore-eos", action="store_true", help="generate exactly --max-tokens (benchmarks)")
    gen.add_argument("--stats", action="store_true", help="end with one JSON line of statistics on stderr")

    info = sub.add_parser("info", help="show a model's metadata and this machine's offload plan")
    info.add_argument("--model", type=Path, required=True)
    info.add_argument("--ctx", type=int, default=2048)

    bench = sub.add_parser("bench", help="measure decode overhead, time to first token and memory on a model")
    bench.add_argument("--model", type=Path, required=True, help="GGUF model file")
    bench.add_argument("--threads", type=int, default=None, help="CPU threads (default: physical cores)")
    bench.add_argument(
        "--lengths", type=int, nargs="+", default=[128, 512, 2048], help="generated tokens to measure at"
    )
    bench.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")

    add_eval_parser(sub)
    return parser


def _generate_sampling(args: argparse.Namespace) -> SamplingParams:
    from ziya_desktop.engine.sampling import MODEL_CARD

    try:
        args.prompt.encode("utf-8")
    except UnicodeEncodeError as exc:
        # The shell passed bytes that are not UTF-8 (Python keeps them as lone surrogates); llama.cpp needs text.
        raise ZiyaError(
            f"the prompt is not valid UTF-8 text (at character {exc.start + 1})",
            hint="Pass the prompt as UTF-8 text; check that the terminal's encoding is UTF-8.",
        ) from None
    changes = {
        k: v
        for k, v in {
            "max_tokens": args.max_tokens,
            "temperature": args.temperature,
            "top_p": args.top_p,
            "repeat_penalty": args.repeat_penalty,
            "seed": args.seed,
        }.items()
        if v is not None
    }
    try:
        return MODEL_CARD.with_(ignore_eos=args.ignore_eos, **changes)
    except ValueError as exc:
        raise ZiyaError(str(exc)) from exc


def _open_engine(args: argparse.Namespace) -> TextEngine:
    """The in-process engine with ``--model`` loaded, or the server of ``--server`` connected."""
    if args.server is not None:
        from ziya_desktop.engine.remote import RemoteEngine, RemoteTarget
        from ziya_desktop.engine.remote_http import parse_base_url

        address = parse_base_url(args.server)
        # Said before the first request: the key (and then the text) would cross the network in the clear.
        if address.unencrypted_remote:
            print(f"{PROG}: warning: the text travels unencrypted to {address.host} (use https://)", file=sys.stderr)
        key = args.api_key if args.api_key is not None else os.environ.get(API_KEY_ENV, "")
        target = RemoteTarget(
            args.server, model=args.server_model, api_key=key, timeout_s=args.server_timeout, tokenizer_path=args.model
        )
        remote = RemoteEngine(target)
        remote.connect()
        return remote
    from ziya_desktop.engine.engine import Engine, LoadOptions

    engine = Engine()
    engine.load(args.model, LoadOptions(gpu_layers=args.gpu_layers, n_ctx=args.ctx, threads=args.threads))
    assert engine.report is not None
    if engine.report.fell_back:
        print(f"{PROG}: note: {engine.report.status}", file=sys.stderr)
    return engine


def _generate(args: argparse.Namespace) -> int:
    from ziya_desktop.engine.prompt import ziya_prompt

    sampling = _generate_sampling(args)
    engine = _open_engine(args)
    prompt = args.prompt if args.raw else ziya_prompt(args.prompt)
    cancel = threading.Event()
    out = sys.stdout
    try:
        for chunk in engine.stream(prompt, sampling, cancel=cancel, strip_leading_space=not args.raw):
            out.write(chunk)
            out.flush()
    except KeyboardInterrupt:
        cancel.set()
    finally:
        # What was written stays, on its own line, also when the stream broke (the error follows on stderr).
        out.write("\n")
        out.flush()
        engine.close()
    if args.stats and engine.last_stats is not None:
        print(json.dumps(engine.last_stats.as_json_dict(), ensure_ascii=False), file=sys.stderr)
    return 0


def _info(args: argparse.Namespace) -> int:
    from ziya_desktop.engine.hardware import probe
    from ziya_desktop.engine.model_gate import gate_model
    from ziya_desktop.engine.offload import plan_offload

    # The same static gate as a load, so that `info` never calls a file usable that the engine would refuse.
    info = gate_model(args.model)
    hw = probe()
    plan = plan_offload(info, hw, n_ctx=min(args.ctx, info.n_ctx_train), n_batch=512)
    result = {
        "model": info.describe(),
        "machine": {
            "backend": hw.backend,
            "gpu_offload": hw.gpu_offload,
            "gpus": [{"name": g.name, "description": g.description, "free": g.free_bytes} for g in hw.gpus],
            "physical_cores": hw.physical_cores,
            "ram_total": hw.total_ram,
            "ram_available": hw.available_ram,
            "amx": hw.has_amx,
        },
        "offload_plan": {"n_gpu_layers": plan.n_gpu_layers, "label": plan.label, "reason": plan.reason},
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from ziya_desktop.bench import figures_json, format_table, run_model_benchmarks

    figures = run_model_benchmarks(args.model, threads=args.threads, lengths=args.lengths)
    if args.json:
        print(figures_json(figures, model=str(args.model), threads=args.threads))
    else:
        print(format_table(figures))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "generate" and args.model is None and args.server is None:
        parser.error("generate needs --model FILE or --server URL")
    if args.self_test:
        from ziya_desktop.self_test import run_self_test

        return run_self_test(args.self_test_model)
    if args.command is None:
        from ziya_desktop.qt_preflight import preflight_or_message

        if (status := preflight_or_message()) is not None:
            return status
        from ziya_desktop.app import run_gui

        return run_gui(sys.argv if argv is None else [PROG, *argv])
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    try:
        commands = {"generate": _generate, "info": _info, "bench": _bench, "eval": eval_main}
        return commands[args.command](args)
    except ZiyaError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"{PROG}: hint: {exc.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
