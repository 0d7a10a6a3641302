"""``ziya-convert HF_DIR --outfile OUT.gguf --outtype q4_k_m [--verify]``."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from converters.atomic import format_bytes, remove_stale_partials
from converters.hf_to_gguf import OUTTYPE_SIZE_VS_F16, ConversionProgress, convert
from ziya_desktop.errors import ZiyaError


class TerminalProgress:
    """One self-overwriting line on stderr: stage, percentage, throughput, time left."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, p: ConversionProgress) -> None:
        now = time.monotonic()
        if p.stage == "convert" and now - self._last < 0.2 and p.done_bytes < p.total_bytes:
            return
        self._last = now
        if p.stage == "convert":
            rate = p.done_bytes / p.elapsed_s if p.elapsed_s > 0 else 0.0
            left = (p.total_bytes - p.done_bytes) / rate if rate > 0 else 0.0
            line = (
                f"converting {p.fraction * 100:5.1f}%  {format_bytes(p.done_bytes)}/{format_bytes(p.total_bytes)}"
                f"  {format_bytes(rate)}/s  {left:4.0f} s left  {p.tensor}"
            )
        elif p.stage == "quantize":
            line = "quantizing with llama.cpp …"
        else:
            line = f"done in {p.elapsed_s:.1f} s"
        end = "\n" if p.stage != "convert" or p.done_bytes >= p.total_bytes else ""
        print(f"\r{line[:110]:<110}", end=end, file=sys.stderr, flush=True)


class _Stopped(BaseException):
    """Raised in the main thread by SIGTERM or SIGHUP, so that the clean-up Ctrl+C gets runs for them too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


def _stop(signum: int, _frame: FrameType | None) -> None:
    # Further signals are ignored so that a second one cannot interrupt the removal of the partial files.
    for sig in (*_STOP_SIGNALS, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    raise _Stopped(signum)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ziya-convert", description="Convert a Hugging Face LLaMA checkpoint (e.g. Ziya-Writing) to GGUF."
    )
    parser.add_argument("checkpoint", type=Path, help="folder with config.json, tokenizer and weights")
    parser.add_argument("--outfile", type=Path, required=True, help="GGUF file to write")
    parser.add_argument("--outtype", choices=list(OUTTYPE_SIZE_VS_F16), default="q4_k_m")
    parser.add_argument("--prefer", choices=["auto", "bin", "safetensors"], default="auto")
    parser.add_argument("--threads", type=int, default=None, help="quantizer threads")
    parser.add_argument("--verify", action="store_true", help="check the output's tokenizer against the checkpoint's")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ziya_desktop.engine.llama_api import ensure_backend

    ensure_backend()
    for sig in _STOP_SIGNALS:
        signal.signal(sig, _stop)
    try:
        # Partial files of an earlier run that was killed (its pid is gone) are removed before this one starts.
        for stale in remove_stale_partials(args.outfile.absolute().parent):
            print(f"ziya-convert: removed {stale.name}, left by an interrupted conversion", file=sys.stderr)
        result = convert(
            args.checkpoint,
            args.outfile,
            args.outtype,
            progress=None if args.quiet else TerminalProgress(),
            prefer=args.prefer,
            threads=args.threads,
        )
        print(
            f"wrote {result.outfile} ({result.outtype.upper()}, {format_bytes(result.output_bytes)}, "
            f"{result.n_tensors} tensors from {result.weight_format}) in {result.seconds:.1f} s"
        )
        if args.verify:
            from converters.verify import verify_tokenizer

            report = verify_tokenizer(args.checkpoint, result.outfile)
            print(report.summary())
            if not report.ok:
                return 1
    except ZiyaError as exc:  # the converter's errors and the disk check's
        print(f"ziya-convert: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"ziya-convert: hint: {exc.hint}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the disk filled up while writing; the partial files are already removed
        print(f"ziya-convert: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nziya-convert: cancelled; partial files were removed", file=sys.stderr)
        return 130
    except _Stopped as stopped:
        name = signal.Signals(stopped.signum).name
        print(f"\nziya-convert: stopped by {name}; partial files were removed", file=sys.stderr)
        return 128 + stopped.signum
    return 0
